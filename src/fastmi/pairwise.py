"""The matrix of mutual information between every pair of columns."""
from __future__ import annotations

import math
import warnings
from typing import Any, Literal, Optional

import numpy as np
import numpy.typing as npt

from . import _native, _plugin
from ._ties import TiedSamplesWarning, TieReport, _digest, break_ties, column_noise, warn_ties
from ._validation import (
    as_samples,
    bin_dtype,
    check_base,
    check_choice,
    check_k,
    check_ksg_radii,
    check_noise_random_state,
    check_tie_breaking,
    check_uniform_edges,
    column_spans,
    finite_range,
    interruptible,
    narrow_axis,
    resolve_n_jobs,
    to_array,
)
from ._typing import TieBreaking, TieSeed
_METHODS = ("ksg", "binned")
_REMEDY = "For discrete data use method='binned'; tie_breaking='off' estimates on the data as given."


def _upper_pairs(p: int) -> np.ndarray:
    i, j = np.triu_indices(p, k=1)
    return np.ascontiguousarray(np.column_stack([i, j]), dtype=np.int64)


def pairwise_mi(
    X: npt.ArrayLike,
    *,
    method: Literal["ksg", "binned"] = "ksg",
    k: int = 3,
    bins: Any = 10,
    base: float = 2,
    n_jobs: Optional[int] = None,
    random_state: TieSeed = None,
    tie_breaking: TieBreaking = "auto",
) -> npt.NDArray[np.float64]:
    """Mutual information between every pair of columns of X, in bits by default.

    Parameters
    ----------
    X : array_like, shape (n, p)
        Samples (rows) of p one-dimensional variables (columns).
    method : {"ksg", "binned"}, keyword-only, default "ksg"
        ``"ksg"``: entry ``[i, j]`` (``i < j``) is exactly
        ``fastmi.ksg_mi(X[:, i], X[:, j], k=k, base=base,
        random_state=random_state, tie_breaking=tie_breaking)``, bit for bit
        (KSG algorithm 1, max-norm, clipped at 0). ``"binned"``: exactly
        ``fastmi.discrete_mi(X[:, i], X[:, j], bins=bins, base=base)``.
    k : int, keyword-only, default 3
        Neighbour order for ``"ksg"``, ``1 <= k < n``.
    bins : int or array of edges, keyword-only, default 10
        For ``"binned"``: the bin count, or one array of edges, used for
        every column (``numpy.histogram2d``'s rules).
    base : float, keyword-only, default 2
        Logarithm base of the result: 2 for bits, ``numpy.e`` for nats.
    n_jobs : int or None, keyword-only
        Threads: None uses OpenMP's default, -1 all cores, -2 all but one
        (and so on: cores + 1 + n_jobs, at least 1), k > 0 that many.
        Pairs run in parallel; the result is bit-identical for every value.
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator, keyword-only
        Seed of the tie-breaking noise, as in :func:`ksg_mi` (None: the
        fixed seed 0; a SeedSequence or Generator gives one seed, used for
        every column). A column's noise depends on the seed and its values
        only, so entry ``[i, j]`` matches ``ksg_mi`` with that seed.
    tie_breaking : {"auto", "noise", "off"}, keyword-only, default "auto"
        For ``"ksg"``, as in :func:`ksg_mi`: ``"auto"`` adds noise of
        standard deviation ``max(min(1e-10 * std, 1e-3 * q), 2**-42 * |value|)``
        (q the column's resolution) to a
        copy of every column with repeated values (one warning naming
        them), ``"noise"`` to every non-constant column, ``"off"`` uses the
        data as given.

    Returns
    -------
    ndarray of float64, shape (p, p)
        The symmetric matrix: ``[j, i]`` holds the same number as ``[i, j]``
        (the estimate with the lower column index as x; with the columns
        swapped ``ksg_mi`` agrees to rounding). The **diagonal** holds, for
        ``"ksg"``, NaN: I(X;X) of a continuous variable is infinite, and
        KSG's formula on two copies of one column returns ``psi(n) -
        psi(k)``, a function of n and k alone, not an estimate of anything.
        For ``"binned"`` it holds ``discrete_mi(X[:, i], X[:, i])``, the
        plug-in entropy of the binned column (which is I(X;X) of the binned
        variable).

    Raises
    ------
    ValueError
        X not 2-D or empty, NaN or infinite values, ``k`` outside
        ``[1, n)``, invalid ``bins``, ``method`` or ``base``; for ``"ksg"``,
        a pair whose k-th-neighbour distance overflows float64 (as
        ``ksg_mi``), 64-bit integers beyond 2**53 in magnitude (float64
        cannot hold them exactly), a negative int ``random_state``.
    TypeError
        Non-numeric X, non-integer ``k`` or ``n_jobs``, a ``random_state``
        that is not None, an int, a ``numpy.random.SeedSequence`` or a
        ``numpy.random.Generator``.

    Warns
    -----
    TiedSamplesWarning
        ``"ksg"`` with ``tie_breaking="auto"``: when columns have repeated
        values and noise was added (one warning naming them); with
        ``"off"``: on pairs with k or more exact duplicates in the joint
        space (one warning naming how many pairs).

    Notes
    -----
    Each column is sorted once (its sorted order and value index), and
    every pair reuses them: the k-th-neighbour search runs on strips of one
    column's sorted order, the marginal counts on both columns' sorted
    orders. A constant column has 0 with every other column (as in
    ``ksg_mi``). Memory: about 24 bytes per value of X for the sorted
    columns, plus O(n) per thread.

    Examples
    --------
    >>> import numpy as np, fastmi
    >>> rng = np.random.default_rng(0)
    >>> a = rng.standard_normal(5000)
    >>> X = np.column_stack([a, a + rng.standard_normal(5000), rng.standard_normal(5000)])
    >>> M = fastmi.pairwise_mi(X)
    >>> bool(M[0, 1] > 0.3 and M[0, 2] < 0.05 and np.isnan(M[0, 0]))
    True
    """
    method = check_choice(method, "method", _METHODS)
    base = check_base(base)
    tie_breaking = check_tie_breaking(tie_breaking)
    check_noise_random_state(random_state)
    Xa = to_array(X, "X", exact=method == "ksg")
    X = as_samples(Xa, "X", exact=method == "ksg")
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features); got shape {X.shape}")
    n, p = X.shape
    threads = resolve_n_jobs(n_jobs)
    if method == "binned":
        return _binned_matrix(X, bins, base, threads, bin_dtype(Xa.dtype))
    out = np.full((p, p), np.nan)
    pairs = _upper_pairs(p)
    if pairs.shape[0] == 0:
        check_k(k, n)
        column_spans(X, "X")  # refuses NaN and infinity
        return out
    X, k, constant, report, twin = _ksg_prepare(X, k, tie_breaking, random_state, threads)
    live = ~(constant[pairs[:, 0]] | constant[pairs[:, 1]])
    values = np.zeros(pairs.shape[0])
    nats, zeros = _native.ksg_pairs_nats(X, _twin_pairs(pairs[live], twin), k, threads, interruptible())
    warn_ties(report, _REMEDY)
    bits = nats / math.log(base)
    values[live] = np.where(bits > 0.0, bits, 0.0)  # ksg_mi's max(0.0, ...)
    _warn_zero_radius(int(np.count_nonzero(zeros)), pairs.shape[0], k, stacklevel=3)
    out[pairs[:, 0], pairs[:, 1]] = values
    out[pairs[:, 1], pairs[:, 0]] = values
    return out


