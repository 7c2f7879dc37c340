#include "sklearn_api.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "contingency.hpp"
#include "legacy_normal.hpp"
#include "mixed.hpp"

namespace fastmi {

namespace {

// Threads for `work` sample-values: at most one per kGrain of them, since
// below that waking threads costs more than it saves, and far more on a busy
// machine, where an OpenMP barrier may wait for a descheduled thread.
// Results are identical for any thread count.
Ctx make_ctx(int n_threads, InterruptFn check, std::int64_t work) {
    constexpr std::int64_t kGrain = 1 << 15;
    Ctx ctx;
    ctx.n_threads = static_cast<int>(std::min<std::int64_t>(resolve_threads(n_threads), std::max<std::int64_t>(1, work / kGrain)));
    return ctx.with_interrupt(check);
}

// One feature's estimate against the target, unclipped.
struct Target {
    const double* y = nullptr;                  // continuous target, or
    const index_t* codes = nullptr;             // discrete target
    index_t n_labels = 0;
    std::unique_ptr<SortedValues> sorted;       // continuous: y's sorted order
    std::unique_ptr<ValueIndex<>> index;        // and its value index
    std::unique_ptr<Labelling> labelling;       // discrete: Ross's per-label terms
};

double continuous_feature(const double* x, index_t n, const Target& t, int k, const Ctx& ctx) {
    if (t.sorted) return ksg_pair(x, t.y, *t.sorted, *t.index, n, k, ctx);
    const SortedValues c(x, n, ctx);
    return ross_mi(c, *t.labelling, k, ctx);
}

double discrete_feature(const double* x, index_t n, const Target& t, int k, const Ctx& ctx) {
    std::vector<index_t> code(static_cast<size_t>(n));
    const index_t labels = label_codes(x, n, ctx, code.data());
    poll_interrupt(ctx);
    if (t.sorted) {
        const Labelling lab(code.data(), n, labels, k);
        return ross_mi(*t.sorted, lab, k, ctx);
    }
    return contingency_mi_codes(code.data(), labels, t.codes, t.n_labels, n, ctx);
}

}  // namespace

void sklearn_mi(const double* xc, std::int64_t pc, const double* xd, std::int64_t pd, std::int64_t n,
                const double* y, const std::int64_t* y_codes, std::int64_t y_labels, int k,
                int n_threads, InterruptFn check, double* out_c, double* out_d) {
    if (n < 1 || k < 1) throw std::invalid_argument("fastmi: need n >= 1 and k >= 1");
    const Ctx ctx = make_ctx(n_threads, check, n * (pc + pd));

    Target t;
    if (y_codes != nullptr) {
        t.codes = y_codes;
        t.n_labels = y_labels;
        if (pc > 0) t.labelling = std::make_unique<Labelling>(y_codes, n, y_labels, k);
    } else {
        t.y = y;
        t.sorted = std::make_unique<SortedValues>(y, n, ctx);
        t.index = std::make_unique<ValueIndex<>>(t.sorted->value.data(), n);
    }
    poll_interrupt(ctx);

    const index_t tasks = pc + pd;
    auto run = [&](index_t j, const Ctx& c) {
        const double mi = j < pc ? continuous_feature(xc + j * n, n, t, k, c)
                                 : discrete_feature(xd + (j - pc) * n, n, t, k, c);
        (j < pc ? out_c[j] : out_d[j - pc]) = mi > 0.0 ? mi : 0.0;
    };
    if (tasks >= ctx.n_threads) {
        // one feature per thread at a time, each on one thread
        Ctx one = ctx;
        one.n_threads = 1;
        parallel_blocks(tasks, 1, ctx, [&](index_t j, index_t, index_t) { run(j, one); });
    } else {
        for (index_t j = 0; j < tasks; ++j) {
            run(j, ctx);
            poll_interrupt(ctx);
        }
    }
}

void add_legacy_noise(double* x, std::int64_t n, std::int64_t p, const double* c, std::uint32_t* key, int* pos,
                      int* has_gauss, double* gauss, int n_threads, InterruptFn check) {
    if (n < 0 || p < 0 || *pos < 0 || *pos > Mt19937::kN) throw std::invalid_argument("fastmi: bad noise request");
    const Ctx ctx = make_ctx(n_threads, check, n * p);
    LegacyNormal normal(LegacyNormalState{key, pos, has_gauss, gauss});
    // rows a chunk at a time, so that the values need O(chunk) memory
    const index_t rows = std::max<index_t>(1, (index_t(1) << 16) / std::max<index_t>(p, 1));
    std::vector<double> g(static_cast<size_t>(std::min<index_t>(rows, n) * p));
    for (index_t r0 = 0; r0 < n; r0 += rows) {
        const index_t m = std::min(rows, n - r0);
        normal.fill(g.data(), m * p, ctx);
        parallel_blocks(p, 1, ctx, [&](index_t j, index_t, index_t) {
            double* col = x + j * n + r0;
            const double cj = c[j];
            for (index_t r = 0; r < m; ++r) col[r] += cj * g[static_cast<size_t>(r * p + j)];
        });
        poll_interrupt(ctx);
    }
    normal.save();
}

double mutual_info_codes(const std::int64_t* a, std::int64_t na, const std::int64_t* b, std::int64_t nb,
                         std::int64_t n, InterruptFn check) {
    return contingency_mi_codes(a, na, b, nb, n, Ctx{}.with_interrupt(check));
}

double mutual_info_table(const std::int64_t* row, const std::int64_t* col, const std::int64_t* count,
                         std::int64_t nnz, const std::int64_t* pi, std::int64_t n_rows,
                         const std::int64_t* pj, std::int64_t n_cols, InterruptFn check) {
    return contingency_mi(row, col, count, nnz, pi, n_rows, pj, n_cols, Ctx{}.with_interrupt(check));
}

}  // namespace fastmi
