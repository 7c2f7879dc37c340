"""The ``fastmi`` command line (also ``python -m fastmi``).

Commands:

``fastmi bench``
    fastmi's estimators next to the numpy reference and scikit-learn on built-in data.
``fastmi mi FILE --x COL --y COL``
    mutual information between two columns of a CSV or Parquet file.
``fastmi rank FILE --target COL``
    every other numeric column ranked by its mutual information with the target.

Every failure ends with one line, ``fastmi: error: ...``, on stderr and no traceback:
exit status 2 for bad input or output (usage, files, data, parameters), 130 when
interrupted, 1 when fastmi itself fails (out of memory, an internal error, values that
disagree in ``bench``).  When the reader of standard output goes away (``| head``) the
command stops quietly with status 141, as the shell's own tools do.  Names and values that
the terminal's encoding cannot show are printed as backslash escapes.
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
from typing import Any, NoReturn, Optional, Sequence, TextIO

from fastmi._cli_files import CLIError, check_writable, first_line, write_error
from fastmi._cli_table import Table, list_names, load_table

__all__ = ["CLIError", "Progress", "Table", "build_parser", "load_table", "main"]

PROG = "fastmi"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE, as the shell reports a tool that it stopped


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
            say(text, out=out, flush=True)
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


# --------------------------------------------------------------------------- commands


def say(text: str = "", *, out: Optional[TextIO] = None, flush: bool = False) -> None:
    """Print ``text`` on standard output (or ``out``).  A failed write becomes a CLIError;
    BrokenPipeError (the reader went away) is left to :func:`main`."""
    stream = out if out is not None else sys.stdout
    if stream is None:
        raise CLIError("cannot write the output: standard output is closed")
    try:
        print(text, file=stream, flush=flush)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise CLIError(f"cannot write the output: {exc.strerror or first_line(exc)}") from None


def _estimate(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call an estimator, turning its ValueError (bad data or parameters) into a CLIError."""
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:
        raise CLIError(first_line(exc)) from None


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
    say(f"I({', '.join(args.x)}; {', '.join(args.y)}) = {value:.4f} bits ({how}, n={n})")
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

    table = load_table(args.file, required={args.target: "--target"})
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
                       + (f" (non-numeric: {list_names(skipped)})" if skipped else ""))
    X = np.column_stack([table.numeric(c, "feature column") for c in features])
    n = table.n_rows
    if args.k >= n:
        raise CLIError(f"--k {args.k} needs more than {args.k} rows; {args.file} has {n}")
    if skipped and not args.quiet:
        _stderr(f"{PROG}: note: skipping non-numeric columns: {list_names(skipped)}")

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

        say(json.dumps(ranked, indent=1))
        return EXIT_OK
    say(f"MI with {args.target!r} ({task}, {estimator.__name__}, n_neighbors={args.k}, "
        f"random_state={args.random_state}, n={n:,}), in nats:")
    width = max([len("column")] + [len(r["column"]) for r in ranked])
    say(f"{'rank':>4}  {'column':<{width}}  {'MI (nats)':>10}")
    for r in ranked:
        say(f"{r['rank']:>4}  {r['column']:<{width}}  {r['mi_nats']:>10.4f}")
    return EXIT_OK


