"""Overflow in quantities derived from the data, and in integer counts.

Input can be finite and still make a derived quantity overflow: a column's
standard deviation or mean (scikit-learn's scaling), the tie-breaking noise, a
cast from long double to float64, a bin width, a k-th-neighbour distance, a
product of two counts. Each must give the right number or a ValueError naming
the argument (and column) before anything is written into the caller's
arrays, never NaN or garbage. Sparse joint tables (many more bins than
samples) must give the dense table's bits in O(n) memory. Tolerances are
stated per test; reference values come from exact integer arithmetic,
numpy, the slow reference or a brute-force computation.
"""
from __future__ import annotations

import math
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import fastmi
from fastmi import _native
from fastmi.sklearn import preprocess
from fastmi import reference as ref

DMAX = np.finfo(np.float64).max
LONG_DOUBLE_WIDER = np.finfo(np.longdouble).max > DMAX
needs_wide_long_double = pytest.mark.skipif(
    not LONG_DOUBLE_WIDER, reason="long double is float64 on this platform"
)


def sklearn_fs():
    return pytest.importorskip("sklearn.feature_selection")


# --------------------------------------------------------------------------- scikit-learn scaling


def pm_1e308(n=60):
    """A column whose std overflows: its pairwise sum gives inf - inf = NaN."""
    return np.array([1e308, -1e308] * (n // 2))


@pytest.mark.parametrize("target", ["constant", "two-class"])
def test_classif_std_overflow_refused_x_untouched(target):
    # was 1.27 nats for a constant target and 1.74 nats (> ln 2) for two classes,
    # with copy=False writing NaN into X
    y = np.zeros(60, int) if target == "constant" else np.arange(60) % 2
    X = np.c_[np.arange(60.0), pm_1e308(), np.ones(60)]
    before = X.copy()
    with pytest.raises(ValueError, match=r"X column 1 .*standard deviation overflows float64"):
        fastmi.mutual_info_classif(X, y, random_state=0, copy=False)
    np.testing.assert_array_equal(X, before)


def test_regression_std_overflow_refused_for_x_and_y():
    X = np.c_[np.arange(60.0), pm_1e308()]
    with pytest.raises(ValueError, match=r"X column 1 .*standard deviation overflows"):
        fastmi.mutual_info_regression(X, np.arange(60.0), random_state=0)
    with pytest.raises(ValueError, match=r"^y cannot be scaled.*standard deviation overflows float64"):
        fastmi.mutual_info_regression(np.arange(60.0)[:, None], pm_1e308(), random_state=0)
    with pytest.raises(ValueError, match=r"X column 1 "):
        fastmi.mi_feature_selection(X, np.arange(60) % 2)


def test_sklearn_refuses_the_nan_scale_too():
    fs = sklearn_fs()
    with pytest.warns(RuntimeWarning), pytest.raises(ValueError, match="NaN"):
        fs.mutual_info_classif(pm_1e308()[:, None], np.arange(60) % 2, random_state=0)


def test_infinite_std_refused_where_sklearn_zeroes_the_column():
    # Values near 1e200: the squares in the std overflow, std = inf, and
    # scikit-learn divides by it: the column becomes zeros plus noise, and a
    # feature that determines a balanced class scores ~0.03 nats, not ln 2.
    rng = np.random.default_rng(0)
    y = np.arange(60) % 2
    X = (y * 1e200 + rng.random(60) * 1e199)[:, None]
    with pytest.raises(ValueError, match=r"X column 0 .*standard deviation overflows.*1e\+200"):
        fastmi.mutual_info_classif(X, y, random_state=0)
    # the same feature divided by 1e190 is scored as it should be
    assert fastmi.mutual_info_classif(X / 1e190, y, random_state=0)[0] > 0.6


def test_parallel_preparation_names_the_right_column(monkeypatch):
    monkeypatch.setattr(preprocess, "_PARALLEL_PREP", 1)
    X = np.tile(np.arange(60.0)[:, None], (1, 7))
    X[:, 5] = pm_1e308()
    before = X.copy()
    with pytest.raises(ValueError, match=r"X column 5 "):
        fastmi.mutual_info_regression(X, np.arange(60.0), random_state=0, n_jobs=3, copy=False)
    np.testing.assert_array_equal(X, before)


def test_float16_target_whose_std_overflows():
    # float16 values above 256 have squares above float16's 65504: the std is
    # inf, scikit-learn divides y by it and returns ~0 for a perfect predictor
    x = np.random.default_rng(1).random(200)
    y = (300 * x).astype(np.float16)
    with pytest.raises(ValueError, match=r"^y cannot be scaled.*overflows float16"):
        fastmi.mutual_info_regression(x[:, None], y, random_state=0)
    assert fastmi.mutual_info_regression(x[:, None], y.astype(np.float64), random_state=0)[0] > 2.0


def test_noise_overflow_refused():
    # one sample at the largest float: std 0 (counts as 1), noise 1e-10 * 1.8e308 * N(0, 1)
    X = np.array([[DMAX]])
    refused = 0
    for seed in range(8):  # the noise overflows only when it is positive
        try:
            out = fastmi.mutual_info_classif(X, [0], random_state=seed)
        except ValueError as exc:
            assert re.search(r"X column 0 .*adding the tie-breaking noise overflows", str(exc))
            refused += 1
        else:
            assert out.tolist() == [0.0]
    assert 0 < refused < 8


def test_large_finite_values_still_match_sklearn():
    fs = sklearn_fs()
    rng = np.random.default_rng(3)
    y = np.arange(300) % 3
    X = np.c_[rng.standard_normal(300) * 1e150 + y * 1e150, rng.standard_normal(300) * 1e-300]
    np.testing.assert_array_equal(
        fastmi.mutual_info_classif(X, y, random_state=2), fs.mutual_info_classif(X, y, random_state=2)
    )
    yr = X[:, 0] + rng.standard_normal(300) * 1e150
    np.testing.assert_array_equal(
        fastmi.mutual_info_regression(X, yr, random_state=2), fs.mutual_info_regression(X, yr, random_state=2)
    )


# --------------------------------------------------------------------------- long double input


@needs_wide_long_double
def test_long_double_beyond_float64_refused():
    big = np.longdouble("1e400")
    X = np.array([[1.0, big], [2.0, -big]] * 30, dtype=np.longdouble)
    y = np.arange(60) % 2
    for f in (fastmi.mutual_info_classif, fastmi.mutual_info_regression):
        with pytest.raises(ValueError, match=r"X column 1 holds .*1e\+400.*beyond the float64 range"):
            f(X, y, random_state=0)
    with pytest.raises(ValueError, match=r"^y holds .*beyond the float64 range"):
        fastmi.mutual_info_regression(X[:, :1], X[:, 1], random_state=0)
    for f in (fastmi.ksg_mi, fastmi.discrete_mi):
        with pytest.raises(ValueError, match=r"^x holds .*beyond the float64 range"):
            f(X[:, 1], np.arange(60.0))
    # values that fit float64 are fine, and exactly those of the float64 array
    small = np.array([[1.0], [1e150]] * 30, dtype=np.longdouble)
    np.testing.assert_array_equal(
        fastmi.mutual_info_classif(small, y, random_state=0),
        fastmi.mutual_info_classif(small.astype(np.float64), y, random_state=0),
    )


@needs_wide_long_double
def test_sklearn_refuses_long_double_beyond_float64():
    fs = sklearn_fs()
    X = np.array([[np.longdouble("1e400")], [np.longdouble("-1e400")]] * 30, dtype=np.longdouble)
    with warnings.catch_warnings(), pytest.raises(ValueError, match="too large"):
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's cast and reductions
        fs.mutual_info_classif(X, np.arange(60) % 2, random_state=0)


# --------------------------------------------------------------------------- KSG radii


def gaussian_pair(n, d, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, d))
    y = x[:, :1] + 0.3 * rng.standard_normal((n, 1))
    return x, y / np.abs(y).max()


@pytest.mark.parametrize("n, d", [(50, 1), (400, 2), (3000, 1)])
def test_ksg_power_of_two_scaling_is_exact(n, d):
    # Scaling x and y by 2^e changes no comparison: the result must not
    # change, also where max - min overflows (2^1023) but no k-th distance does.
    x, y = gaussian_pair(n, d)
    want = fastmi.ksg_mi(x, y, 3)
    for e in (-900, 500, 1023):  # no value becomes subnormal
        assert fastmi.ksg_mi(x * 2.0**e, y * 2.0**e, 3) == want
    want = fastmi.ksg_mi(x, y, 3, legacy=True)
    assert fastmi.ksg_mi(x * 2.0**500, y * 2.0**500, 3, legacy=True) == want


@pytest.mark.parametrize("n, d", [(50, 1), (400, 2)])
def test_ksg_legacy_squared_distance_overflow_refused(n, d):
    # squared Euclidean distances overflow beyond about 1.3e154: every count
    # against an infinite radius is wrong (the reference listing gives 0.0 here)
    x, y = gaussian_pair(n, d)
    s = 2.0**600
    assert ref.ksg_mi(x, y, 3, legacy=True) > 0.2
    with pytest.raises(ValueError, match=r"squared Euclidean distance .* overflows float64: x column 0 spans"):
        fastmi.ksg_mi(x * s, y * s, 3, legacy=True)


def test_ksg_max_norm_radius_overflow_refused():
    x = np.array([-1e308, 1e308, -0.5e308])
    y = np.array([0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"max-norm distance from sample 0 .* x column 0 spans more than 1.8e308"):
        fastmi.ksg_mi(x, y, k=2)
    # halved, nothing overflows, and the result is the brute-force one
    assert fastmi.ksg_mi(x / 2, y / 2, k=2) == pytest.approx(ref.ksg_mi(x / 2, y / 2, k=2), abs=1e-12)


# --------------------------------------------------------------------------- binned widths


def test_bin_width_overflow_refused_like_numpy():
    x = np.array([-1e308, 1e308, 0.0, 5.0])
    y = np.arange(4.0)
    for bins in (10, [10, 3], [3, np.array([0.0, 1.0, 3.0])]):
        with np.errstate(all="ignore"), pytest.raises(ValueError):
            np.histogram2d(x, y, bins)
        for f in (fastmi.discrete_mi, fastmi.histogram2d):
            with pytest.raises(ValueError, match=r"x spans a range too large for uniform bins"):
                f(x, y, bins)


# --------------------------------------------------------------------------- sparse joint tables


def numpy_exact_mi(x, y, bins):
    """Plug-in MI in bits from numpy's bin indices and a dict of the occupied cells.

    The bins are numpy.histogramdd's (searchsorted on linspace edges, the last
    edge in the last bin); the sum runs over the occupied cells in row-major
    order with the dense table's operations: no table of all cells is made.
    """
    def bin_of(v, b):
        if np.ndim(b) == 0:
            lo, hi = v.min(), v.max()
            if lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            edges = np.linspace(lo, hi, b + 1)
        else:
            edges = np.asarray(b, dtype=np.float64)
        idx = np.searchsorted(edges, v, side="right") - 1
        idx[v == edges[-1]] = len(edges) - 2
        inside = (v >= edges[0]) & (v <= edges[-1])
        return idx, inside

    bx, by = bins if isinstance(bins, list) else (bins, bins)
    ix, okx = bin_of(x, bx)
    iy, oky = bin_of(y, by)
    cells, rows, cols = {}, {}, {}
    for i, j in zip(ix[okx & oky].tolist(), iy[okx & oky].tolist()):
        cells[(i, j)] = cells.get((i, j), 0) + 1
        rows[i] = rows.get(i, 0) + 1
        cols[j] = cols.get(j, 0) + 1
    nt = float(sum(cells.values()))
    mi = 0.0
    for (i, j) in sorted(cells):
        p = cells[(i, j)] / nt
        mi += p * math.log2(p / ((rows[i] / nt) * (cols[j] / nt)))
    return mi


def prepared(x, y, bins):
    from fastmi import binned

    return binned._prepare(x, y, bins, 1, dense=False)


LAYOUTS = (_native.TableLayout.dense, _native.TableLayout.sparse)


def layouts_mi(x, y, bins, n_jobs=1):
    x, y, ax, ay, _ = prepared(x, y, bins)
    return [_native.binned_mi_bits(x, y, ax, ay, layout, n_jobs, False)[0] for layout in LAYOUTS]


def layouts_counts(x, y, bins):
    x, y, ax, ay, _ = prepared(x, y, bins)
    return [_native.histogram2d(x, y, ax, ay, layout, 1, False) for layout in LAYOUTS]


def sparse_cases():
    rng = np.random.default_rng(5)
    n = 3000
    x = rng.standard_normal(n)
    y = 0.6 * x + 0.8 * rng.standard_normal(n)
    grid = np.round(rng.uniform(0, 4, n) * 4) / 4  # many values exactly on edges
    return [
        ("gauss-10", x, y, 10),
        ("gauss-700x900", x, y, [700, 900]),
        ("edges-with-outside", x, y, [np.linspace(-1, 1, 300), np.linspace(-0.5, 2, 400)]),
        ("mixed", x, y, [np.array([-3.0, -1.0, 0.0, 0.0, 2.0]), 5000]),
        ("on-edges", grid, grid[::-1].copy(), [16, np.linspace(0, 4, 17)]),
        ("constant-axis", np.full(n, 7.0), y, [3, 2000]),
        ("beyond-2^53", np.full(n, 2.0**60), y, [4, 512]),
    ]


@pytest.mark.parametrize("case", sparse_cases(), ids=lambda c: c[0])
def test_sparse_and_dense_tables_same_bits(case):
    _, x, y, bins = case
    dense, sparse = layouts_mi(x, y, bins)
    assert dense == sparse  # bit for bit
    assert layouts_mi(x, y, bins, n_jobs=3)[1] == sparse
    assert dense == pytest.approx(ref.discrete_mi(x, y, bins), rel=1e-12, abs=1e-14)
    assert sparse == pytest.approx(numpy_exact_mi(x, y, bins), rel=1e-12, abs=1e-14)
    counts_dense, counts_sparse = layouts_counts(x, y, bins)
    np.testing.assert_array_equal(counts_dense, counts_sparse)
    np.testing.assert_array_equal(counts_sparse, np.histogram2d(x, y, bins)[0])


RSS_SCRIPT = textwrap.dedent(
    """
    import resource, sys, time
    import numpy as np
    import fastmi
    from fastmi import reference as ref
    rng = np.random.default_rng(0)
    x, y = rng.random(10), rng.random(10)
    bins = eval(sys.argv[1])
    fastmi.discrete_mi(x, y, bins=3)  # warm up: threads, imports
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    mi = fastmi.discrete_mi(x, y, bins=bins)
    print(repr(mi), time.perf_counter() - t,
          (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024)
    """
)


@pytest.mark.parametrize(
    "bins", ["16384", "[2**28, 1]", "[1, 2**28]", "[2**14, 2**14]", "[np.linspace(0, 1, 2**20), 256]"]
)
def test_huge_sparse_bins_fast_and_small(bins):
    # were 3.2 GB (16384) and 13 s / 6.3 GB ([2**28, 1]) for ten samples
    out = subprocess.run([sys.executable, "-c", RSS_SCRIPT, bins], capture_output=True, text=True,
                         timeout=120, check=True)
    mi, seconds, grown_mib = out.stdout.split()
    rng = np.random.default_rng(0)
    x, y = rng.random(10), rng.random(10)
    # one bin on an axis: MI 0 exactly (and numpy's 2^28 edges would take 2 GiB here)
    want = 0.0 if "1]" in bins or "[1," in bins else numpy_exact_mi(x, y, eval(bins))
    assert float(mi) == pytest.approx(want, rel=1e-12, abs=1e-14)
    assert float(seconds) < 1.0
    assert float(grown_mib) < 64, f"peak memory grew by {grown_mib} MiB"


def test_histogram2d_dense_output_from_sparse_counts():
    # 10 samples in 300 x 400 cells: counted sparse, returned as numpy's dense table
    rng = np.random.default_rng(2)
    x, y = rng.random(10), rng.random(10)
    np.testing.assert_array_equal(fastmi.histogram2d(x, y, [300, 400]), np.histogram2d(x, y, [300, 400])[0])


def broadcast(value, n):
    """A 1-D array of length n that takes no memory."""
    return np.broadcast_to(value, (n,))


@pytest.mark.parametrize(
    "bins",
    [
        broadcast(np.float64(0.5), 2**40),
        broadcast(np.int64(1), 2**31),  # converting to float64 would take 16 GiB
        [broadcast(np.float32(1), 2**20), 2**9],
        [2**9, broadcast(np.float64(1), 2**20)],
        [2**15, 2**15 + 1],
    ],
    ids=["edges-2^40", "int-edges-2^31", "edges-and-int", "int-and-edges", "two-ints"],
)
def test_cap_refused_before_converting_edges(bins):
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    x = np.arange(5.0)
    with pytest.raises(ValueError, match=r"at most 268435456 cells"):  # a dense table returned
        fastmi.histogram2d(x, x, bins)
    if isinstance(bins, list):
        # no axis over 2**28 bins: discrete_mi counts the 2**29 or 2**30 cells for 5 samples
        # sparsely (the float32 edges of "edges-and-int" are all equal: every sample falls
        # in its last bin, so the MI is 0)
        want = np.log2(5) if all(isinstance(b, int) for b in bins) else 0.0
        assert fastmi.discrete_mi(x, x, bins) == pytest.approx(want, abs=1e-12)
    else:
        with pytest.raises(ValueError, match=r"at most 268435456 bins on one axis"):  # edges held natively
            fastmi.discrete_mi(x, x, bins)
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024 < 64


def test_discrete_mi_beyond_dense_cap_equals_pairwise_and_brute_force():
    # 10**6 x 10**6 bins: refused by discrete_mi while pairwise_mi, entropy and
    # conditional_mi took it; now counted sparsely, equal to pairwise_mi's entry and to
    # the plug-in sum over the occupied cells in row-major order
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal(500), rng.standard_normal(500)
    got = fastmi.discrete_mi(x, y, bins=10**6)
    M = fastmi.pairwise_mi(np.column_stack([x, y]), method="binned", bins=10**6)
    assert got == M[0, 1]
    bx = np.minimum(((x - x.min()) / (x.max() - x.min()) * 10**6).astype(np.int64), 10**6 - 1)
    by = np.minimum(((y - y.min()) / (y.max() - y.min()) * 10**6).astype(np.int64), 10**6 - 1)
    assert np.unique(bx).size == 500 and np.unique(by).size == 500  # every sample in its own row and column
    assert got == pytest.approx(np.log2(500), rel=1e-12)


# --------------------------------------------------------------------------- integer overflow


def exact_table_mi(table):
    """Plug-in MI in nats of a count table: exact integer sums, logs of Python ints."""
    n = sum(map(sum, table))
    pi = [sum(r) for r in table]
    pj = [sum(c) for c in zip(*table)]
    return math.fsum(
        c / n * (math.log(c) + math.log(n) - math.log(pi[i]) - math.log(pj[j]))
        for i, r in enumerate(table) for j, c in enumerate(r) if c
    )


@pytest.mark.parametrize(
    "table",
    [
        [[3_100_000_000, 1], [1, 3_100_000_000]],  # pi * pj ~ 9.6e18 > 2^63: was 0.0 (NaN clipped)
        [[2**40, 3], [5, 2**41], [7, 2**30]],
        [[2**62 - 1, 2**61], [2**61, 0]],  # total 2^63 - 1
    ],
    ids=["3.1e9", "2^40", "total-2^63-1"],
)
def test_contingency_products_beyond_int64(table):
    want = exact_table_mi(table)
    assert want > 0.01
    for t in (table, np.array(table, dtype=np.int64), np.array(table, dtype=np.uint64)):
        assert fastmi.mutual_info_score(None, None, contingency=t) == pytest.approx(want, rel=1e-12)
    sparse = pytest.importorskip("scipy.sparse")
    for fmt in ("csr", "csc", "coo"):
        t = sparse.coo_array(np.array(table, dtype=np.int64)).asformat(fmt)
        assert fastmi.mutual_info_score(None, None, contingency=t) == pytest.approx(want, rel=1e-12)


def test_contingency_same_bits_as_sklearn_below_overflow():
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(4)
    for scale in (10, 10**6, 10**8):  # row sum x column sum < 2^63, above 2^53 for 10^8
        t = rng.integers(0, scale, (5, 7))
        assert fastmi.mutual_info_score(None, None, contingency=t) == skm.mutual_info_score(None, None, contingency=t)


def test_contingency_total_beyond_int64_refused():
    for t in ([[2**62, 2**62], [1, 0]], np.array([[2**63, 1], [1, 2]], dtype=np.uint64), [[1e19, 1.0], [1.0, 1.0]]):
        with pytest.raises(ValueError, match=r"contingency counts sum to \d+, more than the 2\*\*63 - 1"):
            fastmi.mutual_info_score(None, None, contingency=t)


@pytest.mark.parametrize("dtype, base", [(np.uint64, 2**63), (np.uint64, 2**64 - 4), (np.int64, -(2**63)),
                                         (np.int8, -128), (np.uint8, 250)])
def test_integer_labels_at_the_ends_of_their_dtype(dtype, base):
    # uint64 labels above 2**63 raised OverflowError (scikit-learn: 0.693)
    a = np.array([base, base + 1, base + 3] * 6, dtype=dtype)
    b = np.arange(18) % 3
    assert fastmi.mutual_info_score(a, b) == pytest.approx(math.log(3), rel=1e-14)
    assert fastmi.mutual_info_score(b, a) == pytest.approx(math.log(3), rel=1e-14)
    X = np.random.default_rng(0).standard_normal((18, 1))
    np.testing.assert_array_equal(fastmi.mutual_info_classif(X, a, random_state=0),
                                  fastmi.mutual_info_classif(X, b, random_state=0))
    skm = pytest.importorskip("sklearn.metrics")
    assert fastmi.mutual_info_score(a, b) == skm.mutual_info_score(a, b)


@pytest.mark.parametrize("k", [2**31 - 1, 2**31, 2**63, 10**30])
def test_n_neighbors_beyond_int_clamped(k):
    # Ross's estimator uses min(k, m - 1) within m samples: any k >= n - 1 is the same
    rng = np.random.default_rng(8)
    X = rng.standard_normal((30, 2))
    X[:, 1] = rng.integers(0, 3, 30)
    y = np.arange(30) % 3
    want = fastmi.mutual_info_classif(X, y, n_neighbors=29, random_state=0)
    np.testing.assert_array_equal(fastmi.mutual_info_classif(X, y, n_neighbors=k, random_state=0), want)
    yr = X[:, 0] + rng.standard_normal(30)
    want = fastmi.mutual_info_regression(X[:, 1:], yr, discrete_features=True, n_neighbors=29, random_state=0)
    got = fastmi.mutual_info_regression(X[:, 1:], yr, discrete_features=True, n_neighbors=k, random_state=0)
    np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="n_neighbors must be smaller than the number of samples"):
        fastmi.mutual_info_regression(X, yr, n_neighbors=k, random_state=0)
    with pytest.raises(ValueError, match="k must be smaller than the number of samples"):
        fastmi.ksg_mi(X[:, 0], yr, k=k)


# --------------------------------------------------------------------------- small classes, large values


def test_small_classes_large_values_stay_within_bounds():
    # scikit-learn measures small classes' distances as sqrt(a^2 - 2ab + b^2);
    # at 2^31 every such distance is rounding error, and its estimate exceeds
    # the ln 4 that no MI with a 4-class variable can exceed.
    X = np.full((40, 1), 2147483647.0)
    y = np.arange(40) % 4
    for seed in range(5):
        got = fastmi.mutual_info_classif(X, y, n_neighbors=9, random_state=seed)[0]
        assert 0.0 <= got <= math.log(4)
    got = fastmi.mutual_info_classif(X, y, n_neighbors=9, random_state=0)[0]
    # the feature is constant (its scaled values are pure noise): an estimate near 0
    assert got == pytest.approx(0.0568, abs=1e-4)
    fs = sklearn_fs()
    assert fs.mutual_info_classif(X, y, n_neighbors=9, random_state=0)[0] > math.log(4)


def test_radius_overflow_message_states_the_limit():
    # KL entropy takes log(2 eps): the limit is half of float64's largest value, stated as
    # a number (the message had said "more than inf": 1.8e308 / 2 written as a literal)
    x = np.array([-1e308, 1e308, -0.5e308, 3.0]) / 1.5
    with pytest.raises(ValueError, match=r"x spans more than 9e307; divide"):
        fastmi.entropy(x, k=2)
