"""A shard's work, as it runs in a worker process (or inline with one worker)."""

from __future__ import annotations

import io
import json
import signal
from dataclasses import dataclass, field
from typing import Any

from ._records import Job, repair_jsonl_line, repair_text_file, repair_values
from ._stats import Stats
from ._streams import compress

__all__ = ["Shard", "ShardResult", "init_worker", "jsonl_bytes", "process_shard", "run_in_worker"]


@dataclass(slots=True)
class Shard:
    """A piece of one input file: a chunk of JSONL lines, a text file, a Parquet batch."""

    file_index: int
    index: int
    source: str
    fmt: str
    compression: str = ""
    first: int = 1  # JSONL: line number of the first line; Parquet: row of the first row
    lines: list[bytes] = field(default_factory=list)
    data: bytes = b""
    batch: Any = None
    nbytes: int = 0  # input bytes (decompressed) in this shard
    raw_bytes: int = 0  # bytes of the file as stored, for progress


@dataclass(slots=True)
class ShardResult:
    file_index: int
    index: int
    output: bytes
    report: bytes
    quarantine: bytes
    stats: Stats
    raw_bytes: int = 0


#: line breaks to other readers (``str.splitlines``): escaped in the report
_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def jsonl_bytes(entry: dict[str, Any]) -> bytes:
    """One compact JSON line: lone surrogates, and characters some readers take for line
    breaks, escaped."""
    try:
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).translate(_BREAKS)
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(entry, separators=(",", ":")) + "\n").encode("ascii")


def process_shard(shard: Shard, job: Job) -> ShardResult:
    stats = Stats()
    stats.bytes_in = shard.nbytes
    report: list[bytes] = []
    quarantine: list[bytes] = []
    if shard.fmt == "jsonl":
        out: list[bytes] = []
        for i, line in enumerate(shard.lines):
            new, bad, entry = repair_jsonl_line(
                line, job, stats, source=shard.source, line_no=shard.first + i
            )
            if bad and job.quarantine:
                assert entry is not None
                entry["action"] = "quarantined"
                stats.quarantined += 1
                quarantine.append(line if line.endswith(b"\n") else line + b"\n")
            else:
                out.append(new)
            if entry is not None:
                report.append(jsonl_bytes(entry))
        output = compress(b"".join(out), shard.compression)
    elif shard.fmt == "text":
        output, entry = repair_text_file(shard.data, job, stats, source=shard.source)
        if entry is not None:
            report.append(jsonl_bytes(entry))
    else:
        output = _parquet_batch(shard, job, stats, report)
    return ShardResult(
        shard.file_index, shard.index, output, b"".join(report), b"".join(quarantine), stats, shard.raw_bytes
    )


def _parquet_batch(shard: Shard, job: Job, stats: Stats, report: list[bytes]) -> bytes:
    import pyarrow as pa

    batch = shard.batch
    names = list(job.columns)
    columns = [batch.column(batch.schema.get_field_index(c)).to_pylist() for c in names]
    new_columns: list[list[Any]] = [list(c) for c in columns]
    any_changed = False
    for row in range(batch.num_rows):
        values = [c[row] for c in columns]
        o = repair_values(values, names, job, stats, source=shard.source, record=shard.first + row)
        if o.changed:
            any_changed = True
            for k, v in enumerate(o.values):
                new_columns[k][row] = v
        if o.entry is not None:
            report.append(jsonl_bytes(o.entry))
    if any_changed:
        arrays = list(batch.columns)
        for name, values in zip(names, new_columns, strict=True):
            i = batch.schema.get_field_index(name)
            arrays[i] = pa.array(values, type=batch.schema.field(i).type)
        batch = pa.RecordBatch.from_arrays(arrays, schema=batch.schema)
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue()


# --------------------------------------------------------------------------- worker processes

_JOB: Job | None = None


def init_worker(job: Job) -> None:
    """Pool initializer: remember the job; leave Ctrl-C to the main process."""
    global _JOB
    _JOB = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_in_worker(shard: Shard) -> ShardResult:
    assert _JOB is not None, "init_worker was not called"
    return process_shard(shard, _JOB)
