"""File reading and safe writing for the command line.

Everything here raises :class:`InputError` (a one-sentence message and an
exit status) instead of a raw ``OSError``/``UnicodeDecodeError``, and writes
files atomically: a temporary file in the destination's directory, fsync,
then :func:`os.replace` -- a crash leaves either the old file or the new one,
never half of each.

Imports are kept to the standard library's cheapest modules: the command line
must start fast.
"""

from __future__ import annotations

import contextlib
import os
import sys

__all__ = [
    "STDIN",
    "InputError",
    "atomic_write",
    "backup_path",
    "check_backup",
    "check_new_output",
    "decode_utf8",
    "display_name",
    "has_utf16_32_bom",
    "looks_binary",
    "read_bytes",
    "replace_in_place",
    "same_file",
    "write_output",
    "write_stdout",
]

#: the path that means standard input (or standard output for ``-o``)
STDIN = "-"

#: exit status for usage, input and output errors
EXIT_USAGE = 2

_BOMS_16_32 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


class InputError(Exception):
    """A problem with what the user asked for: one sentence, and an exit status."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def display_name(path: str) -> str:
    """How a path is named in messages and diff headers."""
    return "<stdin>" if path == STDIN else path


def _q(path: str) -> str:
    return repr(display_name(path)) if path != STDIN else "standard input"


def _reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "it is a directory"
    return (exc.strerror or type(exc).__name__).lower()


def read_bytes(path: str) -> bytes:
    """The whole content of ``path`` (``-``: standard input)."""
    if path == STDIN:
        stream = sys.stdin
        if stream is None:
            raise InputError("cannot read standard input: it is closed.")
        buf = getattr(stream, "buffer", None)
        try:
            if buf is not None:
                return bytes(buf.read())
            return str(stream.read()).encode("utf-8", "surrogateescape")
        except OSError as e:
            raise InputError(f"cannot read standard input: {_reason(e)}.") from e
    if os.path.isdir(path):
        raise InputError(f"{_q(path)} is a directory, not a file (encfix does not walk directories).")
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise InputError(f"cannot read {_q(path)}: {_reason(e)}.") from e


def has_utf16_32_bom(data: bytes) -> bool:
    return data.startswith(_BOMS_16_32)


#: C0 controls that never occur in text (NUL, and all but \t \n \v \f \r ESC)
_BINARY_CONTROLS = bytes([*range(0, 9), *range(14, 27), *range(28, 32)])


def looks_binary(data: bytes, *, utf8: bool) -> bool:
    """NUL bytes, or (for bytes that are not UTF-8) many control characters."""
    if b"\x00" in data:
        return True
    if utf8:
        return False
    sample = data[:8192]
    controls = len(sample) - len(sample.translate(None, _BINARY_CONTROLS))
    return controls > max(2, len(sample) // 100)


def decode_utf8(data: bytes, path: str) -> str:
    """Strict UTF-8 (a BOM is kept as U+FEFF, so the text round-trips byte for byte)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if has_utf16_32_bom(data):
            raise InputError(
                f"{_q(path)} is UTF-16 or UTF-32 text (it starts with a byte-order mark), "
                "but 'encfix fix' reads UTF-8 only: convert it first (iconv -t UTF-8)."
            ) from e
        if looks_binary(data, utf8=False):
            raise InputError(f"{_q(path)} looks like binary data, not text; encfix leaves it alone.") from e
        where = f"byte 0x{data[e.start]:02x} at offset {e.start}"
        detect = "encfix detect" + ("" if path == STDIN else f" {path}")
        raise InputError(
            f"{_q(path)} is not valid UTF-8 ({where}): 'encfix fix' reads UTF-8 text only "
            f"(repairing raw legacy-encoded bytes is coming), so run '{detect}' to name its encoding."
        ) from e
    if looks_binary(data, utf8=True):
        raise InputError(
            f"{_q(path)} looks like binary data (it contains NUL bytes), not text; encfix leaves it alone."
        )
    return text


def write_stdout(data: bytes) -> None:
    """Write bytes to standard output, whatever its text encoding."""
    out = sys.stdout
    buf = getattr(out, "buffer", None)
    if buf is None:  # pragma: no cover - a replaced stdout without a binary layer
        out.write(data.decode("utf-8", "surrogateescape"))
        out.flush()
        return
    out.flush()
    buf.write(data)
    buf.flush()


def same_file(a: str, b: str) -> bool:
    """True if ``a`` and ``b`` name the same file (symlinks and hard links included)."""
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def check_new_output(out: str, inputs: list[str], *, force: bool) -> None:
    """Refuse an ``-o`` destination that would clobber a file or an input."""
    for p in inputs:
        if p != STDIN and same_file(out, p):
            raise InputError(
                f"refusing to write the output onto the input file {_q(p)} (use --in-place for that)."
            )
    if os.path.isdir(out):
        raise InputError(f"cannot write to {_q(out)}: it is a directory.")
    if os.path.lexists(out) and not force:
        raise InputError(f"{_q(out)} already exists; pass --force to overwrite it.")
    parent = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(parent):
        raise InputError(f"cannot write {_q(out)}: directory {parent!r} does not exist.")


def fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def atomic_write(path: str, data: bytes, *, like: os.stat_result | None = None) -> None:
    """Replace (or create) ``path`` with ``data`` atomically.

    ``like``: copy permission bits (and, where allowed, owner) from this stat;
    otherwise the new file gets the usual ``0666 & ~umask``.
    """
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f".{base}.{os.getpid()}.{os.urandom(4).hex()}.encfix-tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue
    else:  # pragma: no cover
        raise OSError(f"cannot create a temporary file in {directory}")
    try:
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if like is not None:
            os.chmod(tmp, like.st_mode & 0o7777)
            if hasattr(os, "chown"):
                with contextlib.suppress(OSError):  # not our file to give away
                    os.chown(tmp, like.st_uid, like.st_gid)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(directory)


def write_output(out: str, data: bytes) -> None:
    """Write an ``-o`` destination (already checked by :func:`check_new_output`)."""
    try:
        atomic_write(out, data)
    except OSError as e:
        raise InputError(f"cannot write {_q(out)}: {_reason(e)}.") from e


def backup_path(path: str, suffix: str) -> str:
    """Next to the file rewritten: the target of a symlink, else ``path`` itself."""
    return (os.path.realpath(path) if os.path.islink(path) else path) + suffix


def check_backup(path: str, suffix: str, *, force: bool) -> None:
    backup = backup_path(path, suffix)
    if os.path.lexists(backup) and not force:
        raise InputError(
            f"backup {backup!r} already exists; remove it, or pass --backup-suffix, --no-backup or --force."
        )


def replace_in_place(path: str, data: bytes, original: bytes, *, backup_suffix: str | None) -> str | None:
    """Atomically replace ``path`` with ``data``; first save ``original`` as a backup.

    The write goes to the file a symlink points at (the link stays a link).
    Returns the backup's path, or None.
    """
    target = os.path.realpath(path)
    try:
        st = os.stat(target)
        backup = None
        if backup_suffix is not None:
            backup = backup_path(path, backup_suffix)
            atomic_write(backup, original, like=st)
        atomic_write(target, data, like=st)
    except OSError as e:
        raise InputError(f"cannot rewrite {_q(path)}: {_reason(e)}; it was left unchanged.") from e
    return backup
