"""The baselines of the toolkit and workflow benchmarks, written with scipy and scikit-learn.

Shared by ``fastmi bench`` (:mod:`fastmi.bench.cases`) and the pytest-benchmark suite in
``benches/``.  Each one computes what a user without fastmi would write: the same estimator
on scipy's ``cKDTree`` (max-norm, ``workers=-1``), or the same greedy loop on the public MI
functions.  scipy is imported inside the functions, so :mod:`fastmi.bench` imports without
it.  All values are in bits unless the name says otherwise.
"""
from __future__ import annotations

import math
from typing import Any, Callable, List, Tuple

import numpy as np
import numpy.typing as npt

LN2 = math.log(2.0)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _digamma(a: npt.ArrayLike) -> FloatArray:
    from scipy.special import digamma

    return np.asarray(digamma(a), dtype=np.float64)


def _columns(*arrays: npt.ArrayLike) -> FloatArray:
    """The arrays (1-D or (n, d)) side by side as one (n, sum d) float64 array."""
    return np.column_stack([np.asarray(a, dtype=np.float64) for a in arrays])


def count_strictly_within(points: FloatArray, radius: FloatArray) -> IntArray:
    """For every point, the number of other points at max-norm distance strictly below its
    radius (``cKDTree.query_ball_point(..., return_length=True)`` on the next float down)."""
    from scipy.spatial import cKDTree

    r = np.nextafter(radius, 0.0)
    counts = cKDTree(points).query_ball_point(points, r, p=np.inf, return_length=True, workers=-1)
    return np.asarray(counts, dtype=np.int64) - 1


