"""Plug-in estimates over chunked samples: a range pass, one native
histogram per chunk, integer tables summed, the plug-in sum on the client."""
from __future__ import annotations

import math
from typing import Any, Optional, Tuple

import numpy as np
import numpy.typing as npt

from .. import _native, _plugin
from .._validation import as_samples, check_finite, check_base, check_choice, check_uniform_edges
from .._validation import bin_dtype, interruptible, narrow_axis, resolve_bins
from ._graph import add_tables, align, aligned_blocks, as_block, blocks_of, check_compute, finish, require_dask
from ._graph import sample_collection
from ._graph import held, local, task_threads, tree

# (min, max, finite, samples) of a chunk; None for an empty chunk
_Range = Optional[Tuple[float, float, bool, int]]
_Axis = Tuple[int, Optional[npt.NDArray[np.float64]], float, float]


def _samples(block: Any, name: str) -> npt.NDArray[np.float64]:
    """A chunk as float64 samples (empty allowed), checked as fastmi checks x."""
    arr = as_block(block)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (n,); got a {arr.ndim}-D block of shape {arr.shape}")
    if arr.shape[0] == 0:
        return np.empty(0, dtype=np.float64)
    return as_samples(arr, name, max_ndim=1)


def _chunk_range(block: Any, name: str, threads: int) -> _Range:
    a = _samples(block, name)
    if a.shape[0] == 0:
        return None
    lo, hi, finite = _native.finite_range(a, threads, interruptible())
    if not finite:
        bad = "NaN" if np.isnan(a).any() else "infinity"
        raise ValueError(f"{name} contains {bad}; every sample must be finite")
    return float(lo), float(hi), True, int(a.shape[0])


def _merge_ranges(*parts: _Range) -> _Range:
    live = [p for p in parts if p is not None]
    if not live:
        return None
    return min(p[0] for p in live), max(p[1] for p in live), True, sum(p[3] for p in live)


def _axis(spec: tuple[int, Any], r: _Range, name: str, dtype: Any = None) -> _Axis:
    """numpy.histogram's axis over the global range (fastmi's binned_axes; ``dtype``
    the samples' own where narrower than float64: see _validation.narrow_axis)."""
    if r is None:
        raise ValueError(f"{name} is empty: at least one sample is needed")
    nb, edges = spec
    lo, hi = r[0], r[1]
    if edges is None:
        check_uniform_edges(lo, hi, nb, name)
    return narrow_axis((nb, edges, lo, hi), dtype)


def _joint_axes(rx: _Range, ry: _Range, specs: Any, dtype: Any = None) -> tuple[_Axis, _Axis]:
    if rx is not None and ry is not None and rx[3] != ry[3]:
        raise ValueError(f"x and y must have the same number of samples; got {rx[3]} and {ry[3]}")
    return _axis(specs[0], rx, "x", dtype), _axis(specs[1], ry, "y", dtype)


def _dtype_of(*collections: Any) -> Any:
    """bin_dtype of the collections' dtypes (None where one has none numpy knows)."""
    try:
        return bin_dtype(*[np.dtype(getattr(c, "dtype", np.float64)) for c in collections])
    except TypeError:
        return None


def _chunk_joint(xb: Any, yb: Any, axes: tuple[_Axis, _Axis], threads: int) -> npt.NDArray[np.int64]:
    """The joint count table of one chunk (numpy.histogram2d's, int64)."""
    ax, ay = local(axes)
    x, y = _samples(xb, "x"), _samples(yb, "y")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same number of samples; chunks of {x.shape[0]} and {y.shape[0]}")
    if x.shape[0] == 0:
        return np.zeros((ax[0], ay[0]), dtype=np.int64)
    layout = _native.TableLayout.dense
    return _native.histogram2d(x, y, ax, ay, layout, threads, interruptible())


def _first_pass(axes: Any, compute: bool, *collections: Any) -> Any:
    """The axes, computed now when compute is True and the data are not held
    already: the counting pass is then a second graph, so the chunks are read
    again rather than held between the passes (memory per worker: its
    chunks). Lazily, or when every chunk is held already (persisted on the
    cluster, or numpy arrays), one graph holds both passes: no chunk is read
    twice or kept longer, and the scheduler is visited once."""
    if compute and not all(held(c) for c in collections):
        return finish(axes, True)
    return axes


