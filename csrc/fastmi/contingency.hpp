// Discrete-discrete mutual information (the contingency-table plug-in of
// sklearn.metrics.mutual_info_score), and numpy's pairwise
// summation, which the scikit-learn compatible estimators use for every
// mean so that their results round exactly like scikit-learn's.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "common.hpp"

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

// Items between two interrupt polls in the loops below, and the work (in
// WorkPoll's units) of one term with three logarithms.
constexpr index_t kPollChunk = index_t(1) << 16;
constexpr std::int64_t kLogWork = 8;

// The non-zero cells of a contingency table in row-major order.
struct Cells {
    std::vector<index_t> row, col;
    std::vector<std::int64_t> count;
};

// Calls f(i) for i in [0, n), polling between chunks of kPollChunk.
template <class F>
void for_polled(index_t n, WorkPoll& poll, F&& f) {
    for (index_t i0 = 0; i0 < n; i0 += kPollChunk) {
        const index_t i1 = std::min(n, i0 + kPollChunk);
        for (index_t i = i0; i < i1; ++i) f(i);
        poll.add(i1 - i0);
    }
}

// keys (non-negative, at most max_key) ascending: an LSD radix sort on
// 11-bit digits, as many as max_key needs (a few sequential passes, and
// interruptible, unlike std::sort).
inline void sort_keys(std::vector<index_t>& keys, index_t max_key, WorkPoll& poll) {
    constexpr int kBits = 11;
    constexpr index_t kBuckets = index_t(1) << kBits;
    const index_t n = static_cast<index_t>(keys.size());
    std::vector<index_t> out(keys.size()), at(static_cast<size_t>(kBuckets) + 1);
    for (int shift = 0; shift < 63 && (max_key >> shift) > 0; shift += kBits) {
        auto digit = [&](index_t i) { return (keys[i] >> shift) & (kBuckets - 1); };
        std::fill(at.begin(), at.end(), 0);
        for_polled(n, poll, [&](index_t i) { ++at[digit(i) + 1]; });
        for (index_t d = 0; d < kBuckets; ++d) at[d + 1] += at[d];
        for_polled(n, poll, [&](index_t i) { out[at[digit(i)]++] = keys[i]; });
        keys.swap(out);
    }
}

// Cells of the table of (a[i], b[i]) pairs, a in [0, na), b in [0, nb).
inline Cells cross_tabulate(const index_t* a, index_t na, const index_t* b, index_t nb, index_t n,
                            const Ctx& ctx) {
    Cells cells;
    if (na > 0 && nb > std::numeric_limits<index_t>::max() / na)
        throw std::invalid_argument("fastmi: contingency table too large");
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
    sort_keys(keys, cells_total - 1, poll);
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
// terms below machine epsilon in magnitude set to 0, summed pairwise, and the
// sum clipped at 0. A table with one row or one column gives 0. The caller
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
    constexpr double eps = std::numeric_limits<double>::epsilon();
    std::vector<double> terms(static_cast<size_t>(nnz));
    WorkPoll poll(ctx);
    for (index_t c = 0; c < nnz; ++c) {
        poll.add(kLogWork);
        const double v = static_cast<double>(count[c]);
        const double p = v / dn;
        const double outer = outer_product(pi[row[c]], pj[col[c]]);
        const double log_outer = (-std::log(outer) + log_pi) + log_pj;
        const double t = p * (std::log(v) - log_n) + p * log_outer;
        terms[c] = std::fabs(t) < eps ? 0.0 : t;
    }
    const double mi = pairwise_sum(terms.data(), nnz);
    return mi > 0.0 ? mi : 0.0;
}

// MI (nats) of two labellings of the same n samples, as codes.
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
