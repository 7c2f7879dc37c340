"""mi_test with one-dimensional x, y and z: the null distribution from the grid search.

With 1-D x, y, z, ``conditional_mi`` and the permutation null of ``mi_test`` find the
joint k-th-neighbour distances on a grid of quantile slabs
(csrc/fastmi/search/grid3.hpp), or on the KD-tree where the grid's cells are crowded
(strongly dependent coordinates). Every null value must equal ``conditional_mi`` on the
permuted data bit for bit (the distances are exact, so the radii, counts and sums are
the same), and scipy's cKDTree on the same data to 1e-12 nats (an independent search),
also where a grid is weakest: ties and duplicates (slabs whose edges coincide), a
constant conditioning variable, coordinates of wildly different scales (the first
radius guess is far off), k up to n - 1, tiny n, and crowded cells.
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
from fastmi.significance import _permutation, _seeds

Array = npt.NDArray[np.float64]


def _check_null(x: Array, y: Array, z: Array, k: int, s: int, B: int = 4, seed: int = 3) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastmi.TiedSamplesWarning)
        r = fastmi.mi_test(x, y, z, k=k, n_permutations=B, shuffle_neighbors=s, random_state=seed, base=np.e,
                           tie_breaking="off")  # the grid itself on ties, not on noise
        neighbors = _native.nearest_in_z(np.ascontiguousarray(z).reshape(-1, 1), s, 1, False)
        seeds = _seeds(seed, B)
        for b in range(B):
            yb = y[_permutation(seeds[b], len(x), neighbors)]
            assert r.null_distribution[b] == fastmi.conditional_mi(x, yb, z, k=k, base=np.e, tie_breaking="off"), b
            assert r.null_distribution[b] == pytest.approx(_scipy_cmi_nats(x, yb, z, k), abs=1e-12), b


def _scipy_cmi_nats(x: Array, y: Array, z: Array, k: int) -> float:
    """Frenzel-Pompe in nats with scipy: one k-NN query, three count queries strictly
    inside the k-th distance (``<= nextafter(eps, 0)``)."""
    xyz = np.column_stack([x, y, z])
    r = np.nextafter(cKDTree(xyz).query(xyz, k=k + 1, p=np.inf)[0][:, k], 0)

    def count(a: Array) -> npt.NDArray[np.int64]:
        return cKDTree(a).query_ball_point(a, r, p=np.inf, return_length=True) - 1

    n_xz, n_yz = count(np.column_stack([x, z])), count(np.column_stack([y, z]))
    n_z = count(z.reshape(-1, 1))
    return float(digamma(k) - np.mean(digamma(n_xz + 1) + digamma(n_yz + 1) - digamma(n_z + 1)))


def _chain(rng: np.random.Generator, n: int) -> tuple[Array, Array, Array]:
    z = rng.standard_normal(n)
    return z + rng.standard_normal(n), z + rng.standard_normal(n), z


def test_ties_and_duplicates(rng: np.random.Generator) -> None:
    x, y, z = _chain(rng, 600)
    x, y, z = np.round(x, 1), np.round(y, 1), np.round(z, 1)  # many ties per coordinate
    x[:30], y[:30], z[:30] = x[30:60], y[30:60], z[30:60]  # exact duplicates: zero radii
    _check_null(x, y, z, k=3, s=4)
    _check_null(x, y, z, k=1, s=2)
    _check_null(x, y, z, k=25, s=4)  # k-th distances selected among many equal ones


def test_constant_z_and_few_values(rng: np.random.Generator) -> None:
    x, y, _ = _chain(rng, 300)
    _check_null(x, y, np.full(300, 2.5), k=4, s=5)  # every z slab has the same edges
    _check_null(x, np.round(y), rng.integers(0, 3, 300).astype(float), k=5, s=3)


@pytest.mark.parametrize("scales", [(1e-150, 1e150, 1.0), (1e120, 1.0, 1e-120), (1.0, 1e-300, 1e-300)])
def test_wildly_different_scales(scales: tuple[float, float, float], rng: np.random.Generator) -> None:
    x, y, z = _chain(rng, 400)
    _check_null(x * scales[0], y * scales[1], z * scales[2], k=3, s=5)


def test_k_up_to_n_minus_one(rng: np.random.Generator) -> None:
    x, y, z = _chain(rng, 80)
    for k in (20, 50, 79):
        _check_null(x, y, z, k=k, s=5, B=2)


def test_tiny_n(rng: np.random.Generator) -> None:
    for n in (3, 5, 9):
        x, y, z = _chain(rng, n)
        for k in range(1, n):
            _check_null(x, y, z, k=k, s=n - 1, B=3)


def test_heavy_tails(rng: np.random.Generator) -> None:
    z = rng.standard_cauchy(2000)
    x, y = z + rng.standard_cauchy(2000), z * rng.standard_normal(2000)  # a few samples far out
    _check_null(x, y, z, k=10, s=5, B=3)


def test_crowded_cells_take_the_kd_tree(rng: np.random.Generator) -> None:
    # x and y within 1e-6 of z: every point lies in the grid's diagonal cells (k = 50
    # cuts 8 slabs per axis, about 375 points per cell, over the crowding limit of 256
    # mates per point), where the search moves to the KD-tree; the values stay exact
    z = rng.standard_normal(3000)
    x, y = z + 1e-6 * rng.standard_normal(3000), z + 1e-6 * rng.standard_normal(3000)
    _check_null(x, y, z, k=50, s=5, B=2)
    assert fastmi.conditional_mi(x, y, z, k=50, base=np.e) == pytest.approx(_scipy_cmi_nats(x, y, z, 50), abs=1e-12)


_TWIN_SCRIPT = """
import json, sys, warnings
import numpy as np
import fastmi
rng = np.random.default_rng(5)
out = []
for n, k, ties in ((3000, 10, False), (3000, 1, False), (2000, 40, False), (1500, 3, True)):
    z = rng.standard_normal(n)
    x, y = z + rng.standard_normal(n), z + rng.standard_normal(n)
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
    # including k = 1, k = 40 (selection among more than 32 distances) and ties
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
