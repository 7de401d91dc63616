"""Repair a Ray Dataset: ``pip install 'encfix[ray]'``.

::

    import ray
    from encfix.bulk.ray import repair_dataset

    ds = ray.data.read_parquet("s3://bucket/corpus/")
    ds = repair_dataset(ds, columns=["text"], min_confidence=0.9)
    ds.write_parquet("s3://bucket/corpus-fixed/")

:func:`repair_dataset` is one ``map_batches`` over Arrow batches: each
text column is repaired in place by :func:`encfix.repair` -- exactly as
``encfix fix`` and ``encfix bulk`` repair it, through the same code -- and
report columns are added:

``encfix_changed`` (bool)
    a text of the row was repaired;
``encfix_fixes`` (int64)
    how many fixes;
``encfix_confidence`` (float64, null when nothing changed)
    the lowest confidence of the row's repaired texts;
``encfix_report`` (string, null when there is nothing to say)
    the row's report as JSON, as in ``encfix bulk``'s ``records.jsonl``:
    ``{"changed", "fields": {COLUMN: {"fixes", "unrecoverable", ...}}}``, or
    ``{"bad", "reason"}`` for a row whose text is null or not a string (such
    a row is left unchanged).

The work runs as Ray tasks (no actors); pass ``concurrency=`` or other
``map_batches`` keywords through.  On a small machine keep the parallelism
below the CPU count so the driver keeps a core.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from typing import Any

from encfix._options import Options

from ._records import Job, repair_values
from ._stats import Stats

__all__ = ["REPORT_COLUMNS", "repair_batch", "repair_dataset"]

#: the columns :func:`repair_dataset` adds (with the default prefix)
REPORT_COLUMNS = ("encfix_changed", "encfix_fixes", "encfix_confidence", "encfix_report")


def repair_batch(
    batch: Any,
    *,
    columns: Sequence[str] = ("text",),
    options: Options | None = None,
    report: bool = True,
    prefix: str = "encfix_",
) -> Any:
    """Repair the text ``columns`` of one ``pyarrow.Table`` (a Ray batch); add report columns.

    Usable on its own, without Ray, on any Arrow table.
    """
    import pyarrow as pa

    names = list(columns)
    job = Job(options=options or Options(), columns=tuple(names), id_field=None)
    stats = Stats()
    values = [batch.column(name).to_pylist() for name in names]
    new = [list(v) for v in values]
    changed: list[bool] = []
    fixes: list[int] = []
    confidence: list[float | None] = []
    reports: list[str | None] = []
    for row in range(batch.num_rows):
        before = stats.fixes
        o = repair_values([v[row] for v in values], names, job, stats, source="", record=row)
        changed.append(o.changed)
        fixes.append(stats.fixes - before)
        if o.changed:
            for k, v in enumerate(o.values):
                new[k][row] = v
        entry = o.entry
        if entry is None:
            confidence.append(None)
            reports.append(None)
            continue
        doc = {k: v for k, v in entry.items() if k not in ("source", "record", "action")}
        confs = [f["confidence"] for f in doc.get("fields", {}).values() if f.get("fixes")]
        confidence.append(min(confs) if confs else None)
        reports.append(json.dumps(doc, ensure_ascii=False))
    out = batch
    for name, vals in zip(names, new, strict=True):
        i = out.schema.get_field_index(name)
        out = out.set_column(i, out.schema.field(i), pa.array(vals, type=out.schema.field(i).type))
    if report:
        out = out.append_column(prefix + "changed", pa.array(changed, type=pa.bool_()))
        out = out.append_column(prefix + "fixes", pa.array(fixes, type=pa.int64()))
        out = out.append_column(prefix + "confidence", pa.array(confidence, type=pa.float64()))
        out = out.append_column(prefix + "report", pa.array(reports, type=pa.string()))
    return out


def repair_dataset(
    ds: Any,
    columns: Sequence[str] = ("text",),
    *,
    options: Options | None = None,
    report: bool = True,
    prefix: str = "encfix_",
    batch_size: int | None = 256,
    map_batches: dict[str, Any] | None = None,
    **option_kwargs: Any,
) -> Any:
    """Return ``ds`` (a ``ray.data.Dataset``) with its text ``columns`` repaired and,
    unless ``report=False``, the report columns added (see the module's documentation).

    Options: ``options=encfix.Options(...)`` or its fields as keywords
    (``min_confidence=0.9``), as for :func:`encfix.repair`.  ``map_batches``:
    more keywords for ``Dataset.map_batches`` (``concurrency``, ``num_cpus``...).
    """
    opts = Options.build(options, option_kwargs)
    fn = partial(repair_batch, columns=tuple(columns), options=opts, report=report, prefix=prefix)
    return ds.map_batches(fn, batch_format="pyarrow", batch_size=batch_size, **(map_batches or {}))
