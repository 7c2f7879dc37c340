"""Drop-in replacements for scikit-learn's mutual-information functions (nats).

``estimate`` holds the public functions and the dispatch over the kinds of
feature-target pairs, ``preprocess`` scikit-learn's scaling and data
preparation, ``noise`` its tie-breaking noise. Bad arguments raise the built-in
exception classes scikit-learn raises, through :mod:`fastmi.exceptions`.
"""
from ..exceptions import FeatureIndexError, InvalidParameterError
from .estimate import mi_feature_selection, mutual_info_classif, mutual_info_regression, mutual_info_score

__all__ = [
    "FeatureIndexError",
    "InvalidParameterError",
    "mi_feature_selection",
    "mutual_info_classif",
    "mutual_info_regression",
    "mutual_info_score",
]
