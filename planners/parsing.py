"""Reading plans and protocol words out of free-form model replies.

A plan is a JSON object somewhere in the reply. Models wrap it in code fences, surround
it with prose, write Python-style single quotes or leave trailing commas; all of that
is tolerated. Whatever is still unusable raises :class:`PlanParseError`, whose message
is fed back to the model (never a crash, never a sentinel string).
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

_FENCE = re.compile(r"```(?:json|JSON|python)?\s*\n?(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_EXECUTE = re.compile(r"\bEXECUTE\b")
_AGREE = re.compile(r"\bI\s+agree\b", re.IGNORECASE)


class PlanParseError(ValueError):
    """The reply holds no usable plan; the message says why, for the model to read."""


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


def _load(candidate: str) -> Any:
    try:
        return json.loads(candidate)
    except json.JSONDecodeError:
        pass
    repaired = _TRAILING_COMMA.sub(r"\1", candidate)
    try:
        return json.loads(repaired)
    except json.JSONDecodeError:
        pass
    try:  # single quotes, Python literals
        return ast.literal_eval(repaired)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def parse_plan(reply: str) -> dict[str, Any]:
    """The last JSON object in ``reply`` that parses to a mapping with string keys."""
    if not isinstance(reply, str) or not reply.strip():
        raise PlanParseError("the reply was empty; answer with a JSON object")
    fenced = _FENCE.findall(reply)
    candidates = [obj for block in fenced for obj in _objects(block)] + _objects(reply)
    if not candidates:
        raise PlanParseError("no JSON object was found in the reply; answer with one JSON object like the example")
    for candidate in reversed(candidates):
        value = _load(candidate)
        if isinstance(value, dict) and all(isinstance(key, str) for key in value):
            return value
    raise PlanParseError(f"the JSON object could not be read: {candidates[-1][:200]!r}; use double quotes and "
                         "no comments, one key per agent")


def says_execute(reply: str) -> bool:
    return bool(_EXECUTE.search(reply or ""))


def plan_after_execute(reply: str) -> dict[str, Any]:
    """The plan that follows the word EXECUTE (DMAS / HMAS-1)."""
    match = _EXECUTE.search(reply or "")
    return parse_plan(reply[match.end():] if match else reply)


def agrees(reply: str) -> bool:
    """HMAS-2: does a local agent's reply accept the central plan?"""
    return bool(_AGREE.search(reply or ""))
