"""Checks of ``fastmi.reference`` against independent computations.

The reference module is the ground truth for the native estimators, so here
it is compared with formulas and libraries that share none of its code:
entropy identities for the histogram estimator, SciPy k-d trees (the textbook
listing's own machinery) for the legacy KSG numbers, scikit-learn for the
published KSG estimator, and ``scipy.special.digamma``.
"""

from __future__ import annotations

import importlib.util
import math
import pathlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

scipy_special = pytest.importorskip("scipy.special")
scipy_spatial = pytest.importorskip("scipy.spatial")


def _load_reference():
    try:
        from fastmi import reference as mod  # noqa: PLC0415

        return mod
    except Exception:  # package __init__ may need the (unbuilt) native module
        path = pathlib.Path(__file__).resolve().parents[1] / "src" / "fastmi" / "reference.py"
        spec = importlib.util.spec_from_file_location("_fastmi_reference_standalone", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod


ref = _load_reference()

LN2 = math.log(2.0)


# --------------------------------------------------------------------------
# independent oracles
# --------------------------------------------------------------------------


def entropy_identity_mi(x, y, bins):
    """H(X) + H(Y) - H(X,Y) in bits from np.histogram2d counts."""
    counts, _, _ = np.histogram2d(np.asarray(x, float), np.asarray(y, float), bins=bins)
    n = counts.sum()

    def h(c):
        c = c[c > 0]
        return math.log2(n) - float(np.sum(c * np.log2(c))) / n

    return h(counts.sum(axis=1)) + h(counts.sum(axis=0)) - h(counts.ravel())


def literal_plugin_loop(x, y, bins):
    """Per-cell scalar loop over the table, as the textbook describes it."""
    table, _, _ = np.histogram2d(np.asarray(x, float), np.asarray(y, float), bins=bins)
    prob = table / table.sum()
    marg_x = prob.sum(axis=1)
    marg_y = prob.sum(axis=0)
    acc = 0.0
    for a in range(prob.shape[0]):
        for b in range(prob.shape[1]):
            if prob[a, b] > 0:
                acc += prob[a, b] * np.log2(prob[a, b] / (marg_x[a] * marg_y[b]))
    return acc


def scipy_legacy_counts(x, y, k):
    """Listing semantics via SciPy KDTree: k+1 query and inclusive balls."""
    xs = np.asarray(x, float).reshape(len(x), -1)
    ys = np.asarray(y, float).reshape(len(y), -1)
    joint = np.hstack([xs, ys])
    t_joint = scipy_spatial.KDTree(joint)
    t_x = scipy_spatial.KDTree(xs)
    t_y = scipy_spatial.KDTree(ys)
    n = len(xs)
    eps = np.empty(n)
    nx = np.empty(n, dtype=np.int64)
    ny = np.empty(n, dtype=np.int64)
    for i in range(n):
        dist, _ = t_joint.query(joint[i], k=k + 1)
        eps[i] = dist[-1]
        nx[i] = len(t_x.query_ball_point(xs[i], eps[i])) - 1
        ny[i] = len(t_y.query_ball_point(ys[i], eps[i])) - 1
    return eps, nx, ny


def scipy_legacy_mi(x, y, k):
    eps, nx, ny = scipy_legacy_counts(x, y, k)
    n = len(eps)
    total = 0.0
    for i in range(n):
        total += scipy_special.digamma(nx[i] + 1) + scipy_special.digamma(ny[i] + 1)
    mi = scipy_special.digamma(k) + scipy_special.digamma(n) - total / n
    return max(0.0, mi / LN2)


def scipy_maxnorm_counts(x, y, k):
    """Kraskov algorithm 1 via SciPy KDTree with p=inf."""
    xs = np.asarray(x, float).reshape(len(x), -1)
    ys = np.asarray(y, float).reshape(len(y), -1)
    joint = np.hstack([xs, ys])
    dist, _ = scipy_spatial.KDTree(joint).query(joint, k=k + 1, p=np.inf)
    eps = dist[:, -1]
    r = np.nextafter(eps, 0)
    nx = scipy_spatial.KDTree(xs).query_ball_point(xs, r, p=np.inf, return_length=True) - 1
    ny = scipy_spatial.KDTree(ys).query_ball_point(ys, r, p=np.inf, return_length=True) - 1
    return eps, nx, ny


def mi_bits_from_counts(nx, ny, k):
    n = len(nx)
    psi = scipy_special.digamma
    mi = psi(k) + psi(n) - np.mean(psi(nx + 1.0) + psi(ny + 1.0))
    return max(0.0, mi / LN2)


def correlated(rng, n, scale=1.0):
    x = rng.normal(size=n)
    y = x + scale * rng.normal(size=n)
    return x, y


# --------------------------------------------------------------------------
# discrete_mi
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bins",
    [
        2,
        10,
        37,
        [7, 13],
        np.linspace(-4, 4, 9),
        [np.linspace(-3, 3, 5), np.array([-5.0, -1.0, 0.0, 0.5, 5.0])],
        [6, np.array([-5.0, -0.3, 0.2, 5.0])],
    ],
)
def test_discrete_mi_matches_entropy_identity_and_listing(bins):
    rng = np.random.default_rng(1)
    x, y = correlated(rng, 2000, 0.7)
    got = ref.discrete_mi(x, y, bins=bins)
    assert isinstance(got, float)
    assert got == pytest.approx(entropy_identity_mi(x, y, bins), rel=1e-12, abs=1e-15)
    assert got == literal_plugin_loop(x, y, bins)  # bit-for-bit


