"""scikit-learn's tie-breaking noise: ``c * rng.standard_normal(shape)`` added in place.

Drawn natively, on all threads, value for value as numpy's
``RandomState.standard_normal`` would draw it, leaving the generator in the
state numpy would leave it (csrc/fastmi/numerics/numpy_random.hpp); numpy
draws it instead for generators the native stream does not reproduce.
"""
from __future__ import annotations

import threading
from typing import Optional, Tuple

import numpy as np
import numpy.typing as npt

from .. import _native
from .._validation import interruptible


def mt19937_state(rng: np.random.RandomState) -> Optional[Tuple[npt.NDArray[np.uint32], int, int, float]]:
    """(key copy, pos, has_gauss, gauss) of a RandomState on MT19937, else None."""
    try:
        state = rng.get_state(legacy=False)
        if state["bit_generator"] != "MT19937":
            return None
        mt = state["state"]
        return np.array(mt["key"], dtype=np.uint32), int(mt["pos"]), int(state["has_gauss"]), float(state["gauss"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


_NATIVE_NOISE: list[bool] = []  # [True/False] once checked
_RLOCK = type(threading.RLock())


def native_noise_ok() -> bool:
    """Whether the native normal stream equals numpy's here (checked once per process).

    The native stream uses this process's libm ``log``, like numpy's; should a
    platform ever differ, numpy draws the noise instead.
    """
    if not _NATIVE_NOISE:
        ok = True
        for seed, m in ((12345, 1001), (7, 2)):
            want_rng = np.random.RandomState(seed)
            want = want_rng.standard_normal(size=m)
            got_rng = np.random.RandomState(seed)
            got = np.zeros((m, 1), order="F")
            draw_noise(got, np.ones(1), got_rng, 1, native=True)
            ok = ok and np.array_equal(got[:, 0], want) and want_rng.standard_normal() == got_rng.standard_normal()
        _NATIVE_NOISE.append(ok)
    return _NATIVE_NOISE[0]


def draw_noise(block: npt.NDArray[np.float64], c: npt.ArrayLike, rng: np.random.RandomState, threads: int,
               native: Optional[bool] = None) -> None:
    """``block += c * rng.standard_normal(block.shape)`` in place, value for value.

    `block` is Fortran-ordered float64 (n, p), `c` the p per-column factors.
    For a RandomState on MT19937 (always, through check_random_state) the
    values are drawn natively, on all threads, leaving `rng` in the state
    numpy would; otherwise numpy draws them. Like numpy, the draw holds the
    generator's lock throughout, so no other thread draws from a shared
    generator (numpy's global one) in between.
    """
    c = np.ascontiguousarray(c, dtype=np.float64)
    if c.shape != block.shape[1:]:  # the native draw reads c[j] for every column
        raise ValueError(f"noise factors of shape {c.shape} for a block of shape {block.shape}")
    lock = getattr(getattr(rng, "_bit_generator", None), "lock", None)
    # get_state takes the lock itself: only a re-entrant lock can be held around it
    if (native if native is not None else native_noise_ok()) and isinstance(lock, _RLOCK):
        with lock:
            state = mt19937_state(rng)
            if state is not None:
                key, pos, has_gauss, gauss = state
                pos, has_gauss, gauss = _native.add_normal_noise(
                    block, c, key, pos, has_gauss, gauss, threads, interruptible()
                )
                rng.set_state(("MT19937", key, pos, has_gauss, gauss))
                return
    noise = rng.standard_normal(size=block.shape)
    noise *= c
    with np.errstate(over="ignore"):  # an overflow is refused by the caller's check, as natively
        block += noise
