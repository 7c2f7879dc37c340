// Counts of samples in per-sample axis-parallel rectangles of one-dimensional
// coordinates, offline: a max-norm ball in the plane of two 1-D variables
// is a square, that is one window of sorted positions per variable, and the
// number of samples in a product of windows is a two-dimensional dominance
// count. The windows come from exact distance tests (SortedCounter::bounds),
// so the counts equal those of any exact search. One variable is swept in
// sorted order while a Fenwick tree per other variable holds the ranks of
// the samples met so far; each sample asks two prefix counts per tree (at
// the start and past the end of its window). O(n log n) time whatever the
// counts are, O(n) memory; the sweep is cut into one piece per thread, each
// starting from a tree built in O(n) from the samples before it. Where the
// windows are narrow (a count reads fewer words of 64 positions than a tree
// walk reads levels) a bit set of the positions met replaces each tree: a
// count is then a popcount of the window's words.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "fastmi/runtime/clones.hpp"
#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/radix_sort.hpp"
#include "fastmi/search/sorted1d.hpp"

namespace fastmi {

// Counts over positions [0, n) with O(log n) insertion and prefix count.
class Fenwick {
public:
    explicit Fenwick(index_t n) : n_(n), t_(static_cast<size_t>(n) + 1, 0) {
        while ((index_t(1) << bits_) <= n) ++bits_;
    }

    // The positions [0, m) of `order` already inserted, in O(n).
    template <class Rank>
    void fill_first(index_t m, Rank&& rank) {
        for (index_t p = 0; p < m; ++p) ++t_[static_cast<size_t>(rank(p)) + 1];
        for (index_t i = 1; i <= n_; ++i) {
            const index_t j = i + (i & -i);
            if (j <= n_) t_[j] += t_[i];
        }
    }
    // Number of inserted positions in [begin, end), begin <= end <= n: the
    // two prefix walks interleaved (uint32 arithmetic wraps back).
    FASTMI_INLINE std::uint32_t range(index_t begin, index_t end) const {
        std::uint32_t s = 0;
        for (int b = 0; b < bits_; ++b) {
            s += t_[static_cast<size_t>(end)] - t_[static_cast<size_t>(begin)];
            end &= end - 1;
            begin &= begin - 1;
        }
        return s;
    }
    FASTMI_INLINE void add(index_t pos) {
        for (index_t i = pos + 1; i <= n_; i += i & -i) ++t_[i];
    }
    // Number of inserted positions < end (end <= n): one step per bit of n,
    // the same number whatever end is (no mispredicted loop exit; once end's
    // bits are all cleared the steps add t_[0], which stays 0).
    FASTMI_INLINE std::uint32_t prefix(index_t end) const {
        std::uint32_t s = 0;
        index_t i = end;
        for (int b = 0; b < bits_; ++b) {
            s += t_[static_cast<size_t>(i)];
            i &= i - 1;
        }
        return s;
    }

private:
    index_t n_;
    int bits_ = 0;  // n < 2^bits_
    std::vector<std::uint32_t> t_;
};

// Set bits of v (a builtin where the compiler has one; MSVC's __popcnt64
// needs a CPU check, so the portable form serves there).
FASTMI_INLINE int popcount64(std::uint64_t v) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_popcountll(v);
#else
    v = v - ((v >> 1) & 0x5555555555555555ULL);
    v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
    v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return static_cast<int>((v * 0x0101010101010101ULL) >> 56);
#endif
}

// The same counts over positions [0, n) held as bits: O(1) insertion, a
// count in O(1 + width / 64).
class PositionBits {
public:
    explicit PositionBits(index_t n) : w_(static_cast<size_t>(n / 64 + 1), 0) {}

    template <class Rank>
    void fill_first(index_t m, Rank&& rank) {
        for (index_t p = 0; p < m; ++p) add(rank(p));
    }
    // Number of inserted positions in [begin, end), begin <= end <= n.
    FASTMI_INLINE std::uint32_t range(index_t begin, index_t end) const {
        if (begin == end) return 0;
        const index_t last = end - 1;
        const size_t a = static_cast<size_t>(begin >> 6), b = static_cast<size_t>(last >> 6);
        const std::uint64_t head = ~std::uint64_t(0) << (begin & 63);
        const std::uint64_t tail = ~std::uint64_t(0) >> (63 - (last & 63));
        if (a == b) return static_cast<std::uint32_t>(popcount64(w_[a] & head & tail));
        std::uint32_t s = static_cast<std::uint32_t>(popcount64(w_[a] & head) + popcount64(w_[b] & tail));
        for (size_t i = a + 1; i < b; ++i) s += static_cast<std::uint32_t>(popcount64(w_[i]));
        return s;
    }
    FASTMI_INLINE void add(index_t pos) { w_[static_cast<size_t>(pos >> 6)] |= std::uint64_t(1) << (pos & 63); }

private:
    std::vector<std::uint64_t> w_;
};

