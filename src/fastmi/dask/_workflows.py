"""pairwise_mi by blocks of pairs, mi_test by blocks of permutations: the
data prepared once and shared by every block; each block one native call."""
from __future__ import annotations

import copy
import math
import warnings
from typing import Any, List, Optional

import numpy as np
import numpy.typing as npt

from .. import _native
from .._ties import TiedSamplesWarning, warn_ties
from .._typing import TieBreaking, TieSeed
from .._validation import as_samples, bin_dtype, check_base, check_choice, check_int, check_k, check_noise_random_state
from .._validation import column_spans, to_array
from .._validation import check_tie_breaking, interruptible
from ..ksg import SAME_SAMPLES_HEAD, _as_2d
from ..pairwise import _REMEDY as _PAIRWISE_REMEDY
from ..pairwise import _binned_axes, _ksg_prepare, _warn_zero_radius, _twin_pairs
from ..significance import _REMEDY as _TEST_REMEDY
from ..significance import MITestResult, _check, _check_n_permutations, _seeds, _shuffle_candidates
from ..significance import _warn_zero_radius as _warn_zero_radius_test
from ._graph import check_compute, finish, generator_state, local, require_dask, set_generator_state, task_threads


def _whole(a: Any) -> Any:
    """A dask array as one chunk (each estimate needs every sample), else `a`."""
    import dask.array as da

    if isinstance(a, da.Array):
        return a.rechunk(-1)
    return a  # a dask DataFrame or Series arrives whole as pandas


# --------------------------------------------------------------------------- pairwise_mi


def _pairwise_prepare(X: Any, method: str, k: Any, bins: Any, tie_breaking: TieBreaking, random_state: Any,
                      threads: int) -> dict[str, Any]:
    """pairwise_mi's checks and shared per-column state, as in memory (runs once, in a task)."""
    Xa = to_array(X, "X", exact=method == "ksg")
    X = as_samples(Xa, "X", exact=method == "ksg")
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features); got shape {X.shape}")
    n, p = X.shape
    if method == "binned":
        return {"X": np.asfortranarray(X), "p": p, "axes": _binned_axes(X, bins, threads, bin_dtype(Xa.dtype)),
                "report": None, "rng": None}
    if p < 2:  # no pair: as in memory, the checks alone (no tie-breaking noise, nothing drawn)
        check_k(k, n)
        column_spans(X, "X")  # refuses NaN and infinity
        return {"X": X, "p": p, "report": None, "rng": None}
    noised, k, constant, report, twin = _ksg_prepare(X, k, tie_breaking, random_state, threads)
    # the state of (this copy of) the caller's generator after the noise's seed: the client takes it
    return {"X": noised, "p": p, "k": k, "constant": constant, "report": report, "twin": twin,
            "rng": generator_state(random_state)}


def _pairwise_block(prep: dict[str, Any], pairs: npt.NDArray[np.int64], threads: int
                    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """(values, per-pair zeros or counted) of a block of pairs, as pairwise_mi computes them."""
    prep, pairs = local(prep), local(pairs)
    pairs = np.ascontiguousarray(pairs, dtype=np.int64)
    if "axes" in prep:
        return _native.binned_pairs_bits(prep["X"], prep["axes"], pairs, threads, interruptible())
    constant = prep["constant"]
    live = ~(constant[pairs[:, 0]] | constant[pairs[:, 1]])
    values = np.zeros(pairs.shape[0])
    zeros = np.zeros(pairs.shape[0], dtype=np.int64)
    if live.any():
        nats, z = _native.ksg_pairs_nats(prep["X"], np.ascontiguousarray(_twin_pairs(pairs[live], prep["twin"])),
                                         prep["k"], threads, interruptible())
        values[live] = nats
        zeros[live] = z
    return values, zeros


_Part = tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]


