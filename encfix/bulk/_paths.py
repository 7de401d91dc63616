"""Finding the inputs, naming their outputs, and never writing outside ``--out``."""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import PurePosixPath

from encfix._io import InputError

from ._config import BulkConfig

__all__ = ["FORMATS", "InputFile", "Skipped", "discover", "ensure_parent", "format_of"]

#: name ending -> (format, compression); longest endings first
FORMATS: tuple[tuple[str, str, str], ...] = (
    (".jsonl.gz", "jsonl", "gzip"),
    (".jsonl.zst", "jsonl", "zstd"),
    (".ndjson.gz", "jsonl", "gzip"),
    (".ndjson.zst", "jsonl", "zstd"),
    (".jsonl", "jsonl", ""),
    (".ndjson", "jsonl", ""),
    (".parquet", "parquet", ""),
    (".txt", "text", ""),
    (".text", "text", ""),
    (".html", "text", ""),
    (".htm", "text", ""),
    (".md", "text", ""),
)

#: files that are ours, never inputs
_OURS = (".encfix-tmp",)


def format_of(name: str) -> tuple[str, str] | None:
    low = name.lower()
    for ending, fmt, comp in FORMATS:
        if low.endswith(ending):
            return fmt, comp
    return None


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input: where it is, how it is named in reports, where its output goes."""

    path: str  # to open
    source: str  # how reports name it (the SRC as given, joined with the relative path)
    rel: str  # relative output path (POSIX), unique in the run
    fmt: str  # "jsonl", "text" or "parquet"
    compression: str  # "", "gzip" or "zstd"
    dest: str  # where the output goes (under --out, or ``path`` itself with --in-place)
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that is not read: a symbolic link, or a file that cannot be listed."""

    source: str
    reason: str


def _matches(rel: str, globs: tuple[str, ...]) -> bool:
    p = PurePosixPath(rel)
    return any(p.match(g) for g in globs)


def _safe_rel(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return (
        bool(parts) and not PurePosixPath(rel).is_absolute() and all(p not in ("", ".", "..") for p in parts)
    )


def _within(path: str, root: str) -> bool:
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def discover(cfg: BulkConfig) -> tuple[list[InputFile], list[Skipped]]:
    """The run's inputs in a fixed order (SRCs in turn, each directory walked in sorted
    order), restricted to ``--shard i/N``; and what was skipped.

    Raises :class:`InputError` for a SRC that does not exist, for two inputs that
    would be written to the same output, and for an output that is its own input.
    """
    exclude = [os.path.realpath(cfg.report_path)]
    if cfg.out is not None:
        exclude.append(os.path.realpath(cfg.out))
    if cfg.quarantine is not None:
        exclude.append(os.path.realpath(cfg.quarantine))
    found: list[tuple[str, str, str, tuple[str, str]]] = []  # path, source, rel, format
    skipped: list[Skipped] = []

    def excluded(path: str) -> bool:
        return any(_within(path, e) for e in exclude)

    for src in cfg.sources:
        if cfg.out is not None and os.path.exists(src) and _within(src, cfg.out):
            raise InputError(
                f"SRC {src!r} is --out {cfg.out!r} or inside it; use --in-place to rewrite the inputs."
            )
        try:
            st = os.stat(src)
        except OSError as e:
            raise InputError(f"cannot read SRC {src!r}: {(e.strerror or type(e).__name__).lower()}.") from e
        if stat.S_ISDIR(st.st_mode):
            for dirpath, dirnames, filenames in os.walk(src, onerror=None, followlinks=False):
                dirnames.sort()
                keep = []
                for d in dirnames:
                    full = os.path.join(dirpath, d)
                    if os.path.islink(full):
                        skipped.append(Skipped(full, "symbolic link to a directory, not followed"))
                    elif not excluded(full):
                        keep.append(d)
                dirnames[:] = keep
                for name in sorted(filenames):
                    full = os.path.join(dirpath, name)
                    if name.endswith(_OURS) or excluded(full):
                        continue
                    rel = PurePosixPath(*os.path.relpath(full, src).split(os.sep)).as_posix()
                    known = format_of(name)
                    if cfg.globs:
                        if not _matches(rel, cfg.globs):
                            continue
                        kind = known or ("text", "")
                    elif known is None:
                        continue
                    else:
                        kind = known
                    if os.path.islink(full):
                        skipped.append(Skipped(full, "symbolic link, not followed"))
                        continue
                    found.append((full, full, rel, kind))
        elif stat.S_ISREG(st.st_mode):
            name = os.path.basename(os.path.normpath(src))
            if cfg.in_place and os.path.islink(src):
                skipped.append(Skipped(src, "symbolic link, not rewritten in place"))
                continue
            found.append((src, src, name, format_of(name) or ("text", "")))
        else:
            raise InputError(f"SRC {src!r} is neither a file nor a directory.")

    files: list[InputFile] = []
    seen: dict[str, str] = {}
    for path, source, rel, (fmt, comp) in found:
        if not _safe_rel(rel):  # pragma: no cover - walk and basename never give these
            raise InputError(f"cannot name an output for {source!r}.")
        if rel in seen:
            raise InputError(
                f"{seen[rel]!r} and {source!r} would both be written to {rel!r} under --out; "
                "give their directories as separate runs."
            )
        seen[rel] = source
        if cfg.in_place:
            dest = path
        else:
            assert cfg.out is not None
            dest = os.path.join(cfg.out, *rel.split("/"))
            if os.path.exists(dest) and os.path.samefile(dest, path):
                raise InputError(
                    f"the output for {source!r} would be the input itself; use --in-place for that."
                )
        try:
            st = os.stat(path)
        except OSError as e:
            skipped.append(Skipped(source, f"cannot read it: {(e.strerror or type(e).__name__).lower()}"))
            continue
        files.append(InputFile(path, source, rel, fmt, comp, dest, st.st_size, st.st_mtime_ns))

    i, n = cfg.shard
    if n > 1:
        files = [f for k, f in enumerate(files) if k % n == i]
    return files, skipped


def ensure_parent(dest: str, root: str | None) -> None:
    """Create the directories above ``dest`` under ``root`` (``--out``), refusing any
    path component that is a symbolic link or leads outside ``root``."""
    parent = os.path.dirname(dest)
    if root is None:  # --in-place: the file's own directory
        return
    if not _within(parent, root) and os.path.exists(parent):
        raise InputError(f"refusing to write {dest!r}: it would leave {root!r} (a symbolic link?).")
    rel = os.path.relpath(parent, root)
    cur = root
    if rel != ".":
        for part in rel.split(os.sep):
            if part in ("", ".", ".."):
                raise InputError(f"refusing to write {dest!r}: it would leave {root!r}.")
            cur = os.path.join(cur, part)
            try:
                st = os.lstat(cur)
            except FileNotFoundError:
                with contextlib.suppress(FileExistsError):  # raced
                    os.mkdir(cur)
                st = os.lstat(cur)
            except OSError as e:
                raise InputError(f"cannot create directory {cur!r}: {(e.strerror or '').lower()}.") from e
            if stat.S_ISLNK(st.st_mode):
                raise InputError(f"refusing to write through the symbolic link {cur!r} inside {root!r}.")
            if not stat.S_ISDIR(st.st_mode):
                raise InputError(f"cannot write under {cur!r}: it is a file, not a directory.")
    if not _within(parent, root):
        raise InputError(f"refusing to write {dest!r}: it would leave {root!r}.")
