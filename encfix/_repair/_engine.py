"""Span-level reversal of lossless mojibake.

Pipeline for one line that the fast path flagged (cheap steps first):

1. seeds: strong seed characters, and weak ones that have a weak neighbour,
   grouped into clusters;
2. per cluster, for every decoder that produces one of its seeds: take the run
   of characters that decoder can have produced, re-encode it by the
   decoder's inverse, and find the longest stretches whose bytes decode
   strictly in an original encoding (one candidate per family member that
   decodes them);
3. the language model scores each candidate against the text it replaces,
   with a few characters of context on each side:
   ``gain = cost(before) - cost(after) - prior(chain)``;
4. promising candidates get variants: other alignments and ends (a stretch
   may have swallowed a correct neighbour), and deeper rounds (the candidate's
   own text read as mojibake, whole);
5. the best non-overlapping set is chosen (weighted interval scheduling); a
   kept candidate's confidence is its softmax share against "leave it" and
   the candidates that overlap it.

A candidate exists only if pushing its text through the damage it names
reproduces the input exactly.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, pairwise

from encfix import _regex, model
from encfix._detect._tables import (
    ASTRAL_RE,
    SANDWICH_RE,
    all_encodable,
    encodable_regex,
    find_suspicious,
    latin_line,
    non_ascii_encodable_regex,
    seed_decoders,
    seed_kinds,
    spaced_regex,
    word_regex,
)
from encfix._repair import _lossy
from encfix._repair._chains import BASE_COST, ROUND_COST, Chain, chains_for_decoder
from encfix._repair._latin import is_latin_chain
from encfix.codecs import DECODERS, Decoder

__all__ = ["TEMPERATURE", "Candidate", "Spans", "analyse", "clusters"]

#: characters of context on each side when scoring a candidate
CONTEXT = 8
#: confidence = softmax(gain / TEMPERATURE) against "leave it" and rivals
TEMPERATURE = 2.0
#: candidates scoring this much worse than "leave it" are not scored exactly
SLACK = 20.0
#: candidates within this of "leave it" get alignment variants and deeper rounds
PROMISING = -6.0
#: seeds closer than this belong to one cluster
CLUSTER_GAP = 4
#: a stretch may start this many characters before a cluster's first seed
LEAD = 6
#: legacy (double-byte) originals: a stretch may end this far after the last seed
TAIL = 6
#: UTF-8 originals: how far from a cluster a run is followed
REACH = 256
#: candidates of one chain this close (characters) are also tried as one span
MERGE_GAP = 64
#: damage rarely stops after one or two characters: extra prior for such spans
SHORT_COST = {1: 3.0, 2: 3.5}
#: a stretch cut short of where its bytes stop decoding is a coincidence: cost
#: per character left out at either end
VARIANT_COST = 2.0
#: characters a legacy-to-legacy candidate may give back at each end, and
#: how many of the best candidates of a line are trimmed (see _Search.trims)
TRIM = 8
TRIM_TOP = 3
#: how far (characters) a legacy-original candidate is grown each way
EXTEND = 32
#: prior cost per step down a family's member list
MEMBER_COST = 0.3

#: the widest members of each family, used to find where valid bytes end
_SCAN_MEMBERS: dict[str, tuple[str, ...]] = {
    "utf-8": ("utf-8", "encfix-cesu-8"),
    "cp1252": ("cp1252",),
    "gbk": ("gb18030",),
    "big5": ("cp950", "big5hkscs"),
    "shift_jis": ("cp932", "shift_jis_2004"),
    "euc-jp": ("euc_jis_2004", "euc_jp"),
    "euc-kr": ("cp949",),
}


#: a legacy CJK encoding decodes to CJK text: letters, not only symbols
NO_LETTER_COST = 12.0


#: a legacy-to-legacy repair of a character standing alone (a list, a table)
#: has no context to go by: extra prior per such character
ISOLATED_COST = 3.0
_ISOLATED = _regex.compile(r"(?<![^\W\d_])[^\W\d_](?![^\W\d_])")


def isolated_cost(chain: tuple[str, ...], before: str) -> float:
    if not DECODERS[chain[1]].multibyte:
        return 0.0
    return ISOLATED_COST * len(_ISOLATED.findall(before))


#: a span read through a single-byte code page with correct CJK letters on
#: both sides: damage of a few bytes inside intact CJK text is unlikely
EMBEDDED_COST = 6.0
#: ... and a CJK character of a legacy original glued to a Latin letter
GLUED_COST = 5.0


#: a repair into symbols alone ("¬¬") of letters a double-byte decoder made,
#: glued to intact letters ("얌냠짭짭"): the span is part of a word
SYMBOLS_IN_WORD_COST = 12.0


def _symbols_in_word(line: str, c: Candidate) -> bool:
    """Is ``c`` a repair into nothing but symbols of a span glued to an
    intact non-ASCII letter?  Damage reads whole byte strings wrong: the
    letters beside it would be damaged too.  (A lossy reading's span ends
    where a loss cut it, not where its damage did.)"""
    if c.lossy is not None or any(ch.isalnum() for ch in c.after):
        return False
    near = line[max(0, c.start - 1) : c.start] + line[c.end : c.end + 1]
    return any(not x.isascii() and x.isalpha() for x in near)


def embedded_cost(line: str, c: Candidate) -> float:
    """Where a span read through a single-byte code page sits decides how
    likely its damage is: inside intact CJK text (a few bytes damaged among
    correct characters), or -- for a legacy CJK original -- glued to Latin
    letters (CJK characters inside a Latin word)."""
    if DECODERS[c.chain[-1]].multibyte:
        return SYMBOLS_IN_WORD_COST if _symbols_in_word(line, c) else 0.0
    cost = 0.0
    if (
        c.start > 0
        and c.end < len(line)
        and _CJK_LETTER.match(line, c.start - 1)
        and _CJK_LETTER.match(line, c.end)
    ):
        cost += EMBEDDED_COST
    if c.chain[0] not in ("utf-8", "cp1252") and _CJK_LETTER.search(c.after):
        if c.start > 0 and _LATIN_LETTER.match(line, c.start - 1) and _CJK_LETTER.match(c.after):
            cost += GLUED_COST
        if c.end < len(line) and _LATIN_LETTER.match(line, c.end) and _CJK_LETTER.match(c.after[-1]):
            cost += GLUED_COST
    return cost


_KANA_RE = _regex.compile("[\u3040-\u30ff]")
_HAN_RE = _regex.compile("[\u3400-\u9fff\uf900-\ufaff]")
_NOT_JAPANESE = frozenset({"gbk", "big5", "euc-kr"})
#: extra prior of Japanese (mostly kana) text in a Chinese or Korean encoding
NOT_JAPANESE_COST = 3.0


def script_cost(chain: tuple[str, ...], after: str, before: str = "") -> float:
    """Extra prior for a legacy CJK original whose text has no CJK letter.

    Legacy CJK read by another legacy CJK decoder is CJK text on both sides:
    a reading where either side has no CJK letter, or where the repaired
    side has no character pair any language model knows (a list of single
    characters), is no evidence of damage and is not a candidate."""
    if chain[0] in ("utf-8", "cp1252"):
        return 0.0
    has_letter = _CJK_LETTER.search(after) is not None
    extra = 0.0
    if chain[0] in _NOT_JAPANESE and len(_KANA_RE.findall(after)) > len(_HAN_RE.findall(after)):
        # GBK, Big5 and EUC-KR hold kana, but Japanese is rarely written in
        # them: a mostly-kana reading costs extra (EUC-JP "キー" and GBK
        # "キ〖" are otherwise one symbol apart)
        extra = NOT_JAPANESE_COST
    if DECODERS[chain[1]].multibyte:
        if not has_letter or (before and _CJK_LETTER.search(before) is None):
            return math.inf
        # (any language of its scripts will do: scoring every language only
        # to pick the one to ask cost a quarter of the time spent on legacy
        # CJK read by another legacy CJK decoder)
        if not any(model.get(lang).knows_a_pair(after) for lang in model.candidate_languages(after)):
            return math.inf
        return extra
    return extra + (0.0 if has_letter else NO_LETTER_COST)


#: repaired text must look like text: each nat per character above this ...
PLAUSIBLE_COST = 9.5
#: ... costs this much extra (garbage "repaired" into other garbage)
IMPLAUSIBLE_WEIGHT = 1.0


def implausibility(after: str) -> float:
    """Extra cost of a repair whose own text is improbable per character."""
    sample = after[:64]
    per_char = model.cost(sample) / max(1, len(sample))
    return max(0.0, per_char - PLAUSIBLE_COST) * len(after) * IMPLAUSIBLE_WEIGHT


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    after: str
    chain: tuple[str, ...]
    members: tuple[str, ...]
    decoder: str
    prior: float
    gain: float = -math.inf
    confidence: float = 0.0
    #: the part of the prior paid once per line ("this line is damaged this way")
    refundable: float = 0.0
    embedded_checked: bool = False
    #: (decoder name, byte stretch) that produced it, for variants
    origin: tuple[str, int, int, int, int] | None = None
    rivals: list[Candidate] = field(default_factory=list)
    #: for a lossy reading: how it filled in what was lost
    lossy: _lossy.Filled | None = None
    #: for a chosen lossy reading: the readings that differ from it only in
    #: guessed characters, with their probabilities (itself included)
    fillers: list[tuple[str, float]] = field(default_factory=list)


_CJK = "\u3400-\u9fff\uf900-\ufaff\uac00-\ud7a3\uff61-\uff9f"
_CJK_CHAR = _regex.compile(f"[{_CJK}]")
_LATIN_LETTER = _regex.compile("[A-Za-z\u00c0-\u024f]")
_CJK_LETTER = _regex.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3\uf900-\ufaff\U00020000-\U0003ffff]")


@dataclass(slots=True)
class Cluster:
    first: int
    last: int
    chars: set[str]
    #: CJK characters found inside Latin words (UTF-8 accents read as CJK)
    sandwiched: set[str] = field(default_factory=set)
    #: Han characters in space-separated short runs (Korean read as Chinese)
    spaced: set[str] = field(default_factory=set)
    #: (decoder, UTF-8 original?) pairs that passed the screen
    allowed: set[tuple[str, bool]] = field(default_factory=set)
    #: the decoders that produce any of ``chars`` as a seed (worked out when
    #: first asked: ``chars`` is complete by then)
    seeded: frozenset[str] | None = None
    #: the (decoder, UTF-8 original?) pairs :func:`screen` has judged
    screened: set[tuple[str, bool]] = field(default_factory=set)
    #: decoder -> can it re-encode all the Latin-embedded or spaced seeds?
    #: (worked out when first asked, like ``seeded``)
    encodable: dict[str, bool] = field(default_factory=dict)

    def wants(self, dname: str, dec: Decoder) -> bool:
        if self.seeded is None:
            self.seeded = frozenset().union(*map(seed_decoders, self.chars))
        if dname in self.seeded:
            return True
        if not dec.multibyte:
            return False
        known = self.encodable.get(dname)
        if known is None:
            known = self.encodable[dname] = any(
                group and all_encodable(dname, group) for group in (self.sandwiched, self.spaced)
            )
        return known


class _Encoded:
    """A run re-encoded by one decoder's inverse, with char -> byte offsets."""

    __slots__ = ("bounds", "data", "mv")

    def __init__(self, run: str, dec: Decoder) -> None:
        self.bounds: list[int] | range
        if not dec.multibyte:
            self.data = dec.encode(run)
            self.bounds = range(len(run) + 1)
        else:
            cache = _ENC_CACHES.setdefault(dec.name, {})
            parts = []
            for ch in run:
                b = cache.get(ch)
                if b is None:
                    b = cache[ch] = dec.encode(ch)
                parts.append(b)
            self.data = b"".join(parts)
            self.bounds = [0, *accumulate(len(p) for p in parts)]
        self.mv = memoryview(self.data)


