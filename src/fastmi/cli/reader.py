"""Columns of a CSV or Parquet file, read for the ``fastmi`` command line.

A CSV file is read in one pass (so FIFOs and process substitutions work): its header and
first data row are parsed here, within fixed limits, before pandas (when installed) or the
csv module reads the rest.  That refuses, early and in bounded memory, what no reader
should be given: more than ``MAX_COLUMNS`` columns, a record longer than
``MAX_RECORD_BYTES`` (a binary file, or an unclosed quote), NUL bytes, text that is not
UTF-8, unknown or duplicated column names, and a first row with more fields than the
header (pandas would silently make the extra fields an index and shift the columns).
"""

from __future__ import annotations

import codecs
import csv
import decimal
import math
import numbers
import re
from typing import Any, BinaryIO, Dict, Iterator, List, Optional, Sequence

from fastmi.cli.errors import CLIError, first_line
from fastmi.cli.files import open_data, prefixed

PANDAS_HINT = "pip install 'fastmi[pandas]'"
#: Strings the reader without pandas takes as missing values (pandas' defaults include them).
NA_STRINGS = frozenset({"", "na", "n/a", "nan", "-nan", "null", "none", "<na>", "#n/a"})
#: More columns than this are refused before the data are read.
MAX_COLUMNS = 100_000
#: Longest record (a line, or the lines of one record with quoted line breaks) parsed here.
MAX_RECORD_BYTES = 1 << 24
_CHUNK = 1 << 20
#: A line and its end: \n, \r\n or a lone \r (old Mac files), as the csv module reads them.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_LINE_END = re.compile(rb"\r\n|\r|\n")


class Table:
    """Columns read from a CSV or Parquet file.

    ``names`` lists every column of the file in order; ``data`` holds the columns that were
    read: a float64 array for numeric columns, an object array otherwise.
    """

    def __init__(self, path: str, names: List[str], data: Dict[str, Any], n_rows: int,
                 kinds: Optional[Dict[str, str]] = None) -> None:
        self.path = path
        self.names = names
        self.data = data
        self.n_rows = n_rows
        self.kinds = kinds or {}  # the file's type of each non-numeric column

    def check_names(self, wanted: Dict[str, str]) -> None:
        check_names(self.path, self.names, wanted)

    def is_numeric(self, name: str) -> bool:
        import numpy as np

        return bool(self.data[name].dtype == np.float64)

    def numeric(self, name: str, option: str) -> Any:
        """Column ``name`` as float64, refusing non-numeric columns, NaN and infinities."""
        import numpy as np

        self.check_names({name: option})
        col = self.data[name]
        if col.dtype != np.float64:
            raise CLIError(f"column {name!r} ({option}) is not numeric: "
                           f"{_first_non_number(col, self.kinds.get(name, 'text'))}")
        bad = ~np.isfinite(col)
        if bad.any():
            first = int(np.argmax(bad))
            what = "missing (NaN)" if np.isnan(col[first]) else "infinite"
            raise CLIError(f"column {name!r} ({option}) has {int(bad.sum())} missing or "
                           f"infinite value(s), the first at data row {first + 1} ({what}); "
                           f"drop or fill them first")
        return col

    def labels(self, name: str, option: str) -> Any:
        """Column ``name`` as class labels: numeric (finite) or text (not missing)."""
        import numpy as np

        self.check_names({name: option})
        col = self.data[name]
        if col.dtype == np.float64:
            return self.numeric(name, option)
        missing = np.array([_is_missing(v) for v in col], dtype=bool)
        if missing.any():
            raise CLIError(f"column {name!r} ({option}) has {int(missing.sum())} missing "
                           f"value(s), the first at data row {int(np.argmax(missing)) + 1}; "
                           f"drop or fill them first")
        return np.unique(np.array([str(v) for v in col]), return_inverse=True)[1]


