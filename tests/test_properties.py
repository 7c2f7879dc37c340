"""Property tests (hypothesis): identities every estimate must satisfy, and
agreement with the exact numpy references in ``fastmi.reference`` on generated
data, including heavy ties (small integer grids) and edge values (signed
zeros, subnormals, huge magnitudes).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastmi
from fastmi import reference

SETTINGS = settings(
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples on every run (and in CI)
)

# Values where rounding and comparisons are delicate.
EDGE = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 0.1, 1.0 - 2**-53,
        1.0, 1.0 + 2**-52, 2.0**53, 2.0**53 + 2, 1e15, -1e15]
HUGE = [1e300, -1e300, 8e307, -8e307]  # max - min stays finite (uniform bins need that)


def _values(allow_huge):
    grid = st.integers(-3, 3).map(float)  # heavy ties
    finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
    edge = st.sampled_from(EDGE + (HUGE if allow_huge else []))
    return st.one_of(grid, grid, finite, edge)


@st.composite
def paired(draw, min_n=2, max_n=40, max_d=1, allow_huge=True, flat=False):
    """(x, y) with n samples, each of shape (n,) or (n, d), d <= max_d; (n,) if flat."""
    n = draw(st.integers(min_n, max_n))
    shapes = []
    for _ in range(2):
        d = draw(st.integers(1, max_d))
        shapes.append((n,) if flat or (d == 1 and draw(st.booleans())) else (n, d))
    vals = _values(allow_huge)
    x = draw(hnp.arrays(np.float64, shapes[0], elements=vals))
    if draw(st.booleans()):  # y a function of x: strong dependence, shared ties
        base = x if x.ndim == 1 else x[:, 0]
        if draw(st.booleans()):
            base = base * 0.5 - 1.0
        y = base if len(shapes[1]) == 1 else np.repeat(base[:, None], shapes[1][1], axis=1)
    else:
        y = draw(hnp.arrays(np.float64, shapes[1], elements=vals))
    return x, y


def _bins():
    count = st.integers(1, 12)
    return st.one_of(count, st.tuples(count, count).map(list))


def ksg(x, y, k, legacy=False):
    """fastmi's estimate, or None where it refuses because a k-th-neighbour
    distance overflows float64 (legacy squares of 1e300), which the
    reference's own brute-force radii must confirm."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastmi.TiedSamplesWarning)
        # drawn x and y may be equal: ksg_mi(x, x)'s warning is tests/test_inputs.py's
        warnings.filterwarnings("ignore", "x and y are the same samples", RuntimeWarning)
        try:
            return fastmi.ksg_mi(x, y, k=k, legacy=legacy, tie_breaking="off")  # the kernels' tie rules
        except ValueError as exc:
            if "overflows float64" not in str(exc):
                raise
    with np.errstate(over="ignore", invalid="ignore"):
        eps, _, _ = reference.brute_force_ksg_counts(x, y, k, legacy=legacy)
        assert not np.isfinite(eps * eps if legacy else eps).all(), "refused, yet no radius overflows"
    return None


def ref_ksg(x, y, k, legacy=False):
    with np.errstate(over="ignore", invalid="ignore"):  # legacy squares of 1e300
        return reference.ksg_mi(x, y, k=k, legacy=legacy)


def entropy_bits(counts):
    c = np.asarray(counts, dtype=np.float64).ravel()
    c = c[c > 0]
    n = c.sum()
    return float(math.log2(n) - np.sum(c * np.log2(c)) / n)


def close(a, b, rtol, atol=0.0):
    return abs(a - b) <= atol + rtol * abs(b)


def _swap(bins):
    return bins[::-1] if isinstance(bins, list) else bins


def _k(data, n):
    return data.draw(st.integers(1, min(6, n - 1)), label="k")


# --------------------------------------------------------------------------
# binned estimator
# --------------------------------------------------------------------------

# rtol 1e-12; this floor only covers an MI that is exactly 0 (a one-bin axis),
# where the reference's per-cell rounding leaves ~3e-16 and fastmi gives 0.0.
BINNED_ATOL = 1e-14


