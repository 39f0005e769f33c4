"""Reading model replies into typed results: one door, :func:`parse_reply`, that never raises.

What a reply may be depends on who was asked (:class:`Expect`): a central planner answers
with a plan; an HMAS-2 agent agrees or objects; a DMAS / HMAS-1 speaker passes the word on
or says ``EXECUTE`` followed by the plan. The result is one of :class:`PlanReply`,
:class:`Agree`, :class:`Objection`, :class:`Proceed`, :class:`Execute` or
:class:`Unreadable`, whose ``reason`` is written for the model to act on.

A plan is a JSON object somewhere in the reply. Code fences, prose around it, Python-style
single quotes and trailing commas are tolerated. The same key twice in one object is
reported (``duplicates``) so that the check refuses it as a conflict instead of silently
keeping one value. No reply of any size or shape escapes as an exception: deep nesting,
huge replies, odd Unicode and non-text all become :class:`Unreadable`.
"""

from __future__ import annotations

import ast
import json
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MAX_REPLY_CHARS = 100_000  # longer replies are not searched for a plan

_FENCE = re.compile(r"```(?:json|JSON|python)?\s*\n?(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_EXECUTE = re.compile(r"\bEXECUTE\b")
_AGREE = re.compile(r"\bagreed?\b")
_NEGATION = re.compile(r"\b(not|no|never|nor|cannot|can't|don't|doesn't|didn't|won't|wouldn't|isn't|shouldn't|"
                       r"couldn't|hardly|unable)\b")
_CONTRAST = re.compile(r"\b(but|however|although|though|except|unless|yet)\b")
_AFFIRMATIONS = {"yes", "ok", "okay", "agreed", "approved", "lgtm", "looks good", "sounds good", "fine"}


class Expect(StrEnum):
    PLAN = "plan"  # a central planner's plan (or a re-plan of anyone)
    VERDICT = "verdict"  # an HMAS-2 agent judging the central plan: 'I Agree' or an objection
    TURN = "turn"  # a DMAS / HMAS-1 speaker: PROCEED (or anything) or EXECUTE + the plan


@dataclass(frozen=True)
class PlanReply:
    plan: dict[str, Any]
    duplicates: tuple[tuple[str, Any], ...] = ()  # later values of keys that appeared twice


@dataclass(frozen=True)
class Execute:
    plan: dict[str, Any]
    duplicates: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Agree:
    pass


@dataclass(frozen=True)
class Objection:
    text: str


@dataclass(frozen=True)
class Proceed:
    text: str


@dataclass(frozen=True)
class Unreadable:
    reason: str  # worded for the model: what was wrong and what to send instead
    intent: str = field(default="")  # "execute" when the reply said EXECUTE but the plan could not be read


Reply = PlanReply | Execute | Agree | Objection | Proceed | Unreadable


def parse_reply(text: Any, expected: Expect) -> Reply:
    """The typed reading of ``text`` for a reply of the ``expected`` kind; never raises."""
    try:
        return _parse(text, Expect(expected))
    except (RecursionError, MemoryError) as error:  # a last guard; the readers below handle these too
        return Unreadable(f"the reply could not be read ({type(error).__name__}); answer with one flat JSON object")


def _parse(text: Any, expected: Expect) -> Reply:
    if not isinstance(text, str) or not text.strip():
        if expected is Expect.TURN:
            return Proceed("")
        if expected is Expect.VERDICT:
            return Objection("")
        return Unreadable("the reply was empty; answer with a JSON object")
    text = _clean(text)
    if expected is Expect.VERDICT:
        return Agree() if _agrees(text) else Objection(text.strip())
    said_execute = _EXECUTE.search(text)
    if expected is Expect.TURN and not said_execute:
        return Proceed(text.strip())
    if len(text) > MAX_REPLY_CHARS:
        return Unreadable(f"the reply is {len(text):,} characters long; answer with the JSON plan only",
                          "execute" if said_execute else "")
    body = text[said_execute.end():] if said_execute else text
    if said_execute and expected is Expect.TURN and not _objects(body):
        return Unreadable("EXECUTE must be followed by the JSON plan, on the next line", "execute")
    found = _find_plan(body)
    if isinstance(found, Unreadable):
        return Unreadable(found.reason, "execute" if said_execute else "")
    plan, duplicates = found
    return Execute(plan, duplicates) if expected is Expect.TURN else PlanReply(plan, duplicates)


def _clean(text: str) -> str:
    """NFKC (full-width letters, ligatures), typographic apostrophes as ``'``, invisible format
    characters (zero-width spaces, BOM) and lone surrogates removed."""
    text = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _agrees(text: str) -> bool:
    """'I Agree' (and plain affirmations), with no negation before the agreement in its sentence
    and no 'but' after it: 'I don't agree', 'I can't say I agree' and 'I agree, but ...' object."""
    lowered = text.casefold()
    bare = re.sub(r"[^\w' ]+", "", lowered).strip()
    if bare in _AFFIRMATIONS:
        return True
    match = _AGREE.search(lowered)
    if not match:
        return False
    sentence_start = max(lowered.rfind(mark, 0, match.start()) for mark in ".!?\n") + 1
    if _NEGATION.search(lowered[sentence_start:match.start()]) or "n't" in lowered[sentence_start:match.start()]:
        return False
    return not _CONTRAST.search(lowered[match.end():])


def _objects(text: str) -> list[str]:
    """Top-level ``{...}`` spans of ``text``, balanced outside string literals."""
    spans, depth, start, quote, escaped = [], 0, -1, "", False
    for index, char in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'" and depth > 0:
            quote = char
        elif char == "{":
            if depth == 0:
                start = index
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                spans.append(text[start:index + 1])
    return spans


def _find_plan(text: str) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]] | Unreadable:
    """The last JSON object in ``text`` that reads as a mapping with string keys."""
    fenced = _FENCE.findall(text)
    candidates = [obj for block in fenced for obj in _objects(block)] + _objects(text)
    if not candidates:
        return Unreadable("no JSON object was found in the reply; answer with one JSON object like the example")
    for candidate in reversed(candidates):
        loaded = _load(candidate)
        if loaded is not None and all(isinstance(key, str) for key, _ in loaded):
            plan: dict[str, Any] = {}
            duplicates = []
            for key, value in ((_scrub(key), _scrub(value)) for key, value in loaded):
                if key in plan:
                    duplicates.append((key, value))
                else:
                    plan[key] = value
            return plan, tuple(duplicates)
    return Unreadable(f"the JSON object could not be read: {candidates[-1][:200]!r}; use double quotes and "
                      "no comments, one key per agent")


def _scrub(value: Any) -> Any:
    """Strings with lone surrogates (JSON escapes like ``\\ud800``) made writable as UTF-8."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(value) else value
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {_scrub(key): _scrub(item) for key, item in value.items()}
    return value


def _load(candidate: str) -> list[tuple[Any, Any]] | None:
    """The top-level key/value pairs of an object literal in order (duplicates kept), or None."""
    for text in (candidate, _TRAILING_COMMA.sub(r"\1", candidate)):
        pairs: list[list[tuple[Any, Any]]] = []

        def keep(items: list[tuple[Any, Any]]) -> dict:
            pairs.append(items)
            return dict(items)

        try:
            json.loads(text, object_pairs_hook=keep)
            return pairs[-1]  # the hook sees the outermost object last
        except (ValueError, RecursionError, MemoryError):
            continue
    try:  # single quotes, Python literals
        node = ast.parse(_TRAILING_COMMA.sub(r"\1", candidate), mode="eval").body
        if not isinstance(node, ast.Dict) or None in node.keys:
            return None
        return [(ast.literal_eval(key), ast.literal_eval(value)) for key, value in zip(node.keys, node.values)]
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
