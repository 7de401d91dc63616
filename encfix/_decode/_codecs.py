"""The codecs :func:`encfix.decode` chooses among, and tolerant decoding.

Each candidate has a *family* (members that share a layout and differ in a
few cells or in how far they extend: GB2312/GBK/GB18030), a *rank* inside
its family (0 = narrowest), a *prior* (nats added to its score: how rare the
encoding is a priori) and the label reported for it.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = [
    "CANDIDATES",
    "EDGE_COST",
    "ERROR_COST",
    "HEAD_COST",
    "Candidate",
    "by_label",
    "decode_run",
    "label_of",
    "lookup",
]

#: cost (nats) of one byte no candidate reading explains (it becomes U+FFFD):
#: more than the rarest character (the unigram table stops at 32 nats)
ERROR_COST = 40.0
#: cost of a byte dropped at an edge of the data: a leading trail byte, or an
#: incomplete final sequence (a window cut out of a longer text)
EDGE_COST = 3.0
#: cost of skipping the first byte as a trail byte cut from its lead: about
#: what a rare character costs, so that a start that reads at all is kept
#: unless the reading it starts is garbage
HEAD_COST = 20.0


@dataclass(frozen=True, slots=True)
class Candidate:
    label: str  # reported name (IANA / WHATWG style)
    codec: str  # Python codec name
    family: str
    rank: int
    prior: float
    multibyte: bool


def _c(label: str, codec: str, family: str, rank: int, prior: float, multibyte: bool = True) -> Candidate:
    return Candidate(label, codec, family, rank, prior, multibyte)


#: every ASCII-compatible candidate, CJK multi-byte first
CANDIDATES: tuple[Candidate, ...] = (
    _c("gb2312", "gb2312", "gb", 0, 0.0),
    _c("gbk", "gbk", "gb", 1, 0.0),
    _c("gb18030", "gb18030", "gb", 2, 0.0),
    _c("big5", "big5", "big5", 0, 0.0),
    _c("cp950", "cp950", "big5", 1, 0.0),
    _c("big5-hkscs", "big5hkscs", "big5", 2, 0.5),
    _c("shift_jis", "shift_jis", "sjis", 0, 0.0),
    _c("cp932", "cp932", "sjis", 1, 0.0),
    _c("euc-jp", "euc_jp", "eucjp", 0, 0.0),
    _c("euc-jis-2004", "euc_jis_2004", "eucjp", 1, 1.0),
    _c("euc-kr", "euc_kr", "euckr", 0, 0.0),
    _c("cp949", "cp949", "euckr", 1, 0.0),
    _c("johab", "johab", "johab", 0, 6.0),
    # single-byte code pages: Latin, Cyrillic, Greek, Turkish, Baltic, Hebrew, Arabic, Thai
    _c("windows-1252", "cp1252", "latin", 0, 0.0, False),
    _c("iso-8859-1", "latin_1", "latin", 1, 1.0, False),
    _c("iso-8859-15", "iso8859_15", "latin", 2, 2.0, False),
    _c("macintosh", "mac_roman", "mac", 0, 4.0, False),
    _c("windows-1250", "cp1250", "cp1250", 0, 2.0, False),
    _c("iso-8859-2", "iso8859_2", "iso8859_2", 0, 3.0, False),
    _c("windows-1254", "cp1254", "cp1254", 0, 3.0, False),
    _c("windows-1257", "cp1257", "cp1257", 0, 3.0, False),
    _c("windows-1251", "cp1251", "cp1251", 0, 1.0, False),
    _c("koi8-r", "koi8_r", "koi8", 0, 1.5, False),
    _c("koi8-u", "koi8_u", "koi8", 1, 2.5, False),
    _c("iso-8859-5", "iso8859_5", "iso8859_5", 0, 3.0, False),
    _c("ibm866", "cp866", "cp866", 0, 3.0, False),
    _c("x-mac-cyrillic", "mac_cyrillic", "maccyr", 0, 4.0, False),
    _c("windows-1253", "cp1253", "cp1253", 0, 2.0, False),
    _c("iso-8859-7", "iso8859_7", "iso8859_7", 0, 3.0, False),
    _c("windows-1255", "cp1255", "cp1255", 0, 3.0, False),
    _c("windows-1256", "cp1256", "cp1256", 0, 3.0, False),
    _c("windows-874", "cp874", "cp874", 0, 3.0, False),
)

_BY_CODEC = {codecs.lookup(c.codec).name.replace("-", "_"): c for c in CANDIDATES}
_BY_LABEL = {c.label: c for c in CANDIDATES}

#: labels for codecs that are not candidates of the legacy search
_OTHER_LABELS = {
    "utf_8": "utf-8",
    "utf_8_sig": "utf-8-sig",
    "utf_16": "utf-16",
    "utf_16_le": "utf-16-le",
    "utf_16_be": "utf-16-be",
    "utf_32": "utf-32",
    "utf_32_le": "utf-32-le",
    "utf_32_be": "utf-32-be",
    "ascii": "ascii",
    "hz": "hz",
    "iso2022_jp": "iso-2022-jp",
    "iso2022_jp_1": "iso-2022-jp-1",
    "iso2022_jp_2": "iso-2022-jp-2",
    "iso2022_jp_3": "iso-2022-jp-3",
    "iso2022_jp_ext": "iso-2022-jp-ext",
    "iso2022_jp_2004": "iso-2022-jp-2004",
    "iso2022_kr": "iso-2022-kr",
}


def lookup(name: str) -> str:
    """The Python codec behind an encoding name (``LookupError`` if unknown)."""
    return codecs.lookup(name).name.replace("-", "_")


def label_of(name: str) -> str:
    """The label encfix reports for an encoding name ("cp936" -> "gbk" style normalisation
    only where Python names the same codec)."""
    try:
        codec = lookup(name)
    except LookupError:
        return name.lower()
    cand = _BY_CODEC.get(codec)
    if cand is not None:
        return cand.label
    return _OTHER_LABELS.get(codec, codec.replace("_", "-"))


def by_label(label: str) -> Candidate | None:
    return _BY_LABEL.get(label)


def candidate_for(name: str) -> Candidate | None:
    """The candidate for an encoding name, if it is one."""
    try:
        return _BY_CODEC.get(lookup(name))
    except LookupError:
        return None


def decode_run(
    data: bytes, codec: str, *, at_start: bool = False, at_end: bool = False
) -> tuple[str, int, int]:
    """Decode ``data`` with ``codec`` strictly, tolerating a cut edge.

    Returns ``(text, head, tail)``: ``head`` bytes skipped at the start (a
    trail byte, only when ``at_start``), ``tail`` bytes of an incomplete
    final sequence left undecoded (only when ``at_end``).  Raises
    ``UnicodeDecodeError`` when no tolerated reading is strict.
    """
    try:
        return data.decode(codec), 0, 0
    except UnicodeDecodeError as e:
        first = e
    starts = (0, 1) if at_start else (0,)
    for head in starts:
        body = data[head:]
        if at_end:
            dec = codecs.getincrementaldecoder(codec)("strict")
            try:
                text = dec.decode(body, final=False)
            except UnicodeDecodeError:
                continue
            pending = len(dec.getstate()[0])
            if pending < 4:
                return text, head, pending
        elif head:
            try:
                return body.decode(codec), head, 0
            except UnicodeDecodeError:
                continue
    raise first
