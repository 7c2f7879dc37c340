// The k smallest distances of a strip search (strips.hpp) for a small k
// fixed at compile time, in the two lanes of an SSE2 register: each lane
// keeps the k smallest of the distances offered to it, two distances are
// offered at once, and the k-th smallest of the union is read after each
// batch. Half the instructions of KBest<K> (result_set.hpp) for the strips'
// windows of neighbouring entries; the same k-th distance, exactly.
#pragma once

#include <limits>
#include <type_traits>

#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/result_set.hpp"

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h>
#define FASTMI_LANE_KBEST 1
#else
#define FASTMI_LANE_KBEST 0
#endif

namespace fastmi {

#if FASTMI_LANE_KBEST

template <int K>
class LaneKBest {
    static_assert(K >= 1, "k fixed at compile time");

public:
    static constexpr bool lanes = true;

    explicit LaneKBest(int) { reset(); }

    void reset() {
        for (int c = 0; c < K; ++c) f_[c] = _mm_set1_pd(kInf);
        kth_ = kInf;
    }

    // The k-th smallest distance offered, +inf while fewer than k were; as
    // of the last offer() or update().
    double kth() const { return kth_; }

    // Two distances, one to each lane (a branch-free insertion in each);
    // update() before reading kth().
    FASTMI_INLINE void offer2(__m128d v) {
        for (int c = 0; c < K - 1; ++c) {
            const __m128d lo = _mm_min_pd(f_[c], v);
            v = _mm_max_pd(f_[c], v);
            f_[c] = lo;
        }
        f_[K - 1] = _mm_min_pd(f_[K - 1], v);
    }

    // reset(), then offer2() of a, b, c and d, in fewer dependent steps:
    // each lane's four sorted by a network of depth three, the K smallest
    // kept (update() before reading kth()).
    FASTMI_INLINE void reset_offer4(__m128d a, __m128d b, __m128d c, __m128d d) {
        const __m128d a1 = _mm_min_pd(a, b), b1 = _mm_max_pd(a, b);
        const __m128d c1 = _mm_min_pd(c, d), d1 = _mm_max_pd(c, d);
        const __m128d a2 = _mm_min_pd(a1, c1), c2 = _mm_max_pd(a1, c1);
        const __m128d b2 = _mm_min_pd(b1, d1), d2 = _mm_max_pd(b1, d1);
        const __m128d sorted[4] = {a2, _mm_min_pd(b2, c2), _mm_max_pd(b2, c2), d2};
        for (int i = 0; i < K; ++i) f_[i] = i < 4 ? sorted[i] : _mm_set1_pd(kInf);
    }

    // One distance (to the first lane), kth() updated.
    FASTMI_INLINE void offer(double v) {
        offer2(_mm_set_pd(kInf, v));
        update();
    }

    // kth() from the lanes, each ascending (a_0 <= ... and b_0 <= ...): the
    // k-th smallest of their union is the least of a_{K-1}, b_{K-1} and
    // max(a_i, b_{K-2-i}) for i < K - 1, whose pairs a lane swap lines up.
    FASTMI_INLINE void update() {
        __m128d m = f_[K - 1];
        for (int i = 0; 2 * i <= K - 2; ++i)  // pairs i and K - 2 - i: each once
            m = _mm_min_pd(m, _mm_max_pd(f_[i], _mm_shuffle_pd(f_[K - 2 - i], f_[K - 2 - i], 1)));
        kth_ = _mm_cvtsd_f64(_mm_min_sd(m, _mm_unpackhi_pd(m, m)));
    }

private:
    static constexpr double kInf = std::numeric_limits<double>::infinity();

    __m128d f_[K];
    double kth_;
};

// The result set of the strips for k = K (0: k at run time).
template <int K>
using StripKBest = std::conditional_t<(K >= 1 && K <= 8), LaneKBest<K>, KBest<K>>;

#else

template <int K>
using StripKBest = KBest<K>;

#endif

// Whether a result set takes two distances at once (offer2).
template <class Best, class = void>
struct takes_pairs : std::false_type {};
template <class Best>
struct takes_pairs<Best, std::void_t<decltype(Best::lanes)>> : std::bool_constant<Best::lanes> {};

}  // namespace fastmi
