"""Properties of ``encfix.repair``, checked with hypothesis.

Budgets are kept small (the whole file runs in well under a minute); the
exhaustive, deterministic counterpart of the round-trip property is
``tests/data/synthetic.json``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import load_sentences
from _garble import CHAINS_CROSS, CHAINS_LEGACY, CHAINS_UTF8, STACKED, garble, garble_some, languages_for

import encfix
from encfix.codecs import DECODERS

SENTENCES = load_sentences()
LANGS = tuple(SENTENCES)
ALL_SENTENCES = tuple(s for lang in LANGS for s in SENTENCES[lang])

_BASE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(_BASE, max_examples=50)
MEDIUM = settings(_BASE, max_examples=100)
#: examples drawn from the sentence list gain nothing from shrinking (it only
#: walks towards the first sentence) and a long garbled line costs ~50 ms per
#: call: report the first failure as found
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


def _invariants(text: str, rep: encfix.Repair) -> None:
    """What every Repair must satisfy, right or wrong."""
    assert isinstance(rep.text, str)
    assert 0.0 <= rep.confidence <= 1.0, rep.confidence
    assert rep.changed == bool(rep.fixes)
    pos = 0
    for f in rep.fixes:
        assert 0 <= f.start <= f.end <= len(text), (f.start, f.end, len(text))
        assert f.start >= pos, f"fixes unsorted or overlapping: {[(g.start, g.end) for g in rep.fixes]}"
        assert text[f.start : f.end] == f.before, (f.start, f.end, f.before)
        assert 0.0 <= f.confidence <= 1.0, f.confidence
        assert f.after != f.before
        pos = f.end
    # splicing the fixes' afters into the input gives the repaired text
    out, pos = [], 0
    for f in rep.fixes:
        out += [text[pos : f.start], f.after]
        pos = f.end
    out.append(text[pos:])
    assert "".join(out) == rep.text
    if not rep.fixes:
        assert rep.text == text
    assert encfix.apply_plan(text, rep.plan) == rep.text
    assert encfix.apply_plan(text, [f.to_dict() for f in rep.plan]) == rep.text


# ------------------------------------------------------------------ strategies

#: the user's own sentences, alone or two of them on one line or two lines
_sentence = st.sampled_from(ALL_SENTENCES)
clean_sentences = st.one_of(
    _sentence,
    st.tuples(_sentence, st.sampled_from((" ", "\n")), _sentence).map("".join),
)

ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
KANA = st.one_of(
    st.characters(min_codepoint=0x3041, max_codepoint=0x3096),
    st.characters(min_codepoint=0x30A1, max_codepoint=0x30FA),
    st.just("ー"),
)
HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
PUNCT = st.sampled_from(" 、。，．！？「」（）")

alphabet_texts = st.one_of(
    st.text(ASCII, max_size=60),
    st.text(st.one_of(CJK, PUNCT), min_size=1, max_size=30),
    st.text(st.one_of(KANA, PUNCT), min_size=1, max_size=30),
    st.text(st.one_of(HANGUL, st.just(" ")), min_size=1, max_size=30),
)

#: characters mojibake is made of, and characters that trip decoders
TRICKY = st.one_of(
    st.characters(min_codepoint=0x80, max_codepoint=0x9F),  # lone C1 controls
    st.characters(min_codepoint=0xA0, max_codepoint=0xFF),  # Latin-1
    st.sampled_from(bytes(range(0x80, 0xA0)).decode("cp1252", "ignore")),  # cp1252's 0x80-0x9F
    st.characters(min_codepoint=0xE000, max_codepoint=0xF8FF),  # BMP private use
    st.characters(min_codepoint=0xF0000, max_codepoint=0xF00FF),  # plane-15 private use
    st.just("\ufffd"),
    st.sampled_from("锟斤拷烫屯占쏙옙縺薙ｓ繧ｹ鍙傛涓枃├┤╡╢▒░"),
    st.characters(min_codepoint=0xFF61, max_codepoint=0xFF9F),  # half-width katakana
    st.characters(min_codepoint=0x0300, max_codepoint=0x036F),  # combining marks
    ASCII,
    CJK,
    HANGUL,
    st.sampled_from("\n\t\r\x00\u200b\u200d\ufeff"),
)

#: kept short: a failure found on arbitrary text is shrunk, and every shrink
#: step is a repair call
any_text = st.one_of(st.text(max_size=40), st.text(TRICKY, max_size=40))


def _pairs(chains: tuple[tuple[str, ...], ...]) -> list[tuple[tuple[str, ...], str, str]]:
    """(chain, original, garbled) for every sentence a chain damages losslessly."""
    out = []
    for chain in chains:
        for lang in languages_for(chain, LANGS):
            for s in SENTENCES[lang]:
                got = garble_some(s, chain)
                if got is not None:
                    out.append((chain, *got))
    return out


# Every lossless chain of the acceptance list, on the user's sentences.  Only
# the repaired TEXT is compared, not the chain's name: some chains are
# byte-for-byte indistinguishable on some text (UTF-8 read as Latin-1 or as
# Windows-1252 when no byte 0x80-0x9F occurs; EUC-JP and GBK share the kana
# rows), so the name is ambiguous while the repair is not.  No chain is left
# out: on real sentences of eight characters or more, each of them leaves
# traces no correct text has.
ROUND_TRIP = _pairs(CHAINS_UTF8 + CHAINS_LEGACY + CHAINS_CROSS + STACKED)

# Random strings (not sentences) only through UTF-8 read by a single-byte
# code page: that damage turns CJK into Latin-1/box-drawing soup that no
# correct CJK text looks like, whatever the string.  Legacy-to-legacy chains
# (Big5 read as GBK...) are left out here: there both sides are CJK and only a
# language model can tell which is real, which a random string cannot support.
SINGLE_BYTE_UTF8 = tuple(c for c in CHAINS_UTF8 if not DECODERS[c[1]].multibyte)


@st.composite
def garbled_in_context(draw: st.DrawFn) -> tuple[str, str, tuple[str, ...]]:
    """(damaged text, original, chain): a garbled sentence, alone or after a
    correct one of the same language on the line before or on the same line."""
    chain, original, bad = draw(st.sampled_from(ROUND_TRIP))
    where = draw(st.sampled_from(("alone", "line", "same line")))
    if where == "alone":
        return bad, original, chain
    lang = next(lang for lang in LANGS if any(original in s for s in SENTENCES[lang]))
    clean = draw(st.sampled_from(SENTENCES[lang]))
    sep = "\n" if where == "line" else " "
    return clean + sep + bad, clean + sep + original, chain


#: per CJK language, the letters its sentences use: random strings are drawn
#: from one language at a time (a mix of kana and hangul is no one's text)
COMMON_CHARS = {
    lang: sorted({c for s in SENTENCES[lang] for c in s if ord(c) >= 0x3000 and c.isalpha()})
    for lang in LANGS
}
common_char_strings = st.sampled_from([lang for lang in LANGS if COMMON_CHARS[lang]]).flatmap(
    lambda lang: st.lists(st.sampled_from(COMMON_CHARS[lang]), min_size=4, max_size=16).map("".join)
)


# ------------------------------------------------------------------ clean text stays clean


@settings(MEDIUM, phases=NO_SHRINK)
@given(clean_sentences)
def test_clean_sentences_unchanged(text: str) -> None:
    rep = encfix.repair(text)
    assert rep.text == text, [f.to_dict() for f in rep.fixes]
    assert not rep.changed


@MEDIUM
@given(alphabet_texts)
def test_clean_alphabet_text_unchanged(text: str) -> None:
    rep = encfix.repair(text)
    assert rep.text == text, [f.to_dict() for f in rep.fixes]


# ------------------------------------------------------------------ damage is undone


@settings(MEDIUM, phases=NO_SHRINK)
@given(garbled_in_context())
# found by this test: ftfy repaired part of the span and hid encfix's repair
@example(
    (
        "Chúng tôi sẽ gặp nhau ở quán cà phê lúc tám giờ. ProszÄ™ zamknÄ…Ä‡ okno, bo na zewnÄ…trz jest"
        " bardzo zimno.",
        "Chúng tôi sẽ gặp nhau ở quán cà phê lúc tám giờ. Proszę zamknąć okno, bo na zewnątrz jest"
        " bardzo zimno.",
        ("utf-8", "cp1252"),
    )
)
# ... and ftfy declined a DOS code page span that its own measure calls bad
@example(
    (
        "Wczoraj kupiłem świeży chleb w piekarni obok dworca. ┬┐D├│nde est├í la biblioteca p├║blica"
        " m├ís cercana?",
        "Wczoraj kupiłem świeży chleb w piekarni obok dworca. ¿Dónde está la biblioteca pública más cercana?",
        ("utf-8", "cp437"),
    )
)
# ... and a GBK reading of a whole line swallowed correct German before
# Greek mojibake; and GBK beat EUC-JP on Japanese kana by one symbol
@example(
    (
        "Können Sie mir bitte die Größe dieser Jacke sagen? "
        + "Το τρένο για τη Θεσσαλονίκη έχει καθυστέρηση.".encode().decode("latin-1"),
        "Können Sie mir bitte die Größe dieser Jacke sagen? Το τρένο για τη Θεσσαλονίκη έχει καθυστέρηση.",
        ("utf-8", "latin-1"),
    )
)
@example(
    (
        "おみやげにクッキーをかってきたので、どうぞ。".encode("euc-jp").decode("cp437"),
        "おみやげにクッキーをかってきたので、どうぞ。",
        ("euc-jp", "cp437"),
    )
)
def test_garbled_sentence_round_trips(case: tuple[str, str, tuple[str, ...]]) -> None:
    bad, original, chain = case
    rep = encfix.repair(bad)
    assert rep.text == original, f"chain {'>'.join(chain)}: got {[(f.chain, f.after) for f in rep.fixes]}"


@FAST
@given(
    common_char_strings,
    st.sampled_from(SINGLE_BYTE_UTF8),
)
def test_common_characters_round_trip(text: str, chain: tuple[str, ...]) -> None:
    bad = garble(text, chain)
    assume(bad is not None)
    assert bad is not None
    assert encfix.repair(bad).text == text


# ------------------------------------------------------------------ idempotence


@settings(FAST, phases=NO_SHRINK)
@given(st.one_of(clean_sentences, st.sampled_from(ROUND_TRIP).map(lambda p: p[2])))
def test_repair_of_sentences_is_idempotent(text: str) -> None:
    once = encfix.repair(text).text
    assert encfix.repair(once).text == once


@FAST
@given(any_text)
@example("\x84êú")  # found by this test: a one-character reading of "êú" once "„" was repaired
def test_repair_of_any_text_is_idempotent(text: str) -> None:
    once = encfix.repair(text).text
    assert encfix.repair(once).text == once


# ------------------------------------------------------------------ robustness and invariants


@settings(_BASE, max_examples=150)
@given(any_text)
def test_arbitrary_text_keeps_invariants(text: str) -> None:
    rep = encfix.repair(text)
    _invariants(text, rep)
    det = encfix.detect(text)
    assert det.kind in ("clean", "mojibake", "sentinel")
    assert 0.0 <= det.confidence <= 1.0


@settings(FAST, phases=NO_SHRINK)
@given(st.sampled_from(ROUND_TRIP), st.text(TRICKY, max_size=6), st.text(TRICKY, max_size=6))
def test_garbled_with_noise_keeps_invariants(pair: tuple[object, str, str], pre: str, post: str) -> None:
    text = pre + pair[2] + post
    _invariants(text, encfix.repair(text))


@settings(FAST, phases=NO_SHRINK)
@given(garbled_in_context())
def test_repair_of_garbled_keeps_invariants(case: tuple[str, str, tuple[str, ...]]) -> None:
    bad = case[0]
    rep = encfix.repair(bad)
    _invariants(bad, rep)
    assert rep.to_dict()["text"] == rep.text


# ------------------------------------------------------------------ repeated lines


@settings(FAST, phases=NO_SHRINK)
@given(st.sampled_from(ROUND_TRIP), clean_sentences, st.integers(min_value=2, max_value=5))
def test_a_repeated_line_is_repaired_alike_everywhere(
    case: tuple[tuple[str, ...], str, str], clean: str, times: int
) -> None:
    """A line that occurs again gets the first occurrence's answer, at its own
    offsets (``analyse_text`` remembers it): every occurrence repaired, the
    plan replays."""
    _, original, bad = case
    assume("\n" not in clean and "\n" not in bad)
    text = "\n".join([bad, clean] * times)
    rep = encfix.repair(text)
    assert rep.text == "\n".join([original, clean] * times)
    assert encfix.apply_plan(text, rep.plan) == rep.text
    for f in rep.fixes:
        assert text[f.start : f.end] == f.before


@settings(_BASE, max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(ALL_SENTENCES[:200]), st.text(TRICKY, max_size=12)),
            st.sampled_from((math.inf, 0.0, 5.0, 20.0, 60.0)),
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(("zh-Hans", "ja", "ko", "world")),
)
def test_model_cost_memo_answers_as_a_fresh_computation(calls: list[tuple[str, float]], lang: str) -> None:
    """The model remembers costs (exact ones, and ones abandoned above a
    bound); whatever it was asked before, each answer is what computing
    afresh gives: the exact cost, or, where that exceeds the bound, a value
    above the bound."""
    from encfix import model

    lm = model.get(lang)
    for text, bound in calls:
        got = lm.cost(text, bound)
        exact = lm._cost(text, math.inf)
        if exact <= bound:
            assert got == exact
        else:
            assert got > bound and got <= exact


def test_model_cost_memo_is_scoped_to_one_text() -> None:
    """Each text analysed starts a new generation of the cost memo: a cost
    worked out for an earlier text is computed again (a text costs the same
    whatever came before it, and a benchmark repeating one text is honest)."""
    from encfix import model

    lm = model.get("zh-Hans")
    calls: list[str] = []
    real = type(lm)._cost

    def counting(self: model.LanguageModel, text: str, bound: float) -> float:
        calls.append(text)
        return real(self, text, bound)

    text = "鏁版嵁瀵煎嚭鎴愬姛"
    model.forget_costs()  # (whatever earlier tests left in the memo)
    type(lm)._cost = counting  # type: ignore[method-assign]
    try:
        lm.cost(text)
        lm.cost(text)
        assert calls == [text]
        model.forget_costs()
        lm.cost(text)
        assert calls == [text, text]
    finally:
        type(lm)._cost = real  # type: ignore[method-assign]