def _ksg_prepare(X: npt.NDArray[np.float64], k: int, tie_breaking: TieBreaking, random_state: TieSeed,
                 threads: int) -> tuple[npt.NDArray[np.float64], int, npt.NDArray[np.bool_], Optional[TieReport],
                                        npt.NDArray[np.int64]]:
    """pairwise_mi's KSG checks and shared state: (X with its tie-breaking noise,
    Fortran order, and after its p columns a twin for each group of equal noised
    columns; k checked; constant columns (twins included); what tie breaking did;
    each column's twin or -1: see _twins and _twin_pairs)."""
    n, p = X.shape
    k = check_k(k, n)
    span = column_spans(X, "X")  # also refuses NaN and infinity
    constant: npt.NDArray[np.bool_] = (X == X[:1]).all(axis=0)
    twin = np.full(p, -1, dtype=np.int64)
    original = X
    (X,), report = break_ties([(np.asfortranarray(X), "X")], tie_breaking, random_state, threads)
    if report is not None:
        X, twin = _twins(original, X, report.seed)
        span = column_spans(X, "X")
        constant = np.concatenate([constant, np.zeros(X.shape[1] - p, dtype=bool)])
    wide = ~np.isfinite(span)
    pairs = _twin_pairs(_upper_pairs(p), twin)
    for i, j in pairs[wide[pairs[:, 0]] | wide[pairs[:, 1]]]:
        if not (constant[i] or constant[j]):  # as ksg_mi: a k-th-neighbour distance overflowing float64
            check_ksg_radii(X[:, [i]], X[:, [j]], span[[i, j]], k, False, threads)
    return np.asfortranarray(X), k, constant, report, twin


