"""Clean text segments from ``../shared/corpora`` (labelled files written by others).

The corpora measure encfix; they never feed its models.  Each file is decoded
with its declared codec, markup is stripped, and the text is cut into
sentence-sized segments.
"""

from __future__ import annotations

import csv
import html
import re
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPORA = SHARED / "corpora"

_TAG = re.compile(r"<[^>]*>|<!\[CDATA\[|\]\]>")
_SPLIT = re.compile(r"(?<=[。！？!?])|\n+|(?<=[.;])\s+")
_WS = re.compile(r"[ \t\r\f\v]+")


@dataclass(frozen=True)
class Segment:
    text: str
    language: str
    source: str


def manifest() -> list[dict[str, str]]:
    with open(CORPORA / "MANIFEST.tsv", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _script_ok(text: str, language: str) -> bool:
    if language in ("zh", "ja"):
        return sum(1 for c in text if "\u3040" <= c <= "\u9fff") >= 4
    if language == "ko":
        return sum(1 for c in text if "\uac00" <= c <= "\ud7a3") >= 4
    return sum(1 for c in text if c.isalpha()) >= 8


def _is_control_or_private(c: str) -> bool:
    o = ord(c)
    return o < 32 or 0x7F <= o < 0xA0 or 0xE000 <= o <= 0xF8FF or c == "\ufffd"


def segments(
    *, min_len: int = 8, max_len: int = 120, roles: tuple[str, ...] = ("cjk", "negative")
) -> list[Segment]:
    """Deduplicated clean segments, in manifest order."""
    seen: set[str] = set()
    out: list[Segment] = []
    for row in manifest():
        if row["role"] not in roles or row.get("dup_of"):
            continue
        raw = (CORPORA / row["file"]).read_bytes()
        try:
            text = raw.decode(row["codec"])
        except UnicodeDecodeError:
            continue
        text = text.lstrip("\ufeff")
        for _ in range(2):
            text = html.unescape(_TAG.sub("\n", text))
        text = _TAG.sub("\n", text)
        for piece in _SPLIT.split(text):
            piece = _WS.sub(" ", piece).strip()
            if not (min_len <= len(piece) <= max_len) or piece in seen:
                continue
            if not _script_ok(piece, row["language"]):
                continue
            if any(_is_control_or_private(c) for c in piece):
                continue
            seen.add(piece)
            out.append(Segment(piece, row["language"], row["file"]))
    return out


def available() -> bool:
    return (CORPORA / "MANIFEST.tsv").is_file()


def documents(*, roles: tuple[str, ...] = ("cjk", "cjk-extra", "negative")) -> list[tuple[str, str]]:
    """(file, text) of every deduplicated corpus file decoded whole with its
    declared codec: markup, long lines and all (a scraped page as it comes)."""
    out: list[tuple[str, str]] = []
    for row in manifest():
        if row["role"] not in roles or row.get("dup_of"):
            continue
        raw = (CORPORA / row["file"]).read_bytes()
        try:
            out.append((row["file"], raw.decode(row["codec"])))
        except UnicodeDecodeError:
            continue
    return out