@SETTINGS
@given(xy=paired(1, 60, flat=True), bins=_bins())
def test_binned_agrees_with_reference(xy, bins):
    x, y = xy
    got = fastmi.discrete_mi(x, y, bins=bins)
    want = reference.discrete_mi(x, y, bins=bins)
    assert close(got, max(0.0, want), 1e-12, BINNED_ATOL), (got, want)
    assert np.array_equal(fastmi.histogram2d(x, y, bins=bins), np.histogram2d(x, y, bins=bins)[0])


@SETTINGS
@given(xy=paired(1, 60, allow_huge=False, flat=True), nedges=st.tuples(st.integers(2, 8), st.integers(2, 8)), data=st.data())
def test_binned_explicit_edges_agree_with_reference(xy, nedges, data):
    x, y = xy
    edge_values = st.one_of(st.integers(-4, 4).map(float), st.floats(-10, 10))
    ex = np.sort(data.draw(hnp.arrays(np.float64, nedges[0], elements=edge_values)))
    ey = np.sort(data.draw(hnp.arrays(np.float64, nedges[1], elements=edge_values)))
    inside = np.histogram2d(x, y, bins=[ex, ey])[0].sum()
    if inside == 0:
        with pytest.raises(ValueError, match="bin edges"):
            fastmi.discrete_mi(x, y, bins=[ex, ey])
        return
    got = fastmi.discrete_mi(x, y, bins=[ex, ey])
    want = reference.discrete_mi(x, y, bins=[ex, ey])
    assert close(got, max(0.0, want), 1e-12, BINNED_ATOL), (got, want)


@SETTINGS
@given(xy=paired(1, 60, flat=True), bins=_bins())
def test_binned_symmetric_nonnegative_bounded(xy, bins):
    x, y = xy
    mi = fastmi.discrete_mi(x, y, bins=bins)
    assert np.isfinite(mi) and mi >= 0.0
    # Symmetry: the transposed table, summed in another order.
    assert close(fastmi.discrete_mi(y, x, bins=_swap(bins)), mi, 1e-12, 1e-15)
    # I(X;Y) <= min(H(X), H(Y)) for the histogram's own marginals.
    counts = np.histogram2d(x, y, bins=bins)[0]
    hx, hy = entropy_bits(counts.sum(axis=1)), entropy_bits(counts.sum(axis=0))
    assert mi <= min(hx, hy) + 1e-12, (mi, hx, hy)


@SETTINGS
@given(xy=paired(1, 60, flat=True), bins=st.integers(1, 12))
def test_binned_self_information_is_entropy(xy, bins):
    x, _ = xy
    hx = entropy_bits(np.histogram2d(x, x, bins=bins)[0].sum(axis=1))  # np.histogram fails on [1e300]
    assert close(fastmi.discrete_mi(x, x, bins=bins), hx, 1e-12, 1e-14)


@SETTINGS
@given(xy=paired(1, 60, flat=True), bins=_bins(), data=st.data())
def test_binned_permutation_invariant(xy, bins, data):
    x, y = xy
    perm = np.asarray(data.draw(st.permutations(range(x.shape[0]))), dtype=np.intp)
    # Same table, same summation order: exactly the same number.
    assert fastmi.discrete_mi(x[perm], y[perm], bins=bins) == fastmi.discrete_mi(x, y, bins=bins)


# --------------------------------------------------------------------------
# KSG estimator
# --------------------------------------------------------------------------


@SETTINGS
@given(legacy=st.booleans(), data=st.data())
def test_ksg_agrees_with_reference(legacy, data):
    x, y = data.draw(paired(2, 40, max_d=3), label="xy")
    k = _k(data, x.shape[0])
    got = ksg(x, y, k, legacy)
    if got is None:
        return  # a radius overflows: refused (confirmed by the reference's radii)
    want = ref_ksg(x, y, k, legacy)
    # rtol 1e-10; the 1e-12 floor only covers estimates that are zero up to
    # cancellation (psi(k) + psi(n) - <psi(nx+1) + psi(ny+1)>, terms ~ 10).
    assert close(got, want, 1e-10, 1e-12), (got, want, k, legacy)


