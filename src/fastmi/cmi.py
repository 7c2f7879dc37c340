"""Conditional mutual information I(X;Y|Z)."""
from __future__ import annotations

import math
import warnings
from typing import Any, Literal, Optional

import numpy as np
import numpy.typing as npt

from . import _native, _plugin
from ._ties import TiedSamplesWarning, break_ties, warn_ties
from .ksg import SAME_SAMPLES_HEAD, _as_2d, _is_constant, warn_same_samples

#: conditional_mi's warning for x and y that are the same samples.
SAME_SAMPLES_CMI = (
    SAME_SAMPLES_HEAD + ", given z too (I(X;X|Z) = H(X|Z)), so the estimate measures nothing and only "
    "grows with the number of samples n. H(X|Z) is H(X, Z) - H(Z), two entropies (fastmi.entropy)"
)
from ._validation import (
    as_samples,
    bin_dtype,
    check_base,
    check_choice,
    check_k,
    check_knn_radii,
    check_noise_random_state,
    check_same_length,
    check_tie_breaking,
    interruptible,
    resolve_n_jobs,
    to_array,
)
from ._typing import TieBreaking, TieSeed

_REMEDY = "For discrete data use method='discrete'; tie_breaking='off' estimates on the data as given."

_METHODS = ("ksg", "binned", "discrete")


