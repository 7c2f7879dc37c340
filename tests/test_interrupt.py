"""Ctrl-C during a long native computation.

A child interpreter starts a KSG estimate that would run for tens of seconds;
the test sends it SIGINT. The child must raise KeyboardInterrupt within a few
seconds (within 1 s where a single query or a single pass is long: k close
to n, a contingency table of tens of millions of labels), and then compute a
small estimate correctly: the interpreter is left usable, the thread pool
and allocator in a sane state.
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

CHILD = textwrap.dedent(
    """
    import signal, sys, time
    import numpy as np
    import fastmi

    # Ctrl-C semantics even when the test runner was started with SIGINT
    # ignored (nohup, a background job), which children would inherit.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    kind, n, n_jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(0)
    if kind == "ksg-1d":
        x = rng.standard_normal(n)
        y = x + rng.standard_normal(n)
        run = lambda: fastmi.ksg_mi(x, y, n_jobs=n_jobs)
    elif kind == "ksg-2d":
        x = rng.standard_normal((n, 2))
        y = x[:, 0] + rng.standard_normal(n)
        run = lambda: fastmi.ksg_mi(x, y, n_jobs=n_jobs)
    elif kind == "ksg-k-near-n":
        # each query looks at every sample: one block of queries is long
        x = rng.standard_normal(n)
        y = x + rng.standard_normal(n)
        run = lambda: fastmi.ksg_mi(x, y, k=n - 2, n_jobs=n_jobs)
    elif kind == "mutual_info_score":
        # labels nearly all distinct: a table of n nonzero cells, sorted and
        # summed natively; "started" is printed as the native call begins
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
        run = lambda: fastmi.mutual_info_score(x, y)
    else:
        x = rng.standard_normal((n, 8))
        y = x[:, 0] + rng.standard_normal(n)
        run = lambda: fastmi.mutual_info_regression(x, y, random_state=0, n_jobs=n_jobs)
    if kind != "mutual_info_score":
        print("started", flush=True)
    t0 = time.perf_counter()
    try:
        run()
    except KeyboardInterrupt:
        print("interrupted", time.perf_counter() - t0, flush=True)
    else:
        print("finished", time.perf_counter() - t0, flush=True)
        sys.exit(3)
    del x, y, run
    small = np.random.default_rng(1).standard_normal((2, 2000))
    print("small", repr(fastmi.ksg_mi(small[0], small[0] + small[1], n_jobs=n_jobs)), flush=True)
    print("binned", repr(fastmi.discrete_mi(small[0], small[1], bins=8, n_jobs=n_jobs)), flush=True)
    """
)

def _expect_small():
    small = np.random.default_rng(1).standard_normal((2, 2000))
    return fastmi.ksg_mi(small[0], small[0] + small[1]), fastmi.discrete_mi(small[0], small[1], bins=8)


def _readline(proc, timeout):
    """One line of the child's stdout, or None after `timeout` seconds."""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return None
        return proc.stdout.readline().strip()


# n chosen so that the uninterrupted call takes well over 10 s here (2 cores):
# 1-D KSG at 2e7 about 19 s on one core; 2-D (tree) KSG at 1e7 about 27 s;
# mutual_info_regression at 3e6 x 8 about 15 s. The last two: KSG with
# k = n - 2 at n = 40,000 about 20 s on one core (time grows as n^2), the
# native part of mutual_info_score on 1.5e7 nearly distinct labels about
# 5 s, so SIGINT follows "started" sooner there.
@pytest.mark.parametrize(
    "kind, n, n_jobs, signal_after, deadline",
    [
        pytest.param("ksg-1d", 20_000_000, 1, SIGNAL_AFTER_S, DEADLINE_S, id="ksg-1d-serial"),
        pytest.param("ksg-1d", 20_000_000, -1, SIGNAL_AFTER_S, DEADLINE_S, id="ksg-1d-all-cores"),
        pytest.param("ksg-2d", 10_000_000, -1, SIGNAL_AFTER_S, DEADLINE_S, id="ksg-2d-tree-all-cores"),
        pytest.param("sklearn", 3_000_000, -1, SIGNAL_AFTER_S, DEADLINE_S, id="mutual_info_regression"),
        pytest.param("ksg-k-near-n", 40_000, 2, SIGNAL_AFTER_S, LONG_BLOCK_DEADLINE_S, id="ksg-k-near-n"),
        pytest.param("mutual_info_score", 15_000_000, 1, 0.5, LONG_BLOCK_DEADLINE_S, id="mutual_info_score"),
    ],
)
def test_ctrl_c_interrupts_long_call(kind, n, n_jobs, signal_after, deadline, tmp_path):
    err_path = tmp_path / "stderr.txt"
    with open(err_path, "w") as err_file, subprocess.Popen(
        [sys.executable, "-c", CHILD, kind, str(n), str(n_jobs)],
        stdout=subprocess.PIPE,
        stderr=err_file,  # a file, not a pipe: the child can never block on it
        text=True,
    ) as proc:
        try:
            line = _readline(proc, 60)
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
            out = proc.stdout.read()
        finally:
            if proc.poll() is None:
                proc.kill()
    err = err_path.read_text()
    assert proc.returncode == 0, err
    assert "Exception ignored" not in err, err  # the interrupt was not swallowed anywhere
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines())
    want_ksg, want_binned = _expect_small()
    assert float(lines["small"]) == want_ksg
    assert float(lines["binned"]) == want_binned
