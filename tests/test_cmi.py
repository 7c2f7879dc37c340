"""``fastmi.conditional_mi``: the Frenzel-Pompe estimator against a brute-force
O(n^2) numpy implementation and a scipy cKDTree one (1e-9 bits), the Gaussian
closed form from the partial correlation (statistical tolerance at fixed seeds),
and the plug-in estimators against numpy.histogramdd / collections.Counter
tables (1e-12 bits) and the chain rule I(X;Y|Z) = I(X;Y,Z) - I(X;Z) (1e-12 bits).
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from scipy.spatial import cKDTree
from scipy.special import digamma

import fastmi
from fastmi import TiedSamplesWarning

TOL = 1e-9
LN2 = math.log(2.0)


def _2d(a):
    a = np.asarray(a, dtype=np.float64)
    return a.reshape(a.shape[0], -1)


def chebyshev(a):
    a = _2d(a)
    return np.abs(a[:, None, :] - a[None, :, :]).max(axis=-1)


def fp_brute(x, y, z, k):
    """Frenzel-Pompe in bits, O(n^2): joint k-th distance, strict subspace counts
    (``<= nextafter(eps, 0)``, which at eps = 0 counts exact duplicates, as ksg_mi does)."""
    dx, dy, dz = chebyshev(x), chebyshev(y), chebyshev(z)
    joint = np.maximum(np.maximum(dx, dy), dz)
    for m in (joint, dx, dy, dz):
        np.fill_diagonal(m, np.inf)
    r = np.nextafter(np.sort(joint, axis=1)[:, k - 1], 0)[:, None]
    n_xz = np.count_nonzero(np.maximum(dx, dz) <= r, axis=1)
    n_yz = np.count_nonzero(np.maximum(dy, dz) <= r, axis=1)
    n_z = np.count_nonzero(dz <= r, axis=1)
    return (digamma(k) - np.mean(digamma(n_xz + 1) + digamma(n_yz + 1) - digamma(n_z + 1))) / LN2


def fp_ckdtree(x, y, z, k):
    """The same with scipy: one k-NN query, three count queries at nextafter(eps, 0)."""
    x, y, z = _2d(x), _2d(y), _2d(z)
    xyz = np.hstack([x, y, z])
    eps = cKDTree(xyz).query(xyz, k=k + 1, p=np.inf)[0][:, k]
    r = np.nextafter(eps, 0)

    def count(a):
        return cKDTree(a).query_ball_point(a, r, p=np.inf, return_length=True) - 1

    n_xz, n_yz, n_z = count(np.hstack([x, z])), count(np.hstack([y, z])), count(z)
    return (digamma(k) - np.mean(digamma(n_xz + 1) + digamma(n_yz + 1) - digamma(n_z + 1))) / LN2


def chain(rng, n, dx=1, dy=1, dz=1, coupling=0.7):
    z = rng.standard_normal((n, dz))
    x = z[:, :1] + rng.standard_normal((n, dx))
    y = coupling * x[:, :1] + z[:, :1] ** 2 + rng.standard_normal((n, dy))
    return x, y, z


# ----------------------------------------------------------------- ksg against brute force


@pytest.mark.parametrize("n", [5, 40, 300])
@pytest.mark.parametrize("dims", [(1, 1, 1), (2, 1, 1), (1, 3, 2), (2, 2, 2)])
def test_ksg_matches_brute_force(n, dims, rng):
    x, y, z = chain(rng, n, *dims)
    for k in sorted({1, 3, min(7, n - 1), n - 1}):
        got = fastmi.conditional_mi(x, y, z, k=k)
        assert got == pytest.approx(fp_brute(x, y, z, k), abs=TOL), (n, dims, k)


@pytest.mark.parametrize("dims", [(1, 1, 1), (1, 1, 2), (2, 2, 1)])
def test_ksg_matches_ckdtree_large(dims, rng):
    x, y, z = chain(rng, 20_000, *dims)
    for k in (2, 10):
        assert fastmi.conditional_mi(x, y, z, k=k) == pytest.approx(fp_ckdtree(x, y, z, k), abs=TOL)


@pytest.mark.parametrize("k", [3, 1500])
def test_ksg_counts_by_bits_and_by_fenwick_trees(k, rng):
    # 1-D counts sweep z with the positions met held in bit sets where the x and y
    # windows are narrow (k = 3: a few words each) and in Fenwick trees where they are
    # wide (k = 1500 of 4000: windows of thousands of positions, more words than levels)
    x, y, z = chain(rng, 4000)
    assert fastmi.conditional_mi(x, y, z, k=k) == pytest.approx(fp_ckdtree(x, y, z, k), abs=TOL)


def test_ksg_one_dimensional_arrays_same_as_columns(rng):
    x, y, z = chain(rng, 500)
    assert fastmi.conditional_mi(x[:, 0], y[:, 0], z[:, 0]) == fastmi.conditional_mi(x, y, z)


# ----------------------------------------------------------------- ksg: analytic truth


def gaussian_cmi_bits(cov):
    """I(X;Y|Z) of a Gaussian (x, y, z scalars) from the partial correlation."""
    cov = np.asarray(cov)
    a = cov[:2, :2] - np.outer(cov[:2, 2], cov[2, :2]) / cov[2, 2]
    rho = a[0, 1] / math.sqrt(a[0, 0] * a[1, 1])
    return -0.5 * math.log2(1 - rho * rho)


@pytest.mark.parametrize("coupling", [0.0, 0.5, 1.5])
def test_ksg_gaussian_partial_correlation(coupling):
    rng = np.random.default_rng(int(coupling * 10))
    n = 50_000
    z = rng.standard_normal(n)
    x = 0.8 * z + rng.standard_normal(n)
    y = coupling * x - 0.6 * z + rng.standard_normal(n)
    mix = np.array([[0.8, 1.0, 0.0, 0.0], [0.8 * coupling - 0.6, coupling, 1.0, 0.0], [1.0, 0, 0, 0]])
    cov = mix @ mix.T  # (x, y, z) = mix @ (z, e1, e2, unused)
    truth = gaussian_cmi_bits(cov)
    got = fastmi.conditional_mi(x, y, z, k=5)
    assert abs(got - truth) < 0.02, (got, truth)


def test_ksg_is_unclipped():
    """Under conditional independence some estimates are negative, and are returned as such."""
    values = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        z = rng.standard_normal(400)
        values.append(fastmi.conditional_mi(z + rng.standard_normal(400), z + rng.standard_normal(400), z))
    assert min(values) < 0.0
    assert abs(np.mean(values)) < 0.05


def test_ksg_constant_z_is_mi(rng):
    """Conditioning on a constant: Frenzel-Pompe reduces to KSG algorithm 1."""
    x = rng.standard_normal(500)
    y = x + rng.standard_normal(500)
    got = fastmi.conditional_mi(x, y, np.zeros(500), k=4)
    assert got == pytest.approx(fastmi.ksg_mi(x, y, 4), abs=TOL)


@pytest.mark.parametrize("which", ["x", "y"])
def test_ksg_constant_x_or_y_is_zero(which, rng):
    a, b, z = rng.standard_normal((3, 200))
    args = {"x": a, "y": b, "z": z}
    args[which] = np.full(200, 2.5)
    assert fastmi.conditional_mi(**args) == 0.0


def test_ksg_ties_warn(rng):
    x = rng.integers(0, 3, 300).astype(float)
    y = rng.integers(0, 3, 300).astype(float)
    z = rng.integers(0, 2, 300).astype(float)
    with pytest.warns(TiedSamplesWarning, match=r"^300 of 300 samples"):
        got = fastmi.conditional_mi(x, y, z, tie_breaking="off")
    assert got == pytest.approx(fp_brute(x, y, z, 3), abs=TOL)


# ----------------------------------------------------------------- plug-in methods


def plugin_cmi_counts(*tables):
    """H(XZ) + H(YZ) - H(XYZ) - H(Z) in bits from Counters of joint keys."""

    def h(counter):
        c = np.array(list(counter.values()), dtype=np.float64)
        p = c / c.sum()
        return float(-np.sum(p * np.log2(p)))

    xz, yz, xyz, z = tables
    return h(xz) + h(yz) - h(xyz) - h(z)


def _keys(a):
    a = np.asarray(a)
    return [tuple(r) for r in a.reshape(a.shape[0], -1).tolist()]


def discrete_brute(x, y, z):
    kx, ky, kz = _keys(x), _keys(y), _keys(z)
    return plugin_cmi_counts(
        Counter(zip(kx, kz)), Counter(zip(ky, kz)), Counter(zip(kx, ky, kz)), Counter(kz)
    )


def binned_brute(x, y, z, bins):
    """The plug-in CMI of numpy.histogramdd's joint tables."""
    x, y, z = _2d(x), _2d(y), _2d(z)
    dx, dy = x.shape[1], y.shape[1]
    counts = np.histogramdd(np.hstack([x, y, z]), bins=bins)[0]
    xs, ys = tuple(range(dx)), tuple(range(dx, dx + dy))

    def h(c):
        p = c[c > 0] / c.sum()
        return float(-np.sum(p * np.log2(p)))

    return h(counts.sum(axis=ys)) + h(counts.sum(axis=xs)) - h(counts) - h(counts.sum(axis=xs + ys))


