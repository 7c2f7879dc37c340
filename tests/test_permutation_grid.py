"""mi_test and conditional_mi: the joint k-NN search on the grid of quantile slabs.

With joint dimension dx + dy + dz from 3 to 6, ``conditional_mi`` and the permutation
null of ``mi_test`` find the joint k-th-neighbour distances on a grid of quantile slabs
(csrc/fastmi/search/slab_grid.hpp), or on the KD-tree where the grid's cells are crowded
(strongly dependent coordinates) or the dimension is larger. Every null value must equal
``conditional_mi`` on the permuted data bit for bit (the distances are exact, so the
radii, counts and sums are the same), and scipy's cKDTree on the same data to 1e-12 nats
(an independent search), also where a grid is weakest: ties and duplicates (slabs whose
edges coincide), a constant conditioning variable, coordinates of wildly different
scales (the first radius guess is far off), k up to n - 1, tiny n, and crowded cells.
Each case runs with 1-D x, y, z (D = 3) and with the multivariate shapes of ``DIMS``
(D = 4, 5, 6 on the grid, 7 on the KD-tree).
"""
from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import pytest

from scipy.spatial import cKDTree
from scipy.special import digamma

import fastmi
from fastmi import _native
from fastmi.significance import _permutation, _seeds, _shuffle_candidates

Array = npt.NDArray[np.float64]


DIMS = [(1, 1, 1), (1, 1, 2), (2, 1, 1), (1, 2, 2), (2, 2, 2), (1, 1, 5)]


def _cols(a: Array) -> Array:
    return a.reshape(len(a), -1)


def _squeeze(a: Array) -> Array:
    return a[:, 0] if a.ndim == 2 and a.shape[1] == 1 else a


def _check_null(x: Array, y: Array, z: Array, k: int, s: int, B: int = 4, seed: int = 3) -> None:
    x, y, z = _squeeze(_cols(x)), _squeeze(_cols(y)), _squeeze(_cols(z))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastmi.TiedSamplesWarning)
        r = fastmi.mi_test(x, y, z, k=k, n_permutations=B, shuffle_neighbors=s, random_state=seed, base=np.e,
                           tie_breaking="off")  # the grid itself on ties, not on noise
        seeds = _seeds(seed, B)
        neighbors = _shuffle_candidates(np.ascontiguousarray(_cols(z)), s, seeds, 1, False)
        for b in range(B):
            yb = y[_permutation(seeds[b], len(x), neighbors)]
            assert r.null_distribution[b] == fastmi.conditional_mi(x, yb, z, k=k, base=np.e, tie_breaking="off"), b
            assert r.null_distribution[b] == pytest.approx(_scipy_cmi_nats(x, yb, z, k), abs=1e-12), b


def _scipy_cmi_nats(x: Array, y: Array, z: Array, k: int) -> float:
    """Frenzel-Pompe in nats with scipy: one k-NN query, three count queries strictly
    inside the k-th distance (``<= nextafter(eps, 0)``)."""
    x, y, z = _cols(x), _cols(y), _cols(z)
    xyz = np.column_stack([x, y, z])
    r = np.nextafter(cKDTree(xyz).query(xyz, k=k + 1, p=np.inf)[0][:, k], 0)

    def count(a: Array) -> npt.NDArray[np.int64]:
        return cKDTree(a).query_ball_point(a, r, p=np.inf, return_length=True) - 1

    n_xz, n_yz = count(np.column_stack([x, z])), count(np.column_stack([y, z]))
    n_z = count(z)
    return float(digamma(k) - np.mean(digamma(n_xz + 1) + digamma(n_yz + 1) - digamma(n_z + 1)))


def _chain(rng: np.random.Generator, n: int, dims: tuple[int, int, int] = (1, 1, 1)) -> tuple[Array, Array, Array]:
    """x and y each driven by the sum of z's columns (every column of x, y its own noise)."""
    dx, dy, dz = dims
    z = rng.standard_normal((n, dz))
    s = z.sum(axis=1, keepdims=True)
    x, y = s + rng.standard_normal((n, dx)), s + rng.standard_normal((n, dy))
    return _squeeze(x), _squeeze(y), _squeeze(z)


