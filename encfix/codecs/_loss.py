"""Decoder models: exact, forward simulations of how real decoders *lose*
bytes when they decode bytes with the wrong double-byte CJK encoding.

A :class:`~encfix.codecs.Decoder` says which character a byte sequence maps
to; a :class:`LossModel` says what a particular real decoder does with the
sequences that map to nothing.  CPython replaces one byte at a time, browsers
swallow a whole invalid pair but give back an ASCII trail byte, glibc's
``iconv -c`` drops one or two bytes depending on the converter, and so on.
A repair search hypothesises original bytes and keeps a hypothesis only if
pushing it through one of these models reproduces the observed text exactly,
so every model here is deterministic and its rule is spelt out in the
docstring of the function that implements it.

Models (``LOSS_MODELS``, keyed by :attr:`LossModel.name`):

``cpython-replace``  CPython codecs, ``errors="replace"`` (:func:`_cpython_replace`)
``cpython-ignore``   CPython codecs, ``errors="ignore"`` (:func:`_cpython_ignore`)
``whatwg``           WHATWG Encoding Standard decoders, replacement mode (:func:`_whatwg`)
``iconv-c``          glibc ``iconv -c`` (:func:`_iconv_c`)
``windows-question`` ``whatwg`` consumption, every error shown as ``?`` / ``・`` (:func:`_windows_question`)
``whatwg-question``  ``whatwg``, then every U+FFFD replaced by ``?`` (:func:`_whatwg_question`)
``pua-dropped``      ``whatwg``, then U+E000-U+F8FF removed (:func:`_pua_dropped`)

Damage transforms that are not whole-stream decoders: :func:`slipped` (the
stream read one byte out of step), :func:`swallowing` (an invalid lead
swallows an ASCII trail byte) and :func:`nfkc`.

No byte table is written out here.  Which byte sequence maps to which
character always comes from a CPython codec: ``DECODERS[name]`` (encfix's own
view of the decoder) for the browser-like models, a named CPython codec for
``cpython-*`` and ``iconv-c``.  What is hand-written is only the *shape* of
each algorithm - which bytes may lead, which trail bytes are looked up at all,
how many bytes an error consumes - as the WHATWG algorithms and glibc's
converters define it.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache

from encfix.codecs import DECODERS

__all__ = ["LOSS_MODELS", "LossModel", "nfkc", "slipped", "swallowing"]

#: the encfix decoder names every model accepts
_MULTIBYTE = ("gbk", "big5", "cp932", "euc-jp", "cp949")

#: what CPython users call for each decoder (``cpython-*`` models)
_CPYTHON = {"gbk": "gbk", "big5": "big5", "cp932": "cp932", "euc-jp": "euc_jp", "cp949": "cp949"}

_REPLACEMENT = "\ufffd"


def _check(decoder: str) -> None:
    if decoder not in _MULTIBYTE:
        raise ValueError(f"loss models cover the double-byte decoders {_MULTIBYTE}, not {decoder!r}")


@dataclass(frozen=True, slots=True)
class LossModel:
    """A named way in which a real decoder loses the bytes it cannot decode."""

    #: stable id used in explanations and JSON
    name: str
    #: one plain sentence
    description: str
    _decode: Callable[[bytes, str], str] = field(repr=False, compare=False)

    def decode(self, data: bytes, decoder: str) -> str:
        """``data`` decoded as the double-byte ``decoder`` ("gbk", "big5",
        "cp932", "euc-jp" or "cp949") the way this model's decoder does.

        Never raises for any ``data``; raises :class:`ValueError` for any
        other decoder name."""
        _check(decoder)
        return self._decode(data, decoder)


# ------------------------------------------------------------------ cpython


def _cpython_replace(data: bytes, decoder: str) -> str:
    """``data.decode(codec, "replace")`` with codec gbk->``gbk``, big5->``big5``,
    cp932->``cp932``, euc-jp->``euc_jp``, cp949->``cp949``.

    Measured on CPython 3.11 (every lead byte 0x80-0xFF followed by every byte
    0x00-0xFF, plus random strings), the rule of its CJK codecs is:

    * In mid-stream every error is exactly **one byte**: an invalid single
      byte, or a lead byte whose next byte does not complete a valid
      sequence, gives one U+FFFD for the lead byte alone, and decoding resumes
      at the very next byte.  That byte is decoded afresh, ASCII or not, and
      may itself start a pair (``A1 81 40`` in gbk -> U+FFFD, U+4E02).
      euc_jp's three-byte ``8F xx yy`` is no exception: an invalid one costs
      ``8F`` only.
    * At the end of input a truncated sequence is **one** U+FFFD for all of
      its bytes: a lone lead byte in every codec, and in euc_jp ``8F``
      followed by any single byte, so ``8F 41`` at the end loses the ``A``
      (``8F 41 41`` gives U+FFFD ``AA``).
    * cp932 decodes 0x80, 0xA0 and 0xFD-0xFF as single characters (U+0080,
      U+F8F0-U+F8F3): they are not errors.  gbk and big5 refuse 0x80 (no
      euro sign), unlike the WHATWG decoders.

    (CPython's gb18030, not used here, also folds a truncated four-byte
    sequence of two or three bytes into one U+FFFD.)"""
    return data.decode(_CPYTHON[decoder], "replace")


def _cpython_ignore(data: bytes, decoder: str) -> str:
    """``data.decode(codec, "ignore")`` with the codecs of
    :func:`_cpython_replace`: exactly the bytes covered by its U+FFFD are
    dropped (one byte per error in mid-stream, the whole truncated sequence at
    the end of input), nothing else changes."""
    return data.decode(_CPYTHON[decoder], "ignore")


# ------------------------------------------------------------------- whatwg

#: (lead byte ranges, trail byte ranges) blocks of pairs to look up
_Shape = tuple[tuple[tuple[range, ...], tuple[range, ...]], ...]

#: WHATWG algorithm shape per decoder: the pairs for which a pointer is
#: computed and the index consulted.  The index itself is DECODERS[name].
_WHATWG_PAIRS: dict[str, _Shape] = {
    # gb18030 decoder: lead 0x81-0xFE, trail 0x40-0x7E or 0x80-0xFE
    "gbk": (((range(0x81, 0xFF),), (range(0x40, 0x7F), range(0x80, 0xFF))),),
    # Big5 decoder: lead 0x81-0xFE, trail 0x40-0x7E or 0xA1-0xFE
    "big5": (((range(0x81, 0xFF),), (range(0x40, 0x7F), range(0xA1, 0xFF))),),
    # Shift_JIS decoder: lead 0x81-0x9F or 0xE0-0xFC, trail 0x40-0x7E or 0x80-0xFC
    "cp932": (((range(0x81, 0xA0), range(0xE0, 0xFD)), (range(0x40, 0x7F), range(0x80, 0xFD))),),
    # EUC-JP decoder: JIS X 0208 pairs 0xA1-0xFE twice; 0x8E then 0xA1-0xDF
    "euc-jp": (
        ((range(0xA1, 0xFF),), (range(0xA1, 0xFF),)),
        ((range(0x8E, 0x8F),), (range(0xA1, 0xE0),)),
    ),
    # EUC-KR decoder: lead 0x81-0xFE, trail 0x41-0xFE
    "cp949": (((range(0x81, 0xFF),), (range(0x41, 0xFF),)),),
}

#: bytes a WHATWG decoder turns into a character by themselves (beside ASCII)
_WHATWG_SINGLES: dict[str, tuple[int, ...]] = {
    "gbk": (0x80,),  # U+20AC
    "big5": (),
    "cp932": (0x80, *range(0xA1, 0xE0)),  # U+0080, halfwidth katakana
    "euc-jp": (),
    "cp949": (),
}

#: bytes a WHATWG decoder keeps as a lead (waits for the next byte)
_WHATWG_LEADS: dict[str, frozenset[int]] = {
    "gbk": frozenset(range(0x81, 0xFF)),
    "big5": frozenset(range(0x81, 0xFF)),
    "cp932": frozenset((*range(0x81, 0xA0), *range(0xE0, 0xFD))),
    "euc-jp": frozenset((0x8E, 0x8F, *range(0xA1, 0xFF))),
    "cp949": frozenset(range(0x81, 0xFF)),
}


def _table(decode: Callable[[bytes], str], shape: _Shape) -> dict[int, str]:
    """``lead << 8 | trail`` -> text for every pair of ``shape`` that ``decode`` accepts."""
    out: dict[int, str] = {}
    for leads, trails in shape:
        for lr in leads:
            for lead in lr:
                for tr in trails:
                    for trail in tr:
                        with contextlib.suppress(UnicodeDecodeError):
                            out[lead << 8 | trail] = decode(bytes((lead, trail)))
    return out


@cache
def _whatwg_pairs(decoder: str) -> dict[int, str]:
    return _table(DECODERS[decoder].decode, _WHATWG_PAIRS[decoder])


@cache
def _whatwg_singles(decoder: str) -> dict[int, str]:
    return {b: DECODERS[decoder].decode(bytes((b,))) for b in _WHATWG_SINGLES[decoder]}


@lru_cache(maxsize=4096)
def _gb18030_four(seq: bytes) -> str | None:
    """A gb18030 four-byte sequence (shape already checked), or None if the
    strict gb18030 codec refuses it (the index gb18030 ranges gaps)."""
    try:
        return DECODERS["gbk"].decode(seq)
    except UnicodeDecodeError:
        return None


@cache
def _jis0212(second: int, third: int) -> str | None:
    """EUC-JP ``8F second third`` (both in 0xA1-0xFE), or None."""
    try:
        return DECODERS["euc-jp"].decode(bytes((0x8F, second, third)))
    except UnicodeDecodeError:
        return None


def _whatwg_scan(data: bytes, decoder: str, error: str, swallow: bool) -> str:
    """The WHATWG decoder algorithm for ``decoder``, every error written as
    ``error``; with ``swallow`` an ASCII byte after an invalid lead is
    consumed with it instead of being put back.  See :func:`_whatwg`."""
    pairs = _whatwg_pairs(decoder)
    singles = _whatwg_singles(decoder)
    leads = _WHATWG_LEADS[decoder]
    gb18030 = decoder == "gbk"
    eucjp = decoder == "euc-jp"
    out: list[str] = []
    n = len(data)
    i = 0
    while i < n:
        b = data[i]
        if b < 0x80:
            out.append(chr(b))
            i += 1
            continue
        if b in singles:
            out.append(singles[b])
            i += 1
            continue
        if b not in leads:
            out.append(error)
            i += 1
            continue
        if i + 1 >= n:  # end of stream with a lead pending
            out.append(error)
            break
        b2 = data[i + 1]
        if gb18030 and 0x30 <= b2 <= 0x39:
            # four-byte form: first, second (digit), third (0x81-0xFE), fourth (digit)
            if i + 2 >= n:
                out.append(error)  # end of stream: one error, the digit is lost too
                break
            b3 = data[i + 2]
            if not 0x81 <= b3 <= 0xFE:
                out.append(error)  # second and third byte go back to the stream
                i += 1
                continue
            if i + 3 >= n:
                out.append(error)
                break
            b4 = data[i + 3]
            if not 0x30 <= b4 <= 0x39:
                out.append(error)  # second, third and fourth byte go back
                i += 1
                continue
            four = _gb18030_four(data[i : i + 4])
            out.append(error if four is None else four)  # a null range pointer costs all four
            i += 4
            continue
        if eucjp and b == 0x8F:
            if 0xA1 <= b2 <= 0xFE:  # JIS X 0212: the second byte becomes the lead
                if i + 2 >= n:
                    out.append(error)
                    break
                b3 = data[i + 2]
                ch = _jis0212(b2, b3) if 0xA1 <= b3 <= 0xFE else None
                if ch is not None:
                    out.append(ch)
                    i += 3
                else:
                    out.append(error)
                    i += 2 if b3 < 0x80 and not swallow else 3
                continue
            out.append(error)
            i += 1 if b2 < 0x80 and not swallow else 2
            continue
        ch = pairs.get(b << 8 | b2)
        if ch is not None:
            out.append(ch)
            i += 2
        else:
            out.append(error)
            i += 1 if b2 < 0x80 and not swallow else 2
    return "".join(out)


def _whatwg(data: bytes, decoder: str) -> str:
    """The decoders of the WHATWG Encoding Standard (encoding.spec.whatwg.org)
    in *replacement* error mode ("Encodings" > "Decoders and encoders"), as
    browsers decode a page: "gbk" is the "gb18030 decoder" (GBK's decoder is
    gb18030's; "Legacy multi-byte Chinese (simplified) encodings"), "big5"
    the "Big5 decoder" ("... (traditional) encodings"), "cp932" the
    "Shift_JIS decoder" and "euc-jp" the "EUC-JP decoder" ("Legacy multi-byte
    Japanese encodings"), "cp949" the "EUC-KR decoder" ("Legacy multi-byte
    Korean encodings").  This follows the current text, in which an error
    never swallows an ASCII byte in EUC-JP or EUC-KR either; earlier
    revisions (and the text-encoding 0.7 polyfill, which follows them) did
    in some cases - see :func:`swallowing` for decoders that always do.

    Implemented as the spec's byte-by-byte algorithms (restoring a byte "to
    ioQueue" is simply not advancing past it); *which* pair is valid and what
    it maps to comes from ``DECODERS[decoder]`` (CPython's gb18030 with
    0x80 -> U+20AC for "gbk", big5hkscs with A3E1 -> U+20AC for "big5", cp932,
    euc_jp, cp949), not from the spec's index files.  The rule:

    * ASCII bytes are themselves.  Single bytes with their own character:
      0x80 (U+20AC) in gb18030, 0x80 (U+0080) and 0xA1-0xDF (halfwidth
      katakana) in Shift_JIS.  Any other byte that cannot lead - 0xFF
      everywhere, 0x80 in Big5 and EUC-KR, 0xA0 and 0xFD-0xFF in Shift_JIS,
      0x80-0x8D, 0x90-0xA0 in EUC-JP - is one U+FFFD.
    * A lead byte and the next byte form a pair.  A valid pair is its
      character (Big5 pointers 1133, 1135, 1164, 1166 are two code points).
      An invalid pair is ONE U+FFFD for both bytes - unless the second byte
      is ASCII, in which case the error consumes the lead only and the ASCII
      byte is decoded again (the "prepend" steps).
    * A lead byte alone at the end of input is one U+FFFD.
    * gb18030: a lead followed by 0x30-0x39 starts a four-byte sequence
      ``lead digit 0x81-0xFE digit``.  If the third byte is out of range, or
      the fourth is not a digit, the error consumes the lead only and the
      other bytes are decoded again.  A well-formed four-byte sequence that
      the strict gb18030 codec refuses (a gap of the index gb18030 ranges) is
      one U+FFFD for all four bytes.  A sequence cut off by the end of input
      is one U+FFFD for all its bytes, so ``81 30`` at the end loses the
      ``0`` (the one case where the standard lets an error mask an ASCII
      byte).
    * EUC-JP: ``8E`` pairs with 0xA1-0xDF (halfwidth katakana); ``8F`` with
      0xA1-0xFE makes that second byte a JIS X 0212 lead for a third byte,
      and an invalid third byte makes one U+FFFD for ``8F`` and the second
      byte together (plus the third unless it is ASCII).

    Differences from browsers come only from the mapping tables (see
    ``DECODERS``), never from the byte consumption."""
    return _whatwg_scan(data, decoder, _REPLACEMENT, False)


def _windows_question(data: bytes, decoder: str) -> str:
    """Windows ``MultiByteToWideChar``-style output: the byte consumption of
    :func:`_whatwg`, but each error is the code page's default character
    instead of U+FFFD: ``?`` (U+003F), or ``・`` (U+30FB) for "cp932".  A
    U+FFFD that a valid byte sequence maps to (gb18030 ``84 31 A4 37``) is
    kept."""
    return _whatwg_scan(data, decoder, "\u30fb" if decoder == "cp932" else "?", False)


def _whatwg_question(data: bytes, decoder: str) -> str:
    """:func:`_whatwg`, then every U+FFFD in the result replaced by ``?``:
    the browser's text saved through a legacy code page that has no U+FFFD.
    Unlike ``windows-question`` this also turns a U+FFFD decoded from a valid
    sequence (gb18030 ``84 31 A4 37``) into ``?``."""
    return _whatwg(data, decoder).replace(_REPLACEMENT, "?")


def _pua_dropped(data: bytes, decoder: str) -> str:
    """:func:`_whatwg`, then every character in U+E000-U+F8FF (the BMP
    private-use area, where GBK's user-defined rows, Big5's and cp932's
    user-defined areas land) removed, as copy and paste between applications
    without those fonts often does.  Supplementary private-use planes are
    kept."""
    return "".join(c for c in _whatwg(data, decoder) if not "\ue000" <= c <= "\uf8ff")


# --------------------------------------------------------------- glibc iconv

#: the CPython codec whose mapping each glibc converter agrees with
#: (GBK, BIG5-HKSCS, CP932, EUC-JP, CP949)
_GLIBC_CODEC = {"gbk": "gbk", "big5": "big5hkscs", "cp932": "cp932", "euc-jp": "euc_jp", "cp949": "cp949"}

#: bytes glibc's converter treats as a lead (waits for a second byte)
_GLIBC_LEADS: dict[str, frozenset[int]] = {
    "gbk": frozenset(range(0x81, 0xFF)),
    "big5": frozenset(range(0x81, 0xFF)),
    "cp932": frozenset((*range(0x81, 0xA0), *range(0xE0, 0xFD))),
    "euc-jp": frozenset((0x8E, *range(0xA1, 0xFF))),  # 0x8F is handled apart
    "cp949": frozenset(b for b in range(0x81, 0xFE) if b != 0xC9),
}

#: cp932.c's table blocks (first and last code of each): a pair outside them
#: is rejected before the table is consulted
_GLIBC_CP932_BLOCKS = (
    (0x8140, 0x84BE),
    (0x8740, 0x879C),
    (0x889F, 0x88FC),
    (0x8940, 0x9FFC),
    (0xE040, 0xEAA4),
    (0xED40, 0xEEFC),
    (0xF040, 0xFC4B),
)


@cache
def _glibc_pairs(decoder: str) -> dict[int, str]:
    codec = _GLIBC_CODEC[decoder]
    leads = tuple(range(b, b + 1) for b in sorted(_GLIBC_LEADS[decoder]))
    return _table(lambda b: b.decode(codec), ((leads, (range(0x40, 0x100),)),))  # no trail is below 0x40


@cache
def _glibc_singles(decoder: str) -> dict[int, str]:
    if decoder == "gbk":
        return {0x80: DECODERS["gbk"].decode(b"\x80")}  # gbk.c: euro sign as in CP936
    if decoder == "big5":
        return {0x80: "\x80"}  # big5hkscs.c passes 0x80 through
    if decoder == "cp932":
        return {b: bytes((b,)).decode("cp932") for b in range(0xA1, 0xE0)}
    if decoder == "euc-jp":
        return {b: chr(b) for b in (*range(0x80, 0x8E), *range(0x90, 0xA0))}  # C1 controls pass through
    return {}


def _glibc_skip(decoder: str, lead: int, trail: int) -> int:
    """Bytes glibc skips for the invalid pair ``lead trail``."""
    if decoder == "gbk":
        return 1 if trail < 0x40 or (lead == 0xFE and trail > 0xA0) else 2
    if decoder == "cp932":
        if trail < 0x40 or trail == 0x7F or trail > 0xFC:
            return 1
        code = lead << 8 | trail
        return 2 if any(lo <= code <= hi for lo, hi in _GLIBC_CP932_BLOCKS) else 1
    if decoder == "cp949":
        return 2 if lead >= 0xA1 and 0xA1 <= trail <= 0xFE else 1
    return 1  # BIG5-HKSCS and EUC-JP always skip the lead only


@cache
def _glibc_jis0212(second: int, third: int) -> str | None:
    try:
        return bytes((0x8F, second, third)).decode("euc_jp")
    except UnicodeDecodeError:
        return None


def _iconv_c(data: bytes, decoder: str) -> str:
    """glibc ``iconv -c -f CHARSET -t UTF-8``, CHARSET being GBK, BIG5-HKSCS,
    CP932, EUC-JP or CP949 for gbk, big5, cp932, euc-jp, cp949: invalid input
    is dropped silently.  Measured against glibc 2.36's ``iconv`` program on
    every lead/trail pair and on random strings (``tests/test_loss.py``
    repeats the comparison wherever ``iconv`` exists), and matching the
    range checks of glibc's ``iconvdata`` converters.  The rule:

    * The mapping is that of a CPython codec glibc agrees with: ``gbk``,
      ``big5hkscs``, ``cp932``, ``euc_jp``, ``cp949``.  Single bytes beside
      ASCII: GBK 0x80 -> U+20AC, BIG5-HKSCS 0x80 -> U+0080, CP932 0xA1-0xDF
      (halfwidth katakana), EUC-JP 0x80-0x8D and 0x90-0x9F -> the C1 control
      of the same number.  Any other byte that is not a lead is dropped (one
      byte): GBK/BIG5-HKSCS 0xFF, CP932 0x80, 0xA0, 0xFD-0xFF, EUC-JP 0xA0,
      0xFF, CP949 0x80, 0xC9, 0xFE, 0xFF.
    * A lead byte whose following byte does not complete a valid pair is
      dropped, and with it the following byte when glibc's converter found
      the pair inside its table and unmapped:

      - GBK drops the lead only when the trail is below 0x40 or the pair is
        past FEA0 (``FE A1``-``FE FE``), otherwise both bytes, ASCII trail
        or not (``A1 41`` -> nothing);
      - CP932 drops the lead only when the trail is below 0x40, 0x7F or above
        0xFC, or the pair lies outside glibc's table blocks 8140-84BE,
        8740-879C, 889F-88FC, 8940-9FFC, E040-EAA4, ED40-EEFC, F040-FC4B;
        otherwise both bytes;
      - CP949 drops both bytes of an unmapped pair with both bytes in
        0xA1-0xFE (the KS X 1001 square), otherwise the lead only;
      - BIG5-HKSCS and EUC-JP always drop the lead only, and decoding
        resumes at the next byte.

    * EUC-JP ``8F`` followed by 0xA1-0xFE and a third byte is a JIS X 0212
      character if ``euc_jp`` decodes the three bytes; otherwise ``8F`` alone
      is dropped.  ``8F`` followed by any other byte is dropped alone.
    * A sequence cut off by the end of input (a lead byte alone, or EUC-JP
      ``8F`` + 0xA1-0xFE) is dropped whole ("incomplete character" - iconv
      exits with status 1 but writes everything before it).

    Known differences from the real converters, all in the mapping tables:
    glibc's BIG5-HKSCS maps about 70 HKSCS-2008 pairs CPython's big5hkscs
    lacks and lacks a few (A15A, A1C3, A1C5, A1FE, A240, A2CC, A2CE) that it
    has; and glibc 2.36's CP949 writes garbage for ``A2 E8``, which is
    modelled as dropped."""
    pairs = _glibc_pairs(decoder)
    singles = _glibc_singles(decoder)
    leads = _GLIBC_LEADS[decoder]
    eucjp = decoder == "euc-jp"
    out: list[str] = []
    n = len(data)
    i = 0
    while i < n:
        b = data[i]
        if b < 0x80:
            out.append(chr(b))
            i += 1
        elif b in singles:
            out.append(singles[b])
            i += 1
        elif eucjp and b == 0x8F:
            if i + 1 >= n:
                break
            b2 = data[i + 1]
            if not 0xA1 <= b2 <= 0xFE:
                i += 1
                continue
            if i + 2 >= n:
                break
            ch = _glibc_jis0212(b2, data[i + 2])
            if ch is None:
                i += 1
            else:
                out.append(ch)
                i += 3
        elif b in leads:
            if i + 1 >= n:
                break
            b2 = data[i + 1]
            ch = pairs.get(b << 8 | b2)
            if ch is None:
                i += _glibc_skip(decoder, b, b2)
            else:
                out.append(ch)
                i += 2
        else:
            i += 1
    return "".join(out)


# ----------------------------------------------------------------- registry

LOSS_MODELS: dict[str, LossModel] = {
    m.name: m
    for m in (
        LossModel(
            "cpython-replace",
            "CPython's codecs with errors='replace': each undecodable byte becomes one U+FFFD and decoding "
            "resumes at the next byte; a sequence cut off by the end of input becomes one U+FFFD.",
            _cpython_replace,
        ),
        LossModel(
            "cpython-ignore",
            "CPython's codecs with errors='ignore': each undecodable byte is dropped and decoding resumes at "
            "the next byte.",
            _cpython_ignore,
        ),
        LossModel(
            "whatwg",
            "Browsers (WHATWG Encoding Standard decoders): an invalid pair becomes one U+FFFD, but an ASCII "
            "byte after an invalid lead byte is kept.",
            _whatwg,
        ),
        LossModel(
            "iconv-c",
            "glibc's iconv -c: undecodable bytes are dropped silently, the lead alone or the whole pair as "
            "each glibc converter decides.",
            _iconv_c,
        ),
        LossModel(
            "windows-question",
            "Windows MultiByteToWideChar-style decoding: every error becomes '?' ('・' for Shift_JIS), "
            "bytes consumed as browsers do.",
            _windows_question,
        ),
        LossModel(
            "whatwg-question",
            "A browser's decoding saved through a legacy code page: every U+FFFD became '?'.",
            _whatwg_question,
        ),
        LossModel(
            "pua-dropped",
            "A browser's decoding whose private-use characters (U+E000-U+F8FF) were lost in copy and paste.",
            _pua_dropped,
        ),
    )
}


# ---------------------------------------------------------------- transforms


def swallowing(data: bytes, decoder: str, *, marker: str = "?") -> str:
    """``data`` decoded by a pre-Encoding-Standard decoder that always takes
    the byte after a lead byte with it.

    Exactly :func:`_whatwg`'s algorithm (same tables, same consumption
    everywhere else) except that an invalid lead + ASCII trail pair is ONE
    error for both bytes instead of an error for the lead and the ASCII byte
    decoded again - the ASCII byte is "masked", the behaviour the Encoding
    Standard's security background warns about.  Every error, including
    invalid single bytes and a lead alone at the end, is ``marker``.  In
    gb18030 a lead followed by a digit still follows the four-byte rules of
    the standard (the digit is not swallowed as a trail)."""
    _check(decoder)
    return _whatwg_scan(data, decoder, marker, True)


def slipped(data: bytes, decoder: str, at: int, *, marker: str = "?", swallow: bool = False) -> str:
    """A double-byte stream read one byte out of step from ``at`` on.

    ``data[:at]`` is decoded on its own, as a complete stream; the byte
    ``data[at]`` (typically a lead byte left alone at a block boundary)
    becomes ``marker`` whatever it is; ``data[at + 1:]`` is decoded on its own
    from its first byte, i.e. starting on what really is a trail byte, so the
    decoder pairs each trail with the next lead until an ASCII byte (or an
    error) brings it back in step.  Both parts use the ``whatwg`` model
    (errors U+FFFD), or with ``swallow`` the :func:`swallowing` decoder
    (errors ``marker``).

    >>> nfkc(slipped("。”重慶市".encode("gbk"), "gbk", 0))
    '?!敝貞c市'

    (``A1|A3 A1|B1 D6|D8 91|63|CA D0``: 慶 = ``91 63`` loses its lead and the
    ASCII ``c`` resynchronises the stream.)

    >>> nfkc("非" + slipped("常可怕”</a>".encode("gbk"), "gbk", 0, swallow=True))
    '非??膳隆?/a>'

    (``B3|A3 BF|C9 C5|C2 A1|B1 3C|/a>``: the stray lead ``B1`` of ” swallows
    the ``<``.)

    Raises :class:`IndexError` unless ``0 <= at < len(data)``."""
    _check(decoder)
    if not 0 <= at < len(data):
        raise IndexError(f"slip position {at} outside {len(data)} bytes")
    if swallow:
        return (
            swallowing(data[:at], decoder, marker=marker)
            + marker
            + swallowing(data[at + 1 :], decoder, marker=marker)
        )
    return _whatwg(data[:at], decoder) + marker + _whatwg(data[at + 1 :], decoder)


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``: fullwidth ``！？`` become
    ``!?``, as many scrapers and search indexes store text."""
    return unicodedata.normalize("NFKC", text)
