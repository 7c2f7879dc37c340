"""The input matrix: what every public function accepts and what it refuses.

Accepted containers and dtypes must give exactly the result of the same values
as a float64 C-contiguous array; refused inputs must raise the documented
exception type with a message that names the offending argument. Functions
that are not in ``fastmi`` yet (the scikit-learn drop-ins) are skipped until
they exist; their argument names are read from their signatures.
"""
from __future__ import annotations

import inspect
import re
import resource
import time
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest

import fastmi
from fastmi._validation import as_samples
from fastmi.exceptions import InvalidParameterError

N = 200


def _ints(rng, shape):
    """Integer-valued float64 samples, wide enough that ties are rare."""
    return rng.integers(0, 1_000_000, size=shape).astype(np.float64)


def _labels(rng, shape, n_labels=3):
    return rng.integers(0, n_labels, size=shape).astype(np.float64)


@dataclass(frozen=True)
class Fn:
    name: str
    call: Callable  # call(fn, a, b, **kw)
    make: Callable  # rng -> (a, b): float64 C-contiguous base data
    labels: tuple = (False, False)  # which data arguments hold class labels
    needs_2d: tuple = (False, False)  # argument must be 2-D (n, p)
    only_1d: tuple = (False, False)  # argument must be 1-D (n,)
    k_name: str | None = None
    k_max_refused: bool = False  # k >= n is refused (not clamped per class)
    bins: bool = False
    object_numbers: tuple = (False, False)  # object arrays of numbers accepted, as scikit-learn does

    def function(self):
        if not hasattr(fastmi, self.name):
            pytest.skip(f"fastmi.{self.name} does not exist yet")
        return getattr(fastmi, self.name)

    def arg_names(self):
        return list(inspect.signature(self.function()).parameters)[:2]

    def has_param(self, param):
        return param in inspect.signature(self.function()).parameters

    def run(self, a, b, **kw):
        return self.call(self.function(), a, b, **kw)

    def data(self):
        return self.make(np.random.default_rng(20240607))


FNS = [
    Fn(
        "discrete_mi",
        lambda f, a, b, **kw: f(a, b, **kw),
        lambda rng: (_ints(rng, N), _ints(rng, N)),
        only_1d=(True, True),
        bins=True,
    ),
    Fn(
        "histogram2d",
        lambda f, a, b, **kw: f(a, b, **kw),
        lambda rng: (_ints(rng, N), _ints(rng, N)),
        only_1d=(True, True),
        bins=True,
    ),
    Fn(
        "ksg_mi",
        lambda f, a, b, **kw: f(a, b, **{"tie_breaking": "off", **kw}),  # conversions; ties: test_ties.py
        lambda rng: (_ints(rng, (N, 2)), _ints(rng, N)),
        k_name="k",
        k_max_refused=True,
    ),
    Fn(
        "mutual_info_regression",
        lambda f, a, b, **kw: f(a, b, random_state=0, **kw),
        lambda rng: (_ints(rng, (N, 3)), _ints(rng, N)),
        needs_2d=(True, False),
        only_1d=(False, True),
        k_name="n_neighbors",
        k_max_refused=True,
        object_numbers=(True, True),
    ),
    Fn(
        "mutual_info_classif",
        lambda f, a, b, **kw: f(a, b, random_state=0, **kw),
        lambda rng: (_ints(rng, (N, 3)), _labels(rng, N)),
        labels=(False, True),
        needs_2d=(True, False),
        only_1d=(False, True),
        k_name="n_neighbors",
        object_numbers=(True, False),
    ),
    Fn(
        "mutual_info_score",
        lambda f, a, b, **kw: f(a, b, **kw),
        lambda rng: (_labels(rng, N, 5), _labels(rng, N, 4)),
        labels=(True, True),
        only_1d=(True, True),
    ),
    Fn(
        "mi_feature_selection",
        lambda f, a, b, **kw: f(a, b, n_features=3, task="classification", **kw),
        lambda rng: (_ints(rng, (N, 6)), _labels(rng, N)),
        labels=(False, True),
        needs_2d=(True, False),
        only_1d=(False, True),
        object_numbers=(True, False),
    ),
]
FN_IDS = [f.name for f in FNS]
BY_NAME = {f.name: f for f in FNS}