def test_discrete_mi_known_two_by_two_table():
    # p = [[.4, .1], [.1, .4]] realised exactly with 100 samples.
    x = np.array([0] * 40 + [0] * 10 + [1] * 10 + [1] * 40)
    y = np.array([0] * 40 + [1] * 10 + [0] * 10 + [1] * 40)
    exact = 0.8 * math.log2(0.4 / 0.25) + 0.2 * math.log2(0.1 / 0.25)
    got = ref.discrete_mi(x, y, bins=2)
    assert got == pytest.approx(exact, rel=1e-12)
    assert round(got, 4) == 0.2781
    # Symmetric in x and y, and invariant to the sample order.
    assert ref.discrete_mi(y, x, bins=2) == pytest.approx(got, rel=1e-12)
    perm = np.random.default_rng(0).permutation(100)
    assert ref.discrete_mi(x[perm], y[perm], bins=2) == pytest.approx(got, rel=1e-12)


def test_discrete_mi_independent_and_deterministic():
    x = np.repeat(np.arange(4.0), 4)
    y = np.tile(np.arange(4.0), 4)
    assert ref.discrete_mi(x, y, bins=4) == pytest.approx(0.0, abs=1e-15)
    # y = x with 8 equiprobable values: I = H = 3 bits.
    v = np.repeat(np.arange(8.0), 5)
    assert ref.discrete_mi(v, v, bins=8) == pytest.approx(3.0, rel=1e-12)


