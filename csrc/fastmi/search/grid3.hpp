// k-th-neighbour radii (max-norm) of n points in three dimensions on a grid
// of quantile slabs, for the many joint spaces of a permutation test that
// share two coordinates: each coordinate is cut once into g slabs of equal
// sample counts (by sorted position), so a point's cell is three table
// lookups and the grid of a new joint space is one counting sort, O(n + g^3).
// Queries run in cell order; each scans the box of cells that a little more
// than the previous query's radius reaches, and selects its k-th distance
// among the distances below the box's reach (all of which the box holds),
// growing the box when fewer than k are. Distances are the exact max-norm
// of the coordinate differences (AVX2, SSE2 or scalar, the same values), so
// the radii equal those of any exact search (the KD-tree's), whatever the
// guess. Where the CPU has AVX2 a hand-written kernel scans eight points a
// time and selects among up to 32 distances by counting ranks (measured at
// n = 5000, k = 10: 1.4x the SSE2 search, whose cost per query barely moves
// with the number of slabs per axis, 10 to 20, the same on each axis or
// finer along z).
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

// Slabs per axis for n points and neighbour order k: about k / 10 points
// per cell on average (a k-th-neighbour cube spans a few cells), at least
// half a point (at most 2n cells), at most n slabs (each slab non-empty).
inline int grid3_slabs(index_t n, int k) {
    const double per_cell = std::max(0.5, 0.1 * k);
    int g = static_cast<int>(std::cbrt(static_cast<double>(n) / per_cell));
    return static_cast<int>(std::max<index_t>(1, std::min<index_t>(g, n)));
}

// The points of one joint space sorted by cell: coordinates in cell order
// and the sample each came from. Reused from one joint space to the next.
class Grid3 {
public:
    // sx, sy, sz: the slabs of the three coordinates (the same g); the
    // point of sample i is (x[i], y[i], z[i]) and lies in slab sx.slab[i],
    // ys[i], sz.slab[i] (ys: its y slab, which need not be sy.slab[i], so
    // that a permuted y can reuse the slabs of y: y[i] must lie within
    // [sy.lo[ys[i]], sy.hi[ys[i]]]).
    void build(const QuantileSlabs& sx, const QuantileSlabs& sy, const QuantileSlabs& sz, const double* x,
               const double* y, const double* z, const std::uint32_t* ys, index_t n) {
        n_ = n;
        sx_ = &sx;
        sy_ = &sy;
        sz_ = &sz;
        g_ = sx.g;
        const size_t cells = static_cast<size_t>(g_) * g_ * g_;
        start_.assign(cells + 1, 0);
        cell_.resize(static_cast<size_t>(n));
        for (index_t i = 0; i < n; ++i) {
            const std::uint32_t c = (sx.slab[i] * g_ + ys[i]) * g_ + sz.slab[i];
            cell_[i] = c;
            ++start_[c + 1];
        }
        for (size_t c = 0; c < cells; ++c) start_[c + 1] += start_[c];
        // the first guess of a k-th distance: the narrowest mean slab width
        guess_ = std::numeric_limits<double>::infinity();
        for (const QuantileSlabs* s : {&sx, &sy, &sz}) guess_ = std::min(guess_, (s->hi[g_ - 1] - s->lo[0]) / g_);
        if (!(guess_ > 0.0) || !std::isfinite(guess_)) guess_ = 1.0;
        // each axis's slab edges, padded with edges no point is near
        constexpr double inf = std::numeric_limits<double>::infinity();
        int a = 0;
        for (const QuantileSlabs* s : {&sx, &sy, &sz}) {
            edge_lo_[a].assign(static_cast<size_t>(g_ + 2 * kPad), inf);
            edge_hi_[a].assign(static_cast<size_t>(g_ + 2 * kPad), -inf);
            std::copy(s->lo.begin(), s->lo.end(), edge_lo_[a].begin() + kPad);
            std::copy(s->hi.begin(), s->hi.end(), edge_hi_[a].begin() + kPad);
            ++a;
        }
        // kPast values past the end, read (and ignored) by the AVX2 scans
        constexpr double far = std::numeric_limits<double>::infinity();
        px_.assign(static_cast<size_t>(n) + kPast, far);
        py_.assign(static_cast<size_t>(n) + kPast, far);
        pz_.assign(static_cast<size_t>(n) + kPast, far);
        id_.resize(static_cast<size_t>(n));
        fill_.assign(start_.begin(), start_.end() - 1);
        for (index_t i = 0; i < n; ++i) {
            const std::uint32_t at = fill_[cell_[i]]++;
            px_[at] = x[i];
            py_[at] = y[i];
            pz_[at] = z[i];
            id_[at] = static_cast<std::uint32_t>(i);
        }
    }

