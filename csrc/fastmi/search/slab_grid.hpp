// k-th-neighbour radii (max-norm) of n points in D = 3 to 6 dimensions on
// a grid of quantile slabs, for the many joint spaces of a permutation test
// that share all coordinates but y's: each coordinate is cut once into g
// slabs of equal sample counts (by sorted position), so a point's cell is D
// table lookups and the grid of a new joint space is one counting sort,
// O(n + g^D). Queries run in cell order; each scans the box of cells that a
// little more than the previous query's radius reaches, and selects its
// k-th distance among the distances below the box's reach (all of which the
// box holds), growing the box when fewer than k are. Distances are the
// exact max-norm of the coordinate differences (AVX2, SSE2 or scalar, the
// same values), so the radii equal those of any exact search (the
// KD-tree's), whatever the guess. Where the CPU has AVX2 a hand-written
// kernel scans eight points a time and selects among up to 32 distances by
// counting ranks (measured at D = 3, n = 5000, k = 10: 1.4x the SSE2
// search, whose cost per query barely moves with the number of slabs per
// axis, 10 to 20, the same on each axis or finer along z).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "fastmi/runtime/clones.hpp"
#if FASTMI_HAVE_AVX2_KERNELS
#include <immintrin.h>
#endif

#include "fastmi/runtime/columns.hpp"
#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/radix_sort.hpp"

namespace fastmi {

// One coordinate cut into g slabs: slab[i] of sample i (by its sorted
// position p: p * g / n) and the smallest and largest value in each slab.
struct QuantileSlabs {
    int g = 0;
    std::vector<std::uint32_t> slab;
    std::vector<double> lo, hi;

    QuantileSlabs() = default;
    QuantileSlabs(const SortedValues& s, int g_) : g(g_) {
        const index_t n = s.size();
        slab.resize(static_cast<size_t>(n));
        lo.assign(static_cast<size_t>(g), 0.0);
        hi.assign(static_cast<size_t>(g), 0.0);
        for (index_t p = 0; p < n; ++p) {
            const auto c = static_cast<std::uint32_t>(p * g / n);
            slab[static_cast<size_t>(s.index[p])] = c;
            if (p == 0 || c != static_cast<std::uint32_t>((p - 1) * g / n)) lo[c] = s.value[p];
            hi[c] = s.value[p];
        }
    }
};

// Slabs per axis for about `cells` cells of n points in d dimensions: the
// largest g with g^d <= cells, at least 1 and at most n (each slab
// non-empty).
inline int slabs_for_cells(double cells, int d, index_t n) {
    int g = std::max(1, static_cast<int>(std::pow(cells, 1.0 / d)));
    while (std::pow(g + 1.0, d) <= cells) ++g;  // pow's rounding
    while (g > 1 && std::pow(static_cast<double>(g), d) > cells) --g;
    return static_cast<int>(std::min<index_t>(g, n));
}

// Slabs per axis of a k-NN grid for n points in d dimensions and neighbour
// order k: about k / 10 points per cell on average (a k-th-neighbour cube
// spans a few cells), at least half a point (at most 2n cells).
inline int grid_slabs(index_t n, int k, int d) {
    return slabs_for_cells(static_cast<double>(n) / std::max(0.5, 0.1 * k), d, n);
}

// Each coordinate of some columns as a plain array, with its quantile
// slabs (g per axis): the part of a slab grid's input that a permutation
// test cuts once per variable.
struct SlabAxes {
    std::vector<std::vector<double>> plain;
    std::vector<QuantileSlabs> slabs;

    SlabAxes(const Columns& cols, int g, const Ctx& ctx) {
        const index_t n = cols.n;
        for (int c = 0; c < cols.d(); ++c) {
            plain.emplace_back(static_cast<size_t>(n));
            for (index_t i = 0; i < n; ++i) plain.back()[i] = cols.at(i, c);
            slabs.emplace_back(SortedValues(plain.back().data(), n, ctx), g);
        }
    }
    int d() const { return static_cast<int>(plain.size()); }
};

// The per-axis input of SlabGrid::build and knn_radius_slabs: each axis's
// coordinates, its slabs and the slab of each point, axis by axis.
struct SlabInput {
    std::vector<const double*> coord;
    std::vector<const QuantileSlabs*> cut;
    std::vector<const std::uint32_t*> at;

