"""A datatrove pipeline step: ``pip install 'encfix[datatrove]'``.

Replace ``FTFYFormatter()`` with ``EncfixFormatter()`` in a pipeline::

    from encfix.bulk.datatrove import EncfixFormatter

    pipeline = [
        JsonlReader("data/"),
        EncfixFormatter(),              # was: FTFYFormatter()
        JsonlWriter("fixed/"),
    ]

Each ``Document.text`` is repaired by :func:`encfix.repair` through the same
code as ``encfix bulk``, so the text equals ``encfix fix``'s output.  Unlike
ftfy's default ``fix_text``, correct CJK punctuation is never folded.  With
``report=True`` a repaired document gets ``metadata["encfix"]``: its fixes
(chain, decoder, confidence...) as in ``encfix bulk``'s ``records.jsonl``.
The step counts ``encfix_changed``, ``encfix_fixes`` and ``encfix_bad`` in
datatrove's stats.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from datatrove.pipeline.formatters.base import BaseFormatter

from encfix._options import Options

from ._records import Job, repair_values
from ._stats import Stats

__all__ = ["EncfixFormatter"]


class EncfixFormatter(BaseFormatter):  # type: ignore[misc, unused-ignore]
    """Repair mojibake in ``Document.text`` with encfix (options as for :func:`encfix.repair`)."""

    name = "🈚 encfix"
    _requires_dependencies: ClassVar[list[str]] = []

    def __init__(self, options: Options | None = None, *, report: bool = False, **option_kwargs: Any) -> None:
        super().__init__()
        self.options = Options.build(options, option_kwargs)
        self.report = report
        self._job = Job(options=self.options, id_field=None)

    def _repair(self, text: Any) -> tuple[Any, dict[str, Any] | None, Stats]:
        stats = Stats()
        o = repair_values([text], ["text"], self._job, stats, source="", record=0)
        return o.values[0], o.entry, stats

    def format(self, text: str) -> str:
        new, _, _ = self._repair(text)
        return str(new)

    def run(self, data: Any, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        for doc in data:
            self.stat_update("total")
            with self.track_time():
                new, entry, stats = self._repair(doc.text)
            if stats.changed:
                doc.text = new
                self.stat_update("encfix_changed")
                self.stat_update("encfix_fixes", value=stats.fixes)
            if stats.bad:
                self.stat_update("encfix_bad")
            if self.report and entry is not None and (stats.changed or stats.bad or stats.unrecoverable):
                doc.metadata["encfix"] = {
                    k: v for k, v in entry.items() if k not in ("source", "record", "action")
                }
            yield doc
