"""The toolkit cases of ``fastmi bench`` (``--cases toolkit``): conditional MI, KL entropy and
multi-dimensional KSG, each against the same computation on scipy's ``cKDTree``."""
from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import numpy.typing as npt

from . import baselines
from .cases import Case, Impl
from .data import RHO, cmi_chain, cmi_chain_truth_bits, gaussian_blocks, gaussian_truth_bits, standard_normal

K_CMI = 10
K_ENTROPY = 3
K_KSG = 3
D_KSG = 4

FULL_SIZES: Dict[str, List[int]] = {
    "cmi": [10**3, 10**4, 10**5, 10**6],
    "entropy": [10**4, 10**5, 10**6, 10**7],
    "ksg4d": [10**3, 10**4, 10**5, 10**6],
}
QUICK_SIZES: Dict[str, List[int]] = {
    "cmi": [10**3, 10**4],
    "entropy": [10**4, 10**5],
    "ksg4d": [10**3, 10**4],
}
CASE_KEYS = tuple(FULL_SIZES)

#: Agreement of a scipy baseline with fastmi, in bits: the same formula on the same
#: neighbours, so only the order of a floating-point mean differs.
ATOL_BITS = 1e-9

NO_SCIPY = "scipy is not installed (pip install 'fastmi[bench]'): no comparison"


def _has_scipy() -> bool:
    try:
        import scipy.spatial  # noqa: F401
    except ImportError:
        return False
    return True


def factories(*, quick: bool, n_jobs: Optional[int]) -> Dict[str, Callable[[], Case]]:
    """The toolkit cases by key, each built when called."""
    import fastmi

    sizes = QUICK_SIZES if quick else FULL_SIZES
    scipy = _has_scipy()
    notes = [] if scipy else [NO_SCIPY]

    def cmi_ours(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], z: npt.NDArray[np.float64]) -> float:
        return fastmi.conditional_mi(x, y, z, k=K_CMI, n_jobs=n_jobs)

    def cmi() -> Case:
        impls = [Impl("fastmi", "fastmi", cmi_ours)]
        if scipy:
            impls.append(Impl("scipy", "cKDTree Frenzel-Pompe (k-NN + 3 counts)",
                              lambda x, y, z: baselines.ckdtree_cmi_bits(x, y, z, K_CMI),
                              growth="n log n", atol=ATOL_BITS))
        return Case("cmi", f"Conditional MI I(X;Y|Z), 1-D x, y, z (y driven by x and z), k={K_CMI}",
                    "fastmi.conditional_mi", "bits", sizes["cmi"], cmi_chain, impls,
                    truth=cmi_chain_truth_bits(), params={"k": K_CMI},
                    notes=notes + ["the scipy baseline is the estimator as tigramite's CMIknn computes "
                                   "it, at the same speed: one k-NN query in (x, y, z), then "
                                   "query_ball_point counts in (x, z), (y, z) and z"])

    def entropy_ours(x: npt.NDArray[np.float64]) -> float:
        return fastmi.entropy(x, k=K_ENTROPY, n_jobs=n_jobs)

    def entropy_value(raw: Tuple[npt.NDArray[np.float64], Any], x: npt.NDArray[np.float64]) -> float:
        return baselines.kl_entropy_bits(raw[0][:, K_ENTROPY], K_ENTROPY, 1)

    def normal(n: int) -> Tuple[npt.NDArray[np.float64]]:
        return (standard_normal(n),)

    def entropy() -> Case:
        impls = [Impl("fastmi", "fastmi", entropy_ours)]
        if scipy:
            impls.append(Impl("scipy", f"cKDTree k-NN query (k={K_ENTROPY + 1})",
                              lambda x: baselines.knn_query(x, K_ENTROPY + 1),
                              growth="n log n", atol=ATOL_BITS, finish=entropy_value))
        return Case("entropy", f"Entropy, Kozachenko-Leonenko, 1-D standard normal, k={K_ENTROPY}",
                    "fastmi.entropy", "bits", sizes["entropy"], normal, impls,
                    truth=0.5 * math.log2(2.0 * math.pi * math.e), params={"k": K_ENTROPY},
                    value_name="H",
                    notes=notes + ["cKDTree is timed for its k-NN query alone (build included); "
                                   "the entropy formula on its distances is computed untimed"])

    def blocks(n: int) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        return gaussian_blocks(n, D_KSG)

    def ksg_ours(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float:
        return fastmi.ksg_mi(x, y, k=K_KSG, n_jobs=n_jobs)

    def ksg_value(raw: Tuple[npt.NDArray[np.float64], Any], x: npt.NDArray[np.float64],
                  y: npt.NDArray[np.float64]) -> float:
        return baselines.ksg_bits_from_distances(x, y, raw[0][:, K_KSG], K_KSG)

    def ksg4d() -> Case:
        impls = [Impl("fastmi", "fastmi", ksg_ours)]
        if scipy:
            impls.append(Impl("scipy", f"cKDTree {2 * D_KSG}-D k-NN query (k={K_KSG + 1})",
                              lambda x, y: baselines.knn_query(np.hstack([x, y]), K_KSG + 1),
                              growth="n log n", atol=ATOL_BITS, finish=ksg_value))
        return Case("ksg4d", f"KSG MI, {D_KSG}-D x {D_KSG}-D Gaussians ({D_KSG} pairs, rho={RHO}), k={K_KSG}",
                    "fastmi.ksg_mi", "bits", sizes["ksg4d"], blocks, impls,
                    truth=gaussian_truth_bits(RHO, D_KSG), params={"k": K_KSG, "d": D_KSG, "rho": RHO},
                    notes=notes + ["cKDTree is timed for its joint k-NN query alone, a part of KSG "
                                   "(build included); the rest of KSG on its distances (marginal "
                                   "counts) is computed untimed, to check fastmi's value",
                                   "KSG is biased low in 8 dimensions; the bias shrinks slowly with n"])

    return {"cmi": cmi, "entropy": entropy, "ksg4d": ksg4d}
