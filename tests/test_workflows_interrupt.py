"""Ctrl-C during the long workflows (pairwise_mi, mi_test with and without z): the child
raises KeyboardInterrupt within a few seconds, every thread leaves its permutation or pair,
and the interpreter stays usable (a small estimate afterwards is right)."""
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

CHILD = textwrap.dedent(
    """
    import signal, sys, time
    import numpy as np
    import fastmi

    signal.signal(signal.SIGINT, signal.default_int_handler)
    kind = sys.argv[1]
    rng = np.random.default_rng(0)
    if kind == "pairwise":
        X = rng.standard_normal((200_000, 40))  # 780 pairs, about a minute
        run = lambda: fastmi.pairwise_mi(X, n_jobs=-1)
    elif kind == "test":
        x, y = rng.standard_normal((2, 200_000))
        run = lambda: fastmi.mi_test(x, y, n_permutations=10_000, n_jobs=-1)
    else:
        z = rng.standard_normal(50_000)
        x, y = z + rng.standard_normal(50_000), z + rng.standard_normal(50_000)
        run = lambda: fastmi.mi_test(x, y, z, k=10, n_permutations=10_000, n_jobs=-1)
    print("started", flush=True)
    t0 = time.perf_counter()
    try:
        run()
    except KeyboardInterrupt:
        print("interrupted", time.perf_counter() - t0, flush=True)
    else:
        sys.exit(3)
    small = np.random.default_rng(1).standard_normal((2, 2000))
    print("small", repr(fastmi.ksg_mi(small[0], small[0] + small[1])), flush=True)
    """
)


def _readline(proc, timeout):
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return None
        return proc.stdout.readline().strip()


@pytest.mark.parametrize("kind", ["pairwise", "test", "test-z"])
def test_ctrl_c_interrupts_workflow(kind, tmp_path):
    err_path = tmp_path / "stderr.txt"
    with open(err_path, "w") as err_file, subprocess.Popen(
        [sys.executable, "-c", CHILD, kind], stdout=subprocess.PIPE, stderr=err_file, text=True
    ) as proc:
        try:
            assert _readline(proc, 60) == "started", err_path.read_text()
            time.sleep(1.5)
            assert proc.poll() is None, "the child finished before it could be interrupted"
            sent = time.perf_counter()
            proc.send_signal(signal.SIGINT)
            line = _readline(proc, 10.0)
            latency = time.perf_counter() - sent
            assert line is not None and line.startswith("interrupted"), (line, err_path.read_text()[-2000:])
            assert latency < 8.0, f"KeyboardInterrupt came {latency:.2f} s after SIGINT"
            proc.wait(timeout=60)
            out = proc.stdout.read()
        finally:
            if proc.poll() is None:
                proc.kill()
    err = err_path.read_text()
    assert proc.returncode == 0, err
    assert "Exception ignored" not in err, err
    small = np.random.default_rng(1).standard_normal((2, 2000))
    assert out.split() == ["small", repr(fastmi.ksg_mi(small[0], small[0] + small[1]))]
