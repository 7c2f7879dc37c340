"""Every input check of fastmi's public functions.

Everything a user can pass is checked here, before any native code runs, and
refused with an exception that names the argument; what passes comes back in
the form the native code takes (float64 arrays, label codes, bin axes,
thread counts). The native code then only asserts invariants.
"""
from __future__ import annotations

import contextlib
import math
import numbers
import operator
import os
import sys
import threading
import warnings
from typing import Any, Hashable, Iterator, Optional, Sequence, TypeVar, cast

import numpy as np
import numpy.typing as npt

from . import _native
from ._typing import TieBreaking
from .exceptions import FeatureIndexError, InvalidParameterError

I64 = npt.NDArray[np.int64]
_T = TypeVar("_T")
# One histogram axis: (number of bins, explicit edges or None) ...
BinSpec = tuple[int, Optional[npt.NDArray[np.float64]]]
# ... and with the data's range: (nbins, edges or None, lo, hi), as the native code takes it.
Axis = tuple[int, Optional[npt.NDArray[np.float64]], float, float]

# Numeric kinds accepted as samples: bool, signed/unsigned int, float.
_NUMERIC_KINDS = "biuf"

# Refuse joint tables above this many cells (8 bytes each) before allocating.
# discrete_mi allocates a dense table only when it has at most a few cells
# per sample (else it keeps the occupied cells only, O(n) memory);
# histogram2d returns the dense table.
_MAX_CELLS = 1 << 28

# The native kernels take k as a C int.
MAX_NATIVE_INT = 2**31 - 1


# --------------------------------------------------------------------------- scalars


def check_int(value: object, name: str, *, minimum: int | None = None) -> int:
    """`value` as an int: an integer (Python or numpy), not a bool; at least `minimum` if given."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {number}")
    return number


def check_bool(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_k(k: object, n: int, name: str = "k", *, context: str = "") -> int:
    """``1 <= k < n``, the neighbour order of a KSG estimate on n samples."""
    order = check_int(k, name, minimum=1)
    if order >= n:
        raise ValueError(f"{name} must be smaller than the number of samples ({n}){context}, got {order}")
    if order > MAX_NATIVE_INT:
        raise ValueError(f"{name} must be at most 2**31 - 1, got {order}")
    return order


def check_choice(value: _T, name: str, choices: tuple[str, ...]) -> _T:
    """`value` itself, after checking that it is one of the strings `choices`."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be {' or '.join(repr(c) for c in choices)}, got {value!r}")
    return value


# --------------------------------------------------------------------------- threads


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def resolve_n_jobs(n_jobs: object) -> int:
    """Number of threads for the native core; 0 means OpenMP's default.

    None: OpenMP's default; -1: all cores; -2: all but one, and so on
    (joblib's rule: cores + 1 + n_jobs, at least 1); a positive integer: that
    many threads (capped at max(64, 4 x cores)). docs/user_guide/threads.rst
    tells users the same.
    """
    if n_jobs is None:
        return 0
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(f"n_jobs must be None or an integer, got {n_jobs!r}")
    threads = int(n_jobs)
    if threads == 0:
        raise ValueError(
            "n_jobs must be a positive integer (that many threads), a negative one (-1: all cores, "
            "-2: all but one, ...: cores + 1 + n_jobs, at least 1) or None; got 0"
        )
    if threads < 0:
        threads = max(1, _cpu_count() + 1 + threads)
    # More threads than this only adds overhead (and must fit a C int).
    threads = min(threads, max(64, 4 * _cpu_count()))
    if threads > 1 and not _native.has_openmp():
        warnings.warn(
            f"fastmi was built without OpenMP: n_jobs={threads} runs on one thread",
            RuntimeWarning,
            stacklevel=3,
        )
    return threads


def interruptible() -> bool:
    """Only the main thread can receive Ctrl-C, so only it polls for it."""
    return threading.current_thread() is threading.main_thread()


# --------------------------------------------------------------------------- samples


def aligned(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """`arr`, or an aligned copy when its data are not aligned for its dtype
    (np.frombuffer at an odd offset, buffers received over a network): the
    native code reads doubles and integers through typed pointers."""
    return arr if arr.flags.aligned else arr.copy(order="K")


def _pandas_column(s: Any) -> npt.NDArray[Any]:
    """A pandas Series as numpy: numpy dtypes as they are; the numeric extension dtypes
    (``Int64``, ``Float64``, ``boolean``, pyarrow numbers) as their numpy dtype, or as
    float64 with NaN for missing values (refused later by the finiteness checks, with the
    row); anything else (categorical, text) as pandas gives it (refused by dtype)."""
    dtype = s.dtype
    if isinstance(dtype, np.dtype):
        return np.asarray(s.to_numpy())
    kind = getattr(dtype, "kind", "O")
    numpy_dtype = getattr(dtype, "numpy_dtype", None)
    if kind in _NUMERIC_KINDS and isinstance(numpy_dtype, np.dtype):
        if bool(s.isna().any()):
            return np.asarray(s.to_numpy(dtype=np.float64, na_value=np.nan))
        return np.asarray(s.to_numpy(dtype=numpy_dtype))
    return np.asarray(s.to_numpy())


def _from_pandas(a: Any, exact: Optional[str] = None) -> Any:
    """A pandas Series or DataFrame as numpy. A DataFrame whose columns all have numpy
    dtypes converts at once (no copy for one float64 block); otherwise column by column
    (:func:`_pandas_column`), the dtypes promoted as numpy promotes them; a column that
    is not numeric is named in the TypeError. ``exact``: the argument's name, to refuse
    64-bit integers beyond 2**53 column by column (:func:`check_exact_integers`) before
    the columns are stacked, where an integer column beside a float one becomes float64."""
    if getattr(a, "ndim", 1) == 1:
        return _pandas_column(a)
    dtypes = list(a.dtypes)
    uniform = all(isinstance(d, np.dtype) for d in dtypes)
    if uniform and exact is None:
        return a.to_numpy()
    cols = [_pandas_column(a.iloc[:, j]) for j in range(a.shape[1])]
    for j, c in enumerate(cols):
        if c.dtype.kind not in _NUMERIC_KINDS:
            raise TypeError(
                f"column {a.columns[j]!r} must hold real numbers (bool, int or float); got dtype {dtypes[j]}"
            )
        if exact is not None:
            check_exact_integers(c, f"{exact} column {a.columns[j]!r}")
    if uniform or not cols:
        return a.to_numpy()  # numpy's own conversion: no copy where pandas holds one block
    return np.column_stack(cols)


def to_array(a: object, name: str, *, exact: bool = False) -> npt.NDArray[Any]:
    """`a` (array-like, pandas) as a numeric ndarray of its own dtype, aligned.
    ``exact``: refuse 64-bit integers beyond 2**53 in the columns of a DataFrame before
    they are stacked (see as_samples)."""
    if type(a).__module__.split(".")[0] == "pandas" and hasattr(a, "to_numpy"):  # Series, DataFrame
        try:
            a = _from_pandas(a, name if exact else None)
        except TypeError as exc:
            raise TypeError(f"{name}: {exc}") from None
    elif hasattr(a, "to_numpy") and not isinstance(a, np.ndarray):
        a = a.to_numpy()
    try:
        arr = np.asarray(a)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} could not be converted to a numeric array: {exc}") from None
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"{name} must hold real numbers (bool, int or float); got dtype {arr.dtype}"
        )
    return aligned(arr)