    void add(const double* values, const QuantileSlabs& slabs, const std::uint32_t* slab_of) {
        coord.push_back(values);
        cut.push_back(&slabs);
        at.push_back(slab_of);
    }
    // every axis of `axes`, as cut
    void add(const SlabAxes& axes) {
        for (int a = 0; a < axes.d(); ++a) add(axes.plain[a].data(), axes.slabs[a], axes.slabs[a].slab.data());
    }
    int d() const { return static_cast<int>(coord.size()); }
};

// The points of one joint space of D coordinates sorted by cell:
// coordinates in cell order and the sample each came from. Reused from one
// joint space to the next.
template <int D>
class SlabGrid {
    static_assert(D >= 2 && D <= 6, "SlabGrid: 2 to 6 coordinates");

public:
    // slabs[a]: the slabs of coordinate a (the same g on every axis);
    // coord[a][i]: coordinate a of sample i, which lies in slab at[a][i] of
    // slabs[a] (at[a] need not be slabs[a]->slab, so that a permuted y can
    // reuse the slabs of y: coord[a][i] must lie within that slab's [lo, hi]).
    void build(const QuantileSlabs* const* slabs, const double* const* coord, const std::uint32_t* const* at,
               index_t n) {
        n_ = n;
        g_ = slabs[0]->g;
        size_t cells = 1;
        for (int a = 0; a < D; ++a) {
            s_[a] = slabs[a];
            cells *= static_cast<size_t>(g_);
        }
        start_.assign(cells + 1, 0);
        cell_.resize(static_cast<size_t>(n));
        for (index_t i = 0; i < n; ++i) {
            std::uint32_t c = at[0][i];
            for (int a = 1; a < D; ++a) c = c * static_cast<std::uint32_t>(g_) + at[a][i];
            cell_[i] = c;
            ++start_[c + 1];
        }
        for (size_t c = 0; c < cells; ++c) start_[c + 1] += start_[c];
        // the first guess of a k-th distance: the narrowest mean slab width
        guess_ = std::numeric_limits<double>::infinity();
        for (int a = 0; a < D; ++a) guess_ = std::min(guess_, (s_[a]->hi[g_ - 1] - s_[a]->lo[0]) / g_);
        if (!(guess_ > 0.0) || !std::isfinite(guess_)) guess_ = 1.0;
        // each axis's slab edges, padded with edges no point is near
        constexpr double inf = std::numeric_limits<double>::infinity();
        for (int a = 0; a < D; ++a) {
            edge_lo_[a].assign(static_cast<size_t>(g_ + 2 * kPad), inf);
            edge_hi_[a].assign(static_cast<size_t>(g_ + 2 * kPad), -inf);
            std::copy(s_[a]->lo.begin(), s_[a]->lo.end(), edge_lo_[a].begin() + kPad);
            std::copy(s_[a]->hi.begin(), s_[a]->hi.end(), edge_hi_[a].begin() + kPad);
        }
        // kPast values past the end, read (and ignored) by the AVX2 scans
        for (int a = 0; a < D; ++a) p_[a].assign(static_cast<size_t>(n) + kPast, inf);
        id_.resize(static_cast<size_t>(n));
        fill_.assign(start_.begin(), start_.end() - 1);
        for (index_t i = 0; i < n; ++i) {
            const std::uint32_t to = fill_[cell_[i]]++;
            for (int a = 0; a < D; ++a) p_[a][to] = coord[a][i];
            id_[to] = static_cast<std::uint32_t>(i);
        }
    }

    // Doubles of scratch that knn_rows needs for n points.
    static size_t scratch(index_t n) { return 2 * (static_cast<size_t>(n) + kPast); }

    // radius[i] = distance from sample i to its k-th nearest other sample,
    // k < n, for the samples in cell rows [r0, r1) (a row: the slabs of the
    // first D - 1 axes, g^(D - 2) * first + ...); returns how many of them
    // are zero, and adds to *scanned the number of points whose distance
    // was computed (the search's cost). *guess: the first query's guess of
    // its radius (0: the grid's own), on return the last positive finite
    // radius, the guess for the query after these rows. buf: scratch(n)
    // doubles.
    index_t knn_rows(int k, std::uint32_t r0, std::uint32_t r1, double* buf, double* radius, std::int64_t* scanned,
                     double* guess) const {
        if (!(*guess > 0.0 && *guess < kFar)) *guess = guess_;
#if FASTMI_HAVE_AVX2_KERNELS
        if (has_avx2())
            return each_query(r0, r1, radius, *guess, [&](std::uint32_t p, const int* own, double g) {
                return knn_one_avx2(p, own, g, k, buf, *scanned);
            });
#endif
        return each_query(r0, r1, radius, *guess, [&](std::uint32_t p, const int* own, double g) {
            return knn_one(p, own, g, k, buf, n_, *scanned);
        });
    }

