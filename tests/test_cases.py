"""The JSON cases of tests/data: mojibake that must be repaired, correct text
that must be left alone, and the known failures (strict xfail)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import Case, detect, load_cases, load_negative, main_fix, repair

import encfix

REPAIR_FILES = ("in_the_wild", "synthetic", "known_failures")


def _param(case: Case) -> object:
    marks = []
    if case.should_fail:
        marks.append(pytest.mark.xfail(strict=True, reason=case.comment or "known failure"))
    return pytest.param(case, id=case.label, marks=marks)


def _plain(case: Case) -> object:
    return pytest.param(case, id=case.label)


REPAIR_CASES = [c for name in REPAIR_FILES for c in load_cases(name)]
NEGATIVE_CASES = list(load_negative())


def _show(case: Case, got: str) -> str:
    return (
        f"\n  label:    {case.label}\n  comment:  {case.comment}\n  input:    {case.input!r}"
        f"\n  expected: {case.expected!r}\n  got:      {got!r}"
    )


# ------------------------------------------------------------------ repairs


@pytest.mark.parametrize("case", [_param(c) for c in REPAIR_CASES])
def test_repair(case: Case) -> None:
    """The mojibake comes out as the original text (and, where the case names
    it, the main fix names the damage the case was made with)."""
    rep = repair(case.input)
    assert rep.text == case.expected, _show(case, rep.text) + f"\n  fixes:    {[f.chain for f in rep.fixes]}"
    if case.chain is not None:
        fix = main_fix(rep)
        assert fix is not None, _show(case, rep.text)
        assert fix.chain == case.chain, f"{case.label}: main fix {fix.before!r} -> {fix.after!r}"


@pytest.mark.parametrize("case", [_plain(c) for c in REPAIR_CASES + NEGATIVE_CASES])
def test_plan_replays(case: Case) -> None:
    """``apply_plan(input, plan)`` reproduces the repair, from the Fix objects
    and from their JSON form -- whether or not the repair is right."""
    rep = repair(case.input)
    assert encfix.apply_plan(case.input, rep.plan) == rep.text
    as_json = json.loads(json.dumps([f.to_dict() for f in rep.plan], ensure_ascii=False))
    assert encfix.apply_plan(case.input, as_json) == rep.text
    assert encfix.apply_plan(case.input, rep.to_dict()["fixes"]) == rep.text


@pytest.mark.parametrize("case", [_plain(c) for c in REPAIR_CASES if c.input != c.expected])
def test_clean_original_unchanged(case: Case) -> None:
    """The undamaged original of every case is correct text: left alone."""
    rep = repair(case.expected)
    assert rep.text == case.expected, (
        f"\n  label:    {case.label}\n  clean:    {case.expected!r}\n  got:      {rep.text!r}"
        f"\n  fixes:    {[f.to_dict() for f in rep.fixes]}"
    )
    assert not rep.changed


# ------------------------------------------------------------------ correct text


@pytest.mark.parametrize("case", [_param(c) for c in NEGATIVE_CASES])
def test_negative_unchanged(case: Case) -> None:
    rep = repair(case.input)
    assert rep.text == case.input, _show(case, rep.text) + f"\n  fixes:    {[f.to_dict() for f in rep.fixes]}"
    assert not rep.changed
    assert rep.fixes == ()


@pytest.mark.parametrize("case", [_param(c) for c in NEGATIVE_CASES])
def test_negative_detect(case: Case) -> None:
    det = detect(case.input)
    if case.detect_kind is not None:
        assert det.kind == case.detect_kind, f"{case.input!r}: {det.to_dict()}"
    else:
        assert det.kind != "mojibake", f"{case.input!r}: {det.to_dict()}"


# ------------------------------------------------------------------ the files themselves


def test_case_files_are_sane() -> None:
    for c in REPAIR_CASES:
        assert c.input != c.expected or c.source == "known_failures", c.label
        assert c.label.isascii(), c.label
    labels = [c.label for c in REPAIR_CASES]
    assert len(set(labels)) == len(labels), "labels must be unique across the case files"
    for c in NEGATIVE_CASES:
        assert c.label.isascii(), c.label
        assert c.label not in set(labels), c.label
    assert len({c.label for c in NEGATIVE_CASES}) == len(NEGATIVE_CASES)
    counts = {name: len(load_cases(name)) for name in REPAIR_FILES}
    assert counts["in_the_wild"] >= 40, counts
    assert len(NEGATIVE_CASES) >= 300


def test_synthetic_is_up_to_date() -> None:
    """synthetic.json is exactly what make_synthetic.py generates."""
    data = Path(__file__).resolve().parent / "data"
    sys.path.insert(0, str(data))
    try:
        import make_synthetic
    finally:
        sys.path.remove(str(data))
    assert (data / "synthetic.json").read_text("utf-8") == make_synthetic.render(), (
        "run python tests/data/make_synthetic.py"
    )
