"""Repairing records: one JSONL line, one text file, one row of a table.

This is the one place where a record meets :func:`encfix.repair`: the worker
processes, the Ray adapter and the datatrove step all come through here, with
one frozen :class:`~encfix.Options`, so they give the same output as
``encfix fix`` on each record's text.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import encfix
from encfix import _regex
from encfix._options import Options
from encfix._types import Repair

from ._stats import Stats, chain_key

__all__ = [
    "Job",
    "RecordOutcome",
    "bad_entry",
    "repair_jsonl_line",
    "repair_text_file",
    "repair_values",
]

_MISSING = object()
#: characters of context around a fix in an example
_CONTEXT = 40
_SNIPPET = 200


@dataclass(frozen=True, slots=True)
class Job:
    """What every shard of a run is repaired with (sent to each worker once)."""

    options: Options
    fields: tuple[tuple[str, ...], ...] = (("text",),)
    columns: tuple[str, ...] = ("text",)
    id_field: tuple[str, ...] | None = ("id",)
    report_all: bool = False
    quarantine: bool = False
    max_record_bytes: int = 10 * 1024 * 1024


@dataclass(slots=True)
class RecordOutcome:
    """One record's repaired value(s) and its report entry (None: nothing to say)."""

    values: list[Any]
    changed: bool
    entry: dict[str, Any] | None


@functools.lru_cache(maxsize=64)
def _names(fields: tuple[tuple[str, ...], ...]) -> list[str]:
    return [".".join(f) for f in fields]


def _get(obj: Any, path: Sequence[str]) -> Any:
    cur = obj
    for p in path:
        if isinstance(cur, dict):
            if p not in cur:
                return _MISSING
            cur = cur[p]
        elif isinstance(cur, list) and p.isdigit() and int(p) < len(cur):
            cur = cur[int(p)]
        else:
            return _MISSING
    return cur


def _set(obj: Any, path: Sequence[str], value: Any) -> None:
    cur = obj
    for p in path[:-1]:
        cur = cur[int(p)] if isinstance(cur, list) else cur[p]
    last = path[-1]
    if isinstance(cur, list):
        cur[int(last)] = value
    else:
        cur[last] = value


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _repair(text: str, options: Options) -> Repair:
    return encfix.repair(text, options=options)


def _example(source: str, record: int, name: str, text: str, r: Repair) -> dict[str, Any]:
    f = r.fixes[0]
    return {
        "source": source,
        "record": record,
        "field": name,
        "chain": chain_key({"chain": f.chain, "kind": f.kind}),
        "description": f.description,
        "confidence": round(f.confidence, 4),
        "fixes": len(r.fixes),
        "context_before": text[max(0, f.start - _CONTEXT) : f.start],
        "before": f.before[:_SNIPPET],
        "after": f.after[:_SNIPPET],
        "context_after": text[f.end : f.end + _CONTEXT],
    }


def bad_entry(source: str, record: int | None, kind: str, reason: str, **where: Any) -> dict[str, Any]:
    """A report entry for bad input."""
    d: dict[str, Any] = {"source": source}
    if record is not None:
        d["record"] = record
    d.update(where)
    d.update({"changed": False, "bad": kind, "reason": reason})
    return d


def repair_values(
    texts: Sequence[Any],
    names: Sequence[str],
    job: Job,
    stats: Stats,
    *,
    source: str,
    record: int,
    where: dict[str, Any] | None = None,
) -> RecordOutcome:
    """Repair one record's text values (one per field or column, in order).

    A value that is missing (``None``) or not a string makes the record bad
    input: nothing of it is changed.  Counts go to ``stats``.
    """
    where = where or {}
    stats.records += 1
    for name, value in zip(names, texts, strict=True):
        if value is _MISSING or value is None:
            reason = f"field {name!r} is missing" if value is _MISSING else f"field {name!r} is null"
            return _bad(stats, source, record, "missing-field", reason, texts, where)
        if not isinstance(value, str):
            reason = f"field {name!r} is {_type_name(value)}, not a string"
            return _bad(stats, source, record, "not-a-string", reason, texts, where)
        if len(value) * 4 > job.max_record_bytes and len(value.encode("utf-8", "surrogatepass")) > (
            job.max_record_bytes
        ):
            n = len(value.encode("utf-8", "surrogatepass"))
            return _bad(stats, source, record, "too-large", _too_large(n, job), texts, where)
    out: list[Any] = list(texts)
    fields: dict[str, Any] = {}
    changed = False
    lost = False
    for i, (name, text) in enumerate(zip(names, texts, strict=True)):
        try:
            r = _repair(text, job.options)
        except Exception as e:  # a bug in encfix must not stop a corpus
            detail = str(e).strip().splitlines()
            reason = f"repairing field {name!r} failed: {type(e).__name__}" + (
                f": {detail[0]}" if detail else ""
            )
            return _bad(stats, source, record, "repair-error", reason, texts, where)
        if r.fixes or r.unrecoverable or r.notes or job.report_all:
            d = r.to_dict()
            del d["text"]
            fields[name] = d
        if r.fixes:
            changed = True
            out[i] = r.text
            for f in d["fixes"]:
                stats.add_fix(f)
            stats.add_example(_example(source, record, name, text, r))
        if r.unrecoverable:
            lost = True
    if changed:
        stats.changed += 1
    if lost:
        stats.unrecoverable += 1
    entry: dict[str, Any] | None = None
    if fields or job.report_all:
        entry = {"source": source, "record": record, **where, "changed": changed, "fields": fields}
    return RecordOutcome(out, changed, entry)


