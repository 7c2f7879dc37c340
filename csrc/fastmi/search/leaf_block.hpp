// Distances from one query point to a block of points stored column by
// column (a KD-tree leaf: len points, coordinate c of point j at
// col[c * len + j]), in loops the compiler vectorises. The per-point result
// is the norm's reduced distance to the last bit, the terms combined in
// coordinate order as runtime/metric.hpp's point() combines them (its
// leading combine(0, t) is t itself: every term is >= 0).
#pragma once

#include <cmath>
#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "fastmi/runtime/clones.hpp"
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
FASTMI_INLINE void block_distances_impl(const double* q, const double* col, index_t len, int d, index_t j0, index_t e,
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
FASTMI_INLINE index_t block_count_impl(const double* q, double r, const double* col, index_t len, int d) {
    double m[kBlockChunk];
    index_t count = 0;
    for (index_t j0 = 0; j0 < len; j0 += kBlockChunk) {
        const index_t e = std::min(len - j0, kBlockChunk);
        block_distances_impl<Norm, D>(q, col, len, d, j0, e, m);
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

// The loops above, compiled for AVX2 and for the baseline (runtime/clones.hpp).
#define FASTMI_LEAF_BLOCK(NORM, D)                                                                            \
    FASTMI_CLONES inline void block_distances_##NORM##_##D(const double* q, const double* col, index_t len,  \
                                                           int d, index_t j0, index_t e, double* m) {        \
        block_distances_impl<NORM, D>(q, col, len, d, j0, e, m);                                             \
    }                                                                                                         \
    FASTMI_CLONES inline index_t block_count_##NORM##_##D(const double* q, double r, const double* col,      \
                                                          index_t len, int d) {                              \
        return block_count_impl<NORM, D>(q, r, col, len, d);                                                 \
    }

#define FASTMI_LEAF_BLOCKS(NORM) \
    FASTMI_LEAF_BLOCK(NORM, 0)   \
    FASTMI_LEAF_BLOCK(NORM, 2)   \
    FASTMI_LEAF_BLOCK(NORM, 3)   \
    FASTMI_LEAF_BLOCK(NORM, 4)   \
    FASTMI_LEAF_BLOCK(NORM, 6)   \
    FASTMI_LEAF_BLOCK(NORM, 8)

FASTMI_LEAF_BLOCKS(MaxNorm)
FASTMI_LEAF_BLOCKS(Euclidean)

#undef FASTMI_LEAF_BLOCKS
#undef FASTMI_LEAF_BLOCK

// The dispatch from (Norm, D) to the functions above; other dimensions
// fixed at compile time take the baseline loops.
#define FASTMI_LEAF_DISPATCH(CALL, ...)                                          \
    constexpr bool max_norm = std::is_same<Norm, MaxNorm>::value;                \
    if constexpr (D == 0) return max_norm ? CALL##MaxNorm_0(__VA_ARGS__) : CALL##Euclidean_0(__VA_ARGS__); \
    else if constexpr (D == 2) return max_norm ? CALL##MaxNorm_2(__VA_ARGS__) : CALL##Euclidean_2(__VA_ARGS__); \
    else if constexpr (D == 3) return max_norm ? CALL##MaxNorm_3(__VA_ARGS__) : CALL##Euclidean_3(__VA_ARGS__); \
    else if constexpr (D == 4) return max_norm ? CALL##MaxNorm_4(__VA_ARGS__) : CALL##Euclidean_4(__VA_ARGS__); \
    else if constexpr (D == 6) return max_norm ? CALL##MaxNorm_6(__VA_ARGS__) : CALL##Euclidean_6(__VA_ARGS__); \
    else if constexpr (D == 8) return max_norm ? CALL##MaxNorm_8(__VA_ARGS__) : CALL##Euclidean_8(__VA_ARGS__);

template <class Norm, int D>
FASTMI_INLINE void block_distances(const double* q, const double* col, index_t len, int d, index_t j0, index_t e,
                                   double* m) {
    static_assert(std::is_same<Norm, MaxNorm>::value || std::is_same<Norm, Euclidean>::value, "a known norm");
    FASTMI_LEAF_DISPATCH(block_distances_, q, col, len, d, j0, e, m)
    else return block_distances_impl<Norm, D>(q, col, len, d, j0, e, m);
}

template <class Norm, int D>
FASTMI_INLINE index_t block_count(const double* q, double r, const double* col, index_t len, int d) {
    static_assert(std::is_same<Norm, MaxNorm>::value || std::is_same<Norm, Euclidean>::value, "a known norm");
    FASTMI_LEAF_DISPATCH(block_count_, q, r, col, len, d)
    else return block_count_impl<Norm, D>(q, r, col, len, d);
}

#undef FASTMI_LEAF_DISPATCH

}  // namespace fastmi
