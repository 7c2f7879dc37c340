// The two neighbour estimators behind scikit-learn's mutual_info_regression
// and mutual_info_classif, for one-dimensional variables, written so that
// every per-sample quantity equals scikit-learn's and every mean is summed
// in its order (numpy's pairwise summation over the samples in their
// original order):
//   ksg_pair   continuous-continuous: KSG algorithm 1 (Kraskov et al. 2004),
//              max-norm, strict marginal counts; the target's sorted order
//              is computed once by the caller and shared by all features;
//   ross_mi    continuous-discrete (Ross 2014): per label, the distance to
//              the k_l-th nearest sample of the same label, k_l =
//              min(k, count - 1); labels seen once are dropped; m_i counts
//              the kept samples of any label strictly closer, self included.
// Results are unclipped, in nats.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "common.hpp"
#include "contingency.hpp"
#include "digamma.hpp"
#include "metric.hpp"
#include "neighbors.hpp"
#include "points.hpp"
#include "sorted1d.hpp"

namespace fastmi {

using SortedColumn = Sorted1D<index_t>;

// Number of j with |v[j] - v[p]| <= r in the sorted array v (p included):
// a galloping search outwards from p on each side.
inline index_t count_sorted_within(const double* v, index_t n, index_t p, double r) {
    const double q = v[p];
    auto inside = [&](index_t j) { return std::fabs(v[j] - q) <= r; };
    index_t good = p, step = 1, bad = n;
    while (true) {
        const index_t t = good + step;
        if (t >= n) break;
        if (inside(t)) { good = t; step *= 2; }
        else { bad = t; break; }
    }
    while (bad - good > 1) {
        const index_t mid = good + (bad - good) / 2;
        if (inside(mid)) good = mid; else bad = mid;
    }
    const index_t right = good;
    good = p;
    step = 1;
    index_t badl = -1;
    while (true) {
        const index_t t = good - step;
        if (t < 0) break;
        if (inside(t)) { good = t; step *= 2; }
        else { badl = t; break; }
    }
    while (good - badl > 1) {
        const index_t mid = badl + (good - badl) / 2;
        if (inside(mid)) good = mid; else badl = mid;
    }
    return right - good + 1;
}

// Distance from v[q] to its k-th nearest other value among the sorted
// v[0..m), k < m: the two neighbour sequences, each non-decreasing, merged
// for k steps.
inline double kth_gap_sorted(const double* v, index_t m, index_t q, index_t k) {
    index_t lo = q - 1, hi = q + 1;
    double d = 0.0;
    constexpr double inf = std::numeric_limits<double>::infinity();
    for (index_t t = 0; t < k; ++t) {
        const double dl = lo >= 0 ? v[q] - v[lo] : inf;
        const double dh = hi < m ? v[hi] - v[q] : inf;
        if (dl <= dh) { d = dl; --lo; }
        else { d = dh; ++hi; }
    }
    return d;
}

// KSG algorithm 1 between the 1-D columns x and y (n samples each, stride 1),
// with y's sorted order given. Unclipped, nats.
inline double ksg_pair(const double* x, const double* y, const SortedColumn& y_sorted, index_t n, int k,
                       const Ctx& ctx) {
    if (k >= n) throw std::invalid_argument("fastmi: n_neighbors must be smaller than the number of samples");
    Columns xy;
    xy.n = n;
    xy.ptr = {x, y};
    xy.stride = {1, 1};
    std::vector<double> eps(static_cast<size_t>(n));
    knn_radius<MaxNorm>(xy, k, ctx, eps.data());
    poll_interrupt(ctx);
    // psi(n_i + 1) per sample, n_i the samples other than i strictly closer
    // than eps_i in one coordinate; stored in original order for the mean.
    auto marginal = [&](const SortedColumn& s, std::vector<double>& psi) {
        psi.resize(static_cast<size_t>(n));
        parallel_blocks(n, kQueryBlock, ctx, [&](index_t, index_t b, index_t e) {
            for (index_t p = b; p < e; ++p) {
                const index_t i = s.payload(p);
                const index_t c = s.template count_within<MaxNorm>(p, std::nextafter(eps[i], 0.0));
                psi[i] = digamma_int(c);  // c counts i itself: c = n_i + 1
            }
        });
    };
    std::vector<double> psi_x, psi_y;
    {
        const SortedColumn x_sorted(x, 1, n, ctx);
        marginal(x_sorted, psi_x);
    }
    poll_interrupt(ctx);
    marginal(y_sorted, psi_y);
    const double dn = static_cast<double>(n);
    return digamma_int(n) + digamma_int(k) - pairwise_sum(psi_x.data(), n) / dn -
           pairwise_sum(psi_y.data(), n) / dn;
}

// A labelling of n samples and the parts of Ross's estimator that depend on
// it alone.
struct Labelling {
    const index_t* code = nullptr;
    index_t n = 0, n_labels = 0;
    std::vector<index_t> count;  // per label
    std::vector<index_t> rank;   // per sample: rank among kept samples (original order), -1 if dropped
    index_t kept = 0;            // samples whose label occurs at least twice
    double mean_psi_k = 0.0;     // mean over kept samples of psi(min(k, count - 1))
    double mean_psi_count = 0.0; // mean over kept samples of psi(count)

