"""Repair: exact reversal of mis-decodings, span by span."""

from __future__ import annotations

from encfix._options import Options
from encfix._types import Fix, Repair
from encfix._detect._tables import suspicious_regex
from encfix._repair import _latin
from encfix._repair._engine import Candidate, analyse, is_latin
from encfix._repair._plan import apply_plan, splice

__all__ = ["repair_text", "apply_plan", "analyse_line"]


def analyse_line(line: str, opts: Options) -> tuple[list[Candidate], list[Candidate]]:
    """(all scored candidates, chosen ones) for one line."""
    return analyse(line, opts.max_rounds)


#: where ftfy declines a Latin-script repair, encfix's own is made only when
#: at least this sure (ftfy's restraint is usually right: ``DrÃ¥ber``)
LATIN_OVERRIDE = 0.999


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


def _line_fixes(line: str, offset: int, opts: Options) -> tuple[list[Fix], float]:
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
            if not covered and c.confidence >= max(LATIN_OVERRIDE, opts.min_confidence):
                applied.append(c)
                conf *= min(c.confidence, MAX_CONFIDENCE)
                fixes.append(_fix(line, offset, c))
            elif covered:
                applied.append(c)  # ftfy answered for this span
        fixes.sort(key=lambda f: f.start)
    # the likeliest repair we did not make (and that no fix covers) also says
    # how sure we are the output is right
    missed = max(
        (
            c.confidence
            for c in cands
            if c not in chosen and not any(a.start < c.end and c.start < a.end for a in applied)
        ),
        default=0.0,
    )
    conf *= 1.0 - missed
    return fixes, conf


def repair_text(text: str, opts: Options) -> Repair:
    rx = suspicious_regex()
    m = rx.search(text)
    if m is None:
        return Repair(text, (), 1.0)
    fixes: list[Fix] = []
    conf = 1.0
    while m is not None:
        ls = text.rfind("\n", 0, m.start()) + 1
        le = text.find("\n", m.start())
        if le < 0:
            le = len(text)
        f, c = _line_fixes(text[ls:le], ls, opts)
        fixes.extend(f)
        conf *= c
        m = rx.search(text, le)
    if not fixes:
        return Repair(text, (), conf)
    return Repair(splice(text, fixes), tuple(fixes), conf)
