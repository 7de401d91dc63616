"""Atomic writes with predictable temporary names, and streamed copies.

A temporary file is ``.NAME.encfix-tmp`` beside its destination: written,
flushed to disk, then renamed over the destination.  A run killed half-way
leaves at most that temporary file, which the next run (``--resume`` or not)
overwrites; it never leaves half an output under the real name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable, Iterator
from typing import IO

from encfix._io import InputError, fsync_dir

__all__ = ["TMP_SUFFIX", "atomic_output", "copy_file", "os_reason", "write_atomic"]

TMP_SUFFIX = ".encfix-tmp"
_COPY = 1024 * 1024


def os_reason(e: OSError) -> str:
    return (e.strerror or type(e).__name__).lower()


def tmp_name(dest: str) -> str:
    d, base = os.path.split(dest)
    return os.path.join(d, f".{base}{TMP_SUFFIX}")


@contextlib.contextmanager
def atomic_output(dest: str, *, mode_like: str | None = None) -> Iterator[IO[bytes]]:
    """Write ``dest`` through a temporary file renamed into place on success.

    ``mode_like``: give the new file that file's permission bits (for ``--in-place``).
    """
    tmp = tmp_name(dest)
    try:
        if os.path.islink(tmp):
            os.unlink(tmp)
        f = open(tmp, "wb")  # noqa: SIM115 - closed below, after the rename is decided
    except OSError as e:
        raise InputError(f"cannot write {dest!r}: {os_reason(e)}.") from e
    try:
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if mode_like is not None:
            os.chmod(tmp, os.stat(mode_like).st_mode & 0o7777)
        os.replace(tmp, dest)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise InputError(f"cannot write {dest!r}: {os_reason(e)}.") from e
        raise
    fsync_dir(os.path.dirname(dest))


def write_atomic(dest: str, chunks: Iterable[bytes], *, mode_like: str | None = None) -> None:
    with atomic_output(dest, mode_like=mode_like) as f:
        for c in chunks:
            f.write(c)


def copy_file(src: str, out: IO[bytes]) -> None:
    """Stream ``src`` into ``out`` in bounded pieces."""
    try:
        with open(src, "rb") as f:
            shutil.copyfileobj(f, out, _COPY)
    except OSError as e:
        raise InputError(f"cannot read {src!r}: {os_reason(e)}.") from e
