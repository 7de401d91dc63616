"""Lossy recovery (issue 3): generated cases for every loss model x decoder x
language (``tests/data/lossy.json``, see ``make_lossy.py``), the seed
document's two broken sequences, the guarantees every lossy repair keeps,
bounded work on adversarial input, and the CLI switches."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import encfix
from encfix._detect._tables import suspicious_lines
from encfix._repair import analyse_text, unrecoverable
from encfix._repair._lossy import BEAM, MAX_EXPANSIONS, Budget, LossyChain, explain_loss, lossy_chains
from encfix.codecs import _loss
from encfix.codecs._loss import nfkc, slipped

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SEED = HERE.parent.parent / "shared" / "seed" / "scraped-news-page.txt"
CASES = json.loads((DATA / "lossy.json").read_text(encoding="utf-8"))["cases"]
SENTENCES = json.loads((DATA / "sentences.json").read_text(encoding="utf-8"))


def _param(case: dict[str, str]) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case["comment"])] if case.get("expect") == "fail" else []
    return pytest.param(case, id=case["label"], marks=marks)


def _assert_repairs(garbled: str, expected: str) -> None:
    """``garbled`` repairs to ``expected``, and the repair's plan replays it."""
    rep = encfix.repair(garbled)
    assert rep.text == expected
    assert encfix.apply_plan(garbled, rep.plan) == rep.text


def _garbled(text: str, model: str, decoder: str) -> str:
    """``text`` in UTF-8 read by ``decoder``, losing bytes as loss model
    ``model`` does."""
    return _loss.LOSS_MODELS[model].decode(text.encode("utf-8"), decoder)


def _chain(decoder: str, loss: str) -> LossyChain:
    """The lossy chain of UTF-8 (or a slipped stream) read by ``decoder``
    losing bytes as ``loss`` says, without NFKC."""
    return next(c for c in lossy_chains() if c.decoder == decoder and c.loss == loss and not c.nfkc)


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_lossy_json_is_current() -> None:
    out = subprocess.run(
        [sys.executable, str(DATA / "make_lossy.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_lossy_case(case: dict[str, str]) -> None:
    assert encfix.repair(case["input"]).text == case["expected"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["label"]) for c in CASES])
def test_lossy_guarantees(case: dict[str, str]) -> None:
    """Whatever the outcome: every fix replays from its own explanation, a
    lossy fix's bytes reproduce its span under its loss model, and the
    repair is never further from the original than the input."""
    rep = encfix.repair(case["input"])
    assert encfix.apply_plan(case["input"], rep.plan) == rep.text
    for f in rep.fixes:
        if f.kind == "lossy":
            assert f.loss is not None and explain_loss(f.loss, f.chain, f.before)
    assert _distance(rep.text, case["expected"]) <= _distance(case["input"], case["expected"])


# ------------------------------------------------------------------ the seed


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is absent")
def test_seed_document() -> None:
    """Both broken quote sequences come out exactly; nothing else changes."""
    text = SEED.read_text(encoding="utf-8")
    rep = encfix.repair(text)
    assert "提供相關幫助。”重慶市外事辦公室" in rep.text
    assert "非常可怕”</a>" in rep.text
    lossy = [f for f in rep.fixes if f.kind == "lossy"]
    assert [(f.before, f.after) for f in lossy] == [("?!敝貞c", "。”重慶"), ("??膳隆?", "常可怕”<")]
    assert all(f.chain == ("gbk", "gbk") and f.decoder == "slipped" for f in lossy)
    # everything else: the pinyin annotations (issue 4), nothing more
    assert {f.kind for f in rep.fixes} == {"lossy", "pinyin"}


@pytest.mark.parametrize(
    ("garbled", "expected"),
    [
        ("提供相關幫助?!敝貞c市外事辦公室", "提供相關幫助。”重慶市外事辦公室"),
        ("“這非??膳隆?/a>", "“這非常可怕”</a>"),
        ("涓枃", "中文"),  # the private-use pair AD E6 dropped
        ("这是涓枃的问题", "这是中文的问题"),
    ],
)
def test_seed_sequences(garbled: str, expected: str) -> None:
    assert encfix.repair(garbled).text == expected


# ------------------------------------------------------------------ placeholders and reports


def test_undecidable_character_keeps_placeholder_and_candidates() -> None:
    rep = encfix.repair("這是銝剜��的問題", placeholder="□")
    (fix,) = rep.fixes
    assert fix.kind == "lossy" and fix.loss is not None
    assert rep.text == "這是中□的問題"
    (pos, cands), *_ = fix.loss.uncertain
    assert fix.after[pos] == "□" and len(cands) > 1
    assert encfix.apply_plan("這是銝剜��的問題", rep.plan) == rep.text


def test_readings_of_the_same_damage_that_differ_in_guesses_are_one_repair() -> None:
    # Korean read as cp949 by a browser, losses stored as "?": the search
    # keeps readings that differ in guessed characters and in whether a "?"
    # is the original's own ("일거나" / "일거??"), over spans a little wider
    # or narrower; none alone was sure enough, together they are the
    # damage, and the guesses keep their own confidence (placeholders)
    original = "전술했지만 자유주의라거나 사회주의.."
    garbled = _garbled(original, "whatwg-question", "cp949")
    rep = encfix.repair(garbled)
    (fix,) = rep.fixes
    assert fix.chain == ("utf-8", "cp949") and fix.decoder == "whatwg-question"
    assert fix.loss is not None and fix.loss.uncertain
    assert len(rep.text) == len(original)
    assert all(a in (b, "\ufffd") for a, b in zip(rep.text, original, strict=True))
    assert encfix.apply_plan(garbled, rep.plan) == rep.text


@pytest.mark.parametrize(
    ("original", "prefix"),
    [
        ("점원: 도너츠 다섯개 하실려구요?", "점원: 도너츠 다섯"),
        ("제레미 아이언스 노래 정말 잘한다.", "제레미 아이언스"),
    ],
)
def test_lost_lead_bytes_alone_pass_the_screen(original: str, prefix: str) -> None:
    # CPython's cp949 loses the lead byte of nearly every Korean syllable
    # in UTF-8 (EC A0 90: EC with the trail A0 is no character, A0 90 is
    # "젏"): no whole UTF-8 character is left, only continuation pairs
    # after each marker
    garbled = _garbled(original, "cpython-replace", "cp949")
    assert garbled.count("\ufffd") >= 5
    rep = encfix.repair(garbled)
    assert rep.text.startswith(prefix)
    assert _distance(rep.text, original) * 4 < len(original)


def test_nfkc_folded_compatibility_ideograph_starts_a_character() -> None:
    # "말" is EB A7 90: cp949 reads EB A7 as U+F9CD, a compatibility
    # ideograph, and loses 90; NFKC folds U+F9CD into 留, whose own cp949
    # code is D7 BA.  The search must try EB A7 where a character starts,
    # not only inside one
    original = "아 정말 재미있었다."
    garbled = nfkc(_garbled(original, "cpython-replace", "cp949"))
    assert "留" in garbled
    _assert_repairs(garbled, original)


@pytest.mark.parametrize(
    "text",
    ["점원: 도너츠 \ufffd다섯개 하실려구요?", "갉갊\ufffd갋갌\ufffd갍갎", "我們\ufffd今天\ufffd去看電影"],
)
def test_markers_before_continuation_pairs_in_clean_text_stay(text: str) -> None:
    assert not encfix.repair(text).changed


def test_guess_confidence_zero_writes_every_guess() -> None:
    rep = encfix.repair("這是銝剜��的問題", guess_confidence=0.0)
    assert "\ufffd" not in rep.text and rep.text.startswith("這是中")


def test_no_lossy_leaves_lossy_text_alone() -> None:
    text = "提供相關幫助?!敝貞c市外事辦公室"
    assert encfix.repair(text, lossy=False).text == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("\ufffd" * 12 + "abc", "U+FFFD"),
        ("锟斤拷锟斤拷", "sentinel"),
    ],
)
def test_unrecoverable_is_reported_not_rewritten(text: str, reason: str) -> None:
    rep = encfix.repair(text)
    assert rep.text == text
    assert rep.unrecoverable and reason in rep.unrecoverable[0].reason
    assert rep.notes and rep.to_dict()["unrecoverable"][0]["text"] in text


