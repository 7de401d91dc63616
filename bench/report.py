"""Render ``bench/results/latest.json`` as Markdown and put it between the README markers.

    python bench/report.py [--json PATH] [--readme PATH] [--print]

The text between ``<!-- bench:start -->`` and ``<!-- bench:end -->`` in the
README (default: README.md at the repository root) is replaced; the markers
stay.  ``--print`` only prints the Markdown.  Exit status: 0 done, 1 when the
results file or the markers are missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
START = "<!-- bench:start -->"
END = "<!-- bench:end -->"
TOOLS = ("encfix", "ftfy.fix_text", "ftfy.fix_encoding")
NONE = "\u2013"  # en dash: no value
TIMES = "\u00d7"


def _pct(num: int, den: int) -> str:
    if not den:
        return NONE
    p = 100 * num / den
    return f"{p:.2f}%" if 0 < p < 0.1 else f"{p:.1f}%"


def _size(nbytes: int) -> str:
    return f"{nbytes / 1e6:.2f} MB" if nbytes >= 100_000 else f"{nbytes / 1e3:.0f} kB"


def _mbs(x: float) -> str:
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def _date(iso: str) -> str:
    return iso.replace("T", " ")[:16]


def header(res: dict[str, Any]) -> list[str]:
    m = res.get("machine", {})
    v = m.get("versions", {})
    git = m.get("git", {})
    commit = git.get("commit") or "?"
    if git.get("dirty"):
        commit += " + uncommitted changes"
    kind = "quick smoke run (small samples)" if res.get("quick") else "full run"
    return [
        f"_{kind.capitalize()} of {_date(m.get('date', '?'))}: {m.get('cpu', '?')}, "
        f"{m.get('nproc', '?')} CPUs (shared machine), Python {m.get('python', '?')}; "
        f"encfix {v.get('encfix', '?')} (git {commit}), ftfy {v.get('ftfy', '?')}. "
        "Regenerate with `python bench/run.py && python bench/report.py`; "
        "what the numbers mean: [bench/README.md](bench/README.md)._",
    ]


def accuracy_section(acc: dict[str, Any]) -> list[str]:
    tools = [t for t in TOOLS if t in acc["tools"]]
    nchains = sum(len(v) for v in acc["groups"].values())
    out = [
        "#### Accuracy: exact repair of lossless mojibake",
        "",
        f"{acc['samples']} garbled sentences, up to {acc['limit']} per chain over {nchains} chains, "
        "drawn from the third-party corpora in `../shared/corpora`. *Isolated*: the garbled line "
        "alone must come back exactly. *Embedded*: the same line between two correct CJK lines; "
        "the whole text must come back exactly.",
        "",
        "| chain group | chains | samples | "
        + " | ".join(f"{t} isolated | {t} embedded" for t in tools)
        + " |",
        "|---|--:|--:|" + "--:|--:|" * len(tools),
    ]
    for group, chains in acc["groups"].items():
        n = acc["tools"][tools[0]]["per_group"][group][0]
        cells = []
        for t in tools:
            gn, ok, emb = acc["tools"][t]["per_group"][group]
            cells += [_pct(ok, gn), _pct(emb, gn)]
        out.append(f"| {group} | {len(chains)} | {n} | " + " | ".join(cells) + " |")
    first = acc["tools"][tools[0]]
    req_chains = sum(len(v) for g, v in acc["groups"].items() if not g.startswith("extra"))
    cells = []
    for t in tools:
        r = acc["tools"][t]
        cells += [f"**{_pct(r['exact'], r['total'])}**", f"**{_pct(r['embedded'], r['total'])}**"]
    out.append(f"| **all required chains** | {req_chains} | {first['total']} | " + " | ".join(cells) + " |")
    out += [
        "",
        f"Clean text: each of the {acc['clean_segments']} clean corpus segments (CJK and non-CJK) "
        "is given to the tool alone, and so is each whole corpus file (markup and long lines "
        "included); any change is a false repair.",
        "",
        "| tool | clean segments changed | clean whole files changed |",
        "|---|--:|--:|",
    ]
    for t in tools:
        c = acc["tools"][t]["clean_changed"]
        d = acc["tools"][t].get("clean_documents_changed")
        files = f"{d} / {acc['clean_documents']}" if d is not None else "not measured"
        out.append(f"| {t} | {c} / {acc['clean_segments']} ({_pct(c, acc['clean_segments'])}) | {files} |")
    errs = [(t, acc["tools"][t].get("errors", 0)) for t in tools if acc["tools"][t].get("errors")]
    if errs:
        out += ["", "Exceptions (counted as failures): " + ", ".join(f"{t} {n}" for t, n in errs) + "."]
    return out


LOSSY_TOOLS = ("encfix", "encfix (lossy=False)", "ftfy.fix_text", "ftfy.fix_encoding")


def _lossy_cell(row: dict[str, Any]) -> str:
    n, chars = row["n"], row["chars"]
    if not n:
        return NONE
    return f"{_pct(row['exact'], n)} / {_pct(row['dist'], chars)} / {_pct(row['worse'], n)}"


def _slow_mbs(x: float) -> str:
    """MB/s, with kB/s beside it when the rate is far below one MB/s."""
    if x >= 0.1:
        return f"{_mbs(x)} MB/s"
    return f"{x:.2g} MB/s ({x * 1000:.2g} kB/s)"


def lossy_section(lo: dict[str, Any]) -> list[str]:
    tools = [t for t in LOSSY_TOOLS if t in lo["tools"]]
    nchains = sum(len(v) for v in lo["groups"].values())
    first = lo["tools"][tools[0]]
    out = [
        "#### Lossy recovery: mojibake that lost bytes",
        "",
        f"{lo['samples']} damaged sentences, up to {lo['limit']} per chain over {nchains} chains: "
        "UTF-8 read as GBK, Big5, cp932, EUC-JP or cp949 with undecodable bytes replaced (U+FFFD, "
        "`?`, `・`) or private-use characters dropped, and legacy streams read one byte out of step; "
        "each chain also with NFKC on top. Each cell is *exact / CER / worse*: exact repairs, "
        "character error rate (edit distance to the original over its length) and the share of "
        "outputs further from the original than the damaged input. *Input CER* is the damaged "
        "input's own distance; a tool that changes nothing scores it.",
        "",
        "| chain group | chains | samples | input CER | " + " | ".join(tools) + " |",
        "|---|--:|--:|--:|" + "--:|" * len(tools),
    ]
    for group, chains in lo["groups"].items():
        g = first["per_group"][group]
        cells = [_lossy_cell(lo["tools"][t]["per_group"][group]) for t in tools]
        out.append(
            f"| {group} | {len(chains)} | {g['n']} | {_pct(g['input_dist'], g['chars'])} | "
            + " | ".join(cells)
            + " |"
        )
    tot = first["total"]
    cells = [f"**{_lossy_cell(lo['tools'][t]['total'])}**" for t in tools]
    out.append(
        f"| **all lossy chains** | {nchains} | {tot['n']} | **{_pct(tot['input_dist'], tot['chars'])}** | "
        + " | ".join(cells)
        + " |"
    )
    for band, row in first.get("per_density", {}).items():
        if row["n"]:
            cells = [_lossy_cell(lo["tools"][t]["per_density"][band]) for t in tools]
            out.append(
                f"| *samples with {band} lost* | | {row['n']} | {_pct(row['input_dist'], row['chars'])} | "
                + " | ".join(cells)
                + " |"
            )
    if "wrong" in tot:
        cells = [
            f"{t} {_pct(lo['tools'][t]['total']['wrong'], tot['chars'])} / "
            f"{_pct(lo['tools'][t]['total']['marked'], tot['chars'])}"
            for t in tools
        ]
        out += [
            "",
            "Of the character errors, *wrong / marked*: characters a reader would take for text that "
            "stand where the original has another or none, and placeholders (U+FFFD) that say a "
            "character was lost (both over the original's length; the input shows "
            f"{_pct(lo['input'].get('wrong', 0), tot['chars'])} wrong): " + ", ".join(cells) + ".",
        ]
    speeds = [
        f"{t} {_slow_mbs(lo['tools'][t]['mb_s'])}"
        for t in ("encfix", "encfix (lossy=False)")
        if lo["tools"].get(t, {}).get("mb_s")
    ]
    if speeds:
        secs = lo["tools"].get("encfix", first)["total"]["seconds"]
        out += [
            "",
            f"Speed on these {tot['n']} lines ({_size(tot['bytes'])} of damaged input, one call per line, "
            f"encfix {secs:.0f} s in all): " + ", ".join(speeds) + ".",
        ]
    if lo.get("empty_chains"):
        out += ["", "Chains that found no usable sample: " + ", ".join(lo["empty_chains"]) + "."]
    errs = [(t, lo["tools"][t].get("errors", 0)) for t in tools if lo["tools"][t].get("errors")]
    if errs:
        out += ["", "Exceptions (counted as worse): " + ", ".join(f"{t} {n}" for t, n in errs) + "."]
    return out


def speed_section(sp: dict[str, Any], run_rss: float | None = None) -> list[str]:
    tools = TOOLS
    stat = f"best of {sp['repeats']}"
    out = [
        f"#### Speed (MB/s, {stat}, tools interleaved)",
        "",
        "MB/s = UTF-8 bytes of input (10⁶ bytes per MB) / seconds, in one process after a warm-up call. "
        "*One big text*: all lines joined with newlines, one call; *per document*: "
        f"{sp['doc_lines']}-line documents (whole files: each file), one call each. "
        "The ratio is encfix's MB/s over ftfy.fix_text's (above 1: encfix is faster).",
        "",
        "| workload | lines | input | " + " | ".join(tools) + " | encfix / fix_text |",
        "|---|--:|--:|" + "--:|" * len(tools) + "--:|",
    ]
    per_chain = []
    for key, wl in sp["workloads"].items():
        for mode, m in wl["modes"].items():
            cells = []
            for t in tools:
                st = m["tools"].get(t, {})
                cells.append(_mbs(st["mb_s_best"]) if "mb_s_best" in st else ("error" if st else NONE))
            e, f = m["tools"].get("encfix", {}), m["tools"].get("ftfy.fix_text", {})
            ratio = f"{f['best_s'] / e['best_s']:.2f}{TIMES}" if "best_s" in e and "best_s" in f else NONE
            row = (
                f"| {wl['label']}, {mode.replace('_', ' ')} | {wl['lines']} | {_size(m['bytes'])} | "
                + " | ".join(cells)
                + f" | {ratio} |"
            )
            (per_chain if key.startswith("garbled:") else out).append(row)
    mix = sp.get("inputs", {}).get("garbled_mix_timed", {})
    if mix:
        out += [
            "",
            "Garbled mix (lines per chain, innermost first): "
            + ", ".join(f"{c} {n}" for c, n in sorted(mix.items(), key=lambda kv: -kv[1]))
            + ".",
        ]
    if per_chain:
        out += [
            "",
            "Garbled text by chain (per document):",
            "",
            "| chain | lines | input | " + " | ".join(tools) + " | encfix / fix_text |",
            "|---|--:|--:|" + "--:|" * len(tools) + "--:|",
        ]
        out += [r.replace("| garbled ", "| ", 1).replace(", per document |", " |", 1) for r in per_chain]
    errs = [
        f"{t} on {wl['label']} ({mode.replace('_', ' ')}): {st['error']}"
        for wl in sp["workloads"].values()
        for mode, m in wl["modes"].items()
        for t, st in m["tools"].items()
        if st.get("error")
    ]
    if errs:
        out += ["", "Errors: " + "; ".join(errs) + "."]
    cli = sp.get("cli")
    if cli:
        out += [
            "",
            "#### Command line",
            "",
            f"Wall time over {cli['startup']['encfix fix']['runs']} runs, after one discarded run"
            + (
                " (of the development virtualenv's editable install, whose import hook adds to the "
                "start; a regular `pip install .` starts faster)."
                if cli.get("editable_install")
                else "."
            ),
            "",
            "| command | median | min |",
            "|---|--:|--:|",
        ]
        shown = {
            "encfix fix": "echo 'ÖÐÎÄ' \\| encfix fix",
            "python -c pass": "python -c pass",
            "ftfy (CLI)": "echo 'ÖÐÎÄ' \\| ftfy",
        }
        for name, st in cli["startup"].items():
            failed = "" if st["returncode"] == 0 else f" (**failed**, exit status {st['returncode']})"
            out.append(
                f"| `{shown.get(name, name)}`{failed} | {st['median_s'] * 1000:.0f} ms "
                f"| {st['min_s'] * 1000:.0f} ms |"
            )
        acc = cli["acceptance"]
        ok = sum(a["ok"] for a in acc)
        shown_acc = [
            f"`{a['input']}` → `{a['output']}`"
            + ("" if a["ok"] else f" (**wrong**: want `{a['expected']}`, exit status {a['returncode']})")
            for a in acc
        ]
        out += [
            "",
            f"Acceptance examples through `encfix fix`: {ok}/{len(acc)} correct ("
            + ", ".join(shown_acc)
            + ").",
        ]
    rss = run_rss or sp.get("peak_rss_mb", {}).get("self")
    cli_rss = (cli or {}).get("startup", {}).get("encfix fix", {}).get("peak_rss_mb")
    if rss:
        line = f"Peak RSS: {rss:.0f} MB for the benchmark process (corpora, encfix and ftfy loaded)"
        if cli_rss:
            line += f"; {cli_rss:.0f} MB for `encfix fix` on one line"
        out += ["", line + "."]
    return out


DECODE_TOOLS = ("encfix", "chardet", "charset-normalizer", "cchardet")


def decode_section(doc: dict[str, Any]) -> list[str]:
    """Raw-bytes decoding (``bench/decode.py``): strict accuracy and MB/s."""
    corpus = doc["corpus"]
    tools = [t for t in DECODE_TOOLS if t in doc["tools"]]
    out = [
        "### Decoding raw bytes (`bench/decode.py`)",
        "",
        f"{corpus['files']} labelled files of `../shared/corpora` ({corpus['cjk']} CJK, "
        f"{corpus['negative']} non-CJK negatives, {_size(corpus['bytes'])}); strict accuracy = decodes to "
        "exactly the text the declared codec gives; windows start at a non-ASCII character.",
        "",
        "| tool | CJK full files | 32-byte windows | 64-byte | 256-byte | negatives | MB/s |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for t in tools:
        r = doc["tools"][t]

        def cell(key: str, r: dict[str, Any] = r) -> str:
            c = r.get(key)
            return _pct(c["right"], c["n"]) if c else "-"

        out.append(
            f"| {t} | {cell('cjk_full')} | {cell('cjk_window_32')} | {cell('cjk_window_64')} | "
            f"{cell('cjk_window_256')} | {cell('negative_full')} | {_mbs(r.get('mb_per_s', 0.0))} |"
        )
    return out


def render(res: dict[str, Any], decode: dict[str, Any] | None = None) -> str:
    lines = header(res)
    if "accuracy" in res:
        lines += ["", *accuracy_section(res["accuracy"])]
    if "lossy" in res:
        lines += ["", *lossy_section(res["lossy"])]
    if "speed" in res:
        lines += ["", *speed_section(res["speed"], res.get("peak_rss_mb"))]
    if decode is not None:
        lines += ["", *decode_section(decode)]
    return "\n".join(lines) + "\n"


def replace_between(text: str, body: str) -> str | None:
    """``text`` with the part between the markers replaced by ``body``, or None without markers."""
    i = text.find(START)
    j = text.find(END, i + len(START)) if i >= 0 else -1
    if i < 0 or j < 0:
        return None
    return text[: i + len(START)] + "\n" + body + text[j:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", type=Path, default=BENCH / "results" / "latest.json", help="results to render")
    ap.add_argument("--readme", type=Path, default=ROOT / "README.md", help="file with the markers")
    ap.add_argument("--print", action="store_true", help="only print the Markdown")
    args = ap.parse_args()
    try:
        res = json.loads(args.json.read_text(encoding="utf-8"))
    except FileNotFoundError:
        print(f"error: {args.json} does not exist; run `python bench/run.py` first.", file=sys.stderr)
        return 1
    decode_json = BENCH / "results" / "decode.json"
    decode = json.loads(decode_json.read_text(encoding="utf-8")) if decode_json.exists() else None
    body = render(res, decode)
    if args.print:
        sys.stdout.write(body)
        return 0
    try:
        text = args.readme.read_text(encoding="utf-8")
    except FileNotFoundError:
        print(f"error: {args.readme} does not exist.", file=sys.stderr)
        return 1
    new = replace_between(text, body)
    if new is None:
        print(
            f"error: {args.readme} has no {START} ... {END} markers (in that order); nothing written.",
            file=sys.stderr,
        )
        return 1
    if new != text:
        args.readme.write_text(new, encoding="utf-8")
    print(f"updated the benchmark section of {args.readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
