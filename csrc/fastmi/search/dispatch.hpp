// The search behind each neighbour statistic of the KSG family, chosen from
// the shape of the data: the k-th-neighbour radius of every sample (strips
// in a plane of two plain 1-D variables, a grid of quantile slabs in 3 to 6
// max-norm dimensions, else a KD-tree of the dimension),
// and per-sample counts of the samples within a per-sample radius (sorted
// values in one dimension, the slab grid in 2 to 6 max-norm dimensions,
// else a KD-tree).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "fastmi/runtime/columns.hpp"
#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/slab_grid.hpp"
#include "fastmi/search/kdtree.hpp"
#include "fastmi/search/radix_sort.hpp"
#include "fastmi/search/sorted1d.hpp"
#include "fastmi/search/strips.hpp"

namespace fastmi {

// knn_radius on the KD-tree of the dimension.
template <class Norm>
index_t tree_knn_radius(const Columns& cols, int k, const Ctx& ctx, double* radius) {
    switch (cols.d()) {
        case 2: return tree_knn_radius<Norm, 2>(cols, k, ctx, radius);
        case 3: return tree_knn_radius<Norm, 3>(cols, k, ctx, radius);
        case 4: return tree_knn_radius<Norm, 4>(cols, k, ctx, radius);
        case 6: return tree_knn_radius<Norm, 6>(cols, k, ctx, radius);
        case 8: return tree_knn_radius<Norm, 8>(cols, k, ctx, radius);
        default: return tree_knn_radius<Norm, 0>(cols, k, ctx, radius);
    }
}

// The max-norm radii in the plane of the plain 1-D x and y (k < n), xs and
// ys their sorted orders: on strips when they fit the data, else on the
// KD-tree; `zeros` receives how many are exactly zero. The result is
// allocated after the strips, which keeps the peak memory at 64 bytes per
// sample.
inline std::vector<double> knn_radius_plane(const double* x, const double* y, const SortedValues& xs,
                                            const SortedValues& ys, int k, const Ctx& ctx, index_t* zeros) {
    const index_t n = xs.size();
    std::vector<double> radius;
    if (n < (index_t(1) << 32)) {
        const StripKnn strips(x, xs, ys, n, k, ctx);
        if (strips.predicted_steps(ys, ctx) <= strip_budget(k)) {
            radius.resize(static_cast<size_t>(n));
            if (strips.run(radius.data(), strip_budget(k), ctx)) {
                index_t z = 0;
                for (index_t i = 0; i < n; ++i) z += radius[i] == 0.0;
                *zeros = z;
                return radius;
            }
        }
    }
    radius.resize(static_cast<size_t>(n));
    Columns xy = Columns::of(x, n, 1);
    xy.add_block(y, 1);
    *zeros = tree_knn_radius<MaxNorm>(xy, k, ctx, radius.data());
    return radius;
}

// Rows of grid cells per block of the parallel search in knn_radius_slabs.
constexpr index_t kGridRows = 16;

// The mean number of points per sample, times k + 1, that a slab-grid
// search of D dimensions may scan before it gives way to the KD-tree.
// Heavy-tailed coordinates (lognormal, Cauchy, a few values a million
// times the rest) defeat the grid: a sample among an axis's largest values
// has a k-th distance far above the other axes' spread, so its box holds
// its whole slab of that axis. Measured (n = 5e3 to 1e5, k = 3 to 40, one
// thread), points scanned per sample over k + 1: normal chains 5 to 14 at
// D = 3, 12 to 38 at 4, 25 to 99 at 5, 43 to 236 at 6; lognormal(0, 3),
// Cauchy or 5% outliers 26 to 670, 120 to 470, 240 to 680, 100 to 890,
// where the grid took up to 9x the tree's time (n = 1e5, D = 3, 5%
// outliers: 2.5 s against 0.29). The grid and the tree were level at about
// 30 to 60 at D = 3 (a lognormal chain, n = 1e5, k = 10, scanning 40: the
// grid 1.35x faster than the tree).
constexpr double kGridScan[7] = {0, 0, 0, 50.0, 80.0, 200.0, 400.0};
// One row of cells in kGridSample, spread evenly and away from the grid's
// first and last rows (where the leading axes' tails lie), is searched
// first: once its samples scan above the limit in all, the KD-tree takes
// over (the sampled rows' work lost, at most 1/16 of the grid's budget);
// else the other rows follow, and give way to the tree too if all rows
// together overrun twice the limit (a sample far off the whole).
constexpr index_t kGridSample = 16;

// The max-norm radii in the joint space of D plain 1-D coordinates coord[a]
// (k < n, n < 2^31): on a grid of the quantile slabs slabs[a] (cut with
// grid_slabs(n, k, D); at[a][i] the slab of slabs[a] that holds
// coord[a][i], which lets a permuted y reuse y's slabs) unless its cells are
// crowded or its search scans too many points (kGridScan), else on the
// KD-tree. Both searches give the exact radii, so the choice changes the
// time only. Returns how many radii are exactly zero.
template <int D>
index_t knn_radius_slabs(const double* const* coord, const QuantileSlabs* const* slabs,
                         const std::uint32_t* const* at, index_t n, int k, const Ctx& ctx, double* radius) {
    {
        SlabGrid<D> grid;
        grid.build(slabs, coord, at, n);
        if (!grid.crowded()) {
            const index_t rows = grid.rows();
            const double per_sample = kGridScan[D] * (k + 1.0);
            std::atomic<std::int64_t> spent{0};
            std::atomic<index_t> zeros{0};
            std::atomic<bool> over{false};
            double limit = 0.0;  // points scanned in all, set before each pass
            // rows [r0, r1) in one chain of guesses (see knn_rows), unless the search is over
            auto search = [&](index_t r0, index_t r1, double* buf, double* guess) {
                if (r0 >= r1 || over.load(std::memory_order_relaxed)) return;
                std::int64_t scanned = 0;
                zeros.fetch_add(grid.knn_rows(k, static_cast<std::uint32_t>(r0), static_cast<std::uint32_t>(r1), buf,
                                              radius, &scanned, guess),
                                std::memory_order_relaxed);
                const std::int64_t total = spent.fetch_add(scanned, std::memory_order_relaxed) + scanned;
                if (static_cast<double>(total) > limit) over.store(true, std::memory_order_relaxed);
            };
            // scratch for one block: written before it is read, so left uninitialised (zeroing
            // 16 bytes per sample for every block cost 0.5 s at n = 1e6)
            auto scratch = [n] { return std::unique_ptr<double[]>(new double[SlabGrid<D>::scratch(n)]); };
            // the sampled rows (row j of m: row_at[j]), each block's in one chain;
            // after[j], the guess that row row_at[j] leaves, starts the rows after it
            const std::vector<index_t> row_at = spread_sample(rows, kGridSample);
            const auto m = static_cast<index_t>(row_at.size());
            index_t first = 0;
            for (index_t r : row_at) first += grid.points_in_rows(r, r + 1);
            std::vector<double> after(static_cast<size_t>(m), 0.0);
            limit = per_sample * static_cast<double>(first);
            // (kGridRows rows per block: each block's chain starts from the grid's
            // own guess, far too large for the bulk of heavy-tailed data, and
            // shorter chains raised the sampled rows' scan, 4-D Gaussian data's
            // past the budget)
            parallel_blocks(m, kGridRows, ctx, [&](index_t, index_t j0, index_t j1) {
                const auto buf = scratch();
                double guess = 0.0;
                for (index_t j = j0; j < j1; ++j) {
                    const index_t r = row_at[static_cast<size_t>(j)];
                    search(r, r + 1, buf.get(), &guess);
                    after[static_cast<size_t>(j)] = guess;
                }
            });
            // the runs of rows before, between and after the sampled ones
            if (!over.load()) {
                limit = 2.0 * per_sample * static_cast<double>(n);
                parallel_blocks(m + 1, 1, ctx, [&](index_t j, index_t, index_t) {
                    const index_t r0 = j == 0 ? 0 : row_at[static_cast<size_t>(j - 1)] + 1;
                    const index_t r1 = j == m ? rows : row_at[static_cast<size_t>(j)];
                    if (r0 >= r1 || over.load(std::memory_order_relaxed)) return;
                    double guess = j == 0 ? 0.0 : after[static_cast<size_t>(j - 1)];
                    search(r0, r1, scratch().get(), &guess);
                });
            }
            if (!over.load()) return zeros.load();
        }
    }
    Columns all = Columns::of(coord[0], n, 1);
    for (int a = 1; a < D; ++a) all.add_block(coord[a], 1);
    return tree_knn_radius<MaxNorm>(all, k, ctx, radius);
}

// The dimensions searched on the slab grid: from 3 (1-D x, y, z) to 6.
// Measured against the KD-tree (one thread, Gaussian chains, k = 1 to 10,
// same radii): at D = 4 the grid takes 1/2.4 to 1/3.6 of the tree's time for
// n = 5e3 to 2e5, 1/1.6 at 3e5 (k = 3), but at 1e6 its rows of cells leave
// the caches and it takes 1.35x (k = 3) to 1.85x (k = 1) the tree's time;
// at D = 5 1/2.1 to 1/3, at D = 6 1/1.5 to 1/1.8 (n <= 2e5). At D = 3 the
// grid is ahead at every n (1/1.2 to 1/2 at 1e6).
constexpr int kSlabDimsMin = 3, kSlabDimsMax = 6;
constexpr index_t kSlabGridMaxN = 300000;  // for D > 3

// knn_radius_slabs for the joint dimension d known at run time,
// kSlabDimsMin <= d <= kSlabDimsMax.
inline index_t knn_radius_grid(int d, const double* const* coord, const QuantileSlabs* const* slabs,
                               const std::uint32_t* const* at, index_t n, int k, const Ctx& ctx, double* radius) {
    check_invariant(d >= kSlabDimsMin && d <= kSlabDimsMax, "knn_radius_grid: 3 to 6 dimensions");
    switch (d) {
        case 3: return knn_radius_slabs<3>(coord, slabs, at, n, k, ctx, radius);
        case 4: return knn_radius_slabs<4>(coord, slabs, at, n, k, ctx, radius);
        case 5: return knn_radius_slabs<5>(coord, slabs, at, n, k, ctx, radius);
        default: return knn_radius_slabs<6>(coord, slabs, at, n, k, ctx, radius);
    }
}

// Whether the joint space of d coordinates and n samples is searched on the slab grid.
inline bool slab_grid_fits(int d, index_t n) {
    if (d == 3) return n < (index_t(1) << 31);
    return d > kSlabDimsMin && d <= kSlabDimsMax && n <= kSlabGridMaxN;
}

// radius[i] = distance from sample i to its k-th nearest other sample in
// `cols` (k < n): max-norm radii of 3 to 6 dimensions on the slab grid (each
// axis copied and cut for the call), any other on the KD-tree. Returns how
// many radii are exactly zero (k or more exact duplicates).
template <class Norm>
index_t knn_radius(const Columns& cols, int k, const Ctx& ctx, double* radius) {
    if constexpr (std::is_same<Norm, MaxNorm>::value) {
        if (slab_grid_fits(cols.d(), cols.n)) {
            const SlabAxes axes(cols, grid_slabs(cols.n, k, cols.d()), ctx);
            SlabInput in;
            in.add(axes);
            return knn_radius_grid(in.d(), in.coord.data(), in.cut.data(), in.at.data(), cols.n, k, ctx, radius);
        }
    }
    return tree_knn_radius<Norm>(cols, k, ctx, radius);
}

// Calls sink(block, i, c_i) for every sample i, where c_i is the number of
// other samples within radius[i] of sample i, in the sorted values `s`
// (indexed by `index`). Returns the number of blocks.
template <class Norm, class Sink>
index_t sorted_counts(const SortedValues& s, const ValueIndex& index, const double* radius, Bound bound,
                      const Ctx& ctx, Sink&& sink) {
    return count_sorted<Norm>(s, index, radius, bound, ctx,
                              [&](index_t b, index_t i, index_t c) { sink(b, i, c - 1); });
}

// Slabs per axis of a count grid of n points in d dimensions: about
// kCountPerCell points per cell (measured in mi_test's counts, n = 5000,
// k = 10, z of 2 and 3 dimensions: 0.5, 1, 2, 4 and 8 points per cell within
// 15% of each other from 1 up, 0.5 the slowest). Against the KD-tree (its
// build included, one thread, counts of 1 to 4800 points, same counts): 1/2
// to 1/3.7 of its time at n = 5e3 to 1e5, 1/1.6 to 1/2.1 at 3e5.
constexpr double kCountPerCell = 2.0;
inline int count_grid_slabs(index_t n, int d) { return slabs_for_cells(static_cast<double>(n) / kCountPerCell, d, n); }

// The max-norm counts of 2 to 6 coordinates on a slab grid built once
// (each axis copied and cut into count_grid_slabs slabs), for CountIndex.
class GridCounts {
public:
    GridCounts(const Columns& cols, const Ctx& ctx)
        : d_(cols.d()), axes_(cols, count_grid_slabs(cols.n, cols.d()), ctx) {
        SlabInput in;
        in.add(axes_);
        with_grid([&](auto& grid) {
            grid.build(in.cut.data(), in.coord.data(), in.at.data(), cols.n);
            crowded_ = grid.crowded();
        });
        // the coordinates and cells live on in the grid (it keeps the slab edges)
        for (auto& v : axes_.plain) std::vector<double>().swap(v);
        for (auto& sl : axes_.slabs) std::vector<std::uint32_t>().swap(sl.slab);
    }
    GridCounts(const GridCounts&) = delete;  // the grid points into axes_
    GridCounts& operator=(const GridCounts&) = delete;

