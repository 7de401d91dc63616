"""Repair: exact reversal of mis-decodings, span by span."""

from __future__ import annotations

import math
from dataclasses import dataclass

from encfix import model
from encfix._detect._tables import find_suspicious, suspicious_lines
from encfix._options import Options
from encfix._repair import _latin
from encfix._repair._engine import Candidate, analyse, is_latin
from encfix._repair._plan import apply_plan, splice
from encfix._types import Fix, Repair
from encfix.codecs import DECODERS

__all__ = ["LineResult", "analyse_line", "analyse_text", "apply_plan", "repair_text"]


def analyse_line(line: str, opts: Options) -> tuple[list[Candidate], list[Candidate]]:
    """(all scored candidates, chosen ones) for one line."""
    return analyse(line, opts.max_rounds)


#: where ftfy declines a Latin-script repair, encfix's own is made only when
#: at least this sure (ftfy's restraint is usually right: ``DrÃ¥ber``)
LATIN_OVERRIDE = 0.999
#: ... and only when its own text reads like ordinary text (nats per character)
LATIN_OVERRIDE_COST = 6.0
#: ... and only through the code pages that misread most text (ftfy knows
#: best where DOS and Mac code pages are involved)
_OVERRIDE_DECODERS = frozenset({"latin-1", "cp1252", "cp1250", "cp1251"})


def _plausible(line: str, c: Candidate) -> bool:
    """Does the repaired span, in its line, read like ordinary text?"""
    left = line[max(0, c.start - 8) : c.start]
    right = line[c.end : c.end + 8]
    text = left + c.after + right
    return model.cost(text) <= LATIN_OVERRIDE_COST * len(text)


def _fix(line: str, offset: int, c: Candidate) -> Fix:
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


#: no repair is certain
MAX_CONFIDENCE = 0.9999


@dataclass(slots=True)
class LineResult:
    fixes: list[Fix]
    confidence: float
    #: readings considered and not made: (chain, decoder model, probability)
    rejected: list[tuple[tuple[str, ...], str, float]]


def _line_fixes(line: str, offset: int, opts: Options) -> LineResult:
    cands, chosen = analyse_line(line, opts)
    latin = [c for c in chosen if opts.latin and is_latin(c)]
    fixes: list[Fix] = []
    conf = 1.0
    applied: list[Candidate] = []
    for c in chosen:
        if c in latin:
            continue
        if c.confidence >= opts.min_confidence:
            applied.append(c)
            conf *= min(c.confidence, MAX_CONFIDENCE)
            fixes.append(_fix(line, offset, c))
        else:
            conf *= 1.0 - c.confidence
    if opts.latin:
        ftfy_fixes = _latin.fix_gaps(line, offset, [(c.start, c.end) for c in applied])
        for f in ftfy_fixes:
            if f.confidence >= opts.min_confidence:
                fixes.append(f)
                conf *= f.confidence
            else:
                conf *= 1.0 - f.confidence
        for c in latin:
            covered = any(f.start < offset + c.end and offset + c.start < f.end for f in ftfy_fixes)
            if (
                not covered
                and c.chain[-1] in _OVERRIDE_DECODERS
                and c.confidence >= max(LATIN_OVERRIDE, opts.min_confidence)
                and _plausible(line, c)
            ):
                applied.append(c)
                conf *= min(c.confidence, MAX_CONFIDENCE)
                fixes.append(_fix(line, offset, c))
            elif covered:
                applied.append(c)  # ftfy answered for this span
        fixes.sort(key=lambda f: f.start)
    # the likeliest repair we did not make (and that no fix covers) also says
    # how sure we are the output is right
    rejected = [
        (c.chain, c.decoder, c.confidence)
        for c in cands
        if c.confidence > 0.001 and not any(a.start < c.end and c.start < a.end for a in applied)
    ]
    conf *= 1.0 - max((p for _, _, p in rejected), default=0.0)
    return LineResult(fixes, conf, rejected)


#: lines repaired whole by one single-round chain before a document counts
#: as damaged that way (see :class:`_DocumentChain`)
DOC_LINES = 2
#: chains a document remembers
DOC_CHAINS = 3
#: the shortcut needs at least this unigram gain (nats) per line ...
DOC_GAIN = 12.0
#: ... and takes this temperature for its confidence
DOC_TEMPERATURE = 2.0


class _DocumentChain:
    """Mojibake is rarely alone: once some lines of a document were repaired
    whole by the same single-round chain, each further line is first tried
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
        if f.kind != "mojibake" or len(f.chain) != 2 or f.confidence < 0.99:
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
        (orig, dname), members, model_name = key
        a = 0
        while a < len(line) and line[a].isascii():
            a += 1
        b = len(line)
        core = line[a:b]
        if not core:
            return None
        dec = DECODERS[dname]
        try:
            after = dec.reverse(core, members[0])
            if dec.decode(after.encode(members[0])) != core:
                return None
        except (UnicodeEncodeError, UnicodeDecodeError):
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
            chain=(orig, dname),
            decoder=model_name,
            confidence=conf,
            members=members,
        )
        return LineResult([fix], conf, [])


def analyse_text(text: str, opts: Options) -> list[LineResult]:
    """Per flagged line: fixes, confidence, readings not made."""
    out: list[LineResult] = []
    doc = _DocumentChain()
    for ls, le in suspicious_lines(text):
        line = text[ls:le]
        res = doc.shortcut(line, ls)
        if res is None or res.confidence < opts.min_confidence:
            res = _line_fixes(line, ls, opts)
            doc.learn(line, ls, res)
        out.append(res)
    return out


def repair_text(text: str, opts: Options) -> Repair:
    fixes: list[Fix] = []
    conf = 1.0
    for res in analyse_text(text, opts):
        fixes.extend(res.fixes)
        conf *= res.confidence
    if not fixes:
        return Repair(text, (), conf)
    return Repair(splice(text, fixes), tuple(fixes), conf)
