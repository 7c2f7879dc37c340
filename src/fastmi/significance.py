"""Permutation tests of (conditional) independence with the KSG estimators."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import _native
from ._validation import (
    as_samples,
    check_base,
    check_finite,
    check_int,
    check_k,
    check_noise_random_state,
    check_same_length,
    interruptible,
    resolve_n_jobs,
)
from ._ties import TiedSamplesWarning, break_ties, warn_ties
from ._typing import TieBreaking, TieSeed
from ._validation import check_tie_breaking
from .ksg import SAME_SAMPLES_HEAD, _as_2d, _is_constant, warn_same_samples

#: mi_test's warning for x and y that are the same samples (its words after the head).
SAME_SAMPLES_TEST = (
    ", so the statistic measures nothing and no permutation reaches it: the p-value is the smallest "
    "possible, 1 / (1 + n_permutations), whatever the data"
)

_REMEDY = "tie_breaking='off' tests the data as given."

_F64 = npt.NDArray[np.float64]
# _check's result: the arguments of _run after the progress callback.
_Checked = Tuple[_F64, _F64, Optional[_F64], int, int, npt.NDArray[np.uint64], int, float]


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
    null_distribution: npt.NDArray[np.float64]


#: The most permutations one test draws: their seeds and null distribution take 16 bytes
#: each (1.6 GB here), allocated before the first is computed.
MAX_PERMUTATIONS = 10**8


def _check_n_permutations(n_permutations: Any) -> int:
    """n_permutations as an int in [1, MAX_PERMUTATIONS]."""
    count = check_int(n_permutations, "n_permutations", minimum=1)
    if count > MAX_PERMUTATIONS:
        raise ValueError(
            f"n_permutations must be at most {MAX_PERMUTATIONS:,} (their seeds and null distribution take "
            f"16 bytes each, allocated up front); got {count:,}"
        )
    return count


def _seeds(random_state: Any, n_permutations: int) -> npt.NDArray[np.uint64]:
    """One 64-bit seed per permutation, drawn up front from
    ``numpy.random.default_rng(random_state)``, after the check of every estimator's
    random_state (check_noise_random_state: None, an int >= 0, a SeedSequence or a
    Generator; a bool, a list, a RandomState are refused, not passed to numpy)."""
    check_noise_random_state(random_state)
    rng = np.random.default_rng(random_state)
    return rng.integers(0, 2**64, size=n_permutations, dtype=np.uint64, endpoint=False)


def _shuffle_candidates(z2: _F64, shuffle_neighbors: int, seeds: npt.NDArray[np.uint64], threads: int,
                        check: Any) -> npt.NDArray[np.int64]:
    """Each sample's candidates for the local permutation, row-major (n, s): itself,
    then its s - 1 nearest others in z (max-norm, ties in index order), except that
    a sample with more than s - 1 exact duplicates in z takes s - 1 of them at random:
    the s - 1 that follow it in a random cyclic order of its group (so a uniformly
    random set of them; drawn once per test from a stream seeded by the first
    permutation seed; O(n s)). Index order alone would give every sample of a large
    group of equal z (a constant or discrete z) the same few candidates, so that
    most samples kept their own y and the test lost its power.

    Only the s lowest-index samples of such a group take part in the search for the
    others' neighbours: with ties in index order no sample's list reaches past them,
    and the search stays O(n log n) (it scanned the whole group for each of its
    samples: O(n^2) for a constant z)."""
    n, s = z2.shape[0], shuffle_neighbors
    if s < 2:
        return np.arange(n, dtype=np.int64).reshape(n, 1)
    values = z2 + 0.0  # -0.0 equals 0.0, as distances have it
    if values.shape[1] == 1:
        _, group, size = np.unique(values[:, 0], return_inverse=True, return_counts=True)
    else:
        _, group, size = np.unique(values, axis=0, return_inverse=True, return_counts=True)
    group = group.reshape(-1)
    big = size[group] > s
    if not big.any():
        out: npt.NDArray[np.int64] = _native.nearest_in_z(z2, s, threads, check)
        return out
    members = np.argsort(group, kind="stable")  # each group's samples, in index order
    start = np.concatenate(([0], np.cumsum(size)[:-1]))
    place = np.empty(n, dtype=np.int64)
    place[members] = np.arange(n) - start[group[members]]
    searched = np.flatnonzero(~big | (place < s))
    out = np.empty((n, s), dtype=np.int64)
    out[searched] = searched[_native.nearest_in_z(np.ascontiguousarray(z2[searched]), s, threads, check)]
    rows = np.flatnonzero(big)
    rng = np.random.default_rng(np.random.SeedSequence(int(seeds[0]), spawn_key=(1,)))
    # each big group's samples in a random cyclic order, each taking the s - 1 that follow it:
    # a uniformly random set of s - 1 of its m - 1 duplicates, in a random order, in O(n s)
    # (a draw per sample without replacement cost O(n s^2): minutes for s in the thousands)
    cyc = rows[np.lexsort((rng.random(rows.size), group[rows]))]
    g = group[cyc]
    first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    begin = np.repeat(first, np.diff(np.r_[first, cyc.size]))  # where each sample's group starts in cyc
    ahead = (np.arange(cyc.size) - begin)[:, None] + np.arange(1, s, dtype=np.int64)
    out[cyc, 0] = cyc
    out[cyc, 1:] = cyc[begin[:, None] + ahead % size[g][:, None]]
    return out


def _permutation(seed: int, n: int, neighbors: Optional[npt.NDArray[np.int64]] = None) -> npt.NDArray[np.int64]:
    """The permutation of y that mi_test draws from one seed (for tests and checks)."""
    return _native.permutation_of(neighbors, n, np.uint64(seed))


def mi_test(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    z: Optional[npt.ArrayLike] = None,
    *,
    k: int = 3,
    n_permutations: int = 1000,
    shuffle_neighbors: int = 5,
    random_state: TieSeed = None,
    n_jobs: Optional[int] = None,
    base: float = 2,
    tie_breaking: TieBreaking = "auto",
) -> MITestResult:
    """Permutation test of independence of x and y (given z) with the KSG estimators.

    The statistic and the null distribution are in bits by default (units of
    ``log(base)``); the p-value has no unit. Without z, the statistic is the
    KSG estimate of I(X;Y) (:func:`ksg_mi`, unclipped) and the null
    distribution its value with y permuted uniformly at random. With z, the statistic is the Frenzel-Pompe
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
        included) whose y a sample may receive, ``2 <= shuffle_neighbors <
        n`` (1 would leave every sample its own y). Not used without z. The
        candidates take ``8 * n * shuffle_neighbors`` bytes.
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator, keyword-only
        Seeds the permutations (through ``numpy.random.default_rng``); an
        int must be >= 0; a Generator is advanced. The same value gives the
        same null distribution for every ``n_jobs``. Checked as
        :func:`ksg_mi` checks it (a bool, a list or a
        ``numpy.random.RandomState`` is refused).
    n_jobs : int or None, keyword-only
        Threads: None uses OpenMP's default, -1 all cores, -2 all but one
        (and so on: cores + 1 + n_jobs, at least 1), k > 0 that many.
        Permutations run in parallel.
    base : float, keyword-only, default 2
        Logarithm base of the estimates: 2 for bits, ``numpy.e`` for nats.
    tie_breaking : {"auto", "noise", "off"}, keyword-only, default "auto"
        As in :func:`ksg_mi`: ``"auto"`` adds noise of standard deviation
        ``max(min(1e-10 * std, 1e-3 * q), 2**-42 * |value|)`` (q the column's
        resolution) to a copy of every column
        of x, y and z with repeated values (with a warning), once, before
        the statistic and every permutation; ``"noise"`` to every
        non-constant column; ``"off"`` uses the data as given. The noise
        comes from ``random_state`` as in :func:`ksg_mi` (None: the fixed
        seed 0; an int: that seed, so the statistic is ``ksg_mi(x, y,
        random_state=random_state)`` unclipped; a SeedSequence or
        Generator: one further draw, after the permutations' seeds).

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
        ``[1, n)``, ``n_permutations`` outside ``[1, 1e8]``,
        ``shuffle_neighbors`` outside ``[2, n)`` (with z), invalid ``base``, a variable whose values span
        more than 1.8e308 (distances could overflow), a negative int ``random_state``.
    TypeError
        Non-numeric input, non-integer ``k``, ``n_permutations``,
        ``shuffle_neighbors`` or ``n_jobs``, a ``random_state`` that is not
        None, an int, a SeedSequence or a Generator.

    Warns
    -----
    TiedSamplesWarning
        With ``tie_breaking="auto"``: when a column has repeated values and
        noise was added; with ``"off"``: when the data have k or more
        exact duplicates in the joint space.
    RuntimeWarning
        When x and y are the same samples (as for :func:`ksg_mi`): the
        mutual information of a continuous variable with itself is
        infinite, so no permutation reaches the statistic and the p-value
        is ``1 / (1 + n_permutations)`` whatever the data. Not for a
        discrete-valued x with tie-breaking noise.

    Notes
    -----
    Permutation b is drawn natively from the b-th of ``n_permutations``
    64-bit seeds that ``numpy.random.default_rng(random_state)`` draws up
    front, so the null distribution does not depend on the thread count.
    Without z, x's and y's sorted orders are computed once (a permutation
    only relabels y's). With z, these are computed once: x's and z's sorted
    orders; the neighbour lists in z (max-norm, ties in index order, except
    that a sample with more than ``shuffle_neighbors - 1`` exact duplicates
    in z takes that many of them at random, drawn once per test: with a
    constant or discrete z, y is then permuted within each group of equal z,
    as the conditional null asks, instead of most samples keeping their own
    y); with
    multivariate data, the search structures that count the samples in
    (x, z) and in z; and, where the joint dimension is 3 to 6, a grid of
    quantile slabs of every coordinate of x, y and z, on which each permuted
    joint space is searched after one counting sort (a permuted y takes the
    slabs of the values it received; the KD-tree where strongly dependent
    data crowd the cells, or in 7 or more dimensions). If x or y is
    constant, every estimate is 0 and the p-value 1.

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
    checked = _check(x, y, z, k, n_permutations, shuffle_neighbors, random_state, n_jobs, base, tie_breaking)
    if isinstance(checked, MITestResult):
        return checked
    return _run(*checked)


def _check(x: npt.ArrayLike, y: npt.ArrayLike, z: Optional[npt.ArrayLike], k: int, n_permutations: int,
           shuffle_neighbors: int, random_state: TieSeed, n_jobs: Optional[int], base: float,
           tie_breaking: TieBreaking = "auto", remedy: str = _REMEDY,
           seeds: Optional[npt.NDArray[np.uint64]] = None) -> Union[_Checked, MITestResult]:
    """mi_test's checks: the arguments of _run (the data with their tie-breaking
    noise, whose warning it emits), or the result for constant x or y.
    ``seeds``: the permutations' seeds when already drawn from ``random_state``
    (which then only seeds the noise, as after drawing them)."""
    x = as_samples(x, "x", exact=True)
    y = as_samples(y, "y", exact=True)
    check_same_length(x, y)
    n = x.shape[0]
    if z is not None:
        z = as_samples(z, "z", exact=True)
        check_same_length(x, z, "x", "z")
    k = check_k(k, n)
    n_permutations = _check_n_permutations(n_permutations)
    if z is not None:
        shuffle_neighbors = check_int(shuffle_neighbors, "shuffle_neighbors")
        if shuffle_neighbors == 1:
            raise ValueError(
                "shuffle_neighbors must be at least 2: with 1 every sample keeps its own y, so every "
                "null value equals the statistic and the p-value is always 1"
            )
        if shuffle_neighbors < 2:
            raise ValueError(f"shuffle_neighbors must be >= 2, got {shuffle_neighbors}")
        if shuffle_neighbors >= n:
            raise ValueError(
                f"shuffle_neighbors must be smaller than the number of samples ({n}), got {shuffle_neighbors}"
            )
    base = check_base(base)
    tie_breaking = check_tie_breaking(tie_breaking)
    check_noise_random_state(random_state)
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
    if seeds is None:
        seeds = _seeds(random_state, n_permutations)
    if _is_constant(x) or _is_constant(y):
        null = np.zeros(n_permutations)
        return MITestResult(0.0, 1.0, null)
    blocks = [(_as_2d(x), "x"), (_as_2d(y), "y")] + ([] if z is None else [(_as_2d(z), "z")])
    given = (x, y)
    noised, report = break_ties(blocks, tie_breaking, random_state, threads)
    if report is not None:
        x, y = noised[0], noised[1]
        z = None if z is None else noised[2]
        for a, name in zip(noised, ("x", "y", "z")):
            with np.errstate(over="ignore", invalid="ignore"):
                wide = not np.isfinite(a.max(axis=0) - a.min(axis=0)).all()
            if wide:
                raise ValueError(
                    f"{name} spans more than 1.8e308 once its ties are broken, so neighbour distances may "
                    "overflow float64; divide the data by a constant first"
                )
    warn_ties(report, remedy, stacklevel=4)
    warn_same_samples(*given, threads,
                      SAME_SAMPLES_HEAD + ("" if z is None else " (given z too)") + SAME_SAMPLES_TEST, stacklevel=4)
    return x, y, z, k, shuffle_neighbors, seeds, threads, base


def _warn_zero_radius(zeros: int, n: int, k: int, stacklevel: int) -> None:
    """The warning for samples with k or more exact duplicates in the joint space
    (``stacklevel`` as warnings.warn's, counted from this function)."""
    if zeros:
        warnings.warn(
            f"{zeros} of {n} samples are at distance 0 from their k-th neighbour (k={k}) in the "
            "joint space (duplicated samples), where the KSG estimators' assumptions fail. Add "
            "tiny noise to continuous data.",
            TiedSamplesWarning,
            stacklevel=stacklevel,
        )


def _run(x: _F64, y: _F64, z: Optional[_F64], k: int, shuffle_neighbors: int, seeds: npt.NDArray[np.uint64],
         threads: int, base: float, progress: Optional[Callable[[int, int], object]] = None) -> MITestResult:
    """mi_test on checked, non-constant data. ``progress(done, total)``, when
    given, is called as the permutations complete (in chunks; the values do
    not depend on the chunks: each permutation has its own seed)."""
    n = x.shape[0]
    x2, y2 = _as_2d(x), _as_2d(y)
    check = interruptible()
    if z is None:
        stat_nats, zeros = _native.ksg_mi_nats(x2, y2, k, _native.KsgVariant.published, threads, check)

        def null(part: npt.NDArray[np.uint64]) -> _F64:
            return _native.ksg_null_nats(x2, y2, k, part, threads, check)[0]
    else:
        z2 = _as_2d(z)
        stat_nats, zeros = _native.cmi_ksg_nats(x2, y2, z2, k, threads, check)
        neighbors = _shuffle_candidates(z2, shuffle_neighbors, seeds, threads, check)

        def null(part: npt.NDArray[np.uint64]) -> _F64:
            return _native.cmi_null_nats(x2, y2, z2, k, neighbors, part, threads, check)[0]
    total = seeds.shape[0]
    if progress is None:
        null_nats = null(seeds)
    else:
        step = max(1, -(-total // 100), 4 * (threads or _native.default_threads()))
        parts: list[_F64] = []
        for start in range(0, total, step):
            parts.append(null(seeds[start : start + step]))
            progress(min(total, start + step), total)
        null_nats = np.concatenate(parts)
    _warn_zero_radius(int(zeros), n, k, stacklevel=4)
    scale = math.log(base)
    statistic = float(stat_nats) / scale
    null_dist = null_nats / scale
    pvalue = (1.0 + np.count_nonzero(null_dist >= statistic)) / (1.0 + total)
    return MITestResult(statistic, float(pvalue), null_dist)
