"""Lossy mojibake: bytes lost on the way, filled in by the language model.

Analysis by synthesis.  A damaged region of a line is read as a sequence of
*units*: each character the wrong decoder produced stands for the bytes it
encodes to (one form, or a few: ``€`` is 0x80 or A2E3 in GBK, and after NFKC
a character stands for every character NFKC folds into it); each *loss
marker* (``U+FFFD``, ``?``, ``・``) stands for one or two unknown bytes; and
between two units bytes may have vanished without a trace (private-use
characters dropped on copy and paste, undefined bytes a converter dropped).
A beam search walks the units left to right, decoding the hypothesised byte
stream in the original encoding as it goes.  Unknown bytes are enumerated
only as far as the original's grammar allows (UTF-8 lead and continuation
bytes, the lead and trail bytes of double-byte encodings), and the character
bigram model ranks the texts they make.  A reading is kept only if pushing its
bytes back through the damage it names -- the wrong decoder *and* its loss
model (:mod:`encfix.codecs._loss`) -- reproduces the region exactly.

Bounds: a region holds at most :data:`MAX_UNITS` units (a slipped
stream's, :data:`SLIP_UNITS`) and :data:`MAX_LOSSES` markers; after each unit the beam keeps :data:`BEAM`
states and makes at most :data:`MAX_EXPANSIONS` expansions.  The work per
region is therefore bounded, and a line's work is linear in its length.
"""

from __future__ import annotations

import contextlib
import copy
import heapq
import math
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, lru_cache, partial

from encfix import _regex, model
from encfix._detect._tables import nfkc_folds
from encfix._repair import _holes
from encfix._types import Loss
from encfix.codecs import DECODERS, ORIGINALS
from encfix.model._classes import char_class

__all__ = [
    "FILL_COST",
    "FORM_COST",
    "LOSS_MARKERS",
    "Filled",
    "LossyChain",
    "damaged",
    "explain",
    "explain_loss",
    "has_markers",
    "languages",
    "lossy_chains",
    "readings",
    "regions",
    "screen",
]

_CJK_RE = _regex.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3\uf900-\ufaff]")

#: characters decoders and converters leave where bytes were lost
LOSS_MARKERS = "\ufffd?\u30fb"

#: the search's bounds (see the module docstring)
MAX_UNITS = 48
#: ... for a slipped stream, read out of step until an ASCII byte: one loss
#: at its start and one at its end at most, and a single reading in between
SLIP_UNITS = 192
MAX_LOSSES = 12
BEAM = 16
MAX_EXPANSIONS = 4000
#: readings of a region checked against the damage at most
MAX_VERIFIED = 256
#: bytes tried for each unknown byte, likeliest first
FANOUT = 24
#: ... and pairs of bytes tried for a marker that stands for two
PAIR_FANOUT = 24
#: characters of context a region takes in on each side of a marker
REACH = 12
#: cost of each guessed byte (nats): of two readings, the one that guesses
#: less explains the input better
FILL_COST = 0.5
#: cost of reading a character as one of its other byte forms
FORM_COST = 2.0
#: cost of each traceless loss a reading assumes
HIDDEN_COST = 4.0
#: ... and more for a pair inside one character (its two continuation
#: bytes): it can make nearly any character of the block its lead starts,
#: so the model finds one that fits wherever it looks ("单对~" for the
#: NFKC reading "单填")
INSIDE_COST = 3.0
#: at most this many traceless losses per region
MAX_HIDDEN = 2


@dataclass(frozen=True, slots=True)
class LossyChain:
    """One way text loses bytes: its original encoding (``member`` is the
    codec that decodes it), the wrong decoder, the loss model, and whether
    NFKC ran afterwards."""

    original: str
    member: str
    decoder: str
    loss: str
    #: the marker this loss leaves ("" for traceless losses)
    marker: str
    nfkc: bool = False

    @property
    def names(self) -> tuple[str, str]:
        return (self.original, self.decoder)


@dataclass(frozen=True, slots=True)
class Filled:
    """A reading of a damaged span: ``after`` replaces ``line[start:end]``.

    ``data`` is the original byte stream the reading hypothesises (decoded
    with ``chain.member`` it is ``after``; pushed through the damage it is the
    span); ``guessed`` the positions in ``after`` of characters made with
    guessed bytes; ``slip`` the offset in ``data`` of the byte a slipped
    stream lost (-1 if none)."""

    start: int
    end: int
    after: str
    chain: LossyChain
    gain: float
    data: bytes
    guessed: tuple[int, ...]
    guessed_bytes: int
    slip: int = -1
    swallow: bool = False
    #: evidence from outside the model (a quotation mark this reading closes)
    bonus: float = 0.0
    #: the loss model that reproduces the span
    model: str = ""
    #: units read as a form other than their plain one (see FORM_COST)
    alt_forms: int = 0
    #: the language model that read it
    lang: str = ""
    #: traceless losses of a pair inside one character (see INSIDE_COST)
    inside: int = 0
    #: per byte of ``data``, 1 where it was guessed (empty: not known)
    mask: bytes = b""


# ---------------------------------------------------------------- chains

_DOUBLE = ("gbk", "big5", "cp932", "euc-jp", "cp949")
#: legacy originals whose own decoder can slip a byte out of step
_SLIP = {"gbk": "gbk", "big5": "big5", "shift_jis": "cp932", "euc-kr": "cp949"}


@cache
def lossy_chains() -> tuple[LossyChain, ...]:
    """Every lossy chain encfix searches."""
    out: list[LossyChain] = []
    for d in _DOUBLE:
        for nfkc in (False, True):
            out.append(LossyChain("utf-8", "utf-8", d, "replacement", "\ufffd", nfkc))
            out.append(LossyChain("utf-8", "utf-8", d, "question", "?", nfkc))
            if d == "cp932":
                out.append(LossyChain("utf-8", "utf-8", d, "windows-question", "\u30fb", nfkc))
    out.append(LossyChain("utf-8", "utf-8", "gbk", "pua-dropped", ""))
    # nothing lost, but NFKC folded characters of the mojibake itself
    # ("璁″垝" -> "璁′′垝", "鍗曞～" -> "鍗曞~"): the lossless search
    # re-encodes what it sees and cannot read them
    for d in _DOUBLE:
        out.append(LossyChain("utf-8", "utf-8", d, "nfkc", "", True))
    for orig, d in _SLIP.items():
        member = ORIGINALS[orig].members[0]
        for nfkc in (False, True):
            out.append(LossyChain(orig, member, d, "slipped", "?", nfkc))
    for d in ("cp1252", "latin-1"):
        out.append(LossyChain("utf-8", "utf-8", d, "sbcs-stripped", ""))
    out.append(LossyChain("utf-8", "utf-8", "cp1252", "sbcs-question", "?"))
    out.append(LossyChain("utf-8", "utf-8", "cp1252", "sbcs-replace", "\ufffd"))
    return tuple(out)


#: the loss models (``encfix.codecs._loss``) a generic marker kind stands for,
#: tried in order when a reading is verified
_MODELS = {
    "replacement": ("whatwg", "cpython-replace"),
    "question": ("whatwg-question", "windows-question"),
    "windows-question": ("windows-question",),
    "pua-dropped": ("pua-dropped",),
    # nothing lost: every byte decodes (WHATWG and CPython agree there)
    "nfkc": ("whatwg",),
}


#: loss models of UTF-8 read as Windows-1252 whose marker stands for one of
#: its undefined bytes: "?" (Windows) or U+FFFD (CPython's errors="replace")
_SBCS_HOLES = frozenset(("sbcs-question", "sbcs-replace"))


def hole_readings(
    line: str, a: int, b: int, chain: LossyChain, langs: Callable[[], Iterable[str]]
) -> list[Filled]:
    """The likeliest reading of ``line[a:b]`` under each language ``langs()``
    gives (asked only once the span reads so), as UTF-8 read as
    Windows-1252 whose undefined bytes became ``chain.marker`` one for one
    (``chain.loss`` one of :data:`_SBCS_HOLES`): each character that holds
    markers takes the value the model likes best in its context
    (:mod:`._holes`).  Empty if the span does not read so.  (Their ``gain``
    is 0: the engine scores them.)"""
    span = line[a:b]
    units = _holes.parse(span, chain.marker)
    if units is None:
        return []
    data0 = bytearray()
    mask = bytearray()
    guessed: list[int] = []
    for p, (i, j, options, datas) in enumerate(units):
        data0 += datas[0]
        if len(options) > 1 or chain.marker in span[i + 1 : j]:
            guessed.append(p)
            mask += bytes(1 if span[t] == chain.marker and t > i else 0 for t in range(i, j))
        else:
            mask += bytes(j - i)
    if damaged(bytes(data0), chain.loss, chain.decoder) != span:
        return []
    out: list[Filled] = []
    for lang in langs():
        lm = model.get(lang)
        picks = _holes.best(units, lm, partial(_guessed_step, lm), line[a - 1 : a])
        after = "".join(u[2][k] for u, k in zip(units, picks, strict=True))
        data = b"".join(u[3][k] for u, k in zip(units, picks, strict=True))
        out.append(
            Filled(
                a,
                b,
                after,
                chain,
                0.0,
                data,
                tuple(guessed),
                sum(mask),
                model=chain.loss,
                lang=lang,
                mask=bytes(mask),
            )
        )
    return out


# ---------------------------------------------------------------- regions


def line_markers(line: str) -> set[str]:
    """The loss markers of ``line`` a lossy search could explain (a "?" only
    where :func:`_question_may_be_loss` says so)."""
    out = {"\ufffd"} if "\ufffd" in line else set()
    # "・" is also Japanese's middle dot: a loss only beside mojibake
    i = line.find("\u30fb")
    while i >= 0:
        if any(_rare(c) for c in line[max(0, i - RARE_REACH) : i + 1 + RARE_REACH] if c != "\u30fb"):
            out.add("\u30fb")
            break
        i = line.find("\u30fb", i + 1)
    i = line.find("?")
    while i >= 0:
        if _question_is_loss(line, i):
            out.add("?")
            break
        i = line.find("?", i + 1)
    return out


def has_markers(line: str) -> bool:
    """Does ``line`` hold a loss marker a lossy search could explain?"""
    return bool(line_markers(line))


#: a well-formed multi-byte UTF-8 character
_UTF8_CHAR = _regex.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
#: share of a region's re-encoded non-ASCII bytes that must form UTF-8
#: characters (losses break a few; correct text re-encoded forms few)
UTF8_SHARE = 0.6
#: characters on each side of a marker that judgement takes in
SCREEN_REACH = 3
#: the unigram cost (nats) reading a slipped stream one byte later must save
SLIP_SCREEN = 6.0


