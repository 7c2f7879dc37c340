// Joint histograms with many more cells than samples, kept sparse: each
// sample's cell (the same Axis::bin as the dense table, so numpy's bins)
// is computed, the cell numbers are radix-sorted, and only the occupied
// cells are kept, in O(n) memory whatever the number of bins. The plug-in
// sum then runs over the occupied cells in row-major order with the same
// operations as plugin_mi_bits on the dense table, so the two give the same
// bits.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "fastmi/estimators/binned.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/radix_sort.hpp"

namespace fastmi {

// Whether a table of `cells` cells for n samples is built sparse: when it
// has more cells than a few per sample (and more than a small fixed size,
// which a dense table fills faster than a sort).
inline bool sparse_is_smaller(index_t cells, index_t n) {
    return cells > (index_t(1) << 16) && static_cast<double>(cells) > 4.0 * static_cast<double>(n);
}

// The occupied cells of a joint table, row-major (cell = i * ncols + j),
// ascending, with their counts.
struct SparseTable {
    index_t nrows = 0, ncols = 0;
    std::vector<index_t> cell, count;
};

// The occupied cells of numpy.histogram2d(x, y, bins)'s table; samples
// outside the edges are dropped, as numpy does.
inline SparseTable sparse_joint(const double* x, const double* y, index_t n, const Axis& ax, const Axis& ay,
                                const Ctx& ctx) {
    SparseTable t;
    t.nrows = ax.nbins();
    t.ncols = ay.nbins();
    check_invariant(t.nrows >= 1 && t.ncols >= 1 && t.ncols <= std::numeric_limits<index_t>::max() / t.nrows,
                    "joint table too large");
    const index_t ny = t.ncols;
    std::vector<index_t> key(static_cast<size_t>(n));
    parallel_blocks(n, index_t(1) << 16, ctx, [&](index_t, index_t s, index_t e) {
        for (index_t i = s; i < e; ++i) {
            const index_t bx = ax.bin(x[i]);
            const index_t by = ay.bin(y[i]);
            key[i] = (bx | by) >= 0 ? bx * ny + by : -1;
        }
    });
    key.erase(std::remove(key.begin(), key.end(), index_t(-1)), key.end());
    poll_interrupt(ctx);
    radix_sort_keys(key, t.nrows * ny - 1, ctx);
    const index_t m = static_cast<index_t>(key.size());
    for (index_t i = 0; i < m;) {
        index_t j = i + 1;
        while (j < m && key[j] == key[i]) ++j;
        t.cell.push_back(key[i]);
        t.count.push_back(j - i);
        i = j;
    }
    return t;
}

// Plug-in MI in bits of a sparse table: the terms and the order of
// plugin_mi_bits on the dense table (rows in order, within a row the
// occupied cells in order), hence the same bits; 0 for an empty table.
inline double plugin_mi_bits(const SparseTable& t, const Ctx& ctx) {
    const index_t m = static_cast<index_t>(t.cell.size());
    const index_t ny = t.ncols;
    std::int64_t total = 0;
    for (const index_t c : t.count) total += c;
    if (total == 0) return 0.0;
    // column sums: the occupied columns, sorted, with their totals
    std::vector<index_t> col_key(static_cast<size_t>(m));
    for (index_t c = 0; c < m; ++c) col_key[c] = t.cell[c] % ny;
    std::vector<index_t> order = col_key;
    radix_sort_keys(order, ny - 1, ctx);
    order.erase(std::unique(order.begin(), order.end()), order.end());
    std::vector<std::int64_t> col_total(order.size(), 0);
    std::vector<index_t> col_slot(static_cast<size_t>(m));
    for (index_t c = 0; c < m; ++c) {
        col_slot[c] = static_cast<index_t>(std::lower_bound(order.begin(), order.end(), col_key[c]) - order.begin());
        col_total[static_cast<size_t>(col_slot[c])] += t.count[c];
    }
    poll_interrupt(ctx);
    const double nt = static_cast<double>(total);
    double mi = 0.0;
    for (index_t r0 = 0; r0 < m;) {
        const index_t row = t.cell[r0] / ny;
        index_t r1 = r0;
        std::int64_t row_total = 0;
        for (; r1 < m && t.cell[r1] / ny == row; ++r1) row_total += t.count[r1];
        const double px = static_cast<double>(row_total) / nt;
        for (index_t c = r0; c < r1; ++c) {
            const double p = static_cast<double>(t.count[c]) / nt;
            const double py = static_cast<double>(col_total[static_cast<size_t>(col_slot[c])]) / nt;
            mi += p * std::log2(p / (px * py));
        }
        r0 = r1;
    }
    return mi;
}

// The dense row-major table (nrows x ncols int64, allocated by the caller)
// of a sparse one.
inline void scatter(const SparseTable& t, std::int64_t* counts) {
    std::fill(counts, counts + t.nrows * t.ncols, std::int64_t(0));
    for (size_t c = 0; c < t.cell.size(); ++c) counts[t.cell[c]] = t.count[c];
}

}  // namespace fastmi
