"""Choosing the codec of bytes that are not UTF-8.

Every candidate reads the same sample of the bytes: the whitespace-delimited
tokens that hold a byte >= 0x80 (whitespace bytes are never part of a
multi-byte character in an ASCII-compatible code, so cutting there is safe,
and the ASCII around them -- the same under every candidate -- is left out).
Readings that give the same text are one *group*.

1. On the first ~512 bytes of tokens each candidate is scored in C: the
   unigram cost of its reading (:func:`encfix.model.unigram_cost`), plus
   :data:`ERROR_COST` per byte it cannot decode, plus its prior; groups far
   behind the best are dropped.
2. The survivors read up to 8 KiB of tokens, scored the same way.
3. If more than one group is left, the first sample is scored again by the
   bigram model (:func:`encfix.model.cost`) instead of the unigram table.

The winner's *family* then picks its member on the whole text
(:func:`choose_member`): the narrowest member that decodes every byte,
unless a wider one reads the differing cells much more probably.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from encfix import model
from encfix._decode._codecs import (
    CANDIDATES,
    EDGE_COST,
    ERROR_COST,
    HEAD_COST,
    Candidate,
    candidate_for,
    decode_run,
)

__all__ = ["Choice", "Member", "Sample", "choose", "choose_member", "tokens"]

#: valid UTF-8 holding two CJK-range (3- or 4-byte) characters in a row
_WIDE_PAIR = re.compile("[\u0800-\ud7ff\ue000-\U0010ffff]{2}")
_SPACE = re.compile(rb"[\x00-\x20]")
#: from a byte >= 0x80 to the next whitespace (never inside a multi-byte character)
_TOKEN = re.compile(rb"[\x80-\xff][^\x00-\x20]*+")

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

    def prefix(self, limit: int) -> Sample:
        out: list[bytes] = []
        total = 0
        for t in self.tokens:
            if total and total + len(t) > limit:
                break
            out.append(t)
            total += len(t) + 1
        return Sample(tuple(out), self.at_start)


def tokens(data: bytes, limit: int = SAMPLE2, *, skip_utf8: bool = False) -> Sample:
    """Up to ``limit`` bytes of ``data``'s high-byte tokens: from a byte >=
    0x80 to the next whitespace (the ASCII before it in its word is left out;
    it is the same under every candidate).  ``skip_utf8``: leave out tokens
    that are valid UTF-8 with CJK-range characters (in a document that mixes
    encodings they are not the legacy part)."""
    out: list[bytes] = []
    total = 0
    pos = 0
    n = len(data)
    span = 8 * limit
    while pos < n and total < limit:
        end = n if n - pos <= span else pos + span
        if end < n:  # end the chunk at whitespace, never inside a character
            m = _SPACE.search(data, end)
            end = m.end() if m else n
        for tok in _TOKEN.findall(data, pos, end):
            if skip_utf8:
                try:
                    if _WIDE_PAIR.search(tok.decode("utf-8")):
                        continue
                except UnicodeDecodeError:
                    pass
            if len(tok) > limit:
                tok = tok[:limit]
            out.append(tok)
            total += len(tok) + 1
            if total >= limit:
                break
        pos = end
        span *= 4
    return Sample(tuple(out), data[:1] >= b"\x80" and bool(out) and data.startswith(out[0]))


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


def _read(sample: Sample, cand: Candidate, joined: bytes | None = None) -> tuple[str, int, int, float]:
    """(text, head, errors, edge cost) of ``cand`` reading the sample (its
    tokens ``joined`` by spaces, if the caller has them): an incomplete
    final sequence costs :data:`EDGE_COST`, and a multi-byte candidate may
    skip a first byte cut from its character for :data:`HEAD_COST` when the
    sample starts the data."""
    if joined is None:
        joined = b" ".join(sample.tokens)
    text = joined.decode(cand.codec, "replace")
    errors = text.count("\ufffd")
    if not errors:
        best: tuple[str, int, int, float] | None = (text, 0, 0, 0.0)
    else:
        best = None
        if errors <= 2:  # an incomplete final sequence?
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
            if best is None or model.unigram_cost(t) + edge < model.unigram_cost(best[0]) + best[3]:
                best = (t, 1, 0, edge)
    if best is not None:
        return best
    return text, 0, errors, 0.0


def _score_groups(sample: Sample, cands: list[Candidate]) -> list[_Group]:
    groups: dict[str, _Group] = {}
    joined = b" ".join(sample.tokens)
    costs: dict[str, float] = {}  # family members often read the sample alike
    for cand in cands:
        text, head, errors, edge = _read(sample, cand, joined)
        uni = costs.get(text)
        if uni is None:
            uni = costs[text] = model.unigram_cost(text)
        score = uni + ERROR_COST * errors + edge + cand.prior
        g = groups.get(text)
        if g is None:
            groups[text] = _Group(text, score, [cand], head, errors)
        else:
            g.cands.append(cand)
            if score < g.score:
                g.score = score
    return sorted(groups.values(), key=lambda g: g.score)


def _prune(groups: list[_Group], margin: float) -> list[_Group]:
    best = groups[0].score
    return [g for g in groups if g.score <= best + margin]


def choose(
    data: bytes,
    *,
    candidates: tuple[Candidate, ...] = CANDIDATES,
    consult_peers: bool = True,
    skip_utf8: bool = False,
    sample: Sample | None = None,
) -> Choice | None:
    """The codec of the high-byte tokens of ``data`` (None: there are none)."""
    sample2 = sample if sample is not None else tokens(data, skip_utf8=skip_utf8)
    if not sample2.tokens:
        return None
    sample1 = sample2.prefix(SAMPLE1)
    sample0 = sample1.prefix(SAMPLE0)
    cands = list(candidates)
    if len(sample1.tokens) > len(sample0.tokens):
        cands = [c for g in _prune(_score_groups(sample0, cands), MARGIN0) for c in g.cands]
    groups = _prune(_score_groups(sample1, cands), MARGIN1)
    if len(sample2.tokens) > len(sample1.tokens) and _rivals(groups):
        groups = _prune(_score_groups(sample2, [c for g in groups for c in g.cands]), MARGIN2)
    if _rivals(groups):
        groups = _bigram(sample1, groups)
    if not groups[0].cands[0].multibyte:
        # a single-byte code page: letters need their words around them, so
        # every single-byte candidate reads whole words again
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
        text, _head, _errors, _edge = _read(sample1, g.cands[0])
        text = text[:BIGRAM_CHARS]
        uni = model.unigram_cost(text)
        delta = model.cost(text, bound=best - g.score + uni + MARGIN2) - uni
        score = g.score + delta
        best = min(best, score)
        out.append(_Group(g.text, score, g.cands, g.head, g.errors))
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
