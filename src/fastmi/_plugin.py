"""Plug-in (binned and discrete) estimates: each variable becomes one integer
code per sample (its histogram cell, or its distinct value), joint variables
the combined codes, and every quantity a sum of plug-in entropies.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence

import numpy as np
import numpy.typing as npt

from . import _native
from ._validation import (
    Axis,
    BinSpec,
    _axis_count,
    _edges,
    as_label_codes,
    check_axis_bins,
    check_uniform_edges,
    finite_range,
    interruptible,
    narrow_axis,
)

# A code space larger than this is compacted (np.unique) before it is
# combined with another variable's codes.
_MAX_CODE = 1 << 62

Codes = npt.NDArray[np.int64]


def _axis_spec(spec: Any, name: str) -> BinSpec:
    """(nbins, float64 edges or None) of one axis, as numpy.histogramdd reads
    it (check_axis_bins)."""
    nb, edges = _axis_count(spec, name)
    check_axis_bins(nb, name)
    return nb, (None if edges is None else _edges(edges, name))


def histogramdd_axes(bins: Any, d: int) -> list[BinSpec]:
    """One (nbins, edges) pair per column for numpy.histogramdd's `bins`: an
    int for every column, or a sequence of d ints or edge arrays; with d == 1
    also one array of edges (numpy.histogram's rule)."""
    if isinstance(bins, (str, bytes)):
        raise TypeError(f"bins must be an integer or a sequence of bin specifications, got {bins!r}")
    if not hasattr(bins, "__len__") or (isinstance(bins, np.ndarray) and bins.ndim == 0):
        return [_axis_spec(bins, "bins")] * d
    specs = list(bins)
    scalars = all(not hasattr(b, "__len__") or np.ndim(b) == 0 for b in specs)
    if d == 1 and scalars and len(specs) != 1:
        return [_axis_spec(np.asarray(specs), "bins")]  # edges, as numpy.histogram takes them
    if len(specs) != d:
        raise ValueError(
            f"bins must be an integer or a sequence of one bin specification per column ({d}); got {len(specs)}"
        )
    return [_axis_spec(b, f"bins[{c}]") for c, b in enumerate(specs)]


def same_axes(bins: Any, d: int) -> list[BinSpec]:
    """An int or one array of edges, used for each of d columns."""
    if isinstance(bins, (str, bytes)) or np.ndim(bins) > 1:
        raise TypeError(f"bins must be an integer or one array of edges, got {bins!r}")
    return [_axis_spec(bins, "bins")] * d


def binned_codes(a: npt.NDArray[np.float64], name: str, specs: Sequence[BinSpec], threads: int,
                 dtype: Optional[np.dtype[Any]] = None) -> tuple[Codes, int]:
    """(cell code per sample, -1 outside explicit edges; number of cells) of
    the histogram numpy.histogramdd makes of `a` (a checked float64 sample
    array, in its own shape: NaN and infinity are named as check_finite names
    them in it) with one (nbins, edges) spec per column; ``dtype``: the caller's
    samples' own, where narrower than float64 (see _validation.narrow_axis)."""
    data = a.reshape(a.shape[0], -1)
    axes: list[Axis] = []
    cells = 1
    for c, (nb, edges) in enumerate(specs):
        column = np.ascontiguousarray(data[:, c])
        label = name if data.shape[1] == 1 else f"{name}[:, {c}]"
        lo, hi = finite_range(column, name, threads, a)
        if edges is None:
            check_uniform_edges(lo, hi, nb, label)
        axes.append(narrow_axis((nb, edges, lo, hi), dtype))
        cells *= nb
    if cells > _MAX_CODE:
        raise ValueError(f"bins gives {name} a histogram of {cells} cells; at most 2**62 are allowed")
    return _native.histogram_codes(data, axes, threads, interruptible()), cells


def label_codes(a: object, name: str, n: int | None = None) -> tuple[Codes, int]:
    """(code per sample, number of codes) of a 1-D or 2-D array of labels
    (numbers or strings); rows of a 2-D array are joint labels."""
    if hasattr(a, "to_numpy") and not isinstance(a, np.ndarray):  # pandas
        a = a.to_numpy()
    arr: npt.NDArray[Any] = np.asarray(a)
    if arr.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-D (n,) or 2-D (n, d); got a {arr.ndim}-D array of shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: at least one sample is needed")
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"{name} has shape {arr.shape}: at least one column is needed")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"x and {name} must have the same number of samples; got {n} and {arr.shape[0]}")
    columns = [arr] if arr.ndim == 1 else [arr[:, c] for c in range(arr.shape[1])]
    label: Callable[[int], str] = (lambda c: name) if arr.ndim == 1 else (lambda c: f"{name}[:, {c}]")
    return combine([as_label_codes(np.ascontiguousarray(col), label(c)) for c, col in enumerate(columns)])


def _compact(codes: Codes) -> tuple[Codes, int]:
    values, inverse = np.unique(codes, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), int(values.shape[0])


def combine(parts: Sequence[tuple[Codes, int]]) -> tuple[Codes, int]:
    """Joint codes (row-major over the parts) of several (codes, size) pairs;
    -1 (outside the edges) in any part gives -1."""
    codes, size = parts[0]
    codes = codes.astype(np.int64, copy=True)
    outside = codes < 0
    for more, m in parts[1:]:
        if size * m > _MAX_CODE:
            codes[outside] = -1
            codes, size = _compact(codes)  # may map -1 to code 0: recomputed below
        outside |= more < 0
        codes *= m
        codes += more
        size *= m
    codes[outside] = -1
    return codes, size


def entropy_nats(codes: Codes, size: int) -> tuple[float, int, int]:
    """(plug-in entropy in nats, occupied cells, samples) of the codes >= 0."""
    kept = codes[codes >= 0] if (codes < 0).any() else codes
    total = int(kept.shape[0])
    if total == 0:
        raise ValueError("no sample falls inside the bin edges")
    if size <= max(1 << 20, 4 * total):
        counts = np.bincount(kept, minlength=0)
        counts = counts[counts > 0]
    else:
        counts = np.unique(kept, return_counts=True)[1]
    return entropy_of_counts(counts, total), int(counts.shape[0]), total


def entropy_of_counts(counts: npt.NDArray[np.int64], total: int) -> float:
    """The plug-in entropy in nats of the positive counts of the occupied cells (in
    cell order) summing to ``total``: H = log N - sum c log c / N, the terms summed in
    cell order (fastmi.dask sums its merged counts here too: the same bits)."""
    c = counts.astype(np.float64)
    h = math.log(total) - float(np.sum(c * np.log(c))) / total
    return max(0.0, h)


def miller_madow_nats(h: float, occupied: int, total: int) -> float:
    """The plug-in entropy ``h`` in nats plus Miller's bias correction (m - 1) / (2N),
    m the occupied cells and N the samples counted in them (fastmi.entropy's
    ``"miller_madow"``, in memory and on Dask: the same bits)."""
    return h + (occupied - 1) / (2.0 * total)
