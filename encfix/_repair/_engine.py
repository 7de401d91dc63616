"""Span-level reversal of lossless mojibake.

Pipeline for one text (cheap exits first):

1. fast path: no character any known decoder produces and real text rarely
   uses -> return the text unchanged;
2. per line holding such a character: for every decoder that produces one of
   them, cut the line into runs that decoder can have produced, re-encode each
   run and look for stretches whose bytes decode strictly in an original
   encoding (alignment, start and end variants included);
3. deeper rounds: a candidate's text is itself tried as mojibake, whole;
4. the language model scores every candidate against the text it replaces,
   each with a few characters of context; gain = cost(before) - cost(after)
   - prior(chain);
5. the best non-overlapping set of candidates is chosen (weighted interval
   scheduling); each kept candidate's confidence is its share of probability
   against "leave it" and the candidates that overlap it.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate

from encfix import model
from encfix.codecs import DECODERS, Decoder, Original
from encfix._detect._tables import (
    encodable_regex,
    non_ascii_encodable_regex,
    suspicious_regex,
    suspicious_set,
)
from encfix._repair._chains import ROUND_COST, Chain, chains_for_decoder

__all__ = ["Candidate", "find_candidates", "choose", "CONTEXT", "TEMPERATURE"]

#: characters of context on each side when scoring a candidate
CONTEXT = 8
#: how far (characters) from a suspicious character a stretch may start
WINDOW = 48
#: confidence = softmax(gain / TEMPERATURE) against "leave it" and rivals
TEMPERATURE = 2.0

#: the widest member of each family, used to find where valid bytes end
_SCAN_MEMBERS: dict[str, tuple[str, ...]] = {
    "utf-8": ("utf-8",),
    "gbk": ("gb18030",),
    "big5": ("cp950", "big5hkscs"),
    "shift_jis": ("cp932", "shift_jis_2004"),
    "euc-jp": ("euc_jis_2004", "euc_jp"),
    "euc-kr": ("cp949",),
}
_MEMBER_COST = 0.3  # prior cost per step down a family's member list


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    after: str
    chain: tuple[str, ...]
    members: tuple[str, ...]
    decoder: str
    prior: float
    gain: float = 0.0
    confidence: float = 0.0
    rivals: list[Candidate] = field(default_factory=list)


class _Encoded:
    """A run re-encoded by one decoder's inverse, with char -> byte offsets."""

    __slots__ = ("data", "bounds", "pos2k")

    def __init__(self, run: str, dec: Decoder) -> None:
        if not dec.multibyte:
            self.data = dec.encode(run)
            self.bounds: list[int] | range = range(len(run) + 1)
        else:
            cache = _enc_cache(dec.name)
            parts = []
            for ch in run:
                b = cache.get(ch)
                if b is None:
                    b = dec.encode(ch)
                    cache[ch] = b
                parts.append(b)
            self.data = b"".join(parts)
            self.bounds = [0, *accumulate(len(p) for p in parts)]


_ENC_CACHES: dict[str, dict[str, bytes]] = {}


def _enc_cache(name: str) -> dict[str, bytes]:
    c = _ENC_CACHES.get(name)
    if c is None:
        c = _ENC_CACHES[name] = {}
    return c


def _valid_end(mv: memoryview, p: int, members: tuple[str, ...]) -> int:
    best = p
    n = len(mv)
    for m in members:
        try:
            str(mv[p:], m)
            return n
        except UnicodeDecodeError as e:
            q = p + e.start
            if q > best:
                best = q
    return best


def _decodes(mv: memoryview, p: int, q: int, members: tuple[str, ...]) -> bool:
    for m in members:
        try:
            str(mv[p:q], m)
            return True
        except UnicodeDecodeError:
            pass
    return False


def _stretch(enc: _Encoded, mv: memoryview, k: int, members: tuple[str, ...]) -> int:
    """End index (chars) of the longest stretch from char ``k`` that decodes, or ``k``."""
    bounds = enc.bounds
    p = bounds[k]
    if mv[p] < 0x80:
        return k
    q = _valid_end(mv, p, members)
    j = bisect_right(bounds, q) - 1
    while j > k and not _decodes(mv, p, bounds[j], members):
        j -= 1
    return j


