"""Native KSG estimator: ``fastmi.ksg_mi`` and the neighbour kernels behind it.

Ground truths: the O(n^2) numpy reference ``fastmi.reference`` (rtol 1e-10,
per-sample quantities exactly), scikit-learn's ``_compute_mi_cc`` (published
estimator, 1e-12 relative), and the closed-form MI of Gaussians.
"""
from __future__ import annotations

import contextlib
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastmi
from fastmi import TiedSamplesWarning, _native
from fastmi import reference as ref

RTOL_REF = 1e-10
# Estimates are psi(k) + psi(n) - S/n with S/n ~ 2 psi(n) ~ 10: rounding of
# the per-sample sum is ~1e-15 absolute, so an estimate near 0 (independent
# data) needs an absolute floor besides the relative tolerance.
ATOL_REF = 1e-12
LN2 = math.log(2.0)
# the kernels' count bound for strict=True / False
BOUND = {True: _native.Bound.strict, False: _native.Bound.inclusive}


def gaussian_truth_bits(rho):
    return -0.5 * math.log2(1.0 - rho * rho)


def correlated_pair(rng, n, rho):
    x = rng.standard_normal(n)
    y = rho * x + math.sqrt(1.0 - rho * rho) * rng.standard_normal(n)
    return x, y


def single_valued(a):
    a = np.asarray(a)
    return bool((a == a[:1]).all())


def expected_zeros(x, y, k, legacy=False):
    """Samples whose k-th joint neighbour is at distance 0 in the estimator's metric.

    That is k exact duplicates, or, for legacy=True (Euclidean), also squared
    differences that underflow to 0 (e.g. 0 and 3e-174). The published
    estimator returns 0 for a single-valued x or y without estimating: no
    warning then.
    """
    if not legacy and (single_valued(x) or single_valued(y)):
        return 0
    eps, _, _ = ref.brute_force_ksg_counts(x, y, k, legacy=legacy)
    return int(np.count_nonzero(eps == 0))


@contextlib.contextmanager
def tie_warning(zeros, n):
    """Expect TiedSamplesWarning naming `zeros` of `n` when zeros > 0, else no warning."""
    if zeros:
        with pytest.warns(TiedSamplesWarning, match=rf"^{zeros} of {n} samples"):
            yield
    else:
        yield  # filterwarnings = error turns any stray warning into a failure


def fast_checked(x, y, k, legacy=False, **kw):
    """fastmi.ksg_mi, with the tie warning expected exactly when the reference has eps == 0."""
    n = np.shape(x)[0]
    with tie_warning(expected_zeros(x, y, k, legacy), n), warnings.catch_warnings():
        # x and y may be the same samples (ksg_mi(x, x)'s warning is tests/test_inputs.py's)
        warnings.filterwarnings("ignore", "x and y are the same samples", RuntimeWarning)
        kw.setdefault("tie_breaking", "off")  # the kernels' own tie rules (tests/test_ties.py: the noise)
        return fastmi.ksg_mi(x, y, k, legacy=legacy, **kw)


def assert_matches_reference(x, y, k, legacy):
    got = fast_checked(x, y, k, legacy)
    if not legacy and (single_valued(x) or single_valued(y)):
        assert got == 0.0  # a variable with one value has no entropy
    want = ref.ksg_mi(x, y, k, legacy=legacy)
    assert isinstance(got, float)
    assert got >= 0.0
    assert got == pytest.approx(want, rel=RTOL_REF, abs=ATOL_REF), (k, np.shape(x), np.shape(y))
    return got


# --------------------------------------------------------------------------
# agreement with the brute-force reference
# --------------------------------------------------------------------------

