"""Drop-in replacements for scikit-learn's mutual-information functions.

:func:`mutual_info_regression`, :func:`mutual_info_classif` and
:func:`mutual_info_score` take scikit-learn's arguments and return its numbers
(nats) for the same ``random_state``, computed by the native core with every
feature in parallel. scikit-learn itself is not needed: the input checks, the
scaling and the tie-breaking noise are reimplemented here with numpy, in
scikit-learn's order, so that the values handed to the estimators are
bit-identical to the ones scikit-learn hands to its own.
"""
from __future__ import annotations

import numbers
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _native
from ._validation import (
    _to_array,
    check_finite,
    check_int,
    interruptible,
    resolve_n_jobs,
)

# Dense blocks of sparse input are densified at most this many values at a time.
_SPARSE_BLOCK_VALUES = 1 << 25

# Integers beyond this magnitude are not all exactly representable as float64.
_EXACT_INT = 2**53


# --------------------------------------------------------------------------- input checks


def _is_sparse(a) -> bool:
    """Whether `a` is a scipy.sparse matrix or array (scipy imported only if so)."""
    if not type(a).__module__.startswith("scipy.sparse"):
        return False
    import scipy.sparse

    return bool(scipy.sparse.issparse(a))


def check_random_state(seed):
    """numpy's legacy generator for `seed`, as scikit-learn resolves it.

    None (or the ``numpy.random`` module) gives numpy's global RandomState, an
    integer a new ``RandomState(seed)``, a RandomState instance itself (its
    state advances).
    """
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"random_state must be None, an int or a numpy.random.RandomState; got {seed!r}")
    if isinstance(seed, numbers.Integral):
        if not 0 <= int(seed) < 2**32:
            raise ValueError(f"random_state must be in [0, 2**32 - 1] when an int; got {seed}")
        return np.random.RandomState(int(seed))
    if isinstance(seed, np.random.RandomState):
        return seed
    hint = (
        " (a numpy.random.Generator draws a different stream; pass an int or a RandomState)"
        if isinstance(seed, np.random.Generator)
        else ""
    )
    raise TypeError(f"random_state must be None, an int or a numpy.random.RandomState; got {seed!r}{hint}")


def _check_X(X):
    """(X, is_sparse): a 2-D numeric ndarray in its own layout, or a CSC matrix."""
    if _is_sparse(X):
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}")
        X = X.tocsc()
        if X.dtype.kind not in "biuf":
            raise TypeError(f"X must hold real numbers (bool, int or float); got dtype {X.dtype}")
        if X.dtype.kind == "f":
            check_finite(X.data, "X")
    else:
        X = _to_array(X, "X")
        if X.ndim != 2:
            raise ValueError(
                f"X must be a 2-D array (n_samples, n_features); got {X.ndim}-D array of shape {X.shape}"
                + (" (reshape a single feature with X.reshape(-1, 1))" if X.ndim == 1 else "")
            )
        if X.dtype.kind == "f":
            check_finite(X, "X")
    if X.shape[0] < 1:
        raise ValueError(f"X is empty (shape {X.shape}): at least one sample is needed")
    if X.shape[1] < 1:
        raise ValueError(f"X has shape {X.shape}: at least one feature is needed")
    return X, _is_sparse(X)


def _as_1d(a, name: str, n: int | None = None) -> np.ndarray:
    """`a` as a 1-D array of any dtype (an (n, 1) column is flattened)."""
    if hasattr(a, "to_numpy") and not isinstance(a, np.ndarray):  # pandas
        a = a.to_numpy()
    try:
        a = np.asarray(a)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(f"{name} could not be converted to an array: {exc}") from None
    if a.ndim == 0:
        raise ValueError(f"{name} must be a 1-D array (n_samples,), got a scalar")
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D (n_samples,); got a {a.ndim}-D array of shape {a.shape}")
    if a.shape[0] == 0:
        raise ValueError(f"{name} is empty: at least one sample is needed")
    if n is not None and a.shape[0] != n:
        raise ValueError(f"X and {name} must have the same number of samples; got {n} and {a.shape[0]}")
    return a


def _check_target_regression(y, n: int) -> np.ndarray:
    y = _as_1d(y, "y", n)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"y must hold real numbers for regression; got dtype {y.dtype}")
    if y.dtype.kind == "f":
        check_finite(y, "y")
    return y


