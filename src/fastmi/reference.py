"""Slow, exact pure-NumPy reference implementations of the textbook estimators.

This module re-implements, from their stated semantics, the three functions of
the textbook ``mutual_information.py`` listing (``discrete_mi``, ``ksg_mi``,
``mi_feature_selection``) that ``fastmi`` replaces.  It is meant as ground truth
for tests and benchmarks of the fast native code, so clarity and bit-exact,
documented arithmetic take priority over speed (the k-NN estimator is
O(n**2) brute force).

The module depends on NumPy only at import time (scikit-learn is imported
lazily by :func:`mi_feature_selection`), and imports nothing else from
``fastmi``, so it can also be loaded standalone from its file.

Units: :func:`discrete_mi` and :func:`ksg_mi` return **bits**;
:func:`mi_feature_selection` returns scikit-learn's scores, which are **nats**.
"""

from __future__ import annotations

import math
import operator
from fractions import Fraction
from typing import Any, Literal, Union, overload

import numpy as np
import numpy.typing as npt

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]

__all__ = [
    "discrete_mi",
    "ksg_mi",
    "digamma",
    "mi_feature_selection",
    "brute_force_ksg_counts",
]

# Working-memory target of the brute-force k-NN search, in bytes.
_MEMORY_BUDGET = 64 * 1024 * 1024
# Number of float64 (rows x columns) tiles alive at once in the search.
_LIVE_TILES = 6
# Widest column tile.
_MAX_COLS = 1 << 16


# --------------------------------------------------------------------------
# digamma for positive integers
# --------------------------------------------------------------------------

# Euler-Mascheroni constant to 40 significant digits (exact rational proxy).
_EULER_GAMMA = Fraction("0.5772156649015328606065120900824024310422")
# psi(n) = H_{n-1} - gamma is tabulated (correctly rounded) for n < _TABLE_SIZE.
_TABLE_SIZE = 64


def _build_digamma_table(size: int) -> _F64:
    table = np.empty(size, dtype=np.float64)
    table[0] = np.nan  # psi(0) is undefined; never used
    harmonic = Fraction(0)
    for n in range(1, size):
        # Fraction -> float conversion is correctly rounded.
        table[n] = float(harmonic - _EULER_GAMMA)
        harmonic += Fraction(1, n)
    return table


_DIGAMMA_TABLE = _build_digamma_table(_TABLE_SIZE)

# B_{2k} / (2k) for k = 1..7, the coefficients of x**(-2k) in
# psi(x) ~ log(x) - 1/(2x) - sum_k B_{2k} / (2k x**(2k)).
_ASYMPTOTIC_COEFFS = (
    1.0 / 12.0,
    -1.0 / 120.0,
    1.0 / 252.0,
    -1.0 / 240.0,
    1.0 / 132.0,
    -691.0 / 32760.0,
    1.0 / 12.0,
)


@overload
def digamma(n: Union[int, np.integer[Any]]) -> float: ...


@overload
def digamma(n: npt.ArrayLike) -> Union[float, _F64]: ...


def digamma(n: npt.ArrayLike) -> Union[float, _F64]:
    """Digamma function psi(n) of positive integers.

    Parameters
    ----------
    n : int or array_like of int
        Positive integers (integer dtype, or floats with integral values).

    Returns
    -------
    float or numpy.ndarray
        psi(n) (dimensionless), float64, same shape as `n`; a Python float
        when `n` is a scalar.  For n < 64 this is the correctly rounded value
        of ``H_{n-1} - EulerGamma`` (harmonic sum done in exact rational
        arithmetic); above it the asymptotic series
        ``log(n) - 1/(2n) - sum_k B_2k / (2k n**2k)`` (7 terms) is used.
        Relative error is a few ulp (well below 1e-15).

    Raises
    ------
    ValueError
        If any element is not a positive integer.
    """
    arr = np.asarray(n)
    scalar = arr.ndim == 0
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise ValueError("digamma: n must contain positive integers")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.floor(arr)):
            raise ValueError("digamma: n must contain positive integers")
    if np.any(arr < 1):
        raise ValueError("digamma: n must contain positive integers")

    x = arr.astype(np.float64)
    out = np.empty(x.shape, dtype=np.float64)
    small = x < _TABLE_SIZE
    if np.any(small):
        out[small] = _DIGAMMA_TABLE[x[small].astype(np.intp)]
    big = ~small
    if np.any(big):
        xb = x[big]
        inv2 = 1.0 / (xb * xb)
        series = np.full_like(xb, _ASYMPTOTIC_COEFFS[-1])
        for c in _ASYMPTOTIC_COEFFS[-2::-1]:
            series = series * inv2 + c
        series = series * inv2
        out[big] = np.log(xb) - (0.5 / xb + series)
    if scalar:
        return float(out[()])
    return out