    bool crowded() const { return crowded_; }

    // sink(block, i, c_i) for every sample i (blocks of rows of cells)
    template <class Sink>
    index_t for_each(const double* radius, Bound bound, const Ctx& ctx, Sink&& sink) const {
        index_t blocks = 0;
        with_grid([&](const auto& grid) {
            const index_t rows = grid.rows();
            blocks = n_blocks(rows, kGridRows);
            parallel_blocks(rows, kGridRows, ctx, [&](index_t b, index_t r0, index_t r1) {
                grid.count_rows(radius, bound, static_cast<std::uint32_t>(r0), static_cast<std::uint32_t>(r1),
                                [&](index_t i, index_t c) { sink(b, i, c); });
            });
        });
        return blocks;
    }

private:
    // f(the grid of this dimension), const or not as self is
    template <class Self, class F>
    static void with_grid_of(Self& self, F&& f) {
        switch (self.d_) {
            case 2: f(self.g2_); break;
            case 3: f(self.g3_); break;
            case 4: f(self.g4_); break;
            case 5: f(self.g5_); break;
            default: f(self.g6_); break;
        }
    }
    template <class F>
    void with_grid(F&& f) { with_grid_of(*this, f); }
    template <class F>
    void with_grid(F&& f) const { with_grid_of(*this, f); }

