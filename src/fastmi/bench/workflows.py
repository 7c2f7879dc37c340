"""The workflow cases of ``fastmi bench`` (``--cases workflows``): a conditional permutation
test, a pairwise MI matrix and mRMR feature selection, each against the same computation
written with scipy, scikit-learn or (when installed) ennemi."""
from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import numpy.typing as npt

from . import baselines
from .cases import Case, Impl, _sklearn
from .data import N_FEATURES, conditional_chain, mrmr_data, pairwise_data
from .toolkit import NO_SCIPY, _has_scipy

K_TEST, B_TEST, S_TEST = 10, 100, 5
K_PAIR = 3
P_MRMR, M_MRMR = 30, 6
RANDOM_STATE = 0

# The sizes of the targets (mi_test 5000, mrmr 2e4) come first in a full run, so that
# the baseline is really timed there (a first size is never extrapolated).
FULL_SIZES: Dict[str, List[int]] = {
    "mi_test": [5000, 20_000],
    "pairwise": [10**3, 10**4, 10**5],
    "mrmr": [20_000, 200_000],
}
QUICK_SIZES: Dict[str, List[int]] = {
    "mi_test": [200, 500],
    "pairwise": [10**3, 10**4],
    "mrmr": [2000],
}
CASE_KEYS = tuple(FULL_SIZES)

FloatArray = npt.NDArray[np.float64]


def _upper(M: npt.ArrayLike) -> FloatArray:
    """The entries above the diagonal of a square matrix, row by row."""
    a = np.asarray(M, dtype=np.float64)
    return a[np.triu_indices(a.shape[0], k=1)]


def _standardised_pairwise(n: int) -> Tuple[FloatArray]:
    """``pairwise_data(n)`` with every column scaled to zero mean and unit standard deviation
    (ennemi standardises its input; so all implementations see the same points)."""
    X = pairwise_data(n)
    return ((X - X.mean(axis=0)) / X.std(axis=0),)


def _ennemi() -> Any:
    try:
        import ennemi
    except ImportError:
        return None
    return ennemi