def _twins(original: npt.NDArray[np.float64], noised: npt.NDArray[np.float64], seed: int
           ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """(``noised`` with one column appended for each group of equal noised columns,
    each column's twin or -1). Equal tied data get equal noise, and the entry of two
    of them would be that of two equal continuous variables (9.6 bits for a
    4-valued column, whose entropy is 2 bits); the twin holds the group's values
    with the noise ksg_mi gives its y when y equals x (break_ties' salt 1), so that
    the entry is ksg_mi's, about the entropy of the values."""
    p = original.shape[1]
    digests: dict[bytes, list[int]] = {}
    for c in range(p):
        if not np.array_equal(noised[:, c], original[:, c]):  # noised
            digests.setdefault(_digest(np.ascontiguousarray(noised[:, c])), []).append(c)
    groups = [cols for cols in digests.values() if len(cols) > 1]
    twin = np.full(p, -1, dtype=np.int64)
    if not groups:
        return noised, twin
    extra = [column_noise(original[:, cols[0]], seed, 1) for cols in groups]
    for g, cols in enumerate(groups):
        twin[cols] = p + g
    return np.asfortranarray(np.column_stack([noised] + extra)), twin


def _twin_pairs(pairs: npt.NDArray[np.int64], twin: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``pairs`` (i < j), with j replaced by its group's twin column where columns
    i and j are equal noised columns (see _twins)."""
    i, j = pairs[:, 0], pairs[:, 1]
    same = (twin[i] >= 0) & (twin[i] == twin[j])
    if not same.any():
        return pairs
    out = pairs.copy()
    out[same, 1] = twin[j[same]]
    return out


def _warn_zero_radius(tied: int, n_pairs: int, k: int, stacklevel: int) -> None:
    """The warning for pairs with k or more exact duplicates in the joint space
    (``stacklevel`` as warnings.warn's, counted from this function)."""
    if tied:
        warnings.warn(
            f"{tied} of {n_pairs} pairs have samples at distance 0 from their k-th neighbour "
            f"(k={k}) in the joint space (duplicated samples), where the KSG estimator's "
            "assumptions fail. Add tiny noise to continuous data, or use method='binned'.",
            TiedSamplesWarning,
            stacklevel=stacklevel,
        )


def _binned_axes(X: npt.NDArray[np.float64], bins: Any, threads: int,
                 dtype: Optional[np.dtype[Any]] = None) -> list[tuple[Any, ...]]:
    """Each column's binning (bins, edges or None, lowest, highest), as discrete_mi bins it
    (``dtype``: X's, where narrower than float64: see _validation.narrow_axis)."""
    (nb, edges), = _plugin.same_axes(bins, 1)
    axes: list[tuple[Any, ...]] = []
    for c in range(X.shape[1]):
        label = f"X[:, {c}]"
        lo, hi = finite_range(np.ascontiguousarray(X[:, c]), "X", threads, X)
        if edges is None:
            check_uniform_edges(lo, hi, nb, label)
        axes.append(narrow_axis((nb, edges, lo, hi), dtype))
    return axes


def _binned_matrix(X: npt.NDArray[np.float64], bins: Any, base: float, threads: int,
                   dtype: Optional[np.dtype[Any]] = None) -> npt.NDArray[np.float64]:
    n, p = X.shape
    axes = _binned_axes(X, bins, threads, dtype)
    i, j = np.triu_indices(p)  # the diagonal included
    pairs = np.ascontiguousarray(np.column_stack([i, j]), dtype=np.int64)
    bits, counted = _native.binned_pairs_bits(np.asfortranarray(X), axes, pairs, threads, interruptible())
    if (counted == 0).any():
        raise ValueError("no sample falls inside the bin edges")
    bits = np.where(bits > 0.0, bits, 0.0)  # discrete_mi's max(0.0, ...)
    if base != 2.0:
        bits = bits * (math.log(2.0) / math.log(base))
    out = np.empty((p, p))
    out[i, j] = bits
    out[j, i] = bits
    return out
