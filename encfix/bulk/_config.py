"""What one ``encfix bulk`` run is asked to do: a frozen, picklable configuration."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from encfix import _regex
from encfix._io import InputError
from encfix._options import Options

__all__ = [
    "DEFAULT_CHUNK_BYTES",
    "DEFAULT_CHUNK_RECORDS",
    "DEFAULT_MAX_EXPANSION",
    "DEFAULT_MAX_RECORD_BYTES",
    "REPORT_DIRNAME",
    "BulkConfig",
    "options_from_cli",
    "parse_path",
    "parse_shard",
    "parse_size",
]

#: a record (JSONL line, text file) larger than this is bad input, passed through
DEFAULT_MAX_RECORD_BYTES = 10 * 1024 * 1024
#: a compressed file may expand to this many times its size (at least 64 MiB) before
#: it counts as a decompression bomb
DEFAULT_MAX_EXPANSION = 100
MIN_EXPANSION_CAP = 64 * 1024 * 1024
#: a shard of a JSONL or Parquet file holds at most this many records...
DEFAULT_CHUNK_RECORDS = 1000
#: ...and at most about this many bytes of input
DEFAULT_CHUNK_BYTES = 1024 * 1024
#: the report directory's name under ``--out``
REPORT_DIRNAME = "_encfix_report"

#: ``encfix fix`` parameter name -> (Options field, inverted?)
_CLI_OPTION_FIELDS: dict[str, tuple[str, bool]] = {
    "min_confidence": ("min_confidence", False),
    "max_rounds": ("max_rounds", False),
    "no_latin": ("latin", True),
    "lossy": ("lossy", False),
    "placeholder": ("placeholder", False),
    "guess_confidence": ("guess_confidence", False),
    "keep_pinyin": ("pinyin", True),
    "restore_punct": ("restore_punct", False),
    "html": ("html", False),
}

#: the repair options ``encfix bulk`` shares with ``encfix fix``, by parameter name
REPAIR_PARAMETERS = tuple(_CLI_OPTION_FIELDS)


def options_from_cli(values: Mapping[str, Any]) -> Options:
    """One frozen :class:`Options` from ``encfix fix``-style command-line values
    (``no_latin=True`` -> ``latin=False``); unknown names are ignored."""
    kwargs: dict[str, Any] = {}
    for name, value in values.items():
        spec = _CLI_OPTION_FIELDS.get(name)
        if spec is None:
            continue
        target, inverted = spec
        kwargs[target] = (not value) if inverted else value
    try:
        return Options(**kwargs)
    except ValueError as e:
        raise InputError(f"{e}.") from e


_SIZE = _regex.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)


def parse_size(text: str, what: str) -> int:
    """``10485760``, ``10M``, ``10MB``, ``10MiB`` -> bytes (K/M/G/T are powers of 1024)."""
    m = _SIZE.match(text)
    if not m:
        raise InputError(f"{what} must be a number of bytes such as 10485760 or 10M, not {text!r}.")
    value = float(m.group(1)) * 1024 ** " kmgt".index((m.group(2) or " ").lower())
    if value < 1:
        raise InputError(f"{what} must be at least 1 byte, not {text!r}.")
    return int(value)


def parse_shard(text: str | None) -> tuple[int, int]:
    """``"i/N"`` (0 <= i < N) -> ``(i, N)``; None -> ``(0, 1)``."""
    if text is None:
        return 0, 1
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not m or not 0 <= int(m.group(1)) < int(m.group(2)):
        raise InputError(f"--shard must be I/N with 0 <= I < N (such as 0/4), not {text!r}.")
    return int(m.group(1)), int(m.group(2))


def parse_path(dotted: str, what: str) -> tuple[str, ...]:
    """``"meta.title"`` -> ``("meta", "title")``."""
    parts = tuple(dotted.split("."))
    if not dotted or any(not p for p in parts):
        raise InputError(f"{what} must be a field name or a dotted path such as meta.title, not {dotted!r}.")
    return parts


@dataclass(frozen=True, slots=True, kw_only=True)
class BulkConfig:
    """Everything a run needs.  Paths are as the user gave them."""

    sources: tuple[str, ...]
    out: str | None = None
    in_place: bool = False
    report_dir: str | None = None
    quarantine: str | None = None
    globs: tuple[str, ...] = ()
    fields: tuple[tuple[str, ...], ...] = (("text",),)
    columns: tuple[str, ...] = ("text",)
    id_field: tuple[str, ...] | None = ("id",)
    options: Options = field(default_factory=Options)
    workers: int = 0
    shard: tuple[int, int] = (0, 1)
    resume: bool = False
    dry_run: bool = False
    force: bool = False
    report_all: bool = False
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    max_expansion: float = DEFAULT_MAX_EXPANSION
    chunk_records: int = DEFAULT_CHUNK_RECORDS
    chunk_bytes: int = DEFAULT_CHUNK_BYTES
    progress: bool | None = None
    quiet: bool = False

    def __post_init__(self) -> None:
        if not self.sources:
            raise InputError("give at least one SRC file or directory.")
        if self.in_place and self.out is not None:
            raise InputError("--out and --in-place cannot be combined.")
        if not self.in_place and self.out is None:
            raise InputError("say where to write: --out DIR (or --in-place to rewrite the inputs).")
        if self.dry_run and self.resume:
            raise InputError("--dry-run writes no output, so there is nothing to --resume.")
        if self.in_place and self.report_dir is None:
            raise InputError("--in-place needs --report DIR: there is no --out to keep the report in.")
        if self.workers < 0:
            raise InputError(f"--workers must be 0 (all cores) or more, not {self.workers}.")
        if self.chunk_records < 1:
            raise InputError(f"--chunk-records must be at least 1, not {self.chunk_records}.")
        if self.max_expansion < 1:
            raise InputError(f"--max-expansion must be at least 1, not {self.max_expansion}.")
        if not self.fields:
            raise InputError("give at least one --field.")
        if not self.columns:
            raise InputError("give at least one --column.")

    @property
    def n_workers(self) -> int:
        if self.workers:
            return self.workers
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except (AttributeError, OSError):  # pragma: no cover - not Linux
            return max(1, os.cpu_count() or 1)

    @property
    def report_path(self) -> str:
        if self.report_dir is not None:
            return self.report_dir
        assert self.out is not None
        base = os.path.join(self.out, REPORT_DIRNAME)
        i, n = self.shard
        return base if n == 1 else os.path.join(base, f"shard-{i}-of-{n}")

    def fingerprint(self) -> str:
        """What must not change between a run and its ``--resume``."""
        from encfix import __version__

        doc = {
            "version": __version__,
            "sources": [os.path.abspath(s) for s in self.sources],
            "out": os.path.abspath(self.out) if self.out else None,
            "in_place": self.in_place,
            "dry_run": self.dry_run,
            "quarantine": os.path.abspath(self.quarantine) if self.quarantine else None,
            "globs": list(self.globs),
            "fields": [list(f) for f in self.fields],
            "columns": list(self.columns),
            "id_field": list(self.id_field) if self.id_field else None,
            "options": self.options.to_dict(),
            "shard": list(self.shard),
            "report_all": self.report_all,
            "max_record_bytes": self.max_record_bytes,
            "max_expansion": self.max_expansion,
            "chunk_records": self.chunk_records,
            "chunk_bytes": self.chunk_bytes,
        }
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]

    def describe(self) -> dict[str, Any]:
        """The settings, for the summary."""
        return {
            "sources": list(self.sources),
            "out": self.out,
            "in_place": self.in_place,
            "report": self.report_path,
            "quarantine": self.quarantine,
            "globs": list(self.globs),
            "fields": [".".join(f) for f in self.fields],
            "columns": list(self.columns),
            "options": self.options.to_dict(),
            "workers": self.n_workers,
            "shard": f"{self.shard[0]}/{self.shard[1]}",
            "dry_run": self.dry_run,
            "max_record_bytes": self.max_record_bytes,
            "max_expansion": self.max_expansion,
        }