def _scan(enc: _Encoded, members: tuple[str, ...], starts: Iterable[int]) -> set[tuple[int, int]]:
    """Stretches (k0, k1) of the run whose bytes decode strictly."""
    mv = memoryview(enc.data)
    found: set[tuple[int, int]] = set()
    bounds = enc.bounds
    next_free = -1
    for k in starts:
        if k < next_free:
            continue
        j = _stretch(enc, mv, k, members)
        if j <= k:
            continue
        found.add((k, j))
        # alignment variants: the stretch may have swallowed a correct
        # character at either end
        for k2 in (k + 1, k + 2):
            if k2 < j:
                j2 = _stretch(enc, mv, k2, members)
                if j2 > k2:
                    found.add((k2, j2))
        for j2 in (j - 1, j - 2):
            if j2 > k and _decodes(mv, bounds[k], bounds[j2], members):
                found.add((k, j2))
        next_free = j
    return found


def _segments(line: str, dec: Decoder, orig_is_utf8: bool, seeds: list[int]) -> list[tuple[int, str]]:
    """(offset, text) of runs ``dec`` can have produced that hold a seed."""
    rx = non_ascii_encodable_regex(dec.name) if orig_is_utf8 else encodable_regex(dec.name)
    out: list[tuple[int, str]] = []
    si = 0
    ns = len(seeds)
    for m in rx.finditer(line):
        a, b = m.span()
        while si < ns and seeds[si] < a:
            si += 1
        if si >= ns:
            break
        if seeds[si] >= b:
            continue
        out.append((a, m.group()))
    return out


def _starts(seg_start: int, seg_len: int, seeds: list[int]) -> list[int]:
    lo_seed = bisect_right(seeds, seg_start - WINDOW - 1)
    ks: set[int] = set()
    for s in seeds[lo_seed:]:
        if s >= seg_start + seg_len + WINDOW:
            break
        lo = max(0, s - seg_start - WINDOW)
        hi = min(seg_len, s - seg_start + WINDOW + 1)
        ks.update(range(lo, hi))
    return sorted(ks)


def _decode_variants(orig: Original, data: bytes) -> list[tuple[str, str]]:
    return orig.decode_all(data)


def _deeper(text: str, depth: int) -> list[tuple[str, tuple[str, ...], tuple[str, ...], str, float]]:
    """Further rounds: ``text`` itself read as mojibake, whole.

    Returns (text, chain, members, decoder model, extra prior) for every
    strict reversal, innermost chain first."""
    if depth <= 0:
        return []
    chars = set(text)
    out: list[tuple[str, tuple[str, ...], tuple[str, ...], str, float]] = []
    for dname, dec in DECODERS.items():
        if not chars & suspicious_set(dname):
            continue
        try:
            data = dec.encode(text)
        except UnicodeEncodeError:
            continue
        if data.isascii():
            continue
        for ch in chains_for_decoder(dname):
            for idx, (member, t2) in enumerate(_decode_variants(ch.original, data)):
                if t2 == text:
                    continue
                if not _reproduces(t2, member, dec, text):
                    continue
                extra = ROUND_COST + ch.prior + idx * _MEMBER_COST
                out.append((t2, ch.names, (member,), dec.model, extra))
                for t3, chain3, mem3, _dm, extra3 in _deeper(t2, depth - 1):
                    out.append((t3, chain3 + ch.names, mem3 + (member,), dec.model, extra + extra3))
    return out


def _reproduces(after: str, member: str, dec: Decoder, before: str) -> bool:
    """Pushing ``after`` through the hypothesised damage gives ``before``."""
    try:
        return dec.decode(after.encode(member)) == before
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False


def find_candidates(line: str, seeds: list[int], max_rounds: int) -> list[Candidate]:
    """All strict reversals of spans of ``line`` near the ``seeds``."""
    seed_chars = {line[s] for s in seeds}
    out: dict[tuple[int, int, str], Candidate] = {}
    for dname, dec in DECODERS.items():
        sus = suspicious_set(dname)
        if seed_chars.isdisjoint(sus):
            continue
        dseeds = [s for s in seeds if line[s] in sus]
        chains = chains_for_decoder(dname)
        for utf8 in (True, False):
            group = [c for c in chains if (c.original.name == "utf-8") == utf8]
            if not group:
                continue
            for seg_start, seg in _segments(line, dec, utf8, dseeds):
                try:
                    enc = _Encoded(seg, dec)
                except UnicodeEncodeError:
                    continue
                starts = _starts(seg_start, len(seg), dseeds)
                for ch in group:
                    _collect(line, seg_start, seg, enc, ch, starts, max_rounds, out)
    return list(out.values())


