"""Columns of a CSV or Parquet file, read for the ``fastmi`` command line with pyarrow.

A CSV file is read in one pass (so FIFOs, process substitutions and standard input work).
Its header is taken here first, within fixed limits: more than ``MAX_COLUMNS`` columns, a
header longer than ``MAX_RECORD_BYTES`` (a binary file, or an unclosed quote), NUL bytes,
text that is not UTF-8, unknown or duplicated column names are refused early and in
bounded memory.  pyarrow's CSV reader then parses the used columns as text (with the
missing-value markers of ``NA_VALUES`` as nulls); a column becomes float64 when all its
values are numbers (or true/false), else it is text.  Rows with more or fewer fields than
the header are refused with their row number.
"""

from __future__ import annotations

import codecs
import csv
import math
import re
from typing import Any, BinaryIO, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

from fastmi.cli.errors import CLIError, first_line
from fastmi.cli.files import open_data, prefixed

INSTALL_HINT = 'pip install "fastmi[cli]"'
#: Cells read as missing values: pyarrow's defaults and pandas' ``<NA>`` and ``None``.
NA_VALUES = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
             "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")
#: More columns than this are refused before the data are read.
MAX_COLUMNS = 100_000
#: Longest header record (a line, or the lines of one quoted record) taken before pyarrow.
MAX_RECORD_BYTES = 1 << 24
_CHUNK = 1 << 20
_BLANK = re.compile(rb"[\r\n]*")
_LINE_END = re.compile(rb"\r\n|\r|\n")



# The end of the library's message for integers beyond 2**53 (_validation.check_exact_integers),
# whose Python remedy the command line replaces with its own options.
_LIBRARY_WIDE_REMEDY = "Subtract an offset first (e.g. x - x.min(), when the span is below 2**53), or use a discrete estimator"

