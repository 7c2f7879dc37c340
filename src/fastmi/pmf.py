"""Information measures of a joint probability table P(X, Y)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from ._validation import check_base, check_choice

_NORMALIZATIONS = ("arithmetic", "geometric", "min", "max")
_SUM_TOL = 1e-9


@dataclass(frozen=True)
class PmfInfo:
    """Entropies and mutual information of a joint pmf (see :func:`info_from_pmf`)."""

    entropy_x: float
    entropy_y: float
    joint_entropy: float
    conditional_entropy_x: float  # H(X|Y)
    conditional_entropy_y: float  # H(Y|X)
    mutual_info: float
    normalized_mi: float
    base: float
    normalization: str


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(0.0 - np.sum(p * np.log(p)))  # 0.0 - 0.0 is +0.0 (a single cell: not -0.0)


def info_from_pmf(
    P: npt.ArrayLike,
    *,
    base: float = 2,
    normalization: Literal["arithmetic", "geometric", "min", "max"] = "arithmetic",
    normalize: bool = False,
) -> PmfInfo:
    """Compute the entropies and mutual information of a joint probability table.

    Parameters
    ----------
    P : array_like, shape (nx, ny)
        ``P[i, j] = p(X = x_i, Y = y_j)``: finite, non-negative, summing to 1
        within 1e-9 (or any positive total with ``normalize=True``).
    base : float, keyword-only, default 2
        Logarithm base: 2 for bits, ``numpy.e`` for nats.
    normalization : {"arithmetic", "geometric", "min", "max"}, keyword-only
        How ``normalized_mi`` divides ``I(X;Y)``: by the arithmetic or
        geometric mean, the minimum or the maximum of H(X) and H(Y), as
        ``average_method`` in scikit-learn's
        ``normalized_mutual_info_score``.
    normalize : bool, keyword-only, default False
        Divide P by its sum first (for a table of counts).

    Returns
    -------
    PmfInfo
        A frozen dataclass with ``entropy_x`` H(X), ``entropy_y`` H(Y),
        ``joint_entropy`` H(X,Y), ``conditional_entropy_x`` H(X|Y),
        ``conditional_entropy_y`` H(Y|X), ``mutual_info`` I(X;Y) (all in units
        of ``log(base)``), ``normalized_mi`` (in [0, 1], unit-free), and the
        ``base`` and ``normalization`` used.

    Raises
    ------
    ValueError
        P not 2-D, empty, with NaN, infinite or negative entries, or not
        summing to 1 (without ``normalize``); invalid ``base`` or
        ``normalization``.
    TypeError
        Non-numeric P, non-bool ``normalize``.

    Notes
    -----
    Cells with probability 0 contribute nothing (0 log 0 = 0). ``I(X;Y) =
    sum p log(p / (p_x p_y))`` is computed directly (as a difference of
    logarithms where ``p_x p_y`` underflows) and kept within ``[0, min(H(X),
    H(Y))]`` against rounding; H(X|Y) = H(X,Y) - H(Y). As in scikit-learn,
    ``normalized_mi`` is 1 when both entropies are 0 and 0 when I(X;Y) is 0;
    unlike it, tiny entropies are not floored at machine epsilon (a table
    with one cell of 1e-200 has ``normalized_mi`` 1, not 1e-182), and the
    ratio is kept at most 1. With ``normalize=True``, counts whose sum
    overflows are divided by their largest value first.

    Examples
    --------
    >>> import fastmi
    >>> info = fastmi.info_from_pmf([[0.4, 0.1], [0.1, 0.4]])
    >>> round(info.mutual_info, 4), round(info.joint_entropy, 4)
    (0.2781, 1.7219)
    """
    base = check_base(base)
    norm = check_choice(normalization, "normalization", _NORMALIZATIONS)
    if not isinstance(normalize, (bool, np.bool_)):
        raise TypeError(f"normalize must be True or False, got {normalize!r}")
    p = np.asarray(P)
    if p.dtype.kind not in "biuf":
        raise TypeError(f"P must hold real numbers, got dtype {p.dtype}")
    if p.ndim != 2:
        raise ValueError(f"P must be a 2-D table (nx, ny); got shape {p.shape}")
    if p.size == 0:
        raise ValueError(f"P is empty (shape {p.shape})")
    p = p.astype(np.float64)
    if not np.isfinite(p).all():
        raise ValueError("P contains NaN or infinity; a probability table must be finite")
    if (p < 0).any():
        raise ValueError("P has negative entries; probabilities must be >= 0")
    with np.errstate(over="ignore"):
        total = float(p.sum())
    if normalize:
        if not total > 0.0:
            raise ValueError("P sums to 0; normalize=True needs a positive total")
        if not math.isfinite(total):  # counts whose sum overflows: scale them down first
            p = p / float(p.max())
            total = float(p.sum())
        p = p / total
    elif abs(total - 1.0) > _SUM_TOL:
        raise ValueError(
            f"P sums to {total!r}, not 1 (within {_SUM_TOL}); pass normalize=True to divide it by its sum"
        )
    px = p.sum(axis=1)
    py = p.sum(axis=0)
    hx, hy, hxy = _entropy(px), _entropy(py), _entropy(p.ravel())
    nz = p > 0
    outer = np.outer(px, py)[nz]
    cells = p[nz]
    ratio_log = np.empty(cells.shape[0])
    normal = outer >= np.finfo(np.float64).tiny
    ratio_log[normal] = np.log(cells[normal] / outer[normal])
    # where p_x p_y underflows (cells far below 1e-154), the difference of the logs
    rows, cols = np.nonzero(nz)
    tiny = ~normal
    ratio_log[tiny] = np.log(cells[tiny]) - np.log(px[rows[tiny]]) - np.log(py[cols[tiny]])
    # I <= min(H(X), H(Y)): the bound holds the rounding of the sums too
    mi = min(max(0.0, float(np.sum(cells * ratio_log))), hx, hy)
    if hx == 0.0 and hy == 0.0:
        nmi = 1.0
    elif mi == 0.0:
        nmi = 0.0
    else:
        scale = {
            "arithmetic": (hx + hy) / 2.0,
            "geometric": math.sqrt(hx) * math.sqrt(hy),
            "min": min(hx, hy),
            "max": max(hx, hy),
        }[norm]
        nmi = min(1.0, mi / scale)
    log_b = math.log(base)
    return PmfInfo(
        entropy_x=hx / log_b,
        entropy_y=hy / log_b,
        joint_entropy=hxy / log_b,
        conditional_entropy_x=max(0.0, hxy - hy) / log_b,
        conditional_entropy_y=max(0.0, hxy - hx) / log_b,
        mutual_info=mi / log_b,
        normalized_mi=nmi,
        base=base,
        normalization=norm,
    )
