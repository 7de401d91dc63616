"""Result types: frozen, JSON-ready with ``to_dict()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from encfix.codecs import describe_chain

__all__ = ["Alternative", "Detection", "Fix", "Loss", "Lost", "Repair"]


#: what each loss model leaves, for descriptions
_LOSS_WORDS = {
    "whatwg": "lost bytes became U+FFFD (browsers)",
    "cpython-replace": "lost bytes became U+FFFD (CPython)",
    "whatwg-question": "lost bytes became '?'",
    "windows-question": "lost bytes became '?' or '・' (Windows)",
    "pua-dropped": "private-use characters dropped",
    "slipped": "read one byte out of step",
    "sbcs-stripped": "invisible characters dropped",
    "sbcs-question": "undefined bytes became '?'",
    "sbcs-replace": "undefined bytes became U+FFFD (CPython)",
}


#: what each artifact fix does (``encfix.artifacts``)
_ARTIFACT_WORDS = {
    "pinyin": "pinyin annotation removed",
    "punct": "full-width punctuation restored (NFKC had folded it)",
    "entity": "character reference decoded",
}


@dataclass(frozen=True, slots=True)
class Loss:
    """How a lossy fix filled in what was lost (see ``encfix._repair._lossy``).

    ``data`` is the original byte stream the fix hypothesises: decoded with
    the fix's member it gives ``after`` (before placeholders), and pushed
    through the wrong decoder under loss model ``model`` (then NFKC, if
    ``nfkc``) it gives ``before``.  ``guessed`` are the positions in
    ``after`` of characters made of guessed bytes; ``uncertain`` those the
    model could not decide, each with its candidates and their
    probabilities: ``after`` holds ``placeholder`` there."""

    model: str
    data: bytes
    guessed: tuple[int, ...] = ()
    uncertain: tuple[tuple[int, tuple[tuple[str, float], ...]], ...] = ()
    placeholder: str = "\ufffd"
    slip: int = -1
    swallow: bool = False
    nfkc: bool = False

    @property
    def description(self) -> str:
        if self.nfkc and not self.guessed and self.slip < 0 and not self.swallow:
            return "then NFKC (no bytes lost)"  # a folded character was all it took
        words = _LOSS_WORDS.get(self.model, self.model)
        return words + (", then NFKC" if self.nfkc else "")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "model": self.model,
            "data": self.data.hex(),
            "guessed": list(self.guessed),
            "uncertain": [
                {"position": p, "candidates": [[c, round(q, 4)] for c, q in alts]}
                for p, alts in self.uncertain
            ],
            "placeholder": self.placeholder,
            "nfkc": self.nfkc,
        }
        if self.slip >= 0:
            d["slip"] = self.slip
        if self.swallow:
            d["swallow"] = True
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Loss:
        return cls(
            model=str(d["model"]),
            data=bytes.fromhex(str(d["data"])),
            guessed=tuple(int(p) for p in d.get("guessed", ())),
            uncertain=tuple(
                (int(u["position"]), tuple((str(c), float(q)) for c, q in u["candidates"]))
                for u in d.get("uncertain", ())
            ),
            placeholder=str(d.get("placeholder", "\ufffd")),
            slip=int(d.get("slip", -1)),
            swallow=bool(d.get("swallow", False)),
            nfkc=bool(d.get("nfkc", False)),
        )


@dataclass(frozen=True, slots=True)
class Fix:
    """One repaired span, and everything needed to replay it.

    ``start``/``end`` index the *input* text; ``chain`` names the damage
    innermost first (``("utf-8", "gbk")``: UTF-8 bytes decoded as GBK);
    ``members`` the exact codec used to decode each original encoding (a
    family such as Shift_JIS has members that differ in a few cells);
    ``decoder`` the decoder model of the outermost mis-decoding.
    """

    start: int
    end: int
    before: str
    after: str
    chain: tuple[str, ...]
    decoder: str
    confidence: float
    kind: str = "mojibake"
    members: tuple[str, ...] = ()
    #: ftfy's own replayable steps, for fixes made by ftfy's heuristics
    steps: tuple[tuple[str, str], ...] = ()
    #: for a ``"composite"`` fix: the passes that made it, in order, each a
    #: tuple of fixes indexed in the text the pass was given (the first pass
    #: in ``before``); replaying them in turn turns ``before`` into ``after``
    passes: tuple[tuple[Fix, ...], ...] = ()
    #: for a ``"lossy"`` fix: what was lost and how it was filled in
    loss: Loss | None = None

    @property
    def description(self) -> str:
        if self.kind == "ftfy" and not self.chain:
            return "Latin-script repair by ftfy: " + ", ".join(f"{a} {b}" for a, b in self.steps)
        if self.kind in _ARTIFACT_WORDS:
            return _ARTIFACT_WORDS[self.kind]
        if self.kind == "lossy" and self.loss is not None:
            return f"{describe_chain(self.chain)}, {self.loss.description}"
        if self.kind == "composite":
            steps = (f"{f.description} (pass {i})" for i, p in enumerate(self.passes, 1) for f in p)
            return "; then ".join(steps)
        return describe_chain(self.chain)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "before": self.before,
            "after": self.after,
            "kind": self.kind,
            "chain": list(self.chain),
            "description": self.description,
            "decoder": self.decoder,
            "confidence": round(self.confidence, 4),
        }
        if self.members:
            d["members"] = list(self.members)
        if self.steps:
            d["steps"] = [list(s) for s in self.steps]
        if self.passes:
            d["passes"] = [[f.to_dict() for f in p] for p in self.passes]
        if self.loss is not None:
            d["loss"] = self.loss.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fix:
        return cls(
            start=int(d["start"]),
            end=int(d["end"]),
            before=str(d["before"]),
            after=str(d["after"]),
            chain=tuple(d.get("chain", ())),
            decoder=str(d.get("decoder", "")),
            confidence=float(d.get("confidence", 0.0)),
            kind=str(d.get("kind", "mojibake")),
            members=tuple(d.get("members", ())),
            steps=tuple((str(a), str(b)) for a, b in d.get("steps", ())),
            passes=tuple(tuple(cls.from_dict(dict(f)) for f in p) for p in d.get("passes", ())),
            loss=Loss.from_dict(dict(d["loss"])) if d.get("loss") else None,
        )


@dataclass(frozen=True, slots=True)
class Lost:
    """A span of the input whose original is gone, left as it was.

    ``reason`` says why: a sentinel (``锟斤拷``: U+FFFD already encoded and
    misread upstream), a run of U+FFFD where every byte was replaced, loss
    markers no reading explains, or a search stopped by its time bound."""

    start: int
    end: int
    text: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Repair:
    """What :func:`encfix._repair` did to one text."""

    text: str
    fixes: tuple[Fix, ...]
    confidence: float
    #: damage seen but left alone, one sentence each
    notes: tuple[str, ...] = ()
    #: spans whose original is lost upstream (see :class:`Lost`)
    unrecoverable: tuple[Lost, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.fixes)

    @property
    def plan(self) -> tuple[Fix, ...]:
        """The replayable plan: ``encfix.apply_plan(input, plan) == text``."""
        return self.fixes

    def to_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "confidence": round(self.confidence, 4),
            "fixes": [f.to_dict() for f in self.fixes],
            "notes": list(self.notes),
            "unrecoverable": [u.to_dict() for u in self.unrecoverable],
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Alternative:
    chain: tuple[str, ...]
    confidence: float
    decoder: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "chain": list(self.chain),
            "description": describe_chain(self.chain) if self.chain else "",
            "decoder": self.decoder,
            "confidence": round(self.confidence, 4),
        }


@dataclass(frozen=True, slots=True)
class Detection:
    """What :func:`encfix._detect` concluded.

    ``kind`` is ``"clean"``, ``"mojibake"`` or ``"sentinel"`` for text, and
    ``"encoding"`` for bytes (then ``encoding`` names it).
    """

    kind: str
    confidence: float
    chain: tuple[str, ...] = ()
    decoder: str = ""
    encoding: str | None = None
    alternatives: tuple[Alternative, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    language: str | None = None
    sentinels: tuple[str, ...] = field(default=())
    #: bytes: (start, end, encoding, confidence) per segment of the input
    #: bytes (see :class:`encfix.Segment`; several encodings: mixed input)
    segments: tuple[tuple[int, int, str | None, float], ...] = ()

    @property
    def description(self) -> str:
        if self.kind == "encoding":
            used = list(dict.fromkeys(s[2] for s in self.segments if s[2] is not None))
            if len(used) > 1:
                others = ", ".join(e for e in used if e != self.encoding)
                return f"bytes in {self.encoding}, mixed with {others}"
            return f"bytes in {self.encoding}"
        if self.kind == "clean":
            return "clean: no mojibake found"
        if self.kind == "sentinel":
            return "sentinel of data lost upstream: " + ", ".join(self.sentinels)
        return describe_chain(self.chain)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "description": self.description,
            "confidence": round(self.confidence, 4),
        }
        if self.kind == "encoding":
            d["encoding"] = self.encoding
            d["language"] = self.language
            if self.segments:
                d["segments"] = [
                    {"start": a, "end": b, "encoding": e, "confidence": round(c, 4)}
                    for a, b, e, c in self.segments
                ]
        else:
            d["chain"] = list(self.chain)
            d["decoder"] = self.decoder
            d["spans"] = [list(s) for s in self.spans]
            if self.sentinels:
                d["sentinels"] = list(self.sentinels)
        d["alternatives"] = [a.to_dict() for a in self.alternatives]
        return d
