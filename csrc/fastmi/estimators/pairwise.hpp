// Mutual information of many pairs of one-dimensional columns, each column
// prepared once and shared by all its pairs:
//   ksg_pairs     KSG algorithm 1 (ksg_mi's estimator): each column sorted
//                 once (SortedValues and its ValueIndex), every pair then
//                 runs ksg1, the kernel of ksg_mi, with both sorted orders
//                 given, so each entry equals ksg_mi's value bit for bit;
//   binned_pairs  the plug-in MI of the joint histogram (discrete_mi's
//                 estimator and kernel), each column's axis made once.
// Pairs run in parallel, one thread each (or one after another on all
// threads when there are fewer pairs than threads); every value is
// independent of the thread count.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <vector>

#include "fastmi/estimators/binned.hpp"
#include "fastmi/estimators/binned_sparse.hpp"
#include "fastmi/estimators/ksg.hpp"
#include "fastmi/runtime/columns.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/radix_sort.hpp"
#include "fastmi/search/sorted1d.hpp"

namespace fastmi {

// One column's values, sorted order and value index, owned.
struct PreparedColumn {
    const double* x;
    SortedValues sorted;
    ValueIndex index;

    PreparedColumn(const double* x_, index_t n, const Ctx& ctx)
        : x(x_), sorted(x_, n, ctx), index(sorted.value.data(), n) {}
    PreparedColumn(const PreparedColumn&) = delete;
    PreparedColumn& operator=(const PreparedColumn&) = delete;

    SortedColumn order() const { return SortedColumn{&sorted, &index}; }
};

// Runs task(q, ctx) for q in [0, m): in parallel on one thread each, or one
// after another on all threads when there are fewer tasks than threads.
template <class Task>
void run_tasks(index_t m, const Ctx& ctx, Task&& task) {
    if (m >= ctx.n_threads) {
        Ctx one = ctx;
        one.n_threads = 1;
        parallel_blocks(m, 1, ctx, [&](index_t q, index_t, index_t) { task(q, one); });
    } else {
        for (index_t q = 0; q < m; ++q) {
            task(q, ctx);
            poll_interrupt(ctx);
        }
    }
}

// The columns of the column-major (n, p) block X named by the m pairs
// (pairs[2q], pairs[2q + 1]), each sorted once: null for columns in no pair.
inline std::vector<std::unique_ptr<PreparedColumn>> sort_columns(const double* X, index_t n, index_t p,
                                                               const std::int64_t* pairs, index_t m,
                                                               const Ctx& ctx) {
    std::vector<char> used(static_cast<size_t>(p), 0);
    for (index_t q = 0; q < 2 * m; ++q) used[static_cast<size_t>(pairs[q])] = 1;
    std::vector<std::unique_ptr<PreparedColumn>> cols(static_cast<size_t>(p));
    run_tasks(p, ctx, [&](index_t c, const Ctx& cc) {
        if (used[static_cast<size_t>(c)]) cols[static_cast<size_t>(c)] = std::make_unique<PreparedColumn>(X + c * n, n, cc);
    });
    return cols;
}

// out[q] = KSG algorithm 1 in nats (unclipped) between columns pairs[2q]
// and pairs[2q + 1] of the column-major (n, p) block X, k < n; zeros[q] its
// number of zero k-th-neighbour distances.
inline void ksg_pairs(const double* X, index_t n, index_t p, const std::int64_t* pairs, index_t m, int k,
                      const Ctx& ctx, double* out, std::int64_t* zeros) {
    const auto cols = sort_columns(X, n, p, pairs, m, ctx);
    poll_interrupt(ctx);
    run_tasks(m, ctx, [&](index_t q, const Ctx& c) {
        const PreparedColumn& a = *cols[static_cast<size_t>(pairs[2 * q])];
        const PreparedColumn& b = *cols[static_cast<size_t>(pairs[2 * q + 1])];
        const KsgResult r = ksg1<MaxNorm>(Columns::of(a.x, n, 1), Columns::of(b.x, n, 1), k, Bound::strict,
                                          Summation::blocks, c, b.order(), a.order());
        out[q] = r.mi_nats;
        zeros[q] = r.zero_radius;
    });
}

// Plug-in MI in bits of the joint histogram of x and y (n samples) on the
// axes bx, by, as discrete_mi computes it: a dense table, or the occupied
// cells when that is smaller, summed in row-major order either way;
// *counted receives the samples inside the edges.
inline double binned_pair_bits(const double* x, const double* y, index_t n, const Axis& bx, const Axis& by,
                               const Ctx& ctx, std::int64_t* counted) {
    const index_t nx = bx.nbins(), ny = by.nbins();
    if (ny > std::numeric_limits<index_t>::max() / nx || sparse_is_smaller(nx * ny, n)) {
        const SparseTable table = sparse_joint(x, y, n, bx, by, ctx);
        *counted = std::accumulate(table.count.begin(), table.count.end(), std::int64_t(0));
        return plugin_mi_bits(table, ctx);
    }
    std::vector<std::int64_t> table;
    joint_counts(x, y, n, bx, by, ctx, table);
    *counted = std::accumulate(table.begin(), table.end(), std::int64_t(0));
    return plugin_mi_bits(table.data(), nx, ny);
}

// out[q] = binned_pair_bits of columns pairs[2q] and pairs[2q + 1] of the
// column-major (n, p) block X, column c on axes[c]; counted[q] likewise.
inline void binned_pairs(const double* X, index_t n, const std::vector<Axis>& axes, const std::int64_t* pairs,
                         index_t m, const Ctx& ctx, double* out, std::int64_t* counted) {
    run_tasks(m, ctx, [&](index_t q, const Ctx& c) {
        const index_t i = pairs[2 * q], j = pairs[2 * q + 1];
        out[q] = binned_pair_bits(X + i * n, X + j * n, n, axes[static_cast<size_t>(i)],
                                  axes[static_cast<size_t>(j)], c, &counted[q]);
    });
}

}  // namespace fastmi
