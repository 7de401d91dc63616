"""Repair: exact reversal of mis-decodings, span by span."""

from __future__ import annotations

import bisect
import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace

from encfix import _regex, model
from encfix._detect._tables import find_suspicious, suspicious_lines, weak_pairs
from encfix._options import Options
from encfix._repair import _holes, _latin, _lossy
from encfix._repair._chains import chains_for_decoder
from encfix._repair._engine import Candidate, Spans, analyse, is_latin, non_ascii_start
from encfix._repair._lossy import Budget, has_markers
from encfix._repair._plan import apply_plan, splice
from encfix._types import Fix, Loss, Lost, Repair
from encfix.codecs import DECODERS

__all__ = ["LineResult", "analyse_line", "analyse_text", "apply_plan", "repair_text", "unrecoverable"]


def analyse_line(
    line: str, opts: Options, budget: Budget | None = None, *, cheap: bool = False
) -> tuple[list[Candidate], list[Candidate]]:
    """(all scored candidates, chosen ones) for one line; lossy searches
    spend ``budget``; ``cheap``: only the shortcut of a line of UTF-8 read
    by a double-byte decoder with U+FFFD (see ``_engine.analyse``)."""
    if opts.lossy and budget is None:
        budget = Budget.for_text(line)
    # a line the fast path flagged only for its loss markers gets lossy
    # readings only: its lossless "seeds" were not worth a look
    seeded = find_suspicious(line) >= 0
    if cheap:
        return analyse(line, opts.max_rounds, cheap=True) if seeded else ([], [])
    return analyse(line, opts.max_rounds, budget if opts.lossy else None, lossless=seeded)


#: where ftfy declines a Latin-script repair, encfix's own is made only when
#: at least this sure (ftfy's restraint is usually right: ``DrÃ¥ber``)
LATIN_OVERRIDE = 0.999
#: a legacy CJK reading through a single-byte decoder below this confidence
#: yields to ftfy where ftfy finds Latin-script mojibake in the same place
FTFY_YIELD = 0.9
#: where ftfy repaired only part of a span and left mojibake in it, encfix's
#: own repair of the whole span replaces ftfy's when at least this sure; and
#: so sure, encfix's repair stands where ftfy declined if the span holds more
#: than one damaged sequence, each agreeing with the others (ftfy declines
#: whole lines that mix languages: it cannot re-encode them as one)
LATIN_SUPERSEDE = 0.99
#: ... and only when its own text reads like ordinary text (nats per character)
LATIN_OVERRIDE_COST = 6.0
#: ... and only through the code pages that misread most text, or through the
#: DOS and Mac ones where ftfy's own badness measure agrees the span is
#: mojibake (line art, "├┤a┼┐a", is drawn with the DOS code page)
_OVERRIDE_DECODERS = frozenset({"latin-1", "cp1252", "cp1250", "cp1251"})
_OVERRIDE_IF_BAD = frozenset({"cp437", "macroman"})


def _plausible(line: str, c: Candidate) -> bool:
    """Does the repaired span, in its line, read like ordinary text?"""
    left = line[max(0, c.start - 8) : c.start]
    right = line[c.end : c.end + 8]
    text = left + c.after + right
    return model.cost(text) <= LATIN_OVERRIDE_COST * len(text)


def _overrides(line: str, c: Candidate, opts: Options, threshold: float) -> bool:
    """May encfix's own Latin-script repair stand where ftfy made none (or
    one that left mojibake behind)?  Through the DOS and Mac code pages only
    where ftfy's badness measure calls the span mojibake; then, as that is a
    second opinion, the lower :data:`LATIN_SUPERSEDE` threshold is enough
    (box drawing inside a word, "n├⌐ts", is not how anyone writes)."""
    decoder = c.chain[-1]
    if decoder in _OVERRIDE_IF_BAD:
        if not _latin.ftfy_bad(line[c.start : c.end]):
            return False
        threshold = min(threshold, LATIN_SUPERSEDE)
    elif decoder not in _OVERRIDE_DECODERS:
        return False
    return c.confidence >= max(threshold, opts.min_confidence) and _plausible(line, c)


