"""fastmi's messages in the command line's words.

The library's errors and warnings name the Python arguments of the call: its data (``x``,
``x[:, 1]``, ``X column 5``, ``y``) and its parameters (``bins``, ``shuffle_neighbors``,
``method='discrete'``, ``random_state``).  A :class:`Words` rewrites them with the columns
and options that the user typed: ``column 'height' (--x)``, ``--bins``,
``--shuffle-neighbors``, ``--estimator discrete``; a sample, which the library numbers
from 0 among the rows it was given (``sample 4``), as the file's data row, numbered from 1
as the command line's own messages number them and counting the rows that ``--dropna``
left out (``data row 7``).  The message is scanned once, left to right, so that what a
replacement inserts (a column name) is never rewritten again.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

from fastmi.cli.reader import list_names, show

#: A data argument of a call: the option that named its columns ("" for none), and the
#: columns (None when the call's message cannot tell which).
Data = Tuple[str, Optional[Sequence[str]]]

#: The phrases in which a bare data argument (``x``) stands in a message: at its start,
#: after "of", "in", "and", "gives", a colon, a full stop or a comma; before a space, a
#: comma, a colon, a semicolon, a parenthesis or the end.  ("20000 x 20000" and "1e-10 x the
#: column's standard deviation" are products, not data; "e.g. x - x.min()" is an example.)
_BARE = (r"(?:^|(?<=\bof )|(?<=\bin )|(?<=\band )|(?<=\bgives )|(?<=: )|(?<!e\.g\. )(?<!i\.e\. )(?<=\. )"
         r"|(?<=, ))(?P<bare>[A-Za-z])(?=[ ,:;)]|$)")
_INDEXED = r"(?<![\w.])(?P<indexed>[A-Za-z])\[:, (?P<j1>\d+)\]"
_COLUMN = r"(?<![\w.])(?P<column>[A-Za-z]) column (?P<j2>\d+)\b"
#: A sample named by its index (from 0) among the rows of the call: "from sample 4 to its".
_SAMPLE = r"(?<![\w-])sample (?P<sample>\d+)\b"


#: Phrases of the library's messages that every command words alike: the seed of the
#: tie-breaking noise (an option of only some commands), the thread count (without OpenMP),
#: conditional MI's joint space.
_PHRASES = {"random_state seed": "seed", "n_jobs=": "--n-jobs ", "(x, y, z)": "(--x, --y, --z)"}


class Words:
    """The command line's words for the Python names of one library call.

    ``data`` maps each data argument (``"x"``, ``"X"``, ...) to its option and columns;
    ``params`` maps parameters to options (``{"bins": "--bins"}``), replaced where they
    lead a clause (``bins gives ...``, ``shuffle_neighbors must be ...``); ``phrases``
    maps literal text to its replacement (``{"method='discrete'": "--estimator discrete"}``).
    ``rows`` is the mask of the file's data rows that the call's samples are, in order (the
    rows that ``--dropna`` kept), None when they are every data row: ``sample i`` becomes
    ``data row r``, r the file's data row (from 1) of the call's sample i (from 0).
    """

    def __init__(self, data: Optional[Dict[str, Data]] = None,
                 params: Optional[Dict[str, str]] = None,
                 phrases: Optional[Dict[str, str]] = None,
                 rows: Optional[npt.NDArray[np.bool_]] = None) -> None:
        self.data = dict(data or {})
        self.params = dict(params or {})
        self.phrases = {**_PHRASES, **(phrases or {})}
        self.rows = rows
        parts = [_INDEXED, _COLUMN, _SAMPLE, _BARE]
        if self.params:
            names = "|".join(re.escape(p) for p in sorted(self.params, key=len, reverse=True))
            parts.append(rf"(?<![\w-])(?P<param>{names})(?=\s+(?:must|gives|is|has)\b)")
        if self.phrases:
            texts = "|".join(re.escape(p) for p in sorted(self.phrases, key=len, reverse=True))
            parts.append(rf"(?P<phrase>{texts})")
        self._pattern = re.compile("|".join(parts))

    def __call__(self, message: str) -> str:
        return self._pattern.sub(self._replace, message)

    def _replace(self, match: "re.Match[str]") -> str:
        found = match.groupdict()
        if found.get("param") is not None:
            return self.params[found["param"]]
        if found.get("phrase") is not None:
            return self.phrases[found["phrase"]]
        if found.get("sample") is not None:
            return self._row(int(found["sample"]), match.group(0))
        for group, index in (("indexed", "j1"), ("column", "j2"), ("bare", None)):
            name = found[group]
            if name is None:
                continue
            if name not in self.data:
                return match.group(0)
            option, columns = self.data[name]
            if index is None:
                return self._variable(option, columns)
            j = int(match.group(index))
            if columns is None or j >= len(columns):
                return self._unknown(option)
            return self._one(columns[j], option)
        return match.group(0)  # pragma: no cover - every alternative is a group above

    def _row(self, sample: int, text: str) -> str:
        """The file's data row (from 1) of the call's sample ``sample`` (from 0)."""
        if self.rows is None:
            return f"data row {sample + 1}"
        kept = np.flatnonzero(self.rows)
        if sample >= kept.size:  # not one of the call's samples: left as the library said
            return text
        return f"data row {int(kept[sample]) + 1}"

    @staticmethod
    def _one(column: str, option: str) -> str:
        return f"column {show(column)}" + (f" ({option})" if option else "")

    def _variable(self, option: str, columns: Optional[Sequence[str]]) -> str:
        if not columns:
            return self._unknown(option)
        if len(columns) == 1:
            return self._one(columns[0], option)
        return f"{option} (columns {list_names(columns)})" if option else \
            f"the columns {list_names(columns)}"

    @staticmethod
    def _unknown(option: str) -> str:
        return f"a {option} column" if option else "a column"


_ACTIVE: List[Words] = []


@contextmanager
def speaking(words: Optional[Words]) -> Iterator[None]:
    """Within the block, :func:`current` rewrites messages (warnings) with ``words``."""
    if words is None:
        yield
        return
    _ACTIVE.append(words)
    try:
        yield
    finally:
        _ACTIVE.pop()


def current(message: str) -> str:
    """``message`` in the words of the library call now running (unchanged outside one)."""
    return _ACTIVE[-1](message) if _ACTIVE else message