# --------------------------------------------------------------------------
# Plug-in (histogram) MI
# --------------------------------------------------------------------------


def discrete_mi(x: npt.ArrayLike, y: npt.ArrayLike, bins: Any = 10) -> float:
    """Plug-in mutual information of a 2-D histogram, in bits.

    Same numbers as the textbook listing: ``joint = np.histogram2d(x, y,
    bins)``, ``p = joint / joint.sum()``, marginals ``px = p.sum(axis=1)``,
    ``py = p.sum(axis=0)``, then ``p[i,j] * log2(p[i,j] / (px[i]*py[j]))``
    accumulated sequentially over cells with ``p > 0`` in row-major order.
    Unlike the listing, the sum runs over the actual table shape, so any
    `bins` accepted by :func:`numpy.histogram2d` works.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Samples (1-D, same length), passed to :func:`numpy.histogram2d` as
        given.
    bins : int or [int, int] or array_like or [array, array] or [int, array]
        Passed to :func:`numpy.histogram2d` unchanged.

    Returns
    -------
    float
        Mutual information in **bits**.

    Raises
    ------
    ValueError
        If x or y is not 1-D, their lengths differ, they are empty, or no
        sample falls inside the histogram (explicit edges).
    """
    # the samples as given, as the listing passes them to histogram2d (numpy bins
    # float32 samples, alone or with integers, on float32 edges)
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError("discrete_mi: x and y must be 1-D")
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"discrete_mi: x and y have different lengths ({x.shape[0]} != {y.shape[0]})"
        )
    if x.shape[0] == 0:
        raise ValueError("discrete_mi: empty input")
    joint, _, _ = np.histogram2d(x, y, bins=bins)
    total = joint.sum()
    if not total > 0:
        raise ValueError("discrete_mi: no sample falls inside the histogram bins")
    p = joint / total
    px = p.sum(axis=1)
    py = p.sum(axis=0)
    rows, cols = np.nonzero(p > 0)  # row-major order
    if rows.size == 0:
        return 0.0
    pij = p[rows, cols]
    # Elementwise exactly as the listing's per-cell expression.
    terms = pij * np.log2(pij / (px[rows] * py[cols]))
    # np.add.accumulate is a strictly sequential left-to-right sum
    # (0.0 + t0 == t0 exactly), matching the listing's ``mi += ...`` loop.
    return float(np.add.accumulate(terms)[-1])


# --------------------------------------------------------------------------
# KSG (k-nearest-neighbour) MI
# --------------------------------------------------------------------------


def _as_samples(a: npt.ArrayLike, name: str) -> _F64:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    elif arr.ndim != 2:
        raise ValueError(f"ksg_mi: {name} must be 1-D (n,) or 2-D (n, d)")
    if arr.shape[1] == 0:
        raise ValueError(f"ksg_mi: {name} has no coordinates")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"ksg_mi: {name} contains NaN or infinity")
    return np.ascontiguousarray(arr)


def _validate_ksg(x: npt.ArrayLike, y: npt.ArrayLike, k: object) -> tuple[_F64, _F64, int]:
    xs = _as_samples(x, "x")
    ys = _as_samples(y, "y")
    n = xs.shape[0]
    if ys.shape[0] != n:
        raise ValueError(f"ksg_mi: x and y have different lengths ({n} != {ys.shape[0]})")
    if isinstance(k, (bool, np.bool_)):
        raise ValueError("ksg_mi: k must be an integer")
    try:
        order = operator.index(k)  # type: ignore[arg-type]  # anything with __index__; else TypeError
    except TypeError:
        raise ValueError("ksg_mi: k must be an integer") from None
    if not 1 <= order < n:
        raise ValueError(f"ksg_mi: need 1 <= k < n (k={order}, n={n})")
    return xs, ys, order


