"""The fast path's two scans flag the same lines: the regexes over the whole
text, and the vectorised narrowing (``encfix._detect._vector``) followed by
the regexes over the candidate lines only."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from encfix._detect import _tables, _vector

pytestmark = pytest.mark.skipif(not _vector.available(), reason="numpy is not installed")

DATA = Path(__file__).parent / "data"


def regex_lines(text: str, *, lossy: bool) -> list[tuple[int, int]]:
    saved = _vector.MIN_CHARS
    _vector.MIN_CHARS = 1 << 62
    try:
        return list(_tables.suspicious_lines(text, lossy=lossy))
    finally:
        _vector.MIN_CHARS = saved


def narrowed_lines(text: str, *, lossy: bool) -> list[tuple[int, int]]:
    return list(_tables._narrowed_lines(text, lossy=lossy))


def _spread(ranges: list[tuple[int, int]], k: int) -> list[str]:
    """Up to ``k`` characters spread over ``ranges`` (both ends of each range among them)."""
    chars = [chr(c) for a, b in ranges for c in {a, b, (a + b) // 2} if not 0xD800 <= c < 0xE000]
    step = max(1, len(chars) // k)
    return chars[::step]


def _alphabet() -> list[str]:
    """Characters from every class the fast path tests, and their neighbours."""
    data = _tables._data()
    fast = data["fast"]
    assert isinstance(fast, dict)
    out: list[str] = []
    out += _spread(_tables._unpack(fast["single"]), 20)
    out += _spread(_tables._unpack(fast["cjk"]), 40)
    for lead, cont in fast["utf8"].values():
        out += _spread(_tables._unpack(lead), 6) + _spread(_tables._unpack(cont), 6)
    for high, upper in fast["legacy"].values():
        out += _spread(_tables._unpack(high), 6) + _spread(_tables._unpack(upper), 6)
    for key in ("utf8_pairs", "utf8_word_pairs", "korean_as_gbk"):
        out += _spread(_tables._unpack(str(data[key])), 20)
    out += [*"aAzZ09 ,.;:!?()\"'\n\t<>/-", "\ufffd", "\u3000", "\u00c3", "\u00a0", "中", "文", "가"]
    out += ["\U00020000", "\U0002a6d6", "\U0001f600"]
    return sorted(set(out))


ALPHABET = _alphabet()


@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=300), st.booleans())
def test_narrowing_flags_the_same_lines(text: str, lossy: bool) -> None:
    assert narrowed_lines(text, lossy=lossy) == regex_lines(text, lossy=lossy)


@given(
    st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=6),
    st.integers(min_value=0, max_value=40),
    st.booleans(),
)
def test_narrowing_flags_the_same_lines_in_clean_text(pieces: list[str], at: int, lossy: bool) -> None:
    """A few suspicious characters inside ordinary CJK and Latin lines."""
    clean = "這是一個測試，我們看看。\nThis is a test line, ok?\n그런데 꼭 그럴까?\n日本語です。\n" * 3
    at = min(at * 4, len(clean))
    text = clean[:at] + "".join(pieces) + clean[at:]
    assert narrowed_lines(text, lossy=lossy) == regex_lines(text, lossy=lossy)


def _case_inputs() -> list[str]:
    out: list[str] = []
    for path in sorted(DATA.glob("*.json")):
        payload = json.loads(path.read_text("utf-8"))
        cases = payload.get("cases", payload) if isinstance(payload, dict) else payload
        if not isinstance(cases, list):
            continue
        out += [c["input"] for c in cases if isinstance(c, dict) and isinstance(c.get("input"), str)]
    return out


def test_narrowing_on_every_test_case() -> None:
    """All the garbled and clean inputs of the data-driven cases, as one text."""
    inputs = _case_inputs()
    assert len(inputs) > 100
    text = "\n".join(inputs)
    for lossy in (False, True):
        assert narrowed_lines(text, lossy=lossy) == regex_lines(text, lossy=lossy)


def test_long_texts_are_narrowed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = _vector.candidate_lines

    def spy(text: str, *, lossy: bool) -> list[tuple[int, int]]:
        calls.append(len(text))
        return real(text, lossy=lossy)

    monkeypatch.setattr(_vector, "candidate_lines", spy)
    monkeypatch.setattr(_vector, "IMPORT_AFTER", 0)
    rows = _vector.MIN_CHARS // 320 + 1
    long = ("正常的中文句子。" * 40 + "\n") * rows + "鏁版嵁瀵煎嚭鎴愬姛\n" + "最後一行。"
    assert len(long) >= _vector.MIN_CHARS
    lines = list(_tables.suspicious_lines(long, lossy=True))
    assert calls == [len(long)]
    assert [long[a:b] for a, b in lines] == ["鏁版嵁瀵煎嚭鎴愬姛"]
    list(_tables.suspicious_lines("鏁版嵁瀵煎嚭鎴愬姛", lossy=True))
    assert calls == [len(long)]  # a short text: the regexes alone


def test_numpy_waits_until_the_regexes_have_scanned_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that repairs one long text does not import numpy for it:
    only once the regexes have scanned IMPORT_AFTER characters of long texts."""
    n = _vector.MIN_CHARS
    monkeypatch.setattr(_vector, "_scanned", 0)
    monkeypatch.setattr(_vector, "IMPORT_AFTER", 2 * n)
    _vector._build.cache_clear()
    assert not _vector.use_for(n - 1)
    assert not _vector.use_for(n)
    assert not _vector.use_for(n)
    assert _vector.use_for(n)  # 3n scanned
    _vector._build()
    monkeypatch.setattr(_vector, "_scanned", 0)
    assert _vector.use_for(n)  # the tables are built: no more waiting
    assert not _vector.use_for(n - 1)


CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


@pytest.mark.shared
@pytest.mark.skipif(not (CORPORA / "MANIFEST.tsv").is_file(), reason="../shared/corpora is absent")
def test_narrowing_on_the_shared_corpora() -> None:
    """Every corpus file whole (scraped pages: markup, long lines, "?" lost
    upstream), and all of them as one text."""
    with open(CORPORA / "MANIFEST.tsv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if not r.get("dup_of")]
    texts = []
    for row in rows:
        try:
            texts.append((CORPORA / row["file"]).read_bytes().decode(row["codec"]))
        except UnicodeDecodeError:
            continue
    assert len(texts) > 100
    for text in [*texts, "\n".join(texts)]:
        for lossy in (False, True):
            assert narrowed_lines(text, lossy=lossy) == regex_lines(text, lossy=lossy)


@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=300), st.integers(min_value=1, max_value=40))
def test_a_long_text_is_marked_in_pieces_alike(text: str, chunk: int) -> None:
    """Taken in pieces of ``chunk`` characters (a long text's arrays would
    not fit in memory whole), the candidate lines are the same."""
    whole = _vector.candidate_lines(text, lossy=True)
    saved = _vector.CHUNK
    _vector.CHUNK = chunk
    try:
        assert _vector.candidate_lines(text, lossy=True) == whole
    finally:
        _vector.CHUNK = saved


def test_a_piece_reads_what_a_question_mark_looks_back_at(monkeypatch: pytest.MonkeyPatch) -> None:
    """A "?" beside CJK text is a loss hint when a rare character lies up to
    three characters before it: a piece starting at the "?" reads that far
    before it (it read two, and missed this line)."""
    ta, tb, _, _ = _vector._build()
    rare = next(
        chr(c)
        for c in range(0x80, 0x3000)
        if _vector._question_table()[c] & _vector.RARE
        and ta[c] == _vector.NONASCII
        and tb[c] == _vector.NONASCII_NOT_IDSP
    )
    text = rare + "ab?中文"
    assert regex_lines(text, lossy=True) == [(0, len(text))]
    monkeypatch.setattr(_vector, "CHUNK", 3)  # the second piece starts at "?"
    assert narrowed_lines(text, lossy=True) == regex_lines(text, lossy=True)