#: The largest integer magnitude below which float64 holds every integer exactly.
EXACT_INTEGERS = 2**53


def check_exact_integers(arr: npt.NDArray[Any], name: str) -> None:
    """Refuses 64-bit integers beyond 2**53 in magnitude for the nearest-neighbour
    estimators: float64 rounds them, so distinct values can become equal (ties that are
    not in the data) and distances change. (The binned and discrete estimators take them:
    numpy's histogram rounds them alike, and labels are compared exactly.)"""
    if arr.dtype.kind not in "iu" or arr.dtype.itemsize < 8 or arr.size == 0:
        return
    hi, lo = arr.max(), arr.min()
    if hi > EXACT_INTEGERS or lo < -EXACT_INTEGERS:
        worst = hi if hi > EXACT_INTEGERS else lo
        raise ValueError(
            f"{name} holds the integer {int(worst)}, beyond 2**53 in magnitude: float64, in which the "
            "nearest-neighbour estimators measure distances, cannot hold such integers exactly "
            "(distinct values would become ties). Subtract an offset first (e.g. x - x.min(), when the "
            "span is below 2**53), or use a discrete estimator"
        )


def as_samples(a: object, name: str, *, max_ndim: int = 2, exact: bool = False) -> npt.NDArray[np.float64]:
    """`a` as a float64 C-contiguous array of shape (n,) or (n, d).

    No copy is made when `a` is already float64 and C-contiguous. ``exact``: refuse
    64-bit integers that float64 cannot hold exactly (:func:`check_exact_integers`).
    """
    arr = to_array(a, name, exact=exact)
    if exact:
        check_exact_integers(arr, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a 1-D or 2-D array of samples, got a scalar")
    if arr.ndim > max_ndim:
        want = "1-D (n,)" if max_ndim == 1 else "1-D (n,) or 2-D (n, d)"
        raise ValueError(f"{name} must be {want}; got a {arr.ndim}-D array of shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: at least one sample is needed")
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"{name} has shape {arr.shape}: at least one column is needed")
    check_float64_range(arr, name)
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    return arr


def check_float64_range(arr: np.ndarray, name: str) -> None:
    """Refuses finite values that float64 cannot hold (long double input).

    Casting them to float64, as every computation here does, would turn
    them into infinities after the finiteness check. Names the first
    column holding one when `arr` is 2-D.
    """
    if arr.dtype.kind != "f" or arr.dtype.itemsize <= 8:
        return
    with np.errstate(over="ignore", invalid="ignore"):
        bad = np.isinf(arr.astype(np.float64)) & np.isfinite(arr)
    if bad.any():
        where = f" column {int(np.flatnonzero(bad.any(axis=0))[0])}" if arr.ndim == 2 else ""
        raise ValueError(
            f"{name}{where} holds {arr[bad][0]!r}, beyond the float64 range (about 1.8e308) "
            "in which fastmi computes; rescale the data"
        )


def check_finite(arr: npt.NDArray[Any], name: str, columns: Sequence[Hashable] | None = None,
                 rows: Sequence[Hashable] | None = None) -> None:
    """Refuses NaN and infinity, naming the first row holding one (and its column, for 2-D
    `arr`): by its label in `columns` / `rows` where given (a DataFrame's), else its position."""
    if arr.dtype.kind not in "fc":
        return
    bad = ~np.isfinite(arr)  # one look at the data: another thread may be changing it
    if not bad.any():
        return
    if arr.ndim == 2:
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        col = int(np.flatnonzero(bad[row])[0])
        value = arr[row, col]
    else:
        row, col = int(np.flatnonzero(bad.reshape(-1))[0]), None
        value = arr.reshape(-1)[row]
    raise ValueError(nonfinite_message(name, row, col, bool(np.isnan(value)), int(bad.sum()), columns, rows))


def nonfinite_message(name: str, row: int, col: int | None, nan: bool, count: int,
                      columns: Sequence[Hashable] | None = None, rows: Sequence[Hashable] | None = None) -> str:
    """check_finite's message: `name` holds `count` NaN or infinite values, the first (NaN
    where `nan`, else infinity) at `row` (and column `col` of a 2-D `name`, else None)."""
    return (
        f"{name} contains {'NaN' if nan else 'infinity'} at {cell_name(row, col, columns, rows)}"
        f"{f' ({count} non-finite values in all)' if count > 1 else ''}; every sample must be finite"
    )


