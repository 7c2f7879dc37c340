"""``fastmi.entropy``: every method against an independent slow implementation
(brute-force O(n^2) k-NN, scipy's cKDTree, numpy.histogramdd, collections.Counter)
and against closed-form entropies.

Tolerances: the k-NN estimate equals the brute-force formula to 1e-9 bits (both
sum the same per-sample terms, in different orders); plug-in estimates equal
numpy's to 1e-12 bits; analytic checks allow the estimator's statistical error
at the stated n (a few hundredths of a bit, with fixed seeds).
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


def chebyshev(a):
    a = a.reshape(a.shape[0], -1)
    return np.abs(a[:, None, :] - a[None, :, :]).max(axis=-1)


def kl_brute(x, k):
    """psi(n) - psi(k) + d <log(2 eps)> in bits, O(n^2); zero radii left out of the mean."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    n, d = x.shape
    dist = chebyshev(x)
    np.fill_diagonal(dist, np.inf)
    eps = np.sort(dist, axis=1)[:, k - 1]
    eps = eps[eps > 0]
    return (digamma(n) - digamma(k) + d * np.mean(np.log(2 * eps))) / LN2


def kl_ckdtree(x, k):
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    n, d = x.shape
    eps = cKDTree(x).query(x, k=k + 1, p=np.inf)[0][:, k]
    return (digamma(n) - digamma(k) + d * np.mean(np.log(2 * eps))) / LN2


def plugin_bits(counts):
    c = np.asarray(counts, dtype=np.float64).ravel()
    p = c[c > 0] / c.sum()
    return float(-np.sum(p * np.log2(p)))


# ----------------------------------------------------------------- KL against brute force


@pytest.mark.parametrize("n", [2, 7, 60, 400])
@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_kl_matches_brute_force(n, d, rng):
    for k in sorted({1, min(2, n - 1), min(5, n - 1), n - 1}):
        x = rng.standard_normal((n, d)) * rng.uniform(0.1, 10, d)
        got = fastmi.entropy(x, k=k)
        assert got == pytest.approx(kl_brute(x, k), abs=TOL), (n, d, k)
        if d == 1:
            assert fastmi.entropy(x[:, 0], k=k) == got


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_kl_matches_ckdtree_large(d, rng):
    """Larger n takes the fast paths (1-D windows, 2-D strips, KD-tree): checked against cKDTree."""
    n = 30_000
    x = rng.standard_normal((n, d))
    x[:, 0] = np.tanh(x[:, 0])  # not Gaussian, not isotropic
    for k in (1, 4, 11):
        assert fastmi.entropy(x, k=k) == pytest.approx(kl_ckdtree(x, k), abs=TOL), (d, k)


@pytest.mark.parametrize("d", [1, 2])
def test_kl_near_constant_direction(d, rng):
    """The strips fall back to the KD-tree when one coordinate is nearly constant."""
    n = 5000
    x = rng.standard_normal((n, d))
    x[:, -1] = 1e-9 * x[:, -1] + 3.0  # a few float64 ties: compared as given
    assert fastmi.entropy(x, k=3, tie_breaking="off") == pytest.approx(kl_ckdtree(x, 3), abs=TOL)


# ----------------------------------------------------------------- KL: analytic truth


@pytest.mark.parametrize("sigmas", [(1.0,), (0.5, 3.0), (1.0, 2.0, 0.2)])
def test_kl_gaussian_truth(sigmas):
    rng = np.random.default_rng(len(sigmas))
    n = 100_000
    x = rng.standard_normal((n, len(sigmas))) * np.array(sigmas)
    truth = sum(0.5 * math.log2(2 * math.pi * math.e * s * s) for s in sigmas)
    # KL's bias grows with d; measured errors are below 0.01 bits per dimension here
    assert abs(fastmi.entropy(x, k=3) - truth) < 0.02 * len(sigmas)


def test_kl_uniform_truth():
    rng = np.random.default_rng(3)
    x = rng.uniform(0.0, 8.0, 200_000)
    assert abs(fastmi.entropy(x) - 3.0) < 0.01  # log2(8)


# ----------------------------------------------------------------- KL: ties


