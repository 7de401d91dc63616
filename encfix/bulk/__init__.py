"""Bulk repair of whole corpora: ``encfix bulk`` and its Python entry points.

* :func:`run` with a :class:`BulkConfig` -- what ``encfix bulk SRC... --out DST`` does:
  streaming, parallel (a process pool over shards), resumable, reported;
* :mod:`encfix.bulk.ray` -- :func:`~encfix.bulk.ray.repair_dataset` repairs a Ray
  Dataset's text columns with ``map_batches`` (``pip install 'encfix[ray]'``);
* :mod:`encfix.bulk.datatrove` -- :class:`~encfix.bulk.datatrove.EncfixFormatter`,
  a datatrove pipeline step that replaces ``FTFYFormatter``
  (``pip install 'encfix[datatrove]'``).

Every path repairs each text with :func:`encfix.repair` and one frozen
:class:`encfix.Options`, so the output equals ``encfix fix`` on each record.
See ``docs/bulk.md``.
"""

from __future__ import annotations

from ._config import DEFAULT_MAX_RECORD_BYTES, BulkConfig, options_from_cli
from ._runner import RunResult, run

__all__ = ["DEFAULT_MAX_RECORD_BYTES", "BulkConfig", "RunResult", "options_from_cli", "run"]
