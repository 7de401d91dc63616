"""Decoder models (``encfix.codecs._loss``): each one loses exactly the bytes
its docstring says, on hand-worked inputs, on every pair the tables know, on
random bytes, and - where glibc's ``iconv`` exists - exactly as ``iconv -c``."""

from __future__ import annotations

import random
import shutil
import subprocess
import unicodedata
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from encfix.codecs import DECODERS
from encfix.codecs._loss import LOSS_MODELS, LossModel, nfkc, slipped, swallowing

MULTIBYTE = ("gbk", "big5", "cp932", "euc-jp", "cp949")
MODELS = (
    "cpython-replace",
    "cpython-ignore",
    "whatwg",
    "iconv-c",
    "windows-question",
    "whatwg-question",
    "pua-dropped",
)
#: what the cpython-* models promise to call
CPYTHON = {"gbk": "gbk", "big5": "big5", "cp932": "cp932", "euc-jp": "euc_jp", "cp949": "cp949"}
#: the CPython codec whose table the iconv-c model uses, and glibc's charset
GLIBC = {
    "gbk": ("gbk", "GBK"),
    "big5": ("big5hkscs", "BIG5-HKSCS"),
    "cp932": ("cp932", "CP932"),
    "euc-jp": ("euc_jp", "EUC-JP"),
    "cp949": ("cp949", "CP949"),
}
R = "\ufffd"
FAST = settings(max_examples=150, deadline=None)


def test_registry() -> None:
    assert tuple(LOSS_MODELS) == MODELS
    for name, model in LOSS_MODELS.items():
        assert isinstance(model, LossModel)
        assert model.name == name
        assert model.description.endswith(".") and "\n" not in model.description


@pytest.mark.parametrize("decoder", ["latin-1", "cp1252", "utf-8", "GBK"])
def test_other_decoders_are_refused(decoder: str) -> None:
    for model in LOSS_MODELS.values():
        with pytest.raises(ValueError):
            model.decode(b"abc", decoder)
    with pytest.raises(ValueError):
        swallowing(b"abc", decoder)
    with pytest.raises(ValueError):
        slipped(b"abc", decoder, 0)


# --------------------------------------------------------- hand-worked table

