"""Ctrl-C during a long native computation, for every kind of long call.

A child interpreter runs one scenario of the table below: a call that would
run for tens of seconds (or, for the "long block" scenarios, one indivisible
piece of work that is long: k close to n, a contingency table of tens of
millions of labels). The test sends it SIGINT. The child must raise
KeyboardInterrupt within the scenario's deadline and then compute small
estimates correctly: the interpreter is left usable, the thread pool and the
allocator in a sane state. One child harness serves every estimator and
workflow; a new long call is one more row of the table.
"""
from __future__ import annotations

import selectors
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import fastmi

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX")

SIGNAL_AFTER_S = 1.5  # after the child says it has entered the long call
DEADLINE_S = 8.0  # from the signal to KeyboardInterrupt in the child
LONG_BLOCK_DEADLINE_S = 1.0  # the same where one block of work is long (polled by work done)

# The child runs the scenario's setup (names in scope: np, fastmi, rng, n,
# n_jobs), which must define `run`; it prints "started" just before calling
# run() unless the setup sets `announces = True` and prints it itself.
CHILD = textwrap.dedent(
    """
    import signal, sys, time
    import numpy as np
    import fastmi

    # Ctrl-C semantics even when the test runner was started with SIGINT
    # ignored (nohup, a background job), which children would inherit.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    setup, n, n_jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    scope = {"np": np, "fastmi": fastmi, "rng": np.random.default_rng(0), "n": n, "n_jobs": n_jobs}
    exec(setup, scope)
    run = scope["run"]
    if not scope.get("announces"):
        print("started", flush=True)
    t0 = time.perf_counter()
    try:
        run()
    except KeyboardInterrupt:
        print("interrupted", time.perf_counter() - t0, flush=True)
    else:
        print("finished", time.perf_counter() - t0, flush=True)
        sys.exit(3)
    del scope, run
    small = np.random.default_rng(1).standard_normal((3, 2000))
    print("ksg", repr(fastmi.ksg_mi(small[0], small[0] + small[1], n_jobs=n_jobs)), flush=True)
    print("binned", repr(fastmi.discrete_mi(small[0], small[1], bins=8, n_jobs=n_jobs)), flush=True)
    print("cmi", repr(fastmi.conditional_mi(*small, n_jobs=n_jobs)), flush=True)
    """
)


def _expect_small() -> dict[str, float]:
    small = np.random.default_rng(1).standard_normal((3, 2000))
    return {
        "ksg": fastmi.ksg_mi(small[0], small[0] + small[1]),
        "binned": fastmi.discrete_mi(small[0], small[1], bins=8),
        "cmi": fastmi.conditional_mi(*small),
    }


MUTUAL_INFO_SCORE = """
# labels nearly all distinct: a table of n nonzero cells, sorted and summed
# natively; "started" is printed as the native call begins
x = rng.permutation(n)
y = (x + rng.integers(0, 3, n)) % n
from fastmi.sklearn import estimate
native = estimate._native

class Announce:
    def __getattr__(self, name):
        return getattr(native, name)

    def contingency_mi_codes(self, *args):
        print("started", flush=True)
        return native.contingency_mi_codes(*args)

estimate._native = Announce()
announces = True
run = lambda: fastmi.mutual_info_score(x, y)
"""


def _scenario(id, setup, n, n_jobs, signal_after=SIGNAL_AFTER_S, deadline=DEADLINE_S):
    return pytest.param(textwrap.dedent(setup), n, n_jobs, signal_after, deadline, id=id)


