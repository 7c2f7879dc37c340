// Conditional mutual information I(X;Y|Z) by the k-nearest-neighbour
// estimator of Frenzel and Pompe (2007): eps_i the max-norm distance from
// sample i to its k-th nearest other sample in the joint (x, y, z) space,
// n_xz, n_yz, n_z the numbers of other samples strictly closer than eps_i in
// those subspaces, and
//   I = psi(k) - < psi(n_xz + 1) + psi(n_yz + 1) - psi(n_z + 1) >.
#pragma once

#include <vector>

#include "fastmi/estimators/ksg.hpp"
#include "fastmi/numerics/digamma.hpp"
#include "fastmi/runtime/columns.hpp"
#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/dispatch.hpp"
#include "fastmi/search/rect_count.hpp"

namespace fastmi {

struct CmiResult {
    double cmi_nats;       // unclipped
    index_t zero_radius;   // samples whose k-th joint neighbour distance is 0
};

// Sum over samples of psi(n_xz + 1) + psi(n_yz + 1) - psi(n_z + 1), in block
// order; counts[0], counts[1] are n_xz + 1 and n_yz + 1 (the sample itself
// included), n_z + 1 is the width of the sample's z window.
inline double cmi_digamma_sum(const std::vector<std::vector<std::uint32_t>>& counts, const RankWindows& wz,
                              index_t n, const Ctx& ctx) {
    std::vector<double> parts(static_cast<size_t>(n_blocks(n, kQueryBlock)), 0.0);
    parallel_blocks(n, kQueryBlock, ctx, [&](index_t b, index_t s, index_t e) {
        double acc = 0.0;
        for (index_t i = s; i < e; ++i)
            acc += digamma_count(counts[0][i]) + digamma_count(counts[1][i]) - digamma_count(wz.hi[i] - wz.lo[i] + 1);
        parts[b] = acc;
    });
    return ordered_sum(parts);
}

// One-dimensional x, y and z: the sum over samples of psi(n_xz + 1) +
// psi(n_yz + 1) - psi(n_z + 1), every subspace count from windows of sorted
// positions (rect_count.hpp), the z windows shared by the three counts; the
// sorted orders and the value indices of x and z given (a permutation test
// makes those once).
inline double cmi_sum_sorted(const SortedValues& sx, const ValueIndex& ix, const SortedValues& sy,
                             const SortedValues& sz, const ValueIndex& iz, std::vector<double>& eps, const Ctx& ctx) {
    const index_t n = sx.size();
    for (double& e : eps) e = just_below(e);
    const RankWindows wx = RankWindows::of<MaxNorm>(sx, eps.data(), ctx, &ix);
    const RankWindows wy = RankWindows::of<MaxNorm>(sy, eps.data(), ctx);
    const RankWindows wz = RankWindows::of<MaxNorm>(sz, eps.data(), ctx, &iz);
    const auto counts = rectangle_counts(sz.index, wz, {&wx, &wy}, ctx);
    return cmi_digamma_sum(counts, wz, n, ctx);
}

// cmi_ksg for 1-D x, y and z (n < 2^31): each variable sorted once, for
// the quantile slabs of the joint search (knn_radius_slabs, on plain copies
// of strided columns) and for the counts.
inline CmiResult cmi_ksg_1d(const Columns& x, const Columns& y, const Columns& z, int k, const Ctx& ctx) {
    const index_t n = x.n;
    const int g = grid_slabs(n, k, 3);
    const Columns* cols[3] = {&x, &y, &z};
    std::vector<SortedValues> sorted;
    std::vector<double> copies[3];
    const double* plain[3];
    QuantileSlabs slabs[3];
    for (int a = 0; a < 3; ++a) {
        const Columns& c = *cols[a];
        sorted.emplace_back(c.ptr[0], n, ctx, c.stride[0]);
        slabs[a] = QuantileSlabs(sorted.back(), g);
        plain[a] = c.ptr[0];
        if (c.stride[0] != 1) {
            copies[a].resize(static_cast<size_t>(n));
            for (index_t i = 0; i < n; ++i) copies[a][i] = c.at(i, 0);
            plain[a] = copies[a].data();
        }
    }
    std::vector<double> eps(static_cast<size_t>(n));
    CmiResult res;
    const QuantileSlabs* cut[3] = {&slabs[0], &slabs[1], &slabs[2]};
    const std::uint32_t* at[3] = {slabs[0].slab.data(), slabs[1].slab.data(), slabs[2].slab.data()};
    res.zero_radius = knn_radius_slabs<3>(plain, cut, at, n, k, ctx, eps.data());
    poll_interrupt(ctx);
    const ValueIndex ix(sorted[0].value.data(), n), iz(sorted[2].value.data(), n);
    const double sum = cmi_sum_sorted(sorted[0], ix, sorted[1], sorted[2], iz, eps, ctx);
    res.cmi_nats = digamma_int(k) - sum / static_cast<double>(n);
    return res;
}

// The count structures of cmi_ksg that y does not enter, in (x, z) and in
// z: built once for the many y of a permutation test.
struct CmiFixed {
    CountIndex<MaxNorm> xz, z;
    CmiFixed(const Columns& x, const Columns& zc, const Ctx& ctx) : xz(Columns::joined(x, zc), ctx), z(zc, ctx) {}
};

// The joint k-th radii of (x, y, z) (k < n), radius[i] for sample i (the
// slab grid in 3 to 6 dimensions, else the KD-tree: knn_radius); returns how
// many are zero.
inline index_t cmi_joint_radius(const Columns& x, const Columns& y, const Columns& z, int k, const Ctx& ctx,
                                double* radius) {
    return knn_radius<MaxNorm>(Columns::joined(Columns::joined(x, y), z), k, ctx, radius);
}

// Frenzel-Pompe from the joint radii eps (eps[i] of sample i): the counts
// in (x, z), (y, z) and z, on the structures of `fixed` where given.
inline double cmi_from_radius(const Columns& x, const Columns& y, const Columns& z, int k, const double* eps,
                              const Ctx& ctx, const CmiFixed* fixed) {
    const index_t n = x.n;
    // the counts in `cols` on `given` when there is one, else on a structure built for them
    auto sum_in = [&](const Columns& cols, const CountIndex<MaxNorm>* given) {
        return given != nullptr ? marginal_sum<MaxNorm, Summation::blocks>(*given, n, eps, Bound::strict, ctx)
                                : marginal_sum<MaxNorm, Summation::blocks>(cols, {}, eps, Bound::strict, ctx);
    };
    const double sxz = sum_in(Columns::joined(x, z), fixed != nullptr ? &fixed->xz : nullptr);
    poll_interrupt(ctx);
    const double syz = sum_in(Columns::joined(y, z), nullptr);
    poll_interrupt(ctx);
    const double sz = sum_in(z, fixed != nullptr ? &fixed->z : nullptr);
    const double dn = static_cast<double>(n);
    return digamma_int(k) - (sxz / dn + syz / dn - sz / dn);
}

// fixed: CmiFixed of x and z (the general path then counts on it; the
// 1-D path never needs it), or nullptr.
inline CmiResult cmi_ksg(const Columns& x, const Columns& y, const Columns& z, int k, const Ctx& ctx,
                         const CmiFixed* fixed = nullptr) {
    const index_t n = x.n;
    if (x.d() == 1 && y.d() == 1 && z.d() == 1 && n < (index_t(1) << 31)) return cmi_ksg_1d(x, y, z, k, ctx);
    std::vector<double> eps(static_cast<size_t>(n));
    CmiResult res;
    res.zero_radius = cmi_joint_radius(x, y, z, k, ctx, eps.data());
    poll_interrupt(ctx);
    res.cmi_nats = cmi_from_radius(x, y, z, k, eps.data(), ctx, fixed);
    return res;
}

}  // namespace fastmi
