// The cost of one permutation of mi_test with z, phase by phase, on one
// thread: the per-permutation work of cmi_null (estimators/permutation.hpp)
// written out step by step, each step timed, the best of `rounds` batches of
// `perms` permutations. Before timing, the first permutation's value is
// computed both ways and must equal cmi_null's bit for bit (exit status 1
// otherwise), so the phases stay the library's own.
//
// From the repository root:
//   g++ -O3 -DNDEBUG -std=c++17 -ffp-contract=off -fopenmp -Icsrc benches/native/permutation_phases.cpp -o phases
//   ./phases [n=5000] [k=10] [perms=100] [rounds=7] [dz=1]
//
// dz = 1: x, y, z one-dimensional (the grid of quantile slabs, counts from
// sorted windows); dz > 1: z with dz columns (the joint search on the grid
// of quantile slabs up to dz = 4, on the KD-tree above; the counts on
// KD-trees, those in (x, z) and z on structures built once). Data: z standard normal, x and y each the
// sum of z's columns plus standard normal noise (x and y independent given z,
// as benches/bench_workflows.py's chain).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fastmi/estimators/permutation.hpp"

using namespace fastmi;
using Clock = std::chrono::steady_clock;

namespace {

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

struct Phases {
    std::vector<std::string> names;
    std::vector<double> best, now;
    void start_round() { now.assign(names.size(), 0.0); }
    void end_round(int perms) {
        if (best.empty()) best.assign(names.size(), 1e300);
        for (size_t i = 0; i < names.size(); ++i) best[i] = std::min(best[i], now[i] / perms);
    }
};

// One permutation of the 1-D null, each phase timed into ph.now; returns the estimate in nats.
double lines_once(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& z,
                  const std::int64_t* nb, int s, int k, std::uint64_t seed, const SortedValues& sx,
                  const SortedValues& sz, const ValueIndex& ix, const ValueIndex& iz, const QuantileSlabs& qx,
                  const QuantileSlabs& qy, const QuantileSlabs& qz, const Ctx& ctx, Phases& ph) {
    const index_t n = static_cast<index_t>(x.size());
    auto t0 = Clock::now();
    std::vector<std::int64_t> perm(static_cast<size_t>(n));
    draw_permutation(nb, n, s, seed, perm.data());
    std::vector<double> yp(static_cast<size_t>(n));
    std::vector<std::uint32_t> ys(static_cast<size_t>(n));
    for (index_t i = 0; i < n; ++i) {
        yp[i] = y[perm[i]];
        ys[i] = qy.slab[static_cast<size_t>(perm[i])];
    }
    auto t1 = Clock::now();
    std::vector<double> eps(static_cast<size_t>(n));
    const double* coord[3] = {x.data(), yp.data(), z.data()};
    const QuantileSlabs* cut[3] = {&qx, &qy, &qz};
    const std::uint32_t* at[3] = {qx.slab.data(), ys.data(), qz.slab.data()};
    knn_radius_slabs<3>(coord, cut, at, n, k, ctx, eps.data());
    auto t2 = Clock::now();
    const SortedValues sy(yp.data(), n, ctx);
    auto t3 = Clock::now();
    for (double& e : eps) e = just_below(e);
    const RankWindows wx = RankWindows::of<MaxNorm>(sx, eps.data(), ctx, &ix);
    const RankWindows wy = RankWindows::of<MaxNorm>(sy, eps.data(), ctx);
    const RankWindows wz = RankWindows::of<MaxNorm>(sz, eps.data(), ctx, &iz);
    auto t4 = Clock::now();
    const auto counts = rectangle_counts(sz.index, wz, {&wx, &wy}, ctx);
    auto t5 = Clock::now();
    const double sum = cmi_digamma_sum(counts, wz, n, ctx);
    auto t6 = Clock::now();
    const Clock::time_point t[] = {t0, t1, t2, t3, t4, t5, t6};
    for (size_t i = 0; i + 1 < 7; ++i) ph.now[i] += ms_between(t[i], t[i + 1]);
    return digamma_int(k) - sum / static_cast<double>(n);
}

// One permutation of the multivariate null, each phase timed into ph.now.
double multi_once(const Columns& xc, const std::vector<double>& y, const Columns& zc, const std::int64_t* nb, int s,
                  int k, std::uint64_t seed, const CmiFixed& fixed, const PermutedJoint* joint, const Ctx& ctx,
                  Phases& ph) {
    const index_t n = xc.n;
    auto t0 = Clock::now();
    std::vector<std::int64_t> perm(static_cast<size_t>(n));
    draw_permutation(nb, n, s, seed, perm.data());
    std::vector<double> yp(static_cast<size_t>(n));
    for (index_t i = 0; i < n; ++i) yp[i] = y[perm[i]];
    const Columns yc = Columns::of(yp.data(), n, 1);
    auto t1 = Clock::now();
    std::vector<double> eps(static_cast<size_t>(n));
    const double* ycols[1] = {yp.data()};
    if (joint != nullptr)
        joint->radius(perm.data(), ycols, ctx, eps.data());
    else
        knn_radius<MaxNorm>(Columns::joined(Columns::joined(xc, yc), zc), k, ctx, eps.data());
    auto t2 = Clock::now();
    const double sxz = marginal_sum<MaxNorm, Summation::blocks>(fixed.xz, n, eps.data(), Bound::strict, ctx);
    auto t3 = Clock::now();
    const double syz =
        marginal_sum<MaxNorm, Summation::blocks>(Columns::joined(yc, zc), {}, eps.data(), Bound::strict, ctx);
    auto t4 = Clock::now();
    const double sz = marginal_sum<MaxNorm, Summation::blocks>(fixed.z, n, eps.data(), Bound::strict, ctx);
    auto t5 = Clock::now();
    const Clock::time_point t[] = {t0, t1, t2, t3, t4, t5};
    for (size_t i = 0; i + 1 < 6; ++i) ph.now[i] += ms_between(t[i], t[i + 1]);
    const double dn = static_cast<double>(n);
    return digamma_int(k) - (sxz / dn + syz / dn - sz / dn);
}

// Permutation seed0's value (untimed), then `rounds` timed batches of
// permutations seed0, seed0 + 1, ...: the best batch's mean per phase.
template <class Once>
double run_rounds(Once&& once, std::uint64_t seed0, int rounds, int perms, Phases& ph) {
    ph.start_round();
    const double first = once(seed0);
    for (int r = 0; r < rounds; ++r) {
        ph.start_round();
        for (int b = 0; b < perms; ++b) once(seed0 + static_cast<std::uint64_t>(b));
        ph.end_round(perms);
    }
    return first;
}

}  // namespace

