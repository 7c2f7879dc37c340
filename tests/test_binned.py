"""Native binned estimator: ``fastmi.histogram2d`` and ``fastmi.discrete_mi``.

Counts must equal ``np.histogram2d``'s exactly (values on, or one ulp from,
bin edges included), and ``discrete_mi`` must agree with the numpy reference
``fastmi.reference.discrete_mi`` to rtol 1e-12 on any finite input.
"""
from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastmi
from fastmi import reference as ref

RTOL = 1e-12
# Absolute floor for values that are rounding noise around 0: the reference
# sums p = count / n and divides by px * py formed from rounded sums of p, so
# where the exact plug-in MI is 0 (a constant axis) it returns e.g. 3e-16,
# while fastmi's exact-integer counts give 0.0 (and it clips at 0, which the
# reference does not). Differences seen elsewhere are < 1e-15 bits.
ATOL = 1e-14


def np_counts(x, y, bins):
    """numpy's joint table (float64 inputs, as fastmi and the reference use)."""
    h, _, _ = np.histogram2d(np.asarray(x, np.float64), np.asarray(y, np.float64), bins=bins)
    return h


def assert_counts_equal(x, y, bins):
    got = fastmi.histogram2d(x, y, bins)
    want = np_counts(x, y, bins)
    assert got.dtype == np.int64
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want.astype(np.int64))
    return got


def _with_ends(rng, values, lo, hi):
    """values with lo and hi placed at random positions (so they set the range)."""
    v = np.array(values, dtype=np.float64)
    i, j = rng.choice(v.size, 2, replace=False)
    v[i], v[j] = lo, hi
    return v


# --------------------------------------------------------------------------
# the case catalogue: name -> builder(rng) -> (x, y, bins)
# --------------------------------------------------------------------------

def _random(rng):
    n = int(rng.integers(2, 3000))
    x = rng.standard_normal(n)
    y = 0.6 * x + rng.standard_normal(n)
    return x, y, int(rng.integers(1, 40))


def _rounded(rng):
    n = 2000
    x = np.round(rng.standard_normal(n), 1)
    y = np.round(x + rng.standard_normal(n), 0)
    return x, y, 10


def _decimal_grid(rng):
    # 0.0, 0.1, ..., 1.0 against edges linspace(0, 1, 11): each value on or one ulp off an edge
    x = _with_ends(rng, rng.integers(0, 11, 1500) / 10.0, 0.0, 1.0)
    y = _with_ends(rng, rng.integers(0, 21, 1500) * 0.05, 0.0, 1.0)
    return x, y, 10


def _linspace_edges(rng):
    # samples are numpy's own edges: linspace(min, max, bins + 1)
    e = np.linspace(-3.7, 5.1, 31)
    x = _with_ends(rng, rng.choice(e, 2000), e[0], e[-1])
    f = np.linspace(1e-3, 7.3e5, 18)
    y = _with_ends(rng, rng.choice(f, 2000), f[0], f[-1])
    return x, y, [30, 17]


def _edge_neighbours(rng):
    # one ulp either side of every edge, and the edges themselves
    e = np.linspace(-1.3, 2.9, 13)
    pool = np.concatenate([e, np.nextafter(e, -np.inf), np.nextafter(e, np.inf)])
    pool = pool[(pool >= e[0]) & (pool <= e[-1])]
    x = _with_ends(rng, rng.choice(pool, 2000), e[0], e[-1])
    y = _with_ends(rng, rng.choice(pool, 2000), e[0], e[-1])
    return x, y, 12


def _integers_dividing(rng):
    x = _with_ends(rng, rng.integers(0, 21, 2000), 0, 20)
    y = _with_ends(rng, rng.integers(-8, 9, 2000), -8, 8)
    return x.astype(np.int64), y.astype(np.int64), [int(rng.choice([1, 2, 4, 5, 10, 20])), 16]


