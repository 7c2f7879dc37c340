"""``fastmi bench --dask``: fastmi.dask against the in-memory calls.

Three measurements, each on a fresh ``distributed.LocalCluster`` of 1 and 2
worker processes (one thread each):

- chunked binned MI (``fastmi.dask.discrete_mi``) on samples already held by
  the workers, as throughput (samples per second) against the in-memory
  ``fastmi.discrete_mi`` on as many threads as there are workers. The x and
  y chunks of one row range are made by one task (the two columns of one
  Parquet row group or Zarr chunk), so each worker holds both halves of its
  chunk pairs, as a reader of such files leaves them;
- the peak memory of each worker during a binned pass over chunks made on
  the workers (never held: read by blockwise tasks, as ``from_zarr`` reads,
  and made by one delayed task per chunk pair), against the bytes of one
  chunk of x and y: the
  kernel's high-water mark (VmHWM) is reset on every worker before the pass
  (``/proc/self/clear_refs``) and read after it, so the peak is exact, not
  sampled; the memory that fastmi's own per-chunk tasks add is measured the
  same way in this process;
- scikit-learn's feature scoring (``fastmi.dask.mutual_info_regression``)
  against the in-memory call.

Every distributed result is checked to equal the in-memory one bit for bit.
"""
from __future__ import annotations

import gc
import time
from typing import Any, Callable, Optional

import numpy as np
import numpy.typing as npt

import fastmi
from fastmi.bench import peak_memory


# the scheduler's worker-saturation for these runs (dask's default is 1.1)
SATURATION = 1.0


def _chunk(seed: int, i: int, m: int, row: int,
           out: Optional[npt.NDArray[np.float64]] = None) -> npt.NDArray[np.float64]:
    """Chunk i of x (row 0) or y = sin(4 x) (row 1): a fixed function of (seed, i),
    written into `out` (a new array when None) without temporaries, as a reader
    decodes a chunk into its buffer: a worker's memory is the chunks it holds."""
    a = np.empty(m) if out is None else out
    np.random.default_rng([seed, i]).standard_normal(out=a)
    if row == 1:
        np.multiply(a, 4.0, out=a)
        np.sin(a, out=a)
    return a


def _pair(seed: int, i: int, m: int) -> npt.NDArray[np.float64]:
    """Chunk i of x and y together, shape (2, m): the two columns of one row group
    (a Parquet row group, a DataFrame partition), read by one task."""
    out = np.empty((2, m))
    _chunk(seed, i, m, 0, out[0])
    _chunk(seed, i, m, 1, out[1])
    return out


def _pairs(seed: int, sizes: list[int]) -> tuple[Any, Any]:
    """x and y as dask arrays whose chunk i is made by one task (see _pair)."""
    import dask.array as da
    from dask.delayed import delayed

    pairs = [da.from_delayed(delayed(_pair)(seed, i, m), shape=(2, m), dtype=np.float64)
             for i, m in enumerate(sizes)]
    return da.concatenate([p[0] for p in pairs]), da.concatenate([p[1] for p in pairs])


def _read(seed: int, row: int, block_info: Any = None) -> npt.NDArray[np.float64]:
    """Chunk i of x (row 0) or y (row 1), for dask.array.map_blocks: the same
    values as _chunk, made by a blockwise task, as ``dask.array.from_zarr``
    reads a chunk."""
    info = block_info[None]
    return _chunk(seed, info["chunk-location"][0], info["chunk-shape"][0], row)


def _columns(seed: int, sizes: list[int]) -> tuple[Any, Any]:
    """x and y as two dask arrays read chunk by chunk (two Zarr arrays)."""
    import dask.array as da

    return tuple(da.map_blocks(_read, seed, row, chunks=(tuple(sizes),), dtype=np.float64)
                 for row in (0, 1))


