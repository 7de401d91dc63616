"""Decoding bytes of unknown or mixed encoding (:func:`encfix.decode`).

In order:

1. a forced encoding (``encoding=``) decodes everything, strictly;
2. a byte-order mark names UTF-8/16/32;
3. NUL bytes on one parity (or in UTF-32's pattern) that decode cleanly are
   BOM-less UTF-16/32;
4. ISO-2022-JP/KR escapes and HZ's ``~{`` shifts, in 7-bit data, when their
   reading holds CJK text (HZ: and the model prefers it to the ASCII);
5. bytes that are valid UTF-8 -- allowing a character cut at either end --
   are UTF-8 (ASCII if 7-bit);
6. anything else is decoded line by line: lines that are valid UTF-8 stay
   UTF-8, the others are read with the codec :mod:`encfix._decode._select`
   picks for them (the member of its family that fits the whole text), and
   a line that mixes UTF-8 runs with other bytes -- or that the codec cannot
   read whole -- is cut into runs by a two-state Viterbi search over its
   bytes (UTF-8 or the codec, unigram costs, a cost per switch and per byte
   neither reads).  Pure-ASCII stretches belong to the segment around them.

``segments`` index the input bytes.  The result's ``decoded`` text is then
repaired by :func:`encfix.repair` (a UTF-8 file that also holds mojibake is
common).
"""

from __future__ import annotations

import codecs
import math
from dataclasses import dataclass

from encfix import _regex
from encfix._decode._codecs import EDGE_COST, ERROR_COST, HEAD_COST, Candidate, decode_run, label_of, lookup
from encfix._decoded import Decoded, Segment
from encfix._options import Options

__all__ = ["Decoded", "Segment", "decode", "decode_bytes"]

_MB = (
    rb"(?:[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2})"
)
#: each byte's class, for spotting UTF-8 by substring search (several times
#: faster than a regex): "L" the lead of a 3-byte character, "C" a
#: continuation byte, "." anything else
_UTF8_SHAPE = bytes(
    ord("L") if 0xE0 <= b <= 0xEF else ord("C") if 0x80 <= b <= 0xBF else ord(".") for b in range(256)
)
#: four 3-byte UTF-8 characters (CJK and most of the BMP) in a row, in
#: ``_UTF8_SHAPE`` classes: legacy CJK bytes make one by chance at about 1.6%
#: of positions, four almost never
_STRONG_UTF8 = b"LCC" * 4
_WIDE_PAIR = _regex.compile("[\u0800-\ud7ff\ue000-\U0010ffff]{2}")
_UTF8_CHAR = _regex.compile(_MB)

#: a switch between UTF-8 and the legacy codec inside a line
SWITCH_COST = 8.0
#: prior (nats) of BOM-less UTF-16 with no NUL byte (pure CJK, no ASCII at all)
UTF16_PRIOR = 8.0

_ISO2022 = (
    "iso2022_jp",
    "iso2022_jp_1",
    "iso2022_jp_2",
    "iso2022_jp_ext",
    "iso2022_jp_3",
    "iso2022_jp_2004",
    "iso2022_kr",
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "utf_32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf_32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf_8_sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf_16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf_16"),
)
_CONTROLS = _regex.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def decode(data: bytes, opts: Options, *, encoding: str | None = None, repair: bool = True) -> Decoded:
    """:func:`decode_bytes`, then :func:`encfix.repair` on the text."""
    d = decode_bytes(data, encoding=encoding)
    if not repair:
        return d
    from encfix._repair import repair_text

    r = repair_text(d.decoded, opts)
    return Decoded(
        text=r.text,
        encoding=d.encoding,
        segments=d.segments,
        confidence=d.confidence * r.confidence,
        decoded=d.decoded,
        repair=r,
        alternatives=d.alternatives,
        bom=d.bom,
    )


