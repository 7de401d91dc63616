"""Replayable plans: every fix re-derives its output from its input."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from encfix._types import Fix
from encfix.codecs import DECODERS

__all__ = ["apply_plan", "damage", "replay", "splice"]


def _layers(fix: Fix) -> list[tuple[str, str, str]]:
    chain = fix.chain
    if len(chain) % 2 or len(chain) // 2 != len(fix.members):
        raise ValueError(f"fix at {fix.start}: chain {chain!r} does not match members {fix.members!r}")
    return [(chain[i], chain[i + 1], fix.members[i // 2]) for i in range(0, len(chain), 2)]


def damage(text: str, fix: Fix) -> str:
    """Push ``text`` through the damage ``fix`` names (innermost first)."""
    s = text
    for _orig, dec, member in _layers(fix):
        s = DECODERS[dec].decode(s.encode(member))
    return s


def replay(fix: Fix) -> str:
    """Re-derive ``fix.after`` from ``fix.before`` by the fix's own explanation."""
    if fix.kind == "ftfy":
        import ftfy

        return ftfy.apply_plan(fix.before, [(a, b) for a, b in fix.steps])
    if fix.kind == "lossy":
        return _replay_lossy(fix)
    if fix.kind in ("pinyin", "punct", "entity"):
        from encfix import artifacts

        replay = {
            "pinyin": artifacts.replay_pinyin,
            "punct": artifacts.replay_punct,
            "entity": artifacts.replay_entity,
        }[fix.kind]
        return replay(fix)
    if fix.kind == "composite":
        s = fix.before
        for p in fix.passes:
            s = apply_plan(s, p)
        return s
    s = fix.before
    for _orig, dec, member in reversed(_layers(fix)):
        s = DECODERS[dec].encode(s).decode(member)
    if damage(s, fix) != fix.before:
        raise ValueError(f"fix at {fix.start}: its explanation does not reproduce the input")
    return s


def _replay_lossy(fix: Fix) -> str:
    """Decode the hypothesised original bytes, check that the named damage
    turns them into ``before``, and put the placeholder where the model
    could not decide."""
    from encfix._repair._lossy import explain_loss

    loss = fix.loss
    if loss is None or not fix.members:
        raise ValueError(f"fix at {fix.start}: a lossy fix needs its loss and member")
    text = loss.data.decode(fix.members[0])
    if not explain_loss(loss, fix.chain, fix.before):
        raise ValueError(f"fix at {fix.start}: its bytes do not reproduce the input under {loss.model}")
    if loss.uncertain:
        chars = list(text)
        for p, _alts in loss.uncertain:
            chars[p] = loss.placeholder
        text = "".join(chars)
    return text


def splice(text: str, fixes: Sequence[Fix]) -> str:
    out: list[str] = []
    pos = 0
    for f in fixes:
        out.append(text[pos : f.start])
        out.append(f.after)
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def apply_plan(text: str, plan: Iterable[Fix | Mapping[str, Any]]) -> str:
    """Apply a plan (``Repair.plan`` or its ``to_dict()["fixes"]``) to ``text``.

    Each step is replayed from its explanation, not copied: a plan that does
    not fit ``text`` raises :class:`ValueError`.
    """
    fixes = sorted(
        (f if isinstance(f, Fix) else Fix.from_dict(dict(f)) for f in plan),
        key=lambda f: f.start,
    )
    pos = 0
    replayed: list[Fix] = []
    for f in fixes:
        if f.start < pos or f.end > len(text) or text[f.start : f.end] != f.before:
            raise ValueError(f"plan step at {f.start}-{f.end} does not match the text")
        after = replay(f)
        if after != f.after:
            raise ValueError(f"plan step at {f.start}-{f.end} replays to {after!r}, not {f.after!r}")
        replayed.append(f)
        pos = f.end
    return splice(text, replayed)
