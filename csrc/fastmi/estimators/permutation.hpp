// Permutation null distributions of the KSG estimators, for mi_test:
//   ksg_null  I(X; Y[perm]) for global permutations of y;
//   cmi_null  I(X; Y[perm] | Z) for the local permutations of Runge (2018):
//             each sample's y is taken from one of its `s` nearest
//             neighbours in z (itself included), without replacement as
//             far as possible.
// Every permutation comes from its own seed (std::mt19937_64, whose output
// the C++ standard fixes, and an unbiased bounded draw written here), so
// permutation b is the same whatever thread draws it, and the null
// distribution is the same for every thread count. Structures that no
// permutation changes are built once: the sorted orders and value indices
// of x and y (a global permutation only relabels y's sorted order), the
// sorted orders of x and z and the neighbour lists in z (the count
// structures of (x, z) and of z for multivariate data: CmiFixed); with 1-D
// x, y, z also the quantile slabs of x, y and z, on which each permutation's
// joint k-th distances are searched after one counting sort (slab_grid.hpp,
// unless its cells are crowded: knn_radius_slabs).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "fastmi/estimators/cmi.hpp"
#include "fastmi/estimators/ksg.hpp"
#include "fastmi/estimators/pairwise.hpp"
#include "fastmi/numerics/digamma.hpp"
#include "fastmi/runtime/columns.hpp"
#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/dispatch.hpp"
#include "fastmi/search/slab_grid.hpp"
#include "fastmi/search/kdtree.hpp"
#include "fastmi/search/radix_sort.hpp"
#include "fastmi/search/rect_count.hpp"
#include "fastmi/search/result_set.hpp"

