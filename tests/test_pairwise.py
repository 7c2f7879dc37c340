"""fastmi.pairwise_mi: every entry equal to ksg_mi / discrete_mi bit for bit."""
from __future__ import annotations

import math

import warnings

import numpy as np
import pytest

import fastmi


def _data(rng, n=1500, p=6):
    X = rng.standard_normal((n, max(p, 4)))[:, :max(p, 4)]
    X[:, 1] += X[:, 0]                      # dependent pair
    X[:, 2] = np.sin(3 * X[:, 0]) + 0.1 * rng.standard_normal(n)
    X[:, 3] = np.round(X[:, 3] * 2)         # ties (near-discrete)
    return X


@pytest.mark.parametrize("k", [1, 3, 7])
def test_ksg_entries_equal_ksg_mi(k, rng):
    X = _data(rng)
    X[:, 3] += 1e-6 * rng.standard_normal(X.shape[0])  # no duplicated samples
    M = fastmi.pairwise_mi(X, k=k)
    p = X.shape[1]
    for i in range(p):
        assert math.isnan(M[i, i])
        for j in range(i + 1, p):
            want = fastmi.ksg_mi(X[:, i], X[:, j], k=k)
            assert M[i, j] == want and M[j, i] == want, (i, j)  # bit for bit


def test_ksg_large_n_uses_radix_sort_and_strips(rng):
    # n >= 4096: the radix sort path and the strips of ksg_mi's 1-D kernel
    X = _data(rng, n=9000, p=3)[:, :3]
    M = fastmi.pairwise_mi(X, base=math.e)
    for i, j in ((0, 1), (0, 2), (1, 2)):
        assert M[i, j] == fastmi.ksg_mi(X[:, i], X[:, j], base=math.e)
    assert M[0, 1] > 0.3  # I = log(2)/2 nats for X1 = X0 + noise of the same variance


def test_constant_column_is_zero(rng):
    X = rng.standard_normal((400, 3))
    X[:, 1] = 2.5
    M = fastmi.pairwise_mi(X)
    assert M[0, 1] == 0.0 and M[1, 2] == 0.0 and M[1, 0] == 0.0
    assert M[0, 2] == fastmi.ksg_mi(X[:, 0], X[:, 2])


@pytest.mark.parametrize("bins", [2, 10, np.linspace(-2, 2, 7)])
def test_binned_entries_equal_discrete_mi(bins, rng):
    X = _data(rng, n=800, p=5)
    M = fastmi.pairwise_mi(X, method="binned", bins=bins, base=math.e)
    for i in range(X.shape[1]):
        for j in range(i, X.shape[1]):
            want = fastmi.discrete_mi(X[:, i], X[:, j], bins=bins, base=math.e)
            assert M[i, j] == want and M[j, i] == want, (i, j)


def test_binned_diagonal_is_entropy_of_binned_column(rng):
    x = rng.integers(0, 4, 1000).astype(float)
    M = fastmi.pairwise_mi(np.column_stack([x, rng.standard_normal(1000)]), method="binned", bins=4)
    p = np.bincount(x.astype(int)) / 1000
    assert M[0, 0] == pytest.approx(-(p * np.log2(p)).sum(), rel=1e-12)


def test_n_jobs_bit_identical(rng):
    X = _data(rng, n=5000, p=5)
    X[:, 3] += 1e-6 * rng.standard_normal(X.shape[0])
    ref = fastmi.pairwise_mi(X, n_jobs=1)
    for n_jobs in (2, 3, 7):
        assert np.array_equal(fastmi.pairwise_mi(X, n_jobs=n_jobs), ref, equal_nan=True)
    refb = fastmi.pairwise_mi(X, method="binned", n_jobs=1)
    assert np.array_equal(fastmi.pairwise_mi(X, method="binned", n_jobs=3), refb)


