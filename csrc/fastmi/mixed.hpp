// The two neighbour estimators behind scikit-learn's mutual_info_regression
// and mutual_info_classif, for one-dimensional variables, written so that
// every per-sample quantity equals scikit-learn's and every mean is summed
// in its order (numpy's pairwise summation over the samples in their
// original order):
//   ksg_pair   continuous-continuous: KSG algorithm 1 (Kraskov et al. 2004),
//              max-norm, strict marginal counts; the target's sorted order
//              is computed once by the caller and shared by all features,
//              and the k-th neighbour search runs on strips of the
//              x-sorted samples (strips.hpp), falling back to the KD-tree
//              when the strips do not fit the data;
//   ross_mi    continuous-discrete (Ross 2014): per label, the distance to
//              the k_l-th nearest sample of the same label, k_l =
//              min(k, count - 1); labels seen once are dropped; m_i counts
//              the kept samples of any label strictly closer, self included.
// Results are unclipped, in nats.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "common.hpp"
#include "contingency.hpp"
#include "digamma.hpp"
#include "metric.hpp"
#include "neighbors.hpp"
#include "points.hpp"
#include "sorted1d.hpp"
#include "strips.hpp"

namespace fastmi {

// ---------------------------------------------------------------- KSG, 1-D x and 1-D y

// KSG algorithm 1 between the 1-D columns x and y (n samples each, stride 1),
// with y's sorted order and its index given: psi(n) + psi(k) - <psi(n_x + 1)> - <psi(n_y + 1)>,
// n_x, n_y counting the other samples strictly closer than the k-th
// neighbour distance, the means summed like numpy's over the samples in
// their original order. Unclipped, nats.
inline double ksg_pair(const double* x, const double* y, const SortedValues& ys, const ValueIndex<>& y_index,
                       index_t n, int k, const Ctx& ctx) {
    if (k >= n) throw std::invalid_argument("fastmi: n_neighbors must be smaller than the number of samples");
    const SortedValues xs(x, n, ctx);
    poll_interrupt(ctx);
    index_t zeros = 0;
    const std::vector<double> eps = knn_radius_plane(x, y, xs, ys, k, ctx, &zeros);
    poll_interrupt(ctx);
    // psi(n_i + 1) per sample (the count includes i), in original order
    auto marginal = [&](const SortedValues& s, const ValueIndex<>& index, std::vector<double>& psi) {
        psi.resize(static_cast<size_t>(n));
        count_sorted<MaxNorm>(s, index, eps.data(), [](double r) { return just_below(r); }, ctx,
                              [&](index_t, index_t i, index_t c) { psi[i] = digamma_count(c); });
    };
    std::vector<double> psi_x, psi_y;
    marginal(xs, ValueIndex<>(xs.value.data(), n), psi_x);
    poll_interrupt(ctx);
    marginal(ys, y_index, psi_y);
    const double dn = static_cast<double>(n);
    return digamma_int(n) + digamma_int(k) - pairwise_sum(psi_x.data(), n) / dn -
           pairwise_sum(psi_y.data(), n) / dn;
}

// ---------------------------------------------------------------- Ross, continuous vs discrete

// code[i] = rank of x[i] among the distinct values of x (numpy.unique's
// order; -0.0 and 0.0 are one value). Returns the number of distinct values.
inline index_t label_codes(const double* x, index_t n, const Ctx& ctx, index_t* code) {
    if (n == 0) return 0;
    const SortedValues sorted(x, n, ctx);
    index_t label = 0;
    double prev = sorted.value[0];
    for (index_t p = 0; p < n; ++p) {
        const double v = sorted.value[p];
        if (v != prev) {
            ++label;
            prev = v;
        }
        code[sorted.index[p]] = label;
    }
    return label + 1;
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
inline double ross_mi(const SortedValues& c, const Labelling& lab, int k, const Ctx& ctx) {
    const index_t n = c.size(), kept = lab.kept;
    if (kept == 0) return 0.0;
    // Kept samples in sorted order, and the same grouped by label (each
    // group still sorted), with each grouped entry's position in the former.
    std::vector<index_t> start(static_cast<size_t>(lab.n_labels) + 1, 0);
    for (index_t l = 0; l < lab.n_labels; ++l)
        start[l + 1] = start[l] + (lab.count[l] >= 2 ? lab.count[l] : 0);
    std::vector<index_t> fill(start.begin(), start.end() - 1);
    std::vector<double> vals(static_cast<size_t>(kept)), grouped(static_cast<size_t>(kept));
    std::vector<index_t> where(static_cast<size_t>(kept)), rank(static_cast<size_t>(kept));
    index_t kp = 0;
    for (index_t p = 0; p < n; ++p) {
        const index_t i = c.index[p];
        const index_t l = lab.code[i];
        if (lab.count[l] < 2) continue;
        const index_t g = fill[l]++;
        grouped[g] = c.value[p];
        where[g] = kp;
        vals[kp] = c.value[p];
        rank[kp] = lab.rank[i];
        ++kp;
    }
    poll_interrupt(ctx);
    // radius[kp]: just below the distance to the k_l-th same-label neighbour
    std::vector<double> radius(static_cast<size_t>(kept));
    parallel_blocks(kept, kQueryBlock, ctx, [&](index_t, index_t b, index_t e) {
        // the group holding entry b: the last label starting at or before b
        index_t l = static_cast<index_t>(std::upper_bound(start.begin(), start.end(), b) - start.begin()) - 1;
        WorkPoll poll(ctx);  // each search takes k_l steps
        for (index_t g = b; g < e; ++g) {
            while (start[l + 1] <= g) ++l;
            const index_t s = start[l], m = start[l + 1] - s;
            const index_t kl = std::min<index_t>(k, m - 1);
            radius[where[g]] = just_below(kth_gap_sorted(&grouped[s], m, g - s, kl));
            poll.add(kl);
        }
    });
    poll_interrupt(ctx);
    std::vector<double> psi_m(static_cast<size_t>(kept));
    const ValueIndex<> index(vals.data(), kept);
    parallel_blocks(kept, kQueryBlock, ctx, [&](index_t, index_t b, index_t e) {
        const SortedCounter<MaxNorm> count(vals.data(), kept, index);
        for (index_t p = b; p < e; ++p) psi_m[rank[p]] = digamma_count(count(p, radius[p]));
    });
    return digamma_int(kept) + lab.mean_psi_k - lab.mean_psi_count - pairwise_mean(psi_m);
}

}  // namespace fastmi
