"""Races with the caller and fork: faults no input check can catch.

- Input changed while a call runs: the native kernels run without the GIL, so
  another thread can write into ``x`` or ``y`` meanwhile (NaN, infinity, huge
  values, sign flips, values beyond the range found by an earlier pass). The
  result may then be any number, or a ValueError, but never a crash, a hang
  or memory corruption: every index computed from the data is checked where
  it is used. Each scenario runs in a child process, so an abort fails the
  test instead of killing the test runner.
- fork after threads: OpenMP's thread pool does not survive fork(); a forked
  child runs fastmi on one thread and gets the parent's result, bit for bit,
  instead of hanging in the OpenMP runtime.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX threads and fork")

# --------------------------------------------------------------------------- input mutated during a call

MUTATION_CHILD = textwrap.dedent(
    """
    import sys, threading, time
    import numpy as np
    import fastmi
    from fastmi import _native

    scenario, seconds = sys.argv[1], float(sys.argv[2])
    sys.setswitchinterval(1e-5)
    rng = np.random.default_rng(0)

    def pair(n, dx=1, dy=1):
        x = rng.standard_normal((n, dx) if dx > 1 else n)
        y = rng.standard_normal((n, dy) if dy > 1 else n)
        return x, y

    arrays = None  # the inputs the other thread rewrites: (x, y) unless a scenario names them
    if scenario == "discrete_mi":
        x, y = pair(1_000_000)
        call = lambda: fastmi.discrete_mi(x, y, bins=10)
    elif scenario == "discrete_mi-fine":
        x, y = pair(1_000_000)
        call = lambda: fastmi.discrete_mi(x, y, bins=[3000, 7])
    elif scenario == "discrete_mi-edges":
        x, y = pair(1_000_000)
        call = lambda: fastmi.discrete_mi(x, y, bins=[np.linspace(-3, 3, 13), 9])
    elif scenario == "histogram2d":
        x, y = pair(1_000_000)
        call = lambda: fastmi.histogram2d(x, y, bins=[40, 30])
    elif scenario == "ksg-1d":
        x, y = pair(100_000)
        call = lambda: fastmi.ksg_mi(x, y, k=3)
    elif scenario == "ksg-1d-k40":
        x, y = pair(50_000)
        call = lambda: fastmi.ksg_mi(x, y, k=40)
    elif scenario == "ksg-1d-tree":
        # x nearly constant at the scale of the neighbour distances: the
        # strips give way to the KD-tree
        x, y = pair(50_000)
        x = np.round(x, 1)
        call = lambda: fastmi.ksg_mi(x, y, k=3)
    elif scenario == "ksg-1d-legacy":
        x, y = pair(50_000)
        call = lambda: fastmi.ksg_mi(x, y, k=3, legacy=True)
    elif scenario == "ksg-2d":
        x, y = pair(30_000, dx=2)
        call = lambda: fastmi.ksg_mi(x, y, k=3)
    elif scenario == "ksg-2d-legacy":
        x, y = pair(30_000, dx=2, dy=2)
        call = lambda: fastmi.ksg_mi(x, y, k=3, legacy=True)
    elif scenario == "neighbor_counts":
        x, y = pair(100_000)
        x = x.reshape(-1, 1)
        radius = np.abs(y)
        y = radius  # mutated too
        call = lambda: _native.neighbor_counts(x, radius, _native.Metric.max_norm, _native.Bound.strict, 2, False)
    elif scenario == "mutual_info_regression":
        x, y = pair(40_000, dx=3)
        x[:, 2] = np.round(x[:, 2])
        call = lambda: fastmi.mutual_info_regression(
            x, y, discrete_features=[2], copy=False, random_state=0)
    elif scenario == "mutual_info_classif":
        x, y = pair(40_000, dx=3)
        x[:, 2] = np.round(x[:, 2])
        y = np.round(y)
        call = lambda: fastmi.mutual_info_classif(
            x, y, discrete_features=[2], copy=False, random_state=0)
    elif scenario == "entropy-1d":
        x, y, z = rng.standard_normal((3, 60_000))
        arrays = [x]
        call = lambda: fastmi.entropy(x, k=4)
    elif scenario == "entropy-2d":
        x, y, z = rng.standard_normal((3, 60_000))
        x = rng.standard_normal((60_000, 2))
        arrays = [x]
        call = lambda: fastmi.entropy(x)
    elif scenario == "entropy-3d":
        x, y, z = rng.standard_normal((3, 60_000))
        x = rng.standard_normal((30_000, 3))
        arrays = [x]
        call = lambda: fastmi.entropy(x)
    elif scenario == "entropy-binned":
        x, y, z = rng.standard_normal((3, 60_000))
        x = rng.standard_normal((200_000, 2))
        arrays = [x]
        call = lambda: fastmi.entropy(x, method="binned", bins=[7, np.linspace(-2, 2, 9)])
    elif scenario == "cmi-1d":
        x, y, z = rng.standard_normal((3, 60_000))
        arrays = [x, y, z]
        call = lambda: fastmi.conditional_mi(x, y, z, k=5)
    elif scenario == "mi_test-z":
        x, y, z = rng.standard_normal((3, 20_000))
        arrays = [x, y, z]
        call = lambda: fastmi.mi_test(x, y, z, k=5, n_permutations=3, random_state=0)
    elif scenario == "cmi-2d":
        x, y, z = rng.standard_normal((3, 60_000))
        x = rng.standard_normal((20_000, 2))
        y, z = y[:20_000].copy(), z[:20_000].copy()
        arrays = [x, y, z]
        call = lambda: fastmi.conditional_mi(x, y, z)
    elif scenario == "cmi-binned":
        x, y, z = rng.standard_normal((3, 60_000))
        arrays = [x, y, z]
        call = lambda: fastmi.conditional_mi(x, y, z, method="binned", bins=6)
    elif scenario == "ksg2":
        x, y, z = rng.standard_normal((3, 60_000))
        x = rng.standard_normal((20_000, 2))
        y = y[:20_000].copy()
        arrays = [x, y]
        call = lambda: fastmi.ksg_mi(x, y, algorithm=2)
    else:
        raise SystemExit("unknown scenario " + scenario)

    if arrays is None:
        arrays = [x, y]
    targets = [a for a in arrays if a.dtype == np.float64]
    originals = [a.copy() for a in targets]
    stop = threading.Event()

    def mutate():
        # Bad values written over a random slice, left there for a moment,
        # then the slice restored (so that most calls pass the input checks
        # and meet the bad values only in native code); now and then values
        # that grow without bound, or a sign flip of everything.
        r = np.random.default_rng(1)
        bad = [np.nan, np.inf, -np.inf, 1e308, -1e308, 0.0, -0.0, 5e-324]
        grow = 1.0
        while not stop.is_set():
            a, o = (targets[0], originals[0]) if r.random() < 0.6 else (targets[-1], originals[-1])
            flat, oflat = a.reshape(-1), o.reshape(-1)
            lo = int(r.integers(0, flat.size))
            hi = min(flat.size, lo + int(r.integers(1, 4096)))
            what = r.integers(0, 4)
            if what == 0:
                flat[lo:hi] = bad[int(r.integers(0, len(bad)))]
            elif what == 1:
                grow = grow * 4.0 if grow < 1e300 else 1.0
                flat[lo:hi] = grow * np.sign(oflat[lo:hi])
            elif what == 2:
                np.negative(flat, out=flat)
                time.sleep(0)
                np.negative(flat, out=flat)
            else:
                flat[lo:hi] = r.standard_normal(hi - lo) * 10.0 ** float(r.integers(-300, 300))
            time.sleep(0)
            flat[lo:hi] = oflat[lo:hi]

    t = threading.Thread(target=mutate, daemon=True)
    t.start()
    calls = errors = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or calls < 3:
        try:
            call()
        except ValueError:
            errors += 1  # the input checks saw a bad value: acceptable
        calls += 1
    stop.set()
    t.join()
    print("ok", calls, errors, flush=True)
    """
)

MUTATION_SCENARIOS = [
    "discrete_mi",
    "discrete_mi-fine",
    "discrete_mi-edges",
    "histogram2d",
    "ksg-1d",
    "ksg-1d-k40",
    "ksg-1d-tree",
    "ksg-1d-legacy",
    "ksg-2d",
    "ksg-2d-legacy",
    "neighbor_counts",
    "mutual_info_regression",
    "mutual_info_classif",
    # the information toolkit
    "entropy-1d",
    "entropy-2d",
    "entropy-3d",
    "entropy-binned",
    "cmi-1d",
    "mi_test-z",
    "cmi-2d",
    "cmi-binned",
    "ksg2",
]

MUTATION_SECONDS = 1.5  # of calls under mutation, per scenario (and at least 3 calls)
CHILD_TIMEOUT_S = 120  # far above the time any scenario needs: only a hang reaches it


def _run_child(code: str, *args: str, timeout: float = CHILD_TIMEOUT_S) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONFAULTHANDLER="1")
    try:
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"child hung (no exit in {timeout} s); stderr: {(exc.stderr or b'')[-3000:]!r}")


@pytest.mark.parametrize("scenario", MUTATION_SCENARIOS)
def test_input_mutated_during_call_is_memory_safe(scenario):
    proc = _run_child(MUTATION_CHILD, scenario, str(MUTATION_SECONDS))
    assert proc.returncode == 0, f"child exited {proc.returncode}; stderr:\n{proc.stderr[-4000:]}"
    words = proc.stdout.split()
    assert words[:1] == ["ok"], proc.stdout
    calls, errors = int(words[1]), int(words[2])
    # the race was exercised: native code ran on mutated input
    assert calls >= 3 and errors < calls, proc.stdout


# --------------------------------------------------------------------------- fork after threads

FORK_CHILD = textwrap.dedent(
    """
    import multiprocessing, sys
    import numpy as np
    import fastmi

    rng = np.random.default_rng(0)
    x = rng.standard_normal(100_000)
    y = x + rng.standard_normal(100_000)
    # enough values (n * 5 continuous features >= 2**20) that the drop-ins
    # also scale the columns on Python threads when n_jobs > 1
    X = rng.standard_normal((220_000, 6))
    X[:, 5] = np.round(X[:, 5])
    t = X[:, 0] + rng.standard_normal(220_000)
    labels = (t > 0).astype(int) + (t > 1)
    a = rng.integers(0, 50, 1_000_000)
    b = (a + rng.integers(0, 3, 1_000_000)) % 50

    def results(n_jobs):
        return [
            fastmi.ksg_mi(x, y, n_jobs=n_jobs),
            fastmi.ksg_mi(X[:20_000, :2], t[:20_000], n_jobs=n_jobs),
            fastmi.discrete_mi(x, y, bins=16, n_jobs=n_jobs),
            fastmi.histogram2d(x, y, bins=[9, 7], n_jobs=n_jobs).tolist(),
            fastmi.mutual_info_regression(X, t, discrete_features=[5], random_state=0, n_jobs=n_jobs).tolist(),
            fastmi.mutual_info_classif(X, labels, discrete_features=[5], random_state=0, n_jobs=n_jobs).tolist(),
            fastmi.mutual_info_score(a, b),
        ]

    # The parent runs on OpenMP threads first (n_jobs=4 even on one core),
    # leaving the runtime's thread pool behind for fork to copy.
    want = results(4)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        jobs = [pool.apply_async(results, (n_jobs,)) for n_jobs in (None, 4, -1)]
        got = [job.get(timeout=float(sys.argv[1])) for job in jobs]
    for n_jobs, g in zip((None, 4, -1), got):
        if g != want:
            sys.exit(f"forked child with n_jobs={n_jobs}: {g!r} != parent's {want!r}")
    print("ok", flush=True)
    """
)

FORK_CHILD_TIMEOUT_S = 90  # a healthy run takes a few seconds; a deadlock waits forever


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_pool_after_threads_gets_parents_results():
    proc = _run_child(FORK_CHILD, str(FORK_CHILD_TIMEOUT_S), timeout=FORK_CHILD_TIMEOUT_S + 60)
    assert proc.returncode == 0, f"child exited {proc.returncode}; stderr:\n{proc.stderr[-4000:]}"
    assert proc.stdout.split() == ["ok"], proc.stdout