def screen(line: str, chain: LossyChain, a: int, b: int) -> bool:
    """Cheap tests (in C) that ``line[a:b]`` may be damaged as ``chain``
    says, before any search: UTF-8 read by a double-byte decoder leaves whole
    UTF-8 characters between its losses; NFKC matters only where the region
    holds characters NFKC made; a slipped stream read one byte later must
    read better."""
    region = line[a:b]
    if chain.nfkc and not _folded(region, chain.marker):
        return False
    dec = chain.decoder
    if chain.loss == "slipped":
        return _slip_screen(line, a, b, chain)
    if chain.original == "utf-8" and DECODERS[dec].multibyte:
        # a double-byte decoder reading UTF-8 makes CJK characters of it,
        # and re-encoded they are (mostly) UTF-8 again: correct text
        # re-encoded is not
        if not _CJK_RE.search(region):
            return False
        if needs_rare_pair(chain):
            # somewhere in it, two rare characters (mojibake) that re-encode
            # as UTF-8
            for i in range(max(1, len(region) - 1)):
                pair = region[i : i + 2]
                if all(_rare(c) for c in pair) and _utf8_pair(pair, chain):
                    return True
            return False
        # judged beside each marker (a region also takes in correct text)
        tails = 0
        for m in (i for i, c in enumerate(region) if c == chain.marker):
            if _lead_lost(region, m, dec, chain):
                tails += 1
                if tails >= LEAD_LOST_MIN:
                    return True
            left = _bytes(region[max(0, m - SCREEN_REACH) : m], dec, chain)
            right = _bytes(region[m + 1 : m + 1 + SCREEN_REACH], dec, chain)
            # the character the loss cut: its first bytes end the left side,
            # its last ones start the right side
            cut = _PARTIAL_END.search(left)
            head = _CONTINUATION.match(right)
            high = sum(b >= 0x80 for b in left + right)
            covered = (
                _covered(left[: cut.start()] if cut else left)
                + (len(cut.group()) if cut else 0)
                + (len(head.group()) if head else 0)
                + _covered(right[head.end() :] if head else right)
            )
            # a loss cuts a character: a partial one must touch the marker
            # ... and somewhere a whole UTF-8 character, or the cut one's
            # lead with a continuation byte ("銆" + "?": E3 80 + a lost 82)
            whole = _UTF8_CHAR.search(left + right) is not None or (cut is not None and len(cut.group()) >= 2)
            if (cut or head) and covered >= UTF8_SHARE * high and whole:
                return True
        return False
    return True


#: markers of a region that must each stand before the last two bytes of a
#: character (see :func:`_lead_lost`) for that shape alone to pass the screen
LEAD_LOST_MIN = 2


def _lead_lost(region: str, m: int, dec: str, chain: LossyChain) -> bool:
    """Is the marker at ``m`` of ``region`` followed by a character the
    decoder made of two UTF-8 continuation bytes?  That is what a lost lead
    byte leaves: Korean read as cp949 by CPython loses the lead of nearly
    every syllable (EC A0 90, "점": EC with the trail A0 is no character,
    A0 90 is "젏"), and then no whole UTF-8 character is left anywhere for
    the screen's other test to find."""
    if m + 1 >= len(region) or region[m + 1] == chain.marker:
        return False
    forms = _forms(dec, region[m + 1], False, chain.loss)
    return bool(forms) and len(forms[0]) == 2 and all(0x80 <= x <= 0xBF for x in forms[0])


def _folded(region: str, marker: str) -> bool:
    """Does ``region`` hold a character NFKC makes (of one character, or in
    runs of two or three: "′′" of "″")?"""
    sources = _nfkc_sources()
    if any(c in sources for c in region if c != marker):
        return True
    multi = _nfkc_multi()
    return any(region[i : i + w] in multi for w in (2, 3) for i in range(len(region) - w + 1))


def _bytes(text: str, dec: str, chain: LossyChain) -> bytes:
    return b"".join((_forms(dec, c, False, chain.loss) or (b"",))[0] for c in text if c != chain.marker)


_PARTIAL_END = _regex.compile(rb"(?:[\xc2-\xf4]|[\xe0-\xf4][\x80-\xbf]|[\xf0-\xf4][\x80-\xbf]{2})\Z")
_CONTINUATION = _regex.compile(rb"[\x80-\xbf]{1,3}")


def _covered(data: bytes) -> int:
    return sum(len(m.group()) for m in _UTF8_CHAR.finditer(data))


def _utf8_share(data: bytes) -> float:
    """Share of the non-ASCII bytes of ``data`` inside well-formed UTF-8
    characters (0 if none)."""
    high = sum(b >= 0x80 for b in data)
    covered = sum(len(m.group()) for m in _UTF8_CHAR.finditer(data))
    return covered / high if covered else 0.0


#: markers, then the rest of a tag whose "<" a marker swallowed ("??/a>")
_TAG_TAIL = _regex.compile(r"\?+/[A-Za-z][A-Za-z0-9]*>")


#: what a slipped stream's decoder makes of the lone byte it ends on (the
#: trail of the last character, taken for a lead with nothing to pair)
LONE = "\ufffd"


def _resyncs(c: str, chain: LossyChain) -> bool:
    """Does character ``c`` of a slipped stream put it back in step?  An ASCII
    byte does; after NFKC, ASCII punctuation may be full-width punctuation of
    the stream: only a letter, digit or space."""
    return c.isascii() and (not chain.nfkc or c.isalnum() or c.isspace())


#: nats a reading earns for giving back the "<" a swallowing decoder ate
TAG_GAIN = 12.0


def _slip_screen(line: str, a: int, b: int, chain: LossyChain) -> bool:
    region = line[a:b]
    m = region.find(chain.marker)
    if _TAG_TAIL.match(line, a + m):
        # the rest of a tag whose "<" was swallowed, past the region too
        return True
    if region.endswith(LONE) and m == 0:
        # a lone lead byte lost at each end of a run: the shape of a
        # stream read out of step, too short ("?１맘�" is "친구야") to be
        # judged by reading it
        return True
    run = region[m + 1 : m + 13]
    # the slipped characters end with the character that resyncs the stream,
    # the trail of the last one read in step ("?!敝貞c" is "。”重慶", the
    # "c" ending 慶)
    for j, c in enumerate(run):
        if _resyncs(c, chain):
            run = run[: j + 1]
            break
    if len(run) < 2:
        return False
    data = bytearray()
    for c in run:
        forms = _forms(chain.decoder, c, chain.nfkc, chain.loss)
        if not forms:
            break
        # NFKC made ASCII punctuation of full-width punctuation, not letters
        data += forms[-1] if chain.nfkc and c.isascii() and not c.isalnum() else forms[0]
    shifted = bytes(data[1:]).decode(chain.member, "replace").split("\ufffd")[0]
    # compare the non-ASCII characters: ASCII reads as itself either way
    new = "".join(c for c in shifted if not c.isascii())
    old = "".join(c for c in run if not c.isascii())
    k = min(len(new), len(old))
    if not k:
        return False
    return model.unigram_cost(new[:k]) + SLIP_SCREEN < model.unigram_cost(old[:k])


def languages(line: str, chain: LossyChain, a: int, b: int) -> tuple[str, ...]:
    """The language models worth a search of ``line[a:b]``: from the scripts
    of the line around the region if it has CJK text, else of a rough
    reading of the region itself (markers skipped)."""
    around = line[max(0, a - 40) : a] + line[b : b + 40]
    langs = model.candidate_languages(around)
    cjk = len(_CJK_RE.findall(around))
    if cjk >= 4:
        # the text around is the same mojibake when its rough reading holds
        # half as much CJK text: its language is then the reading's ("中文的"
        # as Big5 reads "銝剜...": traditional characters, simplified text)
        read = _rough(line[max(0, a - 40) : b + 40], chain)
        if 2 * len(_CJK_RE.findall(read)) >= cjk:
            return (model.best_language(read)[0],)
        return (model.best_language(around, langs)[0],)
    if langs == ("world",):
        langs = model.candidate_languages(_rough(line[a:b], chain))
    return langs[:2]


def _rough(text: str, chain: LossyChain) -> str:
    """``text`` read back through ``chain`` as far as it goes: each character's
    plain bytes, markers skipped, what does not decode dropped."""
    rough = bytearray()
    # a marker of UTF-8 read as Windows-1252 is one undefined byte: 0x81
    # (of "の" E3 81 AE and most kana) reads as well as any
    hole = b"\x81" if chain.loss in _SBCS_HOLES else b""
    for ch in text:
        if ch == chain.marker:
            rough += hole
        else:
            forms = _forms(chain.decoder, ch, False, chain.loss)
            if forms:
                rough += forms[0]
    return rough.decode(chain.member, "ignore")


#: a run of more markers than this is data lost upstream: every byte of it
#: was replaced, nothing is left to read (see :func:`destroyed`)
MAX_RUN = 4


def regions(line: str, chain: LossyChain) -> Iterator[tuple[int, int]]:
    """Stretches of ``line`` worth a lossy search under ``chain``: around
    each of its markers, within the characters the wrong decoder can have
    made; for traceless losses, runs of non-ASCII characters it can have made.
    A region must hold a non-ASCII character besides its markers (markers
    alone are no evidence), and runs of more than :data:`MAX_RUN` markers are
    left alone.  Lazy, and linear in the line's length."""
    n = len(line)
    marker = chain.marker
    good = _good(chain)
    if not marker:
        i = 0
        while i < n:
            if line[i].isascii() or line[i] not in good:
                i += 1
                continue
            j = i
            while (
                j < n
                and line[j] in good
                and (not line[j].isascii() or (j + 1 < n and not line[j + 1].isascii()))
            ):
                j += 1
            if j - i >= 2:
                yield (i, min(j, i + MAX_UNITS))
            i = j + 1
        return
    cur: tuple[int, int] | None = None  # the region not yet handed out
    done = 0  # everything before it belongs to a region already
    m = line.find(marker)
    while m >= 0:
        run = m
        while run < n and line[run] == marker:
            run += 1
        if run - m > MAX_RUN or (marker == "?" and not _question_is_loss(line, m)):
            m = line.find(marker, run)
            continue
        a = m
        if chain.loss != "slipped":  # a slipped stream starts at its marker
            while a > done and m - a < REACH and line[a - 1] in good and line[a - 1] not in " \t":
                a -= 1
        b = run
        # a slipped stream is read out of step until an ASCII byte brings it
        # back: as far as that (inclusive), however far
        units = SLIP_UNITS if chain.loss == "slipped" else MAX_UNITS
        reach = units if chain.loss == "slipped" else REACH
        while b < n and b - run < reach and b < a + units and line[b] in good and line[b] != "\n":
            if line[b] == marker:
                end = b
                while end < n and line[end] == marker:
                    end += 1
                if end - b > MAX_RUN:
                    break
                run = end
                b = end
                continue
            b += 1
            # (after NFKC an ASCII character may be a full-width one of the
            # stream: the search decides where the stream fell back in step)
            if chain.loss == "slipped" and not chain.nfkc and line[b - 1].isascii():
                break
        b = max(min(b, a + units), run)
        if chain.loss == "slipped" and b < n and line[b] == LONE and b < a + units:
            b += 1  # the lone byte that ended the stream out of step
        if any(not c.isascii() and c != marker for c in line[a:b]) or (
            chain.loss == "slipped" and _TAG_TAIL.search(line, a, min(len(line), b + 2))
        ):
            if cur is not None and a <= cur[1] and b - cur[0] <= units:
                cur = (cur[0], b)  # regions that touch are one
            else:
                if cur is not None:
                    yield from _split(line, cur, chain)
                cur = (a, b)
        done = max(done, b)
        m = line.find(marker, b)
    if cur is not None:
        yield from _split(line, cur, chain)


class _Good:
    """``c in good``: can the chain's decoder have made character ``c``
    (or is it the marker)?  Worked out once per character, when asked, and
    kept for later lines (:func:`_good`), up to :data:`GOOD_MEMO` characters."""

    __slots__ = ("chain", "known")

    def __init__(self, chain: LossyChain) -> None:
        self.known: dict[str, bool] = {}
        self.chain = chain

    def __contains__(self, c: str) -> bool:
        v = self.known.get(c)
        if v is None:
            ch = self.chain
            if len(self.known) >= GOOD_MEMO:
                self.known.clear()
            v = self.known[c] = c == ch.marker or bool(_forms(ch.decoder, c, ch.nfkc, ch.loss))
        return v


#: characters one chain's :class:`_Good` remembers (a pure function of the
#: character: forgetting costs only time)
GOOD_MEMO = 1 << 14


@cache
def _good(chain: LossyChain) -> _Good:
    return _Good(chain)


