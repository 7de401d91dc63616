"""Accuracy, lossy recovery and speed in one process; writes ``bench/results/latest.json``.

    python bench/run.py [--quick] [--limit N] [--lossy-limit N] [--out PATH]
                        [--no-speed] [--no-accuracy] [--no-lossy]

``--quick`` (a smoke run: 5 samples per lossless chain, 3 per lossy chain,
small speed inputs) writes
``bench/results/quick.json`` unless ``--out`` is given, so it never replaces
the full results that ``bench/report.py`` renders.  Exit status: 0 done,
2 skipped because ``../shared/corpora`` is absent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import speed
from _corpus import CORPORA, available

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _git(*args: str) -> str | None:
    try:
        p = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout.strip() if p.returncode == 0 else None


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    import encfix

    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "date": dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "nproc": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "versions": {
            "encfix": getattr(encfix, "__version__", None) or _version("encfix"),
            "ftfy": _version("ftfy"),
        },
        "git": {
            "commit": _git("rev-parse", "--short", "HEAD"),
            # tracked files modified but not committed: the numbers are for the working tree
            "dirty": bool(dirty) if dirty is not None else None,
        },
        "corpora": str(CORPORA),
    }


def accuracy_summary(acc: dict[str, Any]) -> list[str]:
    lines = [
        f"accuracy: {acc['samples']} garbled samples (up to {acc['limit']} per chain), "
        f"{acc['clean_segments']} clean segments"
    ]
    for name, t in acc["tools"].items():
        total = max(t["total"], 1)
        err = f", {t['errors']} EXCEPTIONS" if t.get("errors") else ""
        lines.append(
            f"   {name:18s} exact {t['exact']}/{t['total']} ({t['exact'] / total:.1%})  "
            f"embedded {t['embedded']}/{t['total']} ({t['embedded'] / total:.1%})  "
            f"clean changed {t['clean_changed']}/{acc['clean_segments']}{err}"
        )
    lines.append("   per chain group, exact isolated / embedded:")
    for group in acc["groups"]:
        cells = []
        for name, t in acc["tools"].items():
            n, ok, emb = t["per_group"][group]
            cells.append(f"{name} {ok / max(n, 1):6.1%} / {emb / max(n, 1):6.1%}")
        n = next(iter(acc["tools"].values()))["per_group"][group][0]
        lines.append(f"      {group:28s} n={n:<4d} " + "   ".join(cells))
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--limit", type=int, default=None, help="accuracy samples per chain (default 30; --quick 5)"
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results file (default bench/results/latest.json, --quick: quick.json)",
    )
    ap.add_argument(
        "--lossy-limit", type=int, default=None, help="lossy samples per chain (default 20; --quick 3)"
    )
    ap.add_argument("--no-accuracy", action="store_true")
    ap.add_argument("--no-lossy", action="store_true", help="skip the lossy-recovery bench")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="also print per-chain lines (accuracy, lossy)")
    speed.add_arguments(ap)  # --quick and the speed sizes
    args = ap.parse_args()
    speed.resolve(args)
    if not available():
        print(
            f"skipped: {CORPORA} is absent; the benchmark measures on those shared corpora "
            "and cannot run without them.",
            file=sys.stderr,
        )
        return 2
    if args.limit is None:
        args.limit = 5 if args.quick else 30
    if args.lossy_limit is None:
        args.lossy_limit = 3 if args.quick else 20
    out = args.out or RESULTS / ("quick.json" if args.quick else "latest.json")

    t0 = time.perf_counter()
    results: dict[str, Any] = {"quick": bool(args.quick), "machine": machine_info()}

    def quiet(*parts: Any) -> None:
        text = " ".join(str(p) for p in parts)
        if args.verbose or not text.startswith("   "):
            print(text, flush=True)

    # speed first: its warm-up call then measures encfix's lazy loading, and the
    # timings are not taken in a heap that accuracy has already churned
    if not args.no_speed:
        print("== speed ==", flush=True)
        results["speed"] = speed.run(args, log=lambda *p: print(*p, flush=True))
    if not args.no_accuracy:
        import accuracy

        print(f"== accuracy (--limit {args.limit}) ==", flush=True)
        ta = time.perf_counter()
        results["accuracy"] = accuracy.run(args.limit, log=quiet)
        results["accuracy"]["seconds"] = time.perf_counter() - ta
    if not args.no_lossy:
        import lossy

        print(f"== lossy recovery (--lossy-limit {args.lossy_limit}) ==", flush=True)
        results["lossy"] = lossy.run(args.lossy_limit, log=quiet)
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # KiB on Linux
    results["seconds"] = time.perf_counter() - t0

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out)

    m = results["machine"]
    print()
    print("== summary ==")
    dirty = ", uncommitted changes" if m["git"]["dirty"] else ""
    print(
        f"{m['date']}  Python {m['python']}  {m['cpu']} x{m['nproc']}  "
        f"encfix {m['versions']['encfix']} (git {m['git']['commit']}{dirty})  ftfy {m['versions']['ftfy']}"
    )
    if "accuracy" in results:
        for line in accuracy_summary(results["accuracy"]):
            print(line)
    if "lossy" in results:
        import lossy

        for line in lossy.summary_lines(results["lossy"]):
            print(line)
    if "speed" in results:
        for line in speed.summary_lines(results["speed"]):
            print(line)
    if "accuracy" in results:
        print(f"accuracy took {results['accuracy']['seconds']:.0f} s", end="; ")
    if "lossy" in results:
        print(f"lossy took {results['lossy']['seconds']:.0f} s", end="; ")
    if "speed" in results:
        print(f"speed took {results['speed']['seconds']:.0f} s", end="; ")
    print(
        f"total {results['seconds']:.0f} s; peak RSS of the whole run {results['peak_rss_mb']:.0f} MB; "
        f"wrote {out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