def _mi_of_table(table: npt.NDArray[np.int64], base: float) -> float:
    """discrete_mi's result from the summed table (its plug-in sum, its clipping)."""
    table = table.reshape(table.shape[-2:])  # the blockwise tables have a leading axis of 1
    if int(table.sum()) == 0:
        raise ValueError("no sample falls inside the bin edges")
    mi = max(0.0, float(_native.table_mi_bits(local(np.ascontiguousarray(table)))))
    return mi if base == 2.0 else mi * (math.log(2.0) / math.log(base))


def _block_ranges(*blocks: Any, threads: int) -> npt.NDArray[np.float64]:
    """One row [min, max of each block in turn, samples] of the chunks of
    one row range (NaN and 0 samples when empty), for the blockwise range pass."""
    ranges = [_chunk_range(b, name, threads) for b, name in zip(blocks, "xy")]
    counts = [0 if r is None else r[3] for r in ranges]
    if len(set(counts)) > 1:
        raise ValueError(f"x and y must have the same number of samples; chunks of {counts[0]} and {counts[1]}")
    ends = [v for r in ranges for v in ((np.nan, np.nan) if r is None else r[:2])]
    return np.array([ends + [float(counts[0])]])


def _ranges_of_rows(rows: npt.NDArray[np.float64]) -> list[_Range]:
    """The global range of each variable from the rows of _block_ranges."""
    live = rows[rows[:, -1] > 0]
    k = (rows.shape[1] - 1) // 2
    if live.shape[0] == 0:
        return [None] * k
    count = int(live[:, -1].sum())
    return [(float(live[:, 2 * v].min()), float(live[:, 2 * v + 1].max()), True, count) for v in range(k)]


def _joint_axes_of_rows(rows: npt.NDArray[np.float64], specs: Any) -> tuple[_Axis, _Axis]:
    """specs: (the two bin specs, the samples' bin_dtype)."""
    rx, ry = _ranges_of_rows(rows)
    return _joint_axes(rx, ry, specs[0], specs[1])


def _entropy_axes_of_rows(rows: npt.NDArray[np.float64], spec: Any) -> tuple[_Axis, _Axis]:
    """x's axis, and one bin holding every sample of every chunk (the global
    range; as two explicit edges where its width overflows: uniform bins need
    a finite width): the joint table of (x, x) on them is x's bin counts.
    spec: (x's bin spec, the samples' bin_dtype)."""
    (r,) = _ranges_of_rows(rows)
    ax = _axis(spec[0], r, "x", spec[1])
    lo, hi = ax[2], ax[3]
    return ax, (1, None, lo, hi) if math.isfinite(hi - lo) else (1, np.array([lo, hi]), lo, hi)


def _block_table(xb: Any, yb: Any, axes: tuple[_Axis, _Axis], threads: int) -> npt.NDArray[np.int64]:
    return _chunk_joint(xb, yb, axes, threads)[np.newaxis]


def _blockwise_table(arrays: tuple[Any, ...], axes_of_rows: Any, specs: Any, shape: tuple[int, int],
                     threads: int, compute: bool) -> Any:
    """The summed joint count table (Delayed) of the dask arrays x, y of the
    same chunks (x alone: the table of (x, x), see _entropy_axes_of_rows), as
    blockwise passes: dask fuses the tasks that make a chunk blockwise
    (``from_zarr``, ``from_array``, ``map_blocks``, elementwise steps) into
    the task that reads it, so the chunks are made, read and freed inside one
    task: no chunk waits in a worker's memory or moves to another worker."""
    import dask.array as da
    from dask.delayed import delayed

    nb = len(arrays[0].chunks[0])
    # keys named after the functions (no token=: dask 2024 deprecated it for name=, which
    # fixes the whole key, and later releases took it back)
    rows = da.map_blocks(_block_ranges, *arrays, threads=threads, new_axis=1,
                         chunks=((1,) * nb, (2 * len(arrays) + 1,)), dtype=np.float64)
    axes = _first_pass(delayed(axes_of_rows, pure=True)(rows, specs), compute, *arrays)
    x, y = arrays[0], arrays[-1]
    tables = da.map_blocks(_block_table, x, y, axes, threads, new_axis=[1, 2], chunks=((1,) * nb,) + tuple(
        (m,) for m in shape), dtype=np.int64)
    # summed in place by a tree (no task holds more than SPLIT_EVERY tables and their sum)
    return tree(list(tables.to_delayed().ravel()), add_tables, "x")


