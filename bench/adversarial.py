"""Time ``encfix.repair`` on adversarial inputs of 100 KB: the lossy search's
bound (issue 3: no input of 100 KB may take more than 2 s).  The adversarial
inputs are 100,000 characters (100 KB of "?", up to 300 KB of CJK); the real
lossy text is timed both as a file of 100 KB and as 100,000 characters.

    python bench/adversarial.py [--json OUT]

Each input is timed in a fresh process (tables built on first use count, as
they do for the command line), once after a warm-up repair of "中文".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: name -> Python expression for the input
INPUTS = {
    "100 KB of '?'": '"?" * 100_000',
    "100 KB of U+FFFD": '"\\ufffd" * 100_000',
    "CJK and '?' alternating": '"中?" * 50_000',
    "mojibake and U+FFFD alternating": '"涓\\ufffd" * 50_000',
    "one mojibake character repeated": '"鍙" * 100_000',
    "2,500 short lossy lines": '("涓\\ufffd鏂\\ufffd" * 10 + "\\n") * 2500',
    "U+FFFD every third character": '"中文\\ufffd" * 33_334',
    # not adversarial, but the most work a text can ask for: every line is
    # real mojibake that lost bytes (each lossless and lossy search runs);
    # a file of 100 KB, and 100,000 characters (some 290 KB of UTF-8)
    "100 KB of lossy GBK mojibake lines": "_lossy_lines(100_000, in_bytes=True)",
    "100,000 characters of lossy GBK mojibake lines": "_lossy_lines(100_000)",
    # UTF-8 read as Windows-1252 by Python with errors="replace": every
    # character whose bytes hold one of the five undefined bytes keeps a
    # U+FFFD, and the lossless search meets every line of it
    "100 KB of UTF-8 read as cp1252, undefined bytes as U+FFFD": "_cp1252_lines(100_000)",
    # a garbled sentence (UTF-8 read as GBK with U+FFFD, or GBK read as
    # Latin-1) between two correct ones, every line: the span search and
    # the lossy search meet every line, no document shortcut applies
    "100 KB of lines with a garbled sentence inside": "_embedded_lines(100_000)",
    # the same damages as one line of 100 KB (no newline: a paragraph of a
    # page scraped whole), analysed in pieces of 4,000 characters
    "one line of 100 KB: UTF-8 read as GBK with U+FFFD": "_one_line('gbk', 100_000)",
    "one line of 100 KB: UTF-8 read as cp1252 with U+FFFD": "_one_line('cp1252', 100_000)",
}

#: the sentences garbled for the last input: the project's own test
#: sentences (UTF-8 read as GBK, bytes lost three ways)
_SENTENCES = ROOT / "tests" / "data" / "sentences.json"

_CHILD = """
import sys, time, encfix
from encfix.codecs._loss import LOSS_MODELS
sys.path.insert(0, {root!r})
encfix.repair("中文")

def _lossy_lines(size, in_bytes=False):
    import json
    with open({sentences!r}, encoding="utf-8") as f:
        sentences = json.load(f)["zh-Hans"]
    models = ("cpython-replace", "whatwg", "whatwg-question")
    # (two sentences a line, paired differently each time: no line repeats,
    # so none is answered from the analysis of an earlier one)
    lines, n, k, m = [], 0, 0, len(sentences)
    while n < size:
        s = sentences[k % m] + sentences[(k // m + 7 * k + 1) % m]
        line = LOSS_MODELS[models[k % 3]].decode(s.encode("utf-8"), "gbk")
        lines.append(line)
        n += len(line.encode("utf-8") if in_bytes else line) + 1
        k += 1
    text = "\\n".join(lines)
    if in_bytes:
        return text.encode("utf-8")[:size].decode("utf-8", "ignore")
    return text[:size]

def _cp1252_lines(size):
    import json
    with open({sentences!r}, encoding="utf-8") as f:
        sentences = json.load(f)["zh-Hans"]
    # (two sentences a line, paired differently each time: no line repeats)
    lines, n, k, m = [], 0, 0, len(sentences)
    while n < size:
        pair = sentences[k % m] + sentences[(k // m + 7 * k + 1) % m]
        line = pair.encode("utf-8").decode("cp1252", "replace")
        lines.append(line)
        n += len(line.encode("utf-8")) + 1
        k += 1
    return "\\n".join(lines).encode("utf-8")[:size].decode("utf-8", "ignore")

def _embedded_lines(size):
    import json
    with open({sentences!r}, encoding="utf-8") as f:
        sentences = json.load(f)["zh-Hans"]
    lines, n, k, m = [], 0, 0, len(sentences)
    while n < size:
        a, b, c = sentences[k % m], sentences[(k // m + 7 * k + 1) % m], sentences[(3 * k + 2) % m]
        if k % 2:
            g = b.encode("utf-8").decode("gbk", "replace")
        else:
            g = b.encode("gbk").decode("latin-1")
        line = a + g + c
        lines.append(line)
        n += len(line.encode("utf-8")) + 1
        k += 1
    return "\\n".join(lines).encode("utf-8")[:size].decode("utf-8", "ignore")

def _one_line(decoder, size):
    import json
    with open({sentences!r}, encoding="utf-8") as f:
        sentences = json.load(f)["zh-Hans"]
    text = "".join(sentences * (1 + size // 100))
    return text.encode("utf-8").decode(decoder, "replace").encode("utf-8")[:size].decode("utf-8", "ignore")

text = eval({expr!r})
t = time.perf_counter()
r = encfix.repair(text)
print(time.perf_counter() - t, len(text), len(text.encode("utf-8")), len(r.fixes), len(r.unrecoverable))
"""


def run() -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, expr in INPUTS.items():
        p = subprocess.run(
            [
                sys.executable,
                "-c",
                _CHILD.format(root=str(ROOT), expr=expr, sentences=str(_SENTENCES)),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        secs, chars, size, fixes, lost = p.stdout.split()
        out[name] = {
            "seconds": float(secs),
            "chars": int(chars),
            "bytes": int(size),
            "fixes": int(fixes),
            "unrecoverable": int(lost),
        }
        print(
            f"{name:48} {float(secs):6.2f} s  ({int(chars):,} chars, {int(size):,} bytes, "
            f"{fixes} fixes, {lost} lost spans)"
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", metavar="OUT")
    args = ap.parse_args()
    res = run()
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
