"""Full-width punctuation NFKC folded, given back between CJK characters:
``一帶一路”,必須`` -> ``一帶一路”，必須``.

A folded mark is restored only where both neighbours are CJK (a Han
character, kana, Hangul, or CJK punctuation such as ``”`` or ``。``); a
sentence mark (``!`` ``?`` ``:`` ``;``) also at the end of a line after CJK.
Numbers (``3,000``), times (``21:19:11``), URLs and Latin text have ASCII
neighbours, so they are left alone.  Parentheses are restored as a pair
whose content and outside neighbours are CJK.
"""

from __future__ import annotations

import re

from encfix import _regex
from encfix._types import Fix
from encfix.artifacts._pinyin import BRACKETED

__all__ = ["FULL_WIDTH", "punct_fixes", "replay_punct"]

#: the marks NFKC folds, and their full-width forms
FULL_WIDTH = {",": "，", "!": "！", "?": "？", ":": "：", ";": "；", "(": "（", ")": "）"}

_CJK = _regex.compile(
    "[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff01-\uff0f\uff1a-\uff1f"
    "\u201c\u201d\u2018\u2019\u2026\u2014\U00020000-\U0003134f]"
)
#: a pinyin annotation the pinyin fixes remove: look past it for the neighbour
_ANNOTATION_TAIL = _regex.compile(BRACKETED + "$")
_SENTENCE = frozenset("!?:;")
#: a parenthesised run of CJK between CJK neighbours
_PAREN = _regex.compile("(?<=[\u3400-\u9fff\u3040-\u30ff\uac00-\ud7a3])\\(([^()\\n]{1,40})\\)")


def _left(text: str, i: int) -> str:
    """The character before position ``i``, looking past a pinyin annotation."""
    j = i
    m = _ANNOTATION_TAIL.search(text, max(0, j - 12), j)
    if m is not None and m.end() == j:
        j = m.start()
    return text[j - 1] if j > 0 else ""


def punct_fixes(text: str, taken: list[tuple[int, int]]) -> list[Fix]:
    out: list[Fix] = []

    def free(a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in taken)

    def add(i: int) -> None:
        out.append(
            Fix(
                start=i,
                end=i + 1,
                before=text[i],
                after=FULL_WIDTH[text[i]],
                chain=(),
                decoder="",
                confidence=0.95,
                kind="punct",
            )
        )

    for m in re.finditer("[,!?:;]", text):
        i = m.start()
        if not free(i, i + 1):
            continue
        left = _left(text, i)
        if not left or not _CJK.match(left):
            continue
        right = text[i + 1 : i + 2]
        if (right and _CJK.match(right)) or (
            text[i] in _SENTENCE and (not right or right in "\r\n") and not text[i - 1 : i].isascii()
        ):
            add(i)
    for m in _PAREN.finditer(text):
        a, b = m.start(), m.end()
        inner = m.group(1)
        after = text[b : b + 1]
        if not free(a, b) or not _CJK.match(inner[0]) or not _CJK.match(inner[-1]):
            continue
        if not after or not (_CJK.match(after) or after in "\r\n"):
            continue
        if _ANNOTATION_TAIL.search(text[a:b]):
            continue
        add(a)
        add(b - 1)
    out.sort(key=lambda f: f.start)
    return out


def replay_punct(fix: Fix) -> str:
    after = FULL_WIDTH.get(fix.before)
    if after is None:
        raise ValueError(f"fix at {fix.start}: {fix.before!r} is not a folded punctuation mark")
    return after
