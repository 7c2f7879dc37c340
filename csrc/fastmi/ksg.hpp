// Kraskov-Stoegbauer-Grassberger estimator, algorithm 1, over any split of
// coordinates into x and y, with the metric and the marginal bound chosen
// by the caller (published: max-norm and strict counts; the textbook
// listing's variant: Euclidean and inclusive counts).
#pragma once

#include <type_traits>
#include <vector>

#include "digamma.hpp"
#include "neighbors.hpp"
#include "strips.hpp"

namespace fastmi {

struct KsgResult {
    double mi_nats;        // psi(k) + psi(n) - <psi(nx+1)> - <psi(ny+1)>, unclipped
    index_t zero_radius;   // samples whose k-th neighbour distance is 0
};

// Sum over samples of digamma(c_i + 1), c_i the marginal neighbour counts.
template <class Metric>
double sum_digamma_counts(const Columns& cols, const double* radius, Bound bound, const Ctx& ctx) {
    // enough blocks for either processing order (sorted values or leaves)
    std::vector<double> parts(static_cast<size_t>(n_blocks(cols.n, std::min(kQueryBlock, kLeafBlock))), 0.0);
    for_each_count<Metric>(cols, radius, bound, ctx,
                           [&](index_t b, index_t, index_t c) { parts[b] += digamma_count(c + 1); });
    return ordered_sum(parts);
}

// The published estimator between one-dimensional x and y (stride 1) whose
// sorted orders xs, ys are known: the radii on strips of the sorted samples,
// then both counts from the same sorted orders. The value indices of xs and
// ys are built here unless given (x_index, y_index may be null), so that a
// caller estimating many pairs builds each column's only once.
inline KsgResult ksg1_plane_sorted(const double* x, const double* y, const SortedValues& xs, const SortedValues& ys,
                                   const ValueIndex<>* x_index, const ValueIndex<>* y_index, int k,
                                   const Ctx& ctx) {
    const index_t n = xs.size();
    KsgResult res;
    const std::vector<double> eps = knn_radius_plane(x, y, xs, ys, k, ctx, &res.zero_radius);
    double sum[2];
    for (int side = 0; side < 2; ++side) {
        poll_interrupt(ctx);
        const SortedValues& s = side == 0 ? xs : ys;
        const ValueIndex<>* given = side == 0 ? x_index : y_index;
        std::vector<double> parts(static_cast<size_t>(n_blocks(n, kQueryBlock)), 0.0);
        auto count = [&](const ValueIndex<>& index) {
            count_sorted<MaxNorm>(s, index, eps.data(), [](double r) { return just_below(r); }, ctx,
                                  [&](index_t b, index_t, index_t c) { parts[b] += digamma_count(c); });
        };
        if (given) count(*given);
        else count(ValueIndex<>(s.value.data(), n));
        sum[side] = ordered_sum(parts);
    }
    const double dn = static_cast<double>(n);
    res.mi_nats = digamma_int(n) + digamma_int(k) - sum[0] / dn - sum[1] / dn;
    return res;
}

// The same, sorting x and y here.
inline KsgResult ksg1_plane(const double* x, const double* y, index_t n, int k, const Ctx& ctx) {
    const SortedValues xs(x, n, ctx), ys(y, n, ctx);
    poll_interrupt(ctx);
    return ksg1_plane_sorted(x, y, xs, ys, nullptr, nullptr, k, ctx);
}

template <class Metric>
KsgResult ksg1(const Columns& x, const Columns& y, int k, Bound bound, const Ctx& ctx) {
    const index_t n = x.n;
    if (std::is_same<Metric, MaxNorm>::value && bound == Bound::Strict && x.d() == 1 && y.d() == 1 &&
        x.stride[0] == 1 && y.stride[0] == 1 && k < n)
        return ksg1_plane(x.ptr[0], y.ptr[0], n, k, ctx);
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
