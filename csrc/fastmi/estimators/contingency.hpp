// Discrete-discrete mutual information: the contingency-table plug-in of
// sklearn.metrics.mutual_info_score, its terms summed like scikit-learn's.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "fastmi/numerics/numpy_sum.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/radix_sort.hpp"

namespace fastmi {

// The work (in WorkPoll's units) of one term with three logarithms.
constexpr std::int64_t kLogWork = 8;

// The non-zero cells of a contingency table in row-major order.
struct Cells {
    std::vector<index_t> row, col;
    std::vector<std::int64_t> count;
};

// Cells of the table of (a[i], b[i]) pairs, a in [0, na), b in [0, nb).
inline Cells cross_tabulate(const index_t* a, index_t na, const index_t* b, index_t nb, index_t n,
                            const Ctx& ctx) {
    Cells cells;
    check_invariant(na <= 0 || nb <= std::numeric_limits<index_t>::max() / na, "contingency table too large");
    const index_t cells_total = na * nb;
    WorkPoll poll(ctx);
    if (cells_total <= std::max<index_t>(4 * n, index_t(1) << 16)) {
        std::vector<std::int64_t> table(static_cast<size_t>(cells_total), 0);
        for_polled(n, poll, [&](index_t i) { ++table[static_cast<size_t>(a[i] * nb + b[i])]; });
        for (index_t c = 0; c < cells_total; ++c)
            if (table[c] != 0) {
                cells.row.push_back(c / nb);
                cells.col.push_back(c % nb);
                cells.count.push_back(table[c]);
            }
        return cells;
    }
    std::vector<index_t> keys(static_cast<size_t>(n));
    for_polled(n, poll, [&](index_t i) { keys[i] = a[i] * nb + b[i]; });
    radix_sort_keys(keys, cells_total - 1, ctx);
    for (index_t i = 0; i < n;) {
        index_t j = i + 1;
        while (j < n && keys[j] == keys[i]) ++j;
        cells.row.push_back(keys[i] / nb);
        cells.col.push_back(keys[i] % nb);
        cells.count.push_back(j - i);
        poll.add(j - i);
        i = j;
    }
    return cells;
}

// pi * pj as a double, the exact product rounded once: the value
// scikit-learn's int64 product gives once converted to float64, and the
// right value also where that product overflows int64 (scikit-learn's
// wraps around and gives NaN).
inline double outer_product(std::int64_t a, std::int64_t b) {
    if (b == 0 || a <= std::numeric_limits<std::int64_t>::max() / b) return static_cast<double>(a * b);
#ifdef __SIZEOF_INT128__
    __extension__ typedef __int128 wide;
    return static_cast<double>(static_cast<wide>(a) * b);
#else
    return static_cast<double>(a) * static_cast<double>(b);  // within an ulp
#endif
}

// Plug-in MI (nats) of a table given by its non-zero cells (row-major), row
// sums pi and column sums pj; the terms are those of
// sklearn.metrics.mutual_info_score, in its order:
//   t = (c/N)(log c - log N) + (c/N)((-log(pi pj) + log sum pi) + log sum pj),
// terms below machine epsilon in magnitude set to 0, summed pairwise
// (unclipped). A table with one row or one column gives 0. The caller
// guarantees non-negative counts whose total fits in int64 (so every sum
// here does).
inline double contingency_mi(const index_t* row, const index_t* col, const std::int64_t* count, index_t nnz,
                             const std::int64_t* pi, index_t n_rows, const std::int64_t* pj, index_t n_cols,
                             const Ctx& ctx) {
    if (n_rows == 1 || n_cols == 1) return 0.0;
    std::int64_t total = 0, sum_pi = 0, sum_pj = 0;
    for (index_t c = 0; c < nnz; ++c) total += count[c];
    for (index_t r = 0; r < n_rows; ++r) sum_pi += pi[r];
    for (index_t c = 0; c < n_cols; ++c) sum_pj += pj[c];
    const double dn = static_cast<double>(total);
    const double log_n = std::log(dn);
    const double log_pi = std::log(static_cast<double>(sum_pi));
    const double log_pj = std::log(static_cast<double>(sum_pj));
    constexpr double epsilon = std::numeric_limits<double>::epsilon();
    std::vector<double> terms(static_cast<size_t>(nnz));
    WorkPoll poll(ctx);
    for (index_t c = 0; c < nnz; ++c) {
        poll.add(kLogWork);
        const double v = static_cast<double>(count[c]);
        const double p = v / dn;
        const double outer = outer_product(pi[row[c]], pj[col[c]]);
        const double log_outer = (-std::log(outer) + log_pi) + log_pj;
        const double t = p * (std::log(v) - log_n) + p * log_outer;
        terms[c] = std::fabs(t) < epsilon ? 0.0 : t;
    }
    return pairwise_sum(terms.data(), nnz);
}

// MI (nats, unclipped) of two labellings of the same n samples, as codes.
inline double contingency_mi_codes(const index_t* a, index_t na, const index_t* b, index_t nb, index_t n,
                                   const Ctx& ctx) {
    if (na == 1 || nb == 1) return 0.0;
    const Cells cells = cross_tabulate(a, na, b, nb, n, ctx);
    std::vector<std::int64_t> pi(static_cast<size_t>(na), 0), pj(static_cast<size_t>(nb), 0);
    WorkPoll poll(ctx);
    for_polled(n, poll, [&](index_t i) {
        ++pi[a[i]];
        ++pj[b[i]];
    });
    return contingency_mi(cells.row.data(), cells.col.data(), cells.count.data(),
                          static_cast<index_t>(cells.count.size()), pi.data(), na, pj.data(), nb, ctx);
}

}  // namespace fastmi
