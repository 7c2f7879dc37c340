"""The results of ``fastmi mi``, ``entropy``, ``rank``, ``pairwise`` and ``select`` as text
lines and JSON; column names and file paths as the human-readable output shows them; the
columns of its tables padded to the width that a terminal shows (wide East Asian characters
take two cells, combining characters none)."""

from __future__ import annotations

import json
import unicodedata
from typing import Any, Dict, List, Optional, Sequence


def _plain(name: str) -> bool:
    """Whether ``name`` shows as it is: non-empty printable text, no spaces at either end,
    no leading quote."""
    return bool(name) and name.isprintable() and name == name.strip() and name[0] not in "'\""


def label(name: str) -> str:
    """A column name as the human-readable output shows it: as it is when it is plain
    printable text, else (control characters such as a line end, a backslash, spaces at
    either end, a leading quote, an empty name) as a quoted literal with backslash
    escapes, ``'a\\nb'``, so that each record stays on one line and two names never look
    alike.  JSON output carries the exact name."""
    if _plain(name) and "\\" not in name:
        return name
    return repr(name)


def path(name: str) -> str:
    """A file path (or a word of the command line) as messages and output show it: as it
    is when it is printable text, backslashes included (``C:\\Users\\me\\data.csv`` reads
    as typed on Windows); else quoted, as :func:`label` quotes a column name (spaces at
    either end, a leading quote, an empty path), and its control and other non-printable
    characters as backslash escapes (``'d\\nx'``), so that a path holding a line end (or an
    escape) can neither break a message in two nor forge a line of output.  Backslashes are
    never doubled: a quoted path that also holds a backslash can read like an escape."""
    if _plain(name):
        return name
    quote = '"' if "'" in name and '"' not in name else "'"
    shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in name)
    if quote == "'":
        shown = shown.replace("'", "\\'")
    return quote + shown + quote


def width(text: str) -> int:
    """The number of terminal cells ``text`` takes: two for a wide or full-width East Asian
    character (``unicodedata.east_asian_width`` 'W' or 'F'), none for a combining character,
    one for any other.  (Control characters never reach a table: :func:`label` escapes them.)"""
    cells = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me"):
            continue
        cells += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return cells


def pad(text: str, size: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``size`` terminal cells (see :func:`width`): on the
    right for ``align`` ``"<"``, on the left for ``">"``."""
    fill = " " * max(0, size - width(text))
    return text + fill if align == "<" else fill + text


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
    """The ranking as a table: rank, column (padded to the widest name), MI in ``unit``,
    and with ``rows`` the rows each value used."""
    names = [label(r["column"]) for r in ranked]
    size = max([width("column")] + [width(c) for c in names])
    head = f"MI ({unit})"
    value = max(10, width(head))
    lines = [f"{'rank':>4}  {pad('column', size)}  {pad(head, value, '>')}" + ("  rows" if rows else "")]
    lines += [f"{r['rank']:>4}  {pad(c, size)}  {r['mi']:>{value}.4f}"
              + (f"  {r['n']:,}" if rows else "") for r, c in zip(ranked, names)]
    return lines


def select_table(picked: List[Dict[str, Any]], scores: Sequence[Optional[float]], score_unit: str,
                 unit: str) -> List[str]:
    """The columns ``select`` picked as a table: step, column (padded to the widest name),
    score in ``score_unit`` ("-" where there is none), relevance in ``unit``."""
    shown = [label(p["column"]) for p in picked]
    size = max([width("column")] + [width(c) for c in shown])
    score_head, relevance_head = f"score ({score_unit})", f"relevance ({unit})"
    sw, rw = max(10, width(score_head)), max(10, width(relevance_head))
    lines = [f"{'step':>4}  {pad('column', size)}  {pad(score_head, sw, '>')}  "
             f"{pad(relevance_head, rw, '>')}"]
    for p, column in zip(picked, shown):
        score = scores[p["step"] - 1]
        cell = "-" if score is None else f"{score:.4f}"
        lines.append(f"{p['step']:>4}  {pad(column, size)}  {cell:>{sw}}  {p['relevance']:>{rw}.4f}")
    return lines


def matrix_table(names: Sequence[str], cells: Sequence[Sequence[str]], corner: str) -> List[str]:
    """A square table: a header row of the names (in full, each column as wide as its name
    or its widest cell, at least 10), then one row per name: its name, then its cells."""
    labels = [label(c) for c in names]
    first = max([8, width(corner)] + [width(c) for c in labels])
    widths = [max([10, width(c)] + [width(row[j]) for row in cells]) for j, c in enumerate(labels)]
    lines = [f"{pad(corner, first)}  " + "  ".join(pad(c, w, ">") for c, w in zip(labels, widths))]
    lines += [f"{pad(name, first)}  " + "  ".join(pad(v, w, ">") for v, w in zip(row, widths))
              for name, row in zip(labels, cells)]
    return lines
