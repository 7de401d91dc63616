"""Documents with many lines of mojibake: once a few lines were read whole
by one chain, the rest are tried under it first, at C speed (the
document's chain, ``encfix._repair._DocumentChain``) -- with exactly the
result the full analysis gives."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from _garble import garble, garble_or_raise
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import encfix
import encfix._repair as repair_module

SENTENCES = json.loads((Path(__file__).parent / "data" / "sentences.json").read_text(encoding="utf-8"))

#: chains of one round and of two (innermost first)
CHAINS = (
    ("utf-8", "gbk"),
    ("utf-8", "cp1252"),
    ("gbk", "latin-1"),
    ("utf-8", "cp1252", "utf-8", "cp1252"),
)


def _originals(n: int, chain: tuple[str, ...]) -> list[str]:
    """``n`` sentences (or their first halves) that ``chain`` garbles
    losslessly (UTF-8 read as GBK needs an even number of bytes)."""
    ok = [t for s in SENTENCES["zh-Hans"] for t in (s, s[: len(s) // 2]) if garble(t, chain) is not None]
    assert len(ok) >= n
    return ok[:n]


def _analysed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lines the full analysis sees from now on (the rest took the
    document's chain)."""
    seen: list[str] = []
    full = repair_module._line_fixes

    def spy(line: str, *args: object, **kwargs: object) -> object:
        seen.append(line)
        return full(line, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(repair_module, "_line_fixes", spy)
    return seen


@pytest.mark.parametrize("chain", CHAINS, ids=lambda c: "->".join(c))
def test_a_document_of_one_chain_is_read_under_it(
    chain: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    originals = _originals(12, chain)
    garbled = "\n".join(garble_or_raise(s, chain) for s in originals)
    alone = [encfix.repair(garble_or_raise(s, chain)).text for s in originals]
    seen = _analysed(monkeypatch)
    rep = encfix.repair(garbled)
    assert rep.text.split("\n") == originals == alone
    assert len(seen) <= repair_module.DOC_LINES + 1
    assert all(f.chain == chain for f in rep.fixes)
    assert encfix.apply_plan(garbled, rep.plan) == rep.text


def test_a_document_of_several_chains_remembers_them_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines of every chain of :data:`CHAINS`, interleaved: each chain is
    learned from its first lines, then read at C speed."""
    pool = {c: _originals(10, c) for c in CHAINS}
    pairs = [(pool[c][i], c) for i in range(10) for c in CHAINS]
    originals = [s for s, _ in pairs]
    garbled = "\n".join(garble_or_raise(s, c) for s, c in pairs)
    seen = _analysed(monkeypatch)
    rep = encfix.repair(garbled)
    assert rep.text.split("\n") == originals
    assert len(seen) <= len(CHAINS) * (repair_module.DOC_LINES + 1)
    assert [f.chain for f in rep.fixes] == [c for _, c in pairs]


#: originals whose bytes one single-byte decoder reads alike: the document
#: remembers the decoder, the original must still be judged line by line
LEGACY = (
    (("gbk", "latin-1"), "zh-Hans"),
    (("big5", "latin-1"), "zh-Hant"),
    (("euc-jp", "latin-1"), "ja-kana"),
    (("shift_jis", "latin-1"), "ja-kana"),
    (("euc-kr", "latin-1"), "ko"),
    (("utf-8", "latin-1"), "zh-Hans"),
)


def test_lines_of_other_originals_under_a_remembered_decoder_are_judged_alone() -> None:
    """GBK, Big5, EUC-JP, Shift_JIS and EUC-KR bytes read as Latin-1, lines
    interleaved: each comes out as it does alone -- the GBK reading of EUC-JP
    kana ("ハンバ〖ガ〖", one character off) is not taken because the
    document learned GBK read as Latin-1."""
    rng = random.Random(7)
    lines: list[tuple[str, str]] = []
    while len(lines) < 120:
        chain, lang = rng.choice(LEGACY)
        original = rng.choice(SENTENCES[lang])
        garbled = garble(original, chain)
        if garbled is not None:
            lines.append((original, garbled))
    rep = encfix.repair("\n".join(g for _, g in lines))
    alone = [encfix.repair(g).text for _, g in lines]
    assert rep.text.split("\n") == alone == [o for o, _ in lines]


#: every chain the shortcut may remember, with a language its original fits
ANY = (
    *LEGACY,
    (("gbk", "cp1252"), "zh-Hans"),
    (("big5", "cp1252"), "zh-Hant"),
    (("shift_jis", "cp1252"), "ja-kana"),
    (("gbk", "cp437"), "zh-Hans"),
    (("big5", "macroman"), "zh-Hant"),
    (("utf-8", "gbk"), "zh-Hans"),
    (("utf-8", "big5"), "zh-Hant"),
    (("utf-8", "cp932"), "ja-kana"),
    (("utf-8", "cp949"), "ko"),
    (("utf-8", "cp1252"), "ja-kana"),
    (("utf-8", "cp1252", "utf-8", "cp1252"), "ko"),
)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(ANY), st.integers(min_value=0, max_value=44)), min_size=2, max_size=12)
)
def test_a_document_repairs_each_line_as_it_repairs_alone(
    picks: list[tuple[tuple[tuple[str, ...], str], int]],
) -> None:
    """Whatever chains a document mixes, in whatever order, the shortcut
    it learns from some lines changes the repair of no other line."""
    lines = []
    for (chain, lang), k in picks:
        pool = SENTENCES[lang]
        g = garble(pool[k % len(pool)], chain)
        if g is not None:
            lines.append(g)
    assume(lines)
    rep = encfix.repair("\n".join(lines))
    assert rep.text.split("\n") == [encfix.repair(g).text for g in lines]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("它传颂千古，脍炙人口。", True),  # 脍炙: rare characters, a word
        ("鏁版嵁瀵煎嚭鎴愬姛", False),  # UTF-8 read as GBK: pairs no language has
        ("蹉跎岁月 ÃƒÂ©", False),  # a word, then Latin mojibake: not only pairs
        ("平常的一句话。", False),  # nothing flagged
    ],
)
def test_a_line_flagged_only_for_rare_words_is_clean(line: str, words: bool) -> None:
    """``_words`` judges the weak pairs as the scan finds them; its answer
    is the one a full scan gives."""
    from encfix._detect._tables import weak_pairs

    assert repair_module._words(line) is words
    found = list(weak_pairs(line))
    full = None if None in found else found
    models = [encfix.model.get(lang) for lang in encfix.model.candidate_languages(line)]
    expected = bool(full) and all(
        any(m.knows_a_pair(line[i] + line[j]) for m in models)
        for i, j in full  # type: ignore[union-attr]
    )
    assert expected is words
