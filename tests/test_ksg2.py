"""``fastmi.ksg_mi(..., algorithm=2)`` (Kraskov et al. 2004, algorithm 2) against a
brute-force O(n^2) numpy implementation (1e-9 bits) and the Gaussian closed form;
``base=`` on ``ksg_mi`` and ``discrete_mi`` (base 2 bit-identical to the default).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import digamma

import fastmi
from fastmi import TiedSamplesWarning, _native, reference

TOL = 1e-9
LN2 = math.log(2.0)


def chebyshev(a):
    a = np.asarray(a, dtype=np.float64)
    a = a.reshape(a.shape[0], -1)
    return np.abs(a[:, None, :] - a[None, :, :]).max(axis=-1)


def ksg2_brute(x, y, k):
    """Algorithm 2 in bits (unclipped): eps_x, eps_y the largest marginal distances
    over every sample within the k-th joint distance; inclusive marginal counts."""
    dx, dy = chebyshev(x), chebyshev(y)
    joint = np.maximum(dx, dy)
    np.fill_diagonal(joint, np.inf)
    n = joint.shape[0]
    eps = np.sort(joint, axis=1)[:, k - 1][:, None]
    near = joint <= eps
    ex = np.where(near, dx, 0.0).max(axis=1)[:, None]
    ey = np.where(near, dy, 0.0).max(axis=1)[:, None]
    np.fill_diagonal(dx, np.inf)
    np.fill_diagonal(dy, np.inf)
    nx = np.count_nonzero(dx <= ex, axis=1)
    ny = np.count_nonzero(dy <= ey, axis=1)
    return (digamma(k) - 1.0 / k + digamma(n) - np.mean(digamma(nx) + digamma(ny))) / LN2


def pair(rng, n, dx, dy, rho=0.6):
    x = rng.standard_normal((n, dx))
    y = rho * np.tanh(x[:, :1]) + rng.standard_normal((n, dy))
    return x, y


@pytest.mark.parametrize("n", [4, 50, 400])
@pytest.mark.parametrize("dims", [(1, 1), (2, 1), (1, 3), (3, 3)])
def test_matches_brute_force(n, dims, rng):
    for k in sorted({1, 3, min(8, n - 1), n - 1}):
        x, y = pair(rng, n, *dims)
        want = ksg2_brute(x, y, k)
        raw, zeros = _native.ksg2_mi_nats(x, y, k, 0, False)  # unclipped, as the formula
        assert zeros == 0
        assert raw / LN2 == pytest.approx(want, abs=TOL), (n, dims, k)
        assert fastmi.ksg_mi(x, y, k, algorithm=2) == pytest.approx(max(0.0, want), abs=TOL)


def test_matches_brute_force_with_ties(rng):
    """Samples tied at the k-th joint distance all count as neighbours."""
    x = rng.integers(0, 6, (400, 1)).astype(float)
    y = (x + rng.integers(0, 3, (400, 1))).astype(float)
    with pytest.warns(TiedSamplesWarning, match=r"of 400 samples"):
        got = fastmi.ksg_mi(x, y, 3, algorithm=2, tie_breaking="off")
    assert got == pytest.approx(max(0.0, ksg2_brute(x, y, 3)), abs=TOL)
    # ties at the k-th distance without zero distances: no warning, same rule
    x = rng.permutation(np.arange(300.0))[:, None]
    y = np.round(x / 7.0) + rng.integers(0, 2, (300, 1)) * 50
    got = fastmi.ksg_mi(x, y, 4, algorithm=2, tie_breaking="off")
    assert got == pytest.approx(max(0.0, ksg2_brute(x, y, 4)), abs=TOL)


@pytest.mark.parametrize("rho", [0.3, 0.8, 0.95])
def test_gaussian_truth(rho):
    rng = np.random.default_rng(int(rho * 100))
    n = 50_000
    x = rng.standard_normal(n)
    y = rho * x + math.sqrt(1 - rho * rho) * rng.standard_normal(n)
    truth = -0.5 * math.log2(1 - rho * rho)
    got = fastmi.ksg_mi(x, y, 3, algorithm=2)
    assert abs(got - truth) < 0.01 + 0.01 * truth, (got, truth)
    # algorithm 2 differs from algorithm 1 (a test that would pass for either is no test)
    assert got != fastmi.ksg_mi(x, y, 3)


def test_constant_variable_gives_zero(rng):
    assert fastmi.ksg_mi(np.ones(100), rng.standard_normal(100), algorithm=2) == 0.0


def test_n_jobs_bit_identical():
    rng = np.random.default_rng(5)
    for dims in ((1, 1), (2, 2)):
        x, y = pair(rng, 60_000, *dims)
        got = {fastmi.ksg_mi(x, y, 4, algorithm=2, n_jobs=j) for j in (1, 2, 3, -1, None)}
        assert len(got) == 1, got


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"algorithm": 3}, "algorithm must be 1 or 2"),
        ({"algorithm": 0}, "algorithm must be 1 or 2"),
        ({"algorithm": "2"}, "algorithm must be 1 or 2"),
        ({"algorithm": True}, "algorithm must be 1 or 2"),
        ({"algorithm": 2, "legacy": True}, "algorithm=2 has no legacy variant"),
        ({"algorithm": 2, "k": 10}, "smaller than the number of samples"),
        ({"base": 1.0}, "base must be"),
        ({"base": np.inf}, "base must be"),
    ],
)
def test_errors(kwargs, match):
    z = np.arange(10.0)
    with pytest.raises(ValueError, match=match):
        fastmi.ksg_mi(z, z, **kwargs)


# ----------------------------------------------------------------- base= on the MI functions


@pytest.mark.parametrize("algorithm", [1, 2])
def test_ksg_base(algorithm, rng):
    x, y = pair(rng, 2000, 2, 1)
    bits = fastmi.ksg_mi(x, y, algorithm=algorithm)
    assert fastmi.ksg_mi(x, y, algorithm=algorithm, base=2) == bits
    assert fastmi.ksg_mi(x, y, algorithm=algorithm, base=np.e) == pytest.approx(bits * LN2, rel=1e-14)


def test_ksg_base2_bit_identical_to_nats_over_ln2(rng):
    x, y = pair(rng, 3000, 1, 1)
    nats, _ = _native.ksg_mi_nats(x, y, 3, _native.KsgVariant.published, 0, False)
    assert fastmi.ksg_mi(x, y) == nats / math.log(2.0)
    assert fastmi.ksg_mi(x, y, base=math.e) == nats / math.log(math.e)


def test_discrete_mi_base(rng):
    x, y = pair(rng, 5000, 1, 1)
    x, y = x[:, 0], y[:, 0]
    bits = fastmi.discrete_mi(x, y, 12)
    assert fastmi.discrete_mi(x, y, 12, base=2) == bits
    assert bits == pytest.approx(reference.discrete_mi(x, y, 12), rel=1e-12)
    assert fastmi.discrete_mi(x, y, 12, base=np.e) == pytest.approx(bits * LN2, rel=1e-14)
    with pytest.raises(ValueError, match="base must be"):
        fastmi.discrete_mi(x, y, base=0.0)


def test_radius_overflow_refused():
    x = np.array([1.7e308] * 3 + [-1.7e308] * 3)  # every 3rd neighbour across the gap
    with pytest.raises(ValueError, match="overflows float64"):
        fastmi.ksg_mi(x, np.arange(6.0), algorithm=2)