_ENC_CACHES: dict[str, dict[str, bytes]] = {}


def _valid_end(mv: memoryview, p: int, members: tuple[str, ...]) -> int:
    best = p
    for m in members:
        try:
            str(mv[p:], m)
            return len(mv)
        except UnicodeDecodeError as e:
            best = max(best, p + e.start)
    return best


def _decodes(mv: memoryview, p: int, q: int, members: tuple[str, ...]) -> bool:
    for m in members:
        try:
            str(mv[p:q], m)
            return True
        except UnicodeDecodeError:
            pass
    return False


def _stretch(enc: _Encoded, k: int, members: tuple[str, ...]) -> int:
    """End (char index) of the longest stretch from char ``k`` that decodes, or ``k``."""
    bounds, mv = enc.bounds, enc.mv
    p = bounds[k]
    if mv[p] < 0x80:
        return k
    j = bisect_right(bounds, _valid_end(mv, p, members)) - 1
    while j > k and not _decodes(mv, p, bounds[j], members):
        j -= 1
    return j


#: runs of well-formed multi-byte UTF-8 (and CESU-8 surrogates)
_UTF8_RUN = _regex.compile(
    rb"(?:[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xef][\x80-\xbf]{2}"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2})+"
)


def _utf8_stretches(enc: _Encoded, k_lo: int, k_hi: int) -> list[tuple[int, int]]:
    """Char spans [k, j) of a re-encoded run whose bytes are a run of valid
    multi-byte UTF-8, with k in [k_lo, k_hi) (plus shorter alignments)."""
    bounds = enc.bounds
    data = enc.data
    out: list[tuple[int, int]] = []
    for m in _UTF8_RUN.finditer(data, bounds[k_lo] if k_lo < len(bounds) else len(data)):
        p, q = m.span()
        k = bisect_left(bounds, p)
        if k >= k_hi:
            break
        # start on a character boundary of both encodings
        while k < len(bounds) - 1 and (bounds[k] >= q or 0x80 <= data[bounds[k]] <= 0xBF):
            k += 1
        j = bisect_right(bounds, q) - 1
        while j > k and bounds[j] < q and 0x80 <= data[bounds[j]] <= 0xBF:
            j -= 1  # inside the run, a continuation byte is mid-character
        if j > k:
            out.append((k, j))
    return out


_STRONG_KIND = _regex.compile("s")
_WEAK_KIND = _regex.compile("w")


def clusters(line: str) -> list[Cluster]:
    """Seed characters of ``line``, grouped."""
    kinds = line.translate(seed_kinds())
    seeds = [m.start() for m in _STRONG_KIND.finditer(kinds)]
    weak = [m.start() for m in _WEAK_KIND.finditer(kinds)]
    if not line.isascii():
        # every character beyond the BMP is a weak seed (HKSCS characters)
        weak.extend(m.start() for m in ASTRAL_RE.finditer(line))
        weak.sort()
    paired: set[int] = set()
    for i, w in enumerate(weak):
        for v in weak[i + 1 : i + 3]:
            # the rule of :func:`weak_pair`, astral seeds included
            adjacent = v - w == 1 and line[v] != line[w]
            across = v - w == 2 and not line[w + 1].isascii() and line[w + 1] != line[w]
            if adjacent or across:
                paired.update((v, w))
    seeds.extend(paired)
    sandwiched: set[int] = set()
    # accented letters read as CJK show in Latin text; in CJK text a CJK
    # character between two Latin words is just a word ("Mars跟Joart")
    latin = latin_line(line)
    for m in SANDWICH_RE.finditer(line) if latin else ():
        a, b = m.span(1) if m.start(1) >= 0 else m.span(2)
        sandwiched.update(range(a, b))
    if latin:
        # in Latin text any CJK character is worth a look: accented letters
        # read as CJK start words, end them, or stand alone ("횪", "贈825")
        sandwiched.update(m.start() for m in _CJK_CHAR.finditer(line))
    # whole words of what CJK decoders make of UTF-8 two-byte sequences:
    # Cyrillic or Greek read as CJK ("袪邪斜芯褌邪")
    for m in word_regex().finditer(line):
        sandwiched.update(range(*m.span(1)))
    seeds.extend(sandwiched)
    spaced: set[int] = set()
    for m in spaced_regex().finditer(line):
        spaced.update(i for i in range(*m.span()) if not line[i].isspace())
    spaced -= set(seeds)
    seeds.extend(spaced)
    seeds = sorted(set(seeds))
    out: list[Cluster] = []
    for s in seeds:
        if out and s - out[-1].last <= CLUSTER_GAP:
            out[-1].last = s
        else:
            out.append(Cluster(s, s, set()))
        if s in sandwiched:
            out[-1].sandwiched.add(line[s])
        elif s in spaced:
            out[-1].spaced.add(line[s])
        else:
            out[-1].chars.add(line[s])
    return out


def readings(dec: Decoder, ch: Chain, text: str, data: bytes | None = None) -> list[tuple[str, str]]:
    """Every distinct reversal of ``text`` under ``ch`` as (member, text),
    family members in order (alternate byte forms tried, see
    :meth:`Decoder.reverse`); ``data`` is ``dec.encode(text)``, if known
    (the same for every chain of the decoder and every member)."""
    if data is None:
        data = dec.encode(text)
    out: list[tuple[str, str]] = []
    for member in ch.original.members:
        try:
            after = dec.reverse(text, member, data=data)
        except UnicodeError:
            continue
        if all(after != t for _, t in out):
            out.append((member, after))
    return out


def _reproduces(after: str, member: str, dec: Decoder, before: str) -> bool:
    """Pushing ``after`` through the hypothesised damage gives ``before``."""
    try:
        return dec.decode(after.encode(member)) == before
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False