def decode_bytes(data: bytes, *, encoding: str | None = None) -> Decoded:
    """Decode ``data`` segment by segment (no repair)."""
    data = bytes(data)
    if encoding is not None:
        return _forced(data, encoding)
    n = len(data)
    if not n:
        return _whole("", "ascii", n, 1.0)
    for bom, label, codec in _BOMS:
        if data.startswith(bom):
            try:
                text, _h, tail = decode_run(data, codec, at_end=True)
            except UnicodeDecodeError:
                break
            return _whole(text, label, n, 1.0, tail=tail, bom=True)
    if b"\x00" in data:
        found = _nul_utf(data)
        if found is not None:
            return found
    if b"\x1b" in data or b"~{" in data:
        found = _escaped(data)
        if found is not None:
            return found
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        # an error with 4 bytes or more on either side is no cut character
        interior = 4 <= e.start <= n - 5
    else:
        return _whole(text, "ascii" if data.isascii() else "utf-8", n, 1.0 if data.isascii() else 0.99)
    if not interior:
        found = _utf8_cut(data)
        if found is not None:
            return found
    return _Legacy(data).run()


# --------------------------------------------------------------------------- simple cases


def _whole(
    text: str, label: str, n: int, confidence: float, *, head: int = 0, tail: int = 0, bom: bool = False
) -> Decoded:
    segs: list[Segment] = []
    if head:
        segs.append(Segment(0, head, None, 1.0))
        text = "\ufffd" * head + text
    segs.append(Segment(head, n - tail, label, confidence))
    if tail:
        segs.append(Segment(n - tail, n, None, 1.0))
        text += "\ufffd" * tail
    return Decoded(
        text=text, encoding=label, segments=tuple(segs), confidence=confidence, decoded=text, bom=bom
    )