#: (decoder, input hex, what it shows, expected output per model in MODELS order:
#:  cpython-replace, cpython-ignore, whatwg, iconv-c, windows-question, whatwg-question, pua-dropped)
CASES: list[tuple[str, str, str, tuple[str, str, str, str, str, str, str]]] = [
    # ---- gbk: CPython "gbk", WHATWG gb18030, glibc GBK
    ("gbk", "d6d0cec4", "valid", ("中文",) * 7),
    ("gbk", "ff41", "invalid lead", (R + "A", "A", R + "A", "A", "?A", "?A", R + "A")),
    # FF is no trail: browsers lose both bytes, CPython one at a time, glibc both
    ("gbk", "81ff41", "invalid trail, non-ASCII", (R + R + "A", "A", R + "A", "A", "?A", "?A", R + "A")),
    ("gbk", "8121", "invalid trail, ASCII", (R + "!", "!", R + "!", "!", "?!", "?!", R + "!")),
    # A141 is a user-defined cell: gb18030 maps it to the PUA, gbk and glibc refuse it,
    # and glibc drops the ASCII trail with the lead
    ("gbk", "a141", "user-defined, ASCII trail", (R + "A", "A", "\ue4c7", "", "\ue4c7", "\ue4c7", "")),
    ("gbk", "4181", "lone lead at end", ("A" + R, "A", "A" + R, "A", "A?", "A?", "A" + R)),
    ("gbk", "aaa1", "user-defined area -> PUA", (R + R, "", "\ue000", "", "\ue000", "\ue000", "")),
    ("gbk", "80", "euro sign", (R, "", "€", "€", "€", "€", "€")),
    # a lead and a digit at the end: the one place the standard masks an ASCII byte
    ("gbk", "8130", "four-byte start at end", (R + "0", "0", R, "0", "?", "?", R)),
    ("gbk", "81308130", "four-byte valid", (R + "0" + R + "0", "00", "\x80", "00", "\x80", "\x80", "\x80")),
    ("gbk", "8431a530", "four-byte in a range gap", (R + "1" + R + "0", "10", R, "10", "?", "?", R)),
    (
        "gbk",
        "81308141",
        "four-byte, bad fourth",
        (R + "0丄", "0丄", R + "0丄", "0丄", "?0丄", "?0丄", R + "0丄"),
    ),
    # a real U+FFFD decoded from valid bytes: windows-question keeps it, whatwg-question does not
    ("gbk", "8431a437", "U+FFFD as a character", (R + "1" + R + "7", "17", R, "17", R, "?", R)),
    # ---- big5: CPython "big5", WHATWG Big5 over big5hkscs, glibc BIG5-HKSCS
    ("big5", "a4a4a4e5", "valid", ("中文",) * 7),
    ("big5", "ff41", "invalid lead", (R + "A", "A", R + "A", "A", "?A", "?A", R + "A")),
    ("big5", "8041", "0x80", (R + "A", "A", R + "A", "\x80A", "?A", "?A", R + "A")),
    ("big5", "a48041", "invalid trail, non-ASCII", (R + R + "A", "A", R + "A", "\x80A", "?A", "?A", R + "A")),
    ("big5", "a421", "invalid trail, ASCII", (R + "!", "!", R + "!", "!", "?!", "?!", R + "!")),
    ("big5", "41a4", "lone lead at end", ("A" + R, "A", "A" + R, "A", "A?", "A?", "A" + R)),
    ("big5", "8862", "two code points", (R + "b", "b", "Ê̄", "Ê̄", "Ê̄", "Ê̄", "Ê̄")),
    ("big5", "a3e1", "euro sign", (R + R, "", "€", "", "€", "€", "€")),
    # ---- cp932: CPython "cp932", WHATWG Shift_JIS, glibc CP932
    ("cp932", "93fa967b8ceab1", "valid", ("日本語ｱ",) * 7),
    # CPython reads A0 as U+F8F0; browsers and glibc refuse it
    ("cp932", "a041", "invalid lead", ("\uf8f0A", "\uf8f0A", R + "A", "A", "・A", "?A", R + "A")),
    # 8581: lead of an empty row + a non-ASCII trail: browsers lose both bytes,
    # CPython and glibc only the lead and then read 8141 = "、"
    ("cp932", "858141", "invalid trail, non-ASCII", (R + "、", "、", R + "A", "、", "・A", "?A", R + "A")),
    # 8241 is a hole inside glibc's first table block: glibc drops the "A" too
    ("cp932", "8241", "invalid trail, ASCII", (R + "A", "A", R + "A", "", "・A", "?A", R + "A")),
    (
        "cp932",
        "8541",
        "invalid trail, ASCII, no glibc block",
        (R + "A", "A", R + "A", "A", "・A", "?A", R + "A"),
    ),
    ("cp932", "4181", "lone lead at end", ("A" + R, "A", "A" + R, "A", "A・", "A?", "A" + R)),
    ("cp932", "f040", "user-defined area -> PUA", ("\ue000",) * 6 + ("",)),
    # ---- euc-jp: CPython "euc_jp", WHATWG EUC-JP, glibc EUC-JP
    ("euc-jp", "c6fccbdcb8ec8eb1", "valid", ("日本語ｱ",) * 7),
    ("euc-jp", "a041", "invalid lead", (R + "A", "A", R + "A", "A", "?A", "?A", R + "A")),
    ("euc-jp", "8541", "C1 byte", (R + "A", "A", R + "A", "\x85A", "?A", "?A", R + "A")),
    (
        "euc-jp",
        "b08041",
        "invalid trail, non-ASCII",
        (R + R + "A", "A", R + "A", "\x80A", "?A", "?A", R + "A"),
    ),
    ("euc-jp", "b041", "invalid trail, ASCII", (R + "A", "A", R + "A", "A", "?A", "?A", R + "A")),
    ("euc-jp", "41b0", "lone lead at end", ("A" + R, "A", "A" + R, "A", "A?", "A?", "A" + R)),
    # CPython folds 8F + any byte at the end into one U+FFFD, losing the "A"
    ("euc-jp", "8f41", "8F + ASCII at end", (R, "", R + "A", "A", "?A", "?A", R + "A")),
    ("euc-jp", "8fb0a1", "JIS X 0212", ("丂",) * 7),
    ("euc-jp", "8fa141", "JIS X 0212, ASCII third", (R + R + "A", "A", R + "A", "A", "?A", "?A", R + "A")),
    # ---- cp949: CPython "cp949", WHATWG EUC-KR, glibc CP949
    ("cp949", "c7d1b1b9beee", "valid", ("한국어",) * 7),
    ("cp949", "ff41", "invalid lead", (R + "A", "A", R + "A", "A", "?A", "?A", R + "A")),
    ("cp949", "c9a1", "user-defined row", (R + R, "", R, "", "?", "?", R)),
    # A2E9 is an empty cell of the KS X 1001 square: glibc drops both bytes
    ("cp949", "a2e941", "invalid trail, non-ASCII", (R + R + "A", "A", R + "A", "A", "?A", "?A", R + "A")),
    ("cp949", "c741", "invalid trail, ASCII", (R + "A", "A", R + "A", "A", "?A", "?A", R + "A")),
    ("cp949", "41b0", "lone lead at end", ("A" + R, "A", "A" + R, "A", "A?", "A?", "A" + R)),
]


