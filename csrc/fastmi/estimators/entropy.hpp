// Kozachenko-Leonenko differential entropy with the max-norm (Kraskov et
// al. 2004, eq. 20): H = psi(n) - psi(k) + d <log(2 eps_i)>, eps_i the
// distance from sample i to its k-th nearest other sample.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "fastmi/numerics/digamma.hpp"
#include "fastmi/runtime/columns.hpp"
#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/dispatch.hpp"

namespace fastmi {

struct EntropyResult {
    double h_nats;       // NaN when every radius is zero
    index_t zero_radius; // samples whose k-th neighbour distance is 0
};

// Sum of log(2 eps[i]) over the i with eps[i] > 0 (zero radii are counted in
// *zeros instead), in blocks of fixed positions summed in block order.
inline double sum_log_twice(const double* eps, index_t n, const Ctx& ctx, index_t* zeros) {
    const index_t nb = n_blocks(n, kQueryBlock);
    std::vector<double> parts(static_cast<size_t>(nb), 0.0);
    std::vector<index_t> zs(static_cast<size_t>(nb), 0);
    parallel_blocks(n, kQueryBlock, ctx, [&](index_t b, index_t s, index_t e) {
        double acc = 0.0;
        index_t z = 0;
        for (index_t i = s; i < e; ++i) {
            if (eps[i] > 0.0) acc += std::log(2.0 * eps[i]);
            else ++z;
        }
        parts[b] = acc;
        zs[b] = z;
    });
    index_t z = 0;
    for (index_t v : zs) z += v;
    *zeros = z;
    return ordered_sum(parts);
}

// k-th nearest neighbour distance of every position of the sorted v[0..n)
// (k < n), written in sorted order: the k neighbours and the point itself
// are k + 1 consecutive values, so the distance is the smallest, over the
// windows of k + 1 positions that contain q, of the larger gap from v[q] to
// the window's two ends.
inline void kth_gaps_sorted(const double* v, index_t n, int k, index_t s, index_t e, double* out) {
    const index_t kk = k;
    for (index_t q = s; q < e; ++q) {
        const index_t first = std::max<index_t>(0, q - kk), last = std::min(q, n - 1 - kk);
        double best = std::numeric_limits<double>::infinity();
        for (index_t w = first; w <= last; ++w) {
            const double g = std::max(v[q] - v[w], v[w + kk] - v[q]);
            best = g < best ? g : best;
        }
        out[q - s] = best;
    }
}

// KL entropy of one variable given by its sorted values.
inline EntropyResult kl_entropy_sorted(const double* v, index_t n, int k, const Ctx& ctx) {
    const index_t nb = n_blocks(n, kQueryBlock);
    std::vector<double> parts(static_cast<size_t>(nb), 0.0);
    std::vector<index_t> zs(static_cast<size_t>(nb), 0);
    parallel_blocks(n, kQueryBlock, ctx, [&](index_t b, index_t s, index_t e) {
        double eps[kQueryBlock];
        WorkPoll poll(ctx);  // k close to n: a block is a long time
        for (index_t a = s; a < e; a += 64) {
            kth_gaps_sorted(v, n, k, a, std::min(e, a + 64), eps + (a - s));
            poll.add(64 * static_cast<std::int64_t>(k));
        }
        double acc = 0.0;
        index_t z = 0;
        for (index_t i = 0; i < e - s; ++i) {
            if (eps[i] > 0.0) acc += std::log(2.0 * eps[i]);
            else ++z;
        }
        parts[b] = acc;
        zs[b] = z;
    });
    EntropyResult r;
    r.zero_radius = 0;
    for (index_t v2 : zs) r.zero_radius += v2;
    const double sum = ordered_sum(parts);
    const index_t m = n - r.zero_radius;
    r.h_nats = m == 0 ? std::nan("") : digamma_int(n) - digamma_int(k) + sum / static_cast<double>(m);
    return r;
}

// KL entropy in nats of the samples in `cols` (any d >= 1, k < n). Samples
// whose k-th neighbour distance is zero (k or more exact duplicates) are
// left out of the mean of log(2 eps) and counted in zero_radius.
inline EntropyResult kl_entropy(const Columns& cols, int k, const Ctx& ctx) {
    const index_t n = cols.n;
    const int d = cols.d();
    if (d == 1) {
        std::vector<double> v(static_cast<size_t>(n));
        {
            const SortedValues s(cols.ptr[0], n, ctx, cols.stride[0]);
            std::copy(s.value.begin(), s.value.end(), v.begin());
        }
        poll_interrupt(ctx);
        return kl_entropy_sorted(v.data(), n, k, ctx);
    }
    std::vector<double> eps;
    index_t zeros = 0;
    if (d == 2) {
        // the plane's strips want unit-stride columns
        std::vector<double> x(static_cast<size_t>(n)), y(static_cast<size_t>(n));
        for (index_t i = 0; i < n; ++i) {
            x[i] = cols.at(i, 0);
            y[i] = cols.at(i, 1);
        }
        const SortedValues xs(x.data(), n, ctx), ys(y.data(), n, ctx);
        poll_interrupt(ctx);
        eps = knn_radius_plane(x.data(), y.data(), xs, ys, k, ctx, &zeros);
    } else {
        eps.resize(static_cast<size_t>(n));
        knn_radius<MaxNorm>(cols, k, ctx, eps.data());
    }
    poll_interrupt(ctx);
    EntropyResult r;
    const double sum = sum_log_twice(eps.data(), n, ctx, &r.zero_radius);
    const index_t m = n - r.zero_radius;
    r.h_nats = m == 0 ? std::nan("")
                      : digamma_int(n) - digamma_int(k) + static_cast<double>(d) * (sum / static_cast<double>(m));
    return r;
}

}  // namespace fastmi
