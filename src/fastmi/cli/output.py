"""Standard output and error of the ``fastmi`` command line: exit statuses, one-line
errors and warnings, writes that fail cleanly (a full disk, a closed pipe)."""

from __future__ import annotations

import io
import os
import sys
from typing import Any, Optional, TextIO

from fastmi.cli.errors import CLIError, first_line

PROG = "fastmi"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE, as the shell reports a tool that it stopped


def say(text: str = "", *, out: Optional[TextIO] = None, flush: bool = False,
        end: str = "\n") -> None:
    """Print ``text`` on standard output (or ``out``).  A failed write becomes a CLIError;
    BrokenPipeError (the reader went away) is left to :func:`fastmi.cli.main`."""
    stream = out if out is not None else sys.stdout
    if stream is None:
        raise CLIError("cannot write the output: standard output is closed")
    try:
        print(text, file=stream, flush=flush, end=end)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise CLIError(f"cannot write the output: {exc.strerror or first_line(exc)}") from None


def tolerate_unencodable_output() -> None:
    """Print what the terminal's encoding cannot show (a column name on an ASCII
    terminal) as backslash escapes instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, io.UnsupportedOperation):
                pass


def flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        drop_stdout()
        raise CLIError(f"cannot write the output: {exc.strerror or first_line(exc)}") from None
    except (AttributeError, ValueError):  # no stdout, or closed
        pass


def drop_stdout() -> None:
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


def stderr(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):
        pass


def one_line(text: str) -> str:
    """``text`` as one line: runs of white space (line ends included) as one space, any other
    character that is not printable (an escape, a NUL) as its backslash escape.  Names and
    paths are escaped where a message is made (:mod:`fastmi.cli.render`); this keeps text
    from elsewhere (a library's or a parser's message) from writing control characters."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in " ".join(text.split()))


def print_error(message: str, kind: Optional[str] = "error") -> None:
    label = f"{PROG}: {kind}: " if kind else f"{PROG}: "
    stderr(label + one_line(message))


def show_warning(message: Any, category: Any, filename: str, lineno: int,
                  file: Any = None, line: Any = None) -> None:
    """Warnings (for example fastmi's TiedSamplesWarning) as one line, no source excerpt."""
    stderr(f"{PROG}: warning: {one_line(str(message))}")