def _random_case(r):
    k = int(r.integers(1, 9))
    n = int(r.integers(k + 1, 601))
    dx, dy = (int(v) for v in r.choice([1, 2, 3], 2))
    x = r.standard_normal((n, dx)) * r.uniform(0.1, 10, dx)
    mix = r.standard_normal((dx, dy)) * r.uniform(0, 2)
    y = x @ mix + r.standard_normal((n, dy))
    if r.random() < 0.3:
        y = np.tanh(y) + 0.01 * x[:, :1] ** 2
    return x, y, k


@pytest.mark.parametrize("legacy", [False, True])
def test_matches_reference_random(legacy):
    for seed in range(60):
        x, y, k = _random_case(np.random.default_rng(seed))
        assert_matches_reference(x, y, k, legacy)
        if x.shape[1] == 1 and seed % 2:  # 1-D arrays take the same path
            assert_matches_reference(x[:, 0], y, k, legacy)


def _int_ties(r, n, k):
    return r.integers(0, 4, (n, 2)).astype(np.float64), r.integers(-2, 2, n).astype(np.float64)


def _int_ties_sparse(r, n, k):
    return r.integers(0, 40, n), r.integers(0, 40, (n, 2))


def _repeated_rows(r, n, k):
    m = max(2, n // 3)
    base = r.standard_normal((m, 3))
    rows = np.repeat(base, 3, axis=0)[:n]
    return rows[:, :1], rows[:, 1:]


def _partly_repeated(r, n, k):
    x = r.standard_normal(n)
    y = x + r.standard_normal(n)
    half = n // 2
    x[:half] = x[0]
    y[:half] = y[0]
    return x, y


def _constant_column(r, n, k):
    x = r.standard_normal((n, 2))
    x[:, 1] = 3.0
    return x, x[:, 0] + r.standard_normal(n)


def _constant_x(r, n, k):
    return np.full(n, -1.5), r.standard_normal((n, 2))


def _constant_both(r, n, k):
    return np.zeros(n), np.ones((n, 3))


def _rounded(r, n, k):
    x = np.round(r.standard_normal(n), 1)
    return x, np.round(x + r.standard_normal(n), 1)


def _tiny_scale(r, n, k):
    x = r.standard_normal(n) * 1e-150
    return x, x + 1e-150 * r.standard_normal(n)


def _huge_scale(r, n, k):
    x = r.standard_normal((n, 2)) * 1e150
    return x, x[:, 1] * 1e-300 + r.standard_normal(n)


def _equal_spacing(r, n, k):
    # every marginal distance is a multiple of 0.5: ties at exactly eps
    x = np.arange(n) * 0.5
    return x, r.permutation(n) * 0.5


def _same_variable(r, n, k):
    x = r.standard_normal(n)
    return x, x.copy()


ADVERSARIAL = {
    f.__name__.lstrip("_"): f
    for f in [_int_ties, _int_ties_sparse, _repeated_rows, _partly_repeated, _constant_column,
              _constant_x, _constant_both, _rounded, _tiny_scale, _huge_scale, _equal_spacing,
              _same_variable]
}


@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize("case", sorted(ADVERSARIAL))
def test_matches_reference_adversarial(case, legacy, rng):
    for n, k in [(300, 3), (200, 1), (150, 8), (9, 8), (2, 1), (4, 3)]:
        x, y = ADVERSARIAL[case](rng, n, k)
        assert_matches_reference(x, y, k, legacy)


@pytest.mark.parametrize("legacy", [False, True])
def test_matches_reference_larger_with_ties(legacy):
    """n in the thousands, so the k-d trees have many levels, with heavy ties."""
    r = np.random.default_rng(99)
    n = 3000
    cases = [
        (r.integers(0, 6, (n, 4)).astype(np.float64), r.integers(0, 3, (n, 2)).astype(np.float64), 5),
        (np.round(r.standard_normal(n), 1), np.round(r.standard_normal((n, 3)), 1), 3),
        (np.repeat(r.standard_normal((n // 3, 2)), 3, axis=0), np.repeat(r.standard_normal(n // 3), 3), 2),
    ]
    for x, y, k in cases:
        assert_matches_reference(x, y, k, legacy)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    n=st.integers(2, 40),
    dx=st.integers(1, 3),
    dy=st.integers(1, 3),
    legacy=st.booleans(),
)
def test_matches_reference_hypothesis(data, n, dx, dy, legacy):
    k = data.draw(st.integers(1, n - 1), label="k")
    values = st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.5, 1e-3])  # few values: many ties
    x = data.draw(hnp.arrays(np.float64, (n, dx), elements=values), label="x")
    y = data.draw(hnp.arrays(np.float64, (n, dy), elements=values | st.floats(-10, 10)), label="y")
    assert_matches_reference(x, y, k, legacy)


@pytest.mark.parametrize("legacy", [False, True])
def test_n_equals_k_plus_one(legacy, rng):
    for k in range(1, 9):
        for dx, dy in [(1, 1), (2, 1), (3, 3)]:
            x = rng.standard_normal((k + 1, dx))
            y = rng.standard_normal((k + 1, dy))
            assert_matches_reference(x, y, k, legacy)


def test_tie_warning_counts(rng):
    x = np.repeat(rng.standard_normal(50), 4)  # every sample has 3 exact duplicates
    y = np.repeat(rng.standard_normal(50), 4)
    with pytest.warns(TiedSamplesWarning, match=r"^200 of 200 samples are at distance 0 from their k-th neighbour \(k=3\)"):
        fastmi.ksg_mi(x, y, k=3, tie_breaking="off")
    fastmi.ksg_mi(x, y, k=4, tie_breaking="off")  # 4th neighbour is a distinct sample: no warning


# --------------------------------------------------------------------------
# per-sample internals against brute force
# --------------------------------------------------------------------------

def pairwise(data, metric):
    """All reduced distances: max-norm, or squared Euclidean summed in coordinate order."""
    out = np.zeros((data.shape[0], data.shape[0]))
    for c in range(data.shape[1]):
        diff = data[:, None, c] - data[None, :, c]
        if metric == 0:
            np.maximum(out, np.abs(diff), out=out)
        else:
            out += diff * diff
    return out


def brute_counts(dist, radius, metric, strict):
    """Other samples within radius (self excluded), by the reference's conventions.

    `dist` from :func:`pairwise`. Strict is ``dist <= nextafter(r, 0)`` (as
    fastmi.reference and scikit-learn do it); Euclidean compares squared
    distances against ``r * r`` (or ``nextafter(r, 0)**2`` when strict).
    """
    r = np.nextafter(radius, 0.0) if strict else radius
    if metric == 1:
        with np.errstate(over="ignore"):  # r = 1e300: r * r = inf, everything inside
            r = r * r
    return np.count_nonzero(dist <= r[:, None], axis=1) - 1


def _internal_data(r, n, d, kind):
    if kind == "normal":
        return r.standard_normal((n, d))
    if kind == "ints":
        return r.integers(0, 5, (n, d)).astype(np.float64)
    if kind == "dups":
        return np.repeat(r.standard_normal((n // 2 + 1, d)), 2, axis=0)[:n].copy()
    return np.round(r.uniform(-1, 1, (n, d)), 1)


@pytest.mark.parametrize("d", [1, 2, 3, 4, 5])
def test_kth_neighbor_distance_exact(d, rng):
    # k >= 64: the k best are kept in a heap
    for n, k in [(2, 1), (9, 8), (60, 3), (400, 1), (700, 5), (1500, 4), (200, 64), (300, 299), (500, 170)]:
        for kind in ("normal", "ints", "dups", "rounded"):
            data = np.ascontiguousarray(_internal_data(rng, n, d, kind))
            zeros = np.zeros((n, 1))
            for metric, legacy in [(0, False), (1, True)]:
                want, _, _ = ref.brute_force_ksg_counts(data, zeros, k, legacy=legacy)
                for threads in (1, 2):
                    got = _native.knn_radius(data, k, _native.Metric(metric), threads, False)
                    np.testing.assert_array_equal(got, want, err_msg=f"{n=} {d=} {k=} {kind} {metric=}")


@pytest.mark.parametrize("d", [1, 2, 3, 4, 5])
def test_count_neighbors_exact(d, rng):
    for n in (1, 2, 50, 500, 1200):
        for kind in ("normal", "ints", "dups", "rounded"):
            data = np.ascontiguousarray(_internal_data(rng, n, d, kind))
            radii = [rng.uniform(0, 1.5, n), np.zeros(n), np.full(n, 1.0), np.full(n, 1e300)]
            if n > 3:
                k = int(rng.integers(1, min(n, 9)))
                radii.append(_native.knn_radius(data, k, _native.Metric.max_norm, 1, False))
                radii.append(_native.knn_radius(data, k, _native.Metric.euclidean, 1, False))
            for metric in (0, 1):
                dist = pairwise(data, metric)
                for radius in radii:
                    for strict in (True, False):
                        want = brute_counts(dist, radius, metric, strict)
                        for threads in (1, 2):
                            got = _native.neighbor_counts(data, radius, _native.Metric(metric), BOUND[strict], threads, False)
                            np.testing.assert_array_equal(
                                got, want, err_msg=f"{n=} {d=} {kind} {metric=} {strict=}")


@pytest.mark.parametrize("d", [2, 3, 4, 6])
def test_count_neighbors_overflowing_distances(d, rng):
    # coordinates at +-1.7e308, whose differences overflow to inf, with radii of +inf,
    # the largest double and an ordinary one: an inclusive count at +inf takes every
    # sample, a strict one (below the largest double) none across the overflow; the
    # slab grid once dropped the cells across it at +inf (found by review)
    for n in (8, 300):
        data = rng.standard_normal((n, d))
        data[:, 0] = np.where(rng.random(n) < 0.5, -1.7e308, 1.7e308)
        data = np.ascontiguousarray(data)
        with np.errstate(over="ignore", invalid="ignore"):
            dist = pairwise(data, 0)
        for radius in (np.full(n, np.inf), np.full(n, np.finfo(float).max), np.full(n, 0.5)):
            for strict in (True, False):
                want = brute_counts(dist, radius, 0, strict)
                for threads in (1, 2):
                    got = _native.neighbor_counts(data, radius, _native.Metric.max_norm, BOUND[strict], threads, False)
                    np.testing.assert_array_equal(got, want, err_msg=f"{n=} {d=} {radius[0]=} {strict=}")


@pytest.mark.parametrize("legacy", [False, True])
def test_counts_match_reference_marginals(legacy, rng):
    """The reference's nx, ny from the kernels: kth distance in joint space, counts in marginals."""
    for n, dx, dy, k in [(300, 1, 1, 3), (250, 2, 1, 5), (200, 3, 2, 1), (100, 1, 3, 8)]:
        x = np.round(rng.standard_normal((n, dx)), 1)
        y = np.round(x[:, :1] + rng.standard_normal((n, dy)), 1)
        eps, nx, ny = ref.brute_force_ksg_counts(x, y, k, legacy=legacy)
        metric, strict = (1, False) if legacy else (0, True)
        xy = np.ascontiguousarray(np.hstack([x, y]))
        metric, bound = _native.Metric(metric), BOUND[strict]
        np.testing.assert_array_equal(_native.knn_radius(xy, k, metric, 2, False), eps)
        np.testing.assert_array_equal(_native.neighbor_counts(x, eps, metric, bound, 2, False), nx)
        np.testing.assert_array_equal(_native.neighbor_counts(y, eps, metric, bound, 2, False), ny)


# --------------------------------------------------------------------------
# scikit-learn
# --------------------------------------------------------------------------

def test_matches_sklearn_compute_mi_cc():
    mi_mod = pytest.importorskip("sklearn.feature_selection._mutual_info")
    for seed in range(16):
        r = np.random.default_rng(seed)
        k = 1 + seed % 8
        n = int(r.integers(50, 3000))
        x = r.standard_normal(n)
        y = r.uniform(0.3, 1.5) * x + r.standard_normal(n) * r.uniform(0.2, 1.0)
        if seed % 3 == 0:
            y = np.exp(y)
        want = mi_mod._compute_mi_cc(x, y, n_neighbors=k)
        assert want > 0.05
        got = fastmi.ksg_mi(x, y, k) * LN2
        assert got == pytest.approx(want, rel=1e-12), (seed, n, k)


def test_plane_search_paths_match_sklearn_compute_mi_cc():
    """1-D x and y at n = 20000: the k-th neighbour search runs on strips of the
    sorted samples, or on the KD-tree where strips do not fit (x or y nearly constant
    at the scale of the neighbour distances); both exact, so scikit-learn's numbers."""
    mi_mod = pytest.importorskip("sklearn.feature_selection._mutual_info")
    r = np.random.default_rng(41)
    n = 20_000
    base = r.standard_normal(n)
    cases = {
        "gaussian": (base, 0.6 * base + r.standard_normal(n), 3),
        "cauchy": (r.standard_cauchy(n), base + r.standard_normal(n), 5),
        "near-constant x": (2.5 + 1e-9 * r.standard_normal(n), base, 3),
        "rounded + noise": (np.floor(3 * base) + 1e-6 * r.standard_normal(n), base ** 3, 4),
        "large k": (base, np.tanh(base) + 0.1 * r.standard_normal(n), 40),
    }
    for name, (x, y, k) in cases.items():
        want = mi_mod._compute_mi_cc(x, y, n_neighbors=k)
        got = fastmi.ksg_mi(x, y, k, tie_breaking="off") * LN2  # near-constant x has float64 ties
        assert got == pytest.approx(max(want, 0.0), rel=1e-12, abs=1e-12), name  # clipped at 0


# --------------------------------------------------------------------------
# analytic truth
# --------------------------------------------------------------------------

# KSG (k=3) at n=20000 on a bivariate Gaussian has a standard deviation of
# about 0.005-0.01 bits and a bias well under 0.01 bits for rho <= 0.95, so a
# fixed-seed estimate lies within 0.03 bits of -0.5*log2(1 - rho**2).
GAUSS_TOL = 0.03


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.8, 0.95])
def test_gaussian_truth(rho):
    rng = np.random.default_rng(int(rho * 100) + 7)
    x, y = correlated_pair(rng, 20_000, rho)
    est = fastmi.ksg_mi(x, y, k=3)
    assert abs(est - gaussian_truth_bits(rho)) < GAUSS_TOL, (rho, est)


def test_gaussian_block_truth():
    """x = (x1, x2), y = (y1, y2) with independent pairs: MI is the sum of the two.

    In the 4-D joint space KSG's bias grows (about 0.01-0.03 bits here), hence 0.05.
    """
    rng = np.random.default_rng(11)
    n = 20_000
    x1, y1 = correlated_pair(rng, n, 0.6)
    x2, y2 = correlated_pair(rng, n, 0.9)
    x = np.column_stack([x1, x2])
    y = np.column_stack([y1, y2])
    truth = gaussian_truth_bits(0.6) + gaussian_truth_bits(0.9)
    est = fastmi.ksg_mi(x, y, k=3)
    assert abs(est - truth) < 0.05, (est, truth)


def test_legacy_documented_defect():
    """The textbook listing's variant is biased low: ~0.39 bits where the truth is 0.737."""
    rng = np.random.default_rng(8)
    x, y = correlated_pair(rng, 20_000, 0.8)
    est = fastmi.ksg_mi(x, y, k=3, legacy=True)
    assert 0.25 < est < 0.45
    assert abs(fastmi.ksg_mi(x, y, k=3) - gaussian_truth_bits(0.8)) < GAUSS_TOL


@pytest.mark.parametrize("dims", [(1, 1), (2, 2)])
def test_independent_near_zero(dims):
    rng = np.random.default_rng(3)
    n = 20_000
    x = rng.standard_normal((n, dims[0]))
    y = rng.uniform(size=(n, dims[1]))
    assert 0.0 <= fastmi.ksg_mi(x, y, k=3) < 0.02


# --------------------------------------------------------------------------
# symmetry, determinism, threads
# --------------------------------------------------------------------------

@pytest.mark.parametrize("legacy", [False, True])
def test_symmetry(legacy, rng):
    for dx, dy, k in [(1, 1, 3), (2, 1, 1), (1, 3, 5), (3, 2, 4)]:
        x = rng.standard_normal((3000, dx))
        y = np.tanh(2 * x[:, :1]) + 0.3 * rng.standard_normal((3000, dy))
        a = fastmi.ksg_mi(x, y, k, legacy=legacy)
        b = fastmi.ksg_mi(y, x, k, legacy=legacy)
        assert a > 0.01
        assert a == pytest.approx(b, rel=1e-12)


def _all_threads(x, y, k=3, legacy=False):
    out = [fastmi.ksg_mi(x, y, k, legacy=legacy, n_jobs=j) for j in (1, 2, -1, None)]
    out.append(fastmi.ksg_mi(x, y, k, legacy=legacy, n_jobs=1))  # repeated call
    return out


def test_n_jobs_bit_identical_large_1d():
    rng = np.random.default_rng(12)
    x, y = correlated_pair(rng, 200_000, 0.7)
    res = _all_threads(x, y)
    assert len(set(res)) == 1, res
    assert abs(res[0] - gaussian_truth_bits(0.7)) < 0.02


@pytest.mark.parametrize("legacy", [False, True])
def test_n_jobs_bit_identical_3d(legacy):
    rng = np.random.default_rng(13)
    n = 30_000
    x = rng.standard_normal((n, 3))
    y = x @ rng.standard_normal((3, 3)) * 0.5 + rng.standard_normal((n, 3))
    res = _all_threads(x, y, k=4, legacy=legacy)
    assert len(set(res)) == 1, res


def test_n_jobs_bit_identical_with_ties():
    rng = np.random.default_rng(14)
    x = rng.integers(0, 30, 50_000).astype(np.float64)
    y = np.round(x / 3 + rng.standard_normal(50_000), 1)
    with pytest.warns(TiedSamplesWarning):
        res = [fastmi.ksg_mi(x, y, 3, n_jobs=j) for j in (1, 2, -1)]
    assert len(set(res)) == 1, res


def test_input_layouts_agree(rng):
    x = rng.standard_normal((500, 2))
    y = x[:, 0] + rng.standard_normal(500)
    want = fastmi.ksg_mi(x, y)
    assert fastmi.ksg_mi(np.asfortranarray(x), y) == want
    assert fastmi.ksg_mi(x.tolist(), list(y)) == want
    assert fastmi.ksg_mi(x, y.reshape(-1, 1)) == want
    assert fastmi.ksg_mi(np.repeat(x, 2, axis=0)[::2], y) == want
    xi = rng.integers(-1000, 1000, 400)
    yi = xi + rng.integers(-1000, 1000, 400)
    with tie_warning(expected_zeros(xi, yi, 3), 400):
        a = fastmi.ksg_mi(xi.astype(np.int32), yi, tie_breaking="off")
    with tie_warning(expected_zeros(xi, yi, 3), 400):
        b = fastmi.ksg_mi(xi.astype(np.float64), yi.astype(np.float64), tie_breaking="off")
    assert a == b


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

Z = np.arange(10.0)


@pytest.mark.parametrize(
    "x, y, kwargs, exc, match",
    [
        (np.arange(10.0), np.arange(9.0), {}, ValueError, "same number of samples"),
        (Z, Z, {"k": 0}, ValueError, "k must be >= 1"),
        (Z, Z, {"k": -2}, ValueError, "k must be >= 1"),
        (Z, Z, {"k": 10}, ValueError, "smaller than the number of samples"),
        (Z, Z, {"k": 11}, ValueError, "smaller than the number of samples"),
        (np.zeros(1), np.zeros(1), {"k": 1}, ValueError, "smaller than the number of samples"),
        (Z, Z, {"k": 2.5}, TypeError, "k must be an integer"),
        (Z, Z, {"k": 3.0}, TypeError, "k must be an integer"),
        (Z, Z, {"k": True}, TypeError, "k must be an integer"),
        (Z, Z, {"k": "3"}, TypeError, "k must be an integer"),
        (Z, Z, {"k": None}, TypeError, "k must be an integer"),
        (np.zeros((10, 2, 2)), Z, {}, ValueError, "3-D"),
        (Z, np.zeros((10, 1, 1)), {}, ValueError, "3-D"),
        (np.zeros(0), np.zeros(0), {}, ValueError, "empty"),
        (np.zeros((0, 2)), np.zeros((0, 2)), {}, ValueError, "empty"),
        (np.zeros((10, 0)), Z, {}, ValueError, "column"),
        (np.float64(1.0), np.float64(2.0), {}, ValueError, "scalar"),
        (np.where(Z == 3, np.nan, Z), Z, {}, ValueError, "NaN"),
        (Z, np.where(Z == 3, np.inf, Z), {}, ValueError, "infinity"),
        (Z, np.column_stack([Z, np.where(Z == 9, -np.inf, Z)]), {}, ValueError, "infinity"),
        (Z.astype(object), Z, {}, TypeError, "real numbers"),
        (np.array(list("abcdefghij")), Z, {}, TypeError, "real numbers"),
        (Z, Z + 1j, {}, TypeError, "real numbers"),
        (Z.astype("datetime64[s]"), Z, {}, TypeError, "real numbers"),
        (Z, Z, {"n_jobs": 0}, ValueError, "n_jobs"),
        (Z, Z, {"n_jobs": 1.5}, TypeError, "n_jobs"),
        (Z, Z, {"n_jobs": "2"}, TypeError, "n_jobs"),
        (Z, Z, {"n_jobs": True}, TypeError, "n_jobs"),
        (Z, Z, {"legacy": "yes"}, TypeError, "legacy"),
        (Z, Z, {"legacy": 1}, TypeError, "legacy"),
    ],
)
def test_errors(x, y, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fastmi.ksg_mi(x, y, **kwargs)


def test_ragged_input_refused():
    with pytest.raises(ValueError, match=re.escape("x could not be converted")):
        fastmi.ksg_mi([[1.0, 2.0], [3.0]], [1.0, 2.0])


def test_k_and_flags_keyword_only(rng):
    x = rng.standard_normal(20)
    fastmi.ksg_mi(x, x + rng.standard_normal(20), 2)  # k positional is fine
    with pytest.raises(TypeError):
        fastmi.ksg_mi(x, x, 3, True)  # legacy is keyword-only


@pytest.mark.parametrize("dx, dy", [(60, 61), (62, 62), (64, 66)])
def test_high_dimensional_joint_space(dx, dy):
    """Joint spaces of 121-130 dimensions once overflowed the KD-tree's leaf-size rule."""
    r = np.random.default_rng(dx + dy)
    x = r.standard_normal((60, dx))
    y = x[:, :dy] + r.standard_normal((60, dy)) if dy <= dx else r.standard_normal((60, dy))
    assert_matches_reference(x, y, 3, False)
    assert_matches_reference(x, y, 3, True)
