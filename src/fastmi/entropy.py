"""Entropy of one (possibly multi-dimensional) variable."""
from __future__ import annotations

import math
import warnings
from typing import Any, Literal, Optional

import numpy as np
import numpy.typing as npt

from . import _native, _plugin
from ._ties import TiedSamplesWarning, TieReport, break_ties, warn_ties
from ._validation import (
    as_samples,
    bin_dtype,
    check_base,
    check_choice,
    check_k,
    check_knn_radii,
    check_noise_random_state,
    check_tie_breaking,
    interruptible,
    resolve_n_jobs,
    to_array,
)
from ._typing import TieBreaking, TieSeed

_REMEDY = (
    "For discrete data use method='discrete'; tie_breaking='off' estimates on the data as given."
)

_METHODS = ("kl", "binned", "miller_madow", "discrete")


def entropy(
    x: npt.ArrayLike,
    *,
    method: Literal["kl", "binned", "miller_madow", "discrete"] = "kl",
    k: int = 3,
    bins: Any = 10,
    base: float = 2,
    n_jobs: Optional[int] = None,
    random_state: TieSeed = None,
    tie_breaking: TieBreaking = "auto",
) -> float:
    """Entropy of a variable from its samples, in bits by default.

    Parameters
    ----------
    x : array_like, shape (n,) or (n, d)
        Samples (rows) of the variable. ``method="discrete"`` also takes
        labels of any sortable dtype (strings, integers); a 2-D array's rows
        are then joint labels.
    method : {"kl", "binned", "miller_madow", "discrete"}, keyword-only
        ``"kl"``: the Kozachenko-Leonenko estimate of the differential
        entropy with the max-norm (Kraskov et al. 2004, eq. 20),
        ``H = psi(n) - psi(k) + d <log(2 eps_i)>``, ``eps_i`` the distance from
        sample i to its k-th nearest other sample. ``"binned"``: the plug-in
        entropy ``-sum p log p`` of ``numpy.histogramdd(x, bins)``'s cells.
        ``"miller_madow"``: the binned estimate plus ``(m - 1) / (2n)`` nats,
        m the number of occupied cells. ``"discrete"``: the plug-in entropy
        of the distinct values (rows).
    k : int, keyword-only, default 3
        Neighbour order for ``"kl"``, ``1 <= k < n``.
    bins : int or sequence, keyword-only, default 10
        For ``"binned"`` and ``"miller_madow"``: what ``numpy.histogramdd``
        takes (a bin count for every column, or one count or array of edges
        per column; for 1-D ``x`` also one array of edges). Samples outside
        explicit edges are left out, as numpy does.
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
        For ``"kl"`` only. ``"auto"`` reads a column with repeated values as
        continuous values rounded to a resolution ``q`` (the smallest gap
        between its distinct values that is not round-off: ``0.1 * 3`` next
        to ``0.3`` are one value) and adds uniform noise on
        ``[-q/2, q/2)`` to a copy (dequantization; with a warning): the
        estimate is then the differential entropy of that continuous
        variable (N(0, 1) rounded to 0.1: 2.05 bits, the truth). Unlike the
        MI estimators' tiny Gaussian noise, whose ``log`` would enter the
        mean of ``log(2 eps)`` of every sample with k or more copies (about
        -20 bits for rounded data). ``"noise"`` dequantizes every
        non-constant column, ``"off"`` uses the data as given.

    Returns
    -------
    float
        The entropy estimate in units of ``log(base)``. The differential
        (``"kl"``) entropy can be negative; the plug-in ones are not.

    Raises
    ------
    ValueError
        Empty input, more than 2 dimensions, NaN or infinite values, ``k``
        outside ``[1, n)``, invalid ``bins``, ``method`` or ``base``, ``bins``
        giving a multivariate x more than 2**62 histogram cells in all (the
        product of the bin counts of its columns), data so
        widely spread that twice a k-th-neighbour distance overflows float64;
        for ``"kl"``, data in which every sample has k or more exact
        duplicates (no finite estimate exists: use ``method="discrete"``),
        and a multivariate x with a constant column or two identical columns
        (a singular distribution, whose differential entropy is -infinity),
        64-bit integers beyond 2**53 in magnitude (float64 cannot hold them
        exactly), a negative int ``random_state``; for ``"binned"`` and
        ``"miller_madow"``, explicit edges that hold no sample; for
        ``"discrete"``, a missing value (NaN, None, NaT, ``pandas.NA``)
        among labels of object dtype.
    TypeError
        Non-numeric input (other than for ``"discrete"``), non-integer ``k``
        or ``n_jobs``, a ``random_state`` that is not None, an int, a
        ``numpy.random.SeedSequence`` or a ``numpy.random.Generator``.

    Warns
    -----
    TiedSamplesWarning
        ``"kl"`` with ``tie_breaking="auto"``: when a column has repeated
        values and was dequantized (for data discrete by nature, use
        ``method="discrete"``). With ``"off"``: on data where
        some samples have k or more exact duplicates,
        so their k-th-neighbour distance is 0 and ``log(2 eps)`` is -inf.
        Those samples are left out of the mean of ``log(2 eps)`` (the
        estimate is then that of the other samples, with ``psi(n)`` and
        ``psi(k)`` unchanged); add tiny noise to continuous data, or use
        ``method="discrete"`` for discrete data.

    Notes
    -----
    The KL estimate's k-th-neighbour search is exact; in one dimension it is
    a sort and a scan. Memory is O(n).

    References
    ----------
    L. F. Kozachenko, N. N. Leonenko, "Sample estimate of the entropy of a
    random vector", Probl. Inf. Transm. 23, 95 (1987). A. Kraskov, H.
    Stoegbauer, P. Grassberger, "Estimating mutual information", Phys. Rev. E
    69, 066138 (2004). G. A. Miller, "Note on the bias of information
    estimates" (1955).

    Examples
    --------
    >>> import numpy as np, fastmi
    >>> x = np.random.default_rng(0).standard_normal(100000)
    >>> truth = 0.5 * np.log2(2 * np.pi * np.e)  # 2.047 bits
    >>> bool(abs(fastmi.entropy(x) - truth) < 0.01)
    True
    >>> fastmi.entropy(["a", "b", "a", "b"], method="discrete")
    1.0
    """
    method = check_choice(method, "method", _METHODS)
    base = check_base(base)
    tie_breaking = check_tie_breaking(tie_breaking)
    check_noise_random_state(random_state)
    if method == "discrete":
        resolve_n_jobs(n_jobs)
        codes, size = _plugin.label_codes(x, "x")
        h, _, _ = _plugin.entropy_nats(codes, size)
        return _in_base(h, base)
    xa = to_array(x, "x", exact=method == "kl")
    x = as_samples(xa, "x", exact=method == "kl")
    n = x.shape[0]
    threads = resolve_n_jobs(n_jobs)
    if method == "kl":
        k = check_k(k, n)
        if x.ndim == 2 and x.shape[1] > 1:
            _check_not_singular(x)
        check_knn_radii([(x, "x")], k, threads, factor=2.0)  # log(2 eps)
        if tie_breaking == "auto" and x.size == n:
            # 1-D: the sorted order the estimator builds anyway is scanned for ties first
            h, zeros, tied = _native.kl1_nats_if_untied(x.reshape(-1), k, threads, interruptible())
            if tied == 0:
                return _in_base(_kl_result(h, zeros, n, k, None), base)
        # Tiny Gaussian noise would put log(noise scale) into the mean of log(2 eps) of every
        # sample with k or more copies; the KL estimate of rounded data is that of the
        # dequantized variable instead (uniform noise of each column's resolution).
        (data,), report = break_ties([(x.reshape(n, -1), "x")], tie_breaking, random_state, threads,
                                     kind="dequantize")
        if report is not None:
            check_knn_radii([(data, "x")], k, threads, factor=2.0)
        return _in_base(_kl(data, k, threads, report), base)
    data = x.reshape(n, -1)
    specs = _plugin.histogramdd_axes(bins, data.shape[1])
    codes, size = _plugin.binned_codes(x, "x", specs, threads, bin_dtype(xa.dtype))
    h, occupied, total = _plugin.entropy_nats(codes, size)
    if method == "miller_madow":
        h = _plugin.miller_madow_nats(h, occupied, total)
    return _in_base(h, base)


