"""The ``fastmi`` command line (also ``python -m fastmi``).

Commands:

``fastmi bench``
    fastmi's estimators next to the numpy reference and scikit-learn on built-in data.
``fastmi mi FILE --x COL --y COL [--z COL]``
    mutual information between two columns of a CSV or Parquet file; with ``--z``, the
    conditional mutual information given a third.
``fastmi entropy FILE --x COL``
    the entropy of a column (or of several, jointly).
``fastmi rank FILE --target COL``
    every other column ranked by its mutual information with the target (text columns
    and those named in ``--discrete`` as discrete).
``fastmi pairwise FILE``, ``fastmi select FILE --target COL``, ``fastmi test FILE --x COL --y COL``
    the matrix of MI between columns, mRMR feature selection, a permutation test.

Every value is printed in one unit, bits unless ``--base B`` or ``--nats`` says otherwise,
and every line (and JSON's ``"unit"``) names it.  FILE ``-`` is standard input; ``--sep``
sets the CSV delimiter; ``--dropna`` drops, for each estimate, the rows where a column it
uses is missing (reporting how many), where a missing value is otherwise an error.  CSV and
Parquet are read with pyarrow (``pip install "fastmi[cli]"``).

Every failure ends with one line, ``fastmi: error: ...``, on stderr and no traceback:
exit status 2 for bad input or output (usage, files, data, parameters), 130 when
interrupted, 1 when fastmi itself fails (out of memory, an internal error, values that
disagree in ``bench``).  When the reader of standard output goes away (``| head``) the
command stops quietly with status 141, as the shell's own tools do (``--help`` too).  Names
and values that the terminal's encoding cannot show are printed as backslash escapes.

Column-naming options (``--x``, ``--y``, ``--z``, ``--columns``, ``--discrete``) read their
values alike in every command: a value that is the name of a column is that column (commas
included), any other a comma-separated list of names; repeated, they name several columns.
Human-readable output shows a column name that is not plain text (a line end, a backslash,
...) quoted with backslash escapes, so that every record stays on one line, and a file path
alike, in messages too; JSON carries the exact name.  Tables are padded to the width a
terminal shows (East Asian wide characters take two cells).  The library's messages name the
columns and options typed, not the Python arguments (``x``, ``bins``, ``shuffle_neighbors``),
and the file's data row, not the library's sample (its index among the rows used): see
``wording``.  Headers name options alike (``--k 3``, ``--random-state 0``).
numpy, pandas, scikit-learn and matplotlib are imported only by the command that needs
them, so ``--help`` stays fast.

Modules: ``parser`` (arguments), ``commands`` (``mi``, ``entropy``, ``rank``, ``bench``),
``workflows`` (``pairwise``, ``select``, ``test``), ``render`` (their result lines and
tables, column names as shown), ``wording`` (library messages in the CLI's words),
``options`` (units, ``--sep``, ``--dropna``, the tie warning), ``progress`` (the progress
bar), ``reader`` (columns of a CSV or Parquet file), ``files`` (opening, decompressing,
standard input, output files), ``output`` (standard output and error, exit statuses),
``errors``.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Optional, Sequence

from fastmi.cli.errors import CLIError, first_line
from fastmi.cli.output import (
    EXIT_BROKEN_PIPE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    drop_stdout,
    flush_stdout,
    print_error,
    say,
    show_warning,
    tolerate_unencodable_output,
)
from fastmi.cli.parser import build_parser

__all__ = ["CLIError", "build_parser", "main"]


def _version() -> str:
    import fastmi

    try:
        openmp = "with OpenMP" if fastmi.has_openmp() else "without OpenMP"
    except Exception:
        openmp = "OpenMP unknown"
    return f"fastmi {getattr(fastmi, '__version__', 'unknown')} ({openmp})"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``fastmi`` console script; returns the exit status."""
    tolerate_unencodable_output()
    try:
        try:
            status = _run(argv)
        except SystemExit as exc:  # argparse: --help, or a usage error it has reported
            status = exc.code if isinstance(exc.code, int) else \
                EXIT_OK if exc.code is None else EXIT_USAGE
        flush_stdout()  # a write error is reported here, not at interpreter exit
        return status
    except CLIError as exc:
        print_error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        print_error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of stdout went away (e.g. piped into head): stop quietly
        drop_stdout()
        return EXIT_BROKEN_PIPE
    except MemoryError:
        print_error("out of memory")
        return EXIT_FAILED
    except Warning as exc:  # a warning turned into an error (python -W error)
        print_error(f"{type(exc).__name__}: {exc}")
        return EXIT_USAGE
    except Exception as exc:
        print_error(f"internal error (please report it): {type(exc).__name__}: {first_line(exc)}")
        return EXIT_FAILED


def _run(argv: Optional[Sequence[str]]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        say(_version())
        return EXIT_OK
    if args.command is None:
        parser.error("choose a command: mi, entropy, rank, pairwise, select, test or bench")
    with warnings.catch_warnings():
        warnings.showwarning = _warning_printer(args.command)
        if args.command != "bench":
            from fastmi import TiedSamplesWarning

            # printed once, as one line that names the CLI's remedy (also under -W error)
            warnings.simplefilter("always", TiedSamplesWarning)
        status: int = args.func(args)
        return status


def _warning_printer(command: Optional[str]) -> Callable[..., None]:
    """warnings.showwarning for a command: one line each; fastmi's TiedSamplesWarning once,
    reworded to name the CLI's remedy (``--estimator binned``) instead of a Python function;
    the Python names of a library call's arguments as the columns and options typed."""
    tie_shown = [False]

    def show(message: Any, category: Any, filename: str, lineno: int,
             file: Any = None, line: Any = None) -> None:
        from fastmi import TiedSamplesWarning
        from fastmi.cli.wording import current

        if isinstance(category, type) and issubclass(category, TiedSamplesWarning):
            if tie_shown[0]:
                return
            tie_shown[0] = True
            from fastmi.cli.options import tie_warning

            message = tie_warning(str(message), command)
        # the Python names of the running call (x, random_state, ...) as columns and options
        show_warning(current(str(message)), category, filename, lineno, file, line)

    return show
