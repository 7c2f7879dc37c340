// One-dimensional neighbour counts without a tree: the values sorted once,
// then for each sample a search outwards from its own position, starting
// from the previous sample's boundaries; samples are processed in sorted
// order, so the search touches only nearby memory.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "common.hpp"
#include "metric.hpp"

namespace fastmi {

// Values read from a plain array.
struct ArrayValues {
    const double* v;
    ArrayValues(const double* p) : v(p) {}  // NOLINT: implicit on purpose
    double operator()(index_t j) const { return v[j]; }
};

// A coarse index of a sorted sequence v[0..n) for locating values: the
// range [v[0], v[n-1]] cut into equal buckets, with the first position of
// each. bucket(t) is monotone in t, so every v[j] in an earlier bucket than
// t is < t and every v[j] in a later one is > t: the answer lies inside t's
// bucket, found by a short branch-free binary search. Lookups depend on no
// earlier lookup, so consecutive queries overlap in the processor.
template <class Values = ArrayValues>
class ValueIndex {
public:
    ValueIndex(Values v, index_t n) : v_(v), n_(n), wide_(n > index_t(0xffffffff)) {
        index_t buckets = std::max<index_t>(1, n / kPerBucket);
        if (n > 0) {
            lo_ = v(0);
            const double range = v(n - 1) - lo_;
            scale_ = static_cast<double>(buckets) / range;
            if (!(range > 0.0) || !std::isfinite(scale_) || !std::isfinite(range)) {
                buckets = 1;  // one bucket: a plain binary search
                scale_ = 0.0;
            }
        }
        last_ = buckets - 1;
        (wide_ ? start64_.resize(static_cast<size_t>(buckets) + 1) : start32_.resize(static_cast<size_t>(buckets) + 1));
        index_t b = 0;
        for (index_t j = 0; j < n; ++j)
            for (const index_t bj = bucket(v(j)); b <= bj; ++b) set_start(b, j);
        for (; b <= buckets; ++b) set_start(b, n);
    }

    // The last j with v[j] <= t, or -1 when there is none.
    index_t last_at_most(double t) const {
        const index_t b = bucket(t);
        // the answer lies in [at, at + len]; v[at] <= t unless at is start - 1.
        // Positions past the bucket hold values > t, so reading them is harmless.
        index_t at = start(b) - 1, len = start(b + 1) - at - 1;
        if (len <= 4 && at + 5 < n_)  // the common case: four independent loads
            return at + (v_(at + 1) <= t) + (v_(at + 2) <= t) + (v_(at + 3) <= t) + (v_(at + 4) <= t);
        if (len < kShort && at + kShort < n_) {  // four fixed steps (no mispredicted loop exit)
            for (index_t half = kShort / 2; half > 0; half /= 2)
                at = v_(at + half) <= t ? at + half : at;
            return at;
        }
        while (len > 0) {
            const index_t half = (len + 1) / 2;
            at = v_(at + half) <= t ? at + half : at;  // a conditional move
            len -= half;
        }
        return at;
    }

private:
    static constexpr index_t kPerBucket = 1;
    static constexpr index_t kShort = 16;

    index_t bucket(double t) const {
        const double f = (t - lo_) * scale_;  // monotone in t
        if (!(f >= 0.0)) return 0;           // also NaN: a zero-width range times inf
        return f >= static_cast<double>(last_) ? last_ : static_cast<index_t>(f);
    }

    index_t start(index_t b) const { return wide_ ? start64_[b] : static_cast<index_t>(start32_[b]); }
    void set_start(index_t b, index_t j) {
        if (wide_) start64_[b] = j;
        else start32_[b] = static_cast<std::uint32_t>(j);
    }

    Values v_;
    index_t n_;
    bool wide_;  // positions need 64 bits
    double lo_ = 0.0, scale_ = 0.0;
    index_t last_ = 0;
    // start[b]: first j in bucket b or later; start[buckets] = n
    std::vector<std::uint32_t> start32_;
    std::vector<index_t> start64_;
};

// Counts, for positions p of a sorted sequence v (read through `Values`),
// the j with reduced distance Metric::point(v[j], v[p]) <= r (p included).
// The distance, computed from the floating-point difference, is monotone on
// each side of p. Each side's boundary is first located by value (v[p] +-
// the radius, through the ValueIndex), then settled with the exact distance:
// a step or two normally; doubling steps and a branch-free binary search
// when rounding or ties put the located position far off.
template <class Metric, class Values = ArrayValues>
class SortedCounter {
public:
    SortedCounter(Values v, index_t n, const ValueIndex<Values>& index) : v_(v), n_(n), index_(index) {}

