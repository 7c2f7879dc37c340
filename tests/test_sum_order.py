"""The KSG family's per-sample sums follow the samples' index order, never a search tree's layout.

Multivariate ksg_mi (both algorithms) and conditional_mi count neighbours in KD-trees whose
leaves visit the samples in a layout-dependent order. The per-sample digamma terms are summed
by sample index instead (blocks of 2048 consecutive indices, each left to right, then the block
sums in order; one-dimensional marginals in blocks of 2048 sorted positions), so a different tree
gives the same bits. Checked two ways, both exact (==, no tolerance):

* against a brute-force recomputation that sums in exactly that order, with the native digamma
  (n > 2048, so the blocks matter);
* under changes that keep every distance but rebuild the trees differently: negated coordinates
  (the trees' children swap sides, so their leaves visit the samples in another order) and
  n_jobs 1, 2 and 7.
"""
from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

import fastmi

BLOCK = 2048  # kQueryBlock in csrc/fastmi/search/sorted1d.hpp
EULER = 0.57721566490153286061
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def native_digamma(n: int) -> float:
    """csrc/fastmi/numerics/digamma.hpp's digamma_int, operation for operation."""
    if n <= 10:
        y = 0.0
        for i in range(1, n):
            y += 1.0 / i
        return y - EULER
    x = float(n)
    z = 1.0 / (x * x)
    p = 8.33333333333333333333e-2
    for c in (-2.10927960927960927961e-2, 7.57575757575757575758e-3, -4.16666666666666666667e-3,
              3.96825396825396825397e-3, -8.33333333333333333333e-3, 8.33333333333333333333e-2):
        p = p * z + c
    return math.log(x) - 0.5 / x - z * p


def max_dist(a: Floats) -> Floats:
    """Max-norm distances between all rows of a (n, d)."""
    out = np.zeros((a.shape[0], a.shape[0]))
    for c in range(a.shape[1]):
        np.maximum(out, np.abs(a[:, c, None] - a[None, :, c]), out=out)
    return out


def blocked_sum(terms: list[float], order: npt.NDArray[np.intp] | None = None) -> float:
    """Blocks of BLOCK consecutive terms (in `order` when given) summed left to right, then the blocks."""
    seq = terms if order is None else [terms[i] for i in order]
    total = 0.0
    for b in range(0, len(seq), BLOCK):
        acc = 0.0
        for t in seq[b:b + BLOCK]:
            acc += t
        total += acc
    return total


def digamma_sum(counts: Ints, shift: int, space: Floats) -> float:
    """Sum of digamma(c + shift): sorted-position blocks in one dimension, index blocks above."""
    terms = [native_digamma(int(c) + shift) for c in counts]
    return blocked_sum(terms, np.argsort(space[:, 0], kind="stable") if space.shape[1] == 1 else None)


def strict_counts(dist: Floats, eps: Floats) -> Ints:
    return (dist < eps[:, None]).sum(axis=1) - 1


def kth(dist: Floats, k: int) -> Floats:
    d = dist.copy()
    np.fill_diagonal(d, np.inf)
    return np.sort(d, axis=1)[:, k - 1]


def ksg1_nats(x: Floats, y: Floats, k: int) -> float:
    n = len(x)
    dx, dy = max_dist(x), max_dist(y)
    eps = kth(np.maximum(dx, dy), k)
    sx = digamma_sum(strict_counts(dx, eps), 1, x)
    sy = digamma_sum(strict_counts(dy, eps), 1, y)
    return native_digamma(n) + native_digamma(k) - sx / n - sy / n


def ksg2_nats(x: Floats, y: Floats, k: int) -> float:
    n = len(x)
    dx, dy = max_dist(x), max_dist(y)
    joint = np.maximum(dx, dy)
    eps = kth(joint, k)
    near = joint <= eps[:, None]
    np.fill_diagonal(near, False)
    ex = np.where(near, dx, 0.0).max(axis=1)
    ey = np.where(near, dy, 0.0).max(axis=1)
    cx = (dx <= ex[:, None]).sum(axis=1) - 1
    cy = (dy <= ey[:, None]).sum(axis=1) - 1
    sx, sy = digamma_sum(cx, 0, x), digamma_sum(cy, 0, y)
    return native_digamma(k) - 1.0 / k + native_digamma(n) - sx / n - sy / n


def cmi_nats(x: Floats, y: Floats, z: Floats, k: int) -> float:
    n = len(x)
    dx, dy, dz = max_dist(x), max_dist(y), max_dist(z)
    dxz, dyz = np.maximum(dx, dz), np.maximum(dy, dz)
    eps = kth(np.maximum(dxz, dy), k)
    sxz = digamma_sum(strict_counts(dxz, eps), 1, np.hstack([x, z]))
    syz = digamma_sum(strict_counts(dyz, eps), 1, np.hstack([y, z]))
    sz = digamma_sum(strict_counts(dz, eps), 1, z)
    return native_digamma(k) - (sxz / n + syz / n - sz / n)


def sample(n: int, *dims: int, seed: int) -> list[Floats]:
    rng = np.random.default_rng(seed)
    common = rng.standard_normal((n, 1))
    return [0.8 * common + rng.standard_normal((n, d)) for d in dims]


@pytest.mark.parametrize("dx, dy", [(2, 2), (3, 1), (1, 4)])
def test_ksg1_sums_in_index_order(dx: int, dy: int) -> None:
    x, y = sample(2500, dx, dy, seed=dx * 10 + dy)
    expected = max(0.0, ksg1_nats(x, y, 3))
    assert fastmi.ksg_mi(x, y, 3, base=np.e) == expected


def test_ksg2_sums_in_index_order() -> None:
    x, y = sample(2300, 2, 2, seed=5)
    assert fastmi.ksg_mi(x, y, 4, algorithm=2, base=np.e) == max(0.0, ksg2_nats(x, y, 4))


def test_cmi_sums_in_index_order() -> None:
    x, y, z = sample(2200, 2, 1, 2, seed=6)
    assert fastmi.conditional_mi(x, y, z, k=3, base=np.e) == cmi_nats(x, y, z, 3)


def test_same_bits_for_any_tree_layout() -> None:
    x, y, z = sample(6000, 3, 3, 2, seed=7)
    flip = np.array([-1.0, 1.0, -1.0])
    calls = {
        "ksg1": lambda a, b, c, j: fastmi.ksg_mi(a, b, 3, n_jobs=j),
        "ksg2": lambda a, b, c, j: fastmi.ksg_mi(a, b, 3, algorithm=2, n_jobs=j),
        "cmi": lambda a, b, c, j: fastmi.conditional_mi(a, b, c, k=3, n_jobs=j),
    }
    for name, call in calls.items():
        base = call(x, y, z, 1)
        for a, b, c, jobs in ((-x, y, z, 1), (x * flip, -y, z, 2), (x, y * flip, -z, 7), (-x, -y, -z, 2)):
            assert call(a, b, c, jobs) == base, name