class _Search:
    """Candidate generation and scoring for one line."""

    def __init__(self, line: str, max_rounds: int, cls: list[Cluster] | None = None) -> None:
        self.line = line
        self.clusters = cls
        #: every seed cluster of the line, screened or not
        self.seeds: list[Cluster] = list(cls or ())
        self.max_rounds = max_rounds
        self.cands: dict[tuple[int, int, str], Candidate] = {}
        self.base_cost: dict[tuple[int, int], float] = {}
        self.encoded: dict[tuple[str, int, int], _Encoded] = {}

    # -- generation -------------------------------------------------------

    def _add(self, c: Candidate) -> Candidate | None:
        if c.prior == math.inf:
            return None
        if not c.embedded_checked:
            c.embedded_checked = True
            c.prior += embedded_cost(self.line, c)
        # canonical span: ASCII that comes out as itself at either end is not
        # part of the repair (so equal repairs are one candidate); a lossy
        # reading's span is fixed by the bytes it hypothesises
        line = self.line
        while (
            c.lossy is None
            and c.end > c.start
            and c.after
            and c.after[-1] == line[c.end - 1]
            and c.after[-1].isascii()
        ):
            c.after = c.after[:-1]
            c.end -= 1
        while (
            c.lossy is None
            and c.end > c.start
            and c.after
            and c.after[0] == line[c.start]
            and c.after[0].isascii()
        ):
            c.after = c.after[1:]
            c.start += 1
        if not c.after or c.start >= c.end:
            return None
        key = (c.start, c.end, c.after)
        old = self.cands.get(key)
        if old is None or c.prior < old.prior:
            self.cands[key] = c
            return c
        return None

    def _emit(
        self, seg_start: int, seg: str, k0: int, k1: int, enc: _Encoded, ch: Chain, extra: float = 0.0
    ) -> list[Candidate]:
        seg_end = seg_start + len(seg)
        """Candidates from the byte stretch of chars [k0, k1) of ``seg``."""
        out: list[Candidate] = []
        bounds = enc.bounds
        data = enc.data[bounds[k0] : bounds[k1]]
        # a span the same damage could have continued is a coincidence
        scan = _SCAN_MEMBERS[ch.original.name]
        if k0 > 0 and not seg[k0 - 1].isascii() and _decodes(enc.mv, bounds[k0 - 1], bounds[k1], scan):
            extra += VARIANT_COST
        if k1 < len(seg) and not seg[k1].isascii() and _decodes(enc.mv, bounds[k0], bounds[k1 + 1], scan):
            extra += VARIANT_COST
        for idx, (member, after) in enumerate(ch.original.decode_all(data)):
            a, b = k0, k1
            # trailing ASCII that decoded as itself is not part of the damage
            while b > a and after and seg[b - 1] == after[-1] and after[-1].isascii():
                after = after[:-1]
                b -= 1
            before = seg[a:b]
            if after == before or not after or after.isascii():
                continue
            if "\ufffd" in after and ch.decoder.multibyte:
                continue  # 锟斤拷 / 占쏙옙: the data was lost before this mis-decoding
            if not _reproduces(after, member, ch.decoder, before):
                continue
            sc = script_cost(ch.names, after, before) + isolated_cost(ch.names, before)
            short = SHORT_COST.get(b - a, 0.0)
            c = Candidate(
                seg_start + a,
                seg_start + b,
                after,
                ch.names,
                (member,),
                ch.decoder.model,
                ch.prior + idx * MEMBER_COST + short + sc + extra,
                origin=(ch.decoder.name, seg_start, seg_end, k0, k1),
                refundable=BASE_COST + short,
            )
            if self._add(c) is not None:
                out.append(c)
        return out

    def generate(self) -> None:
        line = self.line
        n = len(line)
        for cl in self.clusters if self.clusters is not None else clusters(line):
            for dname, dec in DECODERS.items():
                if not cl.wants(dname, dec):
                    continue
                chains = chains_for_decoder(dname)
                for utf8 in (True, False) if cl.chars or cl.spaced else (True,):
                    if (dname, utf8) not in cl.allowed:
                        continue
                    group = [c for c in chains if (c.original.name == "utf-8") == utf8]
                    if not group:
                        continue
                    if utf8:
                        rx = non_ascii_encodable_regex(dname)
                        lo, hi = max(0, cl.first - REACH), min(n, cl.last + REACH)
                    else:
                        rx = encodable_regex(dname)
                        lo, hi = max(0, cl.first - LEAD), min(n, cl.last + TAIL + 1)
                    for m in rx.finditer(line, lo, hi):
                        a, b = m.span()
                        if b <= cl.first - LEAD or a > cl.last:
                            continue
                        enc = self._encoded(dname, a, b)
                        if enc is None:
                            continue
                        seg = m.group()
                        k_lo = max(0, cl.first - LEAD - a)
                        k_hi = min(b - a, cl.last - a + 1)
                        if utf8:
                            # UTF-8 is self-synchronising: its valid runs are
                            # found in C, then cut to the decoder's characters
                            for k, j in _utf8_stretches(enc, k_lo, k_hi):
                                for ch in group:
                                    self._emit(a, seg, k, j, enc, ch)
                            continue
                        for ch in group:
                            members = _SCAN_MEMBERS[ch.original.name]
                            nxt = -1
                            for k in range(k_lo, k_hi):
                                if k < nxt and not seg[k - 1].isspace():
                                    # inside the last stretch; but damage
                                    # often starts after a space ("朋友。 叫づ")
                                    continue
                                j = _stretch(enc, k, members)
                                if j > k:
                                    self._emit(a, seg, k, j, enc, ch)
                                    nxt = j

    def _encoded(self, dname: str, a: int, b: int) -> _Encoded | None:
        key = (dname, a, b)
        enc = self.encoded.get(key)
        if enc is None and key not in self.encoded:
            try:
                enc = _Encoded(self.line[a:b], DECODERS[dname])
            except UnicodeEncodeError:
                enc = None
            self.encoded[key] = enc  # type: ignore[assignment]
        return enc

    def variants(self, c: Candidate) -> list[Candidate]:
        """Other alignments and ends of a promising candidate's stretch."""
        if c.origin is None:
            return []
        dname, seg_start, seg_end, k0, k1 = c.origin
        chain = _chain(c.chain[-2:])
        enc = self._encoded(dname, seg_start, seg_end)
        if enc is None:
            return []
        seg = self.line[seg_start:seg_end]
        members = _SCAN_MEMBERS[chain.original.name]
        out: list[Candidate] = []
        for k2 in (k0 + 1, k0 + 2):
            if k2 < k1:
                j2 = _stretch(enc, k2, members)
                if j2 > k2:
                    out += self._emit(seg_start, seg, k2, j2, enc, chain, VARIANT_COST * (k2 - k0))
        for j2 in (k1 - 1, k1 - 2):
            if j2 > k0 and _decodes(enc.mv, enc.bounds[k0], enc.bounds[j2], members):
                out += self._emit(seg_start, seg, k0, j2, enc, chain, VARIANT_COST * (k1 - j2))
        return out

    def sweep(self, chain: tuple[str, ...], members: tuple[str, ...]) -> list[Candidate]:
        """Every span of the whole line that ``chain`` reverses.

        Seeds find damage by its rare characters; once a line is known to be
        damaged one way, spans of the same damage made only of common
        characters (a lone ``篮`` after ``EUC-KR``, ``£©`` after English
        words) are found by decoding all of the line that way."""
        if len(chain) != 2:
            return []
        dname = chain[1]
        ch = _chain(chain)
        utf8 = chain[0] in ("utf-8", "cp1252")
        rx = non_ascii_encodable_regex(dname) if utf8 else encodable_regex(dname)
        members_scan = _SCAN_MEMBERS[ch.original.name]
        out: list[Candidate] = []
        for m in rx.finditer(self.line):
            a, b = m.span()
            enc = self._encoded(dname, a, b)
            if enc is None:
                continue
            seg = m.group()
            nxt = -1
            for k in range(b - a):
                if k < nxt:
                    continue
                j = _stretch(enc, k, members_scan)
                if j > k:
                    for c in self._emit(a, seg, k, j, enc, ch):
                        if c.members == members:
                            out.append(c)
                    nxt = j
        return out

    def extend(self, c: Candidate) -> list[Candidate]:
        """Longer spans for a promising legacy-original candidate.

        Stretches of legacy originals are searched only near seed clusters;
        mojibake made of common characters can reach further.  The span is
        grown over characters the decoder can have produced (a few steps and
        as far as possible, each way), and kept where it still decodes."""
        if len(c.chain) != 2 or c.chain[0] in ("utf-8", "cp1252") or c.origin is None:
            return []
        dname = c.chain[1]
        dec = DECODERS[dname]
        line = self.line
        lefts = [c.start]
        p = c.start
        while p > 0 and c.start - p < EXTEND and all_encodable(dname, line[p - 1]):
            p -= 1
            if not line[p].isascii():
                lefts.append(p)
        rights = [c.end]
        q = c.end
        while q < len(line) and q - c.end < EXTEND and all_encodable(dname, line[q]):
            q += 1
            if not line[q - 1].isascii():
                rights.append(q)
        starts = sorted({*lefts[:4], lefts[-1]})
        ends = sorted({*rights[:4], rights[-1]})
        member = c.members[0]
        prior = _prior(_chain(c.chain), member)
        out: list[Candidate] = []
        for a in starts:
            for b in ends:
                if (a, b) == (c.start, c.end):
                    continue
                before = line[a:b]
                try:
                    after = dec.reverse(before, member)
                except (UnicodeEncodeError, UnicodeDecodeError):
                    continue
                if after == before or not _reproduces(after, member, dec, before):
                    continue
                sc = script_cost(c.chain, after, before) + isolated_cost(c.chain, before)
                d = self._add(
                    Candidate(a, b, after, c.chain, c.members, c.decoder, prior + sc, refundable=BASE_COST)
                )
                if d is not None:
                    out.append(d)
        return out

    def trims(self, c: Candidate) -> list[Candidate]:
        """A legacy-to-legacy candidate with up to :data:`TRIM` characters
        given back at either end.

        A double-byte decoder can read correct text around the damage too
        (kana re-encoded in GBK read as Shift_JIS are half-width katakana),
        so a stretch runs past the damage into it; the spans that stop where
        a character of the reading and one of the line end on the same byte
        are the places the damage may end.  Each end is tried alone (the
        other kept), then the best of each together (all pairs would cost
        quadratically many scorings)."""
        if len(c.chain) != 2 or c.chain[0] in ("utf-8", "cp1252") or c.lossy is not None:
            return []
        dec = DECODERS[c.chain[1]]
        if not dec.multibyte:
            return []
        member = c.members[0]
        before = self.line[c.start : c.end]
        # byte offset -> characters before it, in the line and in the reading
        try:
            cut_b = _cuts(len(dec.encode(x)) for x in before)
            cut_a = _cuts(len(x.encode(member)) for x in c.after)
        except UnicodeEncodeError:
            return []
        ends = sorted(n for n in cut_b if n in cut_a)
        total = ends[-1]
        prior = _prior(_chain(c.chain), member)

        def trimmed(lo: int, hi: int) -> Candidate | None:
            sub = before[cut_b[lo] : cut_b[hi]]
            after = c.after[cut_a[lo] : cut_a[hi]]
            if hi <= lo or after == sub or not _reproduces(after, member, dec, sub):
                return None
            sc = script_cost(c.chain, after, sub) + isolated_cost(c.chain, sub)
            return self._add(
                Candidate(
                    c.start + cut_b[lo],
                    c.start + cut_b[hi],
                    after,
                    c.chain,
                    c.members,
                    c.decoder,
                    prior + sc,
                    refundable=BASE_COST,
                )
            )

        def worse(lo: int, hi: int) -> bool:
            """Does the reading of bytes [lo, hi) cost more than the line's
            characters there (unigram table, in C)?  An end where no piece
            of it does stays."""
            return model.unigram_cost(c.after[cut_a[lo] : cut_a[hi]]) > model.unigram_cost(
                before[cut_b[lo] : cut_b[hi]]
            )

        left = [n for n in ends if 0 < n < total and cut_b[n] <= TRIM]
        right = [n for n in ends if 0 < n < total and len(before) - cut_b[n] <= TRIM]
        lefts = [(n, trimmed(n, total)) for n in left] if any(worse(0, n) for n in left) else []
        rights = [(n, trimmed(0, n)) for n in right] if any(worse(n, total) for n in right) else []
        out = [d for _, d in lefts + rights if d is not None]
        self.score(out)
        better_lo = [(d.gain, n) for n, d in lefts if d is not None and d.gain > c.gain]
        better_hi = [(d.gain, n) for n, d in rights if d is not None and d.gain > c.gain]
        best_lo = max(better_lo)[1] if better_lo else 0
        best_hi = max(better_hi)[1] if better_hi else total
        if 0 < best_lo < best_hi < total:
            d = trimmed(best_lo, best_hi)
            if d is not None:
                self.score([d])
                out.append(d)
        return out

    def merge(self, cands: list[Candidate]) -> list[Candidate]:
        """Join neighbouring or overlapping candidates of one chain into one span.

        A line garbled as a whole falls apart into pieces: at characters a
        stretch cannot start on (ASCII, for UTF-8), and at the edges of the
        windows around seed clusters.  Each piece alone is short and its
        context is garbage.  Re-decoding the union lets the evidence add up
        and pays the chain's prior once."""
        by_chain: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Candidate]] = {}
        for c in cands:
            if len(c.chain) == 2:
                by_chain.setdefault((c.chain, c.members), []).append(c)
        out: list[Candidate] = []
        line = self.line
        for (chain, members), group in by_chain.items():
            if len(group) < 2:
                continue
            group.sort(key=lambda c: (c.start, -c.end))
            runs: list[list[Candidate]] = [[group[0]]]
            end = group[0].end
            for c in group[1:]:
                if c.start <= end + MERGE_GAP:
                    runs[-1].append(c)
                    end = max(end, c.end)
                else:
                    runs.append([c])
                    end = c.end
            dec = DECODERS[chain[1]]
            for run in runs:
                a = run[0].start
                b = max(c.end for c in run)
                if len(run) < 2 or any(c.start == a and c.end == b for c in run):
                    continue
                before = line[a:b]
                try:
                    after = dec.reverse(before, members[0])
                except (UnicodeEncodeError, UnicodeDecodeError):
                    continue
                if after == before or not _reproduces(after, members[0], dec, before):
                    continue
                prior = _prior(_chain(chain), members[0])
                sc = script_cost(chain, after, before) + isolated_cost(chain, before)
                m = self._add(
                    Candidate(a, b, after, chain, members, dec.model, prior + sc, refundable=BASE_COST)
                )
                if m is not None:
                    out.append(m)
        return out

    def deeper(self, c: Candidate) -> list[Candidate]:
        """Further rounds under a UTF-8 outer round.  The span may take in up
        to two following ASCII characters: trimmed as identical in the outer
        round, they can be trail bytes of the inner one (Shift_JIS ``‹L``)."""
        out: list[Candidate] = []
        if self.max_rounds < 2 or c.chain[0] != "utf-8":
            return out
        line = self.line
        for k in (0, 1, 2):
            tail = line[c.end : c.end + k]
            if len(tail) < k or not tail.isascii():
                break
            for t2, chain2, mem2, cost in _deeper(c.after + tail, self.max_rounds - 1):
                d = self._add(
                    Candidate(
                        c.start,
                        c.end + k,
                        t2,
                        chain2 + c.chain,
                        mem2 + c.members,
                        c.decoder,
                        c.prior + cost,
                        refundable=BASE_COST,
                    )
                )
                if d is not None:
                    out.append(d)
        return out

    # -- scoring ----------------------------------------------------------

    def score(self, cands: Iterable[Candidate], sample: int = 0) -> None:
        """Gain of each candidate; with ``sample``, long spans are judged by
        their first ``sample`` characters (before and after alike)."""
        line = self.line
        for c in cands:
            left = line[max(0, c.start - CONTEXT) : c.start]
            right = line[c.end : c.end + CONTEXT]
            before = line[c.start : c.end]
            after = c.after
            if sample and (len(before) > sample or len(after) > sample):
                before, after, right = before[:sample], after[:sample], ""
            key = (c.start, c.end)
            c0 = self.base_cost.get(key)
            if c0 is None:
                c0 = self.base_cost[key] = model.cost(left + before + right)
            c1 = model.cost(left + after + right, bound=c0 - c.prior + SLACK)
            c.gain = c0 - c1 - c.prior
            if c.gain > 0:
                c.gain -= implausibility(c.after)

    def run(self) -> list[Candidate]:
        self.generate()
        base = list(self.cands.values())
        self.score(base)
        merged = self.merge(base)
        self.score(merged)
        merged += self.merge(merged + [c for c in base if c.gain > PROMISING])
        self.score(merged)
        grown: list[Candidate] = []
        for c in base:
            if c.gain > PROMISING:
                grown += self.variants(c)
        for c in base + merged:
            if c.gain > 0:
                grown += self.extend(c)
        self.score(grown)
        trimmed: list[Candidate] = []
        for c in sorted((c for c in base + grown + merged if c.gain > 0), key=lambda c: -c.gain)[:TRIM_TOP]:
            trimmed += self.trims(c)  # (scored)
        grown += merged + trimmed
        deep: list[Candidate] = []
        for c in base + grown:
            if c.gain > PROMISING or (c.chain[0] == "utf-8" and c.chain[1] in _TRANSPORT):
                deep += self.deeper(c)
        self.score(deep)
        return list(self.cands.values())