    index_t operator()(index_t p, double r) const {
        const double q = v_(p);
        auto inside = [&](index_t j) {
            const double u = v_(j);
            return Metric::point(&u, &q, 1) <= r;
        };
        const double reach = Metric::expand(r);
        const index_t hi = index_.last_at_most(q + reach);
        const index_t lo = index_.last_at_most(q - reach) + 1;
        // usually exact: hi inside and hi + 1 outside (or past the end), and
        // likewise lo; otherwise settle from there
        const bool right_ok = hi >= p && inside(hi) && (hi + 1 == n_ || !inside(hi + 1));
        const bool left_ok = lo <= p && inside(lo) && (lo == 0 || !inside(lo - 1));
        const index_t right = right_ok ? hi : boundary(std::min(std::max(hi, p), n_ - 1), p, +1, inside);
        const index_t left = left_ok ? lo : boundary(std::max<index_t>(std::min(lo, p), 0), p, -1, inside);
        return right - left + 1;
    }

private:
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

    Values v_;
    index_t n_;
    const ValueIndex<Values>& index_;
};


// Each value carries a payload (its original index, or a per-sample radius)
// and the (value, payload) pairs are sorted, a total order: the result does
// not depend on the thread count.
template <class Payload = index_t>
class Sorted1D {
public:
    using Item = std::pair<double, Payload>;

    // payload(i) gives sample i's payload; the default is i itself.
    template <class PayloadFn>
    Sorted1D(const double* x, index_t stride, index_t n, const Ctx& ctx, PayloadFn payload)
        : v_(static_cast<size_t>(n)) {
        parallel_blocks(n, 1 << 16, ctx, [&](index_t, index_t s, index_t e) {
            for (index_t i = s; i < e; ++i) v_[i] = Item{x[i * stride], payload(i)};
        });
        poll_interrupt(ctx);
        parallel_sort(ctx);
        index_ = ValueIndex<Values>(Values{v_.data()}, n);
        poll_interrupt(ctx);
    }

    Sorted1D(const double* x, index_t stride, index_t n, const Ctx& ctx)
        : Sorted1D(x, stride, n, ctx, [](index_t i) { return static_cast<Payload>(i); }) {}

    index_t size() const { return static_cast<index_t>(v_.size()); }
    double value(index_t p) const { return v_[p].first; }
    const Payload& payload(index_t p) const { return v_[p].second; }

    // A counter of the samples within a reduced distance of position p (see
    // SortedCounter); use one per run of increasing positions.
    struct Values {
        const Item* v;
        double operator()(index_t j) const { return v[j].first; }
    };
    template <class Metric>
    SortedCounter<Metric, Values> counter() const {
        return SortedCounter<Metric, Values>(Values{v_.data()}, size(), index_);
    }

private:
    // Sorts chunks on separate threads, then merges them pairwise. The
    // (value, index) order is total, so the result never depends on threads.
    void parallel_sort(const Ctx& ctx) {
        const index_t n = size();
        index_t chunks = 1;
        while (chunks < ctx.n_threads && chunks < 64 && n / (chunks * 2) >= (index_t(1) << 14)) chunks *= 2;
        if (chunks == 1) {
            std::sort(v_.begin(), v_.end());
            return;
        }
        std::vector<index_t> bound(static_cast<size_t>(chunks) + 1);
        for (index_t c = 0; c <= chunks; ++c) bound[c] = n * c / chunks;
        parallel_blocks(chunks, 1, ctx, [&](index_t c, index_t, index_t) {
            std::sort(v_.begin() + bound[c], v_.begin() + bound[c + 1]);
        });
        std::vector<Item> tmp(v_.size());
        for (index_t width = 1; width < chunks; width *= 2) {
            const index_t pairs = chunks / (2 * width);
            parallel_blocks(pairs, 1, ctx, [&](index_t p, index_t, index_t) {
                const index_t a = bound[2 * p * width], m = bound[(2 * p + 1) * width], b = bound[(2 * p + 2) * width];
                std::merge(v_.begin() + a, v_.begin() + m, v_.begin() + m, v_.begin() + b, tmp.begin() + a);
            });
            v_.swap(tmp);
        }
    }

    std::vector<Item> v_;
    ValueIndex<Values> index_{Values{nullptr}, 0};
};

}  // namespace fastmi
