"""``encfix bulk``: same output as ``encfix.repair`` record for record, nothing lost,
bad input reported and passed through, nothing written outside ``--out``,
resumable after SIGKILL, the same with one worker or two.

The corpus is made here, deterministically, from ``tests/data/sentences.json``
and the tests' own garbling (``tests/_garble.py``).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import load_sentences
from _garble import CHAINS_LEGACY, CHAINS_UTF8, garble_some, languages_for

import encfix
from encfix import cli
from encfix.bulk import BulkConfig, run
from encfix.bulk._config import REPORT_DIRNAME
from encfix.bulk._records import Job, repair_jsonl_line
from encfix.bulk._stats import Stats

SENTENCES = load_sentences()
CJK = ("zh-Hans", "zh-Hant", "ja-kana", "ja-kanji", "ko")
CHAINS = tuple(c for c in CHAINS_UTF8 + CHAINS_LEGACY if c[1] not in ("cp1250", "cp1251"))
HAS_ZSTD = importlib.util.find_spec("zstandard") is not None
HAS_PYARROW = importlib.util.find_spec("pyarrow") is not None

runner = CliRunner()


# --------------------------------------------------------------------------- a corpus


def make_records(n: int, seed: int = 0, damaged: float = 0.2) -> list[dict[str, Any]]:
    """Mostly clean CJK records with a share of damaged ones, and fields around the text."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lang = rng.choice(CJK)
        text = "".join(rng.sample(SENTENCES[lang], 2))
        title = rng.choice(SENTENCES[lang])
        if rng.random() < damaged:
            chain = rng.choice([c for c in CHAINS if languages_for(c, [lang])])
            pair = garble_some(text, chain)
            if pair is not None:
                text = pair[1]
        out.append(
            {
                "id": f"doc-{seed}-{i}",
                "url": f"https://example.com/{lang}/{i}?q=\u4e2d",
                "text": text,
                "meta": {"lang": lang, "title": title, "score": rng.random(), "n": i, "ok": True, "x": None},
                "tags": ["a", "é", 3.5e-7],
            }
        )
    return out


def jsonl(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.name.endswith(".zst"):
        import zstandard

        data = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True).read()
    return [json.loads(line) for line in data.split(b"\n") if line.strip()]


def tree(root: Path) -> dict[str, bytes]:
    """Every output file (the report directory aside), by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and REPORT_DIRNAME not in p.relative_to(root).parts
    }


def report_lines(out: Path) -> list[dict[str, Any]]:
    data = (out / REPORT_DIRNAME / "records.jsonl").read_bytes()
    lines = [json.loads(x) for x in data.split(b"\n") if x]
    assert len(lines) == len(data.decode("utf-8").splitlines())  # no stray line breaks
    return lines


def summary(out: Path) -> dict[str, Any]:
    s: dict[str, Any] = json.loads((out / REPORT_DIRNAME / "summary.json").read_text("utf-8"))
    return s


def bulk(*args: str) -> Any:
    return runner.invoke(cli.app, ["bulk", *args])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("corpus")
    write(src / "a.jsonl", jsonl(make_records(120, seed=1)))
    write(src / "nested" / "b.jsonl.gz", gzip.compress(jsonl(make_records(80, seed=2))))
    if HAS_ZSTD:
        import zstandard

        write(
            src / "nested" / "c.jsonl.zst",
            zstandard.ZstdCompressor().compress(jsonl(make_records(40, seed=3))),
        )
    write(src / "pages" / "p1.txt", "鏁版嵁瀵煎嚭鎴愬姛\n这是正确的中文，没有问题。\n")
    write(src / "pages" / "p2.html", "<p>ÖÐÎÄ</p>\n")
    write(src / "pages" / "clean.txt", "这是正确的中文。\n")
    write(src / "ignored.csv", "not an input\n")
    return src


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One uninterrupted run with one worker."""
    out = tmp_path_factory.mktemp("ref") / "out"
    result = run(BulkConfig(sources=(str(corpus),), out=str(out), workers=1, chunk_records=25))
    assert result.exit_code == 0, result.summary
    return out


# --------------------------------------------------------------------------- same output as encfix.repair