    // Whether the cells are crowded: strongly dependent coordinates pile the
    // points into the cells along a curve, and a query scans whole cells.
    // Measured against the KD-tree (D = 3, k = 10, 5e3 to 2e5 Gaussian
    // samples with x and y each z plus noise): the grid takes about 0.27 +
    // 0.002 m of the tree's time, m the mean number of points in a point's
    // own cell (2 for independent coordinates, 5 to 7 at correlation 0.7,
    // 2000 at 0.99995), so above m = kCrowded the tree is the better search.
    static constexpr double kCrowded = 256.0;
    bool crowded() const {
        double mates = 0.0;
        for (size_t c = 0; c + 1 < start_.size(); ++c) {
            const double m = static_cast<double>(start_[c + 1] - start_[c]);
            mates += m * m;
        }
        return mates > kCrowded * static_cast<double>(n_);
    }

    // sink(i, c) for the points of cell rows [r0, r1), in cell order: c the
    // number of other points within max-norm distance rd of point i, rd =
    // MaxNorm::reduced_radius(radius[i], bound) (distances <= rd, as the
    // KD-tree counts). A column of cells whose leading slabs lie within rd
    // of the point on every leading axis counts its cells within rd along
    // the last axis whole (the slab edges bound every coordinate in them,
    // and rounding keeps |p - q| at most the larger edge's: the tree's
    // box_max test); the other cells are scanned point by point.
    template <class Sink>
    void count_rows(const double* radius, Bound bound, std::uint32_t r0, std::uint32_t r1, Sink&& sink) const {
        each_point(r0, r1, [&](std::uint32_t p, const int* own) {
            const index_t i = id_[p];
            sink(i, count_one(p, own, MaxNorm::reduced_radius(radius[i], bound)) - 1);
        });
    }

    // Rows of cells (the slabs of the first D - 1 axes), each a column of
    // slabs of the last axis.
    index_t rows() const { return static_cast<index_t>(start_.size() - 1) / g_; }
    // The points in cell rows [r0, r1).
    index_t points_in_rows(index_t r0, index_t r1) const {
        const auto g = static_cast<size_t>(g_);
        return start_[static_cast<size_t>(r1) * g] - start_[static_cast<size_t>(r0) * g];
    }

private:
    struct Box {
        int a[D], b[D];  // inclusive slab ranges per axis
    };

    // f(p, own slabs) for the points p of cell rows [r0, r1), in cell order.
    template <class F>
    void each_point(std::uint32_t r0, std::uint32_t r1, F&& f) const {
        int own[D];
        for (std::uint32_t row = r0; row < r1; ++row) {
            std::uint32_t rest = row;
            for (int a = D - 2; a >= 0; --a) {
                own[a] = static_cast<int>(rest % static_cast<std::uint32_t>(g_));
                rest /= static_cast<std::uint32_t>(g_);
            }
            for (int cz = 0; cz < g_; ++cz) {
                own[D - 1] = cz;
                const std::uint32_t c = row * g_ + cz;
                for (std::uint32_t p = start_[c]; p < start_[c + 1]; ++p) f(p, own);
            }
        }
    }

    // radius[id] = one(p, own slabs, guess) for the points of cell rows
    // [r0, r1) in cell order, each guess the last positive finite radius
    // before it (the first: guess, which is left at the last); returns how
    // many radii are zero.
    template <class One>
    index_t each_query(std::uint32_t r0, std::uint32_t r1, double* radius, double& guess, One&& one) const {
        index_t zeros = 0;
        each_point(r0, r1, [&](std::uint32_t p, const int* own) {
            const double r = one(p, own, guess);
            if (r > 0.0 && r < kFar) guess = r;  // kFar: see knn_one
            radius[id_[p]] = r;
            zeros += r == 0.0;
        });
        return zeros;
    }