@pytest.mark.parametrize("dims", DIMS)
def test_ties_and_duplicates(dims: tuple[int, int, int], rng: np.random.Generator) -> None:
    x, y, z = _chain(rng, 600, dims)
    x, y, z = np.round(x, 1), np.round(y, 1), np.round(z, 1)  # many ties per coordinate
    x[:30], y[:30], z[:30] = x[30:60], y[30:60], z[30:60]  # exact duplicates: zero radii
    _check_null(x, y, z, k=3, s=4)
    _check_null(x, y, z, k=1, s=2)
    _check_null(x, y, z, k=25, s=4)  # k-th distances selected among many equal ones


@pytest.mark.parametrize("dims", DIMS)
def test_constant_z_and_few_values(dims: tuple[int, int, int], rng: np.random.Generator) -> None:
    x, y, z = _chain(rng, 300, dims)
    _check_null(x, y, np.full_like(z, 2.5), k=4, s=5)  # every z slab has the same edges
    _check_null(x, np.round(y), rng.integers(0, 3, z.shape).astype(float), k=5, s=3)


@pytest.mark.parametrize("dims", DIMS)
@pytest.mark.parametrize("scales", [(1e-150, 1e150, 1.0), (1e120, 1.0, 1e-120), (1.0, 1e-300, 1e-300)])
def test_wildly_different_scales(scales: tuple[float, float, float], dims: tuple[int, int, int],
                                 rng: np.random.Generator) -> None:
    x, y, z = _chain(rng, 400, dims)
    _check_null(x * scales[0], y * scales[1], z * scales[2], k=3, s=5)


@pytest.mark.parametrize("dims", DIMS)
def test_k_up_to_n_minus_one(dims: tuple[int, int, int], rng: np.random.Generator) -> None:
    x, y, z = _chain(rng, 80, dims)
    for k in (20, 50, 79):
        _check_null(x, y, z, k=k, s=5, B=2)


@pytest.mark.parametrize("dims", DIMS)
def test_tiny_n(dims: tuple[int, int, int], rng: np.random.Generator) -> None:
    for n in (3, 5, 9):
        x, y, z = _chain(rng, n, dims)
        for k in range(1, n):
            _check_null(x, y, z, k=k, s=n - 1, B=3)


@pytest.mark.parametrize("dims", DIMS)
def test_heavy_tails(dims: tuple[int, int, int], rng: np.random.Generator) -> None:
    n = 2000
    z = _cols(rng.standard_cauchy((n, dims[2])))
    s = z.sum(axis=1, keepdims=True)
    x = s + rng.standard_cauchy((n, dims[0]))
    y = s * rng.standard_normal((n, dims[1]))  # a few samples far out
    _check_null(_squeeze(x), _squeeze(y), _squeeze(z), k=10, s=5, B=3)


@pytest.mark.parametrize("dims", DIMS)
@pytest.mark.parametrize("tail", ["outliers", "lognormal"])
def test_searches_over_budget_give_way_to_the_kd_tree(tail: str, dims: tuple[int, int, int],
                                                     rng: np.random.Generator) -> None:
    # heavy tails on every axis (5% of the values a million times the rest, or
    # lognormal(0, 8)): a sample among an axis's largest values has a k-th distance far
    # above the other axes' spread, its box holds its whole slab of that axis, and the
    # grid's sampled rows scan past its budget (kGridScan in search/dispatch.hpp), so
    # the search moves to the KD-tree, for the statistic and for every permutation; the
    # values stay exact (against the grid's own sampled rows too: a search abandoned
    # midway must leave no radius of its own behind)
    n = 3000

    def axis(d: int) -> Array:
        if tail == "outliers":
            return np.where(rng.random((n, d)) < 0.05, 1e6, 1.0) * rng.standard_normal((n, d))
        return rng.lognormal(0.0, 8.0, (n, d))

    x, y, z = _squeeze(axis(dims[0])), _squeeze(axis(dims[1])), _squeeze(axis(dims[2]))
    _check_null(x, y, z, k=5, s=5, B=3)
    assert fastmi.conditional_mi(x, y, z, k=5, base=np.e) == pytest.approx(_scipy_cmi_nats(x, y, z, 5), abs=1e-12)


def test_crowded_cells_take_the_kd_tree(rng: np.random.Generator) -> None:
    # x and y within 1e-6 of z: every point lies in the grid's diagonal cells (k = 50
    # cuts 8 slabs per axis, about 375 points per cell, over the crowding limit of 256
    # mates per point), where the search moves to the KD-tree; the values stay exact
    z = rng.standard_normal(3000)
    x, y = z + 1e-6 * rng.standard_normal(3000), z + 1e-6 * rng.standard_normal(3000)
    _check_null(x, y, z, k=50, s=5, B=2)
    assert fastmi.conditional_mi(x, y, z, k=50, base=np.e) == pytest.approx(_scipy_cmi_nats(x, y, z, 50), abs=1e-12)


