"""Regular expressions, compiled once at build time instead of at every start.

CPython compiles a regular expression in Python code (``re._parser`` and
``re._compiler``), and a character class over a CJK range costs it one loop
iteration per code point: the forty-odd patterns encfix needs take 0.15 s to
compile, half of what ``echo ... | encfix fix`` may take.  The compiler's
output -- a list of integers that the C engine ``_sre`` runs -- depends only on
the pattern, the flags and the engine's version (``_sre.MAGIC``), so
``python -m encfix._regex.build`` stores it (``data/compiled.json`` says
where each pattern's code is in ``data/compiled.bin``) and :func:`compile`
hands it straight to ``_sre.compile``.

The stored code is used only when the running interpreter is the one it was
built for (the same ``sys.implementation.cache_tag`` and ``_sre.MAGIC``) and
the pattern and flags match an entry exactly; anything else is compiled by
:func:`re.compile` as usual, so a stale or foreign table costs time, never
correctness.  ``tests/test_data.py`` checks that the shipped code equals what
this Python compiles.
"""

from __future__ import annotations

import array
import importlib
import json
import re
import sys
import zlib
from pathlib import Path
from typing import Any, AnyStr

_sre: Any
try:  # CPython's regular expression engine; other interpreters compile as usual
    _sre = importlib.import_module("_sre")
except ImportError:  # pragma: no cover
    _sre = None

__all__ = ["TAG", "compile", "seen"]

#: the interpreter and engine stored code is valid for
TAG = f"{sys.implementation.cache_tag}/{getattr(_sre, 'MAGIC', 0)}/{getattr(_sre, 'CODESIZE', 0)}"

DATA = Path(__file__).resolve().parent / "data"

#: every (pattern, flags) :func:`compile` was asked for, in order: what the
#: build script stores
seen: dict[tuple[str | bytes, int], None] = {}

_table: dict[str, list[Any]] | None = None
_codes: array.array[int] = array.array("I")


def key(pattern: str | bytes, flags: int) -> str:
    """The table's key for ``pattern`` compiled with ``flags``: its type,
    flags, length and two checksums (a 64-bit fingerprint: the table holds
    tens of patterns, and ``hashlib`` would add 5 ms to every start)."""
    if isinstance(pattern, bytes):
        kind, data = "b", pattern
    else:
        kind, data = "s", pattern.encode("utf-8", "surrogatepass")
    return f"{kind}{int(flags)}:{len(pattern)}:{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def _load() -> dict[str, list[Any]]:
    global _table, _codes
    if _table is None:
        _table = {}
        if _sre is not None:
            try:
                data = json.loads((DATA / "compiled.json").read_text("utf-8"))
                raw = (DATA / "compiled.bin").read_bytes()
                # the code must be the one the table was written with
                if isinstance(data, dict) and data.get("tag") == TAG and data.get("crc32") == zlib.crc32(raw):
                    codes = array.array("I")
                    codes.frombytes(raw)
                    if sys.byteorder != "little":  # pragma: no cover
                        codes.byteswap()
                    _codes = codes
                    _table = data["patterns"]
            except (OSError, ValueError, KeyError):
                _table = {}
    return _table


def compile(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile(pattern, flags)``, from the stored code when there is some."""
    seen[(pattern, int(flags))] = None
    entry = _load().get(key(pattern, flags))
    if entry is not None and _sre is not None:
        final_flags, start, end, groups, groupindex, indexgroup = entry
        try:
            compiled: re.Pattern[AnyStr] = _sre.compile(
                pattern, final_flags, _codes[start:end].tolist(), groups, groupindex, tuple(indexgroup)
            )
            return compiled
        except Exception:  # pragma: no cover - an engine that disagrees: compile as usual
            pass
    return re.compile(pattern, flags)
