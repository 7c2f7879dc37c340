"""The results of ``fastmi mi``, ``entropy``, ``rank`` and ``pairwise`` as text lines and JSON,
and column names as the human-readable output shows them."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Sequence


def label(name: str) -> str:
    """A column name as the human-readable output shows it: as it is when it is plain
    printable text, else (control characters such as a line end, a backslash, spaces at
    either end, a leading quote, an empty name) as a quoted literal with backslash
    escapes, ``'a\\nb'``, so that each record stays on one line and two names never look
    alike.  JSON output carries the exact name."""
    if name and name.isprintable() and "\\" not in name and name == name.strip() \
            and name[0] not in "'\"":
        return name
    return repr(name)


#: The characters that separate the names in ``I(x; y | z)`` and ``H(x)``.
_SEPARATORS = frozenset(",;|()")


def term(names: Sequence[str]) -> str:
    """Column names as one variable of ``I(...)`` or ``H(...)``: :func:`label`, and quoted
    where a name holds a separator (``I('a,b'; c)`` is one column, ``I(a, b; c)`` two)."""
    return ", ".join(repr(n) if _SEPARATORS.intersection(n) else label(n) for n in names)


def mi_line(x: Sequence[str], y: Sequence[str], value: float, unit: str, how: str, n: int) -> str:
    """``I(x; y) = ... bits (how, n=...)``."""
    return f"I({term(x)}; {term(y)}) = {value:.4f} {unit} ({how}, n={n})"


def cmi_line(x: Sequence[str], y: Sequence[str], z: Sequence[str], value: float, unit: str,
             how: str, n: int) -> str:
    """``I(x; y | z) = ... bits (how, n=...)``."""
    return f"I({term(x)}; {term(y)} | {term(z)}) = {value:.4f} {unit} ({how}, n={n})"


def entropy_line(x: Sequence[str], value: float, unit: str, how: str, n: int) -> str:
    """``H(x) = ... bits (how, n=...)``."""
    return f"H({term(x)}) = {value:.4f} {unit} ({how}, n={n})"


def rank_json(result: Dict[str, Any]) -> str:
    """The ranking as JSON: {target, task, unit, n, ranking: [{rank, column, mi, n}]}."""
    return json.dumps(result, indent=1)


def rank_table(ranked: List[Dict[str, Any]], unit: str, rows: bool) -> List[str]:
    """The ranking as a table: rank, column (padded to the longest name), MI in ``unit``,
    and with ``rows`` the rows each value used."""
    names = [label(r["column"]) for r in ranked]
    width = max([len("column")] + [len(c) for c in names])
    head = f"MI ({unit})"
    size = max(10, len(head))
    lines = [f"{'rank':>4}  {'column':<{width}}  {head:>{size}}" + ("  rows" if rows else "")]
    lines += [f"{r['rank']:>4}  {c:<{width}}  {r['mi']:>{size}.4f}"
              + (f"  {r['n']:,}" if rows else "") for r, c in zip(ranked, names)]
    return lines


def matrix_table(names: Sequence[str], cells: Sequence[Sequence[str]], corner: str) -> List[str]:
    """A square table: a header row of the names (in full, each column as wide as its name
    or its widest cell, at least 10), then one row per name: its name, then its cells."""
    labels = [label(c) for c in names]
    first = max([8, len(corner)] + [len(c) for c in labels])
    widths = [max([10, len(c)] + [len(row[j]) for row in cells]) for j, c in enumerate(labels)]
    lines = [f"{corner:<{first}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(labels, widths))]
    lines += [f"{name:<{first}}  " + "  ".join(f"{v:>{w}}" for v, w in zip(row, widths))
              for name, row in zip(labels, cells)]
    return lines