int main(int argc, char** argv) {
    const index_t n = argc > 1 ? std::atol(argv[1]) : 5000;
    const int k = argc > 2 ? std::atoi(argv[2]) : 10;
    const int perms = argc > 3 ? std::atoi(argv[3]) : 100;
    const int rounds = argc > 4 ? std::atoi(argv[4]) : 7;
    const int dz = argc > 5 ? std::atoi(argv[5]) : 1;
    const int s = 5;
    if (n < 20 || k < 1 || k >= n || perms < 1 || rounds < 1 || dz < 1) {
        std::fprintf(stderr, "usage: phases [n >= 20] [1 <= k < n] [perms >= 1] [rounds >= 1] [dz >= 1]\n");
        return 2;
    }
    std::mt19937_64 gen(7);
    std::normal_distribution<double> normal;
    std::vector<double> x(static_cast<size_t>(n)), y(static_cast<size_t>(n)), z(static_cast<size_t>(n) * dz);
    for (index_t i = 0; i < n; ++i) {
        double sum = 0.0;
        for (int c = 0; c < dz; ++c) sum += z[i * dz + c] = normal(gen);
        x[i] = sum + normal(gen);
        y[i] = sum + normal(gen);
    }
    const Ctx ctx = Ctx::make(1, nullptr, n, 1);
    const Columns xc = Columns::of(x.data(), n, 1), zc = Columns::of(z.data(), n, dz);
    std::vector<std::int64_t> nb(static_cast<size_t>(n) * s);
    z_neighbors(zc, s, ctx, nb.data());

    // the library's value of permutation 0, to check the phases against
    const std::uint64_t seed0 = 1000;
    double want = 0.0;
    std::int64_t zeros = 0;
    cmi_null(x.data(), 1, y.data(), 1, z.data(), dz, n, k, nb.data(), s, &seed0, 1, ctx, &want, &zeros);

    Phases ph;
    double check = 0.0;
    if (dz == 1) {
        ph.names = {"draw", "knn (grid)", "sort y", "windows", "sweep", "digamma sum"};
        const SortedValues sx(x.data(), n, ctx), sz(z.data(), n, ctx);
        const int g = grid_slabs(n, k, 3);
        const ValueIndex ix(sx.value.data(), n), iz(sz.value.data(), n);
        const QuantileSlabs qx(sx, g), qz(sz, g), qy(SortedValues(y.data(), n, ctx), g);
        auto once = [&](std::uint64_t seed) {
            return lines_once(x, y, z, nb.data(), s, k, seed, sx, sz, ix, iz, qx, qy, qz, ctx, ph);
        };
        check = run_rounds(once, seed0, rounds, perms, ph);
    } else {
        const bool grid = slab_grid_fits(2 + dz, n);
        ph.names = {"draw", grid ? "knn (grid)" : "knn (tree)", "count (x,z)", "count (y,z)", "count z"};
        const CmiFixed fixed(xc, zc, ctx);
        std::unique_ptr<PermutedJoint> joint;
        if (grid) joint = std::make_unique<PermutedJoint>(xc, Columns::of(y.data(), n, 1), zc, k, ctx);
        auto once = [&](std::uint64_t seed) {
            return multi_once(xc, y, zc, nb.data(), s, k, seed, fixed, joint.get(), ctx, ph);
        };
        check = run_rounds(once, seed0, rounds, perms, ph);
    }
    if (check != want) {
        std::fprintf(stderr, "phases give %.17g nats, cmi_null %.17g: the phases no longer match the library\n",
                     check, want);
        return 1;
    }
    std::printf("one permutation, one thread: n=%ld, k=%d, dz=%d, best of %d x %d permutations\n",
                static_cast<long>(n), k, dz, rounds, perms);
    double total = 0.0;
    for (size_t i = 0; i < ph.names.size(); ++i) {
        std::printf("  %-12s %8.3f ms\n", ph.names[i].c_str(), ph.best[i]);
        total += ph.best[i];
    }
    std::printf("  %-12s %8.3f ms\n", "total", total);
    std::printf("check: permutation 0 = %.17g nats, equal to cmi_null's\n", check);
    return 0;
}
