// The two neighbour estimators behind scikit-learn's mutual_info_regression
// and mutual_info_classif, for one-dimensional variables, written so that
// every per-sample quantity equals scikit-learn's and every mean is summed
// in its order (numpy's pairwise summation over the samples in their
// original order):
//   ksg_pair   continuous-continuous: KSG algorithm 1 (Kraskov et al. 2004),
//              max-norm, strict marginal counts; the target's sorted order
//              is computed once by the caller and shared by all features,
//              and the k-th neighbour search runs on "strips" of the
//              x-sorted samples (below), falling back to the KD-tree when
//              the strips do not fit the data;
//   ross_mi    continuous-discrete (Ross 2014): per label, the distance to
//              the k_l-th nearest sample of the same label, k_l =
//              min(k, count - 1); labels seen once are dropped; m_i counts
//              the kept samples of any label strictly closer, self included.
// Results are unclipped, in nats.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "common.hpp"
#include "contingency.hpp"
#include "digamma.hpp"
#include "metric.hpp"
#include "neighbors.hpp"
#include "points.hpp"
#include "sorted1d.hpp"

namespace fastmi {

// ---------------------------------------------------------------- sorting

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

// The n values of x ascending, with their original indices; equal values in
// index order. LSD radix sort on 11-bit digits of the top 33 bits of the
// keys (passes where every key has the same digit skipped), then the runs
// that agree on those bits (rare for continuous data; whole tie groups for
// near-discrete data) ordered by the full key; std::sort for small n. The
// order is the unique (value, index) order either way.
struct SortedValues {
    std::vector<double> value;
    std::vector<index_t> index;

    index_t size() const { return static_cast<index_t>(value.size()); }

    SortedValues(const double* x, index_t n, const Ctx& ctx)
        : value(static_cast<size_t>(n)), index(static_cast<size_t>(n)) {
        if (n < (index_t(1) << 12)) {
            std::vector<std::pair<std::uint64_t, index_t>> items(static_cast<size_t>(n));
            for (index_t i = 0; i < n; ++i) items[i] = {order_key(x[i]), i};
            std::sort(items.begin(), items.end());
            for (index_t p = 0; p < n; ++p) index[p] = items[p].second;
        } else {
            radix_sort(x, n, ctx);
        }
        parallel_blocks(n, 1 << 16, ctx, [&](index_t, index_t s, index_t e) {
            for (index_t p = s; p < e; ++p) value[p] = x[index[p]];
        });
    }

private:
    static constexpr int kBits = 11, kPasses = 3, kLow = 64 - kBits * kPasses;

    void radix_sort(const double* x, index_t n, const Ctx& ctx) {
        // Threads only pay off on large arrays (each pass is a few
        // memory-bound sweeps); the result is the same either way.
        Ctx sctx = ctx;
        sctx.n_threads = n < (index_t(1) << 20) ? 1 : static_cast<int>(std::min<index_t>(ctx.n_threads, n >> 18));
        constexpr index_t buckets = index_t(1) << kBits;
        std::vector<std::uint64_t> key(static_cast<size_t>(n)), key2(static_cast<size_t>(n));
        std::vector<index_t> index2(static_cast<size_t>(n));
        parallel_blocks(n, 1 << 16, sctx, [&](index_t, index_t s, index_t e) {
            for (index_t i = s; i < e; ++i) {
                key[i] = order_key(x[i]);
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
                for (index_t p = a; p < b; ++p) index[p] = items[p - a].second;
            }
            a = b;
        }
    }
};

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

// ---------------------------------------------------------------- KSG, 1-D x and 1-D y

// k-th nearest neighbour (max-norm) distances in the plane on "strips": the
// samples in x order cut into strips of S consecutive samples, each strip
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
          S_(std::max<index_t>(64, static_cast<index_t>(std::sqrt(static_cast<double>(k) * static_cast<double>(n))))),
          strips_(n_blocks(n, S_)), size_(static_cast<size_t>(kPad + strips_ * (S_ + kPad))),
          sy_(size_, std::numeric_limits<double>::infinity()), sx_(size_, 0.0), si_(size_, -1) {
        std::vector<std::int32_t> strip(static_cast<size_t>(n));  // of each sample
        parallel_blocks(n, 1 << 16, ctx, [&](index_t, index_t s, index_t e) {
            for (index_t p = s; p < e; ++p) strip[xs.index[p]] = static_cast<std::int32_t>(p / S_);
        });
        // y order, stably bucketed by strip
        counting_sort(n, strips_, ctx, [&](index_t q) { return static_cast<index_t>(strip[ys.index[q]]); },
                      [&](index_t q, index_t g) {
                          const index_t at = slot(g), i = ys.index[q];
                          sy_[at] = ys.value[q];
                          sx_[at] = x_[i];
                          si_[at] = i;
                      });
    }