def knn_query(points: npt.ArrayLike, k: int) -> Tuple[FloatArray, IntArray]:
    """``cKDTree(points).query(points, k=k, p=inf, workers=-1)``: distances and indices of
    each point's k nearest points, itself first (build included)."""
    from scipy.spatial import cKDTree

    a = np.asarray(points, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    dist, idx = cKDTree(a).query(a, k=k, p=np.inf, workers=-1)
    return np.asarray(dist, dtype=np.float64), np.asarray(idx, dtype=np.int64)


def kl_entropy_bits(kth_distance: FloatArray, k: int, d: int) -> float:
    """Kozachenko-Leonenko entropy (max-norm) from each sample's distance to its k-th
    neighbour: ``psi(n) - psi(k) + d * mean(log(2 eps))``, in bits."""
    n = kth_distance.shape[0]
    nats = _digamma(n) - _digamma(k) + d * np.mean(np.log(2.0 * kth_distance))
    return float(nats) / LN2


def ksg_bits_from_distances(x: npt.ArrayLike, y: npt.ArrayLike, kth_distance: FloatArray, k: int) -> float:
    """KSG algorithm 1 from each sample's max-norm distance to its k-th joint neighbour:
    ``psi(k) + psi(n) - mean(psi(nx + 1) + psi(ny + 1))``, counts strictly closer, in bits."""
    n = kth_distance.shape[0]
    nx = count_strictly_within(_columns(x), kth_distance)
    ny = count_strictly_within(_columns(y), kth_distance)
    nats = _digamma(k) + _digamma(n) - np.mean(_digamma(nx + 1) + _digamma(ny + 1))
    return float(nats) / LN2


def sorted_kth_distance_1d(x: npt.ArrayLike, k: int) -> FloatArray:
    """Each 1-D sample's distance to its k-th nearest other sample, found the way a numpy
    user would without a tree: sort once, then the k-th smallest of the 2k distances to
    the k samples on either side in sorted order (in sorted order, not sample order)."""
    v = np.sort(np.asarray(x, dtype=np.float64).reshape(-1))
    n = v.shape[0]
    pad = np.concatenate([np.full(k, -np.inf), v, np.full(k, np.inf)])
    d = np.empty((n, 2 * k))
    for j in range(1, k + 1):
        d[:, k - j] = v - pad[k - j : k - j + n]
        d[:, k + j - 1] = pad[k + j : k + j + n] - v
    return np.asarray(np.partition(d, k - 1, axis=1)[:, k - 1], dtype=np.float64)


def _uniform_bin(a: FloatArray, bins: int) -> IntArray:
    """numpy.histogram's bin of every sample over ``bins`` equal bins from min to max
    (edges from linspace; the last bin closed): the arithmetic index, corrected against
    the edges as numpy corrects it."""
    lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    idx = ((a - lo) * (bins / (hi - lo))).astype(np.intp)
    np.clip(idx, 0, bins - 1, out=idx)
    idx -= a < edges[idx]
    idx += (a >= edges[idx + 1]) & (idx != bins - 1)
    return idx


def bincount_discrete_mi_bits(x: npt.ArrayLike, y: npt.ArrayLike, bins: int) -> float:
    """Binned plug-in MI (bits) written for speed in numpy: numpy.histogram2d's bins from
    arithmetic instead of its binary search, the joint table by one ``np.bincount``."""
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    codes = _uniform_bin(xa, bins) * bins + _uniform_bin(ya, bins)
    p = np.bincount(codes, minlength=bins * bins).reshape(bins, bins) / xa.shape[0]
    px, py = p.sum(axis=1), p.sum(axis=0)
    nz = p > 0
    return float(np.sum(p[nz] * np.log2(p[nz] / np.outer(px, py)[nz])))


def ckdtree_cmi_bits(x: npt.ArrayLike, y: npt.ArrayLike, z: npt.ArrayLike, k: int) -> float:
    """Frenzel-Pompe I(X;Y|Z) with scipy: one k-NN query in the joint space and three counts
    strictly inside each sample's k-th-neighbour distance, in bits (unclipped)."""
    eps = knn_query(_columns(x, y, z), k + 1)[0][:, k]
    n_xz = count_strictly_within(_columns(x, z), eps)
    n_yz = count_strictly_within(_columns(y, z), eps)
    n_z = count_strictly_within(_columns(z), eps)
    nats = _digamma(k) - np.mean(_digamma(n_xz + 1) + _digamma(n_yz + 1) - _digamma(n_z + 1))
    return float(nats) / LN2


def local_permutation(neighbors: IntArray, rng: np.random.Generator) -> IntArray:
    """Runge (2018): samples in random order, each taking the first of its z-neighbours (in
    a random order) not yet taken, else the last of them."""
    n, s = neighbors.shape
    order = rng.permutation(n)
    # every sample's candidates in a random order, drawn at once (a random order of each row)
    shuffled = np.take_along_axis(neighbors, np.argsort(rng.random((n, s)), axis=1), axis=1)
    rows = shuffled[order].tolist()
    perm = [0] * n
    taken = [False] * n
    for i, cand in zip(order.tolist(), rows):
        pick = cand[-1]
        for c in cand:
            if not taken[c]:
                pick = c
                break
        taken[pick] = True
        perm[i] = pick
    return np.asarray(perm, dtype=np.int64)


def ckdtree_mi_test(x: FloatArray, y: FloatArray, z: FloatArray, k: int, n_permutations: int,
                    shuffle_neighbors: int, seed: int) -> Tuple[float, float, FloatArray]:
    """The local-permutation test of I(X;Y|Z) = 0 (as tigramite's CMIknn shuffle test) with
    scipy: statistic (bits), p-value and null distribution."""
    stat = ckdtree_cmi_bits(x, y, z, k)
    neighbors = knn_query(z, shuffle_neighbors)[1]
    rng = np.random.default_rng(seed)
    null = np.array([ckdtree_cmi_bits(x, y[local_permutation(neighbors, rng)], z, k)
                     for _ in range(n_permutations)], dtype=np.float64)
    return stat, (1 + int(np.count_nonzero(null >= stat))) / (1 + n_permutations), null


def ksg_loop(X: FloatArray, k: int) -> FloatArray:
    """The pairwise matrix as a Python loop of ``fastmi.ksg_mi`` over the column pairs (bits;
    NaN diagonal, as ``fastmi.pairwise_mi``)."""
    import fastmi

    p = X.shape[1]
    M = np.full((p, p), np.nan)
    for i in range(p):
        for j in range(i + 1, p):
            M[i, j] = M[j, i] = fastmi.ksg_mi(X[:, i], X[:, j], k=k)
    return M


def warm_sklearn_pool() -> None:
    """One tiny untimed ``n_jobs=-1`` call of scikit-learn's MI: it starts joblib's worker
    processes (about 1-4 s here), which would otherwise be timed as part of the first
    baseline that runs with ``n_jobs=-1``."""
    from sklearn.feature_selection import mutual_info_regression

    rng = np.random.default_rng(0)
    mutual_info_regression(rng.standard_normal((64, 4)), rng.standard_normal(64), n_jobs=-1, random_state=0)


def greedy_mid(X: FloatArray, y: npt.ArrayLike, m: int, classif: Callable[..., Any],
               regression: Callable[..., Any], **kwargs: Any) -> List[int]:
    """Greedy mRMR (MID) with one MI call per step: relevance ``classif(X, y)``, then the
    redundancy of every remaining feature with each newly selected one,
    ``regression(X[:, rest], X[:, last])``; the selected features in the order picked."""
    rel = np.asarray(classif(X, y, **kwargs), dtype=np.float64)
    p = X.shape[1]
    selected = [int(np.argmax(rel))]
    red = np.zeros(p)
    while len(selected) < m:
        rest = [f for f in range(p) if f not in selected]
        red[rest] += regression(X[:, rest], X[:, selected[-1]], **kwargs)
        score = rel - red / len(selected)
        score[selected] = -np.inf
        selected.append(int(np.argmax(score)))
    return selected