def _tile_distance(a_rows: _F64, a_cols: _F64, squared: bool) -> _F64:
    """Distances between rows of a_rows (B, d) and a_cols (C, d).

    squared=False: max over coordinates of |a - b| (Chebyshev).
    squared=True: sum over coordinates, in coordinate order, of (a - b)**2.
    """
    out = np.subtract(a_rows[:, 0, None], a_cols[None, :, 0])
    if squared:
        np.multiply(out, out, out=out)
    else:
        np.abs(out, out=out)
    if a_rows.shape[1] > 1:
        tmp = np.empty_like(out)
        for c in range(1, a_rows.shape[1]):
            np.subtract(a_rows[:, c, None], a_cols[None, :, c], out=tmp)
            if squared:
                np.multiply(tmp, tmp, out=tmp)
                np.add(out, tmp, out=out)
            else:
                np.abs(tmp, out=tmp)
                np.maximum(out, tmp, out=out)
    return out


def _tile_sizes(n: int, k: int) -> tuple[int, int]:
    cols = min(n, _MAX_COLS)
    per_row = _LIVE_TILES * cols + 2 * k
    rows = max(1, min(n, (_MEMORY_BUDGET // 8) // per_row))
    return rows, cols


def brute_force_ksg_counts(
    x: npt.ArrayLike, y: npt.ArrayLike, k: int, legacy: bool = False
) -> tuple[_F64, _I64, _I64]:
    """Per-sample KSG quantities by exhaustive (brute-force) search.

    Parameters
    ----------
    x : array_like, shape (n,) or (n, dx)
    y : array_like, shape (n,) or (n, dy)
    k : int
        Neighbour rank, ``1 <= k < n``.
    legacy : bool, default False
        False: Kraskov et al. (2004) algorithm 1.  ``eps[i]`` is the max-norm
        (Chebyshev) distance in the joint space to the k-th nearest neighbour
        of sample i (self excluded by index; duplicates are neighbours at
        distance 0); ``nx[i] = #{j != i : maxnorm_x(i, j) < eps[i]}``,
        implemented as ``<= nextafter(eps[i], 0)``, so when ``eps[i] == 0``
        exact duplicates in the marginal are counted.  Same for ``ny``.
        True: the textbook listing.  ``eps[i]`` is the Euclidean distance to
        the k-th neighbour in the joint space (``sqrt`` of the squared
        differences summed in coordinate order, x coordinates then y
        coordinates); ``nx[i] = #{j : sqdist_x(i, j) <= eps[i]*eps[i]} - 1``
        (inclusive ball, as SciPy's ``query_ball_point``), same for ``ny``.

    Returns
    -------
    eps : numpy.ndarray of float64, shape (n,)
        k-th neighbour distance (same units as the data).
    nx, ny : numpy.ndarray of int64, shape (n,)
        Marginal neighbour counts (self excluded).

    Notes
    -----
    O(n**2) time; rows and columns are processed in tiles so the working
    memory stays around 64 MB whatever n is.
    """
    xs, ys, k = _validate_ksg(x, y, k)
    squared = bool(legacy)
    n = xs.shape[0]
    rows_per, cols_per = _tile_sizes(n, k)
    xy = np.ascontiguousarray(np.hstack([xs, ys]))
    nxd = xs.shape[1]

    eps = np.empty(n, dtype=np.float64)
    nx = np.empty(n, dtype=np.int64)
    ny = np.empty(n, dtype=np.int64)

    for r0 in range(0, n, rows_per):
        r1 = min(n, r0 + rows_per)
        idx = np.arange(r0, r1)
        blk = xy[r0:r1]

        # Pass 1: k smallest joint distances (self excluded) per row.
        best = np.full((r1 - r0, k), np.inf)
        for c0 in range(0, n, cols_per):
            c1 = min(n, c0 + cols_per)
            # Joint distance accumulated over x coords then y coords.
            joint = _tile_distance(blk, xy[c0:c1], squared)
            self_in = (idx >= c0) & (idx < c1)
            joint[np.nonzero(self_in)[0], idx[self_in] - c0] = np.inf
            cand = np.concatenate([best, joint], axis=1)
            del joint
            best = np.partition(cand, k - 1, axis=1)[:, :k]
            del cand
        kth = best[:, k - 1].copy()  # k-th smallest after the final partition
        if squared:
            eps_blk = np.sqrt(kth)
            thr = eps_blk * eps_blk
        else:
            eps_blk = kth
            thr = np.nextafter(eps_blk, 0.0)
        eps[r0:r1] = eps_blk

        # Pass 2: marginal counts (self included, removed below).
        cx = np.zeros(r1 - r0, dtype=np.int64)
        cy = np.zeros(r1 - r0, dtype=np.int64)
        for c0 in range(0, n, cols_per):
            c1 = min(n, c0 + cols_per)
            dxm = _tile_distance(blk[:, :nxd], xs[c0:c1], squared)
            cx += np.count_nonzero(dxm <= thr[:, None], axis=1)
            del dxm
            dym = _tile_distance(blk[:, nxd:], ys[c0:c1], squared)
            cy += np.count_nonzero(dym <= thr[:, None], axis=1)
            del dym
        nx[r0:r1] = cx - 1
        ny[r0:r1] = cy - 1
    return eps, nx, ny


def ksg_mi(x: npt.ArrayLike, y: npt.ArrayLike, k: int = 3, *, legacy: bool = False) -> float:
    """Kraskov-Stoegbauer-Grassberger k-NN mutual information, in bits.

    Parameters
    ----------
    x : array_like, shape (n,) or (n, dx)
        Samples of X (converted to float64; must be finite).
    y : array_like, shape (n,) or (n, dy)
        Samples of Y, same n.
    k : int, default 3
        Number of neighbours, ``1 <= k < n``.
    legacy : bool, keyword-only, default False
        False: the published estimator (Kraskov et al. 2004, algorithm 1,
        max-norm, strict marginal balls).  True: reproduce the textbook
        listing (Euclidean joint distance, inclusive Euclidean marginal
        balls), which is biased low.  See :func:`brute_force_ksg_counts`.
        With legacy=False a single-valued x or y gives exactly 0, as in
        fastmi.ksg_mi.

    Returns
    -------
    float
        ``max(0, mi_nats / log(2))`` in **bits**, where ``mi_nats = psi(k) +
        psi(n) - S / n`` and ``S`` is the left-to-right sum over i of
        ``psi(nx[i] + 1) + psi(ny[i] + 1)``.

    Raises
    ------
    ValueError
        On mismatched lengths, bad shapes, non-finite values, or k outside
        ``[1, n)``.
    """
    _, nx, ny = brute_force_ksg_counts(x, y, k, legacy=legacy)
    if not legacy:
        xa, ya = np.asarray(x), np.asarray(y)
        if (xa == xa[:1]).all() or (ya == ya[:1]).all():
            return 0.0  # a single-valued variable has no entropy: I = 0 exactly
    n = nx.shape[0]
    k = operator.index(k)
    per_sample = digamma(nx + 1) + digamma(ny + 1)
    total = float(np.add.accumulate(per_sample)[-1])  # sequential sum
    mi_nats = digamma(k) + digamma(n) - total / n
    return max(0.0, float(mi_nats) / math.log(2.0))


# --------------------------------------------------------------------------
# scikit-learn based feature ranking
# --------------------------------------------------------------------------


def mi_feature_selection(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    n_features: int = 5,
    task: Literal["classification", "regression"] = "classification",
) -> tuple[npt.NDArray[np.intp], _F64]:
    """Rank features by scikit-learn's mutual-information scores.

    Same semantics as the textbook listing: scores from
    ``sklearn.feature_selection.mutual_info_classif`` (``task=
    'classification'``) or ``mutual_info_regression`` (``task='regression'``)
    with ``random_state=42``; indices ``np.argsort(scores)[::-1][:n_features]``.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_columns)
    y : array_like, shape (n_samples,)
    n_features : int, default 5
        Number of top features returned.
    task : {'classification', 'regression'}
        Unlike the listing (where any other value meant regression), an
        unknown task raises ValueError.

    Returns
    -------
    top_indices : numpy.ndarray of int
        Column indices, highest score first.
    scores : numpy.ndarray of float
        Their scores, in **nats** (scikit-learn's unit).

    Raises
    ------
    ImportError
        If scikit-learn is not installed.
    ValueError
        If `task` is not recognised.
    """
    if task not in ("classification", "regression"):
        raise ValueError(
            f"mi_feature_selection: task must be 'classification' or 'regression', got {task!r}"
        )
    try:
        from sklearn.feature_selection import mutual_info_classif, mutual_info_regression
    except ImportError as exc:  # pragma: no cover - depends on environment
        raise ImportError(
            "fastmi.reference.mi_feature_selection requires scikit-learn; "
            "install it with `pip install scikit-learn` (or `pip install fastmi[sklearn]`)"
        ) from exc
    if task == "classification":
        scores = mutual_info_classif(X, y, random_state=42)
    else:
        scores = mutual_info_regression(X, y, random_state=42)
    top_indices = np.argsort(scores)[::-1][:n_features]
    return top_indices, scores[top_indices]
