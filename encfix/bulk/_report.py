"""The run's summary (JSON, and a few lines for the terminal) and its HTML report.

The HTML report is one self-contained file: inline CSS, inline SVG bar charts
(damage per chain, confidence of the fixes), and tables of examples with
their diffs and of the bad input; no script, nothing fetched.
"""

from __future__ import annotations

import html
import json
import os
from typing import Any

from encfix import __version__

from ._config import BulkConfig
from ._files import write_atomic
from ._paths import Skipped
from ._stats import BINS, Stats

__all__ = ["build_summary", "render_html", "short_summary", "write_reports"]


def _rate(n: float, seconds: float) -> float:
    return round(n / seconds, 1) if seconds > 0 else 0.0


def build_summary(
    cfg: BulkConfig,
    totals: Stats,
    *,
    bad_files: list[dict[str, Any]],
    skipped: list[Skipped],
    files: int,
    elapsed: float,
    run_records: int,
    run_bytes: int,
    resumed: bool,
) -> dict[str, Any]:
    problems = totals.bad + len(bad_files) + len(skipped)
    per_chain = dict(sorted(totals.per_chain.items(), key=lambda kv: (-kv[1], kv[0])))
    bins = [f"{i / BINS:.2f}-{(i + 1) / BINS:.2f}" for i in range(BINS)]
    return {
        "encfix": __version__,
        "exit_status": 1 if problems else 0,
        "files": files,
        "records": totals.records,
        "records_out": totals.records - totals.quarantined,
        "changed": totals.changed,
        "unchanged": totals.records - totals.changed - totals.bad,
        "fixes": totals.fixes,
        "bad": totals.bad,
        "quarantined": totals.quarantined,
        "unrecoverable": totals.unrecoverable,
        "bad_files": bad_files,
        "skipped": [{"source": s.source, "reason": s.reason} for s in skipped],
        "bad_reasons": dict(sorted(totals.bad_reasons.items())),
        "per_chain": per_chain,
        "confidence_histogram": dict(zip(bins, totals.histogram, strict=True)),
        "bytes_in": totals.bytes_in,
        "elapsed_s": round(elapsed, 3),
        "records_per_s": _rate(run_records, elapsed),
        "mb_per_s": round(run_bytes / 1e6 / elapsed, 2) if elapsed > 0 else 0.0,
        "this_run": {"records": run_records, "bytes": run_bytes},
        "resumed": resumed,
        "dry_run": cfg.dry_run,
        "settings": cfg.describe(),
        "examples": totals.examples,
        "bad_examples": totals.bad_examples,
    }


def short_summary(summary: dict[str, Any]) -> list[str]:
    """A few lines for standard error."""
    s = summary
    lines = [
        f"{s['records']:,} records in {s['files']:,} files: {s['changed']:,} repaired "
        f"({s['fixes']:,} fixes), {s['unchanged']:,} unchanged, {s['bad']:,} bad"
        + (f" ({s['quarantined']:,} quarantined)" if s["quarantined"] else "")
        + (" [dry run: nothing written]" if s["dry_run"] else "")
    ]
    if s["per_chain"]:
        top = list(s["per_chain"].items())[:3]
        lines.append("most damage: " + ", ".join(f"{k} ({v:,})" for k, v in top))
    problems = [f"{v:,} {k}" for k, v in s["bad_reasons"].items()]
    if s["bad_files"]:
        problems.append(f"{len(s['bad_files']):,} bad files")
    if s["skipped"]:
        problems.append(f"{len(s['skipped']):,} skipped")
    if problems:
        lines.append("bad input (see the report): " + ", ".join(problems))
    lines.append(
        f"{s['this_run']['bytes'] / 1e6:,.1f} MB in {s['elapsed_s']:.1f} s "
        f"({s['mb_per_s']:.1f} MB/s, {s['records_per_s']:,.0f} records/s)"
        + (" after resuming" if s["resumed"] else "")
    )
    lines.append(f"report: {os.path.join(s['settings']['report'], 'report.html')}")
    return lines


def write_reports(report_dir: str, summary: dict[str, Any]) -> None:
    data = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    write_atomic(os.path.join(report_dir, "summary.json"), [data.encode("utf-8", "backslashreplace")])
    page = render_html(summary)
    write_atomic(os.path.join(report_dir, "report.html"), [page.encode("utf-8", "backslashreplace")])


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:70em;
padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
.cards{display:flex;flex-wrap:wrap;gap:.8em}.card{border:1px solid #ddd;border-radius:6px;
padding:.5em 1em;min-width:8em}.card b{display:block;font-size:1.4em}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{border-bottom:1px solid #eee;
padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f6f6f6}
del{background:#fdd;text-decoration:line-through}ins{background:#dfd;text-decoration:none}
.ctx{color:#777}.bad{color:#a00}.ok{color:#070}svg text{font:12px system-ui,sans-serif}
.mono{font-family:ui-monospace,monospace;font-size:13px}
table.ex{table-layout:fixed}.ex col.w{width:21%}.ex col.d{width:17%}.ex col.c{width:10%}
.ex td,.bad-in td{overflow-wrap:anywhere}
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _bars(items: list[tuple[str, int]], *, colour: str, label_width: int = 260) -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return "<p>Nothing to show.</p>"
    top = max(v for _, v in items) or 1
    bar_w, row_h = 420, 22
    height = row_h * len(items) + 4
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_w + 80}" height="{height}" '
        f'role="img">'
    ]
    for i, (label, v) in enumerate(items):
        y = i * row_h + 2
        w = max(1.0, bar_w * v / top) if v else 0.0
        out.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{_e(label[:40])}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{colour}">'
            f"<title>{_e(label)}: {v:,}</title></rect>"
            f'<text x="{label_width + w + 6:.1f}" y="{y + 15}">{v:,}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _columns(hist: dict[str, int]) -> str:
    """The confidence histogram as vertical bars (inline SVG)."""
    items = list(hist.items())
    top = max((v for _, v in items), default=0) or 1
    col_w, h, top_pad = 30, 160, 20
    width = col_w * len(items) + 60
    base = h + top_pad
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{base + 40}" role="img">']
    for i, (label, v) in enumerate(items):
        x = 40 + i * col_w
        bh = (h * v / top) if v else 0
        out.append(
            f'<rect x="{x + 2}" y="{base - bh:.1f}" width="{col_w - 4}" height="{bh:.1f}" fill="#4a7ebb">'
            f"<title>confidence {label}: {v:,} fixes</title></rect>"
        )
        if v:
            out.append(f'<text x="{x + col_w / 2}" y="{base - bh - 4:.1f}" text-anchor="middle">{v:,}</text>')
        if i % 2 == 0:
            out.append(f'<text x="{x}" y="{base + 18}" text-anchor="middle">{label.split("-")[0]}</text>')
    out.append(f'<text x="{40 + col_w * len(items)}" y="{base + 18}" text-anchor="middle">1.00</text>')
    out.append(f'<line x1="40" y1="{base}" x2="{40 + col_w * len(items)}" y2="{base}" stroke="#999"/>')
    out.append("</svg>")
    return "".join(out)


