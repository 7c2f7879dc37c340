"""Kraskov-Stoegbauer-Grassberger (KSG) mutual information: :func:`ksg_mi`."""
from __future__ import annotations

import math
import warnings
from typing import Literal, Optional

import numpy as np
import numpy.typing as npt

from . import _native
from ._ties import TiedSamplesWarning, break_ties, warn_ties
from ._validation import (
    as_samples,
    check_base,
    check_bool,
    check_k,
    check_ksg_radii,
    check_noise_random_state,
    check_same_length,
    check_tie_breaking,
    column_spans,
    interruptible,
    resolve_n_jobs,
)
from ._typing import TieBreaking, TieSeed

__all__ = ["TiedSamplesWarning", "ksg_mi"]


def _is_constant(a: np.ndarray) -> bool:
    first = a[:1]
    return bool((a == first).all())


def _as_2d(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1, 1) if a.ndim == 1 else a


def _same_samples(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> bool:
    """Whether x and y (checked, finite) are the same samples: one shape, equal values.
    O(n) at most, and O(1) for most different data: the first and last rows first."""
    x, y = _as_2d(x), _as_2d(y)  # (n,) and (n, 1) are the same samples
    if x.shape != y.shape:
        return False
    if x is y:
        return True
    return bool(np.array_equal(x[0], y[0]) and np.array_equal(x[-1], y[-1]) and np.array_equal(x, y))


def _has_continuous_column(a2: npt.NDArray[np.float64], threads: int) -> bool:
    """Whether a column of the 2-D samples ``a2`` is continuous-valued: more than half
    of its values distinct (a few repeated values, or none). For x and y the same
    samples, the estimator then sees that coordinate twice, unchanged or with tiny
    noise, and I(X;X) is infinite; a discrete-valued x (every column with at most n/2
    distinct values) gets other noise in y (_ties.break_ties' salt), and ksg_mi(c, c)
    estimates the entropy of c."""
    _, distinct = _native.column_ties([a2], threads, interruptible())
    return bool((2 * np.asarray(distinct) > a2.shape[0]).any())


#: The warning for x and y that are the same samples: its head, and ksg_mi's whole.
SAME_SAMPLES_HEAD = "x and y are the same samples: the mutual information of a continuous variable with itself is infinite"
SAME_SAMPLES = (
    SAME_SAMPLES_HEAD + ", so the KSG value (about psi(n) - psi(k)) estimates nothing and only grows with "
    "the number of samples n. For the entropy H(X) use fastmi.entropy(x)"
)


def warn_same_samples(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], threads: int,
                      message: str, stacklevel: int) -> None:
    """Warns (RuntimeWarning, ``message``) when the checked samples x and y are the same
    samples (as given, before any tie-breaking noise) and x has a continuous column (more
    than half its values distinct), whose copies tie-breaking noise, if any, does not
    separate (a discrete-valued x is left out with or without noise; without noise its
    estimate has zero radii and their own warning). ``stacklevel`` as warnings.warn's,
    counted from this function."""
    if _same_samples(x, y) and _has_continuous_column(_as_2d(x), threads):
        warnings.warn(message, RuntimeWarning, stacklevel=stacklevel)