def _collect(
    line: str,
    seg_start: int,
    seg: str,
    enc: _Encoded,
    ch: Chain,
    starts: list[int],
    max_rounds: int,
    out: dict[tuple[int, int, str], Candidate],
) -> None:
    orig = ch.original
    dec = ch.decoder
    bounds = enc.bounds
    for k0, k1 in _scan(enc, _SCAN_MEMBERS[orig.name], starts):
        data = enc.data[bounds[k0] : bounds[k1]]
        before = seg[k0:k1]
        for idx, (member, after) in enumerate(_decode_variants(orig, data)):
            # trailing ASCII that decoded as itself is not part of the damage
            a, b = k0, k1
            while b > a and after and before[b - a - 1] == after[-1] and after[-1].isascii():
                after = after[:-1]
                b -= 1
            if after == seg[a:b] or not after or after.isascii():
                continue
            span_before = seg[a:b]
            if not _reproduces(after, member, dec, span_before):
                continue
            prior = ch.prior + idx * _MEMBER_COST
            _add(out, Candidate(seg_start + a, seg_start + b, after, ch.names, (member,), dec.model, prior))
            if max_rounds > 1:
                for t2, chain2, mem2, _dm, extra in _deeper(after, max_rounds - 1):
                    _add(
                        out,
                        Candidate(
                            seg_start + a,
                            seg_start + b,
                            t2,
                            chain2 + ch.names,
                            mem2 + (member,),
                            dec.model,
                            prior + extra,
                        ),
                    )


def _add(out: dict[tuple[int, int, str], Candidate], c: Candidate) -> None:
    key = (c.start, c.end, c.after)
    old = out.get(key)
    if old is None or c.prior < old.prior:
        out[key] = c


def score(line: str, cands: list[Candidate]) -> None:
    """Fill in each candidate's gain (nats) against leaving the span alone."""
    base: dict[tuple[int, int], float] = {}
    for c in cands:
        left = line[max(0, c.start - CONTEXT) : c.start]
        right = line[c.end : c.end + CONTEXT]
        key = (c.start, c.end)
        c0 = base.get(key)
        if c0 is None:
            c0 = base[key] = model.cost(left + line[c.start : c.end] + right)
        c.gain = c0 - model.cost(left + c.after + right) - c.prior


def choose(cands: list[Candidate]) -> list[Candidate]:
    """Best non-overlapping subset by total gain; fills in confidences."""
    pos = [c for c in cands if c.gain > 0]
    if not pos:
        return []
    pos.sort(key=lambda c: (c.end, c.start))
    ends = [c.end for c in pos]
    best = [0.0] * (len(pos) + 1)
    take: list[bool] = [False] * len(pos)
    for i, c in enumerate(pos):
        j = bisect_right(ends, c.start, 0, i)
        with_c = best[j] + c.gain
        if with_c > best[i]:
            best[i + 1] = with_c
            take[i] = True
        else:
            best[i + 1] = best[i]
    chosen: list[Candidate] = []
    i = len(pos) - 1
    while i >= 0:
        if take[i]:
            c = pos[i]
            chosen.append(c)
            i = bisect_right(ends, c.start, 0, i) - 1
        else:
            i -= 1
    chosen.reverse()
    for c in chosen:
        rivals = [r for r in cands if r is not c and r.start < c.end and c.start < r.end]
        # hypotheses that give the same text for the same span are one outcome
        same = [r for r in rivals if r.start == c.start and r.end == c.end and r.after == c.after]
        others = [r for r in rivals if r not in same]
        top = max([c.gain] + [r.gain for r in rivals] + [0.0]) / TEMPERATURE
        num = sum(math.exp(g.gain / TEMPERATURE - top) for g in [c, *same])
        den = num + math.exp(-top) + sum(math.exp(r.gain / TEMPERATURE - top) for r in others)
        c.confidence = num / den
        c.rivals = others
    return chosen


def line_seeds(line: str) -> list[int]:
    return [m.start() for m in suspicious_regex().finditer(line)]