def show(name: str, limit: int = 40) -> str:
    """``repr(name)``, shortened to about ``limit`` characters."""
    text = repr(name)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def list_names(names: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(show(n) for n in names[:limit])
    if len(names) > limit:
        shown += f", ... ({len(names) - limit} more)"
    return shown or "(none)"


def check_names(path: str, names: Sequence[str], wanted: Dict[str, str]) -> None:
    """Refuse names that are not columns; ``wanted`` maps each name to its option."""
    for name, option in wanted.items():
        if name not in names:
            raise CLIError(f"unknown column {show(name)} for {option} in {path}; "
                           f"available columns: {list_names(names)}")


def _check_unique(path: str, names: Sequence[str], used: Sequence[str]) -> None:
    """Refuse a used name that heads more than one column (which one would be meant?)."""
    positions: Dict[str, List[int]] = {}
    for j, name in enumerate(names):
        positions.setdefault(name, []).append(j + 1)
    for name in used:
        where = positions.get(name, [])
        if len(where) > 1:
            shown = ", ".join(map(str, where[:5])) + (", ..." if len(where) > 5 else "")
            raise CLIError(f"column name {show(name)} appears {len(where)} times in the "
                           f"header of {path} (columns {shown}); rename the columns")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        import pandas as pd
    except ImportError:
        return False
    return value is pd.NA or value is pd.NaT


def _first_non_number(col: Any, kind: str) -> str:
    for i, value in enumerate(col):
        if _is_missing(value):
            continue
        try:
            float(value)
        except (TypeError, ValueError):
            text = repr(value)
            if len(text) > 40:
                text = text[:37] + "..."
            return f"data row {i + 1} holds {text}"
    return f"its type is {kind}"


# --------------------------------------------------------------------------- loading


def load_table(path: str, wanted: Optional[Dict[str, str]] = None,
               required: Optional[Dict[str, str]] = None) -> Table:
    """Read the ``wanted`` columns (all when None) of a CSV or Parquet file.

    ``wanted`` and ``required`` map column names to the options that named them; unknown
    (or duplicated) names are refused before the data are read.  pandas is used when
    installed (and is needed for Parquet); without it CSV is read with the csv module.
    """
    checked = {**(required or {}), **(wanted or {})}
    try:
        import pandas  # noqa: F401
        use_pandas = True
    except ImportError:
        use_pandas = False
    stream, fmt = open_data(path)
    with stream:
        if fmt == "parquet":
            table = _load_parquet(stream, path, wanted, checked)
        else:
            table = _load_csv(stream, path, fmt, wanted, checked, use_pandas)
    if table.n_rows == 0:
        raise CLIError(f"{path} has a header but no data rows")
    return table


def _delimiter(path: str) -> str:
    lower = path.lower()
    for suffix in (".gz", ".bz2", ".xz", ".zip", ".zst"):
        if lower.endswith(suffix):
            lower = lower[: -len(suffix)]
    return "\t" if lower.endswith((".tsv", ".tab")) else ","


class _Records:
    """CSV records of a byte stream, parsed by the csv module one at a time.

    The stream is read in chunks and cut into lines at ``\\n``, ``\\r\\n`` or a lone ``\\r``
    (as the csv module's own line reading does).  A record may span at most
    ``MAX_RECORD_BYTES``; a record that starts a line without quotes and holds more than
    ``max_fields`` fields is refused before it is parsed.  The bytes read are kept while
    ``kept`` is a list, for handing the stream on to pandas.
    """

    def __init__(self, stream: BinaryIO, path: str, sep: str) -> None:
        self.stream = stream
        self.path = path
        self.sep = sep
        self.kept: Optional[List[bytes]] = []
        self.line_num = 0
        self.record_line = 0  # where the last record started
        self.max_fields = MAX_COLUMNS
        self.header_fields = 0
        self._bytes = 0
        self._reader = csv.reader(self._lines(), delimiter=sep)

    def next(self) -> Optional[List[str]]:
        """The next record that is not a blank line, or None at the end of the data."""
        while True:
            self._bytes = 0
            self.record_line = self.line_num + 1
            try:
                record = next(self._reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                raise CLIError(f"cannot parse {self.path} as CSV: line {self.line_num}: "
                               f"{exc}") from None
            if record:
                return record

    def replay(self) -> bytes:
        """The bytes read so far (the stream continues after them)."""
        assert self.kept is not None
        return b"".join(self.kept)

    def _pieces(self) -> Iterator[bytes]:
        """The stream in pieces that end at a line end (the last one perhaps not)."""
        tail = b""
        first = True
        while True:
            chunk = self.stream.read(_CHUNK)
            if first and chunk.startswith(codecs.BOM_UTF8):
                chunk = chunk[len(codecs.BOM_UTF8):]
            first = False
            if self.kept is not None:
                self.kept.append(chunk)
            if not chunk:
                if tail:
                    yield tail
                return
            data = tail + chunk
            # a final \r may be the first half of \r\n: keep it for the next piece
            cut = max(data.rfind(b"\n"), data.rfind(b"\r", 0, len(data) - 1)) + 1
            tail = data[cut:]
            if len(tail) > MAX_RECORD_BYTES:
                line = self.line_num + 1 + len(_LINE_END.findall(data[:cut]))
                raise CLIError(f"cannot parse {self.path} as CSV: line {line} is longer than "
                               f"{MAX_RECORD_BYTES >> 20} MiB (a binary file, or an unclosed "
                               f"quote?)")
            if cut:
                yield data[:cut]

    def _lines(self) -> Iterator[str]:
        head = b""
        for piece in self._pieces():
            if not head:
                head = piece[:8]
            nul = piece.find(b"\0")
            if nul >= 0:
                line = self.line_num + 1 + len(_LINE_END.findall(piece[:nul]))
                raise CLIError(f"cannot read {self.path}: line {line} holds NUL bytes "
                               f"({_binary_hint(head if line == 1 else b'')})")
            try:
                text = piece.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = self.line_num + 1 + len(_LINE_END.findall(piece[:exc.start]))
                raise CLIError(_not_utf8(self.path, head if line == 1 else b"",
                                         line)) from None
            for line in _LINE.findall(text):
                self.line_num += 1
                new_record = self._bytes == 0
                self._bytes += len(line)
                if self._bytes > MAX_RECORD_BYTES:
                    where = (f"line {self.line_num}" if new_record
                             else f"the record starting at line {self.record_line}")
                    raise CLIError(f"cannot parse {self.path} as CSV: {where} is longer than "
                                   f"{MAX_RECORD_BYTES >> 20} MiB (a binary file, or an "
                                   f"unclosed quote?)")
                if new_record and '"' not in line:
                    fields = line.count(self.sep) + 1
                    if fields > self.max_fields:
                        raise CLIError(self._too_many(fields))
                yield line

    def _too_many(self, fields: int) -> str:
        if self.header_fields:
            return (f"cannot parse {self.path} as CSV: line {self.line_num} has {fields:,} "
                    f"fields, the header has {self.header_fields:,}")
        return (f"{self.path} has {fields:,} columns; fastmi reads at most "
                f"{MAX_COLUMNS:,}")


def _binary_hint(head: bytes) -> str:
    if head.startswith(b"PAR1"):
        return "it looks like a Parquet file: name it .parquet"
    return "a binary file, not CSV text?"


def _not_utf8(path: str, head: bytes, line: Optional[int] = None) -> str:
    what = f"line {line} is" if line is not None else "it is"
    return f"cannot read {path}: {what} not UTF-8 text ({_binary_hint(head)})"


def _load_csv(stream: BinaryIO, path: str, fmt: Optional[str],
              wanted: Optional[Dict[str, str]], checked: Dict[str, str],
              use_pandas: bool) -> Table:
    sep = _delimiter(path)
    records = _Records(stream, path, sep)
    field_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_RECORD_BYTES + 1)  # the record limit is the only limit
    try:
        names = records.next()
        if names is None and records.line_num == 0:
            raise CLIError(f"{path} is empty after {fmt} decompression" if fmt
                           else f"{path} is empty")
        if names is None or not any(n.strip() for n in names):
            raise CLIError(f"{path} is empty (no header line)")
        if len(names) > MAX_COLUMNS:
            raise CLIError(records._too_many(len(names)))
        check_names(path, names, checked)
        _check_unique(path, names, list(wanted) if wanted is not None else names)
        records.max_fields = records.header_fields = len(names)
        first = records.next()
        if first is None:
            raise CLIError(f"{path} has a header but no data rows")
        if len(first) > len(names):
            raise CLIError(f"cannot parse {path} as CSV: line {records.record_line} has "
                           f"{len(first)} fields, the header has {len(names)}")
        if use_pandas:
            return _read_rest_pandas(stream, records, path, sep, names, wanted)
        return _read_rest_stdlib(records, path, names, first, wanted)
    finally:
        csv.field_size_limit(field_limit)


def _read_rest_pandas(stream: BinaryIO, records: _Records, path: str, sep: str,
                      names: List[str], wanted: Optional[Dict[str, str]]) -> Table:
    import pandas as pd

    replay = prefixed(stream, path, records.replay())
    records.kept = None
    try:
        # All columns are read: with usecols pandas would accept rows with extra fields.
        df = pd.read_csv(replay, sep=sep, low_memory=False, encoding="utf-8")
    except UnicodeDecodeError:
        raise CLIError(_not_utf8(path, b"")) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise CLIError(f"cannot parse {path} as CSV: {first_line(exc)}") from None
    if df.shape[1] != len(names):
        raise CLIError(f"cannot parse {path} as CSV: its header has {len(names)} fields, "
                       f"its data {df.shape[1]} columns")
    df.columns = names
    if wanted is not None:
        df = df.iloc[:, sorted({names.index(w) for w in wanted})]
    return _from_frame(path, names, df)


def _read_rest_stdlib(records: _Records, path: str, names: List[str], first: List[str],
                      wanted: Optional[Dict[str, str]]) -> Table:
    records.kept = None
    use = sorted({names.index(w) for w in wanted}) if wanted is not None else \
        list(range(len(names)))
    cells: List[List[str]] = [[] for _ in use]
    row: Optional[List[str]] = first
    while row is not None:
        if len(row) != len(names):
            raise CLIError(f"cannot parse {path} as CSV: line {records.record_line} has "
                           f"{len(row)} fields, the header has {len(names)}")
        for slot, j in enumerate(use):
            cells[slot].append(row[j])
        row = records.next()
    data = {names[j]: _parse_column(cells[slot]) for slot, j in enumerate(use)}
    return Table(path, names, data, len(cells[0]) if cells else 0)


def _parse_column(texts: List[str]) -> Any:
    """float64 when every cell is a number or a missing-value marker, else object."""
    import numpy as np

    values = []
    for text in texts:
        t = text.strip()
        if t.lower() in NA_STRINGS:
            values.append(math.nan)
            continue
        try:
            values.append(float(t))
        except ValueError:
            missing = [s.strip().lower() in NA_STRINGS for s in texts]
            return np.array([None if m else s for s, m in zip(texts, missing)], dtype=object)
    return np.array(values, dtype=np.float64)


def _load_parquet(source: BinaryIO, path: str, wanted: Optional[Dict[str, str]],
                  checked: Dict[str, str]) -> Table:
    try:
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise CLIError(f"reading Parquet files needs pandas and pyarrow: "
                       f"{PANDAS_HINT}") from None
    try:
        schema_names = pq.read_schema(source).names
        names = [n for n in schema_names if not n.startswith("__index_level_")]
        if len(names) > MAX_COLUMNS:
            raise CLIError(f"{path} has {len(names):,} columns; fastmi reads at most "
                           f"{MAX_COLUMNS:,}")
        check_names(path, names, checked)
        _check_unique(path, names, list(wanted) if wanted is not None else names)
        columns = list(wanted) if wanted is not None else names
        source.seek(0)
        df = pd.read_parquet(source, columns=columns, engine="pyarrow")
    except (OSError, ValueError, NotImplementedError, pa.ArrowException) as exc:
        # pyarrow.ArrowInvalid is a ValueError, ArrowNotImplementedError a NotImplementedError
        raise CLIError(f"cannot read {path} as Parquet: {first_line(exc)}") from None
    return _from_frame(path, names, df)


def _all_real(values: Any) -> bool:
    """Every value a real number (decimal.Decimal included) or missing, and one at least."""
    found = False
    for v in values:
        if _is_missing(v):
            continue
        if isinstance(v, str) or not isinstance(v, (numbers.Real, decimal.Decimal)):
            return False
        found = True
    return found


def _from_frame(path: str, names: List[str], df: Any) -> Table:
    import numpy as np
    import pandas as pd

    data = {}
    kinds = {}
    for j, name in enumerate(df.columns):
        series = df.iloc[:, j]
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype) or (
                pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)):
            data[name] = series.to_numpy(dtype=np.float64, na_value=np.nan)
        elif dtype == object and _all_real(series):  # Parquet decimals
            data[name] = np.array([math.nan if _is_missing(v) else float(v) for v in series],
                                  dtype=np.float64)
        else:
            data[name] = series.to_numpy(dtype=object)
            kinds[name] = str(dtype)
    return Table(path, names, data, len(df), kinds)
