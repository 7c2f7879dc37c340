"""``fastmi.info_from_pmf``: the textbook chapter's 2x2 explorer, an independent
loop over the table (1e-12), the identities H(X) + H(Y) - H(X,Y) = I and
H(X|Y) = H(X,Y) - H(Y) (1e-12), and scikit-learn's normalized_mutual_info_score on
labels drawn from a count table (1e-12)."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import fastmi

CHAPTER = [[0.4, 0.1], [0.1, 0.4]]


def test_chapter_explorer():
    """The chapter's Mutual Information Explorer: I = 0.2781 bits, H(X,Y) = 1.7219, 27.8 %."""
    info = fastmi.info_from_pmf(CHAPTER)
    assert round(info.mutual_info, 4) == 0.2781
    assert info.entropy_x == pytest.approx(1.0, abs=1e-15)
    assert info.entropy_y == pytest.approx(1.0, abs=1e-15)
    assert round(info.joint_entropy, 4) == 1.7219
    assert round(info.conditional_entropy_x, 4) == 0.7219
    assert round(info.conditional_entropy_y, 4) == 0.7219
    assert round(100 * info.normalized_mi, 1) == 27.8
    # exact: I = 1 - H_b(0.2) bits
    hb = -(0.2 * math.log2(0.2) + 0.8 * math.log2(0.8))
    assert info.mutual_info == pytest.approx(1.0 - hb, abs=1e-15)


def loops(p):
    """Every quantity from its definition, one cell at a time (bits)."""
    nx, ny = len(p), len(p[0])
    px = [sum(p[i][j] for j in range(ny)) for i in range(nx)]
    py = [sum(p[i][j] for i in range(nx)) for j in range(ny)]

    def h(values):
        return -sum(v * math.log2(v) for v in values if v > 0)

    mi = sum(
        p[i][j] * math.log2(p[i][j] / (px[i] * py[j])) for i in range(nx) for j in range(ny) if p[i][j] > 0
    )
    hxy = h([p[i][j] for i in range(nx) for j in range(ny)])
    h_x_given_y = -sum(p[i][j] * math.log2(p[i][j] / py[j]) for i in range(nx) for j in range(ny) if p[i][j] > 0)
    return h(px), h(py), hxy, h_x_given_y, mi


@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (3, 5), (7, 2), (20, 20)])
def test_against_loops_and_identities(shape, rng):
    for _ in range(5):
        p = rng.random(shape) * (rng.random(shape) < 0.7)
        if p.sum() == 0:
            p[0, 0] = 1.0
        p /= p.sum()
        info = fastmi.info_from_pmf(p)
        hx, hy, hxy, hxgy, mi = loops(p.tolist())
        assert info.entropy_x == pytest.approx(hx, abs=1e-12)
        assert info.entropy_y == pytest.approx(hy, abs=1e-12)
        assert info.joint_entropy == pytest.approx(hxy, abs=1e-12)
        assert info.conditional_entropy_x == pytest.approx(hxgy, abs=1e-12)
        assert info.mutual_info == pytest.approx(mi, abs=1e-12)
        assert info.entropy_x + info.entropy_y - info.joint_entropy == pytest.approx(info.mutual_info, abs=1e-12)
        assert info.entropy_x - info.conditional_entropy_x == pytest.approx(info.mutual_info, abs=1e-12)
        assert info.entropy_y - info.conditional_entropy_y == pytest.approx(info.mutual_info, abs=1e-12)


@pytest.mark.parametrize("normalization", ["arithmetic", "geometric", "min", "max"])
def test_normalized_mi_matches_sklearn(normalization, rng):
    from sklearn.metrics import normalized_mutual_info_score

    for shape in ((2, 2), (3, 4), (5, 2)):
        counts = rng.integers(0, 30, shape)
        counts[0, 0] += 1
        rows, cols = np.nonzero(counts)
        a = np.repeat(rows, counts[rows, cols])
        b = np.repeat(cols, counts[rows, cols])
        want = normalized_mutual_info_score(a, b, average_method=normalization)
        got = fastmi.info_from_pmf(counts, normalize=True, normalization=normalization).normalized_mi
        assert got == pytest.approx(want, abs=1e-12)


def test_extremes():
    independent = np.outer([0.2, 0.8], [0.5, 0.25, 0.25])
    info = fastmi.info_from_pmf(independent)
    assert info.mutual_info == 0.0 and info.normalized_mi == 0.0
    diagonal = fastmi.info_from_pmf(np.diag([0.25, 0.25, 0.5]))
    assert diagonal.normalized_mi == pytest.approx(1.0, abs=1e-15)
    assert diagonal.mutual_info == pytest.approx(1.5, abs=1e-15)
    single = fastmi.info_from_pmf([[1.0]])
    assert single.mutual_info == 0.0 and single.normalized_mi == 1.0  # as scikit-learn


