"""Type aliases of fastmi's public signatures (typing only; nothing here runs)."""
from __future__ import annotations

from typing import Any, Literal, Protocol, Tuple, Union

import numpy as np
import numpy.typing as npt


class SparseMatrix(Protocol):
    """A scipy.sparse matrix or array, as far as fastmi uses one (scipy is optional)."""

    @property
    def shape(self) -> Tuple[int, ...]: ...

    def tocsc(self) -> Any: ...


# X of the scikit-learn drop-ins: an array-like (numpy, nested lists, pandas) or a sparse matrix.
MatrixLike = Union[npt.ArrayLike, SparseMatrix]

# What scikit-learn's random_state takes: None, an int, a RandomState.
RandomStateLike = Union[None, int, np.integer[Any], np.random.RandomState]

# What scikit-learn's discrete_features takes: 'auto', a bool, a boolean mask or feature indices.
DiscreteFeatures = Union[Literal["auto"], bool, npt.ArrayLike]

F64Array = npt.NDArray[np.float64]

# The seed of the tie-breaking noise of the KSG family: None (seed 0), an int >= 0, a SeedSequence, a Generator.
TieSeed = Union[None, int, np.random.SeedSequence, np.random.Generator]

# How the KSG family treats repeated values.
TieBreaking = Literal["auto", "noise", "off"]