    // Doubles of scratch that knn_rows needs for n points.
    static size_t scratch(index_t n) { return 2 * (static_cast<size_t>(n) + kPast); }

    // radius[i] = distance from sample i to its k-th nearest other sample,
    // k < n, for the samples in cell rows [r0, r1) (row = g * x slab + y
    // slab); returns how many of them are zero. buf: scratch(n) doubles.
    index_t knn_rows(int k, std::uint32_t r0, std::uint32_t r1, double* buf, double* radius) const {
#if FASTMI_HAVE_AVX2_KERNELS
        if (has_avx2())
            return each_query(r0, r1, radius, [&](std::uint32_t p, int cx, int cy, int cz, double guess) {
                return knn_one_avx2(p, cx, cy, cz, guess, k, buf);
            });
#endif
        return each_query(r0, r1, radius, [&](std::uint32_t p, int cx, int cy, int cz, double guess) {
            return knn_one(p, cx, cy, cz, guess, k, buf, n_);
        });
    }

    // Whether the cells are crowded: strongly dependent coordinates pile the
    // points into the cells along a curve, and a query scans whole cells.
    // Measured against the KD-tree (k = 10, 5e3 to 2e5 Gaussian samples with
    // x and y each z plus noise): the grid takes about 0.27 + 0.002 m of the
    // tree's time, m the mean number of points in a point's own cell (2 for
    // independent coordinates, 5 to 7 at correlation 0.7, 2000 at 0.99995), so
    // above m = kCrowded the tree is the better search.
    static constexpr double kCrowded = 256.0;
    bool crowded() const {
        double mates = 0.0;
        for (size_t c = 0; c + 1 < start_.size(); ++c) {
            const double m = static_cast<double>(start_[c + 1] - start_[c]);
            mates += m * m;
        }
        return mates > kCrowded * static_cast<double>(n_);
    }

    // Rows of cells (x slab, y slab), each a column of z slabs.
    index_t rows() const { return static_cast<index_t>(g_) * g_; }

private:
    struct Box {
        int a[3], b[3];  // inclusive slab ranges per axis
    };

    // radius[id] = one(p, cell, guess) for the points of cell rows [r0, r1)
    // in cell order, each guess the last positive finite radius before it;
    // returns how many radii are zero.
    template <class One>
    index_t each_query(std::uint32_t r0, std::uint32_t r1, double* radius, One&& one) const {
        index_t zeros = 0;
        double guess = guess_;
        for (std::uint32_t row = r0; row < r1; ++row) {
            const int cx = static_cast<int>(row / g_), cy = static_cast<int>(row % g_);
            for (int cz = 0; cz < g_; ++cz) {
                const std::uint32_t c = row * g_ + cz;
                for (std::uint32_t p = start_[c]; p < start_[c + 1]; ++p) {
                    const double r = one(p, cx, cy, cz, guess);
                    if (r > 0.0 && r < kFar) guess = r;  // kFar: see knn_one
                    radius[id_[p]] = r;
                    zeros += r == 0.0;
                }
            }
        }
        return zeros;
    }

    const QuantileSlabs& slabs(int axis) const { return axis == 0 ? *sx_ : axis == 1 ? *sy_ : *sz_; }