def _split(line: str, region: tuple[int, int], chain: LossyChain) -> Iterator[tuple[int, int]]:
    """``region`` in pieces of at most :data:`MAX_LOSSES` markers each (a
    search of more is not made), cut just before a marker -- or, when the
    marker stands for a UTF-8 continuation byte read as Windows-1252, before
    the lead byte of its character (the piece before could not end it, the
    one after could not start it)."""
    a, b = region
    marker = chain.marker
    sbcs = chain.loss in _SBCS_HOLES
    count = 0
    for i in range(a, b):
        if line[i] == marker:
            count += 1
            if count > MAX_LOSSES:
                cut = i
                if sbcs:
                    while (
                        cut > a + 1
                        and cut > i - 3
                        and (line[cut - 1] in _holes.TRAILS or line[cut - 1] == marker)
                    ):
                        cut -= 1
                    if cut > a + 1 and line[cut - 1] in _holes.LEADS:
                        cut -= 1
                    else:
                        cut = i
                yield (a, cut)
                a, count = cut, line.count(marker, cut, i + 1)
    yield (a, b)


def destroyed(line: str) -> list[tuple[int, int]]:
    """Runs of more than :data:`MAX_RUN` U+FFFD in ``line``: bytes lost
    upstream with nothing left to read (GBK text read as UTF-8 becomes one
    U+FFFD per byte)."""
    return [m.span() for m in _FFFD_RUN.finditer(line)]


_FFFD_RUN = _regex.compile(f"\ufffd{{{MAX_RUN + 1},}}")


class Budget:
    """What one text may still cost: lossy search steps (see
    :data:`TEXT_STEPS`), and candidate readings the span search may score
    (see :data:`WORK_BASE`); together they bound the time a repair can take
    whatever the input."""

    __slots__ = ("exhausted", "left", "skipped", "work_left")

    def __init__(self, steps: int, work: int = 1 << 62) -> None:
        self.left = steps
        self.exhausted = False
        self.work_left = work
        #: (offset of the first, how many) lines left unexamined once the
        #: work was spent
        self.skipped: tuple[int, int] = (-1, 0)

    @classmethod
    def for_text(cls, text: str) -> Budget:
        n = len(text)
        work = _taper(n, WORK_BASE, LONG_TEXT_WORK) + int(WORK_PER_CHAR * n)
        return cls(_taper(n, TEXT_STEPS, LONG_TEXT_STEPS), work)

    def spend(self, steps: int) -> bool:
        """Take ``steps``; False once the budget is gone."""
        self.left -= steps
        if self.left < 0:
            self.exhausted = True
        return not self.exhausted


#: search steps a text of up to :data:`LONG_TEXT` characters may take (a
#: sentence or a paragraph): a step is a byte string fed to a search state,
#: valid or not, and costs 10-40 us (with the tables a first search fills).
#: Of the 956 sentences of bench/lossy.py, those whose search took more
#: than 20,000 steps were restored exactly 4 times in 269; cutting the
#: budget from 60,000 (and 0.4 a character) to 40,000 left the exact ones
#: the same and raised the character error rate from 45.0% to 46.3%
TEXT_STEPS = 40_000
#: ... and a longer text (a file), however long: its lossless search, fast
#: path and first search's tables (0.2 s) need their share of the 2 s a
#: text of 100 KB may take.  A lossy line of two sentences (UTF-8 read as
#: GBK) takes 400-6,600 steps, 10-75 ms: a file of 100 KB of them gets the
#: lossy search on its first lines only, whatever this budget, and its
#: lossless reading everywhere (see :data:`LINE_WORK`)
LONG_TEXT = 4_000
LONG_TEXT_STEPS = 6_000
#: ... reached at this many characters (100 KB of CJK text), from
#: :data:`TEXT_STEPS` at :data:`LONG_TEXT`, linearly: the longer a text, the
#: more its fast path and cheap readings cost, and the less of the bound is
#: left to the searches (the span search's work, :data:`WORK_BASE`, tapers
#: alike)
LONGEST_TEXT = 34_000


def _taper(n: int, short: int, long: int) -> int:
    """``short`` for a text of ``n`` <= :data:`LONG_TEXT` characters,
    ``long`` from :data:`LONGEST_TEXT` on, linearly in between."""
    if n <= LONG_TEXT:
        return short
    if n >= LONGEST_TEXT:
        return long
    return round(short - (n - LONG_TEXT) / (LONGEST_TEXT - LONG_TEXT) * (short - long))


#: candidate readings the span search of one text may score, and more per
#: character: lines are examined while some is left.  Ordinary mojibake
#: makes few (bench/speed.py's garbled mix: 0.3 a kB); UTF-8 read as
#: Windows-1252 with its five undefined bytes replaced by U+FFFD made 840 a
#: kB, at some 230 us each, before it was read directly (encfix._repair.
#: _holes): 100 KB of it took 19 s before this bound.  A file of 94 KB of
#: UTF-8 read as GBK with U+FFFD, one sentence a line, took 2.0 s (best of
#: three) with 2,000 and no :data:`LINE_WORK` (and 40,000 lossy steps),
#: 0.9-1.4 s with 1,000 (and 10,000 steps); bench/adversarial.py's 100 KB
#: of such lines, each in a fresh process, 1.2-1.3 s then and 0.8-1.2 s
#: with these values.  None of bench/accuracy.py's or bench/lossy.py's
#: samples reaches it.  The bound is checked between lines, and between
#: pieces of a long line (see encfix._repair.MAX_PIECE)
WORK_BASE = 2_000
#: ... tapering to this for a long text (see :data:`LONGEST_TEXT`)
LONG_TEXT_WORK = 600
WORK_PER_CHAR = 0.02
#: what each line (or piece of a line) the span search analyses costs
#: beside its readings: its screens and choice cost some 0.5-1 ms, two or
#: three readings' worth (such a file makes one or two readings a line).
#: Once the work is spent, lines of UTF-8 read by a double-byte decoder
#: with U+FFFD still get the cheap reading of the stretches between their
#: markers (encfix._repair._engine._marked_search); other lines are left
#: as they are, and a note says from where
LINE_WORK = 2
#: markers (or characters) a region scan passes per step, and the steps one
#: region's screening costs
SCAN_PER_STEP = 8
SCREEN_STEPS = 24


@lru_cache(maxsize=8)
def _questions(line: str) -> dict[int, bool]:
    """:func:`_question_may_be_loss`'s answers for ``line``, filled in as
    asked: every "?" chain's :func:`regions` asks about the same ones (kept
    for the last few lines only)."""
    return {}


def _question_is_loss(line: str, i: int) -> bool:
    """:func:`_question_may_be_loss`, memoised per line."""
    known = _questions(line)
    v = known.get(i)
    if v is None:
        v = known[i] = _question_may_be_loss(line, i)
    return v


def _question_may_be_loss(line: str, i: int) -> bool:
    """A "?" can be a loss only beside non-ASCII text (in English it is a
    question mark), and only near a character no language uses much: lost
    bytes come with mojibake around them ("幫助?!敝貞c"), a question mark
    ends a sentence of ordinary characters ("你在睡覺嗎?")."""
    if not any(
        0 <= j < len(line) and not line[j].isascii() and line[j] != "\u3000" for j in (i - 1, i + 1, i + 2)
    ):
        return False
    if any(_rare(c) for c in line[max(0, i - RARE_REACH) : i + 1 + RARE_REACH] if not c.isascii()):
        return True
    if _TAG_TAIL.match(line, i):
        return True  # "计划??/a>": a tag that lost its "<" to the loss
    # UTF-8 read as Windows-1252 up to the "?": a lead byte and continuation
    # bytes whose character the "?" ends ("â€?" is a "”" that lost its 0x9D)
    try:
        before = line[max(0, i - 3) : i].encode("cp1252")
    except UnicodeEncodeError:
        return False
    if _CUT_UTF8.search(before) is not None:
        return True
    # ... or a lead byte, then the "?", then a continuation byte ("å?ˆ" is
    # a "午" E5 [8D] 88)
    return b"\xc2" <= before[-1:] <= b"\xf4" and line[i + 1 : i + 2] in _holes.TRAILS


#: the first bytes of a multi-byte UTF-8 character, at the end
_CUT_UTF8 = _regex.compile(rb"(?:[\xe0-\xef][\x80-\xbf]|[\xf0-\xf4][\x80-\xbf]{1,2})\Z")


#: characters on each side of a "?" that may show it is a loss, and the
#: unigram cost (nats) from which a character counts as rare
RARE_REACH = 3
RARE_COST = 10.0


@lru_cache(maxsize=65536)
def _rare(c: str) -> bool:
    return model.unigram_cost(c) >= RARE_COST


#: two characters side by side that are both :func:`_rare` (in unigram codes)
_RARE_PAIR = _regex.compile(b"[\\x%02x-\\xff]{2}" % round(RARE_COST * model.UNIGRAM_SCALE))


def rare_pair(line: str) -> bool:
    """Does ``line`` hold two rare characters side by side?  Under a chain
    that :func:`needs_rare_pair`, a line without such a pair has no region
    worth a look."""
    return _RARE_PAIR.search(model.unigram_codes(line)) is not None


def rare_utf8_pair(line: str, chain: LossyChain) -> bool:
    """Does ``line`` hold two rare characters side by side that re-encode
    under ``chain`` as UTF-8 -- what :func:`screen` asks of each region
    under a chain that :func:`needs_rare_pair`?  A line without such a pair
    has no region that passes, and is not cut into regions at all."""
    codes = model.unigram_codes(line)
    seen: set[str] = set()
    for m in _RARE_RUN.finditer(codes):
        for i in range(m.start(), m.end() - 1):
            pair = line[i : i + 2]
            if pair in seen:
                continue
            seen.add(pair)
            if _utf8_pair(pair, chain):
                return True
    return False


def _utf8_pair(pair: str, chain: LossyChain) -> bool:
    """Do the two characters ``pair`` re-encode under ``chain`` as (mostly)
    UTF-8?"""
    data = _bytes(pair, chain.decoder, chain)
    return _UTF8_CHAR.search(data) is not None and _utf8_share(data) >= UTF8_SHARE


_RARE_RUN = _regex.compile(b"[\\x%02x-\\xff]{2,}" % round(RARE_COST * model.UNIGRAM_SCALE))


def needs_rare_pair(chain: LossyChain) -> bool:
    """Does :func:`screen` pass a region under ``chain`` only where it holds
    two rare characters side by side?  So it does for a traceless loss of
    UTF-8 read by a double-byte decoder (its regions are two characters or
    more)."""
    return not chain.marker and chain.original == "utf-8" and DECODERS[chain.decoder].multibyte


# ---------------------------------------------------------------- byte forms


@lru_cache(maxsize=65536)
def _forms(decoder: str, ch: str, nfkc: bool, loss: str) -> tuple[bytes, ...]:
    """The byte strings ``decoder`` makes ``ch`` of (after NFKC, also those of
    every character NFKC folds into ``ch``)."""
    dec = DECODERS[decoder]
    out: list[bytes] = []
    with contextlib.suppress(UnicodeEncodeError):
        out.append(dec.encode(ch))
    out += [b for b in dec.alternates.get(ch, ()) if b not in out]
    if nfkc:
        for src in _nfkc_sources().get(ch, ()):
            try:
                b = dec.encode(src)
            except UnicodeEncodeError:
                continue
            if b not in out:
                out.append(b)
    if loss == "sbcs-stripped" and ch == " ":
        out.append(b"\xa0")  # a no-break space flattened to a space
    return tuple(out)


def _nfkc_sources() -> dict[str, str]:
    """Characters NFKC folds into another single character (full-width
    ASCII, half-width katakana, the ideographic space...)."""
    return nfkc_folds()[0]