@pytest.mark.parametrize("dims", [(1, 1, 1), (2, 1, 1), (1, 1, 2)])
@pytest.mark.parametrize("bins", [2, 5, 9])
def test_binned_matches_histogramdd(dims, bins, rng):
    x, y, z = chain(rng, 3000, *dims)
    got = fastmi.conditional_mi(x, y, z, method="binned", bins=bins)
    assert got == pytest.approx(binned_brute(x, y, z, bins), abs=1e-12)


def test_binned_explicit_edges_drop_outside(rng):
    x, y, z = chain(rng, 3000)
    edges = np.linspace(-2.0, 2.0, 6)
    got = fastmi.conditional_mi(x, y, z, method="binned", bins=edges)
    assert got == pytest.approx(binned_brute(x, y, z, [edges] * 3), abs=1e-12)


def test_discrete_matches_counter(rng):
    x = np.array(["a", "b", "c"])[rng.integers(0, 3, 2000)]
    z = rng.integers(0, 4, (2000, 2))
    y = (rng.integers(0, 2, 2000) + (x == "a")) * 10 + z[:, 0]
    got = fastmi.conditional_mi(x, y, z, method="discrete")
    assert got == pytest.approx(discrete_brute(x, y, z), abs=1e-12)
    assert got > 0.1


