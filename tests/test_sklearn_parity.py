"""The scikit-learn drop-ins refuse what scikit-learn refuses, with the same exception
classes, and compute what it computes, with the same numbers.

Each bad argument is passed to scikit-learn's and fastmi's function alike; fastmi's
exception must be an instance of every built-in class scikit-learn's is (its own
InvalidParameterError is a ValueError and a TypeError; fastmi.exceptions mirrors it).
Each column type scikit-learn accepts in a DataFrame must give scikit-learn's
numbers (tolerance 1e-10 nats, as in test_sklearn.py; in practice bit-identical).
"""
from __future__ import annotations

import builtins
import warnings
from typing import Any, Callable

import numpy as np
import pytest

import fastmi
from fastmi.exceptions import FeatureIndexError, InvalidParameterError

sklearn = pytest.importorskip("sklearn")
from sklearn import feature_selection as skfs  # noqa: E402

N = 40
RNG = np.random.RandomState(0)
X = RNG.standard_normal((N, 3))
Y_REG = RNG.standard_normal(N)
Y_CLS = RNG.randint(0, 3, N)
PAIRS = [
    ("regression", fastmi.mutual_info_regression, skfs.mutual_info_regression, Y_REG),
    ("classif", fastmi.mutual_info_classif, skfs.mutual_info_classif, Y_CLS),
]


def _with(value: float, row: int, col: int) -> np.ndarray:
    bad = X.copy()
    bad[row, col] = value
    return bad


# name -> (X, y or None for the pair's own target, keyword arguments)
BAD_ARGUMENTS: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "mask too short": (X, None, dict(discrete_features=np.array([True, False]))),
    "mask too long": (X, None, dict(discrete_features=np.array([True, False, False, True]))),
    "index out of range": (X, None, dict(discrete_features=[3])),
    "negative index out of range": (X, None, dict(discrete_features=[-4])),
    "float indices": (X, None, dict(discrete_features=[0.0, 1.0])),
    "2-D mask": (X, None, dict(discrete_features=np.array([[True, False, True]]))),
    "unknown string": (X, None, dict(discrete_features="yes")),
    "discrete_features None": (X, None, dict(discrete_features=None)),
    "discrete_features int": (X, None, dict(discrete_features=1)),
    "n_neighbors str": (X, None, dict(n_neighbors="3")),
    "n_neighbors 0": (X, None, dict(n_neighbors=0)),
    "n_neighbors float": (X, None, dict(n_neighbors=3.0)),
    "copy str": (X, None, dict(copy="yes")),
    "copy int": (X, None, dict(copy=1)),
    "random_state str": (X, None, dict(random_state="a")),
    "random_state negative": (X, None, dict(random_state=-1)),
    "random_state 2**32": (X, None, dict(random_state=2**32)),
    "random_state Generator": (X, None, dict(random_state=np.random.default_rng(0))),
    "random_state float": (X, None, dict(random_state=1.5)),
    "n_jobs 0": (X, None, dict(n_jobs=0)),
    "n_jobs str": (X, None, dict(n_jobs="2")),
    "n_jobs float": (X, None, dict(n_jobs=2.0)),
    "X strings": (np.array([["a", "b"]] * N), None, {}),
    "X complex": (X.astype(complex), None, {}),
    "X 1-D": (X[:, 0], None, {}),
    "X 3-D": (X[:, :, None], None, {}),
    "X no rows": (X[:0], "empty", {}),
    "X no columns": (X[:, :0], None, {}),
    "X None": (None, None, {}),
    "X scalar": (3.0, None, {}),
    "X ragged": ([[1.0, 2.0], [3.0]] + [[1.0, 2.0]] * (N - 2), None, {}),
    "X NaN": (_with(np.nan, 4, 1), None, {}),
    "X infinity": (_with(np.inf, 7, 2), None, {}),
    "y too short": (X, "short", {}),
    "y 2-D": (X, "2-D", {}),
    "y NaN": (X, "NaN", {}),
    "y None": (X, "None", {}),
}


def _target(y: np.ndarray, how: Any) -> Any:
    if how is None:
        return y
    return {
        "empty": y[:0],
        "short": y[:-1],
        "2-D": np.c_[y, y],
        "NaN": np.where(np.arange(N) == 3, np.nan, y),
        "None": None,
    }[how]


