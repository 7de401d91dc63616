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


def _union(key: str) -> list[list[int]]:
    decoders = _data()["decoders"]
    assert isinstance(decoders, dict)
    merged: list[list[int]] = sorted(r for name in decoders for r in _decoder_table(name, key))
    out: list[list[int]] = []
    for a, b in merged:
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


#: weak seeds count only when another one is at most this many characters away
WEAK_GAP = 1


@lru_cache(maxsize=1)
def suspicious_regex() -> re.Pattern[str]:
    """The fast path: one regex that matches a strong seed, or two weak seeds
    close together.  Text it does not match is clean."""
    strong = _class(_union("strong"))
    weak = _class(_union("weak"))
    return re.compile(f"[{strong}]|[{weak}][^\\n]{{0,{WEAK_GAP}}}[{weak}]|{SANDWICH}|{SPACED}", re.MULTILINE)


#: one or two CJK characters inside a Latin word: how a double-byte decoder
#: reads UTF-8 accented letters ("rembours챕s", "attaqu辿e")
SANDWICH = (
    "[A-Za-z]([\u3400-\u9fff\uf900-\ufaff\uac00-\ud7a3]{1,2})[A-Za-z]"
    # ... or ending a lower-case Latin word ("caff猫 vicino", "Le caf辿 de")
    "|[a-z]([\u3400-\u9fff\uf900-\ufaff\uac00-\ud7a3])(?=[ ,.;:!?])"
)
SANDWICH_RE = re.compile(SANDWICH)

#: short runs of Han characters separated by spaces: Korean word spacing, the
#: way EUC-KR read as GBK or Big5 looks ("郴啊 皑疙表霸 且 霸烙捞")
SPACED = "(?:^|[ ])[\\u4e00-\\u9fff]{1,6}[.,!?]? [\\u4e00-\\u9fff]{1,6}[.,!?]? [\\u4e00-\\u9fff]"
SPACED_RE = re.compile(SPACED, re.MULTILINE)


@lru_cache(maxsize=1)
def seed_regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(strong, weak) single-character classes."""
    return re.compile(f"[{_class(_union('strong'))}]"), re.compile(f"[{_class(_union('weak'))}]")


@lru_cache(maxsize=None)
def seed_set(name: str) -> frozenset[str]:
    """Strong and weak seed characters decoder ``name`` produces."""
    return frozenset(
        chr(c) for key in ("strong", "weak") for a, b in _decoder_table(name, key) for c in range(a, b + 1)
    )


@lru_cache(maxsize=None)
def encodable_set(name: str) -> frozenset[str]:
    """Every character decoder ``name`` produces from one or two bytes."""
    return frozenset(chr(c) for a, b in _decoder_table(name, "encodable") for c in range(a, b + 1))


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
