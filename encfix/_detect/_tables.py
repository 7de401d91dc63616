"""Lazy access to the generated tables in ``data/tables.json``."""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from importlib.resources import files

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _data() -> dict[str, object]:
    raw = files("encfix._detect").joinpath("data").joinpath("tables.json").read_text("utf-8")
    data: dict[str, object] = json.loads(raw)
    return data


def _decoder_table(name: str, key: str) -> list[list[int]]:
    decoders = _data()["decoders"]
    assert isinstance(decoders, dict)
    table: list[list[int]] = decoders[name][key]
    return table


def _class(ranges: list[list[int]]) -> str:
    parts = []
    for a, b in ranges:
        if a == b:
            parts.append(re.escape(chr(a)))
        else:
            parts.append(re.escape(chr(a)) + "-" + re.escape(chr(b)))
    return "".join(parts)


@lru_cache(maxsize=1)
def suspicious_regex() -> re.Pattern[str]:
    """One regex matching any character some wrong decoder produces and real
    text rarely uses (the fast path)."""
    decoders = _data()["decoders"]
    assert isinstance(decoders, dict)
    merged: list[list[int]] = sorted(r for name in decoders for r in _decoder_table(name, "suspicious"))
    out: list[list[int]] = []
    for a, b in merged:
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return re.compile("[" + _class(out) + "]")


@lru_cache(maxsize=None)
def suspicious_set(name: str) -> frozenset[str]:
    """Suspicious characters decoder ``name`` produces."""
    return frozenset(chr(c) for a, b in _decoder_table(name, "suspicious") for c in range(a, b + 1))


@lru_cache(maxsize=None)
def encodable_regex(name: str) -> re.Pattern[str]:
    """Maximal runs of characters decoder ``name`` can have produced."""
    return re.compile("[" + _class(_decoder_table(name, "encodable")) + "]+")


@lru_cache(maxsize=None)
def non_ascii_encodable_regex(name: str) -> re.Pattern[str]:
    """Maximal runs of non-ASCII characters decoder ``name`` can have produced."""
    ranges = [[max(a, 0x80), b] for a, b in _decoder_table(name, "encodable") if b >= 0x80]
    return re.compile("[" + _class(ranges) + "]+")


def table_meta() -> dict[str, object]:
    d = _data()
    return {k: v for k, v in d.items() if k != "decoders"}