    // A lower bound on the mean number of search steps per sample, from 1024
    // samples: the strips met by the x window of half-width kth_y (the k-th
    // neighbour distance in y alone, which the joint one is at least) plus
    // the own-strip entries within kth_x in y. Large when x (or y) is nearly
    // constant at the scale of the neighbour distances.
    double predicted_steps(const SortedValues& ys) const {
        const index_t m = std::min<index_t>(n_, 1024);
        double steps = 0.0;
        for (index_t j = 0; j < m; ++j) {
            const index_t q = j * n_ / m;
            const double ky = kth_gap_sorted(ys.value.data(), n_, q, k_);
            const index_t i = ys.index[q];
            const double xi = x_[i];
            const auto lo = std::lower_bound(xs_.value.begin(), xs_.value.end(), xi - ky) - xs_.value.begin();
            const auto hi = std::upper_bound(xs_.value.begin(), xs_.value.end(), xi + ky) - xs_.value.begin();
            steps += 3.0 * static_cast<double>((std::max<index_t>(hi, lo + 1) - 1) / S_ - lo / S_ + 1);
            // own strip: the entries within kx of y_i
            const auto p = std::lower_bound(xs_.value.begin(), xs_.value.end(), xi) - xs_.value.begin();
            const double kx = kth_gap_sorted(xs_.value.data(), n_, p, k_);
            const index_t t = p / S_;
            const double yi = ys.value[q];
            const auto b = sy_.begin() + first(t), e = sy_.begin() + first(t) + length(t);
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
    static constexpr int kFingers = 8;    // neighbouring strips on each side with a finger
    static constexpr index_t kWindow = 4; // entries looked at on each side without a test
    static constexpr index_t kPad = kWindow + 1;

    // strip t: sorted positions [begin(t), end(t)) in x order; entries
    // [first(t), first(t) + length(t)) in the padded y-ordered arrays
    index_t begin(index_t t) const { return t * S_; }
    index_t end(index_t t) const { return std::min(n_, (t + 1) * S_); }
    index_t first(index_t t) const { return kPad + t * (S_ + kPad); }
    index_t length(index_t t) const { return end(t) - begin(t); }
    index_t slot(index_t g) const { return first(g / S_) + g % S_; }  // g: position in strip order

    template <int K>
    bool run_k(double* radius, double budget, const Ctx& ctx) const {
        std::atomic<bool> over{false};
        std::atomic<std::int64_t> spent{0};
        const auto limit = static_cast<std::int64_t>(budget * static_cast<double>(n_));
        const index_t per_block = std::max<index_t>(1, kQueryBlock / S_);
        parallel_blocks(strips_, per_block, ctx, [&](index_t, index_t s, index_t e) {
            for (index_t t = s; t < e && !over.load(std::memory_order_relaxed); ++t)
                if (spent.fetch_add(query_strip<K>(t, radius), std::memory_order_relaxed) > limit)
                    over.store(true, std::memory_order_relaxed);
        });
        return !over.load();
    }

    // The k smallest distances offered so far, ascending (inf until found);
    // K > 0: k = K, compile-time, branch-free.
    template <int K>
    struct Best {
        static constexpr int kMax = 8;
        double d[K > 0 ? K : 1];
        std::vector<double> dyn;
        int k;

        explicit Best(int k_) : k(k_) {
            if (K == 0) dyn.resize(static_cast<size_t>(k));
        }
        void reset() {
            constexpr double inf = std::numeric_limits<double>::infinity();
            if (K > 0) for (int c = 0; c < K; ++c) d[c] = inf;
            else std::fill(dyn.begin(), dyn.end(), inf);
        }
        double kth() const { return K > 0 ? d[K - 1] : dyn[static_cast<size_t>(k - 1)]; }
        void offer(double v) {
            if (K > 0) {
                for (int c = 0; c < K - 1; ++c) {
                    const double lo = std::min(d[c], v);
                    v = std::max(d[c], v);
                    d[c] = lo;
                }
                d[K - 1] = std::min(d[K - 1], v);
            } else if (v < dyn[static_cast<size_t>(k - 1)]) {
                int pos = k - 1;
                while (pos > 0 && dyn[static_cast<size_t>(pos - 1)] > v) {
                    dyn[static_cast<size_t>(pos)] = dyn[static_cast<size_t>(pos - 1)];
                    --pos;
                }
                dyn[static_cast<size_t>(pos)] = v;
            }
        }
    };

    // Searches for the samples of strip t; returns the number of steps.
    template <int K>
    std::int64_t query_strip(index_t t, double* radius) const {
        constexpr double inf = std::numeric_limits<double>::infinity();
        Best<K> best(k_);
        index_t finger[2 * kFingers + 1];
        std::int64_t work = 0;
        for (int d = -kFingers; d <= kFingers; ++d) {
            const index_t u = t + d;
            finger[d + kFingers] = (u >= 0 && u < strips_) ? first(u) : 0;
        }
        const double* sy = sy_.data();
        const double* sx = sx_.data();
        const index_t s = first(t), e = s + length(t);
        for (index_t j = s; j < e; ++j) {
            const double xp = sx[j], yp = sy[j];
            best.reset();
            auto dist = [&](index_t m) { return std::max(std::fabs(xp - sx[m]), std::fabs(yp - sy[m])); };
            // entries below `lo` and from `hi` on, nearest in y first: the
            // window, then on while the y gap is below the k-th distance
            // (the padding stops both walks at the strip's ends)
            auto search = [&](index_t lo, index_t hi) {
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
            index_t left = t - 1, right = t + 1;
            while (true) {
                const double kth = best.kth();
                const double gl = left >= 0 ? xp - xs_.value[end(left) - 1] : inf;
                const double gr = right < strips_ ? xs_.value[begin(right)] - xp : inf;
                index_t u;
                if (gl <= gr) {
                    if (!(gl < kth)) break;
                    u = left--;
                } else {
                    if (!(gr < kth)) break;
                    u = right++;
                }
                const index_t us = first(u), ue = us + length(u), d = u - t;
                index_t at;
                if (d >= -kFingers && d <= kFingers) {
                    index_t& f = finger[d + kFingers];
                    while (f < ue && sy[f] < yp) ++f;
                    at = f;
                } else {
                    at = static_cast<index_t>(std::lower_bound(sy + us, sy + ue, yp) - sy);
                }
                work += 2;
                search(at, at);
            }
            radius[si_[j]] = best.kth();
        }
        return work;
    }

    const double* x_;
    const SortedValues& xs_;
    index_t n_;
    int k_;
    index_t S_, strips_;
    size_t size_;
    std::vector<double> sy_, sx_;  // per strip, in y order: y and x; padded with y = +inf
    std::vector<index_t> si_;      // original index
};

// Search steps per sample: the strips are used when the predicted lower
// bound is at most kStripPredicted, and abandoned for the KD-tree when they
// have taken more than kStripBudget (typical data need 10 to 30; a constant
// or near-constant x or y needs hundreds or thousands).
constexpr double kStripPredicted = 24.0;
constexpr double kStripBudget = 48.0;

// KSG algorithm 1 between the 1-D columns x and y (n samples each, stride 1),
// with y's sorted order and its index given: psi(n) + psi(k) - <psi(n_x + 1)> - <psi(n_y + 1)>,
// n_x, n_y counting the other samples strictly closer than the k-th
// neighbour distance. Unclipped, nats.
inline double ksg_pair(const double* x, const double* y, const SortedValues& ys, const ValueIndex<>& y_index,
                       index_t n, int k, const Ctx& ctx) {
    if (k >= n) throw std::invalid_argument("fastmi: n_neighbors must be smaller than the number of samples");
    const SortedValues xs(x, n, ctx);
    poll_interrupt(ctx);
    std::vector<double> eps(static_cast<size_t>(n));
    bool done = false;
    {
        const StripKnn strips(x, xs, ys, n, k, ctx);
        if (strips.predicted_steps(ys) <= kStripPredicted) done = strips.run(eps.data(), kStripBudget, ctx);
    }
    if (!done) {
        Columns xy;
        xy.n = n;
        xy.ptr = {x, y};
        xy.stride = {1, 1};
        knn_radius<MaxNorm>(xy, k, ctx, eps.data());
    }
    poll_interrupt(ctx);
    // psi(n_i + 1) per sample, stored in original order for the mean
    auto marginal = [&](const SortedValues& s, const ValueIndex<>& index, std::vector<double>& psi) {
        psi.resize(static_cast<size_t>(n));
        parallel_blocks(n, kQueryBlock, ctx, [&](index_t, index_t b, index_t e) {
            const SortedCounter<MaxNorm> count(s.value.data(), n, index);
            double r[kQueryBlock];  // the block's radii gathered first: no load in the search chain waits on memory
            for (index_t p = b; p < e; ++p) r[p - b] = just_below(eps[s.index[p]]);
            for (index_t p = b; p < e; ++p)  // counts sample i itself: n_i + 1
                psi[s.index[p]] = digamma_count(count(p, r[p - b]));
        });
    };
    std::vector<double> psi_x, psi_y;
    marginal(xs, ValueIndex<>(xs.value.data(), n), psi_x);
    poll_interrupt(ctx);
    marginal(ys, y_index, psi_y);
    const double dn = static_cast<double>(n);
    return digamma_int(n) + digamma_int(k) - pairwise_sum(psi_x.data(), n) / dn -
           pairwise_sum(psi_y.data(), n) / dn;
}

// ---------------------------------------------------------------- Ross, continuous vs discrete

// code[i] = rank of x[i] among the distinct values of x (numpy.unique's
// order; -0.0 and 0.0 are one value). Returns the number of distinct values.
inline index_t label_codes(const double* x, index_t n, const Ctx& ctx, index_t* code) {
    if (n == 0) return 0;
    const SortedValues sorted(x, n, ctx);
    index_t label = 0;
    double prev = sorted.value[0];
    for (index_t p = 0; p < n; ++p) {
        const double v = sorted.value[p];
        if (v != prev) {
            ++label;
            prev = v;
        }
        code[sorted.index[p]] = label;
    }
    return label + 1;
}

// A labelling of n samples and the parts of Ross's estimator that depend on
// it alone.
struct Labelling {
    const index_t* code = nullptr;
    index_t n = 0, n_labels = 0;
    std::vector<index_t> count;  // per label
    std::vector<index_t> rank;   // per sample: rank among kept samples (original order), -1 if dropped
    index_t kept = 0;            // samples whose label occurs at least twice
    double mean_psi_k = 0.0;     // mean over kept samples of psi(min(k, count - 1))
    double mean_psi_count = 0.0; // mean over kept samples of psi(count)

    Labelling(const index_t* code_, index_t n_, index_t n_labels_, int k)
        : code(code_), n(n_), n_labels(n_labels_), count(static_cast<size_t>(n_labels_), 0),
          rank(static_cast<size_t>(n_), -1) {
        for (index_t i = 0; i < n; ++i) ++count[code[i]];
        std::vector<double> psi_k, psi_c;
        for (index_t i = 0; i < n; ++i) {
            const index_t c = count[code[i]];
            if (c < 2) continue;
            rank[i] = kept++;
            psi_k.push_back(digamma_int(std::min<index_t>(k, c - 1)));
            psi_c.push_back(digamma_int(c));
        }
        if (kept > 0) {
            mean_psi_k = pairwise_mean(psi_k);
            mean_psi_count = pairwise_mean(psi_c);
        }
    }
};

// Ross's estimator between the continuous variable whose sorted order is
// `c` and the labelling `lab`. No kept sample (every label seen once): 0.
inline double ross_mi(const SortedValues& c, const Labelling& lab, int k, const Ctx& ctx) {
    const index_t n = c.size(), kept = lab.kept;
    if (kept == 0) return 0.0;
    // Kept samples in sorted order, and the same grouped by label (each
    // group still sorted), with each grouped entry's position in the former.
    std::vector<index_t> start(static_cast<size_t>(lab.n_labels) + 1, 0);
    for (index_t l = 0; l < lab.n_labels; ++l)
        start[l + 1] = start[l] + (lab.count[l] >= 2 ? lab.count[l] : 0);
    std::vector<index_t> fill(start.begin(), start.end() - 1);
    std::vector<double> vals(static_cast<size_t>(kept)), grouped(static_cast<size_t>(kept));
    std::vector<index_t> where(static_cast<size_t>(kept)), rank(static_cast<size_t>(kept));
    index_t kp = 0;
    for (index_t p = 0; p < n; ++p) {
        const index_t i = c.index[p];
        const index_t l = lab.code[i];
        if (lab.count[l] < 2) continue;
        const index_t g = fill[l]++;
        grouped[g] = c.value[p];
        where[g] = kp;
        vals[kp] = c.value[p];
        rank[kp] = lab.rank[i];
        ++kp;
    }
    poll_interrupt(ctx);
    // radius[kp]: just below the distance to the k_l-th same-label neighbour
    std::vector<double> radius(static_cast<size_t>(kept));
    parallel_blocks(kept, kQueryBlock, ctx, [&](index_t, index_t b, index_t e) {
        // the group holding entry b: the last label starting at or before b
        index_t l = static_cast<index_t>(std::upper_bound(start.begin(), start.end(), b) - start.begin()) - 1;
        for (index_t g = b; g < e; ++g) {
            while (start[l + 1] <= g) ++l;
            const index_t s = start[l], m = start[l + 1] - s;
            const index_t kl = std::min<index_t>(k, m - 1);
            radius[where[g]] = just_below(kth_gap_sorted(&grouped[s], m, g - s, kl));
        }
    });
    poll_interrupt(ctx);
    std::vector<double> psi_m(static_cast<size_t>(kept));
    const ValueIndex<> index(vals.data(), kept);
    parallel_blocks(kept, kQueryBlock, ctx, [&](index_t, index_t b, index_t e) {
        const SortedCounter<MaxNorm> count(vals.data(), kept, index);
        for (index_t p = b; p < e; ++p) psi_m[rank[p]] = digamma_count(count(p, radius[p]));
    });
    return digamma_int(kept) + lab.mean_psi_k - lab.mean_psi_count - pairwise_mean(psi_m);
}

}  // namespace fastmi