def _pairwise_matrix(p: int, binned: bool, base: float, k: Any, pairs: npt.NDArray[np.int64],
                     *parts: _Part) -> tuple[npt.NDArray[np.float64], int]:
    """(the matrix, tied pairs) from the blocks' results, as pairwise_mi forms it."""
    values = np.concatenate([v for v, _ in parts]) if parts else np.zeros(0)
    extra = np.concatenate([z for _, z in parts]) if parts else np.zeros(0, dtype=np.int64)
    i, j = pairs[:, 0], pairs[:, 1]
    if binned:
        if (extra == 0).any():
            raise ValueError("no sample falls inside the bin edges")
        bits = np.where(values > 0.0, values, 0.0)
        if base != 2.0:
            bits = bits * (math.log(2.0) / math.log(base))
        out = np.empty((p, p))
        out[i, j] = bits
        out[j, i] = bits
        return out, 0
    out = np.full((p, p), np.nan)
    bits = values / math.log(base)
    bits = np.where(bits > 0.0, bits, 0.0)
    out[i, j] = bits
    out[j, i] = bits
    return out, int(np.count_nonzero(extra))


def pairwise_mi(X: Any, *, method: str = "ksg", k: int = 3, bins: Any = 10, base: float = 2,
                n_jobs: Optional[int] = None, random_state: TieSeed = None, tie_breaking: TieBreaking = "auto",
                pairs_per_task: int = 64, compute: bool = True) -> Any:
    """:func:`fastmi.pairwise_mi` by blocks of pairs, bit for bit.

    Parameters
    ----------
    X : dask array, dask DataFrame or array_like, shape (n, p)
        Samples of p variables; gathered whole once per worker (every
        estimate needs all the samples of its two columns).
    method : {"ksg", "binned"}, keyword-only, default "ksg"
        As for :func:`fastmi.pairwise_mi`.
    k : int, keyword-only, default 3
        Neighbour order for ``"ksg"``.
    bins : int or array of edges, keyword-only, default 10
        For ``"binned"``.
    base : float, keyword-only, default 2
        Logarithm base: 2 for bits, ``numpy.e`` for nats.
    n_jobs : int or None, keyword-only
        Threads of each task's native call (default 1).
    random_state, tie_breaking : keyword-only
        As for :func:`fastmi.pairwise_mi`. The noise is added once, in the
        task that prepares the data, from a copy of `random_state`; with
        compute=True a Generator is then left where the in-memory call
        leaves it (with compute=False it is not advanced).
    pairs_per_task : int, keyword-only, default 64
        Pairs computed by one task.
    compute : bool, keyword-only, default True
        False returns a ``dask.delayed`` object of the matrix (the
        TiedSamplesWarning is then not raised).

    Returns
    -------
    ndarray of float64, shape (p, p), or dask.delayed.Delayed
        The matrix of :func:`fastmi.pairwise_mi`, in **bits** (units of
        ``log(base)``).

    Raises
    ------
    ValueError, TypeError
        As :func:`fastmi.pairwise_mi`.

    Warns
    -----
    TiedSamplesWarning
        As :func:`fastmi.pairwise_mi` (with compute=True).
    """
    require_dask()
    from dask.delayed import delayed

    method = check_choice(method, "method", ("ksg", "binned"))
    base = check_base(base)
    tie_breaking = check_tie_breaking(tie_breaking)
    check_noise_random_state(random_state)
    compute = check_compute(compute)
    threads = task_threads(n_jobs)
    per = check_int(pairs_per_task, "pairs_per_task", minimum=1)
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) != 2 or np.isnan(shape[1]):
        X = to_array(X, "X")  # the in-memory checks: non-numbers (None, text) are a TypeError
        shape = X.shape
    if len(shape) != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features); got shape {shape}")
    p = int(shape[1])
    prep = delayed(_pairwise_prepare, pure=True)(_whole(X), method, k, bins, tie_breaking,
                                                 copy.deepcopy(random_state), threads)
    binned = method == "binned"
    i, j = np.triu_indices(p, k=0 if binned else 1)
    pairs = np.ascontiguousarray(np.column_stack([i, j]), dtype=np.int64)
    parts = [delayed(_pairwise_block, pure=True)(prep, pairs[s : s + per], threads)
             for s in range(0, pairs.shape[0], per)]
    result = delayed(_pairwise_matrix, pure=True)(p, binned, base, k, pairs, *parts)
    if not compute:
        return result[0]
    (out, tied), report, state = finish((result, prep["report"], prep["rng"]), True)
    set_generator_state(random_state, state)  # advanced as in memory: by the noise's seed, if drawn
    warn_ties(report, _PAIRWISE_REMEDY)
    _warn_zero_radius(tied, pairs.shape[0], k, stacklevel=3)
    return out


