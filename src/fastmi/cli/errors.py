"""The one kind of error the ``fastmi`` command line reports as bad input or output."""

from __future__ import annotations


class CLIError(Exception):
    """Bad input or output: reported as ``fastmi: error: <message>`` with exit status 2."""


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
