// One dimension without a tree: the values sorted once (SortedValues, a
// radix sort), located by value (ValueIndex), and per-sample counts of the
// samples within a per-sample radius (count_sorted), made in sorted order so
// that the searches touch only nearby memory.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
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
        if (wide_) start64_.resize(static_cast<size_t>(buckets) + 1);
        else start32_.resize(static_cast<size_t>(buckets) + 1);
        index_t b = 0;
        for (index_t j = 0; j < n; ++j)
            for (const index_t bj = bucket(v(j)); b <= bj; ++b) set_start(b, j);
        for (; b <= buckets; ++b) set_start(b, n);
    }

    // The last j with v[j] <= t, or -1 when there is none.
    FASTMI_INLINE index_t last_at_most(double t) const {
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

    FASTMI_INLINE index_t operator()(index_t p, double r) const {
        const auto lr = bounds(p, r);
        return lr.second - lr.first + 1;
    }

    // The first and last positions j with Metric::point(v[j], v[p]) <= r.
    FASTMI_INLINE std::pair<index_t, index_t> bounds(index_t p, double r) const {
        const double q = v_(p);
        auto inside = [&](index_t j) {
            const double u = v_(j);
            return Metric::point(&u, &q, 1) <= r;
        };
        // p itself inside the radius: the searches below rely on it to stay
        // between p and the ends (a NaN value or radius, from input changed
        // during the call, would break it)
        if (!inside(p)) return {p, p};
        const double reach = Metric::expand(r);
        const index_t hi = index_.last_at_most(q + reach);
        const index_t lo = index_.last_at_most(q - reach) + 1;
        // usually exact: hi inside and hi + 1 outside (or past the end), and
        // likewise lo; otherwise settle from there
        const bool right_ok = hi >= p && inside(hi) && (hi + 1 == n_ || !inside(hi + 1));
        const bool left_ok = lo <= p && inside(lo) && (lo == 0 || !inside(lo - 1));
        const index_t right = right_ok ? hi : boundary(std::min(std::max(hi, p), n_ - 1), p, +1, inside);
        const index_t left = left_ok ? lo : boundary(std::max<index_t>(std::min(lo, p), 0), p, -1, inside);
        return {left, right};
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


// A stable counting sort: calls place(i, dest) for every item i in [0, n),
// dest being where item i goes when the items are ordered by bucket(i) in
// [0, n_buckets), ties in item order. The destinations are unique, so they
// never depend on the thread count.
template <class Bucket, class Place>
void counting_sort(index_t n, index_t n_buckets, const Ctx& ctx, Bucket&& bucket, Place&& place) {
    const index_t block = std::max<index_t>(index_t(1) << 15, (n + 4 * ctx.n_threads - 1) / (4 * ctx.n_threads));
    const index_t blocks = n_blocks(n, block);
    std::vector<index_t> at(static_cast<size_t>(blocks * n_buckets), 0);
    parallel_blocks(n, block, ctx, [&](index_t b, index_t s, index_t e) {
        index_t* h = &at[static_cast<size_t>(b * n_buckets)];
        for (index_t i = s; i < e; ++i) ++h[bucket(i)];
    });
    index_t run = 0;
    for (index_t d = 0; d < n_buckets; ++d)
        for (index_t b = 0; b < blocks; ++b) {
            index_t& h = at[static_cast<size_t>(b * n_buckets + d)];
            const index_t c = h;
            h = run;
            run += c;
        }
    parallel_blocks(n, block, ctx, [&](index_t b, index_t s, index_t e) {
        index_t* h = &at[static_cast<size_t>(b * n_buckets)];
        for (index_t i = s; i < e; ++i) place(i, h[bucket(i)]++);
    });
}

// An unsigned key with the order of the doubles (finite; -0.0 as 0.0).
inline std::uint64_t order_key(double v) {
    v += 0.0;
    std::uint64_t u;
    std::memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : (u | (std::uint64_t(1) << 63));
}

// The double of an order_key.
inline double key_value(std::uint64_t u) {
    u = (u >> 63) ? (u & ~(std::uint64_t(1) << 63)) : ~u;
    double v;
    std::memcpy(&v, &u, sizeof v);
    return v;
}

// The n values of x ascending, with their original indices; equal values in
// index order. LSD radix sort on 11-bit digits of the top 33 bits of the
// keys (passes where every key has the same digit skipped), then the runs
// that agree on those bits (rare for continuous data; whole tie groups for
// near-discrete data) ordered by the full key; std::sort for small n. The
// order is the unique (value, index) order either way. x is read once: the
// sorted values are those of the sorted keys, so they stay sorted even if x
// changes meanwhile (-0.0 reads as 0.0).
struct SortedValues {
    std::vector<double> value;
    std::vector<index_t> index;

    index_t size() const { return static_cast<index_t>(value.size()); }

    // Empty; a caller that knows the order fills value and index itself.
    SortedValues() = default;

    // x[i * stride], i < n
    SortedValues(const double* x, index_t n, const Ctx& ctx, index_t stride = 1)
        : value(static_cast<size_t>(n)), index(static_cast<size_t>(n)) {
        if (n < (index_t(1) << 12)) {
            std::vector<std::pair<std::uint64_t, index_t>> items(static_cast<size_t>(n));
            for (index_t i = 0; i < n; ++i) items[i] = {order_key(x[i * stride]), i};
            std::sort(items.begin(), items.end());
            for (index_t p = 0; p < n; ++p) {
                value[p] = key_value(items[p].first);
                index[p] = items[p].second;
            }
        } else {
            radix_sort(x, stride, n, ctx);
        }
    }

private:
    static constexpr int kBits = 11, kPasses = 3, kLow = 64 - kBits * kPasses;

    void radix_sort(const double* x, index_t stride, index_t n, const Ctx& ctx) {
        // Threads only pay off on large arrays (each pass is a few
        // memory-bound sweeps); the result is the same either way.
        Ctx sctx = ctx;
        sctx.n_threads = n < (index_t(1) << 20) ? 1 : static_cast<int>(std::min<index_t>(ctx.n_threads, n >> 18));
        constexpr index_t buckets = index_t(1) << kBits;
        std::vector<std::uint64_t> key(static_cast<size_t>(n)), key2(static_cast<size_t>(n));
        std::vector<index_t> index2(static_cast<size_t>(n));
        parallel_blocks(n, 1 << 16, sctx, [&](index_t, index_t s, index_t e) {
            for (index_t i = s; i < e; ++i) {
                key[i] = order_key(x[i * stride]);
                index[i] = i;
            }
        });
        auto digit = [&](index_t i, int pass) {
            return static_cast<index_t>((key[i] >> (kLow + pass * kBits)) & (buckets - 1));
        };
        auto place = [&](index_t i, index_t at) {
            key2[at] = key[i];
            index2[at] = index[i];
        };
        // one thread: every digit's histogram in one sweep, one scatter per digit
        std::vector<index_t> hist(static_cast<size_t>(sctx.n_threads == 1 ? kPasses * buckets : 0), 0);
        if (sctx.n_threads == 1)
            for (index_t i = 0; i < n; ++i)
                for (int d = 0; d < kPasses; ++d) ++hist[static_cast<size_t>(d * buckets + digit(i, d))];
        for (int d = 0; d < kPasses; ++d) {
            const index_t first = digit(0, d);
            if (sctx.n_threads == 1) {
                index_t* h = &hist[static_cast<size_t>(d * buckets)];
                if (h[first] == n) continue;  // one digit value: nothing to do
                index_t run = 0;
                for (index_t b = 0; b < buckets; ++b) {
                    const index_t c = h[b];
                    h[b] = run;
                    run += c;
                }
                for (index_t i = 0; i < n; ++i) place(i, h[digit(i, d)]++);
            } else {
                bool same = true;
                for (index_t i = 1; i < n && same; ++i) same = digit(i, d) == first;
                if (same) continue;
                counting_sort(n, buckets, sctx, [&](index_t i) { return digit(i, d); }, place);
            }
            key.swap(key2);
            index.swap(index2);
            poll_interrupt(sctx);
        }
        // runs equal in the top bits, each still in index order
        std::vector<std::pair<std::uint64_t, index_t>> items;
        for (index_t a = 0; a < n;) {
            const std::uint64_t top = key[a] >> kLow;
            index_t b = a + 1;
            while (b < n && (key[b] >> kLow) == top) ++b;
            if (b - a <= 32) {
                for (index_t p = a + 1; p < b; ++p) {  // insertion sort, stable
                    const std::uint64_t kp = key[p];
                    const index_t ip = index[p];
                    index_t q = p;
                    for (; q > a && key[q - 1] > kp; --q) {
                        key[q] = key[q - 1];
                        index[q] = index[q - 1];
                    }
                    key[q] = kp;
                    index[q] = ip;
                }
            } else {
                items.resize(static_cast<size_t>(b - a));
                for (index_t p = a; p < b; ++p) items[p - a] = {key[p], index[p]};
                std::sort(items.begin(), items.end());
                for (index_t p = a; p < b; ++p) {
                    key[p] = items[p - a].first;
                    index[p] = items[p - a].second;
                }
            }
            a = b;
        }
        parallel_blocks(n, 1 << 16, sctx, [&](index_t, index_t s, index_t e) {
            for (index_t p = s; p < e; ++p) value[p] = key_value(key[p]);
        });
    }
};

// For every sample i, in sorted order: sink(block, i, c), c the number of
// samples (i itself included) whose reduced distance from sample i is at
// most rd_i = reduce(radius[i]). Blocks of positions are fixed, so per-block
// results combined in block order do not depend on the thread count.
// Returns the number of blocks.
template <class Metric, class Reduce, class Sink>
index_t count_sorted(const SortedValues& s, const ValueIndex<>& index, const double* radius, Reduce&& reduce,
                     const Ctx& ctx, Sink&& sink) {
    const index_t n = s.size();
    parallel_blocks(n, kQueryBlock, ctx, [&](index_t b, index_t lo, index_t hi) {
        const SortedCounter<Metric> count(s.value.data(), n, index);
        double rd[kQueryBlock];  // gathered first: no load in a search chain waits on memory
        for (index_t p = lo; p < hi; ++p) rd[p - lo] = reduce(radius[s.index[p]]);
        for (index_t p = lo; p < hi; ++p) sink(b, s.index[p], count(p, rd[p - lo]));
    });
    return n_blocks(n, kQueryBlock);
}

}  // namespace fastmi
