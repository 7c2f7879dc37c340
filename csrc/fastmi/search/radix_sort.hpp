// Sorting: a stable counting sort, the sorted order of n doubles with
// their original indices (SortedValues: a radix sort on the top bits,
// std::sort for small n), the same order for any thread count, and a radix
// sort of non-negative integer keys (radix_sort_keys).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "fastmi/runtime/parallel.hpp"

namespace fastmi {

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
        const Ctx sctx = ctx.capped(n < (index_t(1) << 20) ? 1 : n >> 18);
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

// Sorts non-negative keys, all <= max_key, ascending: an LSD radix sort on
// 11-bit digits, as many as max_key needs (a few sequential passes, O(n)
// time and memory, and interruptible, unlike std::sort).
inline void radix_sort_keys(std::vector<index_t>& keys, index_t max_key, const Ctx& ctx) {
    constexpr int kBits = 11;
    constexpr index_t kBuckets = index_t(1) << kBits;
    const index_t n = static_cast<index_t>(keys.size());
    std::vector<index_t> out(keys.size()), at(static_cast<size_t>(kBuckets) + 1);
    WorkPoll poll(ctx);
    for (int shift = 0; shift < 63 && (max_key >> shift) > 0; shift += kBits) {
        auto digit = [&](index_t i) { return (keys[i] >> shift) & (kBuckets - 1); };
        std::fill(at.begin(), at.end(), 0);
        for_polled(n, poll, [&](index_t i) { ++at[digit(i) + 1]; });
        for (index_t d = 0; d < kBuckets; ++d) at[d + 1] += at[d];
        for_polled(n, poll, [&](index_t i) { out[at[digit(i)]++] = keys[i]; });
        keys.swap(out);
    }
}

}  // namespace fastmi
