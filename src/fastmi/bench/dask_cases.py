"""``fastmi bench --dask``: fastmi.dask against the in-memory calls.

Three measurements, each on a fresh ``distributed.LocalCluster`` of 1 and 2
worker processes (one thread each):

- chunked binned MI (``fastmi.dask.discrete_mi``) on samples already held by
  the workers, as throughput (samples per second) against the in-memory
  ``fastmi.discrete_mi`` on as many threads as there are workers;
- the peak memory of each worker (RSS above its idle level) during a binned
  pass over chunks generated on the workers, against the bytes of one chunk
  of x and y;
- scikit-learn's feature scoring (``fastmi.dask.mutual_info_regression``)
  against the in-memory call.

Every distributed result is checked to equal the in-memory one bit for bit.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Optional

import numpy as np
import numpy.typing as npt

import fastmi


def _chunk(seed: int, i: int, m: int, row: int) -> npt.NDArray[np.float64]:
    """Chunk i of x (row 0) or y = sin(4 x) (row 1): a fixed function of (seed, i),
    made without temporaries, so that a worker's memory is the chunks it holds."""
    a = np.random.default_rng([seed, i]).standard_normal(m)
    if row == 1:
        np.multiply(a, 4.0, out=a)
        np.sin(a, out=a)
    return a


def _pair(seed: int, i: int, m: int) -> npt.NDArray[np.float64]:
    """Chunk i of x and y together, shape (2, m): the two columns of one row group
    (a Parquet row group, a DataFrame partition), read by one task."""
    out = np.empty((2, m))
    out[0] = _chunk(seed, i, m, 0)
    out[1] = _chunk(seed, i, m, 1)
    return out


