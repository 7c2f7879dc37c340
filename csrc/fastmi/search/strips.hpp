// k-th nearest neighbour distances (max-norm) in the plane of two 1-D
// variables whose sorted orders are known, on "strips" of the x-sorted
// samples: typically several times faster than a KD-tree, which remains the
// fallback when the strips do not fit the data (x or y nearly constant at
// the scale of the neighbour distances).
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/radix_sort.hpp"
#include "fastmi/search/result_set.hpp"
#include "fastmi/search/sorted1d.hpp"

namespace fastmi {

// k-th nearest neighbour (max-norm) distances in the plane on "strips": the
// samples in x order cut into strips of strip_size consecutive samples, each strip
// listed in y order. A query looks at a fixed window of the entries nearest
// in y in its own strip, then in neighbouring strips, nearest in x first,
// until the x gap to the next strip reaches its current k-th distance; in
// each strip it walks on past the window while the y gap is below the k-th
// distance. The windows are branch-free: each strip is padded with entries
// at y = +inf, which are never closer than anything. Queries run strip by
// strip in y order, so the entry point into a neighbouring strip only moves
// forward (a "finger", no binary search). The distances are exact, so the
// result equals any other exact search.
class StripKnn {
public:
    StripKnn(const double* x, const SortedValues& xs, const SortedValues& ys, index_t n, int k, const Ctx& ctx)
        : x_(x), xs_(xs), n_(n), k_(k),
          strip_size_(std::clamp<index_t>(static_cast<index_t>(std::sqrt(static_cast<double>(k) * static_cast<double>(n))),
                                          64, kMaxStrip)),
          strips_(n_blocks(n, strip_size_)),
          entries_(static_cast<size_t>(kPad + strips_ * (strip_size_ + kPad))),
          entry_y_(entries_, std::numeric_limits<double>::infinity()),
          entry_x_(entries_, 0.0),
          entry_sample_(entries_, 0),
          entry_down_(entries_, 0),
          entry_up_(entries_, 0) {
        std::vector<std::int32_t> strip(static_cast<size_t>(n));  // of each sample
        parallel_blocks(strips_, std::max<index_t>(1, (index_t(1) << 16) / strip_size_), ctx,
                        [&](index_t, index_t s, index_t e) {
                            for (index_t t = s; t < e; ++t)  // no division per sample
                                for (index_t p = begin(t); p < end(t); ++p) strip[xs.index[p]] = static_cast<std::int32_t>(t);
                        });
        // y order, stably bucketed by strip
        auto place = [&](index_t q, index_t at) {
            const index_t i = ys.index[q];
            entry_y_[at] = ys.value[q];
            entry_x_[at] = x_[i];
            entry_sample_[at] = static_cast<std::uint32_t>(i);
        };
        if (ctx.n_threads == 1) {  // every strip's size is known: one pass
            // placed[t + 1]: the entries of strip t placed so far, which
            // are also the links into strip t of the next entry of t - 1 and t + 1
            std::vector<index_t> placed(static_cast<size_t>(strips_ + 2), 0);
            for (index_t q = 0; q < n; ++q) {
                const index_t t = strip[ys.index[q]];
                const index_t at = first(t) + placed[t + 1]++;
                place(q, at);
                entry_down_[at] = static_cast<std::uint16_t>(placed[t]);
                entry_up_[at] = static_cast<std::uint16_t>(placed[t + 2]);
            }
        } else {
            counting_sort(n, strips_, ctx, [&](index_t q) { return static_cast<index_t>(strip[ys.index[q]]); },
                          [&](index_t q, index_t g) { place(q, slot(g)); });
            parallel_blocks(strips_, std::max<index_t>(1, kQueryBlock / strip_size_), ctx,
                            [&](index_t, index_t s, index_t e) {
                                for (index_t t = s; t < e; ++t) link(t);
                            });
        }
    }

