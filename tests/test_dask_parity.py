"""fastmi.dask refuses a bad argument as the in-memory call refuses it: the same
exception class (scikit-learn's InvalidParameterError where the drop-ins raise
it), the same message, and accepts what the in-memory call accepts.

Each public function of fastmi.dask is called next to its in-memory
counterpart on the same arguments (dask arrays for the dask call) under
dask's synchronous scheduler: errors raised inside tasks reach the caller
as they are raised there."""
from __future__ import annotations

import re
import warnings
from typing import Any, Callable, Iterator

import numpy as np
import pytest

import fastmi

da = pytest.importorskip("dask.array")
pytest.importorskip("distributed")
import dask  # noqa: E402

import fastmi.dask as fd  # noqa: E402

pytestmark = pytest.mark.dask

_N = 60
_rng = np.random.default_rng(20)
_x = _rng.standard_normal(_N)
_y = _x + _rng.standard_normal(_N)
_z = _rng.standard_normal(_N)
_X = _rng.standard_normal((_N, 4))
_labels = (_y > 0).astype(int)


def _nan(a: Any, at: Any) -> Any:
    a = a.copy()
    a[at] = np.nan
    return a


# random_state forms: what each in-memory call does with them decides what the dask call must do
_SEEDS: dict[str, Callable[[], Any]] = {
    "None": lambda: None, "0": lambda: 0, "-1": lambda: -1, "2**32": lambda: 2**32, "1.5": lambda: 1.5,
    "True": lambda: True, "'a'": lambda: "a", "RandomState": lambda: np.random.RandomState(0),
    "Generator": lambda: np.random.default_rng(0), "SeedSequence": lambda: np.random.SeedSequence(0),
    "PCG64": lambda: np.random.PCG64(0), "np.random": lambda: np.random, "[1, 2]": lambda: [1, 2],
    "RandomState(PCG64)": lambda: np.random.RandomState(np.random.PCG64(0)),
}
_KS: dict[str, Any] = {"0": 0, "-1": -1, "2.5": 2.5, "True": True, "n": _N, "'3'": "3", "None": None,
                       "np.int64(0)": np.int64(0)}
_JOBS: dict[str, Any] = {"0": 0, "1.5": 1.5, "True": True, "'2'": "2"}
_BASES: dict[str, Any] = {"1": 1, "0.5": 0.5, "-2": -2, "nan": float("nan"), "inf": float("inf"), "True": True,
                          "'2'": "2", "None": None}
_BINS: dict[str, Any] = {"0": 0, "-1": -1, "1.5": 1.5, "True": True, "[]": [], "[1.0]": [1.0], "'auto'": "auto",
                         "unsorted": [3.0, 1.0, 2.0], "NaN edge": [0.0, np.nan, 1.0], "None": None,
                         "[5, 0]": [5, 0], "[5, 2.5]": [5, 2.5], "3 specs": [5, 5, 5]}


