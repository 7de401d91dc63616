"""Latin-script mojibake by ftfy's heuristics, confined to what encfix left alone."""

from __future__ import annotations

from encfix._types import Fix

__all__ = ["fix_gaps"]


def fix_gaps(line: str, offset: int, taken: list[tuple[int, int]]) -> tuple[list[Fix], float]:
    return [], 1.0
