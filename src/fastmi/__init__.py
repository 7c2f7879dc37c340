"""fastmi: fast mutual-information estimators with a C++/OpenMP core.

Reference-compatible estimators (bits): :func:`discrete_mi`, :func:`ksg_mi`.
The information toolkit (bits by default, ``base=`` for other units):
:func:`entropy`, :func:`conditional_mi`, :func:`info_from_pmf`.
scikit-learn's functions (nats): :func:`mutual_info_regression`,
:func:`mutual_info_classif`, :func:`mutual_info_score`,
:func:`mi_feature_selection` (:mod:`fastmi.sklearn`). The slow numpy
references they are tested against live in :mod:`fastmi.reference`.
"""
from __future__ import annotations

from . import _native
from .binned import discrete_mi, histogram2d
from .cmi import conditional_mi
from .entropy import entropy
from .ksg import TiedSamplesWarning, ksg_mi
from .pmf import PmfInfo, info_from_pmf
from .sklearn import (
    mi_feature_selection,
    mutual_info_classif,
    mutual_info_regression,
    mutual_info_score,
)

__version__ = "0.1.0"


def has_openmp() -> bool:
    """Whether this build of fastmi runs its kernels on several threads (OpenMP)."""
    return bool(_native.has_openmp())


__all__ = [
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
    "mutual_info_classif",
    "mutual_info_regression",
    "mutual_info_score",
]
