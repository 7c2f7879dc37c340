#include "fastmi/entry.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <vector>

#include "fastmi/estimators/binned.hpp"
#include "fastmi/estimators/binned_sparse.hpp"
#include "fastmi/estimators/cmi.hpp"
#include "fastmi/estimators/contingency.hpp"
#include "fastmi/estimators/entropy.hpp"
#include "fastmi/estimators/ksg.hpp"
#include "fastmi/estimators/ksg2.hpp"
#include "fastmi/estimators/pairwise.hpp"
#include "fastmi/estimators/permutation.hpp"
#include "fastmi/estimators/plugin.hpp"
#include "fastmi/estimators/ross.hpp"
#include "fastmi/numerics/numpy_random.hpp"
#include "fastmi/runtime/columns.hpp"
#include "fastmi/search/dispatch.hpp"

namespace fastmi {
namespace entry {

namespace {

Axis make_axis(const AxisSpec& a) {
    return a.edges == nullptr ? uniform_axis(a.lo, a.hi, a.nbins) : explicit_axis(a.edges, a.nbins + 1);
}

// Whether the joint table of these axes is built sparse.
bool sparse_table(const Axis& bx, const Axis& by, std::int64_t n, TableLayout layout) {
    if (layout != TableLayout::automatic) return layout == TableLayout::sparse;
    const index_t nx = bx.nbins(), ny = by.nbins();
    return ny > std::numeric_limits<index_t>::max() / nx || sparse_is_smaller(nx * ny, n);
}

// Runs metric-generic code with the policy that `metric` names.
template <class F>
void with_norm(Metric metric, F&& f) {
    if (metric == Metric::max_norm) f(MaxNorm{});
    else f(Euclidean{});
}

// Discrete values as label codes (numpy.unique's order), for the estimators
// that take labellings; returns the number of labels.
index_t labels_of(const double* x, index_t n, const Ctx& ctx, std::vector<index_t>& code) {
    code.resize(static_cast<size_t>(n));
    const index_t labels = label_codes(x, n, ctx, code.data());
    poll_interrupt(ctx);
    return labels;
}

}  // namespace

bool has_openmp() { return fastmi::have_openmp(); }
int default_threads() { return resolve_threads(0); }

void finite_range(const double* x, std::int64_t n, int n_threads, InterruptFn check, double* min, double* max,
                  int* finite) {
    const Range r = fastmi::finite_range(x, n, Ctx::make(n_threads, check, n, Grain::scan));
    *min = r.min;
    *max = r.max;
    *finite = r.finite ? 1 : 0;
}

void histogram2d(const double* x, const double* y, std::int64_t n, AxisSpec ax, AxisSpec ay, TableLayout layout,
                 int n_threads, InterruptFn check, std::int64_t* counts) {
    const Ctx ctx = Ctx::make(n_threads, check, n, Grain::scan);
    const Axis bx = make_axis(ax), by = make_axis(ay);
    if (sparse_table(bx, by, n, layout)) {
        scatter(sparse_joint(x, y, n, bx, by, ctx), counts);
        return;
    }
    std::vector<std::int64_t> table;
    joint_counts(x, y, n, bx, by, ctx, table);
    std::copy(table.begin(), table.end(), counts);
}

double binned_mi_bits(const double* x, const double* y, std::int64_t n, AxisSpec ax, AxisSpec ay,
                      TableLayout layout, int n_threads, InterruptFn check, std::int64_t* counted) {
    const Ctx ctx = Ctx::make(n_threads, check, n, Grain::scan);
    const Axis bx = make_axis(ax), by = make_axis(ay);
    if (sparse_table(bx, by, n, layout)) {
        const SparseTable table = sparse_joint(x, y, n, bx, by, ctx);
        *counted = std::accumulate(table.count.begin(), table.count.end(), std::int64_t(0));
        return plugin_mi_bits(table, ctx);
    }
    std::vector<std::int64_t> table;
    joint_counts(x, y, n, bx, by, ctx, table);
    *counted = std::accumulate(table.begin(), table.end(), std::int64_t(0));
    return plugin_mi_bits(table.data(), bx.nbins(), by.nbins());
}

double ksg_mi_nats(const double* x, int dx, const double* y, int dy, std::int64_t n, int k, KsgVariant variant,
                   int n_threads, InterruptFn check, std::int64_t* zero_radius) {
    const Ctx ctx = Ctx::make(n_threads, check, n, Grain::tree);
    const Columns cx = Columns::of(x, n, dx), cy = Columns::of(y, n, dy);
    const KsgResult r = variant == KsgVariant::textbook
                            ? ksg1<Euclidean>(cx, cy, k, Bound::inclusive, Summation::blocks, ctx)
                            : ksg1<MaxNorm>(cx, cy, k, Bound::strict, Summation::blocks, ctx);
    *zero_radius = r.zero_radius;
    return r.mi_nats;
}

double ksg2_mi_nats(const double* x, int dx, const double* y, int dy, std::int64_t n, int k, int n_threads,
                    InterruptFn check, std::int64_t* zero_radius) {
    const Ctx ctx = Ctx::make(n_threads, check, n, Grain::tree);
    check_invariant(k >= 1 && k < n, "KSG needs 1 <= k < n");
    const KsgResult r = ksg2(Columns::of(x, n, dx), Columns::of(y, n, dy), k, ctx);
    *zero_radius = r.zero_radius;
    return r.mi_nats;
}

double kl_entropy_nats(const double* x, int d, std::int64_t n, int k, int n_threads, InterruptFn check,
                       std::int64_t* zero_radius) {
    const Ctx ctx = Ctx::make(n_threads, check, n, Grain::tree);
    check_invariant(k >= 1 && k < n, "KL entropy needs 1 <= k < n");
    const EntropyResult r = kl_entropy(Columns::of(x, n, d), k, ctx);
    *zero_radius = r.zero_radius;
    return r.h_nats;
}

double cmi_ksg_nats(const double* x, int dx, const double* y, int dy, const double* z, int dz, std::int64_t n,
                    int k, int n_threads, InterruptFn check, std::int64_t* zero_radius) {
    const Ctx ctx = Ctx::make(n_threads, check, n, Grain::tree);
    check_invariant(k >= 1 && k < n, "conditional MI needs 1 <= k < n");
    const CmiResult r = cmi_ksg(Columns::of(x, n, dx), Columns::of(y, n, dy), Columns::of(z, n, dz), k, ctx);
    *zero_radius = r.zero_radius;
    return r.cmi_nats;
}

void histogram_codes(const double* data, std::int64_t n, int d, const AxisSpec* axes, int n_threads,
                     InterruptFn check, std::int64_t* codes) {
    const Ctx ctx = Ctx::make(n_threads, check, n, Grain::scan);
    std::vector<Axis> ax;
    for (int c = 0; c < d; ++c) ax.push_back(make_axis(axes[c]));
    joint_bin_codes(Columns::of(data, n, d), ax, ctx, codes);
}

void knn_radius(const double* data, std::int64_t n, int d, int k, Metric metric, int n_threads, InterruptFn check,
                double* radius) {
    const Ctx ctx = Ctx::make(n_threads, check, n, Grain::tree);
    with_norm(metric, [&](auto norm) {
        fastmi::knn_radius<decltype(norm)>(Columns::of(data, n, d), k, ctx, radius);
    });
}

void neighbor_counts(const double* data, std::int64_t n, int d, const double* radius, Metric metric, Bound bound,
                     int n_threads, InterruptFn check, std::int64_t* counts) {
    const Ctx ctx = Ctx::make(n_threads, check, n, Grain::tree);
    with_norm(metric, [&](auto norm) {
        for_each_count<decltype(norm)>(Columns::of(data, n, d), radius, bound, ctx,
                                       [&](index_t, index_t i, index_t c) { counts[i] = c; });
    });
}

void mi_cc(const double* x, std::int64_t p, std::int64_t n, const double* y, int k, int n_threads, InterruptFn check,
           double* out) {
    const Ctx ctx = Ctx::make(n_threads, check, n * p, Grain::values);
    // the target's sorted order, shared by every feature
    const SortedValues ys(y, n, ctx);
    const ValueIndex y_index(ys.value.data(), n);
    poll_interrupt(ctx);
    const Columns cy = Columns::of(y, n, 1);
    parallel_tasks(p, ctx, [&](index_t j, const Ctx& c) {
        out[j] = ksg1<MaxNorm>(Columns::of(x + j * n, n, 1), cy, k, Bound::strict, Summation::numpy, c,
                               SortedColumn{&ys, &y_index})
                     .mi_nats;
    });
}

void mi_cd(const double* x, std::int64_t p, std::int64_t n, const std::int64_t* labels, std::int64_t n_labels, int k,
           int n_threads, InterruptFn check, double* out) {
    const Ctx ctx = Ctx::make(n_threads, check, n * p, Grain::values);
    const Labelling target(labels, n, n_labels, k);
    poll_interrupt(ctx);
    parallel_tasks(p, ctx, [&](index_t j, const Ctx& c) {
        out[j] = ross_mi(SortedValues(x + j * n, n, c), target, k, c);
    });
}

void mi_dc(const double* x, std::int64_t p, std::int64_t n, const double* y, int k, int n_threads, InterruptFn check,
           double* out) {
    const Ctx ctx = Ctx::make(n_threads, check, n * p, Grain::values);
    const SortedValues ys(y, n, ctx);
    poll_interrupt(ctx);
    parallel_tasks(p, ctx, [&](index_t j, const Ctx& c) {
        std::vector<index_t> code;
        const index_t n_labels = labels_of(x + j * n, n, c, code);
        out[j] = ross_mi(ys, Labelling(code.data(), n, n_labels, k), k, c);
    });
}

void mi_dd(const double* x, std::int64_t p, std::int64_t n, const std::int64_t* labels, std::int64_t n_labels,
           int n_threads, InterruptFn check, double* out) {
    const Ctx ctx = Ctx::make(n_threads, check, n * p, Grain::values);
    parallel_tasks(p, ctx, [&](index_t j, const Ctx& c) {
        std::vector<index_t> code;
        const index_t n_codes = labels_of(x + j * n, n, c, code);
        out[j] = fastmi::contingency_mi_codes(code.data(), n_codes, labels, n_labels, n, c);
    });
}

double contingency_mi_codes(const std::int64_t* a, std::int64_t na, const std::int64_t* b, std::int64_t nb,
                            std::int64_t n, InterruptFn check) {
    return fastmi::contingency_mi_codes(a, na, b, nb, n, Ctx::make(1, check, n, Grain::scan));
}

double contingency_mi_table(const std::int64_t* row, const std::int64_t* col, const std::int64_t* count,
                            std::int64_t nnz, const std::int64_t* pi, std::int64_t n_rows, const std::int64_t* pj,
                            std::int64_t n_cols, InterruptFn check) {
    return contingency_mi(row, col, count, nnz, pi, n_rows, pj, n_cols, Ctx::make(1, check, nnz, Grain::scan));
}

void add_normal_noise(double* x, std::int64_t n, std::int64_t p, const double* c, std::uint32_t* key, int* pos,
                      int* has_gauss, double* gauss, int n_threads, InterruptFn check) {
    check_invariant(n >= 0 && p >= 0 && *pos >= 0 && *pos <= Mt19937::kN, "bad noise request");
    add_scaled_normals(x, n, p, c, NumpyNormalState{key, pos, has_gauss, gauss},
                       Ctx::make(n_threads, check, n * p, Grain::values));
}

void ksg_pairs_nats(const double* X, std::int64_t n, std::int64_t p, const std::int64_t* pairs, std::int64_t m,
                    int k, int n_threads, InterruptFn check, double* out, std::int64_t* zeros) {
    check_invariant(k >= 1 && k < n, "KSG needs 1 <= k < n");
    ksg_pairs(X, n, p, pairs, m, k, Ctx::make(n_threads, check, n * std::max<std::int64_t>(m, p), Grain::tree), out,
              zeros);
}

void binned_pairs_bits(const double* X, std::int64_t n, std::int64_t p, const AxisSpec* axes,
                       const std::int64_t* pairs, std::int64_t m, int n_threads, InterruptFn check, double* out,
                       std::int64_t* counted) {
    std::vector<Axis> ax;
    for (std::int64_t c = 0; c < p; ++c) ax.push_back(make_axis(axes[c]));
    binned_pairs(X, n, ax, pairs, m, Ctx::make(n_threads, check, n * m, Grain::scan), out, counted);
}

void nearest_in_z(const double* z, int dz, std::int64_t n, int s, int n_threads, InterruptFn check,
                  std::int64_t* out) {
    check_invariant(s >= 1 && s <= n, "neighbour lists need 1 <= s <= n");
    z_neighbors(Columns::of(z, n, dz), s, Ctx::make(n_threads, check, n, Grain::tree), out);
}

void permutation_of(const std::int64_t* neighbors, std::int64_t n, int s, std::uint64_t seed, std::int64_t* out) {
    draw_permutation(neighbors, n, s, seed, out);
}

void ksg_null_nats(const double* x, int dx, const double* y, int dy, std::int64_t n, int k,
                   const std::uint64_t* seeds, std::int64_t n_perm, int n_threads, InterruptFn check,
                   double* out, std::int64_t* zeros) {
    check_invariant(k >= 1 && k < n, "KSG needs 1 <= k < n");
    ksg_null(x, dx, y, dy, n, k, seeds, n_perm, Ctx::make(n_threads, check, n * n_perm, Grain::tree), out, zeros);
}

void cmi_null_nats(const double* x, int dx, const double* y, int dy, const double* z, int dz, std::int64_t n,
                   int k, const std::int64_t* neighbors, int s, const std::uint64_t* seeds, std::int64_t n_perm,
                   int n_threads, InterruptFn check, double* out, std::int64_t* zeros) {
    check_invariant(k >= 1 && k < n, "conditional MI needs 1 <= k < n");
    cmi_null(x, dx, y, dy, z, dz, n, k, neighbors, s, seeds, n_perm,
             Ctx::make(n_threads, check, n * n_perm, Grain::tree), out, zeros);
}

}  // namespace entry
}  // namespace fastmi
