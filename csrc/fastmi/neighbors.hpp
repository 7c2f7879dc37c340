// Neighbour statistics shared by the KSG family (MI, and later conditional
// MI, entropies, algorithm 2): the k-th-neighbour radius of every sample in
// some set of coordinates, and per-sample counts of the samples within a
// per-sample radius in any other set of coordinates.
#pragma once

#include <cmath>
#include <vector>

#include "common.hpp"
#include "kdtree.hpp"
#include "points.hpp"
#include "sorted1d.hpp"

namespace fastmi {

// Strict: count distances < radius (KSG); Inclusive: distances <= radius.
// A strict count with radius 0 counts exact duplicates, like scikit-learn's
// query at nextafter(0, 0).
enum class Bound { Strict, Inclusive };

template <class Metric>
inline double reduced_radius(double r, Bound bound) {
    return Metric::reduce(bound == Bound::Strict ? just_below(r) : r);
}

constexpr index_t kLeafBlock = 256;

// radius[i] = distance from sample i to its k-th nearest other sample.
// Returns how many radii are exactly zero (k or more exact duplicates).
template <class Metric, int D>
index_t knn_radius_d(const Columns& cols, int k, const Ctx& ctx, double* radius) {
    const KDTree<Metric, D> tree(cols, ctx);
    const auto& leaves = tree.leaves();
    const index_t n_leaves = static_cast<index_t>(leaves.size());
    std::vector<index_t> zeros(static_cast<size_t>(n_blocks(n_leaves, kLeafBlock)), 0);
    parallel_blocks(n_leaves, kLeafBlock, ctx, [&](index_t b, index_t s, index_t e) {
        std::vector<double> best(static_cast<size_t>(k));
        typename KDTree<Metric, D>::Stack stack;
        stack.reserve(256);
        WorkPoll poll(ctx);  // k close to n: a block is a long time
        index_t z = 0;
        for (index_t l = s; l < e; ++l) {
            const auto& leaf = tree.node(leaves[l]);
            std::int64_t work = 0;
            for (index_t p = leaf.start; p < leaf.end; ++p) {
                const double r = Metric::expand(tree.knn_self(p, leaves[l], k, best.data(), stack, &work));
                radius[tree.original(p)] = r;
                z += r == 0.0;
            }
            poll.add(work);
        }
        zeros[b] = z;
    });
    index_t total = 0;
    for (index_t z : zeros) total += z;
    return total;
}

template <class Metric>
index_t knn_radius(const Columns& cols, int k, const Ctx& ctx, double* radius) {
    switch (cols.d()) {
        case 2: return knn_radius_d<Metric, 2>(cols, k, ctx, radius);
        case 3: return knn_radius_d<Metric, 3>(cols, k, ctx, radius);
        case 4: return knn_radius_d<Metric, 4>(cols, k, ctx, radius);
        case 6: return knn_radius_d<Metric, 6>(cols, k, ctx, radius);
        case 8: return knn_radius_d<Metric, 8>(cols, k, ctx, radius);
        default: return knn_radius_d<Metric, 0>(cols, k, ctx, radius);
    }
}

template <class Metric, int D, class Sink>
index_t count_in_tree(const Columns& cols, const double* radius, Bound bound, const Ctx& ctx, Sink& sink) {
    // count queries reach many points: larger leaves (whole leaves inside the
    // ball are counted at once, the others scanned in vector loops)
    const KDTree<Metric, D> tree(cols, ctx, cols.d() <= 3 ? 64 : 128);
    const auto& leaves = tree.leaves();
    const index_t n_leaves = static_cast<index_t>(leaves.size());
    parallel_blocks(n_leaves, kLeafBlock, ctx, [&](index_t b, index_t s, index_t e) {
        std::vector<index_t> stack;
        stack.reserve(256);
        WorkPoll poll(ctx);
        for (index_t l = s; l < e; ++l) {
            const auto& leaf = tree.node(leaves[l]);
            std::int64_t work = 0;
            for (index_t p = leaf.start; p < leaf.end; ++p) {
                const index_t i = tree.original(p);
                const double r = reduced_radius<Metric>(radius[i], bound);
                sink(b, i, tree.count_self(p, leaves[l], r, stack, &work) - 1);
            }
            poll.add(work);
        }
    });
    return n_blocks(n_leaves, kLeafBlock);
}

// Calls sink(block, i, c_i) for every sample i, where c_i is the number of
// other samples within radius[i] of sample i in `cols`. Blocks follow a
// deterministic processing order, so per-block sums are reproducible.
// Returns the number of blocks.
template <class Metric, class Sink>
index_t for_each_count(const Columns& cols, const double* radius, Bound bound, const Ctx& ctx, Sink&& sink) {
    const index_t n = cols.n;
    if (cols.d() == 1) {
        const SortedValues sorted(cols.ptr[0], n, ctx, cols.stride[0]);
        const ValueIndex<> index(sorted.value.data(), n);
        return count_sorted<Metric>(
            sorted, index, radius, [bound](double r) { return reduced_radius<Metric>(r, bound); }, ctx,
            [&](index_t b, index_t i, index_t c) { sink(b, i, c - 1); });
    }
    switch (cols.d()) {
        case 2: return count_in_tree<Metric, 2>(cols, radius, bound, ctx, sink);
        case 3: return count_in_tree<Metric, 3>(cols, radius, bound, ctx, sink);
        case 4: return count_in_tree<Metric, 4>(cols, radius, bound, ctx, sink);
        default: return count_in_tree<Metric, 0>(cols, radius, bound, ctx, sink);
    }
}

}  // namespace fastmi