def test_same_output_as_repair_record_for_record(corpus: Path, reference: Path) -> None:
    names = ["a.jsonl", "nested/b.jsonl.gz"] + (["nested/c.jsonl.zst"] if HAS_ZSTD else [])
    changed = 0
    for name in names:
        before, after = read_jsonl(corpus / name), read_jsonl(reference / name)
        assert len(before) == len(after)
        for b, a in zip(before, after, strict=True):
            expected = encfix.repair(b["text"]).text
            assert a["text"] == expected
            changed += a["text"] != b["text"]
            # every other field identical, in the same order, after a JSON round trip
            assert list(a) == list(b)
            for k in b:
                if k != "text":
                    assert json.dumps(a[k], ensure_ascii=False) == json.dumps(b[k], ensure_ascii=False)
    assert changed > 20
    for name in ("pages/p1.txt", "pages/p2.html", "pages/clean.txt"):
        text = (corpus / name).read_text("utf-8")
        assert (reference / name).read_text("utf-8") == encfix.repair(text).text
    assert (reference / "pages/clean.txt").read_bytes() == (corpus / "pages/clean.txt").read_bytes()
    assert not (reference / "ignored.csv").exists()


def test_unchanged_lines_are_byte_identical(corpus: Path, reference: Path) -> None:
    before = (corpus / "a.jsonl").read_bytes().splitlines()
    after = (reference / "a.jsonl").read_bytes().splitlines()
    for b, a in zip(before, after, strict=True):
        if json.loads(b)["text"] == json.loads(a)["text"]:
            assert a == b


