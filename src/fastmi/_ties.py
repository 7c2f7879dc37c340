"""Ties in the nearest-neighbour estimators: detection, tie-breaking noise, the warning.

The KSG, Kozachenko-Leonenko and Frenzel-Pompe estimators assume that no
two samples share a coordinate value. Repeated values (rounded or
integer-valued data) make their neighbour counts meaningless: exact
duplicates give zero distances, and a grid of values gives many equal
distances, which the strict and inclusive counts split arbitrarily.

With ``tie_breaking="auto"`` (the default) every column of every variable
is scanned for repeated values (``_native.column_ties``: O(n), a few tens
of milliseconds per million samples), and only the columns that have some,
and at least two distinct values, get Gaussian noise of standard deviation

    ``max(min(1e-10 * std(column), 1e-3 * q), 2**-42 * |x_i|)`` for value x_i

added to a copy (never to the caller's array), with a
:class:`TiedSamplesWarning` that says so. The first term is
scikit-learn's scale (1e-10 of the spread): far below the resolution of any
real measurement, so values that differ keep their order and their
distances to within 1e-10 of the spread, and the estimate is that of the
data. The second, about 1000 units in the last place of the column's
largest magnitude, takes over only when the column sits so far from 0
relative to its spread that 1e-10 of the spread would round away (values
near 5.0 that differ by 1e-10, timestamps in seconds): the noise then still
separates equal values, at about 1/100 of the spacing of values that are
themselves 1e5 units in the last place apart; it is each value's own, so
that one far outlier (1e12 among integers 0 to 99) does not set it for the
rest. The cap, 1e-3 of the resolution q (the smallest gap between distinct
values that is not round-off, such as 0.1 * 3 next to 0.3: see resolution),
keeps the noise below the data's resolution when the
spread is far larger (the same outlier made 1e-10 of the spread 2.2, twice
the integers' spacing). (scikit-learn's
``1e-10 * max(std, mean|x|)`` grows with the offset instead: for Unix
timestamps in seconds, about 1.7e9, it is 0.17 s, a sixth of the data's
resolution.) Constant columns are left as they are (the estimators handle
them exactly).

The noise of a column is a function of ``random_state`` and the column's
values alone: ``numpy.random.Generator(PCG64(SeedSequence([seed, *h])))``,
``h`` the four 32-bit words of the 128-bit BLAKE2b digest of the column's
little-endian float64 bytes (-0.0 read as 0.0), ``seed`` the int
``random_state`` (0 for None). So a column gets the same noise as x, y or
z, alone or inside a matrix, and ``pairwise_mi(X)[i, j]`` equals
``ksg_mi(X[:, i], X[:, j])`` bit for bit; two different columns get
independent noise. ``"noise"`` adds it to every non-constant column,
``"off"`` never (the estimators then run on the data as given and warn only
about zero k-th-neighbour distances, as before).
"""
from __future__ import annotations

import hashlib
import numbers
import warnings
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import numpy.typing as npt

from . import _native
from ._validation import interruptible

F64 = npt.NDArray[np.float64]

#: The seed that ``random_state=None`` stands for.
DEFAULT_SEED = 0
#: Noise standard deviation relative to the column's standard deviation.
RELATIVE_SCALE = 1e-10
#: Least noise standard deviation relative to each value's magnitude.
MAGNITUDE_FLOOR = 2.0**-42
#: Most noise standard deviation relative to the column's resolution.
RESOLUTION_SCALE = 1e-3
#: Gaps between distinct values within this fraction of their magnitude (64 units
#: in the last place) are round-off.
ROUNDOFF_ULPS = 2.0**-46
#: Other gaps below this fraction of the median of those are round-off too.
ROUNDOFF_GAP = 1e-6
#: What the warning suggests, in Python.
DEFAULT_REMEDY = "For discrete data use fastmi.discrete_mi; tie_breaking='off' estimates on the data as given."

# columns named in a warning before "and N more"
_NAMED = 6


class TiedSamplesWarning(UserWarning):
    """Samples with repeated values reached a nearest-neighbour estimator.

    Raised when fastmi added tie-breaking noise (``report`` then says where,
    see ``fastmi._ties.tie_message``), or, with ``tie_breaking="off"``,
    when samples have k or more exact duplicates in the joint space (their
    k-th-neighbour distance is 0).
    """

    report: Optional["TieReport"] = None