    // f(s, e) for the points [s, e) of each column of cells in the box (the
    // slabs of the first D - 1 axes fixed, the last axis's range), in cell
    // order: nested loops, one per leading axis.
    template <int A, class F>
    FASTMI_INLINE void each_column(const Box& box, std::uint32_t row, F& f) const {
        if constexpr (A == D - 1) {
            const std::uint32_t base = row * static_cast<std::uint32_t>(g_);
            f(start_[base + box.a[A]], start_[base + box.b[A] + 1]);
        } else {
            for (int v = box.a[A]; v <= box.b[A]; ++v)
                each_column<A + 1>(box, row * static_cast<std::uint32_t>(g_) + static_cast<std::uint32_t>(v), f);
        }
    }

    // The box of slabs around the point's own that holds every point within
    // r of q (each axis widened while a further slab may hold one).
    // Four slabs are tested at a time without branches: the tests hold for
    // the nearest ones first (the edges are sorted) and fail on the padding.
    Box reach_box(const double* q, const int* own, double r) const {
        Box nb;
        for (int a = 0; a < D; ++a) {
            const double* hi_edge = edge_hi_[a].data() + kPad;
            const double* lo_edge = edge_lo_[a].data() + kPad;
            const double v = q[a];
            int lo = own[a], hi = own[a];
            for (;;) {
                const int c = (v - hi_edge[lo - 1] < r) + (v - hi_edge[lo - 2] < r) + (v - hi_edge[lo - 3] < r) +
                              (v - hi_edge[lo - 4] < r);
                lo -= c;
                if (c < kPad) break;
            }
            for (;;) {
                const int c = (lo_edge[hi + 1] - v < r) + (lo_edge[hi + 2] - v < r) + (lo_edge[hi + 3] - v < r) +
                              (lo_edge[hi + 4] - v < r);
                hi += c;
                if (c < kPad) break;
            }
            nb.a[a] = lo;
            nb.b[a] = hi;
        }
        return nb;
    }

    // Every unscanned point is at least this far from q along some axis.
    double reach(const double* q, const Box& box) const {
        double r = std::numeric_limits<double>::infinity();
        for (int a = 0; a < D; ++a) {
            const QuantileSlabs& s = *s_[a];
            if (box.a[a] > 0) r = std::min(r, q[a] - s.hi[box.a[a] - 1]);
            if (box.b[a] < g_ - 1) r = std::min(r, s.lo[box.b[a] + 1] - q[a]);
        }
        return r;
    }

    // The points within max-norm distance rd of point p (itself included).
    index_t count_one(std::uint32_t p, const int* own, double rd) const {
        double q[D];
        for (int a = 0; a < D; ++a) q[a] = p_[a][p];
        // every slab with a point within rd: edge gaps below the next double up;
        // rd = +inf (an inclusive count) holds even gaps that overflow to inf,
        // which no finite reach admits: then every slab
        constexpr double inf = std::numeric_limits<double>::infinity();
        Box box;
        if (rd < inf) {
            box = reach_box(q, own, std::nextafter(rd, inf));
        } else {
            for (int a = 0; a < D; ++a) {
                box.a[a] = 0;
                box.b[a] = g_ - 1;
            }
        }
        // the leading slabs wholly within rd: a run [in_a, in_b] per axis
        int in_a[D], in_b[D];
        for (int a = 0; a < D; ++a) {
            const QuantileSlabs& s = *s_[a];
            in_a[a] = box.b[a] + 1;
            in_b[a] = box.b[a];
            for (int v = box.a[a]; v <= box.b[a]; ++v)
                if (std::fabs(s.lo[v] - q[a]) <= rd && std::fabs(s.hi[v] - q[a]) <= rd) {
                    in_a[a] = std::min(in_a[a], v);
                    in_b[a] = v;
                }
        }
        index_t count = 0;
        count_box<0>(box, 0, true, in_a, in_b, q, rd, count);
        return count;
    }