def _superseded(f: Fix, offset: int, sure: list[Candidate]) -> bool:
    """Did ftfy change only part of what encfix's sure Latin repairs cover,
    leaving mojibake behind?  (Its ``decode_inconsistent_utf8`` step fixes
    only the sequences its own regex knows: in "ProszÄ™ zamknÄ…Ä‡" it
    repairs "Ä…Ä‡" alone.)"""
    if not sure or find_suspicious(f.after) < 0:
        return False
    p = 0
    n = min(len(f.before), len(f.after))
    while p < n and f.before[p] == f.after[p]:
        p += 1
    q = 0
    while q < n - p and f.before[-1 - q] == f.after[-1 - q]:
        q += 1
    a, b = f.start + p, f.end - q  # what ftfy changed, in input positions
    return any(offset + c.start <= a and b <= offset + c.end for c in sure)


def _fix(
    line: str, offset: int, c: Candidate, opts: Options, *, applied: list[Candidate], budget: Budget | None
) -> Fix:
    if c.lossy is not None:
        return _lossy_fix(line, offset, c, opts, context=_around(line, c, applied), budget=budget)
    return Fix(
        start=offset + c.start,
        end=offset + c.end,
        before=line[c.start : c.end],
        after=c.after,
        chain=c.chain,
        decoder=c.decoder,
        confidence=min(c.confidence, MAX_CONFIDENCE),
        members=c.members,
    )


def _lossy_fix(
    line: str, offset: int, c: Candidate, opts: Options, *, context: tuple[str, str], budget: Budget | None
) -> Fix:
    """A lossy reading as a fix: each guessed character the model gives less
    than ``opts.guess_confidence`` becomes the placeholder, its candidates
    recorded.  A character's probability sums the readings of the span that
    differ from the chosen one only in guessed characters, or -- when that
    is less -- comes from weighing it against its alternatives in
    ``context``, the repaired text on either side (see
    :func:`_lossy.posteriors`, whose work is taken from the text's
    ``budget``)."""
    f = c.lossy
    assert f is not None
    fillers = c.fillers or [(c.after, 1.0)]
    total = sum(p for _, p in fillers) or 1.0
    uncertain: list[tuple[int, tuple[tuple[str, float], ...]]] = []
    before = line[c.start : c.end]
    weighed = _lossy.posteriors(f, before, *context, budget=budget)
    # a guess its alternatives outweigh, once weighed in context, is replaced
    # by the likeliest (if the span still reproduces with all such changes)
    changes = {
        pos: ranked[0][0]
        for pos, ranked in weighed.items()
        if ranked[0][0] != f.after[pos] and ranked[0][1] >= opts.guess_confidence
    }
    if changes:
        better = _lossy.switched(f, before, changes)
        if better is None:
            changes = {}
        else:
            f = better
    chars = list(f.after)
    for pos in f.guessed:
        votes: dict[str, float] = {}
        for text, p in fillers:
            if pos < len(text):
                votes[text[pos]] = votes.get(text[pos], 0.0) + p / total
        ranked = sorted(votes.items(), key=lambda kv: -kv[1])
        local = weighed.get(pos)
        if local and (pos in changes or dict(local).get(f.after[pos], 0.0) < votes.get(f.after[pos], 0.0)):
            # the guess weighed against its alternatives is less sure than
            # the readings the search kept made it look
            ranked = local
        if not ranked or ranked[0][0] != f.after[pos] or ranked[0][1] < opts.guess_confidence:
            uncertain.append((pos, tuple(ranked[:3])))
            chars[pos] = opts.placeholder
    loss = Loss(
        model=f.model,
        data=f.data,
        guessed=f.guessed,
        uncertain=tuple(uncertain),
        placeholder=opts.placeholder,
        slip=f.slip,
        swallow=f.swallow,
        nfkc=f.chain.nfkc,
    )
    return Fix(
        start=offset + c.start,
        end=offset + c.end,
        before=line[c.start : c.end],
        after="".join(chars),
        chain=c.chain,
        decoder=c.decoder,
        confidence=min(c.confidence, MAX_CONFIDENCE),
        kind="lossy",
        members=c.members,
        loss=loss,
    )


#: characters of repaired text on either side of a lossy fix its guesses
#: are weighed in
AROUND = 8


