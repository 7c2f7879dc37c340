"""Options shared by the file commands of the ``fastmi`` command line: the unit of the
printed values (``--base``, ``--nats``), the CSV delimiter (``--sep``), missing values
(``--dropna``) and the one-line tie warning."""

from __future__ import annotations

import argparse
import math
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

from fastmi.cli.errors import CLIError
from fastmi.cli.output import PROG, stderr
from fastmi.cli.reader import Table, list_names


class Unit:
    """The unit of printed information: its name and its size in bits and nats."""

    def __init__(self, base: float) -> None:
        self.base = base
        if base == 2:
            self.name = "bits"
        elif base == math.e:
            self.name = "nats"
        elif base == 10:
            self.name = "hartleys"
        else:
            self.name = f"base-{base!r} units"  # the exact base: :g would name 2.0000001 "base-2"
        self._log = math.log(base)

    def from_bits(self, value: Any) -> Any:
        """``value`` (bits, a float or an array) in this unit; bits are returned as they are."""
        return value if self.base == 2 else value * (math.log(2) / self._log)

    def from_nats(self, value: Any) -> Any:
        """``value`` (nats, a float or an array) in this unit."""
        return value if self.base == math.e else value / self._log


def parse_base(text: str) -> float:
    """--base: ``e`` or a finite number greater than 1."""
    if text.strip().lower() == "e":
        return math.e
    try:
        base = float(text)
    except ValueError:
        base = math.nan
    if not (base > 1 and math.isfinite(base)):
        raise argparse.ArgumentTypeError(f"expected a logarithm base (2, e, 10, ...; > 1), got {text!r}")
    return base


def parse_sep(text: str) -> str:
    """--sep: one character (``\\t`` or ``tab`` for a tab), not a quote or a line end."""
    sep = {"\\t": "\t", "tab": "\t"}.get(text.lower(), text)
    if len(sep) != 1 or sep in "\"\r\n":
        raise argparse.ArgumentTypeError(f"expected one character (or '\\t' for a tab), "
                                         f"not a quote or a line end, got {text!r}")
    return sep


def add_unit(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--base", type=parse_base, default=2.0, metavar="B",
                       help="logarithm base of the printed values: 2 for bits (the default), "
                            "e for nats, 10 for hartleys")
    group.add_argument("--nats", dest="base", action="store_const", const=math.e,
                       help="print nats (the same as --base e)")


def add_input(parser: argparse.ArgumentParser, dropna: str) -> None:
    parser.add_argument("--sep", type=parse_sep, metavar="CHAR",
                        help="CSV delimiter (default: tab for .tsv and .tab files, else comma)")
    parser.add_argument("--dropna", action="store_true", help=dropna)


def unit(args: argparse.Namespace) -> Unit:
    return Unit(args.base)


def complete_rows(table: Table, names: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Rows where none of the columns ``names`` is missing."""
    keep = np.ones(table.n_rows, dtype=bool)
    for name in dict.fromkeys(names):
        keep &= ~table.missing(name)
    return keep


def dropna_rows(table: Table, names: Sequence[str], args: argparse.Namespace
                ) -> Tuple[Optional[npt.NDArray[np.bool_]], int, int]:
    """With --dropna: the rows complete in ``names``, the rows dropped and the rows kept,
    the count dropped noted on stderr (unless --quiet); else (None, 0, all rows)."""
    if not args.dropna:
        return None, 0, table.n_rows
    keep = complete_rows(table, names)
    kept = int(keep.sum())
    dropped = table.n_rows - kept
    if kept == 0:
        raise CLIError(f"--dropna leaves no rows: each of the {table.n_rows:,} rows of "
                       f"{table.path} has a missing value in {list_names(list(dict.fromkeys(names)))}")
    if not args.quiet:
        # the columns that had a missing value, with how many (not every column used)
        names = list(dict.fromkeys(names))
        missing = [(c, int(table.missing(c).sum())) for c in names]
        where = ", ".join(f"{c!r} {m:,}" for c, m in missing if m)
        stderr(f"{PROG}: note: --dropna dropped {dropped:,} of {table.n_rows:,} rows "
               f"(missing values in {where})" if where else
               f"{PROG}: note: --dropna dropped {dropped:,} of {table.n_rows:,} rows")
    return keep, dropped, kept


def variable(table: Table, names: List[str], option: str,
             rows: Optional[npt.NDArray[np.bool_]], *, exact: Optional[str] = None) -> npt.NDArray[np.float64]:
    """The numeric columns ``names`` (at ``rows``) as one variable: (n,) for one column,
    else (n, d); ``exact``: the command's remedy (WIDE_REMEDY) when integers that float64
    rounds are refused (see Table.numeric)."""
    data: npt.NDArray[np.float64] = np.column_stack([table.numeric(c, option, rows, exact=exact)
                                                     for c in names])
    return data[:, 0] if data.shape[1] == 1 else data


#: The CLI's remedy for integers beyond 2**53 (refused by the nearest-neighbour
#: estimators, which measure distances in float64), by command.
WIDE_REMEDY = {
    "mi": "or use --estimator binned",
    "entropy": "or use --estimator discrete or --estimator binned",
    "pairwise": "or use --method binned",
    "test": "or compare with 'fastmi mi --estimator binned'",
}


#: The CLI's remedy for tied samples, by command.
TIE_REMEDY = {
    "mi": "for discrete or rounded data use --estimator binned",
    "entropy": "for discrete or rounded data use --estimator discrete or --estimator binned",
    "pairwise": "for discrete or rounded data use --method binned",
    "test": "for discrete or rounded data compare with 'fastmi mi --estimator binned'",
}


def tie_warning(message: str, command: Optional[str]) -> str:
    """fastmi's TiedSamplesWarning as one line naming the CLI's remedy, not a Python
    function: the message's first sentence, then the remedy."""
    text = " ".join(message.split())
    first = text.split(". ")[0].rstrip(".")
    remedy = TIE_REMEDY.get(command or "", "for discrete or rounded data use --estimator binned")
    return f"{first}; {remedy}"
