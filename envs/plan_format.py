"""How a task's plans and states look to a language model: keys, an example, a JSON schema
of the legal plans now, which agents a plan gives work to, and the short views of the
compact prompt style (the state in a few lines, one agent's view, its part of a plan).

These are LLM-facing, so they live beside each task's prompt texts (``<task>/planning.py``),
not on the simulator. Grammar details of a backend (e.g. llama.cpp turning a regex into a
grammar) belong here too.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

from colony.envs.state import TaskState


class PlanFormat(ABC):
    example: str  # the paper's plan format, as one JSON example

    @abstractmethod
    def keys(self, state: TaskState) -> list[str]:
        """The keys a plan may have now."""

    @abstractmethod
    def schema(self, state: TaskState) -> dict[str, Any]:
        """A JSON schema admitting exactly the plans made of legal entries now."""

    @abstractmethod
    def agents_named(self, state: TaskState, plan: Mapping[str, Any]) -> list[str]:
        """The agents a (checked) plan gives something to do, in canonical order."""

    def from_choices(self, choices: Mapping[str, str]) -> dict[str, Any]:
        """Per-agent action strings (e.g. chosen from a PettingZoo action catalogue) as a plan."""
        return dict(choices)

    def prompt_facts(self, state: TaskState) -> dict[str, Any]:
        """Numbers some prompt texts mention (e.g. the warehouse's tracks and columns)."""
        return {}

    # --- views for the compact prompt style ------------------------------------------------
    @property
    def short_example(self) -> str:
        """The example cut to its first entry."""
        key, value = next(iter(json.loads(self.example).items()))
        return json.dumps({key: value}, ensure_ascii=False)

    def compact_state(self, state: TaskState) -> str:
        """The state in few tokens: what is where, one short line per place or agent."""
        return state.central_state_text().rstrip("\n")

    def agent_view(self, state: TaskState, agent: str) -> str:
        """What one agent can see, in a few words."""
        return state.observation_text(agent)

    @abstractmethod
    def part_for(self, state: TaskState, plan: Mapping[str, Any], agent: str) -> str:
        """The part of a plan that concerns ``agent``, in words."""


class AgentKeyedPlan(PlanFormat):
    """Plans keyed by agent name, each value one of the agent's legal action strings."""

    def __init__(self, example: str, facts: Callable[[TaskState], dict[str, Any]] | None = None) -> None:
        self.example = example
        self._facts = facts

    def keys(self, state: TaskState) -> list[str]:
        return list(state.agents)

    def schema(self, state: TaskState) -> dict[str, Any]:
        properties = {agent: {"type": "string", "enum": legal} for agent in state.agents
                      if (legal := state.legal_actions(agent))}
        return {"type": "object", "properties": properties, "additionalProperties": False}

    def agents_named(self, state: TaskState, plan: Mapping[str, Any]) -> list[str]:
        named = {state.resolve_agent(str(key)) for key in plan}
        return [agent for agent in state.agents if agent in named]

    def prompt_facts(self, state: TaskState) -> dict[str, Any]:
        return self._facts(state) if self._facts else {}

    def part_for(self, state: TaskState, plan: Mapping[str, Any], agent: str) -> str:
        action = next((value for key, value in plan.items() if state.resolve_agent(str(key)) == agent), None)
        return str(action) if action is not None else "no action this step"
