"""Detection: name the damage in text, or the encoding of bytes."""

from __future__ import annotations
