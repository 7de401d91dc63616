"""Whole corpus files, decoded with their declared codec, are clean text:
``repair`` must leave every one byte-identical -- markup, long lines and all.

The files are third-party test data in ``../shared/corpora`` (never used to
build anything); the test skips when they are absent."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import encfix

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


def _files() -> list[tuple[str, str]]:
    with open(CORPORA / "MANIFEST.tsv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if not r.get("dup_of")]
    return [(r["file"], r["codec"]) for r in rows]


@pytest.mark.shared
@pytest.mark.skipif(not (CORPORA / "MANIFEST.tsv").is_file(), reason="../shared/corpora is absent")
def test_whole_clean_files_unchanged() -> None:
    changed: list[tuple[str, list[tuple[str, str]]]] = []
    for name, codec in _files():
        text = (CORPORA / name).read_bytes().decode(codec)
        r = encfix.repair(text)
        if r.changed:
            changed.append((name, [(f.before, f.after) for f in r.fixes][:3]))
    assert not changed