def cell_name(row: int | None, col: int | None, columns: Sequence[Hashable] | None = None,
              rows: Sequence[Hashable] | None = None) -> str:
    """'row 3, column 1', with a DataFrame's labels where given: "row 3 (index 'r3'), column 'age'"."""
    parts = []
    if row is not None:
        label = rows[row] if rows is not None else row
        same = isinstance(label, (int, np.integer)) and int(label) == row
        parts.append(f"row {row}" + ("" if same else f" (index {label!r})"))
    if col is not None:
        parts.append(f"column {columns[col]!r}" if columns is not None else f"column {col}")
    return ", ".join(parts)


def check_same_length(x: np.ndarray, y: np.ndarray, xname: str = "x", yname: str = "y", *,
                      what: str = "number of samples") -> None:
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"{xname} and {yname} must have the same {what}; got {x.shape[0]} and {y.shape[0]}")


def column_spans(a: np.ndarray, name: str) -> np.ndarray:
    """max - min of each column of `a`, shape (d,) (a 1-D `a` is one column), after
    refusing NaN and infinity (named by row, and by column for a 2-D `a` only: pass
    the samples in their own shape)."""
    with np.errstate(over="ignore", invalid="ignore"):
        span: npt.NDArray[np.float64] = np.reshape(a.max(axis=0) - a.min(axis=0), -1)
    if not np.isfinite(span).all():
        check_finite(a, name)  # NaN or infinity: refused with that message
    return span


