"""Plug-in estimates over chunked samples: a range pass, one native
histogram per chunk, its counts combined over the chunks (dense integer
tables summed, or the occupied cells merged), the plug-in sum once."""
from __future__ import annotations

import functools
import math
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

from .. import _native, _plugin
from .._plugin import _MAX_CODE
from .._validation import as_samples, check_base, check_choice, check_uniform_edges
from .._validation import bin_dtype, interruptible, narrow_axis, resolve_bins, to_array
from .._validation import missing_label_message, missing_label_name, missing_labels, nonfinite_message
from ._graph import add_tables, align, aligned_blocks, as_block, blocks_of, check_compute, finish, is_dask
from ._graph import require_dask, sample_collection
from ._graph import held, local, task_threads, tree

# The first non-finite value of a column of floats, or missing value (None, NaN, NaT,
# pandas.NA) of a column of object labels, in a chunk or in consecutive chunks merged:
# (its row, counted from the first row of the part; how the message names it ("NaN",
# "infinity", "None", ...); the column's non-finite or missing values in the part;
# whether they are missing object labels), None when it has none. The range pass and
# the label counts report them instead of raising, so that the error is the in-memory
# one for the whole x: its first row in the whole x, its count.
_Bad = Optional[Tuple[int, str, int, bool]]
# (min, max, non-finite values, samples, dtype of the samples as to_array reads them) of
# a chunk, or of several merged; None for an empty chunk
_Range = Optional[Tuple[float, float, _Bad, int, Optional[np.dtype[Any]]]]
_Axis = Tuple[int, Optional[npt.NDArray[np.float64]], float, float]
# the occupied cells of a count table (row-major cell numbers, ascending) and their counts
_Cells = Tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]

# A table of more cells than this (8 MiB of int64) is counted sparsely: each
# chunk's occupied cells with their counts, merged by a tree (memory per task:
# the occupied cells of the parts it merges, never the table).
_DENSE_CELLS = 1 << 20