def factories(*, quick: bool, n_jobs: Optional[int]) -> Dict[str, Callable[[], Case]]:
    """The workflow cases by key, each built when called; mrmr is left out without
    scikit-learn (``MRMRSelector`` needs it)."""
    import fastmi

    sizes = QUICK_SIZES if quick else FULL_SIZES
    scipy = _has_scipy()
    skl = _sklearn()

    def test_ours(x: FloatArray, y: FloatArray, z: FloatArray) -> float:
        return fastmi.mi_test(x, y, z, k=K_TEST, n_permutations=B_TEST, shuffle_neighbors=S_TEST,
                              random_state=RANDOM_STATE, n_jobs=n_jobs).statistic

    def test_theirs(x: FloatArray, y: FloatArray, z: FloatArray) -> float:
        return baselines.ckdtree_mi_test(x, y, z, K_TEST, B_TEST, S_TEST, RANDOM_STATE)[0]

    def mi_test() -> Case:
        impls = [Impl("fastmi", "fastmi", test_ours)]
        if scipy:
            impls.append(Impl("scipy", "cKDTree local-permutation test", test_theirs,
                              growth="n log n", atol=1e-9))
        return Case("mi_test", f"Permutation test of I(X;Y|Z) = 0, 1-D x, y, z, k={K_TEST}, "
                    f"{B_TEST} local permutations, shuffle_neighbors={S_TEST}",
                    "fastmi.mi_test", "bits", sizes["mi_test"], conditional_chain, impls,
                    truth=0.0, params={"k": K_TEST, "n_permutations": B_TEST,
                                       "shuffle_neighbors": S_TEST},
                    value_name="stat",
                    notes=([] if scipy else [NO_SCIPY]) + [
                        "values: the statistic (Frenzel-Pompe, unclipped); the null distributions "
                        "come from different random permutations, so the p-values differ",
                        "the scipy baseline is the scheme of tigramite's CMIknn shuffle test "
                        "(Runge 2018): z-neighbour lists from one query, the local permutations "
                        "drawn in Python, per permutation one k-NN query and three counts"])

    def pairwise_ours(X: FloatArray) -> FloatArray:
        return _upper(fastmi.pairwise_mi(X, k=K_PAIR, n_jobs=n_jobs))

    def ennemi_bits(X: FloatArray) -> FloatArray:
        M = _ennemi().pairwise_mi(X, k=K_PAIR, normalize=False)
        return np.maximum(_upper(M), 0.0) / math.log(2.0)  # nats, unclipped

    def pairwise() -> Case:
        impls = [Impl("fastmi", "fastmi", pairwise_ours),
                 Impl("loop", "loop of fastmi.ksg_mi (Python)", lambda X: _upper(baselines.ksg_loop(X, K_PAIR)))]
        notes = ["loop agrees bit for bit (pairwise_mi's entries are exactly ksg_mi's); it gains "
                 "nothing from sharing each column's sort across its pairs"]
        if _ennemi() is not None:
            impls.append(Impl("ennemi", "ennemi pairwise_mi (normalize=False)", ennemi_bits,
                              growth="n log n", atol=2e-3))
            notes.append("ennemi counts neighbours within eps - 1e-12 and does not clip at 0: "
                         "compared to 2e-3 bits after clipping")
        else:
            notes.append("ennemi is not installed (pip install ennemi): not compared")
        return Case("pairwise", f"Pairwise MI matrix, {N_FEATURES} variables, k={K_PAIR}",
                    "fastmi.pairwise_mi", "bits", sizes["pairwise"], _standardised_pairwise, impls,
                    params={"p": N_FEATURES, "k": K_PAIR}, notes=notes)

    def mrmr_set(n: int) -> Tuple[FloatArray, npt.NDArray[np.int64]]:
        return mrmr_data(n, P_MRMR)

    def mrmr_ours(X: FloatArray, y: npt.NDArray[np.int64]) -> List[int]:
        sel = fastmi.MRMRSelector(M_MRMR, criterion="mid", random_state=RANDOM_STATE, n_jobs=n_jobs)
        return sorted(int(f) for f in sel.fit(X, y).selected_)

    def loop(classif: Callable[..., Any], regression: Callable[..., Any],
             **kwargs: Any) -> Callable[[FloatArray, npt.NDArray[np.int64]], List[int]]:
        def run(X: FloatArray, y: npt.NDArray[np.int64]) -> List[int]:
            return sorted(baselines.greedy_mid(X, y, M_MRMR, classif, regression,
                                               random_state=RANDOM_STATE, **kwargs))
        return run

    def mrmr() -> Case:
        assert skl is not None
        impls = [Impl("fastmi", "fastmi", mrmr_ours),
                 Impl("sklearn", "greedy MID, scikit-learn (n_jobs=-1)",
                      loop(skl.mutual_info_classif, skl.mutual_info_regression, n_jobs=-1),
                      growth="n log n"),
                 Impl("loop", "greedy MID, fastmi drop-ins",
                      loop(fastmi.mutual_info_classif, fastmi.mutual_info_regression, n_jobs=n_jobs),
                      growth="n log n")]
        return Case("mrmr", f"mRMR (MID) selecting {M_MRMR} of {P_MRMR} features, binary target",
                    "fastmi.MRMRSelector", "features", sizes["mrmr"], mrmr_set, impls,
                    params={"n_features": P_MRMR, "n_features_to_select": M_MRMR,
                            "criterion": "mid", "random_state": RANDOM_STATE},
                    value_format="selection",
                    notes=["values: the selected features (sorted); agree = the same set. Every "
                           "implementation scales X and adds scikit-learn's tie-breaking noise; "
                           "the loops draw it afresh in each call, so near-equal scores may be "
                           "picked in another order",
                           "the loops call the MI functions once per step (relevance, then the "
                           "redundancy against each new pick); MRMRSelector preprocesses each "
                           "column once"])

    cases: Dict[str, Callable[[], Case]] = {"mi_test": mi_test, "pairwise": pairwise}
    if skl is not None:
        cases["mrmr"] = mrmr
    return cases
