"""encfix.decode: bytes of unknown or mixed encoding (issue 4, part A).

Every sample here is written for these tests; the shared corpora are only
read by the last test, which skips when they are absent.
"""

from __future__ import annotations

import codecs
import csv
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import encfix
from encfix import cli, model
from encfix._decode import _STRONG_UTF8, _UTF8_SHAPE, _select
from encfix._decode._codecs import CANDIDATES, ERROR_COST, Candidate
from encfix._decode._select import Sample, Tokens

ZH = "这是一个简单的中文句子，用来测试编码的识别。我们今天去公园散步，天气很好。"
ZH_T = "這是一個繁體中文的句子，用來測試編碼的識別。我們今天去公園散步，天氣很好。"
JA = "これは日本語の文章です。今日は公園を散歩しました。天気がとても良かったです。"
KO = "이것은 한국어 문장입니다. 오늘은 공원을 산책했습니다. 날씨가 아주 좋았습니다."


def dec(data: bytes) -> encfix.Decoded:
    return encfix.decode(data, repair=False)


@pytest.mark.parametrize(
    ("text", "codec", "label"),
    [
        (ZH, "gbk", "gbk"),
        (ZH, "gb18030", "gbk"),
        (ZH_T, "big5", "big5"),
        (JA, "shift_jis", "shift_jis"),
        (JA, "euc_jp", "euc-jp"),
        (KO, "euc_kr", "euc-kr"),
        (JA, "iso2022_jp", "iso-2022-jp"),
        (KO, "iso2022_kr", "iso-2022-kr"),
        (ZH, "hz", "hz"),
        ("Привет, мир! Это русский текст о погоде и прогулке.", "koi8_r", "koi8-r"),
        ("Привет, мир! Это русский текст о погоде и прогулке.", "cp1251", "windows-1251"),
        ("Le café est très chaud, à la française; crème brûlée.", "cp1252", "windows-1252"),
        ("Die Straße ist schön, und die Bäume blühen überall.", "latin-1", "windows-1252"),
    ],
)
def test_legacy_encodings(text: str, codec: str, label: str) -> None:
    d = dec(text.encode(codec))
    assert d.text == text
    assert d.encoding == label
    assert d.confidence > 0.9
    assert [s.encoding for s in d.segments] == [label]


@pytest.mark.parametrize(
    ("bom_codec", "label"),
    [("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-32", "utf-32")],
)
def test_boms(bom_codec: str, label: str) -> None:
    d = dec(ZH.encode(bom_codec))
    assert (d.text, d.encoding, d.bom) == (ZH, label, True)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_32_without_bom(codec: str) -> None:
    text = "第一行 line one\n第二行：中文和 ASCII 混合。\n"
    d = dec(text.encode(codec))
    assert (d.text, d.encoding) == (text, codec)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_or_ascii(codec: str) -> None:
    """Pure CJK in UTF-16 has no NUL byte at all: the model tells."""
    d = dec(ZH.encode(codec))
    assert (d.text, d.encoding) == (ZH, codec)


def test_family_members() -> None:
    # Shift_JIS and cp932 read 0x8160 as 〜 and ～: the narrower reading stands
    wave = "東京〜大阪の旅行です。".encode("shift_jis")
    assert wave == "東京～大阪の旅行です。".encode("cp932")
    assert (dec(wave).text, dec(wave).encoding) == ("東京〜大阪の旅行です。", "shift_jis")
    # NEC row 13 (①) exists only in cp932: the narrow codec cannot read it
    circled = "手順①を確認してください。".encode("cp932")
    assert (dec(circled).text, dec(circled).encoding) == ("手順①を確認してください。", "cp932")
    # GB2312 cannot read 乂 (GBK) and GBK cannot read 4-byte GB18030
    assert dec("乂这是中文句子。".encode("gbk")).encoding == "gbk"
    d = dec("这是中文句子𠀀。".encode("gb18030"))
    assert (d.text, d.encoding) == ("这是中文句子𠀀。", "gb18030")
    # EUC-KR vs cp949 (UHC Hangul outside KS X 1001)
    d = dec("똠방각하 이야기입니다.".encode("cp949"))
    assert (d.text, d.encoding) == ("똠방각하 이야기입니다.", "cp949")
    # Big5 vs cp950 (the euro sign is cp950's)
    d = dec("價格是€100元，謝謝。".encode("cp950"))
    assert (d.text, d.encoding) == ("價格是€100元，謝謝。", "cp950")


