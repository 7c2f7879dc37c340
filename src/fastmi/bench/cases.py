"""The cases of ``fastmi bench``: each fastmi estimator, its baselines, its data and sizes."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .data import (
    N_FEATURES,
    RHO,
    classification_data,
    gaussian_pair,
    gaussian_truth_bits,
    nonlinear_pair,
    regression_data,
)

#: I(X;Y) of a bivariate Gaussian with correlation RHO, in bits.
GAUSSIAN_TRUTH_BITS = gaussian_truth_bits(RHO)
LN2 = math.log(2.0)
K = 3
BINS = 20
RANDOM_STATE = 0

FULL_SIZES = {
    "binned": [10**3, 10**4, 10**5, 10**6, 10**7],
    "ksg": [10**3, 10**4, 10**5, 10**6],
    "nonlinear": [10**3, 10**4, 10**5, 10**6],
    "classif": [10**3, 10**4, 10**5, 10**6],
    "regression": [10**3, 10**4, 10**5, 10**6],
}
QUICK_SIZES = {
    "binned": [10**3, 10**4, 10**5, 10**6],
    "ksg": [10**3, 10**4, 10**5],
    "nonlinear": [10**3, 10**4, 10**5],
    "classif": [10**3, 10**4],
    "regression": [10**3, 10**4],
}
CASE_KEYS = tuple(FULL_SIZES)


@dataclass
class Impl:
    """One implementation of a case's estimator."""

    key: str  # "fastmi", "sklearn" or "reference"
    label: str  # column header
    fn: Callable[..., Any]
    growth: str = "n"  # how its time grows with n, used to extrapolate
    # fastmi's value on the input this implementation really works on, when that differs
    # from the case's data (scikit-learn rescales and adds noise); None: fastmi's own value
    same_input: Optional[Callable[..., Any]] = None
    rtol: float = 0.0  # agreement with fastmi's value
    atol: float = 0.0


@dataclass
class Case:
    key: str
    title: str
    estimator: str
    unit: str
    sizes: List[int]
    make_data: Callable[[int], Tuple[Any, ...]]
    impls: List[Impl]  # fastmi first
    truth: Optional[float] = None
    params: Dict[str, Any] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)


def _sklearn() -> Any:
    try:
        from sklearn import feature_selection
    except ImportError:
        return None
    return feature_selection


def build_cases(*, quick: bool = False, n_jobs: Optional[int] = None,
                keys: Optional[Sequence[str]] = None) -> List[Case]:
    import fastmi
    from fastmi import reference

    sizes = QUICK_SIZES if quick else FULL_SIZES
    skl = _sklearn()
    no_sklearn = "scikit-learn is not installed (pip install 'fastmi[sklearn]'): no comparison"

    def ksg_impls() -> List[Impl]:
        impls = [Impl("fastmi", "fastmi", lambda x, y: fastmi.ksg_mi(x, y, k=K, n_jobs=n_jobs))]
        if skl is not None:
            impls.append(Impl(
                "sklearn", "scikit-learn",
                lambda x, y: float(skl.mutual_info_regression(
                    x[:, None], y, n_neighbors=K, random_state=RANDOM_STATE)[0]) / LN2,
                growth="n log n", atol=1e-6,
                same_input=lambda x, y: fastmi.ksg_mi(*sklearn_ksg_input(x, y), k=K,
                                                      n_jobs=n_jobs)))
        impls.append(Impl("reference", "reference", lambda x, y: reference.ksg_mi(x, y, K),
                          growth="n^2", rtol=1e-10))
        return impls

    def dropin_impls(name: str) -> List[Impl]:
        ours = getattr(fastmi, name)
        impls = [Impl("fastmi", "fastmi", lambda X, y: ours(
            X, y, n_neighbors=K, random_state=RANDOM_STATE, n_jobs=n_jobs))]
        if skl is not None:
            theirs = getattr(skl, name)
            kwargs: Dict[str, Any] = {"n_neighbors": K, "random_state": RANDOM_STATE}
            label = "scikit-learn"
            if _accepts(theirs, "n_jobs"):
                kwargs["n_jobs"] = -1
                label = "scikit-learn (n_jobs=-1)"
            impls.append(Impl("sklearn", label, lambda X, y: theirs(X, y, **kwargs),
                              growth="n log n", atol=1e-10))
        return impls

    sklearn_notes = [] if skl is not None else [no_sklearn]

    def dropin(key: str, name: str, what: str, make_data: Callable[[int], Tuple[Any, ...]]) -> Case:
        return Case(key, f"{name}, {N_FEATURES} features, {what}n_neighbors={K}", f"fastmi.{name}", "nats",
                    sizes[key], make_data, dropin_impls(name),
                    params={"n_features": N_FEATURES, "n_neighbors": K, "random_state": RANDOM_STATE},
                    notes=sklearn_notes)

    ksg_notes = sklearn_notes or [
        "scikit-learn rescales its input and adds 1e-10 noise to it, which moves a few "
        "neighbour counts by one; its value is compared with fastmi's on that same input"]
    factories: Dict[str, Callable[[], Case]] = {
        "binned": lambda: Case(
            "binned", f"Binned MI, correlated Gaussians (rho={RHO}), {BINS}x{BINS} bins",
            "fastmi.discrete_mi", "bits", sizes["binned"], gaussian_pair,
            [Impl("fastmi", "fastmi",
                  lambda x, y: fastmi.discrete_mi(x, y, bins=BINS, n_jobs=n_jobs)),
             Impl("reference", "reference", lambda x, y: reference.discrete_mi(x, y, BINS),
                  rtol=1e-12)],
            truth=GAUSSIAN_TRUTH_BITS, params={"rho": RHO, "bins": BINS},
            notes=["truth is the continuous MI; the binned plug-in estimate converges to the "
                   "MI of the discretised variables, which is lower",
                   "scikit-learn has no binned MI estimator"]),
        "ksg": lambda: Case(
            "ksg", f"KSG MI, correlated Gaussians (rho={RHO}), k={K}",
            "fastmi.ksg_mi", "bits", sizes["ksg"], gaussian_pair, ksg_impls(),
            truth=GAUSSIAN_TRUTH_BITS, params={"rho": RHO, "k": K}, notes=ksg_notes),
        "nonlinear": lambda: Case(
            "nonlinear", f"KSG MI, nonlinear pair y = x^2 + 0.1*noise, k={K}",
            "fastmi.ksg_mi", "bits", sizes["nonlinear"], nonlinear_pair, ksg_impls(),
            params={"noise": 0.1, "k": K}, notes=ksg_notes),
        "classif": lambda: dropin("classif", "mutual_info_classif", "3 classes, ", classification_data),
        "regression": lambda: dropin("regression", "mutual_info_regression", "", regression_data),
    }
    return [factories[key]() for key in (CASE_KEYS if keys is None else keys)]


def sklearn_ksg_input(x: np.ndarray, y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """x and y as scikit-learn's mutual_info_regression(x[:, None], y,
    random_state=RANDOM_STATE) hands them to its KSG: each divided by its standard
    deviation, then 1e-10 * max(1, mean |.|) * N(0, 1) noise added, x's draws first."""
    n = x.shape[0]
    rng = np.random.RandomState(RANDOM_STATE)
    xs = x / np.std(x)
    xs = xs + 1e-10 * max(1.0, float(np.mean(np.abs(xs)))) * rng.standard_normal(n)
    ys = y / np.std(y)
    ys = ys + 1e-10 * max(1.0, float(np.mean(np.abs(ys)))) * rng.standard_normal(n)
    return xs, ys


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    import inspect

    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
