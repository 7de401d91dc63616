"""The ``encfix`` command line: ``fix``, ``detect``, errors, and the diff renderer."""

from __future__ import annotations

import inspect
import io
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

import encfix
import encfix._io
from encfix import Fix, cli
from encfix._cli_render import color_diff, unified_diff

MOJI = "鏁版嵁瀵煎嚭鎴愬姛"  # UTF-8 read as GBK
FIXED = "数据导出成功"
ANSI = "\x1b["

runner = CliRunner()


def run(args: Sequence[str], stdin: bytes | str | None = None) -> Result:
    if isinstance(stdin, str):
        stdin = stdin.encode("utf-8")
    return runner.invoke(cli.app, list(args), input=stdin)


def ok(result: Result, code: int = 0) -> Result:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def assert_error(result: Result, code: int = 2, *, contains: str = "") -> str:
    """One plain sentence on stderr, nothing on stdout, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stdout_bytes == b""
    err = result.stderr
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith("encfix: internal error" if code == 3 else "encfix: error: "), err
    assert contains in err, err
    return err


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def listing(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


# --------------------------------------------------------------------------- stdin -> stdout


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [(MOJI, FIXED), ("ÖÐÎÄ", "中文"), ("縺薙ｓ縺ｫ縺｡縺ｯ", "こんにちは")],
)
def test_stdin_to_stdout(damaged: str, repaired: str) -> None:
    r = ok(run(["fix"], damaged + "\n"))
    assert r.stdout_bytes == (repaired + "\n").encode("utf-8")
    assert r.stderr == ""  # a filter prints nothing else


def test_dash_is_stdin() -> None:
    assert ok(run(["fix", "-"], MOJI)).stdout_bytes == FIXED.encode()


@pytest.mark.parametrize(
    "clean",
    [
        "plain ASCII text\n",
        "中文没有问题\uff0c日本語も大丈夫\u3001한국어도 괜찮아요\u3002\r\nsecond line without newline",
        "\ufeffBOM, tabs\tand CRLF\r\n\r\n",
        "emoji 🙂 and math ∑ and café\n",
        "",
    ],
)
def test_clean_text_is_byte_identical(clean: str) -> None:
    r = ok(run(["fix"], clean))
    assert r.stdout_bytes == clean.encode("utf-8")


def test_line_endings_and_bom_survive_a_repair() -> None:
    src = f"\ufeffhead\r\n{MOJI}\r\ntail"
    assert ok(run(["fix"], src)).stdout_bytes == f"\ufeffhead\r\n{FIXED}\r\ntail".encode()


def test_several_paths_go_to_stdout_in_order(cwd: Path) -> None:
    write(cwd / "a.txt", MOJI + "\n")
    write(cwd / "b.txt", "clean\n")
    write(cwd / "c.txt", "ÖÐÎÄ\n")
    r = ok(run(["fix", "a.txt", "b.txt", "c.txt"]))
    assert r.stdout == f"{FIXED}\nclean\n中文\n"
    assert r.stderr == ""
    assert (cwd / "a.txt").read_text("utf-8") == MOJI + "\n"  # inputs untouched


def test_min_confidence_one_leaves_text_unchanged() -> None:
    assert ok(run(["fix", "--min-confidence", "1.0"], "ÖÐÎÄ\n")).stdout == "ÖÐÎÄ\n"
    assert ok(run(["fix", "--min-confidence", "0.5"], "ÖÐÎÄ\n")).stdout == "中文\n"


def test_no_latin_and_max_rounds_reach_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[encfix.Options] = []
    real = encfix.repair

    def spy(text: str, *, options: encfix.Options | None = None) -> encfix.Repair:
        assert options is not None
        seen.append(options)
        return real(text, options=options)

    monkeypatch.setattr(encfix, "repair", spy)
    ok(run(["fix", "--no-latin", "--max-rounds", "2", "--min-confidence", "0.75"], "x"))
    assert seen == [encfix.Options(min_confidence=0.75, max_rounds=2, latin=False)]
    seen.clear()
    ok(run(["fix"], "x"))
    assert seen == [encfix.Options()]


@pytest.mark.parametrize(
    "args",
    [["--min-confidence", "1.5"], ["--min-confidence", "-0.1"], ["--max-rounds", "4"], ["--max-rounds", "0"]],
)
def test_option_ranges_are_usage_errors(args: list[str]) -> None:
    r = run(["fix", *args], "x")
    assert r.exit_code == 2
    assert r.stdout_bytes == b""
    assert "Traceback" not in r.stderr


# --------------------------------------------------------------------------- -o


def test_output_file(cwd: Path) -> None:
    write(cwd / "in.txt", MOJI + "\n")
    r = ok(run(["fix", "in.txt", "-o", "out.txt"]))
    assert r.stdout_bytes == b""
    assert (cwd / "out.txt").read_text("utf-8") == FIXED + "\n"
    assert (cwd / "in.txt").read_text("utf-8") == MOJI + "\n"
    assert r.stderr.startswith("encfix: repaired in.txt -> out.txt: 1 fix, confidence ")
    assert r.stderr.count("\n") == 1
    assert listing(cwd) == ["in.txt", "out.txt"]  # no temporary file left behind


def test_output_from_stdin_and_quiet(cwd: Path) -> None:
    r = ok(run(["fix", "-o", "out.txt", "--quiet"], MOJI))
    assert r.stdout_bytes == b"" and r.stderr == ""
    assert (cwd / "out.txt").read_text("utf-8") == FIXED


def test_output_dash_is_stdout() -> None:
    assert ok(run(["fix", "-o", "-"], MOJI)).stdout == FIXED


def test_output_of_clean_input_is_a_copy(cwd: Path) -> None:
    write(cwd / "in.txt", "clean\r\n")
    r = ok(run(["fix", "in.txt", "-o", "out.txt"]))
    assert (cwd / "out.txt").read_bytes() == b"clean\r\n"
    assert "nothing to repair" in r.stderr


def test_output_refuses_an_existing_file_without_force(cwd: Path) -> None:
    write(cwd / "in.txt", MOJI)
    write(cwd / "out.txt", "precious")
    assert_error(run(["fix", "in.txt", "-o", "out.txt"]), contains="already exists")
    assert (cwd / "out.txt").read_text("utf-8") == "precious"
    ok(run(["fix", "in.txt", "-o", "out.txt", "--force"]))
    assert (cwd / "out.txt").read_text("utf-8") == FIXED


def test_output_never_overwrites_the_input(cwd: Path) -> None:
    write(cwd / "in.txt", MOJI)
    (cwd / "link.txt").symlink_to("in.txt")
    os.link(cwd / "in.txt", cwd / "hard.txt")
    for target in ["in.txt", "./in.txt", str(cwd / "in.txt"), "link.txt", "hard.txt"]:
        assert_error(run(["fix", "in.txt", "-o", target, "--force"]), contains="onto the input")
    assert (cwd / "in.txt").read_text("utf-8") == MOJI
    assert listing(cwd) == ["hard.txt", "in.txt", "link.txt"]


def test_output_takes_one_input(cwd: Path) -> None:
    write(cwd / "a.txt", MOJI)
    write(cwd / "b.txt", MOJI)
    assert_error(run(["fix", "a.txt", "b.txt", "-o", "out.txt"]), contains="exactly one input")
    assert not (cwd / "out.txt").exists()


def test_output_into_a_missing_directory_or_onto_a_directory(cwd: Path) -> None:
    write(cwd / "in.txt", MOJI)
    assert_error(run(["fix", "in.txt", "-o", "nowhere/out.txt"]), contains="does not exist")
    (cwd / "d").mkdir()
    assert_error(run(["fix", "in.txt", "-o", "d", "--force"]), contains="is a directory")


# --------------------------------------------------------------------------- --in-place


def test_in_place_with_backup(cwd: Path) -> None:
    p = write(cwd / "a.txt", f"keep\n{MOJI}\n")
    p.chmod(0o640)
    r = ok(run(["fix", "--in-place", "a.txt"]))
    assert r.stdout_bytes == b""
    assert p.read_text("utf-8") == f"keep\n{FIXED}\n"
    assert (cwd / "a.txt.bak").read_text("utf-8") == f"keep\n{MOJI}\n"
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert r.stderr == "encfix: repaired a.txt in place: 1 fix, confidence 1.00 (backup a.txt.bak)\n"
    assert listing(cwd) == ["a.txt", "a.txt.bak"]


def test_in_place_backup_suffix_and_no_backup(cwd: Path) -> None:
    write(cwd / "a.txt", MOJI)
    write(cwd / "b.txt", MOJI)
    ok(run(["fix", "-i", "--backup-suffix", ".orig", "a.txt"]))
    assert (cwd / "a.txt.orig").read_text("utf-8") == MOJI
    ok(run(["fix", "-i", "--no-backup", "-q", "b.txt"]))
    assert (cwd / "b.txt").read_text("utf-8") == FIXED
    assert listing(cwd) == ["a.txt", "a.txt.orig", "b.txt"]


def test_in_place_does_not_rewrite_unchanged_files(cwd: Path) -> None:
    p = write(cwd / "clean.txt", "已经正确的中文\n")
    os.utime(p, (1_000_000_000, 1_000_000_000))
    before = p.stat()
    r = ok(run(["fix", "--in-place", "clean.txt"]))
    after = p.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert listing(cwd) == ["clean.txt"]  # no backup either
    assert r.stderr == "encfix: nothing to repair in 1 file\n"


def test_in_place_several_files_and_duplicates(cwd: Path) -> None:
    write(cwd / "a.txt", MOJI)
    write(cwd / "b.txt", "clean")
    write(cwd / "c.txt", "ÖÐÎÄ")
    r = ok(run(["fix", "-i", "a.txt", "b.txt", "c.txt", "./a.txt"]))
    assert [(cwd / n).read_text("utf-8") for n in ("a.txt", "b.txt", "c.txt")] == [FIXED, "clean", "中文"]
    assert listing(cwd) == ["a.txt", "a.txt.bak", "b.txt", "c.txt", "c.txt.bak"]
    assert (cwd / "a.txt.bak").read_text("utf-8") == MOJI
    assert r.stderr.count("\n") == 2


def test_in_place_refuses_to_overwrite_a_backup(cwd: Path) -> None:
    write(cwd / "a.txt", MOJI)
    write(cwd / "a.txt.bak", "older backup")
    assert_error(run(["fix", "-i", "a.txt"]), contains="already exists")
    assert (cwd / "a.txt").read_text("utf-8") == MOJI
    assert (cwd / "a.txt.bak").read_text("utf-8") == "older backup"
    ok(run(["fix", "-i", "--force", "a.txt"]))
    assert (cwd / "a.txt.bak").read_text("utf-8") == MOJI


def test_in_place_through_a_symlink_keeps_the_link(cwd: Path) -> None:
    (cwd / "data").mkdir()
    real = write(cwd / "data" / "real.txt", MOJI)
    (cwd / "link.txt").symlink_to("data/real.txt")
    ok(run(["fix", "-i", "link.txt"]))
    assert (cwd / "link.txt").is_symlink()
    assert real.read_text("utf-8") == FIXED
    assert (cwd / "data" / "real.txt.bak").read_text("utf-8") == MOJI


def test_in_place_failed_replace_loses_nothing(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(cwd / "a.txt", MOJI)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    assert_error(run(["fix", "-i", "--no-backup", "a.txt"]), contains="left unchanged")
    monkeypatch.undo()
    assert (cwd / "a.txt").read_text("utf-8") == MOJI
    assert listing(cwd) == ["a.txt"]  # the temporary file is gone


@pytest.mark.parametrize("args", [["fix", "--in-place"], ["fix", "--in-place", "-"]])
def test_in_place_refuses_stdin(args: list[str]) -> None:
    assert_error(run(args, MOJI), contains="standard input")


# --------------------------------------------------------------------------- --diff

LINES = [f"line {i}" for i in range(1, 16)]


def numbered(changes: dict[int, str]) -> str:
    """15 numbered lines, with line n replaced by changes[n]."""
    return "".join(changes.get(i, s) + "\n" for i, s in enumerate(LINES, 1))


def test_diff_single_change(cwd: Path) -> None:
    write(cwd / "a.txt", "one\ntwo\n" + MOJI + "\nfour\n")
    r = ok(run(["fix", "--diff", "a.txt"]))
    assert r.stdout == f"--- a/a.txt\n+++ b/a.txt\n@@ -1,4 +1,4 @@\n one\n two\n-{MOJI}\n+{FIXED}\n four\n"
    assert (cwd / "a.txt").read_text("utf-8").count(MOJI) == 1  # --diff writes no file


def test_diff_two_hunks_with_context(cwd: Path) -> None:
    write(cwd / "a.txt", numbered({5: MOJI, 14: "ÖÐÎÄ"}))
    r = ok(run(["fix", "--diff", "a.txt"]))
    expected = (
        "--- a/a.txt\n+++ b/a.txt\n"
        "@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n"
        f"-{MOJI}\n+{FIXED}\n"
        " line 6\n line 7\n line 8\n"
        "@@ -11,5 +11,5 @@\n line 11\n line 12\n line 13\n"
        "-ÖÐÎÄ\n+中文\n"
        " line 15\n"
    )
    assert r.stdout == expected
    assert ANSI not in r.stdout


def test_diff_close_changes_share_a_hunk(cwd: Path) -> None:
    write(cwd / "a.txt", numbered({5: MOJI, 11: "x " + MOJI, 12: MOJI}))
    out = ok(run(["fix", "--diff", "a.txt"])).stdout
    assert out.count("@@") == 2  # one hunk header
    assert "@@ -2,14 +2,14 @@\n" in out
    assert f"-x {MOJI}\n-{MOJI}\n+x {FIXED}\n+{FIXED}\n line 13\n" in out


def test_diff_no_newline_at_end_of_file() -> None:
    r = ok(run(["fix", "--diff"], "ok\n" + MOJI))
    assert r.stdout == (
        f"--- a/<stdin>\n+++ b/<stdin>\n@@ -1,2 +1,2 @@\n ok\n-{MOJI}\n"
        f"\\ No newline at end of file\n+{FIXED}\n\\ No newline at end of file\n"
    )


def test_diff_of_clean_input_is_empty() -> None:
    assert ok(run(["fix", "--diff"], "nothing to see\n")).stdout_bytes == b""


def test_diff_several_files_and_in_place(cwd: Path) -> None:
    write(cwd / "a.txt", MOJI + "\n")
    write(cwd / "b.txt", "clean\n")
    write(cwd / "c.txt", "ÖÐÎÄ\n")
    r = ok(run(["fix", "--diff", "-i", "-q", "a.txt", "b.txt", "c.txt"]))
    assert re.findall(r"^\+\+\+ b/(.*)$", r.stdout, re.M) == ["a.txt", "c.txt"]
    assert (cwd / "c.txt").read_text("utf-8") == "中文\n"


@pytest.mark.skipif(
    not os.path.exists("/usr/bin/diff") and not os.path.exists("/bin/diff"), reason="needs GNU diff"
)
def test_diff_matches_gnu_diff(cwd: Path) -> None:
    text = numbered({1: MOJI, 5: "ÖÐÎÄ", 9: MOJI, 15: "縺薙ｓ縺ｫ縺｡縺ｯ"}) + "no newline " + MOJI
    write(cwd / "a.txt", text)
    write(cwd / "b.txt", encfix.repair(text).text)
    gnu = subprocess.run(["diff", "-u", "a.txt", "b.txt"], capture_output=True, check=False).stdout
    ours = ok(run(["fix", "--diff", "a.txt"])).stdout_bytes
    assert ours.split(b"\n", 2)[2] == gnu.split(b"\n", 2)[2]  # all but the two header lines


def test_color_diff_only_when_asked_or_on_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    plain = ok(run(["fix", "--diff"], MOJI + "\n")).stdout
    assert ANSI not in plain and plain.startswith("--- a/<stdin>")

    forced = ok(run(["fix", "--diff", "--color"], "a\n" + MOJI + "\n")).stdout
    assert ANSI in forced and "---" not in forced
    assert "\x1b[9;31m" + MOJI in forced  # removed: red, struck through
    assert "\x1b[32m" + FIXED in forced  # inserted: green
    assert "2 │ " in forced  # line number
    assert "utf-8 → gbk" in forced and "confidence 1.00" in forced

    monkeypatch.setattr(cli, "_stdout_isatty", lambda: True)
    assert ANSI in ok(run(["fix", "--diff"], MOJI)).stdout
    assert ANSI not in ok(run(["fix", "--diff", "--no-color"], MOJI)).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert ANSI not in ok(run(["fix", "--diff"], MOJI)).stdout


def test_color_option_without_diff_changes_nothing() -> None:
    assert ok(run(["fix", "--color"], MOJI)).stdout == FIXED


# --------------------------------------------------------------------------- --json


def check_report(doc: dict[str, object], path: str, source: str) -> None:
    assert set(doc) == {"path", "changed", "confidence", "fixes", "notes", "unrecoverable", "text"}
    assert doc["path"] == path
    assert isinstance(doc["confidence"], float)
    fixes = doc["fixes"]
    assert isinstance(fixes, list)
    for f in fixes:
        assert {"start", "end", "before", "after", "chain", "confidence", "description"} <= set(f)
        assert source[f["start"] : f["end"]] == f["before"]
    assert doc["changed"] == bool(fixes)
    assert encfix.apply_plan(source, [Fix.from_dict(f) for f in fixes]) == doc["text"]


def test_json_single_input() -> None:
    src = f"head\n{MOJI}\n"
    r = ok(run(["fix", "--json"], src))
    assert FIXED in r.stdout  # ensure_ascii=False
    doc = json.loads(r.stdout_bytes)
    check_report(doc, "-", src)
    assert doc["text"] == f"head\n{FIXED}\n"
    assert doc["fixes"][0]["chain"] == ["utf-8", "gbk"]
    assert doc["fixes"][0]["start"] == 5


def test_json_several_inputs_and_jsonl(cwd: Path) -> None:
    write(cwd / "a.txt", MOJI)
    write(cwd / "b.txt", "clean")
    docs = json.loads(ok(run(["fix", "--json", "a.txt", "b.txt"])).stdout_bytes)
    assert isinstance(docs, list) and [d["path"] for d in docs] == ["a.txt", "b.txt"]
    check_report(docs[0], "a.txt", MOJI)
    check_report(docs[1], "b.txt", "clean")
    assert docs[1]["changed"] is False and docs[1]["fixes"] == [] and docs[1]["text"] == "clean"

    lines = ok(run(["fix", "--jsonl", "a.txt", "b.txt"])).stdout.splitlines()
    assert [json.loads(line) for line in lines] == docs


def test_json_with_in_place_reports_and_writes(cwd: Path) -> None:
    write(cwd / "a.txt", MOJI)
    r = ok(run(["fix", "--json", "-i", "--no-backup", "a.txt"]))
    assert json.loads(r.stdout_bytes)["text"] == FIXED
    assert (cwd / "a.txt").read_text("utf-8") == FIXED


# --------------------------------------------------------------------------- --check


def test_check(cwd: Path) -> None:
    write(cwd / "bad.txt", MOJI)
    write(cwd / "good.txt", "good")
    r = ok(run(["fix", "--check", "bad.txt", "good.txt"]), code=1)
    assert r.stdout_bytes == b""
    assert "would repair bad.txt\n" in r.stderr and "good.txt" not in r.stderr
    assert (cwd / "bad.txt").read_text("utf-8") == MOJI
    assert listing(cwd) == ["bad.txt", "good.txt"]

    r = ok(run(["fix", "--check", "good.txt"]), code=0)
    assert r.stdout_bytes == b""
    ok(run(["fix", "--check", "-q"], "clean"), code=0)
    assert ok(run(["fix", "--check", "-q"], MOJI), code=1).stderr == "encfix: would repair <stdin>\n"


def test_check_with_diff(cwd: Path) -> None:
    write(cwd / "bad.txt", MOJI + "\n")
    r = ok(run(["fix", "--check", "--diff", "bad.txt"]), code=1)
    assert r.stdout.startswith("--- a/bad.txt\n")
    assert (cwd / "bad.txt").read_text("utf-8") == MOJI + "\n"


# --------------------------------------------------------------------------- detect


def test_detect_text() -> None:
    r = ok(run(["detect"], MOJI))
    assert r.stdout == "<stdin>: UTF-8 bytes decoded as GBK (confidence 1.00)\n"
    assert ok(run(["detect"], "干净的文本")).stdout.startswith("<stdin>: clean")


def test_detect_gbk_bytes(cwd: Path) -> None:
    write(cwd / "gbk.txt", "中文测试".encode("gbk") * 5)
    r = ok(run(["detect", "gbk.txt"]))
    first, *alternatives = r.stdout.splitlines()
    assert re.fullmatch(r"gbk\.txt: bytes in (gbk|gb18030) \(confidence \d\.\d\d\)", first)
    assert all(re.fullmatch(r"    or .+ \(confidence \d\.\d\d\)", a) for a in alternatives)


def test_detect_json_and_several_inputs(cwd: Path) -> None:
    write(cwd / "gbk.txt", "中文测试".encode("gbk") * 5)
    write(cwd / "moji.txt", MOJI)
    doc = json.loads(ok(run(["detect", "--json", "gbk.txt"])).stdout_bytes)
    assert doc["path"] == "gbk.txt" and doc["kind"] == "encoding" and doc["encoding"] in ("gbk", "gb18030")
    docs = json.loads(ok(run(["detect", "--json", "gbk.txt", "moji.txt"])).stdout_bytes)
    assert [d["kind"] for d in docs] == ["encoding", "mojibake"]
    assert docs[1]["chain"] == ["utf-8", "gbk"]
    lines = ok(run(["detect", "--jsonl", "gbk.txt", "moji.txt"])).stdout.splitlines()
    assert [json.loads(line) for line in lines] == docs
    r = ok(run(["detect", "gbk.txt", "moji.txt"]))
    assert [line.split(":")[0] for line in r.stdout.splitlines() if not line.startswith(" ")] == [
        "gbk.txt",
        "moji.txt",
    ]


def test_detect_utf16_with_bom() -> None:
    r = ok(run(["detect"], "中文".encode("utf-16")))
    assert r.stdout.startswith("<stdin>: bytes in utf-16")


def test_detect_errors(cwd: Path) -> None:
    assert_error(run(["detect", "missing.txt"]), contains="no such file")
    write(cwd / "bin", b"\x7fELF\x00\x01\x02")
    assert_error(run(["detect", "bin"]), contains="binary")
    write(cwd / "ok.txt", MOJI)
    assert_error(run(["detect", "ok.txt", "missing.txt"]), contains="missing.txt")


# --------------------------------------------------------------------------- errors


def test_missing_file(cwd: Path) -> None:
    write(cwd / "a.txt", MOJI)
    assert_error(run(["fix", "missing.txt"]), contains="cannot read 'missing.txt': no such file")
    # one bad input among good ones: nothing is written anywhere
    assert_error(run(["fix", "-i", "a.txt", "missing.txt"]), contains="missing.txt")
    assert_error(run(["fix", "a.txt", "missing.txt"]), contains="missing.txt")
    assert (cwd / "a.txt").read_text("utf-8") == MOJI
    assert listing(cwd) == ["a.txt"]


def test_unreadable_file(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(cwd / "secret.txt", MOJI)

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(encfix._io, "open", denied, raising=False)
    assert_error(run(["fix", "secret.txt"]), contains="permission denied")
    assert_error(run(["detect", "secret.txt"]), contains="permission denied")


def test_directory(cwd: Path) -> None:
    (cwd / "d").mkdir()
    assert_error(run(["fix", "d"]), contains="is a directory")
    assert_error(run(["fix", "-i", "d"]), contains="is a directory")


@pytest.mark.parametrize("data", [b"text\x00with NUL", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"])
def test_binary_input(data: bytes) -> None:
    assert_error(run(["fix"], data), contains="binary")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-be"])
def test_utf16_and_utf32_input(encoding: str) -> None:
    data = ("\ufeff" if encoding.endswith("-be") else "") + "中文 text"
    # decoded (issue 4), no longer refused: the output is UTF-8, without the BOM
    assert ok(run(["fix"], data.encode(encoding))).stdout_bytes == "中文 text".encode()


def test_binary_without_nul_bytes() -> None:
    data = bytes(range(1, 9)) * 8 + b"\xff\xfe\x80\x81"
    assert_error(run(["fix"], data), contains="binary")


def test_non_utf8_input_is_decoded(cwd: Path) -> None:
    # issue 4: bytes that are not UTF-8 are decoded (they used to be refused)
    write(cwd / "gbk.txt", "中文测试".encode("gbk") * 5)
    assert ok(run(["fix", "gbk.txt"])).stdout_bytes == ("中文测试" * 5).encode()
    assert ok(run(["fix"], "中文测试，完成。".encode("gbk"))).stdout_bytes == "中文测试，完成。".encode()


def test_in_place_on_non_utf8_writes_utf8(cwd: Path) -> None:
    write(cwd / "gbk.txt", "中文测试".encode("gbk"))
    r = ok(run(["fix", "-i", "gbk.txt"]))
    assert "decoded from gbk" in r.stderr
    assert (cwd / "gbk.txt").read_bytes() == "中文测试".encode()
    assert (cwd / "gbk.txt.bak").read_bytes() == "中文测试".encode("gbk")


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (["fix", "-", "-"], "only once"),
        (["fix", "-o", "x", "-i", "a.txt"], "cannot be combined"),
        (["fix", "--check", "-i", "a.txt"], "--check"),
        (["fix", "--check", "-o", "x", "a.txt"], "--check"),
        (["fix", "--diff", "--json", "a.txt"], "cannot be combined"),
        (["fix", "--json", "--jsonl", "a.txt"], "cannot be combined"),
        (["fix", "--no-backup", "a.txt"], "--in-place"),
        (["fix", "-i", "--no-backup", "--backup-suffix", ".x", "a.txt"], "cannot be combined"),
        (["fix", "-i", "--backup-suffix", "", "a.txt"], "suffix"),
        (["fix", "-i", "--backup-suffix", "/x", "a.txt"], "suffix"),
        (["detect", "--json", "--jsonl"], "cannot be combined"),
    ],
)
def test_conflicting_options(cwd: Path, args: list[str], contains: str) -> None:
    write(cwd / "a.txt", MOJI)
    assert_error(run(args, MOJI), contains=contains)
    assert listing(cwd) == ["a.txt"]


def test_engine_exception_is_one_sentence(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(cwd / "a.txt", MOJI)

    def boom(text: str, **kwargs: object) -> None:
        raise RuntimeError("kaboom\nsecond line")

    monkeypatch.setattr(encfix, "repair", boom)
    monkeypatch.setattr(encfix, "detect", boom)
    err = assert_error(run(["fix", "-i", "a.txt"]), code=3, contains="kaboom")
    assert "bug in encfix" in err
    assert (cwd / "a.txt").read_text("utf-8") == MOJI and listing(cwd) == ["a.txt"]
    assert_error(run(["detect", "a.txt"]), code=3, contains="RuntimeError")


def test_engine_exception_while_rendering_a_diff(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = encfix.Repair("xyz", (Fix(0, 1, "q", "x", ("utf-8", "gbk"), "whatwg", 1.0),), 1.0)
    monkeypatch.setattr(encfix, "repair", lambda text, **kw: bad)
    assert_error(run(["fix", "--diff"], "abc"), code=3, contains="internal error")
    write(cwd / "a.txt", "abc")
    assert_error(run(["fix", "--diff", "-i", "a.txt"]), code=3, contains="does not match")
    assert (cwd / "a.txt").read_text("utf-8") == "abc" and listing(cwd) == ["a.txt"]


def test_keyboard_interrupt_is_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(text: str, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(encfix, "repair", interrupt)
    r = run(["fix"], MOJI)
    assert r.exit_code == 130 and r.stdout_bytes == b"" and r.stderr == ""


def test_broken_pipe_is_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(encfix._io, "write_stdout", broken)
    r = run(["fix"], MOJI)
    assert r.exit_code == 141 and r.stderr == ""


# --------------------------------------------------------------------------- main, help, version


def test_main_in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        cli.main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out == f"encfix {encfix.__version__}\n"

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "get_app", lambda: interrupted)
    with pytest.raises(SystemExit) as e:
        cli.main(["fix", "--quiet"])
    assert e.value.code == 130


def main_exit(args: list[str]) -> int | str | None:
    with pytest.raises(SystemExit) as e:
        cli.main(args)
    return e.value.code


def set_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_plain_invocations_skip_typer(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """``encfix fix [PATH...]`` without options runs without building the typer app, same results."""

    def no_typer() -> None:
        raise AssertionError("the plain path must not need typer")

    write(cwd / "a.txt", MOJI + "\n")
    write(cwd / "b.txt", "clean\r\n")
    expected = run(["fix", "a.txt", "-", "b.txt"], "ÖÐÎÄ")
    monkeypatch.setattr(cli, "get_app", no_typer)

    set_stdin(monkeypatch, "ÖÐÎÄ".encode())
    assert main_exit(["fix", "a.txt", "-", "b.txt"]) == 0
    out, err = capsysbinary.readouterr()
    assert (out, err) == (expected.stdout_bytes, b"") and out == f"{FIXED}\n中文clean\r\n".encode()

    set_stdin(monkeypatch, (MOJI + "\n").encode())
    assert main_exit(["fix"]) == 0
    assert capsysbinary.readouterr().out == (FIXED + "\n").encode()

    assert main_exit(["fix", "a.txt", "missing.txt"]) == 2
    out, err = capsysbinary.readouterr()
    assert out == b"" and err == b"encfix: error: cannot read 'missing.txt': no such file or directory.\n"

    assert main_exit(["detect", "a.txt"]) == 0
    assert capsysbinary.readouterr().out == b"a.txt: UTF-8 bytes decoded as GBK (confidence 1.00)\n"

    def interrupt(text: str, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(encfix, "repair", interrupt)
    assert main_exit(["fix", "a.txt"]) == 130
    assert capsysbinary.readouterr() == (b"", b"")


def test_typer_defaults_are_the_plain_defaults() -> None:
    """The typer commands and the typer-free plain path must agree on every default."""
    from typer.main import get_command

    commands = get_command(cli.get_app()).commands  # type: ignore[attr-defined]
    funcs: list[tuple[str, Callable[..., object]]] = [("fix", cli._fix), ("detect", cli._detect)]
    for name, func in funcs:
        params = {p.name: p.default for p in commands[name].params}
        defaults = {k: v.default for k, v in inspect.signature(func).parameters.items() if k != "paths"}
        assert set(params) == {*defaults, "paths"}
        assert {k: params[k] for k in defaults} == defaults


def test_version() -> None:
    assert ok(run(["--version"])).stdout == f"encfix {encfix.__version__}\n"


def test_help_texts() -> None:
    top = ok(run(["--help"])).stdout
    assert "fix" in top and "detect" in top
    helptext = ok(run(["fix", "--help"])).stdout
    for option in [
        "--output",
        "--in-place",
        "--backup-suffix",
        "--no-backup",
        "--force",
        "--diff",
        "--json",
        "--jsonl",
        "--check",
        "--min-confidence",
        "--max-rounds",
        "--no-latin",
        "--color",
        "--quiet",
    ]:
        assert option in helptext, option
    from encfix._options import DEFAULT_MIN_CONFIDENCE

    assert f"[default: {DEFAULT_MIN_CONFIDENCE}" in helptext
    assert "--json" in ok(run(["detect", "--help"])).stdout


def test_real_subprocess() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "encfix.cli", "fix"],
        input=(MOJI + "\n").encode("utf-8"),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert (r.returncode, r.stdout, r.stderr) == (0, (FIXED + "\n").encode("utf-8"), b"")


# --------------------------------------------------------------------------- the diff renderer


def apply_unified(old: str, diff: str) -> str:
    """A strict little ``patch``: apply ``diff`` to ``old``, checking every line and count."""
    if not diff:
        return old
    old_lines = re.findall(r"[^\n]*\n|[^\n]+$", old)
    dl = re.findall(r"[^\n]*\n", diff)
    assert dl[0].startswith("--- a/") and dl[1].startswith("+++ b/")
    out: list[str] = []
    pos, i = 0, 2
    while i < len(dl):
        m = re.fullmatch(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n", dl[i])
        assert m, dl[i]
        a, b = int(m[1]), int(m[2] or 1)
        c, d = int(m[3]), int(m[4] or 1)
        a_start = a - 1 if b else a
        assert a_start >= pos
        out.extend(old_lines[pos:a_start])
        assert len(out) == (c - 1 if d else c)
        i += 1
        old_h: list[str] = []
        new_h: list[str] = []
        last = ""
        while i < len(dl) and not dl[i].startswith("@@"):
            tag, body = dl[i][0], dl[i][1:]
            if tag == "\\":
                assert body == " No newline at end of file\n"
                for h in ([old_h] if last in " -" else []) + ([new_h] if last in " +" else []):
                    h[-1] = h[-1][:-1]
            else:
                assert tag in " -+"
                if tag in " -":
                    old_h.append(body)
                if tag in " +":
                    new_h.append(body)
                last = tag
            i += 1
        assert (len(old_h), len(new_h)) == (b, d)
        assert old_lines[a_start : a_start + b] == old_h
        out.extend(new_h)
        pos = a_start + b
    out.extend(old_lines[pos:])
    return "".join(out)


def splice(text: str, fixes: Sequence[Fix]) -> str:
    out, pos = [], 0
    for f in sorted(fixes, key=lambda f: (f.start, f.end)):
        out += [text[pos : f.start], f.after]
        pos = f.end
    return "".join([*out, text[pos:]])


def mkfix(text: str, start: int, end: int, after: str) -> Fix:
    return Fix(start, end, text[start:end], after, ("utf-8", "gbk"), "whatwg", 0.9)


def test_unified_diff_multiline_fixes() -> None:
    text = "a\nb\nc\nd\ne\n"
    fixes = [mkfix(text, 2, 5, "B\nC\nX\n")]  # 'b\nc' -> three lines (plus the kept newline)
    diff = unified_diff(text, fixes, "f")
    assert diff == "--- a/f\n+++ b/f\n@@ -1,5 +1,7 @@\n a\n-b\n-c\n+B\n+C\n+X\n+\n d\n e\n"
    assert apply_unified(text, diff) == splice(text, fixes)


def test_unified_diff_insertion_at_end_and_empty_text() -> None:
    assert apply_unified("ab\n", unified_diff("ab\n", [mkfix("ab\n", 3, 3, "new")], "f")) == "ab\nnew"
    diff = unified_diff("", [mkfix("", 0, 0, "x\n")], "f")
    assert diff == "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n"


def test_unified_diff_rejects_fixes_that_do_not_match() -> None:
    with pytest.raises(ValueError, match="does not match"):
        unified_diff("abc", [Fix(0, 1, "z", "y", (), "", 1.0)], "f")
    with pytest.raises(ValueError, match="does not match"):
        unified_diff("abc", [mkfix("abc", 0, 2, "x"), mkfix("abc", 1, 3, "y")], "f")


def test_color_diff_escapes_control_characters() -> None:
    text = "\x1b[31mred\r\n"
    out = color_diff(text, [mkfix(text, 5, 8, "RED")], "f")
    assert "\\x1b[31m" in out and "\x1b[31m" not in out  # escaped, not obeyed
    assert "\\x0d" not in out  # the CRLF line ending is not shown


@st.composite
def texts_and_fixes(draw: st.DrawFn) -> tuple[str, list[Fix]]:
    text = draw(st.text(alphabet="ab\n\r", max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    fixes: dict[tuple[int, int], Fix] = {}
    for s, e in zip(cuts[::2], cuts[1::2], strict=False):
        fixes[(s, e)] = mkfix(text, s, e, draw(st.text(alphabet="xy\n", max_size=6)))
    return text, list(fixes.values())


@settings(max_examples=300, deadline=None)
@given(texts_and_fixes(), st.integers(0, 4))
def test_unified_diff_applies_back(case: tuple[str, list[Fix]], context: int) -> None:
    text, fixes = case
    diff = unified_diff(text, fixes, "f", context=context)
    new = splice(text, fixes)
    assert apply_unified(text, diff) == new
    assert (diff == "") == (new == text)
    color_diff(text, fixes, "f")  # does not crash either
