"""Binned (histogram plug-in) mutual information."""
from __future__ import annotations

import math
import operator

import numpy as np

from . import _core
from ._validation import (
    as_samples,
    check_base,
    check_same_length,
    interruptible,
    resolve_n_jobs,
)

# Refuse joint tables above this many cells (8 bytes each) before allocating.
# discrete_mi allocates a dense table only when it has at most a few cells
# per sample (else it keeps the occupied cells only, O(n) memory);
# histogram2d returns the dense table.
_MAX_CELLS = 1 << 28


def _axis_count(spec, name: str):
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


def _edges(spec, name: str) -> np.ndarray:
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


def resolve_bins(bins):
    """Per-axis (nbins, edges or None) pairs for the `bins` that np.histogram2d takes.

    Refuses a joint table of more than ``_MAX_CELLS`` cells before converting
    or copying any edges.
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
    if cells > _MAX_CELLS:
        raise ValueError(
            f"bins gives a joint table of {nbx} x {nby} = {cells} cells "
            f"({cells * 8 / 2**30:.1f} GiB); at most {_MAX_CELLS} cells are allowed"
        )
    ex = None if specx is None else _edges(specx, names[0])
    ey = ex if specy is specx else (None if specy is None else _edges(specy, names[1]))
    return (nbx, ex), (nby, ey)


def _range(a: np.ndarray, name: str, n_threads: int):
    lo, hi, finite = _core.range_of(a, n_threads, interruptible())
    if not finite:
        bad = "NaN" if np.isnan(a).any() else "infinity"
        raise ValueError(f"{name} contains {bad}; every sample must be finite")
    return lo, hi


def _prepare(x, y, bins, n_jobs):
    x = as_samples(x, "x", max_ndim=1)
    y = as_samples(y, "y", max_ndim=1)
    check_same_length(x, y)
    threads = resolve_n_jobs(n_jobs)
    (nbx, ex), (nby, ey) = resolve_bins(bins)
    xlo, xhi = _range(x, "x", threads)
    ylo, yhi = _range(y, "y", threads)
    if ex is None and not np.isfinite(xhi - xlo):
        raise ValueError("x spans a range too large for uniform bins (max - min overflows)")
    if ey is None and not np.isfinite(yhi - ylo):
        raise ValueError("y spans a range too large for uniform bins (max - min overflows)")
    return x, y, (nbx, ex, xlo, xhi), (nby, ey, ylo, yhi), threads


def discrete_mi(x, y, bins=10, *, base=2, n_jobs=None) -> float:
    """Mutual information of two variables from their joint histogram, in bits.

    Drop-in for the reference ``discrete_mi``: the joint histogram is formed
    exactly as ``numpy.histogram2d(x, y, bins)`` forms it (uniform bins
    between each variable's minimum and maximum, the maximum in the last bin,
    a constant variable widened to ``[v - 0.5, v + 0.5]``), then the plug-in
    sum ``sum p(x,y) log2(p(x,y) / (p(x) p(y)))`` over non-empty cells.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Samples of the two variables; any real dtype, finite values.
    bins : int, [int, int], array of edges, or [array, array], default 10
        What ``numpy.histogram2d`` accepts: a bin count for both axes, one per
        axis, explicit monotonically increasing edges (shared or per axis).
        Samples outside explicit edges are left out, as numpy does. At most
        2**28 cells in all (``bins[0] * bins[1]``).
    base : float, keyword-only, default 2
        Logarithm base of the result: 2 for bits, ``numpy.e`` for nats.
    n_jobs : int or None, keyword-only
        Threads: None uses OpenMP's default, -1 all cores, k > 0 that many.
        The result is bit-identical for every value. A process forked from
        one that had imported fastmi (multiprocessing's "fork" and
        "forkserver" start methods, gunicorn or Celery workers) runs it on
        one thread, with the same result: OpenMP's thread pool does not
        survive fork.

    Returns
    -------
    float
        Plug-in mutual information in **bits** (units of ``log(base)``),
        non-negative.

    Raises
    ------
    ValueError
        Empty input, different lengths, NaN or infinite values, invalid
        ``bins``, a joint table of more than 2**28 cells, or a data range
        whose width ``max - min`` overflows (uniform bins; numpy's
        ``histogram2d`` refuses it too).
    TypeError
        Non-numeric input, non-integer bin count or ``n_jobs``.

    Notes
    -----
    A table with many more cells than samples is never allocated: the
    occupied cells are counted instead (O(n) memory), and summed in the
    same row-major order, so the result is the same to the last bit.

    Examples
    --------
    >>> import numpy as np, fastmi
    >>> x = np.repeat([0.0, 1.0], 50)
    >>> round(fastmi.discrete_mi(x, x, bins=2), 6)
    1.0
    """
    base = check_base(base)
    x, y, ax, ay, threads = _prepare(x, y, bins, n_jobs)
    mi = max(0.0, float(_core.binned_mi(x, y, *ax, *ay, threads, interruptible())))
    # the kernel sums in bits: base 2 returns its value untouched
    return mi if base == 2.0 else mi * (math.log(2.0) / math.log(base))


def histogram2d(x, y, bins=10, *, n_jobs=None) -> np.ndarray:
    """Joint count table of ``numpy.histogram2d(x, y, bins)``, computed natively.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Samples; finite real values.
    bins : int, [int, int], array of edges, or [array, array], default 10
        As for :func:`discrete_mi`.
    n_jobs : int or None, keyword-only
        Threads, as for :func:`discrete_mi`.

    Returns
    -------
    ndarray of int64, shape (nbins_x, nbins_y)
        Counts (numpy returns the same counts as float64).
    """
    x, y, ax, ay, threads = _prepare(x, y, bins, n_jobs)
    return _core.joint_histogram(x, y, *ax, *ay, threads, interruptible())
