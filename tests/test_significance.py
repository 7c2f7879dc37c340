"""fastmi.mi_test: permutation tests with the KSG estimators.

The null distribution is checked value for value against the public
estimators on the permuted data, the local permutations against their
definition, the neighbour lists against brute force, and the p-values for
calibration: the rejection rate at 5% of a true (conditional) independence
over many seeds must lie in a 3-sigma binomial band around 5%.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import fastmi
from fastmi import _native
from fastmi.significance import _permutation, _seeds, _shuffle_candidates


def _chain(rng, n):
    """x and y both driven by z: dependent, but independent given z."""
    z = rng.standard_normal(n)
    return z + rng.standard_normal(n), z + rng.standard_normal(n), z


def test_result_convention(rng):
    x, y, _ = _chain(rng, 300)
    r = fastmi.mi_test(x, y, n_permutations=40, random_state=1)
    assert isinstance(r, fastmi.MITestResult) and r.null_distribution.shape == (40,)
    assert r.pvalue == (1 + np.count_nonzero(r.null_distribution >= r.statistic)) / 41
    assert r.statistic == fastmi.ksg_mi(x, y)  # positive here, so the clipping does not matter


def test_null_equals_ksg_mi_of_permuted_y(rng):
    x, y, _ = _chain(rng, 700)
    y[::50] = y[1::50]  # a few ties in y: the relabelled sorted order must break them by index
    B = 12
    r = fastmi.mi_test(x, y, n_permutations=B, random_state=5, base=math.e, tie_breaking="off")
    seeds = _seeds(5, B)
    for b in range(B):
        perm = _permutation(seeds[b], len(x))
        assert np.array_equal(np.sort(perm), np.arange(len(x)))  # a bijection
        assert max(0.0, r.null_distribution[b]) == fastmi.ksg_mi(x, y[perm], base=math.e, tie_breaking="off")


def test_null_equals_conditional_mi_of_locally_permuted_y(rng):
    x, y, z = _chain(rng, 600)
    B, s = 10, 4
    r = fastmi.mi_test(x, y, z, n_permutations=B, shuffle_neighbors=s, random_state=7)
    assert r.statistic == fastmi.conditional_mi(x, y, z)
    seeds = _seeds(7, B)
    neighbors = _shuffle_candidates(z.reshape(-1, 1), s, seeds, 1, False)
    for b in range(B):
        perm = _permutation(seeds[b], len(x), neighbors)
        assert r.null_distribution[b] == fastmi.conditional_mi(x, y[perm], z, tie_breaking="off")  # perm repeats some y


def test_null_multidimensional(rng):
    n = 400
    x = rng.standard_normal((n, 2))
    y = x[:, :1] + rng.standard_normal((n, 1))
    z = rng.standard_normal((n, 2))
    seeds = _seeds(3, 4)
    r = fastmi.mi_test(x, y, n_permutations=4, random_state=3)
    for b in range(4):
        assert max(0.0, r.null_distribution[b]) == fastmi.ksg_mi(x, y[_permutation(seeds[b], n)], tie_breaking="off")
    r = fastmi.mi_test(x, y, z, n_permutations=4, random_state=3)
    nb = _native.nearest_in_z(z, 5, 1, False)
    for b in range(4):
        assert r.null_distribution[b] == fastmi.conditional_mi(x, y[_permutation(seeds[b], n, nb)], z, tie_breaking="off")


@pytest.mark.parametrize("dx,dy,dz", [(1, 2, 1), (1, 1, 2), (2, 1, 1), (1, 2, 3), (2, 1, 3), (1, 1, 5)])
def test_null_counts_on_structures_built_once(dx, dy, dz, rng):
    """With multivariate data the counts in (x, z) and in z run on a search structure built
    once for all permutations (sorted values for 1-D z, else a KD-tree of 2, 3, 4 or any
    dimension): each null value equals conditional_mi on the permuted y, bit for bit."""
    n = 300
    z = rng.standard_normal((n, dz))
    x = z[:, :1] + rng.standard_normal((n, dx))
    y = z[:, :1] + rng.standard_normal((n, dy))
    r = fastmi.mi_test(x, y, z, k=4, n_permutations=3, shuffle_neighbors=3, random_state=5, n_jobs=2)
    nb = _native.nearest_in_z(z, 3, 1, False)
    seeds = _seeds(5, 3)
    for b in range(3):
        want = fastmi.conditional_mi(x, y[_permutation(seeds[b], n, nb)], z, k=4, tie_breaking="off")
        assert r.null_distribution[b] == want


def _brute_neighbors(z, s):
    d = np.abs(z[:, None, :] - z[None, :, :]).max(axis=2)
    n = len(z)
    d[np.arange(n), np.arange(n)] = -1.0  # the sample itself first, before its duplicates
    idx = np.broadcast_to(np.arange(n), (n, n))
    order = np.lexsort((idx, d), axis=1)  # then by distance, ties by index
    return order[:, :s]


@pytest.mark.parametrize("dz", [1, 2, 3])
@pytest.mark.parametrize("s", [1, 2, 5, 9])
def test_z_neighbors_brute_force(dz, s, rng):
    z = rng.standard_normal((300, dz))
    z[:40] = np.round(z[:40])  # ties, including exact duplicates
    got = _native.nearest_in_z(np.ascontiguousarray(z), s, 2, False)
    want = _brute_neighbors(z, s)
    d = np.abs(z[:, None, :] - z[None, :, :]).max(axis=2)
    rows = np.arange(300)[:, None]
    # the same distances in the same order, and with a unique order the same samples
    assert np.array_equal(d[rows, got], d[rows, want])
    assert np.array_equal(got[:, 0], np.arange(300))  # the sample itself first
    assert np.array_equal(got, want)


@pytest.mark.parametrize("layout", ["distinct", "equal gaps"])
@pytest.mark.parametrize("s", [2, 5, 9, 300])
def test_z_neighbors_sorted_walk(layout, s, rng):
    # one-dimensional z without tied values takes the walk along the sorted
    # order; equal gaps (a shuffled arange) put every sample's two nearest at
    # the same distance, where the lower index comes first
    z = rng.standard_normal(300) if layout == "distinct" else rng.permutation(300).astype(float)
    z = z.reshape(-1, 1)
    got = _native.nearest_in_z(z, s, 2, False)
    assert np.array_equal(got, _brute_neighbors(z, s))
    # tied values (a duplicate) leave the walk for the general search, with the same definition
    z[7] = z[11]
    assert np.array_equal(_native.nearest_in_z(z, s, 2, False), _brute_neighbors(z, s))


def test_local_permutation_definition(rng):
    n, s = 500, 5
    z = rng.standard_normal((n, 1))
    nb = _native.nearest_in_z(z, s, 1, False)
    for seed in range(5):
        perm = _permutation(seed, n, nb)
        assert all(perm[i] in nb[i] for i in range(n))  # only from the z-neighbourhood
        assert len(np.unique(perm)) > 0.85 * n           # without replacement as far as possible
    # every neighbour free (s = n - 1 on a tiny set: a full permutation)
    m = 6
    nb = _native.nearest_in_z(rng.standard_normal((m, 1)), m - 1, 1, False)
    perms = {tuple(_permutation(seed, m, nb)) for seed in range(50)}
    assert len(perms) > 10


@pytest.mark.parametrize("layout", ["constant", "discrete", "discrete 2-D", "mixed"])
@pytest.mark.parametrize("s", [2, 5])
def test_duplicates_in_z_get_random_candidates(layout, s, rng):
    # a sample with more than s - 1 exact duplicates in z takes s - 1 of them
    # at random: index order would give a whole group the same few candidates
    n = 2000
    z = {"constant": lambda: np.ones((n, 1)),
         "discrete": lambda: rng.integers(0, 4, (n, 1)).astype(float),
         "discrete 2-D": lambda: rng.integers(0, 3, (n, 2)).astype(float),
         "mixed": lambda: np.where(rng.random((n, 1)) < 0.5, rng.standard_normal((n, 1)), 0.0)}[layout]()
    z[::7] *= -1.0  # -0.0 and 0.0 are one value, as distances have it
    seeds = _seeds(3, 1)
    got = _shuffle_candidates(z, s, seeds, 2, False)
    index_order = _native.nearest_in_z(z, s, 2, False)
    key = [tuple(row) for row in (z + 0.0)]
    groups = {}
    for i, v in enumerate(key):
        groups.setdefault(v, []).append(i)
    size = np.array([len(groups[v]) for v in key])
    big = size > s
    assert big.any()
    assert np.array_equal(got[~big], index_order[~big])  # the others keep the nearest in index order
    assert np.array_equal(got[:, 0], np.arange(n))
    for i in np.flatnonzero(big)[:300]:
        others = got[i, 1:]
        assert len(set(others)) == s - 1 and i not in others
        assert all(key[j] == key[i] for j in others)  # all of them duplicates of the sample
    # spread over each group (index order: the group's first s samples are every sample's candidates)
    uses = np.bincount(got[big, 1:].ravel(), minlength=n)
    assert uses.max() <= 25, uses.max()  # about s - 1 each
    # the same draw again, another with another seed
    assert np.array_equal(_shuffle_candidates(z, s, seeds, 1, False), got)
    assert not np.array_equal(_shuffle_candidates(z, s, _seeds(4, 1), 2, False), got)


def test_duplicate_groups_do_not_make_the_search_quadratic(rng):
    # the search scanned a whole group of equal z for each of its samples: 38 s
    # for a constant z of 1e5 samples; only each group's first s take part now
    import time

    n, s = 100_000, 5
    for z in (np.zeros((n, 1)), np.where(rng.random((n, 1)) < 0.5, 0.0, rng.standard_normal((n, 1)))):
        start = time.perf_counter()
        got = _shuffle_candidates(z, s, _seeds(0, 1), 2, False)
        assert time.perf_counter() - start < 15.0
        zero = np.flatnonzero(z[:, 0] == 0.0)
        assert (z[got[zero, 1:], 0] == 0.0).all()
    # the continuous samples keep their nearest (in index order, the zeros' first s among them)
    cont = np.flatnonzero(z[:, 0] != 0.0)[:40]
    d = np.abs(z[:, 0][None, :] - z[cont, 0][:, None])
    d[np.arange(cont.size), cont] = -1.0  # itself first
    want = np.argsort(d, axis=1, kind="stable")[:, :s]
    assert np.array_equal(got[cont], want)


def test_duplicate_candidates_linear_in_shuffle_neighbors():
    # a large shuffle_neighbors in a big group of equal z: the draw per sample without
    # replacement took O(n s^2) (n = 2000, s = 1999: 7.7 s; this case about 9 s); the
    # cyclic order takes O(n s). Each sample is then the candidate of exactly s - 1 others.
    import time

    n, s = 4000, 1500
    z = np.zeros((n, 1))
    start = time.perf_counter()
    got = _shuffle_candidates(z, s, _seeds(0, 1), 2, False)
    assert time.perf_counter() - start < 3.0
    assert np.array_equal(got[:, 0], np.arange(n))
    assert (np.sort(got[:, 1:], axis=1)[:, 1:] != np.sort(got[:, 1:], axis=1)[:, :-1]).all()  # distinct
    assert not (got[:, 1:] == np.arange(n)[:, None]).any()  # never itself among the others
    assert (np.bincount(got[:, 1:].ravel(), minlength=n) == s - 1).all()
    # every other sample is a candidate of sample 0 about equally often over seeds
    hits = np.zeros(n)
    for seed in range(40):
        hits[_shuffle_candidates(np.zeros((200, 1)), 50, _seeds(seed, 1), 1, False)[0, 1:]] += 1
    hits = hits[1:200]
    assert abs(hits.mean() - 40 * 49 / 199) < 1e-9 and hits.max() < 25 and hits.min() >= 1


def test_null_uses_the_random_candidates(rng):
    n, B = 300, 6
    z = np.round(rng.standard_normal(n))
    x, y = z + rng.standard_normal(n), z + rng.standard_normal(n)
    r = fastmi.mi_test(x, y, z, n_permutations=B, random_state=2, tie_breaking="off")
    seeds = _seeds(2, B)
    nb = _shuffle_candidates(z.reshape(-1, 1), 5, seeds, 1, False)
    assert not np.array_equal(nb, _native.nearest_in_z(z.reshape(-1, 1), 5, 1, False))
    for b in range(B):
        perm = _permutation(seeds[b], n, nb)
        assert r.null_distribution[b] == fastmi.conditional_mi(x, y[perm], z, tie_breaking="off")


def test_permutations_are_uniform():
    # every permutation equally likely, over many seeds (counts within 5 standard
    # deviations of their expectation): n = 4 draws all its swaps from one number
    # (up to 20 positions do), n = 25 one number per swap; a local scheme whose
    # candidates are every sample is a uniform permutation as well
    from collections import Counter
    from math import factorial

    for n, nb in ((4, None), (3, np.array([[0, 1, 2], [1, 0, 2], [2, 0, 1]], dtype=np.int64))):
        seeds = 200 * factorial(n)
        counts = Counter(tuple(_permutation(seed, n, nb)) for seed in range(seeds))
        assert len(counts) == factorial(n)
        assert all(abs(c - 200) < 5 * np.sqrt(200) for c in counts.values()), counts
    first = np.bincount([_permutation(seed, 25)[0] for seed in range(10_000)], minlength=25)
    assert (np.abs(first - 400) < 5 * np.sqrt(400)).all(), first


def test_same_null_for_every_n_jobs(rng):
    x, y, z = _chain(rng, 5000)
    for args in ((x, y), (x, y, z)):
        ref = fastmi.mi_test(*args, n_permutations=6, random_state=11, n_jobs=1)
        for n_jobs in (2, 3, 8):
            got = fastmi.mi_test(*args, n_permutations=6, random_state=11, n_jobs=n_jobs)
            assert np.array_equal(got.null_distribution, ref.null_distribution)
            assert got.statistic == ref.statistic and got.pvalue == ref.pvalue
    other = fastmi.mi_test(x, y, z, n_permutations=6, random_state=12)
    assert not np.array_equal(other.null_distribution, ref.null_distribution)
    gen = np.random.default_rng(11)
    assert np.array_equal(fastmi.mi_test(x, y, z, n_permutations=6, random_state=gen).null_distribution,
                          ref.null_distribution)


def _rejection_rate(make, runs, **kwargs):
    rejected = 0
    for seed in range(runs):
        rng = np.random.default_rng(10_000 + seed)
        r = fastmi.mi_test(*make(rng), random_state=seed, n_permutations=19, **kwargs)
        rejected += r.pvalue <= 0.05  # = 1/20: no null value reached the statistic
    return rejected / runs


def _band(runs, alpha=0.05):
    sd = math.sqrt(alpha * (1 - alpha) / runs)
    return alpha - 3 * sd, alpha + 3 * sd


def test_calibration_independence():
    runs = 300
    rate = _rejection_rate(lambda rng: (rng.standard_normal(150), rng.standard_normal(150)), runs, k=3)
    lo, hi = _band(runs)
    assert lo <= rate <= hi, rate


def test_calibration_conditional_independence():
    runs = 200
    rate = _rejection_rate(lambda rng: _chain(rng, 200), runs, k=5, shuffle_neighbors=5)
    lo, hi = _band(runs)
    assert lo <= rate <= hi, rate


@pytest.mark.parametrize("layout", ["constant", "discrete"])
def test_calibration_grouped_z(layout):
    # z with large groups of equal values, tested as given: the null permutes y
    # within each group (index order kept most samples' own y: rate near 0)
    runs = 200

    def make(rng):
        z = np.ones(200) if layout == "constant" else rng.integers(0, 3, 200).astype(float)
        return z + rng.standard_normal(200), z + rng.standard_normal(200), z

    rate = _rejection_rate(make, runs, k=3, tie_breaking="off")
    lo, hi = _band(runs)
    assert lo <= rate <= hi, rate


def test_dependence_rejected_given_constant_z(rng):
    # given a constant z the test is the unconditional one (index order: p about 0.2)
    x = rng.standard_normal(300)
    y = x + rng.standard_normal(300)
    assert fastmi.mi_test(x, y, np.ones(300), n_permutations=99, random_state=0).pvalue == 0.01


def test_dependence_rejected(rng):
    x, y, z = _chain(rng, 400)
    assert fastmi.mi_test(x, y, n_permutations=99, random_state=0).pvalue == 0.01
    # x -> y beyond z: conditional dependence
    y2 = y + 0.8 * x
    assert fastmi.mi_test(x, y2, z, n_permutations=99, random_state=0).pvalue == 0.01
    # dependent only through z: not rejected given z (this seed; calibration above)
    assert fastmi.mi_test(x, y, z, n_permutations=99, random_state=0).pvalue > 0.05


def test_constant_variable(rng):
    r = fastmi.mi_test(np.ones(50), rng.standard_normal(50), n_permutations=9, random_state=0)
    assert r.statistic == 0.0 and r.pvalue == 1.0 and (r.null_distribution == 0).all()


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"n_permutations": 0}, ValueError, "n_permutations must be >= 1"),
        ({"n_permutations": 2.5}, TypeError, "n_permutations must be an integer"),
        ({"z": "use", "shuffle_neighbors": 30}, ValueError, "shuffle_neighbors must be smaller"),
        ({"z": "use", "shuffle_neighbors": 0}, ValueError, "shuffle_neighbors must be >= 2"),
        # 1 leaves every sample its own y: every null value is the statistic, p always 1
        ({"z": "use", "shuffle_neighbors": 1}, ValueError, "shuffle_neighbors must be at least 2"),
        # refused before 16 bytes per permutation are allocated (2**31 was killed by the kernel)
        ({"n_permutations": 10**8 + 1}, ValueError, "n_permutations must be at most 100,000,000"),
        ({"n_permutations": 2**62}, ValueError, "n_permutations must be at most"),
        ({"k": 30}, ValueError, "k must be smaller"),
        ({"random_state": "seed"}, TypeError, "random_state"),
        # checked as every estimator checks it (it went to numpy.random.default_rng as given,
        # which took True, a list and a RandomState, and raised TypeError for -1)
        ({"random_state": True}, TypeError, "random_state must be None, a non-negative int"),
        ({"random_state": [1, 2]}, TypeError, "random_state must be None, a non-negative int"),
        ({"random_state": np.random.RandomState(0)}, TypeError, "random_state must be None, a non-negative int"),
        ({"random_state": np.random.PCG64(0)}, TypeError, "random_state must be None, a non-negative int"),
        ({"random_state": -1}, ValueError, "random_state must be non-negative when an int; got -1"),
        ({"z": "use", "random_state": True}, TypeError, "random_state must be None, a non-negative int"),
        ({"base": 0}, ValueError, "base"),
        ({"y": np.r_[np.nan, np.ones(29)]}, ValueError, "y contains NaN"),
        ({"z": np.ones(29)}, ValueError, "same number of samples"),
    ],
)
def test_errors(kwargs, exc, match, rng):
    args = {"x": rng.standard_normal(30), "y": rng.standard_normal(30)}
    if isinstance(kwargs.get("z"), str):
        kwargs = dict(kwargs, z=rng.standard_normal(30))
    args.update({key: kwargs.pop(key) for key in ("y", "z") if key in kwargs})
    with pytest.raises(exc, match=match):
        fastmi.mi_test(args.pop("x"), args.pop("y"), args.pop("z", None), **kwargs)


def test_progress_chunks_give_the_same_result(rng):
    from fastmi.significance import _check, _run

    x, y, z = _chain(rng, 400)
    for zz in (None, z):
        seen = []
        got = _run(*_check(x, y, zz, 3, 37, 5, 4, 1, 2), progress=lambda done, total: seen.append((done, total)))
        want = fastmi.mi_test(x, y, zz, n_permutations=37, random_state=4, n_jobs=1)
        assert np.array_equal(got.null_distribution, want.null_distribution) and got.pvalue == want.pvalue
        assert seen[-1] == (37, 37) and len(seen) > 1


def test_huge_span_refused(rng):
    x = rng.standard_normal(40)
    y = np.r_[np.full(20, -1e308), np.full(20, 1e308)]
    with pytest.raises(ValueError, match="y spans more than 1.8e308"):
        fastmi.mi_test(x, y, n_permutations=5)
