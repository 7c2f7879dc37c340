// The one C++ entry of fastmi: the functions that the extension module
// fastmi._native exposes, under the same names. Plain types, raw pointers
// and enums only. Python has validated every argument, so the checks left
// here are invariants. Every function is safe to call without the GIL and
// throws only std::bad_alloc (MemoryError), Interrupted (the pending
// KeyboardInterrupt), or std::logic_error (RuntimeError) should an invariant
// ever fail. n_threads <= 0 means OpenMP's default; check is the Ctrl-C poll
// (nullptr: none). Results never depend on the thread count.
#pragma once

#include <cstdint>

#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"

namespace fastmi {
namespace entry {

// The two KSG-1 variants: the published estimator (Kraskov et al. 2004:
// max-norm, strict marginal counts), and the textbook listing's
// (Euclidean, inclusive counts; public name: legacy=True).
enum class KsgVariant { published, textbook };
enum class Metric { max_norm, euclidean };
// The joint count table of the binned estimator: dense (every cell), sparse
// (the occupied cells only, O(n) memory), or automatic: sparse when it has
// far more cells than samples. Both give the same counts and the same bits.
enum class TableLayout { automatic, dense, sparse };

bool has_openmp();
int default_threads();

// Minimum, maximum and all-finite flag of x, one parallel pass.
void finite_range(const double* x, std::int64_t n, int n_threads, InterruptFn check, double* min, double* max,
                  int* finite);

// One axis of a joint histogram: nbins uniform bins between lo and hi (the
// data's min and max: numpy.histogram2d's rule) when edges == nullptr,
// else the nbins + 1 non-decreasing edges.
struct AxisSpec {
    std::int64_t nbins;
    const double* edges;
    double lo, hi;
};

// Plug-in MI of the joint histogram, in bits, unclipped; *counted receives
// the number of samples inside the edges (0: the MI is meaningless).
double binned_mi_bits(const double* x, const double* y, std::int64_t n, AxisSpec ax, AxisSpec ay,
                      TableLayout layout, int n_threads, InterruptFn check, std::int64_t* counted);

// The joint count table, row-major nbins_x x nbins_y.
void histogram2d(const double* x, const double* y, std::int64_t n, AxisSpec ax, AxisSpec ay, TableLayout layout,
                 int n_threads, InterruptFn check, std::int64_t* counts);

// KSG algorithm 1 in nats, unclipped; x is C-contiguous (n, dx), y (n, dy),
// 1 <= k < n. *zero_radius receives the number of samples with a zero k-th
// neighbour distance.
double ksg_mi_nats(const double* x, int dx, const double* y, int dy, std::int64_t n, int k, KsgVariant variant,
                   int n_threads, InterruptFn check, std::int64_t* zero_radius);

// KSG algorithm 2 (Kraskov et al. 2004) in nats, unclipped, as ksg_mi_nats
// takes x and y (estimators/ksg2.hpp).
double ksg2_mi_nats(const double* x, int dx, const double* y, int dy, std::int64_t n, int k, int n_threads,
                    InterruptFn check, std::int64_t* zero_radius);

// Kozachenko-Leonenko entropy in nats of the C-contiguous (n, d) data, 1 <=
// k < n (estimators/entropy.hpp); the samples whose k-th-neighbour distance
// is 0 (*zero_radius of them) are left out of the mean of log(2 eps); NaN
// when that is every sample.
double kl_entropy_nats(const double* x, int d, std::int64_t n, int k, int n_threads, InterruptFn check,
                       std::int64_t* zero_radius);

// Frenzel-Pompe conditional MI I(X;Y|Z) in nats, unclipped; x, y, z
// C-contiguous (n, dx), (n, dy), (n, dz) (estimators/cmi.hpp).
double cmi_ksg_nats(const double* x, int dx, const double* y, int dy, const double* z, int dz, std::int64_t n,
                    int k, int n_threads, InterruptFn check, std::int64_t* zero_radius);

// Row-major cell codes of the histogram of the C-contiguous (n, d) data,
// one AxisSpec per column (numpy.histogramdd's bins); -1 for samples
// outside explicit edges (estimators/plugin.hpp). The product of the bin
// counts fits an int64.
void histogram_codes(const double* data, std::int64_t n, int d, const AxisSpec* axes, int n_threads,
                     InterruptFn check, std::int64_t* codes);

// The neighbour statistics behind KSG, on C-contiguous (n, d) data:
// radius[i], the distance to the k-th nearest other sample; counts[i], the
// other samples within radius[i].
void knn_radius(const double* data, std::int64_t n, int d, int k, Metric metric, int n_threads, InterruptFn check,
                double* radius);
void neighbor_counts(const double* data, std::int64_t n, int d, const double* radius, Metric metric, Bound bound,
                     int n_threads, InterruptFn check, std::int64_t* counts);

// scikit-learn's estimators between each of p features and one target, as
// its _compute_mi_cc / _compute_mi_cd / mutual_info_score compute them, in
// nats, unclipped: out[j] for feature j, the column x + j * n (column-major
// (n, p) block). Continuous values are scaled and noised by Python; labels
// are codes in [0, n_labels); discrete features are compared as values.
// Features run in parallel, or one after another on all threads when there
// are fewer features than threads.
//   mi_cc  continuous features, continuous target y: KSG (numpy's sums)
//   mi_cd  continuous features, discrete target: Ross
//   mi_dc  discrete features, continuous target y: Ross, roles swapped
//   mi_dd  discrete features, discrete target: the contingency table
void mi_cc(const double* x, std::int64_t p, std::int64_t n, const double* y, int k, int n_threads, InterruptFn check,
           double* out);
void mi_cd(const double* x, std::int64_t p, std::int64_t n, const std::int64_t* labels, std::int64_t n_labels, int k,
           int n_threads, InterruptFn check, double* out);
void mi_dc(const double* x, std::int64_t p, std::int64_t n, const double* y, int k, int n_threads, InterruptFn check,
           double* out);
void mi_dd(const double* x, std::int64_t p, std::int64_t n, const std::int64_t* labels, std::int64_t n_labels,
           int n_threads, InterruptFn check, double* out);

// Plug-in MI (nats, unclipped) of two labellings given as codes a in
// [0, na), b in [0, nb), as sklearn.metrics.mutual_info_score computes it
// (on one thread).
double contingency_mi_codes(const std::int64_t* a, std::int64_t na, const std::int64_t* b, std::int64_t nb,
                            std::int64_t n, InterruptFn check);

// The same from a table given by its nnz non-zero cells in row-major order,
// its row sums pi (n_rows) and column sums pj (n_cols).
double contingency_mi_table(const std::int64_t* row, const std::int64_t* col, const std::int64_t* count,
                            std::int64_t nnz, const std::int64_t* pi, std::int64_t n_rows, const std::int64_t* pj,
                            std::int64_t n_cols, InterruptFn check);

// Adds scikit-learn's tie-breaking noise in place: x[i, j] += c[j] * g_ij
// for the column-major n x p block x, the g_ij being the next n * p values
// of numpy's RandomState.standard_normal in row-major order (i, j), drawn
// from and leaving the RandomState state (key[624], pos, has_gauss, gauss)
// as numpy would.
void add_normal_noise(double* x, std::int64_t n, std::int64_t p, const double* c, std::uint32_t* key, int* pos,
                      int* has_gauss, double* gauss, int n_threads, InterruptFn check);

// Workflows (estimators/pairwise.hpp, estimators/permutation.hpp).
// KSG algorithm 1 in nats (unclipped) of the m column pairs (pairs[2q],
// pairs[2q + 1]) of the column-major (n, p) block X, each column sorted once;
// zeros[q] the pair's number of zero k-th-neighbour distances; 1 <= k < n.
void ksg_pairs_nats(const double* X, std::int64_t n, std::int64_t p, const std::int64_t* pairs, std::int64_t m,
                    int k, int n_threads, InterruptFn check, double* out, std::int64_t* zeros);
// binned_mi_bits (automatic layout) of the m column pairs of the
// column-major (n, p) block X, column c on axes[c]: out[q] in bits,
// counted[q] the samples inside the edges.
void binned_pairs_bits(const double* X, std::int64_t n, std::int64_t p, const AxisSpec* axes,
                       const std::int64_t* pairs, std::int64_t m, int n_threads, InterruptFn check, double* out,
                       std::int64_t* counted);
// Each sample and its s - 1 nearest others in the row-major (n, dz) z,
// max-norm, ties in index order: out is row-major (n, s); 1 <= s <= n.
void nearest_in_z(const double* z, int dz, std::int64_t n, int s, int n_threads, InterruptFn check,
                  std::int64_t* out);
// The permutation that mi_test draws from `seed`: global when neighbors is
// null, else local over the row-major (n, s) candidates.
void permutation_of(const std::int64_t* neighbors, std::int64_t n, int s, std::uint64_t seed, std::int64_t* out);
// Null distributions in nats (unclipped), one permutation per seed: KSG of
// x and y[perm] (global permutations), Frenzel-Pompe of x and y[perm] given
// z (local permutations over `neighbors`); zeros[b]: zero joint radii.
void ksg_null_nats(const double* x, int dx, const double* y, int dy, std::int64_t n, int k,
                   const std::uint64_t* seeds, std::int64_t n_perm, int n_threads, InterruptFn check,
                   double* out, std::int64_t* zeros);
void cmi_null_nats(const double* x, int dx, const double* y, int dy, const double* z, int dz, std::int64_t n,
                   int k, const std::int64_t* neighbors, int s, const std::uint64_t* seeds, std::int64_t n_perm,
                   int n_threads, InterruptFn check, double* out, std::int64_t* zeros);

}  // namespace entry
}  // namespace fastmi
