// Binned (plug-in) mutual information: joint histograms with
// numpy.histogram2d's binning rules, and the plug-in mutual information of
// a joint count table.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "fastmi/runtime/clones.hpp"
#include "fastmi/runtime/parallel.hpp"

namespace fastmi {

// Bin edges of one axis. Uniform axes (from an integer bin count) find a
// sample's bin with one multiply and then correct it against the edges, so
// that the result equals numpy's searchsorted(edges, v, 'right') - 1 rule
// exactly, values on the last edge going into the last bin. Explicit edges
// use a binary search with the same rule. Uniform edges are not stored:
// edge(j) computes numpy.linspace's value when asked, so an axis of 2^28
// bins costs no memory.
struct Axis {
    std::vector<double> stored;  // explicit axes: nbins + 1 non-decreasing values
    index_t nb = 0;              // number of bins
    bool linspace = false;       // edges are numpy.linspace(lo, hi, nb + 1)
    double lo = 0.0, hi = 0.0, delta = 0.0, step = 0.0, div = 1.0;
    bool uniform = false;        // the multiply-first guess applies
    double start = 0.0;
    double scale = 0.0;  // nbins / (last - first) for the first guess

    index_t nbins() const { return nb; }

    // Edge j in [0, nbins]: numpy.linspace's `arange * step + start`, or
    // `(arange / div) * delta + start` when the step underflows to 0, with
    // the last edge set to hi.
    FASTMI_INLINE double edge(index_t j) const {
        if (!linspace) return stored[static_cast<size_t>(j)];
        if (j == nb) return hi;
        const double t = static_cast<double>(j);
        return (step == 0.0 ? (t / div) * delta : t * step) + lo;
    }

    // Bin of v, or -1 when v lies outside [edge(0), edge(nbins)].
    index_t bin(double v) const {
        const double first = edge(0), last = edge(nb);
        if (!(v >= first && v <= last)) return -1;
        index_t b;
        if (uniform) {
            double t = (v - start) * scale;
            b = t <= 0.0 ? 0 : (t >= static_cast<double>(nb) ? nb - 1 : static_cast<index_t>(t));
            while (b > 0 && v < edge(b)) --b;
            while (b < nb - 1 && v >= edge(b + 1)) ++b;
            // Several equal edges: searchsorted picks the last edge <= v.
        } else {
            index_t l = 0, h = nb + 1;  // first index with edge(i) > v, in [1, nb+1]
            while (l < h) {
                index_t mid = l + (h - l) / 2;
                if (edge(mid) <= v) l = mid + 1; else h = mid;
            }
            b = l - 1;
        }
        // numpy moves values on the right-most edge into the last bin.
        if (v == last) b = nb - 1;
        return b;
    }
};

// numpy.linspace(lo, hi, nbins + 1) bit for bit, after histogram's widening
// of a constant axis to [v - 0.5, v + 0.5].
inline Axis uniform_axis(double lo, double hi, index_t nbins) {
    check_invariant(nbins >= 1, "the number of bins must be positive");
    if (lo == hi) {
        lo = lo - 0.5;
        hi = hi + 0.5;
    }
    const double delta = hi - lo;
    check_invariant(std::isfinite(delta), "uniform bins over a range whose width overflows");
    Axis a;
    a.linspace = true;
    a.nb = nbins;
    a.lo = lo;
    a.hi = hi;
    a.delta = delta;
    a.div = static_cast<double>(nbins);
    a.step = delta / a.div;
    a.uniform = true;
    a.start = lo;
    // (only the last edge, set to hi, can be out of order: j * step + lo
    // never decreases with j, each operation rounding monotonically)
    check_invariant(nbins < 2 || a.edge(nbins - 1) <= hi, "uniform bin edges out of order");
    a.scale = a.div / delta;
    // A zero-width range (a constant beyond 2^53, where v +/- 0.5 == v) has
    // all edges equal: binary search handles it, the multiply cannot.
    if (!(std::isfinite(a.scale) && a.scale > 0.0)) a.uniform = false;
    return a;
}

inline Axis explicit_axis(const double* edges, index_t n_edges) {
    check_invariant(n_edges >= 2, "bin edges need at least two values");
    Axis a;
    a.stored.assign(edges, edges + n_edges);
    a.nb = n_edges - 1;
    return a;
}

// Minimum and maximum of x, and whether every value is finite, in one
// parallel pass (NaN never compares, so it is tracked on its own).
struct Range {
    double min, max;
    bool finite;
};

inline Range finite_range(const double* x, index_t n, const Ctx& ctx) {
    constexpr index_t block = 1 << 16;
    const index_t nb = n_blocks(n, block);
    std::vector<Range> parts(static_cast<size_t>(nb));
    parallel_blocks(n, block, ctx, [&](index_t b, index_t s, index_t e) {
        double lo = x[s], hi = x[s];
        int nan = 0;
#ifdef _OPENMP
#pragma omp simd reduction(min : lo) reduction(max : hi) reduction(| : nan)
#endif
        for (index_t i = s; i < e; ++i) {
            const double v = x[i];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            nan |= v != v;
        }
        parts[b] = Range{lo, hi, nan == 0};
    });
    Range r = parts.empty() ? Range{0.0, 0.0, true} : parts[0];
    for (const Range& p : parts) {
        r.min = std::min(r.min, p.min);
        r.max = std::max(r.max, p.max);
        r.finite = r.finite && p.finite;
    }
    r.finite = r.finite && std::isfinite(r.min) && std::isfinite(r.max);
    return r;
}

// First-guess bin lookup for a uniform axis: floor((v - start) * scale) is
// provably the bin numpy picks unless (v - start) * scale lies within
// `slack` of an integer, where rounding in the edges or in the product could
// matter (slack bounds both errors, with a wide margin); then bin() decides.
struct FastUniform {
    double start, scale, slack;
    index_t top;  // nbins - 1