def _around(line: str, c: Candidate, applied: list[Candidate]) -> tuple[str, str]:
    """The text on either side of candidate ``c`` in ``line`` as the other
    candidates ``applied`` repair it (the last and first :data:`AROUND`
    characters)."""
    left = line[: c.start]
    right = line[c.end :]
    for d in sorted(applied, key=lambda d: -d.start):  # from the end: offsets hold
        if d.end <= c.start:
            left = left[: d.start] + d.after + left[d.end :]
        elif d.start >= c.end:
            right = right[: d.start - c.end] + d.after + right[d.end - c.end :]
    return left[-AROUND:], right[:AROUND]


#: no repair is certain
MAX_CONFIDENCE = 0.9999


@dataclass(slots=True)
class LineResult:
    fixes: list[Fix]
    confidence: float
    #: readings considered and not made: (chain, decoder model, probability)
    rejected: list[tuple[tuple[str, ...], str, float]]


def _contestable(c: Candidate) -> bool:
    """A legacy CJK reading of single-byte-decoder text that encfix is not
    sure of: where ftfy sees Latin-script mojibake in it, ftfy is right
    ("$Ì¶6Ì¶3Ì¶" is a combining stroke, not Shift_JIS read as MacRoman)."""
    return c.confidence < FTFY_YIELD and not DECODERS[c.chain[-1]].multibyte


def _line_fixes(
    line: str, offset: int, opts: Options, budget: Budget | None = None, *, cheap: bool = False
) -> LineResult:
    cands, chosen = analyse_line(line, opts, budget, cheap=cheap)
    if budget is not None and not cheap:
        budget.work_left -= len(cands) + _lossy.LINE_WORK
    latin = [c for c in chosen if opts.latin and is_latin(c)]
    conf = 1.0
    applied: list[Candidate] = []
    for c in chosen:
        if c in latin:
            continue
        if c.confidence >= opts.min_confidence:
            applied.append(c)
        else:
            conf *= 1.0 - c.confidence
    ftfy_fixes: list[Fix] = []
    sure: list[Candidate] = []
    if opts.latin and not cheap:  # (ftfy is no cheap reading: 1-2 MB/s)
        taken = [(c.start, c.end) for c in applied if not _contestable(c)]
        ftfy_fixes = _latin.fix_gaps(line, offset, taken)
        applied = [c for c in applied if not (_contestable(c) and _ftfy_covers(ftfy_fixes, offset, c))]
        if any(_overlaps(f, offset, c) for f in ftfy_fixes for c in applied):
            ftfy_fixes = _latin.fix_gaps(line, offset, [(c.start, c.end) for c in applied])
        sure = [c for c in latin if _overrides(line, c, opts, LATIN_OVERRIDE)]
        better = [c for c in latin if _overrides(line, c, opts, LATIN_SUPERSEDE)]
        kept = [f for f in ftfy_fixes if not _superseded(f, offset, better)]
        if len(kept) < len(ftfy_fixes):
            sure = better
        ftfy_fixes = kept
    fixes = [_fix(line, offset, c, opts, applied=applied, budget=budget) for c in applied]
    for c in applied:
        conf *= min(c.confidence, MAX_CONFIDENCE)
    for f in ftfy_fixes:
        if f.confidence >= opts.min_confidence:
            fixes.append(f)
            conf *= f.confidence
        else:
            conf *= 1.0 - f.confidence
    for c in latin:
        if any(_overlaps(f, offset, c) for f in ftfy_fixes):
            applied.append(c)  # ftfy answered for this span
        elif c in sure or (_overrides(line, c, opts, LATIN_SUPERSEDE) and _runs(line[c.start : c.end]) > 1):
            applied.append(c)
            conf *= min(c.confidence, MAX_CONFIDENCE)
            fixes.append(_fix(line, offset, c, opts, applied=applied, budget=budget))
    fixes.sort(key=lambda f: f.start)
    # the likeliest repair we did not make (and that no fix covers) also says
    # how sure we are the output is right
    made = Spans(applied)  # (non-overlapping: chosen ones)
    rejected = [
        (c.chain, c.decoder, c.confidence)
        for c in cands
        if c.confidence > 0.001 and not made.within(c.start, c.end)
    ]
    conf *= 1.0 - max((p for _, _, p in rejected), default=0.0)
    return LineResult(fixes, conf, rejected)


