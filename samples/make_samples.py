"""Regenerate the garbled sample files in this folder: ``python samples/make_samples.py``.

Every sample is made from sentences written for encfix's tests
(``tests/data/sentences.json``), damaged the way real software damages text.
The ``.expected.txt`` files hold the original text.
"""

from __future__ import annotations

import json
from pathlib import Path

from encfix.codecs import DECODERS, ORIGINALS

HERE = Path(__file__).resolve().parent
SENTENCES = json.loads((HERE.parent / "tests" / "data" / "sentences.json").read_text("utf-8"))


def garble(text: str, *chain: str) -> str:
    s = text
    for i in range(0, len(chain), 2):
        s = DECODERS[chain[i + 1]].decode(s.encode(ORIGINALS[chain[i]].members[0]))
    return s


def damageable(key: str, *chain: str, skip: int = 0) -> str:
    """The first sentence of ``key`` (after ``skip``) that ``chain`` damages
    without losing bytes."""
    for sentence in SENTENCES[key][skip:]:
        for end in range(len(sentence), 7, -1):  # UTF-8 read as GBK needs an even byte count
            text = sentence[:end]
            try:
                if garble(text, *chain) != text:
                    return text
            except UnicodeError:
                continue
    raise SystemExit(f"no {key} sentence survives {chain}")


def mixed_document() -> tuple[str, str]:
    """A scraped page: correct lines, and lines damaged in five ways."""
    zh, hant, ja, ko = (SENTENCES[k] for k in ("zh-Hans", "zh-Hant", "ja-kanji", "ko"))
    rows: list[tuple[str, tuple[str, ...] | None]] = [
        (zh[0], None),
        (damageable("zh-Hans", "utf-8", "gbk", skip=1), ("utf-8", "gbk")),
        (hant[0], None),
        (damageable("zh-Hant", "big5", "cp1252", skip=1), ("big5", "cp1252")),
        (damageable("ja-kanji", "utf-8", "cp932", skip=1), ("utf-8", "cp932")),
        (ja[0], None),
        (damageable("ko", "euc-kr", "latin-1", skip=1), ("euc-kr", "latin-1")),
        (ko[0], None),
        (damageable("zh-Hans", "gbk", "latin-1", skip=5), ("gbk", "latin-1", "utf-8", "cp1252")),
        (damageable("eu", "utf-8", "cp1252"), ("utf-8", "cp1252")),
        (zh[3], None),
    ]
    good = "\n".join(t for t, _ in rows) + "\n"
    bad = "\n".join(t if c is None else garble(t, *c) for t, c in rows) + "\n"
    return bad, good


def main() -> None:
    bad, good = mixed_document()
    (HERE / "mixed-page.txt").write_text(bad, encoding="utf-8")
    (HERE / "mixed-page.expected.txt").write_text(good, encoding="utf-8")
    span = SENTENCES["zh-Hans"][4]
    cut = len(span) // 3
    inner = span[cut : cut + 2]  # two characters: six UTF-8 bytes, three GBK ones
    line = span[:cut] + garble(inner, "utf-8", "gbk") + span[cut + 2 :]
    (HERE / "span-in-sentence.txt").write_text(line + "\n", encoding="utf-8")
    (HERE / "span-in-sentence.expected.txt").write_text(span + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
