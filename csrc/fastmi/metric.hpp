// Distance policies for the neighbour kernels. Each works on a "reduced"
// distance that is cheap to compare: the max-norm itself, or the squared
// Euclidean norm (summed in coordinate order, as scipy's cKDTree does).
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

struct MaxNorm {
    static double point(const double* a, const double* b, int d) {
        double m = 0.0;
        for (int c = 0; c < d; ++c) {
            const double t = std::fabs(a[c] - b[c]);
            m = t > m ? t : m;
        }
        return m;
    }
    // Smallest / largest reduced distance from q to the box [lo, hi].
    // Branch-free: outside [lo, hi] one of lo - q, q - hi is the gap and the
    // other negative; inside both are <= 0.
    static double box_min(const double* q, const double* lo, const double* hi, int d) {
        double m = 0.0;
        for (int c = 0; c < d; ++c) {
            const double a = lo[c] - q[c], b = q[c] - hi[c];
            const double t = a > b ? a : b;
            m = t > m ? t : m;
        }
        return m;
    }
    static double box_max(const double* q, const double* lo, const double* hi, int d) {
        double m = 0.0;
        for (int c = 0; c < d; ++c) {
            const double a = std::fabs(q[c] - lo[c]), b = std::fabs(hi[c] - q[c]);
            const double t = a > b ? a : b;
            m = t > m ? t : m;
        }
        return m;
    }
    // True when no point outside the box [lo, hi] (whose points are cut off
    // from the rest by the tree's splits) can be closer to q than rd.
    static bool ball_inside(const double* q, const double* lo, const double* hi, int d, double rd) {
        if (!(rd < std::numeric_limits<double>::infinity())) return false;
        for (int c = 0; c < d; ++c)
            if (!(q[c] - lo[c] >= rd && hi[c] - q[c] >= rd)) return false;
        return true;
    }
    static double reduce(double r) { return r; }
    static double expand(double rd) { return rd; }
};

struct Euclidean {
    static double point(const double* a, const double* b, int d) {
        double s = 0.0;
        for (int c = 0; c < d; ++c) {
            const double t = a[c] - b[c];
            s += t * t;
        }
        return s;
    }
    static double box_min(const double* q, const double* lo, const double* hi, int d) {
        double s = 0.0;
        for (int c = 0; c < d; ++c) {
            const double t = q[c] < lo[c] ? lo[c] - q[c] : (q[c] > hi[c] ? q[c] - hi[c] : 0.0);
            s += t * t;
        }
        return s;
    }
    static double box_max(const double* q, const double* lo, const double* hi, int d) {
        double s = 0.0;
        for (int c = 0; c < d; ++c) {
            const double t = std::fmax(std::fabs(q[c] - lo[c]), std::fabs(hi[c] - q[c]));
            s += t * t;
        }
        return s;
    }
    static bool ball_inside(const double* q, const double* lo, const double* hi, int d, double rd) {
        if (!(rd < std::numeric_limits<double>::infinity())) return false;  // squares overflowed
        for (int c = 0; c < d; ++c) {
            const double a = q[c] - lo[c], b = hi[c] - q[c];
            if (!(a * a >= rd && b * b >= rd)) return false;
        }
        return true;
    }
    static double reduce(double r) { return r * r; }
    static double expand(double rd) { return std::sqrt(rd); }
};

}  // namespace fastmi
