"""The result of :func:`encfix.decode` (kept free of heavy imports)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from encfix._types import Repair

__all__ = ["Decoded", "Segment"]


class Segment(NamedTuple):
    """A stretch of the input *bytes* ``data[start:end]`` read with one
    encoding (``None``: bytes no reading explains, each decoded as U+FFFD --
    at the edges of the data, a character cut in two)."""

    start: int
    end: int
    encoding: str | None
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "encoding": self.encoding,
            "confidence": round(self.confidence, 4),
        }


@dataclass(frozen=True, slots=True)
class Decoded:
    """What :func:`encfix.decode` made of bytes.

    ``decoded`` is the bytes decoded segment by segment; ``text`` is
    ``decoded`` after :func:`encfix.repair` (``repair`` is that Repair, whose
    fixes index ``decoded``; ``None`` when the repair was not asked for, and
    then ``text == decoded``).  ``segments`` index the input *bytes*, in
    order, covering all of them; ``encoding`` is the encoding of most of the
    non-ASCII bytes (``"ascii"`` if there are none).  ``confidence`` is how
    sure encfix is of the decoding (the least sure segment's), times the
    repair's confidence.  ``alternatives`` are other encodings the whole
    might be in, with their probabilities.
    """

    text: str
    encoding: str
    segments: tuple[Segment, ...]
    confidence: float
    decoded: str
    repair: Repair | None = None
    alternatives: tuple[tuple[str, float], ...] = ()
    bom: bool = False

    @property
    def encodings(self) -> tuple[str, ...]:
        """Every encoding the segments use, most bytes first."""
        weight: dict[str, int] = {}
        for s in self.segments:
            if s.encoding is not None:
                weight[s.encoding] = weight.get(s.encoding, 0) + s.end - s.start
        return tuple(sorted(weight, key=lambda k: -weight[k]))

    @property
    def mixed(self) -> bool:
        return len(self.encodings) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "encoding": self.encoding,
            "confidence": round(self.confidence, 4),
            "bom": self.bom,
            "segments": [s.to_dict() for s in self.segments],
            "alternatives": [{"encoding": e, "confidence": round(p, 4)} for e, p in self.alternatives],
            "repair": self.repair.to_dict() if self.repair is not None else None,
            "text": self.text,
        }
