"""Permutation tests of (conditional) independence with the KSG estimators."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from . import _native
from ._validation import (
    as_samples,
    check_base,
    check_finite,
    check_int,
    check_k,
    check_same_length,
    interruptible,
    resolve_n_jobs,
)
from .ksg import TiedSamplesWarning, _as_2d, _is_constant


@dataclass(frozen=True)
class MITestResult:
    """Result of :func:`mi_test`, in the convention of ``scipy.stats.permutation_test``.

    Parameters
    ----------
    statistic : float
        The estimate on the data (unclipped), in units of ``log(base)``.
    pvalue : float
        ``(1 + #{null >= statistic}) / (1 + n_permutations)``.
    null_distribution : ndarray of float64, shape (n_permutations,)
        The estimate on each permuted data set.
    """

    statistic: float
    pvalue: float
    null_distribution: np.ndarray


def _seeds(random_state, n_permutations: int) -> np.ndarray:
    """One 64-bit seed per permutation, drawn up front from numpy's Generator."""
    try:
        rng = np.random.default_rng(random_state)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            "random_state must be None, an int, a numpy.random.SeedSequence or a numpy.random.Generator; "
            f"got {random_state!r} ({exc})"
        ) from None
    return rng.integers(0, 2**64, size=n_permutations, dtype=np.uint64, endpoint=False)


def _permutation(seed, n: int, neighbors=None) -> np.ndarray:
    """The permutation of y that mi_test draws from one seed (for tests and checks)."""
    return _native.permutation_of(neighbors, n, np.uint64(seed))


def mi_test(
    x,
    y,
    z=None,
    *,
    k=3,
    n_permutations=1000,
    shuffle_neighbors=5,
    random_state=None,
    n_jobs=None,
    base=2,
) -> MITestResult:
    """Permutation test of independence of x and y (given z) with the KSG estimators.

    Without z, the statistic is the KSG estimate of I(X;Y) (:func:`ksg_mi`,
    unclipped) and the null distribution its value with y permuted
    uniformly at random. With z, the statistic is the Frenzel-Pompe
    estimate of I(X;Y|Z) (:func:`conditional_mi`) and the null distribution
    comes from the local permutation scheme of Runge (2018), which keeps the
    dependence of y on z: every sample receives the y of a sample among its
    ``shuffle_neighbors`` nearest neighbours in z (itself included), without
    replacement as far as possible.

    Parameters
    ----------
    x, y : array_like, shape (n,) or (n, d)
        Samples of the two variables (rows aligned).
    z : array_like, shape (n,) or (n, dz), optional
        Samples of the conditioning variable.
    k : int, keyword-only, default 3
        Neighbour order of the estimator, ``1 <= k < n``.
    n_permutations : int, keyword-only, default 1000
        Number of permuted data sets, at least 1.
    shuffle_neighbors : int, keyword-only, default 5
        With z: the number of nearest neighbours in z (the sample itself
        included) whose y a sample may receive, ``1 <= shuffle_neighbors <
        n``. Not used without z.
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator, keyword-only
        Seeds the permutations (through ``numpy.random.default_rng``); a
        Generator is advanced. The same value gives the same null
        distribution for every ``n_jobs``.
    n_jobs : int or None, keyword-only
        Threads: None uses OpenMP's default, -1 all cores, k > 0 that many.
        Permutations run in parallel.
    base : float, keyword-only, default 2
        Logarithm base of the estimates: 2 for bits, ``numpy.e`` for nats.

    Returns
    -------
    MITestResult
        ``statistic``, ``pvalue`` = ``(1 + #{null >= statistic}) / (1 +
        n_permutations)`` and ``null_distribution`` (scipy's
        ``permutation_test`` convention, one-sided: large values are
        evidence of dependence).

    Raises
    ------
    ValueError
        Empty input, different lengths, NaN or infinite values, ``k`` outside
        ``[1, n)``, ``n_permutations < 1``, ``shuffle_neighbors`` outside
        ``[1, n)`` (with z), invalid ``base``, a variable whose values span
        more than 1.8e308 (distances could overflow).
    TypeError
        Non-numeric input, non-integer ``k``, ``n_permutations``,
        ``shuffle_neighbors`` or ``n_jobs``, an invalid ``random_state``.

    Warns
    -----
    TiedSamplesWarning
        When the data have k or more exact duplicates in the joint space.

    Notes
    -----
    Permutation b is drawn natively from the b-th of ``n_permutations``
    64-bit seeds that ``numpy.random.default_rng(random_state)`` draws up
    front, so the null distribution does not depend on the thread count.
    Without z, x's and y's sorted orders are computed once (a permutation
    only relabels y's); with z, x's and z's sorted orders and the
    neighbour lists in z (max-norm, ties in index order) are, and, for
    one-dimensional x, y and z, a grid of quantile slabs of the three
    variables on which each permuted joint space is searched after one
    counting sort. If x or y is constant, every estimate is 0 and the
    p-value 1.

    References
    ----------
    J. Runge, "Conditional independence testing based on a nearest-neighbor
    estimator of conditional mutual information", AISTATS 2018.

    Examples
    --------
    >>> import numpy as np, fastmi
    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal(1000)
    >>> x, y = z + rng.standard_normal(1000), z + rng.standard_normal(1000)
    >>> fastmi.mi_test(x, y, n_permutations=99, random_state=0).pvalue  # dependent
    0.01
    >>> fastmi.mi_test(x, y, z, n_permutations=99, random_state=0).pvalue > 0.05  # not given z
    True
    """
    checked = _check(x, y, z, k, n_permutations, shuffle_neighbors, random_state, n_jobs, base)
    if isinstance(checked, MITestResult):
        return checked
    return _run(*checked)