    template <int A>
    FASTMI_INLINE void count_box(const Box& box, std::uint32_t row, bool inside, const int* in_a, const int* in_b,
                                 const double* q, double rd, index_t& count) const {
        if constexpr (A == D - 1) {
            const std::uint32_t base = row * static_cast<std::uint32_t>(g_);
            if (inside && in_a[A] <= in_b[A]) {
                count += span(base + box.a[A], base + in_a[A], q, rd);
                count += start_[base + in_b[A] + 1] - start_[base + in_a[A]];
                count += span(base + in_b[A] + 1, base + box.b[A] + 1, q, rd);
            } else {
                count += span(base + box.a[A], base + box.b[A] + 1, q, rd);
            }
        } else {
            for (int v = box.a[A]; v <= box.b[A]; ++v)
                count_box<A + 1>(box, row * static_cast<std::uint32_t>(g_) + static_cast<std::uint32_t>(v),
                                 inside && v >= in_a[A] && v <= in_b[A], in_a, in_b, q, rd, count);
        }
    }

    // The points of cells [c0, c1) within max-norm distance rd of q.
    FASTMI_INLINE index_t span(std::uint32_t c0, std::uint32_t c1, const double* q, double rd) const {
        index_t count = 0;
        for (std::uint32_t j = start_[c0], e = start_[c1]; j < e; ++j) {
            double d = std::fabs(p_[0][j] - q[0]);
            for (int a = 1; a < D; ++a) {
                const double t = std::fabs(p_[a][j] - q[a]);
                d = t > d ? t : d;
            }
            count += d <= rd;
        }
        return count;
    }

    // Appends to tight the distances from q below t1 of the points [s, e),
    // and to loose those below t2 >= t1.
    FASTMI_INLINE void collect(const double* q, std::uint32_t s, std::uint32_t e, double t1, double t2, double* tight,
                               std::uint32_t& m1, double* loose, std::uint32_t& m2) const {
        std::uint32_t a = m1, b = m2;
        std::uint32_t j = s;
#ifdef __SSE2__
        {
            __m128d vq[D];
            for (int c = 0; c < D; ++c) vq[c] = _mm_set1_pd(q[c]);
            const __m128d sign = _mm_set1_pd(-0.0);
            for (; j + 2 <= e; j += 2) {
                __m128d d = _mm_andnot_pd(sign, _mm_sub_pd(_mm_loadu_pd(&p_[0][j]), vq[0]));
                for (int c = 1; c < D; ++c)
                    d = _mm_max_pd(d, _mm_andnot_pd(sign, _mm_sub_pd(_mm_loadu_pd(&p_[c][j]), vq[c])));
                const double d0 = _mm_cvtsd_f64(d), d1 = _mm_cvtsd_f64(_mm_unpackhi_pd(d, d));
                tight[a] = d0;
                a += d0 < t1;
                loose[b] = d0;
                b += d0 < t2;
                tight[a] = d1;
                a += d1 < t1;
                loose[b] = d1;
                b += d1 < t2;
            }
        }
#endif
        for (; j < e; ++j) {
            double d = std::abs(p_[0][j] - q[0]);
            for (int c = 1; c < D; ++c) d = std::max(d, std::abs(p_[c][j] - q[c]));
            tight[a] = d;
            a += d < t1;
            loose[b] = d;
            b += d < t2;
        }
        m1 = a;
        m2 = b;
    }

    // The (k + 1)-th smallest of v[0..m), m > k (v is reordered): a
    // quickselect whose partitions are branch-free (first the values below
    // a median-of-three pivot, then those equal to it, so that every round
    // drops at least the pivot), down to a few values, where the answer is
    // the smallest value with enough values at most it. Many values (k
    // large): nth_element, whose time is guaranteed.
    static double select(double* v, std::uint32_t m, int k) {
        if (m > 256) {
            std::nth_element(v, v + k, v + m);
            return v[k];
        }
        std::uint32_t lo = 0, hi = m, want = static_cast<std::uint32_t>(k);  // the answer lies in v[lo..hi)
        while (hi - lo > 8) {
            const double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
            const double pivot = std::max(std::min(a, b), std::min(std::max(a, b), c));  // median of three
            std::uint32_t below = lo;
            for (std::uint32_t i = lo; i < hi; ++i) {
                const double d = v[i];
                v[i] = v[below];
                v[below] = d;
                below += d < pivot;
            }
            if (want < below) {
                hi = below;
                continue;
            }
            std::uint32_t upto = below;
            for (std::uint32_t i = below; i < hi; ++i) {
                const double d = v[i];
                v[i] = v[upto];
                v[upto] = d;
                upto += d == pivot;
            }
            if (want < upto) return pivot;
            lo = upto;
        }
        double best = std::numeric_limits<double>::infinity();
        const int rank = static_cast<int>(want - lo);
        for (std::uint32_t i = lo; i < hi; ++i) {
            int le = 0;
            for (std::uint32_t j = lo; j < hi; ++j) le += v[j] <= v[i];
            best = le > rank && v[i] < best ? v[i] : best;
        }
        return best;
    }