# --------------------------------------------------------------------------- mi_test


def _test_prepare(x: Any, y: Any, z: Any, k: Any, shuffle_neighbors: Any, tie_breaking: TieBreaking,
                  random_state: Any, first_seed: npt.NDArray[np.uint64], threads: int) -> Any:
    """mi_test's checks, the statistic and the shared neighbour lists (once, in a
    task): the data with their tie-breaking noise, as in memory; the tie
    warnings are returned (as "ties"), and the same-samples warning's text (as
    "same"), for the client to emit."""
    conv: List[Any] = [None if a is None else (a.to_numpy() if hasattr(a, "to_numpy") else a) for a in (x, y, z)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TiedSamplesWarning)
        warnings.simplefilter("always", RuntimeWarning)
        checked = _check(conv[0], conv[1], conv[2], k, 1, shuffle_neighbors, random_state, None, 2, tie_breaking,
                         seeds=np.zeros(0, dtype=np.uint64))
    ties = [getattr(w.message, "report", None) for w in caught if issubclass(w.category, TiedSamplesWarning)]
    same = [str(w.message) for w in caught
            if w.category is RuntimeWarning and str(w.message).startswith(SAME_SAMPLES_HEAD)]
    if isinstance(checked, MITestResult):
        return None  # constant x or y: every estimate is 0 (and no noise was drawn)
    # the state of (this copy of) the caller's generator after the noise's seed, if it was
    # drawn: the client puts the caller's generator in it, where the in-memory call leaves it
    rng = generator_state(random_state)
    x, y, z, k, shuffle_neighbors, _, _, _ = checked
    x2, y2 = _as_2d(x), _as_2d(y)
    check = interruptible()
    if z is None:
        stat, zeros = _native.ksg_mi_nats(x2, y2, k, _native.KsgVariant.published, threads, check)
        return {"x": x2, "y": y2, "k": k, "stat": stat, "zeros": zeros, "n": x.shape[0], "ties": ties, "same": same,
                "rng": rng}
    z2 = _as_2d(z)
    stat, zeros = _native.cmi_ksg_nats(x2, y2, z2, k, threads, check)
    neighbors = _shuffle_candidates(z2, shuffle_neighbors, first_seed, threads, check)
    return {"x": x2, "y": y2, "z": z2, "k": k, "stat": stat, "zeros": zeros, "n": x.shape[0],
            "neighbors": neighbors, "ties": ties, "same": same, "rng": rng}


def _test_block(prep: Any, seeds: npt.NDArray[np.uint64], threads: int) -> npt.NDArray[np.float64]:
    """The null estimates (nats) of one block of permutations, one seed each."""
    if prep is None:
        return np.zeros(seeds.shape[0])
    prep, seeds = local(prep), local(seeds)
    check = interruptible()
    if "z" not in prep:
        return _native.ksg_null_nats(prep["x"], prep["y"], prep["k"], seeds, threads, check)[0]
    return _native.cmi_null_nats(prep["x"], prep["y"], prep["z"], prep["k"], prep["neighbors"], seeds, threads,
                                 check)[0]


_Outcome = tuple[MITestResult, int, int, List[Any], List[str], Optional[dict[str, Any]]]


def _test_result(prep: Any, base: float, *nulls: npt.NDArray[np.float64]) -> _Outcome:
    """(the result, zero radii, samples, tie reports, same-samples warnings, the generator's
    state after the noise's seed)."""
    null_nats = np.concatenate(nulls)
    total = null_nats.shape[0]
    if prep is None:
        return MITestResult(0.0, 1.0, np.zeros(total)), 0, 0, [], [], None
    scale = math.log(base)
    statistic = float(prep["stat"]) / scale
    null = null_nats / scale
    pvalue = (1.0 + np.count_nonzero(null >= statistic)) / (1.0 + total)
    return (MITestResult(statistic, float(pvalue), null), int(prep["zeros"]), int(prep["n"]), prep["ties"],
            prep["same"], prep["rng"])