def _timed(f: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        value = f()
        best = min(best, time.perf_counter() - t)
    return best, value


def _memory() -> dict[str, int]:
    return peak_memory.status()


def _reset_peak() -> dict[str, int]:
    """Resets this process's high-water mark (peak_memory.py); its memory now."""
    gc.collect()
    if not peak_memory.reset_peak():
        raise OSError("the peak resident memory cannot be reset here (Linux's /proc/self/clear_refs)")
    return _memory()


def peak_supported() -> bool:
    return peak_memory.reset_peak()


def _peak_rss(client: Any, run: Callable[[], Any]) -> tuple[Any, dict[str, int]]:
    """run()'s value and each worker's peak resident memory above its level
    before run() (exact: the kernel's high-water mark, reset first)."""
    before = client.run(_reset_peak)
    value = run()
    after = client.run(_memory)
    return value, {w: after[w]["VmHWM"] - before[w]["VmRSS"] for w in before}


def task_overhead(m: int) -> float:
    """The peak memory that fastmi.dask's per-chunk tasks (the range and the
    joint table of one chunk pair) add to the chunk pair they read, measured in
    this process, over the bytes of that pair."""
    from fastmi.dask._binned import _chunk_joint, _chunk_range

    pair = _pair(1, 0, m)
    peak = 0
    for task in (lambda: _chunk_range(pair[0], "x", 1), lambda: _chunk_range(pair[1], "y", 1),
                 lambda: _chunk_joint(pair[0], pair[1], ((32, None, -6.0, 6.0), (32, None, -1.0, 1.0)), 1)):
        before = _reset_peak()
        task()
        peak = max(peak, _memory()["VmHWM"] - before["VmRSS"])
    return peak / pair.nbytes


def run(quick: bool = False, emit: Callable[[str], None] = print, workers: tuple[int, ...] = (1, 2),
        n: Optional[int] = None, chunk: Optional[int] = None, features: Optional[tuple[int, int]] = None
        ) -> dict[str, Any]:
    """Run the three measurements; returns them as a dict (also emitted as lines)."""
    import dask
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
    chunk_bytes = 2 * 8 * chunk  # one chunk of x and one of y, float64
    measure_peak = peak_supported()

    x = np.concatenate([_chunk(seed, i, m, 0) for i, m in enumerate(sizes)])
    y = np.concatenate([_chunk(seed, i, m, 1) for i, m in enumerate(sizes)])
    rng = np.random.RandomState(0)
    X = rng.standard_normal((fn, fp))
    target = X[:, 0] + np.sin(X[:, 1]) + 0.5 * rng.standard_normal(fn)
    bins = (33, 34, 35)  # distinct per repetition (see below)
    wants = {b: fastmi.discrete_mi(x, y, bins=b) for b in bins}
    fwant = fastmi.mutual_info_regression(X, target, random_state=0)
    if measure_peak:
        own = task_overhead(chunk)
        out["task_overhead_over_chunk"] = own
        emit(f"fastmi.dask's per-chunk tasks add {own:.3f}x one chunk of x and y to the chunks they read "
             f"(peak resident memory, measured in this process)")

    for w in workers:
        # worker-saturation 1.0: a worker is sent one new chunk to read per thread
        # when it is free, not 1.1 (rounded up: two); it matters for chunks made by
        # tasks of their own, which wait in memory for fastmi's (docs/user_guide/dask.md)
        with dask.config.set({"distributed.scheduler.worker-saturation": SATURATION}), \
                LocalCluster(n_workers=w, threads_per_worker=1, processes=True, dashboard_address=None,
                             silence_logs=50) as cluster, Client(cluster) as client:
            client.wait_for_workers(w)
            # warm-up (imports and first allocations on every worker), not measured
            small = da.from_array(np.linspace(0.0, 1.0, 4 * w), chunks=1)
            fd.discrete_mi(small, small, bins=32, n_jobs=1)
            rec: dict[str, Any] = {}
            if measure_peak:
                # memory while chunks are read and counted, never held (fresh workers first).
                # x and y as two arrays read chunk by chunk by blockwise tasks (as from_zarr
                # reads): dask fuses the reads of x_i and y_i into fastmi's task for chunk i
                cx, cy = _columns(seed, sizes)
                _, peaks = _peak_rss(client, lambda: fd.discrete_mi(cx, cy, bins=32, n_jobs=1))
                # x and y chunk i made by one delayed task (the columns of one row group,
                # from_delayed): a task of its own, whose result waits for fastmi's tasks
                px, py = _pairs(seed, sizes)
                _, pair_peaks = _peak_rss(client, lambda: fd.discrete_mi(px, py, bins=32, n_jobs=1))
                rec["peak_rss_over_chunk"] = max(peaks.values()) / chunk_bytes
                rec["peak_rss_over_chunk_pair_tasks"] = max(pair_peaks.values()) / chunk_bytes
            # throughput on data the workers hold, timed alternately with the in-memory call on
            # as many threads as there are workers (the machine's load hits both alike). Each
            # repetition has its own bin count: the graph's keys are deterministic (pure tasks),
            # and a result still held by the cluster would be reused, not timed
            hx, hy = client.persist(list(_pairs(seed, sizes)))
            distributed_wait([hx, hy])
            t_dask, t_mem, equal = float("inf"), float("inf"), True
            for b in bins:
                t_mem = min(t_mem, _timed(lambda: fastmi.discrete_mi(x, y, bins=b, n_jobs=w), 1)[0])
                t, got = _timed(lambda: fd.discrete_mi(hx, hy, bins=b, n_jobs=1), 1)
                t_dask = min(t_dask, t)
                equal = equal and got == wants[b]
            del hx, hy
            # one block of columns per worker: every block walks the whole noise stream (its
            # values are drawn row by row over all the features), so fewer blocks walk it less
            Xd = column_blocks(client, X, -(-fp // w))
            t_fmem, tf, fgot = float("inf"), float("inf"), fwant
            for _ in range(2):  # alternately, as the binned case
                t_fmem = min(t_fmem, _timed(lambda: fastmi.mutual_info_regression(X, target, random_state=0,
                                                                                  n_jobs=w), 1)[0])
                t, fgot = _timed(lambda: fd.mutual_info_regression(Xd, target, random_state=0, n_jobs=1), 1)
                tf = min(tf, t)
            rec.update({
                "binned_s": t_dask, "binned_in_memory_s": t_mem, "binned_ratio": t_mem / t_dask,
                "binned_equal": bool(equal),
                "features_s": tf, "features_in_memory_s": t_fmem, "features_ratio": t_fmem / tf,
                "features_equal": bool(np.array_equal(fgot, fwant)),
            })
            out["workers"][w] = rec
            emit(f"in memory   discrete_mi  n={n:.0e}  {t_mem:7.3f} s  {n / t_mem / 1e6:8.1f} M samples/s "
                 f"({w} thread(s))")
            emit(f"{w} worker(s) discrete_mi  {t_dask:7.3f} s  {n / t_dask / 1e6:8.1f} M samples/s  "
                 f"{rec['binned_ratio']:.2f}x in memory  equal={rec['binned_equal']}")
            if measure_peak:
                emit(f"{w} worker(s) peak RSS during the pass: {rec['peak_rss_over_chunk']:.3f}x one chunk of x "
                     f"and y ({chunk_bytes / 2**20:.0f} MiB) read by blockwise tasks (as from_zarr); "
                     f"{rec['peak_rss_over_chunk_pair_tasks']:.3f}x with x and y chunks made by one delayed task "
                     f"(worker-saturation {SATURATION})")
            else:
                emit(f"{w} worker(s) peak RSS: not measured (needs Linux's /proc/self/clear_refs)")
            emit(f"in memory   mutual_info_regression {fn}x{fp}  {t_fmem:7.3f} s ({w} thread(s))")
            emit(f"{w} worker(s) mutual_info_regression  {tf:7.3f} s  {rec['features_ratio']:.2f}x in memory  "
                 f"equal={rec['features_equal']}")
    out["equal"] = all(r["binned_equal"] and r["features_equal"] for r in out["workers"].values())
    return out


def column_blocks(client: Any, X: npt.NDArray[np.float64], width: int) -> Any:
    """X as a dask array of column blocks held by the workers, spread over them
    (as features read block by block on the workers would be): block b on
    worker b modulo the number of workers."""
    import dask.array as da

    workers = sorted(client.scheduler_info()["workers"])
    starts = range(0, X.shape[1], width)
    futures = [client.scatter(np.ascontiguousarray(X[:, a:a + width]), workers=[workers[b % len(workers)]])
               for b, a in enumerate(starts)]
    blocks = [da.from_delayed(f, shape=(X.shape[0], min(width, X.shape[1] - a)), dtype=X.dtype)
              for f, a in zip(futures, starts)]
    return client.persist(da.concatenate(blocks, axis=1))


def distributed_wait(collection: Any) -> None:
    from distributed import wait

    wait(collection)
