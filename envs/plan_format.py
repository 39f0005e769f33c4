"""How a task's plans look to a language model: keys, an example, a JSON schema of the
legal plans now, and which agents a plan gives work to.

These are LLM-facing, so they live beside each task's prompt texts (``<task>/planning.py``),
not on the simulator. Grammar details of a backend (e.g. llama.cpp turning a regex into a
grammar) belong here too.
"""

from __future__ import annotations

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
