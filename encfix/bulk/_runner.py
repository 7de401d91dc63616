"""``encfix bulk``: read, shard, repair in a process pool, write, record, report.

The main process reads each input in turn and cuts it into shards (a chunk of
JSONL lines or Parquet rows, or one text file); a pool of worker processes
repairs them, at most ``2 x workers`` shards in flight, so memory stays flat
whatever the corpus size.  Each finished shard's output, report and
quarantine parts are renamed into place under the report directory, then
recorded in the manifest; a file whose shards are all done is assembled (its
parts concatenated, in order) into a temporary file renamed over its output.
A run killed at any point therefore resumes (``--resume``) from its last
recorded shard, and never leaves half a file under an output's name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
import sys
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import IO, Any

from encfix._io import InputError

from ._config import MIN_EXPANSION_CAP, REPORT_DIRNAME, BulkConfig
from ._files import atomic_output, copy_file, os_reason, tmp_name, write_atomic
from ._manifest import FileState, Manifest
from ._paths import InputFile, Skipped, discover, ensure_parent
from ._records import Job, bad_entry, too_large_entry
from ._stats import RUN_EXAMPLES, Stats
from ._streams import FileBad, StreamCompressor, open_decompressed
from ._worker import Shard, ShardResult, init_worker, jsonl_bytes, process_shard, run_in_worker

__all__ = ["RunResult", "run"]

_COPY = 1024 * 1024


@dataclass(slots=True)
class RunResult:
    summary: dict[str, Any]
    exit_code: int


@dataclass(slots=True)
class _Open:
    """A file being worked on in this run."""

    f: InputFile
    st: FileState
    outstanding: int = 0
    eof: int | None = None
    bad: bool = False


def _after(line: int) -> str:
    return f"after line {line:,}" if line else "before the first line"


class _Progress:
    """A rich progress bar on a terminal; nothing otherwise."""

    def __init__(self, enabled: bool, total: int) -> None:
        self._bar: Any = None
        self._t0 = time.perf_counter()
        self._records = 0
        self._bytes = 0
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn("encfix bulk"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._bar.add_task("bulk", total=max(1, total), rate="")

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, raw_bytes: int, records: int = 0, nbytes: int = 0) -> None:
        if self._bar is None:
            return
        self._records += records
        self._bytes += nbytes
        dt = max(1e-6, time.perf_counter() - self._t0)
        rate = f"{self._records / dt:,.0f} records/s  {self._bytes / dt / 1e6:.1f} MB/s"
        self._bar.update(self._task, advance=raw_bytes, rate=rate)


def _show_progress(cfg: BulkConfig) -> bool:
    if cfg.progress is not None:
        return cfg.progress and not cfg.quiet
    if cfg.quiet or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _Run:
    def __init__(self, cfg: BulkConfig) -> None:
        self.cfg = cfg
        self.job = Job(
            options=cfg.options,
            fields=cfg.fields,
            columns=cfg.columns,
            id_field=cfg.id_field,
            report_all=cfg.report_all,
            quarantine=cfg.quarantine is not None,
            max_record_bytes=cfg.max_record_bytes,
        )
        self.write = not cfg.dry_run
        self.report_dir = cfg.report_path
        self.parts = os.path.join(self.report_dir, "_parts")
        self.out_root = os.path.abspath(cfg.out) if cfg.out is not None else None
        self.workers = cfg.n_workers
        self.pool: ProcessPoolExecutor | None = None
        self.pending: dict[Future[ShardResult], int] = {}
        self.open: dict[int, _Open] = {}
        self.ends: dict[tuple[int, int], tuple[int, int] | None] = {}
        self.progress = _Progress(False, 0)
        self.run_records = 0
        self.run_bytes = 0
        self.t0 = time.perf_counter()

    # ------------------------------------------------------------------ set-up

    def _check_out(self) -> None:
        cfg = self.cfg
        if cfg.out is None:
            return
        if os.path.lexists(cfg.out) and not os.path.isdir(cfg.out):
            raise InputError(f"--out {cfg.out!r} exists and is not a directory.")
        if cfg.resume or cfg.force or cfg.dry_run or cfg.shard[1] > 1 or not os.path.isdir(cfg.out):
            return
        entries = set(os.listdir(cfg.out)) - {REPORT_DIRNAME}
        if entries and not os.path.isdir(os.path.join(cfg.out, REPORT_DIRNAME)):
            raise InputError(
                f"--out {cfg.out!r} is not empty and holds no earlier encfix bulk output; "
                "pass --force to write into it anyway."
            )

    def _part(self, f: InputFile, k: int, kind: str) -> str:
        key = hashlib.sha1(f.rel.encode("utf-8", "surrogateescape")).hexdigest()[:20]
        return os.path.join(self.parts, f"{key}-{k:06d}.{kind}")

    @contextlib.contextmanager
    def _executor(self) -> Iterator[None]:
        if self.workers > 1:
            import multiprocessing

            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=init_worker,
                initargs=(self.job,),
            )
        try:
            yield
        except BaseException:
            if self.pool is not None:  # what the workers are doing is not recorded: stop them now
                procs = list(getattr(self.pool, "_processes", {}).values())
                self.pool.shutdown(wait=False, cancel_futures=True)
                for proc in procs:
                    with contextlib.suppress(Exception):
                        proc.terminate()
                self.pool = None
            raise
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None

    # ------------------------------------------------------------------ scheduling

    def _submit(self, shard: Shard) -> None:
        self.open[shard.file_index].outstanding += 1
        if self.pool is None:
            self._handle(process_shard(shard, self.job))
            return
        while len(self.pending) >= 2 * self.workers:
            self._wait_one()
        self.pending[self.pool.submit(run_in_worker, shard)] = shard.file_index

    def _wait_one(self) -> None:
        done, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
        for fut in done:
            del self.pending[fut]
            try:
                result = fut.result()
            except BrokenProcessPool as e:
                raise InputError(
                    "a worker process died (killed, or out of memory?); what was finished is recorded, "
                    "so run again with --resume."
                ) from e
            self._handle(result)

    def _drain(self) -> None:
        while self.pending:
            self._wait_one()

    # ------------------------------------------------------------------ results

    def _handle(self, res: ShardResult) -> None:
        o = self.open[res.file_index]
        o.outstanding -= 1
        end = self.ends.pop((res.file_index, res.index), None)
        if o.bad:
            return
        f = o.f
        self.run_records += res.stats.records
        self.run_bytes += res.stats.bytes_in
        self.progress.advance(res.raw_bytes, res.stats.records, res.stats.bytes_in)
        self._put_part(f, res.index, "report", res.report)
        if f.fmt == "text":
            if self.write and (res.stats.changed or not self.cfg.in_place):
                self._prepare(f)
                write_atomic(f.dest, [res.output], mode_like=f.path if self.cfg.in_place else None)
            self.manifest.complete(f.rel, res.stats)
            self._file_done(res.file_index)
            return
        if self.write:
            write_atomic(self._part(f, res.index, "out"), [res.output])
            self._put_part(f, res.index, "quarantine", res.quarantine)
        self.manifest.shard_done(f.rel, res.index, res.stats, end)
        self._maybe_assemble(res.file_index)

    def _put_part(self, f: InputFile, k: int, kind: str, data: bytes) -> None:
        """Write a report or quarantine part; an empty one is no file (nor a stale one
        left by a killed run over an earlier version of the input)."""
        path = self._part(f, k, kind)
        if data:
            write_atomic(path, [data])
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def _prepare(self, f: InputFile) -> None:
        if not self.cfg.in_place:
            ensure_parent(f.dest, self.out_root)

    def _maybe_assemble(self, fi: int) -> None:
        o = self.open[fi]
        if o.bad or o.eof is None or o.st.complete:
            return
        if all(k in o.st.done for k in range(o.eof)):
            self._assemble(fi)

    def _assemble(self, fi: int) -> None:
        o = self.open[fi]
        f, st = o.f, o.st
        assert st.eof is not None
        unchanged = st.stats.changed == 0 and st.stats.quarantined == 0
        in_place = self.cfg.in_place
        if self.write and not (unchanged and in_place):
            self._prepare(f)
            with atomic_output(f.dest, mode_like=f.path if in_place else None) as out:
                if unchanged:
                    copy_file(f.path, out)
                elif f.fmt == "parquet":
                    self._assemble_parquet(f, st.eof, out)
                else:
                    for k in range(st.eof):
                        copy_file(self._part(f, k, "out"), out)
        self.manifest.complete(f.rel)
        for k in range(st.eof):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._part(f, k, "out"))
        self._file_done(fi)

    def _assemble_parquet(self, f: InputFile, shards: int, out: IO[bytes]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(f.path).metadata
        codec = "snappy"
        if meta.num_row_groups and meta.num_columns:
            codec = str(meta.row_group(0).column(0).compression).lower()
        writer: Any = None
        try:
            for k in range(shards):
                with pa.ipc.open_stream(self._part(f, k, "out")) as reader:
                    for batch in reader:
                        if writer is None:
                            writer = pq.ParquetWriter(out, batch.schema, compression=codec)
                        writer.write_batch(batch)
            if writer is None:  # no rows at all
                writer = pq.ParquetWriter(out, pq.read_schema(f.path), compression=codec)
        finally:
            if writer is not None:
                writer.close()

    def _file_done(self, fi: int) -> None:
        del self.open[fi]

    # ------------------------------------------------------------------ reading

    def _do_file(self, fi: int, f: InputFile) -> None:
        st = self.manifest.start_file(f.rel, f.size, f.mtime_ns)
        if st.complete:
            self.progress.advance(f.size)
            return
        o = self.open[fi] = _Open(f, st)
        if st.eof is not None and all(k in st.done for k in range(st.eof)):
            o.eof = st.eof
            self._assemble(fi)
            return
        try:
            if f.fmt == "jsonl":
                self._read_jsonl(fi, o)
            elif f.fmt == "parquet":
                self._read_parquet(fi, o)
            else:
                self._read_text(fi, o)
        except FileBad as e:
            self._file_bad(fi, e.kind, e.reason)

    def _file_bad(self, fi: int, kind: str, reason: str) -> None:
        o = self.open[fi]
        o.bad = True
        f = o.f
        entry = bad_entry(f.source, None, kind, reason)
        entry["action"] = "copied unchanged"
        if self.write and not self.cfg.in_place:
            self._prepare(f)
            try:
                with atomic_output(f.dest) as out:
                    copy_file(f.path, out)
            except InputError:
                entry["action"] = "not written: it cannot be read"
        elif self.cfg.in_place:
            entry["action"] = "left unchanged"
        self.manifest.file_bad(f.rel, entry)
        self.progress.advance(max(0, f.size))
        if o.outstanding == 0:  # otherwise results still in flight are dropped as they come back
            self._file_done(fi)

    def _open_input(self, f: InputFile) -> IO[bytes]:
        try:
            return open(f.path, "rb")
        except OSError as e:
            raise FileBad("unreadable", f"cannot read it: {os_reason(e)}") from e

    def _read_text(self, fi: int, o: _Open) -> None:
        f = o.f
        if f.size > self.cfg.max_record_bytes:
            stats = Stats()
            entry = too_large_entry(
                f.source, 0, f.size, dataclasses.replace(self.job, quarantine=False), stats
            )
            stats.bytes_in = f.size
            if self.write and not self.cfg.in_place:
                self._prepare(f)
                with atomic_output(f.dest) as out:
                    copy_file(f.path, out)
            write_atomic(self._part(f, 0, "report"), [jsonl_bytes(entry)])
            self.manifest.complete(f.rel, stats)
            self.progress.advance(f.size, 1, f.size)
            self._file_done(fi)
            return
        with self._open_input(f) as fh:
            try:
                data = fh.read()
            except OSError as e:
                raise FileBad("unreadable", f"cannot read it: {os_reason(e)}") from e
        self.ends[(fi, 0)] = None
        o.eof = 1
        self._submit(Shard(fi, 0, f.source, "text", data=data, nbytes=len(data), raw_bytes=len(data)))

    def _read_jsonl(self, fi: int, o: _Open) -> None:
        f, st, cfg = o.f, o.st, self.cfg
        limit = cfg.max_record_bytes + 2  # a line that long without its newline is too large
        cap = max(MIN_EXPANSION_CAP, int(cfg.max_expansion * max(1, f.size)))
        k, line_no = 0, 1
        with self._open_input(f) as raw:
            if not f.compression:  # skip a finished prefix without reading it
                while k in st.done and k in st.ends:
                    k += 1
                if k:
                    end, line_no = st.ends[k - 1]
                    raw.seek(end)
                    self.progress.advance(end)
            stream = open_decompressed(raw, f.compression, cap)
            lines: list[bytes] = []
            nbytes = 0
            first = line_no
            last_pos = raw.tell()

            def flush() -> None:
                nonlocal k, lines, nbytes, first, last_pos
                if not lines:
                    return
                pos = raw.tell()
                raw_bytes, last_pos = pos - last_pos, pos
                if k in st.done:
                    self.progress.advance(raw_bytes)
                else:
                    self.ends[(fi, k)] = None if f.compression else (pos, line_no)
                    shard = Shard(fi, k, f.source, "jsonl", f.compression, first, lines, nbytes=nbytes)
                    shard.raw_bytes = raw_bytes
                    self._submit(shard)
                k += 1
                lines, nbytes, first = [], 0, line_no

            try:
                while True:
                    line = stream.readline(limit)
                    if not line:
                        break
                    if len(line) >= limit and not line.endswith(b"\n"):
                        flush()
                        self._big_line(fi, o, k, line, stream, line_no, raw)
                        k += 1
                        line_no += 1
                        first = line_no
                        pos = raw.tell()
                        self.progress.advance(pos - last_pos)
                        last_pos = pos
                        continue
                    lines.append(line)
                    nbytes += len(line)
                    line_no += 1
                    if len(lines) >= cfg.chunk_records or nbytes >= cfg.chunk_bytes:
                        flush()
                flush()
            except FileBad as e:
                raise FileBad(e.kind, f"{e.reason}, {_after(line_no - 1)}") from None
            except OSError as e:
                raise FileBad("unreadable", f"cannot read it: {os_reason(e)}, {_after(line_no - 1)}") from e
        o.eof = k
        self.manifest.eof(f.rel, k)
        self._maybe_assemble(fi)

    def _big_line(
        self, fi: int, o: _Open, k: int, head: bytes, stream: IO[bytes], line_no: int, raw: IO[bytes]
    ) -> None:
        """A line over --max-record-bytes: streamed through (or to quarantine), never held in memory."""
        f, st = o.f, o.st
        quarantine = self.job.quarantine
        n = len(head)
        ends_with_newline = False

        def pieces() -> Iterator[bytes]:
            nonlocal n, ends_with_newline
            yield head
            while True:
                chunk = stream.readline(_COPY)
                if not chunk:
                    return
                n += len(chunk)
                yield chunk
                if chunk.endswith(b"\n"):
                    ends_with_newline = True
                    return

        if k in st.done or not self.write:
            for _ in pieces():
                pass
        elif quarantine:
            with atomic_output(self._part(f, k, "quarantine")) as q:
                for piece in pieces():
                    q.write(piece)
                if not ends_with_newline:
                    q.write(b"\n")
            write_atomic(self._part(f, k, "out"), [])
        else:
            comp = StreamCompressor(f.compression)
            with atomic_output(self._part(f, k, "out")) as out:
                for piece in pieces():
                    out.write(comp.compress(piece))
                out.write(comp.flush())
        if k in st.done:
            return
        body = n - 1 if ends_with_newline else n
        stats = Stats()
        stats.bytes_in = n
        entry = too_large_entry(f.source, line_no - 1, body, self.job, stats, line=line_no)
        write_atomic(self._part(f, k, "report"), [jsonl_bytes(entry)])
        self.manifest.shard_done(f.rel, k, stats, None if f.compression else (raw.tell(), line_no + 1))
        self.progress.advance(0, 1, n)
        self.run_records += 1
        self.run_bytes += n

    def _read_parquet(self, fi: int, o: _Open) -> None:
        f, st = o.f, o.st
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise FileBad(
                "needs-pyarrow", "reading Parquet needs the pyarrow package (pip install 'encfix[parquet]')"
            ) from None
        try:
            pf = pq.ParquetFile(f.path)
            schema = pf.schema_arrow
        except (OSError, pa.ArrowException) as e:
            raise FileBad("corrupt", f"not a readable Parquet file ({e})") from None
        for c in self.cfg.columns:
            i = schema.get_field_index(c)
            if i < 0:
                raise FileBad("no-column", f"it has no column {c!r}")
            t = schema.field(i).type
            if not (pa.types.is_string(t) or pa.types.is_large_string(t)):
                raise FileBad("not-text-column", f"column {c!r} holds {t}, not strings")
        total_rows = max(1, pf.metadata.num_rows)
        row = k = 0
        try:
            for batch in pf.iter_batches(batch_size=self.cfg.chunk_records):
                raw_bytes = f.size * batch.num_rows // total_rows
                if k in st.done:
                    self.progress.advance(raw_bytes)
                else:
                    self.ends[(fi, k)] = None
                    shard = Shard(fi, k, f.source, "parquet", first=row, batch=batch, nbytes=batch.nbytes)
                    shard.raw_bytes = raw_bytes
                    self._submit(shard)
                row += batch.num_rows
                k += 1
        except (OSError, pa.ArrowException) as e:
            raise FileBad("corrupt", f"not a readable Parquet file ({e}), after row {row}") from None
        o.eof = k
        self.manifest.eof(f.rel, k)
        self._maybe_assemble(fi)

    # ------------------------------------------------------------------ the run

    def run(self) -> RunResult:
        from ._report import build_summary, write_reports

        cfg = self.cfg
        self._check_out()
        files, skipped = discover(cfg)
        try:
            os.makedirs(self.report_dir, exist_ok=True)
            if cfg.out is not None and self.write:
                os.makedirs(cfg.out, exist_ok=True)
        except OSError as e:
            raise InputError(
                f"cannot create the report directory {self.report_dir!r}: {os_reason(e)}."
            ) from e
        manifest_path = os.path.join(self.report_dir, "manifest.jsonl")
        if not cfg.resume or not os.path.exists(manifest_path):
            shutil.rmtree(self.parts, ignore_errors=True)
        self.manifest = Manifest(manifest_path, cfg.fingerprint(), resume=cfg.resume)
        os.makedirs(self.parts, exist_ok=True)
        finished_before = self.manifest.finished
        try:
            if not finished_before:
                for f in files:  # leftovers of a killed run
                    with contextlib.suppress(OSError):
                        os.unlink(tmp_name(f.dest))
                total = sum(f.size for f in files)
                self.progress = _Progress(_show_progress(cfg), total)
                with self.progress, self._executor():
                    for fi, f in enumerate(files):
                        self._do_file(fi, f)
                    self._drain()
            elapsed = time.perf_counter() - self.t0
            totals, bad_files = self._totals(files)
            summary = build_summary(
                cfg,
                totals,
                bad_files=bad_files,
                skipped=skipped,
                files=len(files),
                elapsed=elapsed,
                run_records=self.run_records,
                run_bytes=self.run_bytes,
                resumed=self.manifest.resumed,
            )
            if not finished_before:
                self._assemble_reports(files, skipped, bad_files)
            write_reports(self.report_dir, summary)
            if not finished_before:
                self.manifest.finish()
                shutil.rmtree(self.parts, ignore_errors=True)
        finally:
            self.manifest.close()
        return RunResult(summary, int(summary["exit_status"]))

    def _totals(self, files: list[InputFile]) -> tuple[Stats, list[dict[str, Any]]]:
        totals = Stats()
        bad_files: list[dict[str, Any]] = []
        for f in files:
            st = self.manifest.state(f.rel)
            if st.bad is not None:
                bad_files.append(st.bad)
            else:
                totals.merge(st.stats, examples=RUN_EXAMPLES)
        return totals, bad_files

    def _assemble_reports(
        self, files: list[InputFile], skipped: list[Skipped], bad: list[dict[str, Any]]
    ) -> None:
        del bad
        records = os.path.join(self.report_dir, "records.jsonl")
        with atomic_output(records) as out:
            for s in skipped:
                out.write(jsonl_bytes(bad_entry(s.source, None, "skipped", s.reason) | {"action": "skipped"}))
            for f in files:
                st = self.manifest.state(f.rel)
                if st.bad is not None:
                    out.write(jsonl_bytes(st.bad))
                    continue
                for k in range(st.eof or 0):
                    part = self._part(f, k, "report")
                    if os.path.exists(part):
                        copy_file(part, out)
        if self.cfg.quarantine is not None and self.write:
            with atomic_output(self.cfg.quarantine) as out:
                for f in files:
                    st = self.manifest.state(f.rel)
                    if st.bad is not None:
                        continue
                    for k in range(st.eof or 0):
                        part = self._part(f, k, "quarantine")
                        if os.path.exists(part):
                            copy_file(part, out)


def run(cfg: BulkConfig) -> RunResult:
    """Run ``encfix bulk`` as configured; errors raise :class:`~encfix._io.InputError`."""
    return _Run(cfg).run()
