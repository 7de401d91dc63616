"""Regenerate ``encfix/_detect/data/tables.json`` from CPython's codecs and the
shipped language model: ``python -m encfix._detect.build_tables``.

For every wrong decoder it records

* ``encodable``: the characters the decoder yields for single bytes and byte
  pairs (plus ASCII): the alphabet a span of its mojibake is written in;
* ``strong``: characters that alone justify a closer look -- C1 controls,
  private-use characters, and what single-byte code pages make of high bytes
  (Latin-1 letters and symbols, Cyrillic, ...);
* ``weak``: characters only multi-byte decoders make and real CJK text rarely
  uses -- CJK characters no language model ranks common, half-width katakana,
  box drawing and other symbols.  One of them alone is a rare word; two within
  two characters of each other are how mojibake looks.

and, for the fast path's Latin patterns, ``utf8_pairs``: what double-byte
decoders make of UTF-8's two-byte sequences (accented letters).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import sys
import unicodedata
from pathlib import Path

from encfix._detect._tables import compute_nfkc_folds, fast_sources
from encfix.codecs import DECODERS
from encfix.model._classes import char_class

OUT = Path(__file__).resolve().parent / "data" / "tables.json"

#: a CJK character is "common" when some language's unigram cost is below this
COMMON_COST = 13.0
#: classes that clean CJK text uses freely and mojibake cannot be told by
NEVER_SUSPICIOUS = {"space", "cjk_punct", "gen_punct", "ascii_punct", "digit", "fullwidth"}
NEVER_SUSPICIOUS_CHARS = set("\u00b7\u00b0\u00a0")  # · ° NBSP


def producible(name: str) -> set[str]:
    dec = DECODERS[name]
    out: set[str] = set(chr(i) for i in range(128))
    singles = [bytes([b]) for b in range(0x80, 0x100)]
    for b in singles:
        with contextlib.suppress(UnicodeDecodeError):
            out.update(dec.decode(b))
    if dec.multibyte:
        for lead in range(0x80, 0x100):
            for trail in range(0x30, 0x100):
                try:
                    text = dec.decode(bytes([lead, trail]))
                except UnicodeDecodeError:
                    continue
                if len(text) <= 2:
                    out.update(text)
        if name == "euc-jp":
            for second in range(0xA1, 0xFF):
                for third in range(0xA1, 0xFF):
                    with contextlib.suppress(UnicodeDecodeError):
                        out.update(dec.decode(bytes([0x8F, second, third])))
    return out


def ranges(chars: set[str]) -> str:
    """Sorted, merged code point ranges written as a string: the first and
    last character of each range, one pair after another (compact, and
    fast to load)."""
    cps = sorted(ord(c) for c in chars)
    out: list[list[int]] = []
    for cp in cps:
        if out and cp == out[-1][1] + 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return "".join(chr(a) + chr(b) for a, b in out)


def is_suspicious(ch: str, common: set[str]) -> bool:
    if ch.isascii() or ch in NEVER_SUSPICIOUS_CHARS:
        return False
    k = char_class(ch)
    if k in NEVER_SUSPICIOUS:
        return False
    if k in ("han", "kana", "hangul"):
        return ch not in common
    return True


#: single-byte decoders whose output letters alone are worth a look
STRONG_DECODERS = ("latin-1", "cp1252", "cp1250")


def is_strong(ch: str, sbcs_made: set[str]) -> bool:
    """Latin letters Windows/Latin-1 decoders make of high bytes, C1 controls
    and private-use characters.  Symbols (°, ´, ■, ≒) and Greek or Cyrillic
    letters are weak: CJK text uses them alone (kaomoji, bullets)."""
    k = char_class(ch)
    if k in ("c1", "pua", "replacement"):
        return True
    return ch in sbcs_made and k == "latin"


def common_chars() -> set[str]:
    from encfix import model

    out: set[str] = set()
    for lang in ("zh-Hans", "zh-Hant", "ja", "ko"):
        m = model.get(lang)
        out.update(c for c, u in m.unigram.items() if u < COMMON_COST)
    return out


def korean_as_gbk() -> set[str]:
    """What a GBK decoder makes of EUC-KR's Hangul rows (B0A1-C8FE): the
    common Chinese characters of GB2312 rows 16-40."""
    out: set[str] = set()
    for lead in range(0xB0, 0xC9):
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                out.update(DECODERS["gbk"].decode(bytes([lead, trail])))
    return out


def utf8_pairs(leads: range = range(0xC2, 0xE0)) -> set[str]:
    """What the double-byte decoders make of a UTF-8 two-byte sequence
    (lead C2-DF, continuation 80-BF): an accented Latin letter, Greek or
    Cyrillic, read as one CJK character ("caf辿", "rembours챕s")."""
    out: set[str] = set()
    for dec in DECODERS.values():
        if not dec.multibyte:
            continue
        for lead in leads:
            for trail in range(0x80, 0xC0):
                with contextlib.suppress(UnicodeDecodeError):
                    text = dec.decode(bytes([lead, trail]))
                    if len(text) == 1 and not text.isascii():
                        out.add(text)
    return out


def _cjk_common(c: str) -> bool:
    return c in NEVER_SUSPICIOUS_CHARS or char_class(c) in NEVER_SUSPICIOUS


def _latin1_lower(c: str) -> bool:
    """A lower-case letter of Western European text (ß to ÿ): ƒ, š, œ
    and ž are lower-case too, but in Latin text they are rare, and they are
    what cp1252 makes of Shift_JIS and GBK lead bytes."""
    return "\u00df" <= c <= "\u00ff" and c.islower()


#: single-byte decoders a legacy CJK original is read through (see _chains)
LEGACY_SINGLE = ("latin-1", "cp1252", "cp437", "macroman")


def _made(name: str, lo: int, hi: int) -> set[str]:
    out: set[str] = set()
    for b in range(lo, hi + 1):
        with contextlib.suppress(UnicodeDecodeError):
            text = DECODERS[name].decode(bytes([b]))
            if not text.isascii():
                out.add(text)
    return out


def fast_tables(weak_cjk: set[str]) -> dict[str, object]:
    """The fast path's classes (see ``_tables.fast_regexes``):

    * ``single``: C1 controls, private-use characters, U+FFFD -- alone enough;
    * ``cjk``: what double-byte decoders make and CJK text rarely uses -- two
      together are enough;
    * ``utf8``: per single-byte decoder, what it makes of UTF-8 lead bytes
      (C2-F4) and of continuation bytes (80-BF): a lead followed by a
      continuation is UTF-8 read byte by byte ("Ã©", "РїСЂ");
    * ``legacy``: per single-byte decoder a legacy CJK text is read through,
      what it makes of high bytes, and the subset that is not a lower-case
      letter (of Latin-1): two such characters side by side, one of them not lower-case
      ("ÖÐ", not the "çã" of Portuguese), or two non-lower-case ones around
      one ASCII trail byte ("ƒ}ƒ", "§A¦": Shift_JIS and Big5 trail bytes can
      be ASCII), or one of them three times, every other character
      ("âxâïâxâb": Shift_JIS katakana read as cp437).
    """
    utf8 = {
        name: [ranges(_made(name, 0xC2, 0xF4)), ranges(_made(name, 0x80, 0xBF))]
        for name, dec in DECODERS.items()
        if not dec.multibyte
    }
    legacy = {}
    for name in LEGACY_SINGLE:
        # punctuation CJK text uses freely ("……", "──", NBSP) does not count
        high = {c for c in _made(name, 0x81, 0xFE) if not _cjk_common(c)}
        if name == "cp437":
            # its Greek letters are rare GBK lead bytes (what GBK text looks
            # like in it is box drawing, "╓╨╬─"), and Greek words must not count
            high = {c for c in high if not ("\u0370" <= c <= "\u03ff")}
        legacy[name] = [ranges(high), ranges({c for c in high if not _latin1_lower(c)})]
    return {
        "single": ranges(
            {chr(c) for c in range(0x80, 0xA0)} | {chr(c) for c in range(0xE000, 0xF900)} | {"\ufffd"}
        ),
        "cjk": ranges(weak_cjk),
        "utf8": utf8,
        "legacy": legacy,
    }


def build() -> dict[str, object]:
    from encfix import model

    common = common_chars()
    made = {name: producible(name) for name in DECODERS}
    sbcs_made = set().union(*(made[n] for n in STRONG_DECODERS))
    decoders: dict[str, dict[str, object]] = {}
    weak_cjk: set[str] = set()
    every: dict[str, set[str]] = {"strong": set(), "weak": set()}
    for name, chars in made.items():
        sus = {c for c in chars if is_suspicious(c, common)}
        if DECODERS[name].multibyte:
            # alphabets in CJK character sets (Greek, Cyrillic, pinyin
            # letters) are not what a CJK decoder's mojibake looks like alone
            sus = {c for c in sus if char_class(c) not in ("latin", "other", "mark")}
        strong = {c for c in sus if is_strong(c, sbcs_made)}
        if DECODERS[name].multibyte:
            weak_cjk |= sus - strong
        every["strong"] |= strong
        every["weak"] |= sus - strong
        decoders[name] = {
            "encodable": ranges(chars),
            "strong": ranges(strong),
            "weak": ranges(sus - strong),
        }
    data: dict[str, object] = {
        "korean_as_gbk": ranges(korean_as_gbk()),
        "utf8_pairs": ranges(utf8_pairs()),
        # Greek and Cyrillic letters (UTF-8 leads CD-D3): whole words of them
        "utf8_word_pairs": ranges(utf8_pairs(range(0xCD, 0xD4))),
        "fast": fast_tables(weak_cjk),
        # strong and weak seeds of any decoder (merging the decoders' ranges
        # at start-up would take 30 ms)
        "seed_union": {key: ranges(chars) for key, chars in every.items()},
        # what NFKC folds into what (for readings of text NFKC ran over)
        "nfkc_folds": dict(zip(("single", "multi"), compute_nfkc_folds(), strict=True))
        | {"unidata": unicodedata.unidata_version},
        "generator_sha256_16": hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16],
        "model": model.model_info()["files"],
        "common_cost": COMMON_COST,
        "decoders": decoders,
    }
    data["fast_patterns"] = fast_sources(data)
    return data


def render(data: dict[str, object]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), indent=0) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="regenerate encfix/_detect/data/tables.json")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    text = render(build())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8", errors="surrogatepass")
    print(f"{args.out}: {len(text):,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
