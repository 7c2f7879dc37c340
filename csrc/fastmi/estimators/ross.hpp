// Ross's estimator of the mutual information between a continuous and a
// discrete variable (Ross 2014), as scikit-learn's _compute_mi_cd defines
// it, every mean summed like numpy's over the samples in their original
// order: per label, the distance to the k_l-th nearest sample of the same
// label, k_l = min(k, count - 1); labels seen once are dropped; m_i counts
// the kept samples of any label strictly closer, self included. Unclipped,
// nats.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "fastmi/numerics/digamma.hpp"
#include "fastmi/numerics/numpy_sum.hpp"
#include "fastmi/runtime/metric.hpp"
#include "fastmi/runtime/parallel.hpp"
#include "fastmi/search/radix_sort.hpp"
#include "fastmi/search/sorted1d.hpp"

namespace fastmi {

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
    const ValueIndex index(vals.data(), kept);
    parallel_blocks(kept, kQueryBlock, ctx, [&](index_t, index_t b, index_t e) {
        const SortedCounter<MaxNorm> count(vals.data(), kept, index);
        for (index_t p = b; p < e; ++p) psi_m[rank[p]] = digamma_count(count(p, radius[p]));
    });
    return digamma_int(kept) + lab.mean_psi_k - lab.mean_psi_count - pairwise_mean(psi_m);
}

}  // namespace fastmi
