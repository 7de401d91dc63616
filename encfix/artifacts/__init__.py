"""Artifacts scraped corpora carry besides mojibake: pinyin annotations a
converter inserted (:mod:`._pinyin`), full-width punctuation NFKC folded
(:mod:`._punct`), character references in text that is not HTML
(:mod:`._entities`).  Each finder returns fixes (``kind`` ``"pinyin"``,
``"punct"``, ``"entity"``) that :func:`encfix.apply_plan` replays."""

from __future__ import annotations

from encfix.artifacts._entities import entity_fixes, looks_like_html, replay_entity
from encfix.artifacts._pinyin import pinyin_fixes, replay_pinyin
from encfix.artifacts._punct import punct_fixes, replay_punct

__all__ = [
    "entity_fixes",
    "looks_like_html",
    "pinyin_fixes",
    "punct_fixes",
    "replay_entity",
    "replay_pinyin",
    "replay_punct",
]