def _bad(
    stats: Stats,
    source: str,
    record: int,
    kind: str,
    reason: str,
    texts: Sequence[Any],
    where: dict[str, Any],
    *,
    action: str = "passed through",
) -> RecordOutcome:
    entry = bad_entry(source, record, kind, reason, **where)
    entry["action"] = action
    stats.add_bad(kind, entry)
    return RecordOutcome(list(texts), False, entry)


# --------------------------------------------------------------------------- JSONL

_SPACED = _regex.compile(r'\s*\{\s*"(?:[^"\\]|\\.)*"\s*:( ?)')


def _split_terminator(line: bytes) -> tuple[bytes, bytes]:
    if line.endswith(b"\r\n"):
        return line[:-2], b"\r\n"
    if line.endswith(b"\n"):
        return line[:-1], b"\n"
    return line, b""


def _dump(obj: Any, original: str) -> str:
    """``obj`` as JSON in the style of ``original``: compact or spaced, escaped or not."""
    m = _SPACED.match(original)
    seps = (", ", ": ") if m and m.group(1) else (",", ":")
    ascii_only = original.isascii() and "\\u" in original
    return json.dumps(obj, ensure_ascii=ascii_only, separators=seps)


def repair_jsonl_line(
    line: bytes, job: Job, stats: Stats, *, source: str, line_no: int
) -> tuple[bytes, bool, dict[str, Any] | None]:
    """One JSONL line (with its terminator) -> (output line, bad?, report entry).

    A blank line is not a record and comes out as it went in.  Bad input (not
    UTF-8, invalid JSON, not an object, a field missing or not a string) comes
    out unchanged, byte for byte, flagged bad so the caller can quarantine it.
    """
    body, term = _split_terminator(line)
    if not body.strip():
        return line, False, None
    record = line_no - 1
    where = {"line": line_no}
    if len(body) > job.max_record_bytes:
        stats.records += 1
        o = _bad(stats, source, record, "too-large", _too_large(len(body), job), [], where)
        return line, True, o.entry
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        stats.records += 1
        reason = f"not valid UTF-8 (byte 0x{body[e.start]:02x} at column {e.start + 1})"
        o = _bad(stats, source, record, "not-utf8", reason, [], where)
        return line, True, o.entry
    bom = text.startswith("\ufeff") and line_no == 1
    payload = text[1:] if bom else text
    try:
        obj = json.loads(payload)
    except json.JSONDecodeError as e:
        stats.records += 1
        o = _bad(
            stats, source, record, "invalid-json", f"invalid JSON: {e.msg} at column {e.colno}", [], where
        )
        return line, True, o.entry
    except RecursionError:
        stats.records += 1
        o = _bad(stats, source, record, "invalid-json", "invalid JSON: nested too deeply", [], where)
        return line, True, o.entry
    if not isinstance(obj, (dict, list)):
        stats.records += 1
        reason = f"the line is {_type_name(obj)}, not a JSON object"
        o = _bad(stats, source, record, "not-an-object", reason, [], where)
        return line, True, o.entry
    if job.id_field is not None:
        rid = _get(obj, job.id_field)
        if rid is not _MISSING and not isinstance(rid, (dict, list)):
            where["id"] = rid
    names = _names(job.fields)
    values = [_get(obj, f) for f in job.fields]
    outcome = repair_values(values, names, job, stats, source=source, record=record, where=where)
    if outcome.entry is not None and "bad" in outcome.entry:
        return line, True, outcome.entry
    if not outcome.changed:
        return line, False, outcome.entry
    for path, value in zip(job.fields, outcome.values, strict=True):
        _set(obj, path, value)
    dumped = _dump(obj, payload)
    try:
        data = dumped.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from \ud800-style escapes: keep them escaped
        seps = (", ", ": ") if ", " in dumped else (",", ":")
        data = json.dumps(obj, ensure_ascii=True, separators=seps).encode("ascii")
    return (b"\xef\xbb\xbf" if bom else b"") + data + term, False, outcome.entry


def _too_large(n: int, job: Job) -> str:
    return f"the record is {n:,} bytes, over --max-record-bytes ({job.max_record_bytes:,})"


def too_large_entry(source: str, record: int, n: int, job: Job, stats: Stats, **where: Any) -> dict[str, Any]:
    """Report an oversized record the reader streamed past."""
    stats.records += 1
    action = "quarantined" if job.quarantine else "passed through"
    o = _bad(stats, source, record, "too-large", _too_large(n, job), [], where, action=action)
    if job.quarantine:
        stats.quarantined += 1
    assert o.entry is not None
    return o.entry


# --------------------------------------------------------------------------- text files


def decode_text(data: bytes) -> tuple[str | None, str, str]:
    """Strict UTF-8, as ``encfix fix`` reads: (text or None, bad kind, reason)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, "not-utf8", f"not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})"
    if "\x00" in text:
        return None, "binary", "binary data (NUL bytes), not text"
    return text, "", ""


def repair_text_file(
    data: bytes, job: Job, stats: Stats, *, source: str
) -> tuple[bytes, dict[str, Any] | None]:
    """A whole text file, one record: (output bytes, report entry)."""
    text, kind, reason = decode_text(data)
    if text is None:
        stats.records += 1
        o = _bad(stats, source, 0, kind, reason, [], {})
        return data, o.entry
    outcome = repair_values([text], ["text"], job, stats, source=source, record=0)
    if not outcome.changed:
        return data, outcome.entry
    return str(outcome.values[0]).encode("utf-8"), outcome.entry