# ---------------------------------------------------------------- original grammar


def _utf8_len(b: int) -> int:
    """Length of the UTF-8 sequence lead byte ``b`` starts (0: not a lead)."""
    if b < 0x80:
        return 1
    if 0xC2 <= b <= 0xDF:
        return 2
    if 0xE0 <= b <= 0xEF:
        return 3
    if 0xF0 <= b <= 0xF4:
        return 4
    return 0


@lru_cache(maxsize=262144)
def _char(member: str, data: bytes) -> str | None:
    try:
        text = data.decode(member)
    except UnicodeDecodeError:
        return None
    return text if len(text) == 1 else None


def _char_len(member: str, b: int) -> int:
    """Bytes of the character lead byte ``b`` starts in ``member`` (0: none)."""
    if member == "utf-8":
        return _utf8_len(b)
    if b < 0x80:
        return 1
    if member in ("cp932", "shift_jis", "shift_jis_2004") and 0xA1 <= b <= 0xDF:
        return 1
    if b in (0x80, 0xFF):
        return 0
    return 2


def _next_bytes(member: str, pending: bytes) -> range:
    """The byte values that may follow ``pending`` (a partial character)."""
    if member == "utf-8":
        return range(0x80, 0xC0) if pending else range(0xC2, 0xF5)
    return range(0x40, 0xFF) if pending else range(0x81, 0xFF)


#: UTF-8 lead bytes of the scripts mojibake is usually made of (CJK, kana,
#: Hangul, then Latin accents and punctuation)
_LEADS = bytes([0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xED, 0xE2, 0xEF, 0xC2, 0xC3])


@lru_cache(maxsize=16)
def _prefix_bounds(lang: str, member: str) -> dict[bytes, float]:
    """For each proper prefix of a character's bytes in ``member``, the
    lowest cost (as a word start) of any character it can still become: how
    good a state holding that partial character can get.  The beam ranks
    states by gain minus this, so that a guessed byte is judged by the best
    character it may start.  Characters the model knows count exactly; the
    ones it does not are costed by their class, one sample per block of
    characters sharing a prefix (they share a script)."""
    lm = model.get(lang)
    out: dict[bytes, float] = {}

    def note(data: bytes, cost: float) -> None:
        for k in range(1, len(data)):
            p = data[:k]
            if cost < out.get(p, 99.0):
                out[p] = cost

    for ch in lm.unigram:
        try:
            data = ch.encode(member)
        except UnicodeEncodeError:
            continue
        note(data, lm.step("", ch))
    if member == "utf-8":
        # one sample per block of 64 code points (one two-byte prefix)
        for block in range(0x80, 0x10000, 0x40):
            if 0xD800 <= block < 0xE000:
                continue
            ch = chr(block + 0x20 if block >= 0x800 else block)
            note(ch.encode("utf-8"), lm.step("", ch))
    else:
        for lead in range(0x81, 0xFF):
            for trail in (0xA1, 0x80, 0x40):
                c = _char(member, bytes([lead, trail]))
                if c is not None:
                    note(bytes([lead, trail]), lm.step("", c))
                    break
    return out


@lru_cache(maxsize=4096)
def _follower_bounds(lang: str, member: str, prev: str) -> dict[bytes, float]:
    """Like :func:`_prefix_bounds`, for characters the bigram table knows
    after ``prev`` ("常" after "非" is far cheaper than as a word start)."""
    out: dict[bytes, float] = {}
    lm = model.get(lang)
    g = lm.groups.get(prev)
    if g is None:
        return out
    for ch in g[0]:
        try:
            data = ch.encode(member)
        except UnicodeEncodeError:
            continue
        cost = lm.step(prev, ch)
        for k in range(1, len(data)):
            p = data[:k]
            if cost < out.get(p, 99.0):
                out[p] = cost
    return out


# ---------------------------------------------------------------- search


@dataclass(slots=True)
class _State:
    gain: float
    start: int
    pending: bytes
    out: str
    prev: str
    pieces: tuple[bytes, ...]
    guessed: int  # bytes guessed so far
    hidden: int
    #: output positions of characters made (partly) of guessed bytes
    marks: tuple[int, ...]
    #: guessed bytes still inside ``pending``
    pending_guess: bool
    swallow: bool
    #: units read as a form other than their plain one
    alt_forms: int = 0
    #: traceless losses of a pair inside one character (see INSIDE_COST)
    inside: int = 0
    #: per byte of ``pieces``, 1 where it was guessed (set on a final state)
    mask: bytes = b""


def readings(
    line: str,
    chain: LossyChain,
    a: int,
    b: int,
    lang: str,
    budget: Budget | None = None,
    *,
    left: str | None = None,
) -> list[Filled]:
    """Readings of spans of ``line[a:b]`` under ``chain``, best first, each
    verified to reproduce its span exactly under the chain's damage (none
    once ``budget`` runs out).  ``left`` is the text before ``a`` as it will
    read (another repair may end there: a quotation mark it opens is closed
    here); by default ``line[:a]``."""
    if left is None:
        left = line[:a]
    lm = model.get(lang)
    units = line[a:b]
    if not units or (chain.marker and units.count(chain.marker) > MAX_LOSSES):
        return []
    toks, offs = _tokens(units, chain)
    n = len(toks)
    before: list[float] = []
    prev = left[-1:].casefold()
    for tok in toks:
        cost = 0.0
        for ch in tok:
            cost += lm.step(prev, ch)
            prev = ch.casefold()
        before.append(cost)
    first_loss = next((i for i, t in enumerate(toks) if t == chain.marker), -1) if chain.marker else n
    states: dict[tuple[bytes, str, int], _State] = {}
    finals: list[tuple[_State, int]] = []
    for i in range(n + 1):
        if i <= max(first_loss, 0) and i < n:
            # a reading may start at any unit up to the first marker
            last = (line[a + offs[i] - 1] if i else left[-1:]).casefold()
            states.setdefault((b"", last, -1 - i), _State(0.0, i, b"", "", last, (), 0, 0, (), False, False))
        for s in states.values():
            # a reading must explain something the lossless search cannot:
            # a loss, or (NFKC alone) a character read as a folded form
            if not s.pending and (s.guessed or s.hidden or s.alt_forms) and i > s.start:
                finals.append((s, i))
        if (
            i == first_loss
            and chain.loss != "slipped"
            and not finals
            and all(s.start == i for s in states.values())
            and all(t == chain.marker for t in toks[i:])
        ):
            # nothing before the first marker read on, and only markers
            # follow: every reading left would be markers alone, which
            # :func:`_evidence` rejects ("아닐까?" under UTF-8 read as cp949:
            # its Hangul re-encode to bytes no UTF-8 character starts with)
            return []
        if i == n:
            if not chain.marker and (b >= len(line) or line[b].isascii()):
                # bytes that vanished at the very end of the stream,
                # completing its last character ("鍥藉" + [AE B6] at the end
                # of a line: "国家"; inside a stream, the next unit shows)
                for s in states.values():
                    context = left + line[a : a + offs[s.start]]
                    finals += ((t, n) for t in _hidden_ends(s, chain, lm, context))
            break
        # every state reached, by key: the best of a key is kept -- the best
        # that passes the prefix check below, where one applies (a state
        # that fails it must not displace one that passes: "くれないか"
        # lost to "くれなかか", whose guessed byte the decoder would not
        # have lost, and only "くれない⁋" survived)
        expansions = 0
        tried = [0]  # byte strings fed, valid or not: the work done
        ranked = sorted(states.values(), key=lambda s: -_hope(s, lm.name, chain.member))
        ahead = "".join(toks[i + 1 : i + 4])
        checked = i > first_loss >= 0 and chain.loss in _PREFIX_CHECKED
        new: dict[tuple[bytes, str, int], _State] = {}
        # the BEAM best states that can read this unit: a state that cannot
        # (a complete character before a continuation byte) takes no place
        # of one that can (the pair a marker stood for, "84 E3" of "いう"),
        # nor does one whose every reading fails the check below: while
        # fewer than BEAM states pass, more are read
        pos = 0
        while pos < len(ranked) and len(new) < BEAM and expansions <= MAX_EXPANSIONS:
            reached: dict[tuple[bytes, str, int], list[_State]] = {}
            productive = 0
            for s in ranked[pos:]:
                pos += 1
                context = left + line[a : a + offs[s.start]]
                grew = False
                for t in _extend(s, toks[i], i, chain, lm, before[i], ahead, context, tried):
                    reached.setdefault((t.pending, t.prev, t.guessed + t.hidden), []).append(t)
                    expansions += 1
                    grew = True
                productive += grew
                if expansions > MAX_EXPANSIONS or productive >= BEAM - len(new):
                    break
            for key, group in reached.items():
                group.sort(key=lambda t: -t.gain)
                for t in group:
                    if key in new and new[key].gain >= t.gain:
                        break
                    if checked and t.guessed:
                        # a guess must be a byte the decoder loses there: a
                        # state whose bytes so far, read through the damage,
                        # do not give the units read so far is dropped
                        tried[0] += CHECK_STEPS  # a check decodes the bytes once or twice
                        if not _consistent(t, chain, units[offs[t.start] : offs[i]], toks[i]):
                            continue
                    new[key] = t
                    break
        if budget is not None and not budget.spend(tried[0]):
            return []
        states = new
        if not states and i >= first_loss:
            break
    # unit indices to character offsets
    finals = [(_at(s, offs[s.start], _guess_mask(s, toks, chain)), offs[end]) for s, end in finals]
    return _verify(line, a, chain, finals, left, lm)


#: losses whose prefix a search checks as it goes (see :func:`_consistent`)
_PREFIX_CHECKED = frozenset(("replacement", "question", "windows-question"))


def _consistent(s: _State, chain: LossyChain, done: str, last: str) -> bool:
    """Can state ``s``'s bytes be what the damage turned into ``done`` (the
    units before the last one it read) and ``last`` (that unit)?  Under some
    loss model of the chain, the bytes decode to ``done`` and then to
    ``last`` itself, unless it is a marker (its bytes may end inside a pair
    still to be completed).  A character's bytes are a whole pair of the
    wrong decoder: read in step they give the character.  ("84 E4 BD" after
    a guessed "E7 9A" read as Big5 is "�" and a lone "BD", not "�雿":
    judged only at the unit after, such states filled the beam and none of
    them could read on.)"""
    data = b"".join(s.pieces)
    for name in _model_names(chain):
        text = damaged(data, name, chain.decoder, nfkc=chain.nfkc)
        if text.startswith(done):
            rest = text[len(done) :]
            if rest == last or (last == chain.marker and rest in ("", last, last + last)):
                return True
    return False


def _at(s: _State, start: int, mask: bytes) -> _State:
    """``s`` with its start (a unit index) given as a character offset, and
    its guessed bytes marked."""
    t = copy.copy(s)
    t.start = start
    t.mask = mask
    return t


def _guess_mask(s: _State, toks: list[str], chain: LossyChain) -> bytes:
    """1 for each byte of ``s`` a marker stood for, 0 for each the damage
    shows; empty for a traceless loss (which bytes vanished is not kept)."""
    if not chain.marker:
        return b""
    out = bytearray()
    for k, piece in enumerate(s.pieces):
        lost = toks[s.start + k] in (chain.marker, LONE)
        out += (b"\x01" if lost else b"\x00") * len(piece)
    return bytes(out)


