"""Decoding raw bytes: encfix.decode next to chardet, charset-normalizer and cchardet.

    python bench/decode.py [--json OUT] [--windows K] [--repeats N] [--show N]

Corpus: ``../shared/corpora`` (third-party labelled test files, used only to
measure; see its README).  Every file of MANIFEST.tsv except the ``dup_of``
copies; ``cjk`` and ``cjk-extra`` (Johab, UTF-32) files are the CJK set,
``negative`` files (Latin, Cyrillic) the non-CJK set.

Strict accuracy: a tool is right on an input when its decoding equals the
declared codec's decoding exactly (a leading U+FEFF is ignored on both sides:
a byte-order mark is not content).  A detector's answer is decoded strictly
with Python's codec of that name; an answer that cannot decode the input, or
that names no codec, is wrong.  encfix is scored on ``encfix.decode(data,
repair=False).text`` ("encfix") and, for full files, on the repaired text too
("encfix+repair").

Windows: for each file (stateless codecs only: a window of ISO-2022 or HZ
loses the escape state), up to K (default 8) windows of 32, 64 and 256 bytes
start at the first non-ASCII character at or after K evenly spaced offsets
(a byte >= 0x80 after an ASCII byte, on a character boundary of the declared
codec; UTF-16/32: the first non-ASCII code unit).  A window's end may cut a
character: the truth is the declared codec's decoding of the complete
characters; a detector's answer is decoded the same way (an incomplete final
sequence dropped), and U+FFFD that encfix writes for a cut character at
either edge is dropped before comparing.

MB/s: bytes of all full files / seconds for the tool to name the encoding and
decode (the best of ``--repeats`` passes, tools interleaved).  MB = 10**6 bytes.

Exit status 2 (skipped) when ``../shared/corpora`` is absent.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"
SIZES = (32, 64, 256)
STATEFUL = ("iso2022", "hz", "utf_7")

Detector = Callable[[bytes], "str | None"]


def _peers() -> dict[str, tuple[Detector, str]]:
    tools: dict[str, tuple[Detector, str]] = {}
    import chardet

    tools["chardet"] = (lambda d: chardet.detect(d).get("encoding"), chardet.__version__)
    import charset_normalizer

    def cn(d: bytes) -> str | None:
        best = charset_normalizer.from_bytes(d).best()
        return None if best is None else str(best.encoding)

    tools["charset-normalizer"] = (cn, charset_normalizer.__version__)
    try:
        import cchardet
    except ImportError:
        pass
    else:
        tools["cchardet"] = (lambda d: cchardet.detect(d).get("encoding"), str(cchardet.__version__))
    return tools


def _norm(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _codec(name: str) -> str:
    return codecs.lookup(name).name


def _decode_as(data: bytes, name: str | None, *, window: bool) -> str | None:
    if not name:
        return None
    try:
        if window:
            return codecs.getincrementaldecoder(name)("strict").decode(data, final=False)
        return data.decode(name)
    except (LookupError, UnicodeDecodeError, ValueError):
        return None


def _window_codec(codec: str, data: bytes) -> str:
    """A BOM-less codec for windows cut from a UTF-16/32 file."""
    c = _codec(codec)
    if c in ("utf-16", "utf-32"):
        le = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF32_LE))
        return c + ("-le" if le else "-be")
    if c == "utf-8-sig":
        return "utf-8"
    return c


def _starts(data: bytes, codec: str, k: int) -> list[int]:
    """Up to k window starts: first non-ASCII character at or after evenly spaced offsets."""
    c = _codec(codec)
    out: list[int] = []
    if c.startswith(("utf-16", "utf-32")):
        unit = 2 if c.startswith("utf-16") else 4
        wc = _window_codec(codec, data)
        bom = 0
        if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) and unit == 4:
            bom = 4
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and unit == 2:
            bom = 2
        for j in range(k):
            p = bom + ((len(data) - bom) * j // k) // unit * unit
            while p + unit <= len(data):
                try:
                    ch = data[p : p + unit].decode(wc)
                except UnicodeDecodeError:
                    p += unit
                    continue
                if not ch.isascii():
                    break
                p += unit
            if p + unit <= len(data) and p not in out:
                out.append(p)
        return out
    for j in range(k):
        p = len(data) * j // k
        while p < len(data):
            if data[p] >= 0x80 and (p == 0 or data[p - 1] < 0x80):
                try:
                    data[:p].decode(c)
                    data[p:].decode(c)
                    break
                except UnicodeDecodeError:
                    pass
            p += 1
        if p < len(data) and p not in out:
            out.append(p)
    return out


def _load() -> list[dict[str, Any]]:
    with open(CORPORA / "MANIFEST.tsv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if not r.get("dup_of")]
    files = []
    for r in rows:
        data = (CORPORA / r["file"]).read_bytes()
        files.append({**r, "data": data, "truth": _norm(data.decode(r["codec"]))})
    return files


def _windows(files: list[dict[str, Any]], k: int) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {n: [] for n in SIZES}
    for f in files:
        c = _codec(f["codec"])
        if c.replace("-", "_").startswith(STATEFUL):
            continue
        wc = _window_codec(f["codec"], f["data"])
        for s in _starts(f["data"], f["codec"], k):
            for n in SIZES:
                w = f["data"][s : s + n]
                truth = codecs.getincrementaldecoder(wc)("strict").decode(w, final=False)
                out[n].append({"file": f["file"], "role": f["role"], "data": w, "truth": _norm(truth)})
    return out


def _encfix_text(data: bytes, *, repair: bool, window: bool) -> str:
    import encfix

    text = encfix.decode(data, repair=repair).text
    if window:
        text = text.strip("\ufffd")
    return _norm(text)


def _score(
    items: list[dict[str, Any]], guess: Callable[[bytes], str], roles: tuple[str, ...]
) -> dict[str, Any]:
    chosen = [it for it in items if it["role"] in roles]
    wrong = [it["file"] for it in chosen if guess(it["data"]) != it["truth"]]
    n = len(chosen)
    right = n - len(wrong)
    return {"n": n, "right": right, "accuracy": round(right / n, 4) if n else None, "wrong": wrong}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "decode.json"))
    ap.add_argument("--windows", type=int, default=8, help="windows per file and size (default 8)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--show", type=int, default=0, help="print up to N wrong inputs per tool and set")
    ap.add_argument("--tools", default="", help="comma-separated subset of tools")
    args = ap.parse_args(argv)
    if not (CORPORA / "MANIFEST.tsv").is_file():
        print(f"skipped: {CORPORA} is absent, so there is nothing to measure decoding on.")
        return 2

    import encfix

    files = _load()
    windows = _windows(files, args.windows)
    peers = _peers()
    tools: dict[str, str] = {"encfix": encfix.__version__, **{k: v for k, (_f, v) in peers.items()}}
    if args.tools:
        keep = set(args.tools.split(","))
        tools = {k: v for k, v in tools.items() if k in keep}

    def guesser(tool: str, *, window: bool, repair: bool = False) -> Callable[[bytes], str]:
        if tool == "encfix":
            return lambda d: _encfix_text(d, repair=repair, window=window)
        detect = peers[tool][0]
        return lambda d: _norm(_decode_as(d, detect(d), window=window) or "\x00wrong")

    cjk = ("cjk", "cjk-extra")
    results: dict[str, Any] = {}
    for tool in tools:
        res: dict[str, Any] = {"version": tools[tool]}
        g = guesser(tool, window=False)
        res["cjk_full"] = _score(files, g, cjk)
        res["cjk_core_full"] = _score(files, g, ("cjk",))
        res["negative_full"] = _score(files, g, ("negative",))
        gw = guesser(tool, window=True)
        for n in SIZES:
            res[f"cjk_window_{n}"] = _score(windows[n], gw, cjk)
            res[f"negative_window_{n}"] = _score(windows[n], gw, ("negative",))
        if tool == "encfix":
            gr = guesser(tool, window=False, repair=True)
            res["repaired_cjk_full"] = _score(files, gr, cjk)
            res["repaired_negative_full"] = _score(files, gr, ("negative",))
        results[tool] = res
        print(f"{tool}: accuracy done", file=sys.stderr)

    # speed: name the encoding and decode, every full file; tools interleaved
    total = sum(len(f["data"]) for f in files)
    timers: dict[str, Callable[[bytes], object]] = {}
    for tool in tools:
        if tool == "encfix":
            timers["encfix"] = lambda d: encfix.decode(d, repair=False).text
        else:
            detect = peers[tool][0]
            timers[tool] = lambda d, detect=detect: _decode_as(d, detect(d), window=False)
    if "encfix" in tools:
        timers["encfix+repair"] = lambda d: encfix.decode(d).text
    best: dict[str, float] = {}
    names = list(timers)
    for r in range(args.repeats):
        order = names[r % len(names) :] + names[: r % len(names)]
        for tool in order:
            fn = timers[tool]
            t0 = time.perf_counter()
            for f in files:
                fn(f["data"])
            dt = time.perf_counter() - t0
            best[tool] = min(best.get(tool, dt), dt)
    for tool, dt in best.items():
        results.setdefault(tool, {})["mb_per_s"] = round(total / dt / 1e6, 3)
        results[tool]["seconds"] = round(dt, 3)

    doc = {
        "corpus": {
            "files": len(files),
            "cjk": sum(f["role"] in cjk for f in files),
            "negative": sum(f["role"] == "negative" for f in files),
            "bytes": total,
            "windows": {str(n): len(windows[n]) for n in SIZES},
        },
        "python": platform.python_version(),
        "tools": results,
    }
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    keys = ["cjk_full", "cjk_window_32", "cjk_window_64", "cjk_window_256", "negative_full"]
    print(f"{'tool':<20}" + "".join(f"{k:>16}" for k in [*keys, "MB/s"]))
    for tool, res in results.items():
        cells = []
        for k in keys:
            s = res.get(k)
            cells.append(f"{s['right']}/{s['n']} {100 * s['accuracy']:.1f}%" if s else "-")
        cells.append(f"{res.get('mb_per_s', 0):.2f}")
        print(f"{tool:<20}" + "".join(f"{c:>16}" for c in cells))
    if args.show:
        for tool, res in results.items():
            for k, s in res.items():
                if isinstance(s, dict) and s.get("wrong"):
                    print(f"{tool} {k}: {s['wrong'][: args.show]}")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
