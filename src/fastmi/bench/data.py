"""The synthetic data sets of fastmi's benchmarks, shared by ``fastmi bench`` and benches/.

Every generator is a function of its size and a seed, so a data set is the same
wherever it is drawn; the pairs are scaled to unit sample standard deviation
(scikit-learn divides by it before its KSG, so all implementations then see the
same points).
"""
from __future__ import annotations

import math
from typing import Tuple

import numpy as np

SEED = 0
RHO = 0.8
N_FEATURES = 20


def gaussian_truth_bits(rho: float = RHO, pairs: int = 1) -> float:
    """I(X;Y) in bits of `pairs` independent Gaussian pairs of correlation rho."""
    return pairs * -0.5 * math.log2(1.0 - rho * rho)


def gaussian_pair(n: int, rho: float = RHO, seed: int = SEED) -> Tuple[np.ndarray, np.ndarray]:
    """n samples of a bivariate Gaussian with correlation rho, each variable scaled to unit
    sample standard deviation (1-D, float64, contiguous; one 2n buffer, no temporaries but
    one of n)."""
    z = np.random.default_rng(seed).standard_normal((2, n))
    x, y = z[0], z[1]
    y *= math.sqrt(1.0 - rho * rho)
    y += rho * x
    x /= np.std(x)
    y /= np.std(y)
    return x, y


def gaussian_blocks(n: int, d: int, rho: float = RHO, seed: int = SEED + 1) -> Tuple[np.ndarray, np.ndarray]:
    """X, Y of shape (n, d): d independent pairs ``Y[:, j] = rho X[:, j] + sqrt(1 - rho^2) E[:, j]``
    (true MI: ``gaussian_truth_bits(rho, d)``)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = rho * x + math.sqrt(1.0 - rho * rho) * rng.standard_normal((n, d))
    return x, y


def nonlinear_pair(n: int, seed: int = SEED + 1) -> Tuple[np.ndarray, np.ndarray]:
    """y = x^2 + 0.1 * noise (dependent but uncorrelated), scaled to unit sample standard
    deviation."""
    z = np.random.default_rng(seed).standard_normal((2, n))
    x = z[0]
    y = x * x + 0.1 * z[1]
    return x / np.std(x), y / np.std(y)


def classification_data(n: int, n_features: int = N_FEATURES, seed: int = SEED + 2) -> Tuple[np.ndarray, np.ndarray]:
    """A make_classification-style set: 3 classes, 4 informative features (class-dependent
    Gaussian clusters), 4 redundant ones (linear mixtures of those), the rest noise, 1% of
    labels flipped.  Generated with numpy alone so that it needs no scikit-learn."""
    rng = np.random.default_rng(seed)
    n_inf = n_red = 4
    y = rng.integers(0, 3, size=n)
    centers = 2.0 * rng.standard_normal((3, n_inf))
    informative = centers[y] + rng.standard_normal((n, n_inf))
    redundant = informative @ rng.standard_normal((n_inf, n_red))
    noise = rng.standard_normal((n, n_features - n_inf - n_red))
    X = np.hstack([informative, redundant, noise])
    flip = rng.random(n) < 0.01
    y[flip] = rng.integers(0, 3, size=int(flip.sum()))
    return X, y


def regression_data(n: int, n_features: int = N_FEATURES, seed: int = SEED + 3) -> Tuple[np.ndarray, np.ndarray]:
    """A make_regression-style set: y depends linearly on 4 features and non-linearly on 2
    more; the other features are noise."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features))
    w = np.array([2.0, -1.0, 0.5, 0.25])
    y = X[:, :4] @ w + np.sin(2.0 * X[:, 4]) + X[:, 5] ** 2 + 0.5 * rng.standard_normal(n)
    return X, y


def additive_data(n: int, n_features: int, informative: int = 5, seed: int = SEED) -> Tuple[np.ndarray, np.ndarray]:
    """Independent standard normal features; y the sum of the first `informative` plus
    unit noise."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features))
    return X, X[:, :informative].sum(axis=1) + rng.standard_normal(n)


def label_pair(n: int, seed: int = SEED) -> Tuple[np.ndarray, np.ndarray]:
    """Two dependent labellings: a in [0, 50), b = (a + U{0..4}) mod 40."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 50, n)
    return a, (a + rng.integers(0, 5, n)) % 40


def cmi_chain(n: int, seed: int = SEED + 2) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y, z: z a common cause of x and y, and y also driven by x (x = z + e1,
    y = x / 2 + z + e2), so I(X;Y|Z) > 0: ``cmi_chain_truth_bits()``."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    x = z + rng.standard_normal(n)
    y = 0.5 * x + z + rng.standard_normal(n)
    return x, y, z


def cmi_chain_truth_bits() -> float:
    """I(X;Y|Z) of ``cmi_chain`` in bits: given z, x and y have partial correlation
    0.5 / sqrt(1.25)."""
    return -0.5 * math.log2(1.0 - 0.25 / 1.25)


def standard_normal(n: int, seed: int = SEED + 3) -> np.ndarray:
    """n standard normal samples (1-D); differential entropy 1/2 log2(2 pi e) bits."""
    return np.random.default_rng(seed).standard_normal(n)


def conditional_chain(n: int, seed: int = SEED + 6) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y, z: x and y both driven by z and independent given it (I(X;Y|Z) = 0)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    return z + rng.standard_normal(n), z + rng.standard_normal(n), z


def conditional_chain_z(n: int, dz: int, seed: int = SEED + 7) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y, z with z of dz columns: x and y each the sum of z's columns plus noise,
    independent given z (I(X;Y|Z) = 0)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, dz))
    s = z.sum(axis=1)
    return s + rng.standard_normal(n), s + rng.standard_normal(n), z


def pairwise_data(n: int, p: int = N_FEATURES, seed: int = SEED + 4) -> np.ndarray:
    """(n, p): chains of dependent Gaussians (column j += 0.8 column j-1 for odd j) and one
    nonlinear relation (column 4 = sin(2 column 0) + 0.3 noise)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    for j in range(1, p, 2):
        X[:, j] += 0.8 * X[:, j - 1]
    X[:, 4] = np.sin(2 * X[:, 0]) + 0.3 * X[:, 4]
    return X


def mrmr_data(n: int, p: int = 30, seed: int = SEED + 8) -> Tuple[np.ndarray, np.ndarray]:
    """(X, y): seven relevant features of decreasing weight (columns 0-6), a near-copy of
    the first (column 7), the rest noise; y a binary label from a logistic model."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 7] = X[:, 0] + 0.05 * rng.standard_normal(n)
    weights = np.array([3.0, 2.4, 2.0, 1.7, 1.4, 1.2, 1.0])
    logit = X[:, :7] @ weights
    y = (logit + rng.logistic(size=n) > 0).astype(int)
    return X, y