def _cases() -> Iterator[Any]:
    """(name, args, kwargs, compare messages too): args as given to the in-memory call."""
    for name in ("discrete_mi", "entropy_binned", "entropy_miller_madow", "entropy_discrete"):
        args: tuple[Any, ...] = (_x, _y) if name == "discrete_mi" else (_x,)
        extra = {} if name == "discrete_mi" else {"method": name.split("_", 1)[1]}
        for label, v in _BASES.items():
            yield f"{name}-base={label}", name, args, {**extra, "base": v}, True
        for label, v in _JOBS.items():
            yield f"{name}-n_jobs={label}", name, args, {**extra, "n_jobs": v}, True
        if name != "entropy_discrete":
            for label, v in _BINS.items():
                yield f"{name}-bins={label}", name, args, {**extra, "bins": v}, True
        yield f"{name}-NaN", name, (_nan(_x, 7),) + args[1:], extra, True
        # in every chunk: the first row in the whole x, its kind (infinity), the count
        late = np.where(np.isin(np.arange(_N), [3, 47]), np.inf, _nan(_x, 27))
        yield f"{name}-NaN and infinity", name, (late,) + args[1:], extra, True
        yield f"{name}-None", name, (None,) + args[1:], extra, False
        yield f"{name}-text", name, (_x.astype(str),) + args[1:], extra, False
        yield f"{name}-empty", name, tuple(a[:0] for a in args), extra, False
    # x of shape (n, d): the joint entropy
    for name in ("entropy_binned", "entropy_miller_madow", "entropy_discrete"):
        extra = {"method": name.split("_", 1)[1]}
        yield f"{name}-2-D", name, (_X,), extra, True
        yield f"{name}-2-D NaN", name, (_nan(_X, (5, 2)),), extra, True
        # NaN in the middle chunk of an earlier column than the other chunks': that column
        # (discrete) or the whole x's first row holding one (binned), its row in the whole x
        bad = _nan(_nan(_nan(_nan(_X, (5, 3)), (45, 3)), (25, 1)), (26, 1))
        yield f"{name}-2-D NaN in three chunks", name, (bad,), extra, True
        yield f"{name}-2-D text", name, (_X.astype(str),), extra, True
        yield f"{name}-3-D", name, (_X.reshape(_N, 2, 2),), extra, True
        yield f"{name}-no column", name, (_X[:, :0],), extra, True
        yield f"{name}-2-D empty", name, (_X[:0],), extra, True
    for label, v in {"3 specs": [5, 5, 5], "4 specs": [5, 4, np.linspace(-1.0, 1.0, 4), 2],
                     "[5, 0, 5, 5]": [5, 0, 5, 5], "2**80 cells": [2**20] * 4}.items():
        for method in ("binned", "miller_madow"):
            name = f"entropy_{method}"
            yield f"{name}-2-D-bins={label}", name, (_X,), {"method": method, "bins": v}, True
    yield "discrete_mi-lengths", "discrete_mi", (_x, _y[:-1]), {}, True
    yield "discrete_mi-inf", "discrete_mi", (_x, np.where(np.arange(_N) == 3, np.inf, _y)), {}, True
    # y's NaN in the first and last chunks, x's infinity in the middle one: x is named, as in memory
    yield ("discrete_mi-NaN y, inf x", "discrete_mi", (np.where(np.arange(_N) == 30, np.inf, _x),
                                                       _nan(_nan(_y, 5), 50)), {}, True)
    yield "entropy-method", "entropy_binned", (_x,), {"method": "bogus"}, False
    for zname, z in (("", None), ("-z", _z)):
        args = (_x, _y, z)
        for label, v in _KS.items():
            yield f"mi_test{zname}-k={label}", "mi_test", args, {"k": v}, True
        for label, v in _JOBS.items():
            yield f"mi_test{zname}-n_jobs={label}", "mi_test", args, {"n_jobs": v}, True
        for label, v in _BASES.items():
            yield f"mi_test{zname}-base={label}", "mi_test", args, {"base": v}, True
        for label, make in _SEEDS.items():
            yield f"mi_test{zname}-random_state={label}", "mi_test", args, {"random_state": make}, True
        for label, v in {"0": 0, "1.5": 1.5, "True": True, "None": None}.items():
            yield f"mi_test{zname}-n_permutations={label}", "mi_test", args, {"n_permutations": v}, True
            yield f"mi_test{zname}-shuffle_neighbors={label}", "mi_test", args, {"shuffle_neighbors": v}, True
        yield f"mi_test{zname}-tie_breaking", "mi_test", args, {"tie_breaking": "bogus"}, True
        yield f"mi_test{zname}-lengths", "mi_test", (_x, _y[:-1], z), {}, True
        yield f"mi_test{zname}-NaN", "mi_test", (_nan(_x, 4), _y, z), {}, True
        yield f"mi_test{zname}-None", "mi_test", (None, _y, z), {}, True
        yield f"mi_test{zname}-empty", "mi_test", (_x[:0], _y[:0], None if z is None else z[:0]), {}, True
    yield "mi_test-z-lengths", "mi_test", (_x, _y, _z[:-1]), {}, True
    for method in ("ksg", "binned"):
        pre = f"pairwise_mi-{method}"
        for label, v in _KS.items():
            yield f"{pre}-k={label}", "pairwise_mi", (_X,), {"method": method, "k": v}, True
        for label, v in _JOBS.items():
            yield f"{pre}-n_jobs={label}", "pairwise_mi", (_X,), {"method": method, "n_jobs": v}, True
        for label, v in _BASES.items():
            yield f"{pre}-base={label}", "pairwise_mi", (_X,), {"method": method, "base": v}, True
        for label, v in _BINS.items():
            yield f"{pre}-bins={label}", "pairwise_mi", (_X,), {"method": method, "bins": v}, True
        for label, make in _SEEDS.items():
            yield f"{pre}-random_state={label}", "pairwise_mi", (_X,), {"method": method, "random_state": make}, True
        yield f"{pre}-NaN", "pairwise_mi", (_nan(_X, (5, 2)),), {"method": method}, True
        yield f"{pre}-None", "pairwise_mi", (None,), {"method": method}, True
        yield f"{pre}-1-D", "pairwise_mi", (_x,), {"method": method}, False
    for name, target in (("mutual_info_regression", _y), ("mutual_info_classif", _labels)):
        for label, v in _KS.items():
            yield f"{name}-n_neighbors={label}", name, (_X, target), {"n_neighbors": v}, True
            yield (f"{name}-n_neighbors={label}-discrete", name, (_X, target),
                   {"n_neighbors": v, "discrete_features": True}, True)
        for label, v in _JOBS.items():
            yield f"{name}-n_jobs={label}", name, (_X, target), {"n_jobs": v}, True
        for label, make in _SEEDS.items():
            yield f"{name}-random_state={label}", name, (_X, target), {"random_state": make}, True
        for label, v in {"'bogus'": "bogus", "None": None, "3": 3, "short mask": np.array([True, False]),
                         "index 9": [9], "float index": [1.5]}.items():
            yield f"{name}-discrete_features={label}", name, (_X, target), {"discrete_features": v}, True
        yield f"{name}-lengths", name, (_X, target[:-1]), {}, True
        yield f"{name}-NaN X", name, (_nan(_X, (3, 2)), target), {}, True
        yield f"{name}-None X", name, (None, target), {}, True
        yield f"{name}-None y", name, (_X, None), {}, True
        yield f"{name}-scalar y", name, (_X, 3.0), {}, True
        yield f"{name}-2-D y", name, (_X, np.c_[target, target]), {}, True
    yield "mutual_info_classif-continuous y", "mutual_info_classif", (_X, _y), {}, True
    yield "mutual_info_regression-NaN y", "mutual_info_regression", (_X, _nan(_y, 9)), {}, True