def _integers_other(rng):
    x = rng.integers(-50, 50, 2000)
    return x, (x * 7) % 13, [7, 3]


def _negative_zero(rng):
    x = rng.choice([-0.0, 0.0, 1.0, -1.0], 500)
    return x, np.abs(x), 2


def _constant_x(rng):
    return np.full(300, 5.0), rng.standard_normal(300), 10


def _constant_both(rng):
    return np.full(50, -2.25), np.zeros(50), [3, 4]


def _constant_x_edges(rng):
    # constant x widened to [v - 0.5, v + 0.5]; edges at v exactly
    return np.full(100, 1e6), rng.standard_normal(100), [1, 2]


def _denormal(rng):
    x = _with_ends(rng, rng.integers(0, 100, 1000) * 5e-324, 0.0, 99 * 5e-324)
    y = rng.integers(1, 7, 1000) * 1e-320
    return x, y, [10, 7]


def _tiny_range_near_one(rng):
    eps = np.finfo(np.float64).eps
    x = 1.0 + rng.integers(0, 5, 1000) * eps
    y = 1e-308 + rng.integers(0, 9, 1000) * 1e-322
    return x, y, [10, 3]


def _huge(rng):
    x = rng.standard_normal(2000) * 1e300
    y = _with_ends(rng, rng.uniform(-1e300, 1e300, 2000), -1e300, 1e300)
    return x, y, 10


def _huge_offset(rng):
    eps = np.finfo(np.float64).eps
    x = 1e300 * (1.0 + rng.integers(0, 40, 1000) * eps)
    y = -1e-300 * rng.integers(0, 12, 1000)
    return x, y, [10, 5]


def _edges_shared(rng):
    x = rng.uniform(-1, 1, 1000)
    y = rng.uniform(-1, 1, 1000)
    return x, y, np.linspace(-1, 1, 9)


def _edges_pair(rng):
    x = rng.standard_normal(1000)
    y = x ** 2
    return x, y, [np.array([-3.0, -1, 0, 0.5, 3]), np.array([0.0, 0.1, 1, 4, 9, 100])]


def _int_and_edges(rng):
    x = rng.standard_normal(1000)
    y = np.round(x * 3)
    return x, y, [6, np.arange(-5.0, 6.0)]


def _edges_and_int(rng):
    x = rng.integers(0, 10, 1000).astype(np.float64)
    return x, rng.standard_normal(1000), [np.array([0, 2, 4, 6, 8, 9]), 5]


def _repeated_edges(rng):
    # zero-width bins; values on a repeated edge, and on a repeated last edge
    x = rng.integers(0, 4, 1000).astype(np.float64)
    y = rng.integers(0, 3, 1000).astype(np.float64)
    return x, y, [np.array([0.0, 1, 1, 2, 3, 3]), np.array([0.0, 0, 1, 2, 2])]


def _outside_edges(rng):
    # most samples outside explicit edges: numpy drops them
    x = rng.uniform(-5, 5, 2000)
    y = rng.uniform(-5, 5, 2000)
    x[:3] = [-1.0, 1.0, 1.0]  # on the first and last edge
    y[:3] = [-2.0, 0.5, 0.5]
    return x, y, [np.linspace(-1, 1, 5), np.array([-2.0, 0.0, 0.5])]


def _edges_on_samples(rng):
    x = rng.integers(0, 100, 1000) / 7.0
    return x, x[::-1].copy(), [np.unique(x)[::9], np.unique(x)[::4]]


def _booleans(rng):
    x = rng.random(500) < 0.3
    return x, ~x, 2


def _two_samples(rng):
    return np.array([0.0, 1.0]), np.array([1.0, 0.0]), 2


def _one_sample(rng):
    return np.array([3.0]), np.array([-1.0]), 4


