"""scikit-learn's feature scoring over blocks of columns: each block scaled,
noised from its own slice of the one noise stream, and scored natively
where it lives, against a target prepared once."""
from __future__ import annotations

import copy
from typing import Any, Optional

import numpy as np
import numpy.typing as npt

from .. import _native
from .._validation import (
    _frame_values,
    MAX_NATIVE_INT,
    check_int,
    check_k,
    check_random_state,
    check_target_classif,
    check_target_regression,
    check_X,
    discrete_mask,
    interruptible,
    parameter_errors,
)
from ..sklearn.estimate import _compute_mi
from ..sklearn.noise import _RLOCK, mt19937_state, native_noise_ok
from ..sklearn.preprocess import _check_noised, discrete_block, scale_and_noise_target, scale_columns
from ._graph import bit_generator_of, check_compute, finish, is_dask, local, require_dask, task_threads

# (key, pos, has_gauss, gauss): a RandomState's MT19937 state
_State = tuple[npt.NDArray[np.uint32], int, int, float]
# A position in the noise stream of the caller's RandomState: ("MT19937", _State),
# read natively from any position, where the in-memory call draws natively too
# (draw_noise: an MT19937 RandomState, native_noise_ok()); else ("legacy", a copy of
# the RandomState at that position), for another bit generator (PCG64, Philox, ...)
# or where the native stream is not numpy's: numpy draws a block's noise from a copy
# of that copy. The copy is the RandomState's own (deepcopy: its bit generator's
# pickling), so a bit generator whose constructor takes arguments travels too.
_Stream = tuple[str, Any]

# normal values drawn at once by numpy where it draws the noise (8 MiB)
_DRAW = 1 << 20


def _native_stream(rng: np.random.RandomState) -> bool:
    """Whether the in-memory call draws `rng`'s noise natively (draw_noise's rule: the
    native stream is numpy's in this process, and the generator's lock is re-entrant)."""
    return native_noise_ok() and isinstance(getattr(bit_generator_of(rng), "lock", None), _RLOCK)


def _stream_of(rng: np.random.RandomState) -> _Stream:
    """The current position of `rng`'s noise stream."""
    state = mt19937_state(rng) if _native_stream(rng) else None
    if state is not None:
        return "MT19937", state
    return "legacy", copy.deepcopy(rng)


def _rng_at(stream: _Stream) -> np.random.RandomState:
    """A RandomState at the position `stream` (a new one: drawing leaves `stream` as it is)."""
    kind, state = stream
    if kind == "MT19937":
        rng = np.random.RandomState()
        rng.set_state(("MT19937", state[0], state[1], state[2], state[3]))
        return rng
    fresh: np.random.RandomState = copy.deepcopy(state)
    return fresh


def _draw(rng: np.random.RandomState, m: int) -> None:
    """Advances `rng` past m standard normal values, as drawing them at once would
    (numpy's legacy normals come one by one from the stream: the batches do not
    matter), in O(1) memory."""
    for start in range(0, m, _DRAW):
        rng.standard_normal(size=min(_DRAW, m - start))


