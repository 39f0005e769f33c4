"""What a planner may know at one step, read once from the planning surface."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from colony.envs.feedback import RefusedEntry, StepFeedback
from colony.envs.plan_format import PlanFormat
from colony.envs.state import TaskState
from colony.envs.surface import PlanningSurface


@dataclass
class PlanningContext:
    """Everything a planner may know at one step, read from the planning surface.

    The typed state is copied once; the texts (observations, legal actions, central and
    history state) are rendered from that copy when a planner first asks for them, so a
    planner that reads only the state (an expert) pays for no text.
    """

    task: str
    step: int
    agents: list[str]
    plan_format: PlanFormat
    state: TaskState  # a copy of the typed task state (what experts read)
    last_feedback: StepFeedback | None
    check: Callable[[dict[str, Any]], list[RefusedEntry]]

    @classmethod
    def from_surface(cls, surface: PlanningSurface) -> PlanningContext:
        return cls(task=surface.task, step=surface.step_count + 1, agents=surface.agent_names,
                   plan_format=surface.plan_format, state=surface.task_state(), last_feedback=surface.last_feedback,
                   check=surface.check)

    @cached_property
    def observations(self) -> dict[str, str]:
        return {agent: self.state.observation_text(agent) for agent in self.agents}

    @cached_property
    def legal_actions(self) -> dict[str, list[str]]:
        return {agent: self.state.legal_actions(agent) for agent in self.agents}

    @cached_property
    def history_state(self) -> str:
        """The compact state, as recorded in the history."""
        return self.state.history_state_text()

    @cached_property
    def central_state(self) -> str:
        """Every agent's line / the task's full state text."""
        return self.state.central_state_text()

    @property
    def plan_example(self) -> str:
        return self.plan_format.example

    @property
    def plan_schema(self) -> dict[str, Any]:
        return self.plan_format.schema(self.state)

    @property
    def facts(self) -> dict[str, Any]:
        return self.plan_format.prompt_facts(self.state)

    def plan_agents(self, plan: dict[str, Any]) -> list[str]:
        return self.plan_format.agents_named(self.state, plan)

    def others_text(self, agent: str) -> str:
        return "\n".join(line for other, line in self.observations.items() if other != agent)
