"""Generate ``tests/data/lossy.json``: lossy mojibake of the sentences in
``sentences.json``, one case per (loss model, wrong decoder, language,
NFKC) and sentence, made with encfix's own loss models
(:mod:`encfix.codecs._loss`), which reproduce CPython, browsers and Windows.

    python tests/data/make_lossy.py [--check]

Which cases encfix gets wrong is not decided here: :data:`KNOWN_FAILURES`
lists them by label, each with the reason, and the tests run them as strict
expected failures.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from encfix.codecs import _loss  # noqa: E402

OUT = HERE / "lossy.json"
#: sentences per combination
PER = 2

#: (language of sentences.json, original encoding, wrong decoders)
_UTF8 = (
    ("zh-Hans", ("gbk", "big5", "cp949")),
    ("zh-Hant", ("big5", "gbk")),
    ("ja-kana", ("cp932", "euc-jp", "gbk")),
    ("ko", ("cp949", "gbk")),
)
#: loss models of UTF-8 read by a double-byte decoder
_MODELS = ("cpython-replace", "whatwg", "whatwg-question", "windows-question", "pua-dropped")
#: UTF-8 read as Windows-1252 by a strict decoder: its five undefined bytes
#: (81 8D 8F 90 9D) became U+FFFD (CPython's errors="replace") or "?"
_SBCS = (("sbcs-replace", "\ufffd"), ("sbcs-question", "?"))
#: (language, legacy codec) for slipped streams
_SLIPPED = (("zh-Hans", "gbk"), ("zh-Hant", "big5"), ("ja-kana", "cp932"), ("ko", "cp949"))

#: labels of the cases encfix gets wrong today (run as strict xfail, each
#: with the reason :func:`_reason` gives for its kind of damage)
KNOWN_FAILURES: frozenset[str] = frozenset(
    (
        "cpython-replace nfkc: utf-8 ja-kana read as cp932 #0",
        "cpython-replace nfkc: utf-8 ja-kana read as euc-jp #0",
        "cpython-replace nfkc: utf-8 ja-kana read as euc-jp #1",
        "cpython-replace nfkc: utf-8 ja-kana read as gbk #0",
        "cpython-replace nfkc: utf-8 ja-kana read as gbk #1",
        "cpython-replace nfkc: utf-8 ko read as cp949 #0",
        "cpython-replace nfkc: utf-8 ko read as cp949 #1",
        "cpython-replace nfkc: utf-8 ko read as gbk #0",
        "cpython-replace nfkc: utf-8 ko read as gbk #1",
        "cpython-replace nfkc: utf-8 zh-Hans read as big5 #0",
        "cpython-replace nfkc: utf-8 zh-Hans read as big5 #1",
        "cpython-replace nfkc: utf-8 zh-Hans read as cp949 #0",
        "cpython-replace nfkc: utf-8 zh-Hans read as cp949 #1",
        "cpython-replace nfkc: utf-8 zh-Hant read as big5 #0",
        "cpython-replace nfkc: utf-8 zh-Hant read as big5 #1",
        "cpython-replace nfkc: utf-8 zh-Hant read as gbk #1",
        "cpython-replace: utf-8 ja-kana read as cp932 #0",
        "cpython-replace: utf-8 ja-kana read as euc-jp #0",
        "cpython-replace: utf-8 ja-kana read as euc-jp #1",
        "cpython-replace: utf-8 ja-kana read as gbk #0",
        "cpython-replace: utf-8 ja-kana read as gbk #1",
        "cpython-replace: utf-8 ko read as cp949 #0",
        "cpython-replace: utf-8 ko read as cp949 #1",
        "cpython-replace: utf-8 ko read as gbk #0",
        "cpython-replace: utf-8 ko read as gbk #1",
        "cpython-replace: utf-8 zh-Hans read as big5 #0",
        "cpython-replace: utf-8 zh-Hans read as big5 #1",
        "cpython-replace: utf-8 zh-Hans read as cp949 #0",
        "cpython-replace: utf-8 zh-Hans read as cp949 #1",
        "cpython-replace: utf-8 zh-Hant read as big5 #0",
        "cpython-replace: utf-8 zh-Hant read as big5 #1",
        "cpython-replace: utf-8 zh-Hant read as gbk #1",
        "pua-dropped nfkc: utf-8 ja-kana read as gbk #0",
        "pua-dropped nfkc: utf-8 ja-kana read as gbk #1",
        "pua-dropped nfkc: utf-8 ko read as gbk #0",
        "pua-dropped nfkc: utf-8 ko read as gbk #1",
        "pua-dropped nfkc: utf-8 zh-Hans read as gbk #0",
        "pua-dropped nfkc: utf-8 zh-Hant read as gbk #0",
        "pua-dropped nfkc: utf-8 zh-Hant read as gbk #1",
        "pua-dropped: utf-8 ja-kana read as gbk #0",
        "pua-dropped: utf-8 ja-kana read as gbk #1",
        "pua-dropped: utf-8 ko read as gbk #0",
        "pua-dropped: utf-8 ko read as gbk #1",
        "pua-dropped: utf-8 zh-Hans read as gbk #0",
        "pua-dropped: utf-8 zh-Hans read as gbk #2",
        "pua-dropped: utf-8 zh-Hant read as gbk #0",
        "pua-dropped: utf-8 zh-Hant read as gbk #1",
        "slipped nfkc: big5 zh-Hant #0",
        "slipped nfkc: big5 zh-Hant #1",
        "slipped nfkc: cp932 ja-kana #0",
        "slipped nfkc: cp932 ja-kana #1",
        "slipped nfkc: cp949 ko #0",
        "slipped nfkc: cp949 ko #1",
        "slipped nfkc: gbk zh-Hans #1",
        "slipped swallow: big5 zh-Hant #0",
        "slipped swallow: big5 zh-Hant #1",
        "slipped swallow: cp932 ja-kana #0",
        "slipped swallow: cp932 ja-kana #1",
        "slipped swallow: cp949 ko #0",
        "slipped swallow: cp949 ko #1",
        "slipped swallow: gbk zh-Hans #0",
        "slipped swallow: gbk zh-Hans #1",
        "slipped: big5 zh-Hant #0",
        "slipped: big5 zh-Hant #1",
        "slipped: cp932 ja-kana #1",
        "slipped: cp949 ko #0",
        "slipped: cp949 ko #1",
        "slipped: gbk zh-Hans #1",
        "whatwg nfkc: utf-8 ja-kana read as cp932 #0",
        "whatwg nfkc: utf-8 ja-kana read as euc-jp #0",
        "whatwg nfkc: utf-8 ja-kana read as euc-jp #1",
        "whatwg nfkc: utf-8 ko read as cp949 #0",
        "whatwg nfkc: utf-8 ko read as cp949 #1",
        "whatwg nfkc: utf-8 ko read as gbk #0",
        "whatwg nfkc: utf-8 ko read as gbk #1",
        "whatwg nfkc: utf-8 zh-Hans read as big5 #0",
        "whatwg nfkc: utf-8 zh-Hans read as big5 #1",
        "whatwg nfkc: utf-8 zh-Hans read as cp949 #0",
        "whatwg nfkc: utf-8 zh-Hans read as cp949 #1",
        "whatwg nfkc: utf-8 zh-Hant read as big5 #0",
        "whatwg nfkc: utf-8 zh-Hant read as big5 #1",
        "sbcs-question: utf-8 ja-kana read as cp1252 #0",
        "sbcs-question: utf-8 ja-kana read as cp1252 #1",
        "sbcs-replace: utf-8 ja-kana read as cp1252 #0",
        "sbcs-replace: utf-8 ja-kana read as cp1252 #1",
        "whatwg-question nfkc: utf-8 ja-kana read as cp932 #0",
        "whatwg-question nfkc: utf-8 ja-kana read as euc-jp #0",
        "whatwg-question nfkc: utf-8 ja-kana read as euc-jp #1",
        "whatwg-question nfkc: utf-8 ko read as cp949 #0",
        "whatwg-question nfkc: utf-8 ko read as cp949 #1",
        "whatwg-question nfkc: utf-8 ko read as gbk #0",
        "whatwg-question nfkc: utf-8 ko read as gbk #1",
        "whatwg-question nfkc: utf-8 zh-Hans read as big5 #0",
        "whatwg-question nfkc: utf-8 zh-Hans read as big5 #1",
        "whatwg-question nfkc: utf-8 zh-Hans read as cp949 #0",
        "whatwg-question nfkc: utf-8 zh-Hans read as cp949 #1",
        "whatwg-question nfkc: utf-8 zh-Hant read as big5 #0",
        "whatwg-question nfkc: utf-8 zh-Hant read as big5 #1",
        "whatwg-question: utf-8 ja-kana read as cp932 #0",
        "whatwg-question: utf-8 ja-kana read as euc-jp #0",
        "whatwg-question: utf-8 ja-kana read as euc-jp #1",
        "whatwg-question: utf-8 ko read as cp949 #0",
        "whatwg-question: utf-8 ko read as cp949 #1",
        "whatwg-question: utf-8 ko read as gbk #0",
        "whatwg-question: utf-8 ko read as gbk #1",
        "whatwg-question: utf-8 zh-Hans read as big5 #0",
        "whatwg-question: utf-8 zh-Hans read as big5 #1",
        "whatwg-question: utf-8 zh-Hans read as cp949 #0",
        "whatwg-question: utf-8 zh-Hans read as cp949 #1",
        "whatwg-question: utf-8 zh-Hant read as big5 #0",
        "whatwg-question: utf-8 zh-Hant read as big5 #1",
        "whatwg: utf-8 ja-kana read as cp932 #0",
        "whatwg: utf-8 ja-kana read as euc-jp #0",
        "whatwg: utf-8 ja-kana read as euc-jp #1",
        "whatwg: utf-8 ko read as cp949 #0",
        "whatwg: utf-8 ko read as cp949 #1",
        "whatwg: utf-8 ko read as gbk #0",
        "whatwg: utf-8 ko read as gbk #1",
        "whatwg: utf-8 zh-Hans read as big5 #0",
        "whatwg: utf-8 zh-Hans read as big5 #1",
        "whatwg: utf-8 zh-Hans read as cp949 #0",
        "whatwg: utf-8 zh-Hans read as cp949 #1",
        "whatwg: utf-8 zh-Hant read as big5 #0",
        "whatwg: utf-8 zh-Hant read as big5 #1",
    )
)


def _reason(label: str) -> str:
    """Why cases of this kind of damage are hard (see issue 3's notes)."""
    if label.startswith("sbcs"):
        return (
            "nearly every kana lost its middle byte (E3 [81] xx): each is one of a few, and the bigram "
            "model cannot tell some all-kana words apart (あめ and あろ, えき and えそ)"
        )
    if label.startswith("slipped swallow"):
        return (
            "the slip is at the last character: its lead became '?' and its trail an ASCII letter "
            "('?C</a>') or, with the '<' it swallowed, a second '?' ('??/a>'): a whole character "
            "to guess from the line alone"
        )
    if label.startswith("slipped"):
        return "the bytes read out of step make valid but rare characters the bigram model does not reject"
    if label.startswith("pua-dropped"):
        return (
            "traceless losses are searched only where the lossless engine leaves mojibake unexplained, "
            "and a dropped pair can sit anywhere in a long run"
        )
    if any(f"read as {d}" in label for d in ("big5", "cp949", "euc-jp")):
        return (
            "most UTF-8 byte pairs are invalid in this decoder, so nearly every character lost bytes; "
            "the bounded beam finds readings of short stretches but not of the sentence"
        )
    if "nfkc" in label:
        return (
            "NFKC folded characters of the mojibake itself; their full-width sources are tried only "
            "inside a character"
        )
    return "a character whose last byte was lost is one of several the model rates alike (placeholder kept)"


def _lost(text: str, marker: str) -> bool:
    return marker in text if marker else True


def _sbcs(text: str, marker: str) -> str:
    return text.encode("utf-8").decode("cp1252", "replace").replace("\ufffd", marker)


def _cases() -> list[dict[str, object]]:
    sentences = json.loads((HERE / "sentences.json").read_text(encoding="utf-8"))
    out: list[dict[str, object]] = []
    for lang, decoders in _UTF8:
        pool = sentences[lang]
        for dec in decoders:
            for model in _MODELS:
                if model == "windows-question" and dec != "cp932":
                    continue
                if model == "pua-dropped" and dec != "gbk":
                    continue
                for nf in (False, True):
                    n = 0
                    for k, s in enumerate(pool):
                        g = _loss.LOSS_MODELS[model].decode(s.encode("utf-8"), dec)
                        if nf:
                            g = _loss.nfkc(g)
                        marker = {"pua-dropped": ""}.get(model, "?" if "question" in model else "\ufffd")
                        if g == s or not _lost(g, marker):
                            continue
                        if model == "pua-dropped" and g == _loss.LOSS_MODELS["whatwg"].decode(
                            s.encode("utf-8"), dec
                        ):
                            continue  # nothing was dropped
                        label = f"{model}{' nfkc' if nf else ''}: utf-8 {lang} read as {dec} #{k}"
                        out.append({"label": label, "input": g, "expected": s, "chain": ["utf-8", dec]})
                        n += 1
                        if n >= PER:
                            break
    for model, marker in _SBCS:
        for lang in ("zh-Hans", "zh-Hant", "ja-kana", "ko"):
            lost = [s for s in sentences[lang] if marker in _sbcs(s, marker)]
            for k, s in enumerate(lost[:PER]):
                label = f"{model}: utf-8 {lang} read as cp1252 #{k}"
                out.append(
                    {"label": label, "input": _sbcs(s, marker), "expected": s, "chain": ["utf-8", "cp1252"]}
                )
    for lang, codec in _SLIPPED:
        pool = sentences[lang]
        for variant in ("", " nfkc", " swallow"):
            for k, s in enumerate(pool[:PER]):
                text = s + "</a>" if variant == " swallow" else s
                data = text.encode(codec)
                # byte offsets of the double-byte characters
                starts, pos = [], 0
                for ch in text:
                    n = len(ch.encode(codec))
                    if n == 2:
                        starts.append(pos)
                    pos += n
                # slip a third of the way in, or (swallow) at the last character before "<"
                at = starts[-1] if variant == " swallow" else starts[len(starts) // 3]
                g = _loss.slipped(data, codec, at, swallow=variant == " swallow")
                if variant != "":
                    g = _loss.nfkc(g)
                if g == text:
                    continue
                label = f"slipped{variant}: {codec} {lang} #{k}"
                out.append({"label": label, "input": g, "expected": text, "chain": [codec, codec]})
    for c in out:
        if c["label"] in KNOWN_FAILURES:
            c["expect"] = "fail"
            c["comment"] = _reason(str(c["label"]))
    return out


_INVISIBLE = re.compile("[\x7f-\x9f\xa0\xad\u200b-\u200f\u2028\u2029\ufeff\ue000-\uf8ff]")


def render() -> str:
    doc = {
        "_comment": "GENERATED by tests/data/make_lossy.py from sentences.json -- do not edit by hand.",
        "cases": _cases(),
    }
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if lossy.json is out of date")
    args = ap.parse_args()
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(
                "tests/data/lossy.json is out of date: run python tests/data/make_lossy.py", file=sys.stderr
            )
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    n = len(json.loads(text)["cases"])
    print(f"wrote {OUT} ({n} cases)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
