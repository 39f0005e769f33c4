"""The planning protocol: the one door between planners and task environments.

Planners, experts, the episode loop and the CLI read an environment only through these
members (every registered PettingZoo env implements them, see ``adapter.py``; a 3D or
perceived environment implements the same). Nothing on the planning side touches a
simulator's internals: a test walks ``planners/`` and every expert to enforce it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from colony.envs.feedback import RefusedEntry, StatusBase, StepFeedback
from colony.envs.goal import Goal
from colony.envs.plan_format import PlanFormat
from colony.envs.state import TaskState


@runtime_checkable
class PlanningSurface(Protocol):
    plan_format: PlanFormat  # keys, example, JSON schema of legal plans (declared beside the prompts)

    @property
    def task(self) -> str:
        """The task's short name (``boxnet1``)."""

    @property
    def agent_names(self) -> list[str]:
        """The agents' text names, in the task's canonical order."""

    def observation_text(self, agent: str) -> str:
        """One agent's own line (PettingZoo ids and text names accepted)."""

    def legal_actions(self, agent: str) -> list[str]:
        """The action strings the agent may be given now."""

    def state_text(self) -> str:
        """Everything a central planner reads about the present."""

    def history_state_text(self) -> str:
        """The compact state a history records for this step."""

    def task_state(self) -> TaskState:
        """A copy of the typed task state (what experts and memory read)."""

    def goal(self) -> Goal:
        """The task's goal: ``surface()``, ``progress()``, ``verify()``."""

    @property
    def status(self) -> StatusBase: ...

    @property
    def step_count(self) -> int: ...

    @property
    def step_limit(self) -> int: ...

    @property
    def last_feedback(self) -> StepFeedback | None: ...

    def check(self, plan: Mapping[str, Any]) -> list[RefusedEntry]:
        """The entries ``apply`` would refuse now; nothing changes."""

    def apply(self, plan: Mapping[str, Any]) -> StepFeedback:
        """Execute one joint plan as one step."""

    def reset(self, seed: int | None = None, options: dict | None = None) -> Any: ...

    def step_record(self) -> dict[str, Any]:
        """What a run record keeps of the state after a step beyond the text planners read
        (3D envs: ``perceived_state`` and ``true_state``); empty for the 2D tasks."""
        ...

    def snapshot(self) -> dict[str, Any]:
        """The current instance as JSON-ready data."""
