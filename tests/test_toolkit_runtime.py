"""The information toolkit's native kernels at run time: the GIL is released
while they run, and calls from several Python threads at once give the
serial results bit for bit.
"""
from __future__ import annotations

import threading

import numpy as np
import pytest

import fastmi
from gil_meter import assert_gil_released

# --------------------------------------------------------------------------- the GIL


def _chain(seed, n):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    x = z + rng.standard_normal(n)
    return x, 0.5 * x + z + rng.standard_normal(n), z


def test_gil_released_entropy():
    x = np.random.default_rng(0).standard_normal((300_000, 3))

    def work():
        for _ in range(2):
            fastmi.entropy(x, n_jobs=1)
            fastmi.entropy(x[:, 0], n_jobs=1)

    assert_gil_released(work)


def test_gil_released_conditional_mi():
    x, y, z = _chain(1, 200_000)
    assert_gil_released(lambda: fastmi.conditional_mi(x, y, z, k=5, n_jobs=1))


def test_gil_released_ksg2():
    x, y, _ = _chain(2, 200_000)
    assert_gil_released(lambda: fastmi.ksg_mi(x, y, algorithm=2, n_jobs=1))


# --------------------------------------------------------------------------- threads


def test_threads_calling_at_once_equal_serial():
    data = [_chain(s, 20_000) for s in range(3)]
    calls = [
        lambda d: fastmi.entropy(np.column_stack(d[:2])),
        lambda d: fastmi.entropy(d[0]),
        lambda d: fastmi.conditional_mi(*d, k=4),
        lambda d: fastmi.conditional_mi(d[0], np.column_stack(d[1:]), d[2], k=3),
        lambda d: fastmi.ksg_mi(d[0], d[1], algorithm=2),
        lambda d: fastmi.conditional_mi(*d, method="binned", bins=7),
    ]
    serial = [[call(d) for d in data] for call in calls]
    results = {}

    def run(t):
        results[t] = [[call(d) for d in data] for call in calls]

    threads = [threading.Thread(target=run, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for t in range(4):
        assert results[t] == serial
