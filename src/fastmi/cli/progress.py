"""The progress bar of the ``fastmi`` command line (on a terminal only)."""

from __future__ import annotations

import io
import os
import shutil
import sys
import threading
import time
from typing import Any, Optional, TextIO

from fastmi.cli.output import say


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