_NON_ASCII_RUN = _regex.compile("[^\x00-\x7f]+")


def _runs(text: str) -> int:
    """Separate runs of non-ASCII characters in ``text``."""
    return len(_NON_ASCII_RUN.findall(text))


def _ftfy_covers(fixes: list[Fix], offset: int, c: Candidate) -> bool:
    """Do ftfy's fixes span at least half of candidate ``c``?  (Less is
    ftfy's ``decode_inconsistent_utf8`` finding a pattern inside a longer
    span of other damage.)"""
    a, b = offset + c.start, offset + c.end
    inside = sum(max(0, min(b, f.end) - max(a, f.start)) for f in fixes)
    return 2 * inside >= b - a


def _overlaps(f: Fix, offset: int, c: Candidate) -> bool:
    return f.start < offset + c.end and offset + c.start < f.end


#: lines repaired whole by one chain (of one or two rounds) before a
#: document counts as damaged that way (see :class:`_DocumentChain`; one is
#: enough since a line it reads must beat every other original, see
#: :func:`_rival_original`)
DOC_LINES = 1
#: chains a document remembers (a scraped corpus joined into one text holds
#: pages of many damages: bench/speed.py's garbled mix has seven chains)
DOC_CHAINS = 8
#: the shortcut needs at least this unigram gain (nats) per line ...
DOC_GAIN = 12.0
#: ... and takes this temperature for its confidence
DOC_TEMPERATURE = 2.0


class _DocumentChain:
    """Mojibake is rarely alone: once some lines of a document were repaired
    whole by the same chain (one round or two), each further line is first tried
    as a whole under that chain, at C speed (encode, decode, unigram table);
    only lines that do not take it go through the full analysis."""

    def __init__(self) -> None:
        self.votes: dict[tuple[tuple[str, ...], tuple[str, ...], str], int] = {}
        #: established chains, the most recently useful first
        self.chains: list[tuple[tuple[str, ...], tuple[str, ...], str]] = []

    def learn(self, line: str, offset: int, res: LineResult) -> None:
        if len(res.fixes) != 1:
            return
        f = res.fixes[0]
        if f.kind != "mojibake" or len(f.chain) not in (2, 4) or f.confidence < 0.99:
            return
        if not (line[: f.start - offset].isascii() and line[f.end - offset :].isascii()):
            return  # not the whole line
        key = (f.chain, f.members, f.decoder)
        if key in self.chains:
            return
        self.votes[key] = self.votes.get(key, 0) + 1
        if self.votes[key] >= DOC_LINES:
            self.chains.insert(0, key)
            del self.chains[DOC_CHAINS:]

    def shortcut(self, line: str, offset: int) -> LineResult | None:
        for i, key in enumerate(self.chains):
            res = self._try(line, offset, key)
            if res is not None:
                if i:
                    self.chains.insert(0, self.chains.pop(i))
                return res
        return None

    def _try(
        self, line: str, offset: int, key: tuple[tuple[str, ...], tuple[str, ...], str]
    ) -> LineResult | None:
        chain, members, model_name = key
        a = non_ascii_start(line)
        b = len(line)
        core = line[a:b]
        if not core:
            return None
        # each round reversed, the outermost (last) first; each must read
        # back exactly
        after = core
        try:
            for k in range(len(members) - 1, -1, -1):
                dec = DECODERS[chain[2 * k + 1]]
                outer = after
                after = dec.reverse(outer, members[k])
                if dec.decode(after.encode(members[k])) != outer:
                    return None
        except (UnicodeEncodeError, UnicodeDecodeError):
            return None
        if _rival_original(chain, outer, after):
            return None
        while b > a and after and line[b - 1] == after[-1] and after[-1].isascii():
            b -= 1  # trailing ASCII that read as itself is not part of the fix
            after = after[:-1]
        core = line[a:b]
        gain = model.unigram_cost(core) - model.unigram_cost(after)
        if gain < DOC_GAIN * max(1.0, len(core) / 40):
            return None
        if find_suspicious(after) >= 0:
            return None  # still mojibake (a second round?): the full analysis decides
        conf = min(MAX_CONFIDENCE, 1.0 - math.exp(-(gain - DOC_GAIN) / DOC_TEMPERATURE) / 2)
        if conf < 0.5:
            return None
        fix = Fix(
            start=offset + a,
            end=offset + b,
            before=core,
            after=after,
            chain=chain,
            decoder=model_name,
            confidence=conf,
            members=members,
        )
        return LineResult([fix], conf, [])