def _chain(names: tuple[str, ...]) -> Chain:
    """The one-round chain ``names`` (original, wrong decoder)."""
    return next(x for x in chains_for_decoder(names[-1]) if x.names == names)


def _prior(chain: Chain, member: str) -> float:
    """``chain``'s prior for a reading by ``member`` of its original's family."""
    return chain.prior + MEMBER_COST * chain.original.members.index(member)


def _cuts(sizes: Iterable[int]) -> dict[int, int]:
    """Byte offset -> number of characters before it, for characters of
    ``sizes`` bytes each."""
    return {n: i for i, n in enumerate(accumulate(sizes, initial=0))}


#: decoders through which UTF-8 text is commonly re-read in a further round
_TRANSPORT = frozenset({"cp1252", "latin-1"})


def _deeper(text: str, depth: int) -> list[tuple[str, tuple[str, ...], tuple[str, ...], float]]:
    """Further rounds: ``text`` itself read as mojibake, whole.

    Returns (text, chain, members, extra prior) for every strict reversal,
    innermost chain first.  Only UTF-8 originals recurse (a legacy original
    ends the stack)."""
    if depth <= 0 or find_suspicious(text, whole_lines=False) < 0:
        return []  # a text the fast path passes holds no further round
    out: list[tuple[str, tuple[str, ...], tuple[str, ...], float]] = []
    for dec in DECODERS.values():
        dname = dec.name
        try:
            data = dec.encode(text)
        except UnicodeEncodeError:
            continue
        if data.isascii():
            continue
        for ch in chains_for_decoder(dname):
            for idx, (member, t2) in enumerate(readings(dec, ch, text, data)):
                if t2 == text or not _reproduces(t2, member, dec, text):
                    continue
                extra = ROUND_COST + ch.prior + idx * MEMBER_COST + script_cost(ch.names, t2)
                out.append((t2, ch.names, (member,), extra))
                if ch.original.name == "utf-8":
                    for t3, chain3, mem3, extra3 in _deeper(t2, depth - 1):
                        out.append((t3, chain3 + ch.names, (*mem3, member), extra + extra3))
    return out


def _logaddexp(a: float, b: float) -> float:
    if a < b:
        a, b = b, a
    if b == -math.inf:
        return a
    return a + math.log1p(math.exp(b - a))


class Spans:
    """Non-overlapping spans (the chosen candidates of a line), sorted: the
    ones that reach into a stretch, found by bisection.  (A long line of
    damage has hundreds of chosen spans and thousands of candidates: asking
    every chosen span about every candidate made its analysis quadratic.)"""

    __slots__ = ("ends", "spans")

    def __init__(self, spans: Iterable[Candidate]) -> None:
        self.spans = sorted(spans, key=lambda c: c.start)
        self.ends = [c.end for c in self.spans]

    def within(self, a: int, b: int) -> list[Candidate]:
        """The spans that overlap ``[a, b)`` (end after ``a``, start before ``b``)."""
        spans = self.spans
        i = bisect_right(self.ends, a)
        out: list[Candidate] = []
        while i < len(spans) and spans[i].start < b:
            out.append(spans[i])
            i += 1
        return out


def marginals(cands: list[Candidate]) -> dict[int, float]:
    """P(candidate is part of the repair), summed over every non-overlapping
    set of candidates weighted by exp(total gain / TEMPERATURE) -- "leave the
    span alone" is the empty choice, with gain 0.  Forward-backward over the
    candidates' boundaries; returns id(candidate) -> probability."""
    live = [c for c in cands if c.gain > -SLACK]
    if not live:
        return {}
    pos = sorted({p for c in live for p in (c.start, c.end)})
    idx = {p: i for i, p in enumerate(pos)}
    by_end: dict[int, list[Candidate]] = {}
    by_start: dict[int, list[Candidate]] = {}
    for c in live:
        by_end.setdefault(idx[c.end], []).append(c)
        by_start.setdefault(idx[c.start], []).append(c)
    n = len(pos)
    fwd = [0.0] * n  # log weight of all sets inside [pos[0], pos[i]]
    for i in range(1, n):
        f = fwd[i - 1]
        for c in by_end.get(i, ()):
            f = _logaddexp(f, fwd[idx[c.start]] + c.gain / TEMPERATURE)
        fwd[i] = f
    bwd = [0.0] * n  # log weight of all sets inside [pos[i], pos[-1]]
    for i in range(n - 2, -1, -1):
        b = bwd[i + 1]
        for c in by_start.get(i, ()):
            b = _logaddexp(b, bwd[idx[c.end]] + c.gain / TEMPERATURE)
        bwd[i] = b
    z = fwd[-1]
    return {id(c): math.exp(fwd[idx[c.start]] + c.gain / TEMPERATURE + bwd[idx[c.end]] - z) for c in live}


