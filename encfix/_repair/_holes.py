"""UTF-8 read as Windows-1252 by a strict decoder, one marker per lost byte.

Windows-1252 leaves five bytes undefined (81 8D 8F 90 9D).  Python's
``bytes.decode("cp1252", "replace")`` turns each into U+FFFD, Windows'
best-fit conversion into "?"; every other byte reads as one character.  So
the damage keeps the structure of the UTF-8 stream whole: each marker is
one byte, and since all five are continuation bytes, the lead bytes still
say where each character starts and how long it is.  A line of such
mojibake is read here directly -- each character that holds markers has at
most five (or 25) possible values, and the language model picks the most
likely sequence by dynamic programming -- where the general lossy search
(``_lossy.readings``) would take a hundred times longer over a long line
and give up at its bound.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from itertools import product

from encfix import model

#: the bytes Windows-1252 leaves undefined: what a marker may stand for
HOLES = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


@cache
def _byte_of() -> dict[str, int]:
    """Every character Windows-1252 reads a byte as -> that byte."""
    out: dict[str, int] = {}
    for x in range(256):
        if x not in HOLES:
            out[bytes([x]).decode("cp1252")] = x
    return out


#: what UTF-8's continuation bytes (the defined ones) and lead bytes read as
#: through Windows-1252
TRAILS = frozenset(c for c, x in _byte_of().items() if 0x80 <= x <= 0xBF)
LEADS = frozenset(c for c, x in _byte_of().items() if 0xC2 <= x <= 0xF4)


def _values(slots: Sequence[tuple[int, ...]]) -> tuple[tuple[str, ...], tuple[bytes, ...]]:
    """The UTF-8 characters (and their bytes) that one byte from each of
    ``slots`` in turn makes."""
    chars: list[str] = []
    datas: list[bytes] = []
    for combo in product(*slots):
        data = bytes(combo)
        try:
            chars.append(data.decode("utf-8"))
        except UnicodeDecodeError:
            continue
        datas.append(data)
    return tuple(chars), tuple(datas)


#: a character of the reading: its position in the span (start, end), the
#: characters it may be and, for each, its bytes
Unit = tuple[int, int, tuple[str, ...], tuple[bytes, ...]]


def parse(span: str, marker: str) -> list[Unit] | None:
    """``span`` read back as UTF-8 with each ``marker`` one lost byte; None
    unless it reads so throughout, with at least one marker inside a
    multi-byte character.  A "?" where no continuation byte is due is a
    question mark."""
    byte_of = _byte_of()
    out: list[Unit] = []
    n = len(span)
    i = 0
    lost = False
    while i < n:
        ch = span[i]
        x = byte_of.get(ch)
        if x is None:
            if ch == marker == "?":
                x = 0x3F
            else:
                return None
        if x < 0x80:
            out.append((i, i + 1, (ch,), (bytes([x]),)))
            i += 1
            continue
        need = 2 if 0xC2 <= x <= 0xDF else 3 if 0xE0 <= x <= 0xEF else 4 if 0xF0 <= x <= 0xF4 else 0
        if not need or i + need > n:
            return None
        slots: list[tuple[int, ...]] = [(x,)]
        for ch2 in span[i + 1 : i + need]:
            if ch2 == marker:
                slots.append(HOLES)
                continue
            y = byte_of.get(ch2)
            if y is None or not 0x80 <= y <= 0xBF:
                return None
            slots.append((y,))
        chars, datas = _values(slots)
        if not chars:
            return None
        lost = lost or any(len(s) > 1 for s in slots)
        out.append((i, i + need, chars, datas))
        i += need
    return out if lost else None


def best(
    units: list[Unit], lm: model.LanguageModel, guess: Callable[[str, str], float], prev: str
) -> list[int]:
    """The index of each unit's likeliest option, ``prev`` the character
    before: Viterbi over each run of units with several options, between
    the characters that are known on either side (the steps between known
    characters are the same for every reading).  ``guess(prev, c)`` is what
    a guessed character costs, the model's step out of a run what a known
    one does."""
    picks = [0] * len(units)
    n = len(units)
    u = 0
    while u < n:
        if len(units[u][2]) == 1:
            u += 1
            continue
        r = u
        while r < n and len(units[r][2]) > 1:
            r += 1
        costs = [0.0]
        lasts = [(units[u - 1][2][0] if u else prev).casefold()]
        back: list[list[int]] = []
        for k in range(u, r):
            chars = units[k][2]
            new: list[float] = []
            ptr: list[int] = []
            keep = set(plausible(chars, guess))
            for c in chars:
                if c not in keep:
                    new.append(float("inf"))
                    ptr.append(0)
                    continue
                k_best, c_best = 0, float("inf")
                for q, last in enumerate(lasts):
                    v = costs[q] + guess(last, c)
                    if v < c_best:
                        k_best, c_best = q, v
                new.append(c_best)
                ptr.append(k_best)
            back.append(ptr)
            costs = new
            lasts = [c.casefold() for c in chars]
        if r < n:
            nxt = units[r][2][0]
            costs = [v + lm.step(last, nxt) for v, last in zip(costs, lasts, strict=True)]
        q = min(range(len(costs)), key=costs.__getitem__)
        for k in range(r - 1, u - 1, -1):
            picks[k] = q
            q = back[k - u][q]
        u = r
    return picks


#: nats above its likeliest option (alone) from which an option is not
#: considered: it could not win, nor weigh anything in a posterior
PRUNE = 8.0


def plausible(chars: Sequence[str], guess: Callable[[str, str], float]) -> list[str]:
    """The options of ``chars`` within :data:`PRUNE` of the likeliest, by
    what each costs alone as a guess."""
    if len(chars) < 2:
        return list(chars)
    costs = [guess("", c) for c in chars]
    lo = min(costs)
    return [c for c, x in zip(chars, costs, strict=True) if x <= lo + PRUNE]


def options(data: bytes, mask: bytes) -> list[str]:
    """The characters ``data`` (one UTF-8 character) may have been, its bytes
    flagged in ``mask`` lost to a marker."""
    return list(_values([HOLES if m else (b,) for b, m in zip(data, mask, strict=True)])[0])