@pytest.mark.parametrize("method", ["binned", "discrete"])
def test_plugin_chain_rule(method, rng):
    """I(X;Y|Z) = I(X;Y,Z) - I(X;Z), each I(A;B) as conditional_mi(A, B, constant)."""
    x, y, z = chain(rng, 4000, 1, 1, 2)
    if method == "discrete":
        x, y, z = np.round(x), np.round(y), np.round(z)
    const = np.zeros(4000)

    def cmi(a, b, c):
        return fastmi.conditional_mi(a, b, c, method=method, bins=6)

    lhs = cmi(x, y, z)
    rhs = cmi(x, np.hstack([y, z]), const) - cmi(x, z, const)
    assert lhs == pytest.approx(rhs, abs=1e-12)
    assert lhs > 0.05


def test_discrete_conditional_independence_is_zero():
    z = np.repeat(np.arange(4), 100)
    x = np.tile(np.arange(4), 100)  # x independent of z, y a function of z only
    assert fastmi.conditional_mi(x, z * 2, z, method="discrete") == 0.0


# ----------------------------------------------------------------- base, threads


@pytest.mark.parametrize("method", ["ksg", "binned", "discrete"])
def test_base(method, rng):
    x, y, z = chain(rng, 600)
    if method == "discrete":
        x, y, z = np.round(x), np.round(y), np.round(z)
    bits = fastmi.conditional_mi(x, y, z, method=method)
    assert fastmi.conditional_mi(x, y, z, method=method, base=2) == bits
    assert fastmi.conditional_mi(x, y, z, method=method, base=np.e) == pytest.approx(bits * LN2, rel=1e-14)