def _check_plot_format(path: str) -> None:
    """Refuse a --plot file whose extension matplotlib cannot write, before the run."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    formats = sorted(FigureCanvasAgg.get_supported_filetypes())
    ext = os.path.splitext(path)[1][1:].lower()
    if ext not in formats:
        what = f"its extension .{ext} is not an image format" if ext else "it has no extension"
        raise CLIError(f"cannot write --plot file {path}: {what}; use one of "
                       f"{', '.join('.' + f for f in formats)}")


def cmd_bench(args: argparse.Namespace) -> int:
    from fastmi import bench

    keys = None
    if args.cases is not None:
        keys = [k.strip() for k in args.cases.split(",") if k.strip()]
        unknown = [k for k in keys if k not in bench.CASE_KEYS]
        if unknown or not keys:
            raise CLIError(f"unknown --cases {', '.join(unknown) or repr(args.cases)}; "
                           f"choose from {', '.join(bench.CASE_KEYS)}")
    if args.plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise CLIError("matplotlib is needed for --plot: "
                           "pip install 'fastmi[plot]'") from None
        _check_plot_format(args.plot)
        check_writable(args.plot, "--plot")
    if args.json is not None:
        check_writable(args.json, "--json")

    with Progress(enabled=not args.quiet) as progress:
        results = bench.run(quick=args.quick, n_jobs=args.n_jobs, budget=args.budget,
                             keys=keys, progress=progress, emit=progress.write)
    if args.json is not None:
        try:
            bench.write_json(results, args.json)
        except OSError as exc:
            raise write_error(args.json, "--json", exc) from None
        say(f"\nwrote {args.json}")
    if args.plot is not None:
        try:
            bench.plot(results, args.plot)
        except OSError as exc:
            raise write_error(args.plot, "--plot", exc) from None
        say(f"wrote {args.plot}")
    bad = bench.disagreements(results)
    if bad:
        _flush_stdout()
        _print_error(f"values disagree or failed: {'; '.join(bad)}", kind=None)
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


FILE_HELP = ("CSV (.csv, .tsv; also compressed: .gz, .bz2, .xz, .zip, .zst) or Parquet "
             "(.parquet) file; a pipe such as <(command) works too")

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
    mi.add_argument("file", metavar="FILE", help=FILE_HELP)
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
    rank.add_argument("file", metavar="FILE", help=FILE_HELP)
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
    _tolerate_unencodable_output()
    try:
        try:
            status = _run(argv)
        except SystemExit as exc:  # argparse: --help, or a usage error it has reported
            status = exc.code if isinstance(exc.code, int) else \
                EXIT_OK if exc.code is None else EXIT_USAGE
        _flush_stdout()  # a write error is reported here, not at interpreter exit
        return status
    except CLIError as exc:
        _print_error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _print_error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of stdout went away (e.g. piped into head): stop quietly
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    except MemoryError:
        _print_error("out of memory")
        return EXIT_FAILED
    except Warning as exc:  # a warning turned into an error (python -W error)
        _print_error(f"{type(exc).__name__}: {exc}")
        return EXIT_USAGE
    except Exception as exc:
        _print_error(f"internal error (please report it): {type(exc).__name__}: "
                     f"{first_line(exc)}")
        return EXIT_FAILED


def _run(argv: Optional[Sequence[str]]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        say(_version())
        return EXIT_OK
    if args.command is None:
        parser.error("choose a command: bench, mi or rank")
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        status: int = args.func(args)
        return status


def _tolerate_unencodable_output() -> None:
    """Print what the terminal's encoding cannot show (a column name on an ASCII
    terminal) as backslash escapes instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, io.UnsupportedOperation):
                pass


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        _drop_stdout()
        raise CLIError(f"cannot write the output: {exc.strerror or first_line(exc)}") from None
    except (AttributeError, ValueError):  # no stdout, or closed
        pass


def _drop_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's last flush of what could
    not be written neither fails nor prints "Exception ignored"."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        pass


def _stderr(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):
        pass


def _print_error(message: str, kind: Optional[str] = "error") -> None:
    label = f"{PROG}: {kind}: " if kind else f"{PROG}: "
    _stderr(label + " ".join(message.split()))


def _show_warning(message: Any, category: Any, filename: str, lineno: int,
                  file: Any = None, line: Any = None) -> None:
    """Warnings (for example fastmi's TiedSamplesWarning) as one line, no source excerpt."""
    _stderr(f"{PROG}: warning: {' '.join(str(message).split())}")


if __name__ == "__main__":
    sys.exit(main())