def test_crowded_cells_take_the_kd_tree_multivariate(rng: np.random.Generator) -> None:
    # the same in four dimensions: x, y and the second z column within 1e-6 of the
    # first z column (k = 50: 4 slabs per axis, about 500 points in each of the 4
    # diagonal cells)
    z0 = rng.standard_normal(2000)
    z = np.column_stack([z0, z0 + 1e-6 * rng.standard_normal(2000)])
    x, y = z0 + 1e-6 * rng.standard_normal(2000), z0 + 1e-6 * rng.standard_normal(2000)
    _check_null(x, y, z, k=50, s=5, B=2)
    assert fastmi.conditional_mi(x, y, z, k=50, base=np.e) == pytest.approx(_scipy_cmi_nats(x, y, z, 50), abs=1e-12)


_DENORMAL_SCRIPT = """
import json, sys, warnings
import numpy as np
import fastmi
x, y, z = (np.asarray(v) for v in json.loads(sys.stdin.read()))
with warnings.catch_warnings():
    warnings.simplefilter("ignore", fastmi.TiedSamplesWarning)
    cmi = fastmi.conditional_mi(x, y, z, k=1, base=np.e, tie_breaking="off", n_jobs=1)
    r = fastmi.mi_test(x, y, z, k=1, n_permutations=2, random_state=0, base=np.e, tie_breaking="off")
json.dump([cmi, r.statistic], sys.stdout)
"""


@pytest.mark.parametrize(("dims", "m"), [((1, 1, 1), 13), ((2, 1, 1), 7), ((1, 1, 3), 6), ((2, 2, 2), 5)])
def test_columns_a_few_denormals_apart_end(dims: tuple[int, int, int], m: int, rng: np.random.Generator) -> None:
    # the last column's values differ by multiples of the smallest denormal (5e-324): a
    # search that started its radius guess there could not grow it (1.3 * 5e-324 rounds
    # back to 5e-324) and looped forever; run in a child process so that a hang fails
    # the test instead of stopping the suite
    import json
    import subprocess
    import sys

    n = 1000
    x, y, z = _chain(rng, n, dims)
    z = _cols(z).copy()
    z[:, -1] = (np.arange(n) % m) * 5e-324
    z = _squeeze(z)
    done = subprocess.run([sys.executable, "-c", _DENORMAL_SCRIPT], input=json.dumps([x.tolist(), y.tolist(),
                          z.tolist()]), capture_output=True, text=True, timeout=60, check=True)
    cmi, statistic = json.loads(done.stdout)
    assert cmi == statistic == pytest.approx(_scipy_cmi_nats(x, y, z, 1), abs=1e-12)


_TWIN_SCRIPT = """
import json, sys, warnings
import numpy as np
import fastmi
rng = np.random.default_rng(5)
out = []
for n, k, ties, dz in ((3000, 10, False, 1), (3000, 1, False, 1), (2000, 40, False, 1), (1500, 3, True, 1),
                       (3000, 10, False, 2), (2000, 40, False, 3), (1500, 3, True, 4)):
    z = rng.standard_normal((n, dz))
    x, y = z.sum(axis=1) + rng.standard_normal(n), z.sum(axis=1) + rng.standard_normal(n)
    z = z[:, 0] if dz == 1 else z
    if ties:
        x, y, z = np.round(x, 1), np.round(y, 1), np.round(z, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastmi.TiedSamplesWarning)
        r = fastmi.mi_test(x, y, z, k=k, n_permutations=3, random_state=1, tie_breaking="off")
    out.append([float(r.statistic).hex()] + [float(v).hex() for v in r.null_distribution])
json.dump(out, sys.stdout)
"""


def test_avx2_kernel_and_its_baseline_twin_agree_bit_for_bit() -> None:
    # the grid's AVX2 search (chosen at run time where the CPU has AVX2) and its
    # baseline twin (FASTMI_NO_AVX2=1) give the same statistic and null, bit for bit,
    # including k = 1, k = 40 (selection among more than 32 distances), ties, and the
    # joint dimensions 4 to 6
    import json
    import os
    import subprocess
    import sys

    runs = []
    for env in ({}, {"FASTMI_NO_AVX2": "1"}):
        done = subprocess.run([sys.executable, "-c", _TWIN_SCRIPT], env={**os.environ, **env},
                              capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