def test_clean_text_with_question_marks_unchanged() -> None:
    for text in ("你好吗?我很好。今天天气怎么样?", "これは何?", "정말?", "What? No! ¿Qué?"):
        rep = encfix.repair(text)
        assert rep.text == text and not rep.fixes


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("為什麼自己家人都沒辦法安慰?", False),  # a rare "慰" before a "?" that ends the line
        ("當地人稱為虱? \n下一行", False),  # spaces after it still end the line
        ("혹시 이 분은 아직 꽤 어린 분이 아닐까?", False),
        ("提供相關幫助?!敝貞c市外事辦公室", True),  # the seed's slip: text follows
        ("鍙傛暟鏂囦欢?", True),  # mojibake before it: its seeds flag the line
    ],
)
def test_a_question_mark_that_ends_a_line_flags_it_only_with_mojibake(text: str, flagged: bool) -> None:
    lines = list(suspicious_lines(text, lossy=True))
    assert bool(lines) is flagged
    assert encfix.repair(text).changed is flagged


# ------------------------------------------------------------------ bounds


def test_the_analysis_bound_leaves_lines_as_they_are_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a text's candidate readings are spent, the lines still to come
    are left as they are, and a note says where they start."""
    from encfix._repair import _lossy

    damaged = "中文乱码测试一下".encode().decode("cp1252", "replace")  # "码" keeps a U+FFFD
    lines = [f"{i} {damaged}" for i in range(10)]
    text = "\n".join(lines)
    whole = encfix.repair(text)
    assert not any("bound of this text's analysis" in n for n in whole.notes)
    assert all(line.startswith(f"{i} 中文乱") for i, line in enumerate(whole.text.split("\n")))
    monkeypatch.setattr(_lossy, "WORK_BASE", 3)
    monkeypatch.setattr(_lossy, "WORK_PER_CHAR", 0.0)
    cut = encfix.repair(text)
    out = cut.text.split("\n")
    done = [i for i, line in enumerate(out) if line != lines[i]]
    assert done and done == list(range(len(done))) and len(done) < len(lines)
    (note,) = [n for n in cut.notes if "bound of this text's analysis" in n]
    assert f"{len(lines) - len(done)} lines" in note
    assert f"from {text.index(lines[len(done)])} on" in note
    assert out[: len(done)] == whole.text.split("\n")[: len(done)]


def test_past_the_bound_utf8_read_as_gbk_with_markers_still_gets_its_cheap_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lines of UTF-8 read by a double-byte decoder with U+FFFD, once the
    work is spent, still get the stretches between their markers read back
    (the lossy search's readings of the markers are what they lose); the
    bound's note counts only the lines left as they are."""
    from encfix._repair import _lossy

    sentences = SENTENCES["zh-Hans"]
    lines = [
        _garbled(sentences[i] + sentences[i + 1], "cpython-replace", "gbk")
        for i in range(0, 24, 2)
        if "\ufffd" in _garbled(sentences[i] + sentences[i + 1], "cpython-replace", "gbk")
    ]
    text = "\n".join(lines)
    monkeypatch.setattr(_lossy, "WORK_BASE", 3)
    monkeypatch.setattr(_lossy, "WORK_PER_CHAR", 0.0)
    rep = encfix.repair(text)
    out = rep.text.split("\n")
    assert all(o != line for o, line in zip(out, lines, strict=True))
    for f in rep.fixes:
        assert f.chain == ("utf-8", "gbk")
    # past the first line, whose analysis spent the work, no lossy fix
    later = [f for f in rep.fixes if f.start > len(lines[0])]
    assert later and all(f.kind == "mojibake" for f in later)
    assert not any("bound of this text's analysis" in n for n in rep.notes)
    assert encfix.apply_plan(text, rep.plan) == rep.text