FRAGMENTS = [
    ("gbk", "今天我们去公园散步，天气很好，大家都很开心。晚上回家吃饭。"),
    ("big5", "今天我們去公園散步，天氣很好，大家都很開心。晚上回家吃飯。"),
    ("shift_jis", "今日は公園を散歩しました。天気がとても良くて、みんな楽しかった。"),
    ("euc_jp", "今日は公園を散歩しました。天気がとても良くて、みんな楽しかった。"),
    ("euc_kr", "오늘은 공원을 산책했습니다. 날씨가 아주 좋아서 모두 즐거웠습니다."),
]


@pytest.mark.parametrize(("codec", "text"), FRAGMENTS)
@pytest.mark.parametrize("k", [0, 3, 7])
def test_32_byte_fragments(codec: str, text: str, k: int) -> None:
    """A 32-byte window from the k-th character, that may end inside a
    character: the complete characters come out right."""
    data = text.encode(codec)
    start = len(text[:k].encode(codec))
    window = data[start : start + 32]
    truth = codecs.getincrementaldecoder(codec)().decode(window, final=False)
    assert dec(window).text.rstrip("\ufffd") == truth


@pytest.mark.parametrize(("codec", "text"), FRAGMENTS[:2])
def test_fragment_starting_with_a_trail_byte(codec: str, text: str) -> None:
    data = text.encode(codec)
    window = data[1:33]  # starts on the second byte of the first character
    d = dec(window)
    assert d.text.startswith("\ufffd")
    assert d.segments[0].encoding is None and d.segments[0].end == 1
    assert text[1:].startswith(d.text.strip("\ufffd"))


def test_mixed_utf8_log_with_gbk_lines() -> None:
    lines = [
        ("2024-05-01 10:00 服务启动成功\n", "utf-8"),
        ("2024-05-01 10:01 连接数据库\n", "utf-8"),
        ("2024-05-01 10:02 错误：无法打开配置文件\n", "gbk"),
        ("2024-05-01 10:03 警告：磁盘空间不足\n", "gbk"),
        ("2024-05-01 10:04 服务已经停止运行\n", "utf-8"),
    ]
    data = b"".join(t.encode(c) for t, c in lines)
    d = dec(data)
    assert d.text == "".join(t for t, _ in lines)
    assert d.mixed and set(d.encodings) == {"utf-8", "gbk"}
    # segments index the bytes: each line comes out with its own encoding
    pos = 0
    for t, c in lines:
        b = t.encode(c)
        seg = next(s for s in d.segments if s.start <= pos < s.end)
        assert seg.encoding == ("gbk" if c == "gbk" else "utf-8"), (t, seg)
        pos += len(b)
    assert d.segments[-1].end == len(data)


def test_mixed_utf8_page_with_big5_paragraph() -> None:
    head = "<p>這是一個使用萬國碼的網頁，內容是繁體中文。</p>\n".encode()
    para = "<p>這一段文字是從舊網站複製過來的，所以用的是大五碼。</p>\n".encode("big5")
    tail = "<p>最後一段又回到萬國碼編碼。</p>\n".encode()
    d = dec(head + para + tail)
    assert d.text == (head + para.decode("big5").encode() + tail).decode()
    assert [s.encoding for s in d.segments] == ["utf-8", "big5", "utf-8"]
    assert d.segments[1].start == len(head) and d.segments[1].end == len(head) + len(para)


def test_mixed_runs_inside_a_line() -> None:
    line = "用户名：".encode() + "张三丰先生".encode("gbk") + " 登录成功".encode() + b"\n"
    d = dec(line * 3)
    assert d.text == "用户名：张三丰先生 登录成功\n" * 3
    assert {"utf-8", "gbk"} <= set(d.encodings)


def test_repair_on_top() -> None:
    # a UTF-8 file that also holds mojibake (UTF-8 once read as GBK)
    data = "这是正确的中文，鏂囦欢参数\n".encode()
    d = encfix.decode(data)
    assert d.decoded == "这是正确的中文，鏂囦欢参数\n"
    assert d.text == "这是正确的中文，文件参数\n"
    assert d.repair is not None and d.repair.changed
    doc = d.to_dict()
    assert doc["encoding"] == "utf-8" and doc["repair"]["changed"] and doc["text"] == d.text
    # Big5 bytes holding GBK read as Big5... no: legacy bytes decode, then repair
    e = encfix.decode("中文測試，完成。".encode("big5"))
    assert (e.text, e.encoding) == ("中文測試，完成。", "big5")
    assert e.repair is not None and not e.repair.changed


