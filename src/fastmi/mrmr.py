"""Minimum-redundancy maximum-relevance feature selection (a scikit-learn selector).

Importing this module imports scikit-learn; ``fastmi.MRMRSelector`` imports it
on first use only.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Optional

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator
from sklearn.feature_selection import SelectorMixin
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from . import _native
from ._validation import (
    MAX_NATIVE_INT,
    as_label_codes,
    check_missing_labels,
    check_random_state,
    check_target_classif,
    check_target_regression,
    discrete_mask,
    interruptible,
    resolve_n_jobs,
)
from .exceptions import InvalidParameterError
from .sklearn.estimate import _compute_mi
from .sklearn.preprocess import continuous_block, discrete_block, scale_and_noise_target

try:
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # scikit-learn < 1.6

    def _validate_data(estimator: Any, *args: Any, **kwargs: Any) -> Any:
        return estimator._validate_data(*args, **kwargs)


_CRITERIA = ("mid", "miq", "jmi", "cmim")
# nats added to miq's mean redundancy (Peng's reference code adds 0.01)
MIQ_OFFSET = 0.01


class _Data:
    """The preprocessed features and target of one fit, each prepared once.

    Continuous features are scaled and noised exactly as scikit-learn's
    ``mutual_info_*`` do (the same random_state gives the same values);
    discrete features keep their values, as label codes.
    """

    xc: Optional[npt.NDArray[np.float64]]  # the continuous features, prepared as scikit-learn does
    xd: Optional[npt.NDArray[np.float64]]  # the discrete features
    y_codes: Optional[npt.NDArray[np.int64]]  # a discrete target's label codes
    y_values: Optional[npt.NDArray[np.float64]]  # a continuous target, scaled and noised

    def __init__(self, X: npt.NDArray[Any], y: Any, discrete_target: bool, discrete_features: Any, k: int,
                 random_state: Any, threads: int) -> None:
        n, p = X.shape
        self.n, self.p, self.threads = n, p, threads
        self.k = k
        self.k_ross = min(k, max(1, n - 1), MAX_NATIVE_INT)  # Ross uses min(k, m - 1) in a group of m
        self.discrete = discrete_mask(discrete_features, p, False)
        self.cont_pos = np.cumsum(~self.discrete) - 1  # feature -> column of xc
        self.disc_pos = np.cumsum(self.discrete) - 1   # feature -> column of xd
        if discrete_target:
            self.y_codes, self.n_labels = check_target_classif(y, n)
        else:
            y = check_target_regression(y, n)
        rng = check_random_state(random_state)
        self.xc = continuous_block(X, ~self.discrete, rng, threads) if (~self.discrete).any() else None
        self.xd = discrete_block(X[:, self.discrete], exact_ints=self.xc is None) if self.discrete.any() else None
        self.y_values = None
        if not discrete_target:
            self.y_values, self.y_codes, self.n_labels = scale_and_noise_target(y, rng, threads), None, 0
        self._codes: dict[int, tuple[np.ndarray, int]] = {}

    def _mi(self, features: np.ndarray, features_discrete: bool, target: np.ndarray, target_discrete: bool,
            n_labels: int) -> np.ndarray:
        k = self.k if not (features_discrete or target_discrete) else self.k_ross
        return _compute_mi(features, features_discrete, target, target_discrete, n_labels, k, self.threads)

    def relevance(self) -> np.ndarray:
        """I(f; y) in nats for every feature: scikit-learn's estimators (the drop-ins' values)."""
        target = self.y_codes if self.y_values is None else self.y_values
        assert target is not None
        mi = np.empty(self.p)
        if self.xc is not None:
            mi[~self.discrete] = self._mi(self.xc, False, target, self.y_values is None, self.n_labels)
        if self.xd is not None:
            mi[self.discrete] = self._mi(self.xd, True, target, self.y_values is None, self.n_labels)
        return mi

    def column(self, f: int) -> np.ndarray:
        block = self.xd if self.discrete[f] else self.xc
        assert block is not None  # a feature's own kind is present
        return block[:, (self.disc_pos if self.discrete[f] else self.cont_pos)[f]]

    def codes(self, f: int) -> tuple[np.ndarray, int]:
        if f not in self._codes:
            self._codes[f] = as_label_codes(self.column(f), "X")
        return self._codes[f]

    def redundancy_pairs(self, fs: np.ndarray, ss: np.ndarray) -> np.ndarray:
        """I(f; s) in nats for each pair (fs[q], ss[q]): KSG (ksg_mi's values) between continuous
        features, the plug-in between discrete ones, Ross's estimator between the two kinds."""
        out = np.empty(fs.shape[0])
        both = ~self.discrete[fs] & ~self.discrete[ss]
        idx = np.flatnonzero(both)
        if idx.size:
            pairs = np.ascontiguousarray(np.column_stack([self.cont_pos[fs[idx]], self.cont_pos[ss[idx]]]), dtype=np.int64)
            assert self.xc is not None  # pairs of continuous features
            nats, _ = _native.ksg_pairs_nats(self.xc, pairs, self.k, self.threads, interruptible())
            out[idx] = np.where(nats > 0.0, nats, 0.0)
        for q in np.flatnonzero(~both):
            f, s = int(fs[q]), int(ss[q])
            if self.discrete[f] and self.discrete[s]:
                codes, labels = self.codes(s)
                out[q] = self._mi(self._block(f), True, codes, True, labels)[0]
            else:
                cont, disc = (s, f) if self.discrete[f] else (f, s)
                codes, labels = self.codes(disc)
                out[q] = self._mi(self._block(cont), False, codes, True, labels)[0]
        return out

    def _block(self, f: int) -> np.ndarray:
        return np.asfortranarray(self.column(f).reshape(-1, 1))

    def joint_relevance(self, candidates: np.ndarray, s: int) -> np.ndarray:
        """I(f, s; y) in nats (unclipped, but the plug-in and Ross's are clipped) for each candidate f."""
        out = np.empty(candidates.shape[0])
        check = interruptible()
        for i, f in enumerate(candidates):
            if self.discrete[f]:
                codes, labels = _joint_codes(self.codes(f), self.codes(s))
                if self.y_values is None:
                    assert self.y_codes is not None
                    out[i] = self._mi(np.asfortranarray(codes.reshape(-1, 1), dtype=np.float64), True,
                                      self.y_codes, True, self.n_labels)[0]
                else:
                    out[i] = self._mi(np.asfortranarray(self.y_values.reshape(-1, 1)), False, codes, True, labels)[0]
                continue
            pair = np.ascontiguousarray(np.column_stack([self.column(f), self.column(s)]))
            if self.y_values is not None:
                out[i], _ = _native.ksg_mi_nats(pair, self.y_values.reshape(-1, 1), self.k,
                                                _native.KsgVariant.published, self.threads, check)
            else:
                assert self.y_codes is not None
                out[i] = _ross_nd(pair, self.y_codes, self.n_labels, self.k, self.threads, check)
        return out


def _joint_codes(a: tuple[np.ndarray, int], b: tuple[np.ndarray, int]) -> tuple[np.ndarray, int]:
    return as_label_codes(a[0] * b[1] + b[0], "X")


def _digamma_table(n: int) -> np.ndarray:
    """psi(i) = -gamma + 1 + 1/2 + ... + 1/(i - 1) for i = 0..n (index 0 unused)."""
    harmonic = np.concatenate([[0.0, 0.0], np.cumsum(1.0 / np.arange(1, n, dtype=np.float64))])
    return harmonic[: n + 1] - np.euler_gamma


def _ross_nd(data: np.ndarray, codes: np.ndarray, n_labels: int, k: int, threads: int, check: bool) -> float:
    """Ross's estimator between the continuous (n, d) data and a labelling, in nats:
    the distance to the min(k, m - 1)-th nearest sample of the same label (max-norm),
    m_i the samples of any label strictly closer (self included); labels seen once dropped."""
    counts = np.bincount(codes, minlength=n_labels)
    keep = counts[codes] >= 2
    if not keep.any():
        return 0.0
    data, codes = np.ascontiguousarray(data[keep]), codes[keep]
    n = data.shape[0]
    radius = np.empty(n)
    k_each = np.minimum(k, counts[codes] - 1)
    for label in np.flatnonzero(counts >= 2):
        idx = np.flatnonzero(codes == label)
        radius[idx] = _native.knn_radius(
            np.ascontiguousarray(data[idx]), int(min(k, counts[label] - 1)), _native.Metric.max_norm, threads, check
        )
    m = _native.neighbor_counts(data, radius, _native.Metric.max_norm, _native.Bound.strict, threads, check) + 1
    psi = _digamma_table(n)
    return float(psi[n] + psi[k_each].mean() - psi[counts[codes]].mean() - psi[m].mean())


def _check_label_values(y: Any) -> None:
    """Missing values (None, NaN, NaT, pandas.NA) among 1-D object labels, named with their
    row as mutual_info_classif names them, before scikit-learn's checks fail on them with
    a bare TypeError ("boolean value of NA is ambiguous") or an unnamed ValueError."""
    try:
        labels = np.asarray(y)
    except (TypeError, ValueError):  # not an array: scikit-learn's checks say so
        return
    if labels.dtype == object and (labels.ndim == 1 or (labels.ndim == 2 and labels.shape[1] == 1)):
        check_missing_labels(labels.reshape(-1), "y", error=InvalidParameterError)  # a column: its rows


class MRMRSelector(SelectorMixin, BaseEstimator):
    """Greedy minimum-redundancy maximum-relevance feature selection with mutual information.

    The first feature is the one most relevant to the target; each next
    one maximises the criterion over the features not yet selected, given
    those selected so far (S):

    - ``"mid"``: ``I(f; y) - mean_{s in S} I(f; s)`` (Peng, Long, Ding 2005);
    - ``"miq"``: ``I(f; y) / (mean_{s in S} I(f; s) + 0.01)``, the offset (0.01
      nats) as in Peng's reference code: without it a feature whose
      redundancy is estimated at 0 (the KSG estimate is clipped at 0) would
      score infinity, and a pure-noise feature with a small positive
      relevance would be picked before every informative one;
    - ``"jmi"``: ``sum_{s in S} I(f, s; y)`` (Brown et al. 2012);
    - ``"cmim"``: ``min_{s in S} I(f; y | s)``, with ``I(f; y | s) = I(f, s; y) -
      I(s; y)``.

    Parameters
    ----------
    n_features_to_select : int, default 10
        Number of features to select, ``1 <= n_features_to_select <= n_features``.
    criterion : {"mid", "miq", "jmi", "cmim"}, default "mid"
    discrete_features : {"auto", bool, array-like}, default "auto"
        Which features are discrete, as for :func:`fastmi.mutual_info_classif`
        ("auto": none, X being dense).
    n_neighbors : int, default 3
        Neighbour order ``k`` of the KSG and Ross estimators.
    random_state : int, RandomState instance or None, default None
        Source of the tie-breaking noise added to continuous features (and a
        continuous target), as in scikit-learn's ``mutual_info_*``.
    n_jobs : int or None, default None
        Threads (None: OpenMP's default, -1: all cores, -2: all but one,
        and so on: cores + 1 + n_jobs, at least 1; k > 0: that many).
        Results do not depend on it.

    Attributes
    ----------
    relevance_ : ndarray of shape (n_features,)
        ``I(f; y)`` in nats of every feature: exactly
        ``fastmi.mutual_info_classif`` (a binary or multiclass target) or
        ``fastmi.mutual_info_regression`` (a continuous one) with the same
        ``discrete_features``, ``n_neighbors`` and ``random_state``.
    selected_ : ndarray of int, shape (n_features_to_select,)
        Indices of the selected features, in the order they were picked.
    scores_ : ndarray of shape (n_features_to_select,)
        The criterion of each pick when it was made (the first: its relevance,
        in nats). In nats for ``"mid"``, ``"jmi"`` and ``"cmim"``; for
        ``"miq"`` a ratio of two MIs (no unit) after the first.
    n_features_in_ : int
        Number of features seen by ``fit``.
    feature_names_in_ : ndarray of str
        Names of the features seen by ``fit``, only when X has string column names.

    Notes
    -----
    Units: nats. Continuous features (and a continuous target) are scaled
    and noised once, exactly as scikit-learn's ``mutual_info_*`` do, and
    every estimate uses those values. Redundancy ``I(f; s)`` is estimated
    only against the features already selected, one step at a time: the
    KSG estimate of :func:`fastmi.ksg_mi` (clipped at 0) between two
    continuous features, the plug-in (:func:`fastmi.mutual_info_score`)
    between two discrete ones, Ross's estimator between a continuous and a
    discrete one. ``I(f, s; y)`` (``"jmi"``, ``"cmim"``) is the KSG estimate
    with the two-dimensional ``(f, s)`` for a continuous target, Ross's
    estimator in two dimensions for a discrete target with continuous
    features, and the plug-in of the joint labels for discrete features;
    those criteria need every feature continuous or every feature
    discrete. Ties go to the more relevant feature, then the lower index.

    The greedy step is lazy for ``"mid"``, ``"miq"`` and ``"cmim"``: a
    candidate's score from the terms it already has bounds its score from
    above, candidates are brought up to date in order of that bound, and
    those whose bound cannot beat the best exact score are skipped. The
    picks and ``scores_`` are those of scoring every candidate at every
    step; only fewer redundancy terms are computed.

    References
    ----------
    H. Peng, F. Long, C. Ding, "Feature selection based on mutual
    information: criteria of max-dependency, max-relevance, and
    min-redundancy", IEEE TPAMI 27(8), 2005. G. Brown, A. Pocock, M.-J.
    Zhao, M. Lujan, "Conditional likelihood maximisation: a unifying
    framework for information theoretic feature selection", JMLR 13, 2012.

    Examples
    --------
    >>> import numpy as np, fastmi
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.standard_normal((2, 2000))
    >>> X = np.column_stack([a, a + 1e-3 * rng.standard_normal(2000), b])
    >>> y = (a + b > 0).astype(int)
    >>> sel = fastmi.MRMRSelector(n_features_to_select=2, random_state=0).fit(X, y)
    >>> sorted(int(i) for i in sel.selected_) in ([0, 2], [1, 2])  # never both copies of a
    True
    """

    def __init__(
        self,
        n_features_to_select: int = 10,
        *,
        criterion: str = "mid",
        discrete_features: Any = "auto",
        n_neighbors: int = 3,
        random_state: Any = None,
        n_jobs: Optional[int] = None,
    ) -> None:
        self.n_features_to_select = n_features_to_select
        self.criterion = criterion
        self.discrete_features = discrete_features
        self.n_neighbors = n_neighbors
        self.random_state = random_state
        self.n_jobs = n_jobs

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    def _more_tags(self) -> dict[str, bool]:  # scikit-learn < 1.6
        return {"requires_y": True}

    def _check_params(self, p: int) -> int:
        m: object = self.n_features_to_select  # set_params may have put anything there
        if isinstance(m, (bool, np.bool_)) or not isinstance(m, numbers.Integral):
            raise TypeError(f"n_features_to_select must be an integer, got {m!r}")
        if not 1 <= int(m) <= p:
            raise ValueError(f"n_features_to_select must be in [1, n_features = {p}]; got {m}")
        if not isinstance(self.criterion, str) or self.criterion not in _CRITERIA:
            raise ValueError(f"criterion must be one of {', '.join(map(repr, _CRITERIA))}; got {self.criterion!r}")
        k: object = self.n_neighbors
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral):
            raise TypeError(f"n_neighbors must be an integer, got {k!r}")
        if int(k) < 1:
            raise ValueError(f"n_neighbors must be >= 1, got {k}")
        return int(m)

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike) -> MRMRSelector:
        """Select features of X for the target y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (a binary or multiclass target: relevance by
            ``mutual_info_classif``) or continuous values (``mutual_info_regression``).

        Returns
        -------
        self : MRMRSelector
            The fitted selector.
        """
        _check_label_values(y)
        # scikit-learn's checks sum the data and cast it, which overflows (numpy
        # RuntimeWarnings) on values near float64's limit; they then check element by
        # element, so the warnings say nothing (the too-large values get fastmi's own error)
        with np.errstate(over="ignore", invalid="ignore"):
            X, y = _validate_data(self, X, y, dtype="numeric", y_numeric=False, ensure_min_samples=2)
            assert isinstance(X, np.ndarray)
            n, p = X.shape
            m = self._check_params(p)
            kind = type_of_target(y)
        if kind not in ("binary", "multiclass", "continuous"):
            raise ValueError(
                f"Unknown label type: {kind!r}. y must be a binary, multiclass or continuous target"
            )
        discrete_target = kind != "continuous"
        if self.n_neighbors >= n and (not discrete_target or m > 1):
            raise ValueError(f"n_neighbors must be smaller than the number of samples ({n}); got {self.n_neighbors}")
        threads = resolve_n_jobs(self.n_jobs)
        data = _Data(X, y, discrete_target, self.discrete_features, int(self.n_neighbors), self.random_state, threads)
        if self.criterion in ("jmi", "cmim") and data.discrete.any() and not data.discrete.all():
            raise ValueError(
                f"criterion={self.criterion!r} needs every feature continuous or every feature discrete; "
                "use 'mid' or 'miq' with mixed features"
            )
        relevance = data.relevance()
        self.relevance_ = relevance
        self.selected_, self.scores_ = _greedy(data, relevance, m, self.criterion)
        return self

    def _get_support_mask(self) -> npt.NDArray[np.bool_]:
        check_is_fitted(self, "selected_")
        mask = np.zeros(self.n_features_in_, dtype=bool)
        mask[self.selected_] = True
        return mask