class Table:
    """Columns read from a CSV or Parquet file.

    ``path`` is the file's name as messages show it (escaped: see
    :func:`fastmi.cli.render.path`); ``names`` lists every column of the file in order;
    ``data`` holds the columns that were read: a float64 array (NaN where missing) for
    numeric columns, an object array of text (None where missing) otherwise.  ``wide``
    holds, for the numeric columns of integers some of which float64 cannot hold exactly
    (beyond 2**53 in magnitude), those integers (int64 or uint64, 0 where missing).
    """

    def __init__(self, path: str, names: List[str], data: Dict[str, Any], n_rows: int,
                 kinds: Optional[Dict[str, str]] = None,
                 wide: Optional[Dict[str, npt.NDArray[Any]]] = None) -> None:
        self.path = path
        self.names = names
        self.data = data
        self.n_rows = n_rows
        self.kinds = kinds or {}  # the file's type of each non-numeric column
        self.wide = wide or {}  # integers beyond 2**53, as the file holds them
        #: the columns that each column-naming option (--x, --columns, ...) names, as
        #: :func:`resolve_columns` found them in the header
        self.chosen: Dict[str, List[str]] = {}

    def columns(self, option: str) -> List[str]:
        """The columns named by ``option`` (empty when it was not given)."""
        return list(self.chosen.get(option, []))

    def check_names(self, wanted: Dict[str, str]) -> None:
        check_names(self.path, self.names, wanted)

    def is_numeric(self, name: str) -> bool:
        return bool(self.data[name].dtype == np.float64)

    def missing(self, name: str) -> npt.NDArray[np.bool_]:
        """Where column ``name`` has no value (NaN or an empty or NA cell)."""
        col = self.data[name]
        if col.dtype == np.float64:
            nan: npt.NDArray[np.bool_] = np.isnan(col)
            return nan
        return np.array([v is None for v in col], dtype=bool)

    def numeric(self, name: str, option: str, rows: Optional[npt.NDArray[np.bool_]] = None,
                *, exact: Optional[str] = None) -> npt.NDArray[np.float64]:
        """Column ``name`` (at ``rows``) as float64, refusing text, NaN and infinities;
        with ``exact`` (the command's remedy, options.WIDE_REMEDY), also integers that
        float64 rounds (beyond 2**53 in magnitude), as the nearest-neighbour estimators of
        the library refuse them (ksg_mi, mi_test, the KSG conditional_mi and pairwise_mi,
        the KL entropy), in the library's words but for its remedy."""
        self.check_names({name: option})
        col = self.data[name]
        if col.dtype != np.float64:
            raise CLIError(f"column {name!r} ({option}) is not numeric: "
                           f"{_first_non_number(col, self.kinds.get(name, 'text'))}")
        values: npt.NDArray[np.float64] = col if rows is None else col[rows]
        bad = ~np.isfinite(values)
        if bad.any():
            first = int(np.argmax(bad))
            row = first if rows is None else int(np.flatnonzero(rows)[first])
            what = "missing (NaN)" if np.isnan(values[first]) else "infinite"
            raise CLIError(f"column {name!r} ({option}) has {int(bad.sum())} missing or "
                           f"infinite value(s), the first at data row {row + 1} ({what}); "
                           f"drop or fill them first" + _DROPNA_HINT * bool(rows is None))
        wide = self.wide.get(name)
        if exact is not None and wide is not None:
            from fastmi._validation import check_exact_integers

            try:  # the library's check and words, naming the column and its option
                check_exact_integers(wide if rows is None else wide[rows], f"column {show(name)} ({option})")
            except ValueError as exc:
                message, remedy = str(exc), _LIBRARY_WIDE_REMEDY
                if not message.endswith(remedy):
                    raise RuntimeError(f"fastmi's 2**53 message changed; the CLI rewords its end: {message}") from None
                raise CLIError(message[: -len(remedy)] + "Subtract an offset from the column first (its minimum, "
                               f"when its span is below 2**53), {exact}") from None
        return values

    def labels(self, name: str, option: str,
               rows: Optional[npt.NDArray[np.bool_]] = None) -> npt.NDArray[Any]:
        """Column ``name`` (at ``rows``) as class labels: its numbers (finite) when numeric,
        else codes 0, 1, ... of its text (not missing), in sorted order; for integers
        beyond 2**53 (which float64 rounds, merging distinct labels), codes of the
        integers themselves."""
        self.check_names({name: option})
        col = self.data[name]
        if col.dtype == np.float64:
            numbers = self.numeric(name, option, rows)
            wide = self.wide.get(name)
            if wide is None:
                return numbers
            exact: npt.NDArray[np.intp] = np.unique(wide if rows is None else wide[rows],
                                                    return_inverse=True)[1].reshape(-1)
            return exact
        values = col if rows is None else col[rows]
        missing = np.array([v is None for v in values], dtype=bool)
        if missing.any():
            first = int(np.argmax(missing))
            row = first if rows is None else int(np.flatnonzero(rows)[first])
            raise CLIError(f"column {name!r} ({option}) has {int(missing.sum())} missing "
                           f"value(s), the first at data row {row + 1}; drop or fill "
                           f"them first" + _DROPNA_HINT * bool(rows is None))
        codes: npt.NDArray[np.intp] = np.unique(np.array([str(v) for v in values]),
                                                return_inverse=True)[1].reshape(-1)
        return codes


_DROPNA_HINT = " (or use --dropna)"


