"""The task-agnostic planner interface and the check-and-replan loop every scheme shares."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from colony.envs.feedback import RefusedEntry, refusals_to_text
from colony.planners.client import ChatClient, LLMCall
from colony.planners.history import History
from colony.planners.parsing import PlanParseError, parse_plan
from colony.planners.prompts import render


class Outcome(StrEnum):
    """How an episode ended."""

    SUCCESS = "success"
    STEP_LIMIT = "step_limit"
    COLLISION = "collision"
    NO_VALID_PLAN = "no_valid_plan"
    BACKEND_FAILURE = "backend_failure"


@dataclass
class PlanningContext:
    """Everything a planner may know at one step, read from the environment."""

    task: str
    step: int
    agents: list[str]
    observations: dict[str, str]
    legal_actions: dict[str, list[str]]
    state: str  # compact state, as recorded in the history
    central_state: str  # every agent's line / the task's full state text
    plan_example: str
    plan_schema: dict[str, Any]
    facts: dict[str, Any]
    check: Callable[[dict[str, Any]], list[RefusedEntry]]
    plan_agents: Callable[[dict[str, Any]], list[str]]
    world: Any = None  # the pure simulator, for non-LLM planners only

    @classmethod
    def from_env(cls, env: Any) -> PlanningContext:
        world = env.world
        return cls(task=world.task, step=world.step_count + 1, agents=list(world.agents),
                   observations={a: world.observation_text(a) for a in world.agents},
                   legal_actions={a: world.legal_actions(a) for a in world.agents},
                   state=world.state_text(), central_state=world.central_state_text(), plan_example=world.plan_example(),
                   plan_schema=world.plan_schema(), facts=world.prompt_facts(), check=world.check,
                   plan_agents=world.plan_agents, world=world)

    def others_text(self, agent: str) -> str:
        return "\n".join(line for other, line in self.observations.items() if other != agent)


@dataclass
class PlanResult:
    plan: dict[str, Any] | None
    calls: list[LLMCall] = field(default_factory=list)
    dialogue: str = ""
    failure: Outcome | None = None
    detail: str = ""
    replans: int = 0


class Planner(ABC):
    """Turns a planning context (and the history) into one joint plan."""

    label: str

    @abstractmethod
    def plan(self, context: PlanningContext, history: History) -> PlanResult: ...

    def summarise(self, dialogue: str) -> tuple[str, LLMCall | None]:
        """A short summary of a step's dialogue (compressed history); planners without a model return it as is."""
        return dialogue, None


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


def settle_plan(conversation: Conversation, context: PlanningContext, reply: str, max_replans: int, *,
                extract: Callable[[str], dict[str, Any]] = parse_plan, schema: dict | None = None) -> PlanResult:
    """Check-and-replan: parse and check ``reply``; feed back what is wrong up to ``max_replans`` times."""
    for attempt in range(max_replans + 1):
        try:
            plan = extract(reply)
            refused = context.check(plan)
            problems = refusals_to_text(refused)
        except PlanParseError as error:
            problems = f"- {error}"
            if conversation.calls and conversation.calls[-1].truncated:
                problems += " (the reply was cut at the token limit; answer with the JSON only)"
        if not problems:
            return PlanResult(plan, conversation.calls, replans=attempt)
        if attempt == max_replans:
            break
        conversation.tell(render("replan", problems=problems, plan_example=context.plan_example))
        reply = conversation.ask(schema)
    return PlanResult(None, conversation.calls, failure=Outcome.NO_VALID_PLAN, replans=max_replans,
                      detail=f"no valid plan after {max_replans} re-prompts; last problems: {problems[:500]}")
