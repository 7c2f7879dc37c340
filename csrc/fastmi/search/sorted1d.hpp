// One dimension without a tree: sorted values (radix_sort.hpp) located by
// value (ValueIndex), and per-sample counts of the samples within a
// per-sample radius (count_sorted), made in sorted order so that the
// searches touch only nearby memory.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/radix_sort.hpp"

namespace fastmi {

// Queries per block of parallel_blocks in the searches over sorted values.
constexpr index_t kQueryBlock = 2048;

// Distance from v[q] to its k-th nearest other value among the sorted
// v[0..m), k < m: the two neighbour sequences, each non-decreasing, merged
// for k steps.
inline double kth_gap_sorted(const double* v, index_t m, index_t q, index_t k) {
    index_t lo = q - 1, hi = q + 1;
    double d = 0.0;
    constexpr double inf = std::numeric_limits<double>::infinity();
    for (index_t t = 0; t < k; ++t) {
        const double dl = lo >= 0 ? v[q] - v[lo] : inf;
        const double dh = hi < m ? v[hi] - v[q] : inf;
        if (dl <= dh) { d = dl; --lo; }
        else { d = dh; ++hi; }
    }
    return d;
}

// A coarse index of a sorted sequence v[0..n) for locating values: the
// range [v[0], v[n-1]] cut into equal buckets, with the first position of
// each. bucket(t) is monotone in t, so every v[j] in an earlier bucket than
// t is < t and every v[j] in a later one is > t: the answer lies inside t's
// bucket, found by a short branch-free binary search. Lookups depend on no
// earlier lookup, so consecutive queries overlap in the processor.
class ValueIndex {
public:
    ValueIndex(const double* v, index_t n) : v_(v), n_(n), wide_(n > index_t(0xffffffff)) {
        index_t buckets = std::max<index_t>(1, 2 * n);  // two per value
        if (n > 0) {
            lo_ = v[0];
            const double range = v[n - 1] - lo_;
            scale_ = static_cast<double>(buckets) / range;
            if (!(range > 0.0) || !std::isfinite(scale_) || !std::isfinite(range)) {
                buckets = 1;  // one bucket: a plain binary search
                scale_ = 0.0;
            }
        }
        last_ = buckets - 1;
        last_f_ = static_cast<double>(last_);
        if (wide_) start64_.resize(static_cast<size_t>(buckets) + 1);
        else start32_.resize(static_cast<size_t>(buckets) + 1);
        index_t b = 0;
        for (index_t j = 0; j < n; ++j)
            for (const index_t bj = bucket(v[j]); b <= bj; ++b) set_start(b, j);
        for (; b <= buckets; ++b) set_start(b, n);
    }

    // The last j with v[j] <= t, or -1 when there is none.
    FASTMI_INLINE index_t last_at_most(double t) const {
        return last_where(t, [t](double v) { return v <= t; });
    }

    // The last j with before(v[j]), or -1 when there is none, for a
    // `before` that holds on a prefix of the values, on every value below t
    // and on none above t (values equal to t either way): the answer then
    // lies in t's bucket.
    template <class Before>
    FASTMI_INLINE index_t last_where(double t, Before before) const {
        const index_t b = bucket(t);
        // the answer lies in [at, at + len]; before(v[at]) unless at is
        // start - 1. Positions past the bucket hold values > t, so reading
        // them is harmless.
        index_t at = start(b) - 1, len = start(b + 1) - at - 1;
        if (len <= 4 && at + 5 < n_)  // the common case: four independent loads
            return at + before(v_[at + 1]) + before(v_[at + 2]) + before(v_[at + 3]) + before(v_[at + 4]);
        if (len < kShort && at + kShort < n_) {  // four fixed steps (no mispredicted loop exit)
            for (index_t half = kShort / 2; half > 0; half /= 2)
                at = before(v_[at + half]) ? at + half : at;
            return at;
        }
        while (len > 0) {
            const index_t half = (len + 1) / 2;
            at = before(v_[at + half]) ? at + half : at;  // a conditional move
            len -= half;
        }
        return at;
    }

private:
    static constexpr index_t kShort = 16;

    index_t bucket(double t) const {
        double f = (t - lo_) * scale_;            // monotone in t
        f = f > 0.0 ? f : 0.0;                    // also NaN: a zero-width range times inf
        f = f < last_f_ ? f : last_f_;
        return static_cast<index_t>(f);
    }

    index_t start(index_t b) const { return wide_ ? start64_[b] : static_cast<index_t>(start32_[b]); }
    void set_start(index_t b, index_t j) {
        if (wide_) start64_[b] = j;
        else start32_[b] = static_cast<std::uint32_t>(j);
    }

    const double* v_;
    index_t n_;
    bool wide_;  // positions need 64 bits
    double lo_ = 0.0, scale_ = 0.0;
    index_t last_ = 0;
    double last_f_ = 0.0;  // last_, exact: buckets <= n < 2^53
    // start[b]: first j in bucket b or later; start[buckets] = n
    std::vector<std::uint32_t> start32_;
    std::vector<index_t> start64_;
};

// Counts, for positions p of a sorted sequence v, the j with reduced
// distance Norm::term(v[j] - v[p]) <= r (p included).
// The distance, computed from the floating-point difference, is monotone on
// each side of p. Each side's boundary is first located by value (v[p] +-
// the radius, through the ValueIndex), then settled with the exact distance:
// a step or two normally; doubling steps and a branch-free binary search
// when rounding or ties put the located position far off.
template <class Norm>
class SortedCounter {
public:
    SortedCounter(const double* v, index_t n, const ValueIndex& index) : v_(v), n_(n), index_(index) {}

