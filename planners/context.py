"""What a planner may know at one step, read once from the planning surface."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from colony.envs.feedback import RefusedEntry, StepFeedback
from colony.envs.plan_format import PlanFormat
from colony.envs.state import TaskState
from colony.envs.surface import PlanningSurface


@dataclass
class PlanningContext:
    """Everything a planner may know at one step, read from the planning surface."""

    task: str
    step: int
    agents: list[str]
    observations: dict[str, str]
    legal_actions: dict[str, list[str]]
    history_state: str  # compact state, as recorded in the history
    central_state: str  # every agent's line / the task's full state text
    plan_format: PlanFormat
    state: TaskState  # a copy of the typed task state (what experts read)
    last_feedback: StepFeedback | None
    check: Callable[[dict[str, Any]], list[RefusedEntry]]

    @classmethod
    def from_surface(cls, surface: PlanningSurface) -> PlanningContext:
        agents = surface.agent_names
        return cls(task=surface.task, step=surface.step_count + 1, agents=agents,
                   observations={a: surface.observation_text(a) for a in agents},
                   legal_actions={a: surface.legal_actions(a) for a in agents},
                   history_state=surface.history_state_text(), central_state=surface.state_text(),
                   plan_format=surface.plan_format, state=surface.task_state(),
                   last_feedback=surface.last_feedback, check=surface.check)

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
