"""Load the JSON case files of ``tests/data`` and run encfix on them (cached).

Files and their shapes (every file is a JSON object; keys starting with ``_``
are comments):

``in_the_wild.json``, ``synthetic.json``, ``known_failures.json``
    ``{"cases": [{"label", "comment", "input", "expected", "chain"?, "expect"?}]}``
    -- ``chain`` is the expected chain of the main fix (the fix that covers
    the most characters), innermost first; ``expect`` is ``"pass"`` (default)
    or ``"fail"``.  Every case of ``known_failures.json`` is an expected
    failure, whatever its ``expect`` says.

``negative.json``
    ``{"groups": [{"group", "comment", "segments": [...]}]}`` -- a segment is
    a string (correct text that must come out byte-identical), or an object
    ``{"text", "comment"?, "expect"?, "detect_kind"?}``; ``detect_kind`` names
    the kind ``encfix.detect`` must report (by default: anything but
    ``"mojibake"``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import encfix

DATA = Path(__file__).resolve().parent / "data"

__all__ = ["DATA", "Case", "detect", "load_cases", "load_negative", "load_sentences", "main_fix", "repair"]


@dataclass(frozen=True)
class Case:
    source: str
    label: str
    comment: str
    input: str
    expected: str
    chain: tuple[str, ...] | None = None
    expect: str = "pass"
    detect_kind: str | None = None

    @property
    def id(self) -> str:
        return f"{self.source}:{self.label}"

    @property
    def should_fail(self) -> bool:
        return self.expect == "fail" or self.source == "known_failures"


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text("utf-8"))
    return data


def _check_expect(value: str, where: str) -> str:
    if value not in ("pass", "fail"):
        raise ValueError(f"{where}: expect must be 'pass' or 'fail', not {value!r}")
    return value


@cache
def load_cases(name: str) -> tuple[Case, ...]:
    """Cases of ``in_the_wild``, ``synthetic`` or ``known_failures``."""
    raw = _read(f"{name}.json")["cases"]
    out: list[Case] = []
    seen: set[str] = set()
    for i, c in enumerate(raw):
        label = c["label"]
        if label in seen:
            raise ValueError(f"{name}.json: duplicate label {label!r}")
        seen.add(label)
        chain = c.get("chain")
        out.append(
            Case(
                source=name,
                label=label,
                comment=c.get("comment", ""),
                input=c["input"],
                expected=c["expected"],
                chain=tuple(chain) if chain else None,
                expect=_check_expect(c.get("expect", "pass"), f"{name}.json case {i}"),
                detect_kind=c.get("detect_kind"),
            )
        )
    return tuple(out)


@cache
def load_negative() -> tuple[Case, ...]:
    """Correct text segments of ``negative.json`` (``input == expected``)."""
    out: list[Case] = []
    seen: set[str] = set()
    for g in _read("negative.json")["groups"]:
        group = g["group"]
        for i, seg in enumerate(g["segments"], 1):
            if isinstance(seg, str):
                seg = {"text": seg}
            label = f"{group} {i}"
            if label in seen:
                raise ValueError(f"negative.json: duplicate label {label!r}")
            seen.add(label)
            out.append(
                Case(
                    source="negative",
                    label=label,
                    comment=seg.get("comment", g.get("comment", "")),
                    input=seg["text"],
                    expected=seg["text"],
                    expect=_check_expect(seg.get("expect", "pass"), f"negative.json {label}"),
                    detect_kind=seg.get("detect_kind"),
                )
            )
    return tuple(out)


@cache
def load_sentences() -> dict[str, tuple[str, ...]]:
    """Language tag -> the clean sentences of ``sentences.json``."""
    return {k: tuple(v) for k, v in _read("sentences.json").items() if not k.startswith("_")}


@lru_cache(maxsize=4096)
def repair(text: str) -> encfix.Repair:
    """``encfix.repair`` with default options, computed once per text."""
    return encfix.repair(text)


@lru_cache(maxsize=4096)
def detect(text: str) -> encfix.Detection:
    return encfix.detect(text)


def main_fix(rep: encfix.Repair) -> encfix.Fix | None:
    """The fix that covers the most characters of the input (first on ties)."""
    best = None
    for f in rep.fixes:
        if best is None or f.end - f.start > best.end - best.start:
            best = f
    return best
