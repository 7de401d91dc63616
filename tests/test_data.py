"""The shipped tables are what their committed generators make.

Cheap checks run always: each data file's hash is the one its generator
recorded, each generator's own hash is the one recorded with its output, and
the detector's tables (derived from CPython's codecs and the shipped model in
a second) are regenerated and compared byte for byte.  Rebuilding the
language model needs the ``build`` extra (wordfreq, OpenCC) and a minute:
``python -m pytest -m slow tests/test_data.py``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import pytest

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
