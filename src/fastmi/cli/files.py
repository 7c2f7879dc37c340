"""Files of the ``fastmi`` command line: opening a data file as one pass over a byte stream
(regular files, FIFOs and process substitutions alike), decompressing it, and checking
that an output file can be written.

Every failure becomes a :class:`CLIError` with one line that names the real cause (no such
file, a path component that is a file, a directory that cannot be searched, corrupt or
truncated compressed data, a missing decompression module), also when the failure happens
later, while a CSV parser pulls data through the stream.  Paths (and the names of a zip
archive's members) are shown escaped (:func:`fastmi.cli.render.path`): a path holding a
line end cannot break the line in two.
"""

from __future__ import annotations

import bz2
import errno
import gzip
import io
import lzma
import os
import stat
import sys
import zipfile
from typing import Any, BinaryIO, Callable, List, Optional, Tuple

from fastmi.cli.errors import CLIError, first_line
from fastmi.cli.render import path as shown

#: Compression by file-name suffix; without one of these suffixes the data's first bytes
#: decide (so that ``fastmi mi <(curl ... )`` works on compressed data too).
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
COMPRESSED_SUFFIXES = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zip": "zip",
                       ".zst": "zstd"}
MAGIC = ((b"\x1f\x8b", "gzip"), (b"\xfd7zXZ\x00", "xz"), (b"PK\x03\x04", "zip"),
         (b"\x28\xb5\x2f\xfd", "zstd"))
ZSTD_HINT = "pip install zstandard"
CHUNK = 1 << 16


# --------------------------------------------------------------------------- paths


def _prefixes(path: str) -> List[str]:
    """``a/b/c`` -> ``a``, ``a/b``, ``a/b/c`` (spelled as given, for messages)."""
    parts = path.split(os.sep)
    out: List[str] = []
    for i in range(1, len(parts) + 1):
        prefix = os.sep.join(parts[:i])
        if prefix and (not out or prefix != out[-1]):
            out.append(prefix)
    return out


def _blocker(path: str) -> Tuple[str, str]:
    """The component of ``path`` that stops its lookup: ``("file", p)`` when ``p`` is not
    a directory but more components follow it, ``("search", d)`` when directory ``d``
    cannot be searched; ``("", "")`` when neither is found."""
    prefixes = _prefixes(path)
    for i, prefix in enumerate(prefixes):
        try:
            st = os.stat(prefix)
        except PermissionError:
            return "search", os.path.dirname(prefix) or os.curdir
        except OSError:
            return "", ""
        if i < len(prefixes) - 1 and not stat.S_ISDIR(st.st_mode):
            return "file", prefix
    return "", ""


def path_error(path: str, exc: OSError) -> str:
    """One line for an OSError met while looking up or opening ``path`` for reading."""
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        kind, where = _blocker(path)
        if kind == "file":
            return f"no such file: {shown(path)} ({shown(where)} is a file, not a directory)"
        if not path:
            return "no such file: '' (an empty path)"
        if os.path.islink(path):
            return (f"no such file: {shown(path)} (a broken symbolic link to "
                    f"{shown(os.readlink(path))})")
        return f"no such file: {shown(path)}"
    if isinstance(exc, PermissionError):
        return f"cannot read {shown(path)}: {_os_reason(path, exc)}"
    return f"cannot read {shown(path)}: {exc.strerror or first_line(exc)}"


# --------------------------------------------------------------------------- streams


