"""Does a call release the GIL? Shared by the tests that ask it.

`work` runs in a worker thread while this thread spins a pure-Python loop and
notes in which BUCKET_S-long slice of the call's run time it got to run. A
call that holds the GIL for its native run lets the loop run in almost no
slice (the loop cannot execute a single bytecode until the call returns); one
that releases it lets the loop run in nearly every slice. Slices are long
compared with a scheduler's time slice, so a busy machine (many runnable
processes on few cores) delays the loop without emptying slices, which a
measure of the longest gaps between iterations would mistake for a GIL holder.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable

import pytest

BUCKET_S = 0.1  # length of one slice of the call's run time
MIN_ELAPSED_S = 0.5  # shorter calls have too few slices to judge
MIN_COVERED = 0.7  # fraction of slices in which the loop must have run


def covered_fraction(work: Callable[[], Any]) -> tuple[float, float]:
    """(fraction of BUCKET_S slices of `work`'s run in which this thread ran, run time in s).

    `work` is called again until MIN_ELAPSED_S have passed."""
    done = threading.Event()
    started = threading.Event()
    box: dict[str, float] = {}

    def worker() -> None:
        box["t0"] = time.perf_counter()
        started.set()
        work()
        while time.perf_counter() - box["t0"] < MIN_ELAPSED_S:  # a fast machine: repeat
            work()
        box["t1"] = time.perf_counter()
        done.set()

    th = threading.Thread(target=worker)
    th.start()
    started.wait()
    t0 = box["t0"]
    seen: set[int] = set()
    while not done.is_set():
        seen.add(int((time.perf_counter() - t0) / BUCKET_S))
    th.join()
    elapsed = box["t1"] - t0
    n_buckets = int(elapsed / BUCKET_S)  # whole slices only
    if n_buckets == 0:
        return 1.0, elapsed
    return len([b for b in seen if b < n_buckets]) / n_buckets, elapsed


def assert_gil_released(work: Callable[[], Any], attempts: int = 3) -> None:
    """Fail unless `work` lets another Python thread run through most of its run time."""
    seen = []
    for _ in range(attempts):
        frac, elapsed = covered_fraction(work)
        seen.append((round(frac, 3), round(elapsed, 3)))
        if elapsed >= MIN_ELAPSED_S and frac >= MIN_COVERED:
            return
    pytest.fail(
        f"a Python thread could not run through the call (fraction of {BUCKET_S} s slices "
        f"in which it ran, seconds): {seen}; bound {MIN_COVERED} over >= {MIN_ELAPSED_S} s"
    )