def check_ksg_radii(x: np.ndarray, y: np.ndarray, span: np.ndarray, k: int, legacy: bool, threads: int) -> None:
    """Refuses data whose k-th-neighbour distance overflows float64.

    Counts against an infinite radius would be wrong (samples at different
    distances beyond 1.8e308 all compare equal). The radii are computed only
    when the spans of the coordinates allow an overflow: a span beyond
    1.8e308 (max-norm), or squared spans summing beyond it (Euclidean).
    `span` holds the spans of x's columns, then y's.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if legacy:
            safe = bool(np.isfinite(2.0 * np.sum(span * span)))
        else:
            safe = bool(np.isfinite(span).all())
    if safe:
        return
    metric = _native.Metric.euclidean if legacy else _native.Metric.max_norm
    radius = _native.knn_radius(np.hstack([x, y]), k, metric, threads, interruptible())
    with np.errstate(over="ignore"):
        ok = np.isfinite(radius * radius if legacy else radius)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        with np.errstate(over="ignore"):
            widest = int(np.argmax(span if not legacy else span * span))
        col = f"x column {widest}" if widest < x.shape[1] else f"y column {widest - x.shape[1]}"
        dist = "squared Euclidean distance" if legacy else "max-norm distance"
        width = f"{span[widest]:.3g}" if np.isfinite(span[widest]) else "more than 1.8e308"
        raise ValueError(
            f"the {dist} from sample {i} to its k-th neighbour (k={k}) overflows float64: "
            f"{col} spans {width}; divide the data by a constant first"
        )


def check_base(base: object) -> float:
    """The logarithm base of a result: a finite real number > 1 (a base in (0, 1)
    would turn every information negative, and the estimators clipped at 0 would
    report 0 for any dependence)."""
    if isinstance(base, (bool, np.bool_)) or not isinstance(base, numbers.Real):
        raise TypeError(f"base must be a real number (2 for bits, numpy.e for nats), got {base!r}")
    value = float(base)
    if not (math.isfinite(value) and value > 1.0):
        raise ValueError(f"base must be a finite number > 1 (2 for bits, numpy.e for nats), got {value!r}")
    return value


def check_knn_radii(parts: Sequence[tuple[npt.NDArray[np.float64], str]], k: int, threads: int, *,
                    factor: float = 1.0) -> None:
    """Refuses NaN, infinity, and samples whose max-norm distance to their
    k-th neighbour in the joint space of `parts` ((array, name) pairs: the
    samples in their own shape, (n,) or (n, d), for column_spans' message),
    times `factor`, overflows float64 (the toolkit's estimators; ksg_mi's
    check is check_ksg_radii).

    The radii are computed only when the spans of the coordinates allow an
    overflow (a span times `factor` beyond 1.8e308).
    """
    spans = [(column_spans(a, name), name) for a, name in parts]
    with np.errstate(over="ignore"):
        if all(np.isfinite(span * factor).all() for span, _ in spans):
            return
    joint = np.hstack([a.reshape(a.shape[0], -1) for a, _ in parts])
    radius = _native.knn_radius(joint, k, _native.Metric.max_norm, threads, interruptible())
    with np.errstate(over="ignore"):
        ok = np.isfinite(radius * factor)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        with np.errstate(over="ignore"):
            wide = next(name for span, name in spans if not np.isfinite(span * factor).all())
        raise ValueError(
            f"the max-norm distance from sample {i} to its k-th neighbour (k={k}) is too large for "
            f"float64 arithmetic: {wide} spans more than {_float_limit(factor)}; "
            "divide the data by a constant first"
        )


def _float_limit(factor: float) -> str:
    """float64's largest value divided by ``factor``, for messages ("1.8e308")."""
    return f"{np.finfo(np.float64).max / factor:.2g}".replace("e+", "e")


# --------------------------------------------------------------------------- bins


def _axis_count(spec: Any, name: str) -> tuple[int, Any]:
    """(nbins, spec) for one axis, following numpy.histogramdd, without converting edges.

    Only the number of bins is found here, so that a table over the cap is
    refused before any array the size of the edges is made.
    """
    if isinstance(spec, np.ndarray):
        ndim = spec.ndim
    else:
        ndim = np.ndim(spec)  # converts a list, which is already bigger than its array
    if ndim == 0:
        if isinstance(spec, (bool, np.bool_)):
            raise TypeError(f"{name} must be an integer or an array of edges, got {spec!r}")
        try:
            if spec < 1:
                raise ValueError(f"{name} must be positive, when an integer; got {spec!r}")
        except TypeError:
            raise TypeError(f"{name} must be an integer or an array of edges, got {spec!r}") from None
        try:
            return operator.index(spec), None
        except TypeError:
            raise TypeError(f"{name} must be an integer, when a scalar; got {spec!r}") from None
    if ndim == 1:
        n_edges = len(spec)
        if n_edges < 2:
            raise ValueError(f"{name} edges need at least two values, got {n_edges}")
        return n_edges - 1, spec
    raise ValueError(f"{name} must be a scalar or a 1-D array of edges")


def _edges(spec: Any, name: str) -> npt.NDArray[np.float64]:
    """Explicit edges as a float64 contiguous array, checked as numpy.histogram2d checks them."""
    edges = np.asarray(spec)
    if edges.dtype.kind not in "iuf":
        raise TypeError(f"{name} edges must be numbers, got dtype {edges.dtype}")
    edges = np.ascontiguousarray(edges, dtype=np.float64)
    if not np.isfinite(edges).all():
        raise ValueError(f"{name} edges must be finite")
    if np.any(edges[:-1] > edges[1:]):
        raise ValueError(f"{name} edges must be monotonically increasing")
    return edges


def check_axis_bins(nb: int, name: str) -> None:
    """Refuses more than ``_MAX_CELLS`` bins on one axis: the native code holds every
    edge (the one limit of the binned estimators that count their tables sparsely)."""
    if nb > _MAX_CELLS:
        raise ValueError(f"{name} gives {nb} bins on one axis; at most {_MAX_CELLS} bins on one axis are allowed")


def resolve_bins(bins: Any, *, dense: bool = True) -> tuple[BinSpec, BinSpec]:
    """Per-axis (nbins, edges or None) pairs for the `bins` that np.histogram2d takes.

    Refuses, before converting or copying any edges, more than ``_MAX_CELLS``
    bins on one axis (the native code holds every edge) and, when the table is
    returned ``dense`` (histogram2d), a joint table of more than ``_MAX_CELLS``
    cells. discrete_mi counts a table of many more cells than samples sparsely
    (O(n) memory), so only the per-axis limit applies there.
    """
    if isinstance(bins, (str, bytes)):
        raise TypeError(f"bins must be an integer or an array of edges, got {bins!r}")
    try:
        count = len(bins)
    except TypeError:
        sx = sy = _axis_count(bins, "bins")
        names = ("bins", "bins")
    else:
        if count == 2:
            sx, sy = _axis_count(bins[0], "bins[0]"), _axis_count(bins[1], "bins[1]")
            names = ("bins[0]", "bins[1]")
        elif count == 1:
            raise ValueError("bins must be an integer, a pair, or an array of edges; got a sequence of length 1")
        else:
            sx = sy = _axis_count(bins, "bins")  # one array of edges for both axes
            names = ("bins", "bins")
    (nbx, specx), (nby, specy) = sx, sy
    cells = nbx * nby
    if dense and cells > _MAX_CELLS:
        raise ValueError(
            f"bins gives a joint table of {nbx} x {nby} = {cells} cells "
            f"({cells * 8 / 2**30:.1f} GiB); at most {_MAX_CELLS} cells are allowed"
        )
    check_axis_bins(nbx, names[0])
    check_axis_bins(nby, names[1])
    ex = None if specx is None else _edges(specx, names[0])
    ey = ex if specy is specx else (None if specy is None else _edges(specy, names[1]))
    return (nbx, ex), (nby, ey)


def finite_range(a: np.ndarray, name: str, n_threads: int,
                 whole: Optional[npt.NDArray[np.float64]] = None) -> tuple[float, float]:
    """(min, max) of the 1-D samples `a`, refusing NaN and infinity (one native pass).

    Where the pass finds one, check_finite names it in `whole` (the samples `a` is a
    column of, in their own shape: its row, and its column when 2-D), or in `a`: a
    second pass, on the error path only.
    """
    lo, hi, finite = _native.finite_range(a, n_threads, interruptible())
    if not finite:
        check_finite(a if whole is None else whole, name)
        # all finite on the second look: another thread changed the samples meanwhile
        raise ValueError(f"{name} contains NaN or infinity; every sample must be finite")
    return lo, hi


def check_uniform_edges(lo: float, hi: float, nbins: int, name: str) -> None:
    """Refuse uniform bins over [lo, hi] whose edges could not be formed in order.

    The edges are numpy's ``linspace(lo, hi, nbins + 1)`` after histogram's
    widening of a constant axis: ``t * step + lo`` (``(t / nbins) * delta +
    lo`` when the step underflows), the last edge set to ``hi``. Those are
    monotone roundings of t, so only the last pair can be out of order: when
    the range is a few floating-point steps wide and the second-to-last edge
    rounds past ``hi``.
    """
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    delta = hi - lo
    if not math.isfinite(delta):
        raise ValueError(f"{name} spans a range too large for uniform bins (max - min overflows)")
    step = delta / nbins
    t = float(nbins - 1)
    before_last = ((t / nbins) * delta if step == 0.0 else t * step) + lo
    if before_last > hi:
        raise ValueError(
            "too many bins for the data range: the range is only a few floating-point steps wide"
        )


def binned_axes(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], bins: Any,
                n_threads: int, dtype: Optional[np.dtype[Any]] = None, *, dense: bool = True
                ) -> tuple[Axis, Axis]:
    """The two axes (nbins, edges or None, lo, hi) of the joint histogram of x and y
    (``dtype``: see bin_dtype and narrow_axis; ``dense``: see resolve_bins)."""
    (nbx, ex), (nby, ey) = resolve_bins(bins, dense=dense)
    xlo, xhi = finite_range(x, "x", n_threads)
    ylo, yhi = finite_range(y, "y", n_threads)
    if ex is None:
        check_uniform_edges(xlo, xhi, nbx, "x")
    if ey is None:
        check_uniform_edges(ylo, yhi, nby, "y")
    return narrow_axis((nbx, ex, xlo, xhi), dtype), narrow_axis((nby, ey, ylo, yhi), dtype)