def discrete_mi(x: Any, y: Any, bins: Any = 10, *, base: float = 2, n_jobs: Optional[int] = None,
                compute: bool = True) -> Any:
    """:func:`fastmi.discrete_mi` of chunked samples, in bits, bit for bit.

    A first pass finds each variable's minimum and maximum (numpy's uniform
    edges need them); then each chunk's joint histogram is counted natively
    where the chunk lives, the integer tables are summed (exactly, in any
    order), and the plug-in sum runs once on the summed table, by the same
    code as the in-memory call: the result is the same float.

    Parameters
    ----------
    x, y : dask array (1-D) or dask Series, or array_like
        Samples of the two variables, split alike (arrays of different
        chunks are rechunked to x's; Series need the same partitions of the
        same lengths). Empty chunks are allowed.
    bins : int, [int, int], array of edges, or [array, array], default 10
        As for :func:`fastmi.discrete_mi`.
    base : float, keyword-only, default 2
        Logarithm base of the result: 2 for bits, ``numpy.e`` for nats.
    n_jobs : int or None, keyword-only
        Threads of each chunk's native call (default 1: dask runs chunks in
        parallel); the result is the same for every value.
    compute : bool, keyword-only, default True
        False returns a ``dask.delayed`` object instead of the number; nothing is
        computed before its ``.compute()``.

    Returns
    -------
    float or dask.delayed.Delayed
        Plug-in mutual information in **bits** (units of ``log(base)``),
        non-negative.

    Raises
    ------
    ValueError
        Empty input, different lengths, NaN or infinite values, invalid
        ``bins`` or ``base`` (NaN, infinity and lengths are found when the
        chunks are computed).
    TypeError
        Non-numeric input, non-integer bin count or ``n_jobs``.

    Notes
    -----
    Each chunk is read twice (range, then counts): the counting pass is a
    second graph, computed once the range is known, so no chunk waits in
    memory between the passes; memory per task is its chunk plus one dense
    int64 table of ``bins[0] * bins[1]`` cells. With ``compute=False`` the
    two passes form one graph and the chunks are kept between them.
    """
    require_dask()
    import dask.array as da
    from dask.delayed import delayed

    base = check_base(base)
    compute = check_compute(compute)
    threads = task_threads(n_jobs)
    specs = resolve_bins(bins)
    x, y = align(x, y)
    if isinstance(x, da.Array) and isinstance(y, da.Array) and x.chunks == y.chunks:
        (nx, _), (ny, _) = specs
        total = _blockwise_table((x, y), _joint_axes_of_rows, (specs, _dtype_of(x, y)), (nx, ny), threads,
                                 compute)
        return finish(delayed(_mi_of_table, pure=True)(total, base), compute)
    bx, by = aligned_blocks(x, y)
    rx = tree([delayed(_chunk_range, pure=True)(b, "x", threads) for b in bx], _merge_ranges, "x")
    ry = tree([delayed(_chunk_range, pure=True)(b, "y", threads) for b in by], _merge_ranges, "y")
    axes = _first_pass(delayed(_joint_axes, pure=True)(rx, ry, specs, _dtype_of(x, y)), compute, x, y)
    tables = [delayed(_chunk_joint, pure=True)(a, b, axes, threads) for a, b in zip(bx, by)]
    result = delayed(_mi_of_table, pure=True)(tree(tables, add_tables, "x"), base)
    return finish(result, compute)


# --------------------------------------------------------------------------- entropy


def _chunk_bin_counts(block: Any, axis: _Axis, threads: int) -> npt.NDArray[np.int64]:
    axis = local(axis)
    a = _samples(block, "x")
    if a.shape[0] == 0:
        return np.zeros(axis[0], dtype=np.int64)
    codes = _native.histogram_codes(a.reshape(-1, 1), [axis], threads, interruptible())
    return np.bincount(codes[codes >= 0], minlength=axis[0]).astype(np.int64)


_Counts = Tuple[npt.NDArray[Any], npt.NDArray[np.int64]]  # (sorted distinct values, their counts)


def _chunk_value_counts(block: Any) -> _Counts:
    arr = as_block(block).reshape(-1)
    if arr.dtype.kind == "f":
        check_finite(arr, "x")
    elif arr.dtype.kind not in "biuUSO":
        raise TypeError(f"x must hold labels (integers, strings, ...); got dtype {arr.dtype}")
    values, counts = np.unique(arr, return_counts=True)
    return values, counts.astype(np.int64)


def _merge_value_counts(*parts: _Counts) -> _Counts:
    values = np.concatenate([p[0] for p in parts])
    counts = np.concatenate([p[1] for p in parts])
    merged, inverse = np.unique(values, return_inverse=True)
    total = np.zeros(merged.shape[0], dtype=np.int64)
    np.add.at(total, inverse.reshape(-1), counts)
    return merged, total