@pytest.mark.parametrize(
    ("decoder", "hexdata", "what", "expected"),
    CASES,
    ids=[f"{d}-{h}-{w.replace(' ', '_')}" for d, h, w, _ in CASES],
)
def test_hand_worked(decoder: str, hexdata: str, what: str, expected: tuple[str, ...]) -> None:
    data = bytes.fromhex(hexdata)
    got = tuple(LOSS_MODELS[m].decode(data, decoder) for m in MODELS)
    assert dict(zip(MODELS, got, strict=True)) == dict(zip(MODELS, expected, strict=True)), what


def test_hand_worked_cover_every_decoder_and_case() -> None:
    for decoder in MULTIBYTE:
        whats = {w for d, _, w, _ in CASES if d == decoder}
        assert {"valid", "invalid lead", "lone lead at end"} <= whats, decoder
        assert any(w.startswith("invalid trail, non-ASCII") for w in whats), decoder
        assert any(w.startswith("invalid trail, ASCII") for w in whats), decoder


# ------------------------------------------------------- the seed examples


def test_slipped_seed_example() -> None:
    data = "。”重慶".encode("gbk")
    assert data == bytes.fromhex("a1a3a1b1d6d89163")
    # A1 | A3A1 ！ | B1D6 敝 | D891 貞 | 63 c (the trail of 慶, ASCII: back in step) | 63 c
    assert slipped(data + b"c", "gbk", 0) == "?！敝貞cc"
    assert nfkc("！") == "!"
    # the page it was seen on: 。”重慶市 -> ?!敝貞c市
    assert slipped("。”重慶市".encode("gbk"), "gbk", 0) == "?！敝貞c市"
    assert nfkc(slipped("。”重慶市".encode("gbk"), "gbk", 0)) == "?!敝貞c市"


def test_slipped_swallowing_seed_example() -> None:
    data = "常可怕”</a>".encode("gbk")
    assert data == bytes.fromhex("b3a3bfc9c5c2a1b1") + b"</a>"
    # B3 ? | A3BF ？ | C9C5 膳 | C2A1 隆 | B1 3C: invalid, "<" swallowed ? | /a>
    assert slipped(data, "gbk", 0, swallow=True) == "?？膳隆?/a>"
    assert nfkc(slipped(data, "gbk", 0, swallow=True)) == "??膳隆?/a>"
    # the page: 非常可怕”</a> -> 非??膳隆?/a>, the slip right after 非
    assert nfkc(slipped("非常可怕”</a>".encode("gbk"), "gbk", 2, swallow=True)) == "非??膳隆?/a>"
    # without swallowing the browser keeps the "<"
    assert slipped(data, "gbk", 0) == "?？膳隆" + R + "</a>"


# ------------------------------------------------ slipped, swallowing, nfkc


