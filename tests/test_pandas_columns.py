"""pandas extension dtypes and 64-bit integers in fastmi's own functions.

- A DataFrame whose columns are nullable (``Int64``, ``Float64``, ``boolean``,
  ``UInt8``) or pyarrow numbers is read as the same numbers as a float64 array
  (numpy's ``to_numpy`` gave dtype object, refused as not numeric, although
  the same column as a Series and the scikit-learn drop-ins took it); a missing
  value is NaN, refused with its row; a categorical or text column is refused
  by name.
- 64-bit integers beyond 2**53 in magnitude are refused by the nearest-neighbour
  estimators (float64 rounds them: 200 distinct values gave 173 "repeated
  values" and ksg_mi 0.0 instead of 5.3 bits), and taken by the binned and
  discrete ones.
"""
from __future__ import annotations

import numpy as np
import pytest

import fastmi

pd = pytest.importorskip("pandas")
# integer and boolean columns have ties: the same noise on both sides of each comparison
pytestmark = pytest.mark.filterwarnings("ignore::fastmi.TiedSamplesWarning")

N = 400


@pytest.fixture
def columns():
    rng = np.random.default_rng(0)
    a = rng.standard_normal(N)
    b = a + rng.standard_normal(N)
    c = rng.integers(0, 5, N)
    return a, b, c


def _frames(a, b, c):
    yield "Float64+float64", pd.DataFrame({"p": pd.Series(a, dtype="Float64"), "q": b})
    yield "Int64", pd.DataFrame({"p": pd.Series(c, dtype="Int64"), "q": pd.Series(c[::-1], dtype="Int64")})
    yield "boolean+UInt8", pd.DataFrame({"p": pd.Series(c > 2, dtype="boolean"),
                                         "q": pd.Series(c, dtype="UInt8")})
    pytest.importorskip("pyarrow")
    yield "pyarrow", pd.DataFrame({"p": pd.Series(a, dtype="float64[pyarrow]"),
                                   "q": pd.Series(c, dtype="int64[pyarrow]")})


CALLS = {
    "ksg_mi": lambda X: fastmi.ksg_mi(X.iloc[:, :1] if hasattr(X, "iloc") else X[:, :1],
                                      X.iloc[:, 1:] if hasattr(X, "iloc") else X[:, 1:]),
    "entropy": lambda X: fastmi.entropy(X, method="binned", bins=4),
    "pairwise_mi": lambda X: fastmi.pairwise_mi(X, method="binned", bins=5),
    "pairwise_mi-ksg": lambda X: fastmi.pairwise_mi(X),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_extension_dtype_frames_read_as_numbers(call, columns):
    for label, df in _frames(*columns):
        plain = np.column_stack([np.asarray(df[c].astype("float64")) for c in df.columns])
        got, want = CALLS[call](df), CALLS[call](plain)
        assert np.array_equal(np.asarray(got), np.asarray(want), equal_nan=True), label


def test_extension_dtype_series_and_frames_in_every_data_argument(columns):
    a, b, c = columns
    fa = pd.DataFrame({"a": pd.Series(a, dtype="Float64")})
    fz = pd.DataFrame({"z": pd.Series(c, dtype="Int64")})
    assert fastmi.conditional_mi(fa, b, fz) == fastmi.conditional_mi(a, b, c.astype(float))
    r1 = fastmi.mi_test(fa, b, fz, n_permutations=5, random_state=0)
    r2 = fastmi.mi_test(a, b, c.astype(float), n_permutations=5, random_state=0)
    assert r1.statistic == r2.statistic and np.array_equal(r1.null_distribution, r2.null_distribution)
    assert fastmi.entropy(fa) == fastmi.entropy(a)


def test_missing_value_refused_with_its_row(columns):
    a, b, _ = columns
    p = pd.Series(a, dtype="Float64")
    p[7] = pd.NA
    with pytest.raises(ValueError, match="NaN at row 7"):
        fastmi.pairwise_mi(pd.DataFrame({"p": p, "q": b}))


def test_non_numeric_column_refused_by_name(columns):
    a, b, _ = columns
    df = pd.DataFrame({"p": a, "kind": pd.Categorical(np.where(b > 0, "hi", "lo"))})
    with pytest.raises(TypeError, match="column 'kind' must hold real numbers.*category"):
        fastmi.pairwise_mi(df)


# --------------------------------------------------------------------------- integers beyond 2**53


def _big_integers():
    rng = np.random.default_rng(1)
    top = np.iinfo(np.int64).max
    x = (top - rng.choice(100_000, 200, replace=False)).astype(np.int64)  # 200 distinct values
    y = x - rng.integers(0, 1000, 200)
    return x, y


@pytest.mark.parametrize("call", [
    lambda x, y: fastmi.ksg_mi(x, y),
    lambda x, y: fastmi.ksg_mi(x, y, legacy=True),
    lambda x, y: fastmi.ksg_mi(x, y, algorithm=2),
    lambda x, y: fastmi.entropy(x),
    lambda x, y: fastmi.conditional_mi(x, y, y),
    lambda x, y: fastmi.mi_test(x, y, n_permutations=3),
    lambda x, y: fastmi.pairwise_mi(np.column_stack([x, y])),
])
def test_integers_beyond_2_53_refused_by_neighbour_estimators(call):
    x, y = _big_integers()
    with pytest.raises(ValueError, match=r"beyond 2\*\*53 in magnitude"):
        call(x, y)


def test_integers_beyond_2_53_taken_elsewhere():
    x, y = _big_integers()
    off = np.iinfo(np.int64).max - 200_000
    assert fastmi.ksg_mi(x - off, y - off) > 4.0  # the offset data: no ties (it gave 0.0 with ties)
    assert fastmi.entropy(x, method="discrete") == pytest.approx(np.log2(200), abs=1e-12)
    assert fastmi.mutual_info_score(x, x) == pytest.approx(np.log(200), abs=1e-12)
    assert np.isfinite(fastmi.discrete_mi(x, y, bins=10))
    # within 2**53, int64 stays exact
    ok = np.arange(2**53 - 300, 2**53, dtype=np.int64)
    assert np.isfinite(fastmi.ksg_mi(ok, ok[::-1].copy()))


@pytest.mark.parametrize("dtype", ["int64", "Int64"])
def test_big_integer_column_beside_a_float_column_refused(dtype):
    # stacking made the integer column float64 before the check: two values 2 apart at
    # 2**60 became one, and pairwise_mi answered without an error
    x = np.random.default_rng(0).normal(size=50)
    a = np.array([2**60 + 1, 2**60 + 3] + list(range(48)), dtype=np.int64)
    df = pd.DataFrame({"a": pd.Series(a, dtype=dtype), "b": x})
    with pytest.raises(ValueError, match=r"X column 'a' holds the integer .*beyond 2\*\*53"):
        fastmi.pairwise_mi(df)
    with pytest.raises(ValueError, match=r"x column 'a' holds the integer"):
        fastmi.entropy(df)
    with pytest.raises(ValueError, match=r"x column 'a' holds the integer"):
        fastmi.ksg_mi(df, x)
    assert np.isfinite(fastmi.pairwise_mi(df, method="binned")[0, 1])  # the binned estimator takes it
