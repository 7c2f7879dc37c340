// Tie detection: for every column of a strided block, how many samples
// share their value with another sample, and how many distinct values
// there are. Two O(n) hashing passes per column, then a sort and an O(m)
// scan of the m values that may repeat (count_ties); columns run in
// parallel when there are at least as many as threads. Exact comparisons
// (-0.0 equals 0.0). The counts never depend on the thread count.
#pragma once

#include <cstdint>
#include <vector>

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

// A hash of a value's order key (equal values, -0.0 and 0.0 included,
// hash alike) to `bits` bits.
FASTMI_INLINE std::uint64_t tie_hash(double v, int bits) {
    return (order_key(v) * 0x9E3779B97F4A7C15ull) >> (64 - bits);
}

// Ties of x[i * stride], i < n, without sorting all n values. Pass 1 sets
// one bit per value in a table of at least 16 n bits (a few MB at most for
// a million samples, so it stays in cache) and marks the bits found set
// already: every repeated value lands on a marked bit, and so does about
// one distinct value in 16. Pass 2 gathers the values on marked bits, and
// only those are sorted and scanned: about n / 16 values for continuous
// data (O(n) time overall), up to n for heavily tied data.
inline TieCount count_ties(const double* x, index_t n, index_t stride, const Ctx& ctx) {
    int bits = 10;
    while (bits < 62 && (index_t(1) << bits) < 16 * n) ++bits;
    const size_t words = size_t(1) << (bits - 6);
    std::vector<std::uint64_t> seen(words, 0), twice(words, 0);
    WorkPoll poll(ctx);
    index_t marked = 0;
    for_polled(n, poll, [&](index_t i) {
        const std::uint64_t h = tie_hash(x[i * stride], bits);
        const std::uint64_t bit = std::uint64_t(1) << (h & 63);
        std::uint64_t& w = seen[h >> 6];
        if (w & bit) {
            twice[h >> 6] |= bit;
            ++marked;
        } else {
            w |= bit;
        }
    });
    if (marked == 0) return TieCount{0, n};
    std::vector<double> candidates;
    for_polled(n, poll, [&](index_t i) {
        const std::uint64_t h = tie_hash(x[i * stride], bits);
        if (twice[h >> 6] & (std::uint64_t(1) << (h & 63))) candidates.push_back(x[i * stride]);
    });
    const index_t m = static_cast<index_t>(candidates.size());
    const SortedValues s(candidates.data(), m, ctx);
    TieCount t = count_ties_sorted(s.value.data(), m);
    t.distinct += n - m;  // the values on unmarked bits occur once each
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

}  // namespace entry
}  // namespace fastmi