def test_forced_encoding_and_errors() -> None:
    data = "中文".encode("gbk")
    assert encfix.decode(data, encoding="gbk").text == "中文"
    assert encfix.decode(data, encoding="latin-1", repair=False).text == data.decode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        encfix.decode(data, encoding="utf-8")
    with pytest.raises(ValueError, match="unknown encoding"):
        encfix.decode(data, encoding="no-such-codec")
    with pytest.raises(TypeError):
        encfix.decode("text")  # type: ignore[arg-type]


def test_utf8_and_ascii() -> None:
    assert dec(b"plain ascii").encoding == "ascii"
    d = dec(ZH.encode())
    assert (d.text, d.encoding) == (ZH, "utf-8")
    # a UTF-8 window cut inside characters at both ends
    cut = ZH.encode()[1:-1]
    d = dec(cut)
    assert d.encoding == "utf-8" and d.text.strip("\ufffd") == ZH[1:-1]
    assert dec(b"").text == ""


def test_detect_bytes_reports_segments() -> None:
    data = "日志开始\n".encode() + "错误信息在这里\n".encode("gbk")
    det = encfix.detect(data)
    assert det.kind == "encoding" and "mixed with" in det.description
    assert {s[2] for s in det.segments} == {"utf-8", "gbk"}
    assert det.to_dict()["segments"]


# --------------------------------------------------------------------------- fast paths
#
# The shortcuts of encfix._decode against the plain computations they stand for.


def _noise(seed: int, words: int = 400) -> bytes:
    """Words of ASCII, high bytes, control bytes and the odd very long run."""
    rnd = random.Random(seed)
    alphabet = [0x09, 0x0A, 0x1F, 0x20, 0x41, 0x7E, 0x80, 0xA1, 0xB8, 0xC3, 0xE4, 0xFE]
    out = bytearray()
    for _ in range(words):
        size = rnd.choice([1, 2, 3, 8, 40, 700, 6000])
        out += bytes(rnd.choice(alphabet) for _ in range(rnd.randint(1, size)))
    return bytes(out)


def _plain_tokens(data: bytes, limit: int, *, skip_utf8: bool) -> list[bytes]:
    """From each byte >= 0x80 that starts a token to the next byte <= 0x20,
    until the tokens, a space after each, reach ``limit`` bytes."""
    out: list[bytes] = []
    total = 0
    for m in re.finditer(rb"[\x80-\xff][^\x00-\x20]*", data):
        tok = m.group()
        if skip_utf8:
            try:
                if re.search("[\u0800-\ud7ff\ue000-\U0010ffff]{2}", tok.decode("utf-8")):
                    continue
            except UnicodeDecodeError:
                pass
        out.append(tok[:limit])
        total += len(out[-1]) + 1
        if total >= limit:
            break
    return out


@pytest.mark.parametrize("seed", range(6))
def test_tokens_are_cut_as_far_as_asked(seed: int) -> None:
    data = _noise(seed) + ZH.encode() + JA.encode("shift_jis")
    for limit, skip_utf8 in [(4096, False), (4096, True), (100, False)]:
        whole = _plain_tokens(data, limit, skip_utf8=skip_utf8)
        full = Sample(tuple(whole), data[:1] >= b"\x80" and bool(whole) and data.startswith(whole[0]))
        toks = Tokens(data, limit, skip_utf8=skip_utf8)
        for k in (1, 96, 512, 5000):  # asked for a prefix first, then for more
            part, more = toks.prefix(k)
            assert part == full.prefix(k) and more == (len(part.tokens) < len(whole))
        assert toks.all() == full == Tokens(data, limit, skip_utf8=skip_utf8).all()


def test_single_byte_tables_score_like_the_reading() -> None:
    for cand in CANDIDATES:
        if cand.multibyte:
            continue
        table = _select._byte_costs(cand.codec)
        assert table is not None, cand
        costs, bad = table
        for b in range(256):
            ch = bytes((b,)).decode(cand.codec, "replace")
            assert costs[b] / model.UNIGRAM_SCALE == model.unigram_cost(ch)
            assert (b in bad) == (ch == "\ufffd")


