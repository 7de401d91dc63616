"""Repair: exact reversal of mis-decodings, span by span."""

from __future__ import annotations

import math

from encfix._options import Options
from encfix._types import Fix, Repair
from encfix._detect._tables import suspicious_regex
from encfix._repair import _latin
from encfix._repair._engine import SLACK, TEMPERATURE, Candidate, analyse
from encfix._repair._plan import apply_plan, splice

__all__ = ["repair_text", "apply_plan", "analyse_line"]


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def analyse_line(line: str, opts: Options) -> tuple[list[Candidate], list[Candidate]]:
    """(all scored candidates, chosen ones) for one line."""
    return analyse(line, opts.max_rounds)


def _line_fixes(line: str, offset: int, opts: Options) -> tuple[list[Fix], float]:
    cands, chosen = analyse_line(line, opts)
    fixes: list[Fix] = []
    conf = 1.0
    applied: list[Candidate] = []
    for c in chosen:
        if c.confidence >= opts.min_confidence:
            applied.append(c)
            conf *= c.confidence
            fixes.append(
                Fix(
                    start=offset + c.start,
                    end=offset + c.end,
                    before=line[c.start : c.end],
                    after=c.after,
                    chain=c.chain,
                    decoder=c.decoder,
                    confidence=c.confidence,
                    members=c.members,
                )
            )
        else:
            conf *= 1.0 - c.confidence
    # candidates that lost (and did not overlap a fix) still say how sure we are
    worst = 0.0
    for c in cands:
        if c.gain <= -SLACK or c in chosen or any(a.start < c.end and c.start < a.end for a in applied):
            continue
        worst = max(worst, _sigmoid(c.gain / TEMPERATURE))
    conf *= 1.0 - worst
    if opts.latin:
        extra, conf_l = _latin.fix_gaps(line, offset, [(c.start, c.end) for c in applied])
        fixes.extend(extra)
        conf *= conf_l
        fixes.sort(key=lambda f: f.start)
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