def test_discrete_mi_rejects_bad_input():
    with pytest.raises(ValueError):
        ref.discrete_mi(np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError):
        ref.discrete_mi([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        ref.discrete_mi([], [])
    with pytest.raises(ValueError):
        ref.discrete_mi([10.0, 11.0], [10.0, 11.0], bins=[np.array([0.0, 1.0])] * 2)


# --------------------------------------------------------------------------
# digamma
# --------------------------------------------------------------------------


def test_digamma_matches_scipy():
    rng = np.random.default_rng(2)
    n = np.unique(
        np.concatenate([np.arange(1, 3000), rng.integers(1, 10**6 + 1, 20000), [10**6, 2**40]])
    )
    want = scipy_special.digamma(n.astype(float))
    got = ref.digamma(n)
    assert got.shape == n.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
    # Float input with integral values, 2-D shape, scalar input.
    np.testing.assert_allclose(ref.digamma(n[:10].astype(float).reshape(2, 5)),
                               want[:10].reshape(2, 5), rtol=1e-14)
    assert isinstance(ref.digamma(7), float)
    assert ref.digamma(1) == pytest.approx(-0.5772156649015329, rel=1e-16)


@pytest.mark.parametrize("bad", [0, -3, 2.5, [1, 0], np.nan])
def test_digamma_rejects_non_positive_integers(bad):
    with pytest.raises(ValueError):
        ref.digamma(bad)


# --------------------------------------------------------------------------
# ksg_mi, legacy mode: the listing's numbers (SciPy KDTree oracle)
# --------------------------------------------------------------------------


def tied_integer_data(rng, n):
    x = rng.integers(0, 40, n).astype(float)
    y = x + rng.integers(0, 8, n)
    return x, y


def dyadic_data(rng, n):
    # Multiples of 1/4: squared distances are exact, ties on ball boundaries.
    x = rng.integers(-12, 12, n) / 4.0
    y = (x + rng.integers(-3, 4, n) / 4.0) * 0.5
    return x, y


@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("kind", ["continuous", "tied", "dyadic"])
def test_ksg_legacy_matches_scipy_listing(k, kind):
    rng = np.random.default_rng(10 + k)
    n = 300
    if kind == "continuous":
        x, y = correlated(rng, n, 0.4)
    elif kind == "tied":
        x, y = tied_integer_data(rng, n)
    else:
        x, y = dyadic_data(rng, n)
    eps, nx, ny = ref.brute_force_ksg_counts(x, y, k, legacy=True)
    eps_s, nx_s, ny_s = scipy_legacy_counts(x, y, k)
    np.testing.assert_array_equal(eps, eps_s)
    np.testing.assert_array_equal(nx, nx_s)
    np.testing.assert_array_equal(ny, ny_s)
    got = ref.ksg_mi(x, y, k, legacy=True)
    want = scipy_legacy_mi(x, y, k)
    assert isinstance(got, float)
    assert got > 0
    assert got == pytest.approx(want, rel=1e-10)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.lists(st.tuples(st.integers(-4, 4), st.integers(-4, 4)), min_size=3, max_size=40),
    k=st.integers(1, 6),
    legacy=st.booleans(),
)
def test_ksg_counts_on_small_grids_match_scipy(data, k, legacy):
    arr = np.array(data, dtype=float) / 2.0
    if k >= len(arr):
        return
    x, y = arr[:, 0], arr[:, 1]
    got = ref.brute_force_ksg_counts(x, y, k, legacy=legacy)
    want = scipy_legacy_counts(x, y, k) if legacy else scipy_maxnorm_counts(x, y, k)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------
# ksg_mi, published estimator: scikit-learn oracle
# --------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 3, 5])
def test_ksg_default_matches_sklearn(k):
    mi_mod = pytest.importorskip("sklearn.feature_selection._mutual_info")
    rng = np.random.default_rng(20 + k)
    x, y = correlated(rng, 400)
    want_bits = mi_mod._compute_mi_cc(x, y, n_neighbors=k) / LN2
    assert want_bits > 0.1
    assert ref.ksg_mi(x, y, k) == pytest.approx(want_bits, rel=1e-12)


@pytest.mark.parametrize("k", [1, 4])
def test_ksg_default_counts_match_sklearn_trees_with_ties(k):
    neighbors = pytest.importorskip("sklearn.neighbors")
    rng = np.random.default_rng(30 + k)
    x, y = tied_integer_data(rng, 300)
    xy = np.column_stack([x, y])
    nn = neighbors.NearestNeighbors(metric="chebyshev", n_neighbors=k).fit(xy)
    eps_s = nn.kneighbors()[0][:, -1]
    r = np.nextafter(eps_s, 0)
    nx_s = neighbors.KDTree(x[:, None], metric="chebyshev").query_radius(
        x[:, None], r, count_only=True) - 1
    ny_s = neighbors.KDTree(y[:, None], metric="chebyshev").query_radius(
        y[:, None], r, count_only=True) - 1
    eps, nx, ny = ref.brute_force_ksg_counts(x, y, k)
    assert np.any(eps == 0)  # duplicates are neighbours at distance 0
    np.testing.assert_array_equal(eps, eps_s)
    np.testing.assert_array_equal(nx, nx_s)
    np.testing.assert_array_equal(ny, ny_s)


def test_gaussian_truth_default_close_legacy_far_below():
    rho, n = 0.8, 4000
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    y = rho * x + math.sqrt(1 - rho**2) * rng.normal(size=n)
    truth = -0.5 * math.log2(1 - rho**2)
    assert truth == pytest.approx(0.7370, abs=5e-5)
    assert abs(ref.ksg_mi(x, y, 3) - truth) < 0.03
    assert 0.25 < ref.ksg_mi(x, y, 3, legacy=True) < 0.45


# --------------------------------------------------------------------------
# multivariate marginals, tiling, validation
# --------------------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True])
def test_two_dimensional_x_and_y(legacy):
    rng = np.random.default_rng(40)
    n = 250
    x = rng.normal(size=(n, 2))
    y = x @ np.array([[1.0, 0.3], [-0.2, 0.8]]) + 0.7 * rng.normal(size=(n, 2))
    got = ref.brute_force_ksg_counts(x, y, 3, legacy=legacy)
    if legacy:
        want = scipy_legacy_counts(x, y, 3)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-14)
    else:
        want = scipy_maxnorm_counts(x, y, 3)
        np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_array_equal(got[2], want[2])
    mi = ref.ksg_mi(x, y, 3, legacy=legacy)
    assert mi > (0.1 if legacy else 0.3)
    assert mi == pytest.approx(mi_bits_from_counts(want[1], want[2], 3), rel=1e-12)


