// Digamma of positive integers, matching the Cephes algorithm that
// scipy.special.digamma uses for these arguments to the last bit or two.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace fastmi {

inline double digamma_int(std::int64_t n) {
    constexpr double euler = 0.57721566490153286061;
    if (n <= 10) {
        // psi(n) = H(n-1) - gamma, harmonic sum in increasing order.
        double y = 0.0;
        for (std::int64_t i = 1; i < n; ++i) y += 1.0 / static_cast<double>(i);
        return y - euler;
    }
    // Asymptotic series: log x - 1/(2x) - sum_k B_2k / (2k x^2k), seven terms.
    const double x = static_cast<double>(n);
    const double z = 1.0 / (x * x);
    double p = 8.33333333333333333333E-2;       // 1/12
    p = p * z - 2.10927960927960927961E-2;      // -691/32760
    p = p * z + 7.57575757575757575758E-3;      // 1/132
    p = p * z - 4.16666666666666666667E-3;      // -1/240
    p = p * z + 3.96825396825396825397E-3;      // 1/252
    p = p * z - 8.33333333333333333333E-3;      // -1/120
    p = p * z + 8.33333333333333333333E-2;      // 1/12
    return std::log(x) - 0.5 / x - z * p;
}

// Size of the table of digamma_count.
constexpr std::int64_t kDigammaTable = 4096;

// digamma_int(c) for 0 < c < kDigammaTable, made once (the entry at 0 is unused).
inline const double* digamma_table() {
    static const std::vector<double> table = [] {
        std::vector<double> t(static_cast<size_t>(kDigammaTable));
        for (std::int64_t i = 1; i < kDigammaTable; ++i) t[i] = digamma_int(i);
        return t;
    }();
    return table.data();
}

// digamma_int(c), from a table for the small counts that dominate the
// per-sample terms of the neighbour estimators (same values, bit for bit).
inline double digamma_count(std::int64_t c) {
    return c > 0 && c < kDigammaTable ? digamma_table()[c] : digamma_int(c);
}

}  // namespace fastmi
