"""fastmi on Dask: the same numbers as the in-memory calls, computed where
the data live (``pip install 'fastmi[dask]'``).

Binned estimates split the samples (chunks of a dask array, Series or
DataFrame: native integer histograms per chunk, summed, or their occupied
cells merged where the table is large); scikit-learn's feature
scoring splits the features, :func:`pairwise_mi` the pairs and
:func:`mi_test` the permutations. Every function uses the current
``distributed.Client`` when there is one (else dask's local scheduler) and
returns numbers, or a ``dask.delayed`` object with ``compute=False``.
KSG-based estimates are not split over samples: each needs all its samples
in one process.
"""
from __future__ import annotations

from ._graph import require_dask

require_dask()

from ._binned import discrete_mi, entropy  # noqa: E402
from ._features import mutual_info_classif, mutual_info_regression  # noqa: E402
from ._workflows import mi_test, pairwise_mi  # noqa: E402

__all__ = ["discrete_mi", "entropy", "mi_test", "mutual_info_classif", "mutual_info_regression", "pairwise_mi"]
