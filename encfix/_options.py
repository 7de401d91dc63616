"""The one frozen options object every entry point takes."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

__all__ = ["DEFAULT_MIN_CONFIDENCE", "Options"]

#: a fix is applied only when the model is at least this sure of it
DEFAULT_MIN_CONFIDENCE = 0.6


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """How :func:`encfix._repair` behaves.  All fields are keyword-only.

    ``min_confidence``
        apply a fix only if its confidence reaches this (0-1).
    ``max_rounds``
        deepest stack of mis-decodings to undo (1-3).
    ``latin``
        also repair Latin-script mojibake with ftfy's heuristics (ftfy's
        ``fix_encoding`` steps only -- never its width folding, quote
        uncurling or NFKC).
    ``lossy``
        also repair mojibake that lost bytes on the way (``U+FFFD``, ``?``,
        dropped characters, streams read out of step), filling the lost
        bytes in with the language model.
    ``placeholder``
        what a lossy repair leaves where the model cannot tell which
        character was lost (one character).
    ``guess_confidence``
        a guessed character is written only if the model gives it at least
        this probability; otherwise ``placeholder`` is (0-1).
    ``pinyin``
        remove pinyin a converter put in parentheses after Han characters
        (``協(xié)``), where the document is annotated throughout.
    ``restore_punct``
        give back the full-width punctuation NFKC folded (``,`` -> ``，``)
        between CJK characters.
    ``html``
        the text is HTML: leave character references (``&#x4E2D;``,
        ``&rdquo;``) alone.  ``None``: decide from the text (tags).
    """

    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    max_rounds: int = 3
    latin: bool = True
    lossy: bool = True
    placeholder: str = "\ufffd"
    guess_confidence: float = 0.5
    pinyin: bool = True
    restore_punct: bool = False
    html: bool | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be between 0 and 1, not {self.min_confidence!r}")
        if not 1 <= self.max_rounds <= 3:
            raise ValueError(f"max_rounds must be 1, 2 or 3, not {self.max_rounds!r}")
        if len(self.placeholder) != 1:
            raise ValueError(f"placeholder must be one character, not {self.placeholder!r}")
        if not 0.0 <= self.guess_confidence <= 1.0:
            raise ValueError(f"guess_confidence must be between 0 and 1, not {self.guess_confidence!r}")

    @classmethod
    def build(cls, options: Options | None, overrides: dict[str, Any]) -> Options:
        base = options if options is not None else _DEFAULT
        if not overrides:
            return base
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise TypeError(f"unknown option(s): {', '.join(unknown)}")
        return replace(base, **overrides)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_DEFAULT = Options()
