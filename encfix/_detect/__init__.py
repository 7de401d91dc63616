"""Detection: name the damage in text, or the encoding of bytes.

Text: the same candidate search :func:`encfix.repair` runs (cheap exits
first), summarised -- the chain that explains most of the damaged characters,
its confidence, and ranked alternatives; sentinels of data lost upstream
(``锟斤拷``, ``烫烫烫``, ``屯屯屯``, ``占쏙옙``) are named, not repaired.

Bytes: what :func:`encfix.decode` makes of them (see :mod:`encfix._decode`):
the encoding of most of the non-ASCII bytes, how sure, the alternatives, and
for mixed input the segments.
"""

from __future__ import annotations

from collections import defaultdict

from encfix import _regex, model
from encfix._options import Options
from encfix._types import Alternative, Detection

__all__ = ["SENTINEL_RE", "detect", "find_sentinels"]

#: byte patterns that mean "this data was already lost before it reached you"
SENTINEL_RE = _regex.compile(r"(?:锟斤拷)+|(?:烫){2,}|(?:屯){2,}|(?:占쏙옙)+|(?:�){2,}")

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


def detect_bytes(data: bytes) -> Detection:
    """The encoding of bytes: :func:`encfix._decode.decode_bytes` (BOMs,
    BOM-less UTF-16/32, ISO-2022/HZ, UTF-8, then the legacy codecs scored by
    the language model, segment by segment for mixed input), summarised."""
    from encfix._decode import decode_bytes

    d = decode_bytes(data)
    if d.encoding == "ascii":
        language: str | None = "world"
    else:
        language = model.best_language(d.decoded[:400])[0] if d.decoded.strip() else None
    alts = tuple(Alternative((), p, label) for label, p in d.alternatives)
    segments = tuple((s.start, s.end, s.encoding, s.confidence) for s in d.segments) if d.mixed else ()
    return Detection(
        "encoding", d.confidence, encoding=d.encoding, language=language, alternatives=alts, segments=segments
    )


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
