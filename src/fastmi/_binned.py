"""Binned (histogram plug-in) mutual information."""
from __future__ import annotations

import math
import operator

import numpy as np

from . import _native
from ._validation import (
    as_samples,
    check_same_length,
    interruptible,
    resolve_n_jobs,
)

# Refuse joint tables above this many cells (8 bytes each) before allocating.
_MAX_CELLS = 1 << 28


def _axis_spec(spec, name: str):
    """(nbins, edges or None) for one axis, following numpy.histogramdd."""
    if np.ndim(spec) == 0:
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
    if np.ndim(spec) == 1:
        edges = np.asarray(spec)
        if edges.dtype.kind not in "iuf":
            raise TypeError(f"{name} edges must be numbers, got dtype {edges.dtype}")
        edges = np.ascontiguousarray(edges, dtype=np.float64)
        if edges.shape[0] < 2:
            raise ValueError(f"{name} edges need at least two values, got {edges.shape[0]}")
        if not np.isfinite(edges).all():
            raise ValueError(f"{name} edges must be finite")
        if np.any(edges[:-1] > edges[1:]):
            raise ValueError(f"{name} edges must be monotonically increasing")
        return edges.shape[0] - 1, edges
    raise ValueError(f"{name} must be a scalar or a 1-D array of edges")


def resolve_bins(bins):
    """Per-axis (nbins, edges) pairs for the `bins` that np.histogram2d takes."""
    if isinstance(bins, (str, bytes)):
        raise TypeError(f"bins must be an integer or an array of edges, got {bins!r}")
    try:
        count = len(bins)
    except TypeError:
        spec = _axis_spec(bins, "bins")
        return spec, spec
    if count == 2:
        return _axis_spec(bins[0], "bins[0]"), _axis_spec(bins[1], "bins[1]")
    if count == 1:
        raise ValueError("bins must be an integer, a pair, or an array of edges; got a sequence of length 1")
    spec = _axis_spec(bins, "bins")  # one array of edges for both axes
    return spec, spec


def _range(a: np.ndarray, name: str, n_threads: int):
    lo, hi, finite = _native.finite_range(a, n_threads, interruptible())
    if not finite:
        bad = "NaN" if np.isnan(a).any() else "infinity"
        raise ValueError(f"{name} contains {bad}; every sample must be finite")
    return lo, hi


def _check_uniform_edges(lo: float, hi: float, nbins: int, name: str) -> None:
    """Refuse uniform bins whose edges numpy.linspace could not order.

    The edges are numpy's ``linspace(lo, hi, nbins + 1)`` after histogram's
    widening of a constant axis: ``t * step + lo`` (or ``(t / nbins) * delta
    + lo`` when the step underflows), the last edge set to ``hi``. Those are
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


def _prepare(x, y, bins, n_jobs):
    x = as_samples(x, "x", max_ndim=1)
    y = as_samples(y, "y", max_ndim=1)
    check_same_length(x, y)
    threads = resolve_n_jobs(n_jobs)
    (nbx, ex), (nby, ey) = resolve_bins(bins)
    cells = nbx * nby
    if cells > _MAX_CELLS:
        raise ValueError(
            f"bins gives a joint table of {nbx} x {nby} = {cells} cells "
            f"({cells * 8 / 2**30:.1f} GiB); at most {_MAX_CELLS} cells are allowed"
        )
    xlo, xhi = _range(x, "x", threads)
    ylo, yhi = _range(y, "y", threads)
    if ex is None:
        _check_uniform_edges(xlo, xhi, nbx, "x")
    if ey is None:
        _check_uniform_edges(ylo, yhi, nby, "y")
    return x, y, (nbx, ex, xlo, xhi), (nby, ey, ylo, yhi), threads


def discrete_mi(x, y, bins=10, *, n_jobs=None) -> float:
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
        Samples outside explicit edges are left out, as numpy does.
    n_jobs : int or None, keyword-only
        Threads: None uses OpenMP's default, -1 all cores, k > 0 that many.
        The result is bit-identical for every value.

    Returns
    -------
    float
        Plug-in mutual information in **bits** (non-negative).

    Raises
    ------
    ValueError
        Empty input, different lengths, NaN or infinite values, invalid
        ``bins``, or a joint table too large to allocate.
    TypeError
        Non-numeric input, non-integer bin count or ``n_jobs``.

    Examples
    --------
    >>> import numpy as np, fastmi
    >>> x = np.repeat([0.0, 1.0], 50)
    >>> round(fastmi.discrete_mi(x, x, bins=2), 6)
    1.0
    """
    x, y, ax, ay, threads = _prepare(x, y, bins, n_jobs)
    bits, counted = _native.binned_mi_bits(x, y, ax, ay, threads, interruptible())
    if counted == 0:
        raise ValueError("no sample falls inside the bin edges")
    return max(0.0, float(bits))


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
    return _native.histogram2d(x, y, ax, ay, threads, interruptible())