def test_slipped_parts() -> None:
    data = "中文字".encode("gbk")  # D6D0 CEC4 D7D6
    assert slipped(data, "gbk", 2) == "中?" + LOSS_MODELS["whatwg"].decode(data[3:], "gbk")
    assert slipped(data, "gbk", 4, marker="#") == "中文#" + R  # the trail D6 left alone at the end
    assert slipped(data, "gbk", 5, marker="#") == "中文" + R + "#"  # the lead D7 cut off before the slip
    # the prefix is a complete stream: a lead cut off before the slip is an error
    assert slipped(data, "gbk", 1) == R + "?" + LOSS_MODELS["whatwg"].decode(data[2:], "gbk")
    for at in (-1, len(data)):
        with pytest.raises(IndexError):
            slipped(data, "gbk", at)


def test_swallowing_masks_ascii() -> None:
    # the Encoding Standard's security example: Shift_JIS 82 masking a quote
    assert LOSS_MODELS["whatwg"].decode(b'\x82"x', "cp932") == R + '"x'
    assert swallowing(b'\x82"x', "cp932") == "?x"
    assert swallowing(b'\x82"x', "cp932", marker="\u30fb") == "\u30fbx"
    # everything else as whatwg, errors as the marker
    assert swallowing(b"\xff\xa4", "big5") == "??"
    assert swallowing(b"\x8f\xa1A", "euc-jp") == "?"
    assert swallowing(b"\x810\x81A", "gbk") == "?0丄"  # a digit is not swallowed


def test_nfkc() -> None:
    assert nfkc("？！ｱ①") == unicodedata.normalize("NFKC", "？！ｱ①") == "?!ア1"


# ------------------------------------------------------------ properties


