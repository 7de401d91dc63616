"""Build ``encfix/artifacts/data/readings.json.gz``: the pinyin readings of
every Han character, from pypinyin's dictionary (pypinyin, MIT licence; its
readings come from the pinyin-data project, MIT).

    python -m encfix.artifacts.build_readings [--check]

Needs the ``build`` extra (``pip install '.[build]'``).  The output maps each
character to its readings in tone-number form (``"xie2"``), space-separated,
and records the pypinyin version and this script's hash.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "data" / "readings.json.gz"


def script_hash() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def build() -> bytes:
    import pypinyin
    from pypinyin import pinyin_dict

    from encfix.artifacts._pinyin import numbered

    table: dict[str, str] = {}
    for cp, readings in sorted(pinyin_dict.pinyin_dict.items()):
        ch = chr(cp)
        if not ("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or cp >= 0x20000):
            continue
        forms = dict.fromkeys(numbered(r) for r in readings.split(",") if r)
        table[ch] = " ".join(f for f in forms if f)
    doc = {
        "_source": f"pypinyin {pypinyin.__version__} (MIT), pinyin_dict",
        "_generator": script_hash(),
        "readings": table,
    }
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the shipped file differs")
    args = ap.parse_args()
    data = build()
    if args.check:
        if not OUT.exists() or gzip.decompress(OUT.read_bytes()) != gzip.decompress(data):
            print(
                "readings.json.gz is out of date: run python -m encfix.artifacts.build_readings",
                file=sys.stderr,
            )
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