@dataclass(frozen=True)
class TieReport:
    """What tie breaking did: the noised columns, how many samples of each were
    tied (shared their value with another sample), of n, and the seed."""

    columns: tuple[str, ...]
    tied: tuple[int, ...]
    n: int
    seed: int
    requested: bool = False  # tie_breaking="noise": asked for, so not warned about
    # "gaussian": the MI estimators' tiny noise; "dequantize": KL entropy's uniform noise of
    # each column's resolution (the smallest gap between its distinct values)
    kind: str = "gaussian"


def noise_seed(random_state: object) -> int:
    """The seed of the tie-breaking noise (random_state checked by
    _validation.check_noise_random_state): None -> DEFAULT_SEED, an int -> itself,
    anything else numpy.random.default_rng takes (a SeedSequence, a Generator,
    which advances) -> one draw from it."""
    if random_state is None:
        return DEFAULT_SEED
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    rng = np.random.default_rng(random_state)  # type: ignore[arg-type]
    return int(rng.integers(0, 2**63, dtype=np.int64))


def _digest(values: F64) -> bytes:
    """The 128-bit BLAKE2b digest of a float64 column's little-endian bytes."""
    return hashlib.blake2b(values.astype("<f8", copy=False).tobytes(), digest_size=16).digest()


def _column_and_rng(column: F64, seed: int, salt: int = 0) -> tuple[F64, np.random.Generator]:
    """(a float64 copy of ``column``, -0.0 read as 0.0; the generator of its noise),
    the generator seeded by ``seed``, the BLAKE2b digest of the copy's bytes and,
    when nonzero, ``salt`` (see break_ties)."""
    values = np.ascontiguousarray(column, dtype=np.float64) + 0.0  # a copy, -0.0 as 0.0
    words = [int(w) for w in np.frombuffer(_digest(values), dtype="<u4")]
    entropy = [seed, *words] + ([salt] if salt else [])
    return values, np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


def resolution(values: F64) -> float:
    """The column's resolution: the smallest gap between its sorted distinct values
    that is not round-off; 0.0 for fewer than two distinct values. Round-off: a
    gap within ROUNDOFF_ULPS of its values' magnitude (0.1 * 3 next to 0.3, a
    value nudged by one unit in the last place: one value computed two ways,
    however many of them there are), then a gap below ROUNDOFF_GAP of the
    median of the others (values rounded through float32 and float64). Where
    every gap is round-off, the smallest gap."""
    with np.errstate(over="ignore", invalid="ignore"):
        u = np.unique(values)
        gaps = np.diff(u)
        if gaps.size == 0:
            return 0.0
        magnitude = np.maximum(np.abs(u[:-1]), np.abs(u[1:]))
        real = gaps[gaps > ROUNDOFF_ULPS * magnitude]
        if real.size == 0:
            return float(gaps.min())
        floor = ROUNDOFF_GAP * float(np.median(real))
        kept = real[real >= floor] if np.isfinite(floor) else real
        return float(kept.min()) if kept.size else float(real.min())


def column_noise(column: F64, seed: int, salt: int = 0) -> F64:
    """``column`` plus its tie-breaking noise (a new array); see the module docstring."""
    values, rng = _column_and_rng(column, seed, salt)
    top = float(np.max(np.abs(values)))
    if top == 0.0:
        return values
    # the spread of values / top, so that no square overflows; at most RESOLUTION_SCALE
    # of the resolution (a far outlier inflates the spread); at least MAGNITUDE_FLOOR of
    # each value's own magnitude
    scale = top * RELATIVE_SCALE * float(np.std(values / top))
    scale = min(scale, RESOLUTION_SCALE * resolution(values))
    sd = np.maximum(scale, MAGNITUDE_FLOOR * np.abs(values))
    out: F64 = values + sd * rng.standard_normal(values.shape[0])
    if top > 1e300:  # noise on values near the float64 limit must not overflow
        big = np.finfo(np.float64).max
        np.clip(out, -big, big, out=out)
    return out