def choose(cands: list[Candidate], line: str | None = None) -> list[Candidate]:
    """The best non-overlapping subset by total gain (weighted interval
    scheduling); each chosen candidate's confidence is its marginal."""
    pos = sorted((c for c in cands if c.gain > 0), key=lambda c: (c.end, c.start))
    if not pos:
        return []
    ends = [c.end for c in pos]
    best = [0.0] * (len(pos) + 1)
    take = [False] * len(pos)
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
    marg = marginals(cands)
    for c in cands:
        c.confidence = marg.get(id(c), 0.0)
    rivals: dict[int, list[Candidate]] = {id(c): [] for c in chosen}
    spans = Spans(chosen)
    for r in cands:
        if r.gain > 0:
            for c in spans.within(r.start, r.end):
                if r is not c:
                    rivals[id(c)].append(r)
    for c in chosen:
        c.rivals = rivals[id(c)]
        if line is not None:
            # another span of the same damage that repairs this one's span the
            # same way is the same outcome, not a rival: wider ones exclude
            # each other (their probabilities add up), narrower pieces may
            # come together (count the likeliest)
            piece = 0.0
            if c.lossy is not None:
                # readings that differ only in what they guessed are one
                # repair; the guessed characters share its probability
                c.fillers = [(c.after, c.confidence)]
                for d in c.rivals:
                    md = marg.get(id(d), 0.0)
                    if md < 1e-6:
                        continue
                    if _same_but_guesses(c, d):
                        c.fillers.append((d.after, md))
                        c.confidence += md
                    elif _same_damage(c, d):
                        # the same damage read with other guesses over a
                        # span a little wider or narrower (or a "?" taken as
                        # the original's own): it is as likely that the
                        # line was damaged so; which characters were lost is
                        # the guesses' own confidence
                        c.confidence += md
                c.confidence = min(1.0, c.confidence)
                continue
            for d in c.rivals:
                md = marg.get(id(d), 0.0)
                if d.chain != c.chain or md < 1e-6:
                    continue
                if d.members != c.members:
                    # another member of the family (Shift_JIS or cp932)
                    # reading the same bytes: the same damage, the model
                    # picked the member
                    if (d.start, d.end) == (c.start, c.end):
                        c.confidence += md
                    continue
                if d.start <= c.start and d.end >= c.end and _agrees(line, d, c):
                    c.confidence += md
                elif c.start <= d.start and c.end >= d.end and _agrees(line, c, d):
                    piece = max(piece, md)
            c.confidence = min(1.0, c.confidence + piece)
    return chosen


def _same_but_guesses(c: Candidate, d: Candidate) -> bool:
    """Is ``d`` the lossy reading ``c`` with other guessed characters?"""
    if d.lossy is None or c.lossy is None or (d.start, d.end, d.chain) != (c.start, c.end, c.chain):
        return False
    if len(d.after) != len(c.after):
        return False
    guessed = set(c.lossy.guessed) | set(d.lossy.guessed)
    return all(x == y or i in guessed for i, (x, y) in enumerate(zip(c.after, d.after, strict=True)))


def _same_damage(c: Candidate, d: Candidate) -> bool:
    """Is ``d`` a reading of mostly the same span as lossy reading ``c``,
    through the same chain and loss model, neither slipped nor swallowing
    (those read the certain characters differently too)?"""
    f, g = c.lossy, d.lossy
    if f is None or g is None or d.chain != c.chain or g.model != f.model:
        return False
    if f.slip >= 0 or g.slip >= 0 or f.swallow or g.swallow:
        return False
    overlap = min(c.end, d.end) - max(c.start, d.start)
    return overlap * 2 > max(c.end - c.start, d.end - d.start)


#: what a further span of a line's own damage still costs (nats)
CONSISTENT_COST = 2.0


def _consistency(cands: list[Candidate], chosen: list[Candidate]) -> bool:
    """A line is damaged one way: once a repair of chain X is chosen, other
    spans of chain X no longer pay for "this line is damaged at all"."""
    used = {(c.chain, c.members) for c in chosen}
    spans = Spans(chosen)
    changed = False
    for c in cands:
        if (c.chain, c.members) not in used or c.refundable <= CONSISTENT_COST:
            continue
        if spans.within(c.start, c.end):
            continue  # chosen, or a rival reading of a chosen span, not a further span
        c.gain += c.refundable - CONSISTENT_COST
        c.prior -= c.refundable - CONSISTENT_COST
        c.refundable = 0.0
        changed = True
    return changed


def _agrees(line: str, whole: Candidate, part: Candidate) -> bool:
    """Does ``whole`` (a wider span of the same damage) repair ``part``'s
    span exactly as ``part`` does?"""
    if len(whole.chain) != 2:
        return False
    dec = DECODERS[whole.chain[1]]
    try:
        prefix = dec.reverse(line[whole.start : part.start], whole.members[0])
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return whole.after.startswith(prefix + part.after, 0)


def _rescore_in_context(line: str, cands: list[Candidate], chosen: list[Candidate]) -> bool:
    """Score candidates again with their neighbours repaired as first chosen.

    The first pass scores every candidate against the line as it is; beside
    a repaired neighbour the context is what the repaired line will read."""
    changed = False
    spans = Spans(chosen)
    for c in cands:
        near = [
            d
            for d in spans.within(c.start - CONTEXT, c.end + CONTEXT)
            if d is not c and (d.end <= c.start or d.start >= c.end)
        ]
        if not near:
            continue
        left_parts: list[str] = []
        pos = max(0, c.start - 4 * CONTEXT)
        for d in sorted((d for d in near if d.end <= c.start), key=lambda d: d.start):
            if d.start >= pos:
                left_parts.append(line[pos : d.start])
                left_parts.append(d.after)
                pos = d.end
        left_parts.append(line[pos : c.start])
        left = "".join(left_parts)[-CONTEXT:]
        right_parts: list[str] = []
        pos = c.end
        for d in sorted((d for d in near if d.start >= c.end), key=lambda d: d.start):
            right_parts.append(line[pos : d.start])
            right_parts.append(d.after)
            pos = d.end
        right_parts.append(line[pos : pos + CONTEXT])
        right = "".join(right_parts)[:CONTEXT]
        prior = c.prior
        if script_cost(c.chain, c.after) and any(
            d.chain == c.chain and _CJK_LETTER.search(d.after) for d in near
        ):
            prior -= NO_LETTER_COST  # punctuation of the CJK text beside it
        c0 = model.cost(left + line[c.start : c.end] + right)
        c1 = model.cost(left + c.after + right, bound=c0 - prior + SLACK)
        gain = c0 - c1 - prior
        if gain > 0:
            gain -= implausibility(c.after)
        if gain != c.gain:
            c.gain = gain
            changed = True
    return changed


#: one stretch of text is damaged one way: a candidate of another chain right
#: next to a repair of the line's main chain costs this much more
SWITCH_COST = 16.0
SWITCH_DISTANCE = 4


def _penalise_switches(cands: list[Candidate], chosen: list[Candidate]) -> bool:
    weight: dict[tuple[str, ...], float] = {}
    for c in chosen:
        weight[c.chain] = weight.get(c.chain, 0.0) + c.gain
    main = max(weight, key=lambda k: weight[k])
    anchors = Spans(c for c in chosen if c.chain == main)
    changed = False
    for c in cands:
        if c.chain == main or c.gain <= 0:
            continue
        # (an anchor ending at most SWITCH_DISTANCE before it or starting at
        # most that far after it)
        if anchors.within(c.start - SWITCH_DISTANCE - 1, c.end + SWITCH_DISTANCE + 1):
            c.gain -= SWITCH_COST
            changed = True
    return changed


#: the whole-line shortcut answers only when the best reading wins by this
#: much (nats) and takes at least WHOLE_SHARE of the probability
WHOLE_GAIN = 20.0
WHOLE_SHARE = 0.999
#: nats per character under which the shortcut's winner reads as fluent text
#: (correct CJK and Latin text cost 3-5, mojibake 9-12)
WHOLE_FLUENT = 6.0
#: characters of a line the shortcut scores (long lines are judged by a prefix)
WHOLE_SAMPLE = 400
#: readings the shortcut scores with the bigram model: at most this many, and
#: only those within this many nats of the best under the unigram table
WHOLE_BIGRAM = 5
WHOLE_UNIGRAM_SLACK = 25.0


def non_ascii_start(line: str) -> int:
    """Index of the first non-ASCII character of ``line`` (its length if none):
    where a line garbled as a whole starts."""
    a = 0
    while a < len(line) and line[a].isascii():
        a += 1
    return a


def _whole_line(
    line: str, max_rounds: int, cls: list[Cluster]
) -> tuple[list[Candidate], list[Candidate]] | None:
    """Cheap exit for lines garbled as a whole: every decoder that can have
    produced all of the line's non-ASCII text, every original that decodes
    its bytes; answer if one reading is far ahead of all others and of
    "leave it", else ``None`` (the span search decides)."""
    a = non_ascii_start(line)
    # trailing ASCII stays in: it may be the trail byte of a double-byte
    # character ("¡n" is Big5 A1 6E); ASCII that reads as itself is trimmed
    # from the candidates afterwards
    b = len(line)
    if b <= a:
        return None
    return _whole_span(line, a, b, _Search(line, max_rounds), set().union(*(cl.allowed for cl in cls)))


def _whole_decoders(line: str) -> tuple[list[str], list[str]]:
    """What :func:`_whole_line` needs screened: the decoders that can
    re-encode the line's non-ASCII part whole; and the other single-byte
    ones, for UTF-8 originals only (they tell a line partly UTF-8 mojibake)."""
    core = line[non_ascii_start(line) :]
    whole: list[str] = []
    single: list[str] = []
    for name, dec in DECODERS.items():
        try:
            dec.encode(core)
        except UnicodeEncodeError:
            if not dec.multibyte:
                single.append(name)
            continue
        whole.append(name)
    return whole, single


