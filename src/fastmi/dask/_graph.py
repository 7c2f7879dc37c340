"""Shared plumbing of fastmi.dask: dask imported on demand, inputs split into
delayed blocks, tree sums of integer tables, and compute-or-return."""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np
import numpy.typing as npt

# tables summed this many at a time (a tree: no task holds more)
SPLIT_EVERY = 8


def require_dask() -> Any:
    """The dask module, or an ImportError naming the extra to install."""
    try:
        import dask
        import dask.array  # noqa: F401
    except ImportError as exc:  # pragma: no cover - exercised without dask only
        raise ImportError(
            "fastmi.dask needs dask: pip install 'fastmi[dask]' (dask[array] and distributed)"
        ) from exc
    return dask


def is_dask(a: object) -> bool:
    """Whether `a` is a dask collection (array, Series, DataFrame, Delayed)."""
    return type(a).__module__.split(".")[0] == "dask" and hasattr(a, "__dask_graph__")


def sample_collection(a: Any, name: str) -> Any:
    """One variable's samples as a dask collection: a dask array (1-D, any
    chunks), a dask Series, or anything else wrapped as a one-chunk array."""
    import dask.array as da

    if not is_dask(a):
        from .._validation import to_array

        arr = to_array(a, name)  # the in-memory checks: non-numbers (None, text) are a TypeError
        a = da.from_array(arr, chunks=arr.shape if arr.ndim else ())
    if isinstance(a, da.Array):
        # dtype before shape, as in memory
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold real numbers (bool, int or float); got dtype {a.dtype}")
        if a.ndim != 1:
            raise ValueError(f"{name} must be a 1-D dask array of samples; got {a.ndim}-D, shape {a.shape}")
        return a
    if hasattr(a, "to_delayed") and hasattr(a, "npartitions") and getattr(a, "ndim", 1) == 1:
        return a
    raise TypeError(f"{name} must be a dask array, a dask Series or an array; got {type(a).__name__}")


def blocks_of(a: Any) -> list[Any]:
    """The blocks (chunks, partitions) of a collection from sample_collection, as Delayed."""
    import dask.array as da

    return list(a.to_delayed().ravel()) if isinstance(a, da.Array) else list(a.to_delayed())


def align(x: Any, y: Any) -> tuple[Any, Any]:
    """x and y as collections; two dask arrays of known lengths: the same
    length, y rechunked to x's chunks."""
    import dask.array as da

    x, y = sample_collection(x, "x"), sample_collection(y, "y")
    if isinstance(x, da.Array) and isinstance(y, da.Array):
        if not (np.isnan(x.shape[0]) or np.isnan(y.shape[0])):
            if x.shape[0] != y.shape[0]:
                raise ValueError(f"x and y must have the same number of samples; got {x.shape[0]} and {y.shape[0]}")
            if x.chunks != y.chunks:
                y = y.rechunk(x.chunks)
    return x, y


def aligned_blocks(x: Any, y: Any) -> tuple[list[Any], list[Any]]:
    """The blocks of x and y from align(), one pair per chunk."""
    bx, by = blocks_of(x), blocks_of(y)
    if len(bx) != len(by):
        raise ValueError(
            f"x and y must be split alike: {len(bx)} and {len(by)} blocks (rechunk one to the other's chunks)"
        )
    return bx, by


def as_block(a: Any) -> npt.NDArray[Any]:
    """One block (numpy array or pandas Series) as a numpy array."""
    if hasattr(a, "to_numpy") and not isinstance(a, np.ndarray):
        a = a.to_numpy()
    return np.asarray(a)


def tree(parts: Sequence[Any], combine: Callable[..., Any], name: str) -> Any:
    """The Delayed reduction of `parts` by `combine` (of up to SPLIT_EVERY
    arguments), level by level."""
    from dask.delayed import delayed

    level = list(parts)
    while len(level) > 1:
        level = [
            delayed(combine, pure=True)(*level[i : i + SPLIT_EVERY])
            for i in range(0, len(level), SPLIT_EVERY)
        ]
    if not level:
        raise ValueError(f"{name}: no blocks to combine")
    return level[0]


def add_tables(*tables: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The sum of integer tables of one shape (exact, in any order)."""
    out = np.array(tables[0], dtype=np.int64, copy=True)
    for t in tables[1:]:
        out += t
    return out


def finish(result: Any, compute: bool) -> Any:
    """`result` computed (by the current distributed Client, else dask's
    default scheduler), or itself when compute is False."""
    if not compute:
        return result
    from dask.base import compute as dask_compute

    return dask_compute(result)[0]


def check_compute(compute: object) -> bool:
    if not isinstance(compute, (bool, np.bool_)):
        raise TypeError(f"compute must be True or False; got {compute!r}")
    return bool(compute)


def task_threads(n_jobs: object) -> int:
    """Threads each task's native call uses (fastmi's n_jobs rules; default 1)."""
    from .._validation import resolve_n_jobs

    return int(resolve_n_jobs(1 if n_jobs is None else n_jobs))


def local(obj: Any) -> Any:
    """``obj`` with every ndarray in it (inside dicts, tuples and lists too)
    aligned for its dtype: arrays a task receives from another worker are
    rebuilt on network buffers at any byte offset, and the native code reads
    them through typed pointers. Aligned arrays are returned as they are."""
    if isinstance(obj, np.ndarray):
        return obj if obj.flags.aligned else obj.copy(order="K")
    if isinstance(obj, dict):
        return {key: local(value) for key, value in obj.items()}
    if isinstance(obj, tuple):
        return tuple(local(value) for value in obj)
    if isinstance(obj, list):
        return [local(value) for value in obj]
    return obj


def bit_generator_of(random_state: object) -> Any:
    """The bit generator that ``numpy.random.default_rng(random_state)`` draws
    from, and so advances in the caller's object (a Generator's, a BitGenerator
    itself, a RandomState's); None for a seed (each use starts afresh)."""
    if isinstance(random_state, np.random.Generator):
        return random_state.bit_generator
    if isinstance(random_state, np.random.BitGenerator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return random_state._bit_generator
    return None


def generator_state(random_state: object) -> Optional[dict[str, Any]]:
    """The state of ``random_state``'s bit generator (see bit_generator_of), or None."""
    bit_generator = bit_generator_of(random_state)
    return None if bit_generator is None else dict(bit_generator.state)


def set_generator_state(random_state: object, state: Optional[dict[str, Any]]) -> None:
    """Puts ``random_state``'s bit generator in ``state`` (from generator_state of
    it or of a copy of it, in a task); nothing for a seed or a None state."""
    bit_generator = bit_generator_of(random_state)
    if bit_generator is not None and state is not None:
        bit_generator.state = state


def held(collection: Any) -> bool:
    """Whether every chunk of a dask collection is held already (its graph
    holds only Futures of a persisted collection, or arrays): computing it
    twice would cost nothing but a second visit to the scheduler."""
    from distributed import Future  # fastmi[dask] brings distributed

    graph = getattr(collection, "__dask_graph__", None)
    if graph is None:
        return False
    values = dict(graph()).values()
    return all(isinstance(v, (Future, np.ndarray)) for v in values)
