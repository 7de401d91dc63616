"""Latin-script mojibake by ftfy's heuristics, confined to what encfix left alone.

ftfy (https://github.com/rspeer/python-ftfy) is the reference for UTF-8 read
through single-byte code pages in Latin, Greek, Cyrillic... text: its
heuristics also know when *not* to fix (``HÅØYA``, ``DrÃ¥ber``) and repair
lossy variants (``â€?``, C1 controls, UTF-16 surrogates in CESU-8).  encfix
uses only ``ftfy.fix_encoding_and_explain`` -- never its width folding, quote
uncurling or NFKC -- and only on the parts of a line its own engine did not
repair.  ftfy's explanation is kept as the fix's replayable steps.
"""

from __future__ import annotations

import math

from encfix import _regex, model
from encfix._detect._tables import has_seed
from encfix._types import Fix

__all__ = ["FTFY_TRUST", "fix_gaps", "is_latin_chain"]

#: ftfy decided the text was bad; the language model may disagree by this
#: much (nats) before the fix's confidence drops below one half
FTFY_TRUST = 18.0
CONTEXT = 8
TEMPERATURE = 2.0

_CJK = _regex.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff61-\uff9f]")

_SINGLE = frozenset({"latin-1", "cp1252", "cp1250", "cp1251", "cp437", "macroman"})
_FTFY_NAMES = {
    "latin-1": "latin-1",
    "sloppy-windows-1252": "cp1252",
    "windows-1252": "cp1252",
    "sloppy-windows-1251": "cp1251",
    "windows-1251": "cp1251",
    "sloppy-windows-1250": "cp1250",
    "windows-1250": "cp1250",
    "sloppy-windows-1253": "cp1253",
    "sloppy-windows-1254": "cp1254",
    "sloppy-windows-1257": "cp1257",
    "iso-8859-2": "iso-8859-2",
    "macroman": "macroman",
    "cp437": "cp437",
}


def is_latin_chain(chain: tuple[str, ...]) -> bool:
    """UTF-8 (or Windows-1252) read through single-byte code pages only:
    ftfy's own ground."""
    return all(chain[i] in ("utf-8", "cp1252") and chain[i + 1] in _SINGLE for i in range(0, len(chain), 2))


def _chain(steps: list[tuple[str, str]]) -> tuple[str, ...]:
    chain: list[str] = []
    enc = None
    for op, arg in steps:
        if op == "encode":
            enc = _FTFY_NAMES.get(arg, arg)
        elif op == "decode" and enc is not None:
            chain = [_FTFY_NAMES.get(arg, arg).replace("utf-8-variants", "utf-8"), enc, *chain]
            enc = None
        elif op == "apply" and arg == "decode_inconsistent_utf8":
            chain = ["utf-8", "cp1252", *chain]
        elif op == "apply" and arg == "fix_c1_controls":
            chain = ["cp1252", "latin-1", *chain]
    return tuple(chain)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _only_c1(before: str, after: str) -> bool:
    """Is the fix C1 controls read as Windows-1252 ("\x80" -> "€") and nothing else?"""
    return len(before) == len(after) and all(
        a == b or (0x80 <= ord(a) <= 0x9F and b == bytes([ord(a)]).decode("cp1252", "replace"))
        for a, b in zip(before, after, strict=True)
    )


def ftfy_bad(text: str) -> bool:
    """Does ftfy's badness measure call ``text`` mojibake?"""
    from ftfy.badness import is_bad

    return bool(is_bad(text))


def fix_gaps(line: str, offset: int, taken: list[tuple[int, int]]) -> list[Fix]:
    """ftfy's fixes for the parts of ``line`` outside ``taken`` spans."""
    out: list[Fix] = []
    pos = 0
    for a, b in [*sorted(taken), (len(line), len(line))]:
        seg = line[pos:a]
        seg_start = pos
        pos = b
        if not seg or not has_seed(seg):
            continue
        import ftfy  # only now: importing it costs a tenth of a second

        res = ftfy.fix_encoding_and_explain(seg)
        fixed = res.text
        if fixed == seg or not res.explanation:
            continue
        steps = [(str(op), str(arg)) for op, arg in res.explanation]
        p = 0
        while p < min(len(seg), len(fixed)) and seg[p] == fixed[p]:
            p += 1
        s = 0
        while s < min(len(seg), len(fixed)) - p and seg[-1 - s] == fixed[-1 - s]:
            s += 1
        before, after = seg[p : len(seg) - s], fixed[p : len(fixed) - s]
        try:
            ok = ftfy.apply_plan(before, steps) == after
        except Exception:  # ftfy steps may not apply to a trimmed piece
            ok = False
        if not ok:
            p, s, before, after = 0, 0, seg, fixed
        start = seg_start + p
        end = seg_start + len(seg) - s
        left = line[max(0, start - CONTEXT) : start]
        right = line[end : end + CONTEXT]
        if _only_c1(before, after) and _CJK.search(left[-2:] + right[:2]):
            # a C1 control beside CJK text is a byte a double-byte decoder
            # kept (browsers read Shift_JIS 0x80 as U+0080), not Windows-1252
            continue
        gain = model.cost(left + before + right) - model.cost(left + after + right)
        out.append(
            Fix(
                start=offset + start,
                end=offset + end,
                before=before,
                after=after,
                chain=_chain(steps),
                decoder="ftfy",
                confidence=_sigmoid((gain + FTFY_TRUST) / TEMPERATURE),
                kind="ftfy",
                steps=tuple(steps),
            )
        )
    return out
