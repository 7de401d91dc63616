"""Typed codec registry: the encodings text is written in, and the decoders that
misread it.

Two roles, deliberately separate:

* an **original** encoding (:class:`Original`) is how the text was turned into
  bytes; reversing mojibake decodes those bytes again.  A family (GBK, Big5,
  Shift_JIS...) has several real-world members whose mappings differ in a few
  cells; all of them are tried, the language model picks.
* a **wrong decoder** (:class:`Decoder`) is what read the bytes as the wrong
  encoding.  It carries a *decoder model*: browsers (WHATWG Encoding Standard)
  and Windows map bytes CPython refuses (``0x80`` -> ``€`` in GBK, undefined
  Windows-1252 bytes -> C1 controls), so the inverse must know them.

Chains are tuples of names, innermost first: ``("utf-8", "gbk")`` means UTF-8
bytes decoded as GBK; ``("gbk", "latin-1", "utf-8", "cp1252")`` adds a second
round.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from encfix.codecs import _sloppy

__all__ = [
    "DECODERS",
    "ORIGINALS",
    "Decoder",
    "Original",
    "decoder",
    "describe_chain",
    "label",
    "original",
]


@dataclass(frozen=True, slots=True)
class Original:
    """An encoding text may have been written in."""

    name: str
    label: str
    #: CPython codecs of the family's members, most common first
    members: tuple[str, ...]
    multibyte: bool

    def decode_all(self, data: bytes) -> list[tuple[str, str]]:
        """Every distinct strict decoding of ``data`` as ``(member, text)``."""
        out: list[tuple[str, str]] = []
        for m in self.members:
            try:
                text = data.decode(m)
            except UnicodeDecodeError:
                continue
            if all(text != t for _, t in out):
                out.append((m, text))
        return out

    def encode(self, text: str, member: str | None = None) -> bytes:
        return text.encode(member or self.members[0])


@dataclass(frozen=True, slots=True)
class Decoder:
    """A decoder that misread bytes, with the model of how it maps them."""

    name: str
    label: str
    #: short name of the decoder model ("whatwg", "cpython", ...)
    model: str
    multibyte: bool
    _decode: Callable[[bytes], str] = field(repr=False, compare=False)
    _encode: Callable[[str], bytes] = field(repr=False, compare=False)
    #: characters with more than one byte sequence that decodes to them
    alternates: dict[str, tuple[bytes, ...]] = field(default_factory=dict, repr=False, compare=False)

    def decode(self, data: bytes) -> str:
        """Decode as this decoder does (strict: raises on bytes it would lose)."""
        return self._decode(data)

    def encode(self, text: str) -> bytes:
        """The canonical bytes that this decoder turns into ``text``."""
        return self._encode(text)

    def reverse(self, text: str, member: str, *, data: bytes | None = None) -> str:
        """``text`` re-encoded as this decoder's input and decoded with the
        CPython codec ``member`` (``data``: ``self.encode(text)``, if the
        caller has it already).

        Where a character has several byte sequences this decoder reads as
        it (``€`` is both ``80`` and ``A2 E3`` to a GBK decoder), the
        canonical one is tried first; at each decoding error the nearest
        such character before it takes its other form.  Raises
        :class:`UnicodeError` if no combination decodes."""
        if data is None:
            data = self._encode(text)
        try:
            return data.decode(member)
        except UnicodeDecodeError:
            if not self.alternates or all(c not in text for c in self.alternates):
                raise
        parts: list[bytes] = []
        picks: list[tuple[str, int]] = []  # (character, index into its forms)
        last = 0
        for i, ch in enumerate(text):
            if ch in self.alternates:
                parts.append(self._encode(text[last:i]))
                picks.append((ch, 0))
                last = i + 1
        tail = self._encode(text[last:])
        for _ in range(len(picks) + 1):
            chunks: list[bytes] = []
            offsets: list[int] = []
            pos = 0
            for part, (ch, k) in zip(parts, picks, strict=True):
                chunks.append(part)
                pos += len(part)
                offsets.append(pos)
                form = self.alternates[ch][k]
                chunks.append(form)
                pos += len(form)
            chunks.append(tail)
            data = b"".join(chunks)
            try:
                return data.decode(member)
            except UnicodeDecodeError as e:
                flip = [j for j, off in enumerate(offsets) if off <= e.end and picks[j][1] == 0]
                if not flip:
                    raise
                j = flip[-1]
                picks[j] = (picks[j][0], 1)
        raise UnicodeDecodeError(member, data, 0, len(data), "no reading of the alternate characters decodes")


# ---------------------------------------------------------------- originals

ORIGINALS: dict[str, Original] = {
    o.name: o
    for o in (
        Original("utf-8", "UTF-8", ("utf-8", "encfix-cesu-8"), True),
        Original("cp1252", "Windows-1252", ("cp1252",), False),
        Original("gbk", "GBK", ("gbk", "gb18030", "gb2312"), True),
        Original("big5", "Big5", ("big5", "cp950", "big5hkscs"), True),
        Original("shift_jis", "Shift_JIS", ("cp932", "shift_jis", "shift_jis_2004"), True),
        Original("euc-jp", "EUC-JP", ("euc_jp", "euc_jis_2004"), True),
        Original("euc-kr", "EUC-KR", ("cp949", "euc_kr"), True),
    )
}


# ---------------------------------------------------------------- decoders


def _gbk_error(exc: UnicodeError) -> tuple[str, int]:
    # WHATWG gb18030 decoder and Windows cp936: the single byte 0x80 is U+20AC
    if isinstance(exc, UnicodeDecodeError) and exc.object[exc.start] == 0x80:
        return "\u20ac", exc.start + 1
    raise exc


def _big5_error(exc: UnicodeError) -> tuple[str, int]:
    # WHATWG Big5 index (and cp950) put the euro sign at A3E1
    if isinstance(exc, UnicodeDecodeError) and exc.object[exc.start : exc.start + 2] == b"\xa3\xe1":
        return "\u20ac", exc.start + 2
    raise exc


codecs.register_error("encfix-gbk", _gbk_error)
codecs.register_error("encfix-big5", _big5_error)


def _encode_with_euro(py: str, euro: bytes) -> Callable[[str], bytes]:
    def enc(text: str) -> bytes:
        if "\u20ac" not in text:
            return text.encode(py)
        return euro.join(part.encode(py) for part in text.split("\u20ac"))

    return enc


def _sbcs(name: str, label: str) -> Decoder:
    py = _sloppy.python_name(name)
    fill = _sloppy.SINGLE_BYTE[name][1]
    return Decoder(
        name,
        label,
        "whatwg" if fill else "cpython",
        False,
        lambda b: b.decode(py),
        lambda s: s.encode(py),
    )


def _py(name: str, label: str, py: str, model: str) -> Decoder:
    return Decoder(name, label, model, True, lambda b: b.decode(py), lambda s: s.encode(py))


DECODERS: dict[str, Decoder] = {
    d.name: d
    for d in (
        _sbcs("latin-1", "Latin-1"),
        _sbcs("cp1252", "Windows-1252"),
        _sbcs("cp1250", "Windows-1250"),
        _sbcs("cp1251", "Windows-1251"),
        _sbcs("cp437", "DOS code page 437"),
        _sbcs("macroman", "Mac OS Roman"),
        Decoder(
            "gbk",
            "GBK",
            "whatwg",
            True,
            lambda b: b.decode("gb18030", "encfix-gbk"),
            _encode_with_euro("gb18030", b"\x80"),
            {"\u20ac": (b"\x80", b"\xa2\xe3")},
        ),
        Decoder(
            "big5",
            "Big5",
            "whatwg",
            True,
            lambda b: b.decode("big5hkscs", "encfix-big5"),
            _encode_with_euro("big5hkscs", b"\xa3\xe1"),
        ),
        _py("cp932", "Shift_JIS (cp932)", "cp932", "cpython"),
        _py("euc-jp", "EUC-JP", "euc_jp", "cpython"),
        _py("cp949", "EUC-KR (cp949)", "cp949", "cpython"),
    )
}


def original(name: str) -> Original:
    return ORIGINALS[name]


def decoder(name: str) -> Decoder:
    return DECODERS[name]


_LABELS = {**{k: v.label for k, v in ORIGINALS.items()}, **{k: v.label for k, v in DECODERS.items()}}


def label(name: str) -> str:
    return _LABELS.get(name, name)


def describe_chain(chain: Iterable[str]) -> str:
    """``("utf-8", "gbk")`` -> ``"UTF-8 bytes decoded as GBK"``."""
    names = list(chain)
    parts = []
    for i in range(0, len(names) - 1, 2):
        enc, dec = names[i], names[i + 1]
        if i == 0:
            parts.append(f"{label(enc)} bytes decoded as {label(dec)}")
        else:
            parts.append(f"then encoded as {label(enc)} and decoded as {label(dec)}")
    return ", ".join(parts)


@cache
def sbcs_table(name: str) -> str:
    """Decoding table (256 chars) of a single-byte decoder."""
    return _sloppy.decoding_table(name)