def test_repair_options_are_those_of_encfix_fix(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = bulk(
        str(corpus / "a.jsonl"),
        "--out",
        str(out),
        "-j",
        "1",
        "--min-confidence",
        "0.9999",
        "--no-latin",
        "-q",
    )
    assert r.exit_code == 0, r.output
    options = encfix.Options(min_confidence=0.9999, latin=False)
    for b, a in zip(read_jsonl(corpus / "a.jsonl"), read_jsonl(out / "a.jsonl"), strict=True):
        assert a["text"] == encfix.repair(b["text"], options=options).text
    assert summary(out)["settings"]["options"]["min_confidence"] == 0.9999


def test_fields_dotted_and_several(tmp_path: Path) -> None:
    recs = [
        {"text": "鏁版嵁瀵煎嚭鎴愬姛", "meta": {"title": "ÖÐÎÄ", "n": 1}},
        {"text": "中文", "meta": {"title": "中文"}},
    ]
    write(tmp_path / "in" / "x.jsonl", jsonl(recs))
    r = bulk(
        str(tmp_path / "in"),
        "--out",
        str(tmp_path / "out"),
        "-j",
        "1",
        "--field",
        "text",
        "--field",
        "meta.title",
    )
    assert r.exit_code == 0, r.output
    got = read_jsonl(tmp_path / "out" / "x.jsonl")
    assert got[0] == {"text": "数据导出成功", "meta": {"title": "中文", "n": 1}}
    assert got[1] == recs[1]


def test_json_style_is_kept(tmp_path: Path) -> None:
    job = Job(options=encfix.Options())
    compact = b'{"a":1,"text":"\\u93c1\\u7248\\u5d41\\u7035\\u714e\\u56ad\\u93b4\\u612c\\u59db"}\r\n'
    out, bad, entry = repair_jsonl_line(compact, job, Stats(), source="s", line_no=1)
    assert not bad and entry is not None
    assert out == b'{"a":1,"text":"\\u6570\\u636e\\u5bfc\\u51fa\\u6210\\u529f"}\r\n'
    spaced = '{"text": "鏁版嵁瀵煎嚭鎴愬姛", "b": [1, 2]}\n'.encode()
    out, _, _ = repair_jsonl_line(spaced, job, Stats(), source="s", line_no=1)
    assert out == '{"text": "数据导出成功", "b": [1, 2]}\n'.encode()
    bom = "\ufeff" + '{"text":"ÖÐÎÄ"}'
    out, bad, _ = repair_jsonl_line(bom.encode(), job, Stats(), source="s", line_no=1)
    assert not bad and out == ("\ufeff" + '{"text":"中文"}').encode()


# --------------------------------------------------------------------------- reports


def test_reports(reference: Path, corpus: Path) -> None:
    s = summary(reference)
    n_in = sum(len(read_jsonl(corpus / p)) for p in ("a.jsonl", "nested/b.jsonl.gz")) + 3
    n_in += 40 if HAS_ZSTD else 0
    assert s["records"] == n_in
    assert s["records_out"] + s["quarantined"] == s["records"]
    assert s["changed"] > 20 and s["fixes"] >= s["changed"]
    assert sum(s["per_chain"].values()) == s["fixes"] == sum(s["confidence_histogram"].values())
    assert s["bad"] == 0 and s["exit_status"] == 0 and not s["bad_files"]
    assert s["mb_per_s"] >= 0 and s["elapsed_s"] > 0
    lines = report_lines(reference)
    assert sum(1 for x in lines if x["changed"]) == s["changed"]
    first = next(x for x in lines if x["changed"])
    assert {"source", "record", "line", "id", "changed", "fields"} <= set(first)
    fix = first["fields"]["text"]["fixes"][0]
    assert {"chain", "decoder", "confidence", "before", "after"} <= set(fix)
    page = (reference / REPORT_DIRNAME / "report.html").read_text("utf-8")
    assert page.count("<svg") >= 2 and "<script" not in page and "http" not in page.split("<body>")[0]
    assert "<del>" in page and "<ins>" in page


def test_summary_is_printed_short(corpus: Path, tmp_path: Path) -> None:
    r = bulk(str(corpus / "pages"), "--out", str(tmp_path / "out"), "-j", "1")
    assert r.exit_code == 0
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert 3 <= len(lines) <= 6 and lines[0].startswith("encfix: 3 records in 3 files: 2 repaired")
    assert "MB/s" in r.stderr and "records/s" in r.stderr and "report.html" in r.stderr


def test_report_all_lists_every_record(tmp_path: Path) -> None:
    write(tmp_path / "in" / "x.jsonl", jsonl(make_records(30, seed=9, damaged=0.0)))
    out = tmp_path / "out"
    assert bulk(str(tmp_path / "in"), "--out", str(out), "-j", "1", "--report-all", "-q").exit_code == 0
    assert len(report_lines(out)) == 30


# --------------------------------------------------------------------------- bad input


def bad_corpus(root: Path) -> Path:
    src = root / "bad"
    recs = make_records(12, seed=5, damaged=0.5)
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in recs]
    lines[2] = b'{"id": "x", "text": "broken'  # invalid JSON
    lines[4] = b'{"id": "m", "body": "no text field"}'  # missing field
    lines[6] = b'{"id": "n", "text": 42}'  # not a string
    lines[8] = '{"id": "g", "text": "中文"}'.encode("gbk")  # not UTF-8
    lines[9] = b'{"id": "big", "text": "' + b"a" * 3000 + b'"}'  # over --max-record-bytes
    lines[10] = b'"just a string"'  # not an object
    write(src / "mixed.jsonl", b"\n".join(lines) + b"\n")
    good = gzip.compress(jsonl(make_records(50, seed=6)))
    write(src / "truncated.jsonl.gz", good[: len(good) // 2])
    write(src / "corrupt.jsonl.gz", b"\x1f\x8b\x08\x00garbage garbage")
    write(src / "legacy.txt", "中文文本".encode("gbk"))
    if HAS_ZSTD:
        import zstandard

        z = zstandard.ZstdCompressor().compress(jsonl(make_records(50, seed=7)))
        write(src / "truncated.jsonl.zst", z[: len(z) // 2])
    return src


def test_bad_input_is_counted_reported_and_passed_through(tmp_path: Path) -> None:
    src = bad_corpus(tmp_path)
    out = tmp_path / "out"
    r = bulk(str(src), "--out", str(out), "-j", "1", "--max-record-bytes", "2K")
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    s = summary(out)
    assert s["bad_reasons"] == {
        "invalid-json": 1,
        "missing-field": 1,
        "not-a-string": 1,
        "not-utf8": 2,
        "too-large": 1,
        "not-an-object": 1,
    }
    bad_files = {Path(b["source"]).name: b["bad"] for b in s["bad_files"]}
    expected = {"truncated.jsonl.gz": "truncated", "corrupt.jsonl.gz": "corrupt"}
    if HAS_ZSTD:
        expected["truncated.jsonl.zst"] = "truncated"
    assert bad_files == expected
    # passed through unchanged: every line is there, bad ones byte for byte
    before = (src / "mixed.jsonl").read_bytes().splitlines()
    after = (out / "mixed.jsonl").read_bytes().splitlines()
    assert len(after) == len(before) == 12
    for i in (2, 4, 6, 8, 9, 10):
        assert after[i] == before[i]
    for name in expected:  # whole bad files copied unchanged
        assert (out / name).read_bytes() == (src / name).read_bytes()
    assert (out / "legacy.txt").read_bytes() == (src / "legacy.txt").read_bytes()
    # each reported with its location
    lines = report_lines(out)
    where = {(Path(x["source"]).name, x.get("line")): x for x in lines if "bad" in x}
    assert where[("mixed.jsonl", 3)]["bad"] == "invalid-json"
    assert where[("mixed.jsonl", 5)]["reason"] == "field 'text' is missing"
    assert where[("mixed.jsonl", 7)]["reason"] == "field 'text' is a number, not a string"
    assert where[("mixed.jsonl", 9)]["reason"].startswith("not valid UTF-8 (byte 0xd6")
    assert where[("mixed.jsonl", 10)]["bad"] == "too-large"
    assert where[("legacy.txt", None)]["bad"] == "not-utf8"
    assert "truncated" in where[("truncated.jsonl.gz", None)]["reason"]
    assert s["records"] == 12 + 1


def test_quarantine(tmp_path: Path) -> None:
    src = bad_corpus(tmp_path)
    out = tmp_path / "out"
    q = tmp_path / "quarantine.jsonl"
    r = bulk(
        str(src / "mixed.jsonl"),
        "--out",
        str(out),
        "-j",
        "1",
        "--max-record-bytes",
        "2K",
        "--quarantine",
        str(q),
    )
    assert r.exit_code == 1
    before = (src / "mixed.jsonl").read_bytes().splitlines()
    after = (out / "mixed.jsonl").read_bytes().splitlines()
    held = q.read_bytes().splitlines()
    assert held == [before[i] for i in (2, 4, 6, 8, 9, 10)]
    s = summary(out)
    assert s["quarantined"] == 6 and len(after) == s["records_out"] == 6
    assert s["records"] == s["records_out"] + s["quarantined"]
    assert all(x["action"] == "quarantined" for x in report_lines(out) if "bad" in x)


def test_oversized_line_streams_with_flat_memory(tmp_path: Path) -> None:
    """A 30 MB line over a 1 MB limit passes through (also gzipped) without being held whole."""
    big = b'{"text": "' + b"x" * 30_000_000 + b'"}\n'
    small = '{"text": "鏁版嵁瀵煎嚭鎴愬姛"}\n'.encode()
    write(tmp_path / "in" / "big.jsonl", small + big + small)
    write(tmp_path / "in" / "big.jsonl.gz", gzip.compress(small + big + small, compresslevel=1))
    out = tmp_path / "out"
    code = """
import sys
from encfix.bulk import BulkConfig, run
r = run(BulkConfig(sources=(sys.argv[1],), out=sys.argv[2], workers=1, max_record_bytes=1 << 20, quiet=True))
# VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec (it would count the forking pytest)
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(r.exit_code, int(hwm.split()[1]) // 1024)
"""
    p = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "in"), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    code_, rss_mb = map(int, p.stdout.split())
    assert code_ == 1, p.stderr
    assert rss_mb < 100, rss_mb  # the line alone is 30 MB; reading it whole would cost several times that
    fixed = '{"text": "数据导出成功"}\n'.encode()
    assert (out / "big.jsonl").read_bytes() == fixed + big + fixed
    assert gzip.decompress((out / "big.jsonl.gz").read_bytes()) == fixed + big + fixed
    assert summary(out)["bad_reasons"] == {"too-large": 2}


def test_decompression_bomb(tmp_path: Path) -> None:
    bomb = gzip.compress(b"a" * (80 << 20), compresslevel=9)  # 80 MiB from ~80 KB
    write(tmp_path / "in" / "bomb.jsonl.gz", bomb)
    out = tmp_path / "out"
    r = bulk(str(tmp_path / "in"), "--out", str(out), "-j", "1", "--max-expansion", "10")
    assert r.exit_code == 1
    (entry,) = summary(out)["bad_files"]
    assert entry["bad"] == "bomb" and "decompression bomb" in entry["reason"]
    assert (out / "bomb.jsonl.gz").read_bytes() == bomb


def test_parquet_needs_column(tmp_path: Path) -> None:
    if not HAS_PYARROW:
        pytest.skip("needs pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"body": ["x"]}), tmp_path / "t.parquet")
    out = tmp_path / "out"
    assert bulk(str(tmp_path / "t.parquet"), "--out", str(out), "-j", "1").exit_code == 1
    assert summary(out)["bad_files"][0]["bad"] == "no-column"


# --------------------------------------------------------------------------- Parquet


def test_parquet_round_trip(tmp_path: Path) -> None:
    if not HAS_PYARROW:
        pytest.skip("needs pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    recs = make_records(60, seed=11)
    table = pa.table(
        {
            "id": [r["id"] for r in recs],
            "text": [r["text"] for r in recs[:-1]] + [None],
            "score": [r["meta"]["score"] for r in recs],
        }
    )
    (tmp_path / "in").mkdir()
    pq.write_table(table, tmp_path / "in" / "t.parquet")
    out = tmp_path / "out"
    r = bulk(str(tmp_path / "in"), "--out", str(out), "-j", "1", "--chunk-records", "16")
    assert r.exit_code == 1  # the null text
    got = pq.read_table(out / "t.parquet")
    assert got.schema == table.schema and got.num_rows == 60
    assert got.column("id").to_pylist() == table.column("id").to_pylist()
    assert got.column("score").to_pylist() == table.column("score").to_pylist()
    texts = got.column("text").to_pylist()
    assert texts[:-1] == [encfix.repair(t).text for t in table.column("text").to_pylist()[:-1]]
    assert texts[-1] is None
    assert summary(out)["bad_reasons"] == {"missing-field": 1}


# --------------------------------------------------------------------------- paths


def test_symlinks_and_dotdot_never_lead_outside_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    src = tmp_path / "src"
    write(src / "sub" / "a.jsonl", '{"text": "ÖÐÎÄ"}\n')
    (src / "linked").symlink_to(outside, target_is_directory=True)
    write(outside / "secret.jsonl", '{"text": "ÖÐÎÄ"}\n')
    (src / "link.jsonl").symlink_to(outside / "secret.jsonl")
    out = tmp_path / "out"
    r = bulk(str(src), "--out", str(out), "-j", "1")
    assert r.exit_code == 1  # the links are reported as skipped
    skipped = {Path(x["source"]).name for x in summary(out)["skipped"]}
    assert skipped == {"linked", "link.jsonl"}
    assert sorted(tree(out)) == ["sub/a.jsonl"]
    # a symbolic link planted inside --out is not written through
    out2 = tmp_path / "out2"
    out2.mkdir()
    (out2 / "sub").symlink_to(outside, target_is_directory=True)
    write(out2 / REPORT_DIRNAME / "x", "")
    r = bulk(str(src / "sub" / ".." / "sub"), "--out", str(out2), "-j", "1")
    assert r.exit_code == 0  # SRC with '..' mirrors to out2/a.jsonl
    assert (out2 / "a.jsonl").exists()
    r = bulk(str(src), "--out", str(out2), "-j", "1", "--glob", "sub/*.jsonl")
    assert r.exit_code == 2 and "symbolic link" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["secret.jsonl"]


def test_refuses_to_clobber(tmp_path: Path) -> None:
    write(tmp_path / "src" / "a.txt", "ÖÐÎÄ")
    write(tmp_path / "out" / "precious.txt", "keep me")
    r = bulk(str(tmp_path / "src"), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "--force" in r.stderr
    assert (
        bulk(str(tmp_path / "src"), "--out", str(tmp_path / "out"), "--force", "-j", "1", "-q").exit_code == 0
    )
    assert (tmp_path / "out" / "precious.txt").read_text() == "keep me"
    r = bulk(str(tmp_path / "src"), "--out", str(tmp_path / "src"), "--force")
    assert r.exit_code == 2 and "--in-place" in r.stderr
    r = bulk(str(tmp_path / "src" / "a.txt"), "--out", str(tmp_path / "src"), "--force")
    assert r.exit_code == 2 and "--in-place" in r.stderr
    assert (tmp_path / "src" / "a.txt").read_text() == "ÖÐÎÄ"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--out"),
        (["--out", "o", "--in-place"], "cannot be combined"),
        (["--out", "o", "--shard", "2/2"], "--shard"),
        (["--out", "o", "--max-record-bytes", "lots"], "--max-record-bytes"),
        (["--out", "o", "--dry-run", "--resume"], "--resume"),
        (["--out", "o", "--field", "a..b"], "--field"),
        (["--out", "o", "--placeholder", "ab"], "placeholder"),
    ],
)
def test_usage_errors_are_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    write(tmp_path / "a.txt", "x")
    monkeypatch.chdir(tmp_path)
    r = bulk("a.txt", *args)
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("encfix: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert message in r.stderr
    assert not (tmp_path / "o").exists()


def test_missing_src(tmp_path: Path) -> None:
    r = bulk(str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert r.exit_code == 2 and "no such file" in r.stderr


# --------------------------------------------------------------------------- modes


def test_dry_run_writes_only_the_report(corpus: Path, tmp_path: Path, reference: Path) -> None:
    out = tmp_path / "out"
    r = bulk(str(corpus), "--out", str(out), "--dry-run", "-j", "1")
    assert r.exit_code == 0 and "dry run" in r.stderr
    assert tree(out) == {}
    assert sorted(p.name for p in (out / REPORT_DIRNAME).iterdir()) == [
        "manifest.jsonl",
        "records.jsonl",
        "report.html",
        "summary.json",
    ]
    s, ref = summary(out), summary(reference)
    assert (s["records"], s["changed"], s["per_chain"]) == (ref["records"], ref["changed"], ref["per_chain"])


def test_in_place(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src / "bad.txt", "ÖÐÎÄ\n")
    write(src / "good.txt", "中文\n")
    recs = make_records(20, seed=3, damaged=0.5)
    write(src / "r.jsonl", jsonl(recs))
    os.chmod(src / "bad.txt", 0o640)
    old = (src / "good.txt").stat().st_mtime_ns
    time.sleep(0.01)
    r = bulk(str(src), "--in-place", "--report", str(tmp_path / "rep"), "-j", "1", "-q")
    assert r.exit_code == 0, r.output
    assert (src / "bad.txt").read_text() == "中文\n"
    assert (src / "bad.txt").stat().st_mode & 0o777 == 0o640
    assert (src / "good.txt").stat().st_mtime_ns == old
    assert [x["text"] for x in read_jsonl(src / "r.jsonl")] == [encfix.repair(x["text"]).text for x in recs]
    assert sorted(p.name for p in src.iterdir()) == ["bad.txt", "good.txt", "r.jsonl"]


def test_shards_split_the_corpus(corpus: Path, reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for i in range(3):
        r = bulk(
            str(corpus), "--out", str(out), "--shard", f"{i}/3", "-j", "1", "--chunk-records", "25", "-q"
        )
        assert r.exit_code == 0
    assert tree(out) == tree(reference)
    counts = [summary_of(out / REPORT_DIRNAME / f"shard-{i}-of-3")["records"] for i in range(3)]
    assert sum(counts) == summary(reference)["records"] and all(counts)


def summary_of(report: Path) -> dict[str, Any]:
    s: dict[str, Any] = json.loads((report / "summary.json").read_text("utf-8"))
    return s


def test_two_workers_give_the_same_output(corpus: Path, reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(BulkConfig(sources=(str(corpus),), out=str(out), workers=2, chunk_records=25))
    assert result.exit_code == 0
    assert tree(out) == tree(reference)
    assert (out / REPORT_DIRNAME / "records.jsonl").read_bytes() == (
        reference / REPORT_DIRNAME / "records.jsonl"
    ).read_bytes()


# --------------------------------------------------------------------------- resume


def _shards_done(manifest: Path) -> int:
    try:
        return manifest.read_bytes().count(b'{"shard":')
    except FileNotFoundError:
        return 0


def _start(src: Path, out: Path, workers: int, *extra: str) -> subprocess.Popen[bytes]:
    args = ["bulk", str(src), "--out", str(out), "-j", str(workers), "--chunk-records", "10", "-q", *extra]
    with open(src.parent / "stderr.txt", "ab") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "encfix.cli", *args],
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )


def _kill_after(proc: subprocess.Popen[bytes], manifest: Path, shards: int, timeout: float = 120) -> bool:
    """SIGKILL the run (and its workers) once ``shards`` shards are recorded; False if it ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if _shards_done(manifest) >= shards:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            return True
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("the run did not progress")


def _resume_corpus(root: Path) -> Path:
    src = root / "resume-src"
    write(src / "a.jsonl", jsonl(make_records(150, seed=21)))
    write(src / "b" / "b.jsonl.gz", gzip.compress(jsonl(make_records(100, seed=22))))
    write(src / "b" / "c.txt", "鏁版嵁瀵煎嚭鎴愬姛\n")
    return src


def _reference_run(src: Path, ref: Path) -> Path:
    """An uninterrupted run of ``src`` into ``ref``, to compare against."""
    assert (
        run(BulkConfig(sources=(str(src),), out=str(ref), workers=1, chunk_records=10, quiet=True)).exit_code
        == 0
    )
    return ref


def _kill_and_resume(tmp_path: Path, workers: int, seed: int) -> None:
    src = _resume_corpus(tmp_path)
    ref = _reference_run(src, tmp_path / "ref")
    out = tmp_path / "out"
    manifest = out / REPORT_DIRNAME / "manifest.jsonl"
    rng = random.Random(seed)
    kills = 0
    for attempt in range(3):
        proc = _start(src, out, workers, *(["--resume"] if attempt else []))
        if _kill_after(proc, manifest, _shards_done(manifest) + rng.randint(1, 8)):
            kills += 1
        else:
            assert proc.returncode == 0, (tmp_path / "stderr.txt").read_text()
            break
    assert kills >= 1
    proc = _start(src, out, workers, "--resume")
    assert proc.wait(timeout=300) == 0, (tmp_path / "stderr.txt").read_text()
    assert tree(out) == tree(ref)
    assert (out / REPORT_DIRNAME / "records.jsonl").read_bytes() == (
        ref / REPORT_DIRNAME / "records.jsonl"
    ).read_bytes()
    s, r = summary(out), summary(ref)
    for key in ("records", "changed", "fixes", "bad", "per_chain", "confidence_histogram"):
        assert s[key] == r[key], key
    assert s["resumed"]
    # every shard recorded once: no shard was done twice
    entries = [json.loads(x) for x in manifest.read_bytes().split(b"\n") if x.startswith(b'{"shard"')]
    keys = [tuple(e["shard"]) for e in entries]
    assert len(keys) == len(set(keys))


def test_sigkill_then_resume_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    _kill_and_resume(tmp_path, workers=1, seed=1)


@pytest.mark.slow
def test_sigkill_then_resume_with_two_workers(tmp_path: Path) -> None:
    _kill_and_resume(tmp_path, workers=2, seed=2)


def test_ctrl_c_stops_at_once_then_resume(tmp_path: Path) -> None:
    src = _resume_corpus(tmp_path)
    ref = _reference_run(src, tmp_path / "ref")
    out = tmp_path / "out"
    manifest = out / REPORT_DIRNAME / "manifest.jsonl"
    proc = _start(src, out, 2)
    deadline = time.monotonic() + 120
    while _shards_done(manifest) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    t = time.monotonic()
    code = proc.wait(timeout=60)
    if code == 0:
        pytest.skip("the run finished before it could be interrupted")
    assert code == 130 and time.monotonic() - t < 5
    assert "--resume" in (tmp_path / "stderr.txt").read_text()
    assert _start(src, out, 2, "--resume").wait(timeout=300) == 0
    assert tree(out) == tree(ref)


def test_resume_refuses_other_settings(tmp_path: Path) -> None:
    write(tmp_path / "src" / "a.txt", "ÖÐÎÄ")
    out = tmp_path / "out"
    assert bulk(str(tmp_path / "src"), "--out", str(out), "-j", "1", "-q").exit_code == 0
    r = bulk(str(tmp_path / "src"), "--out", str(out), "-j", "1", "--resume", "--min-confidence", "0.9")
    assert r.exit_code == 2 and "other inputs or settings" in r.stderr
    r = bulk(str(tmp_path / "src"), "--out", str(out), "-j", "1", "--resume")
    assert r.exit_code == 0 and "after resuming" in r.stderr


def test_help_names_every_repair_option_of_fix() -> None:
    r = runner.invoke(cli.app, ["bulk", "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0
    for opt in (
        "--out",
        "--glob",
        "--field",
        "--column",
        "--in-place",
        "--report",
        "--quarantine",
        "--workers",
        "--shard",
        "--resume",
        "--dry-run",
        "--max-record-bytes",
        "--min-confidence",
        "--max-rounds",
        "--no-latin",
        "--lossy",
        "--placeholder",
        "--keep-pinyin",
        "--restore-punct",
    ):
        assert opt in r.stdout, opt