#: nats by which a document's chain must read a line better than any other
#: original would read the same bytes (bigram model) ...
DOC_MARGIN = 6.0
#: ... asked only of readings within this many nats of it by the unigram table
DOC_SLACK = 20.0


def _rival_original(chain: tuple[str, ...], outer: str, after: str) -> bool:
    """Does another original read the bytes the innermost decoder of
    ``chain`` made ``outer`` of nearly as well as ``after`` (the reading
    under ``chain``), or better?  A document of several damages remembers
    their decoders, and one decoder serves many originals: GBK bytes read as
    Latin-1 are also Big5 and EUC-JP bytes read so (kana in GBK and in
    EUC-JP differ only in "ー"), and which original it was is the full
    analysis' to judge."""
    dec = DECODERS[chain[1]]
    try:
        data = dec.encode(outer)
    except UnicodeEncodeError:
        return False
    cost = model.unigram_cost(after)
    full = math.inf
    for ch in chains_for_decoder(chain[1]):
        if ch.names[0] == chain[0]:
            continue
        try:
            alt = data.decode(ch.original.members[0])
        except UnicodeDecodeError:
            continue
        if alt == after or model.unigram_cost(alt) >= cost + DOC_SLACK:
            continue
        # near enough by the unigram table (in C) for the bigram model to
        # judge ("〖" costs less than "ー" alone, not after "バ")
        if full == math.inf:
            full = model.cost(after)
        if model.cost(alt) < full + DOC_MARGIN:
            return True
    return False


def _words(line: str) -> bool:
    """Was ``line`` flagged only for pairs of rare characters that are words
    (膾炙, 蹉跎, ｸﾞﾗﾝﾌﾟ)?  Mojibake makes pairs no language uses."""
    # (judged as the scan finds them: a line of mojibake is told at its
    # first pair, not after a scan of all of them)
    models: list[model.LanguageModel] | None = None
    seen = False
    for found in weak_pairs(line):
        if found is None:
            return False
        if models is None:
            models = [model.get(lang) for lang in model.candidate_languages(line)]
        i, j = found
        pair = unicodedata.normalize("NFKC", line[i] + line[j])
        if len(pair) > 1 and not any(m.knows_a_pair(pair) for m in models):
            return False
        seen = True
    return seen


def analyse_text(text: str, opts: Options, budget: Budget | None = None) -> list[LineResult]:
    """Per flagged line: fixes, confidence, readings not made.  Lossy
    searches share ``budget`` (by default one for ``text``'s length)."""
    if budget is None:
        budget = Budget.for_text(text)
    model.forget_costs()
    out: list[LineResult] = []
    doc = _DocumentChain()
    # a line seen before gets the answer it got then (scraped pages repeat
    # their menus and footers; and the lossy budget is not spent twice)
    seen: dict[str, tuple[int, LineResult | None]] = {}
    for ls, le in (p for span in suspicious_lines(text, lossy=opts.lossy) for p in _pieces(text, *span)):
        line = text[ls:le]
        known = seen.get(line)
        if known is not None:
            if known[1] is not None:
                out.append(_shifted(known[1], ls - known[0]))
            continue
        res: LineResult | None = None
        if not _words(line):
            res = doc.shortcut(line, ls)
            if res is None or res.confidence < opts.min_confidence:
                if budget.work_left <= 0:
                    # the bound of this text's analysis was reached: only
                    # the cheap reading of UTF-8 read by a double-byte
                    # decoder with U+FFFD is still made; else the line is
                    # left as it is (and said so)
                    res = _line_fixes(line, ls, opts, budget, cheap=True)
                    if not res.fixes:
                        first, n = budget.skipped
                        budget.skipped = (ls if n == 0 else first, n + 1)
                        continue
                else:
                    res = _line_fixes(line, ls, opts, budget)
                    doc.learn(line, ls, res)
            res = _settle(line, ls, res, opts, budget)
            out.append(res)
        if le - ls <= SEEN_LINE and len(seen) < SEEN_LINES:
            seen[line] = (ls, res)
    return out


