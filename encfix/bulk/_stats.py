"""Counts of a shard, a file or a whole run: they add up, and travel as JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BINS", "EXAMPLES", "FILE_EXAMPLES", "RUN_EXAMPLES", "Stats", "chain_key"]

#: confidence histogram: 20 bins of 0.05 over 0-1
BINS = 20
#: examples of repairs and of bad input kept per shard (the summary keeps more)
EXAMPLES = 4
#: ... per file
FILE_EXAMPLES = 16
#: ... in the summary
RUN_EXAMPLES = 40


def chain_key(fix: dict[str, Any]) -> str:
    """How the summary names a fix's damage: its chain, or its kind when it has none."""
    chain = fix.get("chain") or []
    if chain:
        return " → ".join(chain)
    return str(fix.get("kind") or "other")


@dataclass(slots=True)
class Stats:
    records: int = 0  # records read
    changed: int = 0  # records repaired
    fixes: int = 0
    bad: int = 0  # records that were bad input (passed through or quarantined)
    quarantined: int = 0
    unrecoverable: int = 0  # records with spans whose original is lost
    bytes_in: int = 0  # bytes of input read (decompressed)
    per_chain: Counter[str] = field(default_factory=Counter)
    bad_reasons: Counter[str] = field(default_factory=Counter)
    histogram: list[int] = field(default_factory=lambda: [0] * BINS)
    examples: list[dict[str, Any]] = field(default_factory=list)
    bad_examples: list[dict[str, Any]] = field(default_factory=list)
    bad_files: list[dict[str, Any]] = field(default_factory=list)

    def add_fix(self, fix: dict[str, Any]) -> None:
        self.fixes += 1
        self.per_chain[chain_key(fix)] += 1
        c = float(fix.get("confidence", 0.0))
        self.histogram[min(BINS - 1, max(0, int(c * BINS)))] += 1

    def add_example(self, example: dict[str, Any]) -> None:
        """Keep a few examples, preferring damage not shown yet."""
        if len(self.examples) < EXAMPLES:
            self.examples.append(example)
            return
        seen = {e["chain"] for e in self.examples}
        if example["chain"] not in seen:
            counts = Counter(e["chain"] for e in self.examples)
            for i in range(len(self.examples) - 1, -1, -1):
                if counts[self.examples[i]["chain"]] > 1:
                    del self.examples[i]
                    self.examples.append(example)
                    return

    def add_bad(self, kind: str, entry: dict[str, Any]) -> None:
        self.bad += 1
        self.bad_reasons[kind] += 1
        if len(self.bad_examples) < EXAMPLES:
            self.bad_examples.append(entry)

    def merge(self, other: Stats, *, examples: int | None = EXAMPLES) -> None:
        self.records += other.records
        self.changed += other.changed
        self.fixes += other.fixes
        self.bad += other.bad
        self.quarantined += other.quarantined
        self.unrecoverable += other.unrecoverable
        self.bytes_in += other.bytes_in
        self.per_chain.update(other.per_chain)
        self.bad_reasons.update(other.bad_reasons)
        self.histogram = [a + b for a, b in zip(self.histogram, other.histogram, strict=True)]
        for e in other.examples:
            if examples is None or len(self.examples) < examples:
                self.examples.append(e)
            else:
                self.add_example(e)
        room = None if examples is None else max(0, examples - len(self.bad_examples))
        self.bad_examples.extend(other.bad_examples[:room])
        self.bad_files.extend(other.bad_files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "changed": self.changed,
            "fixes": self.fixes,
            "bad": self.bad,
            "quarantined": self.quarantined,
            "unrecoverable": self.unrecoverable,
            "bytes_in": self.bytes_in,
            "per_chain": dict(self.per_chain),
            "bad_reasons": dict(self.bad_reasons),
            "histogram": list(self.histogram),
            "examples": list(self.examples),
            "bad_examples": list(self.bad_examples),
            "bad_files": list(self.bad_files),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Stats:
        return cls(
            records=int(d.get("records", 0)),
            changed=int(d.get("changed", 0)),
            fixes=int(d.get("fixes", 0)),
            bad=int(d.get("bad", 0)),
            quarantined=int(d.get("quarantined", 0)),
            unrecoverable=int(d.get("unrecoverable", 0)),
            bytes_in=int(d.get("bytes_in", 0)),
            per_chain=Counter({str(k): int(v) for k, v in dict(d.get("per_chain", {})).items()}),
            bad_reasons=Counter({str(k): int(v) for k, v in dict(d.get("bad_reasons", {})).items()}),
            histogram=[int(x) for x in d.get("histogram", [0] * BINS)],
            examples=list(d.get("examples", [])),
            bad_examples=list(d.get("bad_examples", [])),
            bad_files=list(d.get("bad_files", [])),
        )
