"""The information toolkit's native kernels at run time: the GIL is released
while they run, Ctrl-C interrupts them within seconds (and leaves the
interpreter usable), and calls from several Python threads at once give the
serial results bit for bit.
"""
from __future__ import annotations

import selectors
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import fastmi

# --------------------------------------------------------------------------- the GIL

STALL_S = 0.02


def _stalled_fraction(work):
    """Fraction of `work`'s run time (in a thread) during which a pure-Python
    loop in this thread could not run (gaps longer than STALL_S)."""
    done = threading.Event()
    box = {}

    def worker():
        box["t0"] = time.perf_counter()
        work()
        box["t1"] = time.perf_counter()
        done.set()

    th = threading.Thread(target=worker)
    th.start()
    while "t0" not in box:
        time.sleep(0)
    stalled, iterations, last = 0.0, 0, box["t0"]
    while not done.is_set():
        now = time.perf_counter()
        if now - last > STALL_S:
            stalled += now - last
        last = now
        iterations += 1
    th.join()
    if box["t1"] - last > STALL_S:
        stalled += box["t1"] - last
    elapsed = box["t1"] - box["t0"]
    return min(1.0, stalled / elapsed), iterations, elapsed


def _assert_overlaps(work, attempts=3):
    seen = []
    for _ in range(attempts):
        frac, iters, elapsed = _stalled_fraction(work)
        seen.append((round(frac, 3), iters, round(elapsed, 3)))
        if elapsed > 0.2 and frac < 0.5 and iters > 1000:
            return
    pytest.fail(f"Python thread stalled while the kernel ran (fraction, iterations, seconds): {seen}")


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

    _assert_overlaps(work)


def test_gil_released_conditional_mi():
    x, y, z = _chain(1, 200_000)
    _assert_overlaps(lambda: fastmi.conditional_mi(x, y, z, k=5, n_jobs=1))


def test_gil_released_ksg2():
    x, y, _ = _chain(2, 200_000)
    _assert_overlaps(lambda: fastmi.ksg_mi(x, y, algorithm=2, n_jobs=1))


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


# --------------------------------------------------------------------------- Ctrl-C

SIGNAL_AFTER_S = 1.5
DEADLINE_S = 8.0

CHILD = textwrap.dedent(
    """
    import signal, sys, time
    import numpy as np
    import fastmi

    signal.signal(signal.SIGINT, signal.default_int_handler)
    kind, n, n_jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(0)
    if kind == "entropy-1d":
        x = rng.standard_normal(n)
        run = lambda: [fastmi.entropy(x, k=50, n_jobs=n_jobs) for _ in range(100)]
    elif kind == "entropy-3d":
        x = rng.standard_normal((n, 3))
        run = lambda: fastmi.entropy(x, n_jobs=n_jobs)
    elif kind == "cmi-1d":
        z = rng.standard_normal(n)
        x = z + rng.standard_normal(n)
        y = z + rng.standard_normal(n)
        run = lambda: fastmi.conditional_mi(x, y, z, k=10, n_jobs=n_jobs)
    else:
        x = rng.standard_normal((n, 2))
        y = x[:, :1] + rng.standard_normal((n, 1))
        run = lambda: fastmi.ksg_mi(x, y, algorithm=2, n_jobs=n_jobs)
    print("started", flush=True)
    t0 = time.perf_counter()
    try:
        run()
    except KeyboardInterrupt:
        print("interrupted", time.perf_counter() - t0, flush=True)
    else:
        print("finished", time.perf_counter() - t0, flush=True)
        sys.exit(3)
    small = np.random.default_rng(1).standard_normal((3, 2000))
    print("small", repr(fastmi.conditional_mi(*small, n_jobs=n_jobs)), flush=True)
    """
)


def _readline(proc, timeout):
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return None
        return proc.stdout.readline().strip()


# n chosen so that the uninterrupted call takes well over 10 s on 2 cores
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX")
@pytest.mark.parametrize(
    "kind, n, n_jobs",
    [
        pytest.param("entropy-1d", 10_000_000, -1, id="entropy-kl-1d"),
        pytest.param("entropy-3d", 8_000_000, -1, id="entropy-kl-3d"),
        pytest.param("cmi-1d", 8_000_000, 1, id="conditional-mi-serial"),
        pytest.param("ksg2", 4_000_000, -1, id="ksg2"),
    ],
)
def test_ctrl_c_interrupts(kind, n, n_jobs, tmp_path):
    err_path = tmp_path / "stderr.txt"
    with open(err_path, "w") as err_file, subprocess.Popen(
        [sys.executable, "-c", CHILD, kind, str(n), str(n_jobs)],
        stdout=subprocess.PIPE,
        stderr=err_file,
        text=True,
    ) as proc:
        try:
            line = _readline(proc, 120)
            assert line == "started", (line, err_path.read_text())
            time.sleep(SIGNAL_AFTER_S)
            assert proc.poll() is None, "the child finished before it could be interrupted"
            sent = time.perf_counter()
            proc.send_signal(signal.SIGINT)
            line = _readline(proc, DEADLINE_S)
            latency = time.perf_counter() - sent
            assert line is not None, f"no KeyboardInterrupt within {DEADLINE_S} s; {err_path.read_text()[-2000:]}"
            assert line.startswith("interrupted"), line
            assert latency < DEADLINE_S
            proc.wait(timeout=60)
            out = proc.stdout.read()
        finally:
            if proc.poll() is None:
                proc.kill()
    err = err_path.read_text()
    assert proc.returncode == 0, err
    assert "Exception ignored" not in err, err
    small = np.random.default_rng(1).standard_normal((3, 2000))
    assert out.strip() == "small " + repr(fastmi.conditional_mi(*small))
