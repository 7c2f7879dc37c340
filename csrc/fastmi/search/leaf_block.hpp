// Distances from one query point to a block of points stored column by
// column (a KD-tree leaf: len points, coordinate c of point j at
// col[c * len + j]), in loops the compiler vectorises. The per-point result
// is the norm's reduced distance to the last bit, the terms combined in
// coordinate order as runtime/metric.hpp's point() combines them (its
// leading combine(0, t) is t itself: every term is >= 0).
#pragma once

#include <cmath>
#include <cstddef>
#include <utility>

#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"

namespace fastmi {

constexpr index_t kBlockChunk = 256;  // distances computed per pass

template <class Norm, std::size_t C0, std::size_t... C>
FASTMI_INLINE double block_point(const double* q, const double* col, index_t len, index_t j,
                                 std::index_sequence<C0, C...>) {
    double m = Norm::term(q[C0] - col[C0 * len + j]);
    ((m = Norm::combine(m, Norm::term(q[C] - col[C * len + j]))), ...);
    return m;
}

// m[j - j0] = reduced distance from q to block point j, j in [j0, j0 + e),
// e <= kBlockChunk. D > 0: the dimension at compile time (one fused loop);
// D == 0: d coordinates, one pass per coordinate.
template <class Norm, int D>
FASTMI_INLINE void block_distances(const double* q, const double* col, index_t len, int d, index_t j0, index_t e,
                                   double* m) {
    if constexpr (D > 0) {
        double qq[D];
        for (int c = 0; c < D; ++c) qq[c] = q[c];
        const double* cj = col + j0;
        for (index_t j = 0; j < e; ++j) m[j] = block_point<Norm>(qq, cj, len, j, std::make_index_sequence<D>{});
    } else {
        const double* c0 = col + j0;
        const double q0 = q[0];
        for (index_t j = 0; j < e; ++j) m[j] = Norm::term(q0 - c0[j]);
        for (int c = 1; c < d; ++c) {
            const double* cc = col + c * len + j0;
            const double qc = q[c];
            for (index_t j = 0; j < e; ++j) m[j] = Norm::combine(m[j], Norm::term(qc - cc[j]));
        }
    }
}

// Number of block points at reduced distance <= r from q.
template <class Norm, int D>
FASTMI_INLINE index_t block_count(const double* q, double r, const double* col, index_t len, int d) {
    double m[kBlockChunk];
    index_t count = 0;
    for (index_t j0 = 0; j0 < len; j0 += kBlockChunk) {
        const index_t e = std::min(len - j0, kBlockChunk);
        block_distances<Norm, D>(q, col, len, d, j0, e, m);
        // sums of ones (exact in any order), in eight independent chains
        double k[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        index_t j = 0;
        for (; j + 7 < e; j += 8)
            for (int u = 0; u < 8; ++u) k[u] += m[j + u] <= r ? 1.0 : 0.0;
        for (; j < e; ++j) k[0] += m[j] <= r ? 1.0 : 0.0;
        count += static_cast<index_t>(((k[0] + k[1]) + (k[2] + k[3])) + ((k[4] + k[5]) + (k[6] + k[7])));
    }
    return count;
}

}  // namespace fastmi
