// Kraskov-Stoegbauer-Grassberger estimator, algorithm 1, over any split of
// coordinates into x and y:
//   I = psi(k) + psi(n) - <psi(n_x + 1)> - <psi(n_y + 1)>,
// r_i the distance from sample i to its k-th nearest neighbour in the joint
// space, n_x, n_y the other samples within r_i in each marginal space. The
// caller chooses the metric and the bound of the marginal counts (published:
// max-norm and strict counts; the textbook listing's variant: Euclidean and
// inclusive counts) and how the means are summed (Summation). Unclipped, nats.
#pragma once

#include <algorithm>
#include <memory>
#include <type_traits>
#include <vector>

#include "fastmi/numerics/digamma.hpp"
#include "fastmi/numerics/numpy_sum.hpp"
#include "fastmi/runtime/columns.hpp"
#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/dispatch.hpp"

namespace fastmi {

// How the per-sample terms of a mean are summed; either order is fixed, so
// the result never depends on the thread count.
enum class Summation {
    blocks,  // per block of the search when it runs over sorted values, else
             // by sample index (below): never by the layout of a search tree
    numpy,   // per sample in original order, numpy's pairwise summation (scikit-learn's np.mean)
};

// The order of a sum whose terms come from a count search (DigammaSum).
enum class TermOrder {
    sorted_blocks,  // per block of kQueryBlock sorted positions, the blocks in order
                    // (the sorted order is the data's: no per-sample buffer)
    index_blocks,   // per sample by index, then blocks of kQueryBlock consecutive
                    // indices summed in turn, the blocks in order: what a KD-tree's
                    // counts use, so that no leaf size or tree shape moves a bit
    numpy,          // per sample by index, numpy's pairwise summation
};

// Sum over blocks of kQueryBlock consecutive t[i], each block left to right,
// then the block sums in order (also in parallel: the same bits).
inline double index_blocks_sum(const std::vector<double>& t, const Ctx& ctx) {
    const index_t n = static_cast<index_t>(t.size());
    std::vector<double> parts(static_cast<size_t>(n_blocks(n, kQueryBlock)), 0.0);
    parallel_blocks(n, kQueryBlock, ctx, [&](index_t b, index_t s, index_t e) {
        double acc = 0.0;
        for (index_t i = s; i < e; ++i) acc += t[i];
        parts[b] = acc;
    });
    return ordered_sum(parts);
}

struct KsgResult {
    double mi_nats;        // unclipped
    index_t zero_radius;   // samples whose k-th neighbour distance is 0
};

// Sum over samples of digamma(c_i + Shift), the c_i given by a count search,
// in the order O (fixed at compile time: the add is on the innermost loop).
template <TermOrder O, int Shift = 1>
class DigammaSum {
public:
    explicit DigammaSum(index_t n) {
        const index_t parts = O == TermOrder::sorted_blocks ? n_blocks(n, kQueryBlock) : n;
        parts_.assign(static_cast<size_t>(parts), 0.0);
    }
    // c: the other samples within the radius of sample i, found in block b
    FASTMI_INLINE void add(index_t b, index_t i, index_t c) {
        if constexpr (O == TermOrder::sorted_blocks) parts_[b] += term(c + Shift);
        else parts_[i] = term(c + Shift);
    }
    double total(const Ctx& ctx) const {
        if constexpr (O == TermOrder::sorted_blocks) return ordered_sum(parts_);
        else if constexpr (O == TermOrder::index_blocks) return index_blocks_sum(parts_, ctx);
        else return pairwise_sum(parts_.data(), static_cast<index_t>(parts_.size()));
    }

private:
    // digamma_count(c), the table read without a call
    FASTMI_INLINE double term(index_t c) const { return c > 0 && c < kDigammaTable ? table_[c] : digamma_int(c); }