// One 1-D variable: rank[i], sample i's position in sorted order, and its
// window [lo[i], hi[i]] of positions within the reduced radius rd[i] of it
// (i itself included). Requires n < 2^32.
struct RankWindows {
    std::vector<std::uint32_t> rank, lo, hi;

    // index: s's ValueIndex when one is at hand (built here otherwise).
    template <class Norm>
    static RankWindows of(const SortedValues& s, const double* rd, const Ctx& ctx, const ValueIndex* given = nullptr) {
        const index_t n = s.size();
        RankWindows w;
        w.rank.resize(static_cast<size_t>(n));
        w.lo.resize(static_cast<size_t>(n));
        w.hi.resize(static_cast<size_t>(n));
        std::unique_ptr<ValueIndex> own;
        if (given == nullptr) own = std::make_unique<ValueIndex>(s.value.data(), n);
        const ValueIndex& index = given != nullptr ? *given : *own;
        parallel_blocks(n, kQueryBlock, ctx, [&](index_t, index_t a, index_t b) {
            const SortedCounter<Norm> count(s.value.data(), n, index);
            for (index_t p = a; p < b; ++p) {
                const index_t i = s.index[p];
                const auto lr = count.bounds(p, rd[i]);
                w.rank[i] = static_cast<std::uint32_t>(p);
                w.lo[i] = static_cast<std::uint32_t>(lr.first);
                w.hi[i] = static_cast<std::uint32_t>(lr.second);
            }
        });
        return w;
    }
};

// The sweep of rectangle_counts over times [from, to), on counters of type
// Counter (Fenwick or PositionBits) that hold the positions met before
// `from`; compiled for AVX2 and for the baseline (with AVX2 a popcount is
// one instruction). Neither polls nor allocates: an exception must not
// leave a target_clones function (GCC takes a call of one for nothrow, so
// it would end the process); the caller polls between calls.
struct SweepPlan {
    const std::vector<index_t>* order;
    const std::vector<const RankWindows*>* others;
    const std::uint32_t *start_at, *end_at, *by_start, *by_end;
    std::vector<std::vector<std::uint32_t>>*before, *through;
};

template <class Counter>
FASTMI_INLINE void sweep_times(const SweepPlan& plan, std::vector<Counter>& trees, index_t from, index_t to) {
    const std::vector<index_t>& order = *plan.order;
    const auto& others = *plan.others;
    const index_t n = static_cast<index_t>(order.size());
    const size_t m = others.size();
    for (index_t time = from; time < to; ++time) {
        // the tree holds positions < time: the samples before a window
        // starting here, or the whole window of one ending at time - 1
        for (std::uint32_t e = plan.start_at[time]; e < plan.start_at[time + 1]; ++e) {
            const std::uint32_t i = plan.by_start[e];
            for (size_t u = 0; u < m; ++u) {
                const RankWindows& w = *others[u];
                (*plan.before)[u][i] = trees[u].range(w.lo[i], w.hi[i] + 1);
            }
        }
        for (std::uint32_t e = plan.end_at[time]; e < plan.end_at[time + 1]; ++e) {
            const std::uint32_t i = plan.by_end[e];
            for (size_t u = 0; u < m; ++u) {
                const RankWindows& w = *others[u];
                (*plan.through)[u][i] = trees[u].range(w.lo[i], w.hi[i] + 1);
            }
        }
        if (time < n)
            for (size_t u = 0; u < m; ++u) trees[u].add(others[u]->rank[order[time]]);
    }
}

FASTMI_CLONES inline void sweep_times_fenwick(const SweepPlan& plan, std::vector<Fenwick>& trees, index_t from,
                                              index_t to) {
    sweep_times(plan, trees, from, to);
}
FASTMI_CLONES inline void sweep_times_bits(const SweepPlan& plan, std::vector<PositionBits>& trees, index_t from,
                                           index_t to) {
    sweep_times(plan, trees, from, to);
}

