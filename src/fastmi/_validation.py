"""Input checks shared by every public function.

Everything a user can pass is checked here, before any native code runs, and
refused with an exception that names the argument.
"""
from __future__ import annotations

import numbers
import os
import threading
import warnings

import numpy as np

from . import _native

# Numeric kinds accepted as samples: bool, signed/unsigned int, float.
_NUMERIC_KINDS = "biuf"


def _to_array(a, name: str) -> np.ndarray:
    if hasattr(a, "to_numpy") and not isinstance(a, np.ndarray):  # pandas
        a = a.to_numpy()
    try:
        arr = np.asarray(a)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} could not be converted to a numeric array: {exc}") from None
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"{name} must hold real numbers (bool, int or float); got dtype {arr.dtype}"
        )
    return arr


def as_samples(a, name: str, *, max_ndim: int = 2) -> np.ndarray:
    """`a` as a float64 C-contiguous array of shape (n,) or (n, d).

    No copy is made when `a` is already float64 and C-contiguous.
    """
    arr = _to_array(a, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a 1-D or 2-D array of samples, got a scalar")
    if arr.ndim > max_ndim:
        want = "1-D (n,)" if max_ndim == 1 else "1-D (n,) or 2-D (n, d)"
        raise ValueError(f"{name} must be {want}; got a {arr.ndim}-D array of shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: at least one sample is needed")
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"{name} has shape {arr.shape}: at least one column is needed")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    if not np.isfinite(arr).all():
        bad = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"{name} contains {bad}; every sample must be finite")


def check_same_length(x: np.ndarray, y: np.ndarray, xname: str = "x", yname: str = "y") -> None:
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{xname} and {yname} must have the same number of samples; "
            f"got {x.shape[0]} and {y.shape[0]}"
        )


def check_int(value, name: str, *, minimum: int | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_k(k, n: int, name: str = "k") -> int:
    k = check_int(k, name, minimum=1)
    if k >= n:
        raise ValueError(f"{name} must be smaller than the number of samples ({n}), got {k}")
    return k


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def resolve_n_jobs(n_jobs) -> int:
    """Number of threads for the native core; 0 means OpenMP's default.

    None: OpenMP's default; -1: all cores; -2: all but one, and so on;
    a positive integer: that many threads (capped at max(64, 4 x cores)).
    """
    if n_jobs is None:
        return 0
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(f"n_jobs must be None or an integer, got {n_jobs!r}")
    n_jobs = int(n_jobs)
    if n_jobs == 0:
        raise ValueError("n_jobs must be a positive integer, -1 (all cores) or None; got 0")
    if n_jobs < 0:
        n_jobs = max(1, _cpu_count() + 1 + n_jobs)
    # More threads than this only adds overhead (and must fit a C int).
    n_jobs = min(n_jobs, max(64, 4 * _cpu_count()))
    if n_jobs > 1 and not _native.has_openmp():
        warnings.warn(
            f"fastmi was built without OpenMP: n_jobs={n_jobs} runs on one thread",
            RuntimeWarning,
            stacklevel=3,
        )
    return n_jobs


def interruptible() -> bool:
    """Only the main thread can receive Ctrl-C, so only it polls for it."""
    return threading.current_thread() is threading.main_thread()
