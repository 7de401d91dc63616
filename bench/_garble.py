"""Make mojibake the way real software does, for benchmarks (and tests)."""

from __future__ import annotations

from encfix.codecs import DECODERS, ORIGINALS

#: which original encodings are realistic for each language
LANG_ORIGINALS = {
    "zh": ("utf-8", "gbk", "big5"),
    "ja": ("utf-8", "shift_jis", "euc-jp"),
    "ko": ("utf-8", "euc-kr"),
}
NON_CJK_ORIGINALS = ("utf-8",)

#: legacy-to-legacy chains the issue names; other legacy pairs are "extra"
LEGACY_REQUIRED = {("big5", "gbk"), ("gbk", "big5"), ("euc-kr", "gbk"), ("shift_jis", "gbk")}
SINGLE = {"latin-1", "cp1252", "cp1250", "cp1251", "cp437", "macroman"}


def required(chain: tuple[str, ...]) -> bool:
    """Is ``chain`` one of the lossless chains the core acceptance names?"""
    if len(chain) > 2:
        return True
    orig, dec = chain
    return orig == "utf-8" or dec in SINGLE or (orig, dec) in LEGACY_REQUIRED


STACKED: tuple[tuple[str, ...], ...] = (
    ("utf-8", "cp1252", "utf-8", "cp1252"),
    ("utf-8", "latin-1", "utf-8", "cp1252"),
    ("gbk", "latin-1", "utf-8", "cp1252"),
    ("utf-8", "gbk", "utf-8", "cp1252"),
    ("shift_jis", "cp1252", "utf-8", "cp1252"),
    ("utf-8", "cp1252", "utf-8", "cp1252", "utf-8", "cp1252"),
)


def garble(text: str, chain: tuple[str, ...]) -> str | None:
    """``text`` pushed through ``chain`` (innermost first), or None when some
    step cannot represent it losslessly."""
    s = text
    for i in range(0, len(chain), 2):
        orig, dec = ORIGINALS[chain[i]], DECODERS[chain[i + 1]]
        try:
            s = dec.decode(s.encode(orig.members[0]))
        except (UnicodeEncodeError, UnicodeDecodeError):
            return None
    return None if s == text else s