def show(name: str, limit: int = 40) -> str:
    """``repr(name)``, shortened to about ``limit`` characters."""
    text = repr(name)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def list_names(names: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(show(n) for n in names[:limit])
    if len(names) > limit:
        shown += f", ... ({len(names) - limit} more)"
    return shown or "(none)"


def resolve_columns(header: Sequence[str], values: Sequence[str], option: str,
                    path: str) -> List[str]:
    """The columns that the values of a column-naming option (``--x``, ``--columns``, ...)
    name, in order and without repeats.

    Each value is one column when the file has a column of exactly that name (commas and
    spaces included); else it is a comma-separated list of names, each taken as it is when
    the file has such a column, else without the spaces around it.  A value that names no
    column, or a list with an unknown name, is refused."""
    known = set(header)
    out: List[str] = []
    for value in values:
        if value in known:
            parts = [value]
        else:
            parts = [p if p in known else p.strip() for p in value.split(",")]
            parts = [p for p in parts if p]
            if not parts:
                raise CLIError(f"{option} {show(value)} names no column of {path}; "
                               f"available columns: {list_names(header)}")
            unknown = [p for p in parts if p not in known]
            if unknown:
                listed = len(parts) > 1 and len(unknown) < len(parts)
                name = unknown[0] if listed else value
                raise CLIError(f"unknown column {show(name)} for {option} in {path}"
                               + (f" (nor is {show(value)} a column)" if listed else "")
                               + f"; available columns: {list_names(header)}")
        for part in parts:
            if part not in out:
                out.append(part)
    return out


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


def _first_non_number(col: Any, kind: str) -> str:
    for i, value in enumerate(col):
        if value is None:
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


#: What a loader reads, given the header: (the columns to read, None for all; the names
#: to check, each mapped to the option that named it).
_Choice = Tuple[Optional[Dict[str, str]], Dict[str, str]]


def load_table(path: str, wanted: Optional[Dict[str, str]] = None,
               required: Optional[Dict[str, str]] = None, *, sep: Optional[str] = None,
               named: Optional[Dict[str, Optional[Sequence[str]]]] = None) -> Table:
    """Read the ``wanted`` columns (all when None) of a CSV or Parquet file.

    ``path`` ``-`` is standard input.  ``wanted`` and ``required`` map column names to the
    options that named them; ``named`` maps column-naming options to their values as typed
    (None when not given), which :func:`resolve_columns` reads against the header (the
    result in ``Table.chosen``; their columns are read too).  Unknown (or duplicated) names
    are refused before the data are read.  ``sep`` is the CSV delimiter (default: tab for
    .tsv and .tab files, else comma).
    """
    stream, fmt, shown = open_data(path)  # shown: the path escaped, for messages
    chosen: Dict[str, List[str]] = {}

    def choose(header: Sequence[str]) -> _Choice:
        for option, values in (named or {}).items():
            if values is not None:
                chosen[option] = resolve_columns(header, values, option, shown)
        picked = {c: option for option, cols in chosen.items() for c in cols}
        read = None if wanted is None else {**wanted, **picked}
        return read, {**(required or {}), **(wanted or {}), **picked}

    with stream:
        if fmt == "parquet":
            if sep is not None:
                raise CLIError(f"--sep applies to CSV files; {shown} is Parquet")
            table = _load_parquet(stream, shown, choose)
        else:
            table = _load_csv(stream, shown, fmt, choose,
                              sep if sep is not None else _delimiter(path))
    if table.n_rows == 0:
        raise CLIError(f"{shown} has a header but no data rows")
    table.chosen = chosen
    return table


def _pyarrow(what: str) -> Any:
    try:
        import pyarrow
    except ImportError:
        raise CLIError(f"reading {what} needs pyarrow: {INSTALL_HINT}") from None
    return pyarrow


def _delimiter(path: str) -> str:
    lower = path.lower()
    for suffix in (".gz", ".bz2", ".xz", ".zip", ".zst"):
        if lower.endswith(suffix):
            lower = lower[: -len(suffix)]
    return "\t" if lower.endswith((".tsv", ".tab")) else ","


def _binary_hint(head: bytes) -> str:
    if head.startswith(b"PAR1"):
        return "it looks like a Parquet file: name it .parquet"
    return "a binary file, not CSV text?"


def _read_header(stream: BinaryIO, path: str, fmt: Optional[str],
                 sep: str) -> Tuple[List[str], bytes]:
    """The column names of the CSV data, and every byte read so far (from the header on,
    without a byte-order mark), for pyarrow to read again.

    The header ends at the first line end outside quotes; at most ``MAX_RECORD_BYTES`` are
    read to find it, and its fields are counted before they are parsed."""
    buf = b""
    eof = False
    scanned = quotes = 0  # how far line ends were looked for in head, the quotes before
    end = skipped = -1
    while end < 0:
        chunk = stream.read(_CHUNK)
        eof = not chunk
        buf += chunk
        if buf.startswith(codecs.BOM_UTF8):
            buf = buf[len(codecs.BOM_UTF8):]
        start = _BLANK.match(buf).end()  # type: ignore[union-attr]
        if start != skipped:  # only blank lines so far
            skipped, scanned, quotes = start, 0, 0
        if eof and start == len(buf):
            raise CLIError(f"{path} is empty after {fmt} decompression" if fmt and not buf
                           else f"{path} is empty" if not buf else f"{path} is empty (no header line)")
        head = buf[start:]
        for line_end in _LINE_END.finditer(head, scanned):
            quotes += head.count(b'"', scanned, line_end.start())
            scanned = line_end.start()
            if quotes % 2 == 0:
                end = scanned
                break
            scanned = line_end.end()
        else:
            quotes += head.count(b'"', scanned)
            scanned = len(head)
            if eof:
                end = len(head)
            elif len(head) > MAX_RECORD_BYTES:
                where = "the record starting at line 1" if quotes % 2 else "line 1"
                raise CLIError(f"cannot parse {path} as CSV: {where} is longer than "
                               f"{MAX_RECORD_BYTES >> 20} MiB (a binary file, or an unclosed quote?)")
    header = head[:end]
    if b'"' not in header:
        fields = header.count(sep.encode()) + 1
        if fields > MAX_COLUMNS:
            raise CLIError(f"{path} has {fields:,} columns; fastmi reads at most {MAX_COLUMNS:,}")
    if b"\0" in header:
        raise CLIError(f"cannot read {path}: line 1 holds NUL bytes ({_binary_hint(header)})")
    try:
        text = header.decode("utf-8")
    except UnicodeDecodeError:
        raise CLIError(f"cannot read {path}: line 1 is not UTF-8 text "
                       f"({_binary_hint(header)})") from None
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_RECORD_BYTES + 1)
    try:
        names = next(csv.reader([text], delimiter=sep, strict=False), [])
    except csv.Error as exc:
        raise CLIError(f"cannot parse {path} as CSV: line 1: {exc}") from None
    finally:
        csv.field_size_limit(limit)
    if not any(n.strip() for n in names):
        raise CLIError(f"{path} is empty (no header line)")
    if len(names) > MAX_COLUMNS:
        raise CLIError(f"{path} has {len(names):,} columns; fastmi reads at most {MAX_COLUMNS:,}")
    return names, head