    int d_;
    bool crowded_ = false;
    SlabAxes axes_;
    SlabGrid<2> g2_;
    SlabGrid<3> g3_;
    SlabGrid<4> g4_;
    SlabGrid<5> g5_;
    SlabGrid<6> g6_;
};

// Whether counts in d max-norm coordinates of n samples run on a GridCounts.
inline bool count_grid_fits(int d, index_t n) { return d >= 2 && d <= kSlabDimsMax && n <= kSlabGridMaxN; }

// The search structure of the per-sample counts in the coordinates `cols`,
// built once and asked with any number of radius vectors (the subspaces
// that a permutation test never changes): the sorted values and their index
// in one dimension; a slab grid (GridCounts) in 2 to 6 max-norm dimensions
// up to kSlabGridMaxN samples, unless its cells are crowded; else a KD-tree.
// for_each(radius, ...) calls sink(block, i, c_i) for every sample i, c_i
// the number of other samples within radius[i] of it. In one dimension the
// blocks are sorted positions (the data's order: per-block sums are
// reproducible); a grid's or a KD-tree's blocks follow its layout, so
// callers sum their counts by sample index (estimators/ksg.hpp).
template <class Norm>
class CountIndex {
public:
    CountIndex(const Columns& cols, const Ctx& ctx) : d_(cols.d()) {
        if constexpr (std::is_same<Norm, MaxNorm>::value) {
            if (count_grid_fits(d_, cols.n)) {
                grid_ = std::make_unique<GridCounts>(cols, ctx);
                if (!grid_->crowded()) return;
                grid_.reset();
            }
        }
        const index_t leaf = count_leaf_size(d_);
        switch (d_) {
            case 1:
                sorted_ = std::make_unique<SortedValues>(cols.ptr[0], cols.n, ctx, cols.stride[0]);
                index_ = std::make_unique<ValueIndex>(sorted_->value.data(), cols.n);
                break;
            case 2: t2_ = std::make_unique<KDTree<Norm, 2>>(cols, ctx, leaf); break;
            case 3: t3_ = std::make_unique<KDTree<Norm, 3>>(cols, ctx, leaf); break;
            case 4: t4_ = std::make_unique<KDTree<Norm, 4>>(cols, ctx, leaf); break;
            default: t0_ = std::make_unique<KDTree<Norm, 0>>(cols, ctx, leaf); break;
        }
    }