#: a longer line is analysed in pieces of at most this many characters: the
#: analysis' bounds are checked between pieces (one line of 96,000
#: characters of UTF-8 read as cp1252 with U+FFFD for its undefined bytes
#: took 44 s whole, 2.5 s in pieces)
MAX_PIECE = 4_000
#: where a piece may end: after an ASCII character below 0x40 (no encoding
#: encfix reads has a trail byte there, so a character of the original ends
#: with it), not "?" (it may stand for lost bytes), after another ASCII
#: character (a space after "Ã" may be what is left of a no-break space)
_PIECE_END = frozenset(chr(c) for c in range(0x40) if chr(c) not in "?\n")


def _pieces(text: str, ls: int, le: int) -> Iterator[tuple[int, int]]:
    """``(ls, le)``, a line of ``text``, in pieces of at most
    :data:`MAX_PIECE` characters, each ending where a character of the
    original ends if such a place is found in its second half, else cut
    there (a character of the damage may then be split between two pieces)."""
    while le - ls > MAX_PIECE:
        end = ls + MAX_PIECE
        p = end
        while p > ls + MAX_PIECE // 2 and not (text[p - 1] in _PIECE_END and text[p - 2].isascii()):
            p -= 1
        if p <= ls + MAX_PIECE // 2:
            # no such place: before a UTF-8 lead byte as Windows-1252 reads it
            # ("ä" of "ä¸­"), where UTF-8 read so starts a character
            p = end
            while p > ls + MAX_PIECE // 2 and text[p] not in _holes.LEADS:
                p -= 1
            if p <= ls + MAX_PIECE // 2:
                p = end
        yield ls, p
        ls = p
    yield ls, le


#: lines :func:`analyse_text` remembers the answers for: at most this many,
#: of at most this many characters each
SEEN_LINES = 4096
SEEN_LINE = 1000


def _shifted(res: LineResult, delta: int) -> LineResult:
    """``res`` for the same line ``delta`` characters further on."""
    fixes = [replace(f, start=f.start + delta, end=f.end + delta) for f in res.fixes]
    return LineResult(fixes, res.confidence, res.rejected)


#: a repaired line is looked at again, at most this many more times, until
#: it no longer changes (repair is idempotent)
MAX_PASSES = 2


def _settle(line: str, offset: int, res: LineResult, opts: Options, budget: Budget) -> LineResult:
    """Look again at a repaired line that still looks damaged: the first
    repair can uncover damage it hid (a C1 control read as cp1252 was part
    of a double-byte character).  Further fixes are composed with the first
    ones, so ``repair(repair(x).text)`` changes nothing."""
    for _ in range(MAX_PASSES):
        if not res.fixes or budget.work_left <= 0:
            return res
        # (a placeholder for a guess not made is no damage left)
        guessed = _guessed_text(line, offset, res.fixes)
        # (markers alone are worth another look only while the lossy search
        # may still read them)
        if find_suspicious(guessed) < 0 and not (
            opts.lossy and not budget.exhausted and has_markers(guessed)
        ):
            return res
        local = [replace(f, start=f.start - offset, end=f.end - offset) for f in res.fixes]
        mid = splice(line, local)
        again = _line_fixes(mid, 0, opts, budget)
        if not again.fixes:
            return res
        fixes = [
            replace(f, start=f.start + offset, end=f.end + offset) for f in _compose(line, local, again.fixes)
        ]
        res = LineResult(fixes, res.confidence * again.confidence, res.rejected + again.rejected)
    return res