@FAST
@given(data=st.binary(max_size=24), decoder=st.sampled_from(MULTIBYTE))
def test_random_bytes_never_raise(data: bytes, decoder: str) -> None:
    for model in LOSS_MODELS.values():
        out = model.decode(data, decoder)
        assert isinstance(out, str)
        assert model.decode(data, decoder) == out
    assert isinstance(swallowing(data, decoder), str)
    if data:
        assert isinstance(slipped(data, decoder, len(data) // 2, swallow=len(data) % 2 == 0), str)


@FAST
@given(data=st.binary(max_size=24), decoder=st.sampled_from(MULTIBYTE))
def test_cpython_models_are_cpython(data: bytes, decoder: str) -> None:
    assert LOSS_MODELS["cpython-replace"].decode(data, decoder) == data.decode(CPYTHON[decoder], "replace")
    assert LOSS_MODELS["cpython-ignore"].decode(data, decoder) == data.decode(CPYTHON[decoder], "ignore")


@FAST
@given(data=st.binary(max_size=24), decoder=st.sampled_from(MULTIBYTE))
def test_derived_models_follow_whatwg(data: bytes, decoder: str) -> None:
    browser = LOSS_MODELS["whatwg"].decode(data, decoder)
    assert LOSS_MODELS["whatwg-question"].decode(data, decoder) == browser.replace(R, "?")
    assert LOSS_MODELS["pua-dropped"].decode(data, decoder) == "".join(
        c for c in browser if not "\ue000" <= c <= "\uf8ff"
    )
    windows = LOSS_MODELS["windows-question"].decode(data, decoder)
    assert len(windows) == len(browser)
    mark = "・" if decoder == "cp932" else "?"
    # same consumption: the outputs differ only where the browser wrote an error
    assert all(w == b or (b == R and w in (mark, R)) for w, b in zip(windows, browser, strict=True))


#: characters every model decodes cleanly, per decoder (ASCII is added)
POOLS = {
    "gbk": "中文字符测试编码，。“”！？、重庆",
    "big5": "中文繁體測試編碼，。「」！？",
    "cp932": "日本語テキスト、。「」ｱｲｳﾞ漢字",
    "euc-jp": "日本語テキスト、。「」ｱｲｳﾞ漢字丂",
    "cp949": "한국어텍스트갂똠、。「」漢字",
}
ASCII = "".join(map(chr, range(0x20, 0x7F))) + "\t\n"


def _reference(model: str, decoder: str) -> str:
    """The strict codec whose clean decode the model equals on valid bytes."""
    if model.startswith("cpython"):
        return CPYTHON[decoder]
    if model == "iconv-c":
        return GLIBC[decoder][0]
    return ""


@FAST
@given(st.data())
def test_valid_text_decodes_cleanly(data: st.DataObject) -> None:
    decoder = data.draw(st.sampled_from(MULTIBYTE))
    text = data.draw(st.text(alphabet=POOLS[decoder] + ASCII, max_size=30))
    raw = DECODERS[decoder].encode(text)
    for name, model in LOSS_MODELS.items():
        ref = _reference(name, decoder)
        clean = raw.decode(ref) if ref else DECODERS[decoder].decode(raw)
        assert clean == text
        assert model.decode(raw, decoder) == clean, name
    assert swallowing(raw, decoder) == text


@cache
def _units(decoder: str, codec: str) -> tuple[bytes, ...]:
    """Every byte and pair (lead 0x80-0xFF) that ``codec`` ("" for
    ``DECODERS[decoder]``) maps by itself, plus its three- and four-byte
    sequences (all of EUC-JP's JIS X 0212, a spread of gb18030's)."""

    def dec(b: bytes) -> str:
        return DECODERS[decoder].decode(b) if not codec else b.decode(codec)

    out: list[bytes] = []
    for lead in range(0x80, 0x100):
        try:
            one = dec(bytes((lead,)))
            out.append(bytes((lead,)))
        except UnicodeDecodeError:
            one = ""
        for trail in range(0x40, 0x100):
            pair = bytes((lead, trail))
            try:
                text = dec(pair)
            except UnicodeDecodeError:
                continue
            if not (one and text.startswith(one)):  # else two single bytes, not a pair
                out.append(pair)
    longer = [bytes((0x8F, b2, b3)) for b2 in range(0xA1, 0xFF) for b3 in range(0xA1, 0xFF)]
    longer += [
        bytes((b1, b2, b3, b4))
        for b1 in (0x81, 0x82, 0x84, 0x90, 0xE3)
        for b2 in (0x30, 0x31, 0x35, 0x39)
        for b3 in (0x81, 0x9A, 0xA4, 0xFE)
        for b4 in (0x30, 0x35, 0x39)
    ]
    for seq in longer:
        try:
            if len(dec(seq)) == 1:
                out.append(seq)
        except UnicodeDecodeError:
            pass
    return tuple(out)


#: single bytes a CPython codec maps that the modelled decoder refuses
REFUSED = {("whatwg", "cp932"): b"\xa0\xfd\xfe\xff", ("iconv-c", "cp932"): b"\x80\xa0\xfd\xfe\xff"}


def _stream(model: str, decoder: str, codec: str) -> bytes:
    refused = REFUSED.get((model, decoder), b"")
    return b"".join(u for u in _units(decoder, codec) if len(u) > 1 or u[0] not in refused)


@pytest.mark.parametrize("decoder", MULTIBYTE)
def test_every_table_entry_decodes_cleanly(decoder: str) -> None:
    """Every sequence the tables map, in one stream, through every model."""
    raw = _stream("whatwg", decoder, "")
    clean = DECODERS[decoder].decode(raw)
    assert len(clean) > 6000
    assert LOSS_MODELS["whatwg"].decode(raw, decoder) == clean
    assert LOSS_MODELS["windows-question"].decode(raw, decoder) == clean
    assert LOSS_MODELS["whatwg-question"].decode(raw, decoder) == clean.replace(R, "?")
    assert LOSS_MODELS["pua-dropped"].decode(raw, decoder) == "".join(
        c for c in clean if not "\ue000" <= c <= "\uf8ff"
    )
    assert swallowing(raw, decoder) == clean
    for name in ("cpython-replace", "cpython-ignore", "iconv-c"):
        codec = _reference(name, decoder)
        raw = _stream(name, decoder, codec)
        assert LOSS_MODELS[name].decode(raw, decoder) == raw.decode(codec), name


# -------------------------------------------------- against glibc's iconv -c


def _glibc_iconv() -> str | None:
    path = shutil.which("iconv")
    if path is None:
        return None
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    return path if "GLIBC" in version.upper() or "GNU C LIBRARY" in version.upper() else None


ICONV = _glibc_iconv()
needs_iconv = pytest.mark.skipif(ICONV is None, reason="glibc's iconv program is not installed")

#: the most pairs glibc may map differently from the CPython codec the model
#: reads (table differences: glibc's BIG5-HKSCS has HKSCS-2008 additions)
TABLE_DIFFERENCES = {"big5": 80}
#: glibc 2.36's CP949 converter writes a run of garbage for this pair
GLIBC_BUGS = {"cp949": frozenset({b"\xa2\xe8"})}


def _iconv(data: bytes, decoder: str) -> str:
    assert ICONV is not None
    done = subprocess.run(
        [ICONV, "-c", "-f", GLIBC[decoder][1], "-t", "UTF-8"], input=data, capture_output=True, check=False
    )
    if b"unsupported" in done.stderr:
        pytest.skip(f"iconv has no {GLIBC[decoder][1]}")
    return done.stdout.decode("utf-8")


def _batch(decoder: str, units: list[bytes]) -> list[tuple[bytes, str, str]]:
    """``units`` joined by newlines (which no converter ever swallows: every
    one skips the lead alone before a byte below 0x40) through glibc and
    through the model, as (unit, glibc, model) per unit."""
    batch = b"\n".join(units) + b"\n"
    real = _iconv(batch, decoder).split("\n")
    mine = LOSS_MODELS["iconv-c"].decode(batch, decoder).split("\n")
    assert len(real) == len(mine) == len(units) + 1
    return list(zip(units, real[:-1], mine[:-1], strict=True))


@cache
def _pair_mismatches(decoder: str) -> tuple[tuple[bytes, str, str], ...]:
    bugs = GLIBC_BUGS.get(decoder, frozenset())
    units = [bytes((lead, trail)) for lead in range(0x80, 0x100) for trail in range(0x100) if trail != 0x0A]
    units += [bytes((lead,)) for lead in range(0x80, 0x100)]
    if decoder == "euc-jp":
        thirds = (0x00, 0x41, 0x7F, 0x80, 0x8E, 0x8F, 0xA0, 0xA1, 0xB0, 0xDF, 0xFE, 0xFF)
        units += [bytes((0x8F, second, third)) for second in range(0x80, 0x100) for third in thirds]
    return tuple(u for u in _batch(decoder, [u for u in units if u not in bugs]) if u[1] != u[2])


@needs_iconv
@pytest.mark.parametrize("decoder", MULTIBYTE)
def test_iconv_every_pair(decoder: str) -> None:
    """Every lead 0x80-0xFF with every second byte, through the real iconv -c:
    the model drops exactly the same bytes; the only differences are pairs
    whose mapping differs (one side has a character the other lacks)."""
    mismatches = _pair_mismatches(decoder)
    assert len(mismatches) <= TABLE_DIFFERENCES.get(decoder, 0), [(u.hex(), a, b) for u, a, b in mismatches]
    for unit, real, mine in mismatches:
        assert any(ord(c) > 0xFF for c in real + mine), (unit.hex(), real, mine)


#: bytes random strings lean on: digits, ASCII trails, C1, leads of every kind
INTERESTING = bytes.fromhex("3039 4041 7e7f 8081 8e8f a0a1 c9df e0fc fe")


@needs_iconv
@pytest.mark.parametrize("decoder", MULTIBYTE)
def test_iconv_random_strings(decoder: str) -> None:
    rng = random.Random(f"iconv-{decoder}")
    avoid = {u for u, _, _ in _pair_mismatches(decoder)} | GLIBC_BUGS.get(decoder, frozenset())
    strings: list[bytes] = []
    while len(strings) < 400:
        s = bytes(
            rng.choice(INTERESTING)
            if rng.random() < 0.3
            else rng.randrange(0x80, 0x100)
            if rng.random() < 0.7
            else rng.randrange(0x00, 0x80)
            for _ in range(rng.randrange(0, 13))
        )
        if b"\n" not in s and not any(s[k : k + 2] in avoid for k in range(len(s))):
            strings.append(s)
    assert [(u.hex(), a, b) for u, a, b in _batch(decoder, strings) if a != b] == []
    for s in strings[:20]:  # on their own, so the end of input is the real end
        assert LOSS_MODELS["iconv-c"].decode(s, decoder) == _iconv(s, decoder), s.hex()