def mi_test(x: Any, y: Any, z: Any = None, *, k: int = 3, n_permutations: int = 1000, shuffle_neighbors: int = 5,
            random_state: Any = None, n_jobs: Optional[int] = None, base: float = 2,
            tie_breaking: TieBreaking = "auto", permutations_per_task: int = 50, compute: bool = True) -> Any:
    """:func:`fastmi.mi_test` by blocks of permutations, bit for bit.

    Permutation b is drawn from the b-th of the seeds that
    ``numpy.random.default_rng(random_state)`` draws up front (on the
    client), whichever block and worker computes it: the null distribution
    is the in-memory one for every cluster size.

    Parameters
    ----------
    x, y : dask array, array_like, shape (n,) or (n, d)
        Samples of the two variables (gathered whole once per worker).
    z : dask array or array_like, shape (n,) or (n, dz), optional
        Samples of the conditioning variable.
    k : int, keyword-only, default 3
        Neighbour order, as for :func:`fastmi.mi_test`.
    n_permutations : int, keyword-only, default 1000
        Number of permutations.
    shuffle_neighbors : int, keyword-only, default 5
        Local permutations within this many nearest neighbours in z.
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator, keyword-only
        As for :func:`fastmi.mi_test` (which refuses the same other forms):
        the permutations' seeds are drawn from it on the client, then the
        seed of the tie-breaking noise, in the task that prepares the data,
        from a copy. With compute=True a Generator is then left exactly
        where :func:`fastmi.mi_test` leaves it, ties or not (and where it
        was, should the computation fail); with compute=False it is
        advanced by the permutations' seeds only.
    n_jobs : int or None, keyword-only
        Threads of each task's native call (default 1).
    base : float, keyword-only, default 2
        Logarithm base: 2 for bits, ``numpy.e`` for nats.
    tie_breaking : {"auto", "noise", "off"}, keyword-only, default "auto"
        As for :func:`fastmi.mi_test` (the noise is added once, in the task
        that prepares the data).
    permutations_per_task : int, keyword-only, default 50
        Permutations computed by one task.
    compute : bool, keyword-only, default True
        False returns a ``dask.delayed`` object of the MITestResult (the
        TiedSamplesWarning is then not raised).

    Returns
    -------
    MITestResult or dask.delayed.Delayed
        ``statistic`` and ``null_distribution`` in **bits** (units of
        ``log(base)``) and ``pvalue``, as :func:`fastmi.mi_test` returns them.

    Raises
    ------
    ValueError, TypeError
        As :func:`fastmi.mi_test`.
    """
    require_dask()
    from dask.delayed import delayed

    base = check_base(base)
    compute = check_compute(compute)
    threads = task_threads(n_jobs)
    n_permutations = _check_n_permutations(n_permutations)
    per = check_int(permutations_per_task, "permutations_per_task", minimum=1)
    tie_breaking = check_tie_breaking(tie_breaking)
    # random_state is checked by _seeds, as in memory (check_noise_random_state, then numpy.random.default_rng)
    saved = generator_state(random_state)
    seeds = _seeds(random_state, n_permutations)
    # a Generator, as advanced by the seeds: the prepare task draws the noise's seed from a copy
    prep = delayed(_test_prepare, pure=True)(_whole(x), _whole(y), None if z is None else _whole(z), k,
                                             shuffle_neighbors, tie_breaking, copy.deepcopy(random_state), seeds[:1],
                                             threads)
    nulls = [delayed(_test_block, pure=True)(prep, seeds[s : s + per], threads)
             for s in range(0, n_permutations, per)]
    result = delayed(_test_result, pure=True)(prep, base, *nulls)
    if not compute:
        return result[0]
    try:
        res, zeros, n, ties, same, state = finish(result, True)
    except BaseException:
        # in memory the data are checked before the seeds are drawn: a refused call draws nothing
        set_generator_state(random_state, saved)
        raise
    set_generator_state(random_state, state)  # then the noise's seed, where one was drawn
    for report in ties:
        warn_ties(report, _TEST_REMEDY)
    for message in same:  # as in memory, after the tie warning
        warnings.warn(message, RuntimeWarning, stacklevel=2)
    _warn_zero_radius_test(zeros, n, k, stacklevel=3)
    return res
