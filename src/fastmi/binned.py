"""Binned (histogram plug-in) mutual information: :func:`discrete_mi`, :func:`histogram2d`."""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
import numpy.typing as npt

from . import _native
from ._validation import (
    Axis,
    as_samples,
    bin_dtype,
    binned_axes,
    check_base,
    check_same_length,
    interruptible,
    resolve_n_jobs,
    to_array,
)

_F64 = npt.NDArray[np.float64]


def _prepare(x: npt.ArrayLike, y: npt.ArrayLike, bins: Any, n_jobs: Optional[int], *, dense: bool
             ) -> tuple[_F64, _F64, Axis, Axis, int]:
    xa, ya = to_array(x, "x"), to_array(y, "y")
    x = as_samples(xa, "x", max_ndim=1)
    y = as_samples(ya, "y", max_ndim=1)
    check_same_length(x, y)
    threads = resolve_n_jobs(n_jobs)
    ax, ay = binned_axes(x, y, bins, threads, bin_dtype(xa.dtype, ya.dtype), dense=dense)
    return x, y, ax, ay, threads


def discrete_mi(
    x: npt.ArrayLike, y: npt.ArrayLike, bins: Any = 10, *, base: float = 2, n_jobs: Optional[int] = None
) -> float:
    """Mutual information of two variables from their joint histogram, in bits.

    Drop-in for the reference ``discrete_mi``: the joint histogram is formed
    exactly as ``numpy.histogram2d(x, y, bins)`` forms it (uniform bins
    between each variable's minimum and maximum, the maximum in the last bin,
    a constant variable widened to ``[v - 0.5, v + 0.5]``; float32 or float16
    samples on edges computed in that type, as numpy 2 computes them), then
    the plug-in sum ``sum p(x,y) log2(p(x,y) / (p(x) p(y)))`` over non-empty
    cells.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Samples of the two variables; any real dtype, finite values.
    bins : int, [int, int], array of edges, or [array, array], default 10
        What ``numpy.histogram2d`` accepts: a bin count for both axes, one per
        axis, explicit monotonically increasing edges (shared or per axis;
        finite: numpy also takes infinite outer edges, fastmi refuses them).
        Samples outside explicit edges are left out, as numpy does. At most
        2**28 bins on one axis; a table of many more cells than samples is
        counted sparsely (see Notes), so the cells are not limited.
    base : float, keyword-only, default 2
        Logarithm base of the result: 2 for bits, ``numpy.e`` for nats.
    n_jobs : int or None, keyword-only
        Threads: None uses OpenMP's default, -1 all cores, -2 all but one
        (and so on: cores + 1 + n_jobs, at least 1), k > 0 that many.
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
        ``bins`` or ``base``, more than 2**28 bins on one axis, or a data range
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
    x, y, ax, ay, threads = _prepare(x, y, bins, n_jobs, dense=False)
    layout = _native.TableLayout.automatic
    bits, counted = _native.binned_mi_bits(x, y, ax, ay, layout, threads, interruptible())
    if counted == 0:
        raise ValueError("no sample falls inside the bin edges")
    mi = max(0.0, float(bits))
    # the kernel sums in bits: base 2 returns its value untouched
    return mi if base == 2.0 else mi * (math.log(2.0) / math.log(base))


def histogram2d(
    x: npt.ArrayLike, y: npt.ArrayLike, bins: Any = 10, *, n_jobs: Optional[int] = None
) -> npt.NDArray[np.int64]:
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
    x, y, ax, ay, threads = _prepare(x, y, bins, n_jobs, dense=True)
    return _native.histogram2d(x, y, ax, ay, _native.TableLayout.automatic, threads, interruptible())