def ksg_mi(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    k: int = 3,
    *,
    algorithm: Literal[1, 2] = 1,
    legacy: bool = False,
    base: float = 2,
    n_jobs: Optional[int] = None,
    random_state: TieSeed = None,
    tie_breaking: TieBreaking = "auto",
) -> float:
    """Mutual information of continuous variables by the KSG estimator, in bits.

    The default is the published estimator (Kraskov, Stoegbauer and
    Grassberger 2004, algorithm 1): for every sample, the max-norm distance
    ``r`` to its k-th nearest neighbour in the joint space (the sample
    itself excluded, duplicates counted), the numbers ``nx``, ``ny`` of other
    samples strictly closer than ``r`` in each marginal space, and
    ``I = psi(k) + psi(n) - <psi(nx + 1) + psi(ny + 1)>``.

    Parameters
    ----------
    x : array_like, shape (n,) or (n, dx)
        Samples of the first variable (one or several coordinates).
    y : array_like, shape (n,) or (n, dy)
        Samples of the second variable.
    k : int, default 3
        Neighbour order, ``1 <= k < n``.
    algorithm : {1, 2}, keyword-only, default 1
        1: the estimator above. 2: Kraskov et al.'s algorithm 2: per sample,
        ``eps_x`` and ``eps_y`` are the largest x- and y-distances (max-norm)
        among its k nearest joint neighbours (every sample tied at the k-th
        joint distance counts as one), ``nx = #{j != i : |x_i - x_j| <=
        eps_x}`` (likewise ``ny``), and ``I = psi(k) - 1/k + psi(n) -
        <psi(nx) + psi(ny)>``. Not available with ``legacy=True``.
    legacy : bool, keyword-only, default False
        Reproduce the textbook reference listing's numbers exactly instead:
        Euclidean k-th-neighbour distance and marginal counts with ``<=``.
        That variant is not the KSG estimator and is biased low (0.38 bits
        at n = 100,000, k = 3 on a rho = 0.8 Gaussian whose true MI is 0.737
        bits); use it only to match old results.
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
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator, keyword-only
        Seed of the tie-breaking noise (see ``tie_breaking``). None means the
        fixed seed 0, so results are reproducible by default; an int >= 0
        is the seed; a SeedSequence or Generator gives one seed (a
        Generator advances, and only when noise is added).
    tie_breaking : {"auto", "noise", "off"}, keyword-only, default "auto"
        ``"auto"``: every column of x and y that has repeated values (and
        at least two distinct values) gets Gaussian noise of standard
        deviation ``max(min(1e-10 * std(column), 1e-3 * q), 2**-42 * |value|)``,
        q the column's resolution (the smallest gap between its distinct
        values, round-off aside), added
        to a copy (your arrays are never changed), with a
        :class:`TiedSamplesWarning`; data without repeated values are used
        as given (bit-identical results). ``"noise"``: every non-constant
        column gets it, without a warning. ``"off"``: the data as given,
        with the warning on zero k-th-neighbour distances only. The noise
        of a column depends on ``random_state`` and that column's values
        alone (the same in every function and position). ``legacy=True``
        never adds noise (``"noise"`` is refused there).

    Returns
    -------
    float
        Estimated mutual information in **bits** (units of ``log(base)``),
        clipped at 0.

    Raises
    ------
    ValueError
        Empty input, different lengths, more than 2 dimensions, NaN or
        infinite values, ``k`` outside ``[1, n)``, ``algorithm`` not 1 or 2
        (or 2 with ``legacy=True``), invalid ``base``, or data so widely
        spread that a k-th-neighbour distance overflows float64 (beyond
        1.8e308; with ``legacy=True``, whose squared distances overflow,
        beyond about 1.3e154), 64-bit integers beyond 2**53 in magnitude
        (float64 cannot hold them exactly), a negative int
        ``random_state``.
    TypeError
        Non-numeric input, non-integer ``k`` or ``n_jobs``, a
        ``random_state`` that is not None, an int, a
        ``numpy.random.SeedSequence`` or a ``numpy.random.Generator``.

    Warns
    -----
    RuntimeWarning
        When x and y are the same samples (equal shapes and values, not
        constant), ``ksg_mi(x, x)``, and the estimator sees them so: the
        mutual information of a continuous variable with itself is
        infinite, and the KSG value is then about ``psi(n) - psi(k)`` (with
        ``legacy=True`` the listing's like number), which grows with n and
        estimates nothing. For H(X) use :func:`entropy`; :func:`pairwise_mi`
        puts NaN on its diagonal for the same reason. Not for a
        discrete-valued x (every column with at most n/2 distinct values):
        with tie-breaking noise (``"auto"``, ``"noise"``) y takes other
        noise than x, and the estimate is about the entropy of x; without
        it, the zero k-th-neighbour distances have their own warning. A
        continuous column with a few repeated values still warns: the noise
        that separates its copies is tiny.
    TiedSamplesWarning
        With ``tie_breaking="auto"``: when x or y has repeated values and
        tie-breaking noise was added (the warning names the columns, how
        many samples were tied, and the seed). Ties make KSG wrong: a
        rho = 0.8 Gaussian pair rounded to one decimal gives 0 bits
        without noise (0.74 with it, the truth being 0.737), and
        independent variables on a 100 x 100 grid give 1.35 bits (about 0
        with it). With ``"off"`` (or ``legacy=True``): when samples have k
        or more exact duplicates in the joint space, so their
        k-th-neighbour distance is 0. For discrete data use
        :func:`discrete_mi`.

    Notes
    -----
    If x or y takes a single value, the result is exactly 0 (no estimate is
    made; with ``legacy=True`` the listing's number is returned as it was).
    Memory is O(n): no pairwise distance matrix or neighbour list is built.

    Time grows with k: a sample's k-th neighbour is found among at least k
    others, so k close to n is inherently quadratic in n (measured with
    ``k = n - 2``: about 4.5 times the time per doubling of n, a few seconds
    at n = 10,000 on one core). Ctrl-C interrupts it within a fraction of a
    second.

    References
    ----------
    A. Kraskov, H. Stoegbauer, P. Grassberger, "Estimating mutual
    information", Phys. Rev. E 69, 066138 (2004).

    Examples
    --------
    >>> import numpy as np, fastmi
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(20000)
    >>> y = 0.8 * x + 0.6 * rng.standard_normal(20000)
    >>> abs(fastmi.ksg_mi(x, y) - 0.737) < 0.02
    True
    """
    x = as_samples(x, "x", exact=True)
    y = as_samples(y, "y", exact=True)
    check_same_length(x, y)
    n = x.shape[0]
    k = check_k(k, n)
    legacy = check_bool(legacy, "legacy")
    if isinstance(algorithm, (bool, np.bool_)) or algorithm not in (1, 2):
        raise ValueError(f"algorithm must be 1 or 2, got {algorithm!r}")
    if algorithm == 2 and legacy:
        raise ValueError("algorithm=2 has no legacy variant: legacy=True reproduces the textbook listing's algorithm 1")
    tie_breaking = check_tie_breaking(tie_breaking)
    check_noise_random_state(random_state)
    if legacy and tie_breaking == "noise":
        raise ValueError("legacy=True reproduces the textbook listing's numbers and adds no noise; "
                         "use tie_breaking='auto' or 'off' with it")
    base = check_base(base)
    x2, y2 = _as_2d(x), _as_2d(y)
    # also refuses NaN and infinity (x and y in their own shape: a 1-D one's message names no column)
    span = np.concatenate([column_spans(x, "x"), column_spans(y, "y")])
    threads = resolve_n_jobs(n_jobs)
    if not legacy and (_is_constant(x) or _is_constant(y)):
        # A variable with a single value has no entropy: I = 0 exactly. KSG
        # would instead read structure into the ties of the other variable.
        return 0.0
    check_ksg_radii(x2, y2, span, k, legacy, threads)
    report = None
    if not legacy and tie_breaking == "auto" and algorithm == 1 and x2.shape[1] == 1 and y2.shape[1] == 1:
        # 1-D: the sorted orders the estimator builds anyway are scanned for
        # ties first (O(n), nearly free); the estimate is made only without them
        mi_nats, zeros, tied_x, tied_y = _native.ksg1_nats_if_untied(
            x2.reshape(-1), y2.reshape(-1), k, threads, interruptible()
        )
        untied = tied_x == 0 and tied_y == 0
    else:
        untied = False
    if not untied:
        if not legacy:
            (x2, y2), report = break_ties([(x2, "x"), (y2, "y")], tie_breaking, random_state, threads)
            if report is not None:
                span = np.concatenate([column_spans(x2, "x"), column_spans(y2, "y")])
                check_ksg_radii(x2, y2, span, k, legacy, threads)
        # legacy=True is the textbook listing's variant
        variant = _native.KsgVariant.textbook if legacy else _native.KsgVariant.published
        if algorithm == 2:
            mi_nats, zeros = _native.ksg2_mi_nats(x2, y2, k, threads, interruptible())
        else:
            mi_nats, zeros = _native.ksg_mi_nats(x2, y2, k, variant, threads, interruptible())
    warn_ties(report, stacklevel=3)
    if not (legacy and _is_constant(x)):  # ksg_mi(x, x) (a constant x of legacy=True is no such case)
        warn_same_samples(x, y, threads, SAME_SAMPLES, stacklevel=3)
    if zeros:
        warnings.warn(
            f"{zeros} of {n} samples are at distance 0 from their k-th neighbour (k={k}) in "
            "the joint space (duplicated samples), where the KSG estimator's assumptions fail. "
            "Add tiny noise to continuous data (as scikit-learn does), or use "
            "fastmi.discrete_mi for discrete data.",
            TiedSamplesWarning,
            stacklevel=2,
        )
    return max(0.0, mi_nats / math.log(base))
