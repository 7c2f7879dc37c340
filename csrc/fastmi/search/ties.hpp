// Tie detection: for every column of one or several arrays, how many
// samples share their value with another sample, and how many distinct
// values there are, in O(n) (count_ties: hashing, no full sort); columns
// run in parallel when there are at least as many as threads. Exact
// comparisons (-0.0 equals 0.0). The counts never depend on the thread
// count. And the 1-D KSG estimate that scans the sorted orders it builds
// anyway, so that data without ties pay nothing for the check (likewise
// the 1-D KL entropy).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "fastmi/estimators/entropy.hpp"
#include "fastmi/estimators/ksg.hpp"
#include "fastmi/runtime/columns.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/radix_sort.hpp"

namespace fastmi {

struct TieCount {
    index_t tied = 0;      // samples whose value some other sample also has
    index_t distinct = 0;  // distinct values
};

// Sorted values v[0..n): tied samples and distinct values, one pass.
inline TieCount count_ties_sorted(const double* v, index_t n) {
    TieCount t;
    for (index_t a = 0; a < n;) {
        index_t b = a + 1;
        while (b < n && v[b] == v[a]) ++b;
        if (b - a > 1) t.tied += b - a;
        ++t.distinct;
        a = b;
    }
    return t;
}

// A hash of a value's order key (equal values, -0.0 and 0.0 included, have
// equal keys and so equal hashes): MurmurHash3's finaliser, which mixes
// every bit of the key into every bit of the hash (keys of integer-valued
// doubles differ in their top bits only).
FASTMI_INLINE std::uint64_t tie_mix(std::uint64_t key) {
    key ^= key >> 33;
    key *= 0xFF51AFD7ED558CCDull;
    key ^= key >> 33;
    key *= 0xC4CEB9FE1A85EC53ull;
    key ^= key >> 33;
    return key;
}

// Ties of x[i * stride], i < n, without sorting the n values. The order
// keys are scattered into 256 buckets by the top 8 bits of their hash (two
// streaming passes); within a bucket of m keys (a few thousand per million
// samples: cache-resident), one pass sets a bit per key in a table of at
// least 16 m bits and marks the bits found set already. Every repeated
// value lands on a marked bit, and so does about one distinct value in 16;
// only the keys on marked bits are sorted and scanned. O(n) time for
// continuous data, up to a sort of the tied values for heavily tied data.
inline TieCount count_ties(const double* x, index_t n, index_t stride, const Ctx& ctx) {
    constexpr int kTop = 8;
    constexpr index_t kBuckets = index_t(1) << kTop;
    TieCount t;
    if (n < 2) {
        t.distinct = n;
        return t;
    }
    WorkPoll poll(ctx);
    // tie_mix is a bijection: equal hashes are equal keys, so the hashes
    // alone are bucketed. Each value's bucket is kept from the counting pass
    // (one byte): x is the caller's array, which another thread may change
    // meanwhile, and the placement must agree with the counts whatever it
    // reads the second time (memory safety; the counts are then meaningless).
    std::vector<index_t> start(static_cast<size_t>(kBuckets) + 1, 0);
    std::unique_ptr<std::uint8_t[]> bucket(new std::uint8_t[static_cast<size_t>(n)]);  // all written next
    for_polled(n, poll, [&](index_t i) {
        const auto b = static_cast<std::uint8_t>(tie_mix(order_key(x[i * stride])) >> (64 - kTop));
        bucket[i] = b;
        ++start[b + 1];
    });
    for (index_t b = 0; b < kBuckets; ++b) start[b + 1] += start[b];
    std::unique_ptr<std::uint64_t[]> bucketed(new std::uint64_t[static_cast<size_t>(n)]);  // all written next
    {
        std::vector<index_t> at(start.begin(), start.end() - 1);
        for_polled(n, poll, [&](index_t i) { bucketed[at[bucket[i]]++] = tie_mix(order_key(x[i * stride])); });
    }
    bucket.reset();
    std::vector<std::uint64_t> seen, twice, candidates;
    for (index_t b = 0; b < kBuckets; ++b) {
        const index_t s = start[b], m = start[b + 1] - s;
        poll.add(m);
        if (m < 2) {
            t.distinct += m;
            continue;
        }
        int bits = 6;
        while (bits < 56 && (index_t(1) << bits) < 16 * m) ++bits;
        const size_t words = size_t(1) << (bits - 6);
        seen.assign(words, 0);
        twice.assign(words, 0);
        const std::uint64_t* hb = bucketed.get() + s;
        bool marked = false;
        for (index_t p = 0; p < m; ++p) {
            const std::uint64_t slot = (hb[p] << kTop) >> (64 - bits);
            const std::uint64_t bit = std::uint64_t(1) << (slot & 63);
            const std::uint64_t w = seen[slot >> 6];
            marked |= (w & bit) != 0;
            twice[slot >> 6] |= w & bit;
            seen[slot >> 6] = w | bit;
        }
        if (!marked) {
            t.distinct += m;
            continue;
        }
        candidates.clear();
        for (index_t p = 0; p < m; ++p) {
            const std::uint64_t slot = (hb[p] << kTop) >> (64 - bits);
            if (twice[slot >> 6] & (std::uint64_t(1) << (slot & 63))) candidates.push_back(hb[p]);
        }
        std::sort(candidates.begin(), candidates.end());
        const index_t c = static_cast<index_t>(candidates.size());
        for (index_t a = 0; a < c;) {
            index_t e = a + 1;
            while (e < c && candidates[e] == candidates[a]) ++e;
            if (e - a > 1) t.tied += e - a;
            ++t.distinct;
            a = e;
        }
        t.distinct += m - c;  // the keys on unmarked bits occur once each
    }
    return t;
}

// Column c: cols[c][i * strides[c]], i < n.
inline void column_ties(const double* const* cols, const std::int64_t* strides, int d, index_t n, const Ctx& ctx,
                        std::int64_t* tied, std::int64_t* distinct) {
    parallel_tasks(d, ctx, [&](index_t c, const Ctx& cctx) {
        const TieCount t = count_ties(cols[c], n, strides[c], cctx);
        tied[c] = t.tied;
        distinct[c] = t.distinct;
    });
}

namespace entry {

// The binding's entry (entry.hpp's conventions: validated arguments, no
// exception escapes a parallel region, Ctrl-C polled between blocks): the
// d columns cols[c] (n values each, strides[c] apart) of one or several
// caller-owned arrays.
inline void column_ties(const double* const* cols, const std::int64_t* strides, int d, std::int64_t n, int n_threads,
                        InterruptFn check, std::int64_t* tied, std::int64_t* distinct) {
    check_invariant(n >= 1 && d >= 1, "column_ties needs n >= 1 and d >= 1");
    const Ctx ctx = Ctx::make(n_threads, check, n * d, Grain::scan);
    fastmi::column_ties(cols, strides, d, n, ctx, tied, distinct);
}

// KSG algorithm 1 (published) between the plain 1-D columns x and y, as
// ksg_mi_nats computes it (the same sorted orders, the same numbers), but
// only when neither column has repeated values: the sorted orders that the
// estimator builds anyway are scanned for ties first (O(n), nearly free).
// *tied_x and *tied_y receive the tied-sample counts; when either is
// non-zero nothing is estimated and NaN is returned.
inline double ksg1_nats_if_untied(const double* x, const double* y, std::int64_t n, int k, int n_threads,
                                  InterruptFn check, std::int64_t* zero_radius, std::int64_t* tied_x,
                                  std::int64_t* tied_y) {
    const Ctx ctx = Ctx::make(n_threads, check, n, Grain::tree);  // ksg_mi_nats's
    check_invariant(k >= 1 && k < n, "KSG needs 1 <= k < n");
    const SortedValues xs(x, n, ctx);
    *tied_x = count_ties_sorted(xs.value.data(), n).tied;
    const SortedValues ys(y, n, ctx);
    *tied_y = count_ties_sorted(ys.value.data(), n).tied;
    *zero_radius = 0;
    if (*tied_x != 0 || *tied_y != 0) return std::numeric_limits<double>::quiet_NaN();
    poll_interrupt(ctx);
    const KsgResult r = ksg1<MaxNorm>(Columns::of(x, n, 1), Columns::of(y, n, 1), k, Bound::strict,
                                      Summation::blocks, ctx, SortedColumn{&ys, nullptr}, SortedColumn{&xs, nullptr});
    *zero_radius = r.zero_radius;
    return r.mi_nats;
}

// The Kozachenko-Leonenko entropy of the plain 1-D column x, as
// kl_entropy_nats computes it, but only when x has no repeated values (the
// sorted order it builds anyway is scanned first). *tied receives the
// tied-sample count; when it is non-zero NaN is returned.
inline double kl1_nats_if_untied(const double* x, std::int64_t n, int k, int n_threads, InterruptFn check,
                                 std::int64_t* zero_radius, std::int64_t* tied) {
    const Ctx ctx = Ctx::make(n_threads, check, n, Grain::tree);  // kl_entropy_nats's
    check_invariant(k >= 1 && k < n, "KL entropy needs 1 <= k < n");
    const SortedValues s(x, n, ctx);
    *tied = count_ties_sorted(s.value.data(), n).tied;
    *zero_radius = 0;
    if (*tied != 0) return std::numeric_limits<double>::quiet_NaN();
    poll_interrupt(ctx);
    const EntropyResult r = kl_entropy_sorted(s.value.data(), n, k, ctx);
    *zero_radius = r.zero_radius;
    return r.h_nats;
}

}  // namespace entry
}  // namespace fastmi
