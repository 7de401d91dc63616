"""``encfix bulk``: the typer command, added to the app by :func:`add_bulk_command`.

The repair options (``--min-confidence``, ``--max-rounds``, ``--no-latin``,
``--lossy/--no-lossy``, ``--placeholder``, ``--guess-confidence``,
``--keep-pinyin``, ``--restore-punct``, ``--html/--no-html``) are taken from
``encfix fix``'s own declarations, so the two commands cannot drift apart, and
turned into one frozen :class:`~encfix.Options` by
:func:`~encfix.bulk._config.options_from_cli`.
"""

# No ``from __future__ import annotations``: typer reads the annotations as objects.

import inspect
from typing import TYPE_CHECKING, Any

from ._config import (
    DEFAULT_CHUNK_RECORDS,
    DEFAULT_MAX_EXPANSION,
    REPAIR_PARAMETERS,
    REPORT_DIRNAME,
    BulkConfig,
    options_from_cli,
    parse_path,
    parse_shard,
    parse_size,
)

if TYPE_CHECKING:
    import typer

__all__ = ["BULK_HELP", "add_bulk_command", "bulk_from_cli"]

BULK_HELP = (
    "Repair mojibake in a whole corpus: directories, text and HTML files, JSON Lines (.jsonl, .jsonl.gz, "
    ".jsonl.zst) and Parquet, in parallel, streaming, resumable, with a report.\n\n"
    "Each SRC is a file or a directory (walked recursively; --glob picks files). Outputs mirror the "
    "inputs under --out DIR: the same relative paths and formats, every record in its place, every "
    "other field or column untouched and in order (a JSON record is rewritten only if one of its "
    "--field texts was repaired; other records are copied byte for byte). Each text is repaired "
    "exactly as 'encfix fix' repairs it, with the same options. --in-place rewrites the inputs instead "
    "(atomically, only files that change).\n\n"
    "Bad input never stops the run and is never dropped: a line that is not valid JSON or not UTF-8, a "
    "record whose field is missing or not a string, a record over --max-record-bytes, passes through "
    "unchanged (or goes to --quarantine FILE); a file that cannot be read whole (truncated or corrupt "
    ".gz/.zst, a decompression bomb, a Parquet file without the column) is copied unchanged. Each is "
    "counted and listed with its location in the report. Symbolic links found in directories are not "
    "followed, and nothing is written outside --out.\n\n"
    f"The report directory (--report, default DST/{REPORT_DIRNAME}) gets records.jsonl (one line per "
    "repaired, damaged or bad record: source, record, line, id, fixes with chain, decoder and "
    "confidence, unrecoverable spans), summary.json (records, changed, per chain, confidence histogram, "
    "bad input, MB/s) and report.html (charts and example diffs); a short summary is printed on standard "
    "error. A progress bar is shown on a terminal only.\n\n"
    "Work is split into shards (a text file, or up to --chunk-records records of a big file) run by "
    "--workers processes; a finished shard is recorded in the report directory's manifest, so a run "
    "that was killed continues with --resume without redoing or repeating finished shards.\n\n"
    "Exit status: 0 every record was read and written; 1 some input was bad (see the report); "
    "2 usage, input or output error; 3 internal error; 130 interrupted (run again with --resume)."
)


def _is_set(value: Any) -> bool:
    return value is not None


def bulk_from_cli(values: dict[str, Any]) -> int:
    """The body of ``encfix bulk``: build the configuration, run, print the summary."""
    from encfix._io import InputError

    from ._report import short_summary
    from ._runner import run

    v = dict(values)
    try:
        globs = tuple(v.pop("glob") or ())
        fields = tuple(parse_path(f, "--field") for f in (v.pop("field") or ["text"]))
        columns = tuple(v.pop("column") or ["text"])
        id_field = v.pop("id_field")
        cfg = BulkConfig(
            sources=tuple(v.pop("sources") or ()),
            out=v.pop("out"),
            in_place=v.pop("in_place"),
            report_dir=v.pop("report"),
            quarantine=v.pop("quarantine"),
            globs=globs,
            fields=fields,
            columns=columns,
            id_field=parse_path(id_field, "--id-field") if id_field else None,
            options=options_from_cli({k: v.pop(k) for k in REPAIR_PARAMETERS if k in v}),
            workers=v.pop("workers"),
            shard=parse_shard(v.pop("shard")),
            resume=v.pop("resume"),
            dry_run=v.pop("dry_run"),
            force=v.pop("force"),
            report_all=v.pop("report_all"),
            max_record_bytes=parse_size(v.pop("max_record_bytes"), "--max-record-bytes"),
            max_expansion=v.pop("max_expansion"),
            chunk_records=v.pop("chunk_records"),
            progress=v.pop("progress"),
            quiet=v.pop("quiet"),
        )
    except KeyError as e:  # pragma: no cover - a parameter without a home
        raise InputError(f"internal: unhandled parameter {e}") from e
    from encfix.cli import _err

    try:
        result = run(cfg)
    except KeyboardInterrupt:
        if not cfg.dry_run:
            _err("interrupted: what was finished is recorded; run again with --resume to go on.")
        raise
    if not cfg.quiet:
        for line in short_summary(result.summary):
            _err(line)
    return result.exit_code


