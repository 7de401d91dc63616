"""Coarse character classes shared by the model generator and the scorer."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

#: classes whose characters occur inside words (the n-gram tables cover them)
WORD_CLASSES = frozenset(
    {"han", "kana", "hangul", "latin", "halfwidth_kana", "other", "mark", "jamo", "bopomofo"}
)

_GEN_PUNCT = frozenset("‐‑‒–—―‖‗‘’‚‛“”„‟†‡•‣․‥…‧‰′″‹›※‼⁇⁈⁉")
# full-width punctuation CJK text uses all the time; the rest of the
# full-width forms block is "fullwidth" (rarer)
_CJK_PUNCT_FW = frozenset("！（），．：；？～")
_CJK_PUNCT_COMMON = frozenset("\u3000、。〃々〆〇〈〉《》「」『』【】〔〕〖〗〜")


@lru_cache(maxsize=65536)
def char_class(ch: str) -> str:
    o = ord(ch)
    if o < 0x80:
        if ch.isalpha():
            return "latin"
        if ch.isdigit():
            return "digit"
        if ch in " \t\n\r":
            return "space"
        if o < 0x20 or o == 0x7F:
            return "control"
        return "ascii_punct"
    if o < 0xA0:
        return "c1"
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3FFFF:
        return "han"
    if 0xF900 <= o <= 0xFAFF or 0x2E80 <= o <= 0x2FDF or o in (0x3005, 0x3007):
        return "han"
    if 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF:
        return "kana" if o not in (0x30FB,) else "cjk_punct"
    if 0xFF61 <= o <= 0xFF65:
        return "halfwidth_punct"
    if 0xFF66 <= o <= 0xFF9F:
        return "halfwidth_kana"
    if 0x3130 <= o <= 0x318F:
        return "jamo"  # compatibility jamo: ㅋㅋ, ㅠㅠ, ㄱㅅ in Korean chat
    if 0x3100 <= o <= 0x312F or 0x31A0 <= o <= 0x31BF:
        return "bopomofo"
    if 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF:
        return "hangul"
    if 0xA960 <= o <= 0xA97F or 0xD7B0 <= o <= 0xD7FF:
        return "hangul"
    if 0xE000 <= o <= 0xF8FF or o >= 0xF0000:
        return "pua"
    if o == 0xFFFD:
        return "replacement"
    if ch in _CJK_PUNCT_COMMON or ch in _CJK_PUNCT_FW or o == 0x00B7:
        return "space" if o == 0x3000 else "cjk_punct"
    if 0x3000 <= o <= 0x303F:
        return "symbol"
    if ch in _GEN_PUNCT:
        return "gen_punct"
    if 0xFF01 <= o <= 0xFFEF:
        return "fullwidth"
    cat = unicodedata.category(ch)
    if cat in ("Cn", "Cs"):
        return "unassigned"
    if cat[0] == "L":
        if o < 0x250 or 0x1E00 <= o <= 0x1EFF:
            return "latin"
        return "other"
    if cat[0] == "M":
        return "mark"
    if cat == "Nd":
        return "other"  # digits of other scripts (Arabic-Indic, Devanagari, ...)
    if cat in ("Zs", "Zl", "Zp"):
        return "latin1_punct" if o == 0xA0 else "space"
    if cat == "Cf":
        return "format"
    if cat[0] == "C":
        return "control"
    if o < 0x250:
        return "latin1_punct"
    if 0x370 <= o < 0x2000:
        return "other"  # punctuation of alphabetic scripts (Armenian ՜, Syriac ܋)
    if 0x2500 <= o <= 0x259F:
        return "box"
    return "symbol"
