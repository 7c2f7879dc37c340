"""scikit-learn's preprocessing of the data its estimators see, value for value.

The continuous features are scaled (``scale(X, with_mean=False)``) and
noised, a continuous target likewise; discrete features become float64
values that compare like the originals; sparse X is densified a block of
columns at a time. The numpy calls are scikit-learn's own, in its order, so
the values handed to the native estimators are bit-identical to the ones
scikit-learn hands to its own.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator

import numpy as np
import numpy.typing as npt

from .. import _native
from .._validation import check_scaling
from .noise import draw_noise

# Integers beyond this magnitude are not all exactly representable as float64.
_EXACT_INT = 2**53

# Dense blocks of sparse input are densified at most this many values at a time.
_SPARSE_BLOCK_VALUES = 1 << 25


def scale_columns(block: np.ndarray, means: np.ndarray, cols: np.ndarray) -> None:
    """Divides each column of `block` by its std (no centring; std < 10 eps -> 1), in place,
    and stores ``max(1, mean|column|)`` in `means`: scikit-learn's ``scale(X, with_mean=False)``
    then its noise factor. The numpy calls are scikit-learn's, so the (pairwise) reductions
    and results are identical; each column's result depends on that column alone.

    Raises ValueError, naming the column (its index in X, from `cols`), where
    the std or the mean overflows (check_scaling). Nothing in `block` is used
    before this check passes.
    """
    # np.std performs nanstd's operations in the same order (X holds no NaN
    # here) without its NaN-masking copy
    with np.errstate(over="ignore", invalid="ignore"):
        std = np.std(block, axis=0)
    check_scaling("X", block, ~np.isfinite(std), cols, "its standard deviation")
    std[std < 10 * np.finfo(std.dtype).eps] = 1.0
    block /= std
    with np.errstate(over="ignore", invalid="ignore"):
        means[...] = np.maximum(1, np.mean(np.abs(block), axis=0))
    check_scaling("X", block, ~np.isfinite(means), cols, "the mean of |x / std|")


def _check_noised(block: np.ndarray, means: np.ndarray, cols: np.ndarray, n: int) -> None:
    """Refuses a column that overflowed when the noise was added.

    |x| <= n * mean|x|, so only a column whose mean is within a factor 2n of
    the largest float can overflow (a single sample near 1.8e308, say).
    """
    for j in np.flatnonzero(means > np.finfo(np.float64).max / (2.0 * n)):
        bad = (np.arange(block.shape[1]) == j) & ~np.isfinite(block[:, j]).all()
        check_scaling("X", block, bad, cols, "adding the tie-breaking noise")


# Below this many values the continuous block is prepared on one thread.
_PARALLEL_PREP = 1 << 20


def continuous_block(X: npt.NDArray[Any], continuous: npt.NDArray[np.bool_], rng: np.random.RandomState,
                     threads: int) -> npt.NDArray[np.float64]:
    """``X[:, continuous]`` as a Fortran-ordered float64 copy, scaled, plus the tie-breaking noise.

    The values are scikit-learn's: ``scale(X[:, mask], with_mean=False)``, then
    ``1e-10 * max(1, mean|x|) * N(0, 1)`` drawn from `rng` in its order. On large
    float64 input the copy and the per-column scaling run on column blocks in
    parallel threads (numpy releases the GIL); the results are the same.
    """
    cols = np.flatnonzero(continuous)
    n, pc = X.shape[0], cols.size
    workers = min(threads if threads > 0 else _native.default_threads(), pc, os.cpu_count() or 1)
    means = np.empty(pc, dtype=np.float64)
    if workers > 1 and n * pc >= _PARALLEL_PREP and X.dtype == np.float64:
        xc = np.empty((n, pc), dtype=np.float64, order="F")
        contiguous = cols[-1] - cols[0] + 1 == pc

        def prepare(a: int, b: int) -> None:
            block = xc[:, a:b]
            if contiguous:
                block[...] = X[:, cols[a] : cols[a] + b - a]
            else:
                np.take(X, cols[a:b], axis=1, out=block, mode="clip")
            scale_columns(block, means[a:b], cols[a:b])

        bounds = [pc * w // workers for w in range(workers + 1)]
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(prepare, bounds[:-1], bounds[1:]))
    else:
        xc = X[:, continuous]  # Fortran-ordered copy, like scikit-learn's
        if xc.dtype != np.float64:
            xc = xc.astype(np.float64)
        scale_columns(xc, means, cols)
    draw_noise(xc, 1e-10 * means, rng, threads)
    _check_noised(xc, means, cols, n)
    return xc


def scale_and_noise_target(y: npt.NDArray[Any], rng: np.random.RandomState, threads: int) -> npt.NDArray[np.float64]:
    """y divided by its std (unless exactly 0) plus noise, as scikit-learn does."""
    if y.dtype in (np.float16, np.float32, np.float64):
        y = y.copy()  # scikit-learn keeps these precisions
    else:
        y = y.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        std = np.std(y)
    # e.g. float16 values above 256, whose squares overflow float16
    check_scaling("y", y, np.array([not np.isfinite(std)]), None, "its standard deviation")
    if std == 0.0:
        std = 1.0
    y /= std
    with np.errstate(over="ignore", invalid="ignore"):
        c = 1e-10 * np.maximum(1, np.mean(np.abs(y)))
    check_scaling("y", y, np.array([not np.isfinite(c)]), None, "the mean of |y / std|")
    with np.errstate(over="ignore", invalid="ignore"):
        if y.dtype == np.float64:
            draw_noise(y.reshape(-1, 1), np.array([c]), rng, threads)
        else:
            y += c * rng.standard_normal(size=y.shape[0])
    check_scaling("y", y, np.array([not np.isfinite(y).all()]), None, "adding the tie-breaking noise")
    return np.ascontiguousarray(y, dtype=np.float64)


def discrete_block(Xd: np.ndarray, exact_ints: bool) -> np.ndarray:
    """Discrete columns as Fortran-ordered float64 values that compare like the originals.

    Integers too large for float64 (possible only when no feature is
    continuous, since scikit-learn then never casts X) are replaced by their
    label codes, which partition the samples the same way.
    """
    if exact_ints and Xd.dtype.kind in "iu" and Xd.size and (
        Xd.max() > _EXACT_INT or Xd.min() < -_EXACT_INT
    ):
        out = np.empty(Xd.shape, dtype=np.float64, order="F")
        for j in range(Xd.shape[1]):
            out[:, j] = np.unique(Xd[:, j], return_inverse=True)[1].reshape(-1)
        return out
    return np.asfortranarray(Xd, dtype=np.float64)


def sparse_blocks(X: Any, n: int) -> Iterator[tuple[int, int, npt.NDArray[np.float64]]]:
    """(start, stop, block) for consecutive columns of the CSC matrix X, each block
    a Fortran-ordered float64 densification of columns [start, stop)."""
    p = X.shape[1]
    width = max(1, _SPARSE_BLOCK_VALUES // n)
    for start in range(0, p, width):
        stop = min(p, start + width)
        block = np.zeros((n, stop - start), dtype=np.float64, order="F")
        for j in range(start, stop):
            lo, hi = X.indptr[j], X.indptr[j + 1]
            block[X.indices[lo:hi], j - start] = X.data[lo:hi]
        yield start, stop, block
