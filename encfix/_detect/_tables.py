"""Lazy access to the generated tables in ``data/tables.json``, and the fast
path built from them.

The fast path is a few compiled regexes, each led by one character class
(so CPython's ``sre`` skips every character outside it in C), looking for:

* a *strong* seed (a character only single-byte code pages make of high
  bytes, a C1 control, a private-use character) -- always suspicious;
* a *weak* seed (a rare CJK character, half-width katakana, a box-drawing
  symbol...) -- suspicious only next to another one (:func:`weak_pair`);
* one or two of the characters double-byte decoders make of UTF-8 accented
  letters, inside, ending or after a Latin word ("caf\u8fbf de");
* short runs of Han characters separated by spaces (:func:`spaced_regex`:
  Korean word spacing read as Chinese).
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache, lru_cache, partial
from pathlib import Path

from encfix import _regex
from encfix._detect import _vector

_CJK = "\u3400-\u9fff\uf900-\ufaff\uac00-\ud7a3\uff61-\uff9f"
_HAN = "\u4e00-\u9fff"

#: one or two CJK characters inside a Latin word, or ending a lower-case one:
#: how a double-byte decoder reads UTF-8 accented letters ("rembours챕s",
#: "caff猫 vicino", "Le caf辿 de")
SANDWICH = f"[A-Za-z]([{_CJK}]{{1,2}})[A-Za-z]|[a-z]([{_CJK}]{{1,2}})(?=[ ,.;:!?]|$)"
SANDWICH_RE = _regex.compile(SANDWICH)


@lru_cache(maxsize=1)
def _data() -> dict[str, object]:
    raw = (_DATA / "tables.json").read_text("utf-8")
    data: dict[str, object] = json.loads(raw)
    return data


#: "to the end of the text" for a scanner's ``endpos``
_NO_END = 2**62

#: package data, next to this module (read directly: importlib.resources
#: costs a tenth of a second at start-up under some installers)
_DATA = Path(__file__).resolve().parent / "data"


def _ranges(name: str, key: str) -> list[tuple[int, int]]:
    decoders = _data()["decoders"]
    assert isinstance(decoders, dict)
    return _unpack(decoders[name][key])


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _class(ranges: list[tuple[int, int]]) -> str:
    parts = []
    for a, b in ranges:
        if a == b:
            parts.append(re.escape(chr(a)))
        else:
            parts.append(re.escape(chr(a)) + "-" + re.escape(chr(b)))
    return "".join(parts)


@lru_cache(maxsize=1)
def _korean_class() -> str:
    packed = _data()["korean_as_gbk"]
    assert isinstance(packed, str)
    return _class([(ord(packed[i]), ord(packed[i + 1])) for i in range(0, len(packed), 2)])


@lru_cache(maxsize=1)
def word_regex() -> re.Pattern[str]:
    """A whole word of the characters double-byte decoders make of UTF-8's
    Greek and Cyrillic letters (group 1): such text read as CJK
    ("袪邪斜芯褌邪 薪邪写")."""
    pairs = _class(_packed("utf8_word_pairs"))
    return _regex.compile(f"(?:^|(?<=[ \\n(\"']))([{pairs}]{{3,}})(?=[ \\n,.!?:;)\"']|$)", re.MULTILINE)


def _starts_suspicious(text: str) -> bool:
    """The fast path's patterns that need a character before them, at the
    very start of ``text``."""
    return spaced_regex().match(text) is not None or word_regex().match(text) is not None


@lru_cache(maxsize=1)
def spaced_regex() -> re.Pattern[str]:
    """Two short runs of the characters GBK makes of EUC-KR Hangul, separated
    by a space: Korean word spacing read as Chinese ("弊霸 扁夯捞促.")."""
    k = _korean_class()
    return _regex.compile(f"(?:^|(?<=[ \n]))[{k}]{{1,6}}[.,!?]? [{k}]", re.MULTILINE)


@cache
def _union(key: str) -> tuple[tuple[int, int], ...]:
    """The ranges of every decoder's ``key`` ("strong", "weak") seeds."""
    union = _data()["seed_union"]
    assert isinstance(union, dict)
    return tuple(_unpack(union[key]))


