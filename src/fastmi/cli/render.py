"""The results of ``fastmi mi``, ``fastmi entropy`` and ``fastmi rank`` as text lines and JSON."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Sequence


def mi_line(x: Sequence[str], y: Sequence[str], value: float, unit: str, how: str, n: int) -> str:
    """``I(x; y) = ... bits (how, n=...)``."""
    return f"I({', '.join(x)}; {', '.join(y)}) = {value:.4f} {unit} ({how}, n={n})"


def cmi_line(x: Sequence[str], y: Sequence[str], z: Sequence[str], value: float, unit: str,
             how: str, n: int) -> str:
    """``I(x; y | z) = ... bits (how, n=...)``."""
    return f"I({', '.join(x)}; {', '.join(y)} | {', '.join(z)}) = {value:.4f} {unit} ({how}, n={n})"


def entropy_line(x: Sequence[str], value: float, unit: str, how: str, n: int) -> str:
    """``H(x) = ... bits (how, n=...)``."""
    return f"H({', '.join(x)}) = {value:.4f} {unit} ({how}, n={n})"


def rank_json(result: Dict[str, Any]) -> str:
    """The ranking as JSON: {target, task, unit, n, ranking: [{rank, column, mi, n}]}."""
    return json.dumps(result, indent=1)


def rank_table(ranked: List[Dict[str, Any]], unit: str, rows: bool) -> List[str]:
    """The ranking as a table: rank, column (padded to the longest name), MI in ``unit``,
    and with ``rows`` the rows each value used."""
    width = max([len("column")] + [len(r["column"]) for r in ranked])
    head = f"MI ({unit})"
    size = max(10, len(head))
    lines = [f"{'rank':>4}  {'column':<{width}}  {head:>{size}}" + ("  rows" if rows else "")]
    lines += [f"{r['rank']:>4}  {r['column']:<{width}}  {r['mi']:>{size}.4f}"
              + (f"  {r['n']:,}" if rows else "") for r in ranked]
    return lines