def _label_codes(labels: np.ndarray, name: str) -> tuple[np.ndarray, int]:
    """(codes in numpy.unique's order as int64, number of distinct labels)."""
    if labels.dtype.kind == "f":
        check_finite(labels, name)
    elif labels.dtype.kind not in "biuUSO":
        raise TypeError(f"{name} must hold labels (integers, strings, ...); got dtype {labels.dtype}")
    labels = labels.reshape(-1)
    if labels.dtype.kind in "biu" and labels.size:
        # Integer labels over a modest range: codes by a lookup table in O(n),
        # the same codes as numpy.unique's sorted order, without its sort.
        lo, hi = int(labels.min()), int(labels.max())
        if hi - lo <= max(1 << 20, 4 * labels.size):
            offset = labels.astype(np.int64) - lo
            present = np.bincount(offset, minlength=hi - lo + 1) > 0
            remap = np.cumsum(present, dtype=np.int64) - 1
            return remap[offset], int(present.sum())
    try:
        classes, codes = np.unique(labels, return_inverse=True)
    except TypeError as exc:
        raise ValueError(f"{name} holds labels that cannot be compared with each other: {exc}") from None
    return np.ascontiguousarray(codes.reshape(-1), dtype=np.int64), int(classes.shape[0])


def _check_target_classif(y, n: int) -> tuple[np.ndarray, int]:
    y = _as_1d(y, "y", n)
    if y.dtype.kind == "f" and np.isfinite(y).all() and np.any(y != np.floor(y)):
        raise ValueError(
            "Unknown label type: continuous. y holds non-integer floats, which "
            "mutual_info_classif cannot take as classes; use mutual_info_regression "
            "for a continuous target"
        )
    return _label_codes(y, "y")


def _discrete_mask(discrete_features, n_features: int, sparse: bool) -> np.ndarray:
    if isinstance(discrete_features, str):
        if discrete_features != "auto":
            raise ValueError(
                "discrete_features must be 'auto', a bool, a boolean mask or an array of "
                f"feature indices; got {discrete_features!r}"
            )
        return np.full(n_features, sparse, dtype=bool)
    if isinstance(discrete_features, (bool, np.bool_)):
        return np.full(n_features, bool(discrete_features), dtype=bool)
    arr = np.asarray(discrete_features)
    if arr.ndim != 1:
        raise ValueError(
            f"discrete_features must be a 1-D boolean mask or array of indices; got shape {arr.shape}"
        )
    if arr.dtype == bool:
        if arr.shape[0] != n_features:
            raise ValueError(
                f"discrete_features as a boolean mask must have one entry per feature "
                f"({n_features}); got {arr.shape[0]}"
            )
        return arr.copy()
    mask = np.zeros(n_features, dtype=bool)
    if arr.size == 0:
        return mask
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"discrete_features must hold booleans (a mask) or integer feature indices; got dtype {arr.dtype}"
        )
    if arr.min() < -n_features or arr.max() >= n_features:
        raise ValueError(
            f"discrete_features holds an index outside [-{n_features}, {n_features}) "
            f"for X with {n_features} features"
        )
    mask[arr] = True
    return mask


# --------------------------------------------------------------------------- preprocessing