def _samples(block: Any, name: str) -> tuple[Optional[np.dtype[Any]], npt.NDArray[np.float64]]:
    """(the dtype to_array reads the chunk in, None when empty; the chunk as float64
    samples), checked as fastmi checks x: pandas chunks read as the in-memory call reads
    a Series (nullable and pyarrow numbers as their numpy dtype)."""
    arr = to_array(block, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (n,); got a {arr.ndim}-D block of shape {arr.shape}")
    if arr.shape[0] == 0:
        return None, np.empty(0, dtype=np.float64)
    return arr.dtype, as_samples(arr, name, max_ndim=1)


def _first_nonfinite(column: npt.NDArray[Any]) -> _Bad:
    """What check_finite (float labels) or check_missing_labels (object labels) reports
    of a column of labels: its first non-finite or missing value's row and name, and the
    number of them."""
    if column.dtype.kind == "O":
        missing = missing_labels(column)
        if missing is None or not missing.any():
            return None
        row = int(np.flatnonzero(missing)[0])
        return row, missing_label_name(column[row]), int(missing.sum()), True
    if column.dtype.kind != "f":
        return None
    bad = ~np.isfinite(column)
    if not bad.any():
        return None
    row = int(np.flatnonzero(bad)[0])
    return row, "NaN" if np.isnan(column[row]) else "infinity", int(bad.sum()), False


def _merge_bad(first: _Bad, bad: _Bad, offset: int) -> _Bad:
    """The _Bad of the rows before a part (``first``) and of the part (``bad``, its rows
    counted from the part's first row, row ``offset`` of the whole): the first one's row,
    and the counts added."""
    if bad is None:
        return first
    if first is None:
        return offset + bad[0], bad[1], bad[2], bad[3]
    return first[0], first[1], first[2] + bad[2], first[3]


def _chunk_range(block: Any, name: str, threads: int) -> _Range:
    dtype, a = _samples(block, name)
    if a.shape[0] == 0:
        return None
    lo, hi, bad = _range_of(a, threads)
    return lo, hi, bad, int(a.shape[0]), dtype


def _range_of(a: npt.NDArray[np.float64], threads: int) -> tuple[float, float, _Bad]:
    """(min, max, non-finite values) of the non-empty contiguous samples `a` (NaN
    ends when they are not all finite: their first row is looked for then only)."""
    lo, hi, finite = _native.finite_range(a, threads, interruptible())
    if finite:
        return float(lo), float(hi), None
    return math.nan, math.nan, _first_nonfinite(a)


def _range_row(r: tuple[float, float, _Bad]) -> list[float]:
    """(min, max, non-finite values) as the floats of a row of the blockwise range
    pass: min, max, the first non-finite row (-1: none), 1.0 where it is NaN, count."""
    lo, hi, bad = r
    return [lo, hi, -1.0, 0.0, 0.0] if bad is None else [lo, hi, float(bad[0]), float(bad[1] == "NaN"),
                                                          float(bad[2])]


_EMPTY_ROW = (math.nan, math.nan, -1.0, 0.0, 0.0)  # _range_row of an empty chunk


def _first_fault(parts: Sequence[tuple[_Bad, int]]) -> _Bad:
    """The non-finite values of consecutive parts (their own, and their samples), in
    row order: the first one's row counted from the first part's first row."""
    first: _Bad = None
    m = 0
    for bad, samples in parts:
        first = _merge_bad(first, bad, m)
        m += samples
    return first


def _refuse_nonfinite(faults: Sequence[_Bad], name: str, two_d: bool = False) -> None:
    """The in-memory error (finite_range's: check_finite's) of the samples `name`,
    whose columns hold the non-finite values `faults` (rows of the whole samples): the
    first row holding one, and its first column where the samples are 2-D."""
    found = [(f[0], c, f[1]) for c, f in enumerate(faults) if f is not None]
    if not found:
        return
    row, col, what = min(found)
    count = sum(f[2] for f in faults if f is not None)
    raise ValueError(nonfinite_message(name, row, col if two_d else None, what == "NaN", count))


def _merge_dtypes(*dtypes: Optional[np.dtype[Any]]) -> Optional[np.dtype[Any]]:
    """The dtype of the chunks' samples together, as numpy stacks them (None: no sample)."""
    live = [d for d in dtypes if d is not None]
    return np.result_type(*live) if live else None


def _merge_ranges(*parts: _Range) -> _Range:
    live = [p for p in parts if p is not None]
    if not live:
        return None
    return (min(p[0] for p in live), max(p[1] for p in live), _first_fault([(p[2], p[3]) for p in live]),
            sum(p[3] for p in live), _merge_dtypes(*(p[4] for p in live)))


def _axis(spec: tuple[int, Any], r: _Range, name: str, dtype: Any = None) -> _Axis:
    """numpy.histogram's axis over the global range (fastmi's binned_axes; ``dtype``
    the samples' own where narrower than float64: see _validation.narrow_axis)."""
    assert r is not None
    nb, edges = spec
    lo, hi = r[0], r[1]
    if edges is None:
        check_uniform_edges(lo, hi, nb, name)
    return narrow_axis((nb, edges, lo, hi), dtype)


def _joint_axes(rx: _Range, ry: _Range, specs: Any, dtype: Any = None) -> tuple[_Axis, _Axis]:
    """The axes of the joint histogram, refusing what the in-memory call refuses, in its
    order: an empty x, an empty y, different lengths, non-finite x, non-finite y, a range
    too wide (x, then y). ``dtype``: the samples' bin_dtype (see _dtype_of)."""
    for r, name in ((rx, "x"), (ry, "y")):
        if r is None:
            raise ValueError(f"{name} is empty: at least one sample is needed")
    assert rx is not None and ry is not None
    if rx[3] != ry[3]:
        raise ValueError(f"x and y must have the same number of samples; got {rx[3]} and {ry[3]}")
    _refuse_nonfinite([rx[2]], "x")
    _refuse_nonfinite([ry[2]], "y")
    return _axis(specs[0], rx, "x", dtype), _axis(specs[1], ry, "y", dtype)


def _joint_axes_of_ranges(rx: _Range, ry: _Range, specs: Any) -> tuple[_Axis, _Axis]:
    """_joint_axes, the samples' dtype the one their chunks reported (as to_array read
    them, as the in-memory call reads the whole x and y)."""
    dtypes = [r[4] for r in (rx, ry) if r is not None and r[4] is not None]
    return _joint_axes(rx, ry, specs, bin_dtype(*dtypes) if dtypes else None)


def _dtype_of(*arrays: Any) -> Any:
    """bin_dtype of dask arrays' dtypes (numpy dtypes, known before any chunk is read)."""
    return bin_dtype(*(np.dtype(a.dtype) for a in arrays))


def _chunk_pair(xb: Any, yb: Any) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    x, y = _samples(xb, "x")[1], _samples(yb, "y")[1]
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same number of samples; chunks of {x.shape[0]} and {y.shape[0]}")
    return x, y


def _chunk_joint(xb: Any, yb: Any, axes: tuple[_Axis, _Axis], threads: int) -> npt.NDArray[np.int64]:
    """The joint count table of one chunk (numpy.histogram2d's, int64)."""
    ax, ay = local(axes)
    x, y = _chunk_pair(xb, yb)
    if x.shape[0] == 0:
        return np.zeros((ax[0], ay[0]), dtype=np.int64)
    layout = _native.TableLayout.dense
    return _native.histogram2d(x, y, ax, ay, layout, threads, interruptible())


def _run_starts(values: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """Where each run of equal values of the sorted, non-empty `values` starts."""
    first = np.empty(values.shape[0], dtype=bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return np.flatnonzero(first)


def _cells_of_codes(codes: npt.NDArray[np.int64]) -> _Cells:
    """The occupied cells of histogram_codes' codes (-1, outside the edges, left out),
    ascending, with their counts: the codes (a fresh array) sorted in place, no copy
    unless some are -1."""
    kept = codes[codes >= 0] if bool((codes < 0).any()) else codes
    if kept.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    kept.sort()
    starts = _run_starts(kept)
    counts = np.diff(np.append(starts, kept.shape[0])).astype(np.int64, copy=False)
    return kept[starts].astype(np.int64, copy=False), counts


def _chunk_cells(xb: Any, yb: Any, axes: tuple[_Axis, _Axis], threads: int) -> _Cells:
    """The occupied cells of one chunk's joint table (numpy.histogram2d's bins),
    row-major, with their counts: O(chunk) memory (the chunk pair's samples as
    one (m, 2) float64 array and one int64 code per sample), whatever the number
    of cells."""
    ax, ay = local(axes)
    x, y = _chunk_pair(xb, yb)
    if x.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes = _native.histogram_codes(np.column_stack([x, y]), [ax, ay], threads, interruptible())
    return _cells_of_codes(codes)


def _unwrap(part: Any) -> Any:
    """A blockwise task's result (an object array holding one value) as that value."""
    if isinstance(part, np.ndarray) and part.dtype == object:
        return part.reshape(-1)[0]
    return part


def _merge_cells(*parts: Any) -> _Cells:
    """The occupied cells of the sum of the tables given by their occupied cells
    (exact, in any order); memory: the parts' cells."""
    live = [_unwrap(p) for p in parts]
    cells = np.concatenate([p[0] for p in live])
    counts = np.concatenate([p[1] for p in live])
    if cells.shape[0] == 0:
        return cells, counts
    order = np.argsort(cells, kind="stable")
    cells, counts = cells[order], counts[order]
    starts = _run_starts(cells)
    return cells[starts], np.add.reduceat(counts, starts)


def _sum_tables(*parts: Any) -> npt.NDArray[np.int64]:
    return add_tables(*[_unwrap(p) for p in parts])


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


def _in_base(bits: float, base: float) -> float:
    """discrete_mi's result from the plug-in sum in bits (its clipping, its base)."""
    mi = max(0.0, bits)
    return mi if base == 2.0 else mi * (math.log(2.0) / math.log(base))


def _mi_of_table(table: npt.NDArray[np.int64], base: float) -> float:
    """discrete_mi's result from the summed table (its plug-in sum, its clipping)."""
    table = table.reshape(table.shape[-2:])  # the blockwise tables have a leading axis of 1
    if int(table.sum()) == 0:
        raise ValueError("no sample falls inside the bin edges")
    return _in_base(float(_native.table_mi_bits(local(np.ascontiguousarray(table)))), base)


def _mi_of_cells(merged: _Cells, ny: int, base: float) -> float:
    """discrete_mi's result from the merged occupied cells of a table of `ny` columns:
    the native sparse plug-in sum, the in-memory call's own (its terms and their order,
    hence its bits), in O(occupied cells) memory."""
    cells, counts = local(_unwrap(merged))  # one chunk: its own blockwise result
    if cells.shape[0] == 0:
        raise ValueError("no sample falls inside the bin edges")
    nrows = int(cells[-1]) // ny + 1
    return _in_base(_native.sparse_table_mi_bits(cells, counts, nrows, ny), base)


def _block_ranges(*blocks: Any, threads: int) -> npt.NDArray[np.float64]:
    """One row [the _range_row of each block in turn, samples] of the chunks of
    one row range (_EMPTY_ROW and 0 samples when empty), for the blockwise range
    pass."""
    ranges = [_chunk_range(b, name, threads) for b, name in zip(blocks, "xy")]
    counts = [0 if r is None else r[3] for r in ranges]
    if len(set(counts)) > 1:
        raise ValueError(f"x and y must have the same number of samples; chunks of {counts[0]} and {counts[1]}")
    ends = [v for r in ranges for v in (_EMPTY_ROW if r is None else _range_row(r[:3]))]
    return np.array([ends + [float(counts[0])]])


def _ranges_of_rows(rows: npt.NDArray[np.float64]) -> list[_Range]:
    """The global range of each variable from the rows of _block_ranges (or
    _block_column_ranges), in row order: a _range_row per variable, then samples."""
    live = rows[rows[:, -1] > 0]
    k = (rows.shape[1] - 1) // 5
    if live.shape[0] == 0:
        return [None] * k
    samples = [int(m) for m in live[:, -1]]
    count = sum(samples)
    out: list[_Range] = []
    for v in range(k):
        faults: list[_Bad] = [None if f[2] == 0 else (int(f[0]), "NaN" if f[1] else "infinity", int(f[2]), False)
                              for f in live[:, 5 * v + 2:5 * v + 5]]
        out.append((float(live[:, 5 * v].min()), float(live[:, 5 * v + 1].max()),
                    _first_fault(list(zip(faults, samples))), count, None))
    return out


def _joint_axes_of_rows(rows: npt.NDArray[np.float64], specs: Any) -> tuple[_Axis, _Axis]:
    """specs: (the two bin specs, the samples' bin_dtype)."""
    rx, ry = _ranges_of_rows(rows)
    return _joint_axes(rx, ry, specs[0], specs[1])


def _block_table(xb: Any, yb: Any, axes: tuple[_Axis, _Axis], threads: int) -> npt.NDArray[np.int64]:
    return _chunk_joint(xb, yb, axes, threads)[np.newaxis]


def _wrap(value: Any, ndim: int) -> npt.NDArray[Any]:
    """`value` as the one element of an object array of `ndim` dimensions (a
    blockwise task's result that is not a table of a fixed shape)."""
    out = np.empty((1,) * ndim, dtype=object)
    out.reshape(-1)[0] = value
    return out


def _block_cells(xb: Any, yb: Any, axes: tuple[_Axis, _Axis], threads: int) -> npt.NDArray[Any]:
    return _wrap(_chunk_cells(xb, yb, axes, threads), 1)


def _blockwise_axes(arrays: tuple[Any, ...], ranges: Callable[..., Any], axes_of_rows: Any, specs: Any,
                    threads: int, compute: bool) -> Any:
    """The axes (Delayed, or computed: see _first_pass) of the dask arrays
    `arrays` (of the same row chunks), from a blockwise range pass: `ranges`
    maps the chunks of one row range to one row of floats, 5 * k + 1 wide."""
    import dask.array as da
    from dask.delayed import delayed

    nb = len(arrays[0].chunks[0])
    k = len(arrays) if arrays[0].ndim == 1 else arrays[0].shape[1]
    # keys named after the functions (no token=: dask 2024 deprecated it for name=, which
    # fixes the whole key, and later releases took it back)
    rows = da.map_blocks(ranges, *arrays, threads=threads, new_axis=1 if arrays[0].ndim == 1 else None,
                         chunks=((1,) * nb, (5 * k + 1,)), dtype=np.float64)
    return _first_pass(delayed(axes_of_rows, pure=True)(rows, specs), compute, *arrays)


def _blockwise_table(arrays: tuple[Any, Any], specs: Any, shape: tuple[int, int], threads: int,
                     compute: bool) -> Any:
    """The summed joint count table (Delayed) of the dask arrays x, y of the
    same chunks, as blockwise passes: dask fuses the tasks that make a chunk
    blockwise (``from_zarr``, ``from_array``, ``map_blocks``, elementwise
    steps) into the task that reads it, so the chunks are made, read and freed
    inside one task: no chunk waits in a worker's memory or moves to another
    worker. A table of more than _DENSE_CELLS cells: the merged occupied cells."""
    import dask.array as da

    nb = len(arrays[0].chunks[0])
    axes = _blockwise_axes(arrays, _block_ranges, _joint_axes_of_rows, specs, threads, compute)
    x, y = arrays
    if shape[0] * shape[1] > _DENSE_CELLS:
        cells = da.map_blocks(_block_cells, x, y, axes, threads, chunks=((1,) * nb,), dtype=object,
                              meta=np.empty(0, dtype=object))
        return tree(list(cells.to_delayed().ravel()), _merge_cells, "x")
    tables = da.map_blocks(_block_table, x, y, axes, threads, new_axis=[1, 2], chunks=((1,) * nb,) + tuple(
        (m,) for m in shape), dtype=np.int64)
    # summed in place by a tree (no task holds more than SPLIT_EVERY tables and their sum)
    return tree(list(tables.to_delayed().ravel()), add_tables, "x")


def discrete_mi(x: Any, y: Any, bins: Any = 10, *, base: float = 2, n_jobs: Optional[int] = None,
                compute: bool = True) -> Any:
    """:func:`fastmi.discrete_mi` of chunked samples, in bits, bit for bit.

    A first pass finds each variable's minimum and maximum (numpy's uniform
    edges need them); then each chunk's joint histogram is counted natively
    where the chunk lives, the integer counts are combined (exactly, in any
    order), and the plug-in sum runs once on the combined table, with the
    operations of the in-memory call in its order: the result is the same
    float.

    Parameters
    ----------
    x, y : dask array (1-D) or dask Series, or array_like
        Samples of the two variables, split alike (arrays of different
        chunks are rechunked to x's; Series need the same partitions of the
        same lengths). Empty chunks are allowed.
    bins : int, [int, int], array of edges, or [array, array], default 10
        As for :func:`fastmi.discrete_mi` (at most 2**28 bins on one axis;
        the cells are not limited).
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
    memory between the passes. With ``compute=False`` the two passes form
    one graph and the chunks are kept between them.

    A table of at most 2**20 cells (``bins[0] * bins[1]``) is counted dense:
    memory per task is its chunk plus one int64 table of that many cells,
    summed by a tree. A larger table is never allocated: each chunk's
    occupied cells are counted with their counts (memory per task: its chunk
    and O(chunk) more, about three words per sample: the chunk pair as one
    float64 array of two columns and one int64 cell number per sample, sorted
    in place), merged by a tree (memory per task: the occupied cells of the
    parts it merges, O(occupied cells)), and the plug-in sum runs over the
    occupied cells, as the in-memory call sums them.

    NaN and infinity are refused with the in-memory message (the first of x
    and y holding one; the row of its first NaN or infinite value in the
    whole variable, that value's kind, their count), whichever chunk holds
    them.
    """
    require_dask()
    import dask.array as da
    from dask.delayed import delayed

    base = check_base(base)
    compute = check_compute(compute)
    threads = task_threads(n_jobs)
    specs = resolve_bins(bins, dense=False)  # the cells are not limited: a large table is counted sparsely
    (nx, _), (ny, _) = specs
    sparse = nx * ny > _DENSE_CELLS
    x, y = align(x, y)
    if isinstance(x, da.Array) and isinstance(y, da.Array) and x.chunks == y.chunks:
        total = _blockwise_table((x, y), (specs, _dtype_of(x, y)), (nx, ny), threads, compute)
    else:
        bx, by = aligned_blocks(x, y)
        rx = tree([delayed(_chunk_range, pure=True)(b, "x", threads) for b in bx], _merge_ranges, "x")
        ry = tree([delayed(_chunk_range, pure=True)(b, "y", threads) for b in by], _merge_ranges, "y")
        axes = _first_pass(delayed(_joint_axes_of_ranges, pure=True)(rx, ry, specs), compute, x, y)
        count = _chunk_cells if sparse else _chunk_joint
        tables = [delayed(count, pure=True)(a, b, axes, threads) for a, b in zip(bx, by)]
        total = tree(tables, _merge_cells if sparse else add_tables, "x")
    if sparse:
        return finish(delayed(_mi_of_cells, pure=True)(total, ny, base), compute)
    return finish(delayed(_mi_of_table, pure=True)(total, base), compute)


# --------------------------------------------------------------------------- entropy


def _sample_shape(shape: tuple[Any, ...]) -> None:
    """fastmi.entropy's checks of the shape of x (as_samples'): 1-D or 2-D, not empty."""
    if len(shape) == 0:
        raise ValueError("x must be a 1-D or 2-D array of samples, got a scalar")
    if len(shape) > 2:
        raise ValueError(f"x must be 1-D (n,) or 2-D (n, d); got a {len(shape)}-D array of shape {shape}")
    _rows_and_columns(shape)


def _label_shape(shape: tuple[Any, ...]) -> None:
    """fastmi.entropy's checks of the shape of labels (label_codes'): 1-D or 2-D, not empty."""
    if len(shape) not in (1, 2):
        raise ValueError(f"x must be 1-D (n,) or 2-D (n, d); got a {len(shape)}-D array of shape {shape}")
    _rows_and_columns(shape)


def _rows_and_columns(shape: tuple[Any, ...]) -> None:
    if shape[0] == 0:  # a length dask does not know (NaN) is checked when the chunks are counted
        raise ValueError("x is empty: at least one sample is needed")
    if len(shape) == 2 and shape[1] == 0:
        raise ValueError(f"x has shape {shape}: at least one column is needed")


def _is_frame(x: Any) -> bool:
    """Whether `x` is a dask DataFrame (columns of samples: a 2-D x)."""
    return is_dask(x) and getattr(x, "ndim", 1) == 2 and hasattr(x, "columns") and hasattr(x, "to_delayed")


def _refuse_no_column(rows: Any) -> float:
    """The in-memory error of x of shape (rows, 0): empty, else no column."""
    _rows_and_columns((int(rows), 0))
    raise AssertionError("a shape (n, 0) is always refused")  # pragma: no cover


def _columnless(x: Any) -> Any:
    """For a dask DataFrame of no column, the in-memory call's error, as a Delayed that
    raises it when computed (its rows, which the message gives, are counted then);
    None for any other x."""
    if not (_is_frame(x) and len(x.columns) == 0):
        return None
    from dask.delayed import delayed

    return delayed(_refuse_no_column, pure=True)(x.index.size)


def _entropy_samples(x: Any) -> tuple[Any, int]:
    """(x as a collection of samples, its number of columns d): a dask array of
    shape (n,) or (n, d), its columns rechunked into one chunk (each task counts
    whole rows); a dask Series (d = 1) or DataFrame; anything else as one chunk,
    checked as fastmi.entropy checks it."""
    import dask.array as da

    if not is_dask(x):
        arr = to_array(x, "x")  # the in-memory checks: non-numbers (None, text) are a TypeError
        _sample_shape(arr.shape)
        x = da.from_array(arr, chunks=arr.shape)
    elif isinstance(x, da.Array):
        # dtype before shape, as in memory
        if x.dtype.kind not in "biuf":
            raise TypeError(f"x must hold real numbers (bool, int or float); got dtype {x.dtype}")
        _sample_shape(x.shape)
    elif _is_frame(x):
        return x, len(x.columns)
    else:
        return sample_collection(x, "x"), 1
    if x.ndim == 1:
        return x, 1
    return x.rechunk({1: -1}), int(x.shape[1])


def _columns(block: Any) -> tuple[Optional[np.dtype[Any]], npt.NDArray[np.float64]]:
    """(the dtype to_array reads the chunk in, None when empty; the chunk (1-D or 2-D;
    numpy or pandas) as float64 samples of shape (m, d), C-contiguous), checked as
    fastmi.entropy checks x and read as it reads x (a pandas chunk's nullable and
    pyarrow columns as their numpy dtypes, promoted together)."""
    shape = getattr(block, "shape", None)
    if shape is not None and len(shape) in (1, 2) and shape[0] == 0:
        return None, np.empty((0, 1 if len(shape) == 1 else shape[1]), dtype=np.float64)
    arr = to_array(block, "x")
    a = as_samples(arr, "x")
    return arr.dtype, a.reshape(a.shape[0], -1)


def _column_label(c: int, d: int) -> str:
    """The name fastmi.entropy's binned path gives column c of d (binned_codes')."""
    return "x" if d == 1 else f"x[:, {c}]"


def _column_ranges(block: Any, threads: int) -> tuple[npt.NDArray[np.float64], Optional[np.dtype[Any]]]:
    """(one row [the _range_row of each column in turn, samples] of one chunk
    (_EMPTY_ROW and 0 samples when empty), the chunk's dtype as _columns reads it)."""
    dtype, data = _columns(block)
    m, d = data.shape
    ends: list[float] = []
    for c in range(d):
        if m == 0:
            ends += _EMPTY_ROW
            continue
        ends += _range_row(_range_of(np.ascontiguousarray(data[:, c]), threads))
    return np.array([ends + [float(m)]]), dtype


def _block_column_ranges(block: Any, threads: int) -> npt.NDArray[np.float64]:
    """The row of _column_ranges, for the blockwise range pass (the dtype is the dask array's)."""
    return _column_ranges(block, threads)[0]


def _stack_ranges(*parts: tuple[npt.NDArray[np.float64], Optional[np.dtype[Any]]]
                  ) -> tuple[npt.NDArray[np.float64], Optional[np.dtype[Any]]]:
    """The rows of _column_ranges of several chunks, and their dtypes merged."""
    return np.concatenate([p[0] for p in parts]), _merge_dtypes(*(p[1] for p in parts))


def _axes_of_columns(rows: npt.NDArray[np.float64], specs: Any, dtype: Any, two_d: bool) -> tuple[_Axis, ...]:
    """The axes of the histogram of x's columns over their global ranges, as
    fastmi.entropy forms them (binned_codes: column by column, its non-finite
    values refused (named in the whole x, a column too where ``two_d``), then its
    uniform edges), ``dtype`` the samples' bin_dtype."""
    ranges = _ranges_of_rows(rows)
    if ranges[0] is None:
        raise ValueError("x is empty: at least one sample is needed")
    d = len(specs)
    axes = []
    cells = 1
    for c, ((nb, edges), r) in enumerate(zip(specs, ranges)):
        assert r is not None
        if r[2] is not None:
            _refuse_nonfinite([None if q is None else q[2] for q in ranges], "x", two_d)
        if edges is None:
            check_uniform_edges(r[0], r[1], nb, _column_label(c, d))
        axes.append(narrow_axis((nb, edges, r[0], r[1]), dtype))
        cells *= nb
    if cells > _MAX_CODE:
        raise ValueError(f"bins gives x a histogram of {cells} cells; at most 2**62 are allowed")
    return tuple(axes)


def _entropy_axes(rows: npt.NDArray[np.float64], spec: Any) -> tuple[_Axis, ...]:
    """_axes_of_columns of a dask array's rows; spec: (one bin spec per column, the
    array's bin_dtype, whether it is 2-D)."""
    return _axes_of_columns(rows, spec[0], spec[1], spec[2])


def _entropy_axes_of_parts(stacked: tuple[npt.NDArray[np.float64], Optional[np.dtype[Any]]],
                           specs: Any, two_d: bool) -> tuple[_Axis, ...]:
    """_axes_of_columns of a Series' or DataFrame's (``two_d``) partitions (_stack_ranges),
    binned in the dtype the partitions were read in, as the in-memory call reads the whole x."""
    rows, dtype = stacked
    return _axes_of_columns(rows, specs, None if dtype is None else bin_dtype(dtype), two_d)


def _chunk_bin_counts(block: Any, axes: tuple[_Axis, ...], cells: int, sparse: bool, threads: int) -> Any:
    """The histogram of one chunk's rows: its `cells` counts (int64), or with
    `sparse` its occupied cells and their counts."""
    axes = local(axes)
    data = _columns(block)[1]
    if data.shape[0] == 0:
        if sparse:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.zeros(cells, dtype=np.int64)
    if not sparse and len(axes) == 1:
        # the joint table of (x, x) on x's axis and one bin holding every sample (the
        # global range; as two explicit edges where its width overflows: uniform bins
        # need a finite width) is x's bin counts, counted with no array per sample
        x, ax = data.reshape(-1), axes[0]
        lo, hi = ax[2], ax[3]
        whole = (1, None, lo, hi) if math.isfinite(hi - lo) else (1, np.array([lo, hi]), lo, hi)
        return _native.histogram2d(x, x, ax, whole, _native.TableLayout.dense, threads, interruptible()).reshape(-1)
    codes = _native.histogram_codes(data, list(axes), threads, interruptible())
    if sparse:
        return _cells_of_codes(codes)
    kept = codes[codes >= 0] if bool((codes < 0).any()) else codes
    return np.bincount(kept, minlength=cells).astype(np.int64, copy=False)


def _block_bin_counts(block: Any, axes: tuple[_Axis, ...], cells: int, sparse: bool,
                      threads: int) -> npt.NDArray[Any]:
    return _wrap(_chunk_bin_counts(block, axes, cells, sparse, threads), np.ndim(block))


def _entropy_of_counts(counts: npt.NDArray[np.int64], base: float, miller_madow: bool = False) -> float:
    """fastmi.entropy's plug-in sum over the occupied cells, in cell order (the
    in-memory function's own: _plugin.entropy_of_counts), with ``miller_madow``
    plus (occupied - 1) / (2 total) nats, added in nats before the change of base
    as fastmi.entropy adds it (the same operations: the same bits)."""
    kept = counts[counts > 0]
    total = int(kept.sum())
    if total == 0:
        raise ValueError("no sample falls inside the bin edges")
    h = _plugin.entropy_of_counts(kept, total)
    if miller_madow:
        h = _plugin.miller_madow_nats(h, int(kept.shape[0]), total)
    return h / math.log(base)


def _entropy_of_histogram(total: Any, sparse: bool, base: float, miller_madow: bool) -> float:
    """The entropy from the combined counts: a dense table, or the occupied cells (ascending)."""
    total = local(_unwrap(total))  # one chunk: its own blockwise result
    return _entropy_of_counts(total[1] if sparse else total, base, miller_madow)


def _binned_entropy(x: Any, bins: Any, base: float, threads: int, compute: bool, miller_madow: bool) -> Any:
    import dask.array as da
    from dask.delayed import delayed

    x, d = _entropy_samples(x)
    specs = _plugin.histogramdd_axes(bins, d)
    cells = math.prod(nb for nb, _ in specs)
    sparse = cells > _DENSE_CELLS
    if isinstance(x, da.Array):
        # blockwise (see _blockwise_table): each chunk made, counted and freed in one task
        nb = len(x.chunks[0])
        spec = (specs, _dtype_of(x), x.ndim == 2)
        axes = _blockwise_axes((x,), _block_column_ranges, _entropy_axes, spec, threads, compute)
        parts = da.map_blocks(_block_bin_counts, x, axes, cells, sparse, threads,
                              chunks=((1,) * nb,) + ((1,),) * (x.ndim - 1), dtype=object,
                              meta=np.empty((0,) * x.ndim, dtype=object))
        blocks = list(parts.to_delayed().ravel())
    else:
        # a Series or DataFrame: each partition reports the dtype it is read in
        chunks = blocks_of(x)
        ranges = tree([delayed(_column_ranges, pure=True)(b, threads) for b in chunks], _stack_ranges, "x")
        axes = _first_pass(delayed(_entropy_axes_of_parts, pure=True)(ranges, specs, _is_frame(x)), compute, x)
        blocks = [delayed(_chunk_bin_counts, pure=True)(b, axes, cells, sparse, threads) for b in chunks]
    total = tree(blocks, _merge_cells if sparse else _sum_tables, "x")
    return finish(delayed(_entropy_of_histogram, pure=True)(total, sparse, base, miller_madow), compute)


# distinct rows of labels: one array of values per column (the i-th row's value in
# each), and each row's count; in numpy.unique's order of each column, row by row
_Rows = Tuple[List[npt.NDArray[Any]], npt.NDArray[np.int64]]
# the rows of labels of a chunk, or of consecutive chunks merged: their distinct rows
# and counts (none once a column holds a non-finite value: the call fails), the number
# of rows, and each column's _Bad
_Part = Tuple[List[npt.NDArray[Any]], npt.NDArray[np.int64], int, Tuple[_Bad, ...]]


def _check_labels(column: npt.NDArray[Any], label: str) -> None:
    """as_label_codes' check of the dtype of one column of labels (floats are checked
    for finiteness, objects for missing values, by _first_nonfinite, across the chunks)."""
    if column.dtype.kind not in "fbiuUSO":
        raise TypeError(f"{label} must hold labels (integers, strings, ...); got dtype {column.dtype}")


def _distinct_rows(columns: Sequence[npt.NDArray[Any]], counts: npt.NDArray[np.int64],
                   labels: Sequence[str]) -> _Rows:
    """The distinct rows of the columns (rows counted `counts` times), in the
    order of fastmi.entropy's joint codes: by the first column's value in
    numpy.unique's order, then the second's, ... ; the counts summed."""
    m = counts.shape[0]
    if m == 0:
        return [c[:0] for c in columns], counts
    ranks = []
    for column, label in zip(columns, labels):
        try:
            inverse = np.unique(column, return_inverse=True)[1]
        except TypeError as exc:
            raise ValueError(f"{label} holds labels that cannot be compared with each other: {exc}") from None
        ranks.append(inverse.reshape(-1))
    order = np.lexsort(ranks[::-1])  # the last key sorts first
    first = np.zeros(m, dtype=bool)
    first[0] = True
    for r in ranks:
        s = r[order]
        first[1:] |= s[1:] != s[:-1]
    starts = np.flatnonzero(first)
    keep = order[starts]
    return [c[keep] for c in columns], np.add.reduceat(counts[order], starts)


def _chunk_rows(block: Any, labels: tuple[str, ...]) -> _Part:
    """The distinct rows of labels of one chunk, with their counts (none where a column
    holds a non-finite value: that is reported instead, for the whole x's message)."""
    arr = as_block(block)
    columns = [arr.reshape(-1)] if arr.ndim == 1 else [np.ascontiguousarray(arr[:, c]) for c in range(arr.shape[1])]
    for column, label in zip(columns, labels):
        _check_labels(column, label)
    m = int(arr.shape[0])
    bad = tuple(_first_nonfinite(column) for column in columns)
    if any(b is not None for b in bad):
        return [c[:0] for c in columns], np.zeros(0, dtype=np.int64), m, bad
    rows, counts = _distinct_rows(columns, np.ones(m, dtype=np.int64), labels)
    return rows, counts, m, bad


def _merge_rows(labels: tuple[str, ...], *parts: _Part) -> _Part:
    """The distinct rows of several consecutive parts' (exact; memory: the parts'
    distinct rows); their non-finite values, each column's first one's row counted
    from the first part's first row (the parts come in row order)."""
    m = 0
    bad: list[_Bad] = [None] * len(labels)
    for part in parts:
        for c, b in enumerate(part[3]):
            bad[c] = _merge_bad(bad[c], b, m)
        m += part[2]
    if any(b is not None for b in bad):
        return [c[:0] for c in parts[0][0]], np.zeros(0, dtype=np.int64), m, tuple(bad)
    columns = [np.concatenate([p[0][c] for p in parts]) for c in range(len(labels))]
    counts = np.concatenate([p[1] for p in parts])
    rows, counts = _distinct_rows(columns, counts, labels)
    return rows, counts, m, tuple(bad)


def _label_blocks(x: Any) -> tuple[list[Any], tuple[str, ...]]:
    """(the blocks of x, whole rows each, in row order; the names fastmi.entropy gives
    its columns) for labels of any dtype numpy.unique sorts: a dask array of shape
    (n,) or (n, d), a dask Series or DataFrame, or an array (one block)."""
    import dask.array as da

    if not is_dask(x):
        x = x.to_numpy() if hasattr(x, "to_numpy") and not isinstance(x, np.ndarray) else np.asarray(x)
        _label_shape(x.shape)
        x = da.from_array(x, chunks=-1)
    if isinstance(x, da.Array):
        _label_shape(x.shape)
        if x.ndim == 1:
            return list(x.to_delayed().ravel()), ("x",)
        x = x.rechunk({1: -1})
        return list(x.to_delayed().ravel()), tuple(f"x[:, {c}]" for c in range(int(x.shape[1])))
    if _is_frame(x):
        return list(x.to_delayed()), tuple(f"x[:, {c}]" for c in range(len(x.columns)))
    return blocks_of(sample_collection(x, "x")), ("x",)


def _entropy_of_rows(merged: _Part, labels: tuple[str, ...], base: float) -> float:
    """The entropy of the merged distinct rows; or the in-memory call's error (label_codes':
    the first column holding a non-finite value, its first row in the whole x)."""
    _, counts, m, bad = merged
    if m == 0:
        raise ValueError("x is empty: at least one sample is needed")
    for label, b in zip(labels, bad):
        if b is not None:
            row, what, total, missing = b
            if missing:
                raise ValueError(missing_label_message(label, row, what, total))
            raise ValueError(nonfinite_message(label, row, None, what == "NaN", total))
    return _entropy_of_counts(counts, base)


def _discrete_entropy(x: Any, base: float, compute: bool) -> Any:
    from dask.delayed import delayed

    blocks, labels = _label_blocks(x)
    parts = [delayed(_chunk_rows, pure=True)(b, labels) for b in blocks]
    merged = tree(parts, functools.partial(_merge_rows, labels), "x")  # in row order: rows named globally
    return finish(delayed(_entropy_of_rows, pure=True)(merged, labels, base), compute)


# methods of fastmi.entropy that need all the samples in one process
_NOT_SPLIT = {
    "kl": "the Kozachenko-Leonenko estimate searches each sample's k-th nearest neighbour among all the others",
}


def entropy(x: Any, *, method: str, bins: Any = 10, base: float = 2, n_jobs: Optional[int] = None,
            compute: bool = True) -> Any:
    """:func:`fastmi.entropy` of chunked samples (plug-in methods), bit for bit.

    Parameters
    ----------
    x : dask array of shape (n,) or (n, d), dask Series or DataFrame, or array_like
        Samples of the variable; rows of a 2-D x (a DataFrame's rows) are
        joint samples of a d-dimensional variable, as for
        :func:`fastmi.entropy`: its joint entropy. Chunks split the rows
        (a dask array's column chunks are merged into one); empty chunks
        are allowed.
    method : {"binned", "miller_madow", "discrete"}, keyword-only, required
        ``"binned"``: the plug-in entropy of ``numpy.histogramdd(x, bins)``'s
        cells (a range pass, then native bin counts per chunk, combined).
        ``"miller_madow"``: the binned estimate plus Miller's bias
        correction ``(m - 1) / (2n)`` nats, m the occupied cells and n the
        samples counted in them (both read from the combined counts).
        ``"discrete"``: of the distinct values (rows of a 2-D x; counts per
        chunk, merged). Required: :func:`fastmi.entropy`'s default,
        ``"kl"``, is not available here (it needs every sample in one
        process: ValueError), and a different default would return another
        estimate than the same call in memory.
    bins : int or sequence, keyword-only, default 10
        For ``"binned"`` and ``"miller_madow"``, as for
        :func:`fastmi.entropy` (a bin count for every column, or one count
        or array of edges per column).
    base : float, keyword-only, default 2
        Logarithm base of the result: 2 for bits, ``numpy.e`` for nats.
    n_jobs : int or None, keyword-only
        Threads of each chunk's native call (default 1).
    compute : bool, keyword-only, default True
        False returns a ``dask.delayed`` object instead of the number.

    Returns
    -------
    float or dask.delayed.Delayed
        The plug-in entropy (for ``"miller_madow"`` with the correction)
        in **bits** by default, in units of ``log(base)`` in general: the
        same float as ``fastmi.entropy(x, method=method, bins=bins,
        base=base)``.

    Raises
    ------
    ValueError
        Empty input, NaN or infinite values, invalid ``bins``, ``method``
        or ``base``, no sample inside explicit edges (``"binned"``,
        ``"miller_madow"``); ``method="kl"``.
    TypeError
        Non-numeric input (``"binned"``, ``"miller_madow"``), values that
        are not labels.

    Notes
    -----
    A histogram of at most 2**20 cells (the product of the bin counts) is
    counted dense per chunk (a 2-D x from one int64 cell number per row)
    and the tables summed; a larger one (up to 2**62 cells, as in memory)
    as each chunk's occupied cells, merged by a tree: memory per task is
    then its chunk plus O(chunk) (one int64 cell number per row, sorted in
    place, and a float64 copy of a chunk of another dtype or of a
    partition), or the occupied cells of the parts it merges, never the
    table. ``"discrete"`` merges each chunk's distinct rows the same way.
    ``"miller_madow"`` counts as ``"binned"`` does; its correction is added
    once, in nats, to the plug-in sum of the combined counts, before the
    result is converted to units of ``log(base)`` (bits for base 2), as
    in memory: the same float for every chunking.

    Errors are the in-memory call's, for the whole x: NaN and infinity
    name the row memory names, counted from x's first row (the chunks' rows
    are added up as their results are merged: no chunk length needs to be
    known): for ``"discrete"`` the first column holding one and its first
    such row, for ``"binned"`` and ``"miller_madow"`` the first row holding
    one in the whole x and, for a 2-D x, its column; the samples of a dask Series or DataFrame are
    binned in the dtype their partitions are read in, as in memory
    (nullable ``Float32`` columns: float32 edges).
    """
    require_dask()

    if isinstance(method, str) and method in _NOT_SPLIT:
        raise ValueError(
            f"fastmi.dask.entropy has no method={method!r}: {_NOT_SPLIT[method]}, so it needs all the samples "
            "in one process and is not split over chunks; use method='binned', 'miller_madow' or 'discrete', "
            "or fastmi.entropy on samples that fit in memory"
        )
    method = check_choice(method, "method", ("binned", "miller_madow", "discrete"))
    base = check_base(base)
    compute = check_compute(compute)
    threads = task_threads(n_jobs)
    refused = _columnless(x)
    if refused is not None:  # refused as in memory, before bins are read
        return finish(refused, compute)
    if method == "discrete":
        return _discrete_entropy(x, base, compute)
    return _binned_entropy(x, bins, base, threads, compute, method == "miller_madow")