@pytest.mark.parametrize("P", [[[1.0]], [[1.0, 0.0]], [[0.0], [1.0]]])
@pytest.mark.parametrize("base", [2, math.e, 10])
def test_zero_entropies_are_positive_zero(P, base):
    # a single occupied cell gave -0.0 entropies (the sum negated): printed as "-0.0"
    info = fastmi.info_from_pmf(P, base=base)
    values = dataclasses.asdict(info)
    for field in ("entropy_x", "entropy_y", "joint_entropy", "conditional_entropy_x",
                  "conditional_entropy_y", "mutual_info"):
        assert values[field] == 0.0 and math.copysign(1.0, values[field]) == 1.0, (field, values[field])


def test_base_and_normalize():
    bits = fastmi.info_from_pmf(CHAPTER)
    nats = fastmi.info_from_pmf(CHAPTER, base=np.e)
    assert nats.mutual_info == pytest.approx(bits.mutual_info * math.log(2), rel=1e-14)
    assert nats.joint_entropy == pytest.approx(bits.joint_entropy * math.log(2), rel=1e-14)
    assert nats.normalized_mi == pytest.approx(bits.normalized_mi, rel=1e-14)
    counts = fastmi.info_from_pmf([[40, 10], [10, 40]], normalize=True)
    assert counts.mutual_info == pytest.approx(bits.mutual_info, abs=1e-15)


def test_result_is_frozen():
    info = fastmi.info_from_pmf(CHAPTER)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.mutual_info = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "P, kwargs, exc, match",
    [
        ([0.5, 0.5], {}, ValueError, "2-D"),
        (np.ones((2, 2, 2)) / 8, {}, ValueError, "2-D"),
        (np.zeros((0, 2)), {}, ValueError, "empty"),
        ([[0.5, 0.6], [0.0, -0.1]], {}, ValueError, "negative"),
        ([[0.5, 0.4], [0.0, 0.0]], {}, ValueError, "sums to 0.9.*normalize=True"),
        ([[0.5, np.nan], [0.0, 0.5]], {}, ValueError, "NaN"),
        ([[0.5, np.inf], [0.0, 0.5]], {}, ValueError, "NaN or infinity"),
        ([[0.0, 0.0]], {"normalize": True}, ValueError, "sums to 0"),
        ([["a", "b"]], {}, TypeError, "real numbers"),
        (CHAPTER, {"normalize": 1}, TypeError, "normalize"),
        (CHAPTER, {"base": 1}, ValueError, "base"),
        (CHAPTER, {"normalization": "mean"}, ValueError, "normalization must be"),
    ],
)
def test_errors(P, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fastmi.info_from_pmf(P, **kwargs)


def test_sum_tolerance():
    p = np.array(CHAPTER)
    fastmi.info_from_pmf(p * (1 + 5e-10))  # within 1e-9: accepted
    with pytest.raises(ValueError, match="not 1"):
        fastmi.info_from_pmf(p * (1 + 5e-9))


def test_tiny_cells_and_huge_counts():
    # p_x p_y underflowed to 0 for a cell of 1e-200: I was inf (and normalized_mi inf);
    # I of a diagonal table is H(X) exactly in exact arithmetic
    for tiny in (1e-200, 5e-324):
        info = fastmi.info_from_pmf([[1.0 - tiny, 0.0], [0.0, tiny]], base=np.e)
        want = -(1.0 - tiny) * np.log1p(-tiny) - tiny * np.log(tiny)
        assert np.isfinite(info.mutual_info) and info.mutual_info == pytest.approx(want, rel=1e-12)
        assert info.normalized_mi == pytest.approx(1.0, rel=1e-12) and info.normalized_mi <= 1.0
    # counts whose sum overflows: divided by their largest first (was: every value 0)
    info = fastmi.info_from_pmf([[1.5e308, 0.0], [0.0, 1.5e308]], normalize=True)
    assert info.mutual_info == 1.0 and info.entropy_x == 1.0 and info.normalized_mi == 1.0


@pytest.mark.parametrize("normalization", ["arithmetic", "geometric", "min", "max"])
def test_bounds_hold_under_rounding(normalization, rng):
    # I <= min(H(X), H(Y)) and normalized_mi <= 1 on diagonal tables (I = H exactly)
    for m in range(2, 40):
        p = np.diag(rng.random(m))
        info = fastmi.info_from_pmf(p, normalize=True, normalization=normalization)
        assert info.mutual_info <= min(info.entropy_x, info.entropy_y)
        assert 0.0 <= info.normalized_mi <= 1.0
        assert info.normalized_mi == pytest.approx(1.0, rel=1e-12)
