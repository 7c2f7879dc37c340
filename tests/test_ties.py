"""Tied data in the nearest-neighbour estimators: detection, tie-breaking noise, warning, switch.

Truths: a Gaussian pair with correlation rho has I = -log2(1 - rho**2) / 2 bits
(0.737 at rho = 0.8); independent variables have 0. Without tie breaking,
the rounded pair gives 0.0 bits and the grid 1.35 bits (the issue's numbers),
so every truth test below fails without it.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import numpy.typing as npt
import pytest

import fastmi
from fastmi import TiedSamplesWarning, _native, _ties

F64 = npt.NDArray[np.float64]
TRUTH_08 = -0.5 * math.log2(1.0 - 0.8**2)  # 0.7370
# KSG's sampling spread at n = 1e5 is about 0.005 bits, the tie-breaking
# noise's effect (different random_state) under 0.01, the bias of rounding
# to 0.1 (the rounded variables carry slightly less information) under 0.01.
TOL_ROUNDED = 0.03
# Independent variables: KSG scatters about 0 by ~0.01 bits at n = 1e4.
TOL_INDEPENDENT = 0.02


def rounded_gaussian(n: int, seed: int = 0) -> tuple[F64, F64]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    y = 0.8 * x + 0.6 * rng.standard_normal(n)
    return np.round(x, 1), np.round(y, 1)


def grid() -> tuple[F64, F64]:
    i = np.arange(10_000)
    return (i % 100).astype(np.float64), (i // 100).astype(np.float64)


def quiet(f, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TiedSamplesWarning)
        return f(*args, **kwargs)


# ----------------------------------------------------------------- the cases


@pytest.fixture(scope="module")
def rounded() -> tuple[F64, F64]:
    return rounded_gaussian(100_000)


# scikit-learn 1.9.1's mutual_info_regression(x[:, None], y, random_state=0)
# on the rounded pair below, in bits (the slow test compares live at n = 3e4)
SKLEARN_ROUNDED = 0.7401316339264701


def test_rounded_gaussian_close_to_truth(rounded: tuple[F64, F64]) -> None:
    x, y = rounded
    with pytest.warns(TiedSamplesWarning, match=r"^repeated values in x \(\d+ of 100000 samples\), y \(\d+ of 100000"):
        got = fastmi.ksg_mi(x, y)
    assert abs(got - TRUTH_08) < TOL_ROUNDED, got
    assert abs(got - SKLEARN_ROUNDED) < 0.05, got  # the criterion
    with pytest.warns(TiedSamplesWarning, match="repeated values"):
        got2 = fastmi.ksg_mi(x, y, algorithm=2)
    assert abs(got2 - TRUTH_08) < TOL_ROUNDED, got2


@pytest.mark.slow  # scikit-learn's KD-trees: a few seconds at n = 3e4 (10 s and more at 1e5)
def test_rounded_gaussian_agrees_with_scikit_learn() -> None:
    skl = pytest.importorskip("sklearn.feature_selection")
    x, y = rounded_gaussian(30_000, seed=1)
    theirs = skl.mutual_info_regression(x.reshape(-1, 1), y, random_state=0)[0] / math.log(2.0)
    ours = quiet(fastmi.ksg_mi, x, y)
    assert abs(ours - theirs) < 0.05, (ours, theirs)  # the criterion


def test_off_keeps_the_old_behaviour(rounded: tuple[F64, F64]) -> None:
    x, y = rounded
    with pytest.warns(TiedSamplesWarning, match=r"^\d+ of 100000 samples are at distance 0"):
        assert fastmi.ksg_mi(x, y, tie_breaking="off") == 0.0  # the 0.0 bits


def test_grid_of_independent_values_is_about_zero() -> None:
    x, y = grid()
    with pytest.warns(TiedSamplesWarning, match=r"repeated values in x \(10000 of 10000 samples\), y \(10000 of"):
        got = fastmi.ksg_mi(x, y)
    assert abs(got) < TOL_INDEPENDENT, got
    # without it: 1.35 bits and no warning (no sample has a zero k-th distance)
    assert fastmi.ksg_mi(x, y, tie_breaking="off") > 1.0


# ----------------------------------------------------------------- untied data: unchanged


def test_untied_bit_identical_to_off_and_pinned() -> None:
    # the draws of tests/test_pinned.py up to its "ksg_mi/1d/n=6000" case
    rng = np.random.default_rng(20261201)
    rng.standard_normal(10_000)
    rng.integers(0, 4, 3000)
    rng.integers(0, 2, 3000)
    rng.standard_normal(600)
    a = rng.standard_normal(6000)
    b = 0.8 * a + 0.6 * rng.standard_normal(6000)
    got = fastmi.ksg_mi(a, b, 3)  # strict warnings: no TiedSamplesWarning either
    assert got.hex() == "0x1.7c553c0c0e550p-1"
    assert fastmi.ksg_mi(a, b, 3, tie_breaking="off") == got
    assert fastmi.ksg_mi(a, b, 3, random_state=12345) == got
    assert fastmi.ksg_mi(a, b, 3, algorithm=2) == fastmi.ksg_mi(a, b, 3, algorithm=2, tie_breaking="off")
    ab = np.column_stack([a, b, rng_normal(6000, 99)])
    assert fastmi.entropy(a) == fastmi.entropy(a, tie_breaking="off")
    assert fastmi.conditional_mi(a, b, ab[:, 2]) == fastmi.conditional_mi(a, b, ab[:, 2], tie_breaking="off")
    np.testing.assert_array_equal(fastmi.pairwise_mi(ab[:, :2]), fastmi.pairwise_mi(ab[:, :2], tie_breaking="off"))
    # "noise" on continuous data moves values by 1e-10 of their spread, far
    # below any gap between them: not one neighbour count changes
    assert fastmi.ksg_mi(a, b, 3, tie_breaking="noise") == got


# ----------------------------------------------------------------- the noise


def test_caller_arrays_unchanged() -> None:
    x, y = rounded_gaussian(3000, seed=1)
    z = np.round(x + y, 0)
    X = np.column_stack([x, y, z])
    copies = [a.copy() for a in (x, y, z, X)]
    quiet(fastmi.ksg_mi, x, y)
    quiet(fastmi.ksg_mi, x, y, algorithm=2)
    quiet(fastmi.entropy, x)
    quiet(fastmi.conditional_mi, x, y, z)
    quiet(fastmi.pairwise_mi, X)
    quiet(fastmi.mi_test, x, y, z, n_permutations=5)
    for a, c in zip((x, y, z, X), copies):
        assert a.tobytes() == c.tobytes()


def test_noise_scale_and_seeding() -> None:
    rng = np.random.default_rng(2)
    col = np.round(rng.standard_normal(50_000) * 3.0, 1)
    noised = _ties.column_noise(col, 0)
    diff = noised - col
    # standard deviation max(1e-10 * std, 2**-42 * max|x|) = 1e-10 * std here
    assert diff.std() == pytest.approx(1e-10 * col.std(), rel=0.02)
    # ties broken: groups of up to ~700 equal values spread over ~3e5 floats
    # each, so a few pairs may still coincide (k-th distances stay non-zero)
    assert np.unique(noised).size > col.size - 10
    order = np.argsort(col, kind="stable")
    assert (np.diff(noised[order])[np.diff(col[order]) > 0] > 0).all()  # distinct values keep their order
    np.testing.assert_array_equal(_ties.column_noise(col, 0), noised)  # a function of seed and values
    assert not np.array_equal(_ties.column_noise(col, 1), noised)
    assert not np.array_equal(_ties.column_noise(col + 0.5, 0) - 0.5, noised)  # other values: other noise
    # far from 0 relative to the spread: about 2**10 units in the last place of the largest value
    stamps = 1.7e9 + np.round(rng.uniform(0, 100, 20_000))
    d = _ties.column_noise(stamps, 0) - stamps
    assert 0 < d.std() < 1e-3 and np.unique(stamps + d).size > 19_000


def test_reproducible_across_n_jobs_and_random_state() -> None:
    x, y = rounded_gaussian(20_000, seed=3)
    z = np.round(0.5 * x + rng_normal(20_000, 4), 1)
    for f, args in ((fastmi.ksg_mi, (x, y)), (fastmi.conditional_mi, (x, y, z)), (fastmi.entropy, (x,))):
        got = {quiet(f, *args, n_jobs=j, random_state=7) for j in (1, 2, -1)}
        assert len(got) == 1, (f, got)
    a, b = quiet(fastmi.ksg_mi, x, y, random_state=1), quiet(fastmi.ksg_mi, x, y, random_state=2)
    assert a != b and abs(a - b) < 0.02
    assert quiet(fastmi.ksg_mi, x, y) == quiet(fastmi.ksg_mi, x, y, random_state=0)  # None is seed 0
    # a Generator gives one seed, and advances only when noise is added
    g = np.random.default_rng(9)
    state = g.bit_generator.state
    fastmi.ksg_mi(x + rng_normal(20_000, 5), y + rng_normal(20_000, 6), random_state=g)
    assert g.bit_generator.state == state
    quiet(fastmi.ksg_mi, x, y, random_state=g)
    assert g.bit_generator.state != state
    seed = int(np.random.default_rng(9).integers(0, 2**63, dtype=np.int64))
    assert quiet(fastmi.ksg_mi, x, y, random_state=np.random.default_rng(9)) == quiet(fastmi.ksg_mi, x, y, random_state=seed)


def rng_normal(n: int, seed: int) -> F64:
    return np.random.default_rng(seed).standard_normal(n)


def test_pairwise_equals_ksg_mi_bit_for_bit() -> None:
    x, y = rounded_gaussian(3000, seed=5)
    X = np.column_stack([x, y, rng_normal(3000, 6), np.round(x - y, 0), np.full(3000, 2.0)])
    for kw in ({}, {"random_state": 11}, {"tie_breaking": "noise"}, {"tie_breaking": "off"}):
        M = quiet(fastmi.pairwise_mi, X, **kw)
        for i in range(5):
            for j in range(i + 1, 5):
                assert M[i, j] == quiet(fastmi.ksg_mi, X[:, i], X[:, j], **kw), (kw, i, j)
    with pytest.warns(TiedSamplesWarning, match=r"repeated values in X\[:, 0\] .*X\[:, 1\] .*X\[:, 3\] .*method='binned'"):
        fastmi.pairwise_mi(X)


def test_conditional_mi_and_entropy() -> None:
    rng = np.random.default_rng(8)
    z = rng.standard_normal(20_000)
    x, y = z + rng.standard_normal(20_000), z + rng.standard_normal(20_000)
    xr, yr, zr = (np.round(a, 0) for a in (x, y, z))
    with pytest.warns(TiedSamplesWarning, match=r"repeated values in x .*, y .*, z .*method='discrete'"):
        got = fastmi.conditional_mi(xr, yr, zr)
    # rounding z to integers leaves some of the dependence through z: the
    # truth I(X;Y|round Z) is about 0.12 bits (a Gaussian with var(Z | round Z) = 1/12)
    truth = -0.5 * math.log2(1.0 - (1 / 12) ** 2 / (1 + 1 / 12) ** 2)
    assert abs(got - truth) < 0.05, got
    assert quiet(fastmi.conditional_mi, xr, yr, zr, tie_breaking="off") != got
    with pytest.warns(TiedSamplesWarning, match=r"repeated values in x .*uniform noise.*method='discrete'"):
        h = fastmi.entropy(xr)
    assert np.isfinite(h)
    with pytest.warns(TiedSamplesWarning, match=r"left out of the mean"):
        fastmi.entropy(xr, tie_breaking="off")


@pytest.mark.parametrize("decimals", [0, 1, 3])
def test_entropy_of_rounded_data_is_that_of_the_dequantized_variable(decimals: int) -> None:
    # KL entropy reads rounded values as X + U(-q/2, q/2), q the resolution: for
    # N(0, 1) rounded to q, H(X + U) = 2.047 bits to within 0.005 for q <= 1
    # (var 1 + q^2/12). Tiny Gaussian noise would give about -20 bits instead, and
    # leaving the zero radii out (tie_breaking="off") 7 to 13 bits.
    x = np.round(np.random.default_rng(12).standard_normal(20_000), decimals)
    with pytest.warns(TiedSamplesWarning, match=r"resolution"):
        h = fastmi.entropy(x)
    truth = 0.5 * math.log2(2 * math.pi * math.e * (1 + (10.0**-decimals) ** 2 / 12))
    assert abs(h - truth) < 0.03, (h, truth)  # KL's statistical error at n = 2e4: about 0.01
    two = np.tile([1.0, 2.0], 2000)  # uniform on [0.5, 2.5): 1 bit
    with pytest.warns(TiedSamplesWarning):
        assert abs(fastmi.entropy(two) - 1.0) < 0.05
    grid = np.arange(10_000.0) % 100  # uniform on [-0.5, 99.5): log2(100) bits
    with pytest.warns(TiedSamplesWarning):
        assert abs(fastmi.entropy(grid) - math.log2(100)) < 0.05


def test_mi_test_noises_once() -> None:
    x, y = rounded_gaussian(2000, seed=10)
    with pytest.warns(TiedSamplesWarning, match="repeated values in x"):
        res = fastmi.mi_test(x, y, n_permutations=19, random_state=3, n_jobs=1)
    assert res.statistic == quiet(fastmi.ksg_mi, x, y, random_state=3)  # the statistic on the same noised data
    assert res.pvalue == 0.05
    again = quiet(fastmi.mi_test, x, y, n_permutations=19, random_state=3, n_jobs=2)
    np.testing.assert_array_equal(again.null_distribution, res.null_distribution)
    off = quiet(fastmi.mi_test, x, y, n_permutations=19, random_state=3, tie_breaking="off")
    assert off.statistic != res.statistic


# ----------------------------------------------------------------- arguments, warning text


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"tie_breaking": "yes"}, ValueError, "tie_breaking must be 'auto', 'noise' or 'off'"),
        ({"tie_breaking": True}, ValueError, "tie_breaking"),
        ({"random_state": -1}, ValueError, "non-negative"),
        ({"random_state": 1.5}, TypeError, "random_state"),
        ({"random_state": True}, TypeError, "random_state"),
        ({"legacy": True, "tie_breaking": "noise"}, ValueError, "legacy=True"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], exc: type[Exception], match: str) -> None:
    x, y = rng_normal(50, 0), rng_normal(50, 1)
    with pytest.raises(exc, match=match):
        fastmi.ksg_mi(x, y, **kwargs)  # type: ignore[arg-type]


def test_legacy_adds_no_noise() -> None:
    x, y = rounded_gaussian(2000, seed=12)
    with pytest.warns(TiedSamplesWarning, match="distance 0") as seen:
        a = fastmi.ksg_mi(x, y, legacy=True)
    assert not any("repeated values" in str(w.message) for w in seen)
    assert a == quiet(fastmi.ksg_mi, x, y, legacy=True, tie_breaking="off")


def test_warning_carries_its_report_for_re_emission() -> None:
    x, y = grid()
    with pytest.warns(TiedSamplesWarning) as seen:
        fastmi.ksg_mi(x, y, random_state=4)
    (w,) = seen
    report = w.message.report
    assert report == _ties.TieReport(("x", "y"), (10_000, 10_000), 10_000, 4)
    text = _ties.tie_message(report, remedy="Use --estimator binned for discrete data.")
    assert text.startswith("repeated values in x (10000 of 10000 samples), y (10000 of 10000 samples): ")
    assert "random_state seed 4" in text and text.endswith("Use --estimator binned for discrete data.")
    assert str(w.message) == _ties.tie_message(report)
    assert "discrete_mi" in str(w.message) and "tie_breaking='off'" in str(w.message)


def test_ties_found_in_every_column_not_only_zero_distances() -> None:
    rng = np.random.default_rng(13)
    x = rng.standard_normal((4000, 2))
    x[:, 1] = np.round(x[:, 1], 2)  # ties in one column of a 2-D x only
    y = x[:, 0] + rng.standard_normal(4000)
    with pytest.warns(TiedSamplesWarning, match=r"^repeated values in x\[:, 1\] \(\d+ of 4000 samples\): "):
        fastmi.ksg_mi(x, y)


# ----------------------------------------------------------------- the native scan


def brute_ties(col: F64) -> tuple[int, int]:
    _, counts = np.unique(col + 0.0, return_counts=True)
    return int(counts[counts > 1].sum()), int(counts.size)


@pytest.mark.parametrize("n", [1, 2, 3, 17, 5000, 70_000])
def test_column_ties_against_unique(n: int) -> None:
    rng = np.random.default_rng(n)
    X = np.column_stack([
        rng.standard_normal(n),
        rng.integers(0, max(2, n // 4), n).astype(np.float64),
        np.where(rng.random(n) < 0.5, 0.0, -0.0),
        rng.standard_normal(n) * 1e-300,
    ])
    X[: n // 3, 0] = X[n // 2 :: -1, 0][: n // 3] if n > 3 else X[: n // 3, 0]
    blocks = [X[:, :2], np.asfortranarray(X[:, 2:]), X[::-1, 1:2]]
    tied, distinct = _native.column_ties(blocks, 2, False)
    want = [brute_ties(b[:, c]) for b in blocks for c in range(b.shape[1])]
    assert list(zip(tied.tolist(), distinct.tolist())) == want
    assert tuple(_native.column_ties(blocks, 1, False)[0]) == tuple(tied)


def test_resolution_ignores_round_off() -> None:
    rounded = np.round(np.linspace(-3.0, 3.0, 61), 1)
    assert _ties.resolution(rounded) == pytest.approx(0.1, rel=1e-9)
    # 0.1 * 3 next to 0.3, and a value nudged by one unit in the last place: round-off
    assert _ties.resolution(np.r_[rounded, 0.1 * 3]) == pytest.approx(0.1, rel=1e-9)
    assert _ties.resolution(np.r_[rounded, np.nextafter(1.5, 2.0)]) == pytest.approx(0.1, rel=1e-9)
    assert _ties.resolution(np.r_[np.arange(100.0), 1e12]) == 1.0
    assert _ties.resolution(np.ones(5)) == 0.0
    assert _ties.resolution(np.r_[-1e308, 1e308, 0.0]) == 1e308  # gaps that overflow to inf
    # most distinct values in round-off variants (the same tenths computed seven ways):
    # the median gap is round-off itself, the ulp rule still sees through it
    k = np.repeat(np.arange(-30, 31), 7)
    forms = [k / 10, k * 0.1, (k * 3) / 30, (k * 0.7) / 7, (k * 0.3) / 3, k * 0.01 * 10, (k + 0.1) * 0.1 - 0.01]
    mixed = np.array([forms[i % 7][i] for i in range(k.size)])
    assert np.mean(np.diff(np.unique(mixed)) < 1e-9) > 0.5
    assert _ties.resolution(mixed) == pytest.approx(0.1, rel=1e-6)
    # legitimate fine resolution far from 0 (timestamps with milliseconds) is kept
    stamps = 1.7e9 + np.arange(50) * 0.001
    assert _ties.resolution(stamps) == pytest.approx(0.001, rel=1e-3)


def test_one_outlier_does_not_set_the_noise() -> None:
    # integers 0..99 with y = x + N(0, 1): one value of 1e12 made the noise's sd 2.2
    # (1e-10 of the inflated spread, twice the integers' spacing) and ksg_mi fell
    # from 4.68 to 3.38 bits; the noise is now capped at 1e-3 of the resolution
    rng = np.random.default_rng(1)
    x = rng.integers(0, 100, 2000).astype(np.float64)
    y = x + rng.standard_normal(2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TiedSamplesWarning)
        clean = fastmi.ksg_mi(x, y)
        for outlier in (1e12, 1e13):
            xo = x.copy()
            xo[0] = outlier
            assert abs(fastmi.ksg_mi(xo, y) - clean) < 0.02, outlier
            assert abs(fastmi.pairwise_mi(np.column_stack([xo, y]))[0, 1] - clean) < 0.02
    noised = _ties.column_noise(np.r_[x[1:], 1e12], 0)
    assert np.abs(noised[:-1] - x[1:]).max() < 0.01  # far below the spacing of 1
    assert noised[-1] != 1e12  # the outlier's own scale still moves it


def test_dequantization_ignores_round_off() -> None:
    # one near-duplicate (0.1 * 3 next to 0.3) set the KL entropy's dequantization
    # width to 5.6e-17: -35 bits instead of 2.05
    rng = np.random.default_rng(2)
    x = np.round(rng.standard_normal(3000), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TiedSamplesWarning)
        # truth: 2.047 bits; another sample draws other noise, so 0.1 bits of room
        assert abs(fastmi.entropy(x) - 2.047) < 0.1
        for extra in (0.1 * 3, np.nextafter(0.5, 1.0)):
            assert abs(fastmi.entropy(np.r_[x, extra]) - 2.047) < 0.1, extra