    int d() const { return d_; }

    template <class Sink>
    index_t for_each(const double* radius, Bound bound, const Ctx& ctx, Sink&& sink) const {
        if (grid_) return grid_->for_each(radius, bound, ctx, sink);
        switch (d_) {
            case 1: return sorted_counts<Norm>(*sorted_, *index_, radius, bound, ctx, sink);
            case 2: return tree_counts_on(*t2_, radius, bound, ctx, sink);
            case 3: return tree_counts_on(*t3_, radius, bound, ctx, sink);
            case 4: return tree_counts_on(*t4_, radius, bound, ctx, sink);
            default: return tree_counts_on(*t0_, radius, bound, ctx, sink);
        }
    }

private:
    int d_;
    std::unique_ptr<SortedValues> sorted_;
    std::unique_ptr<ValueIndex> index_;
    std::unique_ptr<KDTree<Norm, 2>> t2_;
    std::unique_ptr<KDTree<Norm, 3>> t3_;
    std::unique_ptr<KDTree<Norm, 4>> t4_;
    std::unique_ptr<KDTree<Norm, 0>> t0_;
    std::unique_ptr<GridCounts> grid_;
};

// CountIndex's counts for one radius vector, the structure built for the call.
template <class Norm, class Sink>
index_t for_each_count(const Columns& cols, const double* radius, Bound bound, const Ctx& ctx, Sink&& sink) {
    return CountIndex<Norm>(cols, ctx).for_each(radius, bound, ctx, sink);
}

}  // namespace fastmi