    // The next search distance after t, whose box reached t2 >= t: 1.3t when
    // `near` (over half the points needed were found), else 2t, at least t2
    // and always above t. t starts at kSmallest or above, a normal double, so
    // 1.3t > t; a denormal start could round 1.3t back to t while the slab
    // edges kept t2 = t, and the loop would never end (columns whose values
    // differ by a few denormals).
    static double grow(double t, double t2, bool near) {
        const double next = std::max(near ? 1.3 * t : 2.0 * t, t2);
        return next > t ? next : std::nextafter(t, std::numeric_limits<double>::infinity());
    }
    static constexpr double kSmallest = std::numeric_limits<double>::min();  // the smallest normal double

    // The k-th distance of point p (k < n): the (k + 1)-th smallest distance
    // from it, itself included. Every distance below the reach of the box
    // of cells scanned is seen, so when k + 1 of them are, the (k + 1)-th
    // smallest of them is the answer. The box is the one that t = a little
    // above r0 (a nearby point's radius) reaches; the distances below t are
    // kept apart, so that the selection usually runs on few values. The
    // box grows until k + 1 distances are below its reach; after
    // kSlowRounds rounds (points far from a slab's values: data changed
    // during the call) t jumps to twice the (k + 1)-th of the box's finite
    // distances, which bounds the answer. Where the reach is infinite and
    // fewer than k + 1 distances are finite (only a NaN or infinity written
    // after the checks does that) the radius is kFar, and the loop ends.
    double knn_one(std::uint32_t p, const int* own, double r0, int k, double* buf, index_t n,
                   std::int64_t& scanned) const {
        double q[D];
        for (int a = 0; a < D; ++a) q[a] = p_[a][p];
        double t = std::max(1.05 * r0, kSmallest);
        double* tight = buf;
        double* loose = buf + n;
        const auto need = static_cast<std::uint32_t>(k);
        int rounds = 0;
        for (;;) {
            const Box box = reach_box(q, own, t);
            const double t2 = reach(q, box);
            std::uint32_t m1 = 0, m2 = 0;
            auto scan = [&](std::uint32_t s, std::uint32_t e) {
                scanned += e - s;
                collect(q, s, e, t, t2, tight, m1, loose, m2);
            };
            each_column<0>(box, 0, scan);
            if (m1 > need) return select(tight, m1, k);
            if (m2 > need) return select(loose, m2, k);
            if (!(t2 < kFar)) return kFar;  // see above
            double next = grow(t, t2, m2 > need / 2);
            if (++rounds == kSlowRounds) {  // the (k + 1)-th of the box's finite distances bounds the answer
                m1 = m2 = 0;
                auto all = [&](std::uint32_t s, std::uint32_t e) {
                    scanned += e - s;
                    collect(q, s, e, kFar, kFar, tight, m1, loose, m2);
                };
                each_column<0>(box, 0, all);
                if (m2 > need) next = std::max(next, 2.0 * select(loose, m2, k));
            }
            t = next;
        }
    }

#if FASTMI_HAVE_AVX2_KERNELS
    // The 32-bit lane indices that move the doubles of the lanes set in a
    // 4-bit mask to the front, in order (left packing).
    struct PackTable {
        alignas(32) std::int32_t idx[16][8];
        PackTable() {
            for (int m = 0; m < 16; ++m) {
                int o = 0;
                for (int l = 0; l < 4; ++l)
                    if (m >> l & 1) {
                        idx[m][2 * o] = 2 * l;
                        idx[m][2 * o + 1] = 2 * l + 1;
                        ++o;
                    }
                for (; o < 4; ++o) idx[m][2 * o] = idx[m][2 * o + 1] = 0;
            }
        }
    };
    static const PackTable& pack_table() {
        static const PackTable t;
        return t;
    }

