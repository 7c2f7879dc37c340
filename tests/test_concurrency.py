"""Concurrency and determinism.

- Eight Python threads calling every estimator at once get, each, exactly the
  result of a serial call on their own data.
- The native kernels release the GIL: while a long call runs in one thread,
  pure-Python work in another keeps running (measured, not assumed).
- Results are bit-identical for every n_jobs and across repeated calls.
"""
from __future__ import annotations

import re
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import fastmi
from gil_meter import MIN_ELAPSED_S, assert_gil_released, covered_fraction

N_THREADS = 8


def _optional(name):
    return getattr(fastmi, name, None)


def _make_cases():
    """name -> (call(data, **kw), make(seed) -> data). Calls never warn."""
    cases = {
        "discrete_mi": (
            lambda d, **kw: fastmi.discrete_mi(d[0], d[1], bins=16, **kw),
            lambda s: _pair(s, 150_000),
        ),
        "discrete_mi-edges": (
            lambda d, **kw: fastmi.discrete_mi(d[0], d[1], bins=[np.linspace(-3, 3, 13), 9], **kw),
            lambda s: _pair(s, 150_000),
        ),
        "histogram2d": (
            lambda d, **kw: fastmi.histogram2d(d[0], d[1], bins=[40, 30], **kw),
            lambda s: _pair(s, 150_000),
        ),
        "ksg_mi-1d": (
            lambda d, **kw: fastmi.ksg_mi(d[0], d[1], k=3, **kw),
            lambda s: _pair(s, 30_000),
        ),
        "ksg_mi-2d": (
            lambda d, **kw: fastmi.ksg_mi(d[0], d[1], k=4, **kw),
            lambda s: _pair(s, 8_000, dx=2, dy=2),
        ),
        "ksg_mi-legacy": (
            lambda d, **kw: fastmi.ksg_mi(d[0], d[1], k=2, legacy=True, **kw),
            lambda s: _pair(s, 8_000, dx=1, dy=3),
        ),
    }
    if _optional("mutual_info_regression"):
        cases["mutual_info_regression"] = (
            lambda d, **kw: fastmi.mutual_info_regression(d[0], d[1], random_state=7, **kw),
            lambda s: _pair(s, 4_000, dx=4),
        )
    if _optional("mutual_info_classif"):
        cases["mutual_info_classif"] = (
            lambda d, **kw: fastmi.mutual_info_classif(d[0], np.floor(d[1]).clip(-2, 2), random_state=7, **kw),
            lambda s: _pair(s, 4_000, dx=4),
        )
    if _optional("mutual_info_score"):
        cases["mutual_info_score"] = (
            lambda d, **kw: fastmi.mutual_info_score(np.floor(d[0] * 3), np.floor(d[1] * 2)),
            lambda s: _pair(s, 50_000),
        )
    return cases


def _pair(seed, n, dx=1, dy=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dx))
    y = 0.6 * x[:, :1].repeat(dy, axis=1) + 0.8 * rng.standard_normal((n, dy))
    return (x[:, 0] if dx == 1 else x), (y[:, 0] if dy == 1 else y)


CASES = _make_cases()


def assert_identical(got, want):
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype and np.array_equal(got, want)
    else:
        assert got == want, (got, want)


@pytest.mark.parametrize("n_jobs", [None, 1, 2])
@pytest.mark.parametrize("case", list(CASES))
def test_eight_threads_equal_serial(case, n_jobs):
    call, make = CASES[case]
    kw = {} if case == "mutual_info_score" else {"n_jobs": n_jobs}
    data = [make(seed) for seed in range(N_THREADS)]
    serial = [call(d, **kw) for d in data]
    start = threading.Barrier(N_THREADS)

    def work(i):
        start.wait()  # all eight enter the native code together
        return [call(data[i], **kw) for _ in range(2)]

    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        results = list(pool.map(work, range(N_THREADS)))
    for i, rs in enumerate(results):
        for r in rs:
            assert_identical(r, serial[i])


def test_threads_mixing_estimators():
    # Every thread runs every estimator, in a different order per thread.
    names = list(CASES)
    data = {name: CASES[name][1](11) for name in names}
    serial = {name: CASES[name][0](data[name]) for name in names}

    def work(i):
        order = names[i % len(names):] + names[: i % len(names)]
        return {name: CASES[name][0](data[name]) for name in order}

    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        for got in pool.map(work, range(N_THREADS)):
            for name in names:
                assert_identical(got[name], serial[name])


