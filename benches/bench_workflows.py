"""Benchmarks of the workflows (issue 14 targets): pairwise matrices, permutation tests, mRMR.

Groups (ratio table at the end, MEDIAN times; see conftest.py):

``pairwise-1e4x20``
    ``fastmi.pairwise_mi(X, k=3)`` on 1e4 samples of 20 variables vs ennemi's
    ``pairwise_mi(X, k=3, normalize=False)`` (target: fastmi >= 60x faster; ennemi is
    installed for benchmarks only, the case is skipped without it) and a plain Python loop
    of ``fastmi.ksg_mi`` over the 190 pairs. Values: ennemi's entries (nats) to 1e-3 nats
    on standardised columns (ennemi standardises them itself; its counts use eps - 1e-12);
    the loop's bit for bit.
``mi-test-5000-k10``
    ``fastmi.mi_test(x, y, z, k=10, n_permutations=100, shuffle_neighbors=5)`` vs the same
    scheme written with scipy: the z-neighbour lists from one ``cKDTree`` query, the local
    permutations drawn in a Python loop (Runge 2018), and per permutation the
    Frenzel-Pompe estimate (one ``cKDTree`` k-NN query in the joint space, three
    ``query_ball_point(..., return_length=True)`` counts, ``workers=-1``), as tigramite's
    ``CMIknn(knn=10, shuffle_neighbors=5, sig_samples=100)`` does (target: fastmi >= 100x
    faster). Values: the statistic to 1e-9 bits, and the baseline's estimator on fastmi's
    own permutations equals fastmi's null distribution to 1e-9 bits (checked untimed).
    Also against tigramite's ``CMIknn(knn=10, transform="standardize",
    significance="shuffle_test", sig_samples=100, shuffle_neighbors=5)`` itself when it
    is installed in the bench venv (GPL: benchmarks only, never a dependency; its numba
    compilation is done before the timing); its statistic equals fastmi's
    ``conditional_mi`` on standardised columns to 1e-4 nats.
``mi-test-5000-k10-z2``
    The same test with two-dimensional z (x and y each the sum of z's columns plus noise),
    against the same cKDTree scheme: no target, the ratio is reported (the joint search
    runs on the four-dimensional grid of quantile slabs). Values as above.
``mrmr-2e4x30-select6``
    ``fastmi.MRMRSelector(6, criterion="mid")`` on 2e4 samples of 30 features (binary
    target) vs the same greedy MID written with scikit-learn's ``mutual_info_classif``
    (relevance) and ``mutual_info_regression`` (redundancy against each newly selected
    feature), ``n_jobs=-1`` (target: fastmi >= 80x faster), and the same loop with
    fastmi's drop-ins. Values: the same six features (relevant ones, never both copies of
    the first) and the same first pick; each loop draws its own tie-breaking noise per call,
    so near-equal scores may come in another order.

Timing targets are reported, never asserted (the machine is shared and noisy). The data
and the baselines live in ``fastmi.bench.data`` and ``fastmi.bench.baselines``, shared with
``fastmi bench --cases workflows``. Under
``--benchmark-disable`` (the CI smoke run) every case runs once at the small size noted
next to its constants.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pytest

import fastmi
from fastmi.bench import baselines, data
from fastmi.bench.baselines import ckdtree_cmi_bits, ckdtree_mi_test, greedy_mid
from fastmi.bench.baselines import ksg_loop as _ksg_loop
from fastmi.significance import _permutation, _seeds

# --------------------------------------------------------------------------- pairwise

N_PAIR, P_PAIR, K_PAIR = 10_000, 20, 3  # smoke run: 1000 x 6


@functools.lru_cache(maxsize=None)
def pairwise_data(n: int = N_PAIR, p: int = P_PAIR):
    return data.pairwise_data(n, p)


def _pairwise_X(sized):
    return pairwise_data(sized(N_PAIR, 1000), sized(P_PAIR, 6))


@pytest.mark.benchmark(group="pairwise-1e4x20")
def test_pairwise_fastmi(benchmark, sized):
    X = _pairwise_X(sized)
    benchmark.extra_info.update(label="fastmi.pairwise_mi", subject=True)
    M = benchmark.pedantic(fastmi.pairwise_mi, args=(X,), kwargs={"k": K_PAIR}, rounds=5)
    assert np.array_equal(M, _ksg_loop(X, K_PAIR), equal_nan=True)


@pytest.mark.benchmark(group="pairwise-1e4x20")
def test_pairwise_ksg_loop(benchmark, sized):
    X = _pairwise_X(sized)
    benchmark.extra_info.update(label="Python loop of fastmi.ksg_mi (190 pairs)")
    M = benchmark.pedantic(_ksg_loop, args=(X, K_PAIR), rounds=3)
    assert M[0, 1] > 0.3


@pytest.mark.benchmark(group="pairwise-1e4x20")
def test_pairwise_ennemi(benchmark, sized):
    ennemi = pytest.importorskip("ennemi")
    X = _pairwise_X(sized)
    benchmark.extra_info.update(
        label="ennemi.pairwise_mi(k=3, normalize=False)", max_ratio=1 / 60, target="fastmi >= 60x faster"
    )
    M = benchmark.pedantic(ennemi.pairwise_mi, args=(X,), kwargs={"k": K_PAIR, "normalize": False}, rounds=1)
    off = ~np.eye(X.shape[1], dtype=bool)
    # ennemi standardises each column first (max-norm KSG is not scale invariant)
    ours = fastmi.pairwise_mi((X - X.mean(axis=0)) / X.std(axis=0), k=K_PAIR, base=math.e)
    assert np.abs(np.maximum(np.asarray(M)[off], 0.0) - ours[off]).max() < 1e-3  # ennemi does not clip


# --------------------------------------------------------------------------- mi_test

N_TEST, K_TEST, B_TEST, S_TEST = 5000, 10, 100, 5  # smoke run: 500 samples, 10 permutations


@functools.lru_cache(maxsize=None)
def chain_data(n: int = N_TEST):
    """x and y both driven by z, independent given z."""
    return data.conditional_chain(n)


def _time_mi_test(benchmark, x, y, z, B, label):
    """fastmi.mi_test timed; its statistic and three of its null values checked against the
    scipy estimator (the null values on fastmi's own permutations)."""
    benchmark.extra_info.update(label=label, subject=True)
    r = benchmark.pedantic(
        fastmi.mi_test,
        args=(x, y, z),
        kwargs={"k": K_TEST, "n_permutations": B, "shuffle_neighbors": S_TEST, "random_state": 0},
        rounds=3,
    )
    assert r.statistic == pytest.approx(ckdtree_cmi_bits(x, y, z, K_TEST), abs=1e-9)
    neighbors = fastmi._native.nearest_in_z(z.reshape(len(z), -1), S_TEST, 0, False)
    seeds = _seeds(0, B)
    for b in (0, 1, B - 1):
        yb = y[_permutation(seeds[b], len(y), neighbors)]
        assert r.null_distribution[b] == pytest.approx(ckdtree_cmi_bits(x, yb, z, K_TEST), abs=1e-9)


def _time_ckdtree_test(benchmark, x, y, z, B, **info):
    """The cKDTree scheme timed once; its statistic equals fastmi's and its null
    distribution (other permutations) has the same mean within 4 standard errors."""
    benchmark.extra_info.update(**info)
    stat, pvalue, null = benchmark.pedantic(ckdtree_mi_test, args=(x, y, z, K_TEST, B, S_TEST, 0), rounds=1)
    fast = fastmi.mi_test(x, y, z, k=K_TEST, n_permutations=B, shuffle_neighbors=S_TEST, random_state=0)
    assert stat == pytest.approx(fast.statistic, abs=1e-9)
    se = math.sqrt((null.var() + fast.null_distribution.var()) / B)
    assert abs(null.mean() - fast.null_distribution.mean()) < 4 * se


@pytest.mark.benchmark(group="mi-test-5000-k10")
def test_mi_test_fastmi(benchmark, sized):
    x, y, z = chain_data(sized(N_TEST, 500))
    _time_mi_test(benchmark, x, y, z, sized(B_TEST, 10), "fastmi.mi_test (z, 100 local permutations)")


@pytest.mark.benchmark(group="mi-test-5000-k10")
def test_mi_test_ckdtree(benchmark, sized):
    x, y, z = chain_data(sized(N_TEST, 500))
    _time_ckdtree_test(benchmark, x, y, z, sized(B_TEST, 10), label="cKDTree local-permutation test (scipy)",
                       max_ratio=1 / 100, target="fastmi >= 100x faster")


@pytest.mark.benchmark(group="mi-test-5000-k10")
def test_mi_test_tigramite(benchmark, sized):
    # GPL: measured here only, never imported by fastmi; skipped unless installed in the
    # bench venv (pip install tigramite numba)
    cmiknn = pytest.importorskip("tigramite.independence_tests.cmiknn")
    x, y, z = chain_data(sized(N_TEST, 500))
    B = sized(B_TEST, 10)
    benchmark.extra_info.update(
        label="tigramite CMIknn(knn=10, shuffle_test, 100 samples)", max_ratio=1 / 100,
        target="fastmi >= 100x faster",
    )
    test = cmiknn.CMIknn(knn=K_TEST, transform="standardize", significance="shuffle_test", sig_samples=B,
                         shuffle_neighbors=S_TEST, workers=-1)
    col = lambda a: a.reshape(-1, 1)  # noqa: E731
    test.run_test_raw(col(x[:200]), col(y[:200]), col(z[:200]))  # numba's compilation, untimed
    value, pvalue = benchmark.pedantic(test.run_test_raw, args=(col(x), col(y), col(z)), rounds=1)
    # its statistic: Frenzel-Pompe in nats on standardised columns (plus its 1e-6 tie noise)
    std = lambda a: (a - a.mean()) / a.std()  # noqa: E731
    assert value == pytest.approx(fastmi.conditional_mi(std(x), std(y), std(z), k=K_TEST, base=math.e), abs=1e-4)
    assert 0.0 < pvalue <= 1.0


@functools.lru_cache(maxsize=None)
def chain_z2_data(n: int = N_TEST):
    """x and y both driven by a two-dimensional z, independent given z."""
    return data.conditional_chain_z(n, 2)


@pytest.mark.benchmark(group="mi-test-5000-k10-z2")
def test_mi_test_z2_fastmi(benchmark, sized):
    x, y, z = chain_z2_data(sized(N_TEST, 500))
    _time_mi_test(benchmark, x, y, z, sized(B_TEST, 10), "fastmi.mi_test (2-D z, 100 local permutations)")


@pytest.mark.benchmark(group="mi-test-5000-k10-z2")
def test_mi_test_z2_ckdtree(benchmark, sized):
    x, y, z = chain_z2_data(sized(N_TEST, 500))
    _time_ckdtree_test(benchmark, x, y, z, sized(B_TEST, 10), label="cKDTree local-permutation test, 2-D z (scipy)")


# --------------------------------------------------------------------------- mRMR

N_MRMR, P_MRMR, M_MRMR = 20_000, 30, 6  # smoke run: 2000 x 12, select 4


@functools.lru_cache(maxsize=None)
def mrmr_data(n: int = N_MRMR, p: int = P_MRMR):
    """Seven relevant features of decreasing weight, a near-copy of the first, noise."""
    return data.mrmr_data(n, p)


def _mrmr_case(sized):
    X, y = mrmr_data(sized(N_MRMR, 2000), sized(P_MRMR, 12))
    return X, y, sized(M_MRMR, 4)


def _fit_mrmr(X, y, m):
    return fastmi.MRMRSelector(m, criterion="mid", random_state=0).fit(X, y)


@pytest.mark.benchmark(group="mrmr-2e4x30-select6")
def test_mrmr_fastmi(benchmark, expected_values, sized):
    X, y, m = _mrmr_case(sized)
    benchmark.extra_info.update(label="fastmi.MRMRSelector(6, 'mid')", subject=True)
    sel = benchmark.pedantic(_fit_mrmr, args=(X, y, m), rounds=3)
    picked = set(sel.selected_.tolist())
    assert len(picked & {0, 7}) == 1 and len(picked & {1, 2, 3, 4, 5, 6}) == m - 1  # relevant, no copy
    key = ("mrmr", X.shape[0])
    if key in expected_values:  # the scikit-learn loop's picks (its noise differs: same set, same lead)
        assert picked == set(expected_values[key]) and sel.selected_[0] == expected_values[key][0]


@pytest.mark.benchmark(group="mrmr-2e4x30-select6")
def test_mrmr_fastmi_dropin_loop(benchmark, sized):
    X, y, m = _mrmr_case(sized)
    benchmark.extra_info.update(label="greedy MID loop, fastmi drop-ins")
    sel = benchmark.pedantic(
        greedy_mid,
        args=(X, y, m, fastmi.mutual_info_classif, fastmi.mutual_info_regression),
        kwargs={"random_state": 0},
        rounds=2,
    )
    assert set(sel) == set(_fit_mrmr(X, y, m).selected_.tolist())


@pytest.mark.benchmark(group="mrmr-2e4x30-select6")
def test_mrmr_sklearn(benchmark, expected_values, sized):
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    X, y, m = _mrmr_case(sized)
    benchmark.extra_info.update(
        label="greedy MID loop, scikit-learn (n_jobs=-1)", max_ratio=1 / 80, target="fastmi >= 80x faster"
    )
    baselines.warm_sklearn_pool()  # its worker processes start outside the timing
    sel = benchmark.pedantic(
        greedy_mid,
        args=(X, y, m, mutual_info_classif, mutual_info_regression),
        kwargs={"random_state": 0, "n_jobs": -1},
        rounds=1,
    )
    expected_values[("mrmr", X.shape[0])] = sel
    ours = _fit_mrmr(X, y, m).selected_.tolist()
    assert set(sel) == set(ours) and sel[0] == ours[0]
