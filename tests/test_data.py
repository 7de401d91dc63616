"""The shipped tables are what their committed generators make.

Cheap checks run always: each data file's hash is the one its generator
recorded, each generator's own hash is the one recorded with its output, and
the detector's tables (derived from CPython's codecs and the shipped model in
a second) and the precompiled regular expressions (when they are this
interpreter's) are regenerated and compared byte for byte.  Rebuilding the
language model needs the ``build`` extra (wordfreq, OpenCC) and a minute:
``python -m pytest -m slow tests/test_data.py``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from encfix import _regex
from encfix._detect import build_tables
from encfix.model import build_data

MODEL_DATA = Path(build_data.__file__).resolve().parent / "data"
SUFFIX = {"meta": ".json", "unigram": ".bin"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _meta() -> dict[str, object]:
    meta: dict[str, object] = json.loads((MODEL_DATA / "meta.json").read_text("utf-8"))
    return meta


def test_model_files_match_their_recorded_hashes() -> None:
    files = _meta()["files"]
    assert isinstance(files, dict) and files
    for name, digest in files.items():
        assert _sha(MODEL_DATA / f"{name}{SUFFIX.get(name, '.lm')}") == digest, name


def test_model_was_built_by_the_committed_generator() -> None:
    assert _meta()["generator_sha256_16"] == build_data.script_hash(), (
        "encfix/model/build_data.py changed since the model was built: run python -m encfix.model.build_data"
    )


def test_detector_tables_are_current() -> None:
    shipped = build_tables.OUT.read_text("utf-8", errors="surrogatepass")
    data = json.loads(shipped)
    assert data["model"] == _meta()["files"], "tables were built from another model"
    assert shipped == build_tables.render(build_tables.build()), (
        "encfix/_detect/data/tables.json is stale: run python -m encfix._detect.build_tables"
    )


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("wordfreq") is None or importlib.util.find_spec("opencc") is None,
    reason="needs the build extra: pip install '.[build]'",
)
def test_model_rebuilds_identically() -> None:
    files = build_data.build_all()
    for name, data in files.items():
        assert hashlib.sha256(data).hexdigest() == _sha(MODEL_DATA / f"{name}{SUFFIX.get(name, '.lm')}"), name


def test_nfkc_folds_shipped_equal_computed() -> None:
    """The NFKC fold tables in tables.json are this Python's (or, under
    another Unicode version, computed at run time)."""
    from encfix._detect import _tables

    assert _tables.nfkc_folds() == _tables.compute_nfkc_folds()
    single, multi = _tables.nfkc_folds()
    assert "～" in single["~"] and "″" in multi["′′"] and "㈠" in multi["(一)"]


@pytest.mark.parametrize(
    "text",
    ["", "plain ASCII", "中文正常", "縺薙ｓ", "Ã©", "\ue000", "涓枃", "𠀋", "😀 emoji", "ÖÐÎÄ", "한국어"],
)
def test_has_seed_is_membership_in_the_seed_union(text: str) -> None:
    """has_seed (a translate table and a range search) agrees with plain
    membership in the union of every decoder's strong and weak seeds."""
    from encfix._detect import _tables

    def member(c: str) -> bool:
        return any(a <= ord(c) <= b for key in ("strong", "weak") for a, b in _tables._union(key))

    assert _tables.has_seed(text) == any(member(c) for c in text)


def _shipped_regex_tag() -> str:
    return str(json.loads((_regex.DATA / "compiled.json").read_text("utf-8"))["tag"])


@pytest.mark.skipif(
    _shipped_regex_tag() != _regex.TAG, reason="the compiled regular expressions are for another Python"
)
def test_compiled_regexes_are_current(tmp_path: Path) -> None:
    """The shipped regex code is what this interpreter compiles, for every
    pattern the library asks for (the build runs in a fresh interpreter: this
    one has seen the tests' patterns too)."""
    subprocess.run(
        [sys.executable, "-m", "encfix._regex.build", "--out", str(tmp_path)], check=True, capture_output=True
    )
    for name in ("compiled.json", "compiled.bin"):
        assert (tmp_path / name).read_bytes() == (_regex.DATA / name).read_bytes(), (
            f"encfix/_regex/data/{name} is stale: run python -m encfix._regex.build"
        )


@pytest.mark.skipif(
    _shipped_regex_tag() != _regex.TAG, reason="the compiled regular expressions are for another Python"
)
def test_stored_regexes_behave_as_compiled() -> None:
    """The patterns loaded from the table match as ``re.compile``'s own
    compilation of them does (flags, groups, and matches on probes)."""
    from encfix._regex import build

    build._import_all()
    build._workload()
    table = _regex._load()
    stored = [(p, f) for p, f in _regex.seen if _regex.key(p, f) in table]
    assert len(stored) == len(table)
    probes = ["ÖÐÎÄ 鏁版嵁瀵煎嚭鎴愬姛 縺薙ｓ縺ｫ縺｡縺ｯ", "plain text?", "中文?\ufffd 涓枃", "弊霸 扁夯捞促."]
    for p, f in stored:
        ours = _regex.compile(p, f)
        theirs = re.compile(p, f)
        assert (ours.flags, ours.groups, ours.groupindex) == (theirs.flags, theirs.groups, theirs.groupindex)
        for probe in probes:
            text = probe if isinstance(p, str) else probe.encode("utf-8")
            assert [m.span() for m in ours.finditer(text)] == [m.span() for m in theirs.finditer(text)]  # type: ignore[arg-type]


def test_damaged_regex_table_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Code that is not the code the table was written with (a truncated or
    replaced compiled.bin) is never run: patterns are compiled as usual."""
    for name in ("compiled.json", "compiled.bin"):
        (tmp_path / name).write_bytes((_regex.DATA / name).read_bytes())
    with (tmp_path / "compiled.bin").open("r+b") as f:
        f.truncate(1000)
    monkeypatch.setattr(_regex, "DATA", tmp_path)
    monkeypatch.setattr(_regex, "_table", None)
    assert _regex._load() == {}
    rx = _regex.compile("[\u3400-\u9fff]+")
    assert rx.findall("ab中文cd") == ["中文"]