def conditional_mi(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    z: npt.ArrayLike,
    *,
    k: int = 3,
    method: Literal["ksg", "binned", "discrete"] = "ksg",
    bins: Any = 10,
    base: float = 2,
    n_jobs: Optional[int] = None,
    random_state: TieSeed = None,
    tie_breaking: TieBreaking = "auto",
) -> float:
    """Conditional mutual information I(X;Y|Z) from samples, in bits by default.

    Parameters
    ----------
    x, y, z : array_like, shape (n,) or (n, d)
        Samples of the three variables (rows aligned); each may have several
        coordinates. ``method="discrete"`` also takes labels of any sortable
        dtype (a 2-D array's rows are joint labels).
    k : int, keyword-only, default 3
        Neighbour order for ``"ksg"``, ``1 <= k < n``.
    method : {"ksg", "binned", "discrete"}, keyword-only
        ``"ksg"``: the k-nearest-neighbour estimator of Frenzel and Pompe
        (2007): ``eps_i`` the max-norm distance from sample i to its k-th
        nearest other sample in the joint (x, y, z) space, ``n_xz``,
        ``n_yz``, ``n_z`` the numbers of other samples strictly closer than
        ``eps_i`` in those subspaces, and ``I = psi(k) - <psi(n_xz + 1) +
        psi(n_yz + 1) - psi(n_z + 1)>`` (where ``eps_i`` is 0, exact
        duplicates are counted, as in :func:`ksg_mi`). ``"binned"``: the plug-in
        ``H(X,Z) + H(Y,Z) - H(X,Y,Z) - H(Z)`` of the joint histogram, every
        column cut into ``bins`` bins between its minimum and maximum
        (``numpy.histogramdd``'s rule). ``"discrete"``: the same plug-in sum
        over the distinct values (rows).
    bins : int or array of edges, keyword-only, default 10
        For ``"binned"``: the bin count, or one array of edges, of every
        column of x, y and z. Samples outside explicit edges are left out.
    base : float, keyword-only, default 2
        Logarithm base of the result: 2 for bits, ``numpy.e`` for nats.
    n_jobs : int or None, keyword-only
        Threads: None uses OpenMP's default, -1 all cores, -2 all but one
        (and so on: cores + 1 + n_jobs, at least 1), k > 0 that many.
        The result is bit-identical for every value.
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator, keyword-only
        Seed of the tie-breaking noise, as in :func:`ksg_mi` (None: the
        fixed seed 0).
    tie_breaking : {"auto", "noise", "off"}, keyword-only, default "auto"
        As in :func:`ksg_mi`: ``"auto"`` adds noise of standard deviation
        ``max(min(1e-10 * std, 1e-3 * q), 2**-42 * |value|)`` (q the column's
        resolution) to a copy of every column
        with repeated values (and a warning), ``"noise"`` to every
        non-constant column, ``"off"`` uses the data as given.
        For ``"ksg"`` only; the columns of x, y and z are scanned.

    Returns
    -------
    float
        The estimate in units of ``log(base)``. The ``"ksg"`` estimate is
        returned **unclipped**: under conditional independence it scatters
        around 0 and may be slightly negative, which permutation tests need.
        The plug-in estimates are non-negative.

    Raises
    ------
    ValueError
        Empty input, different lengths, more than 2 dimensions, NaN or
        infinite values, ``k`` outside ``[1, n)``, invalid ``bins``,
        ``method`` or ``base``, ``bins`` giving a multivariate x, y or z more
        than 2**62 histogram cells (``"binned"``: the bin count to the power
        of its columns), data so widely spread that a k-th-neighbour
        distance overflows float64; for ``"ksg"``, 64-bit integers beyond
        2**53 in magnitude (float64 cannot hold them exactly) and a negative
        int ``random_state``; for ``"discrete"``, a missing value (NaN,
        None, NaT, ``pandas.NA``) among labels of object dtype.
    TypeError
        Non-numeric input (other than for ``"discrete"``), non-integer ``k``
        or ``n_jobs``, a ``random_state`` that is not None, an int, a
        ``numpy.random.SeedSequence`` or a ``numpy.random.Generator``.

    Warns
    -----
    TiedSamplesWarning
        ``"ksg"`` with ``tie_breaking="auto"``: when a column of x, y or z
        has repeated values and noise was added; with ``"off"``: on samples
        with k or more exact duplicates in the joint space (zero
        k-th-neighbour distance).
    RuntimeWarning
        ``"ksg"``, when x and y are the same samples (as for
        :func:`ksg_mi`): I(X;X|Z) = H(X|Z) is infinite for a continuous x,
        and the estimate grows with n. Not for a discrete-valued x with
        tie-breaking noise.

    Notes
    -----
    If x or y takes a single value, ``"ksg"`` returns exactly 0 without
    estimating. A single-valued z gives the estimate of I(X;Y). Memory is
    O(n).

    References
    ----------
    S. Frenzel, B. Pompe, "Partial mutual information for coupling analysis
    of multivariate time series", Phys. Rev. Lett. 99, 204101 (2007).

    Examples
    --------
    >>> import numpy as np, fastmi
    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal(20000)
    >>> x = z + rng.standard_normal(20000)
    >>> y = z + rng.standard_normal(20000)
    >>> abs(fastmi.conditional_mi(x, y, z)) < 0.02  # independent given z
    True
    """
    method = check_choice(method, "method", _METHODS)
    base = check_base(base)
    tie_breaking = check_tie_breaking(tie_breaking)
    check_noise_random_state(random_state)
    if method == "discrete":
        threads = resolve_n_jobs(n_jobs)
        cx, sx = _plugin.label_codes(x, "x")
        n = cx.shape[0]
        return _plugin_cmi(_plugin.label_codes(y, "y", n), (cx, sx), _plugin.label_codes(z, "z", n), base)
    dtypes = [to_array(a, name).dtype for a, name in ((x, "x"), (y, "y"), (z, "z"))]
    exact = method != "binned"  # the nearest-neighbour estimator
    x = as_samples(x, "x", exact=exact)
    y = as_samples(y, "y", exact=exact)
    z = as_samples(z, "z", exact=exact)
    check_same_length(x, y)
    check_same_length(x, z, "x", "z")
    n = x.shape[0]
    threads = resolve_n_jobs(n_jobs)
    if method == "binned":
        parts = []
        common = bin_dtype(*dtypes)  # the joint histogram's: numpy stacks the three
        for a, name in ((x, "x"), (y, "y"), (z, "z")):
            data = a.reshape(n, -1)
            parts.append(_plugin.binned_codes(a, name, _plugin.same_axes(bins, data.shape[1]), threads, common))
        return _plugin_cmi(parts[1], parts[0], parts[2], base)
    k = check_k(k, n)
    check_knn_radii([(x, "x"), (y, "y"), (z, "z")], k, threads)
    if _is_constant(x) or _is_constant(y):
        return 0.0  # a variable with a single value shares no information
    blocks = [(_as_2d(x), "x"), (_as_2d(y), "y"), (_as_2d(z), "z")]
    (x2, y2, z2), report = break_ties(blocks, tie_breaking, random_state, threads)
    if report is not None:
        check_knn_radii([(x2, "x"), (y2, "y"), (z2, "z")], k, threads)
    nats, zeros = _native.cmi_ksg_nats(x2, y2, z2, k, threads, interruptible())
    warn_ties(report, _REMEDY)
    warn_same_samples(x, y, threads, SAME_SAMPLES_CMI, stacklevel=3)
    if zeros:
        warnings.warn(
            f"{zeros} of {n} samples are at distance 0 from their k-th neighbour (k={k}) in "
            "the joint (x, y, z) space (duplicated samples), where the estimator's assumptions "
            "fail. Add tiny noise to continuous data, or use method='discrete' for discrete data.",
            TiedSamplesWarning,
            stacklevel=2,
        )
    return float(nats) / math.log(base)


def _plugin_cmi(y: tuple[npt.NDArray[np.int64], int], x: tuple[npt.NDArray[np.int64], int],
                z: tuple[npt.NDArray[np.int64], int], base: float) -> float:
    """H(X,Z) + H(Y,Z) - H(X,Y,Z) - H(Z) of the code arrays (codes, size);
    samples outside the edges of any variable are left out of every term."""
    outside = (x[0] < 0) | (y[0] < 0) | (z[0] < 0)
    if outside.any():
        x, y, z = ((c[~outside], s) for c, s in (x, y, z))
    h = _plugin.entropy_nats
    combine = _plugin.combine
    nats = (
        h(*combine([x, z]))[0] + h(*combine([y, z]))[0] - h(*combine([x, y, z]))[0] - h(*z)[0]
    )
    return max(0.0, nats) / math.log(base)
