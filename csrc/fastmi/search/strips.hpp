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
#include <memory>
#include <type_traits>
#include <vector>

#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/radix_sort.hpp"
#include "fastmi/search/result_set.hpp"
#include "fastmi/search/sorted1d.hpp"
#include "fastmi/search/strips_kbest.hpp"

namespace fastmi {

// k-th nearest neighbour (max-norm) distances in the plane on "strips": the
// samples in x order cut into strips of strip_size consecutive samples, each strip
// listed in y order. A query looks at a fixed window of the entries nearest
// in y in its own strip, then in neighbouring strips, nearest in x first,
// until the x gap to the next strip reaches its current k-th distance; in
// each strip it walks on past the window while the y gap is below the k-th
// distance. The windows are branch-free (two distances at a time where
// SSE2 is there, strips_kbest.hpp): each strip is padded with entries at
// y = +inf, which are never closer than anything. The entry point into the
// strip above comes from a link that each entry keeps (16 bits, set while
// the strips are filled), into the strip below from those links counted
// per strip (links_down), into farther strips (rare) from a binary search:
// no walk whose end a processor would mispredict. The distances are exact,
// so the result equals any other exact search.
class StripKnn {
public:
    StripKnn(const double* x, const SortedValues& xs, const SortedValues& ys, index_t n, int k, const Ctx& ctx)
        : x_(x), xs_(xs), n_(n), k_(k),
          strip_size_(std::clamp<index_t>(static_cast<index_t>(std::sqrt(static_cast<double>(k) * static_cast<double>(n))),
                                          64, kMaxStrip)),
          strips_(n_blocks(n, strip_size_)),
          entries_(static_cast<size_t>(kPad + strips_ * (strip_size_ + kPad))),
          entry_y_(new double[entries_]),  // every entry written below, unset ones never read
          entry_x_(new double[entries_]),
          entry_sample_(new std::uint32_t[entries_]),
          entry_up_(new std::uint16_t[entries_]) {
        // the padding: before each strip, and after the last one's entries
        auto pad = [&](index_t a, index_t b) {
            for (index_t m = a; m < b; ++m) {
                entry_y_[m] = std::numeric_limits<double>::infinity();
                entry_x_[m] = 0.0;
            }
        };
        for (index_t t = 0; t < strips_; ++t) pad(first(t) - kPad, first(t));
        pad(first(strips_ - 1) + length(strips_ - 1), static_cast<index_t>(entries_));
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
            // placed[t]: the entries of strip t placed so far, also the link
            // into t of the next entry of t - 1 (placed[strips_]: none)
            std::vector<index_t> placed(static_cast<size_t>(strips_ + 1), 0);
            for (index_t q = 0; q < n; ++q) {
                const index_t t = strip[ys.index[q]];
                const index_t at = first(t) + placed[t]++;
                place(q, at);
                entry_up_[at] = static_cast<std::uint16_t>(placed[t + 1]);
            }
        } else {
            counting_sort(n, strips_, ctx, [&](index_t q) { return static_cast<index_t>(strip[ys.index[q]]); },
                          [&](index_t q, index_t g) { place(q, slot(g)); });
            parallel_blocks(strips_ - 1, std::max<index_t>(1, kQueryBlock / strip_size_), ctx,
                            [&](index_t, index_t s, index_t e) {
                                for (index_t t = s; t < e; ++t) link_up(t);
                            });
        }
    }

