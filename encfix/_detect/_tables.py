"""Lazy access to the generated tables in ``data/tables.json``, and the fast
path built from them.

The fast path is one compiled regex whose first item is a character class
(so CPython's ``sre`` skips every character outside it in C) followed by
checks of which kind of seed starts there:

* a *strong* seed (a character only single-byte code pages make of high
  bytes, a C1 control, a private-use character) -- always suspicious;
* a *weak* seed (a rare CJK character, half-width katakana, a box-drawing
  symbol...) -- suspicious only with another weak seed at most
  :data:`WEAK_GAP` characters further (checked by :func:`find_suspicious`);
* one or two CJK characters inside or ending a Latin word
  (:data:`SANDWICH`: UTF-8 accents read by a CJK decoder);
* short runs of Han characters separated by spaces (:func:`spaced_regex`:
  Korean word spacing read as Chinese).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path

#: weak seeds count only when another one is at most this many characters away
WEAK_GAP = 1

_CJK = "\u3400-\u9fff\uf900-\ufaff\uac00-\ud7a3\uff61-\uff9f"
_HAN = "\u4e00-\u9fff"

#: one or two CJK characters inside a Latin word, or ending a lower-case one:
#: how a double-byte decoder reads UTF-8 accented letters ("rembours챕s",
#: "caff猫 vicino", "Le caf辿 de")
SANDWICH = f"[A-Za-z]([{_CJK}]{{1,2}})[A-Za-z]|[a-z]([{_CJK}])(?=[ ,.;:!?])"
SANDWICH_RE = re.compile(SANDWICH)


@lru_cache(maxsize=1)
def _data() -> dict[str, object]:
    raw = (_DATA / "tables.json").read_text("utf-8")
    data: dict[str, object] = json.loads(raw)
    return data


#: package data, next to this module (read directly: importlib.resources
#: costs a tenth of a second at start-up under some installers)
_DATA = Path(__file__).resolve().parent / "data"


def _ranges(name: str, key: str) -> list[tuple[int, int]]:
    decoders = _data()["decoders"]
    assert isinstance(decoders, dict)
    packed: str = decoders[name][key]
    return [(ord(packed[i]), ord(packed[i + 1])) for i in range(0, len(packed), 2)]


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _class(ranges: list[tuple[int, int]]) -> str:
    parts = []
    for a, b in ranges:
        if a == b:
            parts.append(re.escape(chr(a)))
        else:
            parts.append(re.escape(chr(a)) + "-" + re.escape(chr(b)))
    return "".join(parts)


@lru_cache(maxsize=1)
def _korean_class() -> str:
    packed = _data()["korean_as_gbk"]
    assert isinstance(packed, str)
    return _class([(ord(packed[i]), ord(packed[i + 1])) for i in range(0, len(packed), 2)])


@lru_cache(maxsize=1)
def spaced_regex() -> re.Pattern[str]:
    """Two short runs of the characters GBK makes of EUC-KR Hangul, separated
    by a space: Korean word spacing read as Chinese ("弊霸 扁夯捞促.")."""
    k = _korean_class()
    return re.compile(f"(?:^|(?<=[ \n]))[{k}]{{1,6}}[.,!?]? [{k}]", re.MULTILINE)


@cache
def _union(key: str) -> tuple[tuple[int, int], ...]:
    decoders = _data()["decoders"]
    assert isinstance(decoders, dict)
    return tuple(_merge([r for name in decoders for r in _ranges(name, key)]))


@lru_cache(maxsize=2)
def _set(key: str) -> frozenset[str]:
    return frozenset(chr(c) for a, b in _union(key) for c in range(a, b + 1))


def strong_set() -> frozenset[str]:
    """Every strong seed character."""
    return _set("strong")


def weak_set() -> frozenset[str]:
    """Every weak seed character."""
    return _set("weak")


@lru_cache(maxsize=1)
def fast_regex() -> re.Pattern[str]:
    """See the module docstring.  Only the Basic Multilingual Plane is in the
    leading class (``sre`` then tests it with a bitmap); the few seeds beyond
    it (HKSCS) are found by the span search once a line is looked at."""
    seeds = [(a, min(b, 0xFFFF)) for a, b in _merge([*_union("strong"), *_union("weak")]) if a <= 0xFFFF]
    k = _korean_class()
    lead = _class(_merge([*seeds, (0x20, 0x20), (0x41, 0x5A), (0x61, 0x7A), (0x0A, 0x0A)]))
    return re.compile(
        f"[{lead}]"
        f"(?:(?<=[A-Za-z])(?:[{_CJK}]{{1,2}}[A-Za-z]|(?<=[a-z])[{_CJK}](?=[ ,.;:!?]))"
        f"|(?<=[a-z][ ,;:])(?:[{_CJK}]{{1,2}}(?=[ a-z0-9,.;:!?]))"
        f"|(?<=[ \\n])(?:[{k}]{{1,6}}[.,!?]? [{k}])"
        f"|(?<![A-Za-z \\n]))"
    )


def find_suspicious(text: str, pos: int = 0) -> int:
    """Index of the first place in ``text`` (from ``pos``) that needs a
    closer look, or -1: the fast path."""
    rx = fast_regex()
    weak = weak_set()
    search = rx.search
    if pos == 0 and spaced_regex().match(text):
        return 0
    while True:
        m = search(text, pos)
        if m is None:
            return -1
        i = m.start()
        ch = text[i]
        if m.end() - i > 1 or ch not in weak:
            return i + 1 if ch == "\n" else i  # a pattern, or a strong seed
        # a weak seed: suspicious only with another one close by (but a run
        # of one symbol -- ━━━, ★★★ -- is decoration, not damage)
        for j in range(i + 1, min(len(text), i + 2 + WEAK_GAP)):
            if text[j] in weak and (text[j] != ch or j > i + 1):
                return i
        pos = i + 1


@lru_cache(maxsize=1)
def seed_regex() -> re.Pattern[str]:
    """Strong (group 1) or weak (group 2) seed characters, one at a time."""

    def bmp(key: str) -> list[tuple[int, int]]:
        return [(a, min(b, 0xFFFF)) for a, b in _union(key) if a <= 0xFFFF]

    return re.compile(f"([{_class(bmp('strong'))}])|([{_class(bmp('weak'))}])")


@cache
def _starts(name: str, key: str) -> tuple[list[int], list[tuple[int, int]]]:
    ranges = _ranges(name, key)
    return [a for a, _ in ranges], ranges


def _in(name: str, key: str, ch: str) -> bool:
    starts, ranges = _starts(name, key)
    i = bisect_right(starts, ord(ch)) - 1
    return i >= 0 and ord(ch) <= ranges[i][1]


_SEED_OF: dict[str, frozenset[str]] = {}


def seed_decoders(ch: str) -> frozenset[str]:
    """The decoders that produce ``ch`` as a (strong or weak) seed (memoised)."""
    names = _SEED_OF.get(ch)
    if names is None:
        decoders = _data()["decoders"]
        assert isinstance(decoders, dict)
        names = _SEED_OF[ch] = frozenset(
            n for n in decoders if _in(n, "strong", ch) or _in(n, "weak", ch)
        )
    return names


def is_seed_of(name: str, chars: Iterable[str]) -> bool:
    """Does decoder ``name`` produce any of ``chars`` as a (strong or weak) seed?"""
    return any(name in seed_decoders(c) for c in chars)


def all_encodable(name: str, chars: Iterable[str]) -> bool:
    """Can decoder ``name`` produce every one of ``chars`` from one or two bytes?"""
    return all(_in(name, "encodable", c) for c in chars)


@cache
def encodable_regex(name: str) -> re.Pattern[str]:
    """Maximal runs of characters decoder ``name`` can have produced."""
    return re.compile("[" + _class(_ranges(name, "encodable")) + "]+")


@cache
def non_ascii_encodable_regex(name: str) -> re.Pattern[str]:
    """Maximal runs of non-ASCII characters decoder ``name`` can have produced."""
    ranges = [(max(a, 0x80), b) for a, b in _ranges(name, "encodable") if b >= 0x80]
    return re.compile("[" + _class(ranges) + "]+")


#: seeds beyond the Basic Multilingual Plane (HKSCS characters Big5 reads)
ASTRAL_RE = re.compile("[\U00020000-\U0003ffff]")


def suspicious_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every line of ``text`` the fast path flags."""
    pos = 0
    n = len(text)
    while pos <= n:
        i = find_suspicious(text, pos)
        if i < 0:
            return
        ls = text.rfind("\n", 0, i) + 1
        le = text.find("\n", i)
        if le < 0:
            le = n
        yield ls, le
        pos = le + 1


def table_meta() -> dict[str, object]:
    d = _data()
    return {k: v for k, v in d.items() if k != "decoders"}