def assert_same(got, want):
    """Bit-for-bit equality of floats, arrays and tuples of them."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w)
    elif isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray)
        assert got.shape == want.shape
        assert np.array_equal(got, want), (got, want)
    else:
        assert got == want, (got, want)


def names(arg, keyword):
    """Regex: the message names `arg` (whole word) and says `keyword` (any case)."""
    return rf"(?s)^(?=.*(?<![\w.]){arg}(?!\w))(?=.*(?i:{keyword}))"


# --------------------------------------------------------------------------
# accepted inputs: same result as float64 C-contiguous
# --------------------------------------------------------------------------


def _strided(a):
    """The same values as a view with a step of 2 along every axis."""
    step = (slice(None, None, 2),) * a.ndim
    big = np.zeros(tuple(2 * s for s in a.shape))
    big[step] = a
    view = big[step]
    assert not view.flags.c_contiguous and not view.flags.f_contiguous
    return view


def _readonly(a):
    r = a.copy()
    r.flags.writeable = False
    return r


def _pandas(a):
    pd = pytest.importorskip("pandas")
    return pd.Series(a) if a.ndim == 1 else pd.DataFrame(a)


def _tuple(a):
    return tuple(a.tolist()) if a.ndim == 1 else tuple(tuple(row) for row in a.tolist())


def _bool(a):
    return a > np.median(a, axis=0)


# name -> (convert(base) -> accepted input, applies(base) -> bool)
CONVERSIONS = {
    "list": (lambda a: a.tolist(), lambda a: True),
    "tuple": (_tuple, lambda a: True),
    "pandas": (_pandas, lambda a: True),
    "float32": (lambda a: a.astype(np.float32), lambda a: True),
    "int64": (lambda a: a.astype(np.int64), lambda a: True),
    "int32": (lambda a: a.astype(np.int32), lambda a: True),
    "uint32": (lambda a: a.astype(np.uint32), lambda a: True),
    "bool": (_bool, lambda a: True),
    "fortran": (np.asfortranarray, lambda a: a.ndim == 2),
    "strided": (_strided, lambda a: True),
    "readonly": (_readonly, lambda a: True),
}


@pytest.mark.parametrize("conversion", list(CONVERSIONS))
@pytest.mark.parametrize("which", [0, 1], ids=["arg0", "arg1"])
@pytest.mark.parametrize("fn", FNS, ids=FN_IDS)
def test_accepted_same_result(fn, which, conversion):
    convert, applies = CONVERSIONS[conversion]
    data = list(fn.data())
    if not applies(data[which]):
        pytest.skip(f"{conversion} does not apply to a {data[which].ndim}-D argument")
    if conversion == "bool":
        data[which] = _bool(data[which]).astype(np.float64)  # the values after conversion
    given = list(data)
    given[which] = convert(data[which])
    want = fn.run(*data)
    got = fn.run(*given)
    assert_same(got, want)


def test_no_copy_where_none_is_needed():
    pd = pytest.importorskip("pandas")
    a = np.random.default_rng(0).standard_normal((50, 3))
    col = a[:, 0].copy()
    ro = col.copy()
    ro.flags.writeable = False
    no_copy = {
        "float64 1-D": col,
        "float64 2-D": a,
        "contiguous row slice": a[10:20],
        "read-only": ro,
        "pandas Series": pd.Series(col, copy=False),
        "one-column DataFrame": pd.DataFrame({"c": col}, copy=False),
    }
    for label, value in no_copy.items():
        base = value if isinstance(value, np.ndarray) else value.to_numpy()
        out = as_samples(value, "x")
        assert out.dtype == np.float64 and out.flags.c_contiguous, label
        assert np.shares_memory(out, base), f"{label} was copied"
    # A copy is unavoidable for these, and then the input must not be aliased.
    needs_copy = {
        "float32": col.astype(np.float32),
        "int64": np.arange(50),
        "strided": a[::2, 0],
        "Fortran 2-D": np.asfortranarray(a),
    }
    for label, value in needs_copy.items():
        out = as_samples(value, "x")
        assert out.dtype == np.float64 and out.flags.c_contiguous, label
        assert not np.shares_memory(out, value), label
        np.testing.assert_array_equal(out, value, err_msg=label)


def test_readonly_input_is_not_modified():
    # The drop-ins add noise to a copy; nothing may write into the caller's arrays.
    for fn in FNS:
        if not hasattr(fastmi, fn.name):
            continue
        a, b = fn.data()
        a0, b0 = a.copy(), b.copy()
        a.flags.writeable = False
        b.flags.writeable = False
        fn.run(a, b)
        assert np.array_equal(a, a0) and np.array_equal(b, b0), fn.name


# --------------------------------------------------------------------------
# refused inputs
# --------------------------------------------------------------------------

_DTYPE_KEYWORD = r"dtype|real|numeric|number"


def _with(a, i, value):
    a = a.copy()
    a.flat[i] = value
    return a


def _3d(a):
    return a.reshape(a.shape[0], -1, 1)


# name -> (make bad argument from base, exception type, message keyword, applies(fn, which))
REFUSALS = {
    "object": (lambda a: a.astype(object), TypeError, _DTYPE_KEYWORD, "not_labels_nor_object_numbers"),
    "string": (lambda a: a.astype(str), TypeError, _DTYPE_KEYWORD, "not_labels"),
    "complex": (lambda a: a.astype(complex), TypeError, _DTYPE_KEYWORD, "not_labels"),
    "0-d": (lambda a: np.float64(1.5), ValueError, r"scalar|0-d|0d|dim", "all"),
    "python scalar": (lambda a: 3, ValueError, r"scalar|0-d|0d|dim", "all"),
    "3-D": (_3d, ValueError, r"3-D|3d|dim", "all"),
    "2-D": (lambda a: np.column_stack([a, a]), ValueError, r"1-D|1d|dim", "only_1d"),
    "1-D": (lambda a: a[:, 0].copy(), ValueError, r"2-D|2d|dim", "needs_2d"),
    "empty": (lambda a: a[:0], ValueError, r"empty|0 sample", "all"),
    "no columns": (lambda a: a[:, :0], ValueError, r"column|feature|shape", "is_2d"),
    "ragged": (lambda a: [[1.0, 2.0], [3.0]], ValueError, r"convert|inhomogeneous|sequence|ragged", "all"),
    "NaN": (lambda a: _with(a, 5, np.nan), ValueError, r"NaN", "all"),
    "+inf": (lambda a: _with(a, 5, np.inf), ValueError, r"inf", "all"),
    "-inf": (lambda a: _with(a, 5, -np.inf), ValueError, r"inf", "all"),
}


def _applies(rule, fn, which, base):
    return {
        "all": True,
        "not_labels": not fn.labels[which],
        "not_labels_nor_object_numbers": not fn.labels[which] and not fn.object_numbers[which],
        "only_1d": fn.only_1d[which],
        "needs_2d": fn.needs_2d[which],
        "is_2d": base.ndim == 2,
    }[rule]


@pytest.mark.parametrize("case", list(REFUSALS))
@pytest.mark.parametrize("which", [0, 1], ids=["arg0", "arg1"])
@pytest.mark.parametrize("fn", FNS, ids=FN_IDS)
def test_refused(fn, which, case):
    make_bad, exc, keyword, rule = REFUSALS[case]
    data = list(fn.data())
    if not _applies(rule, fn, which, data[which]):
        pytest.skip(f"{case} is not a refusal for this argument")
    arg = fn.arg_names()[which]
    data[which] = make_bad(data[which])
    with pytest.raises(exc, match=names(arg, keyword)):
        fn.run(*data)


@pytest.mark.parametrize("which", [0, 1], ids=["arg0-short", "arg1-short"])
@pytest.mark.parametrize("fn", FNS, ids=FN_IDS)
def test_mismatched_lengths(fn, which):
    data = list(fn.data())
    data[which] = data[which][:-1]
    a, b = fn.arg_names()
    pattern = names(a, r"same number|inconsistent|length|samples") + rf"(?=.*(?<![\w.]){b}(?!\w))"
    with pytest.raises(ValueError, match=pattern):
        fn.run(*data)


@pytest.mark.parametrize("name", ["discrete_mi", "histogram2d"])
def test_two_d_refusal_message_does_not_offer_2d(name):
    # The 1-D-only functions once said "must be 1-D (n,) or 2-D (n, d)".
    with pytest.raises(ValueError, match=r"^x must be 1-D \(n,\); got a 2-D array") as info:
        getattr(fastmi, name)(np.zeros((10, 2)), np.arange(10.0))
    assert "2-D (n, d)" not in str(info.value)


# --------------------------------------------------------------------------
# k / n_neighbors
# --------------------------------------------------------------------------

K_FNS = [f for f in FNS if f.k_name]


@pytest.mark.parametrize(
    "value, exc, keyword",
    [
        (0, ValueError, r">= 1|positive|greater|at least|range"),
        (-1, ValueError, r">= 1|positive|greater|at least|range"),
        (1.5, TypeError, r"integer|int"),
        (3.0, TypeError, r"integer|int"),
        ("3", TypeError, r"integer|int"),
        (None, TypeError, r"integer|int"),
        (True, TypeError, r"integer|int"),
    ],
    ids=["0", "-1", "1.5", "3.0", "str", "None", "True"],
)
@pytest.mark.parametrize("fn", K_FNS, ids=[f.name for f in K_FNS])
def test_k_refused(fn, value, exc, keyword):
    fn.function()
    with pytest.raises(exc, match=names(fn.k_name, keyword)):
        fn.run(*fn.data(), **{fn.k_name: value})


@pytest.mark.parametrize("excess", [0, 1, 10**12], ids=["n", "n+1", "huge"])
@pytest.mark.parametrize("fn", [f for f in K_FNS if f.k_max_refused], ids=lambda f: f.name)
def test_k_at_least_n_refused(fn, excess):
    fn.function()
    with pytest.raises(ValueError, match=names(fn.k_name, rf"{N}|number of samples|smaller")):
        fn.run(*fn.data(), **{fn.k_name: N + excess})


def test_k_numpy_integer_accepted():
    x, y = BY_NAME["ksg_mi"].data()
    assert fastmi.ksg_mi(x, y, k=np.int32(4)) == fastmi.ksg_mi(x, y, k=4)
    assert fastmi.ksg_mi(x[:2], y[:2], k=1) >= 0.0  # smallest valid problem


def test_legacy_must_be_bool():
    x, y = BY_NAME["ksg_mi"].data()
    with pytest.raises(TypeError, match=names("legacy", "True or False")):
        fastmi.ksg_mi(x, y, legacy="yes")


# --------------------------------------------------------------------------
# bins
# --------------------------------------------------------------------------

BIN_FNS = [f.name for f in FNS if f.bins]


@pytest.mark.parametrize(
    "bins, exc, arg, keyword",
    [
        (0, ValueError, "bins", "positive"),
        (-3, ValueError, "bins", "positive"),
        ([4, 0], ValueError, r"bins\[1\]", "positive"),
        (1.5, TypeError, "bins", "integer"),
        (np.float64(10.0), TypeError, "bins", "integer"),
        ([4, 2.5], TypeError, r"bins\[1\]", "integer"),
        ("10", TypeError, "bins", "integer"),
        (True, TypeError, "bins", "integer"),
        (None, TypeError, "bins", "integer"),
        ([5], ValueError, "bins", "length 1"),
        ([], ValueError, "bins", "at least two"),
        ([0.0, np.nan, 1.0], ValueError, "bins", "finite"),
        ([0.0, 2.0, 1.0], ValueError, "bins", "increasing"),
        ([[0.0, 1.0, 2.0]] * 3, ValueError, "bins", "1-D|scalar"),
    ],
    ids=[
        "0", "-3", "pair-with-0", "1.5", "np.float64", "pair-with-float", "str", "True", "None",
        "length-1", "empty-edges", "nan-edge", "decreasing-edges", "2-D-edges",
    ],
)
@pytest.mark.parametrize("name", BIN_FNS)
def test_bins_refused(name, bins, exc, arg, keyword):
    x, y = BY_NAME[name].data()
    with pytest.raises(exc, match=names(arg, keyword)):
        getattr(fastmi, name)(x, y, bins=bins)


@pytest.mark.parametrize(
    "bins, size",
    [
        (10**9, "1000000000 x 1000000000"),
        ([2**14, 2**14 + 1], "16384 x 16385"),  # just above the cap
        ([1, 2**40], "1 x 1099511627776"),
        (np.linspace(0.0, 1e6, 2**15), "32767 x 32767"),  # explicit edges, 8 GiB table
    ],
    ids=["1e9", "just-over-cap", "2^40-one-axis", "edges-8GiB"],
)
@pytest.mark.parametrize("name", BIN_FNS)
def test_huge_bins_refused_before_allocating(name, bins, size):
    x, y = BY_NAME[name].data()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    t0 = time.perf_counter()
    if name != "discrete_mi":  # a dense table returned: the cells are capped
        with pytest.raises(ValueError, match=names("bins", re.escape(size) + r".*cells")):
            getattr(fastmi, name)(x, y, bins=bins)
    elif max(int(v) for v in size.split(" x ")) > 2**28:  # the edges of one axis are capped
        with pytest.raises(ValueError, match=r"bins on one axis"):
            fastmi.discrete_mi(x, y, bins=bins)
    else:  # discrete_mi counts the occupied cells only
        assert np.isfinite(fastmi.discrete_mi(x, y, bins=bins))
    assert time.perf_counter() - t0 < 1.0
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert grown_mib < 64, f"peak memory grew by {grown_mib:.0f} MiB before refusing"


@pytest.mark.parametrize("name", BIN_FNS)
def test_bins_numpy_integer_and_pair_accepted(name):
    x, y = BY_NAME[name].data()
    f = getattr(fastmi, name)
    assert_same(f(x, y, bins=np.int64(7)), f(x, y, bins=7))
    assert_same(f(x, y, bins=[np.int32(7), 7]), f(x, y, bins=7))


# --------------------------------------------------------------------------
# n_jobs
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n_jobs, exc, keyword",
    [
        (0, ValueError, "positive|0"),
        (1.5, TypeError, "integer"),
        ("a", TypeError, "integer"),
        (True, TypeError, "integer"),
        (2.0, TypeError, "integer"),
    ],
    ids=["0", "1.5", "str", "True", "2.0"],
)
@pytest.mark.parametrize("fn", FNS, ids=FN_IDS)
def test_n_jobs_refused(fn, n_jobs, exc, keyword):
    if not fn.has_param("n_jobs"):
        pytest.skip(f"{fn.name} takes no n_jobs")
    with pytest.raises(exc, match=names("n_jobs", keyword)):
        fn.run(*fn.data(), n_jobs=n_jobs)


@pytest.mark.parametrize("fn", FNS, ids=FN_IDS)
def test_n_jobs_negative_and_none_accepted(fn):
    if not fn.has_param("n_jobs"):
        pytest.skip(f"{fn.name} takes no n_jobs")
    data = fn.data()
    want = fn.run(*data, n_jobs=1)
    for n_jobs in (None, -1, -2, -1000, 2, 64):
        assert_same(fn.run(*data, n_jobs=n_jobs), want)


@pytest.mark.parametrize("name", ["discrete_mi", "histogram2d", "ksg_mi", "mutual_info_regression", "mutual_info_classif"])
def test_n_jobs_beyond_int_range(name):
    fn = BY_NAME[name]
    data = fn.data()
    try:
        got = fn.run(*data, n_jobs=10**10)
    except ValueError as exc:  # refusing it is fine, if the message names it
        assert "n_jobs" in str(exc)
    else:  # or treating it as "more threads than there is work"
        assert_same(got, fn.run(*data, n_jobs=1))


# --------------------------------------------------------------------------
# constant input and ties
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["discrete_mi", "mutual_info_score"])
@pytest.mark.parametrize("which", [0, 1])
def test_constant_input_gives_zero(name, which):
    fn = BY_NAME[name]
    data = list(fn.data())
    data[which] = np.full_like(data[which], 7.25 if name == "discrete_mi" else 2.0)
    assert fn.run(*data) == 0.0
    if name == "discrete_mi":
        assert fn.run(*data, bins=[3, 50]) == 0.0


def test_constant_discrete_feature_scores_zero():
    fn = BY_NAME["mutual_info_classif"]
    X, y = fn.data()
    X = np.round(X / 200_000)  # a few discrete levels
    X[:, 1] = 4.0
    scores = fn.run(X, y, discrete_features=True)
    assert scores[1] == 0.0


@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("which", [0, 1])
def test_ksg_constant_column_gives_zero(which, k, legacy):
    # A single-valued variable has no entropy: exactly 0, against continuous
    # data (KSG's arithmetic alone leaves ~1e-15 here) and against equally
    # spaced data (where it would read 1.41 bits into the distance ties).
    rng = np.random.default_rng(k)
    for other in (rng.standard_normal(300), np.arange(300.0), rng.standard_normal((300, 2))):
        data = [other, other]
        data[which] = np.full(300, -3.5)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # and nothing to warn about
            assert fastmi.ksg_mi(*data, k=k, legacy=legacy) == 0.0


def test_ksg_both_constant_gives_zero_without_estimating():
    # a single-valued variable has no entropy: exactly 0, nothing to warn about
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = fastmi.ksg_mi(np.full(300, 1.0), np.full(300, 2.0))
    assert got == 0.0


@pytest.mark.parametrize("legacy", [False, True])
def test_ksg_heavy_ties_warn_never_nan(legacy):
    rng = np.random.default_rng(3)
    x = rng.integers(0, 3, 1000).astype(float)
    y = (x + rng.integers(0, 2, 1000)).astype(float)
    with pytest.warns(fastmi.TiedSamplesWarning, match=r"(?s)(distance 0|repeated values).*noise.*discrete_mi"):
        got = fastmi.ksg_mi(x, y, k=3, legacy=legacy)
    assert np.isfinite(got) and got >= 0.0


def test_ksg_no_warning_without_zero_distances():
    x, y = BY_NAME["ksg_mi"].data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fastmi.ksg_mi(x, y)


@pytest.mark.parametrize("base", [0.5, 1e-300, 0.999])
def test_base_below_one_refused(base):
    # a base in (0, 1) turns every information negative: ksg_mi and pairwise_mi
    # (clipped at 0) reported 0.0 for any dependence while discrete_mi and
    # mi_test returned negative values; every function refuses it alike
    rng = np.random.default_rng(0)
    x = rng.standard_normal(60)
    y, z = x + rng.standard_normal(60), rng.standard_normal(60)
    calls = [
        lambda: fastmi.ksg_mi(x, y, base=base),
        lambda: fastmi.discrete_mi(x, y, base=base),
        lambda: fastmi.conditional_mi(x, y, z, base=base),
        lambda: fastmi.entropy(x, base=base),
        lambda: fastmi.pairwise_mi(np.column_stack([x, y]), base=base),
        lambda: fastmi.mi_test(x, y, n_permutations=3, base=base),
        lambda: fastmi.info_from_pmf([[0.4, 0.1], [0.1, 0.4]], base=base),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="base must be a finite number > 1"):
            call()


# --------------------------------------------------------------------------
# missing values among labels (object arrays, pandas text and categorical columns)
# --------------------------------------------------------------------------


# (label, the call on labels a beside other labels b, the argument's name, the exception class):
# fastmi's own functions raise ValueError; the drop-ins a ValueError that is also a TypeError,
# as scikit-learn raises ValueError for NaN and TypeError for None or pandas.NA among text
LABEL_CALLS = [
    ("entropy", lambda a, b: fastmi.entropy(a, method="discrete"), "x", ValueError),
    ("conditional_mi-x", lambda a, b: fastmi.conditional_mi(a, b, np.zeros(len(b)), method="discrete"),
     "x", ValueError),
    ("conditional_mi-y", lambda a, b: fastmi.conditional_mi(b, a, b, method="discrete"), "y", ValueError),
    ("conditional_mi-z", lambda a, b: fastmi.conditional_mi(b, b, a, method="discrete"), "z", ValueError),
    ("mutual_info_score", lambda a, b: fastmi.mutual_info_score(a, b), "labels_true", InvalidParameterError),
    ("mutual_info_score-pred", lambda a, b: fastmi.mutual_info_score(b, a), "labels_pred",
     InvalidParameterError),
    ("mutual_info_classif", lambda a, b: fastmi.mutual_info_classif(
        np.column_stack([b, b[::-1]]).astype(float), a, random_state=0), "y", InvalidParameterError),
]


def _missing_kinds():
    """(id, the labels with missing values at rows 1, 2, 5, 7, 8, 11, ..., how the message names it)."""
    def labels(good, missing):
        return np.array([good[0], missing, missing, good[1], good[0], missing] * 10, dtype=object)

    yield "NaN among numbers", labels([1.0, 2.0], np.nan), "NaN"
    yield "NaN among text", labels(["a", "b"], float("nan")), "NaN"
    yield "None among text", labels(["a", "b"], None), "None"
    yield "None among ints", labels([1, 2], None), "None"
    yield "NaT", labels([1.0, 2.0], np.datetime64("NaT")), "NaT"
    yield "float32 NaN", labels([1.0, 2.0], np.float32("nan")), "NaN"


@pytest.mark.parametrize("kind", list(_missing_kinds()), ids=lambda k: k[0])
@pytest.mark.parametrize("call", LABEL_CALLS, ids=lambda c: c[0])
def test_missing_labels_refused_with_their_row(call, kind):
    # np.unique counted every NaN as a label of its own (NaN != NaN): entropy 2.585 bits
    # instead of a refusal, mutual_info_score 0.693 where scikit-learn raises; None among
    # text gave "labels that cannot be compared with each other"
    _, fn, name, exc = call
    _, a, what = kind
    b = np.array([0, 1, 1, 0, 0, 1] * 10)
    with pytest.raises(exc, match=rf"^{name} contains {what} at row 1 \(30 missing values in all\); "
                                  r"every sample must have a label"):
        fn(a, b)


@pytest.mark.parametrize("call", LABEL_CALLS, ids=lambda c: c[0])
def test_missing_labels_of_pandas_columns_refused(call):
    pd = pytest.importorskip("pandas")
    _, fn, name, exc = call
    b = np.array([0, 1, 1, 0, 0, 1] * 10)
    text = ["a", None, "b", "a", "b", "a"] * 10
    # a column's missing value is read as pandas gives it (NaN, None or pd.NA, by version and path)
    for column in (pd.Series(text, dtype="string"),  # gave "boolean value of NA is ambiguous"
                   pd.Series(text, dtype="category"),
                   pd.Series(text, dtype=object),
                   pd.Series(text),  # pandas' own text dtype
                   pd.Series([1.0, pd.NaT, 2.0, 1.0, 2.0, 1.0] * 10, dtype=object),
                   pd.Series(np.array(["a", pd.NA, "b", "a", "b", "a"] * 10, dtype=object))):
        with pytest.raises(exc, match=rf"^{name} contains (NaN|None|NaT|pd\.NA) at row 1 "
                                      r"\(10 missing values in all\); every sample must have a label"):
            fn(column, b)


def test_missing_labels_of_a_2d_array_name_their_column():
    x = np.array([["a", "b"], ["a", None], ["b", "b"], ["a", None]], dtype=object)
    with pytest.raises(ValueError, match=r"^x\[:, 1\] contains None at row 1 \(2 missing values in all\)"):
        fastmi.entropy(x, method="discrete")


def test_missing_labels_refused_without_pandas(monkeypatch):
    # where pandas is not imported, one comparison per label finds them alike
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    for missing, what in ((None, "None"), (np.nan, "NaN"), (np.datetime64("NaT"), "NaT")):
        a = np.array(["a", "b", missing, "a", missing], dtype=object)
        with pytest.raises(ValueError, match=rf"^x contains {what} at row 2 \(2 missing values in all\)"):
            fastmi.entropy(a, method="discrete")


# --------------------------------------------------------------------------
# n_jobs: joblib's rule for negative values, said in the message
# --------------------------------------------------------------------------


def test_n_jobs_zero_message_names_the_negative_values():
    # the message said "a positive integer, -1 (all cores) or None" while -2, -3, ...
    # (all but one, all but two) and -1000 (1 thread) were taken
    x, y = BY_NAME["ksg_mi"].data()
    with pytest.raises(ValueError, match=re.escape(
            "n_jobs must be a positive integer (that many threads), a negative one (-1: all cores, "
            "-2: all but one, ...: cores + 1 + n_jobs, at least 1) or None; got 0")):
        fastmi.ksg_mi(x, y, n_jobs=0)


# --------------------------------------------------------------------------
# ksg_mi(x, x)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [{}, {"legacy": True}, {"algorithm": 2}], ids=["published", "legacy", "alg2"])
@pytest.mark.parametrize("same", ["object", "copy", "2-D"])
def test_ksg_of_the_same_samples_warns(kwargs, same):
    # ksg_mi(x, x) is psi(n) - psi(k) (8.6 bits at n = 1000, k = 3), not an estimate of
    # anything: I(X;X) of a continuous X is infinite
    x = np.random.default_rng(0).standard_normal(1000)
    if same == "2-D":
        x = x.reshape(500, 2)
    y = x if same == "object" else x.copy()
    with pytest.warns(RuntimeWarning, match=r"^x and y are the same samples: the mutual information of a "
                                            r"continuous variable with itself is infinite.*fastmi\.entropy"):
        got = fastmi.ksg_mi(x, y, **kwargs)
    assert np.isfinite(got)


def test_ksg_same_samples_warning_only_where_the_estimate_means_nothing():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1000)
    c = rng.integers(0, 4, 1000).astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastmi.TiedSamplesWarning)
        # the estimator sees the same continuous samples twice: a continuous column beside a
        # tied one, a 1-D x and its (n, 1) column
        with pytest.warns(RuntimeWarning, match="^x and y are the same samples"):
            fastmi.ksg_mi(x, x.reshape(-1, 1))
        with pytest.warns(RuntimeWarning, match="^x and y are the same samples"):
            both = np.column_stack([c, x])
            fastmi.ksg_mi(both, both.copy())
        # a continuous x with one repeated value: tiny noise on its copies, still the same samples
        dup = x.copy()
        dup[1] = dup[0]
        with pytest.warns(RuntimeWarning, match="^x and y are the same samples"):
            assert fastmi.ksg_mi(dup, dup.copy()) > 5.0
        warnings.simplefilter("error", RuntimeWarning)
        fastmi.ksg_mi(x, x[::-1].copy())
        fastmi.ksg_mi(x, np.column_stack([x, x]))  # other shapes
        assert fastmi.ksg_mi(np.ones(50), np.ones(50)) == 0.0  # constant: no estimate is made
        fastmi.discrete_mi(x, x)  # the entropy of the binned x: finite, meaningful
        fastmi.mutual_info_score(x > 0, x > 0)
        # a discrete-valued x: y takes other tie-breaking noise, and ksg_mi(c, c) estimates H(c)
        assert abs(fastmi.ksg_mi(c, c) - 2.0) < 0.05
        assert abs(fastmi.ksg_mi(c, c, tie_breaking="noise") - 2.0) < 0.05
        # ... and without noise the zero radii have their own warning (TiedSamplesWarning)
        fastmi.ksg_mi(c, c, tie_breaking="off")


def test_conditional_mi_and_mi_test_of_the_same_samples_warn():
    # I(X;X|Z) = H(X|Z) is infinite for a continuous x, and mi_test(x, x)'s statistic is
    # reached by no permutation (p = 1 / (1 + n_permutations) whatever the data)
    rng = np.random.default_rng(1)
    z = rng.standard_normal(600)
    x = z + rng.standard_normal(600)
    c = rng.integers(0, 4, 600).astype(np.float64)
    with pytest.warns(RuntimeWarning, match=r"^x and y are the same samples: .*given z too \(I\(X;X\|Z\) = H"):
        assert fastmi.conditional_mi(x, x.copy(), z) > 3.0
    with pytest.warns(RuntimeWarning, match=r"^x and y are the same samples: .*no permutation reaches it"):
        res = fastmi.mi_test(x, x.copy(), z, n_permutations=19, random_state=0)
    assert res.pvalue == 1 / 20
    with pytest.warns(RuntimeWarning, match=r"^x and y are the same samples: .*no permutation reaches it"):
        fastmi.mi_test(x, x, n_permutations=9, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", fastmi.TiedSamplesWarning)
        y = z + rng.standard_normal(600)
        fastmi.conditional_mi(x, y, z)
        fastmi.mi_test(x, y, z, n_permutations=9, random_state=0)
        fastmi.conditional_mi(x, x, z, method="binned")  # a plug-in estimate: finite, meaningful
        # a discrete-valued x: y takes other tie-breaking noise
        fastmi.conditional_mi(c, c, z)
        fastmi.mi_test(c, c, n_permutations=9, random_state=0)


# --------------------------------------------------------------------------
# small ones
# --------------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda x: fastmi.ksg_mi(x, np.arange(100.0)),
    lambda x: fastmi.ksg_mi(np.arange(100.0), x),
    lambda x: fastmi.entropy(x),
    lambda x: fastmi.conditional_mi(np.arange(100.0), np.arange(100.0)[::-1].copy(), x),
], ids=["ksg-x", "ksg-y", "entropy", "cmi-z"])
def test_nan_in_1d_input_names_the_row_only(call):
    # a 1-D input's NaN was reported "at row 99, column 0"
    x = np.arange(100.0)
    x[99] = np.nan
    with pytest.raises(ValueError, match=r"contains NaN at row 99; every sample must be finite"):
        call(x)
    with pytest.raises(ValueError, match=r"contains NaN at row 99, column 1; every sample must be finite"):
        call(np.column_stack([np.arange(100.0), x]))


def _message(call: Callable[[], object]) -> str:
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("first", [np.nan, np.inf], ids=["NaN first", "infinity first"])
def test_binned_nonfinite_named_as_nearest_neighbour_paths_name_it(first):
    # the binned paths said "x contains NaN; every sample must be finite": no row, no
    # count, "NaN" where the variable held one anywhere; now check_finite's message for
    # the same input, word for word (the first non-finite value's row, its column in a
    # 2-D input, its kind, the count)
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal(50), rng.standard_normal(50)
    other = np.inf if np.isnan(first) else np.nan
    word = "NaN" if np.isnan(first) else "infinity"
    x = rng.standard_normal(50)
    x[3], x[7] = first, other
    X = rng.standard_normal((50, 3))
    X[9, 0], X[4, 1], X[4, 2] = other, first, other  # row 4 holds the first; in it, column 1
    one = rng.standard_normal(50)
    one[41] = first
    tail = "; every sample must be finite"
    for name, args in (("x", (x, b)), ("y", (a, x)), ("x", (one, b))):
        v = args[0] if name == "x" else args[1]
        want = f"{name} contains {word} at row {int(np.flatnonzero(~np.isfinite(v))[0])}" + (
            " (2 non-finite values in all)" if v is x else "") + tail
        assert _message(lambda: fastmi.ksg_mi(*args)) == want
        assert _message(lambda: fastmi.discrete_mi(*args)) == want
        assert _message(lambda: fastmi.discrete_mi(*args, bins=[3, np.linspace(-9.0, 9.0, 4)])) == want
        assert _message(lambda: fastmi.histogram2d(*args)) == want
    cases = [
        (x, f"x contains {word} at row 3 (2 non-finite values in all)"),
        (x[:, None], f"x contains {word} at row 3, column 0 (2 non-finite values in all)"),
        (X, f"x contains {word} at row 4, column 1 (3 non-finite values in all)"),
    ]
    for data, want in cases:
        want += tail
        assert _message(lambda: fastmi.entropy(data)) == want
        for method in ("binned", "miller_madow"):
            assert _message(lambda: fastmi.entropy(data, method=method)) == want
        z = want.replace("x contains", "z contains", 1)
        assert _message(lambda: fastmi.conditional_mi(a, b, data)) == z
        assert _message(lambda: fastmi.conditional_mi(a, b, data, method="binned")) == z
        if data.ndim == 2:
            big = want.replace("x contains", "X contains", 1)
            assert _message(lambda: fastmi.pairwise_mi(data)) == big
            assert _message(lambda: fastmi.pairwise_mi(data, method="binned")) == big