    // The box of slabs around the point's own that holds every point within
    // r of q (each axis widened while a further slab may hold one).
    // Four slabs are tested at a time without branches: the tests hold for
    // the nearest ones first (the edges are sorted) and fail on the padding.
    Box reach_box(const double* q, const int* own, double r) const {
        Box nb;
        for (int a = 0; a < 3; ++a) {
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
        for (int a = 0; a < 3; ++a) {
            const QuantileSlabs& s = slabs(a);
            if (box.a[a] > 0) r = std::min(r, q[a] - s.hi[box.a[a] - 1]);
            if (box.b[a] < g_ - 1) r = std::min(r, s.lo[box.b[a] + 1] - q[a]);
        }
        return r;
    }

    static Box hull(const Box& u, const Box& v) {
        Box h;
        for (int a = 0; a < 3; ++a) {
            h.a[a] = std::min(u.a[a], v.a[a]);
            h.b[a] = std::max(u.b[a], v.b[a]);
        }
        return h;
    }

    // Appends to tight the distances from q below t1 of the points of
    // cells (cx, cy, z0..z1), and to loose those below t2 >= t1.
    FASTMI_INLINE void collect(const double* q, int cx, int cy, int z0, int z1, double t1, double t2, double* tight,
                               std::uint32_t& m1, double* loose, std::uint32_t& m2) const {
        const std::uint32_t row = static_cast<std::uint32_t>(cx * g_ + cy) * g_;
        const std::uint32_t s = start_[row + z0], e = start_[row + z1 + 1];
        const double qx = q[0], qy = q[1], qz = q[2];
        std::uint32_t a = m1, b = m2;
        std::uint32_t j = s;
#ifdef __SSE2__
        {
            const __m128d vx = _mm_set1_pd(qx), vy = _mm_set1_pd(qy), vz = _mm_set1_pd(qz);
            const __m128d sign = _mm_set1_pd(-0.0);
            for (; j + 2 <= e; j += 2) {
                const __m128d dx = _mm_andnot_pd(sign, _mm_sub_pd(_mm_loadu_pd(&px_[j]), vx));
                const __m128d dy = _mm_andnot_pd(sign, _mm_sub_pd(_mm_loadu_pd(&py_[j]), vy));
                const __m128d dz = _mm_andnot_pd(sign, _mm_sub_pd(_mm_loadu_pd(&pz_[j]), vz));
                const __m128d d = _mm_max_pd(_mm_max_pd(dx, dy), dz);
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
            const double d = std::max(std::max(std::abs(px_[j] - qx), std::abs(py_[j] - qy)), std::abs(pz_[j] - qz));
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
    double knn_one(std::uint32_t p, int cx, int cy, int cz, double r0, int k, double* buf, index_t n) const {
        const double q[3] = {px_[p], py_[p], pz_[p]};
        const int own[3] = {cx, cy, cz};
        double t = std::max(1.05 * r0, std::numeric_limits<double>::denorm_min());
        double* tight = buf;
        double* loose = buf + n;
        const auto need = static_cast<std::uint32_t>(k);
        int rounds = 0;
        for (;;) {
            const Box box = reach_box(q, own, t);
            const double t2 = reach(q, box);
            std::uint32_t m1 = 0, m2 = 0;
            for (int x = box.a[0]; x <= box.b[0]; ++x)
                for (int y = box.a[1]; y <= box.b[1]; ++y)
                    collect(q, x, y, box.a[2], box.b[2], t, t2, tight, m1, loose, m2);
            if (m1 > need) return select(tight, m1, k);
            if (m2 > need) return select(loose, m2, k);
            if (!(t2 < kFar)) return kFar;  // see above
            double next = std::max(m2 > need / 2 ? 1.3 * t : 2.0 * t, t2);  // t2 >= t: the box grows
            if (++rounds == kSlowRounds) {  // the (k + 1)-th of the box's finite distances bounds the answer
                m1 = m2 = 0;
                for (int x = box.a[0]; x <= box.b[0]; ++x)
                    for (int y = box.a[1]; y <= box.b[1]; ++y)
                        collect(q, x, y, box.a[2], box.b[2], kFar, kFar, tight, m1, loose, m2);
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
    FASTMI_AVX2 FASTMI_INLINE void collect_avx2(__m256d vx, __m256d vy, __m256d vz, std::uint32_t s,
                                                std::uint32_t e, __m256d t1, __m256d t2, double* tight,
                                                std::uint32_t& m1, double* loose, std::uint32_t& m2,
                                                const PackTable& pt) const {
        const __m256d sign = _mm256_set1_pd(-0.0);
        const __m256i lane = _mm256_set_epi64x(3, 2, 1, 0);
        const __m256i end = _mm256_set1_epi64x(static_cast<long long>(e));
        std::uint32_t j = s;
        do {
            for (int h = 0; h < 2; ++h, j += 4) {
                const __m256d dx = _mm256_andnot_pd(sign, _mm256_sub_pd(_mm256_loadu_pd(&px_[j]), vx));
                const __m256d dy = _mm256_andnot_pd(sign, _mm256_sub_pd(_mm256_loadu_pd(&py_[j]), vy));
                const __m256d dz = _mm256_andnot_pd(sign, _mm256_sub_pd(_mm256_loadu_pd(&pz_[j]), vz));
                const __m256d d = _mm256_max_pd(_mm256_max_pd(dx, dy), dz);
                const __m256i at = _mm256_add_epi64(_mm256_set1_epi64x(static_cast<long long>(j)), lane);
                const __m256d live = _mm256_castsi256_pd(_mm256_cmpgt_epi64(end, at));
                const int k1 = _mm256_movemask_pd(_mm256_and_pd(live, _mm256_cmp_pd(d, t1, _CMP_LT_OQ)));
                const int k2 = _mm256_movemask_pd(_mm256_and_pd(live, _mm256_cmp_pd(d, t2, _CMP_LT_OQ)));
                pack(d, k1, pt, tight, m1);
                pack(d, k2, pt, loose, m2);
            }
        } while (j < e);
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
    FASTMI_AVX2 double knn_one_avx2(std::uint32_t p, int cx, int cy, int cz, double r0, int k, double* buf) const {
        const double q[3] = {px_[p], py_[p], pz_[p]};
        const int own[3] = {cx, cy, cz};
        const __m256d vx = _mm256_set1_pd(q[0]), vy = _mm256_set1_pd(q[1]), vz = _mm256_set1_pd(q[2]);
        double t = std::max(1.05 * r0, std::numeric_limits<double>::denorm_min());
        double* tight = buf;
        double* loose = buf + n_ + kPast;
        const auto need = static_cast<std::uint32_t>(k);
        const PackTable& pt = pack_table();
        int rounds = 0;
        for (;;) {
            const Box box = reach_box(q, own, t);
            const double t2 = reach(q, box);
            const __m256d vt1 = _mm256_set1_pd(t), vt2 = _mm256_set1_pd(t2);
            std::uint32_t m1 = 0, m2 = 0;
            for (int x = box.a[0]; x <= box.b[0]; ++x)
                for (int y = box.a[1]; y <= box.b[1]; ++y) {
                    const std::uint32_t row = static_cast<std::uint32_t>(x * g_ + y) * g_;
                    collect_avx2(vx, vy, vz, start_[row + box.a[2]], start_[row + box.b[2] + 1], vt1, vt2, tight, m1,
                                 loose, m2, pt);
                }
            if (m1 > need) return select_avx2(tight, m1, k);
            if (m2 > need) return select_avx2(loose, m2, k);
            if (!(t2 < kFar)) return kFar;  // see knn_one
            double next = std::max(m2 > need / 2 ? 1.3 * t : 2.0 * t, t2);  // t2 >= t: the box grows
            if (++rounds == kSlowRounds) {  // see knn_one
                const __m256d far = _mm256_set1_pd(kFar);
                m1 = m2 = 0;
                for (int x = box.a[0]; x <= box.b[0]; ++x)
                    for (int y = box.a[1]; y <= box.b[1]; ++y) {
                        const std::uint32_t row = static_cast<std::uint32_t>(x * g_ + y) * g_;
                        collect_avx2(vx, vy, vz, start_[row + box.a[2]], start_[row + box.b[2] + 1], far, far, tight,
                                     m1, loose, m2, pt);
                    }
                if (m2 > need) next = std::max(next, 2.0 * select_avx2(loose, m2, k));
            }
            t = next;
        }
    }
#endif

    const QuantileSlabs *sx_ = nullptr, *sy_ = nullptr, *sz_ = nullptr;
    int g_ = 0;
    index_t n_ = 0;
    double guess_ = 1.0;
    std::vector<std::uint32_t> start_, fill_, cell_, id_;
    std::vector<double> px_, py_, pz_;
    static constexpr int kPad = 4;
    static constexpr double kFar = std::numeric_limits<double>::infinity();
    static constexpr int kSlowRounds = 6;
    static constexpr size_t kPast = 8;  // padding past the points and in each scratch list
    std::vector<double> edge_lo_[3], edge_hi_[3];  // slab edges, kPad infinities each side
};

}  // namespace fastmi