def add_bulk_command(app: "typer.Typer") -> None:
    """Add ``bulk`` to the ``encfix`` app (after ``fix``, whose repair options it shares)."""
    from typing import Annotated

    import typer

    from encfix.cli import _run

    def signature(
        sources: Annotated[
            list[str],
            typer.Argument(
                metavar="SRC",
                help="Input files and directories (directories are walked recursively).",
                show_default=False,
            ),
        ],
        out: Annotated[
            str | None,
            typer.Option(
                "--out",
                "-o",
                metavar="DST",
                help="Directory to write the repaired corpus to, mirroring the inputs. It must be empty, "
                "hold an earlier run's output, or --force must be given.",
                show_default=False,
            ),
        ] = None,
        in_place: Annotated[
            bool,
            typer.Option(
                "--in-place",
                help="Rewrite the inputs themselves, atomically (only files that change; needs --report).",
            ),
        ] = False,
        glob: Annotated[
            list[str] | None,
            typer.Option(
                "--glob",
                metavar="PATTERN",
                help="In directories, read only files whose relative path matches PATTERN ('*.jsonl.gz', "
                "'2024/*/*.parquet'; repeatable). Files matched with an unknown extension are text. "
                "[default: .jsonl .ndjson (also .gz .zst), .parquet, .txt .text .html .htm .md]",
                show_default=False,
            ),
        ] = None,
        field: Annotated[
            list[str] | None,
            typer.Option(
                "--field",
                metavar="PATH",
                help="JSONL: the field holding the text, a dotted path for nested ones ('meta.title'); "
                "repeatable.  [default: text]",
                show_default=False,
            ),
        ] = None,
        column: Annotated[
            list[str] | None,
            typer.Option(
                "--column",
                metavar="NAME",
                help="Parquet: the string column holding the text; repeatable.  [default: text]",
                show_default=False,
            ),
        ] = None,
        id_field: Annotated[
            str,
            typer.Option(
                "--id-field",
                metavar="PATH",
                help="JSONL: a record's identifier, copied into the report when present ('' for none).",
            ),
        ] = "id",
        report: Annotated[
            str | None,
            typer.Option(
                "--report",
                metavar="DIR",
                help=f"Directory for the report and the manifest.  [default: DST/{REPORT_DIRNAME}, "
                f"DST/{REPORT_DIRNAME}/shard-I-of-N with --shard]",
                show_default=False,
            ),
        ] = None,
        report_all: Annotated[
            bool,
            typer.Option(
                "--report-all",
                help="List every record in records.jsonl, not only those with something to report.",
            ),
        ] = False,
        quarantine: Annotated[
            str | None,
            typer.Option(
                "--quarantine",
                metavar="FILE",
                help="Write bad JSONL records to FILE (verbatim, one per line, in input order; their "
                "locations are in the report) instead of passing them through.",
                show_default=False,
            ),
        ] = None,
        workers: Annotated[
            int,
            typer.Option(
                "--workers", "-j", metavar="N", min=0, help="Worker processes; 0 means one per CPU core."
            ),
        ] = 0,
        shard: Annotated[
            str | None,
            typer.Option(
                "--shard",
                metavar="I/N",
                help="Process only the I-th of N parts of the input files (0 <= I < N), so that N "
                "independent jobs can split a corpus.",
                show_default=False,
            ),
        ] = None,
        resume: Annotated[
            bool,
            typer.Option(
                "--resume",
                help="Continue a run that was interrupted, with the same SRC and options: finished shards "
                "are neither redone nor repeated. With no earlier run, start one.",
            ),
        ] = False,
        dry_run: Annotated[
            bool,
            typer.Option("--dry-run", help="Repair and report, but write no output (only the report)."),
        ] = False,
        force: Annotated[
            bool, typer.Option("--force", "-f", help="Write into a non-empty --out directory.")
        ] = False,
        max_record_bytes: Annotated[
            str,
            typer.Option(
                "--max-record-bytes",
                metavar="SIZE",
                help="Larger records (a JSONL line, a text file) are bad input, streamed through "
                "unrepaired with flat memory (K, M, G: powers of 1024).",
            ),
        ] = "10M",
        max_expansion: Annotated[
            float,
            typer.Option(
                "--max-expansion",
                metavar="RATIO",
                min=1.0,
                help="A .gz or .zst file that expands to more than RATIO times its size (and over 64 MiB) "
                "is a decompression bomb: bad input, copied unchanged.",
            ),
        ] = float(DEFAULT_MAX_EXPANSION),
        chunk_records: Annotated[
            int,
            typer.Option(
                "--chunk-records",
                metavar="N",
                min=1,
                help="Records per shard of a JSONL or Parquet file (a shard also stops at 1 MiB).",
            ),
        ] = DEFAULT_CHUNK_RECORDS,
        progress: Annotated[
            bool | None,
            typer.Option(
                "--progress/--no-progress",
                help="Show a progress bar (records/s, MB/s, ETA).  [default: only on a terminal, not in CI]",
                show_default=False,
            ),
        ] = None,
        quiet: Annotated[
            bool, typer.Option("--quiet", "-q", help="Print no summary or progress (errors still are).")
        ] = False,
    ) -> None: ...

    params = list(inspect.signature(signature, eval_str=True).parameters.values())
    fix = next(c for c in app.registered_commands if c.name == "fix")
    assert fix.callback is not None
    fix_params = inspect.signature(fix.callback, eval_str=True).parameters
    params += [fix_params[name] for name in REPAIR_PARAMETERS if name in fix_params]

    def bulk_command(**values: Any) -> None:
        code = _run(bulk_from_cli, values)
        if code:
            raise typer.Exit(code)

    bulk_command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    app.command("bulk", help=BULK_HELP)(bulk_command)
