"""Character references in text that is not HTML: ``&#x4E2D;&#25991;`` ->
``中文``, ``&rdquo;`` -> ``”``.

Only complete references (with their ``;``) that name a character are
replaced; ``AT&T`` and ``&copy`` without ``;`` stay.  Unlike ftfy's
``unescape_html`` nothing else is done (no width folding, no quote
uncurling).  A text with markup (tags) is HTML: its references are left
alone unless the caller says otherwise.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from encfix import _regex
from encfix._types import Fix

__all__ = ["entity_fixes", "looks_like_html", "replay_entity"]

_REF = _regex.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG = _regex.compile(
    r"<(?:/?(?:a|p|div|span|br|hr|html|head|body|table|tr|td|th|ul|ol|li|img|meta|link|script|style|"
    r"h[1-6]|em|strong|b|i|u|pre|code|blockquote|title|form|input|section|article|nav|footer|header)\b[^<>]*|!--|!DOCTYPE)",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """Does ``text`` hold markup?"""
    return _TAG.search(text) is not None


def _char(ref: str) -> str | None:
    out = html.unescape(ref)
    if out == ref or not out:
        return None
    if any(0xD800 <= ord(c) <= 0xDFFF or (ord(c) < 0x20 and c not in "\t\n\r") for c in out):
        return None
    return out


#: CJK characters and punctuation
_CJK = _regex.compile(
    "[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff00-\uffef\u201c\u201d\U00020000-\U0003134f]"
)
#: a run of references
_RUN = _regex.compile(f"(?:{_REF.pattern})+")


def entity_fixes(text: str, taken: list[tuple[int, int]]) -> list[Fix]:
    """References inside CJK text: in a run of references that make or
    touch a CJK character (``&#x4E2D;&#25991;``, ``說&rdquo;``).  Elsewhere
    (``10&micro;s``) they are not this tool's business."""
    out: list[Fix] = []
    for run in _runs(text):
        made = [(_char(m.group()), m) for m in _REF.finditer(run.group())]
        left = text[run.start() - 1 : run.start()]
        right = text[run.end() : run.end() + 1]
        near = bool(_CJK.match(left) or _CJK.match(right))
        if not near and not any(c is not None and _CJK.search(c) for c, _ in made):
            continue
        for after, m in made:
            a, b = run.start() + m.start(), run.start() + m.end()
            if after is not None and not any(x < b and a < y for x, y in taken):
                out.append(_fix(text, a, b, after))
    return out


def _runs(text: str) -> Iterator[re.Match[str]]:
    """``_RUN.finditer(text)``, found from each "&" (str.find runs at C
    speed; a regex led by a repeated group tries every position)."""
    pos = text.find("&")
    while pos >= 0:
        m = _RUN.match(text, pos)
        if m is not None:
            yield m
            pos = m.end()
        else:
            pos += 1
        pos = text.find("&", pos)


def _fix(text: str, a: int, b: int, after: str) -> Fix:
    return Fix(
        start=a, end=b, before=text[a:b], after=after, chain=(), decoder="", confidence=0.99, kind="entity"
    )


def replay_entity(fix: Fix) -> str:
    after = _char(fix.before) if _REF.fullmatch(fix.before) else None
    if after is None:
        raise ValueError(f"fix at {fix.start}: {fix.before!r} is not a character reference")
    return after
