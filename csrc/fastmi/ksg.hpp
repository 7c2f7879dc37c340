// Kraskov-Stoegbauer-Grassberger estimator, algorithm 1, over any split of
// coordinates into x and y, with the metric and the marginal bound chosen
// by the caller (published: max-norm and strict counts; the textbook
// listing's variant: Euclidean and inclusive counts).
#pragma once

#include <vector>

#include "digamma.hpp"
#include "neighbors.hpp"

namespace fastmi {

struct KsgResult {
    double mi_nats;        // psi(k) + psi(n) - <psi(nx+1)> - <psi(ny+1)>, unclipped
    index_t zero_radius;   // samples whose k-th neighbour distance is 0
};

// Sum over samples of digamma(c_i + 1), c_i the marginal neighbour counts.
template <class Metric>
double sum_digamma_counts(const Columns& cols, const double* radius, Bound bound, const Ctx& ctx) {
    if (cols.d() == 1) {
        // Sort (value, reduced radius) pairs: the counts then need no
        // random access at all, only a search around each position.
        const Sorted1D<double> sorted(cols.ptr[0], cols.stride[0], cols.n, ctx,
                                      [&](index_t i) { return reduced_radius<Metric>(radius[i], bound); });
        std::vector<double> parts(static_cast<size_t>(n_blocks(cols.n, kQueryBlock)), 0.0);
        parallel_blocks(cols.n, kQueryBlock, ctx, [&](index_t b, index_t s, index_t e) {
            auto count = sorted.template counter<Metric>();
            double acc = 0.0;
            for (index_t p = s; p < e; ++p) acc += digamma_count(count(p, sorted.payload(p)));
            parts[b] = acc;
        });
        return ordered_sum(parts);
    }
    // enough blocks for either processing order (sorted values or leaves)
    std::vector<double> parts(static_cast<size_t>(n_blocks(cols.n, std::min(kQueryBlock, kLeafBlock))), 0.0);
    for_each_count<Metric>(cols, radius, bound, ctx,
                           [&](index_t b, index_t, index_t c) { parts[b] += digamma_count(c + 1); });
    return ordered_sum(parts);
}

template <class Metric>
KsgResult ksg1(const Columns& x, const Columns& y, int k, Bound bound, const Ctx& ctx) {
    const index_t n = x.n;
    Columns xy = x;
    for (int c = 0; c < y.d(); ++c) {
        xy.ptr.push_back(y.ptr[c]);
        xy.stride.push_back(y.stride[c]);
    }
    std::vector<double> eps(static_cast<size_t>(n));
    KsgResult res;
    res.zero_radius = knn_radius<Metric>(xy, k, ctx, eps.data());
    poll_interrupt(ctx);
    const double sx = sum_digamma_counts<Metric>(x, eps.data(), bound, ctx);
    poll_interrupt(ctx);
    const double sy = sum_digamma_counts<Metric>(y, eps.data(), bound, ctx);
    const double dn = static_cast<double>(n);
    res.mi_nats = digamma_int(n) + digamma_int(k) - sx / dn - sy / dn;
    return res;
}

}  // namespace fastmi