def _legacy_noise(rng: np.random.RandomState, n: int, stride: int, offset: int, w: int) -> npt.NDArray[np.float64]:
    """Columns [offset, offset + w) of ``rng.standard_normal((n, stride))``, drawn
    a few rows at a time (numpy draws the matrix row by row: every value of the
    stream is drawn, O(w n + _DRAW) memory)."""
    out = np.empty((n, w), dtype=np.float64)
    rows = max(1, _DRAW // stride)
    for start in range(0, n, rows):
        m = min(rows, n - start)
        out[start : start + m] = rng.standard_normal(size=(m, stride))[:, offset : offset + w]
    return out


def _skip(state: _State, m: int) -> _State:
    key = state[0].copy()  # a copy: aligned
    pos, has_gauss, gauss = _native.skip_normals(key, state[1], state[2], state[3], m, interruptible())
    return key, pos, has_gauss, gauss


def _target(y: Any, n: int, discrete_target: bool, state: _Stream, threads: int) -> tuple[Any, int]:
    """(target, n_labels) as the in-memory call prepares it: label codes, or
    y scaled and noised from the stream after the features' noise. ``y`` as
    given (checked as in memory: None or a scalar is an InvalidParameterError)."""
    if discrete_target:
        return check_target_classif(y, n)
    y = check_target_regression(y, n)
    return scale_and_noise_target(y, _rng_at(state), threads), 0


def _score_block(block: Any, start: int, target: tuple[Any, int], discrete_target: bool,
                 continuous: npt.NDArray[np.bool_], offset: int, n_continuous: int, state: _Stream, k: int,
                 threads: int) -> npt.NDArray[np.float64]:
    """MI (nats) of columns [start, start + width) with the target: scaled and
    noised with values (i, offset + j) of the row-major noise matrix."""
    target, continuous, state = local(target), local(continuous), local(state)
    X, _ = check_X(block.to_numpy() if hasattr(block, "to_numpy") else block, start)
    n, w = X.shape
    cmask = continuous[start : start + w]
    tgt, n_labels = target
    mi = np.empty(w, dtype=np.float64)
    if cmask.any():
        cols = start + np.flatnonzero(cmask)
        xc = np.asfortranarray(X[:, cmask])
        if xc.dtype != np.float64:
            xc = xc.astype(np.float64)
        means = np.empty(cols.size, dtype=np.float64)
        scale_columns(xc, means, cols)
        c = np.ascontiguousarray(1e-10 * means)
        if state[0] == "MT19937" and native_noise_ok():  # else numpy draws it, as in memory here
            key, pos, has_gauss, gauss = state[1]
            _native.add_normal_noise_columns(xc, c, n_continuous, offset, key, pos, has_gauss, gauss,
                                             interruptible())
        else:  # numpy's draw_noise: noise *= c, then block += noise
            noise = _legacy_noise(_rng_at(state), n, n_continuous, offset, cols.size)
            noise *= c
            with np.errstate(over="ignore"):  # an overflow is refused by _check_noised, as in memory
                xc += noise
        _check_noised(xc, means, cols, n)
        mi[cmask] = _compute_mi(xc, False, tgt, discrete_target, n_labels, k, threads)
    if (~cmask).any():
        xd = discrete_block(X[:, ~cmask], exact_ints=n_continuous == 0)
        mi[~cmask] = _compute_mi(xd, True, tgt, discrete_target, n_labels, k, threads)
    return mi


def _frame_as_floats(df: Any) -> Any:
    """A partition of a dask DataFrame as float64 columns (bool, nullable, categorical
    columns read as the in-memory call reads them), labelled by position."""
    import pandas as pd

    values = _frame_values(df, "X") if df.shape[0] else np.zeros((0, df.shape[1]))
    return pd.DataFrame(np.asarray(values, dtype=np.float64), index=df.index)


def _concat(*parts: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.concatenate(parts)


def _estimate(X: Any, y: Any, discrete_target: bool, discrete_features: Any, n_neighbors: Any,
              random_state: Any, n_jobs: Optional[int], compute: bool) -> Any:
    require_dask()
    import dask.array as da
    from dask.delayed import delayed

    compute = check_compute(compute)
    with parameter_errors():  # as in memory (scikit-learn's): checked first, InvalidParameterError
        check_int(n_neighbors, "n_neighbors", minimum=1)
        rng = check_random_state(random_state)
        threads = task_threads(n_jobs)
    if not is_dask(X):
        X, sparse = check_X(X)  # what the in-memory call takes: DataFrames of any column kinds
        if sparse:
            raise TypeError("fastmi.dask does not take a sparse X; use fastmi.mutual_info_* in memory")
        X = da.from_array(np.asarray(X), chunks=(-1, "auto"))
    elif not isinstance(X, da.Array):  # a dask DataFrame: its partitions as the in-memory call reads a frame
        import pandas as pd

        meta = pd.DataFrame({c: np.zeros(0) for c in range(len(X.columns))})
        X = X.map_partitions(_frame_as_floats, meta=meta).to_dask_array(lengths=True)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}")
    n, p = X.shape
    if np.isnan(n):
        raise ValueError(
            "X has chunks of unknown length; give a dask array with known chunks "
            "(e.g. DataFrame.to_dask_array(lengths=True))"
        )
    n, p = int(n), int(p)
    if n == 0 or p == 0:
        raise ValueError(f"X has shape {(n, p)}: at least one sample and one feature are needed")
    discrete = discrete_mask(discrete_features, p, False)
    continuous = ~discrete
    pc = int(continuous.sum())
    if not discrete_target and continuous.any():
        k = check_k(n_neighbors, n, "n_neighbors", context=" for continuous features against a continuous target")
    else:
        k = min(int(n_neighbors), max(1, n - 1), MAX_NATIVE_INT)
    saved = rng.get_state(legacy=False)
    # the features' noise starts at `state`, the target's at `after_X`
    state = _stream_of(rng)
    after_X: _Stream
    if state[0] == "MT19937":
        after_X = "MT19937", _skip(state[1], n * pc)
        # the caller's generator advances as the in-memory call advances it
        rng.set_state(("MT19937",) + _skip(after_X[1], 0 if discrete_target else n))
    else:
        # another bit generator (RandomState(PCG64(0)), say): numpy has no skip ahead
        # for its normals, so the caller's generator draws what the in-memory call
        # draws (a batch at a time: O(1) memory)
        _draw(rng, n * pc)
        after_X = _stream_of(rng)
        _draw(rng, 0 if discrete_target else n)
    if isinstance(y, da.Array) and y.ndim == 1:
        y = y.rechunk(-1)
    target = delayed(_target, pure=True)(y, n, discrete_target, after_X, threads)
    X = X.rechunk({0: -1})  # whole columns: each feature's estimate needs all its samples
    blocks = X.to_delayed()[0]
    parts = []
    start = 0
    for block, width in zip(blocks, X.chunks[1]):
        if width == 0:  # an empty chunk of columns (chunks=((n,), (2, 0, 3))): no feature to score
            continue
        offset = int(continuous[:start].sum())
        parts.append(delayed(_score_block, pure=True)(block, start, target, discrete_target, continuous,
                                                      offset, pc, state, k, threads))
        start += width
    result = delayed(_concat, pure=True)(*parts)
    if not compute:
        return result
    try:
        return finish(result, True)
    except BaseException:
        # in memory the data are checked before the noise is drawn: a refused call draws nothing
        rng.set_state(saved)
        raise


def mutual_info_regression(X: Any, y: Any, *, discrete_features: Any = "auto", n_neighbors: int = 3,
                           random_state: Any = None, n_jobs: Optional[int] = None, compute: bool = True) -> Any:
    """:func:`fastmi.mutual_info_regression` over blocks of features, in nats, bit for bit.

    Each block of columns (X's column chunks) is scaled, noised and scored
    by the native code where it lives, against the target prepared once;
    the noise of each block is its slice of scikit-learn's one noise stream,
    so the numbers are those of the in-memory call for the same
    `random_state`.

    Parameters
    ----------
    X : dask array (n_samples, n_features), dask DataFrame, or array_like
        Dense features; rows are rechunked to whole columns (every
        estimate needs all the samples of its feature).
    y : dask array, array_like or Series, shape (n_samples,)
        Continuous target.
    discrete_features : {'auto', bool, array-like}, default 'auto'
        As for :func:`fastmi.mutual_info_regression` ('auto': none).
    n_neighbors : int, default 3
        ``k`` of the KSG and Ross estimators.
    random_state : int, RandomState instance or None, default None
        Source of the noise, as in memory (an instance is advanced as the
        in-memory call advances it, when the graph is built: with
        compute=False too). A RandomState on MT19937 (numpy's default) is
        read natively from any position, where the in-memory call draws it
        natively; on another bit generator (``RandomState(PCG64(0))``, or a
        third-party one that pickles: the tasks get a copy) numpy draws the
        noise, as in memory: each block draws the whole noise stream to keep
        its columns, and the caller's generator is advanced by drawing the
        values the in-memory call draws (slower; the same numbers).
    n_jobs : int or None, default None
        Threads of each block's native call (default 1).
    compute : bool, default True
        False returns a ``dask.delayed`` object instead of the array.

    Returns
    -------
    ndarray of shape (n_features,) or dask.delayed.Delayed
        MI of each feature with the target in **nats**, clipped at 0.

    Raises
    ------
    ValueError, TypeError
        As the in-memory call (data errors when the blocks are computed).
    """
    return _estimate(X, y, False, discrete_features, n_neighbors, random_state, n_jobs, compute)


def mutual_info_classif(X: Any, y: Any, *, discrete_features: Any = "auto", n_neighbors: int = 3,
                        random_state: Any = None, n_jobs: Optional[int] = None, compute: bool = True) -> Any:
    """:func:`fastmi.mutual_info_classif` over blocks of features, in nats, bit for bit.

    Parameters
    ----------
    X : dask array (n_samples, n_features), dask DataFrame, or array_like
        Dense features, as for :func:`mutual_info_regression`.
    y : dask array, array_like or Series, shape (n_samples,)
        Class labels.
    discrete_features : {'auto', bool, array-like}, default 'auto'
        As for :func:`fastmi.mutual_info_classif`.
    n_neighbors : int, default 3
        ``k`` of Ross's estimator.
    random_state : int, RandomState instance or None, default None
        Source of the noise of the continuous features, as in memory (an
        instance is advanced as the in-memory call advances it, when the
        graph is built: with compute=False too); any bit generator, as for
        :func:`mutual_info_regression`.
    n_jobs : int or None, default None
        Threads of each block's native call (default 1).
    compute : bool, default True
        False returns a ``dask.delayed`` object instead of the array.

    Returns
    -------
    ndarray of shape (n_features,) or dask.delayed.Delayed
        MI of each feature with the classes in **nats**, clipped at 0.

    Raises
    ------
    ValueError, TypeError
        As the in-memory call.
    """
    return _estimate(X, y, True, discrete_features, n_neighbors, random_state, n_jobs, compute)