def _plain_groups(sample: Sample, cands: list[Candidate]) -> list[tuple[str, float, list[str], int, int]]:
    """Every candidate reads the sample and is scored; readings alike are one group."""
    groups: dict[str, tuple[str, float, list[str], int, int]] = {}
    for cand in cands:
        text, head, errors, edge = _select._read(sample, cand)
        score = model.unigram_cost(text) + ERROR_COST * errors + edge + cand.prior
        if text in groups:
            g = groups[text]
            groups[text] = (text, min(g[1], score), [*g[2], cand.codec], g[3], g[4])
        else:
            groups[text] = (text, score, [cand.codec], head, errors)
    return sorted(groups.values(), key=lambda g: g[1])


@pytest.mark.parametrize("margin", [None, 12.0, 40.0])
def test_pruned_scoring_keeps_the_groups_plain_scoring_keeps(margin: float | None) -> None:
    texts = [(ZH, "gbk"), (ZH_T, "big5"), (JA, "euc_jp"), (KO, "euc_kr")]
    texts += [("Привет, это русский текст о погоде.", "koi8_r"), ("Crème brûlée, à la française.", "cp1252")]
    blobs = [t.encode(c) for t, c in texts] + [_noise(seed, 30) for seed in range(4)]
    blobs += [b[k : k + 40] for b in blobs[:6] for k in (1, 5)]  # windows, some cut at the start
    for blob in blobs:
        sample = Tokens(blob).all()
        if not sample.tokens:
            continue
        plain = _plain_groups(sample, list(CANDIDATES))
        if margin is not None:
            plain = [g for g in plain if g[1] <= plain[0][1] + margin]
        fast = _select._score_groups(sample, list(CANDIDATES), margin)
        assert [(g.text, g.score, [c.codec for c in g.cands], g.head, g.errors) for g in fast] == plain


def test_strong_utf8_shape_is_the_pattern() -> None:
    pattern = re.compile(rb"[\xe0-\xef][\x80-\xbf]{2}" * 4)
    rnd = random.Random(7)
    alphabet = [0x20, 0x41, 0x80, 0xBF, 0xC0, 0xE0, 0xEF, 0xF0]
    for _ in range(300):
        data = bytes(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60)))
        assert (_STRONG_UTF8 in data.translate(_UTF8_SHAPE)) == (pattern.search(data) is not None)


def _sequences(family: str) -> Iterator[bytes]:
    """Every sequence of one or two bytes from a high byte (three for EUC-JP's 0x8F)."""
    for a in range(0x80, 0x100):
        yield bytes((a,))
        for b in range(0x100):
            yield bytes((a, b))
    if family == "eucjp":
        for b in range(0xA1, 0xFF):
            for c in range(0xA1, 0xFF):
                yield bytes((0x8F, b, c))


def _reads(seq: bytes, codec: str) -> tuple[str, str]:
    """("ok", text) when ``codec`` reads ``seq`` whole, ("pending", "") when it
    waits for more bytes after all of them, ("part", text) when it reads some
    and waits after the rest, ("bad", "") when it cannot read it."""
    try:
        return "ok", seq.decode(codec)
    except UnicodeDecodeError:
        pass
    dec = codecs.getincrementaldecoder(codec)("strict")
    try:
        out = dec.decode(seq, final=False)
    except UnicodeDecodeError:
        return "bad", ""
    return ("part", out) if out else ("pending", "")


@pytest.mark.parametrize("family", sorted(_select.ALIKE_IN_LENGTH))
def test_family_members_read_alike_in_length(family: str) -> None:
    """What a member reads as one sequence, a wider member reads in as many
    characters or cannot read; what it waits on, a wider one waits on too."""
    members = [c.codec for c in _select.family_members(next(c for c in CANDIDATES if c.family == family))]
    for seq in _sequences(family):
        reads = [_reads(seq, m) for m in members]
        for i, (kind, text) in enumerate(reads):
            whole = kind == "ok" and all(_reads(seq[:k], members[i])[0] != "ok" for k in range(1, len(seq)))
            if not whole and kind != "pending":
                continue  # not one sequence of this member
            for wide, (wkind, wtext) in zip(members[i + 1 :], reads[i + 1 :], strict=True):
                assert wkind == "bad" or (wkind, len(wtext)) == (kind, len(text)), (seq, members[i], wide)


# --------------------------------------------------------------------------- CLI

runner = CliRunner()