def test_past_the_bound_denser_markers_are_read_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from encfix._repair import _engine, _lossy

    original = "頭暈頭又重頭痛.........."
    garbled = original.encode("utf-8").decode("gbk", "replace")
    assert _engine._marked_search(garbled, 3) is None  # (the span search reads it)
    cheap = _engine._marked_search(
        garbled, 3, cover=_engine.MARKED_COVER_CHEAP, sparse=_engine.MARKED_SPARSE_CHEAP
    )
    assert cheap is not None and all(c.after in original for c in cheap[1])
    first = _garbled(SENTENCES["zh-Hans"][0] + SENTENCES["zh-Hans"][1], "cpython-replace", "gbk")
    text = first + "\n" + garbled
    monkeypatch.setattr(_lossy, "WORK_BASE", 3)
    monkeypatch.setattr(_lossy, "LONG_TEXT_WORK", 3)
    monkeypatch.setattr(_lossy, "WORK_PER_CHAR", 0.0)
    rep = encfix.repair(text)
    last = rep.text.split("\n")[1]
    assert last != garbled and "頭" in last
    assert not any("bound of this text's analysis" in n for n in rep.notes)


@pytest.mark.parametrize(("decoder", "lang"), [("gbk", "zh-Hans"), ("gbk", "zh-Hant"), ("cp932", "ja-kana")])
def test_marked_line_shortcut_reads_only_what_the_original_holds(decoder: str, lang: str) -> None:
    # (Big5, cp949 and EUC-JP lose a byte of nearly every character of UTF-8
    # CJK: no stretch between markers holds whole characters, the span and
    # lossy searches read those lines)
    from encfix._repair._engine import _marked_search

    original = "".join(SENTENCES[lang][:3])
    garbled = _garbled(original, "cpython-replace", decoder)
    assert "\ufffd" in garbled
    found = _marked_search(garbled, 3)
    assert found is not None
    _search, cands = found
    assert cands and all(c.after in original and c.chain == ("utf-8", decoder) for c in cands)
    # correct text with markers, and text of two decoders, are the span search's
    assert _marked_search(original[:20] + "\ufffd" + original[20:40] + "\ufffd" + original[40:], 3) is None