def bin_dtype(*dtypes: Any) -> Optional[np.dtype[Any]]:
    """The floating dtype narrower than float64 in which numpy.histogramdd (and
    histogram2d, whose x and y it stacks into one array) would bin samples of
    these dtypes, or None (float64: fastmi's own arithmetic)."""
    try:
        common = np.result_type(*dtypes)
    except TypeError:
        return None
    return common if common.kind == "f" and common.itemsize < 8 else None


def narrow_axis(axis: Axis, dtype: Optional[np.dtype[Any]]) -> Axis:
    """``axis`` with its uniform bins as explicit edges when numpy would build
    them in ``dtype`` (float32 or float16 samples: numpy 2 computes linspace in
    that type, and a sample on a boundary can fall on the other side of a float64
    edge); numpy's own linspace and widening of a constant range, in that type."""
    nb, edges, lo, hi = axis
    if dtype is None or edges is not None:
        return axis
    with np.errstate(over="ignore", invalid="ignore"):
        first, last = dtype.type(lo), dtype.type(hi)
        if first == last:
            first, last = first - 0.5, last + 0.5
        narrow = np.linspace(first, last, nb + 1)
    if narrow.dtype.itemsize >= 8:  # numpy promotes to float64 here: the uniform arithmetic is its own
        return axis
    if not np.isfinite(narrow).all():
        # float16 data wider than 65504: numpy's own edges overflow (numpy raises);
        # float64 edges bin them instead
        return axis
    return nb, np.asarray(narrow, dtype=np.float64), lo, hi


# --------------------------------------------------------------------------- scikit-learn's arguments


def is_sparse(a: object) -> bool:
    """Whether `a` is a scipy.sparse matrix or array (scipy imported only if so)."""
    if not type(a).__module__.startswith("scipy.sparse"):
        return False
    import scipy.sparse

    return bool(scipy.sparse.issparse(a))


def check_random_state(seed: object) -> np.random.RandomState:
    """numpy's RandomState for `seed`, as scikit-learn resolves it.

    None (or the ``numpy.random`` module) gives numpy's global RandomState, an
    integer a new ``RandomState(seed)``, a RandomState instance itself (its
    state advances). Anything else raises InvalidParameterError (a ValueError
    and a TypeError), as scikit-learn does.
    """
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, (bool, np.bool_)):
        raise InvalidParameterError(
            f"random_state must be None, an int or a numpy.random.RandomState; got {seed!r}"
        )
    if isinstance(seed, numbers.Integral):
        if not 0 <= int(seed) < 2**32:
            raise InvalidParameterError(f"random_state must be in [0, 2**32 - 1] when an int; got {seed}")
        return np.random.RandomState(int(seed))
    if isinstance(seed, np.random.RandomState):
        return seed
    hint = (
        " (a numpy.random.Generator draws a different stream; pass an int or a RandomState)"
        if isinstance(seed, np.random.Generator)
        else ""
    )
    raise InvalidParameterError(
        f"random_state must be None, an int or a numpy.random.RandomState; got {seed!r}{hint}"
    )


@contextlib.contextmanager
def parameter_errors() -> Iterator[None]:
    """Re-raises the TypeError or ValueError of a scalar check as InvalidParameterError
    (both), as scikit-learn's parameter validation raises it; same message."""
    try:
        yield
    except InvalidParameterError:
        raise
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(str(exc)) from None


def _is_frame(a: object) -> bool:
    """Whether `a` looks like a pandas DataFrame (pandas is not imported)."""
    return hasattr(a, "dtypes") and hasattr(a, "columns") and hasattr(a, "to_numpy")


def _check_array_like(a: object, name: str, what: str) -> None:
    """scikit-learn's 'array-like' constraint: refuses None and scalars."""
    if a is None or isinstance(a, (str, bytes, numbers.Number, np.generic)):
        raise InvalidParameterError(f"{name} must be {what}; got {'None' if a is None else f'a scalar, {a!r}'}")


