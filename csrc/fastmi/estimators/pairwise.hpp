// Mutual information of many pairs of one-dimensional columns, each column
// prepared once and shared by all its pairs:
//   ksg_pairs     KSG algorithm 1 (ksg_mi's estimator): each column sorted
//                 once (SortedValues and its ValueIndex), every pair then
//                 runs ksg1_plane_sorted, the kernel of ksg_mi for 1-D x
//                 and y, so each entry equals ksg_mi's value bit for bit;
//   binned_pairs  the plug-in MI of the joint histogram (discrete_mi's
//                 estimator) from per-column bin codes computed once.
// Pairs run in parallel, one thread each (or one after another on all
// threads when there are fewer pairs than threads); every value is
// independent of the thread count.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "../common.hpp"
#include "../histogram.hpp"
#include "../ksg.hpp"
#include "../sorted1d.hpp"

namespace fastmi {

// One column's sorted order and value index.
struct SortedColumn {
    const double* x;
    SortedValues sorted;
    ValueIndex<> index;

    SortedColumn(const double* x_, index_t n, const Ctx& ctx)
        : x(x_), sorted(x_, n, ctx), index(sorted.value.data(), n) {}
    SortedColumn(const SortedColumn&) = delete;
    SortedColumn& operator=(const SortedColumn&) = delete;
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
inline std::vector<std::unique_ptr<SortedColumn>> sort_columns(const double* X, index_t n, index_t p,
                                                               const std::int64_t* pairs, index_t m,
                                                               const Ctx& ctx) {
    std::vector<char> used(static_cast<size_t>(p), 0);
    for (index_t q = 0; q < 2 * m; ++q) used[static_cast<size_t>(pairs[q])] = 1;
    std::vector<std::unique_ptr<SortedColumn>> cols(static_cast<size_t>(p));
    run_tasks(p, ctx, [&](index_t c, const Ctx& cc) {
        if (used[static_cast<size_t>(c)]) cols[static_cast<size_t>(c)] = std::make_unique<SortedColumn>(X + c * n, n, cc);
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
        const SortedColumn& a = *cols[static_cast<size_t>(pairs[2 * q])];
        const SortedColumn& b = *cols[static_cast<size_t>(pairs[2 * q + 1])];
        const KsgResult r = ksg1_plane_sorted(a.x, b.x, a.sorted, b.sorted, &a.index, &b.index, k, c);
        out[q] = r.mi_nats;
        zeros[q] = r.zero_radius;
    });
}

// out[q] = plug-in MI in bits of the joint histogram of columns pairs[2q]
// and pairs[2q + 1]: codes is column-major (n, p), column c holding bin
// codes in [0, nbins[c]) or -1 outside explicit edges (the sample is left
// out of the pair, as numpy.histogram2d leaves it out).
inline void binned_pairs(const std::int64_t* codes, const std::int64_t* nbins, index_t n, const std::int64_t* pairs,
                         index_t m, const Ctx& ctx, double* out) {
    Ctx one = ctx;
    one.n_threads = 1;
    parallel_blocks(m, 1, ctx, [&](index_t q, index_t, index_t) {
        const index_t i = pairs[2 * q], j = pairs[2 * q + 1];
        const index_t nx = nbins[i], ny = nbins[j];
        std::vector<std::int64_t> table(static_cast<size_t>(nx * ny), 0);
        const std::int64_t* a = codes + i * n;
        const std::int64_t* b = codes + j * n;
        for (index_t s = 0; s < n; ++s) {
            if (((s & 0xffff) == 0)) poll_interrupt(one);
            if ((a[s] | b[s]) >= 0) ++table[static_cast<size_t>(a[s] * ny + b[s])];
        }
        out[q] = plugin_mi_bits(table.data(), nx, ny);
    });
}

}  // namespace fastmi
