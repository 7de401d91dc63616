"""The Ray Data adapter and the datatrove step give the same output as ``encfix bulk``.

Ray and datatrove run in subprocesses with a hard timeout (a stuck Ray runtime
must not hang the suite); each test skips when its package is absent.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_bulk import jsonl, make_records, read_jsonl, report_lines, write

from encfix.bulk import BulkConfig, run

HAS_RAY = importlib.util.find_spec("ray") is not None
HAS_DATATROVE = importlib.util.find_spec("datatrove") is not None
HAS_PYARROW = importlib.util.find_spec("pyarrow") is not None


def _records() -> list[dict[str, Any]]:
    recs = make_records(60, seed=31, damaged=0.3)
    flat = [{"id": r["id"], "text": r["text"], "n": r["meta"]["n"]} for r in recs]
    flat[5]["text"] = None  # bad input: left unchanged, reported
    return flat


def _cli(tmp_path: Path, recs: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``encfix bulk``'s output and report, by record id."""
    write(tmp_path / "cli-in" / "x.jsonl", jsonl(recs))
    out = tmp_path / "cli-out"
    run(BulkConfig(sources=(str(tmp_path / "cli-in"),), out=str(out), workers=1, quiet=True))
    texts = {r["id"]: r["text"] for r in read_jsonl(out / "x.jsonl")}
    reports = {x["id"]: x for x in report_lines(out)}
    return texts, reports


def _python(script: str, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        p = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(script), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"timed out after {timeout} s:\n{e.stderr!r}") from e
    assert p.returncode == 0, p.stderr[-3000:]
    return p


# --------------------------------------------------------------------------- Ray

_RAY_SCRIPT = """
    import json, sys
    import ray
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    from encfix.bulk.ray import repair_dataset
    recs = json.load(open(sys.argv[1], encoding="utf-8"))
    ds = ray.data.from_items(recs)
    rows = repair_dataset(ds, columns=["text"], batch_size=16).take_all()
    json.dump(rows, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
    ray.shutdown()
"""


@pytest.mark.slow
@pytest.mark.skipif(not HAS_RAY, reason="needs ray: pip install 'encfix[ray]'")
def test_ray_dataset_equals_the_cli(tmp_path: Path) -> None:
    recs = _records()
    texts, reports = _cli(tmp_path, recs)
    (tmp_path / "in.json").write_text(json.dumps(recs, ensure_ascii=False), "utf-8")
    _python(_RAY_SCRIPT, str(tmp_path / "in.json"), str(tmp_path / "out.json"), timeout=400)
    rows = json.loads((tmp_path / "out.json").read_text("utf-8"))
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in recs)
    changed = 0
    for row in rows:
        assert row["text"] == texts[row["id"]]
        cli = reports.get(row["id"])
        assert row["encfix_changed"] == bool(cli and cli["changed"])
        if row["encfix_report"] is None:
            assert cli is None
        else:
            doc = json.loads(row["encfix_report"])
            assert cli is not None
            assert doc.get("fields") == cli.get("fields") and doc.get("bad") == cli.get("bad")
        changed += row["encfix_changed"]
        assert row["encfix_fixes"] == len(cli["fields"]["text"]["fixes"]) if cli and cli["changed"] else True
    assert changed > 5


@pytest.mark.skipif(not HAS_PYARROW, reason="needs pyarrow")
def test_repair_batch_without_ray(tmp_path: Path) -> None:
    """The batch function on a plain Arrow table (what each Ray task runs)."""
    import pyarrow as pa

    from encfix.bulk.ray import REPORT_COLUMNS, repair_batch

    recs = _records()
    texts, reports = _cli(tmp_path, recs)
    table = pa.Table.from_pylist(recs)
    out = repair_batch(table, columns=["text"])
    assert out.column_names == ["id", "text", "n", *REPORT_COLUMNS]
    rows = out.to_pylist()
    assert [r["text"] for r in rows] == [texts[r["id"]] for r in recs]
    assert [r["n"] for r in rows] == [r["n"] for r in recs]
    assert json.loads(rows[5]["encfix_report"])["bad"] == "missing-field" == reports[recs[5]["id"]]["bad"]
    assert repair_batch(table, report=False).column_names == ["id", "text", "n"]


# --------------------------------------------------------------------------- datatrove

_DATATROVE_SCRIPT = """
    import sys
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from encfix.bulk.datatrove import EncfixFormatter

    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(sys.argv[1]),
            EncfixFormatter(report=True),
            JsonlWriter(sys.argv[2], compression=None),
        ],
        tasks=1,
        workers=1,
        logging_dir=sys.argv[3],
    ).run()
"""


@pytest.mark.skipif(not HAS_DATATROVE, reason="needs datatrove: pip install 'encfix[datatrove]'")
def test_datatrove_pipeline_equals_the_cli(tmp_path: Path) -> None:
    recs = [r for r in _records() if r["text"] is not None]
    texts, reports = _cli(tmp_path, recs)
    write(tmp_path / "dt-in" / "x.jsonl", jsonl(recs))
    out = tmp_path / "dt-out"
    _python(_DATATROVE_SCRIPT, str(tmp_path / "dt-in"), str(out), str(tmp_path / "logs"), timeout=300)
    docs = [d for p in sorted(out.glob("*.jsonl")) for d in read_jsonl(p)]
    assert len(docs) == len(recs)
    changed = 0
    for d in docs:
        assert d["text"] == texts[d["id"]]
        meta = d["metadata"].get("encfix")
        cli = reports.get(d["id"])
        if cli is not None and cli["changed"]:
            changed += 1
            assert meta is not None and meta["fields"] == cli["fields"]
    assert changed > 5


@pytest.mark.skipif(not HAS_DATATROVE, reason="needs datatrove: pip install 'encfix[datatrove]'")
def test_datatrove_formatter_in_process() -> None:
    import warnings

    with warnings.catch_warnings():  # datatrove's own imports may warn; not ours to judge
        warnings.simplefilter("ignore")
        from datatrove.data import Document

        from encfix.bulk.datatrove import EncfixFormatter

    import encfix

    step = EncfixFormatter(min_confidence=0.9)
    assert step.format("鏁版嵁瀵煎嚭鎴愬姛") == "数据导出成功"
    docs = [Document(text=t, id=str(i)) for i, t in enumerate(["ÖÐÎÄ", "这是正确的中文，没有问题。", "café"])]
    got = [d.text for d in step.run(iter(docs))]
    assert got == [
        encfix.repair(t, min_confidence=0.9).text for t in ["ÖÐÎÄ", "这是正确的中文，没有问题。", "café"]
    ]
    assert got[1] == "这是正确的中文，没有问题。"  # CJK punctuation kept (ftfy's fix_text folds it)