    explicit FastUniform(const Axis& a) : start(a.start), scale(a.scale), top(a.nbins() - 1) {
        const double m = std::max(std::fabs(a.edge(0)), std::fabs(a.edge(a.nbins())));
        const double epsilon = std::numeric_limits<double>::epsilon();
        slack = 64.0 * epsilon * (m * scale + static_cast<double>(a.nbins()) + 1.0);
        if (!(slack < 0.25)) slack = 2.0;  // edges too coarse for the shortcut: always check
    }
};

// One axis of guess_cells: the FastUniform shortcut's constants.
struct GuessAxis {
    double start, scale, lo, hi, cap;
    std::int32_t top;
};

// cell[j] = the row-major cell of (xs[j], ys[j]) guessed by the FastUniform
// shortcut, or -1 where the guess is doubtful (fill_joint settles those).
FASTMI_CLONES inline void guess_cells(const double* xs, const double* ys, index_t m, GuessAxis gx, GuessAxis gy,
                                      std::int32_t ny, std::int32_t* cell) {
    // locals, so that the vectoriser sees constants
    const double x0 = gx.start, xk = gx.scale, xlo = gx.lo, xhi = gx.hi, capx = gx.cap;
    const double y0 = gy.start, yk = gy.scale, ylo = gy.lo, yhi = gy.hi, capy = gy.cap;
    const std::int32_t topx = gx.top, topy = gy.top;
    for (index_t j = 0; j < m; ++j) {
        double ux = std::fabs((xs[j] - x0) * xk);
        double uy = std::fabs((ys[j] - y0) * yk);
        ux = ux < capx ? ux : capx;
        uy = uy < capy ? uy : capy;
        const std::int32_t bx = static_cast<std::int32_t>(ux);
        const std::int32_t by = static_cast<std::int32_t>(uy);
        const double rx = ux - static_cast<double>(bx);
        const double ry = uy - static_cast<double>(by);
        const std::int32_t ok = (rx > xlo) & (rx < xhi) & (bx <= topx) & (ry > ylo) & (ry < yhi) & (by <= topy);
        cell[j] = (bx * ny + by) | (ok - 1);
    }
}

// counts[i * ny + j] (row-major, nx x ny) = number of samples in bin (i, j);
// samples outside the edges are dropped, as numpy does.
template <class Count>
void fill_joint(const double* x, const double* y, index_t n, const Axis& ax, const Axis& ay,
                const Ctx& ctx, std::vector<std::int64_t>& counts) {
    const index_t nx = ax.nbins(), ny = ay.nbins();
    const index_t cells = nx * ny;
    counts.assign(static_cast<size_t>(cells), 0);
    const int threads = ctx.n_threads;
    // One private table per thread when that is cheap; else one shared table
    // with atomic increments (integer counts: the order never matters).
    const bool private_tables = threads == 1 ||
        static_cast<double>(cells) * threads * sizeof(Count) <= std::max(64.0 * (1 << 20), 4.0 * n);
    const bool fast = ax.uniform && ay.uniform;
    const FastUniform fx(ax), fy(ay);
    constexpr index_t block = 1 << 16;
    constexpr index_t sub = 512;
    // Small private tables come in kLanes copies, sample j counted in copy
    // j % kLanes: runs of samples in one cell (the centre of a peaked
    // distribution) then increment different words, not one word whose
    // every increment waits for the store before it.
    constexpr index_t kLanes = 4;
    const index_t lanes = private_tables && fast && cells * kLanes * sizeof(Count) <= (64 << 10) ? kLanes : 1;
    std::vector<std::vector<Count>> local(private_tables ? static_cast<size_t>(block_threads(n, block, ctx)) : 0);
    parallel_blocks(n, block, ctx, [&](index_t, index_t s, index_t e) {
        Count* c = nullptr;
        if (private_tables) {
            std::vector<Count>& t = local[block_slot(n, block, ctx)];
            if (t.empty()) t.assign(static_cast<size_t>(cells * lanes), 0);
            c = t.data();
        }
        auto add = [&](index_t cell) {
            if (private_tables) {
                ++c[cell];
            } else {
#ifdef _OPENMP
#pragma omp atomic
#endif
                ++counts[cell];
            }
        };
        if (!fast) {
            for (index_t i = s; i < e; ++i) {
                const index_t bx = ax.bin(x[i]);
                const index_t by = ay.bin(y[i]);
                if ((bx | by) >= 0) add(bx * ny + by);
            }
            return;
        }
        // Uniform axes: every sample lies inside the edges (the range was
        // found by an earlier pass). Guess bins for a short run of samples in
        // a loop the compiler can vectorise, then settle the rare doubtful
        // ones exactly and count. Nothing here trusts that earlier pass: the
        // input may have changed since (another thread writing into it). So
        // |t| is capped at top + 1 before the conversion (NaN too: the
        // comparison is false), any other guess is doubtful, and a doubtful
        // sample outside the edges is dropped. Only such input changes the
        // result: in the range, t >= 0 exactly.
        std::int32_t cell[sub];  // cells < 2^31: Python caps the table size; -1: doubtful
        const std::int32_t ny32 = static_cast<std::int32_t>(ny);
        const std::int32_t topx = static_cast<std::int32_t>(fx.top), topy = static_cast<std::int32_t>(fy.top);
        const double capx = static_cast<double>(topx) + 1.0, capy = static_cast<double>(topy) + 1.0;
        // locals, so that the vectoriser sees constants
        const double x0 = fx.start, xk = fx.scale, xlo = fx.slack, xhi = 1.0 - fx.slack;
        const double y0 = fy.start, yk = fy.scale, ylo = fy.slack, yhi = 1.0 - fy.slack;
        for (index_t s0 = s; s0 < e; s0 += sub) {
            const index_t m = std::min(sub, e - s0);
            const double* xs = x + s0;
            const double* ys = y + s0;
            guess_cells(xs, ys, m, GuessAxis{x0, xk, xlo, xhi, capx, topx}, GuessAxis{y0, yk, ylo, yhi, capy, topy},
                        ny32, cell);
            auto settle = [&](index_t j) -> index_t {  // the cell of sample j, -1 outside the edges
                const index_t cj = cell[j];
                if (cj >= 0) return cj;
                const index_t bx = ax.bin(xs[j]), by = ay.bin(ys[j]);
                return (bx | by) < 0 ? -1 : bx * ny + by;
            };
            index_t j = 0;
            if (lanes == kLanes) {
                Count* c1 = c + cells;
                Count* c2 = c1 + cells;
                Count* c3 = c2 + cells;
                for (; j + 4 <= m; j += 4) {
                    const index_t a0 = settle(j), a1 = settle(j + 1), a2 = settle(j + 2), a3 = settle(j + 3);
                    if (a0 >= 0) ++c[a0];
                    if (a1 >= 0) ++c1[a1];
                    if (a2 >= 0) ++c2[a2];
                    if (a3 >= 0) ++c3[a3];
                }
            }
            for (; j < m; ++j) {
                const index_t cj = settle(j);
                if (cj >= 0) add(cj);
            }
        }
    });
    for (const auto& t : local) {
        if (t.empty()) continue;
        for (index_t l = 0; l < lanes; ++l)
            for (index_t k = 0; k < cells; ++k) counts[k] += static_cast<std::int64_t>(t[l * cells + k]);
    }
}

inline void joint_counts(const double* x, const double* y, index_t n, const Axis& ax, const Axis& ay,
                         const Ctx& ctx, std::vector<std::int64_t>& counts) {
    if (n < (index_t(1) << 32))
        fill_joint<std::uint32_t>(x, y, n, ax, ay, ctx, counts);
    else
        fill_joint<std::uint64_t>(x, y, n, ax, ay, ctx, counts);
}

// Plug-in MI of a row-major nx x ny count table, in bits, cells summed in
// row-major order: sum p log2(p / (px py)); 0 for an empty table.
inline double plugin_mi_bits(const std::int64_t* counts, index_t nx, index_t ny) {
    std::vector<std::int64_t> rows(static_cast<size_t>(nx), 0), cols(static_cast<size_t>(ny), 0);
    std::int64_t total = 0;
    for (index_t i = 0; i < nx; ++i)
        for (index_t j = 0; j < ny; ++j) {
            const std::int64_t c = counts[i * ny + j];
            rows[i] += c;
            cols[j] += c;
            total += c;
        }
    if (total == 0) return 0.0;
    const double nt = static_cast<double>(total);
    double mi = 0.0;
    for (index_t i = 0; i < nx; ++i) {
        if (rows[i] == 0) continue;
        const double px = static_cast<double>(rows[i]) / nt;
        for (index_t j = 0; j < ny; ++j) {
            const std::int64_t c = counts[i * ny + j];
            if (c == 0) continue;
            const double p = static_cast<double>(c) / nt;
            const double py = static_cast<double>(cols[j]) / nt;
            mi += p * std::log2(p / (px * py));
        }
    }
    return mi;
}

}  // namespace fastmi