    // A lower bound on the mean number of search steps per sample, from
    // n / 256 samples, at least 32 and at most 256 (a small share of the
    // search itself): the strips met by the x window of half-width kth_y
    // (the k-th neighbour distance in y alone, which the joint one is at
    // least) plus the own-strip entries within kth_x in y. Large when x (or
    // y) is nearly constant at the scale of the neighbour distances.
    double predicted_steps(const SortedValues& ys, const Ctx& ctx) const {
        const index_t m = std::min<index_t>(n_, std::clamp<index_t>(n_ / 256, 32, 256));
        double steps = 0.0;
        WorkPoll poll(ctx);  // 2 k steps per sample
        for (index_t j = 0; j < m; ++j) {
            poll.add(2 * static_cast<std::int64_t>(k_));
            const index_t q = j * n_ / m;
            const double ky = kth_gap_sorted(ys.value.data(), n_, q, k_);
            const index_t i = ys.index[q];
            const double xi = x_[i];
            const double* xv = xs_.value.data();
            const index_t lo = rank<false>(xv, n_, xi - ky), hi = rank<true>(xv, n_, xi + ky);
            steps += 3.0 * static_cast<double>((std::max<index_t>(hi, lo + 1) - 1) / strip_size_ - lo / strip_size_ + 1);
            // own strip: the entries within kx of y_i (x_ read again: if it
            // changed meanwhile, xi may be above every sorted value)
            const index_t p = std::min<index_t>(rank<false>(xv, n_, xi), n_ - 1);
            const double kx = kth_gap_sorted(xs_.value.data(), n_, p, k_);
            const index_t t = p / strip_size_;
            const double yi = ys.value[q];
            const double* b = entry_y_.get() + first(t);
            steps += static_cast<double>(rank<true>(b, length(t), yi + kx) - rank<false>(b, length(t), yi - kx));
        }
        return steps / static_cast<double>(m);
    }

    // radius[i] for every sample; false (radius incomplete) when the search
    // took more than `budget` steps per sample on a sample of the strips, or
    // more than twice that on all of them (run_k).
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

    // std::upper_bound (AtMost) or std::lower_bound of t in the sorted
    // v[0..n), as a position: the same answer, by a binary search whose
    // steps depend on n alone (conditional moves, no mispredicted branches).
    template <bool AtMost>
    static index_t rank(const double* v, index_t n, double t) {
        auto below = [t](double w) { return AtMost ? !(t < w) : w < t; };
        index_t lo = 0;  // the answer lies in [lo, lo + len]
        for (index_t len = n; len > 1;) {
            const index_t half = len / 2;
            lo = below(v[lo + half - 1]) ? lo + half : lo;
            len -= half;
        }
        return n > 0 ? lo + below(v[lo]) : 0;
    }

    // The links of strip t's entries into strip t + 1 (which the one-pass
    // placement sets as it goes), by a walk in y order.
    void link_up(index_t t) {
        const double* sy = entry_y_.get();
        const index_t s = first(t), e = s + length(t), us = first(t + 1);
        index_t up = us;
        for (index_t j = s; j < e; ++j) {
            while (sy[up] < sy[j]) ++up;  // the padding (+inf) stops it
            entry_up_[j] = static_cast<std::uint16_t>(up - us);
        }
    }

    // One strip in kSampleStride, spread evenly and away from the ends (the
    // strips of the smallest and largest x, where heavy tails cost the
    // most), is searched first: once its samples take more than `budget`
    // steps each on average, the search stops (at most 1/16 of its budget
    // lost); else the other strips follow, and stop too if all together take
    // more than twice that (a sample far off the whole).
    static constexpr index_t kSampleStride = 16;

    template <int K>
    bool run_k(double* radius, double budget, const Ctx& ctx) const {
        std::atomic<bool> over{false};
        std::atomic<std::int64_t> spent{0};
        std::int64_t limit = 0;  // steps in all, set before each pass
        const index_t per_block = std::max<index_t>(1, kQueryBlock / strip_size_);
        // the strips `order` lists, on one thread per block
        auto search = [&](const std::vector<index_t>& order) {
            parallel_blocks(static_cast<index_t>(order.size()), per_block, ctx, [&](index_t, index_t s, index_t e) {
                WorkPoll poll(ctx);  // a strip holds sqrt(k n) samples
                std::vector<index_t> splits(static_cast<size_t>(2 * strip_size_ + 1));
                for (index_t u = s; u < e && !over.load(std::memory_order_relaxed); ++u) {
                    const std::int64_t w = query_strip<K>(order[u], radius, splits.data(), poll);
                    if (spent.fetch_add(w, std::memory_order_relaxed) + w > limit)
                        over.store(true, std::memory_order_relaxed);
                }
            });
        };
        const std::vector<index_t> sampled_strips = spread_sample(strips_, kSampleStride);
        std::vector<index_t> rest;
        index_t first_samples = 0;
        size_t next = 0;  // the sampled strips ascend: the others are those between them
        for (index_t t = 0; t < strips_; ++t) {
            if (next < sampled_strips.size() && sampled_strips[next] == t) {
                first_samples += length(t);
                ++next;
            } else {
                rest.push_back(t);
            }
        }
        auto steps = [](double v) { return static_cast<std::int64_t>(std::min(v, 9e18)); };
        limit = steps(budget * static_cast<double>(first_samples));
        search(sampled_strips);
        if (over.load()) return false;
        limit = steps(2.0 * budget * static_cast<double>(n_));
        search(rest);
        return !over.load();
    }