def has_seed(text: str) -> bool:
    """Does ``text`` hold a strong or weak seed of any decoder?"""
    kinds = text.translate(seed_kinds())
    if "s" in kinds or "w" in kinds:
        return True
    if text.isascii():
        return False
    # beyond the BMP, the table cannot say
    return any(_within(_weak_starts(), m.group()) for m in ASTRAL_RE.finditer(text))


@lru_cache(maxsize=1)
def _weak_starts() -> tuple[list[int], Sequence[tuple[int, int]]]:
    ranges = _union("weak")
    return [a for a, _ in ranges], ranges


def compute_nfkc_folds() -> tuple[dict[str, str], dict[str, str]]:
    """What NFKC folds into one character, and into runs of two or three:
    result -> the Basic Multilingual Plane characters that fold into it
    (with this Python's Unicode data)."""
    single: dict[str, str] = {}
    multi: dict[str, str] = {}
    for cp in range(0xA0, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        f = unicodedata.normalize("NFKC", c)
        if f != c and len(f) == 1:
            single[f] = single.get(f, "") + c
        elif 2 <= len(f) <= 3:
            multi[f] = multi.get(f, "") + c
    return single, multi


@lru_cache(maxsize=1)
def nfkc_folds() -> tuple[dict[str, str], dict[str, str]]:
    """:func:`compute_nfkc_folds`, as shipped in the tables (computing it
    takes 30 ms of start-up) when they were built with this Python's
    Unicode version, else computed."""
    shipped = _data().get("nfkc_folds")
    if isinstance(shipped, dict) and shipped.get("unidata") == unicodedata.unidata_version:
        return shipped["single"], shipped["multi"]
    return compute_nfkc_folds()


@lru_cache(maxsize=1)
def seed_kinds() -> str:
    """A ``str.translate`` table for the Basic Multilingual Plane: "s" for a
    strong seed, "w" for a weak one, "." for anything else (characters
    beyond it are left as they are).  Finding the seeds of a line is then
    one call in C and a search for two letters."""
    table = bytearray(b"." * 0x10000)
    for key, mark in (("weak", b"w"), ("strong", b"s")):  # strong wins
        for a, b in _union(key):
            if a <= 0xFFFF:
                b = min(b, 0xFFFF)
                table[a : b + 1] = mark * (b - a + 1)
    return table.decode("latin-1")


def _packed(key: str) -> list[tuple[int, int]]:
    packed = _data()[key]
    assert isinstance(packed, str)
    return [(ord(packed[i]), ord(packed[i + 1])) for i in range(0, len(packed), 2)]


def _fast_class(packed: str) -> str:
    """A class for ``packed``'s ranges, written so that ``sre`` tests it in
    constant time: a class holding any character beyond U+FFFF is compiled
    to a list of ranges searched one by one (thousands, for the CJK seeds),
    so the astral part becomes an alternative of its own, coarsened to one
    range (the astral seeds are HKSCS characters of the CJK extension
    planes: a few more characters of those planes are let through)."""
    ranges = _unpack(packed)
    bmp = [(a, min(b, 0xFFFF)) for a, b in ranges if a <= 0xFFFF]
    astral = [(max(a, 0x10000), b) for a, b in ranges if b > 0xFFFF]
    if not astral:
        return f"[{_class(bmp)}]"
    return f"(?:[{_class(bmp)}]|[{_class([(astral[0][0], astral[-1][1])])}])"


def _unpack(packed: str) -> list[tuple[int, int]]:
    codes = iter(map(ord, packed))
    return list(zip(codes, codes, strict=True))


#: the fast path's regexes, by name, in :func:`fast_regexes`' order
FAST_NAMES = ("seeds", "patterns")


def fast_sources(data: dict[str, object]) -> dict[str, str]:
    """Sources of the fast path's regexes, built from the tables ``data``
    (``build_tables`` stores them in ``tables.json``: building them takes a
    twentieth of a second, which every run of the CLI would pay).

    Each regex starts with one character class, so ``sre`` skips everything
    outside it in C; the checks that follow are lookbehinds on the character
    found, so the branches share that lead (an alternation of differently
    led branches would defeat the skip and run five times slower).  The seed
    regex's branches, in order: a character alone enough (``single``); a
    UTF-8 lead read by a single-byte decoder followed by a continuation read
    by the same one; two high-byte characters of a legacy CJK text read by a
    single-byte decoder; and last a weak CJK seed with another at most one
    non-ASCII character further (confirmed by :func:`weak_pair`; the branch
    does not test the lead itself, its class is the largest).  Only the Basic
    Multilingual Plane is scanned; the few seeds beyond it (HKSCS) are found
    by the span search once a line is looked at."""
    fast = data["fast"]
    assert isinstance(fast, dict)
    lead: list[tuple[int, int]] = []
    branches = []
    single, cjk = fast["single"], fast["cjk"]
    lead += _unpack(single)
    branches.append(f"(?<={_fast_class(single)})")
    for lead_chars, cont in fast["utf8"].values():
        lead += _unpack(lead_chars)
        branches.append(f"(?<={_fast_class(lead_chars)}){_fast_class(cont)}")
    high_classes: list[str] = []
    for high, upper in fast["legacy"].values():
        lead += _unpack(high)
        h, u = _fast_class(high), _fast_class(upper)
        branches.append(f"(?<={u}){h}|(?<={h}){u}|(?<={u})[\\x40-\\x7e]{u}")
        high_classes.append(h)
    # one lead byte three times, every other character ("âxâïâxâb")
    branches.append(f"(?<=(?P<rep>{'|'.join(high_classes)}))[^\\x00-\\x20](?P=rep)[^\\x00-\\x20](?P=rep)")
    # a word-final "à" whose NBSP (UTF-8 C3 A0 read as Latin-1) became a space
    branches.append("(?<=[a-z]\u00c3)(?= |$)")
    lead += _unpack(cjk)
    w = _fast_class(cjk)
    branches.append(f"(?=[^\\x00-\\x7f]?{w})")
    seeds = _class([(a, min(b, 0xFFFF)) for a, b in _merge(lead) if a <= 0xFFFF])
    pairs_r = _unpack(str(data["utf8_pairs"]))
    words_r = _unpack(str(data["utf8_word_pairs"]))
    k_r = _unpack(str(data["korean_as_gbk"]))
    pairs, words, k = _class(pairs_r), _class(words_r), _class(k_r)

    # The Latin and Korean patterns are about an ASCII character followed by
    # a CJK one.  Led by the ASCII one they would stop at every letter and
    # space of markup and English; led by the CJK character, with the ASCII
    # one before it tested first by one lookbehind shared by all branches,
    # CJK text costs one failed lookbehind per character (five times faster
    # on scraped pages, as fast on CJK text).  After a character of
    # ``pairs``, with or without a second one, the ASCII context around it
    # (the lookbehinds skip what was consumed); each class is written as few
    # times as it can be: compiling them is most of the CLI's start-up.
    def latin(n: int) -> str:
        dots = "." * n
        return (
            # accented letters read as CJK inside or ending a Latin word
            f"(?<=[A-Za-z]{dots})[A-Za-z]|(?<=[a-z]{dots})(?=[ ,.;:!?\\n]|\\Z)"
            # ... or standing alone after one ("voil\u00e0 \ud6aa la")
            f"|(?<=[a-z][ ,;:]{dots})(?=[ a-z0-9,.;:!?])"
        )

    patterns = (
        f"(?<=[{pairs}])(?:[{pairs}](?:{latin(2)})|(?:{latin(1)}))",
        # Korean word spacing read as Chinese
        f"(?P<ko>(?<=[ \\n][{k}])[{k}]{{0,5}}[.,!?]? [{k}])",
        # a whole word of them: Cyrillic, Greek or accented text read as CJK
        f"(?P<word>(?<=[ \\n(\"'][{words}])[{words}]{{2,}}(?=[ \\n,.!?:;)\"']|\\Z))",
    )
    before = "(?<=[A-Za-z ,;:\\n(\"'].)"
    sources = (
        f"[{seeds}](?:{'|'.join(branches)})",
        f"[{_class(_merge(pairs_r + words_r + k_r))}]{before}(?:{'|'.join(patterns)})",
    )
    return dict(zip(FAST_NAMES, sources, strict=True))


@lru_cache(maxsize=1)
def fast_regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The fast path's scanners (see :func:`fast_sources`): seeds; the Latin
    and Korean patterns."""
    sources = _data()["fast_patterns"]
    assert isinstance(sources, dict)
    seeds, patterns = (_regex.compile(sources[n]) for n in FAST_NAMES)
    return seeds, patterns


class CharSet:
    """Membership in sorted code point ranges: one byte per character of the
    Basic Multilingual Plane (filled range by range, in C: building a
    frozenset of the 29,000 weak CJK seeds took a tenth of the CLI's
    start), the ranges beyond it searched."""

    __slots__ = ("_bmp", "_ranges", "_starts")

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        table = bytearray(0x10000)
        astral: list[tuple[int, int]] = []
        for a, b in ranges:
            if a <= 0xFFFF:
                top = min(b, 0xFFFF)
                table[a : top + 1] = b"\x01" * (top - a + 1)
            if b > 0xFFFF:
                astral.append((max(a, 0x10000), b))
        self._bmp = bytes(table)
        self._ranges = astral
        self._starts = [a for a, _ in astral]

    def __contains__(self, ch: object) -> bool:
        if not isinstance(ch, str) or len(ch) != 1:
            return False
        o = ord(ch)
        if o <= 0xFFFF:
            return self._bmp[o] == 1
        return _within((self._starts, self._ranges), ch)


@lru_cache(maxsize=1)
def _singles() -> CharSet:
    """Leads whose one-character matches of the seed regex are suspicious:
    the ``single`` class, and the "Ã" of a lost NBSP (every other
    one-character match is a weak CJK seed, for :func:`weak_pair`)."""
    fast = _data()["fast"]
    assert isinstance(fast, dict)
    return CharSet([*_unpack(fast["single"]), (0xC3, 0xC3)])


@lru_cache(maxsize=1)
def _cjk_weak() -> CharSet:
    fast = _data()["fast"]
    assert isinstance(fast, dict)
    return CharSet(_unpack(fast["cjk"]))


def weak_pair(text: str, i: int) -> bool:
    """Is the weak seed at ``i`` followed closely enough by another one?

    The next character, if it is a different weak seed; or the one after,
    across a non-ASCII character.  A run of one symbol (``━━━``, ``★★``) is
    decoration, and an ASCII character between two seeds (``ㅜ.ㅜ``,
    ``−Q−``) cannot sit inside a double-byte character, so it ends the
    span: mojibake of a longer text shows adjacent seeds."""
    weak = _cjk_weak()
    ch = text[i]
    j = i + 1
    if j >= len(text):
        return False
    nxt = text[j]
    if nxt in weak and nxt != ch:
        return True
    if nxt.isascii() or nxt == ch or j + 1 >= len(text):
        return False
    return text[j + 1] in weak


def _next_seed(text: str, pos: int, endpos: int = _NO_END) -> int:
    seed_rx = fast_regexes()[0]
    weak = _cjk_weak()
    while True:
        m = seed_rx.search(text, pos, endpos)
        if m is None:
            return -1
        i = m.start()
        ch = text[i]
        end = m.end()
        if end > i + 2 or (end == i + 2 and text[i + 1] != ch):
            return i
        if end == i + 1 and ((ch in weak and weak_pair(text, i)) or ch in _singles()):
            return i
        # a weak seed alone, or a run of one symbol ("━━━", "──"): decoration
        pos = i + 1
        while pos < len(text) and text[pos] == ch:
            pos += 1


_LATIN_LETTER = _regex.compile("[A-Za-z\u00c0-\u024f]")
_CJK_LETTER = _regex.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3\uf900-\ufaff\U00020000-\U0003ffff]")


#: what a line of a page holds besides its prose: tag names (escaped or
#: not), character references and addresses
_MARKUP = _regex.compile(r"(?:&lt;|<)/?[A-Za-z][\w:-]*|&#?\w+;|(?:https?|ftp)://[^\s\"'<>&]+")


def latin_line(line: str) -> bool:
    """Is ``line`` mostly Latin letters?  Only there is a CJK character
    beside a Latin word a sign of accented letters read as CJK; in CJK text
    it is just a word ("Mars跟Joart", "CF的").  Markup does not count: a
    Chinese article in an RSS feed's escaped HTML ("&lt;br /&gt;" between
    its sentences) is CJK text."""
    if "<" in line or "&" in line or "://" in line:
        line = _MARKUP.sub(" ", line)
    return len(_LATIN_LETTER.findall(line)) > 2 * len(_CJK_LETTER.findall(line))


def _line_at(text: str, i: int) -> str:
    return text[text.rfind("\n", 0, i) + 1 : (text.find("\n", i) + 1 or len(text) + 1) - 1]


def _next_pattern(
    text: str, pos: int, rx: re.Pattern[str], whole_lines: bool = True, endpos: int = _NO_END
) -> int:
    line_start, latin = -1, False  # the last line judged, and whether it is Latin text
    while True:
        m = rx.search(text, pos, endpos)
        if m is None:
            return -1
        i = m.start()
        if not whole_lines or m.group("ko") or m.group("word"):
            return i
        ls = text.rfind("\n", 0, i) + 1
        if ls != line_start:
            line_start, latin = ls, latin_line(_line_at(text, i))
        if latin:
            return i
        pos = i + 1


def weak_pairs(line: str) -> Iterator[tuple[int, int] | None]:
    """The weak seed pairs that made the fast path flag ``line``, as (i, j)
    positions, one at a time as the scan finds them; ``None`` (and nothing
    after it) once something other than a weak pair flags the line."""
    if _starts_suspicious(line) or _next_pattern(line, 0, fast_regexes()[1]) >= 0:
        yield None
        return
    rx = fast_regexes()[0]
    weak = _cjk_weak()
    pos = 0
    while True:
        m = rx.search(line, pos)
        if m is None:
            return
        i = m.start()
        ch = line[i]
        end = m.end()
        if end > i + 2 or (end == i + 2 and line[i + 1] != ch) or (end == i + 1 and ch in _singles()):
            yield None
            return
        if end == i + 1 and ch in weak and weak_pair(line, i):
            yield i, i + 1 if line[i + 1] in weak and line[i + 1] != ch else i + 2
        pos = i + 1


def find_suspicious(text: str, pos: int = 0, *, whole_lines: bool = True) -> int:
    """Index of the first place in ``text`` (from ``pos``) that needs a
    closer look, or -1: the fast path.  ``whole_lines=False`` says ``text``
    is a fragment of a line, too short to tell whether the line is Latin
    text: CJK characters in Latin words then count wherever they are."""
    if pos == 0 and _starts_suspicious(text):
        return 0
    best = _next_seed(text, pos)
    i = _next_pattern(text, pos, fast_regexes()[1], whole_lines)
    if i >= 0 and (best < 0 or i < best):
        best = i
    return best


@cache
def _starts(name: str, key: str) -> tuple[list[int], Sequence[tuple[int, int]]]:
    ranges = _ranges(name, key)
    return [a for a, _ in ranges], ranges


def _within(table: tuple[list[int], Sequence[tuple[int, int]]], ch: str) -> bool:
    """Is ``ch`` in the sorted ranges of ``table`` (their starts, the ranges)?"""
    starts, ranges = table
    i = bisect_right(starts, ord(ch)) - 1
    return i >= 0 and ord(ch) <= ranges[i][1]


def _in(name: str, key: str, ch: str) -> bool:
    return _within(_starts(name, key), ch)


_SEED_OF: dict[str, frozenset[str]] = {}


def seed_decoders(ch: str) -> frozenset[str]:
    """The decoders that produce ``ch`` as a (strong or weak) seed (memoised)."""
    names = _SEED_OF.get(ch)
    if names is None:
        decoders = _data()["decoders"]
        assert isinstance(decoders, dict)
        names = _SEED_OF[ch] = frozenset(n for n in decoders if _in(n, "strong", ch) or _in(n, "weak", ch))
    return names


def all_encodable(name: str, chars: Iterable[str]) -> bool:
    """Can decoder ``name`` produce every one of ``chars`` from one or two bytes?"""
    return all(_in(name, "encodable", c) for c in chars)


@cache
def encodable_regex(name: str) -> re.Pattern[str]:
    """Maximal runs of characters decoder ``name`` can have produced."""
    return _regex.compile("[" + _class(_ranges(name, "encodable")) + "]+")


@cache
def non_ascii_encodable_regex(name: str) -> re.Pattern[str]:
    """Maximal runs of non-ASCII characters decoder ``name`` can have produced."""
    ranges = [(max(a, 0x80), b) for a, b in _ranges(name, "encodable") if b >= 0x80]
    return _regex.compile("[" + _class(ranges) + "]+")


#: seeds beyond the Basic Multilingual Plane (HKSCS characters Big5 reads)
ASTRAL_RE = _regex.compile("[\U00020000-\U0003ffff]")


#: loss markers a lossy repair may explain: U+FFFD anywhere, "?" beside a
#: non-ASCII character (in ASCII text -- URLs of a scraped page -- it is a
#: question mark); :func:`_question_may_be_loss` has the last word
_LOSS_HINT = _regex.compile("\ufffd|\\?(?:(?<=[^\\x00-\\x7f\u3000]\\?)|(?=[\\s\\S]?[^\\x00-\\x7f\u3000]))")


def _next_loss(text: str, pos: int, endpos: int = _NO_END) -> int:
    from encfix._repair._lossy import _question_may_be_loss

    while True:
        m = _LOSS_HINT.search(text, pos, endpos)
        if m is None:
            return -1
        i = m.start()
        if text[i] != "?" or (not _ends_line(text, i) and _question_may_be_loss(text, i)):
            return i
        pos = i + 1


def _ends_line(text: str, i: int) -> bool:
    """Does the "?" at ``i`` end its line (spaces aside)?  Alone, it does not
    make the line worth a lossy search: a slip shows in the text after the
    lost lead byte ("幫助?!敝貞c"), and the bytes of a lost last character
    are gone with it.  Where mojibake stands before it ("鏂囦欢?"), its
    seeds flag the line, and the search still reads the "?"."""
    j = i + 1
    n = len(text)
    while j < n and text[j] in " \t\r\u3000":
        j += 1
    return j >= n or text[j] == "\n"


def suspicious_lines(text: str, *, lossy: bool = False) -> Iterator[tuple[int, int]]:
    """(start, end) of every line of ``text`` the fast path flags (with
    ``lossy``, also lines holding loss markers).

    A long text is first narrowed to the lines where a scanner may match,
    in C (:mod:`._vector`, when numpy is installed), and the scanners run
    over those lines only; otherwise each scanner's next hit is remembered,
    so every scanner passes over the text once."""
    if _vector.use_for(len(text)):
        yield from _narrowed_lines(text, lossy=lossy)
        return
    n = len(text)
    scanners: list[Callable[[int], int]] = [
        partial(_next_seed, text),
        partial(_next_pattern, text, rx=fast_regexes()[1]),
    ]
    if lossy:
        scanners.append(partial(_next_loss, text))
    hits = [scan(0) for scan in scanners]
    if _starts_suspicious(text):
        hits.append(0)
    pos = 0
    while True:
        live = [h for h in hits if h >= 0]
        if not live:
            return
        i = min(live)
        ls = text.rfind("\n", 0, i) + 1
        le = text.find("\n", i)
        if le < 0:
            le = n
        yield ls, le
        pos = le + 1
        if pos > n:
            return
        for k, scan in enumerate(scanners):
            if 0 <= hits[k] < pos:
                hits[k] = scan(pos)
        hits = hits[: len(scanners)]


#: characters past a line's end the scanners may look at: lookaheads of the
#: regexes reach two characters beyond what they consume, which never
#: crosses a line break
_LOOK_PAST = 3


def _narrowed_lines(text: str, *, lossy: bool) -> Iterator[tuple[int, int]]:
    """:func:`suspicious_lines` over the candidate lines of :mod:`._vector`:
    a line is flagged when a scanner, started at its start and stopped a few
    characters past its end (matches never span a line break; the
    characters after it only answer lookaheads), accepts a hit in it --
    as the scan of the whole text would, since a scanner's verdict on a hit
    depends on the text around it, never on where the scan started."""
    n = len(text)
    pattern_rx = fast_regexes()[1]
    lines = _vector.candidate_lines(text, lossy=lossy)
    if _starts_suspicious(text):
        first = text.find("\n")
        yield 0, n if first < 0 else first
        lines = [(ls, le) for ls, le in lines if ls > 0]
    for ls, le in lines:
        end = min(n, le + _LOOK_PAST)
        if (
            0 <= _next_seed(text, ls, end) < le
            or 0 <= _next_pattern(text, ls, pattern_rx, endpos=end) < le
            or (lossy and 0 <= _next_loss(text, ls, end) < le)
        ):
            yield ls, le


def table_meta() -> dict[str, object]:
    d = _data()
    return {k: v for k, v in d.items() if k != "decoders"}
