"""scikit-learn's mutual-information functions, computed by fastmi's native core.

:func:`mutual_info_regression`, :func:`mutual_info_classif` and
:func:`mutual_info_score` take scikit-learn's arguments and return its numbers
(nats) for the same ``random_state``, with every feature in parallel.
scikit-learn itself is not needed: the input checks (fastmi._validation),
the scaling (preprocess) and the tie-breaking noise (noise) are
reimplemented with numpy, in scikit-learn's order. :func:`_compute_mi` is
scikit-learn's dispatch over the kinds of a feature-target pair.
"""
from __future__ import annotations

from typing import Any, Literal, Optional, Tuple

import numpy as np
import numpy.typing as npt

from .. import _native
from .._validation import (
    MAX_NATIVE_INT,
    as_1d,
    as_label_codes,
    check_bool,
    check_choice,
    check_int,
    check_k,
    check_random_state,
    check_same_length,
    check_sparse_all_discrete,
    check_target_classif,
    check_target_regression,
    check_X,
    contingency_cells,
    discrete_mask,
    interruptible,
    parameter_errors,
    resolve_n_jobs,
)
from .._typing import DiscreteFeatures, MatrixLike, RandomStateLike
from .._typing import F64Array as _F64
from ..exceptions import InvalidParameterError
from .preprocess import continuous_block, discrete_block, scale_and_noise_target, sparse_blocks


def _compute_mi(features: _F64, features_discrete: bool, target: npt.NDArray[Any], target_discrete: bool,
                n_labels: int, k: int, threads: int) -> _F64:
    """MI (nats, clipped at 0) of each column of `features` with `target`: scikit-learn's
    _compute_mi, over a Fortran-ordered float64 (n, p) block of features of one kind.

    A discrete target is given by its label codes (`n_labels` of them), a
    continuous one by its values.
    """
    check = interruptible()
    if features_discrete and target_discrete:
        mi = _native.mi_dd(features, target, n_labels, threads, check)
    elif features_discrete:
        mi = _native.mi_dc(features, target, k, threads, check)
    elif target_discrete:
        mi = _native.mi_cd(features, target, n_labels, k, threads, check)
    else:
        mi = _native.mi_cc(features, target, k, threads, check)
    return np.where(mi > 0.0, mi, 0.0)


def _estimate_mi(X: Any, y: Any, discrete_target: bool, discrete_features: DiscreteFeatures, n_neighbors: int,
                 copy: bool, random_state: RandomStateLike, n_jobs: Optional[int]) -> _F64:
    """mutual_info_regression (discrete_target False) or mutual_info_classif (True).

    Every exception class is one scikit-learn raises for the same argument,
    or a class deriving from it (fastmi.exceptions).
    """
    with parameter_errors():  # scikit-learn validates these before looking at the data
        check_int(n_neighbors, "n_neighbors", minimum=1)
        copy = check_bool(copy, "copy")
        rng = check_random_state(random_state)
        threads = resolve_n_jobs(n_jobs)
    X, sparse = check_X(X)
    n, p = X.shape
    target: npt.NDArray[Any]
    if discrete_target:
        target, n_labels = check_target_classif(y, n)
    else:
        y, n_labels = check_target_regression(y, n), 0
    discrete = discrete_mask(discrete_features, p, sparse)
    continuous = ~discrete
    check_sparse_all_discrete(sparse, continuous)
    if not discrete_target and continuous.any():
        context = " for continuous features against a continuous target"
        k = check_k(n_neighbors, n, "n_neighbors", context=context)
    else:
        # Ross's estimator uses min(k, m - 1) within a group of m <= n samples,
        # so any larger k gives the same numbers (and must fit a C int)
        k = min(int(n_neighbors), max(1, n - 1), MAX_NATIVE_INT)

    xc: Optional[_F64] = None
    if continuous.any():
        xc = continuous_block(X, continuous, rng, threads)
        if not copy and isinstance(X, np.ndarray) and X.dtype == np.float64 and X.flags.writeable:
            X[:, continuous] = xc  # scikit-learn's copy=False overwrites X
    if not discrete_target:
        target = scale_and_noise_target(y, rng, threads)

    mi = np.empty(p, dtype=np.float64)
    if sparse:  # every feature discrete: a block of columns at a time
        for start, stop, block in sparse_blocks(X, n):
            mi[start:stop] = _compute_mi(block, True, target, discrete_target, n_labels, k, threads)
        return mi
    if xc is not None:
        mi[continuous] = _compute_mi(xc, False, target, discrete_target, n_labels, k, threads)
    if discrete.any():
        xd = discrete_block(X[:, discrete], exact_ints=xc is None)
        mi[discrete] = _compute_mi(xd, True, target, discrete_target, n_labels, k, threads)
    return mi