    // Searches for the samples of strip t; returns the number of steps.
    // Polls after each sample: a step costs O(k) when k > 8. `splits`:
    // scratch for 2 strip_size_ + 1 positions.
    template <int K>
    std::int64_t query_strip(index_t t, double* radius, index_t* splits, WorkPoll& poll) const {
        constexpr double inf = std::numeric_limits<double>::infinity();
        StripKBest<K> best(k_);
        std::int64_t work = 0, done = 0;
        const double* sy = entry_y_.get();
        const double* sx = entry_x_.get();
        const index_t s = first(t), e = s + length(t);
        // each sample's split in the strip below, from that strip's links
        // into this one
        index_t* below = splits;
        if (t > 0) links_down(t, below, splits + strip_size_);
        work += length(t);
        for (index_t j = s; j < e; ++j) {
            const double xp = sx[j], yp = sy[j];
            auto dist = [&](index_t m) { return MaxNorm::combine(MaxNorm::term(xp - sx[m]), MaxNorm::term(yp - sy[m])); };
            // entries below `lo` and from `hi` on, nearest in y first: the
            // window, then on while the y gap is below the k-th distance
            // (the padding stops both walks at the strip's ends)
            auto search = [&](index_t lo, index_t hi, auto fresh) FASTMI_INLINE_LAMBDA {
                window<decltype(fresh)::value>(best, lo, hi, xp, yp);
                work += kWindow;  // branch-free: about half the cost per entry
                for (index_t m = lo - kWindow - 1; std::fabs(yp - sy[m]) < best.kth(); --m, ++work)
                    best.offer(dist(m));
                for (index_t m = hi + kWindow; std::fabs(yp - sy[m]) < best.kth(); ++m, ++work)
                    best.offer(dist(m));
            };
            search(j, j + 1, std::true_type{});  // own strip, the sample itself skipped
            // the other strips, nearest in x first; the side chosen without
            // a branch (one would be a coin toss: whether the sample lies
            // nearer its strip's left or right edge), and so is the entry
            // point into a neighbouring strip (the first strip visited
            // always is one), from both links read ahead
            index_t left = t - 1, right = t + 1;
            const index_t up_at = right < strips_ ? first(right) + entry_up_[j] : 0;
            const index_t down_at = left >= 0 ? below[j - s] : 0;
            while (true) {
                const double gl = left >= 0 ? xp - xs_.value[end(left) - 1] : inf;
                const double gr = right < strips_ ? xs_.value[begin(right)] - xp : inf;
                const index_t go_left = gl <= gr;  // 0 or 1, selects by arithmetic
                if (!(std::min(gl, gr) < best.kth())) break;
                const index_t u = right - go_left * (right - left);
                left -= go_left;
                right += 1 - go_left;
                const index_t near = up_at - go_left * (up_at - down_at);
                const index_t at = (u - t) * (u - t) == 1 ? near : split(u, yp);
                work += 2;
                search(at, at, std::false_type{});
            }
            radius[entry_sample_[j]] = best.kth();
            poll.add((work - done) * (K > 0 ? 1 : k_));
            done = work;
        }
        return work;
    }

