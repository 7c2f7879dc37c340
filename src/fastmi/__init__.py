"""fastmi: fast mutual-information estimators with a C++/OpenMP core.

Reference-compatible estimators (bits): :func:`discrete_mi`, :func:`ksg_mi`.
The information toolkit (bits by default, ``base=`` for other units):
:func:`entropy`, :func:`conditional_mi`, :func:`info_from_pmf`.
Workflows: :func:`pairwise_mi` (the matrix over all column pairs),
:func:`mi_test` (permutation tests of (conditional) independence),
``MRMRSelector`` (mRMR feature selection, a scikit-learn selector: importing
it imports scikit-learn).
scikit-learn's functions (nats): :func:`mutual_info_regression`,
:func:`mutual_info_classif`, :func:`mutual_info_score`,
:func:`mi_feature_selection` (:mod:`fastmi.sklearn`). The slow numpy
references they are tested against live in :mod:`fastmi.reference`.
"""
from __future__ import annotations

from typing import Any

from . import _native
from .binned import discrete_mi, histogram2d
from .cmi import conditional_mi
from .entropy import entropy
from .ksg import TiedSamplesWarning, ksg_mi
from .pairwise import pairwise_mi
from .significance import MITestResult, mi_test
from .pmf import PmfInfo, info_from_pmf
from .sklearn import (
    mi_feature_selection,
    mutual_info_classif,
    mutual_info_regression,
    mutual_info_score,
)

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # MRMRSelector is a scikit-learn estimator: scikit-learn is imported on
    # first use only, so that importing fastmi needs numpy alone.
    if name == "MRMRSelector":
        from .mrmr import MRMRSelector

        return MRMRSelector
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"MRMRSelector"})


def has_openmp() -> bool:
    """Whether this build of fastmi runs its kernels on several threads (OpenMP)."""
    return bool(_native.has_openmp())


__all__ = [
    "MITestResult",
    "PmfInfo",
    "TiedSamplesWarning",
    "conditional_mi",
    "entropy",
    "info_from_pmf",
    "__version__",
    "discrete_mi",
    "has_openmp",
    "histogram2d",
    "ksg_mi",
    "mi_feature_selection",
    "mi_test",
    "mutual_info_classif",
    "mutual_info_regression",
    "mutual_info_score",
    "pairwise_mi",
]