@pytest.mark.parametrize("dims", [(1, 1, 1), (2, 1, 2)])
def test_n_jobs_bit_identical(dims):
    x, y, z = chain(np.random.default_rng(7), 100_000, *dims)
    got = {fastmi.conditional_mi(x, y, z, k=4, n_jobs=j) for j in (1, 2, 3, -1, None)}
    assert len(got) == 1, got


# ----------------------------------------------------------------- bad input

Z = np.arange(10.0)


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        ((Z, Z[:9], Z), {}, ValueError, "x and y must have the same number of samples"),
        ((Z, Z, Z[:9]), {}, ValueError, "x and z must have the same number of samples"),
        ((Z, Z, np.zeros((9, 2))), {"method": "binned"}, ValueError, "x and z must have the same number"),
        ((Z, Z, Z[:9]), {"method": "discrete"}, ValueError, "x and z must have the same number"),
        ((Z, Z, Z), {"k": 10}, ValueError, "smaller than the number of samples"),
        ((Z, Z, Z), {"k": 0}, ValueError, "k must be >= 1"),
        ((Z, Z, np.where(Z == 3, np.nan, Z)), {}, ValueError, "z contains NaN"),
        ((Z, np.where(Z == 3, np.inf, Z), Z), {}, ValueError, "y contains infinity"),
        ((Z, Z, np.where(Z == 3, np.nan, Z)), {"method": "binned"}, ValueError, "z contains NaN"),
        ((Z, Z, np.where(Z == 3, np.nan, Z)), {"method": "discrete"}, ValueError, "z contains NaN"),
        ((Z, Z, np.zeros((10, 2, 2))), {}, ValueError, "3-D"),
        ((Z, Z, np.zeros(0)), {}, ValueError, "empty"),
        ((Z, Z, Z), {"method": "pompe"}, ValueError, "method must be"),
        ((Z, Z, Z), {"base": 0}, ValueError, "base must be"),
        ((Z, Z, Z), {"method": "binned", "bins": 0}, ValueError, "bins must be positive"),
        ((Z, Z, Z), {"n_jobs": 1.5}, TypeError, "n_jobs"),
        ((Z, Z, np.array(list("abcdefghij"))), {}, TypeError, "real numbers"),
    ],
)
def test_errors(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fastmi.conditional_mi(*args, **kwargs)


def test_options_keyword_only():
    with pytest.raises(TypeError):
        fastmi.conditional_mi(Z, Z, Z, 3)


def test_ksg_radius_overflow_refused(rng):
    x, y = rng.standard_normal((2, 6))
    z = np.array([1.7e308] * 3 + [-1.7e308] * 3)  # every 3rd neighbour across the gap
    with pytest.raises(ValueError, match=r"k-th neighbour \(k=3\) is too large for float64.*z spans"):
        fastmi.conditional_mi(x, y, z)
    # only the span beyond float64: the radii are finite and the estimate exact
    z = np.concatenate([rng.standard_normal(100) * 1e300 - 1e308, rng.standard_normal(100) * 1e300 + 1e308])
    x, y = rng.standard_normal((2, 200))
    with np.errstate(over="ignore"):  # brute force: distances across the gap are inf, as far as any
        want = fp_brute(x, y, z, 3)
    assert fastmi.conditional_mi(x, y, z) == pytest.approx(want, abs=TOL)