def test_a_long_text_has_fewer_lossy_steps_and_less_work_than_a_sentence() -> None:
    from encfix._repair import _lossy

    short = Budget.for_text("中" * _lossy.LONG_TEXT)
    assert short.left == _lossy.TEXT_STEPS
    middle = Budget.for_text("中" * ((_lossy.LONG_TEXT + _lossy.LONGEST_TEXT) // 2))
    assert _lossy.LONG_TEXT_STEPS < middle.left < _lossy.TEXT_STEPS
    n = _lossy.LONGEST_TEXT * 2
    long = Budget.for_text("中" * n)
    assert long.left == _lossy.LONG_TEXT_STEPS
    assert long.work_left == _lossy.LONG_TEXT_WORK + int(_lossy.WORK_PER_CHAR * n)


def test_a_long_line_is_analysed_in_pieces_that_end_between_characters() -> None:
    """A line longer than MAX_PIECE is analysed piece by piece (the bounds
    are checked between pieces); a piece ends after an ASCII character
    below 0x40 where it can, so a mojibake line with spaces is repaired as
    well in pieces as whole."""
    from encfix._repair import MAX_PIECE, _pieces

    sentence = "中文乱码测试一下，这是一段很长的文字"
    original = ", ".join([sentence] * (3 * MAX_PIECE // len(sentence)))
    garbled = original.encode("gbk").decode("latin-1")
    pieces = list(_pieces(garbled, 0, len(garbled)))
    assert len(pieces) > 2 and pieces[0][0] == 0 and pieces[-1][1] == len(garbled)
    assert all(b - a <= MAX_PIECE and b == c for (a, b), (c, _) in pairwise(pieces))
    assert all(garbled[b - 2 : b] == ", " for _, b in pieces[:-1])
    assert encfix.repair(garbled).text == original
    # no place to end a piece: cut at MAX_PIECE
    n = MAX_PIECE + 5
    assert list(_pieces("鍙" * n, 0, n)) == [(0, MAX_PIECE), (MAX_PIECE, n)]


@pytest.mark.parametrize(
    "text",
    ["?" * 100_000, "\ufffd" * 100_000, "中?" * 50_000, "涓\ufffd" * 50_000, "鍙" * 100_000],
    ids=["question marks", "U+FFFD", "CJK and ?", "mojibake and U+FFFD", "one mojibake character"],
)
def test_adversarial_input_spends_at_most_its_budget(text: str) -> None:
    """The lossy search stops when its budget is spent, whatever the input
    (the time that takes is measured by bench/adversarial.py, not here)."""
    budget = Budget(20_000)
    analyse_text(text, encfix.Options(), budget)
    # a beam step is counted once done: the last one may overshoot
    assert budget.left >= -_MAX_STEP
    rep = encfix.repair(text)
    assert encfix.apply_plan(text, rep.plan) == rep.text


_MAX_STEP = BEAM * MAX_EXPANSIONS


def test_spent_budget_is_reported() -> None:
    text = "這是銝剜��的問題"
    budget = Budget(0)
    budget.spend(1)
    assert not analyse_text(text, encfix.Options(), budget)[0].fixes
    lost = unrecoverable(text, [], budget=budget)
    assert lost and all("bound for this text was reached" in u.reason for u in lost)


# ------------------------------------------------------------------ properties


_MODELS = ("cpython-replace", "whatwg", "whatwg-question")
_PAIRS = (("zh-Hans", "gbk"), ("zh-Hant", "big5"), ("ja-kana", "cp932"), ("ko", "cp949"))


@settings(max_examples=25, deadline=None)
@given(
    pair=st.sampled_from(_PAIRS),
    model=st.sampled_from(_MODELS),
    index=st.integers(min_value=0, max_value=40),
    nf=st.booleans(),
)
def test_recovery_reproduces_its_input(pair: tuple[str, str], model: str, index: int, nf: bool) -> None:
    """Whatever it guesses, a lossy repair's own explanation turns its output
    back into the input, and it is never further from the original."""
    lang, dec = pair
    pool = SENTENCES[lang]
    original = pool[index % len(pool)]
    garbled = _garbled(original, model, dec)
    if nf:
        garbled = _loss.nfkc(garbled)
    rep = encfix.repair(garbled)
    assert encfix.apply_plan(garbled, rep.plan) == rep.text
    for f in rep.fixes:
        if f.kind == "lossy":
            assert f.loss is not None and explain_loss(f.loss, f.chain, f.before)
    assert _distance(rep.text, original) <= _distance(garbled, original)


def test_nfkc_runs_are_one_unit() -> None:
    """After NFKC, "°C" may be one character of the mojibake (℃, GBK A1E6)."""
    from encfix._repair._lossy import _tokens

    chain = next(c for c in lossy_chains() if c.decoder == "gbk" and c.loss == "replacement" and c.nfkc)
    toks, offs = _tokens("鍗°C彃", chain)
    assert toks == ["鍗", "°C", "彃"] and offs == [0, 1, 3, 4]
    plain = _chain("gbk", "replacement")
    assert _tokens("鍗°C彃", plain)[0] == ["鍗", "°", "C", "彃"]


@pytest.mark.parametrize(
    ("garbled", "expected"),
    [
        ("鍙戝竷璁′′垝銆傛垜", "发布计划。我"),  # "″" of the mojibake folded into "′′"
        ("鎶ラ攢鍗曞~濂藉悗", "报销单填好后"),  # "～" folded into "~"
    ],
)
def test_nfkc_alone_is_no_loss(garbled: str, expected: str) -> None:
    """Mojibake whose own characters NFKC folded, nothing lost: read back
    through the folded forms, and said so."""
    rep = encfix.repair(garbled)
    assert rep.text == expected
    assert encfix.apply_plan(garbled, rep.plan) == expected
    (fix,) = [f for f in rep.fixes if f.loss is not None and f.loss.nfkc]
    assert not fix.loss.guessed
    assert fix.description.endswith("then NFKC (no bytes lost)")


def test_reading_after_a_lossless_repair_of_the_same_chain() -> None:
    """A loss at the end of a line GBK mojibake repaired losslessly up to it
    is read with that repair as context ("。"), not left to another chain."""
    garbled = "灏忓簵鐨勭墰鑲夐潰鍛抽亾寰堝ソ锛屼环鏍间篃涓嶈吹銆�"
    rep = encfix.repair(garbled)
    assert rep.text == "小店的牛肉面味道很好，价格也不贵。"
    assert all(f.chain == ("utf-8", "gbk") for f in rep.fixes)


#: a slipped run longer than a lossy region of any other kind (48 units)
_LONG = (
    "随后的一段时间里大概是一到三四个月网站的排名就会逐渐下降"
    "有的主要关键字排名甚至会消失尽管你的页面内容与原来一样。"
)


@pytest.mark.parametrize(
    ("original", "at"),
    [
        ("我不知道我应该牺牲哪一样", 2),  # out of step to the end of the line
        ("汉语在以其做为母语的地方会有不同的通称，例如在台湾[7]、香港[8]", 4),  # "湾[" read as "錥"
        (_LONG, 10),
    ],
)
def test_slipped_stream_that_never_falls_back_in_step(original: str, at: int) -> None:
    """A GBK stream read one byte late up to the end of its line: the lead
    byte at the slip became "?", the trail of the last character, read as a
    lead with nothing after it, U+FFFD (or it took the next ASCII byte as its
    trail).  Both lost bytes are filled and the run is read in step."""
    garbled = slipped(original.encode("gbk"), "gbk", at)
    rep = encfix.repair(garbled)
    assert rep.text == original
    assert encfix.apply_plan(garbled, rep.plan) == original
    assert {(f.chain, f.decoder) for f in rep.fixes} == {(("gbk", "gbk"), "slipped")}


def test_slipped_run_ending_in_a_lone_byte_after_nfkc() -> None:
    """After NFKC an ASCII letter inside the run may be a full-width one of
    the stream ("常有" = B3A3 D3D0, read late: "Ｓ" -> "S"): it does not end
    the run."""
    original = "这个争取最后一名的排名非常有意思。"
    garbled = nfkc(slipped(original.encode("gbk"), "gbk", 6))
    assert "S" in garbled
    assert encfix.repair(garbled).text == original


@pytest.mark.parametrize(
    ("original", "at"),
    [
        ("我觉得这个网站还是非常有帮助的。</a>", 28),
        ("这是我们学校新建的图书馆。</a>", 22),
        ("我们明天早上在学校门口见面。</a>", 24),
    ],
)
def test_a_guessed_sentence_end_is_a_full_stop(original: str, at: int) -> None:
    """The slip at the last character before a tag, then NFKC: the full
    stop's trail byte went with the swallowed "<" ("?/a>"), and "。" (A1A3),
    "、" (A1A2), "」" ... all reproduce the damage.  The model's per-mark
    costs make the sentence end the likelier ("、" was guessed while every
    mark of the class cost the same)."""
    garbled = nfkc(slipped(original.encode("gbk"), "gbk", at, swallow=True))
    assert garbled.endswith("?/a>")
    assert encfix.repair(garbled).text == original


def test_swallowed_tag_at_the_end_gives_back_the_character() -> None:
    """The slip at the last character before a closing tag: its lead became
    "?", its trail and the "<" it swallowed a second "?" ("周り</a>" in
    Shift_JIS).  The whole character is guessed from the line, and the "<"
    comes back."""
    garbled = "極寒対策（その3）～顔周??/a>"
    _assert_repairs(garbled, "極寒対策（その3）～顔周り</a>")


def test_guesses_are_bytes_the_decoder_loses() -> None:
    """CPython's GBK decoder replaced the lone 0x80 of "一" (E4 B8 80) and
    the user-defined pair AA E5 inside "自己".  A reading that guesses
    "下" (E4 B8 8B) for the first would make the decoder pair 8B with the
    next byte, losing nothing: the search drops it as it goes, and finds
    the reading that reproduces the line."""
    garbled = "浠婂ぉ鐓т簡涓�涓嬮暅瀛愶紝鍙戠幇鑷�宸卞張鑰佷簡锛屽瞾鏈堜笉楗朵汉鍟娿��"
    _assert_repairs(garbled, "今天照了一下镜子，发现自己又老了，岁月不饶人啊。")


def test_marker_for_the_last_two_bytes_of_a_character() -> None:
    """A browser's Shift_JIS decoder makes one "?" of the invalid pair
    "83 9C" that ends "ボ" (E3 83 9C): a marker can stand for the two
    continuation bytes of the character the stream is in the middle of."""
    from encfix._repair._lossy import explain, readings

    chain = _chain("cp932", "question")
    line = "縲後?繝ｼ"  # 「ボー read as cp932 by a browser, "?" for what it lost
    whole = [f for f in readings(line, chain, 0, len(line), "ja") if (f.start, f.end) == (0, len(line))]
    assert whole, "no reading of the whole line"
    for f in whole:
        # three characters: the marker completed the second one (はー and のー,
        # 81 AF and 81 AE, are invalid pairs too; the model cannot tell)
        assert len(f.after) == 3 and f.after[0] == "「" and f.after[2] == "ー"
        assert explain(f.data, chain, line) == "whatwg-question"


def test_c1_control_beside_cjk_mojibake_is_not_windows_1252() -> None:
    """Browsers read Shift_JIS byte 0x80 as U+0080: inside UTF-8 read as
    Shift_JIS it is a byte of the mojibake, and ftfy's reading of it as
    Windows-1252 ("€") is not made; in Latin text it still is."""
    rep = encfix.repair("縺斐■縺昴≧縺輔∪縺ｧ縺励◆?域ｺ\x80雜ｳ?会ｼ?")
    # (the lossy search reads the 0x80 as the last byte of "満", E6 BA 80)
    assert rep.text.startswith("ごちそうさまでした（満足）") and "€" not in rep.text
    assert not [f for f in rep.fixes if f.decoder == "ftfy"]
    assert encfix.repair("price: \x80 10").text == "price: € 10"


def test_marker_for_a_pair_across_two_characters_is_kept_in_the_beam() -> None:
    """A browser's Shift_JIS decoder made one U+FFFD of "84 E3", the end of
    "い" and the start of "う": the reading whose pending lead needs the next
    unit must survive the beam, however much better the readings that end at
    the marker look, since those cannot read on."""
    garbled = "縺九▲縺溘→縺�≧縲�"
    _assert_repairs(garbled, "かったという。")


def test_failed_prefix_check_does_not_displace_a_passing_state() -> None:
    """A browser's Shift_JIS decoder made one U+FFFD of "84 E3" in
    "ないかな".  After "°" (81 8B), "くれないか" and "くれなかか" reach the same
    search state; the second scores higher but guesses a byte the decoder
    would not have lost.  It must be dropped without taking the first with
    it (it did, and "くれない⁋な" came out)."""
    garbled = "菴懊▲縺ｦ縺上ｌ縺ｪ縺�°縺ｪ縲阪→螢ｰ繧偵°縺代∪縺吶\x80�"
    _assert_repairs(garbled, "作ってくれないかな」と声をかけます。")


def test_marker_for_a_pair_is_judged_with_the_bytes_after_it() -> None:
    """A browser's Shift_JIS decoder made one U+FFFD of "86 E3" in "バーテン":
    the end of "テ" (E3 83 86) and the lead of "ン", whose last bytes read as
    "Φ".  The pair's first byte was ranked alone, only the best eight were
    kept, and "テ" was not among them ("バー�Φ" came out): the pair is
    judged by both characters it makes."""
    garbled = "繝舌\ufffd繝\ufffdΦ"
    _assert_repairs(garbled, "バーテン")


def test_marker_for_a_pair_is_a_pair_the_decoder_loses() -> None:
    """A browser's Shift_JIS decoder made one U+FFFD of "84 E3" in "いく": the
    end of "い" (E3 81 84) and the lead of "く", whose last bytes read as
    "￥".  Among the likeliest pairs there, many are pairs Shift_JIS reads as
    a character ("82 E3"), which leave no marker; they took the places of the
    ones it loses, and "縺�￥" stayed garbled.  Only pairs the decoder loses
    are tried."""
    garbled = "縺薙→縺励\ufffd縺ｪ縺､繧\ufffd☆縺ｿ縺ｯ縲√≧縺ｿ縺ｫ縺\ufffd￥縺､繧ゅｊ縺ｧ縺吶\x80\ufffd"
    _assert_repairs(garbled, "ことしのなつやすみは、うみにいくつもりです。")


def test_guessed_rare_mark_does_not_outbid_a_letter() -> None:
    """A browser's Korean decoder made one U+FFFD of "EB 9D", the first two
    bytes of "라" (EB 9D BC).  "‼" (E2 80 BC) ends in the same byte, and the
    model costs every general punctuation mark alike, common or rare:
    "‼이브블로그" came out.  A guess that makes a mark CJK text seldom uses
    costs more."""
    garbled = "\ufffd쇱씠釉뚮툝濡쒓렇"
    rep = encfix.repair(garbled)
    assert "‼" not in rep.text
    # (with "이" its only neighbour, "라" is the likeliest but not more
    # likely than not: the placeholder stands, "라" first among its candidates)
    (fix,) = rep.fixes
    assert fix.loss is not None
    assert rep.text == "\ufffd이브블로그"
    ((pos, ranked),) = fix.loss.uncertain
    assert pos == 0 and ranked[0][0] == "라"


def test_guessed_ideographic_space_is_not_odd() -> None:
    """A browser's Big5 decoder made two U+FFFD of "1943-　）" (the ideographic
    space E3 80 80 and the lead of "）").  The ideographic space, CJK text's
    own, was charged as an invisible guess and "É" or "着" filled it."""
    rep = encfix.repair("1943-\ufffd\ufffd嚗厩\ufffd")
    assert rep.text.startswith("1943-\u3000）")


def test_states_that_cannot_read_on_do_not_fill_the_beam() -> None:
    """A browser's Big5 decoder made "��" of "家　佩" (E3 80 | 80, then "雿" =
    E4 BD).  Likelier fills ("的", E7 9A 84) pass the check at their marker
    but leave "84 E4" paired, out of step with "雿": they took every place
    in the beam, were dropped at the next unit, and no reading got past
    it.  The last unit is checked too, and the beam takes more states while
    too few pass."""
    from encfix._repair._lossy import readings

    chain = _chain("big5", "replacement")
    line = "甇瑕蟮摮詨振\ufffd\ufffd雿拙\ufffd\ufffd垍結"  # 歷史學家　佩吉兒絲
    assert any(f.end == len(line) for f in readings(line, chain, 0, len(line), "zh-Hant"))


def test_region_of_markers_alone_after_nothing_that_reads_on_is_not_searched() -> None:
    """Correct Korean before a "?" at the end of a line, under UTF-8 read as
    cp949 with losses as "?": its Hangul re-encode to bytes no UTF-8
    character starts with, so any reading would be the marker alone, which
    is no evidence.  The search stops there instead of trying every fill
    (it tried 52 byte strings, in every repair of such a line)."""
    from encfix._repair._lossy import readings

    chain = _chain("cp949", "question")
    line = "그런게 아닐까?"
    budget = Budget(1000)
    assert readings(line, chain, line.index("아"), len(line), "ko", budget) == []
    assert 1000 - budget.left <= 5
    assert encfix.repair(line).text == line


def test_language_of_a_region_in_mojibake_is_that_of_its_reading() -> None:
    """Around a region that is itself in the middle of mojibake, the text's
    language is that of its rough reading, not of the mojibake: Japanese
    read as GBK shows Chinese characters ("鏉变含" for "東京"), and its
    language was taken for Chinese."""
    from encfix._repair._lossy import languages

    text = "東京都内の大学院で日本語教育学を研究しています。"
    garbled = _garbled(text, "whatwg", "gbk")
    assert languages(garbled, _chain("gbk", "replacement"), 24, 37) == ("ja",)


def test_guess_is_weighed_against_its_alternatives() -> None:
    """A slipped Big5 stream lost the lead byte of "離" (C2 F7): the search,
    reading left to right, settled on "機" (BE F7) after "會" before it saw
    "開".  Weighed with the characters on both sides, "離" wins, and the span
    still reproduces with it."""
    garbled = "她不會?鰶}日本到任何地方開演唱會"
    _assert_repairs(garbled, "她不會離開日本到任何地方開演唱會")
    (fix,) = encfix.repair(garbled).fixes
    assert fix.loss is not None and explain_loss(fix.loss, fix.chain, fix.before)


def test_guesses_are_weighed_in_the_repaired_text_around() -> None:
    """The character before a lossy fix is often part of another repair
    ("什" of "为什么", repaired whole from "粈"): the guess is weighed beside
    the repaired character, not the mojibake."""
    text = "眼珠，仿佛那是世界的轮中轮，为什么"
    _assert_repairs(_garbled(text, "whatwg", "gbk"), text)


def test_run_of_guesses_does_not_vouch_for_itself() -> None:
    """UTF-8 read as Big5 by CPython loses eight bytes in a row of "中文的文章":
    the beam kept few readings of that run and they agreed on "時時間", so
    each guess looked certain.  Weighed against the characters that could
    stand in their place (forward-backward over the run), none is more
    likely than not: placeholders, with their candidates, not a confident
    invention."""
    garbled = _garbled("中文的文章很好", "cpython-replace", "big5")
    rep = encfix.repair(garbled)
    assert "時時間" not in rep.text
    assert rep.text.startswith("中\ufffd\ufffd")
    for fix in rep.fixes:
        assert fix.loss is not None
        for _, ranked in fix.loss.uncertain:
            assert ranked and sum(p for _, p in ranked) <= 1.0 + 1e-9
            assert ranked[0][1] < 0.5 or ranked[0][0] != fix.after[0]


def test_dropped_pair_inside_the_last_character() -> None:
    """ "家" is E5 AE B6; GBK reads "AE B6" as a user-defined pair (a
    private-use character), which copy and paste dropped: "E5" is left
    pending at the end of the line, and only the pair that vanished after it
    completes it."""
    text = "我爱我的国家"
    garbled = _garbled(text, "pua-dropped", "gbk")
    assert garbled.endswith("鍥藉")
    _assert_repairs(garbled, text)


def test_dropped_pair_in_a_gap_the_lossless_search_left() -> None:
    """The lossless search explains all of the line but its first two
    characters ("转" E8 BD AC lost "AC E8", the first byte of the pair and
    the lead of "载"); that gap is searched on its own, not as part of one
    search of the whole line, whose beam filled with readings that start
    early."""
    text = "转载一篇关于它的文章"
    _assert_repairs(_garbled(text, "pua-dropped", "gbk"), text)


def test_dropped_pair_inside_a_character_pays_for_its_freedom() -> None:
    """Two continuation bytes can make nearly any character of their block:
    a reading that assumes such a pair vanished ("报销单对~好后") costs more
    than one that reads a folded "～" ("报销单填好后")."""
    from encfix._repair._lossy import INSIDE_COST, _hidden_cost

    assert _hidden_cost(b"\xae\xb6") == _hidden_cost(b"\xae\xe5") + INSIDE_COST
    assert encfix.repair("鎶ラ攢鍗曞~濂藉悗").text == "报销单填好后"


def test_weighing_guesses_spends_the_budget() -> None:
    """Weighing a guess against its alternatives is search work too: it
    spends the text's budget (leaving less to later searches), but is never
    refused -- a guess is not written unweighed."""
    from encfix._repair import _lossy

    garbled = _garbled("现在我才发现不会有那一天。", "cpython-replace", "gbk")
    chain = _chain("gbk", "replacement")
    (region,) = _lossy.regions(garbled, chain)
    (f, *_) = [r for r in _lossy.readings(garbled, chain, *region, "zh-Hans") if r.guessed]
    before, left, right = garbled[f.start : f.end], garbled[: f.start], garbled[f.end :]
    budget = Budget(10**6)
    assert _lossy.posteriors(f, before, left, right, budget=budget)
    assert budget.left < 10**6
    spent = Budget(5)
    weighed = _lossy.posteriors(f, before, left, right, budget=spent)
    assert weighed == _lossy.posteriors(f, before, left, right)
    assert spent.exhausted


# ------------------------------------------- UTF-8 read as Windows-1252, strict


def _cp1252(text: str, marker: str = "\ufffd") -> str:
    """``text`` in UTF-8 read by Python's strict Windows-1252 with
    ``errors="replace"`` (its five undefined bytes become U+FFFD), or with
    ``marker`` for them (Windows writes "?")."""
    return text.encode("utf-8").decode("cp1252", "replace").replace("\ufffd", marker)


@pytest.mark.parametrize(
    ("original", "marker"),
    [
        ("中文乱码的问题很常见", "\ufffd"),
        ("这是一个关于编码的测试句子。", "\ufffd"),
        ("데이터를 처리하는 방법", "\ufffd"),
        ("今天下午三点在会议室讨论新版本的发布计划。", "?"),
    ],
)
def test_utf8_read_as_strict_windows_1252_is_read_back(original: str, marker: str) -> None:
    """One marker per undefined byte: the line is read back whole, by the
    loss model that says so."""
    garbled = _cp1252(original, marker)
    assert marker in garbled
    rep = encfix.repair(garbled)
    assert rep.text == original
    expected = "sbcs-replace" if marker == "\ufffd" else "sbcs-question"
    assert [f.decoder for f in rep.fixes] == [expected]
    assert encfix.apply_plan(garbled, rep.plan) == rep.text


@settings(max_examples=30, deadline=None)
@given(
    lang=st.sampled_from(("zh-Hans", "zh-Hant", "ja-kana", "ko")),
    index=st.integers(min_value=0, max_value=40),
    marker=st.sampled_from(("\ufffd", "?")),
)
def test_strict_windows_1252_readings_reproduce_their_span(lang: str, index: int, marker: str) -> None:
    """Every reading of the direct path is bytes that, read as strict
    Windows-1252, give the span back; only characters that held a marker
    are guessed."""
    from encfix._repair import _lossy

    pool = SENTENCES[lang]
    original = pool[index % len(pool)] + pool[(index * 7 + 1) % len(pool)]
    garbled = _cp1252(original, marker)
    chain = _chain("cp1252", "sbcs-replace" if marker == "\ufffd" else "sbcs-question")
    found = _lossy.hole_readings(garbled, 0, len(garbled), chain, lambda: ("zh-Hans", "ja", "ko"))
    if marker not in garbled:
        assert found == []  # nothing lost: the lossless search's work
        return
    assert len(found) == 3
    for f in found:
        assert _lossy.damaged(f.data, f.model, "cp1252") == garbled
        assert f.data.decode("utf-8") == f.after
        assert len(f.after) == len(original)
        assert all(f.after[p] == original[p] for p in range(len(original)) if p not in f.guessed)


@pytest.mark.parametrize(
    "text",
    [
        "Café? Oui. Ça va? Très bien?",
        "naïve résumé \ufffd façade",
        "What? No way?!",
    ],
)
def test_latin_text_with_markers_is_not_read_as_strict_windows_1252(text: str) -> None:
    assert encfix.repair(text).text == text


def test_strict_windows_1252_keeps_a_placeholder_it_cannot_decide() -> None:
    """Each undefined byte is one of five: where the model cannot tell them
    apart, the marker stays and the candidates are listed."""
    garbled = _cp1252("奶奶在阳台上种了辣椒、番茄和几盆葱。")
    rep = encfix.repair(garbled)
    (fix,) = rep.fixes
    assert fix.loss is not None
    if fix.loss.uncertain:
        pos, ranked = fix.loss.uncertain[0]
        assert fix.after[pos] == "\ufffd" and "、" in [c for c, _ in ranked]
    assert rep.text.replace("\ufffd", "、") == "奶奶在阳台上种了辣椒、番茄和几盆葱。"


def test_a_hundred_kilobytes_of_strict_windows_1252_are_all_read() -> None:
    """Every line of a long text of this damage is read: the direct path
    is cheap enough that the text's bounds are not reached."""
    pool = SENTENCES["zh-Hans"]
    lines = [_cp1252(pool[k % len(pool)] + pool[(k * 7 + 1) % len(pool)]) for k in range(120)]
    rep = encfix.repair("\n".join(lines))
    assert not rep.notes
    assert rep.text.count("\ufffd") < len(lines) // 4


def test_a_line_without_a_rare_utf8_pair_has_no_region_that_passes() -> None:
    """``rare_utf8_pair`` stands for the screen of every region of a line
    under the chains that need a rare pair: where it says no, no region of
    the line passes the screen (so none is cut out and screened)."""
    from encfix._repair import _lossy

    chains = [c for c in lossy_chains() if _lossy.needs_rare_pair(c)]
    lines = [c["input"] for c in CASES] + [s for pool in SENTENCES.values() for s in pool]
    lines += ["涓枃", "協力營造： 牛姵勻 李翠詩 胡皓瑋", "莫折荼蘼，且留取、一分春色。"]
    said_yes = 0
    for line in lines:
        for chain in chains:
            if _lossy.rare_utf8_pair(line, chain):
                said_yes += 1
                continue
            passed = [(a, b) for a, b in _lossy.regions(line, chain) if _lossy.screen(line, chain, a, b)]
            assert not passed, (line, chain)
    assert said_yes  # (and it does say yes: "涓枃" under UTF-8 read as GBK)


def test_a_long_line_without_ascii_is_cut_before_a_utf8_lead() -> None:
    """A line of UTF-8 read as Windows-1252 with no ASCII in it is cut into
    pieces before a character that reads as a UTF-8 lead byte ("ä" of
    "ä¸­"), so that every piece reads whole."""
    from encfix._repair import MAX_PIECE, _pieces

    text = "这是一个关于编码的测试句子" * 400
    garbled = text.encode("utf-8").decode("cp1252", "replace")
    pieces = list(_pieces(garbled, 0, len(garbled)))
    assert len(pieces) > 1 and all(b - a <= MAX_PIECE for a, b in pieces)
    leads = {bytes([x]).decode("cp1252") for x in range(0xC2, 0xF5)}
    assert all(garbled[a] in leads for a, _ in pieces)
    rep = encfix.repair(garbled)
    assert not rep.notes and rep.text == text