def _guessed_text(line: str, offset: int, fixes: list[Fix]) -> str:
    """``line`` (at ``offset`` in the text) repaired by ``fixes``, each
    placeholder of a lossy fix replaced by its likeliest candidate."""
    out: list[str] = []
    pos = 0
    for f in fixes:
        after = f.after
        if f.loss is not None and f.loss.uncertain:
            chars = list(after)
            for p, ranked in f.loss.uncertain:
                if ranked:
                    chars[p] = ranked[0][0]
            after = "".join(chars)
        out.append(line[pos : f.start - offset])
        out.append(after)
        pos = f.end - offset
    out.append(line[pos:])
    return "".join(out)


def _compose(line: str, first: list[Fix], second: list[Fix]) -> list[Fix]:
    """``first`` repairs ``line`` into ``mid``; ``second`` repairs ``mid``.
    The same repairs as fixes of ``line``: fixes of the two passes that
    touch become one ``"composite"`` fix that replays both."""
    # where each first-pass fix's output sits in mid
    placed: list[tuple[Fix, int, int]] = []
    shift = 0
    for f in first:
        placed.append((f, f.start + shift, f.start + shift + len(f.after)))
        shift += len(f.after) - (f.end - f.start)

    def to_line(p: int) -> int:
        """A position of mid outside every first-pass output, in line."""
        d = 0
        for f, _ms, me in placed:
            if me <= p:
                d += len(f.after) - (f.end - f.start)
        return p - d

    # groups: [line start, line end, mid start, mid end, first fixes, second fixes]
    groups: list[tuple[int, int, int, int, list[Fix], list[Fix]]] = []
    for g in second:
        ma, mb = g.start, g.end
        firsts = [f for f, ms, me in placed if ms < mb and ma < me]
        a = min([to_line(ma), *(f.start for f in firsts)])
        b = max([to_line(mb), *(f.end for f in firsts)])
        for f, ms, me in placed:
            if f in firsts:
                ma, mb = min(ma, ms), max(mb, me)
        if groups and a < groups[-1][1]:
            pa, pb, pma, pmb, pf, pg = groups.pop()
            a, b, ma, mb = min(a, pa), max(b, pb), min(ma, pma), max(mb, pmb)
            firsts = [*pf, *(f for f in firsts if f not in pf)]
            g_list = [*pg, g]
        else:
            g_list = [g]
        groups.append((a, b, ma, mb, firsts, g_list))
    mid = splice(line, first)
    used = {id(f) for grp in groups for f in grp[4]}
    out: list[Fix] = [f for f in first if id(f) not in used]
    for a, b, ma, mb, firsts, seconds in groups:
        if not firsts and len(seconds) == 1:
            g = seconds[0]
            out.append(replace(g, start=a, end=b, before=line[a:b]))
            continue
        pass1 = tuple(replace(f, start=f.start - a, end=f.end - a) for f in firsts)
        pass2 = tuple(replace(g, start=g.start - ma, end=g.end - ma) for g in seconds)
        piece = mid[ma:mb]
        after = splice(piece, list(pass2))
        conf = math.prod(f.confidence for f in (*firsts, *seconds))
        outer = firsts[0] if firsts else seconds[0]
        chain = seconds[0].chain + (firsts[0].chain if firsts else ())
        out.append(
            Fix(
                start=a,
                end=b,
                before=line[a:b],
                after=after,
                chain=chain,
                decoder=outer.decoder,
                confidence=conf,
                kind="composite",
                members=seconds[0].members + (firsts[0].members if firsts else ()),
                passes=tuple(p for p in (pass1, pass2) if p),
            )
        )
    out.sort(key=lambda f: f.start)
    return out


def repair_text(text: str, opts: Options) -> Repair:
    fixes: list[Fix] = []
    conf = 1.0
    budget = Budget.for_text(text)
    for res in analyse_text(text, opts, budget):
        fixes.extend(res.fixes)
        conf *= res.confidence
    lost = unrecoverable(text, fixes, budget=budget if opts.lossy else None)
    extra, said = _artifact_fixes(text, fixes, opts)
    for kind in ("pinyin", "entity", "punct"):
        confs = [f.confidence for f in extra if f.kind == kind]
        if confs:  # one decision per kind and text: its least sure fix
            conf *= min(confs)
    fixes = sorted(fixes + extra, key=lambda f: f.start)
    notes = _notes(lost) + said
    first, skipped = budget.skipped
    if skipped:
        notes += (
            f"The bound of this text's analysis was reached: {skipped} line{'s' if skipped > 1 else ''} "
            f"(or pieces of {MAX_PIECE:,} characters of a longer line) that look damaged "
            f"{'were' if skipped > 1 else 'was'} left as they are (from {first} on); "
            "repair them in smaller pieces.",
        )
    out = splice(text, fixes) if fixes else text
    return Repair(out, tuple(fixes), conf, notes=notes, unrecoverable=tuple(lost))