class _Guarded(io.RawIOBase):
    """A readable raw stream: ``prefix`` (bytes already read), then ``read(n)``; any error of
    ``read`` becomes a CLIError naming the file (``name``, as messages show it) and the
    data's format."""

    def __init__(self, read: Callable[[int], bytes], name: str, fmt: Optional[str],
                 prefix: bytes = b"", close: Optional[Callable[[], None]] = None) -> None:
        super().__init__()
        self._read = read
        self._prefix = prefix
        self._close = close
        self.display = name
        self.fmt = fmt

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        try:
            data = self._read(len(view))
        except (CLIError, MemoryError):
            raise
        except Exception as exc:  # zlib.error, lzma.LZMAError, zipfile.BadZipFile, ...
            raise CLIError(read_error(self.display, self.fmt, exc)) from None
        view[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed and self._close is not None:
            try:
                self._close()
            except Exception:
                pass
        super().close()


def prefixed(stream: BinaryIO, name: str, prefix: bytes) -> BinaryIO:
    """``prefix`` followed by the rest of ``stream``, as one buffered stream; ``name`` is
    the file's name as messages show it (:func:`open_data`'s third value)."""
    return io.BufferedReader(_Guarded(stream.read, name, None, prefix), CHUNK)


def data_error(path: str, fmt: Optional[str], exc: BaseException) -> str:
    """One line for an error met while reading the data of ``path``."""
    return read_error(shown(path), fmt, exc)


def read_error(name: str, fmt: Optional[str], exc: BaseException) -> str:
    """:func:`data_error` for a file named as messages show it (escaped)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"cannot read {name}: {exc.strerror}"
    if fmt is None:
        return f"cannot read {name}: {first_line(exc)}"
    if isinstance(exc, EOFError):
        return f"cannot read {name}: its {fmt} data end early (a truncated file?)"
    return f"cannot read {name}: it is not valid {fmt} data ({first_line(exc)})"


def _read_exactly(f: BinaryIO, n: int) -> bytes:
    out = b""
    while len(out) < n:
        chunk = f.read(n - len(out))
        if not chunk:
            break
        out += chunk
    return out


def sniff(head: bytes) -> Optional[str]:
    """The compression format that ``head`` (the data's first bytes) starts with."""
    for magic, fmt in MAGIC:
        if head.startswith(magic):
            return fmt
    if head[:3] == b"BZh" and head[3:4] in b"123456789" and head[3:4] and \
            head[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):  # a block, or the end of the data
        return "bzip2"
    return None


def compression_of(path: str) -> Optional[str]:
    lower = path.lower()
    for suffix, fmt in COMPRESSED_SUFFIXES.items():
        if lower.endswith(suffix):
            return fmt
    return None


def open_file(path: str) -> BinaryIO:
    """``path`` opened for binary reading; directories, sockets and lookup errors refused."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise CLIError(path_error(path, exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise CLIError(f"{shown(path)} is a directory, not a data file")
    if stat.S_ISSOCK(st.st_mode):
        raise CLIError(f"{shown(path)} is a socket, not a data file")
    try:
        return open(path, "rb")
    except OSError as exc:
        raise CLIError(path_error(path, exc)) from None


def _seekable(f: BinaryIO, path: str, head: bytes) -> BinaryIO:
    """``f`` from its start when it can seek, else all its bytes in memory (a FIFO holding
    a zip archive or a Parquet file, whose index is at the end)."""
    try:
        if f.seekable():
            f.seek(0)
            return f
    except OSError:
        pass
    try:
        data = head + f.read()
    except OSError as exc:
        raise CLIError(data_error(path, None, exc)) from None
    f.close()
    return io.BytesIO(data)


def looks_like_parquet(head: bytes) -> bool:
    """Parquet's magic, then the binary header of its first page (never CSV text)."""
    return head.startswith(b"PAR1") and any(b < 9 for b in head[4:8])


STDIN = "-"
STDIN_NAME = "standard input"


def _stdin() -> BinaryIO:
    """Standard input as bytes, left open when the stream is closed."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise CLIError("cannot read standard input: it is closed")
    return io.BufferedReader(_Guarded(stream.read, STDIN_NAME, None), CHUNK)


def open_data(path: str) -> Tuple[BinaryIO, Optional[str], str]:
    """``path`` as a stream of its (decompressed) bytes, its format: None for plain
    data, a compression format (``"gzip"``, ...), or ``"parquet"``, whose stream can seek;
    and the name to show in messages (``-`` is standard input; a path is escaped as
    :func:`fastmi.cli.render.path` escapes it).

    The file-name suffix decides (``.parquet``, ``.gz``, ...); without one, the data's
    first bytes do.  Raises CLIError for an empty file, unreadable or corrupt data, or a
    missing decompression module.
    """
    if path == STDIN:
        f, path = _stdin(), STDIN_NAME
    else:
        f = open_file(path)
    try:
        try:
            head = _read_exactly(f, 10)
        except OSError as exc:
            raise CLIError(data_error(path, None, exc)) from None
        if not head:
            raise CLIError(f"{shown(path)} is empty")
        fmt = compression_of(path)
        if fmt is None and (path.lower().endswith(PARQUET_SUFFIXES)
                            or looks_like_parquet(head)):
            return _seekable(f, path, head), "parquet", shown(path)
        fmt = fmt or sniff(head)
        if fmt is None:
            raw: io.RawIOBase = _Guarded(f.read, shown(path), None, head, f.close)
        elif fmt == "zip":
            raw = _zip_member(_seekable(f, path, head), path)
        else:
            raw = _decompressed(_Guarded(f.read, shown(path), None, head, f.close), path, fmt)
    except BaseException:
        f.close()
        raise
    return io.BufferedReader(raw, CHUNK), fmt, shown(path)


def _decompressed(raw: io.RawIOBase, path: str, fmt: str) -> io.RawIOBase:
    source = io.BufferedReader(raw, CHUNK)
    if fmt == "gzip":
        stream: Any = gzip.GzipFile(fileobj=source, mode="rb")
    elif fmt == "bzip2":
        stream = bz2.BZ2File(source, mode="rb")
    elif fmt == "xz":
        stream = lzma.LZMAFile(source, mode="rb")
    else:
        stream = _zstd_stream(source, path)

    def close() -> None:
        stream.close()
        source.close()

    return _Guarded(stream.read, shown(path), fmt, close=close)


def _zstd_stream(source: BinaryIO, path: str) -> Any:
    try:
        from compression import zstd  # Python 3.14
    except ImportError:
        pass
    else:
        return zstd.ZstdFile(source, mode="rb")
    try:
        import zstandard
    except ImportError:
        raise CLIError(f"reading {shown(path)} (zstd-compressed) needs the zstandard module: "
                       f"{ZSTD_HINT}") from None
    return _ZstandardReader(source, zstandard)


class _ZstandardReader:
    """zstd frames decompressed with the ``zstandard`` module; unlike its stream_reader,
    a truncated last frame raises EOFError instead of ending the data silently."""

    def __init__(self, source: BinaryIO, zstandard: Any) -> None:
        self._source = source
        self._zstandard = zstandard
        self._frame: Any = None
        self._unused = b""
        self._out = b""
        self._pos = 0

    def read(self, n: int) -> bytes:
        while self._pos == len(self._out):
            chunk = self._unused or self._source.read(8192)
            self._unused = b""
            if not chunk:
                if self._frame is not None and not self._frame.eof:
                    raise EOFError("zstd data end inside a frame")
                return b""
            if self._frame is None or self._frame.eof:
                self._frame = self._zstandard.ZstdDecompressor().decompressobj()
            self._out = self._frame.decompress(chunk)
            self._pos = 0
            if self._frame.eof:
                self._unused = self._frame.unused_data
        data = self._out[self._pos:self._pos + n]
        self._pos += len(data)
        return data

    def close(self) -> None:
        self._out = b""
        self._pos = 0


def _zip_member(archive_file: BinaryIO, path: str) -> io.RawIOBase:
    """The one file of a zip archive (as pandas reads it), as a guarded stream."""
    try:
        archive = zipfile.ZipFile(archive_file)
        names = [i.filename for i in archive.infolist()
                 if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
        if not names:
            raise CLIError(f"{shown(path)} is a zip archive without any file")
        if len(names) > 1:
            members = ", ".join(shown(n) for n in names[:5]) + (", ..." if len(names) > 5 else "")
            raise CLIError(f"{shown(path)} is a zip archive of {len(names)} files ({members}); "
                           f"fastmi reads an archive of one file")
        member = archive.open(names[0])
    except CLIError:
        archive_file.close()
        raise
    except Exception as exc:  # BadZipFile, NotImplementedError (method), RuntimeError
        archive_file.close()
        raise CLIError(data_error(path, "zip", exc)) from None

    def close() -> None:
        member.close()
        archive.close()
        archive_file.close()

    return _Guarded(member.read, shown(path), "zip", close=close)


# --------------------------------------------------------------------------- output files


def check_writable(path: str, option: str) -> None:
    """Refuse an output file that cannot be created or written, before any work is done.

    The check opens ``path`` for appending (nothing is written) and removes it again when
    it did not exist."""
    what = f"{option} file {shown(path)}"
    if os.path.isdir(path):
        raise CLIError(f"cannot write {what}: it is a directory")
    existed = os.path.lexists(path)
    try:
        with open(path, "ab"):
            pass
    except OSError as exc:
        if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
            kind, where = _blocker(path)
            parent = os.path.dirname(os.path.abspath(path))
            if kind == "file":
                reason = f"{shown(where)} is a file, not a directory"
            elif os.path.isdir(parent):
                reason = f"it cannot be created in {shown(parent)} ({exc.strerror})"
            else:
                reason = f"directory {shown(parent)} does not exist"
        else:
            reason = _os_reason(path, exc)
        raise CLIError(f"cannot write {what}: {reason}") from None
    if not existed:
        try:
            os.remove(path)
        except OSError:
            pass


def _os_reason(path: str, exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        kind, where = _blocker(path)
        if kind == "search":
            return f"permission denied (directory {shown(where)} cannot be searched)"
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    return exc.strerror or first_line(exc)


def write_error(path: str, option: str, exc: OSError) -> CLIError:
    """A CLIError for an OSError met while writing an output file."""
    return CLIError(f"cannot write {option} file {shown(path)}: {_os_reason(path, exc)}")
