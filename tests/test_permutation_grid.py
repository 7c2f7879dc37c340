"""mi_test with one-dimensional x, y and z: the null distribution from the grid search.

The permutation null of ``mi_test`` with 1-D x, y, z finds the joint k-th-neighbour
distances on a grid of quantile slabs (csrc/fastmi/search/grid3.hpp), not on the
KD-tree that ``conditional_mi`` uses. Every null value must equal
``conditional_mi`` on the permuted data bit for bit (the distances are exact, so
the radii, counts and sums are the same), also where a grid is weakest: ties and
duplicates (slabs whose edges coincide), a constant conditioning variable,
coordinates of wildly different scales (the first radius guess is far off), k up
to n - 1, and tiny n.
"""
from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import pytest

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