def _artifact_fixes(text: str, fixes: list[Fix], opts: Options) -> tuple[list[Fix], tuple[str, ...]]:
    """Fixes of scraped-corpus artifacts (``encfix.artifacts``) outside the
    mojibake fixes, and sentences explaining decisions made."""
    pinyin = opts.pinyin and ("(" in text or "（" in text)
    entities = "&" in text
    if not (pinyin or entities or opts.restore_punct):
        return [], ()  # (importing the finders compiles their regexes: not for nothing)
    from encfix import artifacts

    taken = [(f.start, f.end) for f in fixes]
    out: list[Fix] = []
    said: list[str] = []
    if pinyin:
        found, why = artifacts.pinyin_fixes(text, taken)
        out += [f for f in found if f.confidence >= opts.min_confidence]
        if why:
            said.append(why[0].upper() + why[1:] + ".")
    if entities and not (opts.html if opts.html is not None else artifacts.looks_like_html(text)):
        out += artifacts.entity_fixes(text, taken + [(f.start, f.end) for f in out])
    if opts.restore_punct:
        out += artifacts.punct_fixes(text, taken + [(f.start, f.end) for f in out])
    return out, tuple(said)


def _notes(lost: list[Lost]) -> tuple[str, ...]:
    """One sentence per reason: where, and how many more."""
    by_reason: dict[str, list[Lost]] = {}
    for u in lost:
        by_reason.setdefault(u.reason, []).append(u)
    out = []
    for reason, us in by_reason.items():
        where = f"at {us[0].start}" + (f" and {len(us) - 1} more places" if len(us) > 1 else "")
        out.append(f"{reason[0].upper()}{reason[1:]} ({where}).")
    return tuple(out)


#: what every sentinel but U+FFFD runs contains
_SENTINEL_HINTS = ("锟斤拷", "烫烫", "屯屯", "占쏙옙")
#: U+FFFD characters, and runs of them
_FFFD = _regex.compile("\ufffd+")


def unrecoverable(text: str, fixes: list[Fix], *, budget: Budget | None) -> list[Lost]:
    """Spans of ``text`` outside every fix whose original is gone:
    sentinels, and U+FFFD runs -- every byte replaced (longer than
    ``_lossy.MAX_RUN``), left unsearched (the lossy search's bound was
    reached; ``budget``), or unexplained by any reading.  Without a budget
    the lossy search was off."""
    from encfix._detect import find_sentinels
    from encfix._repair._lossy import MAX_RUN

    spans = sorted((f.start, f.end) for f in fixes)
    starts = [x for x, _ in spans]

    def free(a: int, b: int) -> bool:
        k = bisect.bisect_left(starts, b)  # fixes starting before b; they do not overlap
        return not (k and spans[k - 1][1] > a)

    out: list[Lost] = []
    if any(s in text for s in _SENTINEL_HINTS):  # (substring tests run at C speed)
        out = [
            Lost(a, b, text[a:b], "sentinel: " + name)
            for a, b, name in find_sentinels(text)
            if free(a, b) and text[a] != "\ufffd"  # U+FFFD runs: below
        ]
    if "\ufffd" not in text:
        return out
    if budget is None:
        why = "bytes lost as U+FFFD (lossy search off)"
    elif budget.exhausted:
        why = "bytes lost as U+FFFD; left as they are (the lossy search's bound for this text was reached)"
    else:
        why = "bytes lost as U+FFFD; no reading of the text around them reproduces it"
    every = "every byte was replaced by U+FFFD upstream; nothing is left to read"
    for m in _FFFD.finditer(text):
        a, b = m.span()
        if free(a, b):
            out.append(Lost(a, b, m.group(), every if b - a > MAX_RUN else why))
    out.sort(key=lambda u: u.start)
    return out