def _real_or_none(values: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
    """`values` as real numbers: as they are (bool, int, float), object arrays as float64
    (as scikit-learn converts them); None where they are not numbers."""
    if values.dtype.kind in _NUMERIC_KINDS:
        return values
    if values.dtype.kind == "O":
        try:
            return values.astype(np.float64)
        except (TypeError, ValueError):
            return None
    return None


def _pandas_values(col: Any) -> npt.NDArray[Any]:
    """A pandas Series' values as scikit-learn's check_array sees them: nullable
    and pyarrow numbers and booleans as float64 (missing values NaN), the
    rest as numpy gives them (a categorical column as its categories' values)."""
    dtype = col.dtype
    if not isinstance(dtype, np.dtype) and getattr(dtype, "kind", "O") in _NUMERIC_KINDS:
        return np.asarray(col.to_numpy(dtype=np.float64, na_value=np.nan))
    return np.asarray(col.to_numpy())


def _not_real(name: str, values: npt.NDArray[Any], col: int | None = None,
              columns: Sequence[Hashable] | None = None, *, task: str = "") -> InvalidParameterError:
    where = f" (column {columns[col]!r})" if columns is not None and col is not None else (
        f" (column {col})" if col is not None else "")
    return InvalidParameterError(
        f"{name} must hold real numbers{task} (bool, int or float); got dtype {values.dtype}{where}"
    )


def _frame_values(df: Any, name: str) -> npt.NDArray[Any]:
    """A DataFrame as scikit-learn's check_array converts it: numpy columns of one
    kind as ``to_numpy()`` gives them; otherwise every column through
    _pandas_values into one array of their common dtype (float64 wherever
    bool, nullable or object columns mix with others)."""
    dtypes = list(df.dtypes)
    columns = df.columns
    if all(isinstance(d, np.dtype) and d.kind in "iuf" for d in dtypes) or all(
        isinstance(d, np.dtype) and d.kind == "b" for d in dtypes
    ):
        return np.asarray(df.to_numpy())
    parts = []
    for j, (_, col) in enumerate(df.items()):
        values = _real_or_none(_pandas_values(col))
        if values is None:
            raise _not_real(name, _pandas_values(col), j, columns)
        parts.append(values)
    if not parts:
        return np.asarray(df.to_numpy(dtype=np.float64))
    if any(not isinstance(d, np.dtype) for d in dtypes):
        dtype = np.dtype(np.float64)  # scikit-learn's astype(None) on nullable columns
    else:
        dtype = np.result_type(*parts)
    out = np.empty((df.shape[0], len(parts)), dtype=dtype, order="F")
    for j, values in enumerate(parts):
        out[:, j] = values
    return out


def check_X(X: Any, first_column: int = 0) -> tuple[Any, bool]:
    """(X, is_sparse): a 2-D numeric ndarray in its own layout, or a CSC matrix
    (``first_column``: the position in the whole X of a block's first column, for
    the messages).

    Accepts what scikit-learn's check_array accepts for the drop-ins: numpy
    arrays, nested sequences, object arrays of numbers, DataFrames with
    numpy, nullable (Int64, Float64, boolean), pyarrow, bool and numeric
    categorical columns, scipy.sparse. NaN and infinity are refused naming
    the first row holding one and its column.
    """
    _check_array_like(X, "X", "an array-like or a sparse matrix of shape (n_samples, n_features)")
    if is_sparse(X):
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}")
        X = X.tocsc()
        if X.dtype.kind not in _NUMERIC_KINDS:
            raise InvalidParameterError(f"X must hold real numbers (bool, int or float); got dtype {X.dtype}")
        if X.dtype.kind == "f":
            _check_finite_sparse(X)
            check_float64_range(X.data, "X")
    else:
        columns = rows = None
        if _is_frame(X):
            columns, rows = X.columns, X.index  # labels, looked up only for a message
            arr = _frame_values(X, "X")
        else:
            if hasattr(X, "to_numpy") and not isinstance(X, np.ndarray):  # a Series
                X = _pandas_values(X)
            try:
                arr = np.asarray(X)
            except Exception as exc:  # ragged lists and the like
                raise ValueError(f"X could not be converted to a numeric array: {exc}") from None
        if arr.ndim != 2:
            raise ValueError(
                f"X must be a 2-D array (n_samples, n_features); got {arr.ndim}-D array of shape {arr.shape}"
                + (" (reshape a single feature with X.reshape(-1, 1))" if arr.ndim == 1 else "")
            )
        real = _real_or_none(arr)
        if real is None:
            raise _not_real("X", arr, _first_non_real_column(arr), columns)
        X = aligned(real)
        if columns is None and first_column:
            columns = range(first_column, first_column + X.shape[1])
        check_finite(X, "X", columns, rows)
        check_float64_range(X, "X")
    if X.shape[0] < 1:
        raise ValueError(f"X is empty (shape {X.shape}): at least one sample is needed")
    if X.shape[1] < 1:
        raise ValueError(f"X has shape {X.shape}: at least one feature is needed")
    return X, is_sparse(X)


def _first_non_real_column(arr: npt.NDArray[Any]) -> int | None:
    """The first column of an object array that cannot be read as float64 (None if not 2-D object)."""
    if arr.dtype.kind != "O" or arr.ndim != 2:
        return None
    for j in range(arr.shape[1]):
        if _real_or_none(arr[:, j]) is None:
            return j
    return None  # pragma: no cover - some column failed as a whole


def _check_finite_sparse(X: Any) -> None:
    """check_finite for a CSC matrix: names the first row (and its column) holding NaN or infinity."""
    bad = np.flatnonzero(~np.isfinite(X.data))
    if bad.size == 0:
        return
    cols = np.searchsorted(X.indptr, bad, side="right") - 1
    rows = X.indices[bad]
    first = int(np.lexsort((cols, rows))[0])
    value = X.data[bad[first]]
    raise ValueError(nonfinite_message("X", int(rows[first]), int(cols[first]), bool(np.isnan(value)), int(bad.size)))


def as_1d(a: Any, name: str, n: int | None = None, *, column: bool = True) -> npt.NDArray[Any]:
    """`a` as a 1-D array of any dtype (an (n, 1) column is flattened where
    ``column``, as scikit-learn does for a target; refused otherwise, as its
    clustering metrics refuse it)."""
    _check_array_like(a, name, "an array-like of shape (n_samples,)")
    if column and _is_frame(a) and len(a.columns) == 1:
        a = a.iloc[:, 0]
    if hasattr(a, "to_numpy") and not isinstance(a, np.ndarray):  # pandas
        a = _pandas_values(a) if not _is_frame(a) else a.to_numpy()
    try:
        arr: npt.NDArray[Any] = np.asarray(a)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(f"{name} could not be converted to an array: {exc}") from None
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a 1-D array (n_samples,), got a scalar")
    if column and arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (n_samples,); got a {arr.ndim}-D array of shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: at least one sample is needed")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"X and {name} must have the same number of samples; got {n} and {arr.shape[0]}")
    return aligned(arr)


def check_target_regression(y: Any, n: int) -> npt.NDArray[Any]:
    """A continuous target: 1-D real numbers (object arrays of numbers as float64), finite."""
    y = as_1d(y, "y", n)
    real = _real_or_none(y)
    if real is None:
        raise _not_real("y", y, task=" for regression")
    check_finite(real, "y")
    check_float64_range(real, "y")
    return real