namespace fastmi {

// The 128-bit product of a and b: its high word returned, its low in *lo.
inline std::uint64_t mul_wide(std::uint64_t a, std::uint64_t b, std::uint64_t* lo) {
#if defined(__SIZEOF_INT128__)
    const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
    *lo = static_cast<std::uint64_t>(p);
    return static_cast<std::uint64_t>(p >> 64);
#else
    const std::uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    const std::uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const std::uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    *lo = (mid << 32) | (p00 & 0xffffffffu);
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

// A seeded stream with unbiased draws in [0, m): Lemire's multiply-shift,
// which rejects the rare draws that would bias it (no division in the
// common path). The high word of x * (b_1 ... b_r) read digit by digit (the
// high word of each product by b_j, the low word carried on to the next)
// gives r independent uniform draws below b_1, ..., b_r at the cost of one,
// with the same rejection test on the last low word.
class PermutationRng {
public:
    explicit PermutationRng(std::uint64_t seed) : gen_(seed) {}
    // A uniform draw in [0, m), 0 < m.
    std::uint64_t below(std::uint64_t m) {
        std::uint64_t lo;
        std::uint64_t hi = mul_wide(gen_(), m, &lo);
        if (lo < m) {
            const std::uint64_t limit = (0 - m) % m;  // 2^64 mod m
            while (lo < limit) hi = mul_wide(gen_(), m, &lo);
        }
        return hi;
    }

    // Fisher-Yates, from the last position down (the swap of position i
    // with one below i + 1); the swaps of up to 20 positions (20! < 2^64)
    // from one draw.
    template <class T>
    void shuffle(T* a, index_t m) {
        if (m <= 1) return;
        if (m > 20) {
            for (index_t i = m - 1; i > 0; --i) std::swap(a[i], a[below(static_cast<std::uint64_t>(i + 1))]);
            return;
        }
        std::uint64_t total = 1;
        for (index_t i = 2; i <= m; ++i) total *= static_cast<std::uint64_t>(i);
        std::uint64_t digit[20];
        for (;;) {
            std::uint64_t frac = gen_();
            for (index_t i = m - 1; i > 0; --i) digit[i] = mul_wide(frac, static_cast<std::uint64_t>(i + 1), &frac);
            if (frac >= total || frac >= (0 - total) % total) break;
        }
        for (index_t i = m - 1; i > 0; --i) std::swap(a[i], a[digit[i]]);
    }

private:
    std::mt19937_64 gen_;
};

// out[i] = the sample whose y sample i receives. neighbors == nullptr: a
// uniform random permutation of [0, n). Otherwise neighbors holds s
// candidates per sample (row-major (n, s)) and the samples are visited in a
// random order, each taking the first of its candidates (in a random order)
// not taken yet, or, when all are taken, the last of them in that order.
inline void draw_permutation(const std::int64_t* neighbors, index_t n, int s, std::uint64_t seed, std::int64_t* out) {
    PermutationRng rng(seed);
    std::vector<std::int64_t> order(static_cast<size_t>(n));
    for (index_t i = 0; i < n; ++i) order[i] = i;
    rng.shuffle(order.data(), n);
    if (neighbors == nullptr) {
        std::copy(order.begin(), order.end(), out);
        return;
    }
    std::vector<char> taken(static_cast<size_t>(n), 0);
    std::vector<std::int64_t> cand(static_cast<size_t>(s));
    for (index_t t = 0; t < n; ++t) {
        const index_t i = order[t];
        std::copy(neighbors + i * s, neighbors + (i + 1) * s, cand.begin());
        rng.shuffle(cand.data(), s);
        std::int64_t pick = cand[static_cast<size_t>(s - 1)];
        for (int c = 0; c < s; ++c)
            if (!taken[static_cast<size_t>(cand[c])]) {
                pick = cand[c];
                break;
            }
        taken[static_cast<size_t>(pick)] = 1;
        out[i] = pick;
    }
}

// z_neighbors for one-dimensional z without tied values: from the sorted
// order, each sample's nearest others are those met walking outward from
// its position, the nearer side first (at equal distances the lower sample
// index, as the KD-tree's ordering has it). Returns false, writing nothing,
// when z has tied values (their order by index needs the general search).
inline bool z_neighbors_1d(const Columns& z, int s, const Ctx& ctx, std::int64_t* out) {
    const index_t n = z.n;
    const SortedValues sz(z.ptr[0], n, ctx, z.stride[0]);
    for (index_t p = 1; p < n; ++p)
        if (sz.value[p] == sz.value[p - 1]) return false;
    const double* v = sz.value.data();
    const index_t* id = sz.index.data();
    parallel_blocks(n, kQueryBlock, ctx, [&](index_t, index_t a, index_t b) {
        for (index_t p = a; p < b; ++p) {
            std::int64_t* row = out + id[p] * s;
            row[0] = id[p];
            index_t lo = p - 1, hi = p + 1;
            for (int c = 1; c < s; ++c) {
                bool left;
                if (lo < 0) left = false;
                else if (hi >= n) left = true;
                else {
                    const double dl = std::abs(v[p] - v[lo]), dr = std::abs(v[hi] - v[p]);
                    left = dl < dr || (dl == dr && id[lo] < id[hi]);
                }
                row[c] = left ? id[lo--] : id[hi++];
            }
        }
    });
    return true;
}

// out[i * s ..] = sample i, then its s - 1 nearest other samples in z
// (max-norm), nearest first, ties in index order; s <= n.
inline void z_neighbors(const Columns& z, int s, const Ctx& ctx, std::int64_t* out) {
    const index_t n = z.n;
    if (s == 1) {
        for (index_t i = 0; i < n; ++i) out[i] = i;
        return;
    }
    if (z.d() == 1 && z_neighbors_1d(z, s, ctx, out)) return;
    const KDTree<MaxNorm> tree(z, ctx);
    const auto& leaves = tree.leaves();
    parallel_blocks(static_cast<index_t>(leaves.size()), kLeafBlock, ctx, [&](index_t, index_t a, index_t b) {
        KBest<> best(s - 1);
        KDTree<MaxNorm>::Stack stack;
        std::vector<index_t> walk;
        std::vector<std::pair<double, index_t>> found;
        WorkPoll poll(ctx);  // s close to n: a block is a long time
        for (index_t l = a; l < b; ++l) {
            const auto& leaf = tree.node(leaves[l]);
            std::int64_t work = 0;
            for (index_t p = leaf.start; p < leaf.end; ++p) {
                const double r = tree.knn_self(p, leaves[l], best, stack, work);
                found.clear();
                const double* q = tree.point(p);
                tree.for_each_self(p, leaves[l], r, walk, work, [&](index_t j) {
                    found.emplace_back(MaxNorm::point(q, tree.point(j), tree.dim()), tree.original(j));
                });
                std::partial_sort(found.begin(), found.begin() + (s - 1), found.end());
                std::int64_t* row = out + tree.original(p) * s;
                row[0] = tree.original(p);
                for (int c = 1; c < s; ++c) row[c] = found[static_cast<size_t>(c - 1)].second;
                work += static_cast<std::int64_t>(found.size());
            }
            poll.add(work);
        }
    });
}

// The rows of the row-major (n, d) block src in the order perm: dst[i] = src[perm[i]].
inline void gather_rows(const double* src, index_t n, int d, const std::int64_t* perm, double* dst) {
    for (index_t i = 0; i < n; ++i)
        for (int c = 0; c < d; ++c) dst[i * d + c] = src[perm[i] * d + c];
}

// Sorted order of y[perm] for a bijection perm, from y's sorted order ys:
// the same values, each index mapped through the inverse permutation, and
// within runs of equal values the indices ascending (SortedValues' order).
inline void relabel_sorted(const SortedValues& ys, const std::int64_t* perm, SortedValues& out) {
    const index_t n = ys.size();
    std::vector<index_t> inverse(static_cast<size_t>(n));
    for (index_t i = 0; i < n; ++i) inverse[static_cast<size_t>(perm[i])] = i;
    out.value = ys.value;
    out.index.resize(static_cast<size_t>(n));
    for (index_t p = 0; p < n; ++p) out.index[p] = inverse[static_cast<size_t>(ys.index[p])];
    for (index_t a = 0; a < n;) {
        index_t b = a + 1;
        while (b < n && out.value[b] == out.value[a]) ++b;
        if (b - a > 1) std::sort(out.index.begin() + a, out.index.begin() + b);
        a = b;
    }
}

// out[b] = KSG algorithm 1 in nats (unclipped) between x and y[perm_b], perm_b
// the uniform permutation drawn from seeds[b]; zeros[b] its number of zero
// k-th-neighbour distances. x, y are row-major (n, dx), (n, dy); k < n.
inline void ksg_null(const double* x, int dx, const double* y, int dy, index_t n, int k, const std::uint64_t* seeds,
                     index_t n_perm, const Ctx& ctx, double* out, std::int64_t* zeros) {
    const bool plane = dx == 1 && dy == 1;
    std::unique_ptr<PreparedColumn> cx, cy;
    if (plane) {
        cx = std::make_unique<PreparedColumn>(x, n, ctx);
        cy = std::make_unique<PreparedColumn>(y, n, ctx);
    }
    const Columns xc = Columns::of(x, n, dx);
    poll_interrupt(ctx);
    run_tasks(n_perm, ctx, [&](index_t b, const Ctx& c) {
        std::vector<std::int64_t> perm(static_cast<size_t>(n));
        draw_permutation(nullptr, n, 0, seeds[b], perm.data());
        std::vector<double> yp(static_cast<size_t>(n) * dy);
        gather_rows(y, n, dy, perm.data(), yp.data());
        const Columns yc = Columns::of(yp.data(), n, dy);
        KsgResult r;
        if (plane) {
            SortedValues ys;
            relabel_sorted(cy->sorted, perm.data(), ys);
            // y[perm] has y's values: y's value index serves it unchanged
            r = ksg1<MaxNorm>(xc, yc, k, Bound::strict, Summation::blocks, c, SortedColumn{&ys, &cy->index},
                              cx->order());
        } else {
            r = ksg1<MaxNorm>(xc, yc, k, Bound::strict, Summation::blocks, c);
        }
        out[b] = r.mi_nats;
        zeros[b] = r.zero_radius;
    });
}

// cmi_null for one-dimensional x, y and z (n < 2^31): the joint k-th
// distances on a grid of quantile slabs (slab_grid.hpp) whose x and z slabs,
// and y's (a permuted y takes the slab of the y it received), are cut once;
// each permutation only counting-sorts the points into cells. The counts
// then come from the sorted orders of x and z, made once, and of y[perm].
// Measured and rejected (n = 5000, k = 10, x and y both driven by z): lists
// of each sample's L nearest in (x, z), built once and scanned in d_xz order
// per permutation. The joint radius is set by y there, so n_xz is large
// (median 74, 99th percentile 450): L = 128 still misses 14% of the samples,
// the lists take 140 ms to build (the whole test's budget), and a scan reads
// about 90 entries, twice the grid's time per sample.
inline void cmi_null_lines(const double* x, const double* y, const double* z, index_t n, int k,
                           const std::int64_t* neighbors, int s, const std::uint64_t* seeds, index_t n_perm,
                           const Ctx& ctx, double* out, std::int64_t* zeros) {
    const SortedValues sx(x, n, ctx), sz(z, n, ctx);
    const int g = grid_slabs(n, k, 3);
    const ValueIndex ix(sx.value.data(), n), iz(sz.value.data(), n);
    const QuantileSlabs qx(sx, g), qz(sz, g);
    const QuantileSlabs qy(SortedValues(y, n, ctx), g);
    poll_interrupt(ctx);
    run_tasks(n_perm, ctx, [&](index_t b, const Ctx& c) {
        std::vector<std::int64_t> perm(static_cast<size_t>(n));
        draw_permutation(neighbors, n, s, seeds[b], perm.data());
        std::vector<double> yp(static_cast<size_t>(n));
        std::vector<std::uint32_t> ys(static_cast<size_t>(n));
        for (index_t i = 0; i < n; ++i) {
            yp[i] = y[perm[i]];
            ys[i] = qy.slab[static_cast<size_t>(perm[i])];
        }
        std::vector<double> eps(static_cast<size_t>(n));
        const double* coord[3] = {x, yp.data(), z};
        const QuantileSlabs* cut[3] = {&qx, &qy, &qz};
        const std::uint32_t* at[3] = {qx.slab.data(), ys.data(), qz.slab.data()};
        zeros[b] = knn_radius_slabs<3>(coord, cut, at, n, k, c, eps.data());
        const SortedValues sy(yp.data(), n, c);
        out[b] = digamma_int(k) - cmi_sum_sorted(sx, ix, sy, sz, iz, eps, c) / static_cast<double>(n);
    });
}

// The joint spaces (x, y[perm], z) of a permutation test on the slab grid
// (slab_grid_fits their dimension): every axis of x, y and z cut once; a
// permuted y takes, axis by axis, the values it received and their slabs.
class PermutedJoint {
public:
    PermutedJoint(const Columns& x, const Columns& y, const Columns& z, int k, const Ctx& ctx)
        : k_(k), d_(x.d() + y.d() + z.d()), x_(x, grid_slabs(x.n, k, d_), ctx), y_(y, x_.slabs[0].g, ctx),
          z_(z, x_.slabs[0].g, ctx) {}

    // out[i] = the joint k-th distance of sample i with y[perm], given as
    // its columns yp[a][i] = y[perm[i], a]; returns how many are zero.
    index_t radius(const std::int64_t* perm, const double* const* yp, const Ctx& ctx, double* out) const {
        const index_t n = static_cast<index_t>(x_.plain[0].size());
        std::vector<std::vector<std::uint32_t>> yslab(static_cast<size_t>(y_.d()),
                                                      std::vector<std::uint32_t>(static_cast<size_t>(n)));
        SlabInput in;
        in.add(x_);
        for (int a = 0; a < y_.d(); ++a) {
            const std::uint32_t* sl = y_.slabs[a].slab.data();
            for (index_t i = 0; i < n; ++i) yslab[a][i] = sl[perm[i]];
            in.add(yp[a], y_.slabs[a], yslab[a].data());
        }
        in.add(z_);
        return knn_radius_grid(d_, in.coord.data(), in.cut.data(), in.at.data(), n, k_, ctx, out);
    }

private:
    int k_, d_;
    SlabAxes x_, y_, z_;
};

// out[b] = Frenzel-Pompe conditional MI in nats (unclipped) of x and
// y[perm_b] given z, perm_b the local permutation drawn from seeds[b] over
// the s candidates per sample in `neighbors` (row-major (n, s));
// zeros[b] its number of zero joint k-th-neighbour distances.
inline void cmi_null(const double* x, int dx, const double* y, int dy, const double* z, int dz, index_t n, int k,
                     const std::int64_t* neighbors, int s, const std::uint64_t* seeds, index_t n_perm,
                     const Ctx& ctx, double* out, std::int64_t* zeros) {
    const bool lines = dx == 1 && dy == 1 && dz == 1 && n < (index_t(1) << 31);
    if (lines) {
        cmi_null_lines(x, y, z, n, k, neighbors, s, seeds, n_perm, ctx, out, zeros);
        return;
    }
    const Columns xc = Columns::of(x, n, dx), yc = Columns::of(y, n, dy), zc = Columns::of(z, n, dz);
    const CmiFixed fixed(xc, zc, ctx);
    std::unique_ptr<PermutedJoint> joint;
    if (slab_grid_fits(dx + dy + dz, n)) joint = std::make_unique<PermutedJoint>(xc, yc, zc, k, ctx);
    poll_interrupt(ctx);
    run_tasks(n_perm, ctx, [&](index_t b, const Ctx& c) {
        std::vector<std::int64_t> perm(static_cast<size_t>(n));
        draw_permutation(neighbors, n, s, seeds[b], perm.data());
        // y[perm] column by column
        std::vector<std::vector<double>> ycol(static_cast<size_t>(dy), std::vector<double>(static_cast<size_t>(n)));
        std::vector<const double*> yp;
        Columns ypc;
        ypc.n = n;
        for (int a = 0; a < dy; ++a) {
            for (index_t i = 0; i < n; ++i) ycol[a][i] = y[perm[i] * dy + a];
            yp.push_back(ycol[a].data());
            ypc.add_block(ycol[a].data(), 1);
        }
        std::vector<double> eps(static_cast<size_t>(n));
        zeros[b] = joint ? joint->radius(perm.data(), yp.data(), c, eps.data())
                         : cmi_joint_radius(xc, ypc, zc, k, c, eps.data());
        out[b] = cmi_from_radius(xc, ypc, zc, k, eps.data(), c, &fixed);
    });
}

}  // namespace fastmi