def _raised(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> BaseException:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's own deprecation chatter
        try:
            fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the class is what is checked
            return exc
    raise AssertionError(f"{fn.__module__}.{fn.__name__} raised nothing")


def _builtin_bases(exc: BaseException) -> set[type]:
    """The built-in exception classes `exc` is an instance of, below Exception."""
    return {
        c for c in type(exc).__mro__
        if c.__module__ == "builtins" and issubclass(c, Exception) and c is not Exception
        and getattr(builtins, c.__name__, None) is c
    }


@pytest.mark.parametrize("name", list(BAD_ARGUMENTS))
@pytest.mark.parametrize("kind, ours, theirs, y", PAIRS, ids=[p[0] for p in PAIRS])
def test_same_exception_class_as_sklearn(kind: str, ours: Any, theirs: Any, y: np.ndarray, name: str) -> None:
    Xb, how, kwargs = BAD_ARGUMENTS[name]
    want = _raised(theirs, Xb, _target(y, how), **kwargs)
    got = _raised(ours, Xb, _target(y, how), **kwargs)
    if type(want).__module__ == "builtins":
        assert isinstance(got, type(want)), (name, kind, want, got)
    # scikit-learn's InvalidParameterError is a ValueError and a TypeError: so is fastmi's
    missing = _builtin_bases(want) - _builtin_bases(got)
    assert not missing, (name, kind, repr(want), repr(got), missing)


def test_class_hierarchy() -> None:
    assert issubclass(InvalidParameterError, ValueError) and issubclass(InvalidParameterError, TypeError)
    assert issubclass(FeatureIndexError, IndexError) and issubclass(FeatureIndexError, InvalidParameterError)
    from sklearn.utils._param_validation import InvalidParameterError as SkError

    assert _builtin_bases(SkError("x")) <= _builtin_bases(InvalidParameterError("x"))


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(discrete_features=np.array([True, False])), FeatureIndexError, r"one entry per feature \(3\); got 2"),
        (dict(discrete_features=[0, 5]), FeatureIndexError, r"index 5, outside \[-3, 3\)"),
        (dict(discrete_features=[0.5]), FeatureIndexError, "integer feature indices"),
        (dict(discrete_features=None), InvalidParameterError, "discrete_features must be 'auto'"),
        (dict(n_neighbors="3"), InvalidParameterError, "n_neighbors must be an integer"),
        (dict(random_state=np.random.default_rng(0)), InvalidParameterError, "Generator draws a different stream"),
    ],
)
def test_messages_name_the_argument(kwargs: dict[str, Any], exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        fastmi.mutual_info_regression(X, Y_REG, **kwargs)


def test_nan_message_names_column_and_first_row() -> None:
    pd = pytest.importorskip("pandas")
    bad = X.copy()
    bad[9, 2] = np.nan
    bad[5, 1] = np.inf  # row 5 comes first
    with pytest.raises(ValueError, match=r"X contains infinity at row 5, column 1 \(2 non-finite values in all\)"):
        fastmi.mutual_info_regression(bad, Y_REG)
    df = pd.DataFrame(bad, columns=["a", "b", "c"], index=[f"r{i}" for i in range(N)])
    with pytest.raises(ValueError, match=r"X contains infinity at row 5 \(index 'r5'\), column 'b'"):
        fastmi.mutual_info_classif(df, Y_CLS)
    nullable = pd.DataFrame({"a": X[:, 0], "n": pd.array([1, 2, None] + [3] * (N - 3), dtype="Int64")})
    with pytest.raises(ValueError, match=r"X contains NaN at row 2, column 'n'"):
        fastmi.mutual_info_regression(nullable, Y_REG)
    with pytest.raises(ValueError, match=r"y contains NaN at row 3;"):
        fastmi.mutual_info_regression(X, np.where(np.arange(N) == 3, np.nan, Y_REG))
    sp = pytest.importorskip("scipy.sparse")
    sparse = sp.csr_matrix(np.where(np.abs(X) > 1, X, 0.0))
    sparse.data[-1] = np.nan
    row = int(sparse.nonzero()[0][-1])
    with pytest.raises(ValueError, match=rf"X contains NaN at row {row}, column \d"):
        fastmi.mutual_info_classif(sparse, Y_CLS)


def _frames() -> dict[str, Any]:
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(1)
    a = rng.standard_normal(N)
    b = rng.randint(0, 4, N)
    frames = {
        "bool": pd.DataFrame({"a": a, "f": b > 1}),
        "bool only": pd.DataFrame({"f": b > 1, "g": b > 2}),
        "Int64": pd.DataFrame({"a": a, "i": pd.array(b, dtype="Int64")}),
        "Int64 only": pd.DataFrame({"i": pd.array(b, dtype="Int64"), "j": pd.array(b[::-1], dtype="Int64")}),
        "Float64": pd.DataFrame({"a": pd.array(a, dtype="Float64"), "i": b}),
        "boolean": pd.DataFrame({"a": a, "i": pd.array(b > 1, dtype="boolean")}),
        "category of ints": pd.DataFrame({"a": a, "c": pd.Categorical(b)}),
        "object of numbers": pd.DataFrame({"a": a, "o": b.astype(object)}),
        "uint8 and float32": pd.DataFrame({"a": a.astype(np.float32), "u": b.astype(np.uint8)}),
    }
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        pass
    else:
        frames["pyarrow"] = pd.DataFrame({"a": pd.array(a, dtype="float64[pyarrow]"), "u": pd.array(b, dtype="int64[pyarrow]")})
    return frames


@pytest.mark.parametrize("discrete", ["auto", "last"])
@pytest.mark.parametrize("kind, ours, theirs, y", PAIRS, ids=[p[0] for p in PAIRS])
def test_dataframe_column_types_give_sklearn_numbers(kind: str, ours: Any, theirs: Any, y: np.ndarray,
                                                     discrete: Any) -> None:
    for name, df in _frames().items():
        df_arg = [df.shape[1] - 1] if discrete == "last" else discrete
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = np.asarray(theirs(df, y, discrete_features=df_arg, random_state=0), dtype=float)
        got = ours(df, y, discrete_features=df_arg, random_state=0)
        assert got.dtype == np.float64 and got.shape == want.shape, name
        assert np.max(np.abs(got - want)) <= 1e-10, (name, got, want)


def test_object_array_and_nullable_target() -> None:
    pd = pytest.importorskip("pandas")
    np.testing.assert_array_equal(
        fastmi.mutual_info_regression(X.astype(object), Y_REG, random_state=0),
        skfs.mutual_info_regression(X.astype(object), Y_REG, random_state=0),
    )
    y = pd.Series(pd.array(Y_CLS, dtype="Int64"))
    np.testing.assert_array_equal(
        fastmi.mutual_info_classif(X, y, random_state=0), skfs.mutual_info_classif(X, y, random_state=0)
    )
    yr = pd.Series(pd.array(Y_REG, dtype="Float64"))
    np.testing.assert_array_equal(
        fastmi.mutual_info_regression(X, yr, random_state=0), skfs.mutual_info_regression(X, yr, random_state=0)
    )


def test_text_column_named() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": X[:, 0], "city": ["x", "y"] * (N // 2)})
    with pytest.raises(InvalidParameterError, match=r"X must hold real numbers .*column 'city'"):
        fastmi.mutual_info_regression(df, Y_REG)
    with pytest.raises(ValueError):  # scikit-learn: could not convert string to float
        skfs.mutual_info_regression(df, Y_REG)


LABELS = np.array([0, 0, 1, 1, 2])
SCORE_BAD = {
    "different lengths": (LABELS, LABELS[:-1], None),
    "2-D labels": (np.c_[LABELS, LABELS], LABELS, None),
    "None labels": (None, LABELS, None),
    "scalar labels": (3, LABELS, None),
    "NaN label": (np.r_[LABELS[:-1], np.nan], LABELS, None),
    "1-D contingency": (None, None, np.array([1, 2])),
    "text contingency": (None, None, np.array([["a", "b"]])),
}


@pytest.mark.parametrize("name", list(SCORE_BAD))
def test_mutual_info_score_same_exception_class(name: str) -> None:
    from sklearn.metrics import mutual_info_score

    a, b, table = SCORE_BAD[name]
    want = _raised(mutual_info_score, a, b, contingency=table)
    got = _raised(fastmi.mutual_info_score, a, b, contingency=table)
    missing = _builtin_bases(want) - _builtin_bases(got)
    assert not missing, (name, repr(want), repr(got), missing)


# --------------------------------------------------------------------------- mi_feature_selection


def test_feature_selection_defaults_unchanged() -> None:
    from fastmi import reference

    rng = np.random.RandomState(3)
    Xs = rng.standard_normal((200, 6))
    y = (Xs[:, 2] + 0.5 * rng.standard_normal(200) > 0).astype(int)
    top, scores = fastmi.mi_feature_selection(Xs, y, n_features=4)
    want_top, want_scores = reference.mi_feature_selection(Xs, y, n_features=4)
    np.testing.assert_array_equal(top, want_top)
    np.testing.assert_array_equal(scores, want_scores)  # bit for bit
    top_r, scores_r = fastmi.mi_feature_selection(Xs, Xs[:, 1] + y, 3, "regression")
    want = skfs.mutual_info_regression(Xs, Xs[:, 1] + y, random_state=42)
    np.testing.assert_array_equal(scores_r, want[top_r])


def test_feature_selection_keywords_are_passed_on() -> None:
    rng = np.random.RandomState(4)
    Xs = np.c_[rng.standard_normal((150, 3)), rng.randint(0, 3, (150, 2))]
    y = Xs[:, 0] + Xs[:, 3] + 0.3 * rng.standard_normal(150)
    kw: dict[str, Any] = dict(random_state=7, discrete_features=[3, 4], n_neighbors=5)
    top, scores = fastmi.mi_feature_selection(Xs, y, 5, "regression", n_jobs=2, **kw)
    want = skfs.mutual_info_regression(Xs, y, **kw)
    np.testing.assert_array_equal(scores, want[top])
    np.testing.assert_array_equal(top, np.argsort(want)[::-1])
    # the extras change the numbers (so they are not ignored)
    _, default_scores = fastmi.mi_feature_selection(Xs, y, 5, "regression")
    assert not np.array_equal(np.sort(scores), np.sort(default_scores))
    with pytest.raises(TypeError):
        fastmi.mi_feature_selection(Xs, y, 5, "regression", 7)  # type: ignore[misc]
    with pytest.raises(InvalidParameterError, match="n_neighbors"):
        fastmi.mi_feature_selection(Xs, y, n_neighbors=0)
