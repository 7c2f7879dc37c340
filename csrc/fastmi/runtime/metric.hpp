// Distances as scipy's cKDTree composes them: a per-coordinate term of the
// coordinate difference, combined over the coordinates by a reduction, into
// a "reduced" distance that is cheap to compare: the max-norm itself (|d|,
// max), or the squared Euclidean norm (d * d, summed in coordinate order).
// reduce / expand convert a radius to and from the reduced scale.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace fastmi {

// std::nextafter(r, 0.0) for a distance r >= 0 (0 stays 0, inf becomes the
// largest double), inline: the largest double below r, for "strictly
// closer than r" tests written as <=.
inline double just_below(double r) {
    if (!(r > 0.0)) return r;
    std::uint64_t u;
    std::memcpy(&u, &r, sizeof u);
    --u;
    std::memcpy(&r, &u, sizeof u);
    return r;
}

// Strict: count distances < radius (KSG); Inclusive: distances <= radius.
// A strict count with radius 0 counts exact duplicates, like scikit-learn's
// query at nextafter(0, 0).
enum class Bound { strict, inclusive };

// p = infinity: |d|, combined by max.
struct MaxOfAbs {
    static double term(double d) { return std::fabs(d); }
    static double combine(double acc, double t) { return t > acc ? t : acc; }
    static double reduce(double r) { return r; }
    static double expand(double rd) { return rd; }
};

// p = 2: d * d, summed.
struct SumOfSquares {
    static double term(double d) { return d * d; }
    static double combine(double acc, double t) { return acc + t; }
    static double reduce(double r) { return r * r; }
    static double expand(double rd) { return std::sqrt(rd); }
};

template <class Reduction>
struct Minkowski : Reduction {
    using Reduction::combine;
    using Reduction::reduce;
    using Reduction::term;

    // Reduced distance between the d-dimensional points a and b.
    static double point(const double* a, const double* b, int d) {
        double acc = 0.0;
        for (int c = 0; c < d; ++c) acc = combine(acc, term(a[c] - b[c]));
        return acc;
    }
    // Smallest / largest reduced distance from q to the box [lo, hi],
    // branch-free: outside [lo, hi] one of lo - q, q - hi is the gap and the
    // other is negative; inside both are <= 0.
    static double box_min(const double* q, const double* lo, const double* hi, int d) {
        double acc = 0.0;
        for (int c = 0; c < d; ++c) {
            const double a = lo[c] - q[c], b = q[c] - hi[c];
            const double gap = a > b ? a : b;
            acc = combine(acc, term(gap > 0.0 ? gap : 0.0));
        }
        return acc;
    }
    static double box_max(const double* q, const double* lo, const double* hi, int d) {
        double acc = 0.0;
        for (int c = 0; c < d; ++c) {
            const double a = std::fabs(q[c] - lo[c]), b = std::fabs(hi[c] - q[c]);
            acc = combine(acc, term(a > b ? a : b));
        }
        return acc;
    }
    // True when no point outside the box [lo, hi] (whose points are cut off
    // from the rest by the tree's splits) can be closer to q, a point inside
    // it, than the reduced distance rd.
    static bool ball_inside(const double* q, const double* lo, const double* hi, int d, double rd) {
        if (!(rd < std::numeric_limits<double>::infinity())) return false;  // also: squares overflowed
        for (int c = 0; c < d; ++c)
            if (!(term(q[c] - lo[c]) >= rd && term(hi[c] - q[c]) >= rd)) return false;
        return true;
    }
    // The reduced radius of a count with the given bound.
    static double reduced_radius(double r, Bound bound) { return reduce(bound == Bound::strict ? just_below(r) : r); }
};

using MaxNorm = Minkowski<MaxOfAbs>;
using Euclidean = Minkowski<SumOfSquares>;

}  // namespace fastmi
