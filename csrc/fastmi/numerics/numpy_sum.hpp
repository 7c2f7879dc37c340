// numpy's pairwise summation, which the scikit-learn compatible estimators
// use for every mean so that their results round exactly like scikit-learn's.
#pragma once

#include <vector>

#include "fastmi/runtime/parallel.hpp"

namespace fastmi {

// The sum numpy computes for np.add.reduce over a contiguous float64 array:
// blocks of at most 128 summed with 8 interleaved accumulators, longer runs
// split in two at a multiple of 8, the total added to the identity 0.0.
inline double pairwise_sum_block(const double* a, index_t n) {
    if (n < 8) {
        double res = 0.0;
        for (index_t i = 0; i < n; ++i) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; ++j) r[j] = a[j];
        index_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; ++j) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i];
        return res;
    }
    index_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum_block(a, n2) + pairwise_sum_block(a + n2, n - n2);
}

inline double pairwise_sum(const double* a, index_t n) { return 0.0 + pairwise_sum_block(a, n); }

inline double pairwise_mean(const std::vector<double>& a) {
    return pairwise_sum(a.data(), static_cast<index_t>(a.size())) / static_cast<double>(a.size());
}

}  // namespace fastmi