    // Offers the distances from (xp, yp) to the kWindow entries below lo
    // and the kWindow from hi on, to `best` as it is or (Fresh) emptied
    // first; best.kth() updated.
    template <bool Fresh, class Best>
    FASTMI_INLINE void window(Best& best, index_t lo, index_t hi, double xp, double yp) const {
        const double* sy = entry_y_.get();
        const double* sx = entry_x_.get();
#if FASTMI_LANE_KBEST
        if constexpr (takes_pairs<Best>::value) {
            static_assert(kWindow == 4, "two pairs on each side");
            const __m128d px = _mm_set1_pd(xp), py = _mm_set1_pd(yp);
            const __m128d abs = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL));
            auto pair = [&](index_t m) FASTMI_INLINE_LAMBDA {  // entries m and m + 1
                const __m128d dx = _mm_and_pd(_mm_sub_pd(px, _mm_loadu_pd(sx + m)), abs);
                const __m128d dy = _mm_and_pd(_mm_sub_pd(py, _mm_loadu_pd(sy + m)), abs);
                return _mm_max_pd(dx, dy);  // MaxNorm's distance, exactly
            };
            if constexpr (Fresh) {
                best.reset_offer4(pair(lo - 4), pair(lo - 2), pair(hi), pair(hi + 2));
            } else {
                best.offer2(pair(lo - 4));
                best.offer2(pair(lo - 2));
                best.offer2(pair(hi));
                best.offer2(pair(hi + 2));
            }
            best.update();
            return;
        }
#endif
        if constexpr (Fresh) best.reset();
        auto dist = [&](index_t m) { return MaxNorm::combine(MaxNorm::term(xp - sx[m]), MaxNorm::term(yp - sy[m])); };
        for (index_t w = 1; w <= kWindow; ++w) {
            best.offer(dist(lo - w));
            best.offer(dist(hi + w - 1));
        }
    }

    // below[o] for the entries at offsets o of strip t > 0: their split in
    // strip t - 1, from its links into t (nondecreasing): the entries i of
    // t - 1 with link(i) <= o, counted (`count`: length(t) + 1 slots).
    void links_down(index_t t, index_t* below, index_t* count) const {
        const index_t len = length(t), ds = first(t - 1), de = ds + length(t - 1);
        std::fill(count, count + len + 1, index_t(0));
        for (index_t i = ds; i < de; ++i) ++count[entry_up_[i]];
        index_t at = ds;
        for (index_t o = 0; o < len; ++o) below[o] = at += count[o];
    }

    // The first entry of strip u at y >= yp: a binary search without
    // branches (the strip's end when there is none).
    index_t split(index_t u, double yp) const {
        const double* sy = entry_y_.get();
        const double* at = sy + first(u);
        for (index_t len = length(u); len > 1;) {
            const index_t half = len / 2;
            at = at[half] < yp ? at + half : at;
            len -= half;
        }
        return (at - sy) + (*at < yp);
    }

    const double* x_;
    const SortedValues& xs_;
    index_t n_;
    int k_;
    index_t strip_size_, strips_;
    size_t entries_;
    // The entries of every strip, in y order: y, x and the sample's original
    // index (the strips are used for n < 2^32); padded with y = +inf.
    std::unique_ptr<double[]> entry_y_, entry_x_;
    std::unique_ptr<std::uint32_t[]> entry_sample_;
    // Each entry's link into the strip above its own: the offset of its
    // split there (entries before it at y no greater than the entry's, from
    // it on no less); the links down are counted from these (links_down).
    std::unique_ptr<std::uint16_t[]> entry_up_;
};

// Search steps per sample for neighbour order k: the strips are used when
// the predicted lower bound is at most strip_budget(k), and abandoned for
// the KD-tree when a sample of them takes more than that (run). Measured (one thread,
// n = 5e3 to 2e5, normal and lognormal data): the strips' time equals the
// KD-tree's at about 65 to 140 steps per sample for k = 1 to 8, 45 to 80 at
// k = 10 (the run-time k's result set costs twice a step), 80 to 130 at
// k = 20, 135 to 200 at k = 40; normal data take 10 to 20 steps for k up to
// 8, 25 at k = 10, 55 at k = 20, 120 at k = 40, lognormal(0, 3) data 35 to
// 110, 55 to 110, 90 to 175 and 160 to 290; a constant or near-constant x
// or y takes hundreds or thousands.
inline double strip_budget(int k) { return k <= 8 ? 80.0 : std::max(50.0, 3.5 * k); }

}  // namespace fastmi
