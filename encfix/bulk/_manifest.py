"""The manifest: what a run has finished, so that ``--resume`` neither redoes nor repeats it.

``manifest.jsonl`` in the report directory is an append-only log, one JSON
object per line, each appended with a single ``write`` and flushed to disk
(``fsync``) *after* the files it records were renamed into place:

* ``{"manifest": 1, "fingerprint": ...}`` -- the settings it belongs to;
* ``{"file": REL, "size": ..., "mtime_ns": ...}`` -- a file is being read (a
  later entry for the same file starts it over);
* ``{"shard": [REL, K], "stats": ..., "end": ..., "next": ...}`` -- shard K's
  output, report and quarantine parts are in place;
* ``{"eof": REL, "shards": N}`` -- the file has N shards in all;
* ``{"complete": REL}`` -- the file's output is in place (with ``"stats"``
  for a file of one shard);
* ``{"bad_file": REL, "entry": ...}`` -- the file was copied unchanged;
* ``{"finished": true}`` -- the whole run is done.

A line cut short by a kill (no newline, or not JSON) is the last one and is
dropped on reading, so each entry is recorded atomically.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from encfix._io import InputError

from ._files import os_reason
from ._stats import FILE_EXAMPLES, Stats
from ._worker import jsonl_bytes

__all__ = ["FileState", "Manifest"]

_VERSION = 1


@dataclass(slots=True)
class FileState:
    """What the manifest says about one file."""

    size: int = -1
    mtime_ns: int = -1
    done: set[int] = field(default_factory=set)
    #: shard -> (raw offset after it, next line number): to seek past a finished prefix
    ends: dict[int, tuple[int, int]] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)
    eof: int | None = None
    complete: bool = False
    bad: dict[str, Any] | None = None

    def restart(self, size: int, mtime_ns: int) -> None:
        self.size, self.mtime_ns = size, mtime_ns
        self.done = set()
        self.ends = {}
        self.stats = Stats()
        self.eof = None
        self.complete = False
        self.bad = None


class Manifest:
    def __init__(self, path: str, fingerprint: str, *, resume: bool) -> None:
        self.path = path
        self.files: dict[str, FileState] = {}
        self.finished = False
        self.resumed = False
        if resume and os.path.exists(path):
            self._load(fingerprint)
            self.resumed = True
        else:
            self._fd = -1
            self._open(truncate=True)
            self._append({"manifest": _VERSION, "fingerprint": fingerprint})

    # -- reading

    def _load(self, fingerprint: str) -> None:
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise InputError(f"cannot read the manifest {self.path!r}: {os_reason(e)}.") from e
        good = 0
        entries: list[dict[str, Any]] = []
        for line in data.splitlines(keepends=True):
            if not line.endswith(b"\n"):
                break
            try:
                entries.append(json.loads(line))
            except ValueError:
                break
            good += len(line)
        if not entries or entries[0].get("manifest") != _VERSION:
            raise InputError(f"{self.path!r} is not an encfix bulk manifest; remove it to start over.")
        if entries[0].get("fingerprint") != fingerprint:
            raise InputError(
                f"the run recorded in {self.path!r} used other inputs or settings; "
                "run again without --resume to start over, or with that run's settings."
            )
        for entry in entries[1:]:
            self._apply(entry)
        self._fd = -1
        self._open(truncate=False)
        if good < len(data):  # drop a torn last line
            os.ftruncate(self._fd, good)

    def _apply(self, e: dict[str, Any]) -> None:
        if "file" in e:
            self.files.setdefault(e["file"], FileState()).restart(int(e["size"]), int(e["mtime_ns"]))
        elif "shard" in e:
            rel, k = e["shard"]
            st = self.files.setdefault(rel, FileState())
            if k not in st.done:
                st.done.add(int(k))
                st.stats.merge(Stats.from_dict(e["stats"]), examples=FILE_EXAMPLES)
                if "end" in e:
                    st.ends[int(k)] = (int(e["end"]), int(e["next"]))
        elif "eof" in e:
            self.files.setdefault(e["eof"], FileState()).eof = int(e["shards"])
        elif "complete" in e:
            st = self.files.setdefault(e["complete"], FileState())
            st.complete = True
            if "stats" in e:
                st.done = {0}
                st.eof = 1
                st.stats = Stats.from_dict(e["stats"])
        elif "bad_file" in e:
            st = self.files.setdefault(e["bad_file"], FileState())
            st.bad = dict(e["entry"])
            st.complete = True
        elif e.get("finished"):
            self.finished = True

    # -- writing

    def _open(self, *, truncate: bool) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if truncate else 0)
        try:
            self._fd = os.open(self.path, flags, 0o666)
        except OSError as e:
            raise InputError(f"cannot write the manifest {self.path!r}: {os_reason(e)}.") from e

    def _append(self, entry: dict[str, Any]) -> None:
        line = jsonl_bytes(entry)
        try:
            os.write(self._fd, line)
            os.fsync(self._fd)
        except OSError as e:
            raise InputError(f"cannot write the manifest {self.path!r}: {os_reason(e)}.") from e

    def state(self, rel: str) -> FileState:
        return self.files.setdefault(rel, FileState())

    def start_file(self, rel: str, size: int, mtime_ns: int) -> FileState:
        """The file's state; started over if the file changed since it was recorded."""
        st = self.state(rel)
        if st.size != size or st.mtime_ns != mtime_ns:
            st.restart(size, mtime_ns)
            self._append({"file": rel, "size": size, "mtime_ns": mtime_ns})
        return st

    def shard_done(self, rel: str, k: int, stats: Stats, end: tuple[int, int] | None) -> None:
        entry: dict[str, Any] = {"shard": [rel, k], "stats": stats.to_dict()}
        if end is not None:
            entry["end"], entry["next"] = end
        self._append(entry)
        st = self.state(rel)
        st.done.add(k)
        st.stats.merge(stats, examples=FILE_EXAMPLES)
        if end is not None:
            st.ends[k] = end

    def eof(self, rel: str, shards: int) -> None:
        self._append({"eof": rel, "shards": shards})
        self.state(rel).eof = shards

    def complete(self, rel: str, stats: Stats | None = None) -> None:
        entry: dict[str, Any] = {"complete": rel}
        st = self.state(rel)
        if stats is not None:
            entry["stats"] = stats.to_dict()
            st.done, st.eof, st.stats = {0}, 1, stats
        self._append(entry)
        st.complete = True

    def file_bad(self, rel: str, entry: dict[str, Any]) -> None:
        self._append({"bad_file": rel, "entry": entry})
        st = self.state(rel)
        st.bad = entry
        st.complete = True
        st.stats = Stats()

    def finish(self) -> None:
        self._append({"finished": True})
        self.finished = True

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