def _mt19937_state(rng):
    """(key copy, pos, has_gauss, gauss) of a RandomState on MT19937, else None."""
    try:
        state = rng.get_state(legacy=False)
        if state["bit_generator"] != "MT19937":
            return None
        mt = state["state"]
        return np.array(mt["key"], dtype=np.uint32), int(mt["pos"]), int(state["has_gauss"]), float(state["gauss"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


_NATIVE_NOISE: list = []  # [True/False] once checked
_RLOCK = type(threading.RLock())


def _native_noise_ok() -> bool:
    """Whether the native normal stream equals numpy's here (checked once per process).

    The native stream uses this process's libm ``log``, like numpy's; should a
    platform ever differ, numpy draws the noise instead.
    """
    if not _NATIVE_NOISE:
        ok = True
        for seed, m in ((12345, 1001), (7, 2)):
            want_rng = np.random.RandomState(seed)
            want = want_rng.standard_normal(size=m)
            got_rng = np.random.RandomState(seed)
            got = np.zeros((m, 1), order="F")
            _draw_noise(got, np.ones(1), got_rng, 1, native=True)
            ok = ok and np.array_equal(got[:, 0], want) and want_rng.standard_normal() == got_rng.standard_normal()
        _NATIVE_NOISE.append(ok)
    return _NATIVE_NOISE[0]


def _draw_noise(block: np.ndarray, c: np.ndarray, rng, threads: int, native=None) -> None:
    """``block += c * rng.standard_normal(block.shape)`` in place, value for value.

    `block` is Fortran-ordered float64 (n, p), `c` the p per-column factors.
    For a RandomState on MT19937 (always, through check_random_state) the
    values are drawn natively, on all threads, leaving `rng` in the state
    numpy would; otherwise numpy draws them. Like numpy, the draw holds the
    generator's lock throughout, so no other thread draws from a shared
    generator (numpy's global one) in between.
    """
    lock = getattr(getattr(rng, "_bit_generator", None), "lock", None)
    # get_state takes the lock itself: only a re-entrant lock can be held around it
    if (native if native is not None else _native_noise_ok()) and isinstance(lock, _RLOCK):
        with lock:
            state = _mt19937_state(rng)
            if state is not None:
                key, pos, has_gauss, gauss = state
                pos, has_gauss, gauss = _native.add_normal_noise(
                    block, np.ascontiguousarray(c, dtype=np.float64), key, pos, has_gauss, gauss, threads,
                    interruptible(),
                )
                rng.set_state(("MT19937", key, pos, has_gauss, gauss))
                return
    noise = rng.standard_normal(size=block.shape)
    noise *= c
    block += noise


def _scale_columns(block: np.ndarray, means: np.ndarray) -> None:
    """Divides each column of `block` by its std (no centring; std < 10 eps -> 1), in place,
    and stores ``max(1, mean|column|)`` in `means`: scikit-learn's ``scale(X, with_mean=False)``
    then its noise factor. The numpy calls are scikit-learn's, so the (pairwise) reductions
    and results are identical; each column's result depends on that column alone.
    """
    # np.std performs nanstd's operations in the same order (X holds no NaN
    # here) without its NaN-masking copy
    std = np.std(block, axis=0)
    std[std < 10 * np.finfo(std.dtype).eps] = 1.0
    block /= std
    means[...] = np.maximum(1, np.mean(np.abs(block), axis=0))


# Below this many values the continuous block is prepared on one thread.
_PARALLEL_PREP = 1 << 20


def _continuous_block(X: np.ndarray, continuous: np.ndarray, rng, threads: int) -> np.ndarray:
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
            _scale_columns(block, means[a:b])

        bounds = [pc * w // workers for w in range(workers + 1)]
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(prepare, bounds[:-1], bounds[1:]))
    else:
        xc = X[:, continuous]  # Fortran-ordered copy, like scikit-learn's
        if xc.dtype != np.float64:
            xc = xc.astype(np.float64)
        _scale_columns(xc, means)
    _draw_noise(xc, 1e-10 * means, rng, threads)
    return xc


def _scale_and_noise_target(y: np.ndarray, rng, threads: int) -> np.ndarray:
    """y divided by its std (unless exactly 0) plus noise, as scikit-learn does."""
    if y.dtype in (np.float16, np.float32, np.float64):
        y = y.copy()  # scikit-learn keeps these precisions
    else:
        y = y.astype(np.float64)
    std = np.std(y)
    if std == 0.0:
        std = 1.0
    y /= std
    c = 1e-10 * np.maximum(1, np.mean(np.abs(y)))
    if y.dtype == np.float64:
        _draw_noise(y.reshape(-1, 1), np.array([c]), rng, threads)
    else:
        y += c * rng.standard_normal(size=y.shape[0])
    return np.ascontiguousarray(y, dtype=np.float64)


def _discrete_block(Xd: np.ndarray, exact_ints: bool) -> np.ndarray:
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


# --------------------------------------------------------------------------- estimation


def _compute_mi(features: np.ndarray, discrete_features: bool, target: np.ndarray, n_labels: int, k: int,
                threads: int) -> np.ndarray:
    """MI (nats, clipped at 0) of each column of `features` with the target, scikit-learn's _compute_mi.

    `features` is a Fortran-ordered float64 (n, p) block of one kind; the
    target is discrete when `n_labels` > 0 (its codes), else continuous.
    """
    check = interruptible()
    if discrete_features and n_labels:
        mi = _native.mi_dd(features, target, n_labels, threads, check)
    elif discrete_features:
        mi = _native.mi_dc(features, target, k, threads, check)
    elif n_labels:
        mi = _native.mi_cd(features, target, n_labels, k, threads, check)
    else:
        mi = _native.mi_cc(features, target, k, threads, check)
    return np.where(mi > 0.0, mi, 0.0)


def _estimate_mi(X, y, *, discrete_features, discrete_target, n_neighbors, copy, random_state, n_jobs):
    X, sparse = _check_X(X)
    n, p = X.shape
    if discrete_target:
        codes, n_labels = _check_target_classif(y, n)
    else:
        y = _check_target_regression(y, n)
    discrete = _discrete_mask(discrete_features, p, sparse)
    continuous = ~discrete
    if sparse and continuous.any():
        raise ValueError(
            "X is sparse, so every feature must be discrete; sparse X can't have continuous "
            "features (pass discrete_features='auto' or True, or a dense X)"
        )
    k = check_int(n_neighbors, "n_neighbors", minimum=1)
    if not discrete_target and continuous.any() and k >= n:
        raise ValueError(
            f"n_neighbors must be smaller than the number of samples ({n}) for continuous "
            f"features against a continuous target; got {k}"
        )
    if not isinstance(copy, (bool, np.bool_)):
        raise TypeError(f"copy must be True or False, got {copy!r}")
    threads = resolve_n_jobs(n_jobs)
    rng = check_random_state(random_state)

    xc = None
    if continuous.any():
        user_X = X
        xc = _continuous_block(X, continuous, rng, threads)
        if not copy and isinstance(user_X, np.ndarray) and user_X.dtype == np.float64 and user_X.flags.writeable:
            user_X[:, continuous] = xc  # scikit-learn's copy=False overwrites X
    if discrete_target:
        y_values, y_codes = None, codes
    else:
        y_values, y_codes, n_labels = _scale_and_noise_target(y, rng, threads), None, 0

    mi = np.empty(p, dtype=np.float64)
    target = y_codes if discrete_target else y_values
    if not sparse:
        if xc is not None:
            mi[continuous] = _compute_mi(xc, False, target, n_labels, k, threads)
        if discrete.any():
            xd = _discrete_block(X[:, discrete], exact_ints=xc is None)
            mi[discrete] = _compute_mi(xd, True, target, n_labels, k, threads)
        return mi
    # sparse: every feature discrete; densify a block of columns at a time
    width = max(1, _SPARSE_BLOCK_VALUES // n)
    for start in range(0, p, width):
        stop = min(p, start + width)
        block = np.zeros((n, stop - start), dtype=np.float64, order="F")
        for j in range(start, stop):
            lo, hi = X.indptr[j], X.indptr[j + 1]
            block[X.indices[lo:hi], j - start] = X.data[lo:hi]
        mi[start:stop] = _compute_mi(block, True, target, n_labels, k, threads)
    return mi


def mutual_info_regression(
    X, y, *, discrete_features="auto", n_neighbors=3, copy=True, random_state=None, n_jobs=None
):
    """Mutual information between each feature and a continuous target, in nats.

    A drop-in replacement for ``sklearn.feature_selection.mutual_info_regression``:
    same arguments, same preprocessing, same numbers (to about 1e-15) for the
    same `random_state`, many times faster. Continuous features are compared
    with the target by the KSG estimator [1]_, discrete ones by Ross's
    estimator [2]_ (with the roles swapped: the target is the continuous
    variable).

    Parameters
    ----------
    X : array-like or sparse matrix, shape (n_samples, n_features)
        Feature matrix (numpy array, pandas DataFrame, or a scipy.sparse
        matrix whose features are all discrete).
    y : array-like of shape (n_samples,)
        Continuous target.
    discrete_features : {'auto', bool, array-like}, default='auto'
        Which features are discrete: a bool for all of them, a boolean mask of
        shape (n_features,), or an array of indices of the discrete features.
        'auto' means False for dense `X` and True for sparse `X`.
    n_neighbors : int, default=3
        Number of neighbours ``k`` of the KSG and Ross estimators; ``1 <= k <
        n_samples``. Larger values lower the variance and raise the bias.
    copy : bool, default=True
        When False and `X` is a float64 numpy array, its continuous columns
        are overwritten with their scaled, noised values, as scikit-learn does.
    random_state : int, RandomState instance or None, default=None
        Source of the tie-breaking noise: an int seeds a new
        ``numpy.random.RandomState``, an instance is used (and advanced), None
        uses numpy's global RandomState. The same value gives scikit-learn's
        numbers.
    n_jobs : int or None, default=None
        Threads: None uses OpenMP's default (all cores, unlike
        scikit-learn's one process), -1 all cores, a positive integer that
        many. The result is bit-identical for every value.

    Returns
    -------
    mi : ndarray of shape (n_features,)
        Estimated mutual information between each feature and the target, in
        **nats**; negative estimates are replaced by 0.

    Raises
    ------
    ValueError
        Shapes that disagree, NaN or infinite values, sparse `X` with
        continuous features, an out-of-range `n_neighbors`, a bad mask.
    TypeError
        Non-numeric data or arguments of the wrong type.

    Notes
    -----
    As in scikit-learn: `X` is cast to float64; each continuous column is
    divided by its population standard deviation (no centring; a std below
    ``10 * eps`` counts as 1), then ``1e-10 * max(1, mean|x|) * N(0, 1)``
    noise is added, drawn for all continuous columns at once in shape
    ``(n_samples, n_continuous)``; then `y` is divided by its std (unless it
    is 0) and noised the same way, from the same generator (fastmi draws
    these normals natively, on all threads, value for value as numpy's
    ``RandomState.standard_normal`` would, and leaves the generator in the
    state numpy would leave it). The KSG estimate
    uses the max-norm and strict neighbour counts, ``psi(n) + psi(k) -
    <psi(n_x + 1)> - <psi(n_y + 1)>``.

    Where a discrete feature has a value seen only once, those samples are
    dropped from Ross's estimator, as in scikit-learn; if every value is seen
    once the estimate is 0 (scikit-learn raises an error). For discrete
    values shared by at most about ``2 * n_neighbors + 1`` samples,
    scikit-learn measures distances as ``sqrt(a**2 - 2ab + b**2)``, which
    loses precision; fastmi uses exact distances there, so such features can
    differ from scikit-learn's, typically by a few thousandths of a nat and
    by up to about 0.01 nats on a few hundred samples.

    References
    ----------
    .. [1] A. Kraskov, H. Stoegbauer and P. Grassberger, "Estimating mutual
           information". Phys. Rev. E 69, 066138, 2004.
    .. [2] B. C. Ross, "Mutual Information between Discrete and Continuous
           Data Sets". PLoS ONE 9(2), e87357, 2014.

    Examples
    --------
    >>> import numpy as np, fastmi
    >>> rng = np.random.RandomState(0)
    >>> X = rng.standard_normal((1000, 3))
    >>> y = X[:, 0] + 0.1 * rng.standard_normal(1000)
    >>> mi = fastmi.mutual_info_regression(X, y, random_state=0)
    >>> int(np.argmax(mi))
    0
    """
    return _estimate_mi(
        X,
        y,
        discrete_features=discrete_features,
        discrete_target=False,
        n_neighbors=n_neighbors,
        copy=copy,
        random_state=random_state,
        n_jobs=n_jobs,
    )


def mutual_info_classif(
    X, y, *, discrete_features="auto", n_neighbors=3, copy=True, random_state=None, n_jobs=None
):
    """Mutual information between each feature and a discrete target, in nats.

    A drop-in replacement for ``sklearn.feature_selection.mutual_info_classif``:
    same arguments, same preprocessing, same numbers (to about 1e-15) for the
    same `random_state`, many times faster. Continuous features are compared
    with the classes by Ross's estimator [2]_, discrete ones by the
    contingency-table plug-in (:func:`mutual_info_score`). [1]_ is the KSG
    estimator Ross's extends.

    Parameters
    ----------
    X : array-like or sparse matrix, shape (n_samples, n_features)
        Feature matrix (numpy array, pandas DataFrame, or a scipy.sparse
        matrix whose features are all discrete).
    y : array-like of shape (n_samples,)
        Class labels (integers, strings, integral floats, ...).
    discrete_features : {'auto', bool, array-like}, default='auto'
        Which features are discrete: a bool for all of them, a boolean mask of
        shape (n_features,), or an array of indices of the discrete features.
        'auto' means False for dense `X` and True for sparse `X`.
    n_neighbors : int, default=3
        Number of neighbours ``k`` of Ross's estimator (at least 1; within a
        class of ``m`` samples, ``min(k, m - 1)`` is used).
    copy : bool, default=True
        When False and `X` is a float64 numpy array, its continuous columns
        are overwritten with their scaled, noised values, as scikit-learn does.
    random_state : int, RandomState instance or None, default=None
        Source of the tie-breaking noise: an int seeds a new
        ``numpy.random.RandomState``, an instance is used (and advanced), None
        uses numpy's global RandomState. The same value gives scikit-learn's
        numbers.
    n_jobs : int or None, default=None
        Threads: None uses OpenMP's default (all cores, unlike
        scikit-learn's one process), -1 all cores, a positive integer that
        many. The result is bit-identical for every value.

    Returns
    -------
    mi : ndarray of shape (n_features,)
        Estimated mutual information between each feature and the target, in
        **nats**; negative estimates are replaced by 0.

    Raises
    ------
    ValueError
        Shapes that disagree, NaN or infinite values, a continuous
        (non-integral float) target, sparse `X` with continuous features, a
        bad mask.
    TypeError
        Non-numeric features or arguments of the wrong type.

    Notes
    -----
    The continuous columns are scaled and noised exactly as in
    :func:`mutual_info_regression`; the target is not. Ross's estimator: for
    every sample of a class seen ``m >= 2`` times, the distance ``d`` to its
    ``min(k, m - 1)``-th nearest sample of the same class and the number
    ``m_i`` of samples of any class closer than ``d`` (itself included);
    ``psi(N) + <psi(k_i)> - <psi(m_class)> - <psi(m_i)>`` over the ``N``
    samples of classes seen at least twice. Samples of classes seen once are
    dropped, as in scikit-learn; if every class is seen once the estimate is
    0 (scikit-learn raises an error). For classes of at most about
    ``2 * n_neighbors + 1`` samples scikit-learn measures distances as
    ``sqrt(a**2 - 2ab + b**2)``, which loses precision; fastmi uses exact
    distances there, so with such small classes results can differ from
    scikit-learn's, typically by a few thousandths of a nat and by up to
    about 0.01 nats on a few hundred samples.

    References
    ----------
    .. [1] A. Kraskov, H. Stoegbauer and P. Grassberger, "Estimating mutual
           information". Phys. Rev. E 69, 066138, 2004.
    .. [2] B. C. Ross, "Mutual Information between Discrete and Continuous
           Data Sets". PLoS ONE 9(2), e87357, 2014.

    Examples
    --------
    >>> import numpy as np, fastmi
    >>> rng = np.random.RandomState(0)
    >>> y = rng.randint(0, 2, 1000)
    >>> X = np.c_[y + 0.5 * rng.standard_normal(1000), rng.standard_normal(1000)]
    >>> mi = fastmi.mutual_info_classif(X, y, random_state=0)
    >>> bool(mi[0] > 0.2 and mi[1] < 0.05)
    True
    """
    return _estimate_mi(
        X,
        y,
        discrete_features=discrete_features,
        discrete_target=True,
        n_neighbors=n_neighbors,
        copy=copy,
        random_state=random_state,
        n_jobs=n_jobs,
    )


def _table_cells(contingency):
    """(rows, cols, counts, row sums, column sums) of a count table, row-major order."""
    if _is_sparse(contingency):
        import scipy.sparse

        if contingency.ndim != 2:
            raise ValueError(f"contingency must be 2-D; got shape {contingency.shape}")
        rows, cols, vals = scipy.sparse.find(contingency)
        pi = np.ravel(np.asarray(contingency.sum(axis=1)))
        pj = np.ravel(np.asarray(contingency.sum(axis=0)))
    else:
        table = np.asarray(contingency)
        if table.ndim != 2:
            raise ValueError(f"contingency must be a 2-D table of counts; got shape {table.shape}")
        rows, cols = np.nonzero(table)
        vals = table[rows, cols]
        pi = table.sum(axis=1)
        pj = table.sum(axis=0)
    if vals.dtype.kind not in "biuf":
        raise TypeError(f"contingency must hold counts (integers); got dtype {vals.dtype}")
    if vals.dtype.kind == "f" and (not np.isfinite(vals).all() or np.any(vals != np.floor(vals))):
        raise ValueError("contingency must hold integer counts; got non-integer values")
    if np.any(vals < 0):
        raise ValueError("contingency must hold non-negative counts")
    as64 = lambda a: np.ascontiguousarray(a, dtype=np.int64)  # noqa: E731
    return as64(rows), as64(cols), as64(vals), as64(pi), as64(pj)


def mutual_info_score(labels_true, labels_pred, *, contingency=None):
    """Mutual information between two labellings (or a contingency table), in nats.

    A drop-in replacement for ``sklearn.metrics.mutual_info_score``: the
    plug-in estimate ``sum_ij p_ij log(p_ij / (p_i p_j))`` from the joint
    counts of the two labellings, with scikit-learn's terms.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        First labelling (any comparable labels: integers, strings, ...).
        Ignored when `contingency` is given.
    labels_pred : array-like of shape (n_samples,)
        Second labelling. Ignored when `contingency` is given.
    contingency : array-like or sparse matrix of shape (n_classes, n_clusters), optional
        The table of joint counts itself; when given, the labels are not used.

    Returns
    -------
    mi : float
        Mutual information in **nats**, non-negative; 0.0 when either
        labelling has a single class (a table with one row or one column).

    Raises
    ------
    ValueError
        Labellings that are not 1-D, are empty or differ in length, NaN labels, a table
        with negative or non-integer counts.

    Notes
    -----
    Symmetric in its two arguments. Terms smaller than machine epsilon in
    magnitude are set to 0 and the sum is clipped at 0, as in scikit-learn.
    Unlike scikit-learn, empty labellings and non-integer counts in
    `contingency` are refused (scikit-learn returns 0 and truncates), and
    continuous-looking labels raise no warning.

    Examples
    --------
    >>> import fastmi
    >>> round(fastmi.mutual_info_score([0, 0, 1, 1], [1, 1, 0, 0]), 6)  # log 2
    0.693147
    """
    if contingency is not None:
        rows, cols, vals, pi, pj = _table_cells(contingency)
        if pi.size == 0 or pj.size == 0:
            return 0.0
        return max(0.0, _native.contingency_mi_table(rows, cols, vals, pi, pj))
    a = _as_1d(labels_true, "labels_true")
    b = _as_1d(labels_pred, "labels_pred")
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"labels_true and labels_pred must have the same length; got {a.shape[0]} and {b.shape[0]}"
        )
    ca, na = _label_codes(a, "labels_true")
    cb, nb = _label_codes(b, "labels_pred")
    if na == 1 or nb == 1:
        return 0.0
    return max(0.0, _native.contingency_mi_codes(ca, na, cb, nb))


def mi_feature_selection(X, y, n_features=5, task="classification"):
    """The `n_features` features with the highest mutual information with `y`.

    Same signature and result as the reference ``mi_feature_selection``
    (:func:`fastmi.reference.mi_feature_selection`), which ranks features by
    scikit-learn's ``mutual_info_classif`` / ``mutual_info_regression`` with
    ``random_state=42``: the scores here are the same numbers, from
    :func:`mutual_info_classif` / :func:`mutual_info_regression`, and the
    ranking is the same ``np.argsort(scores)[::-1][:n_features]``.

    Parameters
    ----------
    X : array-like, shape (n_samples, n_features_total)
        Feature matrix; every feature is treated as continuous.
    y : array-like, shape (n_samples,)
        Target: class labels for ``task='classification'``, values for
        ``task='regression'``.
    n_features : int, default=5
        Number of top features returned (all of them if larger).
    task : {'classification', 'regression'}, default='classification'

    Returns
    -------
    top_indices : ndarray of int
        Column indices, highest score first.
    scores : ndarray of float
        Their scores, in **nats**.

    Raises
    ------
    ValueError
        An unknown `task`, a negative `n_features`, or invalid data (see
        :func:`mutual_info_classif`).

    References
    ----------
    .. [1] A. Kraskov, H. Stoegbauer and P. Grassberger, "Estimating mutual
           information". Phys. Rev. E 69, 066138, 2004.
    .. [2] B. C. Ross, "Mutual Information between Discrete and Continuous
           Data Sets". PLoS ONE 9(2), e87357, 2014.

    Examples
    --------
    >>> import numpy as np, fastmi
    >>> rng = np.random.RandomState(0)
    >>> y = rng.randint(0, 2, 500)
    >>> X = np.c_[rng.standard_normal(500), y + 0.3 * rng.standard_normal(500)]
    >>> top, scores = fastmi.mi_feature_selection(X, y, n_features=1)
    >>> top.tolist()
    [1]
    """
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    n_features = check_int(n_features, "n_features", minimum=0)
    if task == "classification":
        scores = mutual_info_classif(X, y, random_state=42)
    else:
        scores = mutual_info_regression(X, y, random_state=42)
    top_indices = np.argsort(scores)[::-1][:n_features]
    return top_indices, scores[top_indices]