    // Appends the lanes of d set in mask to out at *m.
    FASTMI_AVX2 static FASTMI_INLINE void pack(__m256d d, int mask, const PackTable& pt, double* out,
                                                  std::uint32_t& m) {
        const __m256i idx = _mm256_load_si256(reinterpret_cast<const __m256i*>(pt.idx[mask]));
        _mm256_storeu_pd(out + m, _mm256_castsi256_pd(_mm256_permutevar8x32_epi32(_mm256_castpd_si256(d), idx)));
        m += static_cast<std::uint32_t>(_mm_popcnt_u32(static_cast<unsigned>(mask)));
    }

    // collect() on the points [s, e) (one column of cells), eight lanes at
    // a time whatever e - s is: lanes past e are masked off (the values
    // read there are other cells' points or the padding past the end).
    FASTMI_AVX2 FASTMI_INLINE void collect_avx2(const __m256d* vq, std::uint32_t s, std::uint32_t e, __m256d t1,
                                                __m256d t2, double* tight, std::uint32_t& m1, double* loose,
                                                std::uint32_t& m2, const PackTable& pt) const {
        const __m256d sign = _mm256_set1_pd(-0.0);
        const __m256i lane = _mm256_set_epi64x(3, 2, 1, 0);
        const __m256i end = _mm256_set1_epi64x(static_cast<long long>(e));
        std::uint32_t j = s;
        do {
            for (int h = 0; h < 2; ++h, j += 4) {
                __m256d d = _mm256_andnot_pd(sign, _mm256_sub_pd(_mm256_loadu_pd(&p_[0][j]), vq[0]));
                for (int c = 1; c < D; ++c)
                    d = _mm256_max_pd(d, _mm256_andnot_pd(sign, _mm256_sub_pd(_mm256_loadu_pd(&p_[c][j]), vq[c])));
                const __m256i at = _mm256_add_epi64(_mm256_set1_epi64x(static_cast<long long>(j)), lane);
                const __m256d live = _mm256_castsi256_pd(_mm256_cmpgt_epi64(end, at));
                const int k1 = _mm256_movemask_pd(_mm256_and_pd(live, _mm256_cmp_pd(d, t1, _CMP_LT_OQ)));
                const int k2 = _mm256_movemask_pd(_mm256_and_pd(live, _mm256_cmp_pd(d, t2, _CMP_LT_OQ)));
                pack(d, k1, pt, tight, m1);
                pack(d, k2, pt, loose, m2);
            }
        } while (j < e);
    }

    // collect_avx2 on every column of cells in the box (each_column's
    // nested loops, written out for the AVX2 target).
    template <int A>
    FASTMI_AVX2 FASTMI_INLINE void collect_box_avx2(const Box& box, std::uint32_t row, const __m256d* vq, __m256d t1,
                                                    __m256d t2, double* tight, std::uint32_t& m1, double* loose,
                                                    std::uint32_t& m2, const PackTable& pt,
                                                    std::int64_t& scanned) const {
        if constexpr (A == D - 1) {
            const std::uint32_t base = row * static_cast<std::uint32_t>(g_);
            const std::uint32_t s = start_[base + box.a[A]], e = start_[base + box.b[A] + 1];
            scanned += e - s;
            collect_avx2(vq, s, e, t1, t2, tight, m1, loose, m2, pt);
        } else {
            for (int v = box.a[A]; v <= box.b[A]; ++v)
                collect_box_avx2<A + 1>(box, row * static_cast<std::uint32_t>(g_) + static_cast<std::uint32_t>(v),
                                        vq, t1, t2, tight, m1, loose, m2, pt, scanned);
        }
    }

