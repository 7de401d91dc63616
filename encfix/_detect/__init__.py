"""Detection: name the damage in text, or the encoding of bytes.

Text: the same candidate search :func:`encfix.repair` runs (cheap exits
first), summarised -- the chain that explains most of the damaged characters,
its confidence, and ranked alternatives; sentinels of data lost upstream
(``锟斤拷``, ``烫烫烫``, ``屯屯屯``, ``占쏙옙``) are named, not repaired.

Bytes (a simple policy; see README "Detecting encodings"):

1. a byte-order mark names UTF-8/16/32;
2. bytes that are valid UTF-8 are UTF-8 (ASCII if 7-bit);
3. otherwise every CJK legacy codec that decodes the bytes strictly is scored
   by the language model, per character; the confidence is the softmax share
   of the best one;
4. if none decodes strictly, chardet's answer is reported with its own
   confidence.
"""

from __future__ import annotations

import codecs
import math
import re
from collections import defaultdict

from encfix import model
from encfix._options import Options
from encfix._types import Alternative, Detection

__all__ = ["SENTINEL_RE", "detect", "find_sentinels"]

#: byte patterns that mean "this data was already lost before it reached you"
SENTINEL_RE = re.compile(r"(?:锟斤拷)+|(?:烫){2,}|(?:屯){2,}|(?:占쏙옙)+|(?:�){2,}")

_SENTINEL_NAMES = {
    "锟": "锟斤拷 (U+FFFD replacement characters, in UTF-8, read as GBK)",
    "烫": "烫烫烫 (uninitialised 0xCC stack memory read as GBK)",
    "屯": "屯屯屯 (uninitialised 0xCD heap memory read as GBK)",
    "占": "占쏙옙 (U+FFFD replacement characters, in UTF-8, read as cp949)",
    "\ufffd": "runs of U+FFFD (bytes a decoder could not read)",
}


def find_sentinels(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), _SENTINEL_NAMES[m.group()[0]]) for m in SENTINEL_RE.finditer(text)]


def detect(data: str | bytes, opts: Options) -> Detection:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return detect_bytes(bytes(data))
    if not isinstance(data, str):
        raise TypeError(f"detect() takes str or bytes, not {type(data).__name__}")
    return detect_text(data, opts)


def detect_text(text: str, opts: Options) -> Detection:
    """Summarise what :func:`encfix.repair` would do to ``text``."""
    from encfix._repair import analyse_text

    sentinels = find_sentinels(text)
    sentinel_names = tuple(dict.fromkeys(s[2] for s in sentinels))
    weight: dict[tuple[str, ...], float] = defaultdict(float)
    confs: dict[tuple[str, ...], list[float]] = defaultdict(list)
    decoders: dict[tuple[str, ...], str] = {}
    spans: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
    rejected: dict[tuple[str, ...], float] = defaultdict(float)
    overall = 1.0
    for res in analyse_text(text, opts):
        overall *= res.confidence
        for f in res.fixes:
            weight[f.chain] += (f.end - f.start) * f.confidence
            confs[f.chain].append(f.confidence)
            decoders[f.chain] = f.decoder
            spans[f.chain].append((f.start, f.end))
        for chain, dec, p in res.rejected:
            rejected[chain] = max(rejected[chain], p)
            decoders.setdefault(chain, dec)
    ranked = sorted(weight, key=lambda k: -weight[k])
    others = sorted(((k, p) for k, p in rejected.items() if k not in weight), key=lambda kp: -kp[1])
    if not ranked:
        alts = tuple(Alternative(k, p, decoders.get(k, "")) for k, p in others[:5])
        kind = "sentinel" if sentinels else "clean"
        return Detection(
            kind,
            overall if kind == "clean" else 1.0,
            alternatives=alts,
            spans=tuple((s, e) for s, e, _ in sentinels),
            sentinels=sentinel_names,
        )
    top = ranked[0]
    alts = tuple(
        [Alternative(k, sum(confs[k]) / len(confs[k]), decoders[k]) for k in ranked[1:]]
        + [Alternative(k, p, decoders.get(k, "")) for k, p in others]
    )[:5]
    return Detection(
        "mojibake",
        sum(confs[top]) / len(confs[top]),
        chain=top,
        decoder=decoders[top],
        alternatives=alts,
        spans=tuple(spans[top]),
        sentinels=sentinel_names,
    )


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: legacy codecs tried for bytes that are not UTF-8, with their labels
_LEGACY = (
    ("gb18030", "gb18030"),
    ("big5", "big5"),
    ("cp950", "cp950"),
    ("shift_jis", "shift_jis"),
    ("cp932", "cp932"),
    ("euc_jp", "euc-jp"),
    ("euc_kr", "euc-kr"),
    ("cp949", "cp949"),
)
_LEGACY_COST = {"cp950": 0.5, "cp932": 0.5, "cp949": 0.5}


def detect_bytes(data: bytes) -> Detection:
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                break
            return Detection("encoding", 1.0, encoding=name, language=model.best_language(text[:400])[0])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if data.isascii():
            return Detection("encoding", 1.0, encoding="ascii", language="world")
        return Detection("encoding", 0.99, encoding="utf-8", language=model.best_language(text[:400])[0])
    scored: list[tuple[float, str, str]] = []
    seen: dict[str, str] = {}
    for py, name in _LEGACY:
        try:
            text = data.decode(py)
        except UnicodeDecodeError:
            continue
        if text in seen.values():
            continue  # a wider member that changes nothing adds nothing
        seen[name] = text
        sample = text[:2000]
        lang, c = model.best_language(sample)
        per_char = c / max(1, len(sample))
        scored.append((per_char + _LEGACY_COST.get(name, 0.0) / max(1, len(sample)), name, lang))
    if scored:
        scored.sort()
        best = scored[0][0]
        n = min(len(data), 2000)
        weights = [math.exp(-(s - best) * n / 4.0) for s, _, _ in scored]
        total = sum(weights)
        alts = tuple(
            Alternative((), w / total, name) for w, (_, name, _) in zip(weights[1:], scored[1:], strict=True)
        )
        return Detection(
            "encoding", weights[0] / total, encoding=scored[0][1], language=scored[0][2], alternatives=alts
        )
    return _fallback(data)


def _fallback(data: bytes) -> Detection:
    """No CJK codec decodes the bytes strictly: ask chardet and
    charset-normalizer, keep the answer whose decoding the language model
    likes best."""
    import chardet
    import charset_normalizer

    answers: list[tuple[str, float]] = []
    guess = chardet.detect(data)
    if guess.get("encoding"):
        answers.append((str(guess["encoding"]), float(guess.get("confidence") or 0.0)))
    best_match = charset_normalizer.from_bytes(data).best()
    if best_match is not None:
        answers.append((best_match.encoding, 1.0 - float(best_match.chaos)))
    scored: list[tuple[float, str, float, str]] = []
    for name, conf in answers:
        try:
            text = data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
        sample = text[:2000]
        lang, c = model.best_language(sample)
        scored.append((c / max(1, len(sample)), name, conf, lang))
    if not scored:
        return Detection("encoding", 0.0, encoding=None, language=None)
    scored.sort()
    _, name, conf, lang = scored[0]
    alts = tuple(Alternative((), c, n) for _, n, c, _ in scored[1:])
    return Detection("encoding", conf, encoding=name, language=lang, alternatives=alts)
