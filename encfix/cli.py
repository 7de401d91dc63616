"""The ``encfix`` command line: ``encfix fix`` and ``encfix detect``.

A thin layer: reading and writing files is :mod:`encfix._io`, diffs are
:mod:`encfix._cli_render`, and every decision about the text is the library's
(:func:`encfix.repair`, :func:`encfix.detect`).  Imports are lazy wherever
they can be: ``echo ... | encfix fix`` must start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from encfix import __version__
from encfix._io import STDIN, InputError, display_name
from encfix._options import DEFAULT_MIN_CONFIDENCE

if TYPE_CHECKING:
    from encfix._options import Options
    from encfix._types import Detection, Repair

__all__ = ["app", "main"]

EXIT_CHANGED = 1  # --check: something would be repaired
EXIT_USAGE = 2  # usage, input or output error
EXIT_INTERNAL = 3  # a bug in encfix
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

_EXIT_HELP = (
    "Exit status: 0 success; 1 with --check when something would be repaired; "
    "2 usage, input or output error; 3 internal error; 130 interrupted."
)

app = typer.Typer(
    name="encfix",
    help=(
        "Repair mojibake -- text garbled by decoding it with the wrong encoding -- above all in "
        "Chinese, Japanese and Korean text ('鏁版嵁瀵煎嚭鎴愬姛' -> '数据导出成功').\n\n"
        "Run 'encfix fix --help' or 'encfix detect --help' for details."
    ),
    epilog=_EXIT_HELP,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
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
    return InputError(f"error: {message}")


F = TypeVar("F", bound=Callable[..., Any])


def _guarded(func: F) -> F:
    """Turn every failure of a command into one sentence on stderr and an exit status."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except InputError as e:
            msg = e.message if e.message.startswith("error: ") else f"error: {e.message}"
            _err(msg)
            raise typer.Exit(e.code) from None
        except KeyboardInterrupt:
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except Exception as e:
            detail = str(e).strip().splitlines()[0] if str(e).strip() else ""
            _err(
                f"internal error: {type(e).__name__}{': ' + detail if detail else ''} "
                "(this is a bug in encfix; please report it)."
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper  # type: ignore[return-value]


def _silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so the final flush does not complain."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no real fd (tests)
        pass


# --------------------------------------------------------------------------- helpers


def _version(value: bool) -> None:
    if value:
        typer.echo(f"encfix {__version__}")
        raise typer.Exit()


def _inputs(paths: list[str] | None) -> list[str]:
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
    from encfix._io import write_stdout

    write_stdout(data)


def _text(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


class _Item:
    """One input of ``encfix fix``: what was read, and what the repair made of it."""

    __slots__ = ("data", "new", "path", "repair", "text")

    def __init__(self, path: str, data: bytes, text: str) -> None:
        self.path = path
        self.data = data
        self.text = text
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
            "text": d["text"],
        }


def _repair_all(items: list[_Item], options: Options) -> None:
    import encfix

    for it in items:
        try:
            r = encfix.repair(it.text, options=options)
            new = r.text.encode("utf-8")
        except (InputError, KeyboardInterrupt):
            raise
        except Exception as e:
            raise InputError(
                f"internal error while repairing {display_name(it.path)!r}: {type(e).__name__}: {e} "
                "(this is a bug in encfix; please report it).",
                EXIT_INTERNAL,
            ) from e
        it.repair = r
        it.new = new


def _summary(it: _Item, where: str) -> str:
    r = it.repair
    assert r is not None
    return f"repaired {display_name(it.path)}{where}: {_plural(len(r.fixes), 'fix', 'fixes')}, confidence {r.confidence:.2f}"


# --------------------------------------------------------------------------- fix

_FIX_HELP = (
    "Repair mojibake in UTF-8 text read from files or standard input.\n\n"
    "With no PATH, or PATH '-', standard input is read and the repaired text written to standard "
    "output (UTF-8), so 'encfix fix' works as a filter. With several PATHs each is repaired on its own, "
    "and their repaired texts are written to standard output one after the other, unless -o or "
    "--in-place says where to write. Text that needs no repair comes out byte-identical (line endings "
    "and a BOM included).\n\n"
    "Input must be UTF-8 text: binary data (NUL bytes) and bytes that are not valid UTF-8 are refused "
    "(run 'encfix detect' to name their encoding). On any error nothing is written.\n\n"
    "When writing files (-o, --in-place) a one-line summary per repaired file goes to standard error "
    "(--quiet turns it off); filtering standard input to standard output prints nothing else.\n\n"
    + _EXIT_HELP
)

_JSON_HELP = (
    "Instead of the text, print a JSON report on standard output: for one input an object "
    '{"path", "changed", "confidence", "fixes": [{"start", "end", "before", "after", "kind", "chain", '
    '"description", "decoder", "confidence", ...}], "notes", "text"} ("path" is "-" for standard input; '
    "start/end index the input text); for several inputs a list of such objects."
)


@app.command("fix", help=_FIX_HELP, no_args_is_help=False)
@_guarded
def fix_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="PATH", help="UTF-8 text files to repair; '-' or none: standard input.", show_default=False),
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
            help="Instead of the text, print a unified diff ('--- a/PATH', '+++ b/PATH', 3 lines of context) "
            "on standard output. On a terminal a character-level colour diff is shown instead, each "
            "changed line numbered and followed by its fixes' chains and confidences (see --color).",
        ),
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
    jsonl: Annotated[
        bool,
        typer.Option("--jsonl", help="Like --json, but print JSON Lines: one compact object per input, per line."),
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
    ] = 3,
    no_latin: Annotated[
        bool,
        typer.Option(
            "--no-latin",
            help="Do not repair Latin-script mojibake (such as 'cafÃ©') with ftfy's heuristics; "
            "only CJK-aware repairs.",
        ),
    ] = False,
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
) -> None:
    from encfix._options import Options

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
        options = Options(min_confidence=min_confidence, max_rounds=max_rounds, latin=not no_latin)
    except ValueError as e:
        raise _usage(f"{e}.") from e

    out_file = output if output is not None and not to_stdout_out else None
    if out_file is not None:
        from encfix._io import check_new_output

        check_new_output(out_file, inputs, force=force)

    # 1. read everything (any error: nothing written)
    from encfix._io import decode_utf8, read_bytes

    if in_place:  # the same file named twice is rewritten once
        from encfix._io import same_file

        unique: list[str] = []
        for p in inputs:
            if not any(same_file(p, q) for q in unique):
                unique.append(p)
        inputs = unique
    items: list[_Item] = []
    for p in inputs:
        data = read_bytes(p)
        items.append(_Item(p, data, decode_utf8(data, p)))

    # 2. repair everything
    _repair_all(items, options)

    # 3. check the writes before making any
    suffix = None if no_backup else (backup_suffix or ".bak")
    if in_place and suffix is not None:
        from encfix._io import check_backup

        for it in items:
            if it.changed:
                check_backup(it.path, suffix, force=force)

    # 4. write
    report = diff or json_ or jsonl
    colour = diff and _use_color(color)
    writes_files = in_place or out_file is not None
    if json_ and not jsonl:
        docs = [it.report() for it in items]
        _out(_json_dump(docs[0] if len(docs) == 1 else docs, lines=False))
    for it in items:
        if jsonl:
            _out(_json_dump(it.report(), lines=True))
        elif diff and it.changed:
            _out(_text(_render_diff(it, colour)))
        elif not report and not check and not writes_files:
            _out(it.new)
        if out_file is not None:
            from encfix._io import write_output

            write_output(out_file, it.new)
            if not quiet:
                if it.changed:
                    _err(_summary(it, f" -> {out_file}"))
                else:
                    _err(f"nothing to repair in {display_name(it.path)}; wrote an identical copy to {out_file}")
        elif in_place and it.changed:
            from encfix._io import replace_in_place

            backup = replace_in_place(it.path, it.new, it.data, backup_suffix=suffix)
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
            raise typer.Exit(EXIT_CHANGED)


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