def _is_missing(value: object) -> bool:
    """Whether one label is a missing value: None, or a value unequal to itself (float
    NaN, NaT, Decimal NaN); also pandas' NA, whose comparisons have no truth value."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):  # pandas.NA (TypeError); an array as a label (ValueError)
        return type(value).__name__ == "NAType"


def missing_labels(labels: npt.NDArray[Any]) -> npt.NDArray[np.bool_] | None:
    """Where an object array of labels holds a missing value (None, NaN, NaT, pandas.NA),
    None for other dtypes (a float array's NaN is check_finite's). One O(n) pass:
    pandas.isna where pandas is imported (it made the NA and NaT values), else one
    comparison per label."""
    if labels.dtype.kind != "O":
        return None
    flat = labels.reshape(-1)
    pd = sys.modules.get("pandas")
    if pd is not None:
        return np.asarray(pd.isna(flat), dtype=bool)
    return np.fromiter((_is_missing(v) for v in flat), dtype=bool, count=flat.shape[0])


def missing_label_name(value: object) -> str:
    """How a message names a missing label: None, NaN, NaT, pd.NA (else its repr)."""
    if value is None:
        return "None"
    kind = type(value).__name__
    if kind == "NAType":
        return "pd.NA"
    if kind == "NaTType" or isinstance(value, (np.datetime64, np.timedelta64)):
        return "NaT"
    if isinstance(value, (float, np.floating)):
        return "NaN"
    return repr(value)


def check_missing_labels(labels: npt.NDArray[Any], name: str,
                         error: type[ValueError] = ValueError) -> None:
    """Refuses missing values (None, NaN, NaT, pandas.NA) in an object array of labels,
    naming the first row holding one, as check_finite names a float array's NaN. numpy
    would count every NaN as a label of its own (NaN != NaN) and cannot sort None or NA
    among text. ``error``: the exception class (the drop-ins raise InvalidParameterError,
    a ValueError and a TypeError, as scikit-learn raises ValueError for NaN and TypeError
    for None or NA)."""
    missing = missing_labels(labels)
    if missing is None or not missing.any():
        return
    row = int(np.flatnonzero(missing)[0])
    raise error(missing_label_message(name, row, missing_label_name(labels.reshape(-1)[row]),
                                      int(missing.sum())))


def missing_label_message(name: str, row: int, what: str, count: int) -> str:
    """check_missing_labels' message: ``what`` (missing_label_name) at ``row``, of ``count``."""
    return (
        f"{name} contains {what} at {cell_name(row, None)}"
        f"{f' ({count} missing values in all)' if count > 1 else ''}; every sample must have a label "
        "(drop or fill in the missing ones first)"
    )


def as_label_codes(labels: npt.NDArray[Any], name: str, *,
                   error: type[ValueError] = ValueError) -> tuple[npt.NDArray[np.int64], int]:
    """(codes in numpy.unique's order as int64, number of distinct labels).

    NaN and infinity in float labels, and missing values (None, NaN, NaT, pandas.NA)
    in object labels are refused with the first row holding one (``error``: the class
    for the latter, see check_missing_labels)."""
    if labels.dtype.kind == "f":
        check_finite(labels, name)
    elif labels.dtype.kind == "O":
        check_missing_labels(labels, name, error)
    elif labels.dtype.kind not in "biuUS":
        raise TypeError(f"{name} must hold labels (integers, strings, ...); got dtype {labels.dtype}")
    labels = labels.reshape(-1)
    if labels.dtype.kind in "biu" and labels.size:
        # Integer labels over a modest range: codes by a lookup table in O(n),
        # the same codes as numpy.unique's sorted order, without its sort.
        lo, hi = int(labels.min()), int(labels.max())
        if hi - lo <= max(1 << 20, 4 * labels.size):
            # labels - lo in [0, hi - lo]: computed in uint64 for unsigned
            # labels (which may exceed int64) and in int64 for the others
            if labels.dtype.kind == "u":
                offset = (labels.astype(np.uint64) - np.uint64(lo)).astype(np.int64)
            else:
                offset = labels.astype(np.int64) - np.int64(lo)
            present = np.bincount(offset, minlength=hi - lo + 1) > 0
            remap = np.cumsum(present, dtype=np.int64) - 1
            return remap[offset], int(present.sum())
    try:
        classes, codes = np.unique(labels, return_inverse=True)
    except TypeError as exc:
        raise ValueError(f"{name} holds labels that cannot be compared with each other: {exc}") from None
    return np.ascontiguousarray(codes.reshape(-1), dtype=np.int64), int(classes.shape[0])


def check_target_classif(y: Any, n: int) -> tuple[npt.NDArray[np.int64], int]:
    """Class labels as (codes, number of classes); refuses non-integral floats as scikit-learn does."""
    y = as_1d(y, "y", n)
    if y.dtype.kind == "f" and np.isfinite(y).all() and np.any(y != np.floor(y)):
        raise ValueError(
            "Unknown label type: continuous. y holds non-integer floats, which "
            "mutual_info_classif cannot take as classes; use mutual_info_regression "
            "for a continuous target"
        )
    # missing values: ValueError (NaN) or TypeError (None, NA) in scikit-learn, so both here
    return as_label_codes(y, "y", error=InvalidParameterError)


