"""Diffs for the command line, built from a repair's own spans.

``Repair.fixes`` already says exactly which characters changed (``start`` and
``end`` index the input), so no sequence matching is needed -- difflib is both
wrong on CJK text (its autojunk heuristic) and slow without it.

:func:`unified_diff` renders plain ``diff -u`` output (never any ANSI codes);
:func:`color_diff` a character-level diff for terminals (rich is imported only
there).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from encfix import _regex

if TYPE_CHECKING:
    from rich.text import Text

    from encfix._types import Fix

__all__ = ["color_diff", "unified_diff"]

_NO_NEWLINE = "\\ No newline at end of file\n"


class _Lines:
    """Line index of a text: lines end with ``\\n`` (and only ``\\n``)."""

    __slots__ = ("n", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        i = text.find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = text.find("\n", i + 1)
        if starts[-1] == len(text):  # nothing after the last newline: no extra line
            starts.pop()
        self.starts = starts
        self.n = len(starts)

    def start(self, i: int) -> int:
        return self.starts[i] if i < self.n else len(self.text)

    def line_of(self, pos: int) -> int:
        """Index of the line holding the character at ``pos`` (``n`` past the end)."""
        if pos >= len(self.text) and (self.n == 0 or self.text.endswith("\n")):
            return self.n
        return bisect_right(self.starts, pos) - 1

    def lines(self, i: int, j: int) -> list[str]:
        return _split(self.text[self.start(i) : self.start(j)])


def _split(s: str) -> list[str]:
    """``s`` cut after each ``\\n`` (not at the other characters ``splitlines`` takes)."""
    parts = s.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


class _Region(NamedTuple):
    """Old lines ``[l0, l1)`` touched by ``fixes``."""

    l0: int
    l1: int
    fixes: list[Fix]


def _regions(lines: _Lines, fixes: Sequence[Fix]) -> list[_Region]:
    text = lines.text
    regions: list[_Region] = []
    last_end = 0
    for f in sorted(fixes, key=lambda f: (f.start, f.end)):
        if not (last_end <= f.start <= f.end <= len(text)) or text[f.start : f.end] != f.before:
            raise ValueError(f"fix {f.start}:{f.end} does not match the text it was made for")
        last_end = f.end
        l0 = lines.line_of(f.start)
        l1 = max(l0 + 1, lines.line_of(f.end - 1) + 1) if f.end > f.start else l0 + 1
        l1 = min(l1, lines.n) if l0 < lines.n else l0  # an insertion past the last line
        if regions and (l0 < regions[-1].l1 or l0 == regions[-1].l0):
            prev = regions.pop()
            regions.append(_Region(prev.l0, max(prev.l1, l1), [*prev.fixes, f]))
        else:
            regions.append(_Region(l0, l1, [f]))
    return regions


def _apply(lines: _Lines, r: _Region) -> str:
    """The new text of region ``r``."""
    base = lines.start(r.l0)
    seg = lines.text[base : lines.start(r.l1)]
    out: list[str] = []
    pos = 0
    for f in r.fixes:
        out.append(seg[pos : f.start - base])
        out.append(f.after)
        pos = f.end - base
    out.append(seg[pos:])
    return "".join(out)


class _Change(NamedTuple):
    old_start: int  # index of the first old line
    old: list[str]
    new: list[str]


def _changes(lines: _Lines, fixes: Sequence[Fix]) -> list[_Change]:
    changes: list[_Change] = []
    for r in _regions(lines, fixes):
        old = lines.lines(r.l0, r.l1)
        new = _split(_apply(lines, r))
        # a multi-line span may keep some lines as they were: trim them off both ends
        i = 0
        while i < len(old) and i < len(new) and old[i] == new[i]:
            i += 1
        j = 0
        while j < len(old) - i and j < len(new) - i and old[-1 - j] == new[-1 - j]:
            j += 1
        old, new = old[i : len(old) - j], new[i : len(new) - j]
        start = r.l0 + i
        if not (old or new):
            continue
        prev = changes[-1] if changes else None
        if prev is not None and prev.old_start + len(prev.old) == start:
            # adjacent changed lines form one block: all '-' lines, then all '+' lines
            prev.old.extend(old)
            prev.new.extend(new)
        else:
            changes.append(_Change(start, old, new))
    return changes


def _range(start: int, count: int) -> str:
    """``diff -u`` hunk range: 1-based start; an empty range names the line before it."""
    if count == 1:
        return str(start + 1)
    if count == 0:
        return f"{start},0"
    return f"{start + 1},{count}"


def _emit(out: list[str], prefix: str, line: str) -> None:
    out.append(prefix + line)
    if not line.endswith("\n"):
        out.append("\n" + _NO_NEWLINE)


def unified_diff(text: str, fixes: Sequence[Fix], name: str, *, context: int = 3) -> str:
    """``diff -u`` of ``text`` before and after ``fixes``, headed ``--- a/NAME`` ``+++ b/NAME``.

    Empty when nothing changes.  Hunks group changed lines closer than
    ``2 * context`` lines, like GNU diff.
    """
    lines = _Lines(text)
    changes = _changes(lines, fixes)
    if not changes:
        return ""
    out = [f"--- a/{name}\n", f"+++ b/{name}\n"]
    hunks: list[list[_Change]] = []
    for c in changes:
        if hunks:
            prev = hunks[-1][-1]
            if c.old_start - (prev.old_start + len(prev.old)) <= 2 * context:
                hunks[-1].append(c)
                continue
        hunks.append([c])
    delta = 0  # new line number minus old line number, before the current hunk
    for hunk in hunks:
        first, last = hunk[0], hunk[-1]
        a0 = max(0, first.old_start - context)
        a1 = min(lines.n, last.old_start + len(last.old) + context)
        grow = sum(len(c.new) - len(c.old) for c in hunk)
        out.append(f"@@ -{_range(a0, a1 - a0)} +{_range(a0 + delta, a1 - a0 + grow)} @@\n")
        pos = a0
        for c in hunk:
            for line in lines.lines(pos, c.old_start):
                _emit(out, " ", line)
            for line in c.old:
                _emit(out, "-", line)
            for line in c.new:
                _emit(out, "+", line)
            pos = c.old_start + len(c.old)
        for line in lines.lines(pos, a1):
            _emit(out, " ", line)
        delta += grow
    return "".join(out)


# C0/C1 controls (but tab and newline) would drive the terminal: show them escaped
_CONTROL_RE = _regex.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(s: str) -> str:
    return _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", s)


def _describe(f: Fix) -> str:
    chain = " → ".join(f.chain)
    desc = f.description
    label = f"{chain}: {desc}" if chain and desc else chain or desc or f.kind
    return f"{label}, confidence {f.confidence:.2f}"


def _append_after(out: Text, f: Fix) -> None:
    """``f.after`` in green; characters a lossy fix guessed underlined in
    yellow, placeholders where it could not tell in reverse magenta."""
    loss = f.loss
    if loss is None:
        out.append(_visible(f.after), style="green")
        return
    uncertain = {p for p, _ in loss.uncertain}
    guessed = set(loss.guessed)
    for i, ch in enumerate(f.after):
        if i in uncertain:
            style = "reverse magenta"
        elif i in guessed:
            style = "bold underline yellow"
        else:
            style = "green"
        out.append(_visible(ch), style=style)


def _describe_loss(f: Fix) -> str:
    loss = f.loss
    if loss is None:
        return ""
    sure = [p for p in loss.guessed if p not in {q for q, _ in loss.uncertain}]
    parts = []
    if sure:
        parts.append("guessed " + "".join(f.after[p] for p in sure if p < len(f.after)))
    for p, alts in loss.uncertain:
        cands = ", ".join(f"{c} {q:.2f}" for c, q in alts)
        parts.append(f"position {p} unknown ({cands})")
    return "; ".join(parts)


def color_diff(text: str, fixes: Sequence[Fix], name: str, *, color_system: str = "standard") -> str:
    """Character-level diff with ANSI colours: each changed line, numbered, then its fixes.

    Removed characters are red and struck through, inserted ones green.
    """
    from io import StringIO

    from rich.console import Console
    from rich.text import Text

    lines = _Lines(text)
    regions = _regions(lines, fixes)
    if not regions:
        return ""
    buf = StringIO()
    console = Console(
        file=buf,
        force_terminal=True,
        color_system=color_system,  # type: ignore[arg-type]
        highlight=False,
        emoji=False,
        markup=False,
        width=10_000,
        legacy_windows=False,
    )
    width = len(str(max(r.l1 for r in regions)))
    pad = " " * width + "   "
    n = len(fixes)
    out = Text()
    out.append(f"{name}: {n} fix{'es' if n != 1 else ''}\n", style="bold")
    for r in regions:  # one Text, printed once: rich's per-print cost adds up on big files
        base = lines.start(r.l0)
        end = lines.start(r.l1) if r.l1 > r.l0 else base  # (an insertion after the last line)
        numbers = f"{r.l0 + 1}" if r.l1 - r.l0 <= 1 else f"{r.l0 + 1}-{r.l1}"
        out.append(numbers.rjust(width) + " │ ", style="dim")
        pos = base
        for f in r.fixes:
            out.append(_visible(text[pos : f.start]))
            if f.before:
                out.append(_visible(f.before), style="red strike")
            if f.after:
                _append_after(out, f)
            pos = f.end
        tail = text[pos:end]
        tail = tail[:-1] if tail.endswith("\n") else tail
        out.append(_visible(tail[:-1] if tail.endswith("\r") else tail) + "\n")
        for f in r.fixes:
            out.append(pad + "↳ " + _visible(_describe(f)) + "\n", style="cyan")
            if f.loss is not None:
                out.append(pad + "  " + _visible(_describe_loss(f)) + "\n", style="yellow")
    out.rstrip()
    console.print(out, soft_wrap=True)
    return buf.getvalue()
