// Entry points behind fastmi's scikit-learn compatible functions
// (mutual_info_regression, mutual_info_classif, mutual_info_score). Plain
// types and raw pointers only; Python has validated and preprocessed the
// data (scaling and tie-breaking noise, label codes). Each function throws
// std::invalid_argument (ValueError), std::bad_alloc (MemoryError) or
// Interrupted, and is safe to call without the GIL.
#pragma once

#include <cstdint>

#include "common.hpp"

namespace fastmi {

// Mutual information (nats, clipped at 0) between each feature and the
// target, scikit-learn's estimators:
//   xc: the pc continuous features, column-major (feature j at xc + j * n);
//   xd: the pd discrete features, column-major, compared as values;
//   target: y_codes != nullptr for a discrete target (codes in [0, y_labels)),
//   otherwise the continuous values y.
// out_c[j], out_d[j] receive feature j's estimate. Features run in parallel
// (or, when there are fewer features than threads, one after another, each
// on all threads); every estimate is independent of the thread count.
void sklearn_mi(const double* xc, std::int64_t pc, const double* xd, std::int64_t pd, std::int64_t n,
                const double* y, const std::int64_t* y_codes, std::int64_t y_labels, int k,
                int n_threads, InterruptFn check, double* out_c, double* out_d);

// Adds scikit-learn's tie-breaking noise in place: x[i, j] += c[j] * g_ij for
// the column-major n x p block x, the g_ij being the next n * p values of
// numpy's RandomState.standard_normal in row-major order (i, j), drawn from
// and leaving the RandomState state (key[624], pos, has_gauss, gauss) as
// numpy would.
void add_legacy_noise(double* x, std::int64_t n, std::int64_t p, const double* c, std::uint32_t* key, int* pos,
                      int* has_gauss, double* gauss, int n_threads, InterruptFn check);

// Plug-in MI (nats) of two labellings given as codes a in [0, na), b in [0, nb).
double mutual_info_codes(const std::int64_t* a, std::int64_t na, const std::int64_t* b, std::int64_t nb,
                         std::int64_t n, InterruptFn check);

// Plug-in MI (nats) of a contingency table given by its nnz non-zero cells
// in row-major order, its row sums pi (n_rows) and column sums pj (n_cols).
double mutual_info_table(const std::int64_t* row, const std::int64_t* col, const std::int64_t* count,
                         std::int64_t nnz, const std::int64_t* pi, std::int64_t n_rows,
                         const std::int64_t* pj, std::int64_t n_cols, InterruptFn check);

}  // namespace fastmi