def column_dequantized(column: F64, seed: int, salt: int = 0) -> F64:
    """``column`` plus uniform noise on [-q/2, q/2), q its resolution (the
    smallest gap between its distinct values but round-off; see resolution), a
    new array: the continuous variable that rounding to a resolution of q would
    give these values. Seeded as column_noise."""
    values, rng = _column_and_rng(column, seed, salt)
    q = resolution(values)
    if q == 0.0:
        return values
    out: F64 = values + q * (rng.random(values.shape[0]) - 0.5)
    if not np.isfinite(out).all():  # values near the float64 limit
        big = np.finfo(np.float64).max
        np.clip(out, -big, big, out=out)
    return out


def break_ties(
    blocks: Sequence[tuple[F64, str]], mode: str, random_state: object, threads: int,
    kind: str = "gaussian",
) -> tuple[list[F64], Optional[TieReport]]:
    """The 2-D blocks (n, d) with their tied columns noised (copies; the others
    returned as given), and what was done (None: nothing). ``mode`` is
    "auto" (columns with repeated values), "noise" (every column) or "off";
    ``kind`` "gaussian" (column_noise) or "dequantize" (column_dequantized).

    A noised column equal to one of an earlier block (ksg_mi(c, c) on a tied c)
    takes the block's index as a salt of its seed: the same noise on both would
    keep them identical, and the estimate would be that of two equal continuous
    variables (9.6 bits for a 4-valued c, whose entropy is 2 bits) instead of
    that of the data. Within a block equal columns keep equal noise."""
    arrays = [a for a, _ in blocks]
    if mode == "off":
        return arrays, None
    tied, distinct = _native.column_ties(arrays, threads, interruptible())
    noisy = distinct >= 2
    if mode == "auto":
        noisy &= tied > 0
    if not noisy.any():
        return arrays, None
    seed = noise_seed(random_state)
    out: list[F64] = []
    names: list[str] = []
    counts: list[int] = []
    at = 0
    earlier: set[bytes] = set()  # digests of the noised columns of earlier blocks
    for b, (a, name) in enumerate(blocks):
        d = a.shape[1]
        cols = np.flatnonzero(noisy[at : at + d])
        if cols.size:
            a = np.array(a, dtype=np.float64, order="K")
            digests = [_digest(np.ascontiguousarray(a[:, c]) + 0.0) for c in cols] if len(blocks) > 1 else []
            for i, c in enumerate(cols):
                salt = b if digests and digests[i] in earlier else 0
                a[:, c] = (column_noise(a[:, c], seed, salt) if kind == "gaussian"
                           else column_dequantized(a[:, c], seed, salt))
                names.append(name if d == 1 and not name.endswith("]") else f"{name}[:, {int(c)}]")
                counts.append(int(tied[at + c]))
            earlier.update(digests)
        out.append(a)
        at += d
    return out, TieReport(tuple(names), tuple(counts), int(arrays[0].shape[0]), seed, mode == "noise", kind)


def tie_message(report: TieReport, remedy: str = DEFAULT_REMEDY) -> str:
    """The text of the TiedSamplesWarning for ``report``, ending with ``remedy``
    (what the caller should do instead: the Python default, or a command-line flag)."""
    named = [f"{c} ({t} of {report.n} samples)" for c, t in zip(report.columns, report.tied)]
    if len(named) > _NAMED:
        named = named[:_NAMED] + [f"and {len(report.columns) - _NAMED} more columns"]
    if report.kind == "dequantize":
        return (
            f"repeated values in {', '.join(named)}: read as continuous values rounded to a resolution "
            "q (the smallest gap between distinct values, round-off aside), so fastmi added uniform "
            f"noise on [-q/2, q/2) to a copy of each (random_state seed {report.seed}), whose "
            f"differential entropy the estimate is. {remedy}"
        )
    return (
        f"repeated values in {', '.join(named)}: nearest-neighbour estimators need distinct values, "
        "so fastmi added Gaussian noise of standard deviation min(1e-10 x the column's standard "
        "deviation, 1e-3 x its resolution), at least 2**-42 x each value's magnitude, to a copy of "
        f"each (random_state seed {report.seed}). {remedy}"
    )


def warn_ties(report: Optional[TieReport], remedy: str = DEFAULT_REMEDY, stacklevel: int = 3) -> None:
    """Emits the TiedSamplesWarning of ``report`` (nothing when None or asked for)."""
    if report is None or report.requested:
        return
    warning = TiedSamplesWarning(tie_message(report, remedy))
    warning.report = report
    warnings.warn(warning, stacklevel=stacklevel)