def _tokens(units: str, chain: LossyChain) -> tuple[list[str], list[int]]:
    """The units of a search: characters, except that after NFKC a run that
    a single character folded into (``°C`` of ``℃``, ``′′`` of ``″``,
    ``(一)`` of ``㈠``) is one unit; and each unit's offset (plus the end)."""
    toks: list[str] = []
    offs: list[int] = []
    i = 0
    while i < len(units):
        k = 1
        if chain.nfkc:
            for width in (3, 2):
                piece = units[i : i + width]
                if (
                    len(piece) == width
                    and not (chain.marker and chain.marker in piece)
                    and _multi_forms(chain.decoder, piece, chain.loss)
                ):
                    k = width
                    break
        toks.append(units[i : i + k])
        offs.append(i)
        i += k
    offs.append(len(units))
    return toks, offs


@lru_cache(maxsize=4096)
def _multi_forms(decoder: str, piece: str, loss: str) -> tuple[bytes, ...]:
    """The byte strings ``decoder`` makes of the characters NFKC folds into
    the run ``piece``."""
    out: list[bytes] = []
    for src in _nfkc_multi().get(piece, ()):
        for f in _forms(decoder, src, False, loss):
            if len(f) == 2 and f not in out:  # a cell of the double-byte table
                out.append(f)
    return tuple(out)


def _nfkc_multi() -> dict[str, str]:
    """Runs of two or three characters NFKC folds a single character into."""
    return nfkc_folds()[1]


def _hope(s: _State, lang: str, member: str) -> float:
    """How good state ``s`` can get: its gain, less the cheapest character its
    partial one can still become (in context where the bigram table knows)."""
    if not s.pending:
        return s.gain
    best = _prefix_bounds(lang, member).get(s.pending, 30.0)
    return s.gain - min(best, _follower_bounds(lang, member, s.prev).get(s.pending, best))


def _extend(
    s: _State,
    ch: str,
    i: int,
    chain: LossyChain,
    lm: model.LanguageModel,
    cost: float,
    ahead: str,
    left: str,
    tried: list[int],
) -> Iterator[_State]:
    """The states ``s`` becomes after unit ``i`` (character ``ch``); adds the
    byte strings it tries to ``tried[0]``."""
    member = chain.member
    options: list[tuple[bytes, int, bool, float]] = []  # (bytes, guessed, swallowed, extra cost)
    # a character NFKC folded stands for its full-width source only inside a
    # character the stream is in the middle of ("?!" of a slipped "。”"):
    # where the stream is in step, "/a>" is "/a>"
    if len(ch) > 1:  # a run NFKC made of one character
        forms = _multi_forms(chain.decoder, ch, chain.loss)
    else:
        forms = _forms(chain.decoder, ch, chain.nfkc and (bool(s.pending) or not ch.isascii()), chain.loss)
    if ch == LONE and chain.loss == "slipped" and s.guessed and s.pending:
        # the trail of the last character of a slipped stream, read as a lead
        # byte with nothing after it to pair with: a byte of the lead range
        for x in _completing(lm, member, s.pending, s.prev, (), left + s.out):
            if _char_len(member, x) == 2:
                options.append((bytes([x]), 1, False, 0.0))
    elif ch == chain.marker:
        for data in _loss_bytes(s, member, chain, lm, ahead, left):
            swallowed = chain.loss == "slipped" and s.guessed > 0 and len(data) == 2
            options.append((data, len(data), swallowed, 0.0))
    # a form other than the plain one (a full-width character NFKC folded,
    # GBK's two-byte euro) is one more assumption
    options += [(f, 0, False, FORM_COST if k else 0.0) for k, f in enumerate(forms)]
    if not chain.marker and s.pending and s.hidden < MAX_HIDDEN:
        # a traceless loss: bytes that vanished before this unit
        for hidden in _hidden_bytes(s.pending, member, chain, lm, s.prev):
            for f in forms:
                options.append((hidden + f, -len(hidden), False, 0.0))
    tried[0] += len(options)
    for data, guessed, swallowed, extra in options:
        t = _feed(s, data, member, lm, guessed, left)
        if t is None:
            continue
        t.pieces = (*s.pieces, data)
        t.gain += cost - extra
        # (a run NFKC made of one character is read as that character: a
        # folded form too, though it has no other)
        t.alt_forms = s.alt_forms + (extra > 0 or len(ch) > 1)
        if guessed > 0:
            t.guessed = s.guessed + guessed
            t.gain -= FILL_COST * guessed
        elif guessed < 0:
            _vanished(t, s, data[:-guessed])
        t.swallow = s.swallow or swallowed
        yield t


@cache
def _char_lens(member: str) -> bytes:
    """:func:`_char_len` of every byte, as a table (the search asks it for
    every byte it feeds)."""
    return bytes(_char_len(member, b) for b in range(256))


def _feed(
    s: _State, data: bytes, member: str, lm: model.LanguageModel, guessed: int, left: str
) -> _State | None:
    """``s`` with ``data`` appended to its byte stream (None if invalid)."""
    lens = _char_lens(member)
    buf = s.pending + data
    out = s.out
    prev = s.prev
    gain = s.gain
    marks = s.marks
    dirty = s.pending_guess or guessed != 0
    pos = 0
    while pos < len(buf):
        need = lens[buf[pos]]
        if need == 0:
            return None
        if pos + need > len(buf):
            if member == "utf-8" and any(not 0x80 <= x <= 0xBF for x in buf[pos + 1 :]):
                return None
            break
        c = _char(member, buf[pos : pos + need])
        if c is None:
            return None
        # (a character made with guessed bytes pays what a guess pays)
        gain -= _guessed_step(lm, prev, c) if dirty else lm.step(prev, c)
        if c in _PAIRS:
            gain += pairing(left + out, c)
        if dirty:
            marks = (*marks, len(out))
            dirty = guessed != 0 and pos + need < len(buf) - (len(data) - abs(guessed))
        out += c
        prev = c.casefold()
        pos += need
    rest = buf[pos:]
    return _State(
        gain,
        s.start,
        rest,
        out,
        prev,
        s.pieces,
        s.guessed,
        s.hidden,
        marks,
        dirty and bool(rest),
        s.swallow,
        inside=s.inside,
    )


@lru_cache(maxsize=65536)
def _ranked_next(lang: str, member: str, pending: bytes) -> tuple[int, ...]:
    """The :data:`FANOUT` likeliest bytes to follow ``pending``, judged by the
    best character each can still make (:func:`_prefix_bounds`); bytes that
    complete a character are judged by that character."""
    bound = _prefix_bounds(lang, member)
    lm = model.get(lang)
    scored: list[tuple[float, int]] = []
    for x in _next_bytes(member, pending):
        data = pending + bytes([x])
        if data in bound:
            scored.append((bound[data], x))
        elif len(data) >= _char_len(member, data[0]) > 0:
            c = _char(member, data)
            if c is not None:
                scored.append((lm.step("", c), x))
    scored.sort()
    return tuple(x for _, x in scored[:FANOUT])


def _completing(
    lm: model.LanguageModel,
    member: str,
    pending: bytes,
    prev: str,
    following: tuple[bytes, ...],
    left: str = "",
    keep: Callable[[int], bool] | None = None,
) -> list[int]:
    """The :data:`FANOUT` likeliest bytes after ``pending`` (of those ``keep``
    accepts) when the bytes
    after them are known (the next unit's forms): each is judged by the
    character it makes with them, in context; else as :func:`_ranked_next`."""
    scored: list[tuple[float, int]] = []
    bound = _prefix_bounds(lm.name, member)
    for x in _next_bytes(member, pending):
        data = pending + bytes([x])
        need = _char_len(member, data[0])
        if need == 0 or (keep is not None and not keep(x)):
            continue
        best = math.inf
        for f in following or (b"",):
            full = data + f
            if len(full) >= need:
                c = _char(member, full[:need])
                if c is not None:
                    best = min(best, _guess_cost(lm, prev, c, left))
            else:
                best = min(best, bound.get(full, 30.0))
        if best < math.inf:
            scored.append((best, x))
    scored.sort()
    return [x for _, x in scored[:FANOUT]]


def _guess_cost(lm: model.LanguageModel, prev: str, c: str, left: str) -> float:
    """What a guess that makes ``c`` after ``prev`` costs, as far as it is
    known before the search feeds it: the model's step, a closing mark's
    pairing, a rare mark's cost."""
    cost = lm.step(prev, c) + (RARE_MARK_COST if _rare_mark(c) else 0.0)
    return cost - pairing(left, c) if c in _PAIRS else cost


def _loss_bytes(
    s: _State, member: str, chain: LossyChain, lm: model.LanguageModel, ahead: str, left: str
) -> Iterator[bytes]:
    """What one marker may stand for, given the state before it and the
    units after it."""
    pending = s.pending
    # the next unit's bytes (unknown, too, if it may be a marker)
    following = _forms(chain.decoder, ahead[0], chain.nfkc, chain.loss) if ahead else ()
    if ahead and ahead[0] == chain.marker:
        following = (*following, b"")
    keep: Callable[[int], bool] | None = None
    if chain.loss in _PREFIX_CHECKED and following and b"" not in following:
        # a marker for one byte: a byte the decoder loses on its own, reading
        # the next unit's bytes after it as they read
        alone = _single_loser(chain.decoder, _model_names(chain), chain.marker)

        def lost_alone(x: int) -> bool:
            return any(alone(x, f) for f in following)

        keep = lost_alone
    elif chain.loss in _SBCS_HOLES:
        # a byte Windows-1252 leaves undefined: only those are ranked
        keep = _is_hole
    nxt = _completing(lm, member, pending, s.prev, following, left + s.out, keep)
    if chain.loss == "slipped":
        if not s.guessed:
            # the lone byte a slipped stream lost: a lead byte.  When its
            # trail is lost too (a marker or the lone byte follows), nothing
            # but the context can rank the leads: every one is tried
            if ahead[:1] in (chain.marker, LONE) and not pending:
                yield from (bytes([x]) for x in _next_bytes(member, b""))
            else:
                yield from (bytes([x]) for x in nxt)
            return
        # an invalid pair whose ASCII trail the decoder swallowed
        for x in _completing(lm, member, pending, s.prev, (), left + s.out):
            for y in _swallowed(ahead):
                yield bytes([x, y])
        return
    for x in nxt:
        yield bytes([x])
    if chain.loss in ("replacement", "question", "windows-question"):
        # browsers make one marker of an invalid pair: the byte that ends the
        # pending character and the lead of the next, or a lead and its trail
        if member != "utf-8":
            return
        yield from _pairs(lm, chain, pending, s.prev, following, left + s.out)