// One piece of the sweep, times [t0, t1): counters filled with the
// positions before t0, then swept, polling every 4096 times.
template <class Counter, class Sweep>
void sweep_piece(const SweepPlan& plan, index_t t0, index_t t1, const Ctx& ctx, Sweep&& sweep) {
    const std::vector<index_t>& order = *plan.order;
    const index_t n = static_cast<index_t>(order.size());
    std::vector<Counter> trees;
    for (const RankWindows* w : *plan.others) {
        trees.emplace_back(n);
        trees.back().fill_first(std::min(t0, n), [&](index_t p) { return w->rank[order[p]]; });
    }
    for (index_t from = t0; from < t1; from += 4096) {
        poll_interrupt(ctx);
        sweep(plan, trees, from, std::min(t1, from + 4096));
    }
}

// counts[u][i] = #{j : rank_t(j) in [t.lo[i], t.hi[i]] and rank_u(j) in
// [u.lo[i], u.hi[i]]} (i itself included) for every variable u of `others`,
// sweeping along the variable t whose sorted order is `order` (order[p] =
// the sample at position p).
inline std::vector<std::vector<std::uint32_t>> rectangle_counts(const std::vector<index_t>& order,
                                                                const RankWindows& t,
                                                                const std::vector<const RankWindows*>& others,
                                                                const Ctx& ctx) {
    const index_t n = static_cast<index_t>(order.size());
    const size_t m = others.size();
    // samples by window start, and by one past the window end
    std::vector<std::uint32_t> start_at(static_cast<size_t>(n) + 2, 0), end_at(static_cast<size_t>(n) + 2, 0);
    for (index_t i = 0; i < n; ++i) {
        ++start_at[t.lo[i] + 1];
        ++end_at[t.hi[i] + 2];
    }
    for (index_t p = 0; p <= n; ++p) {
        start_at[p + 1] += start_at[p];
        end_at[p + 1] += end_at[p];
    }
    std::vector<std::uint32_t> by_start(static_cast<size_t>(n)), by_end(static_cast<size_t>(n));
    {
        std::vector<std::uint32_t> fs(start_at.begin(), start_at.end() - 1), fe(end_at.begin(), end_at.end() - 1);
        for (index_t i = 0; i < n; ++i) {
            by_start[fs[t.lo[i]]++] = static_cast<std::uint32_t>(i);
            by_end[fe[t.hi[i] + 1]++] = static_cast<std::uint32_t>(i);
        }
    }
    // bit sets where a count reads fewer words than a tree walk reads levels
    double words = 0.0;
    for (size_t u = 0; u < m; ++u)
        for (index_t i = 0; i < n; ++i) words += (others[u]->hi[i] - others[u]->lo[i]) / 64.0 + 2.0;
    int depth = 1;
    while ((index_t(1) << depth) <= n) ++depth;
    const bool bits = words < static_cast<double>(depth) * static_cast<double>(m) * static_cast<double>(n);
    std::vector<std::vector<std::uint32_t>> before(m, std::vector<std::uint32_t>(static_cast<size_t>(n))),
        through(m, std::vector<std::uint32_t>(static_cast<size_t>(n)));
    const SweepPlan plan{&order, &others, start_at.data(), end_at.data(), by_start.data(), by_end.data(), &before,
                         &through};
    const index_t pieces = std::max<index_t>(1, std::min<index_t>(ctx.n_threads, n / 4096));
    const index_t span = (n + 1 + pieces - 1) / pieces;  // times 0..n
    parallel_blocks(pieces, 1, ctx, [&](index_t piece, index_t, index_t) {
        const index_t t0 = piece * span, t1 = std::min(n + 1, t0 + span);
        if (bits)
            sweep_piece<PositionBits>(plan, t0, t1, ctx, sweep_times_bits);
        else
            sweep_piece<Fenwick>(plan, t0, t1, ctx, sweep_times_fenwick);
    });
    for (size_t u = 0; u < m; ++u) {
        for (index_t i = 0; i < n; ++i) through[u][i] -= before[u][i];
        std::vector<std::uint32_t>().swap(before[u]);
    }
    return through;
}

}  // namespace fastmi