def test_kl_ties_warn_and_are_left_out(rng):
    x = rng.standard_normal(300)
    x[:40] = 1.5  # 40 copies: their 3rd-neighbour distance is 0
    with pytest.warns(TiedSamplesWarning, match=r"^40 of 300 samples .* left out"):
        got = fastmi.entropy(x, k=3, tie_breaking="off")
    assert np.isfinite(got)
    assert got == pytest.approx(kl_brute(x, 3), abs=TOL)


def test_kl_fewer_than_k_duplicates_do_not_warn(rng):
    x = rng.standard_normal(300)
    x[:3] = 0.25  # two other copies: the 3rd neighbour is elsewhere
    got = fastmi.entropy(x, k=3, tie_breaking="off")
    assert got == pytest.approx(kl_brute(x, 3), abs=TOL)


@pytest.mark.parametrize("x", [np.zeros(50), np.repeat(np.arange(5.0), 10), np.ones((30, 2))])
def test_kl_all_tied_refused(x):
    refusal = "every sample of x has 3 or more exact duplicates" if x.ndim == 1 else "x\\[:, 0\\] is constant"
    with pytest.raises(ValueError, match=refusal):
        fastmi.entropy(x, k=3, tie_breaking="off")
    if (x == x[0]).all():  # constant: no noise, refused as well
        with pytest.raises(ValueError, match=refusal):
            fastmi.entropy(x, k=3)


@pytest.mark.parametrize("tie_breaking", ["auto", "off"])
def test_kl_singular_multivariate_refused(tie_breaking, rng):
    # a constant or repeated column: the KL estimate was finite (-3.8 bits at n = 500,
    # -10.2 at 5e4, falling) where the differential entropy is -infinity
    x = rng.standard_normal(500)
    with pytest.raises(ValueError, match=r"x\[:, 1\] is constant"):
        fastmi.entropy(np.c_[x, np.ones(500)], tie_breaking=tie_breaking)
    with pytest.raises(ValueError, match=r"x\[:, 0\] and x\[:, 2\] are identical"):
        fastmi.entropy(np.c_[x, rng.standard_normal(500), x], tie_breaking=tie_breaking)
    with pytest.raises(ValueError, match="identical"):
        fastmi.entropy(np.c_[np.where(x == 0, -0.0, x) * 0.0 + x, x], tie_breaking=tie_breaking)
    fastmi.entropy(np.c_[x, 2.0 * x + 1e-9 * rng.standard_normal(500)])  # not identical: estimated


# ----------------------------------------------------------------- plug-in methods


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("bins", [1, 4, 10, 37])
def test_binned_matches_histogramdd(d, bins, rng):
    x = rng.standard_normal((2000, d)) ** 3
    counts = np.histogramdd(x, bins=bins)[0]
    assert fastmi.entropy(x, method="binned", bins=bins) == pytest.approx(plugin_bits(counts), abs=1e-12)


def test_binned_edges_and_per_axis_bins(rng):
    x = rng.standard_normal((3000, 2))
    spec = [np.array([-1.0, 0.0, 0.5, 2.0]), 7]  # samples outside the edges are dropped
    counts = np.histogramdd(x, bins=spec)[0]
    assert fastmi.entropy(x, method="binned", bins=spec) == pytest.approx(plugin_bits(counts), abs=1e-12)
    edges = np.linspace(-2, 2, 9)
    counts1 = np.histogram(x[:, 0], bins=edges)[0]
    assert fastmi.entropy(x[:, 0], method="binned", bins=edges) == pytest.approx(plugin_bits(counts1), abs=1e-12)


def test_miller_madow(rng):
    x = rng.standard_normal((1000, 2))
    counts = np.histogramdd(x, bins=6)[0]
    m = int(np.count_nonzero(counts))
    want = plugin_bits(counts) + (m - 1) / (2 * 1000) / LN2
    assert fastmi.entropy(x, method="miller_madow", bins=6) == pytest.approx(want, abs=1e-12)


def test_discrete_labels(rng):
    words = np.array(["red", "green", "blue", "cyan"])[rng.integers(0, 4, 500)]
    want = plugin_bits(list(Counter(words.tolist()).values()))
    assert fastmi.entropy(words, method="discrete") == pytest.approx(want, abs=1e-12)
    rows = rng.integers(0, 3, (500, 2))
    want_rows = plugin_bits(list(Counter(map(tuple, rows.tolist())).values()))
    assert fastmi.entropy(rows, method="discrete") == pytest.approx(want_rows, abs=1e-12)
    assert fastmi.entropy(["a", "b", "a", "b"], method="discrete") == 1.0
    assert fastmi.entropy(np.full(10, 7), method="discrete") == 0.0