    Labelling(const index_t* code_, index_t n_, index_t n_labels_, int k)
        : code(code_), n(n_), n_labels(n_labels_), count(static_cast<size_t>(n_labels_), 0),
          rank(static_cast<size_t>(n_), -1) {
        for (index_t i = 0; i < n; ++i) ++count[code[i]];
        std::vector<double> psi_k, psi_c;
        for (index_t i = 0; i < n; ++i) {
            const index_t c = count[code[i]];
            if (c < 2) continue;
            rank[i] = kept++;
            psi_k.push_back(digamma_int(std::min<index_t>(k, c - 1)));
            psi_c.push_back(digamma_int(c));
        }
        if (kept > 0) {
            mean_psi_k = pairwise_mean(psi_k);
            mean_psi_count = pairwise_mean(psi_c);
        }
    }
};

// Ross's estimator between the continuous variable whose sorted order is
// `c` and the labelling `lab`. No kept sample (every label seen once): 0.
inline double ross_mi(const SortedColumn& c, const Labelling& lab, int k, const Ctx& ctx) {
    const index_t n = c.size(), kept = lab.kept;
    if (kept == 0) return 0.0;
    // Kept samples in sorted order, and the same grouped by label (each
    // group still sorted), with each grouped entry's position in the former.
    std::vector<index_t> start(static_cast<size_t>(lab.n_labels) + 1, 0);
    for (index_t l = 0; l < lab.n_labels; ++l)
        start[l + 1] = start[l] + (lab.count[l] >= 2 ? lab.count[l] : 0);
    std::vector<index_t> fill(start.begin(), start.end() - 1);
    std::vector<double> vals(static_cast<size_t>(kept)), grouped(static_cast<size_t>(kept));
    std::vector<index_t> where(static_cast<size_t>(kept)), orig(static_cast<size_t>(kept));
    index_t kp = 0;
    for (index_t p = 0; p < n; ++p) {
        const index_t i = c.payload(p);
        const index_t l = lab.code[i];
        if (lab.count[l] < 2) continue;
        const index_t g = fill[l]++;
        grouped[g] = c.value(p);
        where[g] = kp;
        vals[kp] = c.value(p);
        orig[kp] = i;
        ++kp;
    }
    poll_interrupt(ctx);
    // radius[kp]: just below the distance to the k_l-th same-label neighbour
    std::vector<double> radius(static_cast<size_t>(kept));
    parallel_blocks(kept, kQueryBlock, ctx, [&](index_t, index_t b, index_t e) {
        // the group holding entry b: the last label starting at or before b
        index_t l = static_cast<index_t>(std::upper_bound(start.begin(), start.end(), b) - start.begin()) - 1;
        for (index_t g = b; g < e; ++g) {
            while (start[l + 1] <= g) ++l;
            const index_t s = start[l], m = start[l + 1] - s;
            const index_t kl = std::min<index_t>(k, m - 1);
            radius[where[g]] = std::nextafter(kth_gap_sorted(&grouped[s], m, g - s, kl), 0.0);
        }
    });
    poll_interrupt(ctx);
    std::vector<double> psi_m(static_cast<size_t>(kept));
    parallel_blocks(kept, kQueryBlock, ctx, [&](index_t, index_t b, index_t e) {
        for (index_t p = b; p < e; ++p)
            psi_m[lab.rank[orig[p]]] = digamma_int(count_sorted_within(vals.data(), kept, p, radius[p]));
    });
    return digamma_int(kept) + lab.mean_psi_k - lab.mean_psi_count - pairwise_mean(psi_m);
}

}  // namespace fastmi
