"""Exact-repair rate per chain and clean-text changes, encfix vs ftfy, in one run.

    python bench/accuracy.py [--limit N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ftfy  # noqa: E402
from _corpus import available, segments  # noqa: E402
from _garble import LANG_ORIGINALS, NON_CJK_ORIGINALS, STACKED, garble, required  # noqa: E402

import encfix  # noqa: E402
from encfix._repair._chains import CHAINS  # noqa: E402

TOOLS = {
    "encfix": lambda t: encfix.repair(t).text,
    "ftfy.fix_text": ftfy.fix_text,
    "ftfy.fix_encoding": ftfy.fix_encoding,
}


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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=100, help="samples per chain")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--tools", default="encfix,ftfy.fix_text,ftfy.fix_encoding")
    ap.add_argument("--show", type=int, default=0, help="print this many failures per chain")
    args = ap.parse_args()
    if not available():
        print("../shared/corpora is absent", file=sys.stderr)
        return 2
    tools = {k: TOOLS[k] for k in args.tools.split(",")}
    data = samples(args.limit)
    clean = segments()
    context = [s.text for s in clean if s.language in ("zh", "ja", "ko")][:400]
    results: dict[str, object] = {"samples": len(data), "clean_segments": len(clean), "tools": {}}
    for name, fn in tools.items():
        per_chain: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        fails: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        t0 = time.perf_counter()
        for i, (chain, orig, g) in enumerate(data):
            key = "→".join(chain)
            out = fn(g)
            per_chain[key][0] += 1
            if out == orig:
                per_chain[key][1] += 1
            elif len(fails[key]) < args.show:
                fails[key].append((orig, g, out))
            a, b = context[i % len(context)], context[(i * 7 + 3) % len(context)]
            emb = fn(a + "\n" + g + "\n" + b)
            if emb == a + "\n" + orig + "\n" + b:
                per_chain[key][2] += 1
        t_garbled = time.perf_counter() - t0
        t0 = time.perf_counter()
        changed = [s for s in clean if fn(s.text) != s.text]
        t_clean = time.perf_counter() - t0
        req = {k: v for k, v in per_chain.items() if required(tuple(k.split("→")))}
        total = sum(v[0] for v in req.values())
        exact = sum(v[1] for v in req.values())
        emb = sum(v[2] for v in req.values())
        xt = {k: v for k, v in per_chain.items() if k not in req}
        x_total = sum(v[0] for v in xt.values())
        x_exact = sum(v[1] for v in xt.values())
        results["tools"][name] = {  # type: ignore[index]
            "exact": exact,
            "extra_exact": x_exact,
            "extra_total": x_total,
            "embedded": emb,
            "total": total,
            "clean_changed": len(changed),
            "per_chain": dict(per_chain),
            "seconds_garbled": t_garbled,
            "seconds_clean": t_clean,
            "clean_changed_examples": [(s.language, s.text) for s in changed[:20]],
        }
        print(f"{name}: exact {exact}/{total} ({exact / total:.2%}), embedded {emb}/{total}, "
              f"extra chains {x_exact}/{x_total}, "
              f"clean changed {len(changed)}/{len(clean)}, {t_garbled:.1f}s + {t_clean:.1f}s")
        for key, (n, ok, em) in sorted(per_chain.items()):
            if ok < n or em < n:
                print(f"   {key:40s} {ok}/{n} emb {em}/{n}")
            for orig, g, out in fails.get(key, []):
                print(f"      {orig!r}\n      {g!r}\n    → {out!r}")
        for seg in changed[:10]:
            print("   CLEAN CHANGED", seg.language, repr(seg.text), "→", repr(fn(seg.text)))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
