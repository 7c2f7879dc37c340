"""The ``fastmi`` command line (also ``python -m fastmi``).

Commands:

``fastmi bench``
    fastmi's estimators next to the numpy reference and scikit-learn on built-in data.
``fastmi mi FILE --x COL --y COL``
    mutual information between two columns of a CSV or Parquet file.
``fastmi rank FILE --target COL``
    every other numeric column ranked by its mutual information with the target.

Bad input ends with one line, ``fastmi: error: ...``, on stderr and exit status 2.
numpy, pandas, scikit-learn and matplotlib are imported only by the command that needs
them, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import shutil
import sys
import threading
import time
import warnings
from typing import Any, Dict, List, NoReturn, Optional, Sequence, TextIO

PROG = "fastmi"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PANDAS_HINT = "pip install 'fastmi[pandas]'"
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zip", ".zst")
#: Strings the reader without pandas takes as missing values (pandas' defaults include them).
NA_STRINGS = frozenset({"", "na", "n/a", "nan", "-nan", "null", "none", "<na>", "#n/a"})


class CLIError(Exception):
    """Bad input: reported as ``fastmi: error: <message>`` with exit status 2."""


# --------------------------------------------------------------------------- progress


class Progress:
    """A small progress bar on stderr.

    It draws only when ``stream`` is a terminal (and ``enabled`` is not False), so pipes,
    files and CI logs never see it.  With ``total`` it shows a bar and a count, without it
    a spinner; both show the current label and the seconds spent on it.  A background
    thread redraws it while long calls run (fastmi's native code releases the GIL).
    ``delay`` holds the first drawing back, so that quick work shows nothing.
    """

    SPINNER = "|/-\\"

    def __init__(self, total: Optional[int] = None, *, stream: Optional[TextIO] = None,
                 enabled: Optional[bool] = None, delay: float = 0.0,
                 interval: float = 0.1, out: Optional[TextIO] = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.out = out
        if enabled is None or enabled:
            enabled = _isatty(self.stream) and os.environ.get("TERM") != "dumb"
        self.enabled = bool(enabled)
        self.total = total
        self.done = 0
        self.label = ""
        self.delay = delay
        self.interval = interval
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._start = self._label_start = time.monotonic()
        self._drawn = False
        self._ticks = 0

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._thread = threading.Thread(target=self._tick, name="fastmi-progress",
                                            daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set(self, label: str) -> None:
        with self._lock:
            self.label = label
            self._label_start = time.monotonic()
            self._draw()

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            self._draw()

    def write(self, text: str) -> None:
        """Print ``text`` on stdout with the bar out of its way."""
        out = self.out if self.out is not None else sys.stdout
        with self._lock:
            self._clear()
            print(text, file=out, flush=True)
            self._draw()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            self._clear()

    def render(self, width: int) -> str:
        now = time.monotonic()
        seconds = f"{now - self._label_start:5.1f}s"
        if self.total:
            frac = min(1.0, self.done / self.total)
            bar_width = 20
            filled = int(frac * bar_width)
            head = f"[{'#' * filled}{'.' * (bar_width - filled)}] {self.done}/{self.total}"
        else:
            head = self.SPINNER[self._ticks % len(self.SPINNER)]
        line = f"{head}  {self.label}  {seconds}"
        return line[: max(10, width)]

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                self._ticks += 1
                self._draw()

    def _draw(self) -> None:
        if not self.enabled or self._stop.is_set() or not self.label:
            return
        if time.monotonic() - self._start < self.delay:
            return
        try:
            width = os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
            width = 0
        if width <= 0:  # unknown (a pseudo-terminal without a size, a test stream)
            width = shutil.get_terminal_size((80, 24)).columns
        width -= 1
        try:
            self.stream.write("\r" + self.render(width) + "\x1b[K")
            self.stream.flush()
        except (OSError, ValueError):
            self.enabled = False
            return
        self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            try:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self._drawn = False


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# --------------------------------------------------------------------------- reading files


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
        _check_names(self.path, self.names, wanted)

    def is_numeric(self, name: str) -> bool:
        import numpy as np

        return self.data[name].dtype == np.float64

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
        return np.unique(col.astype(str), return_inverse=True)[1]


def _check_names(path: str, names: Sequence[str], wanted: Dict[str, str]) -> None:
    """Refuse names that are not columns; ``wanted`` maps each name to its option."""
    for name, option in wanted.items():
        if name not in names:
            raise CLIError(f"unknown column {name!r} for {option} in {path}; "
                           f"available columns: {_list_names(names)}")


def _list_names(names: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    if len(names) > limit:
        shown += f", ... ({len(names) - limit} more)"
    return shown or "(none)"


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


def load_table(path: str, wanted: Optional[Dict[str, str]] = None) -> Table:
    """Read the ``wanted`` columns (all when None) of a CSV or Parquet file.

    ``wanted`` maps each column to the option that named it; unknown names are refused
    before the data are read.  pandas is used when
    installed (and is needed for Parquet); without it CSV is read with the csv module.
    """
    if not os.path.exists(path):
        raise CLIError(f"no such file: {path}")
    if os.path.isdir(path):
        raise CLIError(f"{path} is a directory, not a data file")
    try:
        empty = os.path.getsize(path) == 0
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror}") from None
    if empty:
        raise CLIError(f"{path} is empty")
    try:
        if path.lower().endswith(PARQUET_SUFFIXES):
            table = _load_parquet(path, wanted)
        else:
            try:
                import pandas  # noqa: F401
            except ImportError:
                table = _load_csv_stdlib(path, wanted)
            else:
                table = _load_csv_pandas(path, wanted)
    except UnicodeDecodeError:
        raise CLIError(f"cannot read {path}: it is not UTF-8 text (is it a CSV "
                       f"file?)") from None
    except PermissionError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror}") from None
    if table.n_rows == 0:
        raise CLIError(f"{path} has a header but no data rows")
    return table


def _delimiter(path: str) -> str:
    lower = path.lower()
    for suffix in COMPRESSED_SUFFIXES:
        if lower.endswith(suffix):
            lower = lower[: -len(suffix)]
    return "\t" if lower.endswith((".tsv", ".tab")) else ","


def _load_csv_pandas(path: str, wanted: Optional[Dict[str, str]]) -> Table:
    import pandas as pd

    sep = _delimiter(path)
    try:
        names = [str(c) for c in pd.read_csv(path, sep=sep, nrows=0).columns]
        if wanted is not None:
            _check_names(path, names, wanted)
        # All columns are read: with usecols pandas would accept rows with extra fields.
        df = pd.read_csv(path, sep=sep, low_memory=False)
    except pd.errors.EmptyDataError:
        raise CLIError(f"{path} is empty (no header line)") from None
    except pd.errors.ParserError as exc:
        raise CLIError(f"cannot parse {path} as CSV: {_first_line(exc)}") from None
    _check_first_row(path, sep, len(names))
    df.columns = names
    if wanted is not None:
        df = df.iloc[:, sorted({names.index(w) for w in wanted})]
    return _from_frame(path, names, df)


def _check_first_row(path: str, sep: str, n_names: int) -> None:
    """Refuse a first data row with more fields than the header: pandas would silently turn
    the extra leading fields into an index and shift the columns."""
    import csv

    if path.lower().endswith(COMPRESSED_SUFFIXES):
        return
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, delimiter=sep)
        next(reader, None)
        for row in reader:
            if row:
                if len(row) > n_names:
                    raise CLIError(f"cannot parse {path} as CSV: line {reader.line_num} has "
                                   f"{len(row)} fields, the header has {n_names}")
                return


def _load_parquet(path: str, wanted: Optional[Dict[str, str]]) -> Table:
    try:
        import pandas as pd
        import pyarrow.parquet as pq
    except ImportError:
        raise CLIError(f"reading Parquet files needs pandas and pyarrow: "
                       f"{PANDAS_HINT}") from None
    try:
        schema_names = pq.read_schema(path).names
        names = [n for n in schema_names if not n.startswith("__index_level_")]
        if wanted is not None:
            _check_names(path, names, wanted)
        columns = list(wanted) if wanted is not None else names
        df = pd.read_parquet(path, columns=columns, engine="pyarrow")
    except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        raise CLIError(f"cannot read {path} as Parquet: {_first_line(exc)}") from None
    return _from_frame(path, names, df)


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
        else:
            data[name] = series.to_numpy(dtype=object)
            kinds[name] = str(dtype)
    return Table(path, names, data, len(df), kinds)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _load_csv_stdlib(path: str, wanted: Optional[Dict[str, str]]) -> Table:
    import csv

    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, delimiter=_delimiter(path))
        try:
            names = next(reader)
        except StopIteration:
            raise CLIError(f"{path} is empty (no header line)") from None
        except csv.Error as exc:
            raise CLIError(f"cannot parse {path} as CSV: {exc}") from None
        if not any(n.strip() for n in names):
            raise CLIError(f"{path} is empty (no header line)")
        if wanted is not None:
            _check_names(path, names, wanted)
        use = sorted({names.index(w) for w in wanted}) if wanted is not None else \
            list(range(len(names)))
        cells: List[List[str]] = [[] for _ in use]
        try:
            for row in reader:
                if not row:
                    continue
                if len(row) != len(names):
                    raise CLIError(f"cannot parse {path} as CSV: line {reader.line_num} "
                                   f"has {len(row)} fields, the header has {len(names)}")
                for slot, j in enumerate(use):
                    cells[slot].append(row[j])
        except csv.Error as exc:
            raise CLIError(f"cannot parse {path} as CSV: line {reader.line_num}: "
                           f"{exc}") from None
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


# --------------------------------------------------------------------------- commands


def _estimate(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call an estimator, turning its ValueError (bad data or parameters) into a CLIError."""
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:
        raise CLIError(_first_line(exc)) from None


def cmd_mi(args: argparse.Namespace) -> int:
    import numpy as np

    if args.estimator == "binned":
        if args.k is not None:
            raise CLIError("--k applies to --estimator ksg; use --bins with --estimator binned")
        if args.legacy:
            raise CLIError("--legacy applies to --estimator ksg only")
        if len(args.x) != 1 or len(args.y) != 1:
            raise CLIError("--estimator binned takes exactly one --x and one --y column")
    elif args.bins is not None:
        raise CLIError("--bins applies to --estimator binned; use --k with --estimator ksg")

    table = load_table(args.file, {**{c: "--x" for c in args.x}, **{c: "--y" for c in args.y}})
    x = np.column_stack([table.numeric(c, "--x") for c in args.x])
    y = np.column_stack([table.numeric(c, "--y") for c in args.y])
    if x.shape[1] == 1:
        x = x[:, 0]
    if y.shape[1] == 1:
        y = y[:, 0]
    n = table.n_rows

    import fastmi

    if args.estimator == "binned":
        bins = 10 if args.bins is None else args.bins
        value = _estimate(fastmi.discrete_mi, x, y, bins=bins, n_jobs=args.n_jobs)
        how = f"binned, bins={bins}"
    else:
        k = 3 if args.k is None else args.k
        if k >= n:
            raise CLIError(f"--k {k} needs more than {k} rows; {args.file} has {n}")
        value = _estimate(fastmi.ksg_mi, x, y, k=k, legacy=args.legacy, n_jobs=args.n_jobs)
        how = f"KSG{' legacy' if args.legacy else ''}, k={k}"
    print(f"I({', '.join(args.x)}; {', '.join(args.y)}) = {value:.4f} bits ({how}, n={n})")
    return EXIT_OK


def _guess_task(table: Table, target: str) -> str:
    import numpy as np

    col = table.data[target]
    if col.dtype != np.float64:
        return "classification"
    finite = col[np.isfinite(col)]
    if finite.size and np.all(finite == np.round(finite)) and np.unique(finite).size <= 20:
        return "classification"
    return "regression"


def cmd_rank(args: argparse.Namespace) -> int:
    import numpy as np

    table = load_table(args.file)
    table.check_names({args.target: "--target"})
    task = args.task if args.task != "auto" else _guess_task(table, args.target)
    if task == "regression":
        y = table.numeric(args.target, "--target")
    else:
        y = table.labels(args.target, "--target")
    others = [c for c in table.names if c != args.target]
    features = [c for c in others if table.is_numeric(c)]
    skipped = [c for c in others if not table.is_numeric(c)]
    if not features:
        raise CLIError(f"{args.file} has no numeric column besides the target "
                       f"{args.target!r}"
                       + (f" (non-numeric: {_list_names(skipped)})" if skipped else ""))
    X = np.column_stack([table.numeric(c, "feature column") for c in features])
    n = table.n_rows
    if args.k >= n:
        raise CLIError(f"--k {args.k} needs more than {args.k} rows; {args.file} has {n}")
    if skipped and not args.quiet:
        print(f"{PROG}: note: skipping non-numeric columns: {_list_names(skipped)}",
              file=sys.stderr)

    import fastmi

    estimator = fastmi.mutual_info_classif if task == "classification" \
        else fastmi.mutual_info_regression
    label = f"ranking {len(features)} columns by MI with {args.target!r} ({n:,} rows)"
    with Progress(enabled=not args.quiet, delay=0.5) as progress:
        progress.set(label)
        mi = _estimate(estimator, X, y, n_neighbors=args.k, random_state=args.random_state,
                       n_jobs=args.n_jobs)
    mi = np.asarray(mi, dtype=np.float64)
    order = np.argsort(-mi, kind="stable")
    if args.top is not None:
        order = order[: args.top]
    ranked = [{"rank": r + 1, "column": features[j], "mi_nats": float(mi[j])}
              for r, j in enumerate(order)]
    if args.json:
        import json

        print(json.dumps(ranked, indent=1))
        return EXIT_OK
    print(f"MI with {args.target!r} ({task}, {estimator.__name__}, n_neighbors={args.k}, "
          f"random_state={args.random_state}, n={n:,}), in nats:")
    width = max([len("column")] + [len(r["column"]) for r in ranked])
    print(f"{'rank':>4}  {'column':<{width}}  {'MI (nats)':>10}")
    for r in ranked:
        print(f"{r['rank']:>4}  {r['column']:<{width}}  {r['mi_nats']:>10.4f}")
    return EXIT_OK


def _check_writable(path: str, option: str) -> None:
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise CLIError(f"cannot write {option} file {path}: directory {parent} does not "
                       f"exist")
    if os.path.isdir(path):
        raise CLIError(f"cannot write {option} file {path}: it is a directory")


def cmd_bench(args: argparse.Namespace) -> int:
    if args.plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise CLIError("matplotlib is needed for --plot: "
                           "pip install 'fastmi[plot]'") from None
        _check_writable(args.plot, "--plot")
    if args.json is not None:
        _check_writable(args.json, "--json")

    from fastmi import bench

    keys = None
    if args.cases is not None:
        keys = [k.strip() for k in args.cases.split(",") if k.strip()]
        unknown = [k for k in keys if k not in bench.CASE_KEYS]
        if unknown or not keys:
            raise CLIError(f"unknown --cases {', '.join(unknown) or repr(args.cases)}; "
                           f"choose from {', '.join(bench.CASE_KEYS)}")

    with Progress(enabled=not args.quiet) as progress:
        results = bench.run(quick=args.quick, n_jobs=args.n_jobs, budget=args.budget,
                             keys=keys, progress=progress, emit=progress.write)
    if args.json is not None:
        bench.write_json(results, args.json)
        print(f"\nwrote {args.json}")
    if args.plot is not None:
        bench.plot(results, args.plot)
        print(f"wrote {args.plot}")
    bad = bench.disagreements(results)
    if bad:
        sys.stdout.flush()
        print(f"{PROG}: values disagree or failed: {'; '.join(bad)}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


# --------------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors reported on one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"expected an integer from 0 to 2**32-1, got {text!r}")
    return value


def _n_jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(
            f"expected -1 (all cores) or a positive number of threads, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--n-jobs", type=_n_jobs, default=None, metavar="N",
                   help="threads for fastmi: -1 for all cores (default: OpenMP's default)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar or notes on stderr")


BENCH_EXAMPLES = """\
The full ladder reaches 1e7 samples for binned MI and 1e6 for KSG; a baseline too slow
to run at a size within the budget is timed at a smaller size and its time extrapolated
(marked "~... s*").  Exit status 1 if any value disagrees with its baseline.

examples:
  fastmi bench --quick
  fastmi bench --json bench.json --plot bench.png
  fastmi bench --quick --cases ksg,classif --n-jobs 2
"""

MI_EXAMPLES = """\
KSG (Kraskov et al. 2004, algorithm 1) works on continuous columns; --x and --y may be
repeated to treat several columns as one multivariate variable.  The binned estimator uses a joint
histogram with --bins equal-width bins per axis.

examples:
  fastmi mi data.csv --x height --y weight
  fastmi mi data.parquet --x a --y b --estimator binned --bins 32
  fastmi mi data.csv --x a1 --x a2 --y b --k 5
"""

RANK_EXAMPLES = """\
Uses fastmi.mutual_info_classif / mutual_info_regression (the same numbers as
scikit-learn's functions with the same random_state).  With --task auto the target is
taken as class labels when it is text or has at most 20 distinct integer values.
Non-numeric feature columns are skipped (with a note).

examples:
  fastmi rank data.csv --target label
  fastmi rank data.parquet --target price --task regression --top 10
  fastmi rank data.csv --target label --json > ranking.json
"""

MAIN_DESCRIPTION = """\
Fast mutual-information estimators.

examples:
  fastmi bench --quick
  fastmi mi data.csv --x a --y b
  fastmi rank data.csv --target label --top 10

Run 'fastmi COMMAND --help' for a command's options.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=MAIN_DESCRIPTION, formatter_class=_Formatter)
    parser.add_argument("--version", action="store_true",
                        help="print fastmi's version and whether it has OpenMP, then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    bench = sub.add_parser(
        "bench", help="benchmark fastmi against the reference and scikit-learn",
        description="Time fastmi's estimators next to the numpy reference and scikit-learn "
                    "on built-in synthetic data, check that their values agree, and print "
                    "a table per estimator.",
        epilog=BENCH_EXAMPLES, formatter_class=_Formatter)
    bench.add_argument("--quick", action="store_true",
                       help="small sizes only (under a minute)")
    bench.add_argument("--json", metavar="FILE", help="write every timing and value as JSON")
    bench.add_argument("--plot", metavar="FILE.png",
                       help="plot time against n, log-log (needs matplotlib)")
    bench.add_argument("--cases", metavar="LIST",
                       help="comma-separated subset of: binned, ksg, nonlinear, classif, "
                            "regression (default: all)")
    bench.add_argument("--budget", type=_positive_float, metavar="SECONDS",
                       help="longest real run of a baseline at one size before larger sizes "
                            "are extrapolated (default: 1 with --quick, else 10)")
    _add_common(bench)
    bench.set_defaults(func=cmd_bench)

    mi = sub.add_parser(
        "mi", help="mutual information between columns of a CSV or Parquet file",
        description="Mutual information, in bits, between columns of a CSV or Parquet file "
                    "(Parquet needs pandas and pyarrow).",
        epilog=MI_EXAMPLES, formatter_class=_Formatter)
    mi.add_argument("file", metavar="FILE", help="CSV (.csv, .tsv) or Parquet (.parquet) file")
    mi.add_argument("--x", action="append", required=True, metavar="COL",
                    help="column of the first variable (repeat for a multivariate KSG)")
    mi.add_argument("--y", action="append", required=True, metavar="COL",
                    help="column of the second variable (repeat for a multivariate KSG)")
    mi.add_argument("--estimator", choices=("ksg", "binned"), default="ksg",
                    help="estimator (default: ksg)")
    mi.add_argument("--k", type=_positive_int, metavar="K",
                    help="KSG neighbours (default: 3)")
    mi.add_argument("--bins", type=_positive_int, metavar="B",
                    help="bins per axis for --estimator binned (default: 10)")
    mi.add_argument("--legacy", action="store_true",
                    help="KSG as fastmi.reference's listing computes it (Euclidean, <=)")
    _add_common(mi)
    mi.set_defaults(func=cmd_mi)

    rank = sub.add_parser(
        "rank", help="rank columns by mutual information with a target column",
        description="Rank every other numeric column of a CSV or Parquet file by its "
                    "mutual information (nats) with a target column.",
        epilog=RANK_EXAMPLES, formatter_class=_Formatter)
    rank.add_argument("file", metavar="FILE", help="CSV (.csv, .tsv) or Parquet (.parquet) file")
    rank.add_argument("--target", required=True, metavar="COL", help="target column")
    rank.add_argument("--task", choices=("auto", "classification", "regression"),
                      default="auto", help="kind of target (default: auto)")
    rank.add_argument("--top", type=_positive_int, metavar="N", help="show the N best only")
    rank.add_argument("--json", action="store_true",
                      help="print a JSON list of {rank, column, mi_nats}")
    rank.add_argument("--k", type=_positive_int, default=3, metavar="K",
                      help="n_neighbors (default: 3)")
    rank.add_argument("--random-state", type=_seed, default=0, metavar="S",
                      help="seed of the tie-breaking noise (default: 0)")
    _add_common(rank)
    rank.set_defaults(func=cmd_rank)
    return parser


def _version() -> str:
    import fastmi

    try:
        openmp = "with OpenMP" if fastmi.has_openmp() else "without OpenMP"
    except Exception:
        openmp = "OpenMP unknown"
    return f"fastmi {getattr(fastmi, '__version__', 'unknown')} ({openmp})"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``fastmi`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(_version())
        return EXIT_OK
    if args.command is None:
        parser.error("choose a command: bench, mi or rank")
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return args.func(args)
    except CLIError as exc:
        _print_error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _print_error("interrupted")
        return EXIT_INTERRUPTED
    except MemoryError:
        _print_error("out of memory")
        return EXIT_FAILED
    except BrokenPipeError:
        # stdout closed early (e.g. piped into head): not an error worth a traceback
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_FAILED


def _print_error(message: str) -> None:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)


def _show_warning(message: Any, category: Any, filename: str, lineno: int,
                  file: Any = None, line: Any = None) -> None:
    """Warnings (for example fastmi's TiedSamplesWarning) as one line, no source excerpt."""
    print(f"{PROG}: warning: {' '.join(str(message).split())}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
