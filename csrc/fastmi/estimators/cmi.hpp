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

inline CmiResult cmi_ksg(const Columns& x, const Columns& y, const Columns& z, int k, const Ctx& ctx) {
    const index_t n = x.n;
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