_CASES = list(_cases())


def _functions(name: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    if name.startswith("entropy"):
        return fastmi.entropy, fd.entropy
    return getattr(fastmi, name), getattr(fd, name)


def _as_dask(a: Any) -> Any:
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf" or a.ndim == 0:
        return a
    rows = max(1, a.shape[0] // 3)
    return da.from_array(a, chunks=(rows,) + (2,) * (a.ndim - 1))


def _outcome(f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> BaseException | None:
    kwargs = {k: (v() if callable(v) else v) for k, v in kwargs.items()}  # a fresh random_state each call
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the class is what is compared
        return exc
    return None


def _text(exc: BaseException) -> str:
    return re.sub(r"0x[0-9a-fA-F]+", "0x", str(exc))


@pytest.mark.parametrize("case", _CASES, ids=[c[0] for c in _CASES])
def test_bad_arguments_raise_as_in_memory(case: Any) -> None:
    _, name, args, kwargs, same_message = case
    if name.startswith("mi_test"):
        kwargs = {"n_permutations": 3, **kwargs}
    in_memory, on_dask = _functions(name)
    want = _outcome(in_memory, args, kwargs)
    with dask.config.set(scheduler="sync"):
        for given in (tuple(_as_dask(a) for a in args), args):  # dask arrays, and the arrays themselves
            got = _outcome(on_dask, given, kwargs)
            assert type(got) is type(want), (want, got)
            if same_message and want is not None:
                assert _text(got) == _text(want)


def test_n_neighbors_and_n_jobs_are_invalid_parameters() -> None:
    # the faults as reported: scikit-learn's InvalidParameterError in memory, a plain
    # ValueError on Dask
    from fastmi.exceptions import InvalidParameterError

    X = da.from_array(_X, chunks=(30, 2))
    with dask.config.set(scheduler="sync"):
        for f in (fd.mutual_info_regression, fd.mutual_info_classif):
            target = _y if f is fd.mutual_info_regression else _labels
            with pytest.raises(InvalidParameterError, match="n_neighbors must be >= 1"):
                f(X, target, n_neighbors=0)
            with pytest.raises(InvalidParameterError, match="n_jobs must be a positive integer"):
                f(X, target, n_jobs=0)


@pytest.mark.parametrize("kind", ["RandomState", "PCG64", "True", "list", "-1"])
def test_mi_test_refuses_the_random_states_the_in_memory_call_refuses(kind: str) -> None:
    # mi_test checks random_state as every estimator does (None, an int >= 0, a SeedSequence
    # or a Generator); it passed anything to numpy.random.default_rng, which took a
    # RandomState (numpy >= 2.2), a bit generator, True or a list
    def make() -> Any:
        return {"RandomState": lambda: np.random.RandomState(3), "PCG64": lambda: np.random.PCG64(3),
                "True": lambda: True, "list": lambda: [1, 2], "-1": lambda: -1}[kind]()


    random_state = make()  # one object for both: the messages show its repr
    with pytest.raises((TypeError, ValueError)) as want:
        fastmi.mi_test(_x, _y, _z, n_permutations=9, random_state=random_state)
    with dask.config.set(scheduler="threads"), pytest.raises((TypeError, ValueError)) as got:
        fd.mi_test(da.from_array(_x, chunks=20), _y, _z, n_permutations=9, random_state=random_state,
                   permutations_per_task=4)
    assert type(got.value) is type(want.value) is (ValueError if kind == "-1" else TypeError)
    assert str(got.value) == str(want.value) and "random_state" in str(want.value)


@pytest.mark.parametrize("missing", [None, np.nan, np.datetime64("NaT")], ids=["None", "NaN", "NaT"])
@pytest.mark.parametrize("two_d", [False, True])
def test_entropy_refuses_missing_labels_as_in_memory(missing: Any, two_d: bool) -> None:
    # object labels with None, NaN or NaT: each NaN counted as a label of its own (NaN != NaN),
    # None among text "could not be compared"; refused in memory and on Dask alike, with the
    # row in the whole x (the first missing value is in the second chunk)
    labels = np.array(["a", "b", "c"] * 20, dtype=object)
    labels[[25, 40, 41]] = missing
    x = np.column_stack([np.arange(60).astype(object), labels]) if two_d else labels
    with pytest.raises(ValueError) as want:
        fastmi.entropy(x, method="discrete")
    with dask.config.set(scheduler="sync"), pytest.raises(ValueError) as got:
        fd.entropy(da.from_array(x, chunks=(20,) + x.shape[1:]), method="discrete")
    assert str(got.value) == str(want.value)
    assert re.match(r"x(\[:, 1\])? contains (None|NaN|NaT) at row 25 \(3 missing values in all\)", str(want.value))


def _refusal(f: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    with pytest.raises(ValueError) as info:
        f(*args, **kwargs)
    return str(info.value)


@pytest.mark.parametrize("method", ["binned", "miller_madow"])
def test_binned_nonfinite_named_by_row_in_the_whole_x(method: str) -> None:
    # the binned range pass said "x contains NaN; every sample must be finite" (no row, no
    # count, "NaN" where any chunk held one); each chunk now reports its first non-finite
    # row, its kind and its count, and the ordered merges add the samples of the chunks
    # before it: check_finite's message for the whole x, as the nearest-neighbour paths
    # give it, whichever chunk holds the value (empty chunks before it included)
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    tail = "; every sample must be finite"
    x = _x.copy()
    x[[44, 51]] = [np.nan, np.inf]  # the third chunk of (20, 0, 20, 20), after an empty one
    X = _X.copy()
    X[[37, 50], [1, 3]] = [np.inf, np.nan]  # the second column, in the third chunk
    x_says = f"x contains NaN at row 44 (2 non-finite values in all){tail}"
    X_says = f"x contains infinity at row 37, column 1 (2 non-finite values in all){tail}"
    with dask.config.set(scheduler="sync"):
        for chunks in (((20, 0, 20, 20),), ((20, 0, 0, 40),), ((0, 59, 1),), 7):
            dx = da.from_array(x, chunks=chunks)
            dy = da.from_array(_y, chunks=chunks)
            assert _refusal(fastmi.entropy, x, method=method) == x_says
            assert _refusal(fd.entropy, dx, method=method) == x_says
            assert _refusal(fd.entropy, dx[:, None], method=method) == x_says.replace(" (2", ", column 0 (2")
            assert _refusal(fd.discrete_mi, dx, dy) == x_says == _refusal(fastmi.discrete_mi, x, _y)
            # chunks of x and y that differ: the chunk-by-chunk range pass, merged by a tree
            assert _refusal(fd.discrete_mi, da.from_array(_y, chunks=13), dx) == x_says.replace("x", "y", 1)
            dX = da.from_array(X, chunks=(chunks if isinstance(chunks, int) else chunks[0], 2))
            assert _refusal(fastmi.entropy, X, method=method) == X_says
            assert _refusal(fd.entropy, dX, method=method) == X_says
        for parts in (1, 3, 7):
            assert _refusal(fd.entropy, dd.from_pandas(pd.Series(x), npartitions=parts), method=method) == x_says
            assert _refusal(fd.entropy, dd.from_pandas(pd.DataFrame(X), npartitions=parts), method=method) == X_says
            assert _refusal(fd.discrete_mi, dd.from_pandas(pd.Series(x), npartitions=parts),
                            dd.from_pandas(pd.Series(_y), npartitions=parts)) == x_says
