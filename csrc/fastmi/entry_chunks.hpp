// Entries for fastmi.dask, which splits the work over chunks of samples or
// blocks of features: the plug-in MI of a joint count table summed over
// chunks, and scikit-learn's noise stream read from any position. Same
// conventions as entry.hpp (plain types, Python validates, results never
// depend on the thread count); inline, compiled into the extension module.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "fastmi/estimators/binned.hpp"
#include "fastmi/estimators/binned_sparse.hpp"
#include "fastmi/numerics/numpy_random_skip.hpp"
#include "fastmi/runtime/parallel.hpp"

namespace fastmi {
namespace entry {

// Plug-in MI in bits (unclipped) of the row-major nx x ny count table: the
// sum binned_mi_bits forms from the table it counts itself, hence its bits.
inline double table_mi_bits(const std::int64_t* counts, std::int64_t nx, std::int64_t ny) {
    return plugin_mi_bits(counts, nx, ny);
}

// Plug-in MI in bits (unclipped) of the nrows x ncols count table given by
// its m occupied cells (row-major cell numbers, ascending, distinct) and
// their counts (positive): the sum binned_mi_bits forms from the sparse
// table it counts itself, and so the dense one's, hence their bits.
inline double sparse_table_mi_bits(const std::int64_t* cells, const std::int64_t* counts, std::int64_t m,
                                   std::int64_t nrows, std::int64_t ncols) {
    check_invariant(nrows >= 1 && ncols >= 1 && ncols <= std::numeric_limits<std::int64_t>::max() / nrows,
                    "sparse table: bad shape");
    SparseTable t;
    t.nrows = nrows;
    t.ncols = ncols;
    t.cell.assign(cells, cells + m);
    t.count.assign(counts, counts + m);
    std::int64_t total = 0;
    for (std::int64_t c = 0; c < m; ++c) {
        check_invariant(t.cell[c] >= 0 && t.cell[c] < nrows * ncols && (c == 0 || t.cell[c] > t.cell[c - 1]) &&
                            t.count[c] > 0 && t.count[c] <= std::numeric_limits<std::int64_t>::max() - total,
                        "sparse table: cells must ascend inside the table, with positive counts whose sum "
                        "fits in int64");
        total += t.count[c];
    }
    return plugin_mi_bits(t, Ctx::make(1, nullptr, 1, 1));
}

// Advances the RandomState state (key[624], pos, has_gauss, gauss) past m
// standard normal values, as drawing them would.
inline void skip_normals(std::uint32_t* key, int* pos, int* has_gauss, double* gauss, std::int64_t m,
                         InterruptFn check) {
    const Ctx ctx = Ctx::make(1, check, 1, 1);
    NormalCursor cursor(NumpyNormalState{key, pos, has_gauss, gauss});
    constexpr std::int64_t step = std::int64_t(1) << 22;
    for (std::int64_t done = 0; done < m; done += step) {
        cursor.skip(std::min(step, m - done));
        poll_interrupt(ctx);
    }
    cursor.save();
}

// x[i, j] += c[j] * g(i, offset + j) for the column-major n x w block x,
// g the row-major (n, stride) matrix of normals drawn from the given state
// (left unchanged): columns [offset, offset + w) of add_normal_noise's.
inline void add_normal_noise_columns(double* x, std::int64_t n, std::int64_t w, const double* c,
                                     std::int64_t stride, std::int64_t offset, const std::uint32_t* key, int pos,
                                     int has_gauss, double gauss, InterruptFn check) {
    check_invariant(offset >= 0 && w >= 0 && offset + w <= stride, "noise columns outside the matrix");
    const Ctx ctx = Ctx::make(1, check, 1, 1);
    std::uint32_t copy[Mt19937::kN];
    std::copy(key, key + Mt19937::kN, copy);
    add_normals_to_columns(x, n, w, c, stride, offset, NumpyNormalState{copy, &pos, &has_gauss, &gauss}, ctx);
}

}  // namespace entry
}  // namespace fastmi