def _timed(f: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        value = f()
        best = min(best, time.perf_counter() - t)
    return best, value


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def _peak_rss(client: Any, run: Callable[[], Any]) -> tuple[Any, dict[str, int]]:
    """run()'s value and each worker's peak RSS increase while it ran (sampled every 20 ms)."""
    idle = client.run(_rss)
    peak = dict(idle)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            try:
                for w, v in client.run(_rss).items():
                    peak[w] = max(peak.get(w, 0), v)
            except Exception:  # a worker between tasks may not answer
                pass
            time.sleep(0.02)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    try:
        value = run()
    finally:
        done.set()
        t.join()
    return value, {w: peak[w] - idle.get(w, peak[w]) for w in peak}


def run(quick: bool = False, emit: Callable[[str], None] = print, workers: tuple[int, ...] = (1, 2),
        n: Optional[int] = None, chunk: Optional[int] = None, features: Optional[tuple[int, int]] = None
        ) -> dict[str, Any]:
    """Run the three measurements; returns them as a dict (also emitted as lines)."""
    import dask.array as da
    from dask.delayed import delayed
    from distributed import Client, LocalCluster

    import fastmi.dask as fd

    n = n or (2_000_000 if quick else 100_000_000)
    chunk = chunk or (250_000 if quick else 10_000_000)
    fn, fp = features or ((5_000, 40) if quick else (100_000, 200))
    seed = 20240601
    sizes = [min(chunk, n - s) for s in range(0, n, chunk)]
    out: dict[str, Any] = {"n": n, "chunk": chunk, "features": [fn, fp], "workers": {}}

    x = np.concatenate([_chunk(seed, i, m, 0) for i, m in enumerate(sizes)])
    y = np.concatenate([_chunk(seed, i, m, 1) for i, m in enumerate(sizes)])
    rng = np.random.RandomState(0)
    X = rng.standard_normal((fn, fp))
    target = X[:, 0] + np.sin(X[:, 1]) + 0.5 * rng.standard_normal(fn)
    mem: dict[int, tuple[float, float]] = {}
    want: float = 0.0
    fwant: npt.NDArray[np.float64] = np.empty(0)
    for w in workers:  # the in-memory call on as many threads as there are workers
        t_mem, want = _timed(lambda: fastmi.discrete_mi(x, y, bins=32, n_jobs=w), 3)
        emit(f"in memory   discrete_mi  n={n:.0e}  {t_mem:7.3f} s  {n / t_mem / 1e6:8.1f} M samples/s ({w} thread(s))")
        t_fmem, fwant = _timed(lambda: fastmi.mutual_info_regression(X, target, random_state=0, n_jobs=w), 1)
        emit(f"in memory   mutual_info_regression {fn}x{fp}  {t_fmem:7.3f} s ({w} thread(s))")
        mem[w] = (t_mem, t_fmem)
    out["in_memory"] = {w: {"binned_s": a, "features_s": b} for w, (a, b) in mem.items()}
    del x, y

    for w in workers:
        with LocalCluster(n_workers=w, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=50) as cluster, Client(cluster) as client:
            xs, ys = (da.concatenate([da.from_delayed(delayed(_chunk)(seed, i, m, row), shape=(m,), dtype=np.float64)
                                      for i, m in enumerate(sizes)]) for row in (0, 1))
            client.wait_for_workers(w)
            # warm-up (imports and first allocations on every worker), not measured
            small = da.from_array(np.linspace(0.0, 1.0, 4 * w), chunks=1)
            fd.discrete_mi(small, small, bins=32, n_jobs=1)
            # memory while chunks are generated and counted, never held (first: fresh workers).
            # x and y chunk i made by one task (the columns of one row group): no chunk moves
            pairs = [da.from_delayed(delayed(_pair)(seed, i, m), shape=(2, m), dtype=np.float64)
                     for i, m in enumerate(sizes)]
            px = da.concatenate([p[0] for p in pairs])
            py = da.concatenate([p[1] for p in pairs])
            _, peaks = _peak_rss(client, lambda: fd.discrete_mi(px, py, bins=32, n_jobs=1))
            # x and y chunks made by separate tasks (two arrays): the scheduler may place
            # x_i and y_i on different workers and ship one of them to the other
            _, split_peaks = _peak_rss(client, lambda: fd.discrete_mi(xs, ys, bins=32, n_jobs=1))
            # throughput on data the workers hold
            hx, hy = client.persist([xs, ys])
            distributed_wait([hx, hy])
            # each repetition with its own bin count: the graph's keys are deterministic (pure
            # tasks), and a result still held by the cluster would be reused, not timed
            got = fd.discrete_mi(hx, hy, bins=32, n_jobs=1)
            t = min(_timed(lambda: fd.discrete_mi(hx, hy, bins=b, n_jobs=1), 1)[0] for b in (33, 34, 35))
            del hx, hy
            chunk_bytes = 2 * 8 * chunk
            whole = da.from_delayed(client.scatter(X), shape=X.shape, dtype=X.dtype)
            # one block of columns per worker: every block walks the whole noise stream (its
            # values are drawn row by row over all the features), so fewer blocks walk it less
            Xd = client.persist(whole.rechunk((fn, -(-fp // w))))
            distributed_wait(Xd)
            tf, fgot = _timed(lambda: fd.mutual_info_regression(Xd, target, random_state=0, n_jobs=1), 1)
            t_mem, t_fmem = mem[w]
            rec = {
                "binned_s": t, "binned_ratio": t_mem / t, "binned_equal": bool(got == want),
                "peak_rss_over_chunk": max(peaks.values()) / chunk_bytes,
                "peak_rss_over_chunk_separate_arrays": max(split_peaks.values()) / chunk_bytes,
                "features_s": tf, "features_ratio": t_fmem / tf, "features_equal": bool(np.array_equal(fgot, fwant)),
            }
            out["workers"][w] = rec
            emit(f"{w} worker(s) discrete_mi  {t:7.3f} s  {n / t / 1e6:8.1f} M samples/s  "
                 f"{rec['binned_ratio']:.2f}x in memory  equal={rec['binned_equal']}")
            emit(f"{w} worker(s) peak RSS during the pass: {rec['peak_rss_over_chunk']:.2f}x one chunk of x and y "
                 f"({chunk_bytes / 2**20:.0f} MiB) made by one task; "
                 f"{rec['peak_rss_over_chunk_separate_arrays']:.2f}x with x and y chunks made by separate tasks")
            emit(f"{w} worker(s) mutual_info_regression  {tf:7.3f} s  {rec['features_ratio']:.2f}x in memory  "
                 f"equal={rec['features_equal']}")
    out["equal"] = all(r["binned_equal"] and r["features_equal"] for r in out["workers"].values())
    return out


def distributed_wait(collection: Any) -> None:
    from distributed import wait

    wait(collection)