def _whole_span(
    line: str, a: int, b: int, search: _Search, allowed: set[tuple[str, bool]]
) -> tuple[list[Candidate], list[Candidate]] | None:
    """:func:`_whole_line`'s judgement of ``line[a:b]`` taken whole (candidates
    are added to ``search``; their context is the rest of the line)."""
    core = line[a:b]
    hyps: list[Candidate] = []
    for dec in DECODERS.values():
        if (dec.name, True) not in allowed and (dec.name, False) not in allowed:
            continue
        try:
            data = dec.encode(core)
        except UnicodeEncodeError:
            continue
        for ch in chains_for_decoder(dec.name):
            for idx, (member, after) in enumerate(readings(dec, ch, core, data)):
                if after == core or ("\ufffd" in after and dec.multibyte):
                    continue
                if not _reproduces(after, member, dec, core):
                    continue
                sc = script_cost(ch.names, after, core) + isolated_cost(ch.names, core)
                c = search._add(
                    Candidate(
                        a,
                        b,
                        after,
                        ch.names,
                        (member,),
                        dec.model,
                        ch.prior + idx * MEMBER_COST + sc,
                        refundable=BASE_COST,
                    )
                )
                if c is not None:
                    hyps.append(c)
    if not hyps:
        return None
    # when no single-byte decoder reads the whole line as UTF-8 but one makes
    # long UTF-8 runs of part of it, part of the line is UTF-8 mojibake and
    # part is not (correct German before Greek mojibake, which a GBK reading
    # of the whole line would swallow): the span search decides -- unless the
    # winner reads as fluent text (EUC-JP kana read as Latin-1 make UTF-8
    # runs too: "C9 A4 CE A4")
    whole_utf8 = {c.chain[1] for c in hyps if c.chain[0] == "utf-8" and not DECODERS[c.chain[1]].multibyte}
    partly_utf8 = False
    for name, utf8 in allowed if not whole_utf8 else ():
        if utf8 and not DECODERS[name].multibyte:
            data = core.encode("encfix-" + name, "replace")
            if any(m.end() - m.start() >= WHOLE_UTF8_RUN for m in _UTF8_RUN.finditer(data)):
                partly_utf8 = True
                break
    deep: list[Candidate] = []
    for c in hyps:
        if c.chain[0] == "utf-8" and c.chain[1] in _TRANSPORT:
            deep += search.deeper(c)
    hyps += deep
    # unigram costs (in C) rank the readings; only the front runners get the
    # bigram model, the rest are too far behind to matter
    u0 = model.unigram_cost(core[:WHOLE_SAMPLE])
    ugain = {id(c): u0 - model.unigram_cost(c.after[:WHOLE_SAMPLE]) - c.prior for c in hyps}
    hyps.sort(key=lambda c: -ugain[id(c)])
    lead = ugain[id(hyps[0])]
    scored = [c for c in hyps[:WHOLE_BIGRAM] if ugain[id(c)] > lead - WHOLE_UNIGRAM_SLACK]
    search.score(scored, sample=WHOLE_SAMPLE)
    kept = {id(c) for c in scored}
    for c in hyps:
        if id(c) not in kept:
            c.gain = -math.inf  # too far behind to be scored, or to matter
    best = max(hyps, key=lambda c: c.gain)
    if best.gain < WHOLE_GAIN:
        return None
    if partly_utf8 and model.cost(best.after) > WHOLE_FLUENT * len(best.after):
        return None
    top = best.gain / TEMPERATURE
    z = math.exp(-top) + sum(math.exp(c.gain / TEMPERATURE - top) for c in hyps)
    # members of one family (Big5 vs cp950 vs HKSCS) reading the same bytes
    # are one damage; they differ in a symbol or two, the model picks; and
    # originals that read the bytes as the same text (kana in GBK and
    # EUC-JP) agree on the repair
    agree = [c for c in hyps if c.chain == best.chain or c.after == best.after]
    share = sum(math.exp(c.gain / TEMPERATURE - top) for c in agree) / z
    if share < WHOLE_SHARE:
        return None
    best.confidence = share
    for c in hyps:
        if c is not best:
            c.confidence = math.exp(c.gain / TEMPERATURE - top) / z
    return hyps, [best]


def _whole_runs(
    line: str, max_rounds: int, cls: list[Cluster]
) -> tuple[list[Candidate], list[Candidate]] | None:
    """Cheap exit for mojibake of a single-byte decoder inside correct CJK
    text (a sentence of UTF-8 or GBK read as Latin-1 in a Chinese paragraph):
    such mojibake is a run of characters the decoder can produce, and the
    text around it is not.  Each maximal run holding seeds is judged whole,
    as :func:`_whole_line` judges a line; answer only if every seed cluster
    lies in a run with a clear reading (else ``None``: the span search
    decides)."""
    allowed = set().union(*(cl.allowed for cl in cls))
    names = sorted({n for n, _ in allowed if not DECODERS[n].multibyte})
    spans: set[tuple[int, int]] = set()
    for name in names:
        for m in encodable_regex(name).finditer(line):
            a, b = m.span()
            while a < b and line[a].isascii():
                a += 1
            if (a, b) != (0, len(line)) and any(a <= cl.first and cl.last < b for cl in cls):
                spans.add((a, b))
    # a run of one decoder inside a run of another (Mac Roman's inside
    # Latin-1's) is judged as part of the longer one
    spans = {s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)}
    if not spans:
        return None
    search = _Search(line, max_rounds)
    cands: list[Candidate] = []
    chosen: list[Candidate] = []
    for a, b in sorted(spans):
        res = _whole_span(line, a, b, search, allowed)
        if res is not None:
            cands += res[0]
            chosen += res[1]
    if not all(any(c.start <= cl.first and cl.last < c.end for c in chosen) for cl in cls):
        return None
    chosen.sort(key=lambda c: c.start)
    if any(x.end > y.start for x, y in pairwise(chosen)):
        return None  # runs of two decoders read differently: the span search decides
    return cands, chosen


#: bytes of well-formed multi-byte UTF-8 a neighbourhood must hold (two CJK
#: characters) unless it is an accented letter read as CJK inside a Latin word
MIN_UTF8_RUN = 6
#: bytes of well-formed multi-byte UTF-8 that stop the whole-line shortcut
#: (random high bytes make runs of two or four)
WHOLE_UTF8_RUN = 8
#: nats a legacy reading of spaced seeds (Korean read as Chinese) may cost
#: above the text as it is and still be searched
SPACED_SLACK = 8.0
#: Python codecs that re-encode text cheaply (with replacement) for screening
_SCREEN_CODEC = {
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "cp932": "cp932",
    "euc-jp": "euc_jp",
    "cp949": "cp949",
}


def screen(line: str, cl: Cluster, only: Iterable[str] | None = None, *, legacy: bool = True) -> bool:
    """Cheap exits before the span search, in C where possible: fill in
    ``cl.allowed`` with the (decoder, UTF-8 original?) pairs worth a search
    -- only for the decoders named in ``only``, if given, and without
    ``legacy``, only for UTF-8 originals.  Each pair is judged once per
    cluster: a later call completes an earlier partial one.

    * UTF-8 originals: the re-encoded neighbourhood must hold well-formed
      multi-byte UTF-8 (``_UTF8_RUN``);
    * legacy originals: the seeds' own span, decoded, must cost less than it
      does now under the character unigram table (``model.unigram_cost``);
      spaced seeds (Korean read as Chinese), under the bigram model, at
      most :data:`SPACED_SLACK` more."""
    lo = max(0, cl.first - LEAD)
    hi = min(len(line), cl.last + LEAD + 1)
    window = line[lo:hi]
    core = line[max(0, cl.first - 2) : cl.last + 3]
    core_cost: float | None = None
    core_bigram: float | None = None
    names = DECODERS if only is None else only
    for dname in names:
        utf8 = (dname, True) not in cl.screened
        old = legacy and (dname, False) not in cl.screened
        if not (utf8 or old):
            continue
        cl.screened.add((dname, True))
        if old:
            cl.screened.add((dname, False))
        dec = DECODERS[dname]
        if not cl.wants(dname, dec):
            continue
        codec = _SCREEN_CODEC.get(dname) or "encfix-" + dname
        chains = chains_for_decoder(dname)
        if utf8 and any(c.original.name == "utf-8" for c in chains):
            need = MIN_UTF8_RUN if dec.multibyte and not cl.sandwiched else 2
            if dec.multibyte:
                # well-formed UTF-8 must also start and end on the decoder's
                # character boundaries (Cyrillic in GBK, "a7 d4 a7 da", is
                # UTF-8 only one byte out of step)
                # (judged piece by piece between the U+FFFD a lossy decode
                # left: they are no character of the decoder's)
                for piece in window.split("\ufffd"):
                    if len(piece) * 4 < need:  # (four bytes a character at most)
                        continue
                    try:
                        enc = _Encoded(piece, dec)
                    except UnicodeEncodeError:
                        continue
                    if any(
                        enc.bounds[j] - enc.bounds[k] >= need for k, j in _utf8_stretches(enc, 0, len(piece))
                    ):
                        cl.allowed.add((dname, True))
                        break
            else:
                data = window.encode(codec, "replace")
                if any(m.end() - m.start() >= need for m in _UTF8_RUN.finditer(data)):
                    cl.allowed.add((dname, True))
        if not old or not (cl.chars or cl.spaced):
            continue
        data = core.encode(codec, "replace")
        for ch in chains:
            if ch.original.name == "utf-8":
                continue
            after = data.decode(ch.original.members[0], "replace")
            if cl.spaced:
                # Korean read as Chinese is made of common characters: the
                # unigram table cannot tell, the bigram model can, on the
                # seeds' own span (on 2,851 Korean sentences read as GBK or
                # Big5, the Korean reading was cheaper by 1.4 nats at least,
                # 79 at the median; the clean Chinese and Japanese the fast
                # path flags for spacing read 17 nats dearer and more)
                if core_bigram is None:
                    core_bigram = model.cost(core)
                if model.cost(after) + ch.prior < core_bigram + SPACED_SLACK:
                    cl.allowed.add((dname, False))
                    break
                continue
            if core_cost is None:
                core_cost = model.unigram_cost(core)
            if model.unigram_cost(after) + ch.prior >= core_cost:
                continue
            if dec.multibyte and not any(
                model.get(lang).knows_a_pair(after) for lang in model.candidate_languages(after)
            ):
                continue  # CJK for CJK with no word in it: no evidence
            cl.allowed.add((dname, False))
            break
    return bool(cl.allowed)


