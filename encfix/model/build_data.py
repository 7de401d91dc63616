"""Regenerate the character n-gram models shipped in ``encfix/model/data``.

Run ``python -m encfix.model.build_data`` (needs the ``build`` extra: wordfreq and
OpenCC).  The output is deterministic for a given wordfreq/OpenCC version; the
test-suite checks that the shipped files carry the hash of this script, and the
slow test ``test_model_data_is_current`` rebuilds them and compares bytes.

Sources (see README, "Data sources"):

* wordfreq word frequencies (CC-BY-SA 4.0) for zh, ja, ko and the non-CJK
  languages of the ``world`` model;
* OpenCC's Simplified-to-Traditional tables (Apache-2.0) to derive zh-Hant
  words from wordfreq's zh list (which wordfreq keeps in Simplified).

Model.  Words are the only text wordfreq gives, so each language is modelled as
a stream of words: P(c2 | c1) mixes the word-internal bigram with "the word ends
after c1 and the next word starts with c2":

    P(c2 | c1) = (n_int(c1 c2) + n_end(c1) * P_start(c2)) / n(c1)

Costs are -ln P in nats, quantised to 1/8 nat and capped at 255/8.  Characters
that never occur in words (punctuation, spaces, digits, symbols) get per-class
costs: the priors in ``CLASS_PRIORS`` (and ``MARK_COSTS``, a few marks of
each class) below are the one hand-set part of the model, stated here so they
can be argued with.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import struct
import sys
import unicodedata
import zlib
from collections import defaultdict
from pathlib import Path

from encfix.model._classes import WORD_CLASSES, char_class

DATA_DIR = Path(__file__).resolve().parent / "data"
FORMAT_VERSION = 2
SCALE = 8  # quantisation: 1/8 nat
MAXQ = 255

# wordfreq languages that feed the non-CJK "world" model (Latin, Cyrillic,
# Greek, Hebrew, Arabic, Devanagari ... scripts), each capped to its top words.
WORLD_LANGS = (
    *("en", "fr", "de", "es", "pt", "it", "nl", "pl", "cs", "sk", "sl", "sh", "hu", "ro", "tr"),
    *("sv", "da", "nb", "fi", "is", "lt", "lv", "vi", "id", "ca", "el", "ru", "uk", "bg", "mk"),
    *("he", "ar", "fa", "hi", "bn", "ta"),
)
WORLD_TOP = 40000
CJK_TOP = 400000

# Per-language prior cost (nats) of a character class that words never contain.
# "space"/"punct"/... are costs *after a word has ended* (see module docstring).
CLASS_PRIORS: dict[str, dict[str, float]] = {
    lang: {
        "space": 5.0,
        "cjk_punct": 2.6,
        "gen_punct": 4.0,
        "ascii_punct": 4.5,
        "digit": 4.0,
        "symbol": 7.0,
        "box": 10.0,
        "fullwidth": 7.5,
        "latin1_punct": 9.0,
        "format": 12.0,
        "halfwidth_punct": 9.0,
        "jamo": 16.0,
        "bopomofo": 9.0,
    }
    for lang in ("zh-Hans", "zh-Hant", "ja")
}
CLASS_PRIORS["ja"]["bopomofo"] = 16.0
CLASS_PRIORS["ko"] = {
    "space": 1.2,
    "cjk_punct": 5.0,
    "gen_punct": 4.5,
    "ascii_punct": 3.2,
    "digit": 4.0,
    "symbol": 7.0,
    "box": 10.0,
    "fullwidth": 8.5,
    "latin1_punct": 9.0,
    "format": 12.0,
    "halfwidth_punct": 11.0,
    "jamo": 6.0,
    "bopomofo": 16.0,
}
CLASS_PRIORS["world"] = {
    "space": 0.4,
    "cjk_punct": 11.0,
    "gen_punct": 4.5,
    "ascii_punct": 3.0,
    "digit": 4.5,
    "symbol": 7.5,
    "box": 10.0,
    "fullwidth": 12.0,
    "latin1_punct": 8.0,
    "format": 11.0,
    "halfwidth_punct": 14.0,
    "jamo": 16.0,
    "bopomofo": 16.0,
}
# Per-mark costs inside a class (hand-set, like CLASS_PRIORS): the sentence
# end and the clause comma of a writing system are the marks of nearly every
# sentence, and a class cost spread evenly over its marks made "。" and "、"
# (or "」", "：") equally likely after any word -- a guessed Chinese sentence
# end came out "、".  These marks cost 1 nat less than their class; the others
# keep its cost.  (Korean text uses ASCII marks, whose class cost is low.)
MARK_COSTS: dict[str, dict[str, float]] = {
    "zh-Hans": {"，": 1.6, "。": 1.6},
    "zh-Hant": {"，": 1.6, "。": 1.6},
    "ja": {"、": 1.6, "。": 1.6},
}
# Cost of a *letter* the language's word list never showed, by script class:
# a script the language is written in gets "rarest seen + 1.5"; any other
# script these (however many of its letters the word list happened to show).
NATIVE = {
    "zh-Hans": {"han"},
    "zh-Hant": {"han", "bopomofo"},
    "ja": {"han", "kana"},
    "ko": {"hangul", "jamo"},
    "world": {"latin", "other", "mark"},
}
FOREIGN_LETTER = {
    "han": 22.0,
    "kana": 22.0,
    "hangul": 22.0,
    "latin": 16.0,
    "halfwidth_kana": 22.0,
    "other": 22.0,
    "mark": 22.0,
    "jamo": 16.0,
    "bopomofo": 16.0,
}
UNMODELLED_LETTER = 9.0
# Classes that are damage, not text, in every language.
DAMAGE_COST = {"control": 20.0, "c1": 22.0, "pua": 22.0, "replacement": 22.0, "unassigned": 24.0}


def load_words(lang: str, top: int) -> list[tuple[str, float]]:
    import wordfreq

    wl = "large" if lang in wordfreq.available_languages("large") else "best"
    items = list(wordfreq.get_frequency_dict(lang, wl).items())[:top]
    out = []
    for w, f in items:
        w = unicodedata.normalize("NFC", w)
        if any(char_class(c) not in WORD_CLASSES for c in w):
            continue
        out.append((w, f))
    return out


def hant_words(words: list[tuple[str, float]]) -> list[tuple[str, float]]:
    import opencc

    convs = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk")]
    out: dict[str, float] = defaultdict(float)
    for w, f in words:
        variants = {c.convert(w) for c in convs}
        for v in variants:
            out[v] += f / len(variants)
    return sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))


def jamo_model(uni: dict[str, float]) -> dict[str, object]:
    """Costs of Hangul syllables the word list never showed, from their jamo.

    A syllable is (lead, vowel, tail); unseen syllables cost the sum of the
    three jamo costs plus an offset fitted on the rarest fifth of the seen
    syllables, so rare-but-real syllables are not priced like damage."""
    n_l = [0.0] * 19
    n_v = [0.0] * 21
    n_t = [0.0] * 28
    syl = {c: u for c, u in uni.items() if 0xAC00 <= ord(c) <= 0xD7A3}
    for c, u in syl.items():
        i = ord(c) - 0xAC00
        p = math.exp(-u)
        n_l[i // 588] += p
        n_v[(i // 28) % 21] += p
        n_t[i % 28] += p

    def costs(n: list[float]) -> list[float]:
        tot = sum(n)
        return [round(-math.log((x + 1e-6 * tot) / tot), 3) for x in n]

    lc, vc, tc = costs(n_l), costs(n_v), costs(n_t)

    def jc(c: str) -> float:
        i = ord(c) - 0xAC00
        return lc[i // 588] + vc[(i // 28) % 21] + tc[i % 28]

    rare = sorted(syl, key=lambda c: -syl[c])[: max(1, len(syl) // 5)]
    diffs = sorted(syl[c] - jc(c) for c in rare)
    offset = diffs[len(diffs) // 2]
    return {"lead": lc, "vowel": vc, "tail": tc, "offset": round(offset, 3)}


def q(cost: float) -> int:
    return max(0, min(MAXQ, round(cost * SCALE)))


def build_language(name: str, words: list[tuple[str, float]]) -> bytes:
    n_uni: dict[str, float] = defaultdict(float)
    n_start: dict[str, float] = defaultdict(float)
    n_end: dict[str, float] = defaultdict(float)
    n_int: dict[str, float] = defaultdict(float)
    total_words = 0.0
    for w, f in words:
        wl = w.casefold()
        total_words += f
        n_start[wl[0]] += f
        n_end[wl[-1]] += f
        for c in wl:
            n_uni[c] += f
        for i in range(len(wl) - 1):
            n_int[wl[i : i + 2]] += f
    total_chars = sum(n_uni.values())
    chars = sorted(n_uni)
    uni = {c: -math.log(n_uni[c] / total_chars) for c in chars}
    # P_start is smoothed towards the unigram so that characters that never
    # start a word in the list are not impossible after a boundary.
    st = {c: -math.log(0.9 * n_start[c] / total_words + 0.1 * n_uni[c] / total_chars) for c in chars}
    bo = {c: -math.log(max(n_end[c], 1e-3 * n_uni[c]) / n_uni[c]) for c in chars}
    # bigrams: keep those whose cost differs from the back-off estimate
    bigrams: list[tuple[str, int]] = []
    for bg, n in n_int.items():
        a, b = bg[0], bg[1]
        p = (n + n_end[a] * math.exp(-st[b])) / n_uni[a]
        cost = -math.log(p)
        backoff = bo[a] + st[b]
        if backoff - cost < 0.7:  # not informative enough to ship
            continue
        bigrams.append((bg, q(cost)))
    bigrams.sort()
    # class costs for characters outside the table
    seen_max: dict[str, float] = defaultdict(float)
    seen_n: dict[str, int] = defaultdict(int)
    for c in chars:
        k = char_class(c)
        seen_max[k] = max(seen_max[k], uni[c])
        seen_n[k] += 1
    class_cost: dict[str, float] = {}
    for k, v in FOREIGN_LETTER.items():
        class_cost[k] = seen_max[k] + 1.5 if k in NATIVE[name] and seen_n[k] >= 30 else v
    if name == "world":
        # letters of scripts no word list covers (Thai, Georgian, Ethiopic...):
        # the model has no opinion on them, so they cost what a plain letter does
        class_cost["other_unmodelled"] = UNMODELLED_LETTER
    class_cost.update(CLASS_PRIORS[name])
    class_cost.update(DAMAGE_COST)
    jamo = jamo_model(uni) if name == "ko" else None
    header = {
        "format": FORMAT_VERSION,
        "language": name,
        "scale": SCALE,
        "class_cost": {k: round(v, 3) for k, v in sorted(class_cost.items())},
        "n_chars": len(chars),
        "n_bigrams": len(bigrams),
        "words": len(words),
    }
    if jamo is not None:
        header["jamo"] = jamo
    if name in MARK_COSTS:
        header["mark_cost"] = MARK_COSTS[name]
    # bigrams grouped by their first character (sorted, so each group is a
    # slice): the loader builds one small dict entry per character
    counts = [0] * len(chars)
    index = {c: i for i, c in enumerate(chars)}
    for bg, _ in bigrams:
        counts[index[bg[0]]] += 1
    class_names = sorted({char_class(c) for c in chars})
    header["classes"] = class_names
    class_code = {k: i for i, k in enumerate(class_names)}
    chars_s = "".join(chars).encode("utf-8")
    seconds_s = "".join(bg[1] for bg, _ in bigrams).encode("utf-8")
    payload = b"".join(
        [
            struct.pack("<IIII", len(chars), len(chars_s), len(bigrams), len(seconds_s)),
            chars_s,
            bytes(q(uni[c]) for c in chars),
            bytes(q(st[c]) for c in chars),
            bytes(q(bo[c]) for c in chars),
            bytes(class_code[char_class(c)] for c in chars),
            struct.pack(f"<{len(chars)}I", *counts),
            seconds_s,
            bytes(v for _, v in bigrams),
        ]
    )
    head = json.dumps(header, sort_keys=True, ensure_ascii=False).encode("utf-8")
    # stored, not deflated (zlib level 0): inflating the four CJK models took
    # 10 ms of every start, and the wheel is compressed anyway
    return b"ENCFIXLM" + struct.pack("<I", len(head)) + head + zlib.compress(payload, 0)


def script_hash() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def build_all() -> dict[str, bytes]:
    import wordfreq

    files: dict[str, bytes] = {}
    zh = load_words("zh", CJK_TOP)
    files["zh-Hans"] = build_language("zh-Hans", zh)
    files["zh-Hant"] = build_language("zh-Hant", hant_words(zh))
    files["ja"] = build_language("ja", load_words("ja", CJK_TOP))
    files["ko"] = build_language("ko", load_words("ko", CJK_TOP))
    world: dict[str, float] = defaultdict(float)
    for lang in WORLD_LANGS:
        for w, f in load_words(lang, WORLD_TOP):
            world[w] += f / len(WORLD_LANGS)
    files["world"] = build_language("world", sorted(world.items(), key=lambda kv: (-kv[1], kv[0])))
    from encfix import model

    models = {name: model.parse(data, name) for name, data in files.items()}
    files["unigram"] = zlib.compress(model.merged_unigram(models), 9)
    import opencc

    meta = {
        "format": FORMAT_VERSION,
        "generator_sha256_16": script_hash(),
        "wordfreq": wordfreq.__version__ if hasattr(wordfreq, "__version__") else _dist_version("wordfreq"),
        "opencc": _dist_version("opencc"),
        "files": {k: hashlib.sha256(v).hexdigest() for k, v in sorted(files.items())},
    }
    files["meta"] = json.dumps(meta, indent=1, sort_keys=True).encode("utf-8") + b"\n"
    del opencc
    return files


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def write(files: dict[str, bytes], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        suffix = {"meta": ".json", "unigram": ".bin"}.get(name, ".lm")
        (out / f"{name}{suffix}").write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DATA_DIR)
    args = ap.parse_args(argv)
    files = build_all()
    write(files, args.out)
    for name, data in sorted(files.items()):
        print(f"{name}: {len(data):,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
