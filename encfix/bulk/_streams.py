"""Streaming decompression with a cap, and compression of output parts.

Everything reads in bounded pieces, so memory stays flat whatever a file
expands to: a gzip or zstd stream that would expand past its cap raises
:class:`FileBad` instead of filling memory or disk, and so does a stream that
ends early (a truncated download).
"""

from __future__ import annotations

import gzip
import io
import zlib
from typing import IO, Any

__all__ = ["FileBad", "StreamCompressor", "compress", "open_decompressed"]

_READ = 64 * 1024
#: compressed bytes fed to zstd at a time: bounds what one call can expand to
_ZSTD_FEED = 512


class FileBad(Exception):
    """A whole file cannot be read as what its name says: a kind and one sentence."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def _zstandard() -> Any:
    try:
        import zstandard
    except ImportError:
        raise FileBad(
            "needs-zstandard", "reading .zst files needs the zstandard package (pip install 'encfix[zstd]')"
        ) from None
    return zstandard


class _ZstdReader(io.RawIOBase):
    """Multi-frame zstd decompression in bounded pieces that notices a truncated frame
    (``zstandard``'s own stream reader silently stops there)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._zstd = _zstandard()
        self._raw = raw
        self._dctx = self._zstd.ZstdDecompressor()
        self._dobj: Any = None
        self._fed = False  # the current frame has had input
        self._pending = b""  # compressed bytes not yet fed
        self._out = b""
        self._pos = 0
        self._eof = False

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        while self._pos >= len(self._out) and not self._eof:
            if not self._pending:
                self._pending = self._raw.read(_READ)
                if not self._pending:
                    if self._fed:
                        raise FileBad(
                            "truncated", "the zstd stream ends in the middle of a frame (a truncated file?)"
                        )
                    self._eof = True
                    return
            if self._dobj is None:
                self._dobj = self._dctx.decompressobj(read_across_frames=False)
                self._fed = False
            piece, self._pending = self._pending[:_ZSTD_FEED], self._pending[_ZSTD_FEED:]
            try:
                out = self._dobj.decompress(piece)
            except self._zstd.ZstdError as e:
                raise FileBad("corrupt", f"the zstd stream is corrupt ({e})") from None
            self._fed = True
            if self._dobj.eof:
                self._pending = self._dobj.unused_data + self._pending
                self._dobj = None
                self._fed = False
            self._out, self._pos = out, 0

    def readinto(self, buffer: Any) -> int:
        self._fill()
        n = min(len(buffer), len(self._out) - self._pos)
        buffer[:n] = self._out[self._pos : self._pos + n]
        self._pos += n
        return n


class _Capped(io.RawIOBase):
    """Counts what ``inner`` yields; past ``cap`` bytes the file is a decompression bomb."""

    def __init__(self, inner: IO[bytes], cap: int, what: str) -> None:
        self._inner = inner
        self._cap = cap
        self._what = what
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._inner.read(min(len(buffer), _READ))
        except EOFError:
            raise FileBad("truncated", f"the {self._what} stream ends early (a truncated file?)") from None
        except (OSError, zlib.error) as e:
            raise FileBad("corrupt", f"the {self._what} stream is corrupt ({e})") from None
        n = len(data)
        self.count += n
        if self.count > self._cap:
            raise FileBad(
                "bomb",
                f"it expands to more than {self._cap:,} bytes (--max-expansion): a decompression bomb?",
            )
        buffer[:n] = data
        return n


def open_decompressed(raw: IO[bytes], compression: str, cap: int) -> IO[bytes]:
    """A buffered reader of ``raw``'s decompressed bytes (``readline(limit)`` works)."""
    if not compression:
        return raw
    inner: Any
    if compression == "gzip":
        inner = gzip.GzipFile(fileobj=raw, mode="rb")
        what = "gzip"
    else:
        inner = _ZstdReader(raw)
        what = "zstd"
    return io.BufferedReader(_Capped(inner, cap, what), buffer_size=_READ)


def compress(data: bytes, compression: str) -> bytes:
    """One complete gzip member or zstd frame (deterministic: no timestamp)."""
    if not compression:
        return data
    if compression == "gzip":
        return gzip.compress(data, compresslevel=6, mtime=0)
    return bytes(_zstandard().ZstdCompressor(level=3).compress(data))


class StreamCompressor:
    """Compress a stream piece by piece into one gzip member or zstd frame."""

    def __init__(self, compression: str) -> None:
        self._comp = compression
        self._z: Any = None
        if compression == "gzip":
            self._z = zlib.compressobj(6, zlib.DEFLATED, 31)
        elif compression == "zstd":
            self._z = _zstandard().ZstdCompressor(level=3).compressobj()

    def compress(self, data: bytes) -> bytes:
        return data if self._z is None else bytes(self._z.compress(data))

    def flush(self) -> bytes:
        return b"" if self._z is None else bytes(self._z.flush())
