#include "api.hpp"

#include <algorithm>
#include <limits>
#include <vector>

#include "digamma.hpp"
#include "estimators/cmi.hpp"
#include "estimators/entropy.hpp"
#include "estimators/ksg2.hpp"
#include "estimators/pairwise.hpp"
#include "estimators/permutation.hpp"
#include "estimators/plugin.hpp"
#include "histogram.hpp"
#include "ksg.hpp"
#include "metric.hpp"
#include "neighbors.hpp"
#include "sparse_histogram.hpp"

namespace fastmi {

namespace {

// Threads for a job of n samples: at most one per `grain` samples, since
// below that waking threads costs more than it saves (results are identical
// for any thread count).
Ctx make_ctx(int n_threads, InterruptFn check, std::int64_t n, std::int64_t grain) {
    Ctx ctx;
    const std::int64_t useful = std::max<std::int64_t>(1, n / grain);
    ctx.n_threads = static_cast<int>(std::min<std::int64_t>(resolve_threads(n_threads), useful));
    return ctx.with_interrupt(check);
}

constexpr std::int64_t kScanGrain = 1 << 16;   // histogram and range passes
constexpr std::int64_t kTreeGrain = 1 << 13;   // neighbour searches

Axis make_axis(const AxisSpec& a) {
    return a.edges == nullptr ? uniform_axis(a.lo, a.hi, a.nbins) : explicit_axis(a.edges, a.nbins + 1);
}

// Whether the joint table of these axes is built sparse (layout 0: when it
// has far more cells than samples; 1: never; 2: always).
bool sparse_layout(const Axis& bx, const Axis& by, std::int64_t n, int layout) {
    if (layout != 0) return layout == 2;
    const index_t nx = bx.nbins(), ny = by.nbins();
    return ny > std::numeric_limits<index_t>::max() / nx || sparse_is_smaller(nx * ny, n);
}

}  // namespace

bool openmp_enabled() { return have_openmp(); }
int default_threads() { return resolve_threads(0); }
double digamma(std::int64_t n) { return digamma_int(n); }

void finite_range(const double* x, std::int64_t n, int n_threads, InterruptFn check,
                  double* min, double* max, int* finite) {
    const Range r = fastmi::finite_range(x, n, make_ctx(n_threads, check, n, kScanGrain));
    *min = r.min;
    *max = r.max;
    *finite = r.finite ? 1 : 0;
}

void histogram2d(const double* x, const double* y, std::int64_t n, AxisSpec ax, AxisSpec ay,
                 int n_threads, InterruptFn check, int layout, std::int64_t* counts) {
    const Ctx ctx = make_ctx(n_threads, check, n, kScanGrain);
    const Axis bx = make_axis(ax), by = make_axis(ay);
    if (sparse_layout(bx, by, n, layout)) {
        scatter(sparse_joint(x, y, n, bx, by, ctx), counts);
        return;
    }
    std::vector<std::int64_t> table;
    joint_counts(x, y, n, bx, by, ctx, table);
    std::copy(table.begin(), table.end(), counts);
}

double binned_mi_bits(const double* x, const double* y, std::int64_t n, AxisSpec ax, AxisSpec ay,
                      int n_threads, InterruptFn check, int layout) {
    const Ctx ctx = make_ctx(n_threads, check, n, kScanGrain);
    const Axis bx = make_axis(ax), by = make_axis(ay);
    if (sparse_layout(bx, by, n, layout)) return plugin_mi_bits(sparse_joint(x, y, n, bx, by, ctx), ctx);
    std::vector<std::int64_t> table;
    joint_counts(x, y, n, bx, by, ctx, table);
    return plugin_mi_bits(table.data(), bx.nbins(), by.nbins());
}

double ksg_mi_nats(const double* x, int dx, const double* y, int dy, std::int64_t n, int k,
                   int legacy, int n_threads, InterruptFn check, std::int64_t* zero_radius) {
    const Ctx ctx = make_ctx(n_threads, check, n, kTreeGrain);
    const Columns cx = Columns::of(x, n, dx), cy = Columns::of(y, n, dy);
    const KsgResult r = legacy ? ksg1<Euclidean>(cx, cy, k, Bound::Inclusive, ctx)
                               : ksg1<MaxNorm>(cx, cy, k, Bound::Strict, ctx);
    if (zero_radius) *zero_radius = r.zero_radius;
    return r.mi_nats;
}

double ksg2_mi_nats(const double* x, int dx, const double* y, int dy, std::int64_t n, int k,
                    int n_threads, InterruptFn check, std::int64_t* zero_radius) {
    const Ctx ctx = make_ctx(n_threads, check, n, kTreeGrain);
    const KsgResult r = ksg2(Columns::of(x, n, dx), Columns::of(y, n, dy), k, ctx);
    *zero_radius = r.zero_radius;
    return r.mi_nats;
}

double kl_entropy_nats(const double* x, int d, std::int64_t n, int k, int n_threads, InterruptFn check,
                       std::int64_t* zero_radius) {
    const Ctx ctx = make_ctx(n_threads, check, n, kTreeGrain);
    const EntropyResult r = kl_entropy(Columns::of(x, n, d), k, ctx);
    *zero_radius = r.zero_radius;
    return r.h_nats;
}

double cmi_ksg_nats(const double* x, int dx, const double* y, int dy, const double* z, int dz,
                    std::int64_t n, int k, int n_threads, InterruptFn check, std::int64_t* zero_radius) {
    const Ctx ctx = make_ctx(n_threads, check, n, kTreeGrain);
    const CmiResult r = cmi_ksg(Columns::of(x, n, dx), Columns::of(y, n, dy), Columns::of(z, n, dz), k, ctx);
    *zero_radius = r.zero_radius;
    return r.cmi_nats;
}

void bin_codes(const double* data, std::int64_t n, int d, const AxisSpec* axes, int n_threads,
               InterruptFn check, std::int64_t* codes) {
    const Ctx ctx = make_ctx(n_threads, check, n, kScanGrain);
    std::vector<Axis> ax;
    for (int c = 0; c < d; ++c) ax.push_back(make_axis(axes[c]));
    joint_bin_codes(Columns::of(data, n, d), ax, ctx, codes);
}

void knn_radius(const double* data, std::int64_t n, int d, int k, int metric,
                int n_threads, InterruptFn check, double* radius) {
    const Ctx ctx = make_ctx(n_threads, check, n, kTreeGrain);
    const Columns cols = Columns::of(data, n, d);
    if (metric == 0) knn_radius<MaxNorm>(cols, k, ctx, radius);
    else knn_radius<Euclidean>(cols, k, ctx, radius);
}

void neighbor_counts(const double* data, std::int64_t n, int d, const double* radius,
                     int metric, int strict, int n_threads, InterruptFn check,
                     std::int64_t* counts) {
    const Ctx ctx = make_ctx(n_threads, check, n, kTreeGrain);
    const Columns cols = Columns::of(data, n, d);
    const Bound bound = strict ? Bound::Strict : Bound::Inclusive;
    auto sink = [&](index_t, index_t i, index_t c) { counts[i] = c; };
    if (metric == 0) for_each_count<MaxNorm>(cols, radius, bound, ctx, sink);
    else for_each_count<Euclidean>(cols, radius, bound, ctx, sink);
}

void ksg_pairs_nats(const double* X, std::int64_t n, std::int64_t p, const std::int64_t* pairs, std::int64_t m,
                    int k, int n_threads, InterruptFn check, double* out, std::int64_t* zeros) {
    ksg_pairs(X, n, p, pairs, m, k, make_ctx(n_threads, check, n * std::max<std::int64_t>(m, p), kTreeGrain), out,
              zeros);
}

void binned_pairs_bits(const std::int64_t* codes, const std::int64_t* nbins, std::int64_t n, const std::int64_t* pairs,
                       std::int64_t m, int n_threads, InterruptFn check, double* out) {
    binned_pairs(codes, nbins, n, pairs, m, make_ctx(n_threads, check, n * m, kScanGrain), out);
}

void nearest_in_z(const double* z, int dz, std::int64_t n, int s, int n_threads, InterruptFn check,
                  std::int64_t* out) {
    z_neighbors(Columns::of(z, n, dz), s, make_ctx(n_threads, check, n, kTreeGrain), out);
}

void permutation_of(const std::int64_t* neighbors, std::int64_t n, int s, std::uint64_t seed, std::int64_t* out) {
    draw_permutation(neighbors, n, s, seed, out);
}

void ksg_null_nats(const double* x, int dx, const double* y, int dy, std::int64_t n, int k,
                   const std::uint64_t* seeds, std::int64_t n_perm, int n_threads, InterruptFn check,
                   double* out, std::int64_t* zeros) {
    ksg_null(x, dx, y, dy, n, k, seeds, n_perm, make_ctx(n_threads, check, n * n_perm, kTreeGrain), out, zeros);
}

void cmi_null_nats(const double* x, int dx, const double* y, int dy, const double* z, int dz, std::int64_t n,
                   int k, const std::int64_t* neighbors, int s, const std::uint64_t* seeds, std::int64_t n_perm,
                   int n_threads, InterruptFn check, double* out, std::int64_t* zeros) {
    cmi_null(x, dx, y, dy, z, dz, n, k, neighbors, s, seeds, n_perm,
             make_ctx(n_threads, check, n * n_perm, kTreeGrain), out, zeros);
}

}  // namespace fastmi
