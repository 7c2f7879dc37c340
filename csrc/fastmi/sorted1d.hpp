// One-dimensional neighbour counts without a tree: the values sorted once,
// then for each sample a galloping search outwards from its own position.
// Sample i's position is known, so the search touches only nearby memory;
// samples are processed in sorted order for cache locality.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "common.hpp"

namespace fastmi {

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

    // Number of samples j (p itself included) with Metric::point(x_j, x_p) <= r.
    // The reduced distance is monotone in x_j on either side of x_p, so each
    // side is an exponential search followed by a binary search.
    template <class Metric>
    index_t count_within(index_t p, double r) const {
        const index_t n = size();
        const double q = v_[p].first;
        auto inside = [&](index_t j) { return Metric::point(&v_[j].first, &q, 1) <= r; };
        // right side: last index >= p that is inside
        index_t good = p, step = 1, bad = n;
        while (true) {
            const index_t t = good + step;
            if (t >= n) break;
            if (inside(t)) { good = t; step *= 2; }
            else { bad = t; break; }
        }
        while (bad - good > 1) {
            const index_t mid = good + (bad - good) / 2;
            if (inside(mid)) good = mid; else bad = mid;
        }
        const index_t right = good;
        // left side: first index <= p that is inside
        good = p; step = 1; index_t badl = -1;
        while (true) {
            const index_t t = good - step;
            if (t < 0) break;
            if (inside(t)) { good = t; step *= 2; }
            else { badl = t; break; }
        }
        while (good - badl > 1) {
            const index_t mid = badl + (good - badl) / 2;
            if (inside(mid)) good = mid; else badl = mid;
        }
        return right - good + 1;
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
