"""The mis-decodings encfix looks for, with their prior costs.

A prior cost is -ln of how much rarer a chain is than the commonest ones, plus
the base cost of "this span is damaged at all"; the language model must beat
it for a fix to be made.  ``calibrate.py`` in ``bench/`` reports how well the
resulting confidences match observed accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from encfix.codecs import DECODERS, ORIGINALS, Decoder, Original

__all__ = ["BASE_COST", "CHAINS", "ROUND_COST", "Chain", "chains_for_decoder"]

#: cost of any span being damaged (nats)
BASE_COST = 4.0
#: extra cost of each further round of damage
ROUND_COST = 3.0

_SINGLE = ("latin-1", "cp1252", "cp1250", "cp1251", "cp437", "macroman")
_DOUBLE = ("gbk", "big5", "cp932", "euc-jp", "cp949")
_FAMILY = {"gbk": "gbk", "big5": "big5", "cp932": "shift_jis", "euc-jp": "euc-jp", "cp949": "euc-kr"}

# extra cost per (original, decoder); everything not listed costs _DEFAULT_EXTRA
_EXTRA: dict[tuple[str, str], float] = {
    ("utf-8", "cp1252"): 0.0,
    ("utf-8", "latin-1"): 0.3,
    ("utf-8", "gbk"): 0.0,
    ("utf-8", "cp932"): 0.5,
    ("utf-8", "big5"): 1.0,
    ("utf-8", "cp949"): 1.0,
    ("utf-8", "euc-jp"): 1.5,
    ("utf-8", "cp1251"): 1.0,
    ("utf-8", "cp1250"): 1.5,
    ("utf-8", "cp437"): 2.0,
    ("utf-8", "macroman"): 2.0,
    ("gbk", "cp437"): 2.0,
    ("cp1252", "latin-1"): 1.0,
}
_DEFAULT_EXTRA = {"single": 1.0, "cp437": 4.0, "macroman": 2.5, "double": 4.0}

# Windows code pages a legacy CJK original is plausibly misread through
_LEGACY_SINGLE = ("latin-1", "cp1252", "cp437", "macroman")
# Legacy CJK read through another legacy CJK decoder: only the pairs seen in
# the wild (a Chinese Windows reading Taiwanese, Korean or Japanese files, and
# the reverse for Big5).  Every legacy pair reads the other's bytes as valid
# CJK, so each one added is a way to "repair" correct text; more pairs only
# on evidence.
_LEGACY_DOUBLE = {("big5", "gbk"), ("gbk", "big5"), ("euc-kr", "gbk"), ("shift_jis", "gbk")}


@dataclass(frozen=True, slots=True)
class Chain:
    original: Original
    decoder: Decoder
    prior: float

    @property
    def names(self) -> tuple[str, str]:
        return (self.original.name, self.decoder.name)


def _extra(orig: str, dec: str) -> float:
    if (orig, dec) in _EXTRA:
        return _EXTRA[(orig, dec)]
    if dec in ("cp437", "macroman"):
        return _DEFAULT_EXTRA[dec]
    return _DEFAULT_EXTRA["single" if dec in _SINGLE else "double"]


def _build() -> tuple[Chain, ...]:
    out: list[Chain] = []
    for oname, orig in ORIGINALS.items():
        for dname, dec in DECODERS.items():
            if oname == "cp1252":
                # Windows-1252 punctuation read as Latin-1: C1 controls
                if dname != "latin-1":
                    continue
            elif oname == "utf-8":
                pass
            elif dname in _SINGLE:
                if dname not in _LEGACY_SINGLE:
                    continue
            elif (oname, dname) not in _LEGACY_DOUBLE:
                continue
            out.append(Chain(orig, dec, BASE_COST + _extra(oname, dname)))
    return tuple(out)


CHAINS: tuple[Chain, ...] = _build()


@cache
def chains_for_decoder(name: str) -> tuple[Chain, ...]:
    return tuple(c for c in CHAINS if c.decoder.name == name)