CASES = {
    f.__name__.lstrip("_"): f
    for f in [
        _random, _rounded, _decimal_grid, _linspace_edges, _edge_neighbours,
        _integers_dividing, _integers_other, _negative_zero, _constant_x, _constant_both,
        _constant_x_edges, _denormal, _tiny_range_near_one, _huge, _huge_offset,
        _edges_shared, _edges_pair, _int_and_edges, _edges_and_int, _repeated_edges,
        _outside_edges, _edges_on_samples, _booleans, _two_samples, _one_sample,
    ]
}
case_names = pytest.mark.parametrize("case", sorted(CASES))


# --------------------------------------------------------------------------
# counts
# --------------------------------------------------------------------------

@case_names
def test_counts_equal_numpy(case, rng):
    for _ in range(3):
        x, y, bins = CASES[case](rng)
        assert_counts_equal(x, y, bins)


def test_counts_bins_forms(rng):
    x = rng.standard_normal(1000)
    y = rng.standard_normal(1000)
    for bins in [7, np.int32(7), [3, 5], (np.int64(4), 2), [5, np.linspace(-3, 3, 4)],
                 np.linspace(-2, 2, 6), [np.linspace(-2, 2, 6), np.linspace(-1, 1, 3)],
                 [1.0, 2, 3], np.array([-4, 0, 4])]:
        assert_counts_equal(x, y, bins)


def test_counts_total_and_all_threads(rng):
    x = rng.standard_normal(100_000)
    y = np.round(x + rng.standard_normal(100_000), 1)
    base = assert_counts_equal(x, y, [13, 29])
    assert base.sum() == x.size
    for n_jobs in (1, 2, -1, None):
        np.testing.assert_array_equal(fastmi.histogram2d(x, y, [13, 29], n_jobs=n_jobs), base)


def test_counts_bins_zero_dim_array(rng):
    x = rng.standard_normal(100)
    assert_counts_equal(x, x, np.array(7))


def _constant_unwidenable(a):
    """A constant axis whose [v - 0.5, v + 0.5] widening rounds to zero width (|v| >= 2**53)."""
    v = float(a[0])
    return bool(np.all(a == v)) and v - 0.5 == v + 0.5


_CONSTANT_BIG_SCRIPT = """
import numpy as np, fastmi
for v in (-1e16, 1e16, 2.0**53, 1.5e300, -1e300):
    for n, bins in ((2, [3, 1]), (19, [6, 1]), (1, 1), (11, 11)):
        x = np.full(n, v)
        y = np.arange(float(n))
        got = fastmi.histogram2d(x, y, bins)
        want = np.histogram2d(x, y, bins)[0]
        assert (got == want).all(), (v, n, bins, got, want)
        fastmi.discrete_mi(x, y, bins)
print("COUNTS-OK")
"""


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="needs valgrind")
def test_constant_axis_beyond_2_53_memory_safe(tmp_path):
    script = tmp_path / "constant_big.py"
    script.write_text(_CONSTANT_BIG_SCRIPT)
    log = tmp_path / "valgrind.log"
    proc = subprocess.run(
        ["valgrind", f"--log-file={log}", sys.executable, str(script)],
        capture_output=True, text=True, timeout=120,
    )
    assert "COUNTS-OK" in proc.stdout, proc.stdout + proc.stderr
    # valgrind blocks are separated by "==pid== " lines; keep errors raised inside fastmi
    blocks = re.split(r"\n==\d+== \n", log.read_text())
    # (ld.so's own strncmp reports are valgrind noise: only count errors whose top frame is fastmi's)
    bad = [b for b in blocks
           if re.search(r"Invalid (read|write)[^\n]*\n[^\n]*at [^\n]*(_native\.|fastmi)", b)]
    assert not bad, bad[0]


def _numpy_edges_monotone(a, nbins):
    lo, hi = float(np.min(a)), float(np.max(a))
    if lo == hi:
        return True
    with np.errstate(all="ignore"):
        return bool(np.all(np.diff(np.linspace(lo, hi, nbins + 1)) >= 0))