def render_html(s: dict[str, Any]) -> str:
    cards = [
        ("records", s["records"]),
        ("repaired", s["changed"]),
        ("fixes", s["fixes"]),
        ("bad input", s["bad"] + len(s["bad_files"]) + len(s["skipped"])),
        ("quarantined", s["quarantined"]),
        ("MB/s", s["mb_per_s"]),
    ]
    status = (
        '<p class="ok">Every record was read; no bad input.</p>'
        if s["exit_status"] == 0
        else '<p class="bad">Some input was bad: it was passed through unchanged (or quarantined) '
        "and is listed below and in records.jsonl.</p>"
    )
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>encfix bulk report</title><style>{_CSS}</style></head><body>",
        "<h1>encfix bulk report</h1>",
        f"<p>{_e(', '.join(s['settings']['sources']))} &rarr; "
        f"{_e(s['settings']['out'] or 'in place')} &middot; encfix {_e(s['encfix'])}"
        f"{' &middot; dry run' if s['dry_run'] else ''}{' &middot; resumed' if s['resumed'] else ''}</p>",
        "<div class='cards'>",
        *(f"<div class='card'><b>{v:,}</b>{_e(k)}</div>" for k, v in cards),
        "</div>",
        status,
        f"<p>{s['files']:,} files, {s['bytes_in'] / 1e6:,.1f} MB of text; this run: "
        f"{s['this_run']['records']:,} records in {s['elapsed_s']:.1f} s "
        f"({s['records_per_s']:,.0f} records/s).</p>",
        "<h2>Damage per chain</h2>",
        "<p>Fixes by the mis-decodings they undid, innermost first "
        "(<code>utf-8 → gbk</code>: UTF-8 bytes decoded as GBK).</p>",
        _bars(list(s["per_chain"].items())[:20], colour="#c0504d"),
        "<h2>Confidence of the fixes</h2>",
        _columns(s["confidence_histogram"]),
        "<h2>Examples</h2>",
    ]
    if s["examples"]:
        parts.append(
            "<table class='ex'><col class='w'><col class='d'><col class='c'><col>"
            "<tr><th>where</th><th>damage</th><th>confidence</th><th>diff</th></tr>"
        )
        for ex in s["examples"]:
            diff = (
                f"<span class='ctx'>{_e(ex['context_before'])}</span><del>{_e(ex['before'])}</del>"
                f"<ins>{_e(ex['after'])}</ins><span class='ctx'>{_e(ex['context_after'])}</span>"
            )
            more = f" (+{ex['fixes'] - 1} more)" if ex["fixes"] > 1 else ""
            parts.append(
                f"<tr><td class='mono'>{_e(ex['source'])}<br>record {ex['record']}, {_e(ex['field'])}</td>"
                f"<td>{_e(ex['chain'])}<br><small>{_e(ex['description'])}</small></td>"
                f"<td>{ex['confidence']:.3f}</td><td>{diff}{_e(more)}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>Nothing was repaired.</p>")
    parts.append("<h2>Bad input</h2>")
    bad_rows = (
        [
            (b.get("source", ""), "", b.get("bad", ""), b.get("reason", ""), b.get("action", ""))
            for b in s["bad_files"]
        ]
        + [(k["source"], "", "skipped", k["reason"], "skipped") for k in s["skipped"]]
        + [
            (
                b.get("source", ""),
                f"line {b['line']}" if "line" in b else f"record {b.get('record', '')}",
                b.get("bad", ""),
                b.get("reason", ""),
                b.get("action", ""),
            )
            for b in s["bad_examples"]
        ]
    )
    if bad_rows:
        if s["bad_reasons"]:
            parts.append(_bars(list(s["bad_reasons"].items()), colour="#999", label_width=160))
        parts.append(
            "<table class='bad-in'><tr><th>source</th><th>where</th><th>kind</th><th>reason</th>"
            "<th>action</th></tr>"
        )
        for src, where, kind, reason, action in bad_rows:
            parts.append(
                f"<tr><td class='mono'>{_e(src)}</td><td>{_e(where)}</td><td>{_e(kind)}</td>"
                f"<td>{_e(reason)}</td><td>{_e(action)}</td></tr>"
            )
        parts.append("</table><p>Every bad record is listed in <code>records.jsonl</code>.</p>")
    else:
        parts.append("<p>None.</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
