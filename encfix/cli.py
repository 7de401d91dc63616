"""The ``encfix`` command line: ``encfix fix`` and ``encfix detect``.

A thin layer: reading and writing files is :mod:`encfix._io`, diffs are
:mod:`encfix._cli_render`, and every decision about the text is the library's
(:func:`encfix.repair`, :func:`encfix.detect`).  Imports are lazy wherever
they can be: ``echo ... | encfix fix`` must start fast.
"""

# No ``from __future__ import annotations``: the typer commands are defined
# inside :func:`_build_app`, where typer is imported, and typer reads their
# annotations as objects.

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from encfix import __version__, _io
from encfix._io import STDIN, InputError, display_name
from encfix._options import DEFAULT_MIN_CONFIDENCE, Options

if TYPE_CHECKING:
    import typer

    from encfix._decoded import Decoded
    from encfix._types import Detection, Repair

__all__ = ["get_app", "main"]

EXIT_CHANGED = 1  # --check: something would be repaired
EXIT_USAGE = 2  # usage, input or output error
EXIT_INTERNAL = 3  # a bug in encfix
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

_DEFAULTS = Options()  # min_confidence is DEFAULT_MIN_CONFIDENCE

_EXIT_HELP = (
    "Exit status: 0 success; 1 with --check when something would be repaired; "
    "2 usage, input or output error; 3 internal error; 130 interrupted."
)


# --------------------------------------------------------------------------- errors


def _err(message: str) -> None:
    """One line on stderr, whatever stderr's encoding."""
    stream = sys.stderr
    line = f"encfix: {message}\n"
    try:
        stream.write(line)
    except UnicodeEncodeError:
        enc = getattr(stream, "encoding", None) or "ascii"
        stream.write(line.encode(enc, "backslashreplace").decode(enc))
    stream.flush()


def _usage(message: str) -> InputError:
    return InputError(message)


def _internal(doing: str, exc: BaseException) -> InputError:
    """An exception from the library, as one sentence."""
    lines = str(exc).strip().splitlines()
    detail = f": {lines[0]}" if lines else ""
    return InputError(
        f"internal error{' while ' + doing if doing else ''}: {type(exc).__name__}{detail} "
        "(this is a bug in encfix; please report it).",
        EXIT_INTERNAL,
    )


def _run(func: Any, *args: Any, **kwargs: Any) -> int:
    """Run a command body; turn every failure into one sentence on stderr and an exit status."""
    try:
        return int(func(*args, **kwargs) or 0)
    except InputError as e:
        _err(e.message if e.code == EXIT_INTERNAL else f"error: {e.message}")
        return e.code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as e:
        _err(_internal("", e).message)
        return EXIT_INTERNAL


def _silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so the final flush does not complain."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no real fd (tests)
        pass


# --------------------------------------------------------------------------- helpers


def _inputs(paths: Sequence[str] | None) -> list[str]:
    inputs = list(paths) if paths else [STDIN]
    if inputs.count(STDIN) > 1:
        raise _usage("standard input ('-') can be read only once.")
    return inputs


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _use_color(color: bool | None) -> bool:
    if color is not None:
        return color
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return _stdout_isatty()


def _stdout_isatty() -> bool:
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