def _check(x, y, z, k, n_permutations, shuffle_neighbors, random_state, n_jobs, base):
    """mi_test's checks: the arguments of _run, or the result for constant x or y."""
    x = as_samples(x, "x")
    y = as_samples(y, "y")
    check_same_length(x, y)
    n = x.shape[0]
    if z is not None:
        z = as_samples(z, "z")
        check_same_length(x, z, "x", "z")
    k = check_k(k, n)
    n_permutations = check_int(n_permutations, "n_permutations", minimum=1)
    if z is not None:
        shuffle_neighbors = check_int(shuffle_neighbors, "shuffle_neighbors", minimum=1)
        if shuffle_neighbors >= n:
            raise ValueError(
                f"shuffle_neighbors must be smaller than the number of samples ({n}), got {shuffle_neighbors}"
            )
    base = check_base(base)
    threads = resolve_n_jobs(n_jobs)
    for a, name in ((x, "x"), (y, "y"), (z, "z")):
        if a is None:
            continue
        check_finite(a, name)
        with np.errstate(over="ignore", invalid="ignore"):
            span = _as_2d(a).max(axis=0) - _as_2d(a).min(axis=0)
        if not np.isfinite(span).all():
            # a permutation may bring such samples together as neighbours
            raise ValueError(
                f"{name} spans more than 1.8e308, so neighbour distances may overflow float64; "
                "divide the data by a constant first"
            )
    seeds = _seeds(random_state, n_permutations)
    if _is_constant(x) or _is_constant(y):
        null = np.zeros(n_permutations)
        return MITestResult(0.0, 1.0, null)
    return x, y, z, k, shuffle_neighbors, seeds, threads, base


def _run(x, y, z, k: int, shuffle_neighbors: int, seeds: np.ndarray, threads: int, base: float,
         progress=None) -> MITestResult:
    """mi_test on checked, non-constant data. ``progress(done, total)``, when
    given, is called as the permutations complete (in chunks; the values do
    not depend on the chunks: each permutation has its own seed)."""
    n = x.shape[0]
    x2, y2 = _as_2d(x), _as_2d(y)
    check = interruptible()
    if z is None:
        stat_nats, zeros = _native.ksg_mi_nats(x2, y2, k, _native.KsgVariant.published, threads, check)

        def null(part):
            return _native.ksg_null_nats(x2, y2, k, part, threads, check)[0]
    else:
        z2 = _as_2d(z)
        stat_nats, zeros = _native.cmi_ksg_nats(x2, y2, z2, k, threads, check)
        neighbors = _native.nearest_in_z(z2, shuffle_neighbors, threads, check)

        def null(part):
            return _native.cmi_null_nats(x2, y2, z2, k, neighbors, part, threads, check)[0]
    total = seeds.shape[0]
    if progress is None:
        null_nats = null(seeds)
    else:
        step = max(1, -(-total // 100), 4 * (threads or _native.default_threads()))
        parts = []
        for start in range(0, total, step):
            parts.append(null(seeds[start : start + step]))
            progress(min(total, start + step), total)
        null_nats = np.concatenate(parts)
    if zeros:
        warnings.warn(
            f"{zeros} of {n} samples are at distance 0 from their k-th neighbour (k={k}) in the "
            "joint space (duplicated samples), where the KSG estimators' assumptions fail. Add "
            "tiny noise to continuous data.",
            TiedSamplesWarning,
            stacklevel=3,
        )
    scale = math.log(base)
    statistic = float(stat_nats) / scale
    null = null_nats / scale
    pvalue = (1.0 + np.count_nonzero(null >= statistic)) / (1.0 + total)
    return MITestResult(statistic, float(pvalue), null)
