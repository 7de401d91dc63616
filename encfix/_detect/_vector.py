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

numpy is imported only for texts of :data:`MIN_CHARS` characters or more,
and only once the regexes have scanned :data:`IMPORT_AFTER` characters of
such texts in the process (see :func:`use_for`)."""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from encfix._detect import _tables

if TYPE_CHECKING:
    from collections.abc import Iterable

#: texts shorter than this are scanned by the regexes alone
MIN_CHARS = 12_000
#: characters of long texts the regexes scan in a process before numpy is
#: imported for them: importing it (0.12 s) and building the tables (0.1 s)
#: cost what the regexes spend on some 6 million characters (36 ns a
#: character on clean CJK, against 9 ns for this pass), so a run that
#: repairs one file of 100 KB never pays for it, and a long one soon does
IMPORT_AFTER = 4_000_000
_scanned = 0


def use_for(n: int) -> bool:
    """Should a text of ``n`` characters be narrowed by this pass?  Only a
    long text, once the tables are built or the regexes have scanned
    :data:`IMPORT_AFTER` characters of long texts (the lines flagged are
    the same either way: this is a question of speed only)."""
    global _scanned
    if n < MIN_CHARS:
        return False
    if _build.cache_info().currsize:
        return True
    _scanned += n
    return _scanned > IMPORT_AFTER and available()


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
#: the seed regex: four characters; the Korean pattern's next space and
#: character: eight)
_PAD = 8
#: how far before a position the branches look (the Latin pattern: two
#: characters; a "?"'s rare neighbours: ``_lossy.RARE_REACH``, three)
_BEFORE = 3


#: characters one first pass takes at once: its arrays take some 13 bytes a
#: character and 9 more a candidate, so a long text is taken in pieces (a
#: little of the text on either side of a piece is read for its neighbours,
#: not marked)
CHUNK = 1 << 20


def candidate_lines(text: str, *, lossy: bool) -> list[tuple[int, int]]:
    """(start, end) of every line of ``text`` holding a position where one of
    the fast path's regexes may match (with ``lossy``, the loss hints' too),
    in order."""
    n = len(text)
    out: list[tuple[int, int]] = []
    for s in range(0, n, CHUNK):
        e = min(n, s + CHUNK)
        lo = max(0, s - _BEFORE)
        found = _marks(text[lo : min(n, e + _PAD)], lossy=lossy) + lo
        # (a memoryview reads Python ints, without converting every mark)
        marks = memoryview(found[(found >= s) & (found < e)])
        k = 0
        while k < len(marks):
            p = marks[k]
            ls = text.rfind("\n", 0, p) + 1
            le = text.find("\n", p)
            le = n if le < 0 else le
            if not out or out[-1][0] != ls:  # (a line across two pieces is one)
                out.append((ls, le))
            k = bisect_right(marks, le, k)
    return out


# --- the table of _keys: what a branch needs at a position, and before it
#: a branch may match here whatever precedes it: a seed's first character
#: (any bit of table A a seed branch requires at its position) and, with
#: ``lossy``, U+FFFD and "?"
ALONE = 1 << 0
#: PAIRS / WORDS / KOREAN of table B: a Latin, Greek-Cyrillic or Korean
#: pattern may match here if the character before has the bit
#: ``_BEFORE_SHIFT`` places higher
K_PAIRS = 1 << 1
K_WORDS = 1 << 2
K_KOREAN = 1 << 3
_BEFORE_SHIFT = 3
K_BEFORE_PAIRS = K_PAIRS << _BEFORE_SHIFT  # LETTER or SEP ("latin_before")
K_BEFORE_WORDS = K_WORDS << _BEFORE_SHIFT  # OPENER
K_BEFORE_KOREAN = K_KOREAN << _BEFORE_SHIFT  # SPACE_NL


@lru_cache(maxsize=2)
def _keys(lossy: bool) -> Any:
    """One byte per character (``ASTRAL`` last, so that ``np.take(..., mode=
    "clip")`` reads every astral character there): the bits above, drawn
    from tables A and B.  A position where no branch of :func:`_marks` can
    match has ``key[i] & ((key[i - 1] >> _BEFORE_SHIFT) | ALONE) == 0``:
    every branch requires either a bit of :data:`ALONE` at the position, or
    PAIRS, WORDS or KOREAN there and its companion bit just before."""
    import numpy as np

    ta, tb, leads, uppers = _build()
    ta, tb = ta[: ASTRAL + 1], tb[: ASTRAL + 1]
    seeds = SINGLE | LEAD | leads | uppers | (uppers << 1) | HIGH_ANY
    alone = (ta & seeds) != 0
    if lossy:
        alone |= (tb & (REPLACEMENT | QUESTION)) != 0
    key = np.where(alone, ALONE, 0).astype(np.uint8)
    for bit, needs in (
        (K_PAIRS, (tb & PAIRS) != 0),
        (K_WORDS, (tb & WORDS) != 0),
        (K_KOREAN, (tb & KOREAN) != 0),
        (K_BEFORE_PAIRS, (tb & (LETTER | SEP)) != 0),
        (K_BEFORE_WORDS, (tb & OPENER) != 0),
        (K_BEFORE_KOREAN, (tb & SPACE_NL) != 0),
    ):
        key[needs] |= bit
    return key


#: candidates whose branches are tested at once (a bound on the memory of a
#: text where most positions are candidates: some 100 bytes each)
_BATCH = 1 << 15


def _marks(text: str, *, lossy: bool) -> Any:
    """Positions in ``text`` where a branch of the fast path's regexes may
    match (a numpy array, in order); ``text`` is read as a whole text.

    Two steps: one byte of :func:`_keys` per character finds the positions
    where some branch could match at all (in clean CJK text, under 2% of
    them), and :func:`_branches` tests every branch there only.  Testing
    every branch at every position took some thirty passes over arrays of
    the whole text, five times as long on clean CJK text; a text of
    mojibake, where most positions are candidates, now takes about twice
    as long as it did (little beside the repair of such a text)."""
    import numpy as np

    n = len(text)
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    key = np.take(_keys(lossy), cp, mode="clip")
    # key[i] & ((key[i - 1] >> _BEFORE_SHIFT) | ALONE), in place; the first
    # position has nothing before it (none of the bits it may need there)
    may = np.empty(n, dtype=np.uint8)
    np.right_shift(key[:-1], _BEFORE_SHIFT, out=may[1:])
    may[:1] = 0
    np.bitwise_or(may, ALONE, out=may)
    np.bitwise_and(may, key, out=may)
    candidates = np.flatnonzero(may != 0)  # (quicker on a bool array)
    hit = np.zeros(len(candidates), dtype=bool)
    for s in range(0, len(candidates), _BATCH):
        pos = candidates[s : s + _BATCH]
        if pos[-1] - pos[0] < 2 * len(pos):
            # most positions in the span are candidates (mojibake): testing
            # every one reads the text in one run, quicker than gathering
            # each candidate's neighbours
            every = np.arange(pos[0], pos[-1] + 1)
            hit[s : s + _BATCH] = _branches(cp, every, lossy=lossy)[pos - pos[0]]
        else:
            hit[s : s + _BATCH] = _branches(cp, pos, lossy=lossy)
    return candidates[hit]


def _window(table: Any, cp: Any, pos: Any, first: int, last: int) -> Any:
    """``table`` read at the characters at offsets ``first`` to ``last``
    from each of the positions ``pos`` (in order, at least one) in the text
    of code points ``cp``: row ``d - first`` holds offset ``d`` (past either
    end of the text, ``table[END]``)."""
    import numpy as np

    n = len(cp)
    lo, hi = int(pos[0]) + first, int(pos[-1]) + last + 1
    if hi - lo == len(pos) + last - first:
        # every position from the first to the last: the characters from
        # lo to hi read once, each row a slice of them
        slot = np.full(hi - lo, END, dtype=np.intp)
        slot[max(0, -lo) : min(n, hi) - lo] = np.minimum(cp[max(0, lo) : hi], ASTRAL)
        return np.lib.stride_tricks.sliding_window_view(np.take(table, slot), len(pos))
    at = pos + np.arange(first, last + 1)[:, None]
    # (as np.intp: np.take would convert smaller indices)
    slot = np.minimum(np.take(cp, at, mode="clip"), ASTRAL, dtype=np.intp)
    if lo < 0 or hi > n:
        slot[(at < 0) | (at >= n)] = END
    return np.take(table, slot)


def _branches(cp: Any, pos: Any, *, lossy: bool) -> Any:
    """Which of the positions ``pos`` (in order) a branch of the fast path's
    regexes may match at, in the text of code points ``cp``: each branch's
    test on the characters around each position, read for all of them from
    two before to two after, and further for the few positions that need
    more (a high character, a Korean pattern, a "?")."""
    import numpy as np

    ta, tb, leads, uppers = _build()
    n = len(cp)
    a0, a1, a2 = _window(ta, cp, pos, 0, 2)
    b_2, b_1, b0, b1, b2 = _window(tb, cp, pos, -2, 2)

    # seeds
    hit = (a0 & SINGLE) != 0
    hit |= ((a0 & LEAD) != 0) & (((a1 & WEAK) != 0) | (((a1 & NONASCII) != 0) & ((a2 & WEAK) != 0)))
    hit |= (a0 & leads & (a1 >> 1)) != 0
    hit |= (a0 & uppers & (a1 >> 1)) != 0
    hit |= ((a0 >> 1) & uppers & a1) != 0
    hit |= ((a0 & uppers & a2) != 0) & ((a1 & ASC4X) != 0)
    # one high character three times, every other character (so the one two
    # on is high too)
    high = np.flatnonzero((a0 & a2 & HIGH_ANY) != 0)
    if len(high):
        p = pos[high]
        at0, at2, at4 = cp[p], np.take(cp, p + 2, mode="clip"), np.take(cp, p + 4, mode="clip")
        hit[high] |= (p + 4 < n) & (at0 == at2) & (at0 == at4)

    # Latin and Korean patterns
    latin_before = ((b_1 & LETTER) != 0) | (((b_2 & LOWER) != 0) & ((b_1 & SEP) != 0))
    latin_after = ((b1 & AFTER) != 0) | (((b1 & PAIRS) != 0) & ((b2 & AFTER) != 0))
    hit |= ((b0 & PAIRS) != 0) & latin_before & latin_after
    hit |= ((b0 & WORDS) != 0) & ((b_1 & OPENER) != 0) & ((b1 & WORDS) != 0) & ((b2 & WORDS) != 0)
    korean = np.flatnonzero(((b0 & KOREAN) != 0) & ((b_1 & SPACE_NL) != 0))
    if len(korean):
        # ... with a space followed by another such character within the
        # next 7 (row d - 1 of ``nb``: offset d)
        nb = _window(tb, cp, pos[korean], 1, _PAD)
        ahead = ((nb[:-1] & SPACE) != 0) & ((nb[1:] & KOREAN) != 0)
        hit[korean] |= ahead.any(axis=0)

    if lossy:
        hit |= (b0 & REPLACEMENT) != 0
        # a "?" beside non-ASCII text (the loss hint regex) ...
        near = (b_1 | b1 | b2) & NONASCII_NOT_IDSP
        q = np.flatnonzero(((b0 & QUESTION) != 0) & (near != 0))
        if len(q):
            # ... that _question_may_be_loss may take for a loss: a rare
            # character within RARE_REACH, a tag's tail after it, or a cut
            # UTF-8 character read as Windows-1252 before it (row
            # RARE_REACH + d of ``t``: offset d)
            from encfix._repair._lossy import RARE_REACH

            assert RARE_REACH <= _BEFORE  # (what candidate_lines reads before a piece)
            t = _window(_question_table(), cp, pos[q], -RARE_REACH, RARE_REACH)
            keep = (t[RARE_REACH + 1] & TAG_NEXT) != 0
            keep |= (t[RARE_REACH - 1] & CP1252_CONT) != 0
            keep |= ((t & RARE) != 0).any(axis=0)
            hit[q] |= keep
    return hit