# n chosen so that the uninterrupted call takes well over 10 s here (2 cores):
# e.g. 1-D KSG at 2e7 about 19 s on one core, 2-D (tree) KSG at 1e7 about 27 s,
# mutual_info_regression at 3e6 x 8 about 15 s, KSG with k = n - 2 at
# n = 40,000 about 20 s on one core (time grows as n^2); the native part of
# mutual_info_score on 1.5e7 nearly distinct labels takes about 5 s, so SIGINT
# follows "started" sooner there.
SCENARIOS = [
    # --- MI estimators
    _scenario("ksg-1d-serial", "x = rng.standard_normal(n); y = x + rng.standard_normal(n)\n"
              "run = lambda: fastmi.ksg_mi(x, y, n_jobs=n_jobs)", 20_000_000, 1),
    _scenario("ksg-1d-all-cores", "x = rng.standard_normal(n); y = x + rng.standard_normal(n)\n"
              "run = lambda: fastmi.ksg_mi(x, y, n_jobs=n_jobs)", 20_000_000, -1),
    _scenario("ksg-2d-tree-all-cores", "x = rng.standard_normal((n, 2)); y = x[:, 0] + rng.standard_normal(n)\n"
              "run = lambda: fastmi.ksg_mi(x, y, n_jobs=n_jobs)", 10_000_000, -1),
    _scenario("ksg2", "x = rng.standard_normal((n, 2)); y = x[:, :1] + rng.standard_normal((n, 1))\n"
              "run = lambda: fastmi.ksg_mi(x, y, algorithm=2, n_jobs=n_jobs)", 4_000_000, -1),
    _scenario("mutual_info_regression", "x = rng.standard_normal((n, 8)); y = x[:, 0] + rng.standard_normal(n)\n"
              "run = lambda: fastmi.mutual_info_regression(x, y, random_state=0, n_jobs=n_jobs)", 3_000_000, -1),
    # --- one long indivisible block of work: polled by work done
    _scenario("ksg-k-near-n", "x = rng.standard_normal(n); y = x + rng.standard_normal(n)\n"
              "run = lambda: fastmi.ksg_mi(x, y, k=n - 2, n_jobs=n_jobs)", 40_000, 2,
              deadline=LONG_BLOCK_DEADLINE_S),
    _scenario("mutual_info_score", MUTUAL_INFO_SCORE, 15_000_000, 1, signal_after=0.5,
              deadline=LONG_BLOCK_DEADLINE_S),
    # --- the toolkit
    _scenario("entropy-kl-1d", "x = rng.standard_normal(n)\n"
              "run = lambda: [fastmi.entropy(x, k=50, n_jobs=n_jobs) for _ in range(100)]", 10_000_000, -1),
    _scenario("entropy-kl-3d", "x = rng.standard_normal((n, 3))\n"
              "run = lambda: fastmi.entropy(x, n_jobs=n_jobs)", 8_000_000, -1),
    _scenario("conditional-mi-serial", "z = rng.standard_normal(n)\n"
              "x = z + rng.standard_normal(n); y = z + rng.standard_normal(n)\n"
              "run = lambda: fastmi.conditional_mi(x, y, z, k=10, n_jobs=n_jobs)", 8_000_000, 1),
    # --- workflows: every thread leaves its pair or permutation
    _scenario("pairwise_mi", "X = rng.standard_normal((n, 40))  # 780 pairs, about a minute\n"
              "run = lambda: fastmi.pairwise_mi(X, n_jobs=n_jobs)", 200_000, -1),
    _scenario("mi_test", "x, y = rng.standard_normal((2, n))\n"
              "run = lambda: fastmi.mi_test(x, y, n_permutations=10_000, n_jobs=n_jobs)", 200_000, -1),
    _scenario("mi_test-z", "z = rng.standard_normal(n)\n"
              "x, y = z + rng.standard_normal(n), z + rng.standard_normal(n)\n"
              "run = lambda: fastmi.mi_test(x, y, z, k=10, n_permutations=10_000, n_jobs=n_jobs)", 50_000, -1),
]


def _readline(proc: subprocess.Popen[str], timeout: float) -> str | None:
    """One line of the child's stdout, or None after `timeout` seconds."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return None
        return proc.stdout.readline().strip()


@pytest.mark.parametrize("setup, n, n_jobs, signal_after, deadline", SCENARIOS)
def test_ctrl_c_interrupts_long_call(setup, n, n_jobs, signal_after, deadline, tmp_path):
    err_path = tmp_path / "stderr.txt"
    with open(err_path, "w") as err_file, subprocess.Popen(
        [sys.executable, "-c", CHILD, setup, str(n), str(n_jobs)],
        stdout=subprocess.PIPE,
        stderr=err_file,  # a file, not a pipe: the child can never block on it
        text=True,
    ) as proc:
        try:
            line = _readline(proc, 120)
            assert line == "started", (line, err_path.read_text())
            time.sleep(signal_after)
            assert proc.poll() is None, "the child finished before it could be interrupted"
            sent = time.perf_counter()
            proc.send_signal(signal.SIGINT)
            line = _readline(proc, max(deadline, 10.0))
            latency = time.perf_counter() - sent
            assert line is not None, (
                f"no KeyboardInterrupt within {max(deadline, 10.0)} s of SIGINT; "
                f"stderr: {err_path.read_text()[-2000:]}"
            )
            assert line.startswith("interrupted"), line
            assert latency < deadline, f"KeyboardInterrupt came {latency:.2f} s after SIGINT (bound {deadline} s)"
            # Not communicate(timeout=...): it reads the raw pipe and would miss
            # lines already buffered by the readline above.
            proc.wait(timeout=60)
            assert proc.stdout is not None
            out = proc.stdout.read()
        finally:
            if proc.poll() is None:
                proc.kill()
    err = err_path.read_text()
    assert proc.returncode == 0, err
    assert "Exception ignored" not in err, err  # the interrupt was not swallowed anywhere
    got = {name: float(value) for name, value in (line.split(" ", 1) for line in out.strip().splitlines())}
    assert got == _expect_small()