def discrete_mask(discrete_features: Any, n_features: int, sparse: bool) -> npt.NDArray[np.bool_]:
    """The boolean mask of discrete features, from scikit-learn's `discrete_features`.

    A value of the wrong kind raises InvalidParameterError, a mask or index
    array that does not fit X FeatureIndexError (an IndexError, as in
    scikit-learn, and a ValueError).
    """
    if isinstance(discrete_features, str):
        if discrete_features != "auto":
            raise InvalidParameterError(
                "discrete_features must be 'auto', a bool, a boolean mask or an array of "
                f"feature indices; got {discrete_features!r}"
            )
        return np.full(n_features, sparse, dtype=bool)
    if isinstance(discrete_features, (bool, np.bool_)):
        return np.full(n_features, bool(discrete_features), dtype=bool)
    if discrete_features is None or np.ndim(discrete_features) == 0:
        raise InvalidParameterError(
            "discrete_features must be 'auto', a bool, a boolean mask or an array of "
            f"feature indices; got {discrete_features!r}"
        )
    try:
        arr = np.asarray(discrete_features)
    except ValueError as exc:  # ragged
        raise FeatureIndexError(f"discrete_features could not be converted to an array: {exc}") from None
    if arr.ndim != 1:
        raise FeatureIndexError(
            f"discrete_features must be a 1-D boolean mask or array of indices; got shape {arr.shape}"
        )
    if arr.dtype == bool:
        if arr.shape[0] != n_features:
            raise FeatureIndexError(
                f"discrete_features as a boolean mask must have one entry per feature "
                f"({n_features}); got {arr.shape[0]}"
            )
        return arr.copy()
    mask = np.zeros(n_features, dtype=bool)
    if arr.size == 0:
        return mask
    if arr.dtype.kind not in "iu":
        raise FeatureIndexError(
            f"discrete_features must hold booleans (a mask) or integer feature indices; got dtype {arr.dtype}"
        )
    if arr.min() < -n_features or arr.max() >= n_features:
        bad = arr[(arr < -n_features) | (arr >= n_features)][0]
        raise FeatureIndexError(
            f"discrete_features holds index {int(bad)}, outside [-{n_features}, {n_features}) "
            f"for X with {n_features} features"
        )
    mask[arr] = True
    return mask


def check_sparse_all_discrete(sparse: bool, continuous: np.ndarray) -> None:
    if sparse and continuous.any():
        raise ValueError(
            "X is sparse, so every feature must be discrete; sparse X can't have continuous "
            "features (pass discrete_features='auto' or True, or a dense X)"
        )


def check_scaling(name: str, block: npt.NDArray[Any], bad: npt.NDArray[np.bool_], cols: npt.NDArray[np.intp] | None,
                  what: str) -> None:
    """Refuses a column (its index in X from `cols`), or the target, whose scaling overflowed.

    `bad` flags the columns (one entry for the target) where `what` (the std,
    the mean, the noised values) is not finite: scikit-learn would divide by
    infinity or NaN there (a column of zeros, or NaN that its neighbour
    search refuses).
    """
    if not bad.any():
        return
    j = int(np.flatnonzero(bad)[0])
    col = block[:, j] if block.ndim == 2 else block
    where = f"{name} column {int(cols[j])}" if block.ndim == 2 and cols is not None else name
    with np.errstate(invalid="ignore"):
        top = np.max(np.abs(col), initial=0.0, where=np.isfinite(col))
    reach = f" (its values reach {float(top):.3g})" if top > 0 else ""
    raise ValueError(
        f"{where} cannot be scaled as scikit-learn scales it: {what} overflows {block.dtype}"
        f"{reach}; divide it by a constant first "
        "(scikit-learn divides by it anyway, making the column NaN or all zeros)"
    )


def contingency_cells(contingency: Any) -> tuple[I64, I64, I64, I64, I64]:
    """(rows, cols, counts, row sums, column sums) of a count table, row-major order, as int64.

    The counts are checked (non-negative integers whose total fits in int64)
    before anything is summed, so that no sum wraps around.
    """
    if is_sparse(contingency):
        import scipy.sparse

        if contingency.ndim != 2:
            raise ValueError(f"contingency must be 2-D; got shape {contingency.shape}")
        shape = contingency.shape
        rows, cols, vals = scipy.sparse.find(contingency)  # scikit-learn's order of the terms
    else:
        table = np.asarray(contingency)
        if table.ndim != 2:
            raise ValueError(f"contingency must be a 2-D table of counts; got shape {table.shape}")
        shape = table.shape
        rows, cols = np.nonzero(table)
        vals = table[rows, cols]
    if vals.dtype.kind not in "biuf":
        raise InvalidParameterError(f"contingency must hold counts (integers); got dtype {vals.dtype}")
    if vals.dtype.kind == "f" and (not np.isfinite(vals).all() or np.any(vals != np.floor(vals))):
        raise ValueError("contingency must hold integer counts; got non-integer values")
    if np.any(vals < 0):
        raise ValueError("contingency must hold non-negative counts")
    # A float sum of non-negative values is within a tiny factor of the
    # exact total: only near 2**63 is the exact (Python int) total needed.
    if vals.size and float(np.sum(vals, dtype=np.float64)) >= 2.0**62:
        total = sum(int(v) for v in vals.tolist())
        if total >= 2**63:
            raise ValueError(
                f"contingency counts sum to {total}, more than the 2**63 - 1 that fastmi counts in"
            )
    counts = np.ascontiguousarray(vals, dtype=np.int64)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    cols = np.ascontiguousarray(cols, dtype=np.int64)
    pi = np.zeros(shape[0], dtype=np.int64)
    pj = np.zeros(shape[1], dtype=np.int64)
    np.add.at(pi, rows, counts)
    np.add.at(pj, cols, counts)
    return rows, cols, counts, pi, pj


# --------------------------------------------------------------------------- ties

TIE_BREAKING = ("auto", "noise", "off")


def check_tie_breaking(value: object) -> TieBreaking:
    """``tie_breaking``: "auto", "noise" or "off" (see fastmi._ties)."""
    if isinstance(value, str) and value in TIE_BREAKING:
        return cast(TieBreaking, value)
    raise ValueError(f"tie_breaking must be 'auto', 'noise' or 'off', got {value!r}")


def check_noise_random_state(random_state: object) -> None:
    """The ``random_state`` of the tie-breaking noise: None, a non-negative int,
    a numpy.random.SeedSequence or a numpy.random.Generator."""
    if random_state is None or isinstance(random_state, (np.random.SeedSequence, np.random.Generator)):
        return
    if isinstance(random_state, (bool, np.bool_)) or not isinstance(random_state, numbers.Integral):
        raise TypeError(
            "random_state must be None, a non-negative int, a numpy.random.SeedSequence or a "
            f"numpy.random.Generator; got {random_state!r}"
        )
    if int(random_state) < 0:
        raise ValueError(f"random_state must be non-negative when an int; got {random_state}")
