"""Single-byte code pages as browsers and Windows actually decode them.

CPython's ``cp1252`` refuses the five bytes Windows-1252 leaves undefined; the
WHATWG Encoding Standard (and Windows' ``MultiByteToWideChar``) map each such
byte to the C1 control with the same number.  Mojibake made by browsers
therefore contains ``U+0081``, ``U+008D``, ... and must be re-encodable.

The tables are derived from CPython's own codecs at import and registered as
``encfix-<name>`` so that encoding and decoding run in C (``codecs.charmap_*``).
"""

from __future__ import annotations

import codecs
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Buffer

#: encfix name -> (CPython codec, fill undefined bytes with U+00XX)
SINGLE_BYTE: dict[str, tuple[str, bool]] = {
    "latin-1": ("latin-1", False),
    "cp1252": ("cp1252", True),
    "cp1250": ("cp1250", True),
    "cp1251": ("cp1251", True),
    "cp437": ("cp437", False),
    "macroman": ("mac_roman", False),
}


@cache
def decoding_table(name: str) -> str:
    """The 256 characters ``name`` decodes bytes 0x00-0xFF to."""
    py, fill = SINGLE_BYTE[name]
    out = []
    for b in range(256):
        try:
            out.append(bytes([b]).decode(py))
        except UnicodeDecodeError:
            if not fill:
                raise
            out.append(chr(b))
    return "".join(out)


def _cesu8_decode(data: Buffer, errors: str = "strict") -> tuple[str, int]:
    """UTF-8 in which characters beyond the BMP were written as two encoded
    UTF-16 surrogates (CESU-8; Java's "modified UTF-8")."""
    data = bytes(data)
    text = codecs.decode(data, "utf-8", "surrogatepass")
    if any("\ud800" <= c <= "\udfff" for c in text):
        try:
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeDecodeError as e:
            raise UnicodeDecodeError("encfix-cesu-8", data, 0, len(data), "unpaired surrogate") from e
    return text, len(data)


def _cesu8_encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
    out = []
    for ch in text:
        if ord(ch) > 0xFFFF:
            units = ch.encode("utf-16-le")
            pair = chr(int.from_bytes(units[:2], "little")) + chr(int.from_bytes(units[2:], "little"))
            out.append(pair.encode("utf-8", "surrogatepass"))
        else:
            out.append(ch.encode("utf-8"))
    return b"".join(out), len(text)


def _search(encoding: str) -> codecs.CodecInfo | None:
    if not encoding.startswith("encfix_"):
        return None
    if encoding == "encfix_cesu_8":
        return codecs.CodecInfo(_cesu8_encode, _cesu8_decode, name="encfix-cesu-8")
    name = encoding[len("encfix_") :].replace("_", "-")
    if name not in SINGLE_BYTE:
        return None
    table = decoding_table(name)
    enc_table = codecs.charmap_build(table)

    def encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
        return codecs.charmap_encode(text, errors, enc_table)

    def decode(data: Buffer, errors: str = "strict") -> tuple[str, int]:
        return codecs.charmap_decode(bytes(data), errors, table)

    return codecs.CodecInfo(encode, decode, name=f"encfix-{name}")


codecs.register(_search)


def python_name(name: str) -> str:
    """The registered codec name for encfix's single-byte ``name``."""
    return "encfix-" + name