def test_counts_numpy_nonmonotone_denormal_edges():
    # A range a few subnormal steps wide split into more bins than it has
    # representable values: numpy's own linspace edges come out non-monotonic
    # ([0,1,2,3,4,5,6,4] * 5e-324) and its counts are meaningless
    # (np.histogram refuses such a range). fastmi refuses it too.
    d = 5e-324
    x = np.array([0.0, 4 * d, 0.0])
    assert not _numpy_edges_monotone(x, 7)
    with pytest.raises(ValueError, match="too many bins for the data range"):
        fastmi.histogram2d(x, np.zeros(3), [7, 1])
    with pytest.raises(ValueError, match="too many bins for the data range"):
        fastmi.discrete_mi(x, np.zeros(3), [7, 1])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 60), st.just(2)),
        elements=st.floats(-1e300, 1e300, allow_nan=False, allow_subnormal=True),
    ),
    bx=st.integers(1, 25),
    by=st.integers(1, 25),
)
def test_counts_equal_numpy_hypothesis(data, bx, by):
    # see test_counts_numpy_nonmonotone_denormal_edges for the one excluded corner
    assume(_numpy_edges_monotone(data[:, 0], bx) and _numpy_edges_monotone(data[:, 1], by))
    assert_counts_equal(data[:, 0].copy(), data[:, 1].copy(), [bx, by])


@settings(max_examples=100, deadline=None)
@given(
    ix=st.lists(st.integers(0, 16), min_size=1, max_size=40),
    lo=st.floats(-1e6, 1e6),
    width=st.floats(1e-9, 1e6),
    bins=st.integers(1, 16),
)
def test_counts_on_grid_values_hypothesis(ix, lo, width, bins):
    """Samples drawn from numpy's own edge grid over [lo, lo + width]."""
    grid = np.linspace(lo, lo + width, 17)
    x = grid[np.array(ix + [0, 16])]
    y = x[::-1].copy()
    assert_counts_equal(x, y, bins)
    assert_counts_equal(x, y, [bins, grid])


# --------------------------------------------------------------------------
# discrete_mi against the reference
# --------------------------------------------------------------------------

@case_names
def test_mi_matches_reference(case, rng):
    for _ in range(3):
        x, y, bins = CASES[case](rng)
        want = ref.discrete_mi(x, y, bins)
        got = fastmi.discrete_mi(x, y, bins)
        assert isinstance(got, float)
        assert got == pytest.approx(want, rel=RTOL, abs=ATOL)
        assert got >= 0.0


def test_mi_matches_reference_many_seeds():
    for seed in range(120):
        r = np.random.default_rng(seed)
        n = int(r.integers(2, 5000))
        kind = seed % 4
        if kind == 0:
            x = r.standard_normal(n)
            y = r.uniform(-1, 1) * x + r.standard_normal(n)
        elif kind == 1:
            x = r.integers(0, int(r.integers(1, 30)), n).astype(np.float64)
            y = (x + r.integers(0, 3, n)) * 0.1
        elif kind == 2:
            x = r.exponential(size=n) * 10.0 ** r.uniform(-200, 200)
            y = np.round(np.log(x + 1e-300) + r.standard_normal(n), 1)
        else:
            x = r.uniform(size=n)
            y = np.sin(6 * x) + 0.1 * r.standard_normal(n)
        bins = int(r.integers(1, 64)) if seed % 3 else [int(r.integers(1, 64)), int(r.integers(1, 64))]
        want = ref.discrete_mi(x, y, bins)
        got = fastmi.discrete_mi(x, y, bins)
        assert got == pytest.approx(want, rel=RTOL, abs=ATOL), (seed, n, bins)