def _check_not_singular(x: npt.NDArray[np.float64]) -> None:
    """Refuses a multivariate x with a constant column or two identical columns: its
    distribution is singular, the differential entropy -infinity, and the KL estimate
    (finite, falling with n) would mean nothing; a 1-D constant x is refused by its
    zero radii."""
    with np.errstate(over="ignore", invalid="ignore"):
        constant = np.flatnonzero(x.max(axis=0) == x.min(axis=0))
    if constant.size:
        raise ValueError(
            f"x[:, {int(constant[0])}] is constant: the distribution of x is singular and its differential "
            "entropy is -infinity; drop the column (or use method='discrete' for discrete data)"
        )
    d = x.shape[1]
    for b in range(1, d):
        for a in range(b):
            # the first and last rows first: whole columns are compared only where those agree
            if x[0, a] == x[0, b] and x[-1, a] == x[-1, b] and np.array_equal(x[:, a], x[:, b]):
                raise ValueError(
                    f"x[:, {a}] and x[:, {b}] are identical: the distribution of x is singular and its "
                    "differential entropy is -infinity; drop one of them"
                )


def _in_base(nats: float, base: float) -> float:
    return float(nats) / math.log(base)


def _kl(x: npt.NDArray[np.float64], k: int, threads: int, report: TieReport | None) -> float:
    n = x.shape[0]
    data = x.reshape(n, -1)
    h, zeros = _native.kl_entropy_nats(data, k, threads, interruptible())
    return _kl_result(h, zeros, n, k, report)


def _kl_result(h: float, zeros: int, n: int, k: int, report: TieReport | None) -> float:
    """The KL estimate h (nats) with its warnings, or the refusal when every radius is 0."""
    warn_ties(report, _REMEDY, stacklevel=5)
    if zeros == n:
        raise ValueError(
            f"every sample of x has {k} or more exact duplicates (k={k}), so every k-th-neighbour "
            "distance is 0 and the differential entropy estimate is -infinity; "
            "use method='discrete' for discrete data"
        )
    if zeros:
        warnings.warn(
            f"{zeros} of {n} samples are at distance 0 from their k-th neighbour (k={k}) "
            "(duplicated samples); they are left out of the mean of log(2 eps). Add tiny noise "
            "to continuous data, or use method='discrete' for discrete data.",
            TiedSamplesWarning,
            stacklevel=4,
        )
    return float(h)
