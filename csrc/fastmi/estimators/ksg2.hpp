// Kraskov-Stoegbauer-Grassberger estimator, algorithm 2 (Kraskov et al.
// 2004, eq. 9): per sample, eps_x and eps_y are the largest x- and
// y-distances (max-norm) among its k nearest neighbours in the joint space,
// n_x = #{j != i : |x_i - x_j| <= eps_x} (and n_y likewise), and
//   I = psi(k) - 1/k + psi(n) - < psi(n_x) + psi(n_y) >.
// When several samples tie at the k-th joint distance, every sample within
// that distance counts as a neighbour (the result does not depend on how the
// tie would be broken).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "fastmi/estimators/ksg.hpp"
#include "fastmi/numerics/digamma.hpp"
#include "fastmi/runtime/columns.hpp"
#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/dispatch.hpp"
#include "fastmi/search/kdtree.hpp"
#include "fastmi/search/result_set.hpp"

namespace fastmi {

// eps_x[i], eps_y[i] for every sample (x: the first dx joint coordinates);
// returns the number of zero joint radii.
template <int D>
index_t ksg2_marginal_radii(const Columns& xy, int dx, int k, const Ctx& ctx, double* eps_x, double* eps_y) {
    const KDTree<MaxNorm, D> tree(xy, ctx);
    const int d = tree.dim();
    const auto& leaves = tree.leaves();
    const index_t n_leaves = static_cast<index_t>(leaves.size());
    std::vector<index_t> zeros(static_cast<size_t>(n_blocks(n_leaves, kLeafBlock)), 0);
    parallel_blocks(n_leaves, kLeafBlock, ctx, [&](index_t b, index_t s, index_t e) {
        KBest<> best(k);
        typename KDTree<MaxNorm, D>::Stack stack;
        std::vector<index_t> visit;
        stack.reserve(256);
        visit.reserve(256);
        WorkPoll poll(ctx);  // k close to n: a block is a long time
        index_t z = 0;
        for (index_t l = s; l < e; ++l) {
            const auto& leaf = tree.node(leaves[l]);
            std::int64_t work = 0;
            for (index_t p = leaf.start; p < leaf.end; ++p) {
                const double r = tree.knn_self(p, leaves[l], best, stack, work);
                z += r == 0.0;
                const double* q = tree.point(p);
                double ex = 0.0, ey = 0.0;
                tree.for_each_self(p, leaves[l], r, visit, work, [&](index_t j) {
                    const double* o = tree.point(j);
                    for (int c = 0; c < dx; ++c) ex = std::max(ex, std::fabs(q[c] - o[c]));
                    for (int c = dx; c < d; ++c) ey = std::max(ey, std::fabs(q[c] - o[c]));
                });
                const index_t i = tree.original(p);
                eps_x[i] = ex;
                eps_y[i] = ey;
            }
            poll.add(work);
        }
        zeros[b] = z;
    });
    index_t total = 0;
    for (index_t v : zeros) total += v;
    return total;
}

// Sum over samples of digamma(c_i), c_i the other samples within radius[i]
// (inclusive) in `cols`, in the order of marginal_sum (ksg.hpp).
inline double sum_digamma_inclusive(const Columns& cols, const double* radius, const Ctx& ctx) {
    return marginal_sum<MaxNorm, Summation::blocks, 0>(cols, {}, radius, Bound::inclusive, ctx);
}

inline KsgResult ksg2(const Columns& x, const Columns& y, int k, const Ctx& ctx) {
    const index_t n = x.n;
    const Columns xy = Columns::joined(x, y);
    std::vector<double> ex(static_cast<size_t>(n)), ey(static_cast<size_t>(n));
    KsgResult res;
    switch (xy.d()) {
        case 2: res.zero_radius = ksg2_marginal_radii<2>(xy, x.d(), k, ctx, ex.data(), ey.data()); break;
        case 3: res.zero_radius = ksg2_marginal_radii<3>(xy, x.d(), k, ctx, ex.data(), ey.data()); break;
        case 4: res.zero_radius = ksg2_marginal_radii<4>(xy, x.d(), k, ctx, ex.data(), ey.data()); break;
        default: res.zero_radius = ksg2_marginal_radii<0>(xy, x.d(), k, ctx, ex.data(), ey.data()); break;
    }
    poll_interrupt(ctx);
    const double sx = sum_digamma_inclusive(x, ex.data(), ctx);
    poll_interrupt(ctx);
    const double sy = sum_digamma_inclusive(y, ey.data(), ctx);
    const double dn = static_cast<double>(n);
    res.mi_nats = digamma_int(k) - 1.0 / static_cast<double>(k) + digamma_int(n) - sx / dn - sy / dn;
    return res;
}

}  // namespace fastmi