def _forced(data: bytes, encoding: str) -> Decoded:
    try:
        codec = lookup(encoding)
    except LookupError:
        raise ValueError(f"unknown encoding: {encoding!r}") from None
    text = data.decode(codec)
    bom = codec in ("utf_8_sig", "utf_16", "utf_32") and data.startswith(
        (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    )
    return _whole(text, label_of(encoding), len(data), 1.0, bom=bom)


def _nul_utf(data: bytes) -> Decoded | None:
    """BOM-less UTF-32 or UTF-16, recognised by where the NUL bytes fall."""
    from encfix import model

    n = len(data)
    found: list[tuple[float, str, str, int]] = []
    if data.count(0) < 2:  # one NUL byte is binary, not text
        return None
    codecs_ = ["utf_32_le", "utf_32_be", "utf_16_le", "utf_16_be"]
    for codec in codecs_:
        try:
            text, _h, tail = decode_run(data, codec, at_end=True)
        except UnicodeDecodeError:
            continue
        found.append((model.unigram_cost(text[:2000]) / max(1, len(text[:2000])) * 2000, codec, text, tail))
    found = [f for f in found if len(_CONTROLS.findall(f[2])) * 100 <= len(f[2]) and f[0] < 2000 * 14.0]
    if not found:
        return None
    _cost, codec, text, tail = min(found)
    return _whole(text, label_of(codec), n, 0.99, tail=tail)


def _escaped(data: bytes) -> Decoded | None:
    """ISO-2022-JP/KR (escape sequences) or HZ (``~{ ... ~}``) in 7-bit data:
    the narrowest codec whose reading holds non-ASCII text (HZ: only if the
    model prefers it to the plain ASCII)."""
    if not data.isascii():
        return None
    codecs_ = list(_ISO2022) if b"\x1b" in data else []
    if b"~{" in data:
        codecs_.append("hz")
    for codec in codecs_:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if text.isascii():
            continue
        if codec == "hz":
            from encfix import model

            if model.cost(text) >= model.cost(data.decode("ascii")):
                return None  # '~{' in ASCII text (code, say): the ASCII reads better
        return _whole(text, label_of(codec), len(data), 0.99)
    return None


def _utf8_cut(data: bytes) -> Decoded | None:
    """Valid UTF-8 but for a character cut at either end (a window of a longer text)."""
    head = 0
    while head < min(3, len(data)) and 0x80 <= data[head] <= 0xBF:
        head += 1
    try:
        text, _h, tail = decode_run(data[head:], "utf-8", at_end=True)
    except UnicodeDecodeError:
        return None
    if not (head or tail) or not _UTF8_CHAR.search(data):
        return None
    return _whole(text, "utf-8", len(data), 0.98, head=head, tail=tail)


# --------------------------------------------------------------------------- legacy and mixed


@dataclass(slots=True)
class _Piece:
    start: int
    end: int
    label: str | None  # "" for pure ASCII (joins its neighbours)
    confidence: float
    text: str


class _Legacy:
    """Bytes that are not UTF-8: line by line, run by run."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.n = len(data)
        self.pieces: list[_Piece] = []
        self.alternatives: tuple[tuple[str, float], ...] = ()
        self.start_cost = (0.0, 0.0)
        #: ``data`` in ``_UTF8_SHAPE`` classes, once needed
        self.shape: bytes | None = None

    # ----------------------------------------------------------------- driver

    def run(self) -> Decoded:
        from encfix._decode._select import Tokens, choose, choose_member

        data, n = self.data, self.n
        sample = Tokens(data)
        # mixed: strong UTF-8 in the tokens sampled.  A match lies inside one
        # token, so with none in the data the tokens need not all be cut.
        mixed = False
        if _STRONG_UTF8 in self._utf8_shape():
            mixed = _STRONG_UTF8 in sample.all().joined.translate(_UTF8_SHAPE)
        if mixed:
            sample = Tokens(data, skip_utf8=True)
        choice = choose(data, sample=sample)
        if choice is None:  # only valid UTF-8 tokens: UTF-8 with stray bytes
            text = data.decode("utf-8", "replace")
            return _whole(text, "utf-8", n, 0.5)
        head = choice.head
        utf16 = self._utf16(choice.cand, head)
        if utf16 is not None:
            return utf16
        self.head = head
        self.conf = choice.confidence
        self.alternatives = choice.alternatives
        if not mixed:
            # one codec reads it all, unless it fails or UTF-8 hides in it
            member = choose_member(data[head:], choice.cand, at_end=True)
            self.cand, self.label = member.cand, member.label
            if member.text is not None and _STRONG_UTF8 not in self._utf8_shape():
                return _whole(member.text, member.label, n, choice.confidence, head=head, tail=member.tail)
        else:
            legacy = b"\n".join(
                line for line in data[head:].splitlines() if not line.isascii() and not _is_utf8(line)
            )
            member = choose_member(legacy, choice.cand, at_end=True)
            self.cand, self.label = member.cand, member.label
        self._lines()
        return self._result()

    def _lines(self) -> None:
        """Line by line: valid UTF-8, the codec, or (mixed, or unreadable) searched."""
        data, n, codec = self.data, self.n, self.cand.codec
        kinds: list[tuple[int, int, int]] = []  # (start, end, kind): 0 ascii, 1 utf-8, 2 weak utf-8, 3 legacy
        pos = 0
        high_utf8 = high_rest = 0
        strong = False
        for line in data.splitlines(keepends=True):
            end = pos + len(line)
            if line.isascii():
                kinds.append((pos, end, 0))
            else:
                try:
                    u = line.decode("utf-8")
                except UnicodeDecodeError:
                    kinds.append((pos, end, 3))
                    high_rest += 1
                else:
                    wide = _WIDE_PAIR.search(u) is not None
                    strong = strong or wide
                    kinds.append((pos, end, 1 if wide else 2))
                    high_utf8 += 1
            pos = end
        # the minority reading of a document pays a switch to start a line
        # (twice that unless the document holds strong UTF-8 lines: mixing is rare)
        minority = SWITCH_COST * (1 if strong else 2)
        self.start_cost = (minority, 0.0) if high_rest >= high_utf8 else (0.0, minority)
        batch = -1  # start of a run of lines read by the codec
        for a, b, kind in kinds:
            if kind == 3:
                h = self.head if a == 0 else 0
                try:
                    # a cut final character is searched
                    readable = not decode_run(data[a + h : b], codec, at_end=b == n)[2]
                except UnicodeDecodeError:
                    readable = False
                if readable and not h and self._utf8_shape().find(_STRONG_UTF8, a, b) < 0:
                    if batch < 0:
                        batch = a
                    continue
            elif kind == 0 and batch >= 0:
                continue
            if batch >= 0:
                self._batch(batch, a)
                batch = -1
            if kind == 0:
                self._add(a, b, "", 1.0, data[a:b].decode("ascii"))
            elif kind == 1:
                self._add(a, b, "utf-8", 1.0, data[a:b].decode("utf-8"))
            else:
                self._viterbi(a, b)
        if batch >= 0:
            self._batch(batch, n)

    def _utf8_shape(self) -> bytes:
        if self.shape is None:
            self.shape = self.data.translate(_UTF8_SHAPE)
        return self.shape

    def _utf16(self, best: Candidate, head: int) -> Decoded | None:
        """BOM-less UTF-16 with (almost) no NUL byte: CJK and nothing else."""
        from encfix import model

        data = self.data
        first = data.find(b"\n")
        if len(data) < 4 or (first >= 0 and data.find(b"\n", first + 1) >= 0):
            return None  # more than one line
        sample = data[:1024]
        chars = len(sample) // 2
        # each reading is scored on its first ``chars`` characters (decoded
        # from at most 4 bytes each); the whole data is decoded only for the
        # reading that wins (if it cannot be, the next one is tried)
        heads: list[tuple[str, str]] = []
        for codec in ("utf_16_le", "utf_16_be"):
            try:
                t = codecs.getincrementaldecoder(codec)("strict").decode(data[: 4 * chars + 4], final=False)
            except UnicodeDecodeError:
                continue
            heads.append((codec, t[:chars]))
        if not heads:
            return None
        legacy = sample[head:].decode(best.codec, "replace")
        errors = legacy.count("\ufffd")
        cost_legacy = model.cost(legacy[:300]) + model.unigram_cost(legacy[300:]) + ERROR_COST * errors
        found: list[tuple[float, str]] = []
        for codec, t in heads:
            rest = model.unigram_cost(t[300:])
            # the bigram model stops once the reading cannot beat the legacy one
            bound = cost_legacy - rest - UTF16_PRIOR
            cost = model.cost(t[:300], bound=bound)
            if cost <= bound:
                found.append((cost + rest + UTF16_PRIOR, codec))
        for cost, codec in sorted(found):
            if cost >= cost_legacy:
                return None
            try:
                text, _h, tail = decode_run(data, codec, at_end=True)
            except UnicodeDecodeError:
                continue
            conf = 1.0 / (1.0 + math.exp(-min(50.0, cost_legacy - cost)))
            return _whole(text, label_of(codec), self.n, conf, tail=tail)
        return None

    # ----------------------------------------------------------------- regions

    def _add(self, start: int, end: int, label: str | None, confidence: float, text: str) -> None:
        if end <= start:
            return
        if label and self.data[start:end].isascii():
            label = ""
        self.pieces.append(_Piece(start, end, label, confidence, text))

    def _batch(self, a: int, b: int) -> None:
        if b > a:
            self._add(a, b, self.label, self.conf, self.data[a:b].decode(self.cand.codec))

    def _edge(self, a: int, b: int) -> None:
        if b > a:
            self.pieces.append(_Piece(a, b, None, 1.0, "\ufffd" * (b - a)))

    # ----------------------------------------------------------------- the search

    def _viterbi(self, a: int, b: int) -> None:
        """Cut ``data[a:b]`` into UTF-8 runs and runs of the codec (and bytes
        neither reads): the cheapest path under unigram costs."""
        from encfix import model

        line = self.data[a:b]
        m = len(line)
        codec = self.cand.codec
        at_start = a == 0
        at_end = b == self.n
        uni = model.unigram_cost
        inf = math.inf
        # tokens: for each state, the length and cost of the character at i
        tok: list[list[tuple[int, float] | None]] = [[None] * m, [None] * m]
        for i in range(m):
            byte = line[i]
            if byte < 0x80:
                tok[0][i] = tok[1][i] = (1, 0.0)
                continue
            mu = _UTF8_CHAR.match(line, i)
            if mu is not None:
                tok[0][i] = (mu.end() - i, uni(mu.group().decode("utf-8")))
            for k in (2, 1, 3, 4):
                if i + k > m:
                    continue
                try:
                    ch = line[i : i + k].decode(codec)
                except UnicodeDecodeError:
                    continue
                if len(ch) == 1:
                    tok[1][i] = (k, uni(ch))
                    break
        cost = [[inf, inf] for _ in range(m + 1)]
        back: list[list[tuple[int, int, bool] | None]] = [[None, None] for _ in range(m + 1)]
        cost[0] = [self.start_cost[0], self.start_cost[1]]
        for i in range(m):
            for s in (0, 1):
                c0 = cost[i][s]
                if c0 == inf:
                    continue
                for t in (0, 1):
                    tk = tok[t][i]
                    if tk is None:
                        continue
                    c = c0 + tk[1] + (SWITCH_COST if t != s and i > 0 else 0.0)
                    j = i + tk[0]
                    if c < cost[j][t]:
                        cost[j][t] = c
                        back[j][t] = (i, s, False)
                cut = at_end and i >= m - 3 and tok[0][i] is None and tok[1][i] is None
                c = c0 + (HEAD_COST if at_start and i == 0 else EDGE_COST if cut else ERROR_COST)
                if c < cost[i + 1][s]:
                    cost[i + 1][s] = c
                    back[i + 1][s] = (i, s, True)
        state = 0 if cost[m][0] <= cost[m][1] else 1
        best = cost[m][state]
        path: list[tuple[int, int, int, bool]] = []  # (start, end, state, bad)
        j = m
        while j > 0:
            bp = back[j][state]
            assert bp is not None
            i, s, bad = bp
            path.append((i, j, state, bad))
            j, state = i, s
        path.reverse()
        # how sure: against reading the whole line one way
        alone = [self._alone(tok, m, t, at_start, at_end) for t in (0, 1)]
        states = {s for _i, _j, s, bad in path if not bad}
        rival = min(alone[1 - s] for s in states) if len(states) == 1 else min(alone)
        conf = 1.0 / (1.0 + math.exp(-min(50.0, max(-50.0, rival - best))))
        # merge and emit
        runs: list[list[int]] = []
        for i, j, s, bad in path:
            key = 2 if bad else s
            if runs and runs[-1][2] == key:
                runs[-1][1] = j
            else:
                runs.append([i, j, key])
        for i, j, key in runs:
            if key == 2:
                self._edge(a + i, a + j)
            elif key == 0:
                self._add(a + i, a + j, "utf-8", conf, line[i:j].decode("utf-8"))
            else:
                self._add(a + i, a + j, self.label, conf * self.conf, line[i:j].decode(codec))

    @staticmethod
    def _alone(
        tok: list[list[tuple[int, float] | None]], m: int, t: int, at_start: bool, at_end: bool
    ) -> float:
        total = 0.0
        i = 0
        while i < m:
            tk = tok[t][i]
            if tk is None:
                cut = at_end and i >= m - 3
                total += HEAD_COST if at_start and i == 0 else EDGE_COST if cut else ERROR_COST
                i += 1
            else:
                total += tk[1]
                i += tk[0]
        return total

    # ----------------------------------------------------------------- result

    def _result(self) -> Decoded:
        pieces = self.pieces
        # pure-ASCII pieces take the label of the piece before (or after)
        last = next((p.label for p in pieces if p.label), "ascii")
        for p in pieces:
            if p.label == "":
                p.label = last
            elif p.label is not None:
                last = p.label
        segs: list[Segment] = []
        weight: dict[str, int] = {}
        for p in pieces:
            if segs and segs[-1].encoding == p.label and segs[-1].end == p.start:
                prev = segs[-1]
                segs[-1] = Segment(prev.start, p.end, p.label, min(prev.confidence, p.confidence))
            else:
                segs.append(Segment(p.start, p.end, p.label, p.confidence))
            if p.label is not None:
                weight[p.label] = weight.get(p.label, 0) + _count_high(self.data, p.start, p.end)
        text = "".join(p.text for p in pieces)
        main = max(weight, key=lambda k: weight[k]) if weight else "ascii"
        scored = [s.confidence for s in segs if s.encoding is not None]
        confidence = min(scored) if scored else 0.0
        return Decoded(
            text=text,
            encoding=main,
            segments=tuple(segs),
            confidence=confidence,
            decoded=text,
            alternatives=self.alternatives,
        )


_HIGH = bytes(range(0x80, 0x100))


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _count_high(data: bytes, a: int, b: int) -> int:
    chunk = data[a:b]
    return len(chunk) - len(chunk.translate(None, _HIGH))
