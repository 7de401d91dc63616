"""encfix: repair mojibake, above all in Chinese, Japanese and Korean text."""

from __future__ import annotations

from typing import Any

from encfix._decoded import Decoded, Segment
from encfix._options import Options
from encfix._types import Alternative, Detection, Fix, Loss, Lost, Repair

__all__ = [
    "Alternative",
    "Decoded",
    "Detection",
    "Fix",
    "Loss",
    "Lost",
    "Options",
    "Repair",
    "Segment",
    "apply_plan",
    "decode",
    "detect",
    "repair",
]
__version__ = "0.1.0"


def repair(text: str, *, options: Options | None = None, **kwargs: Any) -> Repair:
    """Repair mojibake in ``text``, span by span; correct text is left byte-identical.

    Options are keyword-only: pass ``options=Options(...)``, or any
    :class:`Options` field directly (``repair(text, min_confidence=0.9)``).
    """
    from encfix._repair import repair_text

    if not isinstance(text, str):
        raise TypeError(f"repair() takes str, not {type(text).__name__}")
    return repair_text(text, Options.build(options, kwargs))


def apply_plan(text: str, plan: Any) -> str:
    """Replay a repair plan (``Repair.plan`` or its JSON form) on ``text``."""
    from encfix._repair._plan import apply_plan as _apply

    return _apply(text, plan)


def detect(data: str | bytes, *, options: Options | None = None, **kwargs: Any) -> Detection:
    """Name the damage in text, or the encoding of bytes."""
    from encfix._detect import detect as _detect

    return _detect(data, Options.build(options, kwargs))


def decode(
    data: bytes,
    *,
    encoding: str | None = None,
    repair: bool = True,
    options: Options | None = None,
    **kwargs: Any,
) -> Decoded:
    """Decode bytes of unknown or mixed encoding, segment by segment, then repair the text.

    ``encoding`` forces a codec (decoded strictly); ``repair=False`` skips the
    :func:`repair` on top.  Other keywords are :class:`Options` fields, as
    for :func:`repair`.  See :class:`Decoded`.
    """
    from encfix._decode import decode as _decode

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"decode() takes bytes, not {type(data).__name__}")
    return _decode(bytes(data), Options.build(options, kwargs), encoding=encoding, repair=repair)