def analyse(
    line: str,
    max_rounds: int,
    budget: _lossy.Budget | None = None,
    *,
    lossless: bool = True,
    cheap: bool = False,
) -> tuple[list[Candidate], list[Candidate]]:
    """(all scored candidates, chosen ones) for one line; without a
    ``budget`` for its searches, no lossy readings; without ``lossless``,
    only lossy readings around loss markers; ``cheap``: only what
    :func:`_marked_search` reads, without the lossy search (nothing if it
    reads nothing)."""
    if cheap:
        # (past the bound, denser markers and less cover are enough: the
        # span search, which would otherwise read the line, is spent)
        read = (
            _marked_search(line, max_rounds, cover=MARKED_COVER_CHEAP, sparse=MARKED_SPARSE_CHEAP)
            if "\ufffd" in line
            else None
        )
        if read is None:
            return [], []
        return _conclude(read[0], read[1], set(), None, sweep=False)
    lossy = budget is not None and not budget.exhausted
    if lossy and lossless and ("\ufffd" in line or "?" in line):
        held = _hole_line(line, max_rounds)
        if held is not None:
            return held
    markers = _lossy.line_markers(line) if lossy else set()
    if lossless and (len(line) >= MARKED_MIN or not lossy) and "\ufffd" in line:
        marked_line = _marked_search(line, max_rounds)
        if marked_line is not None:
            search, cands = marked_line
            return _conclude(search, cands, markers, budget if lossy else None, sweep=False)
    raw = clusters(line) if lossless else []
    marked = bool(markers)
    # a line garbled as a whole with a clear reading needs no lossy search
    # (a "?" in it was a question mark of the original) ... unless it reads
    # a marked line as a legacy CJK text through a single-byte code page:
    # the markers may be the losses of UTF-8 read that way ("â€?" is a "”"
    # whose last byte became "?").  The whole line is judged first, with
    # only the decoders that can have made all of it screened (and the
    # single-byte ones, cheap, which tell a line only partly UTF-8
    # mojibake): the rest of the screen is work for the span search
    whole = None
    if raw:
        # (a decoder that passes for UTF-8 originals is tried with every
        # original: its legacy screen is not needed)
        whole_decs, single = _whole_decoders(line)
        for cl in raw:
            screen(line, cl, whole_decs + single, legacy=False)
        passed = {name for cl in raw for name, _ in cl.allowed}
        legacy = [name for name in whole_decs if name not in passed]
        for cl in raw:
            screen(line, cl, legacy)
        first = [cl for cl in raw if cl.allowed]
        whole = _whole_line(line, max_rounds, first) if first else None
        if whole is not None and not (marked and any(_legacy_sbcs(c) for c in whole[1])):
            return whole
    cls = [cl for cl in raw if screen(line, cl)]
    # seeds no lossless chain explains may be traceless losses (``涓枃``)
    traceless = lossy and bool(raw)
    if not cls and not marked and not traceless:
        return [], []
    if cls and whole is None:
        whole = _whole_runs(line, max_rounds, cls)
        if whole is not None and not (marked and any(_legacy_sbcs(c) for c in whole[1])):
            return whole
    search = _Search(line, max_rounds, cls)
    search.seeds = raw
    cands = search.run() if cls else []
    return _conclude(search, cands, markers, budget if lossy else None, sweep=True)


def _conclude(
    search: _Search,
    cands: list[Candidate],
    markers: set[str],
    budget: _lossy.Budget | None,
    *,
    sweep: bool,
) -> tuple[list[Candidate], list[Candidate]]:
    """:func:`analyse` once the lossless candidates are in ``search``: the
    lossy readings (with a ``budget``), then the choice; ``sweep`` widens
    chosen lossless spans over the rest of the line (see ``_Search.sweep``)."""
    line = search.line
    if budget is not None:
        chosen = choose(cands, line) if cands else []
        found = lossy_candidates(search, chosen, markers, budget)
        if found:
            search.score(found)
            cands = list(search.cands.values())
    if not cands:
        return [], []
    chosen = choose(cands, line)
    if chosen:
        swept: list[Candidate] = []
        if sweep:
            for key in {(c.chain, c.members) for c in chosen if len(c.chain) == 2 and c.lossy is None}:
                swept += search.sweep(*key)
        if swept:
            search.score(swept)
            cands = list(search.cands.values())
        if _consistency(cands, chosen) or swept:
            chosen = choose(cands, line)
    if chosen and _rescore_in_context(line, cands, chosen):
        chosen = choose(cands, line)
    if len({c.chain for c in chosen}) > 1 and _penalise_switches(cands, chosen):
        chosen = choose(cands, line)
    return cands, chosen


#: share of a marked line's non-ASCII characters (markers aside) that the
#: stretches :func:`_marked_spans` reads back must cover
MARKED_COVER = 0.6
#: characters a marked line must hold for :func:`_marked_search` (shorter
#: lines are cheap to search)
MARKED_MIN = 24
#: characters (not markers) a marked line must hold per marker
MARKED_SPARSE = 4
#: ... the cover and characters per marker past a text's bound (only
#: :func:`_marked_search` reads a line there, or nothing does)
MARKED_COVER_CHEAP = 0.4
MARKED_SPARSE_CHEAP = 2
#: a stretch between two markers shorter than this (characters of the
#: damage) may hold no whole UTF-8 character: the losses cut them all
MARKED_SHORT = 4