    // select(): for up to 32 values the (k + 1)-th smallest is the largest
    // value with at most k values below it (v is padded to a multiple of
    // eight with +infinity, which have m > k values below them). More values
    // (a guess far above the answer), k < 32: the (k + 1)-th smallest of
    // the first 32 is at least the answer, so the values up to it hold the
    // k + 1 smallest, usually few enough for the ranks (measured at n = 5000,
    // k = 10: a tenth of the queries, the search 6% faster than quickselect).
    FASTMI_AVX2 static double select_avx2(double* v, std::uint32_t m, int k) {
        if (m > 32) {
            if (k >= 32) return select(v, m, k);
            alignas(32) double head[40];
            std::copy(v, v + 32, head);
            const double bound = select_avx2(head, 32, k);
            std::uint32_t kept = 0;
            for (std::uint32_t i = 0; i < m; ++i) {
                const double d = v[i];
                v[kept] = d;
                kept += d <= bound;
            }
            return kept <= 32 ? select_avx2(v, kept, k) : select(v, kept, k);
        }
        constexpr double inf = std::numeric_limits<double>::infinity();
        _mm256_storeu_pd(v + m, _mm256_set1_pd(inf));
        _mm256_storeu_pd(v + m + 4, _mm256_set1_pd(inf));
        const __m256i most = _mm256_set1_epi64x(k + 1);
        const __m256d none = _mm256_set1_pd(-inf);
        __m256d best = none;
        for (std::uint32_t i = 0; i < m; i += 8) {  // eight values against all m at a time
            const __m256d va = _mm256_loadu_pd(v + i), vb = _mm256_loadu_pd(v + i + 4);
            __m256i below_a = _mm256_setzero_si256(), below_b = _mm256_setzero_si256();
            for (std::uint32_t j = 0; j < m; ++j) {
                const __m256d vj = _mm256_broadcast_sd(v + j);
                below_a = _mm256_sub_epi64(below_a, _mm256_castpd_si256(_mm256_cmp_pd(vj, va, _CMP_LT_OQ)));
                below_b = _mm256_sub_epi64(below_b, _mm256_castpd_si256(_mm256_cmp_pd(vj, vb, _CMP_LT_OQ)));
            }
            const __m256d ok_a = _mm256_castsi256_pd(_mm256_cmpgt_epi64(most, below_a));
            const __m256d ok_b = _mm256_castsi256_pd(_mm256_cmpgt_epi64(most, below_b));
            best = _mm256_max_pd(best, _mm256_max_pd(_mm256_blendv_pd(none, va, ok_a), _mm256_blendv_pd(none, vb, ok_b)));
        }
        const __m128d h = _mm_max_pd(_mm256_castpd256_pd128(best), _mm256_extractf128_pd(best, 1));
        return _mm_cvtsd_f64(_mm_max_sd(h, _mm_unpackhi_pd(h, h)));
    }

    // knn_one with AVX2.
    FASTMI_AVX2 double knn_one_avx2(std::uint32_t p, const int* own, double r0, int k, double* buf,
                                    std::int64_t& scanned) const {
        double q[D];
        __m256d vq[D];
        for (int a = 0; a < D; ++a) {
            q[a] = p_[a][p];
            vq[a] = _mm256_set1_pd(q[a]);
        }
        double t = std::max(1.05 * r0, kSmallest);
        double* tight = buf;
        double* loose = buf + n_ + kPast;
        const auto need = static_cast<std::uint32_t>(k);
        const PackTable& pt = pack_table();
        int rounds = 0;
        std::int64_t seen = 0;  // added to scanned once: a local stays in a register
        double r;
        for (;;) {
            const Box box = reach_box(q, own, t);
            const double t2 = reach(q, box);
            std::uint32_t m1 = 0, m2 = 0;
            collect_box_avx2<0>(box, 0, vq, _mm256_set1_pd(t), _mm256_set1_pd(t2), tight, m1, loose, m2, pt, seen);
            if (m1 > need) {
                r = select_avx2(tight, m1, k);
                break;
            }
            if (m2 > need) {
                r = select_avx2(loose, m2, k);
                break;
            }
            if (!(t2 < kFar)) {  // see knn_one
                r = kFar;
                break;
            }
            double next = grow(t, t2, m2 > need / 2);
            if (++rounds == kSlowRounds) {  // see knn_one
                const __m256d far = _mm256_set1_pd(kFar);
                m1 = m2 = 0;
                collect_box_avx2<0>(box, 0, vq, far, far, tight, m1, loose, m2, pt, seen);
                if (m2 > need) next = std::max(next, 2.0 * select_avx2(loose, m2, k));
            }
            t = next;
        }
        scanned += seen;
        return r;
    }
#endif

    const QuantileSlabs* s_[D] = {};
    int g_ = 0;
    index_t n_ = 0;
    double guess_ = 1.0;
    std::vector<std::uint32_t> start_, fill_, cell_, id_;
    std::vector<double> p_[D];  // coordinates in cell order
    static constexpr int kPad = 4;
    static constexpr double kFar = std::numeric_limits<double>::infinity();
    static constexpr int kSlowRounds = 6;
    static constexpr size_t kPast = 8;  // padding past the points and in each scratch list
    std::vector<double> edge_lo_[D], edge_hi_[D];  // slab edges, kPad infinities each side
};

}  // namespace fastmi