# --------------------------------------------------------------------------
# the GIL is released
# --------------------------------------------------------------------------

def test_gil_meter_detects_a_gil_holder():
    # Control: C code that keeps the GIL (regex backtracking) leaves the loop no slice.
    frac, elapsed = covered_fraction(lambda: re.match(r"(a+)+b", "a" * 26))
    assert elapsed >= MIN_ELAPSED_S and frac < 0.2, (frac, elapsed)


def test_gil_released_ksg():
    x, y = _pair(1, 1_000_000)
    assert_gil_released(lambda: fastmi.ksg_mi(x, y, n_jobs=1))


def test_gil_released_ksg_multidim():
    x, y = _pair(2, 60_000, dx=2, dy=2)
    assert_gil_released(lambda: fastmi.ksg_mi(x, y, n_jobs=1))


def test_gil_released_binned():
    x, y = _pair(3, 10_000_000)

    def work():
        for _ in range(8):
            fastmi.discrete_mi(x, y, bins=64, n_jobs=1)
            fastmi.histogram2d(x, y, bins=64, n_jobs=1)

    assert_gil_released(work)


def test_gil_released_sklearn_dropin():
    if not _optional("mutual_info_regression"):
        pytest.skip("fastmi.mutual_info_regression does not exist yet")
    x, y = _pair(4, 100_000, dx=24)  # long enough (> 0.2 s on one thread) to measure
    assert_gil_released(lambda: fastmi.mutual_info_regression(x, y, random_state=0, n_jobs=1))


# --------------------------------------------------------------------------
# determinism: n_jobs and repeated calls
# --------------------------------------------------------------------------

DET_CASES = {
    "discrete_mi": lambda d, j: fastmi.discrete_mi(d[0], d[1], bins=20, n_jobs=j),
    "discrete_mi-shared-table": lambda d, j: fastmi.discrete_mi(d[0], d[1], bins=[3000, 3000], n_jobs=j),
    "discrete_mi-edges": lambda d, j: fastmi.discrete_mi(d[0], d[1], bins=np.linspace(-2, 2, 30), n_jobs=j),
    "histogram2d": lambda d, j: fastmi.histogram2d(d[0], d[1], bins=[25, 40], n_jobs=j),
    "ksg_mi-1d": lambda d, j: fastmi.ksg_mi(d[0], d[1], n_jobs=j),
    "ksg_mi-1d-legacy": lambda d, j: fastmi.ksg_mi(d[0], d[1], k=5, legacy=True, n_jobs=j),
    "ksg_mi-2x2": lambda d, j: fastmi.ksg_mi(np.column_stack([d[0], d[1] ** 2]), np.column_stack([d[1], d[0] * d[1]]), k=4, n_jobs=j),
    "ksg_mi-2x2-legacy": lambda d, j: fastmi.ksg_mi(np.column_stack([d[0], d[1] ** 2]), d[1], legacy=True, n_jobs=j),
}
if _optional("mutual_info_regression"):
    DET_CASES["mutual_info_regression"] = lambda d, j: fastmi.mutual_info_regression(
        np.column_stack([d[0], d[1] ** 2, d[0] * d[1]]), d[1], random_state=3, n_jobs=j
    )
if _optional("mutual_info_classif"):
    DET_CASES["mutual_info_classif"] = lambda d, j: fastmi.mutual_info_classif(
        np.column_stack([d[0], d[1] ** 2]), np.floor(d[1]).clip(-2, 2), random_state=3, n_jobs=j
    )


@pytest.mark.parametrize("case", list(DET_CASES))
def test_bit_identical_across_n_jobs_and_calls(case):
    call = DET_CASES[case]
    n = 300_000 if case.startswith(("discrete", "histogram", "ksg_mi-1d")) else 40_000
    data = _pair(5, n)
    want = call(data, 1)
    for n_jobs in (1, 2, -1, None, 3, 8):
        for _ in range(2):
            assert_identical(call(data, n_jobs), want)


@pytest.mark.parametrize("legacy", [False, True])
def test_bit_identical_with_ties(legacy):
    # Heavily tied data takes the zero-radius paths; still deterministic.
    rng = np.random.default_rng(9)
    x = rng.integers(0, 40, 200_000).astype(float)
    y = (x + rng.integers(0, 5, 200_000)).astype(float)
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastmi.TiedSamplesWarning)
        for n_jobs in (1, 2, -1, 1, 2):
            results.append(fastmi.ksg_mi(x, y, k=3, legacy=legacy, n_jobs=n_jobs))
    assert len(set(results)) == 1, results
