"""Choosing the codec of bytes that are not UTF-8.

Every candidate reads the same sample of the bytes: the whitespace-delimited
tokens that hold a byte >= 0x80 (whitespace bytes are never part of a
multi-byte character in an ASCII-compatible code, so cutting there is safe,
and the ASCII around them -- the same under every candidate -- is left out).
Readings that give the same text are one *group*.

1. On the first ~96 bytes of tokens each candidate is scored in C: the
   unigram cost of its reading (:func:`encfix.model.unigram_cost`), plus
   :data:`ERROR_COST` per byte it cannot decode, plus its prior; groups far
   behind the best are dropped.
2. The survivors read ~512 bytes of tokens, scored the same way, and if
   groups of more than one family are left, up to 4 KiB.
3. If more than one family is still left, the ~512 bytes are scored again
   by the bigram model (:func:`encfix.model.cost`) instead of the unigram
   table.  A single-byte winner has every single-byte candidate read whole
   words again, scored by the bigram model.

Work is saved without changing a score: tokens are cut from the data only
as far as a stage reads (:class:`Tokens`), and a single-byte code page is
scored from a table of its bytes' costs, read only if it may survive.

The winner's *family* then picks its member on the whole text
(:func:`choose_member`): the narrowest member that decodes every byte,
unless a wider one reads the differing cells much more probably.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from encfix import _regex, model
from encfix._decode._codecs import (
    CANDIDATES,
    EDGE_COST,
    ERROR_COST,
    HEAD_COST,
    Candidate,
    candidate_for,
    decode_run,
)

__all__ = ["Choice", "Member", "Sample", "Tokens", "choose", "choose_member", "tokens"]

#: valid UTF-8 holding two CJK-range (3- or 4-byte) characters in a row
_WIDE_PAIR = _regex.compile("[\u0800-\ud7ff\ue000-\U0010ffff]{2}")
_SPACE = _regex.compile(rb"[\x00-\x20]")
#: bytes 0x00-0x20 made spaces: a token runs from a byte >= 0x80 to the next
#: of them (never inside a multi-byte character)
_SPACES = bytes(0x20 if b < 0x20 else b for b in range(256))
_ASCII_GRAPHIC = bytes(range(0x21, 0x80))

SAMPLE0 = 96
SAMPLE1 = 512
SAMPLE2 = 4096
#: characters of the first sample the bigram model reads again
BIGRAM_CHARS = 300
MARGIN0 = 40.0
MARGIN1 = 30.0
MARGIN2 = 12.0
#: a wider family member must read its differing cells this much more
#: cheaply (nats per differing character) to beat the narrowest one
MEMBER_MARGIN = 10.0


@dataclass(slots=True)
class _Group:
    text: str
    score: float
    cands: list[Candidate] = field(default_factory=list)
    head: int = 0
    errors: int = 0
    #: the sample ``text`` reads (so that it is not decoded again)
    sample: Sample | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """The chosen codec, the bytes to skip at the start of the data, and how sure."""

    cand: Candidate
    confidence: float
    head: int = 0
    #: other families' readings: (label, probability)
    alternatives: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Sample:
    """High-byte tokens of the data, in order (see the module docstring)."""

    tokens: tuple[bytes, ...]
    #: the first token starts the data (it may begin with a cut character)
    at_start: bool
    #: the tokens joined by spaces: what every candidate reads
    joined: bytes = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "joined", b" ".join(self.tokens))

    def prefix(self, limit: int) -> Sample:
        out: list[bytes] = []
        total = 0
        for t in self.tokens:
            if total and total + len(t) > limit:
                break
            out.append(t)
            total += len(t) + 1
        return Sample(tuple(out), self.at_start)


class Tokens:
    """Up to ``limit`` bytes of ``data``'s high-byte tokens: from a byte >=
    0x80 to the next whitespace (the ASCII before it in its word is left out;
    it is the same under every candidate).  ``skip_utf8``: leave out tokens
    that are valid UTF-8 with CJK-range characters (in a document that mixes
    encodings they are not the legacy part).

    Tokens are cut from the data only as far as they are asked for (by
    :meth:`prefix`): most choices are made on the first :data:`SAMPLE1`
    bytes of them, and only a close call reads on."""

    def __init__(self, data: bytes, limit: int = SAMPLE2, *, skip_utf8: bool = False) -> None:
        self.data = data
        self.limit = limit
        self.skip_utf8 = skip_utf8
        self.got: list[bytes] = []
        #: ``ends[k]``: bytes of ``got[: k + 1]``, each with its space after it
        self.ends: list[int] = []
        self.pos = 0  # where the next chunk starts
        self.span = 1024  # how far the next chunk reaches (doubling)
        self._all: Sample | None = None

    @property
    def at_start(self) -> bool:
        """Does the first token start the data (it may begin with a cut character)?"""
        return self.data[:1] >= b"\x80" and bool(self.got) and self.data.startswith(self.got[0])

    def _more(self) -> bool:
        """Cut the tokens of the next chunk of the data (False: there is none)."""
        data, n, limit = self.data, len(self.data), self.limit
        pos = self.pos
        total = self.ends[-1] if self.ends else 0
        if pos >= n or total >= limit:
            return False
        end = n if n - pos <= self.span else pos + self.span
        if end < n:  # end the chunk at whitespace, never inside a character
            m = _SPACE.search(data, end)
            end = m.end() if m else n
        self.pos = end
        self.span *= 2
        # runs of bytes > 0x20 that hold a high byte, from the first one on
        words = data[pos:end].translate(_SPACES).split()
        toks = [w.lstrip(_ASCII_GRAPHIC) for w in words if not w.isascii()]
        if self.skip_utf8:
            toks = [t for t in toks if not _wide_utf8(t)]
        # up to the first token that reaches the limit (cut to it)
        ends = list(accumulate([len(t) + 1 for t in toks], initial=total))[1:]
        take = bisect_left(ends, limit)
        if take < len(toks):
            toks = toks[: take + 1]
            ends = ends[: take + 1]
            if len(toks[-1]) > limit:
                toks[-1] = toks[-1][:limit]
                ends[-1] = (ends[-2] if take else total) + limit + 1
        self.got += toks
        self.ends += ends
        return True

    def all(self) -> Sample:
        """Every token (up to ``limit`` bytes of them)."""
        if self._all is None:
            while self._more():
                pass
            self._all = Sample(tuple(self.got), self.at_start)
        return self._all

    def prefix(self, limit: int) -> tuple[Sample, bool]:
        """``self.all().prefix(limit)``, and whether more tokens follow it."""
        ends = self.ends
        # a token is left out when the ones before it and it pass ``limit``
        # (the first is always in): cut until one is, or none are left
        while (len(ends) < 2 or ends[-1] <= limit + 1) and self._more():
            pass
        take = max(1, bisect_right(ends, limit + 1)) if ends else 0
        return Sample(tuple(self.got[:take]), self.at_start), take < len(ends)


def _wide_utf8(tok: bytes) -> bool:
    """Is ``tok`` valid UTF-8 with two CJK-range characters in a row?"""
    try:
        return _WIDE_PAIR.search(tok.decode("utf-8")) is not None
    except UnicodeDecodeError:
        return False


def tokens(data: bytes, limit: int = SAMPLE2, *, skip_utf8: bool = False) -> Sample:
    """All of :class:`Tokens` at once."""
    return Tokens(data, limit, skip_utf8=skip_utf8).all()


def _words(data: bytes, limit: int = SAMPLE1 * 4) -> Sample:
    """Whole whitespace-delimited words that hold a byte >= 0x80."""
    out: list[bytes] = []
    total = 0
    for w in data[: 64 * limit].split():
        if not w.isascii():
            out.append(w)
            total += len(w) + 1
            if total >= limit:
                break
    return Sample(tuple(out), False)


def _read(
    sample: Sample, cand: Candidate, uni: dict[str, float] | None = None, text: str | None = None
) -> tuple[str, int, int, float]:
    """(text, head, errors, edge cost) of ``cand`` reading the sample: an
    incomplete final sequence costs :data:`EDGE_COST`, and a multi-byte
    candidate may skip a first byte cut from its character for
    :data:`HEAD_COST` when the sample starts the data.  ``uni`` caches
    unigram costs by text; ``text``: the sample decoded with "replace", if
    the caller has it."""
    joined = sample.joined
    if text is None:
        text = joined.decode(cand.codec, "replace")
    errors = text.count("\ufffd")
    if not errors:
        best: tuple[str, int, int, float] | None = (text, 0, 0, 0.0)
    else:
        best = None
        # an incomplete final sequence?  (it reads as a final U+FFFD; a
        # reading that ends otherwise has its errors inside)
        if errors <= 2 and text[-1] == "\ufffd":
            try:
                t, _h, tail = decode_run(joined, cand.codec, at_end=True)
                best = (t, 0, 0, EDGE_COST * bool(tail))
            except UnicodeDecodeError:
                pass
    if sample.at_start and cand.multibyte:
        try:
            t, _h, tail = decode_run(joined[1:], cand.codec, at_end=True)
        except UnicodeDecodeError:
            pass
        else:
            edge = HEAD_COST + EDGE_COST * bool(tail)
            if best is None or _unigram(t, uni) + edge < _unigram(best[0], uni) + best[3]:
                best = (t, 1, 0, edge)
    if best is not None:
        return best
    return text, 0, errors, 0.0


def _unigram(text: str, cache: dict[str, float] | None) -> float:
    """:func:`encfix.model.unigram_cost`, remembered in ``cache`` (family
    members and stages often read a sample alike)."""
    if cache is None:
        return model.unigram_cost(text)
    cost = cache.get(text)
    if cost is None:
        cost = cache[text] = model.unigram_cost(text)
    return cost


@functools.cache
def _byte_costs(codec: str) -> tuple[bytes, bytes] | None:
    """A single-byte code page's reading of every byte as unigram costs: the
    cost (in 1/:data:`encfix.model.UNIGRAM_SCALE` nats, as
    :func:`encfix.model.unigram_cost` counts) of the character each byte
    reads as -- U+FFFD for a byte it cannot read -- and those bytes.  The
    unigram score of its reading is then a ``bytes.translate`` and a sum,
    with no decoding.  None: the codec does not read one byte as exactly one
    character (a reading of its own must be decoded)."""
    costs = bytearray()
    bad = bytearray()
    for b in range(256):
        try:
            ch = bytes((b,)).decode(codec)
        except UnicodeDecodeError:
            ch = "\ufffd"
            bad.append(b)
        else:
            if len(ch) != 1 or ch == "\ufffd":
                return None
        costs.append(round(model.unigram_cost(ch) * model.UNIGRAM_SCALE))
    return bytes(costs), bytes(bad)


def _score_groups(sample: Sample, cands: list[Candidate], margin: float | None = None) -> list[_Group]:
    """Every candidate's reading of the sample, scored; candidates that read
    it alike are one group (its score the best of theirs), best first.

    A single-byte candidate is scored from its byte table
    (:func:`_byte_costs`: exactly the score its reading gets) before it is
    read.  With ``margin``, only the groups within ``margin`` of the best
    are kept (see :func:`_prune`), and a single-byte candidate is read only
    if its score could put it in a group kept: a reading shared with a kept
    group scores at most that group's score plus the difference of their
    priors.
    """
    joined = sample.joined
    at_start = sample.at_start
    uni: dict[str, float] = {}
    # (candidate, score, (text, head, errors) -- None: not read yet)
    scored: list[tuple[Candidate, float, tuple[str, int, int] | None]] = []
    for cand in cands:
        table = None if cand.multibyte else _byte_costs(cand.codec)
        if table is not None:
            costs, bad = table
            errors = len(joined) - len(joined.translate(None, bad)) if bad else 0
            cost = sum(joined.translate(costs)) / model.UNIGRAM_SCALE
            scored.append((cand, cost + ERROR_COST * errors + cand.prior, None))
            continue
        text = joined.decode(cand.codec, "replace")
        head = errors = 0
        edge = 0.0
        if "\ufffd" in text or (at_start and cand.multibyte):
            text, head, errors, edge = _read(sample, cand, uni, text)
        cost = _unigram(text, uni)
        scored.append((cand, cost + ERROR_COST * errors + edge + cand.prior, (text, head, errors)))
    best = min(score for _c, score, _r in scored)
    limit = math.inf
    if margin is not None:
        # a candidate's score exceeds that of a group reading the sample as
        # it does by at most their difference in priors (same text, same
        # U+FFFDs; a multi-byte member may add an edge cost, never subtract)
        slack = max((c.prior for c in cands if not c.multibyte), default=0.0) - min(c.prior for c in cands)
        limit = best + margin + slack
    groups: dict[str, _Group] = {}
    for cand, score, read in scored:
        if read is None:
            if score > limit:
                continue  # in no group that is kept
            text = joined.decode(cand.codec, "replace")
            read = (text, 0, text.count("\ufffd"))
        text, head, errors = read
        g = groups.get(text)
        if g is None:
            groups[text] = _Group(text, score, [cand], head, errors, sample)
        else:
            g.cands.append(cand)
            if score < g.score:
                g.score = score
    out = sorted(groups.values(), key=lambda g: g.score)
    return out if margin is None else _prune(out, margin)


def _prune(groups: list[_Group], margin: float) -> list[_Group]:
    best = groups[0].score
    return [g for g in groups if g.score <= best + margin]


def choose(
    data: bytes,
    *,
    candidates: tuple[Candidate, ...] = CANDIDATES,
    consult_peers: bool = True,
    skip_utf8: bool = False,
    sample: Tokens | None = None,
) -> Choice | None:
    """The codec of the high-byte tokens of ``data`` (None: there are none);
    ``sample``: those tokens, if the caller has them."""
    toks = sample if sample is not None else Tokens(data, skip_utf8=skip_utf8)
    sample1, more = toks.prefix(SAMPLE1)
    if not sample1.tokens:
        return None
    sample0 = sample1.prefix(SAMPLE0)
    cands = list(candidates)
    if len(sample1.tokens) > len(sample0.tokens):
        cands = [c for g in _score_groups(sample0, cands, MARGIN0) for c in g.cands]
    groups = _score_groups(sample1, cands, MARGIN1)
    if more and _rivals(groups):
        groups = _score_groups(toks.all(), [c for g in groups for c in g.cands], MARGIN2)
    # rivals are ranked by the bigram model -- unless they are all single-byte
    # code pages: every one of those reads whole words again below, whatever
    # order they are in
    words: Sample | None = None
    if _rivals(groups) and (
        any(c.multibyte for g in groups for c in g.cands) or not (words := _words(data)).tokens
    ):
        groups = _bigram(sample1, groups)
    if not groups[0].cands[0].multibyte:
        # a single-byte code page: letters need their words around them, so
        # every single-byte candidate reads whole words again
        if words is None:
            words = _words(data)
        if words.tokens:
            cands = [c for g in groups for c in g.cands if c.multibyte]
            cands += [c for c in candidates if not c.multibyte]
            sample1 = words.prefix(SAMPLE1)
            groups = _bigram(sample1, _score_groups(sample1, cands))
    if consult_peers and not groups[0].cands[0].multibyte and _conclude(groups).confidence < 0.99:
        extra = _peer_candidates(data, groups)
        if extra:
            cands = [c for g in groups for c in g.cands] + extra
            groups = _bigram(sample1, _score_groups(sample1, cands))
    return _conclude(groups)


def _rivals(groups: list[_Group]) -> bool:
    """Are groups of another family than the best one still in the running?"""
    family = groups[0].cands[0].family
    return any(g.cands[0].family != family for g in groups[1:])


def _bigram(sample1: Sample, groups: list[_Group]) -> list[_Group]:
    """Rescore: the first sample by the bigram model instead of the unigram table."""
    out: list[_Group] = []
    best = math.inf
    for g in groups:
        text = g.text if g.sample is sample1 else _read(sample1, g.cands[0])[0]
        text = text[:BIGRAM_CHARS]
        uni = model.unigram_cost(text)
        delta = model.cost(text, bound=best - g.score + uni + MARGIN2) - uni
        score = g.score + delta
        best = min(best, score)
        out.append(_Group(g.text, score, g.cands, g.head, g.errors, g.sample))
    return sorted(out, key=lambda g: g.score)


def _conclude(groups: list[_Group]) -> Choice:
    best = groups[0].score
    weights = [math.exp(-(g.score - best)) for g in groups]
    total = sum(weights)
    top = groups[0].cands[0]
    family_p = sum(w for g, w in zip(groups, weights, strict=True) if g.cands[0].family == top.family) / total
    alts: dict[str, float] = {}
    for g, w in zip(groups, weights, strict=True):
        c = g.cands[0]
        if c.family != top.family:
            alts[c.label] = alts.get(c.label, 0.0) + w / total
    ranked = tuple(sorted(((k, p) for k, p in alts.items() if p >= 1e-4), key=lambda kp: -kp[1])[:4])
    return Choice(top, family_p, groups[0].head, ranked)


#: bytes the peers read (their time grows with the input; a few KB decide)
PEER_BYTES = 8192


def _peer_candidates(data: bytes, groups: list[_Group]) -> list[Candidate]:
    """chardet's and charset-normalizer's answers, as candidates scored like ours."""
    import chardet
    import charset_normalizer

    chunk = data[:PEER_BYTES]
    names: list[str] = []
    guess = chardet.detect(chunk)
    if guess.get("encoding"):
        names.append(str(guess["encoding"]))
    match = charset_normalizer.from_bytes(chunk).best()
    if match is not None:
        names.append(str(match.encoding))
    have = {c.codec for g in groups for c in g.cands}
    out: list[Candidate] = []
    for name in names:
        cand = candidate_for(name)
        if cand is None:
            try:
                chunk[:64].decode(name)
            except (LookupError, UnicodeDecodeError):
                continue
            from encfix._decode._codecs import label_of, lookup

            codec = lookup(name)
            if codec.startswith(("utf_", "ascii")):
                continue
            cand = Candidate(label_of(name), codec, "peer:" + codec, 0, 1.0, False)
        if cand.codec not in have:
            have.add(cand.codec)
            out.append(cand)
    return out


# --------------------------------------------------------------------------- members


#: families whose wider members read in as many characters as the narrower
#: ones: what a member reads as one character, a wider member reads as one
#: character too or cannot read, and what a member leaves pending at the end
#: a wider one leaves pending too (or cannot read).  Their wider readings
#: are never weighed against the first (:func:`_wider_wins` weighs readings
#: of different lengths only), so :func:`choose_member` does not decode
#: them.  Not EUC-KR: it reads KS X 1001 Annex 3's 8-byte sequences as one
#: syllable, which CP949 reads as four jamo.  (``tests/test_decode.py``
#: checks every sequence of up to two bytes, three for EUC-JP.)
ALIKE_IN_LENGTH = frozenset({"gb", "big5", "sjis", "eucjp"})


def family_members(cand: Candidate) -> list[Candidate]:
    members = [c for c in CANDIDATES if c.family == cand.family]
    return sorted(members, key=lambda c: c.rank) if members else [cand]


@dataclass(frozen=True, slots=True)
class Member:
    cand: Candidate
    label: str
    #: the whole blob read by ``cand`` (None: no member reads every byte)
    text: str | None = None
    #: bytes of an incomplete final sequence left out of ``text``
    tail: int = 0


def choose_member(blob: bytes, cand: Candidate, *, at_end: bool = False) -> Member:
    """The member of ``cand``'s family that reads ``blob`` (which may end in
    an incomplete sequence when ``at_end``), and the label to report.

    The narrowest member that decodes every byte wins, unless a wider one
    that also does reads the cells where they differ at least
    :data:`MEMBER_MARGIN` nats per character more probably (in practice
    never: members differ in mapping variants of one character, such as
    ``〜``/``～``, which the model scores alike, and a wider member that
    changes characters needlessly is wrong).  When members read the bytes
    identically, the narrowest is reported -- but GBK for GB text that
    GB2312 reads identically: the ``gb2312`` label is decoded as GBK nearly
    everywhere.
    """
    members = family_members(cand)
    readings: list[tuple[Candidate, str, int]] = []
    for m in members:
        try:
            text, _h, tail = decode_run(blob, m.codec, at_end=at_end)
        except UnicodeDecodeError:
            continue
        readings.append((m, text, tail))
        if len(readings) > 1 and readings[-1][1] == readings[0][1] and m.family != "gb":
            break  # a wider member that reads the same text: the narrowest stands
        if m.family in ALIKE_IN_LENGTH and (m.codec != "gb2312" or len(readings) > 1):
            break  # no wider reading can win (GBK's is wanted for the label only)
    if not readings:
        fewest = min(members, key=lambda m: blob.decode(m.codec, "replace").count("\ufffd"))
        return Member(fewest, fewest.label)
    chosen, text, tail = readings[0]
    for m, other, t in readings[1:]:
        if other != text and _wider_wins(text, other):
            chosen, text, tail = m, other, t
    label = chosen.label
    if chosen.codec == "gb2312" and any(m.codec == "gbk" and t == text for m, t, _ in readings):
        label = "gbk"
    return Member(chosen, label, text, tail)


def _wider_wins(narrow: str, wide: str) -> bool:
    """Only readings of different lengths are weighed by the model (members
    that map one cell to two variants of a character are not: the narrow
    reading stands)."""
    if len(narrow) == len(wide):
        return False
    return model.cost(wide[:2000]) + MEMBER_MARGIN < model.cost(narrow[:2000])