def _json_dump(obj: Any, *, lines: bool) -> bytes:
    import json

    if lines:
        return (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode(
            "utf-8", "surrogateescape"
        )
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8", "surrogateescape")


def _out(data: bytes) -> None:
    _io.write_stdout(data)


def _text(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


class _Item:
    """One input of ``encfix fix``: what was read, and what the repair made of it."""

    __slots__ = ("data", "decoded", "new", "path", "repair", "text")

    def __init__(self, path: str, data: bytes, text: str, decoded: "Decoded | None" = None) -> None:
        self.path = path
        self.data = data
        self.text = text
        #: how bytes that were not UTF-8 were decoded (None: UTF-8 input)
        self.decoded = decoded
        self.repair: Repair | None = None
        self.new = data

    @property
    def changed(self) -> bool:
        return self.new != self.data

    def report(self) -> dict[str, Any]:
        assert self.repair is not None
        d = self.repair.to_dict()
        return {
            "path": self.path,
            "changed": self.changed,
            "confidence": d["confidence"],
            "fixes": d["fixes"],
            "notes": d["notes"],
            "unrecoverable": d["unrecoverable"],
            "text": d["text"],
        } | (self._decoding() if self.decoded is not None else {})

    def _decoding(self) -> dict[str, Any]:
        assert self.decoded is not None
        d = self.decoded.to_dict()
        return {"encoding": d["encoding"], "segments": d["segments"]}


def _repair_all(items: "list[_Item]", options: Options) -> None:
    import encfix

    for it in items:
        try:
            r = encfix.repair(it.text, options=options)
            new = r.text.encode("utf-8")
        except (InputError, KeyboardInterrupt):
            raise
        except Exception as e:
            raise _internal(f"repairing {display_name(it.path)!r}", e) from e
        it.repair = r
        it.new = new


def _summary(it: _Item, where: str) -> str:
    r = it.repair
    assert r is not None
    fixes = _plural(len(r.fixes), "fix", "fixes")
    decoded = f" (decoded from {'+'.join(it.decoded.encodings)})" if it.decoded is not None else ""
    return f"repaired {display_name(it.path)}{where}{decoded}: {fixes}, confidence {r.confidence:.2f}"


def _decode_input(path: str, data: bytes, encoding: str | None) -> "tuple[str, Decoded | None]":
    """The text of one input: UTF-8 as it is (a BOM kept, so that it round-trips);
    anything else -- or everything, with ``--encoding`` -- through :func:`encfix.decode`."""
    if encoding is None and b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return _io.decode_utf8(data, path), None
    import encfix

    name = display_name(path)
    try:
        d = encfix.decode(data, encoding=encoding, repair=False)
    except UnicodeDecodeError as e:
        raise InputError(
            f"{name!r} is not valid {encoding} (byte 0x{data[e.start]:02x} at offset {e.start})."
        ) from e
    except ValueError as e:
        raise InputError(f"{e} (--encoding takes a codec name such as gbk, big5, shift_jis, euc-kr).") from e
    except Exception as e:
        raise _internal(f"decoding {name!r}", e) from e
    # NUL bytes that UTF-16/32 explains are text; anything else is judged on its bytes
    wide = d.encoding.startswith(("utf-16", "utf-32")) and (d.bom or b"\x00" in data)
    if encoding is None and not wide and _io.looks_binary(data, utf8=False):
        raise InputError(f"{name!r} looks like binary data, not text; encfix leaves it alone.")
    return d.decoded, d


# --------------------------------------------------------------------------- fix

_FIX_HELP = (
    "Repair mojibake in UTF-8 text read from files or standard input.\n\n"
    "With no PATH, or PATH '-', standard input is read and the repaired text written to standard "
    "output (UTF-8), so 'encfix fix' works as a filter. With several PATHs each is repaired on its own, "
    "and their repaired texts are written to standard output one after the other, unless -o or "
    "--in-place says where to write. Text that needs no repair comes out byte-identical (line endings "
    "and a BOM included).\n\n"
    "Input that is not valid UTF-8 (GBK, Big5, Shift_JIS, EUC-JP/KR, UTF-16/32, ISO-2022, a mix of "
    "encodings...) is decoded segment by segment (see 'encfix detect'; --encoding forces a codec), "
    "repaired, and written as UTF-8. Binary data is refused. On any error nothing is written.\n\n"
    "When writing files (-o, --in-place) a one-line summary per repaired file goes to standard error "
    "(--quiet turns it off); filtering standard input to standard output prints nothing else.\n\n"
    + _EXIT_HELP
)

_JSON_HELP = (
    "Instead of the text, print a JSON report on standard output: for one input an object "
    '{"path", "changed", "confidence", "fixes": [{"start", "end", "before", "after", "kind", "chain", '
    '"description", "decoder", "confidence", ...}], "notes", "unrecoverable", "text"} ("path" is "-" '
    'for standard input; start/end index the input text; a lossy fix\'s "loss" lists its guessed '
    "positions and the uncertain ones with their candidates); for several inputs a list of such objects."
)


def _fix(
    paths: Sequence[str] | None,
    *,
    output: str | None = None,
    in_place: bool = False,
    backup_suffix: str | None = None,
    no_backup: bool = False,
    force: bool = False,
    diff: bool = False,
    json_: bool = False,
    jsonl: bool = False,
    check: bool = False,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    max_rounds: int = _DEFAULTS.max_rounds,
    no_latin: bool = False,
    lossy: bool = _DEFAULTS.lossy,
    placeholder: str = _DEFAULTS.placeholder,
    guess_confidence: float = _DEFAULTS.guess_confidence,
    keep_pinyin: bool = False,
    restore_punct: bool = False,
    html: bool | None = None,
    color: bool | None = None,
    quiet: bool = False,
    encoding: str | None = None,
) -> int:
    """``encfix fix``; returns the exit status (errors raise :class:`InputError`)."""
    inputs = _inputs(paths)
    to_stdout_out = output == STDIN
    if output is not None and in_place:
        raise _usage("-o/--output and --in-place cannot be combined.")
    if check and (in_place or (output is not None and not to_stdout_out)):
        raise _usage("--check writes nothing, so it cannot be combined with -o/--output or --in-place.")
    if output is not None and len(inputs) > 1:
        raise _usage(f"-o/--output takes exactly one input, not {len(inputs)}.")
    if in_place and STDIN in inputs:
        raise _usage("--in-place needs files: standard input cannot be rewritten in place.")
    if (backup_suffix is not None or no_backup) and not in_place:
        raise _usage("--backup-suffix and --no-backup only apply with --in-place.")
    if backup_suffix is not None and no_backup:
        raise _usage("--backup-suffix and --no-backup cannot be combined.")
    if backup_suffix is not None and (not backup_suffix or "/" in backup_suffix or os.sep in backup_suffix):
        raise _usage(f"--backup-suffix must be a non-empty file-name suffix, not {backup_suffix!r}.")
    if diff and (json_ or jsonl):
        raise _usage("--diff and --json/--jsonl cannot be combined.")
    if json_ and jsonl:
        raise _usage("--json and --jsonl cannot be combined.")
    try:
        options = Options(
            min_confidence=min_confidence,
            max_rounds=max_rounds,
            latin=not no_latin,
            lossy=lossy,
            placeholder=placeholder,
            guess_confidence=guess_confidence,
            pinyin=not keep_pinyin,
            restore_punct=restore_punct,
            html=html,
        )
    except ValueError as e:
        raise _usage(f"{e}.") from e

    out_file = output if output is not None and not to_stdout_out else None
    if out_file is not None:
        _io.check_new_output(out_file, inputs, force=force)

    # 1. read everything (any error: nothing written)
    if in_place:  # the same file named twice is rewritten once
        unique: list[str] = []
        for p in inputs:
            if not any(_io.same_file(p, q) for q in unique):
                unique.append(p)
        inputs = unique
    items: list[_Item] = []
    for p in inputs:
        data = _io.read_bytes(p)
        items.append(_Item(p, data, *_decode_input(p, data, encoding)))

    # 2. repair everything
    _repair_all(items, options)

    # 3. check the writes before making any
    suffix = None if no_backup else (backup_suffix or ".bak")
    if in_place and suffix is not None:
        for it in items:
            if it.changed:
                _io.check_backup(it.path, suffix, force=force)

    # 4. render what goes to standard output (a rendering error still writes nothing)
    colour = diff and _use_color(color)
    writes_files = in_place or out_file is not None
    chunks: list[bytes] = []
    if json_:
        docs = [it.report() for it in items]
        chunks.append(_json_dump(docs[0] if len(docs) == 1 else docs, lines=False))
    for it in items:
        if jsonl:
            chunks.append(_json_dump(it.report(), lines=True))
        elif diff:
            chunks.append(_text(_render_diff(it, colour)) if it.changed else b"")
        elif not json_ and not check and not writes_files:
            chunks.append(it.new)
        else:
            chunks.append(b"")
    if json_:
        _out(chunks.pop(0))

    # 5. write
    for it, chunk in zip(items, chunks, strict=True):
        if chunk:
            _out(chunk)
        if out_file is not None:
            _io.write_output(out_file, it.new)
            if not quiet:
                if it.changed:
                    _err(_summary(it, f" -> {out_file}"))
                else:
                    _err(
                        f"nothing to repair in {display_name(it.path)}; wrote an identical copy to {out_file}"
                    )
        elif in_place and it.changed:
            backup = _io.replace_in_place(it.path, it.new, it.data, backup_suffix=suffix)
            if not quiet:
                _err(_summary(it, " in place") + (f" (backup {backup})" if backup else ""))
        if check and it.changed:
            _err(f"would repair {display_name(it.path)}")
        if writes_files and not quiet and it.repair is not None:
            for note in it.repair.notes:
                _err(f"note: {display_name(it.path)}: {note}")

    changed = sum(it.changed for it in items)
    if in_place and not quiet and not changed:
        _err(f"nothing to repair in {_plural(len(items), 'file')}")
    if check:
        if not quiet:
            if changed:
                _err(f"{_plural(changed, 'input')} would be repaired, {len(items) - changed} left unchanged")
            else:
                _err(f"nothing to repair in {_plural(len(items), 'input')}")
        if changed:
            return EXIT_CHANGED
    return 0


def _render_diff(it: _Item, colour: bool) -> str:
    assert it.repair is not None
    name = display_name(it.path)
    if colour:
        from encfix._cli_render import color_diff

        return color_diff(it.text, it.repair.fixes, name)
    from encfix._cli_render import unified_diff

    return unified_diff(it.text, it.repair.fixes, name)


# --------------------------------------------------------------------------- detect

_DETECT_HELP = (
    "Name the damage in text, or the encoding of bytes.\n\n"
    "Each input (no PATH or '-': standard input) is read as bytes. Bytes that are valid UTF-8 are text, "
    "and the report names the mojibake in it (which encodings were confused, and how sure the model "
    "is) or says it is clean. Other bytes, and UTF-16/32 with a byte-order mark, are reported by "
    "encoding. Binary data (NUL bytes) is refused.\n\n"
    "Prints one line per input, 'PATH: DESCRIPTION (confidence 0.97)', followed by the "
    "alternatives, indented.\n\n"
    "Exit status: 0 success; 2 usage or input error; 3 internal error; 130 interrupted."
)


def _detect_one(path: str, data: bytes, encoding: str | None = None) -> "Detection":
    import encfix

    payload: str | bytes
    if encoding is not None:
        payload = _decode_input(path, data, encoding)[0]
    elif _io.has_utf16_32_bom(data):
        payload = data
    elif b"\x00" in data and _decode_input(path, data, None)[1] is not None:
        payload = data  # BOM-less UTF-16/32 (anything else with NUL bytes was refused as binary)
    else:
        try:
            payload = data.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            payload = data
            utf8 = False
        if _io.looks_binary(data, utf8=utf8):
            raise InputError(
                f"{display_name(path)!r} looks like binary data, not text; encfix leaves it alone."
            )
    try:
        return encfix.detect(payload)
    except Exception as e:
        raise _internal(f"examining {display_name(path)!r}", e) from e


def _alternative_label(alt: Any) -> str:
    d = alt.to_dict()
    if d.get("description"):
        return str(d["description"])
    return f"bytes in {alt.decoder}" if alt.decoder else "unknown"


def _detect(
    paths: Sequence[str] | None, *, json_: bool = False, jsonl: bool = False, encoding: str | None = None
) -> None:
    """``encfix detect`` (errors raise :class:`InputError`)."""
    if json_ and jsonl:
        raise _usage("--json and --jsonl cannot be combined.")
    inputs = _inputs(paths)
    # read all first: errors print nothing
    found = [(p, _detect_one(p, _io.read_bytes(p), encoding)) for p in inputs]
    docs = [{"path": p, **d.to_dict()} for p, d in found]
    if json_:
        _out(_json_dump(docs[0] if len(docs) == 1 else docs, lines=False))
        return
    if jsonl:
        _out(b"".join(_json_dump(doc, lines=True) for doc in docs))
        return
    out: list[str] = []
    for p, d in found:
        out.append(f"{display_name(p)}: {d.description} (confidence {d.confidence:.2f})\n")
        for alt in d.alternatives:
            out.append(f"    or {_alternative_label(alt)} (confidence {alt.confidence:.2f})\n")
    _out(_text("".join(out)))


# --------------------------------------------------------------------------- entry point


_APP: "typer.Typer | None" = None

#: commands whose plain form (only PATH arguments) runs without typer
_PLAIN_COMMANDS: dict[str, Any] = {"fix": _fix, "detect": _detect}


def _build_app() -> "typer.Typer":
    from typing import Annotated

    import typer

    app = typer.Typer(
        name="encfix",
        help=(
            "Repair mojibake -- text garbled by decoding it with the wrong encoding -- above all in "
            "Chinese, Japanese and Korean text ('鏁版嵁瀵煎嚭鎴愬姛' -> '数据导出成功').\n\n"
            "Run 'encfix fix --help', 'encfix detect --help' or 'encfix bulk --help' for details."
        ),
        epilog=_EXIT_HELP,
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    def print_version(value: bool) -> None:
        if value:
            typer.echo(f"encfix {__version__}")
            raise typer.Exit()

    @app.callback()
    def root(
        version: Annotated[
            bool,
            typer.Option(
                "--version", "-V", callback=print_version, is_eager=True, help="Print the version and exit."
            ),
        ] = False,
    ) -> None:
        pass

    @app.command("fix", help=_FIX_HELP)
    def fix_command(
        paths: Annotated[
            list[str] | None,
            typer.Argument(
                metavar="PATH",
                help="UTF-8 text files to repair; '-' or none: standard input.",
                show_default=False,
            ),
        ] = None,
        output: Annotated[
            str | None,
            typer.Option(
                "--output",
                "-o",
                metavar="OUT",
                help="Write the repaired text to OUT (one input only; '-' is standard output). "
                "OUT must not exist unless --force, and can never be the input file.",
                show_default=False,
            ),
        ] = None,
        in_place: Annotated[
            bool,
            typer.Option(
                "--in-place",
                "-i",
                help="Rewrite each PATH with its repaired text, atomically, keeping the original as "
                "PATH.bak (see --backup-suffix, --no-backup). Files with nothing to repair are not touched.",
            ),
        ] = False,
        backup_suffix: Annotated[
            str | None,
            typer.Option(
                "--backup-suffix",
                metavar="SUFFIX",
                help="With --in-place: name the backup PATH+SUFFIX.  [default: .bak]",
                show_default=False,
            ),
        ] = None,
        no_backup: Annotated[
            bool, typer.Option("--no-backup", help="With --in-place: keep no backup of the original.")
        ] = False,
        force: Annotated[
            bool,
            typer.Option(
                "--force",
                "-f",
                help="Let -o overwrite an existing file, and --in-place overwrite an existing backup.",
            ),
        ] = False,
        diff: Annotated[
            bool,
            typer.Option(
                "--diff",
                help="Instead of the text, print a unified diff ('--- a/PATH', '+++ b/PATH', 3 lines "
                "of context) on standard output. On a terminal a character-level colour diff is shown "
                "instead, each changed line numbered and followed by its fixes' chains and confidences "
                "(see --color).",
            ),
        ] = False,
        json_: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
        jsonl: Annotated[
            bool,
            typer.Option(
                "--jsonl", help="Like --json, but print JSON Lines: one compact object per input, per line."
            ),
        ] = False,
        check: Annotated[
            bool,
            typer.Option(
                "--check",
                help="Write nothing; print 'would repair PATH' on standard error for each input that would "
                "change, and exit with status 1 if any would (0 otherwise). Combines with --diff and --json.",
            ),
        ] = False,
        min_confidence: Annotated[
            float,
            typer.Option(
                "--min-confidence",
                min=0.0,
                max=1.0,
                metavar="FLOAT",
                help="Apply a fix only if the model's confidence in it is at least this (0-1).",
            ),
        ] = DEFAULT_MIN_CONFIDENCE,
        max_rounds: Annotated[
            int,
            typer.Option(
                "--max-rounds",
                min=1,
                max=3,
                metavar="N",
                help="Undo at most N stacked mis-decodings (1-3).",
            ),
        ] = _DEFAULTS.max_rounds,
        no_latin: Annotated[
            bool,
            typer.Option(
                "--no-latin",
                help="Do not use ftfy's heuristics for Latin-script mojibake (the span engine still "
                "reverses the mis-decodings it recognises, such as UTF-8 read as Windows-1252).",
            ),
        ] = False,
        lossy: Annotated[
            bool,
            typer.Option(
                "--lossy/--no-lossy",
                help="Recover lossy mojibake: fill bytes lost as U+FFFD, '?' or dropped characters, and "
                "realign double-byte streams read out of step, guided by the language model.",
            ),
        ] = _DEFAULTS.lossy,
        placeholder: Annotated[
            str,
            typer.Option(
                "--placeholder",
                metavar="CHAR",
                help="With --lossy: the character written where a lost character cannot be told "
                "(its candidates are listed by --json).",
            ),
        ] = _DEFAULTS.placeholder,
        guess_confidence: Annotated[
            float,
            typer.Option(
                "--guess-confidence",
                min=0.0,
                max=1.0,
                metavar="FLOAT",
                help="With --lossy: write a guessed character only if the model gives it at least this "
                "probability (0-1); otherwise the placeholder.",
            ),
        ] = _DEFAULTS.guess_confidence,
        keep_pinyin: Annotated[
            bool,
            typer.Option(
                "--keep-pinyin",
                help="Keep pinyin annotations a converter put after Han characters ('協(xié)力'). By default "
                "they are removed where a text is annotated throughout; a few deliberate ones (a lesson's "
                "'长(cháng)城') are always kept.",
            ),
        ] = False,
        restore_punct: Annotated[
            bool,
            typer.Option(
                "--restore-punct",
                help="Give back full-width punctuation NFKC folded (',' -> '，', '!' -> '！', ':' -> '：', "
                "'(...)' -> '（...）') between CJK characters; numbers, times, URLs and Latin text stay.",
            ),
        ] = False,
        html: Annotated[
            bool | None,
            typer.Option(
                "--html/--no-html",
                help="Whether the text is HTML. Character references inside CJK text ('&#x4E2D;', '&rdquo;') "
                "are decoded only in text that is not HTML.  [default: HTML if the text has tags]",
                show_default=False,
            ),
        ] = None,
        color: Annotated[
            bool | None,
            typer.Option(
                "--color/--no-color",
                help="With --diff: force the colour diff on or off.  [default: on only when standard output "
                "is a terminal and NO_COLOR is unset]",
                show_default=False,
            ),
        ] = None,
        quiet: Annotated[
            bool, typer.Option("--quiet", "-q", help="Print no summary on standard error (errors still are).")
        ] = False,
        encoding: Annotated[
            str | None,
            typer.Option(
                "--encoding",
                metavar="NAME",
                help="Decode every input with this codec (gbk, big5, shift_jis, euc-kr, utf-16...) "
                "instead of reading UTF-8 and detecting the encoding of anything else; bytes it "
                "cannot decode are an error",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        code = _run(
            _fix,
            paths,
            output=output,
            in_place=in_place,
            backup_suffix=backup_suffix,
            no_backup=no_backup,
            force=force,
            diff=diff,
            json_=json_,
            jsonl=jsonl,
            check=check,
            min_confidence=min_confidence,
            max_rounds=max_rounds,
            no_latin=no_latin,
            lossy=lossy,
            placeholder=placeholder,
            guess_confidence=guess_confidence,
            keep_pinyin=keep_pinyin,
            restore_punct=restore_punct,
            html=html,
            color=color,
            quiet=quiet,
            encoding=encoding,
        )
        if code:
            raise typer.Exit(code)

    @app.command("detect", help=_DETECT_HELP)
    def detect_command(
        paths: Annotated[
            list[str] | None,
            typer.Argument(
                metavar="PATH", help="Files to examine; '-' or none: standard input.", show_default=False
            ),
        ] = None,
        json_: Annotated[
            bool,
            typer.Option(
                "--json",
                help="Print a JSON report instead: the detection ('kind', 'description', 'confidence', "
                "'chain' or 'encoding', 'alternatives', ...) plus 'path'; a list of them for several inputs.",
            ),
        ] = False,
        jsonl: Annotated[
            bool,
            typer.Option("--jsonl", help="Like --json, but one compact JSON object per input, per line."),
        ] = False,
        encoding: Annotated[
            str | None,
            typer.Option(
                "--encoding",
                metavar="NAME",
                help="Decode the bytes with this codec, then name the mojibake in the text (instead "
                "of naming the encoding of bytes that are not UTF-8)",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        code = _run(_detect, paths, json_=json_, jsonl=jsonl, encoding=encoding)
        if code:
            raise typer.Exit(code)

    from encfix.bulk._cli import add_bulk_command  # shares fix's repair options

    add_bulk_command(app)
    return app


def get_app() -> "typer.Typer":
    """The typer application (built on first use: importing typer costs startup time)."""
    global _APP
    if _APP is None:
        _APP = _build_app()
    return _APP


def __getattr__(name: str) -> Any:
    if name == "app":
        return get_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _plain(args: Sequence[str]) -> bool:
    """``encfix fix [PATH...]`` / ``encfix detect [PATH...]`` with no option at all.

    Those run without importing typer (and the pydantic it validates with):
    ``echo ... | encfix fix`` then starts in a fraction of the time.  Anything
    with an option, ``--help`` included, goes through typer.
    """
    return (
        os.name == "posix"
        and bool(args)
        and args[0] in _PLAIN_COMMANDS
        and all(a == STDIN or not a.startswith("-") for a in args[1:])
        and "_ENCFIX_COMPLETE" not in os.environ
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: run the command line (``argv``: ``sys.argv[1:]``) and exit."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if _plain(args):
            sys.exit(_run(_PLAIN_COMMANDS[args[0]], args[1:]))
        get_app()(args=args, prog_name="encfix")
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