def test_mi_n_jobs_bit_identical():
    r = np.random.default_rng(2024)
    n = 300_000
    x = r.standard_normal(n)
    y = np.round(0.7 * x + r.standard_normal(n), 2)
    for bins in (10, [256, 33], [np.linspace(-3, 3, 41), 17]):
        results = [fastmi.discrete_mi(x, y, bins, n_jobs=j) for j in (1, 2, -1, None)]
        assert results[0] == results[1] == results[2] == results[3], (bins, results)
        assert results[0] == pytest.approx(ref.discrete_mi(x, y, bins), rel=RTOL)
        # repeated calls too
        assert fastmi.discrete_mi(x, y, bins, n_jobs=2) == results[0]


def _entropy_bits(counts):
    c = counts[counts > 0].astype(np.float64)
    p = c / c.sum()
    return -float(np.sum(p * np.log2(p)))


@pytest.mark.parametrize("bins", [2, 10, 37])
def test_mi_self_is_entropy(bins, rng):
    for x in (rng.standard_normal(5000), rng.integers(0, 9, 5000).astype(np.float64),
              np.round(rng.uniform(0, 1, 5000), 1)):
        h = _entropy_bits(np.histogram(x, bins=bins)[0])
        assert fastmi.discrete_mi(x, x, bins) == pytest.approx(h, rel=RTOL, abs=1e-15)


def test_mi_self_constant_is_zero():
    x = np.full(100, 3.0)
    assert fastmi.discrete_mi(x, x, 10) == 0.0


def test_mi_independent_is_small(rng):
    n = 200_000
    x = rng.uniform(size=n)
    y = rng.standard_normal(n)
    # plug-in bias ~ (bx - 1)(by - 1) / (2 n ln 2) = 81 / (2e5 * 2 * 0.693) ~ 3e-4 bits
    assert 0.0 <= fastmi.discrete_mi(x, y, 10) < 2e-3


@case_names
def test_mi_symmetric(case, rng):
    x, y, bins = CASES[case](rng)
    if isinstance(bins, list) and len(bins) == 2:
        swapped = [bins[1], bins[0]]
    else:
        swapped = bins
    a = fastmi.discrete_mi(x, y, bins)
    b = fastmi.discrete_mi(y, x, swapped)
    assert a == pytest.approx(b, rel=RTOL, abs=ATOL)


def test_mi_known_values():
    x = np.repeat([0.0, 1.0], 50)
    assert fastmi.discrete_mi(x, x, bins=2) == pytest.approx(1.0, rel=RTOL)
    assert fastmi.discrete_mi(x, np.tile([0.0, 1.0], 50), bins=2) == 0.0
    u = np.arange(8.0)
    assert fastmi.discrete_mi(u, u, bins=8) == pytest.approx(3.0, rel=RTOL)


def test_mi_accepts_dtypes_and_lists(rng):
    xi = rng.integers(0, 10, 400)
    yi = (xi + rng.integers(0, 2, 400)) % 10
    want = ref.discrete_mi(xi, yi, 10)
    for x, y in [(xi, yi), (xi.astype(np.int8), yi.astype(np.uint16)), (xi.tolist(), yi.tolist()),
                 (xi.astype(np.float32), yi.astype(np.float32)),
                 (np.asfortranarray(np.stack([xi, yi], 1))[:, 0], yi[::-1][::-1]),
                 (np.repeat(xi, 2)[::2], yi)]:
        assert fastmi.discrete_mi(x, y, 10) == pytest.approx(want, rel=RTOL)