class _NulScan:
    """A byte stream that refuses NUL bytes, naming their line."""

    def __init__(self, stream: BinaryIO, path: str) -> None:
        self._stream = stream
        self._path = path
        self._lf = self._cr = 0
        self.closed = False

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        nul = data.find(b"\0")
        if nul >= 0:
            before = data[:nul]
            lines = max(self._lf + before.count(b"\n"), self._cr + before.count(b"\r"))
            raise CLIError(f"cannot read {self._path}: line {lines + 1} holds NUL bytes "
                           f"({_binary_hint(b'')})")
        self._lf += data.count(b"\n")
        self._cr += data.count(b"\r")
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


def _load_csv(stream: BinaryIO, path: str, fmt: Optional[str],
              choose: Callable[[Sequence[str]], _Choice], sep: str) -> Table:
    names, head = _read_header(stream, path, fmt, sep)
    wanted, checked = choose(names)
    check_names(path, names, checked)
    used = list(dict.fromkeys(wanted)) if wanted is not None else names
    _check_unique(path, names, used)
    pa = _pyarrow("CSV files")
    import pyarrow.csv as pacsv

    bad_rows: List[Any] = []

    def invalid_row(row: Any) -> str:
        bad_rows.append(row)
        return "error"

    source = _NulScan(prefixed(stream, path, head), path)
    try:
        arrow = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(use_threads=False, block_size=_CHUNK),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                              invalid_row_handler=invalid_row),
            convert_options=pacsv.ConvertOptions(
                include_columns=used, column_types={n: pa.string() for n in used},
                null_values=list(NA_VALUES), strings_can_be_null=True, check_utf8=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        if bad_rows:
            row = bad_rows[0]
            where = f"data row {row.number - 1}" if row.number else "a row"
            raise CLIError(f"cannot parse {path} as CSV: {where} has {row.actual_columns:,} "
                           f"fields, the header has {row.expected_columns:,}") from None
        message = first_line(exc).replace("CSV parse error: ", "")
        raise CLIError(f"cannot parse {path} as CSV: {message[:200]}") from None
    data: Dict[str, Any] = {}
    kinds: Dict[str, str] = {}
    wide: Dict[str, npt.NDArray[Any]] = {}
    for name in used:
        data[name], kind, ints = _column(arrow.column(name), name, path)
        if kind:
            kinds[name] = kind
        if ints is not None:
            wide[name] = ints
    return Table(path, names, data, arrow.num_rows, kinds, wide)


def _column(values: Any, name: str, path: str) -> Tuple[Any, str, Optional[npt.NDArray[Any]]]:
    """A column of text (pyarrow strings, nulls where missing) as float64 when every value
    is a number or true/false, else as an object array of text; its kind if text; and
    its integers when every value is one and some are beyond 2**53 in magnitude (see
    :func:`_wide_integers`), else None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pc.cast(values, pa.string(), safe=True)
        values.validate(full=True)  # a string column's cast from string checks nothing: a cell not UTF-8
    except pa.ArrowInvalid:
        raise CLIError(f"cannot read {path}: column {show(name)} is not UTF-8 text "
                       f"(a binary file, not CSV text?)") from None
    if values.null_count == len(values):
        return np.full(len(values), np.nan), "", None  # nothing but missing values
    for text in (values, pc.utf8_trim_whitespace(values)):
        for target in (pa.float64(), pa.bool_()):
            try:
                floats = _floats(pc.cast(text, target))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
            return floats, "", _wide_integers(text, floats)
    return np.array(values.to_pylist(), dtype=object), "text", None


#: The largest integer magnitude that float64 holds exactly, with every integer below it
#: (fastmi._validation.EXACT_INTEGERS; not imported here, where the native module is not).
_EXACT = 2**53


def _wide_integers(text: Any, floats: npt.NDArray[np.float64]) -> Optional[npt.NDArray[Any]]:
    """The integers of a column of text read as ``floats``, when every value is an integer
    (int64 or uint64) and some are beyond 2**53 in magnitude (float64 rounds them, so that
    distinct values can read as ties); 0 where missing.  None otherwise: a float below
    2**53 in magnitude is no such integer (one beyond reads as 2**53 or more), so only
    such columns are parsed again."""
    import pyarrow as pa
    import pyarrow.compute as pc

    with np.errstate(invalid="ignore"):
        if not (np.abs(floats) >= _EXACT).any():
            return None
    if pa.types.is_string(text.type) or pa.types.is_large_string(text.type):
        # "+9007199254740993": the float cast takes the sign, the integer casts do not
        text = pc.replace_substring_regex(pc.utf8_trim_whitespace(text), pattern=r"^\+", replacement="")
    for target in (pa.int64(), pa.uint64()):
        try:
            return _beyond_exact(pc.cast(text, target))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return None  # floats written as such ("1e20", "9007199254740993.0"), or beyond 64 bits


def _beyond_exact(ints: Any) -> Optional[npt.NDArray[Any]]:
    """A pyarrow column of 64-bit integers as numpy (0 where missing), when some are beyond
    2**53 in magnitude; else None."""
    import pyarrow as pa

    values = np.asarray(ints.fill_null(pa.scalar(0, ints.type)).to_numpy())
    if values.size and (values.max() > _EXACT or (values.dtype.kind == "i" and values.min() < -_EXACT)):
        return values
    return None


def _floats(values: Any) -> npt.NDArray[np.float64]:
    """A pyarrow column of numbers, true/false or decimals as float64, NaN where missing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pc.cast(values, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # decimals on an old pyarrow
        return np.array([math.nan if v is None else float(v) for v in values.to_pylist()],
                        dtype=np.float64)
    return np.asarray(values.to_numpy(), dtype=np.float64)


def _load_parquet(source: BinaryIO, path: str,
                  choose: Callable[[Sequence[str]], _Choice]) -> Table:
    pa = _pyarrow("Parquet files")
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise CLIError(f"reading Parquet files needs pyarrow: {INSTALL_HINT}") from None
    try:
        schema_names = pq.read_schema(source).names
        names = [n for n in schema_names if not n.startswith("__index_level_")]
        if len(names) > MAX_COLUMNS:
            raise CLIError(f"{path} has {len(names):,} columns; fastmi reads at most "
                           f"{MAX_COLUMNS:,}")
        wanted, checked = choose(names)
        check_names(path, names, checked)
        _check_unique(path, names, list(wanted) if wanted is not None else names)
        columns = list(dict.fromkeys(wanted)) if wanted is not None else names
        source.seek(0)
        # use_threads=False: pyarrow's threaded read of a Python file object can leave work
        # running at interpreter exit, which then aborts (exit 134; apache/arrow#33975)
        arrow = pq.read_table(source, columns=columns, use_threads=False)
    except (OSError, ValueError, NotImplementedError, pa.ArrowException) as exc:
        # pyarrow.ArrowInvalid is a ValueError, ArrowNotImplementedError a NotImplementedError
        raise CLIError(f"cannot read {path} as Parquet: {first_line(exc)}") from None
    data: Dict[str, Any] = {}
    kinds: Dict[str, str] = {}
    wide: Dict[str, npt.NDArray[Any]] = {}
    for name in columns:
        col = arrow.column(name)
        kind = col.type
        if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind) \
                or pa.types.is_decimal(kind) or pa.types.is_null(kind):
            data[name] = _floats(col)
            if pa.types.is_integer(kind) and kind.bit_width == 64:
                ints = _beyond_exact(col)
                if ints is not None:
                    wide[name] = ints
        else:
            data[name] = np.array([None if v is None else str(v) for v in col.to_pylist()],
                                  dtype=object)
            kinds[name] = str(kind)
    return Table(path, names, data, arrow.num_rows, kinds, wide)