def test_discrete_equals_binned_on_integers(rng):
    x = rng.integers(0, 8, 4000).astype(np.float64)
    assert fastmi.entropy(x, method="discrete") == pytest.approx(
        fastmi.entropy(x, method="binned", bins=np.arange(-0.5, 8.0)), abs=1e-12
    )


# ----------------------------------------------------------------- base, threads


@pytest.mark.parametrize("method", ["kl", "binned", "miller_madow", "discrete"])
def test_base(method, rng):
    x = rng.standard_normal((500, 2)).round(1)
    if method == "kl":
        x += 1e-3 * rng.standard_normal(x.shape)
    bits = fastmi.entropy(x, method=method)
    assert fastmi.entropy(x, method=method, base=2) == bits
    assert fastmi.entropy(x, method=method, base=np.e) == pytest.approx(bits * LN2, rel=1e-14)
    assert fastmi.entropy(x, method=method, base=10) == pytest.approx(bits * math.log10(2), rel=1e-14)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_n_jobs_bit_identical(d):
    rng = np.random.default_rng(40 + d)
    x = rng.standard_normal((120_000, d))
    got = {fastmi.entropy(x, n_jobs=j) for j in (1, 2, 3, -1, None)}
    assert len(got) == 1, got


# ----------------------------------------------------------------- bad input

Z = np.arange(10.0)


@pytest.mark.parametrize(
    "x, kwargs, exc, match",
    [
        (np.zeros(0), {}, ValueError, "empty"),
        (np.zeros((10, 2, 2)), {}, ValueError, "3-D"),
        (np.where(Z == 3, np.nan, Z), {}, ValueError, "NaN"),
        (np.where(Z == 3, np.inf, Z), {}, ValueError, "infinity"),
        (Z, {"k": 10}, ValueError, "smaller than the number of samples"),
        (Z, {"k": 0}, ValueError, "k must be >= 1"),
        (Z, {"k": 2.0}, TypeError, "k must be an integer"),
        (Z, {"method": "ksg"}, ValueError, "method must be"),
        (Z, {"base": 1}, ValueError, "base must be"),
        (Z, {"base": -2.0}, ValueError, "base must be"),
        (Z, {"base": "2"}, TypeError, "base must be"),
        (Z, {"method": "binned", "bins": 0}, ValueError, "bins must be positive"),
        (Z, {"method": "binned", "bins": "auto"}, TypeError, "bins"),
        (np.zeros((10, 2)), {"method": "binned", "bins": [3, 4, 5]}, ValueError, "one bin specification per column"),
        (Z, {"method": "binned", "bins": 2**40}, ValueError, r"2\*\*40|1099511627776 bins on one axis"),
        (np.where(Z == 3, np.nan, Z), {"method": "binned"}, ValueError, "NaN"),
        (np.where(Z == 3, np.nan, Z), {"method": "discrete"}, ValueError, "NaN"),
        (np.array(list("abcdefghij")), {}, TypeError, "real numbers"),
        (Z, {"n_jobs": 0}, ValueError, "n_jobs"),
    ],
)
def test_errors(x, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fastmi.entropy(x, **kwargs)


def test_options_keyword_only():
    with pytest.raises(TypeError):
        fastmi.entropy(Z, "kl")


def test_kl_radius_overflow_refused_wide_data_accepted(rng):
    """log(2 eps) needs 2 eps finite: refused when it is not, computed when only the span is huge."""
    x = np.concatenate([rng.standard_normal(50), [1e308, -1e308]])
    with pytest.raises(ValueError, match=r"k-th neighbour \(k=3\) is too large for float64.*x spans"):
        fastmi.entropy(x)
    clusters = np.concatenate([rng.standard_normal(100) * 1e300 - 8e307, rng.standard_normal(100) * 1e300 + 8e307])
    got = fastmi.entropy(clusters)
    assert np.isfinite(got)
    assert got == pytest.approx(kl_brute(clusters, 3), abs=TOL)