    FASTMI_INLINE index_t operator()(index_t p, double r) const {
        if constexpr (std::is_same<Norm, MaxNorm>::value) {
            const double q = v_[p];
            if (exact_near(q, r)) return last_inside(q, r) - last_below(q, r);
        }
        const auto lr = bounds(p, r);
        return lr.second - lr.first + 1;
    }

    // The first and last positions j with Norm::term(v[j] - v[p]) <= r.
    FASTMI_INLINE std::pair<index_t, index_t> bounds(index_t p, double r) const {
        const double q = v_[p];
        auto inside = [&](index_t j) { return Norm::term(v_[j] - q) <= r; };
        // p itself inside the radius: the searches below rely on it to stay
        // between p and the ends (a NaN value or radius, from input changed
        // during the call, would break it)
        if (!inside(p)) return {p, p};
        if constexpr (std::is_same<Norm, MaxNorm>::value)
            if (exact_near(q, r)) return {last_below(q, r) + 1, last_inside(q, r)};
        const double reach = Norm::expand(r);
        index_t hi = std::min(std::max(index_.last_at_most(q + reach), p), n_ - 1);
        index_t lo = std::max<index_t>(std::min(index_.last_at_most(q - reach) + 1, p), 0);
        // usually exact, or one past the boundary where q +- reach rounded
        // onto a value at the radius: one step back (p itself is inside)
        hi -= !inside(hi);
        lo += !inside(lo);
        // then hi inside and hi + 1 outside (or past the end), and likewise
        // lo, checked without branches; otherwise settle from there
        const bool right_ok = inside(hi) & ((hi + 1 == n_) | !inside(std::min(hi + 1, n_ - 1)));
        const bool left_ok = inside(lo) & ((lo == 0) | !inside(std::max<index_t>(lo - 1, 0)));
        if (right_ok & left_ok) return {lo, hi};
        const index_t right = right_ok ? hi : boundary(std::max(hi, p), p, +1, inside);
        const index_t left = left_ok ? lo : boundary(std::min(lo, p), p, -1, inside);
        return {left, right};
    }

private:
    // For the max-norm where 0 <= r < |q| / 3: every difference v - q with
    // v within about r of q is then exact (Sterbenz), so v is inside on the
    // right exactly when v <= q + r, and outside on the left exactly when
    // v < q - r: each side's end lies in the bucket of q + r or q - r
    // (rounded either way), where the distance tests themselves find it,
    // with no step to settle afterwards.
    static FASTMI_INLINE bool exact_near(double q, double r) { return (0.0 <= r) & (3.0 * r < std::fabs(q)); }
    // The last position inside, and the last below the values inside.
    FASTMI_INLINE index_t last_inside(double q, double r) const {
        return index_.last_where(q + r, [q, r](double v) { return v - q <= r; });
    }
    FASTMI_INLINE index_t last_below(double q, double r) const {
        return index_.last_where(q - r, [q, r](double v) { return q - v > r; });
    }

    // The last index inside going from p in direction dir (p is inside),
    // searched from the guess h: a short linear walk, then doubling steps
    // and a branch-free binary search.
    template <class Inside>
    index_t boundary(index_t h, index_t p, index_t dir, Inside inside) const {
        const index_t end = dir > 0 ? n_ : -1;  // first index past the array
        constexpr int walk = 4;
        index_t good, bad;
        if (inside(h)) {
            good = h;
            for (int w = 0; w < walk; ++w) {
                if (good + dir == end || !inside(good + dir)) return good;
                good += dir;
            }
            index_t step = 2;
            while ((end - good) * dir > step && inside(good + dir * step)) {
                good += dir * step;
                step *= 2;
            }
            bad = (end - good) * dir > step ? good + dir * step : end;
        } else {
            bad = h;
            for (int w = 0; w < walk; ++w) {
                if (bad - dir == p || inside(bad - dir)) return bad - dir;
                bad -= dir;
            }
            index_t step = 2;
            while ((bad - p) * dir > step && !inside(bad - dir * step)) {
                bad -= dir * step;
                step *= 2;
            }
            good = (bad - p) * dir > step ? bad - dir * step : p;
        }
        for (index_t len = (bad - good) * dir; len > 1;) {  // good inside, bad outside
            const index_t half = len / 2;
            good = inside(good + dir * half) ? good + dir * half : good;
            len -= half;
        }
        return good;
    }

    const double* v_;
    index_t n_;
    const ValueIndex& index_;
};

// For every sample i, in sorted order: sink(block, i, c), c the number of
// samples (i itself included) within radius[i] of sample i under `bound`.
// Blocks of positions are fixed, so per-block results combined in block
// order do not depend on the thread count. Returns the number of blocks.
template <class Norm, class Sink>
index_t count_sorted(const SortedValues& s, const ValueIndex& index, const double* radius, Bound bound,
                     const Ctx& ctx, Sink&& sink) {
    const index_t n = s.size();
    parallel_blocks(n, kQueryBlock, ctx, [&](index_t b, index_t lo, index_t hi) {
        const SortedCounter<Norm> count(s.value.data(), n, index);
        double rd[kQueryBlock];  // gathered first: no load in a search chain waits on memory
        if (bound == Bound::strict)
            for (index_t p = lo; p < hi; ++p) rd[p - lo] = Norm::reduce(just_below(radius[s.index[p]]));
        else
            for (index_t p = lo; p < hi; ++p) rd[p - lo] = Norm::reduce(radius[s.index[p]]);
        for (index_t p = lo; p < hi; ++p) sink(b, s.index[p], count(p, rd[p - lo]));
    });
    return n_blocks(n, kQueryBlock);
}

}  // namespace fastmi
