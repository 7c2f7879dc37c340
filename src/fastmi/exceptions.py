"""The exception classes of fastmi's scikit-learn drop-ins.

scikit-learn refuses a bad argument with its own ``InvalidParameterError``
(a ``ValueError`` and a ``TypeError``), or with whatever numpy raises on the
way (``IndexError`` for a ``discrete_features`` that does not fit ``X``).
The drop-ins raise classes deriving from the same built-in exceptions, so
that code catching scikit-learn's errors catches fastmi's, while the
messages say which argument, column or row is at fault.
"""
from __future__ import annotations


class InvalidParameterError(ValueError, TypeError):
    """An argument of the wrong type or value (a ValueError and a TypeError).

    Raised where scikit-learn raises ``ValueError`` or its
    ``InvalidParameterError`` (both a ``ValueError`` and a ``TypeError``): a
    non-integer ``n_neighbors``, a ``random_state`` that is not None, an int
    or a RandomState, ``X`` holding strings, and the like.
    """


class FeatureIndexError(InvalidParameterError, IndexError):
    """A ``discrete_features`` that does not fit ``X`` (also an IndexError).

    A mask or index array of the wrong length, an index out of range,
    non-integer indices or more than one dimension: an ``IndexError`` as in
    scikit-learn, and a ``ValueError`` (``TypeError`` for non-integer
    indices) as fastmi raised before.
    """


__all__ = ["FeatureIndexError", "InvalidParameterError"]
