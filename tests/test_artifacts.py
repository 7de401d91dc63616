"""Scraped-corpus artifacts (issue 4 part B): pinyin annotations, folded
punctuation, character references."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import encfix
from encfix.artifacts import _pinyin
from encfix.artifacts._pinyin import numbered

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "scraped-news-page.txt"


@pytest.mark.parametrize(
    ("syllable", "expected"),
    [
        ("xié", "xie2"),
        ("lǜ", "lv4"),
        ("de", "de5"),
        ("xie2", "xie2"),
        ("guān", "guan1"),
        ("x1é", ""),
    ],
)
def test_numbered(syllable: str, expected: str) -> None:
    assert numbered(syllable) == expected


def test_readings_table() -> None:
    r = _pinyin.readings()
    assert "xie2" in r["協"] and {"zhang3", "chang2"} <= r["長"]
    assert len(r) > 20_000


@pytest.mark.skipif(
    importlib.util.find_spec("pypinyin") is None, reason="pypinyin (build extra) not installed"
)
def test_readings_data_is_current() -> None:
    from encfix.artifacts import build_readings

    assert build_readings.main.__module__  # the generator imports
    import gzip

    assert gzip.decompress(build_readings.OUT.read_bytes()) == gzip.decompress(build_readings.build())


CONVERTED = (
    "共建“一帶一路”,必須齊心協(xié)力、守望相助。在外交部的統(tǒng)一安排下,"
    "向他們提供新冠肺炎疫情防控的“中國經(jīng)驗”。重慶市外事辦公室相關(guān)負(fù)責(zé)人介紹。"
)


def test_converter_annotations_removed() -> None:
    rep = encfix.repair(CONVERTED)
    assert "(" not in rep.text
    assert "齊心協力" in rep.text and "統一安排" in rep.text and "負責人" in rep.text
    assert {f.kind for f in rep.fixes} == {"pinyin"}
    assert all(f.description == "pinyin annotation removed" for f in rep.fixes)
    assert encfix.apply_plan(CONVERTED, rep.plan) == rep.text
    assert any("converter" in n for n in rep.notes)


def test_keep_pinyin() -> None:
    assert encfix.repair(CONVERTED, pinyin=False).text == CONVERTED


@pytest.mark.parametrize(
    "text",
    [
        "长城很长。我们去长(cháng)城玩，他是班长(zhǎng)。",
        "“饕(tāo)餮(tiè)”是古代传说中的一种凶兽。",
        "中国(China)和美国(USA)。",
        "函数 f(x) 在区间(a,b)上连续。",
        "他的名字叫李明(Li Ming)。",
    ],
)
def test_deliberate_or_other_parentheses_kept(text: str) -> None:
    rep = encfix.repair(text)
    assert rep.text == text and not rep.fixes


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is absent")
def test_seed_annotations() -> None:
    text = SEED.read_text(encoding="utf-8")
    rep = encfix.repair(text)
    pinyin = [f for f in rep.fixes if f.kind == "pinyin"]
    assert len(pinyin) == 105
    assert all(f.after == f.before[0] for f in pinyin)
    # with --restore-punct: commas between CJK become full-width; numbers, times, dates stay
    full = encfix.repair(text, restore_punct=True).text
    assert "21:19:11" in full and "2020-03-24" in full and "47萬" in full
    assert "一帶一路”，必須" in full and "”,必須" not in full


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("共建“一帶一路”,必須齊心協力!", "共建“一帶一路”，必須齊心協力！"),
        ("他說:你好;再見", "他說：你好；再見"),
        ("價格是3,000元,時間21:19:11。", "價格是3,000元，時間21:19:11。"),
        ("見 https://example.com/a,b?x=1 網站", "見 https://example.com/a,b?x=1 網站"),
        ("Hello, world! 你好", "Hello, world! 你好"),
        ("重慶(山城)是個好地方", "重慶（山城）是個好地方"),
        ("日期:2020-03-24", "日期:2020-03-24"),
    ],
)
def test_restore_punct(text: str, expected: str) -> None:
    rep = encfix.repair(text, restore_punct=True)
    assert rep.text == expected
    assert encfix.apply_plan(text, rep.plan) == rep.text
    assert encfix.repair(text).text == text  # off by default


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("&#x4E2D;&#25991;", "中文"),
        ("他說&ldquo;你好&rdquo;。", "他說“你好”。"),
        ("AT&T 的中文名", "AT&T 的中文名"),
        ("10&micro;s is fast", "10&micro;s is fast"),
        ("<p>中文&rdquo;</p>", "<p>中文&rdquo;</p>"),
    ],
)
def test_entities(text: str, expected: str) -> None:
    rep = encfix.repair(text)
    assert rep.text == expected
    assert encfix.apply_plan(text, rep.plan) == rep.text


def test_entities_html_option() -> None:
    assert encfix.repair("他說&ldquo;你好&rdquo;", html=True).text == "他說&ldquo;你好&rdquo;"
    assert encfix.repair("<p>他說&ldquo;你好&rdquo;</p>", html=False).text == "<p>他說“你好”</p>"