    // A lower bound on the mean number of search steps per sample, from 256
    // samples: the strips met by the x window of half-width kth_y (the k-th
    // neighbour distance in y alone, which the joint one is at least) plus
    // the own-strip entries within kth_x in y. Large when x (or y) is nearly
    // constant at the scale of the neighbour distances.
    double predicted_steps(const SortedValues& ys, const Ctx& ctx) const {
        const index_t m = std::min<index_t>(n_, 256);
        double steps = 0.0;
        WorkPoll poll(ctx);  // 2 k steps per sample
        for (index_t j = 0; j < m; ++j) {
            poll.add(2 * static_cast<std::int64_t>(k_));
            const index_t q = j * n_ / m;
            const double ky = kth_gap_sorted(ys.value.data(), n_, q, k_);
            const index_t i = ys.index[q];
            const double xi = x_[i];
            const auto lo = std::lower_bound(xs_.value.begin(), xs_.value.end(), xi - ky) - xs_.value.begin();
            const auto hi = std::upper_bound(xs_.value.begin(), xs_.value.end(), xi + ky) - xs_.value.begin();
            steps += 3.0 * static_cast<double>((std::max<index_t>(hi, lo + 1) - 1) / strip_size_ - lo / strip_size_ + 1);
            // own strip: the entries within kx of y_i (x_ read again: if it
            // changed meanwhile, xi may be above every sorted value)
            const index_t p = std::min<index_t>(
                std::lower_bound(xs_.value.begin(), xs_.value.end(), xi) - xs_.value.begin(), n_ - 1);
            const double kx = kth_gap_sorted(xs_.value.data(), n_, p, k_);
            const index_t t = p / strip_size_;
            const double yi = ys.value[q];
            const auto b = entry_y_.begin() + first(t), e = entry_y_.begin() + first(t) + length(t);
            steps += static_cast<double>(std::upper_bound(b, e, yi + kx) - std::lower_bound(b, e, yi - kx));
        }
        return steps / static_cast<double>(m);
    }

    // radius[i] for every sample; false (radius incomplete) when the search
    // took more than `budget` steps per sample in total.
    bool run(double* radius, double budget, const Ctx& ctx) const {
        switch (k_) {
            case 1: return run_k<1>(radius, budget, ctx);
            case 2: return run_k<2>(radius, budget, ctx);
            case 3: return run_k<3>(radius, budget, ctx);
            case 4: return run_k<4>(radius, budget, ctx);
            case 5: return run_k<5>(radius, budget, ctx);
            case 6: return run_k<6>(radius, budget, ctx);
            case 7: return run_k<7>(radius, budget, ctx);
            case 8: return run_k<8>(radius, budget, ctx);
            default: return run_k<0>(radius, budget, ctx);
        }
    }

private:
    static constexpr index_t kWindow = 4; // entries looked at on each side without a test
    static constexpr index_t kPad = kWindow + 1;
    static constexpr index_t kMaxStrip = 0xffff;  // positions in a strip fit 16 bits

    // strip t: sorted positions [begin(t), end(t)) in x order; entries
    // [first(t), first(t) + length(t)) in the padded y-ordered arrays
    index_t begin(index_t t) const { return t * strip_size_; }
    index_t end(index_t t) const { return std::min(n_, (t + 1) * strip_size_); }
    index_t first(index_t t) const { return kPad + t * (strip_size_ + kPad); }
    index_t length(index_t t) const { return end(t) - begin(t); }
    // g: position in strip order
    index_t slot(index_t g) const { return first(g / strip_size_) + g % strip_size_; }

    // The links of strip t's entries into strips t - 1 and t + 1 (which the
    // one-pass placement sets as it goes), by a walk in y order.
    void link(index_t t) {
        const double* sy = entry_y_.data();
        const index_t s = first(t), e = s + length(t);
        index_t down = t > 0 ? first(t - 1) : 0, up = t + 1 < strips_ ? first(t + 1) : 0;
        for (index_t j = s; j < e; ++j) {
            if (t > 0) {
                while (sy[down] < sy[j]) ++down;  // the padding (+inf) stops it
                entry_down_[j] = static_cast<std::uint16_t>(down - first(t - 1));
            }
            if (t + 1 < strips_) {
                while (sy[up] < sy[j]) ++up;
                entry_up_[j] = static_cast<std::uint16_t>(up - first(t + 1));
            }
        }
    }

    template <int K>
    bool run_k(double* radius, double budget, const Ctx& ctx) const {
        std::atomic<bool> over{false};
        std::atomic<std::int64_t> spent{0};
        const auto limit = static_cast<std::int64_t>(std::min(budget * static_cast<double>(n_), 9e18));
        const index_t per_block = std::max<index_t>(1, kQueryBlock / strip_size_);
        parallel_blocks(strips_, per_block, ctx, [&](index_t, index_t s, index_t e) {
            WorkPoll poll(ctx);  // a strip holds sqrt(k n) samples
            for (index_t t = s; t < e && !over.load(std::memory_order_relaxed); ++t)
                if (spent.fetch_add(query_strip<K>(t, radius, poll), std::memory_order_relaxed) > limit)
                    over.store(true, std::memory_order_relaxed);
        });
        return !over.load();
    }

