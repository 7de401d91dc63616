"""Make mojibake the way real software does -- the tests' own small helper.

A chain is a tuple of names, innermost first, taken pairwise: ``("utf-8",
"gbk")`` means "encode as UTF-8, decode those bytes as GBK";
``("gbk", "latin-1", "utf-8", "cp1252")`` adds a second round.  Originals
encode with the first member of their family (``ORIGINALS[o].members[0]``),
decoders decode as browsers and Windows do (``DECODERS[d].decode``, strict).
"""

from __future__ import annotations

from encfix.codecs import DECODERS, ORIGINALS

__all__ = [
    "CHAINS_CROSS",
    "CHAINS_LEGACY",
    "CHAINS_UTF8",
    "LEGACY_LANGUAGES",
    "STACKED",
    "GarbleError",
    "garble",
    "garble_or_raise",
    "garble_some",
    "languages_for",
]

_SINGLE = ("latin-1", "cp1252", "cp1250", "cp1251", "cp437", "macroman")
_DOUBLE = ("gbk", "big5", "cp932", "euc-jp", "cp949")

#: UTF-8 read as every wrong decoder
CHAINS_UTF8: tuple[tuple[str, str], ...] = tuple(("utf-8", d) for d in _SINGLE + _DOUBLE)
#: legacy CJK originals read through a Western single-byte decoder
CHAINS_LEGACY: tuple[tuple[str, str], ...] = tuple(
    (o, d)
    for o in ("gbk", "big5", "shift_jis", "euc-jp", "euc-kr")
    for d in ("latin-1", "cp1252", "cp437", "macroman")
)
#: one legacy CJK encoding read as another
CHAINS_CROSS: tuple[tuple[str, str], ...] = (
    ("big5", "gbk"),
    ("gbk", "big5"),
    ("euc-kr", "gbk"),
    ("shift_jis", "gbk"),
)
#: more than one round of damage
STACKED: tuple[tuple[str, ...], ...] = (
    ("utf-8", "cp1252", "utf-8", "cp1252"),
    ("gbk", "latin-1", "utf-8", "cp1252"),
    ("utf-8", "gbk", "utf-8", "cp1252"),
    ("utf-8", "cp1252", "utf-8", "cp1252", "utf-8", "cp1252"),
)


#: the languages of sentences.json each legacy original is realistically used for
LEGACY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "gbk": ("zh-Hans",),
    "big5": ("zh-Hant",),
    "shift_jis": ("ja-kana", "ja-kanji"),
    "euc-jp": ("ja-kana", "ja-kanji"),
    "euc-kr": ("ko",),
}


def languages_for(chain: tuple[str, ...], langs: list[str] | tuple[str, ...]) -> list[str]:
    """The languages (of ``langs``) whose text ``chain`` realistically damages:
    every language for UTF-8, the language a legacy original is made for."""
    if chain[0] == "utf-8":
        return list(langs)
    return [lang for lang in langs if lang in LEGACY_LANGUAGES[chain[0]]]


class GarbleError(ValueError):
    """A step of the chain cannot carry the text losslessly."""


def garble_or_raise(text: str, chain: tuple[str, ...]) -> str:
    if len(chain) % 2 or not chain:
        raise ValueError(f"a chain is (original, decoder) pairs, not {chain!r}")
    s = text
    for i in range(0, len(chain), 2):
        orig, dec = ORIGINALS[chain[i]], DECODERS[chain[i + 1]]
        try:
            s = dec.decode(s.encode(orig.members[0]))
        except (UnicodeEncodeError, UnicodeDecodeError) as e:
            raise GarbleError(f"{chain[i]} -> {chain[i + 1]}: {e}") from e
    return s


def garble(text: str, chain: tuple[str, ...]) -> str | None:
    """``text`` pushed through ``chain``; None when some step is lossy or
    when the damage changes nothing."""
    try:
        s = garble_or_raise(text, chain)
    except GarbleError:
        return None
    return None if s == text else s


def garble_some(text: str, chain: tuple[str, ...], min_len: int = 8) -> tuple[str, str] | None:
    """``(original, garbled)``: the whole of ``text``, or -- when a double-byte
    decoder of the chain rejects it (UTF-8 CJK text has three bytes per
    character, so an odd number of characters leaves a lone byte) -- its longest
    prefix of at least ``min_len`` characters, not ending in whitespace, that
    goes through losslessly.  None when there is no such prefix."""
    bad = garble(text, chain)
    if bad is not None:
        return text, bad
    if not any(DECODERS[d].multibyte for d in chain[1::2]):
        return None
    for k in range(len(text) - 1, min_len - 1, -1):
        if text[k - 1].isspace():
            continue
        bad = garble(text[:k], chain)
        if bad is not None:
            return text[:k], bad
    return None
