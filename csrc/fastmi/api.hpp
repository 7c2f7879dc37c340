// The concrete entry points that the Cython binding calls. Plain types and
// raw pointers only; every function validates nothing that Python already
// checked, throws std::invalid_argument (ValueError), std::bad_alloc
// (MemoryError) or Interrupted, and is safe to call without the GIL.
#pragma once

#include <cstdint>

#include "common.hpp"

namespace fastmi {

bool openmp_enabled();
int default_threads();
double digamma(std::int64_t n);

// Minimum, maximum and all-finite flag of x, one parallel pass: the Python
// validation layer uses it to refuse NaN/inf before any estimator runs.
void finite_range(const double* x, std::int64_t n, int n_threads, InterruptFn check,
                  double* min, double* max, int* finite);

// Binned (plug-in) MI in bits. An axis with edges == nullptr gets nbins
// uniform bins between lo and hi (the data's min and max: numpy.histogram2d's
// rule); otherwise edges holds nbins + 1 non-decreasing values. layout: 0
// keeps the joint table sparse (the occupied cells only, O(n) memory) when it
// has far more cells than samples, dense otherwise; 1 always dense, 2 always
// sparse (the two give the same counts and the same bits).
struct AxisSpec {
    std::int64_t nbins;
    const double* edges;
    double lo, hi;
};
double binned_mi_bits(const double* x, const double* y, std::int64_t n,
                      AxisSpec ax, AxisSpec ay, int n_threads, InterruptFn check, int layout);

// The joint count table behind binned_mi_bits, row-major nbins_x x nbins_y.
void histogram2d(const double* x, const double* y, std::int64_t n,
                 AxisSpec ax, AxisSpec ay, int n_threads, InterruptFn check, int layout,
                 std::int64_t* counts);

// KSG algorithm 1 in nats, unclipped. x is C-contiguous (n, dx), y (n, dy).
// legacy = 0: max-norm, strict marginal counts (Kraskov et al. 2004);
// legacy = 1: Euclidean, inclusive counts (the textbook listing).
// *zero_radius receives the number of samples with a zero k-th distance.
double ksg_mi_nats(const double* x, int dx, const double* y, int dy, std::int64_t n, int k,
                   int legacy, int n_threads, InterruptFn check, std::int64_t* zero_radius);

// KSG algorithm 2 in nats, unclipped (estimators/ksg2.hpp).
double ksg2_mi_nats(const double* x, int dx, const double* y, int dy, std::int64_t n, int k,
                    int n_threads, InterruptFn check, std::int64_t* zero_radius);

// Kozachenko-Leonenko entropy in nats of the C-contiguous (n, d) data
// (estimators/entropy.hpp); NaN when every k-th-neighbour distance is 0.
double kl_entropy_nats(const double* x, int d, std::int64_t n, int k, int n_threads, InterruptFn check,
                       std::int64_t* zero_radius);

// Frenzel-Pompe conditional MI in nats, unclipped (estimators/cmi.hpp).
double cmi_ksg_nats(const double* x, int dx, const double* y, int dy, const double* z, int dz,
                    std::int64_t n, int k, int n_threads, InterruptFn check, std::int64_t* zero_radius);

// Row-major cell codes of the (n, d) data's histogram, one AxisSpec per
// column; -1 for samples outside explicit edges (estimators/plugin.hpp).
void bin_codes(const double* data, std::int64_t n, int d, const AxisSpec* axes, int n_threads,
               InterruptFn check, std::int64_t* codes);

// metric: 0 = max-norm, 1 = Euclidean. data is C-contiguous (n, d).
void knn_radius(const double* data, std::int64_t n, int d, int k, int metric,
                int n_threads, InterruptFn check, double* radius);
void neighbor_counts(const double* data, std::int64_t n, int d, const double* radius,
                     int metric, int strict, int n_threads, InterruptFn check,
                     std::int64_t* counts);

// Workflows (estimators/pairwise.hpp, estimators/permutation.hpp).
// KSG algorithm 1 in nats (unclipped) of the m column pairs (pairs[2q],
// pairs[2q + 1]) of the column-major (n, p) block X, each column sorted once;
// zeros[q] the pair's number of zero k-th-neighbour distances.
void ksg_pairs_nats(const double* X, std::int64_t n, std::int64_t p, const std::int64_t* pairs, std::int64_t m,
                    int k, int n_threads, InterruptFn check, double* out, std::int64_t* zeros);
// Plug-in MI in bits of the m column pairs of the column-major (n, p) bin
// codes (-1: outside explicit edges), column c with nbins[c] bins.
void binned_pairs_bits(const std::int64_t* codes, const std::int64_t* nbins, std::int64_t n, const std::int64_t* pairs,
                       std::int64_t m, int n_threads, InterruptFn check, double* out);
// Each sample and its s - 1 nearest others in the row-major (n, dz) z,
// max-norm, ties in index order: out is row-major (n, s).
void nearest_in_z(const double* z, int dz, std::int64_t n, int s, int n_threads, InterruptFn check,
                  std::int64_t* out);
// The permutation that mi_test draws from `seed`: global when neighbors is
// null, else local over the (n, s) candidates.
void permutation_of(const std::int64_t* neighbors, std::int64_t n, int s, std::uint64_t seed, std::int64_t* out);
// Null distributions in nats (unclipped), one permutation per seed.
void ksg_null_nats(const double* x, int dx, const double* y, int dy, std::int64_t n, int k,
                   const std::uint64_t* seeds, std::int64_t n_perm, int n_threads, InterruptFn check,
                   double* out, std::int64_t* zeros);
void cmi_null_nats(const double* x, int dx, const double* y, int dy, const double* z, int dz, std::int64_t n,
                   int k, const std::int64_t* neighbors, int s, const std::uint64_t* seeds, std::int64_t n_perm,
                   int n_threads, InterruptFn check, double* out, std::int64_t* zeros);

}  // namespace fastmi
