"""Pinyin annotations a converter inserted after Han characters:
``齊心協(xié)力`` -> ``齊心協力``.

An annotation is a parenthesised syllable (tone marks or a tone number)
right after a Han character that is one of that character's readings
(pypinyin's dictionary, shipped as ``data/readings.json.gz``).  Whether to
remove them is decided per text: a converter annotates common characters
that have one reading, all through the text; a teacher annotates a few
polyphones (``长(cháng)城``) or rare characters on purpose, and those stay.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from encfix import _regex
from encfix._types import Fix

__all__ = [
    "BRACKETED",
    "SYLLABLE",
    "Annotation",
    "find_annotations",
    "numbered",
    "pinyin_fixes",
    "readings",
    "replay_pinyin",
]

DATA = Path(__file__).resolve().parent / "data" / "readings.json.gz"

_TONE_MARKS = {
    "\u0304": "1",  # macron
    "\u0301": "2",  # acute
    "\u030c": "3",  # caron
    "\u0300": "4",  # grave
}

#: a syllable as converters write it (tone marks, or a tone number)
SYLLABLE = "[A-Za-zÀ-ɏḀ-ỿ\u0300-\u036f]{1,7}[0-5]?"
#: a parenthesised syllable (half- or full-width brackets)
BRACKETED = f"[(（]{SYLLABLE}[)）]"
#: a Han character, then a parenthesised syllable
_ANNOTATION = _regex.compile(f"([\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f])[(（]({SYLLABLE})[)）]")

#: annotations in a text at least this many: a converter's, whatever they annotate
MANY = 8
#: unigram cost (nats) under which a character counts as common
COMMON_COST = 9.0


@cache
def readings() -> dict[str, frozenset[str]]:
    """Han character -> its readings in tone-number form (``"xie2"``)."""
    doc = json.loads(gzip.decompress(DATA.read_bytes()))
    return {ch: frozenset(r.split()) for ch, r in doc["readings"].items()}


def numbered(syllable: str) -> str:
    """``"xié"`` -> ``"xie2"``, ``"lǜ"`` -> ``"lv4"``, ``"de"`` -> ``"de5"``,
    ``"xie2"`` -> ``"xie2"``; "" if it is not a pinyin syllable."""
    s = syllable.strip().lower()
    tone = ""
    if s and s[-1] in "012345":
        tone, s = s[-1], s[:-1]
    base: list[str] = []
    for ch in unicodedata.normalize("NFD", s):
        if ch in _TONE_MARKS:
            if tone:
                return ""  # a mark and a number
            tone = _TONE_MARKS[ch]
        elif ch == "\u0308":  # diaeresis: ü
            if not base or base[-1] != "u":
                return ""
            base[-1] = "v"
        elif "a" <= ch <= "z":
            base.append(ch)
        else:
            return ""
    if not base:
        return ""
    if tone in ("", "0"):
        tone = "5"
    return "".join(base) + tone


class Annotation:
    """One parenthesised reading after a Han character."""

    __slots__ = ("char", "end", "exact", "start", "syllable")

    def __init__(self, start: int, end: int, char: str, syllable: str, exact: bool) -> None:
        self.start = start  # of the opening bracket
        self.end = end
        self.char = char
        self.syllable = syllable
        #: the tone matches too (not only the letters)
        self.exact = exact


def _matches(char: str, syllable: str) -> bool | None:
    """True: a reading of ``char``, tone and all; False: its letters only
    (the annotation has no tone); None: not a reading."""
    n = numbered(syllable)
    rs = readings().get(char)
    if not n or not rs:
        return None
    if n in rs:
        return True
    has_tone = syllable[-1:].isdigit() or any(
        c in _TONE_MARKS for c in unicodedata.normalize("NFD", syllable)
    )
    if not has_tone and any(r[:-1] == n[:-1] for r in rs):
        return False
    return None


def _candidates(text: str) -> Iterator[re.Match[str]]:
    """``_ANNOTATION.finditer(text)``, found from each opening bracket
    (str.find runs at C speed; the regex would try every Han character)."""
    for bracket in "(（":
        pos = text.find(bracket, 1)
        while pos >= 0:
            start = pos - 2 if pos >= 2 and "\ud800" <= text[pos - 1] <= "\udfff" else pos - 1
            m = _ANNOTATION.match(text, start)
            if m is not None:
                yield m
            pos = text.find(bracket, pos + 1)


def find_annotations(text: str) -> list[Annotation]:
    """Every parenthesised reading right after its Han character."""
    out = []
    for m in _candidates(text):
        match = _matches(m.group(1), m.group(2))
        if match is not None:
            out.append(Annotation(m.start(2) - 1, m.end(), m.group(1), m.group(2), match))
    out.sort(key=lambda a: a.start)
    return out


def _converter_like(a: Annotation) -> bool:
    """A common character with one reading: what nobody annotates on purpose."""
    from encfix import model

    rs = readings().get(a.char, frozenset())
    polyphone = len({r[:-1] for r in rs}) > 1 or len(rs) > 1
    return not polyphone and model.unigram_cost(a.char) < COMMON_COST


def decide(found: list[Annotation]) -> tuple[bool, str]:
    """Remove this text's annotations?  And why, in words."""
    n = len(found)
    if not n:
        return False, ""
    common = sum(_converter_like(a) for a in found)
    noun = "annotation" if n == 1 else "annotations"
    why = f"{n} pinyin {noun} in this text, {common} of common characters with one reading"
    if n >= MANY:
        return True, why + ": a converter's"
    if common * 2 >= n:
        return True, why + ": a converter's, not a lesson's"
    return False, why + ": annotated on purpose (polyphones or rare characters), kept"


def pinyin_fixes(text: str, taken: list[tuple[int, int]]) -> tuple[list[Fix], str]:
    """Fixes removing the annotations of ``text`` (outside the ``taken``
    spans), and the sentence that explains the decision ("" if none)."""
    found = [a for a in find_annotations(text) if not any(x < a.end and a.start < y for x, y in taken)]
    remove, why = decide(found)
    if not remove:
        return [], why
    fixes = [
        Fix(
            start=a.start - 1,
            end=a.end,
            before=text[a.start - 1 : a.end],
            after=a.char,
            chain=(),
            decoder="",
            confidence=0.999 if a.exact else 0.99,
            kind="pinyin",
        )
        for a in found
    ]
    return fixes, why


def replay_pinyin(fix: Fix) -> str:
    """The annotation's character, if ``fix.before`` is one."""
    m = _ANNOTATION.fullmatch(fix.before)
    if m is None or _matches(m.group(1), m.group(2)) is None:
        raise ValueError(f"fix at {fix.start}: {fix.before!r} is not a pinyin annotation")
    return m.group(1)
