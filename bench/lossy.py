"""Recovery of LOSSY mojibake (bytes replaced, dropped or read out of step), encfix vs ftfy.

    python bench/lossy.py [--limit N] [--show N] [--json OUT]

Each chain garbles clean corpus sentences with one of encfix's own loss models
(:mod:`encfix.codecs._loss`) and keeps only samples that really lost something.
An exact repair is often impossible here, so beside the exact rate the bench
measures how far each output is from the original (character error rate) and
how often a tool makes the text worse than the damaged input it was given.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ftfy
from _corpus import Segment, available, manifest, segments

import encfix
from encfix.codecs import DECODERS
from encfix.codecs._loss import LOSS_MODELS, nfkc, slipped

TOOLS: dict[str, Callable[[str], str]] = {
    "encfix": lambda t: encfix.repair(t).text,
    "encfix (lossy=False)": lambda t: encfix.repair(t, lossy=False).text,
    "ftfy.fix_text": ftfy.fix_text,
    "ftfy.fix_encoding": ftfy.fix_encoding,
}

SEED = 11

#: the language whose text each double-byte decoder's locale holds
DECODER_LANGUAGE = {"gbk": "zh-Hans", "big5": "zh-Hant", "cp932": "ja", "euc-jp": "ja", "cp949": "ko"}

#: the CPython codec the ``cpython-*`` loss models decode with (as their docstrings say)
_CPYTHON_CODEC = {"gbk": "gbk", "big5": "big5", "cp932": "cp932", "euc-jp": "euc_jp", "cp949": "cp949"}

#: the encoding a legacy stream is written in before it slips (slipped chains)
LEGACY_CODEC = {"gbk": "gbk", "big5": "big5", "cp932": "cp932", "cp949": "cp949"}

#: display names of the legacy streams
LEGACY_NAME = {"gbk": "GBK", "big5": "Big5", "cp932": "Shift_JIS (cp932)", "cp949": "EUC-KR (cp949)"}

#: chain groups, in display order; each also exists with " + NFKC"
GROUPS = (
    "UTF-8 read as CJK, U+FFFD (CPython replace)",
    "UTF-8 read as CJK, U+FFFD (browser)",
    "UTF-8 read as CJK, '?' or '・'",
    "UTF-8 read as GBK, private use dropped",
    "legacy stream slipped one byte",
    "legacy stream slipped, '<' swallowed",
)

#: what is appended to the sentence for the swallow chains
SWALLOW_TAIL = "</a>"


@dataclass(frozen=True)
class LossyChain:
    """One way of damaging a sentence with loss."""

    #: ``"decode"``: UTF-8 bytes decoded through ``model``; ``"slip"``: legacy bytes slipped
    kind: str
    decoder: str
    model: str = ""
    nfkc: bool = False
    swallow: bool = False

    @property
    def key(self) -> str:
        if self.kind == "decode":
            base = f"utf-8→{self.decoder} {self.model}"
        else:
            base = f"{self.decoder} slipped" + (" swallow" if self.swallow else "")
        return base + (" +nfkc" if self.nfkc else "")

    @property
    def group(self) -> str:
        if self.kind == "slip":
            g = GROUPS[5] if self.swallow else GROUPS[4]
        elif self.model == "cpython-replace":
            g = GROUPS[0]
        elif self.model == "whatwg":
            g = GROUPS[1]
        elif self.model == "pua-dropped":
            g = GROUPS[3]
        else:
            g = GROUPS[2]
        return g + (" + NFKC" if self.nfkc else "")

    @property
    def language(self) -> str:
        return DECODER_LANGUAGE[self.decoder]


def _chains() -> list[LossyChain]:
    out: list[LossyChain] = []
    five = ("gbk", "big5", "cp932", "euc-jp", "cp949")
    for model in ("cpython-replace", "whatwg", "whatwg-question"):
        for dec in five:
            out.append(LossyChain("decode", dec, model))
    out.append(LossyChain("decode", "cp932", "windows-question"))
    out.append(LossyChain("decode", "gbk", "pua-dropped"))
    for swallow in (False, True):
        for dec in LEGACY_CODEC:
            out.append(LossyChain("slip", dec, swallow=swallow))
    # every chain again with NFKC on top
    out += [LossyChain(c.kind, c.decoder, c.model, True, c.swallow) for c in out]
    return out


CHAINS: tuple[LossyChain, ...] = tuple(_chains())


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions; each costs 1)."""
    # the common prefix and suffix cost nothing; most pairs differ only in a few places
    i = 0
    n = min(len(a), len(b))
    while i < n and a[i] == b[i]:
        i += 1
    a, b = a[i:], b[i:]
    j = 0
    n = min(len(a), len(b))
    while j < n and a[-1 - j] == b[-1 - j]:
        j += 1
    if j:
        a, b = a[:-j], b[:-j]
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    prev = list(range(len(b) + 1))
    for x, ca in enumerate(a, 1):
        cur = [x]
        for y, cb in enumerate(b, 1):
            cur.append(min(prev[y] + 1, cur[y - 1] + 1, prev[y - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


#: what a tool writes for a character it could not recover
PLACEHOLDER = "\ufffd"


def shown(out: str, orig: str) -> tuple[int, int]:
    """(wrong, marked): characters of ``out`` that, aligned with ``orig`` at
    the least edit distance, stand where the original has another character
    or none, split into those a reader takes for text (wrong) and
    placeholders (U+FFFD: marked as lost).  A wrong character misleads; a
    placeholder only says that something is missing.  Both count the same
    in the character error rate."""
    i = 0
    n = min(len(out), len(orig))
    while i < n and out[i] == orig[i]:
        i += 1
    j = 0
    while j < n - i and out[-1 - j] == orig[-1 - j]:
        j += 1
    a, b = out[i : len(out) - j], orig[i : len(orig) - j]
    if not a:
        return 0, 0
    rows = [list(range(len(b) + 1))]
    for x, ca in enumerate(a, 1):
        prev = rows[-1]
        cur = [x]
        for y, cb in enumerate(b, 1):
            cur.append(min(prev[y] + 1, cur[y - 1] + 1, prev[y - 1] + (ca != cb)))
        rows.append(cur)
    wrong = marked = 0
    x, y = len(a), len(b)
    while x > 0:
        if y > 0 and rows[x][y] == rows[x - 1][y - 1] + (a[x - 1] != b[y - 1]):
            bad = a[x - 1] != b[y - 1]
            x, y = x - 1, y - 1
        elif rows[x][y] == rows[x - 1][y] + 1:
            bad = True
            x -= 1
        else:
            y -= 1
            continue
        if bad:
            if a[x] == PLACEHOLDER:
                marked += 1
            else:
                wrong += 1
    return wrong, marked


def language_pools() -> dict[str, list[str]]:
    """CJK sentences by language.  Chinese is split by the source file's
    encoding: GB2312/GB18030 files give zh-Hans, Big5 files zh-Hant (the few
    Chinese sentences from Unicode files are not used)."""
    codec = {row["file"]: row["codec"] for row in manifest()}
    pools: dict[str, list[str]] = defaultdict(list)
    seg: Segment
    for seg in segments(roles=("cjk",)):
        lang = seg.language
        if lang == "zh":
            src = codec.get(seg.source, "")
            if src in ("gb2312", "gb18030", "gbk"):
                lang = "zh-Hans"
            elif src in ("big5", "cp950", "big5hkscs"):
                lang = "zh-Hant"
            else:
                continue
        pools[lang].append(seg.text)
    return dict(pools)


def _strict(data: bytes, chain: LossyChain) -> str | None:
    """``data`` decoded without loss by the decoder the chain's model stands on, or None."""
    try:
        if chain.model.startswith("cpython-"):
            return data.decode(_CPYTHON_CODEC[chain.decoder])
        return DECODERS[chain.decoder].decode(data)
    except UnicodeDecodeError:
        return None


def _double_byte_starts(text: str, codec: str, since: int = 0) -> list[int]:
    """Byte offsets of the lead bytes of ``text``'s double-byte characters in
    ``codec``, counting only characters from index ``since`` on."""
    out = []
    pos = 0
    for i, ch in enumerate(text):
        width = len(ch.encode(codec))
        if width == 2 and i >= since:
            out.append(pos)
        pos += width
    return out


def garble(text: str, chain: LossyChain, rng: random.Random) -> tuple[str, str] | None:
    """``(original, garbled)`` for ``text`` damaged by ``chain``, or None when
    the chain cannot carry it or nothing was lost."""
    if chain.kind == "decode":
        data = text.encode("utf-8")
        g = LOSS_MODELS[chain.model].decode(data, chain.decoder)
        if g == _strict(data, chain):
            return None  # nothing lost
        if chain.model == "pua-dropped" and len(g) == len(LOSS_MODELS["whatwg"].decode(data, chain.decoder)):
            return None  # no private-use character was there to drop
        orig = text
    else:
        codec = LEGACY_CODEC[chain.decoder]
        orig = text + SWALLOW_TAIL if chain.swallow else text
        try:
            data = orig.encode(codec)
        except UnicodeEncodeError:
            return None
        if chain.swallow:
            # slip inside the last run of double-byte characters, so the stream
            # is still out of step when it reaches '<'
            since = max((i + 1 for i, c in enumerate(text) if ord(c) < 0x80), default=0)
            starts = _double_byte_starts(text, codec, since)
        else:
            starts = _double_byte_starts(text, codec)
        if not starts or (chain.nfkc and nfkc(orig) != orig):
            # with NFKC, only sentences NFKC leaves alone: the part of the
            # stream that decodes correctly would otherwise be folded too,
            # a loss outside the mojibake that no tool is meant to undo
            return None
        g = slipped(data, chain.decoder, rng.choice(starts), swallow=chain.swallow)
        if chain.swallow and g.endswith(SWALLOW_TAIL):
            return None  # the stream fell back in step before '<'
    if chain.nfkc:
        folded = nfkc(g)
        if folded == g:
            return None  # NFKC changed nothing: the plain chain covers it
        g = folded
    return None if g == orig else (orig, g)


def samples(limit: int, seed: int = SEED) -> list[tuple[LossyChain, str, str]]:
    """Up to ``limit`` ``(chain, original, garbled)`` per chain; each chain
    draws from its own generator, so adding a chain changes no other chain."""
    pools = language_pools()
    out = []
    for chain in CHAINS:
        rng = random.Random(f"{seed}:{chain.key}")
        pool = sorted(t for t in pools.get(chain.language, ()) if len(t) >= 8)
        rng.shuffle(pool)
        n = 0
        for text in pool:
            got = garble(text, chain, rng)
            if got is None:
                continue
            out.append((chain, *got))
            n += 1
            if n >= limit:
                break
    return out


#: per-chain counters: samples, exact, distance, original chars, input distance, worse, better,
#: unchanged, utf-8 bytes of input, wrong characters shown and placeholders (see :func:`shown`)
_FIELDS = (
    "n",
    "exact",
    "dist",
    "chars",
    "input_dist",
    "worse",
    "better",
    "unchanged",
    "bytes",
    "wrong",
    "marked",
)

#: loss markers counted for a sample's loss density
_MARKERS = ("\ufffd", "?", "\u30fb")

#: loss-density bands: (name, at most this many markers per original character)
DENSITY = (
    ("at most 1 marker per 5 characters", 0.2),
    ("more than 1 per 5", float("inf")),
)


def density_band(original: str, garbled: str) -> str:
    """The :data:`DENSITY` band of a sample: how many loss markers its damage
    left per character of the original (markers the original has itself
    not counted).  Where a byte in every second character is lost, exact
    recovery means guessing every second character."""
    markers = sum(max(garbled.count(m) - original.count(m), 0) for m in _MARKERS)
    rate = markers / max(len(original), 1)
    return next(name for name, top in DENSITY if rate <= top)


#: warm-up lines (encfix loads its models lazily), not from the corpora
_WARM = (
    ("数据导出成功。", "gbk"),
    ("資料匯出成功。", "big5"),
    ("こんにちは。", "cp932"),
    ("안녕하세요.", "cp949"),
)


def _rate(num: float, den: float) -> float:
    return num / den if den else 0.0


def _sum(rows: list[dict[str, Any]]) -> dict[str, Any]:
    tot: dict[str, Any] = {f: sum(r[f] for r in rows) for f in (*_FIELDS, "seconds", "errors")}
    return tot


def run(
    limit: int = 20,
    tools: dict[str, Callable[[str], str]] | None = None,
    show: int = 0,
    log: Callable[..., Any] = print,
    examples: int = 2,
) -> dict[str, Any]:
    """Measure every tool on the lossy chains; return the results dict.  Needs ``../shared/corpora``."""
    if not available():
        raise FileNotFoundError("../shared/corpora is absent")
    tools = TOOLS if tools is None else tools
    t_start = time.perf_counter()
    data = samples(limit)
    groups: dict[str, list[str]] = defaultdict(list)
    for chain in dict.fromkeys(c for c, _, _ in data):
        groups[chain.group].append(chain.key)
    order = [g + s for g in GROUPS for s in ("", " + NFKC")]
    input_dist = [levenshtein(g, o) for _, o, g in data]
    results: dict[str, Any] = {
        "limit": limit,
        "seed": SEED,
        "samples": len(data),
        "groups": {g: groups[g] for g in order if g in groups},
        "chains": {
            c.key: {"group": c.group, "language": c.language, "model": c.model or "slipped", "nfkc": c.nfkc}
            for c in dict.fromkeys(c for c, _, _ in data)
        },
        "input": {
            "chars": sum(len(o) for _, o, _ in data),
            "dist": sum(input_dist),
            "wrong": sum(shown(g, o)[0] for _, o, g in data),
            "bytes": sum(len(g.encode("utf-8")) for _, _, g in data),
        },
        "empty_chains": [c.key for c in CHAINS if c.key not in groups.get(c.group, ())],
        "tools": {},
    }
    for name, fn in tools.items():
        for text, dec in _WARM:
            g = LOSS_MODELS["whatwg"].decode(text.encode("utf-8"), dec)
            fn(g)
        per_chain: dict[str, dict[str, Any]] = {}
        per_band: dict[str, dict[str, Any]] = {
            name: dict.fromkeys((*_FIELDS, "seconds", "errors"), 0) for name, _ in DENSITY
        }
        worse_examples: list[dict[str, str]] = []
        worse_shown: dict[str, int] = defaultdict(int)
        error_examples: list[str] = []
        for (chain, orig, g), in_dist in zip(data, input_dist, strict=True):
            row = per_chain.setdefault(chain.key, dict.fromkeys((*_FIELDS, "seconds", "errors"), 0))
            t0 = time.perf_counter()
            try:
                out: str | None = fn(g)
            except Exception as e:  # a crash in a tool is a result, not the end of the bench
                out = None
                row["errors"] += 1
                if len(error_examples) < 20:
                    error_examples.append(f"{chain.key}: {type(e).__name__}: {e} (input {g[:60]!r})")
            seconds = time.perf_counter() - t0
            if out is None:  # an exception: the input stays as it was, and it counts as worse
                d, worse = in_dist, True
                wrong, marked = shown(g, orig)
            else:
                d = levenshtein(out, orig)
                worse = d > in_dist
                wrong, marked = shown(out, orig)
            for r in (row, per_band[density_band(orig, g)]):
                r["seconds"] += seconds
                r["n"] += 1
                r["chars"] += len(orig)
                r["input_dist"] += in_dist
                r["bytes"] += len(g.encode("utf-8"))
                if out is not None:
                    r["exact"] += out == orig
                    r["unchanged"] += out == g
                r["dist"] += d
                r["wrong"] += wrong
                r["marked"] += marked
                r["worse"] += worse
                r["better"] += d < in_dist
            if worse and worse_shown[chain.key] < examples:
                worse_shown[chain.key] += 1
                worse_examples.append(
                    {"chain": chain.key, "original": orig, "input": g, "output": "" if out is None else out}
                )
        per_group = {g: _sum([per_chain[k] for k in keys]) for g, keys in results["groups"].items()}
        total = _sum(list(per_chain.values()))
        results["tools"][name] = {
            "total": total,
            "per_group": per_group,
            "per_chain": per_chain,
            "per_density": per_band,
            "mb_s": total["bytes"] / 1e6 / total["seconds"] if total["seconds"] else None,
            "worse_examples": worse_examples,
            "errors": total["errors"],
            "error_examples": error_examples,
        }
        log(
            f"{name}: exact {total['exact']}/{total['n']} ({_rate(total['exact'], total['n']):.1%}), "
            f"CER {_rate(total['dist'], total['chars']):.2%} "
            f"(input {_rate(total['input_dist'], total['chars']):.2%}), "
            f"wrong characters shown {_rate(total['wrong'], total['chars']):.2%}, "
            f"marked lost {_rate(total['marked'], total['chars']):.2%}, "
            f"worse {total['worse']}/{total['n']}, {total['seconds']:.1f}s"
            + (f", {total['errors']} EXCEPTIONS" if total["errors"] else "")
        )
        for key, r in per_chain.items():
            log(
                f"   {key:36s} n={r['n']:<3d} exact {r['exact']:3d}  CER {_rate(r['dist'], r['chars']):7.2%}"
                f"  input {_rate(r['input_dist'], r['chars']):7.2%}  worse {r['worse']:3d}"
            )
        for ex in worse_examples[:show]:
            log(f"   WORSE {ex['chain']}\n      {ex['original']!r}\n      {ex['input']!r}")
            log(f"    → {ex['output']!r}")
        for e in error_examples[:5]:
            log("   EXCEPTION", e)
    results["seconds"] = time.perf_counter() - t_start
    return results


def summary_lines(res: dict[str, Any]) -> list[str]:
    """Human-readable lines for a lossy results dict."""
    inp = res["input"]
    lines = [
        f"lossy: {res['samples']} damaged samples (up to {res['limit']} per chain, "
        f"{sum(len(v) for v in res['groups'].values())} chains); "
        f"input CER {_rate(inp['dist'], inp['chars']):.2%}",
        f"   {'tool':22s} {'exact':>7s} {'CER':>7s} {'wrong':>7s} {'marked':>7s} {'worse':>7s} {'kB/s':>8s}",
    ]
    for name, t in res["tools"].items():
        tot = t["total"]
        n = max(tot["n"], 1)
        mbs = f"{t['mb_s'] * 1000:.2f}" if t.get("mb_s") else "-"
        err = f", {t['errors']} EXCEPTIONS" if t.get("errors") else ""
        lines.append(
            f"   {name:22s} {tot['exact'] / n:7.1%} {tot['dist'] / max(tot['chars'], 1):7.2%} "
            f"{tot.get('wrong', 0) / max(tot['chars'], 1):7.2%} "
            f"{tot.get('marked', 0) / max(tot['chars'], 1):7.2%} "
            f"{tot['worse'] / n:7.1%} {mbs:>8s}{err}"
        )
    names = list(res["tools"])
    if "per_density" in res["tools"][names[0]]:
        lines.append("   by loss density, exact / CER / worse:")
        for band, _ in DENSITY:
            first = res["tools"][names[0]]["per_density"][band]
            cells = []
            for name in names:
                g = res["tools"][name]["per_density"][band]
                n = max(g["n"], 1)
                cells.append(
                    f"{g['exact'] / n:5.0%}/{g['dist'] / max(g['chars'], 1):6.1%}/{g['worse'] / n:4.0%}"
                )
            lines.append(f"      {band:52s} n={first['n']:<4d}  " + "  ".join(cells))
    lines.append("   per chain group, exact / CER / worse:")
    names = list(res["tools"])
    for group in res["groups"]:
        first = res["tools"][names[0]]["per_group"][group]
        cells = []
        for name in names:
            g = res["tools"][name]["per_group"][group]
            n = max(g["n"], 1)
            cells.append(f"{g['exact'] / n:5.0%}/{g['dist'] / max(g['chars'], 1):6.1%}/{g['worse'] / n:4.0%}")
        lines.append(
            f"      {group:52s} n={first['n']:<4d} in {first['input_dist'] / max(first['chars'], 1):6.1%}  "
            + "  ".join(cells)
        )
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=20, help="samples per chain (default 20)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of " + ", ".join(TOOLS))
    ap.add_argument("--show", type=int, default=0, help="print this many worse-than-input examples per tool")
    args = ap.parse_args()
    if not available():
        print("skipped: ../shared/corpora is absent (the benchmark needs it)", file=sys.stderr)
        return 2
    tools = {k: TOOLS[k] for k in args.tools.split(",")}
    results = run(args.limit, tools, args.show)
    print()
    for line in summary_lines(results):
        print(line)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