def _pairs(
    lm: model.LanguageModel,
    chain: LossyChain,
    pending: bytes,
    prev: str,
    following: tuple[bytes, ...],
    left: str,
) -> Iterator[bytes]:
    """The two bytes one marker may stand for after ``pending`` (UTF-8), the
    likeliest :data:`PAIR_FANOUT` first: judged together by the characters
    they make with ``pending`` and with the bytes of the next unit
    (``following``), so that a pair whose first byte alone looks unlikely
    ("86 E3" of "テン", after "繝" E3 83 and before "Φ" 83 B3) is not cut
    before its second byte is seen.  Only pairs the wrong decoder loses
    are tried: a pair it reads as a character left no marker."""
    member = chain.member
    lost = _pair_loser(chain.decoder, _model_names(chain), chain.marker)
    need = _utf8_len(pending[0]) if pending else 0
    scored: dict[bytes, float] = {}

    def note(pair: bytes, cost: float) -> None:
        if cost < scored.get(pair, math.inf):
            scored[pair] = cost

    # what the next unit's bytes say of the character a pair starts: its
    # continuation bytes end it, or (a unit of nothing else) may go on into
    # the unit after
    shapes: list[tuple[bytes, bool]] = []
    for f in following:
        k = _continuations(f)
        if f and k < len(f):
            shapes.append((f[:k], True))
        elif f:
            shapes += [(f, True), (f, False)]
    shapes = list(dict.fromkeys(shapes))
    blind = b"" in following or not following  # the next unit may be lost too
    if pending and len(pending) + 2 == need:
        # the last two bytes of the pending character (the invalid pair
        # "83 9C" of "ボ" E3 83 9C, read by a Shift_JIS decoder)
        k = len(pending)
        for cost, _, e in _cheapest(
            lm, member, prev, (0, pending, False), PAIR_FANOUT, left, lost, keep_from=k
        ):
            note(e[k:], cost)
    elif pending and len(pending) + 1 == need:
        # the byte that ends the pending character and the lead of the next
        firsts = _cheapest(lm, member, prev, (0, pending, False), PAIR_FANOUT, left)
        for tail, exact in shapes:
            if tail:
                for cost, c, e in firsts:
                    x = e[-1]

                    def second(d: bytes, x: int = x) -> bool:
                        return lost(bytes([x, d[0]]))

                    for cost2, _, e2 in _cheapest(
                        lm, member, c.casefold(), (1, tail, exact), PAIR_FANOUT // 2, "", second, by_head=1
                    ):
                        note(bytes([x, e2[0]]), cost + cost2)
        if blind:
            for cost, c, e in firsts[: PAIR_FANOUT // 3]:
                for y in _completing(lm, member, b"", c.casefold(), ())[: PAIR_FANOUT // 3]:
                    if lost(bytes([e[-1], y])):
                        note(bytes([e[-1], y]), cost + _prefix_bounds(lm.name, member).get(bytes([y]), 30.0))
    elif not pending:
        # a lead and its first continuation byte, and the rest of the
        # character (if any) in the next unit

        def head(e: bytes) -> bool:
            return lost(e[:2])

        heads: list[_Shape] = [(2, tail, exact) for tail, exact in shapes]
        if not shapes:  # the next unit starts a character of its own
            heads.append((2, b"", True))
        if blind:
            heads.append((2, b"", False))
        for shape in heads:
            for cost, _, e in _cheapest(lm, member, prev, shape, PAIR_FANOUT, left, head, by_head=2):
                note(e[:2], cost)
    for pair, _ in sorted(scored.items(), key=lambda kv: kv[1])[:PAIR_FANOUT]:
        yield pair


@cache
def _single_loser(decoder: str, models: tuple[str, ...], marker: str) -> Callable[[int, bytes], bool]:
    """A test of a byte and the bytes after it: does ``decoder`` make one
    ``marker`` of the byte alone, and read the bytes after it as it would
    without it, under one of the loss models ``models``?"""

    @lru_cache(maxsize=65536)
    def lost(x: int, after: bytes) -> bool:
        for name in models:
            rest = damaged(after, name, decoder)
            if damaged(bytes([x]) + after, name, decoder) == marker + rest:
                return True
        return False

    return lost


@cache
def _pair_loser(decoder: str, models: tuple[str, ...], marker: str) -> Callable[[bytes], bool]:
    """A test of two bytes: does ``decoder`` make one ``marker`` of them
    under one of the loss models ``models``?"""

    @lru_cache(maxsize=65536)
    def lost(pair: bytes) -> bool:
        return any(damaged(pair, name, decoder) == marker for name in models)

    return lost


def _continuations(data: bytes) -> int:
    """How many UTF-8 continuation bytes ``data`` starts with."""
    k = 0
    while k < len(data) and 0x80 <= data[k] <= 0xBF:
        k += 1
    return k


#: a character the model knows: (cost of a guess of it as a word start, the
#: character, its bytes)
_Known = tuple[float, str, bytes]
#: which characters: (0, head, _) those whose bytes start with ``head``;
#: (skip, tail, exact) those whose bytes after the first ``skip`` are
#: ``tail`` (exact) or start with it and go on
_Shape = tuple[int, bytes, bool]


#: blocks of characters the model costs by class rather than one by one
_CLASS_COSTED = (
    (0x00A1, 0x00FF),  # Latin-1 punctuation and letters
    (0x2010, 0x2BFF),  # punctuation, arrows, mathematical and other symbols, shapes
    (0x3000, 0x30FF),  # CJK punctuation, kana
    (0x3130, 0x318F),  # Hangul compatibility jamo
    (0xAC00, 0xD7A3),  # Hangul syllables
    (0xFF01, 0xFFEF),  # full-width and half-width forms
)


@lru_cache(maxsize=16)
def _known_chars(lang: str, member: str) -> _KnownIndex:
    """The characters of the model's unigram table, and those it costs by
    their class, by shape (see :data:`_Shape`)."""
    return _KnownIndex(lang, member)


#: the bytes after any byte string of a character (four bytes at most)
_PAST = b"\xff" * 8


class _KnownIndex:
    """:func:`_known_chars`' table.  A group of one shape is made when first
    asked for, from the characters' bytes sorted three ways (whole, without
    the first byte, without the first two): a search asks for a few hundred
    of the thousands of shapes, and costing and filing every character
    under each of its shapes up front took a quarter of a second per
    language and encoding."""

    __slots__ = ("_chars", "_costs", "_datas", "_groups", "_heads", "_kept", "_keys", "_lm", "_order")

    def __init__(self, lang: str, member: str) -> None:
        lm = model.get(lang)
        self._lm = lm
        # (punctuation, symbols, kana and Hangul syllables are not in the
        # table: "。" is not, "，" neither)
        others = (chr(o) for lo, hi in _CLASS_COSTED for o in range(lo, hi + 1))
        chars: list[str] = []
        datas: list[bytes] = []
        for ch in dict.fromkeys((*lm.unigram, *others)):
            try:
                data = ch.encode(member)
            except UnicodeEncodeError:
                continue
            if unicodedata.category(ch) not in ("Cn", "Co", "Cs", "Cc"):
                chars.append(ch)
                datas.append(data)
        self._chars = chars
        self._datas = datas
        self._costs: list[float | None] = [None] * len(chars)
        self._keys: list[list[bytes]] = []
        self._order: list[list[int]] = []
        for skip in (0, 1, 2):
            tails = [d[skip:] for d in datas]
            order = sorted((i for i, d in enumerate(datas) if len(d) >= skip), key=tails.__getitem__)
            self._order.append(order)
            self._keys.append([tails[i] for i in order])
        self._groups: dict[_Shape, list[_Known]] = {}
        #: (shape, test, first byte tested) -> the characters the test keeps
        self._kept: dict[tuple[_Shape, Callable[[bytes], bool], int], list[_Known]] = {}
        #: (shape, head size) -> (indexes by head, the heads' rows made so far)
        self._heads: dict[tuple[_Shape, int], tuple[dict[bytes, list[int]], dict[bytes, list[_Known]]]] = {}

    def get(self, shape: _Shape) -> list[_Known]:
        """The characters of ``shape``, in the order of what a guess of them
        costs (cheapest first; ties by character)."""
        group = self._groups.get(shape)
        if group is None:
            group = self._groups[shape] = self._rows(self._members(shape))
        return group

    def _members(self, shape: _Shape) -> list[int]:
        """The characters of ``shape``, as indexes, unordered."""
        skip, part, exact = shape
        if skip > 2 or (skip == 0 and (exact or not part)):
            return []
        keys = self._keys[skip]
        order = self._order[skip]
        lo = bisect_left(keys, part)
        hi = bisect_right(keys, part + _PAST, lo)
        n = len(part)
        return [order[k] for k in range(lo, hi) if (len(keys[k]) == n) is exact]

    def _rows(self, members: list[int]) -> list[_Known]:
        """``members`` as rows, cheapest first (each costed once, when first
        asked for)."""
        costs, chars, datas = self._costs, self._chars, self._datas
        step = self._lm.step
        rows: list[_Known] = []
        for i in members:
            cost = costs[i]
            if cost is None:
                ch = chars[i]
                cost = costs[i] = step("", ch) + (RARE_MARK_COST if _rare_mark(ch) else 0.0)
            rows.append((cost, chars[i], datas[i]))
        rows.sort()
        return rows

    def kept(self, shape: _Shape, keep: Callable[[bytes], bool], start: int) -> list[_Known]:
        """The characters of ``shape`` whose bytes from ``start`` on ``keep``
        accepts, cheapest first; remembered for ``keep`` (a search asks the
        same of thousands of characters again and again, and keeps few)."""
        key = (shape, keep, start)
        rows = self._kept.get(key)
        if rows is None:
            rows = self._kept[key] = [row for row in self.get(shape) if keep(row[2][start:])]
        return rows

    def by_heads(self, shape: _Shape, size: int, keep: Callable[[bytes], bool]) -> list[list[_Known]]:
        """The characters of ``shape`` grouped by their first ``size`` bytes,
        each group cheapest first: the groups whose head ``keep`` accepts.
        A group is costed and sorted when first accepted: most heads a
        search meets are refused before their characters matter."""
        entry = self._heads.get((shape, size))
        if entry is None:
            table: dict[bytes, list[int]] = {}
            datas = self._datas
            for i in self._members(shape):
                table.setdefault(datas[i][:size], []).append(i)
            entry = self._heads[shape, size] = (table, {})
        table, done = entry
        out: list[list[_Known]] = []
        for head, members in table.items():
            if keep(head):
                rows = done.get(head)
                if rows is None:
                    rows = done[head] = self._rows(members)
                out.append(rows)
        return out


def _fits(data: bytes, shape: _Shape) -> bool:
    skip, part, exact = shape
    if not skip:
        return len(data) > len(part) and data.startswith(part)
    end = skip + len(part)
    return data[skip:end] == part and (len(data) == end if exact else len(data) > end)


@lru_cache(maxsize=4096)
def _known_followers(lang: str, member: str, prev: str) -> tuple[tuple[str, bytes], ...]:
    """The characters the bigram table knows after ``prev``, with their bytes."""
    g = model.get(lang).groups.get(prev)
    out: list[tuple[str, bytes]] = []
    for ch in g[0] if g is not None else ():
        with contextlib.suppress(UnicodeEncodeError):
            out.append((ch, ch.encode(member)))
    return tuple(out)


def _cheapest(
    lm: model.LanguageModel,
    member: str,
    prev: str,
    shape: _Shape,
    n: int,
    left: str = "",
    keep: Callable[[bytes], bool] | None = None,
    *,
    by_head: int = 0,
    keep_from: int = 0,
) -> list[tuple[float, str, bytes]]:
    """The ``n`` cheapest characters of ``shape`` after ``prev`` (see
    :func:`_guess_cost`): the cheapest of the unigram table (a character the
    bigram table does not know after ``prev`` costs its back-off plus its
    unigram cost, in the same order) and those the bigram table knows;
    only those whose bytes ``keep`` accepts.  With ``by_head``, ``keep``
    looks at the first ``by_head`` bytes only: it is asked once per such
    head, not once per character (a pool holds thousands of characters and
    a few hundred heads, and most heads are refused).  With ``keep_from``,
    ``keep`` looks at a character's bytes from there on, and the characters
    it keeps are remembered for it (pass a function that lives long: the
    loss tests of :func:`_pair_loser` do)."""
    chars: dict[str, bytes] = {}
    index = _known_chars(lm.name, member)
    if keep is not None and keep_from:
        rows: Iterable[_Known] = index.kept(shape, keep, keep_from)
        test = keep

        def keep(e: bytes) -> bool:
            return test(e[keep_from:])

    elif keep is not None and by_head:
        rows = heapq.merge(*index.by_heads(shape, by_head, keep))
    else:
        rows = index.get(shape)
        if keep is not None:
            rows = (row for row in rows if keep(row[2]))
    for _, ch, e in rows:
        if len(chars) >= n:
            break
        chars[ch] = e
    for ch, e in _known_followers(lm.name, member, prev):
        if ch not in chars and _fits(e, shape) and (keep is None or keep(e)):
            chars[ch] = e
    if prev and prev not in chars:  # a repeat costs little (哈哈)
        e = prev.encode(member, "ignore")
        if _fits(e, shape) and (keep is None or keep(e)):
            chars[prev] = e
    scored = [(_guess_cost(lm, prev, ch, left), ch, e) for ch, e in chars.items()]
    scored.sort()
    return scored[:n]


def _swallowed(ahead: str) -> bytes:
    """ASCII bytes a swallowing decoder may have eaten: only the "<" of a
    tag whose rest follows ("?/a>"); any other swallowed byte is a guess
    with nothing to go on."""
    if ahead[:1] == "/" or (ahead[:1].isalpha() and ">" in ahead):
        return b"<"
    return b""


#: the bytes Windows-1252 leaves undefined
_CP1252_HOLES = frozenset(_holes.HOLES)


def _is_hole(x: int) -> bool:
    return x in _CP1252_HOLES


def _inside(hidden: bytes) -> bool:
    """Are the vanished bytes ``hidden`` a pair inside one character?"""
    return len(hidden) == 2 and hidden[1] < 0xC0


def _hidden_cost(hidden: bytes) -> float:
    """What assuming the bytes ``hidden`` vanished costs."""
    return HIDDEN_COST + FILL_COST * len(hidden) + (INSIDE_COST if _inside(hidden) else 0.0)


def _vanished(t: _State, s: _State, hidden: bytes) -> None:
    """Charge ``t``, state ``s`` read on, for the bytes ``hidden`` that
    vanished before what it read (a traceless loss)."""
    t.hidden = s.hidden + 1
    t.guessed = s.guessed + len(hidden)
    t.gain -= _hidden_cost(hidden)
    t.inside = s.inside + _inside(hidden)


def _hidden_ends(s: _State, chain: LossyChain, lm: model.LanguageModel, context: str) -> Iterator[_State]:
    """``s`` completed by bytes that vanished after its last unit (a
    traceless loss at the end of a region); ``context`` is the text before
    its start."""
    if not s.pending or s.hidden >= MAX_HIDDEN:
        return
    for hidden in _hidden_bytes(s.pending, chain.member, chain, lm, s.prev):
        t = _feed(s, hidden, chain.member, lm, -len(hidden), context)
        if t is None or t.pending:
            continue
        t.pieces = (*s.pieces, hidden)
        t.alt_forms = s.alt_forms
        _vanished(t, s, hidden)
        yield t


#: pairs inside one character a traceless search tries (the likeliest)
INSIDE_FANOUT = 24


def _hidden_bytes(
    pending: bytes, member: str, chain: LossyChain, lm: model.LanguageModel, prev: str
) -> Iterator[bytes]:
    """Bytes that may have vanished after the partial character ``pending``
    (``prev`` the character before it)."""
    if chain.loss == "sbcs-stripped":
        # undefined Windows-1252 bytes a converter dropped, a soft hyphen
        # (0xAD) a sanitizer stripped
        yield from (bytes([x]) for x in (0xAD, *sorted(_CP1252_HOLES)))
    elif chain.loss == "pua-dropped" and member == "utf-8":
        # a GBK user-defined pair (a private-use character to browsers and
        # Windows), dropped on copy and paste: its first byte ends the pending
        # UTF-8 character, its second starts the next.  (A pair of two
        # continuation bytes inside one character, "学" E5 [AD A6], is as
        # possible, but searching it measured no gain on bench/lossy.py and
        # let '单对~' beat the NFKC reading '单填'.)
        for x in range(0xAA, 0xB0):
            for y in _LEADS:
                yield bytes([x, y])
        if len(pending) == 1 and _utf8_len(pending[0]) == 3:
            # ... or the two continuation bytes of a character, when they
            # make a user-defined pair ("家" E5 [AE B6]): the likeliest
            yield from _inside_pairs(lm.name, pending, prev)


@lru_cache(maxsize=4096)
def _inside_pairs(lang: str, lead: bytes, prev: str) -> tuple[bytes, ...]:
    """The :data:`INSIDE_FANOUT` pairs of continuation bytes that GBK holds
    as user-defined (AAA1-AFBF, A180-A7A0) likeliest to end the character
    ``lead`` starts, after ``prev``."""
    lm = model.get(lang)
    scored: list[tuple[float, bytes]] = []
    for lo, hi, ylo, yhi in ((0xAA, 0xAF, 0xA1, 0xBF), (0xA1, 0xA7, 0x80, 0xA0)):
        for x in range(lo, hi + 1):
            for y in range(ylo, yhi + 1):
                pair = bytes([x, y])
                c = _char("utf-8", lead + pair)
                if c is not None:
                    scored.append((lm.step(prev, c), pair))
    scored.sort()
    return tuple(p for _, p in scored[:INSIDE_FANOUT])


# ---------------------------------------------------------------- verification


def damaged(
    data: bytes, model_name: str, decoder: str, *, slip: int = -1, swallow: bool = False, nfkc: bool = False
) -> str:
    """What ``data`` becomes when ``decoder`` reads it and loses bytes the way
    loss model ``model_name`` does (then NFKC, with ``nfkc``)."""
    from encfix.codecs import _loss

    if model_name == "slipped":
        text = _loss.slipped(data, decoder, slip, marker="?", swallow=swallow)
    elif model_name == "sbcs-stripped":
        text = DECODERS[decoder].decode(data).replace("\xa0", " ").replace("\xad", "")
        text = "".join(c for c in text if not 0x80 <= ord(c) <= 0x9F)
    elif model_name == "sbcs-question":
        text = data.decode(decoder, "replace").replace("\ufffd", "?")
    elif model_name == "sbcs-replace":
        text = data.decode(decoder, "replace")
    else:
        text = _loss.LOSS_MODELS[model_name].decode(data, decoder)
    return unicodedata.normalize("NFKC", text) if nfkc else text


def _model_names(chain: LossyChain) -> tuple[str, ...]:
    return _MODELS.get(chain.loss, (chain.loss,))


def explain(
    data: bytes, chain: LossyChain, before: str, *, slip: int = -1, swallow: bool = False
) -> str | None:
    """The loss model under which ``data`` becomes ``before`` (None: none)."""
    for name in _model_names(chain):
        if damaged(data, name, chain.decoder, slip=slip, swallow=swallow, nfkc=chain.nfkc) == before:
            return name
    return None


def explain_loss(loss: Loss, chain: tuple[str, ...], before: str) -> bool:
    """Does ``loss`` (a fix's record) reproduce ``before`` under ``chain``?"""
    if len(chain) != 2 or chain[1] not in DECODERS:
        return False
    try:
        text = damaged(loss.data, loss.model, chain[1], slip=loss.slip, swallow=loss.swallow, nfkc=loss.nfkc)
    except (KeyError, ValueError):
        return False
    return text == before


def _verify(
    line: str, a: int, chain: LossyChain, finals: list[tuple[_State, int]], left: str, lm: model.LanguageModel
) -> list[Filled]:
    out: list[Filled] = []
    seen: set[tuple[int, int, str]] = set()
    # the likeliest readings first, until enough reproduce their span: a long
    # reading whose guesses need two loss models at once (a lone 0x80 that
    # only CPython loses, a pair browsers keep) reproduces nothing
    for tried, (s, end) in enumerate(sorted(finals, key=lambda f: -f[0].gain)):
        if len(out) >= BEAM * 2 or tried >= MAX_VERIFIED:
            break
        start = a + s.start
        stop = a + end
        key = (start, stop, s.out)
        if key in seen:
            continue
        seen.add(key)
        data = b"".join(s.pieces)
        mask = s.mask
        slip = -1
        if chain.loss == "slipped":
            slip = 0  # readings of a slip start at its marker
        before = line[start:stop]
        if not _evidence(before, s.out, chain, s.swallow):
            continue
        name = None if s.out == before else explain(data, chain, before, slip=slip, swallow=s.swallow)
        if name is None:
            continue
        after = s.out
        # characters at the end that read as themselves are not part of the
        # repair: cut them off, bytes and all, if the rest still reproduces
        k = 0
        while k + 1 < min(len(after), len(before)) and after[-1 - k] == before[-1 - k]:
            k += 1
        while k > 0:
            tail = after[len(after) - k :].encode(chain.member, "ignore")
            if data.endswith(tail) and len(tail) < len(data):
                cut = explain(data[: -len(tail)], chain, before[:-k], slip=slip, swallow=s.swallow)
                if cut is not None:
                    data, after, before, name = data[: -len(tail)], after[:-k], before[:-k], cut
                    mask = mask[: len(data)]
                    stop -= k
                    break
            k -= 1
        if (start, stop, after) != key:
            if (start, stop, after) in seen:
                continue
            seen.add((start, stop, after))
        bonus = pairing(left + line[a:start], after)  # already in the gain
        marks = tuple(p for p in s.marks if p < len(after))
        # invisible characters made of guessed bytes: already in the gain too
        bonus -= ODD_FILL_COST * sum(_odd_guess(after[p]) for p in marks)
        # ... and so are rare marks made of guessed bytes
        bonus -= RARE_MARK_COST * sum(_rare_mark(after[p]) for p in marks)
        final = ending(line, stop, after)
        # a guess that merely repeats the letter before it: already in the
        # gain (the search charged it), not yet in what the engine adds
        last = (left + line[a:start])[-1:]
        echo = ECHO_COST * sum(_echo((after[p - 1] if p else last).casefold(), after[p], lm) for p in marks)
        if s.swallow and _TAG_TAIL.match(line, start, stop + 4):
            # the "<" of a closing tag given back ("?/a>"): markup does not
            # leave that shape any other way
            final += TAG_GAIN
        out.append(
            Filled(
                start,
                stop,
                after,
                chain,
                s.gain + final,
                data,
                marks,
                s.guessed,
                slip=slip,
                swallow=s.swallow,
                bonus=bonus + final - echo,
                model=name,
                alt_forms=s.alt_forms,
                lang=lm.name,
                inside=s.inside,
                mask=mask if len(mask) == len(data) else b"",
            )
        )
    out.sort(key=lambda f: -f.gain)
    return out


# ---------------------------------------------------------------- guesses weighed

#: steps a check of a whole reading against the damage costs (it decodes
#: the bytes once, or twice after NFKC): as in the search's prefix check
CHECK_STEPS = 3

#: the commonest characters of a language, by bytes in the original encoding,
#: that a guessed character is weighed against
POSTERIOR_POOL = 800
#: ... and how many of them that reproduce the span are kept for each
POSTERIOR_KEEP = 16


@cache
def _pool(lang: str, member: str, size: int) -> tuple[tuple[str, bytes], ...]:
    """The :data:`POSTERIOR_POOL` commonest characters of ``lang`` that take
    ``size`` bytes in ``member``, commonest first."""
    out: list[tuple[str, bytes]] = []
    for c, _ in sorted(model.get(lang).unigram.items(), key=lambda kv: (kv[1], kv[0])):
        try:
            data = c.encode(member)
        except UnicodeEncodeError:
            continue
        if len(data) == size:
            out.append((c, data))
            if len(out) >= POSTERIOR_POOL:
                break
    return tuple(out)


def posteriors(
    f: Filled, before: str, left: str, right: str, *, budget: Budget | None = None
) -> dict[int, list[tuple[str, float]]]:
    """How sure each guessed character of reading ``f`` (of ``before``, with
    ``left`` and ``right`` the text on either side) is: for each guessed
    position, the characters that could stand there instead -- any of the
    commonest characters of as many bytes with which the span still
    reproduces, the other characters held as read -- ranked with their
    probabilities under the bigram model given the text around.  Adjacent
    guesses are weighed together (forward-backward over each run of them),
    so that a run the search settled on early does not vouch for itself
    (the beam keeps few readings of a long run, and they agree on it).
    Empty when the reading's bytes cannot be split by character.  The work
    is taken from ``budget`` (scoring the pool of one guessed character
    costs a step per :data:`SCAN_PER_STEP` characters, each check of one
    against the damage :data:`CHECK_STEPS`) but never refused: it is
    bounded for one reading (:data:`POSTERIOR_POOL` checks a guessed
    character), and what it spends leaves less to the searches after it."""
    if not f.guessed or not f.lang:
        return {}
    member = f.chain.member
    offs = _offsets(f)
    if offs is None:
        return {}
    lm = model.get(f.lang)
    options: dict[int, list[str]] = {}
    after = f.after
    for p in f.guessed:
        i, j = offs[p], offs[p + 1]
        if f.model in _SBCS_HOLES and f.mask:
            # one byte a marker: every value of the lost bytes reproduces
            # (values far less likely on their own than the likeliest are
            # left out: they would weigh nothing)
            alts = _holes.plausible(_holes.options(f.data[i:j], f.mask[i:j]), partial(_guessed_step, lm))
            options[p] = [after[p]] + [c for c in alts if c != after[p]]
            continue
        alts = [after[p]]
        pool = _pool(f.lang, member, j - i)
        if f.mask:
            # only characters with the bytes the damage shows
            shown = [(k - i, f.data[k]) for k in range(i, j) if not f.mask[k]]
            pool = tuple(e for e in pool if all(e[1][k] == x for k, x in shown))
        # the likeliest in context first (neighbours as read)
        prev = (after[p - 1] if p else left[-1:]).casefold()
        nxt = after[p + 1] if p + 1 < len(after) else right[:1]
        pool = tuple(
            sorted(
                pool,
                key=lambda e: _guessed_step(lm, prev, e[0]) + (lm.step(e[0].casefold(), nxt) if nxt else 0.0),
            )
        )
        checks = 0
        for c, data in pool:
            if c == alts[0]:
                continue
            checks += 1
            if _reproduces(f, f.data[:i] + data + f.data[j:], before):
                alts.append(c)
                if len(alts) >= POSTERIOR_KEEP:
                    break
        options[p] = alts
        if budget is not None:
            # (spent, not asked for: the weighing of one reading is bounded,
            # and what it spends bounds the searches after it)
            budget.spend(1 + len(pool) // SCAN_PER_STEP + CHECK_STEPS * checks)
    out: dict[int, list[tuple[str, float]]] = {}
    run: list[int] = []
    for p in sorted(options):
        if run and p != run[-1] + 1:
            out.update(_weigh(lm, run, options, f.after, left, right))
            run = []
        run.append(p)
    if run:
        out.update(_weigh(lm, run, options, f.after, left, right))
    return out


def _offsets(f: Filled) -> list[int] | None:
    """Where each character of ``f.after`` starts in ``f.data`` (and the end);
    None if the bytes do not split so."""
    member = f.chain.member
    offs = [0]
    for c in f.after:
        try:
            offs.append(offs[-1] + len(c.encode(member)))
        except UnicodeEncodeError:
            return None
    if offs[-1] != len(f.data) or f.data.decode(member, "replace") != f.after:
        return None
    return offs


def _reproduces(f: Filled, data: bytes, before: str) -> bool:
    """Does ``data`` become ``before`` under ``f``'s chain and loss model?"""
    text = damaged(data, f.model, f.chain.decoder, slip=f.slip, swallow=f.swallow, nfkc=f.chain.nfkc)
    return text == before


def switched(f: Filled, before: str, changes: dict[int, str]) -> Filled | None:
    """``f`` with the guessed characters at the positions of ``changes``
    replaced, if the span still reproduces (None otherwise)."""
    offs = _offsets(f)
    if offs is None:
        return None
    member = f.chain.member
    parts = []
    for p in range(len(f.after)):
        c = changes.get(p)
        parts.append(f.data[offs[p] : offs[p + 1]] if c is None else c.encode(member))
    data = b"".join(parts)
    if not _reproduces(f, data, before):
        return None
    after = "".join(changes.get(p, c) for p, c in enumerate(f.after))
    return replace(f, after=after, data=data)


def _weigh(
    lm: model.LanguageModel, run: list[int], options: dict[int, list[str]], after: str, left: str, right: str
) -> dict[int, list[tuple[str, float]]]:
    """Forward-backward over a run of adjacent guessed positions: each
    position's options with their marginal probabilities."""
    first, last = run[0], run[-1]
    before = (after[first - 1] if first else left[-1:]).casefold()
    nxt = after[last + 1] if last + 1 < len(after) else right[:1]
    # forward: -ln of the probability of each option with everything before
    # it summed over; backward: the same of everything after it
    fwd: list[list[float]] = []
    for k, p in enumerate(run):
        row = []
        for c in options[p]:
            if k == 0:
                row.append(_guessed_step(lm, before, c))
            else:
                prev = options[run[k - 1]]
                row.append(
                    _lse([fwd[k - 1][m] + _guessed_step(lm, q.casefold(), c) for m, q in enumerate(prev)])
                )
        fwd.append(row)
    bwd: list[list[float]] = [[] for _ in run]
    for k in range(len(run) - 1, -1, -1):
        row = []
        for c in options[run[k]]:
            if k == len(run) - 1:
                row.append(lm.step(c.casefold(), nxt) if nxt else 0.0)
            else:
                later = options[run[k + 1]]
                row.append(
                    _lse([_guessed_step(lm, c.casefold(), q) + bwd[k + 1][m] for m, q in enumerate(later)])
                )
        bwd[k] = row
    out: dict[int, list[tuple[str, float]]] = {}
    for k, p in enumerate(run):
        costs = [a + b for a, b in zip(fwd[k], bwd[k], strict=True)]
        z = _lse(costs)
        ranked = sorted(
            ((c, math.exp(z - x)) for c, x in zip(options[p], costs, strict=True)), key=lambda t: -t[1]
        )
        out[p] = ranked
    return out


def _guessed_step(lm: model.LanguageModel, prev: str, c: str) -> float:
    """The cost of guessed character ``c`` after ``prev`` (the search and the
    weighing of its guesses charge the same): the model's step, and what a
    guess pays for repeating the letter before it, for being invisible (a
    lost byte that made a format character) or for being a rare mark."""
    return _guessed_step_of(lm.name, prev, c)


@lru_cache(maxsize=1 << 17)
def _guessed_step_of(lang: str, prev: str, c: str) -> float:
    lm = model.get(lang)
    cost = lm.step(prev, c)
    if _echo(prev, c, lm):
        cost += ECHO_COST
    if _odd_guess(c):
        cost += ODD_FILL_COST
    if _rare_mark(c):
        cost += RARE_MARK_COST
    return cost


def _lse(costs: list[float]) -> float:
    """-ln of the sum of exp(-cost): costs added as probabilities."""
    lo = min(costs)
    return lo - math.log(sum(math.exp(lo - x) for x in costs))


#: nats a guessed letter costs for repeating the one before it where the
#: bigram table does not know the pair: the model's discount for repeats
#: (哈哈, ━━) is no evidence for a guess ("部部", "解解")
ECHO_COST = 4.0


def _echo(prev: str, c: str, lm: model.LanguageModel) -> bool:
    """Does guessed letter ``c`` merely repeat ``prev`` (casefolded), a pair
    the bigram table does not know?"""
    return c.casefold() == prev and c.isalpha() and lm.bigram_cost(c + c) is None


def _evidence(before: str, after: str, chain: LossyChain, swallow: bool = False) -> bool:
    """Does the span hold mojibake besides its markers?  A reading of markers
    alone (two U+FFFD read as some character) is a guess with nothing to go
    on; a slipped stream shows at least two wrong characters after its
    marker -- or the tag it broke: a swallowed "<" leaves "?/a>" behind."""
    if swallow:
        return True
    rest = [c for c in before if c != chain.marker]
    if not rest:
        return False
    return chain.loss != "slipped" or sum(not c.isascii() for c in rest) >= 1


#: marks that end a sentence, and the nats a guessed one earns at the end of
#: a line (or before markup): the bigram model has no end-of-text symbol,
#: so it cannot tell "。" from "、" there
_FINALS = frozenset("。！？…」』）.!?")
FINAL_GAIN = 4.0
#: ... and what the ideographic full stop earns over the other marks there:
#: most sentences of Chinese and Japanese prose end with it, and the model,
#: built from words, knows no punctuation to tell (a hand-set prior: "。"
#: about four times as likely as "！" or "？" at the end of a line)
FULL_STOP_GAIN = 1.4


def ending(line: str, stop: int, after: str) -> float:
    """Evidence for ``after`` (ending at ``stop`` in ``line``) from where it
    ends: a sentence-final mark at the end of a line earns :data:`FINAL_GAIN`."""
    if after.endswith("<"):
        after = after[:-1]  # the "<" a swallowing decoder ate, given back
    if not after or after[-1] not in _FINALS:
        return 0.0
    rest = line[stop:].lstrip(" \t")
    if rest and rest[0] not in "\r\n<":
        return 0.0
    return FINAL_GAIN + (FULL_STOP_GAIN if after[-1] == "。" else 0.0)


#: categories of characters a guess should not make: spaces other than the
#: plain and the ideographic one, format and control characters, unassigned code points (nor a
#: loss marker: "・" is what Windows writes for a lost character)
_ODD = frozenset(("Zs", "Zl", "Zp", "Cf", "Cc", "Cn", "Co"))
ODD_FILL_COST = 8.0


def _odd_guess(c: str) -> bool:
    """Is ``c`` a character a guess should not make (see :data:`_ODD`)?  The
    plain space and the ideographic one, CJK text's own, are not odd."""
    return c in LOSS_MARKERS or (c not in " \u3000" and unicodedata.category(c) in _ODD)


#: punctuation CJK text uses all the time (besides the model's own class of
#: full-width CJK punctuation, see :func:`_rare_mark`)
_COMMON_MARKS = frozenset("“”‘’…‥—―–·")
#: nats a guessed character costs for being a punctuation mark, symbol or
#: combining mark that CJK text seldom uses: the model costs every mark of a
#: class alike ("‼" as much as "“"), so one made of a lost byte outbid a
#: letter ("‼이브" for "라이브", E2 80 BC for EB 9D BC)
RARE_MARK_COST = 4.0


@lru_cache(maxsize=4096)
def _rare_mark(c: str) -> bool:
    """Is ``c`` a mark a guess should seldom make: a non-ASCII punctuation
    mark, symbol or combining mark outside the common ones?"""
    if c.isascii() or c in _COMMON_MARKS or char_class(c) == "cjk_punct":
        return False
    return unicodedata.category(c)[0] in "PSM"


#: paired punctuation: closing mark -> opening mark
_PAIRS = {"”": "“", "」": "「", "』": "『", "》": "《", "）": "（", "’": "‘", "〉": "〈", "】": "【"}
#: nats a guessed closing mark earns for closing a mark opened before it (and
#: costs when nothing is open): the bigram model cannot see that far
PAIRING_GAIN = 3.0


def pairing(left: str, after: str) -> float:
    """Evidence for ``after`` from paired punctuation: its closing marks
    that close one opened in ``left`` (the text before it on its line)."""
    score = 0.0
    depth = {o: left.count(o) - left.count(c) for c, o in _PAIRS.items()}
    for ch in after:
        o = _PAIRS.get(ch)
        if o is not None:
            score += PAIRING_GAIN if depth[o] > 0 else -PAIRING_GAIN
            depth[o] -= 1
        elif ch in depth:
            depth[ch] += 1
    return score
