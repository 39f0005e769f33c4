"""The task-agnostic planner interface and the check-and-replan loop every scheme shares.

Planners read an environment only through the planning surface
(:class:`colony.envs.surface.PlanningSurface`), captured once per step in a
:class:`~colony.planners.context.PlanningContext`.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from colony.envs.feedback import RefusalReason, RefusedEntry, StatusBase, refusals_to_text
from colony.planners.client import ChatClient, LLMCall
from colony.planners.context import PlanningContext
from colony.planners.history import History
from colony.planners.prompts import render
from colony.planners.replies import Execute, Expect, PlanReply, parse_reply


class PlannerFailure(StatusBase):
    """How planning (rather than the task) ended an episode."""

    NO_VALID_PLAN = "no_valid_plan"
    BACKEND_FAILURE = "backend_failure"


@dataclass
class PlanResult:
    plan: dict[str, Any] | None
    calls: list[LLMCall] = field(default_factory=list)
    dialogue: str = ""
    failure: Enum | None = None
    detail: str = ""
    replans: int = 0
    refused: list[RefusedEntry] = field(default_factory=list)  # entries refused by the check before the plan passed
    messages: list[dict[str, Any]] = field(default_factory=list)  # what agents said through the broker, with outcomes


class Planner(ABC):
    """Turns a planning context (and the history) into one joint plan."""

    label: str

    @abstractmethod
    def plan(self, context: PlanningContext, history: History) -> PlanResult: ...

    def start_episode(self, seed: int | None) -> None:
        """A new episode begins (planners with per-episode state, such as a message broker, reset it)."""

    def summarise(self, dialogue: str) -> tuple[str, LLMCall | None]:
        """A short summary of a step's dialogue (compressed history); planners without a model return it as is."""
        return dialogue, None

    def call_log(self) -> list[LLMCall]:
        """Every model call this planner has made, failed ones included (none without a model)."""
        return []


def plan_json(plan: dict[str, Any]) -> str:
    return json.dumps(plan, ensure_ascii=False)


@dataclass
class Conversation:
    """A growing exchange with one model role (the prompt, then replies and feedback)."""

    client: ChatClient
    role: str
    agent: str | None
    messages: list[tuple[str, str]]
    calls: list[LLMCall] = field(default_factory=list)

    def ask(self, schema: dict | None = None) -> str:
        call = self.client.ask(self.messages, role=self.role, agent=self.agent, schema=schema)
        self.calls.append(call)
        reply = call.response
        if call.truncated and not reply.strip():
            reply = ""
        self.messages.append(("assistant", reply))
        return reply

    def tell(self, text: str) -> None:
        self.messages.append(("user", text))


def duplicate_refusals(duplicates: tuple[tuple[str, Any], ...]) -> list[RefusedEntry]:
    """The same key twice in one JSON object: refused as a conflict, whatever value won."""
    return [RefusedEntry(key, str(value), RefusalReason.CONFLICT,
                         f"{key} appears more than once in the plan; give each key exactly one entry")
            for key, value in duplicates]


def settle_plan(conversation: Conversation, context: PlanningContext, reply: str, max_replans: int, *,
                expected: Expect = Expect.PLAN, schema: dict | None = None, style: str = "paper") -> PlanResult:
    """Check-and-replan: read and check ``reply``; feed back what is wrong up to ``max_replans`` times."""
    all_refused: list[RefusedEntry] = []
    for attempt in range(max_replans + 1):
        parsed = parse_reply(reply, expected if attempt == 0 else Expect.PLAN)
        if isinstance(parsed, (PlanReply, Execute)):
            refused = duplicate_refusals(parsed.duplicates) + context.check(parsed.plan)
            all_refused += refused
            problems = refusals_to_text(refused)
        else:
            problems = f"- {getattr(parsed, 'reason', 'the reply held no plan')}"
            if conversation.calls and conversation.calls[-1].truncated:
                problems += " (the reply was cut at the token limit; answer with the JSON only)"
        if not problems:
            return PlanResult(parsed.plan, conversation.calls, replans=attempt, refused=all_refused)
        if attempt == max_replans:
            break
        example = context.plan_format.short_example if style == "compact" else context.plan_example
        conversation.tell(render("replan", style=style, problems=problems, plan_example=example))
        reply = conversation.ask(schema)
    return PlanResult(None, conversation.calls, failure=PlannerFailure.NO_VALID_PLAN, replans=max_replans,
                      detail=f"no valid plan after {max_replans} re-prompts; last problems: {problems[:500]}",
                      refused=all_refused)
