"""Exact-repair rate per chain and clean-text changes, encfix vs ftfy, in one run.

    python bench/accuracy.py [--limit N] [--json OUT]

Importable: :func:`run` returns the results dict that ``--json`` writes
(``bench/run.py`` calls it).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ftfy
from _corpus import available, documents, segments
from _garble import LANG_ORIGINALS, NON_CJK_ORIGINALS, SINGLE, STACKED, garble, required

import encfix
from encfix._repair._chains import CHAINS

TOOLS: dict[str, Callable[[str], str]] = {
    "encfix": lambda t: encfix.repair(t).text,
    "ftfy.fix_text": ftfy.fix_text,
    "ftfy.fix_encoding": ftfy.fix_encoding,
}

#: chain groups, in display order (see :func:`chain_group`)
GROUPS = (
    "UTF-8 read as single-byte",
    "UTF-8 read as CJK multibyte",
    "legacy read as single-byte",
    "legacy read as other CJK",
    "two or more rounds",
    "extra (not required)",
)


def chain_group(chain: tuple[str, ...]) -> str:
    """The display group of ``chain`` (innermost first)."""
    if not required(chain):
        return GROUPS[5]
    if len(chain) > 2:
        return GROUPS[4]
    orig, dec = chain
    if orig == "utf-8":
        return GROUPS[0] if dec in SINGLE else GROUPS[1]
    return GROUPS[2] if dec in SINGLE else GROUPS[3]


def samples(limit: int, seed: int = 7) -> list[tuple[tuple[str, ...], str, str]]:
    rng = random.Random(seed)
    segs = segments()
    by_lang: dict[str, list[str]] = defaultdict(list)
    for s in segs:
        by_lang[s.language].append(s.text)
    chains = [c.names for c in CHAINS] + list(STACKED)
    out = []
    for chain in chains:
        pool = []
        for lang, texts in by_lang.items():
            allowed = LANG_ORIGINALS.get(lang, NON_CJK_ORIGINALS)
            if chain[0] in allowed:
                pool.extend(texts)
        rng.shuffle(pool)
        n = 0
        for text in pool:
            g = garble(text, chain)
            if g is None:
                continue
            out.append((chain, text, g))
            n += 1
            if n >= limit:
                break
    return out


def _guarded(fn: Callable[[str], str], errors: list[str]) -> Callable[[str], str | None]:
    """``fn``, but an exception is recorded in ``errors`` and counts as a failure (None)."""

    def call(text: str) -> str | None:
        try:
            return fn(text)
        except Exception as e:  # a crash in a tool is a result, not the end of the bench
            if len(errors) < 20:
                errors.append(f"{type(e).__name__}: {e} (input {text[:60]!r})")
            else:
                errors.append("")
            return None

    return call


def run(
    limit: int = 100,
    tools: dict[str, Callable[[str], str]] | None = None,
    show: int = 0,
    log: Callable[..., Any] = print,
) -> dict[str, Any]:
    """Measure every tool; return the results dict.  Needs ``../shared/corpora``."""
    if not available():
        raise FileNotFoundError("../shared/corpora is absent")
    tools = TOOLS if tools is None else tools
    data = samples(limit)
    clean = segments()
    docs = documents()
    context = [s.text for s in clean if s.language in ("zh", "ja", "ko")][:400]
    groups: dict[str, list[str]] = defaultdict(list)
    for chain in dict.fromkeys(c for c, _, _ in data):
        groups[chain_group(chain)].append("→".join(chain))
    results: dict[str, Any] = {
        "limit": limit,
        "samples": len(data),
        "clean_segments": len(clean),
        "clean_documents": len(docs),
        "groups": {g: groups[g] for g in GROUPS if g in groups},
        "tools": {},
    }
    for name, raw_fn in tools.items():
        errors: list[str] = []
        fn = _guarded(raw_fn, errors)
        per_chain: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        fails: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
        t0 = time.perf_counter()
        for i, (chain, orig, g) in enumerate(data):
            key = "→".join(chain)
            out = fn(g)
            per_chain[key][0] += 1
            if out == orig:
                per_chain[key][1] += 1
            elif len(fails[key]) < show:
                fails[key].append((orig, g, out))
            a, b = context[i % len(context)], context[(i * 7 + 3) % len(context)]
            emb = fn(a + "\n" + g + "\n" + b)
            if emb == a + "\n" + orig + "\n" + b:
                per_chain[key][2] += 1
        t_garbled = time.perf_counter() - t0
        t0 = time.perf_counter()
        changed = [s for s in clean if fn(s.text) != s.text]
        # whole files too: markup, long lines and context the segments lose
        docs_changed = [name for name, text in docs if fn(text) != text]
        t_clean = time.perf_counter() - t0
        req = {k: v for k, v in per_chain.items() if required(tuple(k.split("→")))}
        total = sum(v[0] for v in req.values())
        exact = sum(v[1] for v in req.values())
        emb = sum(v[2] for v in req.values())
        xt = {k: v for k, v in per_chain.items() if k not in req}
        x_total = sum(v[0] for v in xt.values())
        x_exact = sum(v[1] for v in xt.values())
        per_group: dict[str, list[int]] = {}
        for group, keys in results["groups"].items():
            per_group[group] = [sum(per_chain[k][j] for k in keys) for j in range(3)]
        results["tools"][name] = {
            "exact": exact,
            "extra_exact": x_exact,
            "extra_total": x_total,
            "embedded": emb,
            "total": total,
            "clean_changed": len(changed),
            "clean_documents_changed": len(docs_changed),
            "clean_documents_changed_examples": docs_changed[:20],
            "per_chain": dict(per_chain),
            "per_group": per_group,
            "seconds_garbled": t_garbled,
            "seconds_clean": t_clean,
            "clean_changed_examples": [(s.language, s.text) for s in changed[:20]],
            "errors": len(errors),
            "error_examples": [e for e in errors if e][:20],
        }
        log(
            f"{name}: exact {exact}/{total} ({exact / max(total, 1):.2%}), embedded {emb}/{total}, "
            f"extra chains {x_exact}/{x_total}, "
            f"clean changed {len(changed)}/{len(clean)} segments, "
            f"{len(docs_changed)}/{len(docs)} whole files, {t_garbled:.1f}s + {t_clean:.1f}s"
            + (f", {len(errors)} EXCEPTIONS" if errors else "")
        )
        for key, (n, ok, em) in sorted(per_chain.items()):
            if ok < n or em < n:
                log(f"   {key:40s} {ok}/{n} emb {em}/{n}")
            for orig, g, out in fails.get(key, []):
                log(f"      {orig!r}\n      {g!r}\n    → {out!r}")
        for seg in changed[:10]:
            log("   CLEAN CHANGED", seg.language, repr(seg.text), "→", repr(fn(seg.text)))
        for doc in docs_changed[:10]:
            log("   CLEAN FILE CHANGED", doc)
        for e in errors[:5]:
            if e:
                log("   EXCEPTION", e)
    return results


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=100, help="samples per chain")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--tools", default="encfix,ftfy.fix_text,ftfy.fix_encoding")
    ap.add_argument("--show", type=int, default=0, help="print this many failures per chain")
    args = ap.parse_args()
    if not available():
        print("skipped: ../shared/corpora is absent (the benchmark needs it)", file=sys.stderr)
        return 2
    tools = {k: TOOLS[k] for k in args.tools.split(",")}
    results = run(args.limit, tools, args.show)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
