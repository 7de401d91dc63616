"""Throughput of encfix.repair, ftfy.fix_text and ftfy.fix_encoding side by side, in one run.

    python bench/speed.py [--quick] [--json OUT]

Workloads (from ``../shared/corpora``, third-party test data used only to measure):

* clean CJK text: every zh/ja/ko segment, joined with newlines;
* clean CJK pages: the CJK corpus files whole, as scraped (markup, long
  lines, characters lost upstream as "?"); per document = per file;
* clean non-CJK text: the negative (Latin/Cyrillic) segments;
* lossless garbled CJK text: the CJK segments, each garbled once through one
  chain of a fixed realistic mix (:data:`MIX`), one garbled line per segment;

each timed as *one big text* (a single call) and *per document* (~100-line
documents, one call each).  MB/s = UTF-8 bytes of the input / seconds, with
MB = 10**6 bytes.  Each measurement is repeated (3 times by default),
interleaving the tools (their order rotates every round); the best (fastest)
repeat is the headline and the median is recorded beside it.  A measurement
shorter than ``--min-time`` is looped and averaged so that short inputs are
not timer noise.

Also: CLI start-up (``echo 'ÖÐÎÄ' | encfix fix``, wall time over 10 runs, with
``python -c pass`` and ftfy's CLI as baselines), the three acceptance
examples, and peak RSS.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _corpus import available, documents, segments
from _garble import LANG_ORIGINALS, NON_CJK_ORIGINALS, garble

CJK_LANGS = ("zh", "ja", "ko")

#: the realistic mix of lossless chains for the garbled workload (innermost first)
MIX: tuple[tuple[str, ...], ...] = (
    ("utf-8", "gbk"),
    ("utf-8", "cp1252"),
    ("utf-8", "cp932"),
    ("utf-8", "latin-1"),
    ("gbk", "latin-1"),
    ("big5", "cp1252"),
    ("utf-8", "cp1252", "utf-8", "cp1252"),
)

#: the acceptance examples: garbled input -> expected output
ACCEPTANCE = (
    ("鏁版嵁瀵煎嚭鎴愬姛", "数据导出成功"),
    ("ÖÐÎÄ", "中文"),
    ("縺薙ｓ縺ｫ縺｡縺ｯ", "こんにちは"),
)

TOOL_NAMES = ("encfix", "ftfy.fix_text", "ftfy.fix_encoding")
MB = 1e6


def tools() -> dict[str, Callable[[str], str]]:
    import ftfy

    import encfix

    return {
        "encfix": lambda t: encfix.repair(t).text,
        "ftfy.fix_text": ftfy.fix_text,
        "ftfy.fix_encoding": ftfy.fix_encoding,
    }


# --------------------------------------------------------------------------- inputs


def chain_name(chain: Sequence[str]) -> str:
    return "→".join(chain)


def garble_mix(texts: Sequence[tuple[str, str]], seed: int = 11) -> list[tuple[str, str, str]]:
    """``(chain, original, garbled)`` for each ``(language, text)``, in input order.

    Each segment goes through the chain of :data:`MIX` used least so far among
    those that suit its language (GBK and Big5 only for zh) and carry it
    losslessly; segments are dealt in a seeded random order, so the mix is as
    even as the corpus allows.  UTF-8 read as GBK or cp932 is rarely lossless,
    so those two stay under-represented.  Segments no chain can carry are dropped."""
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    used = dict.fromkeys(MIX, 0)
    got: dict[int, tuple[str, str, str]] = {}
    for i in order:
        lang, text = texts[i]
        allowed = LANG_ORIGINALS.get(lang, NON_CJK_ORIGINALS)
        for chain in sorted((c for c in MIX if c[0] in allowed), key=lambda c: used[c]):
            g = garble(text, chain)
            if g is not None and "\n" not in g:
                got[i] = (chain_name(chain), text, g)
                used[chain] += 1
                break
    return [got[i] for i in sorted(got)]


def _sample(items: list[Any], n: int, seed: int) -> list[Any]:
    """``n`` items drawn at random but kept in corpus order (all when ``n`` <= 0)."""
    if n <= 0 or n >= len(items):
        return list(items)
    keep = sorted(random.Random(seed).sample(range(len(items)), n))
    return [items[i] for i in keep]


def _docs(lines: Sequence[str], size: int) -> list[str]:
    return ["\n".join(lines[i : i + size]) for i in range(0, len(lines), size)]


def _docs_by_size(lines: Sequence[str], sizes: Sequence[int]) -> list[str]:
    out, i = [], 0
    for n in sizes:
        out.append("\n".join(lines[i : i + n]))
        i += n
    return out


def build_workloads(args: argparse.Namespace) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    segs = segments()
    cjk = [(s.language, s.text) for s in segs if s.language in CJK_LANGS]
    neg = [s.text for s in segs if s.language not in CJK_LANGS]
    clean = _sample(cjk, args.clean_lines, seed=3)
    pages = [text for _, text in documents(roles=("cjk",))]
    garbled_all = garble_mix(cjk)
    garbled = _sample(garbled_all, args.garbled_lines, seed=5)
    info = {
        "cjk_segments": len(cjk),
        "negative_segments": len(neg),
        "garbled_segments": len(garbled_all),
        "garbled_dropped": len(cjk) - len(garbled_all),
        "garbled_mix_all": dict(Counter(c for c, _, _ in garbled_all)),
        "garbled_mix_timed": dict(Counter(c for c, _, _ in garbled)),
    }
    w: dict[str, dict[str, Any]] = {
        "clean_cjk": {
            "label": "clean CJK",
            "lines": [t for _, t in clean],
            "expected": [t for _, t in clean],
        },
        # whole corpus files as scraped: markup, long lines, the odd "?" of
        # a character lost upstream; each file one document
        "clean_cjk_pages": {
            "label": "clean CJK pages (whole files)",
            "lines": [line for f in pages for line in f.split("\n")],
            "expected": [line for f in pages for line in f.split("\n")],
            "doc_sizes": [f.count("\n") + 1 for f in pages],
        },
        "clean_non_cjk": {"label": "clean non-CJK", "lines": neg, "expected": neg},
        "garbled_cjk": {
            "label": "garbled CJK (mix)",
            "lines": [g for _, _, g in garbled],
            "expected": [o for _, o, _ in garbled],
        },
    }
    # per-chain breakdown (per document only): each chain gets its own sample of
    # segments it can carry, so the rare chains of the mix get as many lines as the others
    for chain in MIX if args.per_chain_lines > 0 else ():
        c = chain_name(chain)
        pool = [(lang, t) for lang, t in cjk if chain[0] in LANG_ORIGINALS.get(lang, NON_CJK_ORIGINALS)]
        random.Random(f"{c}:7").shuffle(pool)
        pairs = []
        for _, t in pool:
            g = garble(t, chain)
            if g is not None and "\n" not in g:
                pairs.append((t, g))
                if len(pairs) >= args.per_chain_lines:
                    break
        if pairs:
            w[f"garbled:{c}"] = {
                "label": f"garbled {c}",
                "lines": [g for _, g in pairs],
                "expected": [o for o, _ in pairs],
                "per_chain": True,
            }
    return w, info


# --------------------------------------------------------------------------- timing


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def _run_once(fn: Callable[[str], str], docs: Sequence[str], budget: float) -> tuple[float, list[str]]:
    """Seconds for ``[fn(d) for d in docs]`` and its outputs; raises _Timeout past ``budget``."""
    if budget > 0:
        signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        t0 = time.perf_counter()
        outs = [fn(d) for d in docs]
        dt = time.perf_counter() - t0
    finally:
        if budget > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return dt, outs


def measure(
    fn: Callable[[str], str], docs: Sequence[str], min_time: float, budget: float
) -> tuple[float, int, list[str]]:
    """(seconds per pass, passes averaged, outputs of the first pass)."""
    gc.collect()  # once per measurement, outside the timed region (the collector stays enabled)
    dt, outs = _run_once(fn, docs, budget)
    if dt >= min_time:
        return dt, 1, outs
    loops = min(1000, max(2, math.ceil(min_time / max(dt, 1e-6))))
    total = 0.0
    for _ in range(loops):
        t, _ = _run_once(fn, docs, budget)
        total += t
    return total / loops, loops, outs


def _check(outs: Sequence[str], docs: Sequence[str], expected: Sequence[str]) -> dict[str, int]:
    """Lines equal to the expected (clean) text, over all documents."""
    exp_docs = ["\n".join(expected[i : i + n]) for i, n in _spans(docs)]
    ok = 0
    for out, exp in zip(outs, exp_docs, strict=True):
        a, b = out.split("\n"), exp.split("\n")
        if len(a) == len(b):
            ok += sum(x == y for x, y in zip(a, b, strict=True))
    return {"lines_ok": ok, "lines": len(expected)}


def _spans(docs: Sequence[str]) -> list[tuple[int, int]]:
    out, i = [], 0
    for d in docs:
        n = d.count("\n") + 1
        out.append((i, n))
        i += n
    return out


def run_speed(
    workloads: dict[str, dict[str, Any]],
    fns: dict[str, Callable[[str], str]],
    *,
    repeats: int,
    doc_lines: int,
    min_time: float,
    budget: float,
    log: Callable[..., Any],
) -> dict[str, Any]:
    """Interleaved, repeated measurements: returns ``{workload: {mode: {tool: stats}}}``."""
    plan = []  # (workload, mode, docs)
    for key, w in workloads.items():
        lines = w["lines"]
        if not w.get("per_chain"):
            plan.append((key, "one_big_text", ["\n".join(lines)]))
        sizes = w.get("doc_sizes")
        plan.append((key, "per_document", _docs_by_size(lines, sizes) if sizes else _docs(lines, doc_lines)))
    times: dict[tuple[str, str, str], list[float]] = {}
    extra: dict[tuple[str, str, str], dict[str, Any]] = {}
    dead: set[tuple[str, str, str]] = set()
    names = list(fns)
    old = signal.signal(signal.SIGALRM, _alarm) if budget > 0 else None
    try:
        for r in range(repeats):
            order = names[r % len(names) :] + names[: r % len(names)]
            for key, mode, docs in plan:
                for name in order:
                    k = (key, mode, name)
                    if k in dead:
                        continue
                    try:
                        dt, loops, outs = measure(fns[name], docs, min_time, budget)
                    except _Timeout:
                        dead.add(k)
                        extra.setdefault(k, {})["error"] = f"timed out (> {budget:g} s for one pass)"
                        log(f"   {name} on {key}/{mode}: TIMED OUT (> {budget:g} s)")
                        continue
                    except Exception as e:  # a crash is a result
                        dead.add(k)
                        extra.setdefault(k, {})["error"] = f"{type(e).__name__}: {e}"
                        log(f"   {name} on {key}/{mode}: CRASHED {type(e).__name__}: {e}")
                        continue
                    times.setdefault(k, []).append(dt)
                    if r == 0:
                        checked = _check(outs, docs, workloads[key]["expected"])
                        extra.setdefault(k, {}).update(loops=loops, **checked)
            log(f"   round {r + 1}/{repeats} done")
    finally:
        if old is not None:
            signal.signal(signal.SIGALRM, old)
    out: dict[str, Any] = {}
    for key, mode, docs in plan:
        nbytes = sum(len(d.encode("utf-8")) for d in docs)
        for name in names:
            k = (key, mode, name)
            ts = times.get(k, [])
            st: dict[str, Any] = {"times_s": ts, **extra.get(k, {})}
            if ts:
                st["best_s"] = min(ts)
                st["median_s"] = statistics.median(ts)
                st["mb_s_best"] = nbytes / MB / min(ts)
                st["mb_s_median"] = nbytes / MB / statistics.median(ts)
            wl = out.setdefault(key, {"label": workloads[key]["label"], "modes": {}})
            m = wl["modes"].setdefault(mode, {"bytes": nbytes, "docs": len(docs), "tools": {}})
            wl["lines"] = len(workloads[key]["lines"])
            m["tools"][name] = st
    return out


# --------------------------------------------------------------------------- CLI


def _cli_command() -> list[str]:
    script = Path(sys.executable).parent / "encfix"
    if script.is_file():
        return [str(script)]
    found = shutil.which("encfix")
    return [found] if found else [sys.executable, "-m", "encfix.cli"]


#: the environment of timed commands: as on an installed system, bytecode
#: caches are written and used (a sandbox may set PYTHONDONTWRITEBYTECODE,
#: which makes every run compile every module again)
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _wall(cmd: list[str], stdin: str, runs: int) -> dict[str, Any]:
    # warm the file cache and the bytecode caches
    subprocess.run(cmd, input=stdin.encode("utf-8"), capture_output=True, check=False, env=_ENV)
    ts = []
    rc = None
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, input=stdin.encode("utf-8"), capture_output=True, check=False, env=_ENV)
        ts.append(time.perf_counter() - t0)
        rc = p.returncode
    return {
        "command": cmd,
        "runs": runs,
        "median_s": statistics.median(ts),
        "min_s": min(ts),
        "times_s": ts,
        "returncode": rc,
    }


_RSS_PROBE = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdin=sys.stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _child_rss_mb(cmd: list[str], stdin: str) -> float | None:
    """Peak RSS of ``cmd``, run from a small intermediate Python process: a child
    spawned straight from this (large) process inherits its RSS high-water mark."""
    p = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, *cmd],
        input=stdin.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    try:
        return int(p.stdout.decode().strip()) * 1024 / MB
    except ValueError:
        return None


def run_cli(runs: int) -> dict[str, Any]:
    cmd = [*_cli_command(), "fix"]
    res: dict[str, Any] = {"encfix fix": _wall(cmd, "ÖÐÎÄ\n", runs)}
    res["python -c pass"] = _wall([sys.executable, "-c", "pass"], "", runs)
    ftfy_cli = Path(sys.executable).parent / "ftfy"
    if ftfy_cli.is_file():
        res["ftfy (CLI)"] = _wall([str(ftfy_cli)], "ÖÐÎÄ\n", runs)
    res["encfix fix"]["peak_rss_mb"] = _child_rss_mb(cmd, "ÖÐÎÄ\n")
    acc = []
    for src, want in ACCEPTANCE:
        p = subprocess.run(cmd, input=(src + "\n").encode("utf-8"), capture_output=True, check=False)
        got = p.stdout.decode("utf-8", "replace").rstrip("\n")
        acc.append(
            {
                "input": src,
                "expected": want,
                "output": got,
                "returncode": p.returncode,
                "ok": got == want and p.returncode == 0,
                "stderr": p.stderr.decode("utf-8", "replace").strip()[:300],
            }
        )
    return {"startup": res, "acceptance": acc, "editable_install": _editable()}


def _editable() -> bool:
    """Is the timed encfix an editable install?  Its import hook (setuptools'
    finder) adds to every start: what users install with ``pip install .``
    starts faster."""
    import sysconfig

    return any(Path(sysconfig.get_paths()["purelib"]).glob("__editable__*encfix*"))


# --------------------------------------------------------------------------- driver


def _fmt(st: dict[str, Any] | None) -> str:
    if not st:
        return "-"
    if "mb_s_best" not in st:
        return "ERROR"
    return f"{st['mb_s_best']:.3g} ({st['mb_s_median']:.3g})"


def summary_lines(res: dict[str, Any]) -> list[str]:
    """Human-readable lines for a speed results dict."""
    lines = [f"speed ({res['statistic']}); MB/s = UTF-8 input bytes / s, MB = 10^6 bytes"]
    head = f"{'workload':60s} {'MB':>6s}  " + "  ".join(f"{n:>17s}" for n in TOOL_NAMES) + "  encfix/fix_text"
    lines.append(head)
    for _key, wl in res["workloads"].items():
        for mode, m in wl["modes"].items():
            label = f"{wl['label']}, {mode.replace('_', ' ')} ({wl['lines']} lines)"
            row = f"{label:60s} {m['bytes'] / MB:6.3f}  " + "  ".join(
                f"{_fmt(m['tools'].get(n)):>17s}" for n in TOOL_NAMES
            )
            e, f = m["tools"].get("encfix", {}), m["tools"].get("ftfy.fix_text", {})
            if "best_s" in e and "best_s" in f:
                row += f"  {f['best_s'] / e['best_s']:14.2f}x"
            lines.append(row)
    lines.append("lines left equal to the clean original (first repeat, per document):")
    for _key, wl in res["workloads"].items():
        m = wl["modes"]["per_document"]
        cells = []
        for n in TOOL_NAMES:
            st = m["tools"].get(n, {})
            cells.append(f"{n} {st['lines_ok']}/{st['lines']}" if "lines_ok" in st else f"{n} -")
        lines.append(f"   {wl['label']:42s} " + ", ".join(cells))
    errs = [
        (k, mode, n, st["error"])
        for k, wl in res["workloads"].items()
        for mode, m in wl["modes"].items()
        for n, st in m["tools"].items()
        if st.get("error")
    ]
    for k, mode, n, err in errs:
        lines.append(f"   ERROR {n} on {k}/{mode}: {err}")
    lines.append(
        "warm-up (first call, includes lazy loading): "
        + ", ".join(f"{n} {s:.2f}s" for n, s in res["warmup_s"].items())
    )
    cli = res.get("cli")
    if cli:
        for name, st in cli["startup"].items():
            rc = st["returncode"]
            bad = "" if rc == 0 else " -- FAILED, the time is of a failing run"
            lines.append(
                f"CLI start-up {name:16s} median {st['median_s'] * 1000:6.0f} ms, "
                f"min {st['min_s'] * 1000:6.0f} ms over {st['runs']} runs (exit {rc}){bad}"
            )
        for a in cli["acceptance"]:
            mark = "ok  " if a["ok"] else "FAIL"
            lines.append(
                f"   {mark} encfix fix: {a['input']} -> {a['output']!r} (want {a['expected']})"
                + ("" if a["ok"] else f"; exit {a['returncode']}, stderr: {a['stderr']}")
            )
    rss = res["peak_rss_mb"]["self"]
    cli_rss = (cli or {}).get("startup", {}).get("encfix fix", {}).get("peak_rss_mb")
    lines.append(
        f"peak RSS: bench process (corpora, encfix and ftfy loaded) {rss:.0f} MB"
        + (f"; encfix CLI fixing one line {cli_rss:.0f} MB" if cli_rss else "")
    )
    return lines


def run(args: argparse.Namespace, log: Callable[..., Any] = print) -> dict[str, Any]:
    """All speed measurements; returns the results dict."""
    if not available():
        raise FileNotFoundError("../shared/corpora is absent")
    t_start = time.perf_counter()
    workloads, info = build_workloads(args)
    fns = tools()
    warm: dict[str, float] = {}
    for name, fn in fns.items():
        t0 = time.perf_counter()
        for src, _ in ACCEPTANCE:
            fn(src)
        warm[name] = time.perf_counter() - t0
    log(f"speed: {len(workloads)} workloads x {len(fns)} tools x {args.repeats} repeats (interleaved)")
    res: dict[str, Any] = {
        "quick": bool(args.quick),
        "repeats": args.repeats,
        "statistic": f"best of {args.repeats} interleaved repeats, median in brackets",
        "doc_lines": args.doc_lines,
        "min_time_s": args.min_time,
        "inputs": info,
        "mix": [chain_name(c) for c in MIX],
        "warmup_s": warm,
    }
    res["workloads"] = run_speed(
        workloads,
        fns,
        repeats=args.repeats,
        doc_lines=args.doc_lines,
        min_time=args.min_time,
        budget=args.budget,
        log=log,
    )
    if args.cli_runs > 0:
        log("CLI start-up ...")
        res["cli"] = run_cli(args.cli_runs)
    res["peak_rss_mb"] = {"self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB}
    res["seconds"] = time.perf_counter() - t_start
    return res


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--quick", action="store_true", help="small inputs, for a fast smoke run")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--clean-lines",
        type=int,
        default=None,
        help="CJK segments for the clean workload (0 = all; default all, --quick 1500)",
    )
    ap.add_argument(
        "--garbled-lines",
        type=int,
        default=None,
        help="garbled lines timed (0 = all; default 6000, --quick 300)",
    )
    ap.add_argument(
        "--per-chain-lines",
        type=int,
        default=None,
        help="lines per chain in the per-chain breakdown (default 300, --quick 0 = skip)",
    )
    ap.add_argument("--doc-lines", type=int, default=100, help="lines per document")
    ap.add_argument(
        "--min-time",
        type=float,
        default=None,
        help="loop passes shorter than this (s) and average; default 0.2, --quick 0.05",
    )
    ap.add_argument(
        "--budget",
        type=float,
        default=300.0,
        help="give up on a tool/workload whose single pass exceeds this many seconds",
    )
    ap.add_argument("--cli-runs", type=int, default=None, help="CLI start-up runs (default 10, --quick 3)")


def resolve(args: argparse.Namespace) -> argparse.Namespace:
    """Fill the size defaults that depend on --quick."""
    q = args.quick
    if args.clean_lines is None:
        args.clean_lines = 1500 if q else 0
    if args.garbled_lines is None:
        args.garbled_lines = 300 if q else 6000
    if args.per_chain_lines is None:
        args.per_chain_lines = 0 if q else 300
    if args.min_time is None:
        args.min_time = 0.05 if q else 0.2
    if args.cli_runs is None:
        args.cli_runs = 3 if q else 10
    return args


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_arguments(ap)
    ap.add_argument("--json", type=Path, help="write the results here")
    args = resolve(ap.parse_args())
    if not available():
        print("skipped: ../shared/corpora is absent (the benchmark needs it)", file=sys.stderr)
        return 2
    res = run(args)
    for line in summary_lines(res):
        print(line)
    print(f"speed run took {res['seconds']:.0f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