def test_column_vectors_and_duplicated_columns():
    rng = np.random.default_rng(41)
    x, y = correlated(rng, 200)
    base = ref.ksg_mi(x, y, 3)
    assert ref.ksg_mi(x[:, None], y[:, None], 3) == base
    # Max-norm over identical columns equals the 1-D distance.
    assert ref.ksg_mi(x, np.column_stack([y, y]), 3) == base
    assert ref.ksg_mi(x, y, 3, legacy=True) == ref.ksg_mi(x[:, None], y[:, None], 3, legacy=True)


@pytest.mark.parametrize("legacy", [False, True])
def test_tiling_does_not_change_results(monkeypatch, legacy):
    rng = np.random.default_rng(42)
    x, y = tied_integer_data(rng, 157)
    x = x + 0.1 * rng.normal(size=157) * (rng.random(157) < 0.5)
    whole = ref.brute_force_ksg_counts(x, np.column_stack([y, -y]), 4, legacy=legacy)
    monkeypatch.setattr(ref, "_MAX_COLS", 11)
    monkeypatch.setattr(ref, "_MEMORY_BUDGET", 8 * 13 * (ref._LIVE_TILES * 11 + 8))
    assert ref._tile_sizes(157, 4) == (13, 11)
    tiled = ref.brute_force_ksg_counts(x, np.column_stack([y, -y]), 4, legacy=legacy)
    for a, b in zip(whole, tiled):
        np.testing.assert_array_equal(a, b)


def test_ksg_zero_for_independent_noise_and_float_output():
    rng = np.random.default_rng(43)
    value = ref.ksg_mi(rng.normal(size=300), rng.normal(size=300), 3)
    assert isinstance(value, float)
    assert 0.0 <= value < 0.05


@pytest.mark.parametrize(
    "x, y, k",
    [
        (np.zeros(10), np.zeros(9), 3),  # length mismatch
        (np.arange(10.0), np.arange(10.0), 0),  # k too small
        (np.arange(10.0), np.arange(10.0), 10),  # k >= n
        (np.arange(10.0), np.arange(10.0), 2.5),  # non-integer k
        (np.r_[np.nan, np.arange(9.0)], np.arange(10.0), 3),  # NaN
        (np.arange(10.0), np.r_[np.inf, np.arange(9.0)], 3),  # infinity
        (np.zeros((10, 2, 2)), np.zeros(10), 3),  # 3-D
        (np.zeros((10, 0)), np.zeros(10), 3),  # no coordinates
    ],
)
def test_ksg_validation(x, y, k):
    with pytest.raises(ValueError):
        ref.ksg_mi(x, y, k)
    with pytest.raises(ValueError):
        ref.brute_force_ksg_counts(x, y, k, legacy=True)


# --------------------------------------------------------------------------
# mi_feature_selection
# --------------------------------------------------------------------------


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_mi_feature_selection_matches_sklearn(task):
    fs = pytest.importorskip("sklearn.feature_selection")
    rng = np.random.default_rng(50)
    X = rng.normal(size=(300, 8))
    if task == "classification":
        y = (X[:, 2] + 0.5 * X[:, 5] > 0).astype(int)
        scores = fs.mutual_info_classif(X, y, random_state=42)
    else:
        y = X[:, 2] + 0.5 * X[:, 5] ** 2 + 0.1 * rng.normal(size=300)
        scores = fs.mutual_info_regression(X, y, random_state=42)
    order = np.argsort(scores)[::-1][:3]
    idx, top = ref.mi_feature_selection(X, y, n_features=3, task=task)
    np.testing.assert_array_equal(idx, order)
    np.testing.assert_array_equal(top, scores[order])
    assert idx[0] == 2


def test_mi_feature_selection_rejects_unknown_task():
    with pytest.raises(ValueError):
        ref.mi_feature_selection(np.zeros((5, 2)), np.zeros(5), task="clasification")
