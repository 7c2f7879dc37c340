// One-dimensional neighbour counts without a tree: the values sorted once,
// then for each sample a search outwards from its own position, starting
// from the previous sample's boundaries; samples are processed in sorted
// order, so the search touches only nearby memory.
#pragma once

#include <algorithm>
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

// Counts, for positions p of a sorted sequence v (read through `Values`),
// the j with reduced distance Metric::point(v[j], v[p]) <= r (p
// included). The distance, computed from the floating-point difference, is
// monotone on each side of p, so each side's
// boundary is found by doubling steps then a branch-free binary search,
// starting from the previous query's boundary: queries made in increasing p
// have nearby boundaries, so few steps are needed.
template <class Metric, class Values = ArrayValues>
class SortedCounter {
public:
    SortedCounter(Values v, index_t n) : v_(v), n_(n) {}

    index_t operator()(index_t p, double r) {
        const double q = v_(p);
        auto inside = [&](index_t j) {
            const double u = v_(j);
            return Metric::point(&u, &q, 1) <= r;
        };
        right_ = boundary(std::min(std::max(right_, p), n_ - 1), p, +1, inside);
        left_ = boundary(std::max<index_t>(std::min(left_, p), 0), p, -1, inside);
        return right_ - left_ + 1;
    }

private:
    // The last index inside going from p in direction dir (p is inside),
    // searched from the guess h: a short linear walk, then doubling steps
    // and a branch-free binary search.
    template <class Inside>
    index_t boundary(index_t h, index_t p, index_t dir, Inside inside) const {
        const index_t end = dir > 0 ? n_ : -1;  // first index past the array
        constexpr int walk = 8;
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
    index_t left_ = 0, right_ = 0;
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
        return SortedCounter<Metric, Values>(Values{v_.data()}, size());
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
};

}  // namespace fastmi