def _float32_on_boundaries(rng, n=300):
    # multiples of 0.1 from 0.1 to 1.9 in float32: with 9 or 18 bins (edges every
    # 0.2 or 0.1) every sample lies on an edge, where float32 and float64 edges
    # can put it in different bins
    x = (rng.integers(1, 20, n) * np.float32(0.1)).astype(np.float32)
    x[:2] = np.float32(0.1), np.float32(1.9)
    return x


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_narrow_floats_binned_as_numpy_does(dtype, rng):
    # numpy 2 builds uniform edges in the samples' own float type: float32 data
    # gave other counts (and 1.072 against 1.022 bits) with float64 edges
    differs = 0
    for _ in range(40):
        x, y = _float32_on_boundaries(rng).astype(dtype), _float32_on_boundaries(rng).astype(dtype)
        for bins in (9, [18, 3], 1):
            want = np.histogram2d(x, y, bins)[0]
            assert np.array_equal(fastmi.histogram2d(x, y, bins), want)
            assert fastmi.discrete_mi(x, y, bins) == pytest.approx(ref.discrete_mi(x, y, bins), rel=1e-12, abs=1e-15)
            differs += not np.array_equal(want, np.histogram2d(x.astype(np.float64), y.astype(np.float64), bins)[0])
        # one float32 and one float64 variable: numpy stacks them as float64
        assert np.array_equal(fastmi.histogram2d(x, y.astype(np.float64), 9),
                              np.histogram2d(x, y.astype(np.float64), 9)[0])
        X = np.column_stack([x, y, x[::-1]])
        M = fastmi.pairwise_mi(X, method="binned", bins=9)
        assert M[0, 1] == fastmi.discrete_mi(x, y, 9) and M[0, 2] == fastmi.discrete_mi(x, x[::-1], 9)
        h = np.histogramdd(x, bins=9)[0]
        p = h[h > 0] / h.sum()
        assert fastmi.entropy(x, method="binned", bins=9) == pytest.approx(-(p * np.log2(p)).sum(), rel=1e-12)
    assert differs  # the data do reach the cases where the edges' type matters


def test_mixed_and_wide_narrow_floats(rng):
    x = _float32_on_boundaries(rng)
    for y in (np.round(x * 10).astype(np.int16), x > 1.0, x.astype(np.float16)):
        # float32 with int16 or bool: numpy stacks them as float32
        want = np.histogram2d(x, y, 9)[0]
        assert np.array_equal(fastmi.histogram2d(x, y, 9), want)
        assert fastmi.discrete_mi(x, y, 9) == pytest.approx(ref.discrete_mi(x, y, 9), rel=1e-12, abs=1e-15)
    # float16 spanning more than 65504: float16 edges overflow (numpy raises); float64 edges bin it
    wide = np.linspace(-40000, 40000, 500).astype(np.float16)
    other = rng.standard_normal(500)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = fastmi.histogram2d(wide, wide[::-1], 10)
        assert got.sum() == 500
        assert fastmi.discrete_mi(wide, other, 10) == fastmi.discrete_mi(wide.astype(np.float64), other, 10)


def test_conditional_binned_uses_the_joint_dtype(rng):
    # numpy stacks x, y, z into one array for the joint histogram: a float32 x with a
    # float64 y is binned on float64 edges, as discrete_mi bins it
    x = _float32_on_boundaries(rng)
    y = rng.standard_normal(x.shape[0])
    z = np.zeros(x.shape[0])
    assert fastmi.conditional_mi(x, y, z, method="binned", bins=9) == pytest.approx(
        fastmi.discrete_mi(x, y, 9), rel=1e-12, abs=1e-15)
    y32 = _float32_on_boundaries(rng)
    assert fastmi.conditional_mi(x, y32, z.astype(np.float32), method="binned", bins=9) == pytest.approx(
        fastmi.discrete_mi(x, y32, 9), rel=1e-12, abs=1e-15)


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

X5 = np.arange(5.0)