def _detect_one(path: str, data: bytes) -> Detection:
    import encfix
    from encfix._io import has_utf16_32_bom, looks_binary

    payload: str | bytes
    if has_utf16_32_bom(data):
        payload = data
    else:
        try:
            payload = data.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            payload = data
            utf8 = False
        if looks_binary(data, utf8=utf8):
            raise InputError(f"{display_name(path)!r} looks like binary data, not text; encfix leaves it alone.")
    try:
        return encfix.detect(payload)
    except Exception as e:
        raise InputError(
            f"internal error while detecting {display_name(path)!r}: {type(e).__name__}: {e} "
            "(this is a bug in encfix; please report it).",
            EXIT_INTERNAL,
        ) from e


def _alternative_label(alt: Any) -> str:
    d = alt.to_dict()
    if d.get("description"):
        return str(d["description"])
    return f"bytes in {alt.decoder}" if alt.decoder else "unknown"


@app.command("detect", help=_DETECT_HELP)
@_guarded
def detect_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="PATH", help="Files to examine; '-' or none: standard input.", show_default=False),
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
        bool, typer.Option("--jsonl", help="Like --json, but one compact JSON object per input, per line.")
    ] = False,
) -> None:
    from encfix._io import read_bytes

    if json_ and jsonl:
        raise _usage("--json and --jsonl cannot be combined.")
    inputs = _inputs(paths)
    found = [(p, _detect_one(p, read_bytes(p))) for p in inputs]  # read all first: errors print nothing
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


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    pass


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: run the app (``argv`` defaults to ``sys.argv[1:]``) and exit."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="encfix")
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