def test_cli_fix_gbk_file_writes_utf8(tmp_path: Path) -> None:
    src = tmp_path / "gbk.txt"
    src.write_bytes(ZH.encode("gbk") + b"\n")
    out = tmp_path / "out.txt"
    r = runner.invoke(cli.app, ["fix", str(src), "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes() == (ZH + "\n").encode()
    assert "decoded from gbk" in r.stderr


def test_cli_json_reports_encoding(tmp_path: Path) -> None:
    src = tmp_path / "big5.txt"
    src.write_bytes(ZH_T.encode("big5"))
    r = runner.invoke(cli.app, ["fix", "--json", str(src)])
    doc = json.loads(r.stdout_bytes)
    assert doc["encoding"] == "big5" and doc["text"] == ZH_T and doc["segments"][0]["encoding"] == "big5"


def test_cli_forced_encoding(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_bytes("中文".encode("gbk"))
    # forced Latin-1 reads mojibake ('ÖÐÎÄ'), which the repair on top undoes
    r = runner.invoke(cli.app, ["fix", "--encoding", "latin-1", "--json", str(src)])
    doc = json.loads(r.stdout_bytes)
    assert r.exit_code == 0 and doc["encoding"] == "iso-8859-1" and doc["text"] == "中文"
    assert doc["fixes"][0]["before"] == "ÖÐÎÄ"
    r = runner.invoke(cli.app, ["fix", "--encoding", "utf-8", str(src)])
    assert r.exit_code == 2 and "is not valid utf-8 (byte 0xd6 at offset 0)" in r.stderr
    r = runner.invoke(cli.app, ["fix", "--encoding", "klingon", str(src)])
    assert r.exit_code == 2 and "unknown encoding" in r.stderr
    # detect --encoding: decode, then name the damage in the text
    moji = tmp_path / "m.txt"
    moji.write_bytes("鏁版嵁瀵煎嚭鎴愬姛".encode("gbk"))
    r = runner.invoke(cli.app, ["detect", "--encoding", "gbk", str(moji)])
    assert r.exit_code == 0 and "UTF-8 bytes decoded as GBK" in r.stdout


def test_cli_detect_names_legacy_and_utf16(tmp_path: Path) -> None:
    p = tmp_path / "sjis.txt"
    p.write_bytes(JA.encode("shift_jis"))
    r = runner.invoke(cli.app, ["detect", str(p)])
    assert r.exit_code == 0 and r.stdout.startswith(f"{p}: bytes in shift_jis")
    q = tmp_path / "u16.txt"
    q.write_bytes("中文 text\n".encode("utf-16-le"))
    r = runner.invoke(cli.app, ["detect", str(q)])
    assert r.exit_code == 0 and "bytes in utf-16-le" in r.stdout
    r = runner.invoke(cli.app, ["fix", str(q)])
    assert r.exit_code == 0 and r.stdout_bytes == "中文 text\n".encode()


@pytest.mark.parametrize(
    "data", [b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", bytes(range(1, 9)) * 8 + b"\xd6\xd0"]
)
def test_cli_binary_refused(tmp_path: Path, data: bytes) -> None:
    p = tmp_path / "bin"
    p.write_bytes(data)
    for cmd in ("fix", "detect"):
        r = runner.invoke(cli.app, [cmd, str(p)])
        assert r.exit_code == 2
        assert r.stderr.count("\n") == 1 and "binary data" in r.stderr


# --------------------------------------------------------------------------- shared corpora

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


@pytest.mark.shared
@pytest.mark.skipif(not (CORPORA / "MANIFEST.tsv").is_file(), reason="../shared/corpora is absent")
def test_shared_corpora_full_files() -> None:
    """Strict accuracy on the labelled corpora: all negatives, >= 99% of CJK files."""
    with open(CORPORA / "MANIFEST.tsv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if not r.get("dup_of")]
    wrong: dict[str, list[str]] = {"cjk": [], "negative": []}
    total = {"cjk": 0, "negative": 0}
    for r in rows:
        role = "negative" if r["role"] == "negative" else "cjk"
        data = (CORPORA / r["file"]).read_bytes()
        truth = data.decode(r["codec"]).removeprefix("\ufeff")
        total[role] += 1
        if dec(data).text.removeprefix("\ufeff") != truth:
            wrong[role].append(r["file"])
    assert not wrong["negative"]
    assert len(wrong["cjk"]) <= total["cjk"] // 100, wrong["cjk"]
