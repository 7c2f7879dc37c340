"""Input whose data are not aligned for their dtype (np.frombuffer at an odd
offset; buffers received over a network, as dask's workers receive chunks).

The native code reads float64 and int64 through typed pointers, which must be
aligned: validation hands it an aligned copy. The results equal those of the
same values in an aligned array, and under scripts/sanitize.sh (UBSan's
alignment check, halt_on_error) any misaligned load would fail the run.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import numpy.typing as npt
import pytest

import fastmi
from fastmi._validation import as_samples, check_X


def _misaligned(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The values of `a` in a buffer at an odd byte offset (not aligned for 8-byte types)."""
    buf = bytearray(a.nbytes + 1)
    out = np.frombuffer(buf, dtype=a.dtype, count=a.size, offset=1).reshape(a.shape)
    out[...] = a
    assert not out.flags.aligned
    return out


def _data() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    rng = np.random.default_rng(5)
    z = rng.standard_normal(3000)
    return z + rng.standard_normal(3000), z + rng.standard_normal(3000), z


def _labels(a: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    return (a > 0).astype(np.int64)


# name: (the function, its array arguments made from x, y, z)
CASES: dict[str, tuple[Callable[..., Any], Callable[..., tuple[npt.NDArray[Any], ...]]]] = {
    "discrete_mi": (lambda x, y: fastmi.discrete_mi(x, y, bins=12), lambda x, y, z: (x, y)),
    "ksg_mi": (fastmi.ksg_mi, lambda x, y, z: (x, y)),
    "ksg_mi-2d": (fastmi.ksg_mi, lambda x, y, z: (np.column_stack([x, z]), y)),
    "entropy": (fastmi.entropy, lambda x, y, z: (x,)),
    "conditional_mi": (fastmi.conditional_mi, lambda x, y, z: (x, y, z)),
    "pairwise_mi": (fastmi.pairwise_mi, lambda x, y, z: (np.column_stack([x, y, z]),)),
    "mutual_info_regression": (lambda X, t: fastmi.mutual_info_regression(X, t, random_state=0),
                               lambda x, y, z: (np.column_stack([x, z]), y)),
    "mutual_info_classif": (lambda X, t: fastmi.mutual_info_classif(X, t, random_state=0),
                            lambda x, y, z: (np.column_stack([x, z]), _labels(y))),
    "mutual_info_score": (fastmi.mutual_info_score, lambda x, y, z: (_labels(x), _labels(y))),
}


@pytest.mark.parametrize("name", CASES)
def test_misaligned_input_gives_the_aligned_result(name: str) -> None:
    call, make = CASES[name]
    args = make(*_data())
    want = call(*args)
    got = call(*(_misaligned(a) for a in args))
    assert np.array_equal(got, want, equal_nan=True)


def test_validation_returns_aligned_arrays() -> None:
    x = _misaligned(np.arange(10.0))
    assert as_samples(x, "x").flags.aligned
    X, _ = check_X(_misaligned(np.arange(12.0).reshape(6, 2)))
    assert X.flags.aligned


def test_dask_tasks_align_what_they_receive() -> None:
    # fastmi.dask's tasks receive arrays rebuilt on network buffers: `local` aligns
    # every array inside the containers a task gets, keeping Fortran order
    pytest.importorskip("dask")
    from fastmi.dask._graph import local

    f = np.asfortranarray(np.arange(12.0).reshape(4, 3))
    got = local({"X": _misaligned(f.T).T, "pairs": (_misaligned(np.arange(6)),), "k": 3})
    assert got["X"].flags.aligned and got["X"].flags.f_contiguous and np.array_equal(got["X"], f)
    assert got["pairs"][0].flags.aligned and got["k"] == 3