def test_ksg_legacy_overflowing_squares_refused():
    y = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0], [-1.0, -1.0], [-1.0, -1.0],
                  [2.0, 2.0], [2.0, 2.0], [-2.0, -2.0], [-2.0, -2.0], [3.0, 3.0], [1.0, 1.0],
                  [1.0, 1.0], [3.0, 3.0], [2.0, 4.0], [-1e300, -1e300], [-8e307, -8e307]])
    x = np.arange(17.0)
    # Squared distances overflow to inf, so one radius is infinite: every
    # count against it is wrong (the tree once pruned with it and returned
    # 0.01297 bits, the reference listing counts every sample and gives 0.0).
    # Refused now, naming the widest column.
    with pytest.raises(ValueError, match=r"squared Euclidean distance from sample 15 .* y column 0 spans 8e\+307"):
        fastmi.ksg_mi(x, y, 1, legacy=True)
    assert ksg(x, y, 1, legacy=True) is None
    # the same samples without the two far ones: finite radii, the reference's number
    assert close(ksg(x[:15], y[:15], 1, legacy=True), ref_ksg(x[:15], y[:15], 1, legacy=True), 1e-10, 1e-12)


@SETTINGS
@given(xy=paired(2, 40, max_d=3), legacy=st.booleans(), data=st.data())
def test_ksg_nonnegative_finite_symmetric(xy, legacy, data):
    x, y = xy
    k = _k(data, x.shape[0])
    mi = ksg(x, y, k, legacy)
    if mi is None:
        assert ksg(y, x, k, legacy) is None
        return
    assert np.isfinite(mi) and mi >= 0.0
    assert close(ksg(y, x, k, legacy), mi, 1e-12, 1e-13)


@SETTINGS
@given(xy=paired(2, 40, max_d=3), legacy=st.booleans(), data=st.data())
def test_ksg_permutation_invariant(xy, legacy, data):
    x, y = xy
    k = _k(data, x.shape[0])
    perm = np.asarray(data.draw(st.permutations(range(x.shape[0]))), dtype=np.intp)
    # The same per-sample terms, summed in another order.
    a, b = ksg(x[perm], y[perm], k, legacy), ksg(x, y, k, legacy)
    assert (a is None) == (b is None)
    if a is not None:
        assert close(a, b, 1e-12, 1e-13)


@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize("dims", [(1, 1), (2, 1), (2, 3)])
def test_ksg_independent_near_zero(dims, legacy):
    # Statistical, so fixed seeds rather than hypothesis. KSG's spread at
    # n = 2000 is about 0.01 bits; a dependence leak would show in the mean.
    n = 2000
    values = []
    for seed in range(6):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n, dims[0]))
        y = rng.uniform(-1, 1, (n, dims[1]))
        values.append(fastmi.ksg_mi(x, y, k=3, legacy=legacy))
    assert max(values) < 0.06, values
    assert np.mean(values) < 0.02, values


@pytest.mark.parametrize("legacy", [False, True])
def test_ksg_agrees_with_reference_larger(legacy):
    # A few larger fixed cases (several blocks, tree paths) next to the
    # small hypothesis ones.
    rng = np.random.default_rng(42)
    for n, dx, dy in [(3000, 1, 1), (1500, 2, 2), (800, 3, 1)]:
        x = rng.standard_normal((n, dx))
        y = x[:, :1] + 0.5 * rng.standard_normal((n, dy))
        x[::7] = np.round(x[::7])  # some exact ties
        got = ksg(x, y, 4, legacy)
        want = ref_ksg(x, y, 4, legacy)
        assert close(got, want, 1e-10), (n, dx, dy, got, want)


# --------------------------------------------------------------------------
# scikit-learn drop-ins (once they exist)
# --------------------------------------------------------------------------


@SETTINGS
@given(
    a=hnp.arrays(np.int64, st.integers(1, 60), elements=st.integers(-2, 3)),
    data=st.data(),
)
def test_mutual_info_score_symmetric_bounded(a, data):
    if not hasattr(fastmi, "mutual_info_score"):
        pytest.skip("fastmi.mutual_info_score does not exist yet")
    b = data.draw(hnp.arrays(np.int64, a.shape[0], elements=st.integers(0, 4)))
    mi = fastmi.mutual_info_score(a, b)
    assert np.isfinite(mi) and mi >= 0.0
    assert close(fastmi.mutual_info_score(b, a), mi, 1e-12, 1e-15)
    ha = entropy_bits(np.unique(a, return_counts=True)[1]) * math.log(2)  # nats
    hb = entropy_bits(np.unique(b, return_counts=True)[1]) * math.log(2)
    assert mi <= min(ha, hb) + 1e-12
    assert close(fastmi.mutual_info_score(a, a), ha, 1e-12, 1e-14)