    std::vector<double> parts_;
    const double* table_ = digamma_table();
};

// A plain 1-D variable's sorted order and its value index, when known.
struct SortedColumn {
    const SortedValues* sorted = nullptr;
    const ValueIndex* index = nullptr;
};

// Sum over n samples of psi(c_i + Shift), the c_i from count(sink), which
// calls sink(block, i, c_i) for every sample: with Summation::blocks in the
// blocks' order where the blocks are sorted positions (`sorted`), else in
// the sample index's (TermOrder).
template <Summation S, int Shift, class Count>
double digamma_sum_of(index_t n, bool sorted, const Ctx& ctx, Count&& count) {
    auto run = [&](auto order) {
        DigammaSum<decltype(order)::value, Shift> sum(n);
        count([&](index_t b, index_t i, index_t c) { sum.add(b, i, c); });
        return sum.total(ctx);
    };
    using numpy = std::integral_constant<TermOrder, TermOrder::numpy>;
    using sorted_blocks = std::integral_constant<TermOrder, TermOrder::sorted_blocks>;
    using index_blocks = std::integral_constant<TermOrder, TermOrder::index_blocks>;
    if constexpr (S == Summation::numpy) return run(numpy{});
    else if (sorted) return run(sorted_blocks{});
    else return run(index_blocks{});
}

// Sum over the samples of psi(c_i + Shift), c_i the other samples within
// radius[i] in `cols`: counted in the sorted order `s` when given (its value
// index built here unless given), else on a CountIndex built for the call.
// With Summation::blocks the order is the sorted one's blocks in one
// dimension and the sample index's otherwise (TermOrder).
template <class Norm, Summation S, int Shift = 1>
double marginal_sum(const Columns& cols, SortedColumn s, const double* radius, Bound bound, const Ctx& ctx) {
    return digamma_sum_of<S, Shift>(cols.n, s.sorted != nullptr || cols.d() == 1, ctx, [&](auto&& sink) {
        if (s.sorted == nullptr) for_each_count<Norm>(cols, radius, bound, ctx, sink);
        else if (s.index != nullptr) sorted_counts<Norm>(*s.sorted, *s.index, radius, bound, ctx, sink);
        else sorted_counts<Norm>(*s.sorted, ValueIndex(s.sorted->value.data(), cols.n), radius, bound, ctx, sink);
    });
}

// marginal_sum on a search structure built once: the same counts, blocks
// and order of summation as on the columns it was built from.
template <class Norm, Summation S, int Shift = 1>
double marginal_sum(const CountIndex<Norm>& at, index_t n, const double* radius, Bound bound, const Ctx& ctx) {
    return digamma_sum_of<S, Shift>(n, at.d() == 1, ctx,
                                    [&](auto&& sink) { at.for_each(radius, bound, ctx, sink); });
}

template <class Norm>
double marginal_sum(const Columns& cols, SortedColumn s, const double* radius, Bound bound, Summation summation,
                    const Ctx& ctx) {
    return summation == Summation::blocks ? marginal_sum<Norm, Summation::blocks>(cols, s, radius, bound, ctx)
                                          : marginal_sum<Norm, Summation::numpy>(cols, s, radius, bound, ctx);
}

// KSG algorithm 1 between x and y (k < n). When both are plain 1-D columns
// and the estimator is the published one, the radii come from strips of the
// sorted samples and both counts from the same sorted orders (y's and x's
// may be given: `y_sorted`, `x_sorted`, shared by the callers that pair many
// x with one y, or every column with every other); otherwise from a KD-tree
// of the joint space, the counts from whatever for_each_count picks.
template <class Norm>
KsgResult ksg1(const Columns& x, const Columns& y, int k, Bound bound, Summation summation, const Ctx& ctx,
               SortedColumn y_sorted = {}, SortedColumn x_sorted = {}) {
    const index_t n = x.n;
    check_invariant(k >= 1 && k < n && y.n == n, "KSG needs 1 <= k < n");
    KsgResult res;
    double sx, sy;
    if (std::is_same<Norm, MaxNorm>::value && bound == Bound::strict && x.is_plain_1d() && y.is_plain_1d()) {
        std::unique_ptr<SortedValues> xs_own, ys_own;
        if (x_sorted.sorted == nullptr) {
            xs_own = std::make_unique<SortedValues>(x.ptr[0], n, ctx);
            x_sorted.sorted = xs_own.get();
        }
        if (y_sorted.sorted == nullptr) {
            ys_own = std::make_unique<SortedValues>(y.ptr[0], n, ctx);
            y_sorted.sorted = ys_own.get();
        }
        poll_interrupt(ctx);
        const std::vector<double> radius =
            knn_radius_plane(x.ptr[0], y.ptr[0], *x_sorted.sorted, *y_sorted.sorted, k, ctx, &res.zero_radius);
        poll_interrupt(ctx);
        sx = marginal_sum<Norm>(x, x_sorted, radius.data(), bound, summation, ctx);
        poll_interrupt(ctx);
        sy = marginal_sum<Norm>(y, y_sorted, radius.data(), bound, summation, ctx);
    } else {
        std::vector<double> radius(static_cast<size_t>(n));
        res.zero_radius = knn_radius<Norm>(Columns::joined(x, y), k, ctx, radius.data());
        poll_interrupt(ctx);
        sx = marginal_sum<Norm>(x, {}, radius.data(), bound, summation, ctx);
        poll_interrupt(ctx);
        sy = marginal_sum<Norm>(y, y_sorted, radius.data(), bound, summation, ctx);
    }
    const double dn = static_cast<double>(n);
    res.mi_nats = digamma_int(n) + digamma_int(k) - sx / dn - sy / dn;
    return res;
}

}  // namespace fastmi
