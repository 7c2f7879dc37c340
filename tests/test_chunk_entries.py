"""The native entries behind fastmi.dask, without Dask: the plug-in sums of a count
table (dense and sparse, the in-memory kernels') and scikit-learn's noise stream read
from any position (columns of it, and skipping ahead). Kept apart from test_dask.py so
that the sanitizer job, which leaves the Dask suites out (no native code of their own,
and slow under the sanitizers), still runs them."""
from __future__ import annotations

import numpy as np
import pytest


def test_noise_columns_equal_the_whole_stream() -> None:
    from fastmi import _native
    from fastmi.sklearn.noise import mt19937_state

    rng = np.random.RandomState(9)
    rng.standard_normal(1)
    key, pos, has_gauss, gauss = mt19937_state(rng)
    n, p = 37, 9
    noise = rng.standard_normal((n, p))
    for offset, w in ((0, 9), (0, 1), (3, 4), (8, 1), (5, 0)):
        block = np.zeros((n, w), order="F")
        _native.add_normal_noise_columns(block, np.ones(w), p, offset, key, pos, has_gauss, gauss, False)
        assert np.array_equal(block, noise[:, offset : offset + w])
    k2 = key.copy()
    state = _native.skip_normals(k2, pos, has_gauss, gauss, n * p, False)
    after = np.random.RandomState()
    after.set_state(("MT19937", k2) + state)
    assert after.standard_normal(5).tolist() == rng.standard_normal(5).tolist()


def test_sparse_plugin_sum_is_the_dense_one() -> None:
    # the native plug-in sum over the occupied cells that fastmi.dask.discrete_mi merges
    # (binned_sparse.hpp, the in-memory sparse sum) against the native dense sum, bit for
    # bit, on tables of every shape; cells out of order or outside the table are refused
    from fastmi import _native

    rng = np.random.default_rng(35)
    for _ in range(200):
        nx, ny = (int(v) for v in rng.integers(1, 40, 2))
        table = rng.integers(0, int(rng.integers(1, 5000)), (nx, ny)) * (rng.random((nx, ny)) < rng.random())
        if not table.any():
            continue
        cells = np.flatnonzero(table).astype(np.int64)
        counts = table.reshape(-1)[cells].astype(np.int64)
        want = _native.table_mi_bits(np.ascontiguousarray(table, dtype=np.int64))
        assert _native.sparse_table_mi_bits(cells, counts, nx, ny) == want
    one = np.array([1], dtype=np.int64)
    for cells, shape in (([3, 1], (2, 2)), ([0, 4], (2, 2)), ([-1, 2], (2, 2))):
        with pytest.raises(RuntimeError, match="sparse table"):
            _native.sparse_table_mi_bits(np.array(cells, dtype=np.int64), np.repeat(one, 2), *shape)
    with pytest.raises(RuntimeError, match="fits in int64"):  # counts whose sum overflows
        _native.sparse_table_mi_bits(np.arange(3, dtype=np.int64), np.repeat(one << 62, 3), 1, 3)
