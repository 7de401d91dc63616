"""ftfy's own test cases (read from ../shared, never copied): encfix must
repair Latin-script mojibake at least as well as ``ftfy.fix_encoding``.

ftfy checks ``fix_encoding(original) == case.get("fixed-encoding", fixed)``;
the same expectation is applied to ``encfix.repair(original).text`` for every
case ftfy itself expects to pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import encfix

CASES_FILE = Path(__file__).resolve().parents[2] / "shared" / "external" / "ftfy-test-cases.json"

if not CASES_FILE.is_file():
    pytest.skip(f"{CASES_FILE} is absent", allow_module_level=True)

pytestmark = pytest.mark.shared

CASES = [c for c in json.loads(CASES_FILE.read_text("utf-8")) if c.get("expect") == "pass"]

#: cases encfix gets wrong today, by label, with the reason (strict xfail:
#: a fix makes the test fail until the entry is removed)
KNOWN_FAILURES: dict[str, str] = {}

#: cases where encfix gives a better answer than ftfy's own: label -> (what
#: encfix must give, why it is better)
IMPROVED = {
    "Lossy decoding can have plain ASCII question marks, as well": (
        "The ICR has been upgraded to “bb+” from “bb”",
        "each '?' replaced a byte Windows-1252 leaves undefined (0x9D of '”'); ftfy marks the loss with "
        "U+FFFD, encfix's lossy search restores the closing quotes the opening ones call for",
    ),
    "Messy language names: Slovak": (
        "Slovenčina",
        "Python's strict Windows-1252 made 0x8D of 'č' (C4 8D) a U+FFFD; ftfy keeps the loss marker, "
        "encfix reads the marker as one of the five undefined bytes and 'č' is the one that makes a word",
    ),
    "Messy language names: Hindi": (
        "हिन्दी",
        "the same loss (0x8D of the virama E0 A5 8D); of the five bytes it may have been, the virama "
        "is the one the model gives 0.8",
    ),
    "Synthetic: lossy decoding in sloppy-windows-1252": (
        "“lossy decoding”",
        "the same loss (0x9D of '”' E2 80 9D): the quotation mark the opening one calls for",
    ),
}


def _id(i: int, case: dict[str, str]) -> str:
    label = case.get("label") or f"case {i}"
    return f"{i:03d} {label}".encode("ascii", "backslashreplace").decode("ascii")


def _param(i: int, case: dict[str, str]) -> object:
    reason = KNOWN_FAILURES.get(case.get("label", ""))
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(case, id=_id(i, case), marks=marks)


@pytest.mark.parametrize("case", [_param(i, c) for i, c in enumerate(CASES)])
def test_ftfy_case(case: dict[str, str]) -> None:
    expected = case.get("fixed-encoding", case["fixed"])
    if case.get("label") in IMPROVED:
        expected = IMPROVED[case["label"]][0]
    got = encfix.repair(case["original"]).text
    assert got == expected, (
        f"\n  label:    {case.get('label')}\n  original: {case['original']!r}"
        f"\n  expected: {expected!r}\n  got:      {got!r}"
    )


def test_ftfy_cases_loaded() -> None:
    assert len(CASES) > 100
    labels = {c.get("label") for c in CASES}
    assert set(KNOWN_FAILURES) <= labels, "a known failure names no case"
    assert set(IMPROVED) <= labels, "an improved case names no case"
