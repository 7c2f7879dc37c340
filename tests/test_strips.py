"""The k-th-neighbour search on strips of the sorted samples (1-D ``ksg_mi`` and
``pairwise_mi``): its radii are exact, so the estimate equals scikit-learn's
``_compute_mi_cc`` (an independent KD-tree search; 1e-12 relative, the two sums
differ only in order) and the O(n^2) reference (1e-10), for every compiled k
(1 to 8, two-lane result sets) and a run-time k, on one thread (strips linked
while they are filled) and two (strips linked afterwards), and bit for bit
across thread counts. The data put ties in y (splits between equal values),
samples whose neighbours lie several strips away, and strips of a few entries.
The marginal counts that follow them (sorted values, value index) equal a
brute-force count exactly where one rounding decides an end.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import fastmi
from fastmi import reference as ref

LN2 = math.log(2.0)
N = 20_000  # two threads at most one per 8192 samples: n >= 16384 runs both strip builds


def _cases():
    r = np.random.default_rng(2026)
    base = r.standard_normal(N)
    return {
        # y on a 0.05 grid: thousands of exact ties in y, none in the joint space
        "tied y": (base + 0.5 * r.standard_normal(N), np.round(base, 1) / 2.0),
        # y four times wider than x: the k-th distance spans several strips in x
        "wide y": (base + r.standard_normal(N), 4.0 * (base + r.standard_normal(N))),
    }


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8, 9])
@pytest.mark.parametrize("name", ["tied y", "wide y"])
def test_strips_match_sklearn_and_threads(name, k):
    mi_mod = pytest.importorskip("sklearn.feature_selection._mutual_info")
    x, y = _cases()[name]
    want = mi_mod._compute_mi_cc(x, y, n_neighbors=k)
    assert want > 0.01, (name, k)  # dependent data: a relative tolerance means something
    one = fastmi.ksg_mi(x, y, k, tie_breaking="off", n_jobs=1)
    two = fastmi.ksg_mi(x, y, k, tie_breaking="off", n_jobs=2)
    assert one * LN2 == pytest.approx(want, rel=1e-12), (name, k)
    assert one == two, (name, k)  # same bits on either strip build


@pytest.mark.parametrize("k", [3, 10, 20, 40])
@pytest.mark.parametrize("tail", ["lognormal 3", "lognormal 8", "outliers", "cauchy"])
def test_heavy_tails_on_strips_or_the_tree_match_sklearn(tail, k):
    """Heavy tails make the strips' searches long (a sample among the largest x has a
    k-th distance that spans many strips): by the strips' sampled first pass, the
    strips are kept, abandoned after that pass, or never tried (strip_budget in
    search/strips.hpp), and the KD-tree takes over; the estimate is the same."""
    mi_mod = pytest.importorskip("sklearn.feature_selection._mutual_info")
    r = np.random.default_rng(k)
    n = 6000
    a, b = r.standard_normal(n), r.standard_normal(n)
    if tail.startswith("lognormal"):
        s = float(tail.split()[1])
        x, y = np.exp(s * a), np.exp(s * (0.8 * a + 0.6 * b))
    elif tail == "outliers":
        x = np.where(r.random(n) < 0.05, 1e6, 1.0) * a
        y = np.where(r.random(n) < 0.05, 1e6, 1.0) * (0.8 * a + 0.6 * b)
    else:
        x = r.standard_cauchy(n)
        y = x + r.standard_cauchy(n)
    want = mi_mod._compute_mi_cc(x, y, n_neighbors=k)
    assert want > 0.01, (tail, k)
    one = fastmi.ksg_mi(x, y, k, tie_breaking="off", n_jobs=1)
    two = fastmi.ksg_mi(x, y, k, tie_breaking="off", n_jobs=2)
    assert one * LN2 == pytest.approx(want, rel=1e-12), (tail, k)
    assert one == two, (tail, k)


@pytest.mark.parametrize("n, k", [(70, 1), (300, 2), (300, 3), (1000, 7)])
def test_strips_few_entries_match_reference(n, k):
    """One to a few strips of at least 64 entries: every window reaches into
    the padding of a strip end."""
    r = np.random.default_rng(n + k)
    x = r.standard_normal(n)
    y = np.sin(2.0 * x) + 0.3 * r.standard_normal(n)
    want = ref.ksg_mi(x, y, k)
    got = fastmi.ksg_mi(x, y, k, n_jobs=1)
    assert want > 0.05
    assert got == pytest.approx(want, rel=1e-10, abs=1e-12), (n, k)


def test_pairwise_entries_are_ksg_mi_with_tied_and_wide_columns():
    cases = _cases()
    X = np.column_stack([cases["tied y"][0], cases["tied y"][1], cases["wide y"][1]])
    M = fastmi.pairwise_mi(X, k=3, tie_breaking="off", n_jobs=2)
    for i in range(3):
        for j in range(i + 1, 3):
            assert M[i, j] == fastmi.ksg_mi(X[:, i], X[:, j], k=3, tie_breaking="off", n_jobs=1), (i, j)


def _edge_cases():
    """(values, radii) where the marginal counts' ends hinge on one rounding:
    values a few ulps apart (many tied), radii equal to differences between
    them, one ulp either side, and odd multiples of half an ulp (q + r then
    rounds to even, onto a value or off it); far from zero (the differences
    near q +- r exact: the ends are found without settling steps), across
    zero, at the largest magnitudes (q + r overflows), and with q - r near
    zero and r near |q| (differences coarser than the values there: the
    settled search)."""
    r = np.random.default_rng(77)
    cases = []
    for centre in (1.0, -3.0, 1e6, 1.5e308):
        ulp = np.spacing(abs(centre))
        x = centre + ulp * r.integers(0, 48, 400)
        diff = np.abs(x[r.integers(0, 400, 400)] - x)
        for radius in (diff, np.nextafter(diff, np.inf), np.nextafter(diff, 0.0),
                       ulp * (r.integers(0, 40, 400) + 0.5)):
            cases.append((x, radius))
    # across zero: some samples within 3 radii of 0 (the settled search), most not
    x = np.round(r.standard_normal(600), 3) + r.choice([0.0, 1e-9], 600)
    cases += [(x, np.abs(x[r.integers(0, 600, 600)] - x)), (x, r.uniform(0.0, 0.5, 600)),
              (x, np.abs(x) / 3.0), (x, np.nextafter(np.abs(x) / 3.0, np.inf))]
    # largest magnitudes: q + r overflows to infinity
    x = np.sort(r.uniform(1.6e308, 1.79e308, 300))
    cases.append((x, np.full(300, 0.5e308)))
    # q - r (or q + r) near 0 with r close to |q|: the rounded differences
    # from q are coarser than the values near q - r, and some of those
    # values sit a few ulps either side of the value index's bucket edges
    # (two buckets per value over [min, max]); radii from q = +-1 to them
    base = np.concatenate([r.uniform(0.0, 1.2, 300), [0.0, 1.2, 1.0]])
    n = base.size + 5 * 9
    near = [e + j * np.spacing(e) for e in 1.2 / (2 * n) * np.arange(1, 6) for j in range(-4, 5)]
    x = np.concatenate([base, near])
    at = int(np.flatnonzero(x == 1.0)[0])
    for sign in (1.0, -1.0):
        for d in np.abs(1.0 - np.array(near[::3])):
            for rq in (d, np.nextafter(d, 0.0), np.nextafter(d, 2.0)):
                radius = np.full(n, 0.1)
                radius[at] = rq
                cases.append((sign * x, radius))
    return cases


def test_sorted_counts_exact_at_rounding_edges():
    """The 1-D marginal counts (the sorted search of ksg_mi and pairwise_mi)
    equal a brute-force count, exactly: |x_j - x_i| <= r_i, or <=
    nextafter(r_i, 0) when strict (< r_i, and the duplicates for r_i = 0)."""
    from fastmi import _native
    for c, (x, radius) in enumerate(_edge_cases()):
        dist = np.abs(x[None, :] - x[:, None])
        data = np.ascontiguousarray(x[:, None])
        for bound, inside in ((_native.Bound.strict, dist <= np.nextafter(radius, 0.0)[:, None]),
                              (_native.Bound.inclusive, dist <= radius[:, None])):
            want = inside.sum(axis=1) - 1
            for threads in (1, 2):
                got = _native.neighbor_counts(data, radius, _native.Metric.max_norm, bound, threads, False)
                np.testing.assert_array_equal(got, want, err_msg=f"case {c}, {bound}")