def mutual_info_regression(
    X: MatrixLike,
    y: npt.ArrayLike,
    *,
    discrete_features: DiscreteFeatures = "auto",
    n_neighbors: int = 3,
    copy: bool = True,
    random_state: RandomStateLike = None,
    n_jobs: Optional[int] = None,
) -> _F64:
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
        Feature matrix: a numpy array (object arrays of numbers are read as
        float64), a pandas DataFrame whose columns are numbers, bools,
        nullable ``Int64`` / ``Float64`` / ``boolean``, pyarrow numbers or
        categoricals of numbers (as in scikit-learn, such columns are read as
        float64), or a scipy.sparse matrix whose features are all discrete.
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
        scikit-learn's one process), -1 all cores, -2 all but one (and so
        on: cores + 1 + n_jobs, at least 1), a positive integer that many. The result is bit-identical for every value. A process
        forked from one that had imported fastmi (multiprocessing's "fork"
        and "forkserver" start methods, gunicorn or Celery workers) runs it
        on one thread, with the same result: OpenMP's thread pool does not
        survive fork.

    Returns
    -------
    mi : ndarray of shape (n_features,)
        Estimated mutual information between each feature and the target, in
        **nats**; negative estimates are replaced by 0.

    Raises
    ------
    ValueError
        Shapes that disagree, NaN or infinite values (the message names the
        first row holding one, and its column), sparse `X` with continuous
        features, `n_neighbors` not smaller than the number of samples, a
        column or target whose scaling overflows (its std, its mean, or the
        noise added), long double values beyond float64's range.
    fastmi.exceptions.InvalidParameterError
        (a ValueError and a TypeError, as scikit-learn's own) An argument of
        the wrong type or value: `n_neighbors`, `copy`, `random_state`,
        `n_jobs`, `discrete_features` of the wrong kind, `X` or `y` that are
        None, scalars or text.
    fastmi.exceptions.FeatureIndexError
        (an IndexError, as scikit-learn's, and an InvalidParameterError) A
        `discrete_features` mask of the wrong length, an index out of range,
        non-integer indices.

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
    differ from scikit-learn's: by 0.01 to 0.06 nats on standard-scale data,
    by up to several nats where the values are large against their spread
    (mean / std above about 1e8), where scikit-learn's distances are
    rounding error. A column whose standard deviation or mean overflows
    raises ValueError (scikit-learn divides by it).

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
    return _estimate_mi(X, y, False, discrete_features, n_neighbors, copy, random_state, n_jobs)


def mutual_info_classif(
    X: MatrixLike,
    y: npt.ArrayLike,
    *,
    discrete_features: DiscreteFeatures = "auto",
    n_neighbors: int = 3,
    copy: bool = True,
    random_state: RandomStateLike = None,
    n_jobs: Optional[int] = None,
) -> _F64:
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
        Feature matrix: a numpy array (object arrays of numbers are read as
        float64), a pandas DataFrame whose columns are numbers, bools,
        nullable ``Int64`` / ``Float64`` / ``boolean``, pyarrow numbers or
        categoricals of numbers (as in scikit-learn, such columns are read as
        float64), or a scipy.sparse matrix whose features are all discrete.
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
        scikit-learn's one process), -1 all cores, -2 all but one (and so
        on: cores + 1 + n_jobs, at least 1), a positive integer that many. The result is bit-identical for every value. A process
        forked from one that had imported fastmi (multiprocessing's "fork"
        and "forkserver" start methods, gunicorn or Celery workers) runs it
        on one thread, with the same result: OpenMP's thread pool does not
        survive fork.

    Returns
    -------
    mi : ndarray of shape (n_features,)
        Estimated mutual information between each feature and the target, in
        **nats**; negative estimates are replaced by 0.

    Raises
    ------
    ValueError
        Shapes that disagree, NaN or infinite values (the message names the
        first row holding one, and its column), a continuous (non-integral
        float) target, sparse `X` with continuous features, a column whose
        scaling overflows (its std, its mean, or the noise added), long
        double values beyond float64's range.
    fastmi.exceptions.InvalidParameterError
        (a ValueError and a TypeError, as scikit-learn's own) An argument of
        the wrong type or value: `n_neighbors`, `copy`, `random_state`,
        `n_jobs`, `discrete_features` of the wrong kind, `X` or `y` that are
        None, scalars or text; a missing value (None, NaN, NaT, ``pandas.NA``)
        in an object-dtype `y`, a pandas text or categorical column
        included (the message names its first row; a float or nullable
        numeric `y` with NaN raises the ValueError above).
    fastmi.exceptions.FeatureIndexError
        (an IndexError, as scikit-learn's, and an InvalidParameterError) A
        `discrete_features` mask of the wrong length, an index out of range,
        non-integer indices.

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
    scikit-learn's: by 0.01 to 0.06 nats on standard-scale data, by up to
    several nats where a feature's values are large against their spread
    (mean / std above about 1e8), where scikit-learn's distances are
    rounding error and its estimate can exceed ``ln(n_classes)``. A column
    whose standard deviation or mean overflows raises ValueError
    (scikit-learn divides by it).

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
    return _estimate_mi(X, y, True, discrete_features, n_neighbors, copy, random_state, n_jobs)


def mutual_info_score(
    labels_true: npt.ArrayLike, labels_pred: npt.ArrayLike, *, contingency: Optional[MatrixLike] = None
) -> float:
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
        with negative or non-integer counts or counts summing to 2**63 or more.
    fastmi.exceptions.InvalidParameterError
        (a ValueError and a TypeError: scikit-learn raises ValueError for NaN,
        TypeError for None or ``pandas.NA`` among text) A missing value (None,
        NaN, NaT, ``pandas.NA``) in an object-dtype labelling, a pandas text or
        categorical column included; the message names the first row holding
        one.

    Notes
    -----
    Symmetric in its two arguments. Terms smaller than machine epsilon in
    magnitude are set to 0 and the sum is clipped at 0, as in scikit-learn.
    Row sum times column sum is formed without int64 overflow: where it
    exceeds 2**63 scikit-learn's product wraps around and returns NaN, fastmi
    the correct value. Counts summing to 2**63 or more are refused.
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
        rows, cols, counts, pi, pj = contingency_cells(contingency)
        if pi.size == 0 or pj.size == 0:
            return 0.0
        return max(0.0, _native.contingency_mi_table(rows, cols, counts, pi, pj, interruptible()))
    a = as_1d(labels_true, "labels_true", column=False)
    b = as_1d(labels_pred, "labels_pred", column=False)
    check_same_length(a, b, "labels_true", "labels_pred", what="length")
    # a missing label: scikit-learn raises ValueError (NaN) or TypeError (None, NA); this is both
    ca, na = as_label_codes(a, "labels_true", error=InvalidParameterError)
    cb, nb = as_label_codes(b, "labels_pred", error=InvalidParameterError)
    if na == 1 or nb == 1:
        return 0.0
    return max(0.0, _native.contingency_mi_codes(ca, na, cb, nb, interruptible()))


def mi_feature_selection(
    X: MatrixLike,
    y: npt.ArrayLike,
    n_features: int = 5,
    task: Literal["classification", "regression"] = "classification",
    *,
    random_state: RandomStateLike = 42,
    discrete_features: DiscreteFeatures = "auto",
    n_neighbors: int = 3,
    n_jobs: Optional[int] = None,
) -> Tuple[npt.NDArray[np.intp], _F64]:
    """The `n_features` features with the highest mutual information with `y`.

    Same signature and result as the reference ``mi_feature_selection``
    (:func:`fastmi.reference.mi_feature_selection`), which ranks features by
    scikit-learn's ``mutual_info_classif`` / ``mutual_info_regression`` with
    ``random_state=42``: the scores here are the same numbers, from
    :func:`mutual_info_classif` / :func:`mutual_info_regression`, and the
    ranking is the same ``np.argsort(scores)[::-1][:n_features]``. The
    keyword-only arguments after `task` are passed on to them; their
    defaults give the reference's numbers.

    Parameters
    ----------
    X : array-like or sparse matrix, shape (n_samples, n_features_total)
        Feature matrix (see :func:`mutual_info_classif`).
    y : array-like, shape (n_samples,)
        Target: class labels for ``task='classification'``, values for
        ``task='regression'``.
    n_features : int, default=5
        Number of top features returned (all of them if larger).
    task : {'classification', 'regression'}, default='classification'
    random_state : int, RandomState instance or None, default=42
        Source of the tie-breaking noise, as in :func:`mutual_info_classif`;
        the default is the reference's.
    discrete_features : {'auto', bool, array-like}, default='auto'
        Which features are discrete, as in :func:`mutual_info_classif`
        ('auto': none for dense `X`, all for sparse `X`).
    n_neighbors : int, default=3
        Number of neighbours of the KSG and Ross estimators.
    n_jobs : int or None, default=None
        Threads (see :func:`mutual_info_classif`); the result is
        bit-identical for every value.

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
    TypeError
        A non-integer `n_features`, or arguments of the wrong type (see
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
    kind = check_choice(task, "task", ("classification", "regression"))
    n_features = check_int(n_features, "n_features", minimum=0)
    estimator = mutual_info_classif if kind == "classification" else mutual_info_regression
    scores = estimator(
        X, y, discrete_features=discrete_features, n_neighbors=n_neighbors, random_state=random_state, n_jobs=n_jobs
    )
    top = np.argsort(scores)[::-1][:n_features]
    return top, scores[top]
