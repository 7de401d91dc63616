"""Regenerate ``encfix/_regex/data/compiled.json``: ``python -m encfix._regex.build``.

Imports every encfix module, builds the regular expressions the library makes
from its tables, and runs the library over a few texts and byte strings, so
that every pattern :func:`encfix._regex.compile` is asked for is seen; then
stores, for each, what this interpreter's ``re`` compiler makes of it.  The
table is valid for this interpreter only (see :data:`encfix._regex.TAG`);
run the script with the Python you ship for.
"""

from __future__ import annotations

import argparse
import array
import importlib
import json
import pkgutil
import sys
import zlib
from pathlib import Path
from typing import Any

import encfix
from encfix import _regex

_sre_compiler: Any
_sre_parser: Any
try:  # the compiler half of ``re`` (3.11+), or its older name
    _sre_compiler = importlib.import_module("re._compiler")
    _sre_parser = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - Python 3.10
    _sre_compiler = importlib.import_module("sre_compile")
    _sre_parser = importlib.import_module("sre_parse")

#: modules whose imports need optional extras; their patterns are compiled as usual
_OPTIONAL = ("encfix.bulk.ray", "encfix.bulk.datatrove")

#: texts the workload repairs: every kind of damage the engine handles, so
#: that the patterns it builds on first use are seen
_TEXTS = (
    "ÖÐÎÄ",
    "鏁版嵁瀵煎嚭鎴愬姛",
    "縺薙ｓ縺ｫ縺｡縺ｯ",
    "ä¸­æ–‡ä¹±ç",
    "╓╨╬─",
    "銝剜��",
    "涓枃",
    "提供相關幫助?!敝貞c市外事辦公室",
    "非??膳隆?/a>",
    "弊霸 扁夯捞促.",
    "袪邪斜芯褌邪 薪邪写",
    "voilà café naïve Ã©tÃ©",
    "中文（zhōng wén）&amp;&#20013;",
    "乱码“锟斤拷”是怎么来的",
)


def _import_all() -> None:
    for info in pkgutil.walk_packages(encfix.__path__, "encfix."):
        if info.name.startswith(_OPTIONAL) or info.name.endswith((".build", ".build_tables", ".build_data")):
            continue
        importlib.import_module(info.name)


def _workload() -> None:
    from encfix._detect import _tables
    from encfix.codecs import DECODERS

    _tables.fast_regexes()
    _tables.spaced_regex()
    _tables.word_regex()
    decoders = _tables._data()["decoders"]
    assert isinstance(decoders, dict)
    for name in decoders:
        _tables.encodable_regex(name)
        _tables.non_ascii_encodable_regex(name)
    for text in _TEXTS:
        for lossy in (True, False):
            encfix.repair(text, lossy=lossy)
            encfix.repair(f"第一行\n{text}\n第三行", lossy=lossy)
        encfix.detect(text)
        for codec in ("utf-8", "gb18030", "big5", "cp932", "euc-kr"):
            try:
                data = text.encode(codec)
            except UnicodeEncodeError:
                continue
            encfix.detect(data)
    for name in DECODERS:
        encfix.detect("中文测试".encode("utf-8", "replace") + name.encode())


def code_for(pattern: str | bytes, flags: int) -> list[Any]:
    """What this interpreter's compiler hands ``_sre.compile`` for ``pattern``:
    [final flags, code, groups, groupindex, indexgroup]."""
    p = _sre_parser.parse(pattern, flags)
    code = _sre_compiler._code(p, flags)
    groupindex = dict(p.state.groupdict)
    indexgroup: list[str | None] = [None] * p.state.groups
    for k, i in groupindex.items():
        indexgroup[i] = k
    return [int(flags | p.state.flags), list(code), p.state.groups - 1, groupindex, indexgroup]


def build() -> tuple[str, bytes]:
    """The contents of ``compiled.json`` and ``compiled.bin``."""
    _import_all()
    _workload()
    entries = {_regex.key(p, f): code_for(p, f) for p, f in _regex.seen}
    codes = array.array("I")
    patterns = {}
    for k in sorted(entries):
        flags, code, groups, groupindex, indexgroup = entries[k]
        patterns[k] = [flags, len(codes), len(codes) + len(code), groups, groupindex, indexgroup]
        codes.extend(code)
    if sys.byteorder != "little":  # pragma: no cover
        codes.byteswap()
    raw = codes.tobytes()
    header = {"tag": _regex.TAG, "crc32": zlib.crc32(raw), "patterns": patterns}
    return json.dumps(header, separators=(",", ":"), sort_keys=True) + "\n", raw


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="regenerate encfix/_regex/data/compiled.{json,bin}")
    ap.add_argument("--out", type=Path, default=_regex.DATA, help="directory")
    args = ap.parse_args(argv)
    header, codes = build()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compiled.json").write_text(header, encoding="utf-8")
    (args.out / "compiled.bin").write_bytes(codes)
    n = len(json.loads(header)["patterns"])
    print(f"{args.out}: {n} patterns, {len(codes):,} bytes of code for {_regex.TAG}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
