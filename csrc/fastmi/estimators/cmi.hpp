// Conditional mutual information I(X;Y|Z) by the k-nearest-neighbour
// estimator of Frenzel and Pompe (2007): eps_i the max-norm distance from
// sample i to its k-th nearest other sample in the joint (x, y, z) space,
// n_xz, n_yz, n_z the numbers of other samples strictly closer than eps_i in
// those subspaces, and
//   I = psi(k) - < psi(n_xz + 1) + psi(n_yz + 1) - psi(n_z + 1) >.
#pragma once

#include <initializer_list>
#include <vector>

#include "../digamma.hpp"
#include "../ksg.hpp"
#include "../neighbors.hpp"
#include "../points.hpp"
#include "../search/rect_count.hpp"
#include "../sorted1d.hpp"

namespace fastmi {

struct CmiResult {
    double cmi_nats;       // unclipped
    index_t zero_radius;   // samples whose k-th joint neighbour distance is 0
};

inline Columns join_columns(std::initializer_list<const Columns*> parts) {
    Columns all;
    all.n = (*parts.begin())->n;
    for (const Columns* c : parts) {
        all.ptr.insert(all.ptr.end(), c->ptr.begin(), c->ptr.end());
        all.stride.insert(all.stride.end(), c->stride.begin(), c->stride.end());
    }
    return all;
}

// One-dimensional x, y and z: every subspace count from windows of sorted
// positions (rect_count.hpp), the z windows shared by the three counts.
inline double cmi_counts_1d(const Columns& x, const Columns& y, const Columns& z, std::vector<double>& eps,
                            const Ctx& ctx) {
    const index_t n = x.n;
    for (double& e : eps) e = just_below(e);  // strictly closer: <= the largest double below
    RankWindows wx, wy, wz;
    std::vector<index_t> order;
    {
        const SortedValues sx(x.ptr[0], n, ctx, x.stride[0]);
        wx = RankWindows::of<MaxNorm>(sx, eps.data(), ctx);
    }
    poll_interrupt(ctx);
    {
        const SortedValues sy(y.ptr[0], n, ctx, y.stride[0]);
        wy = RankWindows::of<MaxNorm>(sy, eps.data(), ctx);
    }
    poll_interrupt(ctx);
    {
        SortedValues sz(z.ptr[0], n, ctx, z.stride[0]);
        wz = RankWindows::of<MaxNorm>(sz, eps.data(), ctx);
        order.swap(sz.index);
    }
    poll_interrupt(ctx);
    const auto counts = rectangle_counts(order, wz, {&wx, &wy}, ctx);
    // per sample psi(n_xz + 1) + psi(n_yz + 1) - psi(n_z + 1); the counts
    // include the sample itself
    std::vector<double> parts(static_cast<size_t>(n_blocks(n, kQueryBlock)), 0.0);
    parallel_blocks(n, kQueryBlock, ctx, [&](index_t b, index_t s, index_t e) {
        double acc = 0.0;
        for (index_t i = s; i < e; ++i)
            acc += digamma_count(counts[0][i]) + digamma_count(counts[1][i]) - digamma_count(wz.hi[i] - wz.lo[i] + 1);
        parts[b] = acc;
    });
    return ordered_sum(parts);
}

inline CmiResult cmi_ksg(const Columns& x, const Columns& y, const Columns& z, int k, const Ctx& ctx) {
    const index_t n = x.n;
    if (x.d() == 1 && y.d() == 1 && z.d() == 1 && n < (index_t(1) << 31)) {
        std::vector<double> eps(static_cast<size_t>(n));
        CmiResult res;
        res.zero_radius = knn_radius<MaxNorm>(join_columns({&x, &y, &z}), k, ctx, eps.data());
        poll_interrupt(ctx);
        const double sum = cmi_counts_1d(x, y, z, eps, ctx);
        res.cmi_nats = digamma_int(k) - sum / static_cast<double>(n);
        return res;
    }
    std::vector<double> eps(static_cast<size_t>(n));
    CmiResult res;
    res.zero_radius = knn_radius<MaxNorm>(join_columns({&x, &y, &z}), k, ctx, eps.data());
    poll_interrupt(ctx);
    const double sxz = sum_digamma_counts<MaxNorm>(join_columns({&x, &z}), eps.data(), Bound::Strict, ctx);
    poll_interrupt(ctx);
    const double syz = sum_digamma_counts<MaxNorm>(join_columns({&y, &z}), eps.data(), Bound::Strict, ctx);
    poll_interrupt(ctx);
    const double sz = sum_digamma_counts<MaxNorm>(z, eps.data(), Bound::Strict, ctx);
    const double dn = static_cast<double>(n);
    res.cmi_nats = digamma_int(k) - (sxz / dn + syz / dn - sz / dn);
    return res;
}

}  // namespace fastmi