    // Searches for the samples of strip t; returns the number of steps.
    // Polls after each sample: a step costs O(k) when k > 8.
    template <int K>
    std::int64_t query_strip(index_t t, double* radius, WorkPoll& poll) const {
        constexpr double inf = std::numeric_limits<double>::infinity();
        KBest<K> best(k_);
        std::int64_t work = 0, done = 0;
        const double* sy = entry_y_.data();
        const double* sx = entry_x_.data();
        const index_t s = first(t), e = s + length(t);
        for (index_t j = s; j < e; ++j) {
            const double xp = sx[j], yp = sy[j];
            best.reset();
            auto dist = [&](index_t m) { return MaxNorm::combine(MaxNorm::term(xp - sx[m]), MaxNorm::term(yp - sy[m])); };
            // entries below `lo` and from `hi` on, nearest in y first: the
            // window, then on while the y gap is below the k-th distance
            // (the padding stops both walks at the strip's ends)
            auto search = [&](index_t lo, index_t hi) FASTMI_INLINE_LAMBDA {
                for (index_t w = 1; w <= kWindow; ++w) {
                    best.offer(dist(lo - w));
                    best.offer(dist(hi + w - 1));
                }
                work += kWindow;  // branch-free: about half the cost per entry
                for (index_t m = lo - kWindow - 1; std::fabs(yp - sy[m]) < best.kth(); --m, ++work)
                    best.offer(dist(m));
                for (index_t m = hi + kWindow; std::fabs(yp - sy[m]) < best.kth(); ++m, ++work)
                    best.offer(dist(m));
            };
            search(j, j + 1);  // own strip, the sample itself skipped
            // the strips below and above, nearest in x first; in each, the
            // split of its entries at yp (y <= yp before it, y >= yp from
            // it on) from the links of the split in the strip searched
            // before it on that side: the sample's own for the first
            index_t left = t - 1, right = t + 1, down = j, up = j;
            while (true) {
                const double kth = best.kth();
                const double gl = left >= 0 ? xp - xs_.value[end(left) - 1] : inf;
                const double gr = right < strips_ ? xs_.value[begin(right)] - xp : inf;
                index_t at;
                if (gl <= gr) {
                    if (!(gl < kth)) break;
                    at = down = split(left, left + 1, down, j, yp, entry_down_);
                    --left;
                } else {
                    if (!(gr < kth)) break;
                    at = up = split(right, right - 1, up, j, yp, entry_up_);
                    ++right;
                }
                work += 2;
                search(at, at);
            }
            radius[entry_sample_[j]] = best.kth();
            poll.add((work - done) * (K > 0 ? 1 : k_));
            done = work;
        }
        return work;
    }

    // The split at yp of strip u (its entries before the split at y <= yp,
    // from it on at y >= yp), from the split `at` at yp of the strip p next
    // to it, through p's links into u (`link`: entry_down_ or entry_up_).
    // The query j's own links give its splits in the strips next to its own.
    index_t split(index_t u, index_t p, index_t at, index_t j, double yp,
                  const std::vector<std::uint16_t>& link) const {
        if (at == j) return first(u) + link[j];
        // the entries of u before the link of at - 1 are at y <= y[at - 1]
        // <= yp, those from the link of at on at y >= y[at] >= yp (when at
        // is past p's last entry, the padding, at +inf, ends the walk)
        const double* sy = entry_y_.data();
        index_t f = at > first(p) ? first(u) + link[at - 1] : first(u);
        while (sy[f] < yp) ++f;
        return f;
    }

    const double* x_;
    const SortedValues& xs_;
    index_t n_;
    int k_;
    index_t strip_size_, strips_;
    size_t entries_;
    // The entries of every strip, in y order: y, x and the sample's original
    // index (the strips are used for n < 2^32); padded with y = +inf.
    std::vector<double> entry_y_, entry_x_;
    std::vector<std::uint32_t> entry_sample_;
    // Each entry's link into the strips next to its own: the offset in
    // strip t - 1 (down) and t + 1 (up) of the first entry that its y does
    // not follow in y order; every entry before it has a y no greater.
    std::vector<std::uint16_t> entry_down_, entry_up_;
};

// Search steps per sample: the strips are used when the predicted lower
// bound is at most kStripPredicted, and abandoned for the KD-tree when they
// have taken more than kStripBudget (typical data need 10 to 30; a constant
// or near-constant x or y needs hundreds or thousands).
constexpr double kStripPredicted = 24.0;
constexpr double kStripBudget = 48.0;

}  // namespace fastmi