@pytest.mark.parametrize(
    "x, y, bins, exc, match",
    [
        (np.arange(5.0), np.arange(4.0), 10, ValueError, "same number of samples"),
        (np.zeros(0), np.zeros(0), 10, ValueError, "empty"),
        (np.array([0.0, np.nan, 1.0]), np.zeros(3), 10, ValueError, "NaN"),
        (np.zeros(3), np.array([0.0, np.inf, 1.0]), 10, ValueError, "infinity"),
        (np.zeros(3), np.array([0.0, -np.inf, 1.0]), 10, ValueError, "infinity"),
        (np.zeros((5, 2)), np.zeros(5), 10, ValueError, "1-D"),
        (np.zeros(5), np.zeros((5, 1)), 10, ValueError, "1-D"),
        (np.float64(1.0), np.float64(1.0), 10, ValueError, "scalar"),
        (X5, X5, 0, ValueError, "positive"),
        (X5, X5, -1, ValueError, "positive"),
        (X5, X5, [3, 0], ValueError, "positive"),
        (X5, X5, 2.5, TypeError, "integer"),
        (X5, X5, [2, 2.5], TypeError, "integer"),
        (X5, X5, "a", TypeError, "integer or an array of edges"),
        (X5, X5, True, TypeError, "integer"),
        (X5, X5, None, TypeError, "integer"),
        (X5, X5, [0.0, 2.0, 1.0], ValueError, "monotonically increasing"),
        (X5, X5, [np.array([0.0, 2.0, 1.0]), 3], ValueError, "monotonically increasing"),
        (X5, X5, [1.0], ValueError, "length 1|at least two"),
        (X5, X5, [np.array([1.0]), 3], ValueError, "at least two"),
        (X5, X5, np.array([0.0, np.nan, 1.0]), ValueError, "finite"),
        (X5, X5, [np.array(["a", "b"]), 3], TypeError, "numbers"),
        # the cells are not capped (counted sparsely); one axis's bins are (histogram2d,
        # which returns the dense table, caps the cells: tests/test_inputs.py)
        (X5, X5, 2**28 + 1, ValueError, "bins on one axis|cells are allowed"),
        (X5, X5, [3, 2**29], ValueError, "bins on one axis|cells are allowed"),
        (np.array(["a", "b"]), np.zeros(2), 10, TypeError, "real numbers"),
        (np.array([1 + 1j, 2]), np.zeros(2), 10, TypeError, "real numbers"),
        (np.array([1.0, 2.0], dtype=object), np.zeros(2), 10, TypeError, "real numbers"),
    ],
)
def test_errors(x, y, bins, exc, match):
    with pytest.raises(exc, match=match):
        fastmi.discrete_mi(x, y, bins)
    with pytest.raises(exc, match=match):
        fastmi.histogram2d(x, y, bins)


def test_no_sample_inside_edges():
    bins = [np.array([10.0, 11.0]), 3]
    with pytest.raises(ValueError, match="no sample falls inside"):
        fastmi.discrete_mi(X5, X5, bins)
    # the table itself is simply empty, as numpy's is
    assert_counts_equal(X5, X5, bins)
    assert fastmi.histogram2d(X5, X5, bins).sum() == 0


def test_range_overflow_refused():
    x = np.array([-1e308, 1e308, 0.0])
    with pytest.raises(ValueError, match="too large"):
        fastmi.discrete_mi(x, np.zeros(3))
    # explicit edges need no range, so the same data is fine there
    assert fastmi.histogram2d(x, np.zeros(3), [np.array([-1e308, 0.0, 1e308]), 1]).sum() == 3


@pytest.mark.parametrize("n_jobs, exc", [(0, ValueError), (1.5, TypeError), (True, TypeError),
                                         ("2", TypeError)])
def test_bad_n_jobs(n_jobs, exc):
    with pytest.raises(exc, match="n_jobs"):
        fastmi.discrete_mi(X5, X5, 2, n_jobs=n_jobs)


def test_no_log_of_zero():
    # empty rows/columns and cells must not leak log(0) (would be -inf or NaN)
    x = np.array([0.0, 0.0, 10.0, 10.0])
    y = np.array([0.0, 10.0, 0.0, 10.0])
    got = fastmi.discrete_mi(x, y, 50)
    assert math.isfinite(got) and got == 0.0