def _greedy(data: _Data, relevance: npt.NDArray[np.float64], m: int, criterion: str
            ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """Greedy forward selection; see MRMRSelector.

    Lazy evaluation for "mid", "miq" and "cmim": a candidate's terms against
    the features selected since it was last evaluated are computed only when
    it may win. Its score from the terms it has is an upper bound on its
    score (redundancies are >= 0, so the mean can only grow; a minimum can
    only fall), so candidates are evaluated in order of that bound until the
    best exact score beats the next bound (a few at a time, one per thread).
    The picks and scores are those of
    evaluating every candidate at every step: each candidate's terms are
    added in the order the features were selected, as they would be there.
    """
    p = relevance.shape[0]
    width = max(1, data.threads or _native.default_threads())  # candidates evaluated at once
    selected: list[int] = []
    scores: list[float] = []
    left = np.ones(p, dtype=bool)
    acc: npt.NDArray[np.float64] = np.zeros(p)  # mid, miq: sum of I(f; s); jmi: sum of I(f, s; y)
    worst: npt.NDArray[np.float64] = np.full(p, np.inf)  # cmim: min of I(f; y | s)
    done = np.zeros(p, dtype=np.intp)  # terms included, against selected[:done[f]]

    def update(fs: np.ndarray) -> None:
        """Adds the missing terms of the candidates fs, in selection order."""
        need = [(t, fs[done[fs] <= t]) for t in range(int(done[fs].min()), len(selected))]
        if criterion in ("mid", "miq"):
            values = data.redundancy_pairs(
                np.concatenate([g for _, g in need]), np.concatenate([np.full(g.size, selected[t]) for t, g in need])
            )
            at = 0
            for _, g in need:
                acc[g] += values[at : at + g.size]
                at += g.size
        else:
            for t, g in need:
                s = selected[t]
                joint = data.joint_relevance(g, s)
                if criterion == "jmi":
                    acc[g] += joint
                else:
                    worst[g] = np.minimum(worst[g], joint - relevance[s])
        done[fs] = len(selected)

    def score(fs: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        """The criterion of fs from the terms they have (an upper bound until up to date)."""
        size = len(selected)
        if criterion == "mid":
            return relevance[fs] - acc[fs] / size
        if criterion == "miq":
            return relevance[fs] / (acc[fs] / size + MIQ_OFFSET)
        if criterion == "jmi":
            return acc[fs].copy()
        return worst[fs].copy()

    for step in range(m):
        cand = np.flatnonzero(left)
        if step == 0:
            best = (relevance[cand], cand)
        else:
            if criterion == "jmi":
                update(cand)
            bound = score(cand)
            # best bound first, then the higher relevance, then the lower index
            order = np.lexsort((cand, -relevance[cand], -bound))
            cand, bound = cand[order], bound[order]
            best_key = None
            for at in range(0, cand.size, width):
                if best_key is not None and (bound[at], relevance[cand[at]], -cand[at]) < best_key:
                    break  # no later candidate can beat the best exact score
                batch = cand[at : at + width]  # a few at once: their pairs run in parallel
                stale = batch[done[batch] < len(selected)]
                if stale.size:
                    update(stale)
                for f, exact in zip(batch, score(batch)):
                    key = (float(exact), relevance[f], -f)
                    if best_key is None or key > best_key:
                        best_key = key
            assert best_key is not None  # at least one candidate was scored
            best = (np.array([best_key[0]]), np.array([-best_key[2]]))
        values, fs = best
        order = np.lexsort((fs, -relevance[fs], -values))
        s = int(fs[order[0]])
        selected.append(s)
        scores.append(float(values[order[0]]))
        left[s] = False
    return np.array(selected, dtype=np.intp), np.array(scores)
