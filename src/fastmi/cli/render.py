"""The results of ``fastmi mi``, ``fastmi entropy`` and ``fastmi rank`` as text lines and JSON."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Sequence


def mi_line(x: Sequence[str], y: Sequence[str], bits: float, how: str, n: int) -> str:
    """``I(x; y) = ... bits (how, n=...)``."""
    return f"I({', '.join(x)}; {', '.join(y)}) = {bits:.4f} bits ({how}, n={n})"


def cmi_line(x: Sequence[str], y: Sequence[str], z: Sequence[str], bits: float, how: str, n: int) -> str:
    """``I(x; y | z) = ... bits (how, n=...)``."""
    return f"I({', '.join(x)}; {', '.join(y)} | {', '.join(z)}) = {bits:.4f} bits ({how}, n={n})"


def entropy_line(x: Sequence[str], bits: float, how: str, n: int) -> str:
    """``H(x) = ... bits (how, n=...)``."""
    return f"H({', '.join(x)}) = {bits:.4f} bits ({how}, n={n})"


def rank_json(ranked: List[Dict[str, Any]]) -> str:
    """The ranking as a JSON list of {rank, column, mi_nats}."""
    return json.dumps(ranked, indent=1)


def rank_table(ranked: List[Dict[str, Any]]) -> List[str]:
    """The ranking as a table: rank, column (padded to the longest name), MI in nats."""
    width = max([len("column")] + [len(r["column"]) for r in ranked])
    lines = [f"{'rank':>4}  {'column':<{width}}  {'MI (nats)':>10}"]
    lines += [f"{r['rank']:>4}  {r['column']:<{width}}  {r['mi_nats']:>10.4f}" for r in ranked]
    return lines