def test_binned_pairs_on_threads_do_not_crash():
    # with enough work for two threads, each pair's joint table (one thread per
    # pair) took its private table by the outer team's thread number, from a list
    # sized for one thread: a segfault (in a child process here, so that the old
    # code fails the test instead of ending the run)
    import subprocess
    import sys

    code = (
        "import numpy as np, fastmi\n"
        "X = np.random.default_rng(0).standard_normal((3000, 12))\n"
        "ref = fastmi.pairwise_mi(X, method='binned', n_jobs=1)\n"
        "for n_jobs in (2, 3, -1):\n"
        "    assert np.array_equal(fastmi.pairwise_mi(X, method='binned', n_jobs=n_jobs), ref)\n"
        "Y = np.random.default_rng(1).standard_normal((70000, 2))\n"
        "assert np.array_equal(fastmi.pairwise_mi(Y, method='binned', n_jobs=2), "
        "fastmi.pairwise_mi(Y, method='binned', n_jobs=1))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])


def test_one_column_and_pandas(rng):
    pd = pytest.importorskip("pandas")
    X = rng.standard_normal((200, 1))
    assert np.isnan(fastmi.pairwise_mi(X)).all() and fastmi.pairwise_mi(X).shape == (1, 1)
    df = pd.DataFrame(rng.standard_normal((300, 3)), columns=list("abc"))
    assert np.array_equal(fastmi.pairwise_mi(df), fastmi.pairwise_mi(df.to_numpy()), equal_nan=True)


def test_ties_warn(rng):
    X = np.repeat(rng.standard_normal((50, 2)), 5, axis=0)
    with pytest.warns(fastmi.TiedSamplesWarning, match="1 of 1 pairs"):
        fastmi.pairwise_mi(X, tie_breaking="off")
    with pytest.warns(fastmi.TiedSamplesWarning, match=r"repeated values in X\[:, 0\] .*X\[:, 1\]"):
        fastmi.pairwise_mi(X)


@pytest.mark.parametrize("tie_breaking", ["auto", "noise"])
def test_equal_tied_columns(tie_breaking, rng):
    # equal tied columns got equal noise, so their entry was that of two equal
    # continuous variables: 9.6 bits for a 4-valued column (entropy 2 bits);
    # each entry is still ksg_mi's, whose y then takes other noise
    c = rng.integers(0, 4, 2000).astype(np.float64)
    X = np.column_stack([c, rng.standard_normal(2000), c, 2.0 * c, c, np.round(rng.standard_normal(2000), 1)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastmi.TiedSamplesWarning)
        M = fastmi.pairwise_mi(X, tie_breaking=tie_breaking)
        for i in range(6):
            for j in range(i + 1, 6):
                assert M[i, j] == fastmi.ksg_mi(X[:, i], X[:, j], tie_breaking=tie_breaking), (i, j)
        assert abs(fastmi.ksg_mi(c, c) - fastmi.discrete_mi(c, c, bins=4)) < 0.05
    for i, j in ((0, 2), (0, 4), (2, 4)):
        assert abs(M[i, j] - 2.0) < 0.05, (i, j, M[i, j])


@pytest.mark.parametrize(
    "X, kwargs, exc, match",
    [
        (np.zeros(10), {}, ValueError, "2-D"),
        (np.zeros((10, 2, 2)), {}, ValueError, "2-D"),
        (np.array([[0.0, np.nan]] * 10), {}, ValueError, "NaN"),
        (np.ones((5, 2)), {"k": 5}, ValueError, "smaller than the number of samples"),
        (np.ones((5, 2)), {"k": 1.5}, TypeError, "integer"),
        (np.ones((5, 2)), {"method": "kde"}, ValueError, "method"),
        (np.ones((5, 2)), {"base": 1}, ValueError, "base"),
        (np.ones((5, 2)), {"method": "binned", "bins": 0}, ValueError, "positive"),
        (np.array([["a", "b"]] * 5), {}, TypeError, "real numbers"),
    ],
)
def test_errors(X, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fastmi.pairwise_mi(X, **kwargs)


def test_overflowing_radius_refused_like_ksg_mi(rng):
    X = rng.standard_normal((50, 3))
    X[:25, 2] = 1e308
    X[25:, 2] = -1e308
    X[:25, 0] = 1e308  # pair (0, 2): every k-th-neighbour distance exceeds 1.8e308
    X[25:, 0] = -1e308
    with pytest.raises(ValueError, match="overflows float64") as want:
        fastmi.ksg_mi(X[:, 0], X[:, 2], k=30)
    with pytest.raises(ValueError) as got:
        fastmi.pairwise_mi(X, k=30)
    assert str(got.value) == str(want.value)  # ksg_mi's error, word for word
