"""The fast path's first pass over a long text, vectorised with numpy.

``sre`` tests the fast path's large character classes at 10-30 ns a
character (:mod:`encfix._detect._tables`); looking every character up in one
table and combining neighbours with array operations costs a few.  This pass
finds the lines where one of the fast path's regexes *could* match: for each
of their branches it tests the characters the branch requires at fixed
offsets and drops the rest (what ``.`` and back-references leave free, the
Python checks after a hit).  It is a superset by construction -- every
position a regex can match is marked -- so the exact scanners then run over
the marked lines only, and the lines flagged are the same as a scan of the
whole text (``tests/test_fast_path.py`` compares the two).

numpy is imported only for texts of :data:`MIN_CHARS` characters or more
(its import would be most of a short run's start-up)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from encfix._detect import _tables

if TYPE_CHECKING:
    from collections.abc import Iterable

#: texts shorter than this are scanned by the regexes alone
MIN_CHARS = 12_000

#: table slots: every character beyond the Basic Multilingual Plane shares
#: one (``ASTRAL``); positions past the end of the text read ``END``
ASTRAL = 0x10000
END = 0x10001
_SLOTS = 0x10002

# --- table A: the seed regex
SINGLE = 1 << 0  # a character alone is enough (and "Ã")
LEAD = 1 << 1  # any character that leads the seed regex
WEAK = 1 << 2  # a weak CJK seed
NONASCII = 1 << 3
ASC4X = 1 << 4  # [\x40-\x7e]: the ASCII byte between two legacy high bytes
HIGH_ANY = 1 << 5  # a legacy high character of any single-byte decoder
#: UTF-8 lead / continuation bits of each single-byte decoder: lead at
#: ``1 << (UTF8_BASE + 2k)``, continuation one bit higher
UTF8_BASE = 6
#: legacy "upper" / "high" bits of each single-byte decoder (same layout)
LEGACY_BASE = 20

# --- table B: the pattern and loss regexes
PAIRS = 1 << 0  # what double-byte decoders make of UTF-8 accented letters
WORDS = 1 << 1  # ... of Greek and Cyrillic letters
KOREAN = 1 << 2  # what GBK makes of EUC-KR Hangul
LETTER = 1 << 3  # [A-Za-z]
LOWER = 1 << 4  # [a-z]
SEP = 1 << 5  # [ ,;:]
AFTER = 1 << 6  # [A-Za-z0-9 ,.;:!?\n] and the end: what may follow a Latin pattern
SPACE_NL = 1 << 7  # [ \n]
OPENER = 1 << 8  # [ \n("']
SPACE = 1 << 9  # " "
QUESTION = 1 << 10  # "?"
REPLACEMENT = 1 << 11  # U+FFFD
NONASCII_NOT_IDSP = 1 << 12  # [^\x00-\x7f\u3000]


@lru_cache(maxsize=1)
def available() -> bool:
    """Can numpy be imported (asked once)?"""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True


def _chars(s: str) -> list[tuple[int, int]]:
    return [(ord(c), ord(c)) for c in s]


@lru_cache(maxsize=1)
def _build() -> tuple[Any, Any, int, int]:
    """The two lookup tables, built from the same tables as the regexes, and
    the masks of all UTF-8 lead bits and all legacy "upper" bits."""
    import numpy as np

    data = _tables._data()
    fast = data["fast"]
    assert isinstance(fast, dict)
    a = np.zeros(_SLOTS, dtype=np.uint32)
    b = np.zeros(_SLOTS, dtype=np.uint16)

    def fill(table: Any, ranges: Iterable[tuple[int, int]], bit: int) -> None:
        for lo, hi in ranges:
            if lo <= 0xFFFF:
                table[lo : min(hi, 0xFFFF) + 1] |= bit
            if hi > 0xFFFF:
                table[ASTRAL] |= bit

    single = _tables._unpack(fast["single"])
    fill(a, [*single, (0xC3, 0xC3)], SINGLE)
    leads = list(single)
    utf8 = list(fast["utf8"].values())
    legacy = list(fast["legacy"].values())
    assert UTF8_BASE + 2 * len(utf8) <= LEGACY_BASE and LEGACY_BASE + 2 * len(legacy) <= 32
    for k, (lead, cont) in enumerate(utf8):
        fill(a, _tables._unpack(lead), 1 << (UTF8_BASE + 2 * k))
        fill(a, _tables._unpack(cont), 1 << (UTF8_BASE + 2 * k + 1))
        leads += _tables._unpack(lead)
    for k, (high, upper) in enumerate(legacy):
        fill(a, _tables._unpack(upper), 1 << (LEGACY_BASE + 2 * k))
        fill(a, _tables._unpack(high), (1 << (LEGACY_BASE + 2 * k + 1)) | HIGH_ANY)
        leads += _tables._unpack(high)
    weak = _tables._unpack(fast["cjk"])
    fill(a, [*leads, *weak], LEAD)
    fill(a, weak, WEAK)
    fill(a, [(0x80, 0x10FFFF)], NONASCII)
    fill(a, [(0x40, 0x7E)], ASC4X)

    fill(b, _tables._unpack(str(data["utf8_pairs"])), PAIRS)
    fill(b, _tables._unpack(str(data["utf8_word_pairs"])), WORDS)
    fill(b, _tables._unpack(str(data["korean_as_gbk"])), KOREAN)
    fill(b, [(0x41, 0x5A), (0x61, 0x7A)], LETTER)
    fill(b, [(0x61, 0x7A)], LOWER)
    fill(b, _chars(" ,;:"), SEP)
    fill(b, [(0x41, 0x5A), (0x61, 0x7A), (0x30, 0x39), *_chars(" ,.;:!?\n")], AFTER)
    b[END] |= AFTER  # (the end of the text)
    fill(b, _chars(" \n"), SPACE_NL)
    fill(b, _chars(" \n(\"'"), OPENER)
    fill(b, _chars(" "), SPACE)
    fill(b, _chars("?"), QUESTION)
    fill(b, _chars("\ufffd"), REPLACEMENT)
    fill(b, [(0x80, 0x2FFF), (0x3001, 0x10FFFF)], NONASCII_NOT_IDSP)
    leads_mask = sum(1 << (UTF8_BASE + 2 * k) for k in range(len(utf8)))
    uppers_mask = sum(1 << (LEGACY_BASE + 2 * k) for k in range(len(legacy)))
    return a, b, leads_mask, uppers_mask


# --- the table of _question_table
RARE = 1 << 0  # a non-ASCII character _lossy._rare calls rare
CP1252_CONT = 1 << 1  # what Windows-1252 makes of a UTF-8 continuation byte
TAG_NEXT = 1 << 2  # "?" and "/": what follows a "?" that swallowed a tag's "<"


@lru_cache(maxsize=1)
def _question_table() -> Any:
    """Per character: :data:`RARE`, :data:`CP1252_CONT`, :data:`TAG_NEXT`
    (the first from the unigram table the lossy search judges rarity by)."""
    import numpy as np

    from encfix import model
    from encfix._repair._lossy import RARE_COST

    t = np.zeros(_SLOTS, dtype=np.uint8)
    codes = np.frombuffer(model._unigram_table().encode("latin-1"), dtype=np.uint8)
    assert len(codes) >= 0x80
    rare = codes / model.UNIGRAM_SCALE >= RARE_COST
    rare[:0x80] = False
    t[: len(codes)][rare] |= RARE
    # beyond the table (and the BMP) unigram_cost reads "?"
    if ord("?") / model.UNIGRAM_SCALE >= RARE_COST:
        t[len(codes) : 0x10000] |= RARE
        t[ASTRAL] |= RARE
    for byte in range(0x80, 0xC0):
        try:
            t[ord(bytes([byte]).decode("cp1252"))] |= CP1252_CONT
        except UnicodeDecodeError:
            continue
    t[ord("?")] |= TAG_NEXT
    t[ord("/")] |= TAG_NEXT
    return t


#: how far past a position the branches look (the back-reference branch of
#: the seed regex: four characters; a "?"'s rare neighbours: three)
_PAD = 8


#: characters one first pass takes at once: its arrays take some 30 bytes
#: a character, so a long text is taken in pieces (a little of the text on
#: either side of a piece is read for its neighbours, not marked)
CHUNK = 1 << 20
#: characters before a position the branches look at
_BEFORE = 2


def candidate_lines(text: str, *, lossy: bool) -> list[tuple[int, int]]:
    """(start, end) of every line of ``text`` holding a position where one of
    the fast path's regexes may match (with ``lossy``, the loss hints' too),
    in order."""
    import numpy as np

    n = len(text)
    out: list[tuple[int, int]] = []
    for s in range(0, n, CHUNK):
        e = min(n, s + CHUNK)
        lo = max(0, s - _BEFORE)
        marks = _marks(text[lo : min(n, e + _PAD)], lossy=lossy) + lo
        marks = marks[(marks >= s) & (marks < e)]
        k = 0
        while k < len(marks):
            p = int(marks[k])
            ls = text.rfind("\n", 0, p) + 1
            le = text.find("\n", p)
            le = n if le < 0 else le
            if not out or out[-1][0] != ls:  # (a line across two pieces is one)
                out.append((ls, le))
            k = int(np.searchsorted(marks, le, side="right"))
    return out


def _marks(text: str, *, lossy: bool) -> Any:
    """Positions in ``text`` where a branch of the fast path's regexes may
    match (a numpy array, in order); ``text`` is read as a whole text."""
    import numpy as np

    ta, tb, leads, uppers = _build()
    n = len(text)
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    # two slots before the text and some after it read END; the character at
    # offset d from position i is then at idx[2 + i + d]
    idx = np.full(n + 2 + _PAD, END, dtype=np.uint32)
    np.minimum(cp, ASTRAL, out=idx[2 : n + 2])
    a = np.take(ta, idx)
    b = np.take(tb, idx)
    a0, a1, a2 = a[2 : n + 2], a[3 : n + 3], a[4 : n + 4]
    b_2, b_1, b0, b1, b2 = b[0:n], b[1 : n + 1], b[2 : n + 2], b[3 : n + 3], b[4 : n + 4]

    # seeds
    hit = (a0 & SINGLE) != 0
    hit |= ((a0 & LEAD) != 0) & (((a1 & WEAK) != 0) | (((a1 & NONASCII) != 0) & ((a2 & WEAK) != 0)))
    hit |= (a0 & leads & (a1 >> 1)) != 0
    hit |= (a0 & uppers & (a1 >> 1)) != 0
    hit |= ((a0 >> 1) & uppers & a1) != 0
    hit |= ((a0 & uppers & a2) != 0) & ((a1 & ASC4X) != 0)
    if n > 4:
        # one high character three times, every other character
        rep = np.zeros(n, dtype=bool)
        rep[: n - 4] = (cp[: n - 4] == cp[2 : n - 2]) & (cp[: n - 4] == cp[4:n])
        hit |= rep & ((a0 & HIGH_ANY) != 0)

    # Latin and Korean patterns
    latin_before = ((b_1 & LETTER) != 0) | (((b_2 & LOWER) != 0) & ((b_1 & SEP) != 0))
    latin_after = ((b1 & AFTER) != 0) | (((b1 & PAIRS) != 0) & ((b2 & AFTER) != 0))
    hit |= ((b0 & PAIRS) != 0) & latin_before & latin_after
    hit |= ((b0 & WORDS) != 0) & ((b_1 & OPENER) != 0) & ((b1 & WORDS) != 0) & ((b2 & WORDS) != 0)
    korean = ((b0 & KOREAN) != 0) & ((b_1 & SPACE_NL) != 0)
    # ... with a space followed by another such character within the next 7
    spaced = np.zeros(n + 8, dtype=bool)
    spaced[:n] = ((b0 & SPACE) != 0) & ((b1 & KOREAN) != 0)
    ahead = spaced[1 : n + 1].copy()
    for d in range(2, 8):
        ahead |= spaced[d : n + d]
    hit |= korean & ahead

    if lossy:
        hit |= (b0 & REPLACEMENT) != 0
        # a "?" beside non-ASCII text (the loss hint regex) ...
        near = (b_1 | b1 | b2) & NONASCII_NOT_IDSP
        q = np.flatnonzero(((b0 & QUESTION) != 0) & (near != 0))
        if len(q):
            # ... that _question_may_be_loss may take for a loss: a rare
            # character within RARE_REACH, a tag's tail after it, or a cut
            # UTF-8 character read as Windows-1252 before it
            from encfix._repair._lossy import RARE_REACH

            tc = _question_table()
            at = q + 2
            keep = (np.take(tc, idx[at + 1]) & TAG_NEXT) != 0
            keep |= (np.take(tc, idx[at - 1]) & CP1252_CONT) != 0
            for d in range(-RARE_REACH, RARE_REACH + 1):
                keep |= (np.take(tc, idx[at + d]) & RARE) != 0
            hit[q[keep]] = True

    return np.flatnonzero(hit)