def _marked_spans(line: str, dec: Decoder) -> list[tuple[int, int, str]] | None:
    """``line`` as UTF-8 read by double-byte decoder ``dec`` that lost bytes
    where it shows U+FFFD: in each stretch between markers, the span from the
    first to the last place where a character of the damage and a UTF-8
    character start together, decoded (the characters the losses cut, at
    either end, are the lossy search's).  ``None`` if a stretch does not
    re-encode, or its span is not UTF-8."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    n = len(line)
    while pos < n:
        q = line.find("\ufffd", pos)
        if q < 0:
            q = n
        seg = line[pos:q]
        if seg and not seg.isascii():
            try:
                enc = _Encoded(seg, dec)
            except UnicodeEncodeError:
                return None
            data, bounds = enc.data, enc.bounds
            k0 = 0
            while k0 < len(seg) and 0x80 <= data[bounds[k0]] <= 0xBF:
                k0 += 1
            k1 = len(seg)
            after = None
            while k1 > k0 and len(seg) - k1 <= 2:
                try:
                    after = data[bounds[k0] : bounds[k1]].decode("utf-8")
                    break
                except UnicodeDecodeError:
                    k1 -= 1
            if after is None and k1 - k0 >= MARKED_SHORT:
                return None  # not UTF-8 in the middle
            if after and after != seg[k0:k1]:
                out.append((pos + k0, pos + k1, after))
        pos = q + 1
    return out


def _marked_search(
    line: str, max_rounds: int, *, cover: float = MARKED_COVER, sparse: int = MARKED_SPARSE
) -> tuple[_Search, list[Candidate]] | None:
    """Cheap exit for a line of UTF-8 read by a double-byte decoder that
    replaced what it could not decode by U+FFFD (Python's and browsers'
    ``errors="replace"``): the span search screens every seed cluster of
    such a line against every decoder, at some 60 us each, and a line of
    them is all seed clusters.  When exactly one double-byte decoder
    re-encodes every stretch between the markers into UTF-8 (aligned spans,
    see :func:`_marked_spans`) covering ``cover`` of the line's characters,
    with at least ``sparse`` of them a marker, and the line so repaired reads
    better by :data:`WHOLE_GAIN` under the bigram model, those spans are the
    line's lossless candidates; the lossy search then reads the markers.
    ``None``: the span search decides."""
    found: list[tuple[Decoder, list[tuple[int, int, str]]]] = []
    high = sum(1 for c in line if not c.isascii() and c != "\ufffd")
    if high < sparse * line.count("\ufffd"):
        return None  # markers too dense to leave whole characters between them
    for name in _SCREEN_CODEC:
        dec = DECODERS[name]
        spans = _marked_spans(line, dec)
        if spans is None:
            continue
        covered = sum(b - a for a, b, _ in spans)
        if covered >= cover * high:
            found.append((dec, spans))
            if len(found) > 1:
                return None  # two decoders read it: the span search decides
    if not found:
        return None
    dec, spans = found[0]
    chain = next(ch for ch in chains_for_decoder(dec.name) if ch.original.name == "utf-8")
    # the line repaired so must read better by the bigram model (the
    # stretches together, with what is left between them)
    parts: list[str] = []
    pos = 0
    for a, b, text in spans:
        parts += (line[pos:a], text)
        pos = b
    repaired = "".join(parts) + line[pos:]
    if model.cost(line[:WHOLE_SAMPLE]) - model.cost(repaired[:WHOLE_SAMPLE]) < WHOLE_GAIN:
        return None
    search = _Search(line, max_rounds)
    cands: list[Candidate] = []
    for a, b, text in spans:
        seg = line[a:b]
        if not _reproduces(text, "utf-8", dec, seg):
            return None
        sc = script_cost(chain.names, text, seg) + isolated_cost(chain.names, seg)
        short = SHORT_COST.get(b - a, 0.0)
        c = search._add(
            Candidate(
                a,
                b,
                text,
                chain.names,
                ("utf-8",),
                dec.model,
                chain.prior + short + sc,
                refundable=BASE_COST + short,
            )
        )
        if c is not None:
            cands.append(c)
    search.score(cands)
    return search, cands


def _hole_line(line: str, max_rounds: int) -> tuple[list[Candidate], list[Candidate]] | None:
    """Cheap exit for a line of UTF-8 read as Windows-1252 whose undefined
    bytes became U+FFFD (Python's ``errors="replace"``) or "?" (Windows),
    one for one: all of its non-ASCII text must read back so (see
    ``_holes``), and the reading must beat the line as it is by
    :data:`WHOLE_GAIN`; else ``None`` (the searches decide)."""
    a = non_ascii_start(line)
    b = len(line)
    while b > a and line[b - 1].isascii() and line[b - 1] not in "?":
        b -= 1
    if b - a < 2:
        return None
    marker = "\ufffd" if "\ufffd" in line[a:b] else "?"
    chain = _hole_chain(marker)
    best: Candidate | None = None
    search = _Search(line, max_rounds)
    langs: tuple[str, ...] = ()

    def first() -> tuple[str, ...]:
        nonlocal langs
        langs = _lossy.languages(line, chain, a, b)
        return langs[:1]

    found = _lossy.hole_readings(line, a, b, chain, first)
    if found and len(langs) > 1:
        # read in the language the first reading is in (one more reading
        # only if that is another)
        lang = model.best_language(found[0].after, langs)[0]
        if lang != langs[0]:
            found = _lossy.hole_readings(line, a, b, chain, lambda: (lang,))
    for f in found:
        if f.lang == "world" and not _sure_enough(f, line):
            return None
        prior = BASE_COST + LOSSY_COST + _lossy.FILL_COST * f.guessed_bytes
        c = Candidate(
            a, b, f.after, chain.names, (chain.member,), f.model, prior, refundable=BASE_COST, lossy=f
        )
        search.score([c])
        if best is None or c.gain > best.gain:
            best = c
    if best is None or best.gain < WHOLE_GAIN:
        return None
    best.confidence = 1.0 / (1.0 + math.exp(-best.gain / TEMPERATURE))
    return [best], [best]


#: the probability every guess of a direct reading under the ``world`` model
#: must have (it mixes dozens of languages, and its bigrams are coarse:
#: "българ?ки" reads "я" at 0.59 against "с" at 0.41); below it, the
#: searches decide (and keep the marker)
WORLD_GUESS = 0.75


def _sure_enough(f: _lossy.Filled, line: str) -> bool:
    """Is each guess of direct reading ``f`` at least :data:`WORLD_GUESS`
    likely, weighed in the line around?"""
    weighed = _lossy.posteriors(f, line[f.start : f.end], line[: f.start], line[f.end :])
    return all(r[0][0] == f.after[p] and r[0][1] >= WORLD_GUESS for p, r in weighed.items())


def _hole_chain(marker: str) -> _lossy.LossyChain:
    """The lossy chain of UTF-8 read as Windows-1252 with ``marker`` for its
    undefined bytes."""
    loss = "sbcs-replace" if marker == "\ufffd" else "sbcs-question"
    return next(c for c in _lossy.lossy_chains() if c.loss == loss)


#: extra prior of a lossy reading over the lossless chain it extends
LOSSY_COST = 2.0
#: lossy readings of one region, chain and language handed on for scoring
LOSSY_TOP = 6


def lossy_candidates(
    search: _Search, chosen: list[Candidate], markers: set[str], budget: _lossy.Budget
) -> list[Candidate]:
    """Readings of the line's damaged regions that fill in lost bytes (see
    ``_lossy``): around loss markers, and -- for traceless losses -- in
    runs of seeds the lossless search left unexplained."""
    line = search.line
    out: list[Candidate] = []
    explained = [(c.start, c.end) for c in chosen if c.confidence > 0.5]
    latin = _LATIN_MOJI.search(line) is not None
    rare_pair: bool | None = None
    utf8_pair: dict[tuple[str, str], bool] = {}
    for chain in _lossy.lossy_chains():
        if chain.marker and chain.marker not in markers:
            continue
        if chain.loss == "sbcs-stripped" and not latin:
            continue  # UTF-8 read as a Latin code page leaves "Ã", "æ", "å" ...
        if _lossy.needs_rare_pair(chain):
            # (the screen asks it of each region: none, if the line has none)
            if rare_pair is None:
                rare_pair = _lossy.rare_pair(line)
            if not rare_pair:
                continue
        # finding and screening regions is work too: a line of nothing but
        # markers must not escape the bound
        if not budget.spend(
            1 + (line.count(chain.marker) if chain.marker else len(line)) // _lossy.SCAN_PER_STEP
        ):
            return out
        if _lossy.needs_rare_pair(chain):
            # (what the screen asks of each region, asked of the line)
            key = (chain.decoder, chain.loss)
            known = utf8_pair.get(key)
            if known is None:
                known = utf8_pair[key] = _lossy.rare_utf8_pair(line, chain)
            if not known:
                continue
        for a, b in _regions(search, chain):
            # (the screen judges the region beside each of its markers)
            marks = line.count(chain.marker, a, b) if chain.marker else 0
            if not budget.spend(_lossy.SCREEN_STEPS + marks):
                return out
            if not chain.marker and (
                any(x <= a and b <= y for x, y in explained) or not _unexplained_seeds(search, a, b)
            ):
                continue
            if not _lossy.screen(line, chain, a, b):
                continue
            if not chain.marker:
                # a traceless loss sits in what the lossless search left
                # unexplained: each such gap is searched on its own, with a
                # little of the text around it (one search of a long run
                # fills its beam with readings that start early, and a run
                # may hide more losses than one reading takes)
                for ga, gb in _gaps(a, b, explained):
                    out += _lossy_readings(search, chain, ga, gb, chosen, budget)
                continue
            out += _lossy_readings(search, chain, a, b, chosen, budget)
    return out


#: characters of explained text on either side of a gap a traceless search
#: takes in
GAP_PAD = 4


def _gaps(a: int, b: int, explained: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of ``[a, b)`` no span of ``explained`` covers, each with
    :data:`GAP_PAD` characters on either side (searched apart even where
    they overlap: one search of several gaps makes long readings that split
    the line's probability); ``[a, b)`` itself if nothing in it is
    explained."""
    covered = sorted((max(a, x), min(b, y)) for x, y in explained if x < b and a < y)
    if not covered:
        return [(a, b)]
    gaps: list[tuple[int, int]] = []
    pos = a
    for x, y in covered:
        if x > pos:
            gaps.append((pos, x))
        pos = max(pos, y)
    if pos < b:
        gaps.append((pos, b))
    return [(max(a, x - GAP_PAD), min(b, y + GAP_PAD)) for x, y in gaps]


def _lossy_readings(
    search: _Search,
    chain: _lossy.LossyChain,
    a: int,
    b: int,
    chosen: list[Candidate],
    budget: _lossy.Budget,
) -> list[Candidate]:
    """The candidates of the lossy readings of ``line[a:b]`` under ``chain``."""
    line = search.line
    out: list[Candidate] = []
    # the best readings of a region start as far back as they can,
    # over text a lossless repair of the same chain already explains:
    # where the region starts inside that repair, the rest of it after
    # the repair is read too ("小店..不贵" + "銆�" -> "。": the overlap
    # would keep them apart)
    spans: list[tuple[int, str | None]] = [(a, None)] + [
        (c.end, line[: c.start] + c.after)
        for c in chosen
        if c.lossy is None and c.chain == chain.names and c.start < a < c.end < b
    ]
    langs = _lossy.languages(line, chain, a, b)
    for lang, (a2, left) in ((x, sp) for sp in spans for x in langs):
        for f in _lossy.readings(line, chain, a2, b, lang, budget, left=left)[:LOSSY_TOP]:
            prior = (
                BASE_COST
                + LOSSY_COST
                + _lossy.FILL_COST * f.guessed_bytes
                + _lossy.FORM_COST * f.alt_forms
                + _lossy.INSIDE_COST * f.inside
                - f.bonus
            )
            c = search._add(
                Candidate(
                    f.start,
                    f.end,
                    f.after,
                    chain.names,
                    (chain.member,),
                    f.model,
                    prior,
                    refundable=BASE_COST,
                    lossy=f,
                )
            )
            if c is not None:
                out.append(c)
    return out


def _regions(search: _Search, chain: _lossy.LossyChain) -> Iterator[tuple[int, int]]:
    """The regions of a lossy search: around markers; for traceless losses,
    only near the line's seeds (a long line is not scanned whole)."""
    line = search.line
    if chain.marker:
        yield from _lossy.regions(line, chain)
        return
    reach = _lossy.REACH
    windows: list[list[int]] = []
    for cl in search.seeds:
        a, b = max(0, cl.first - reach), min(len(line), cl.last + 1 + reach)
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    for wa, wb in windows:
        for a, b in _lossy.regions(line[wa:wb], chain):
            yield a + wa, b + wa


#: a letter of Latin-1's upper half before another non-ASCII character:
#: what UTF-8 read as Windows-1252 or Latin-1 looks like
_LATIN_MOJI = _regex.compile("[\u00c0-\u00ff][\u0080-\u02ff\u2000-\u203a\u20ac\u2122]")


def _legacy_sbcs(c: Candidate) -> bool:
    return c.chain[0] != "utf-8" and not DECODERS[c.chain[-1]].multibyte


def _unexplained_seeds(search: _Search, a: int, b: int) -> bool:
    return any(cl.first < b and a <= cl.last for cl in search.seeds)


def is_latin(c: Candidate) -> bool:
    """UTF-8 read through single-byte code pages into non-CJK text: ftfy's
    ground (see ``_latin``)."""
    return is_latin_chain(c.chain) and not _HAS_CJK.search(c.after)


_HAS_CJK = _regex.compile(
    "[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff]"
)