def _entropy_of_counts(counts: npt.NDArray[np.int64], base: float) -> float:
    """fastmi.entropy's plug-in sum over the occupied cells, in cell order."""
    kept = counts[counts > 0]
    total = int(kept.sum())
    if total == 0:
        raise ValueError("no sample falls inside the bin edges")
    c = kept.astype(np.float64)
    h = max(0.0, math.log(total) - float(np.sum(c * np.log(c))) / total)
    return float(h) / math.log(base)


def _label_blocks(x: Any) -> list[Any]:
    """Blocks of a variable of labels (any dtype numpy.unique sorts)."""
    import dask.array as da

    from ._graph import is_dask

    if not is_dask(x):
        x = da.from_array(np.asarray(x), chunks=-1)
    if isinstance(x, da.Array):
        if x.ndim != 1:
            raise ValueError(f"x must be a 1-D dask array of labels; got {x.ndim}-D, shape {x.shape}")
        return list(x.to_delayed().ravel())
    return blocks_of(sample_collection(x, "x"))


def _discrete_counts(merged: _Counts) -> npt.NDArray[np.int64]:
    if merged[1].shape[0] == 0:
        raise ValueError("x is empty: at least one sample is needed")
    return merged[1]


def entropy(x: Any, *, method: str, bins: Any = 10, base: float = 2, n_jobs: Optional[int] = None,
            compute: bool = True) -> Any:
    """:func:`fastmi.entropy` of chunked 1-D samples (plug-in methods), bit for bit.

    Parameters
    ----------
    x : dask array (1-D) or dask Series, or array_like
        Samples of the variable; empty chunks are allowed.
    method : {"binned", "discrete"}, keyword-only, required
        ``"binned"``: the plug-in entropy of ``numpy.histogram(x, bins)``'s
        cells (a range pass, then native bin counts per chunk, summed).
        ``"discrete"``: of the distinct values (counts per chunk, merged).
        Required: :func:`fastmi.entropy`'s default, ``"kl"``, is not
        available here, and a different default would return another
        estimate than the same call in memory.
    bins : int or array of edges, keyword-only, default 10
        For ``"binned"``, as for :func:`fastmi.entropy`.
    base : float, keyword-only, default 2
        Logarithm base of the result: 2 for bits, ``numpy.e`` for nats.
    n_jobs : int or None, keyword-only
        Threads of each chunk's native call (default 1).
    compute : bool, keyword-only, default True
        False returns a ``dask.delayed`` object instead of the number.

    Returns
    -------
    float or dask.delayed.Delayed
        The plug-in entropy in **bits** (units of ``log(base)``), the same
        float as ``fastmi.entropy(x, method=method, bins=bins, base=base)``.

    Raises
    ------
    ValueError
        Empty input, NaN or infinite values, invalid ``bins``, ``method``
        or ``base``.
    TypeError
        Non-numeric input (``"binned"``), values that are not labels.
    """
    require_dask()
    import dask.array as da
    from dask.delayed import delayed

    method = check_choice(method, "method", ("binned", "discrete"))
    base = check_base(base)
    compute = check_compute(compute)
    threads = task_threads(n_jobs)
    if method == "discrete":
        blocks = _label_blocks(x)
        merged = tree([delayed(_chunk_value_counts, pure=True)(b) for b in blocks], _merge_value_counts, "x")
        counts = delayed(_discrete_counts, pure=True)(merged)
        return finish(delayed(_entropy_of_counts, pure=True)(counts, base), compute)
    (spec,) = _plugin.histogramdd_axes(bins, 1)
    x = sample_collection(x, "x")
    if isinstance(x, da.Array):
        total = _blockwise_table((x,), _entropy_axes_of_rows, (spec, _dtype_of(x)), (spec[0], 1), threads, compute)
        return finish(delayed(_entropy_of_counts, pure=True)(total, base), compute)
    blocks = blocks_of(x)
    r = tree([delayed(_chunk_range, pure=True)(b, "x", threads) for b in blocks], _merge_ranges, "x")
    axis = _first_pass(delayed(_axis, pure=True)(spec, r, "x", _dtype_of(x)), compute, x)
    counts = tree([delayed(_chunk_bin_counts, pure=True)(b, axis, threads) for b in blocks], add_tables, "x")
    return finish(delayed(_entropy_of_counts, pure=True)(counts, base), compute)
