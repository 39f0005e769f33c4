"""The contract every pure task simulator fulfils.

A ``World`` holds one episode: its typed :class:`~colony.envs.state.TaskState` (what
planners may know), anything hidden from planners (BoxLift's true weights), the step
count and status, and the task's goal. It knows nothing of PettingZoo, LLMs or
pictures: it generates an instance from a numpy ``Generator``, applies joint plans and
returns typed feedback. All entries of a plan are checked against the state at the start
of the step, in the task's canonical order (never the plan's key order), then executed
together. Whether an episode succeeded is the goal's verdict; how it failed is a
task-declared event's.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel

from colony.envs.feedback import (EpisodeStatus, RefusalReason, RefusedEntry, StatusBase, StepFeedback,
                                  status_from_value)
from colony.envs.errors import EpisodeOver, InvalidSize  # noqa: F401 (re-exported for the task worlds)
from colony.envs.goal import Goal
from colony.envs.instance_checks import InstanceError, Problems
from colony.envs.rules import TaskDeclaration, load_declaration
from colony.envs.state import TaskState


class World(ABC):
    task: ClassVar[str]
    rules_model: ClassVar[type[BaseModel]]

    def __init__(self, state: TaskState, *, step_limit: int | None) -> None:
        limit = step_limit if step_limit is not None else self.declaration().step_limit.for_agents(len(state.agents))
        if limit < 1:
            raise ValueError(f"step_limit must be at least 1, got {limit}")
        self.state = state
        self.step_limit = limit
        self.step_count = 0
        self.status: StatusBase = EpisodeStatus.RUNNING
        self.last_feedback: StepFeedback | None = None
        self._goal = self.make_goal()

    # --- the declaration (task.yaml beside the world) ---------------------------------------
    @classmethod
    def declaration(cls) -> TaskDeclaration:
        return load_declaration(cls.__module__.rpartition(".")[0], cls.rules_model)

    @classmethod
    def task_rules(cls) -> Any:
        """The task's own rules (the ``rules:`` table of its task.yaml, typed)."""
        return cls.declaration().rules

    # --- sizes and generation ----------------------------------------------------------------
    @classmethod
    @abstractmethod
    def parse_size(cls, label: str) -> dict[str, int]:
        """``'2x4'`` -> the size fields (``{"rows": 2, "cols": 4}``); InvalidSize otherwise."""

    @classmethod
    @abstractmethod
    def format_size(cls, **fields: int) -> str: ...

    @classmethod
    @abstractmethod
    def generate(cls, rng: np.random.Generator, step_limit: int | None = None, **size: int) -> World: ...

    @abstractmethod
    def size_label(self) -> str:
        """The size as a user writes it (``2x4``, ``6x14``, ``4``)."""

    # --- description (all read from the typed state) -------------------------------------------
    @property
    def agents(self) -> list[str]:
        return self.state.agents

    def legal_actions(self, agent: str) -> list[str]:
        return self.state.legal_actions(agent)

    def active_agents(self) -> list[str]:
        """The agents still in the game (all of them, unless the task lets agents die)."""
        return self.state.agents

    def observation_text(self, agent: str) -> str:
        return self.state.observation_text(agent)

    def central_state_text(self) -> str:
        return self.state.central_state_text()

    def history_state_text(self) -> str:
        return self.state.history_state_text()

    @abstractmethod
    def make_goal(self) -> Goal:
        """The task's goal over this world (built once per episode)."""

    def goal(self) -> Goal:
        return self._goal

    # --- the PettingZoo-facing view ------------------------------------------------------
    @abstractmethod
    def action_catalogue(self, agent: str) -> list[str | None]:
        """A fixed enumeration of the agent's actions for a ``Discrete`` space.

        Index 0 is ``None`` (do nothing); the length depends only on the size.
        """

    @abstractmethod
    def observation_vector(self, agent: str) -> np.ndarray:
        """A numeric observation (float32) of fixed length for the agent."""

    # --- dynamics ----------------------------------------------------------------------
    @abstractmethod
    def _validate(self, plan: Mapping[str, Any]) -> tuple[list[tuple[str, str, Any]], list[RefusedEntry]]:
        """Split a plan into accepted ``(key, canonical action, parsed)`` and refused entries."""

    @abstractmethod
    def _execute(self, accepted: list[tuple[str, str, Any]], feedback: StepFeedback) -> None:
        """Apply accepted entries together, changing ``self.state``; record events and achievements."""

    def check(self, plan: Mapping[str, Any]) -> list[RefusedEntry]:
        """The entries of ``plan`` that would be refused now (nothing changes)."""
        _require_mapping(plan)
        return self._validate(plan)[1]

    def apply(self, plan: Mapping[str, Any]) -> StepFeedback:
        """Execute one joint plan as one environment step."""
        if self.status.is_over:
            raise EpisodeOver(f"the {self.task} episode has ended ({self.status.value}); reset before applying a plan")
        _require_mapping(plan)
        accepted, refused = self._validate(plan)
        feedback = StepFeedback(step=self.step_count + 1, accepted={key: action for key, action, _ in accepted},
                                refused=refused, before=self._goal.progress())
        self._execute(accepted, feedback)
        self.state.changed()
        self.step_count += 1
        feedback.after = self._goal.progress()
        ending = next((event.ends_episode for event in feedback.events if event.ends_episode is not None), None)
        if ending is not None:
            feedback.status = ending
        elif self._goal.verify():
            feedback.status = EpisodeStatus.SUCCESS
        elif self.step_count >= self.step_limit:
            feedback.status = EpisodeStatus.STEP_LIMIT
        self.status = feedback.status
        self.last_feedback = feedback
        return feedback

    # --- persistence -------------------------------------------------------------------
    @abstractmethod
    def _state_dict(self) -> dict[str, Any]: ...

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot; ``from_dict`` restores an equal world."""
        return {"task": self.task, "size": self.size_label(), "step_limit": self.step_limit,
                "step_count": self.step_count, "status": self.status.value, **self._state_dict()}

    @classmethod
    def from_dict(cls, data: Any) -> World:
        """A world from an instance file's data, every field checked (``InstanceError`` names each problem)."""
        if not isinstance(data, Mapping):
            raise InstanceError(cls.task, [f"(top level): an instance is a mapping of fields, got {type(data).__name__}"])
        if data.get("task") != cls.task:
            raise InstanceError(cls.task, [f"task: this is a {data.get('task')!r} instance, not a {cls.task!r} one"])
        problems = Problems()
        step_limit = problems.integer(data, "step_limit", minimum=1, required=False)
        step_count = problems.integer(data, "step_count", minimum=0, required=False) or 0
        status = EpisodeStatus.RUNNING
        if "status" in data:
            try:
                status = status_from_value(str(data["status"]))
            except ValueError as error:
                problems.add("status", data["status"], str(error))
        world = cls._from_state_dict(data, problems, step_limit)
        problems.raise_if_any(cls.task)
        if "size" in data and str(data["size"]) != world.size_label():
            problems.add("size", data["size"], f"the instance's own fields make it {world.size_label()!r}")
        if step_count > world.step_limit:
            problems.add("step_count", step_count, f"at most the step limit, {world.step_limit}")
        problems.raise_if_any(cls.task)
        world.step_count = step_count
        world.status = status
        return world

    @classmethod
    @abstractmethod
    def _from_state_dict(cls, data: Mapping[str, Any], problems: Problems, step_limit: int | None) -> World:
        """Check the task's fields (recording each problem) and build the world; on a problem
        return any world of the right class or raise ``problems.stop``."""


def _require_mapping(plan: Any) -> None:
    if not isinstance(plan, Mapping):
        raise TypeError(f"a plan is a mapping of key -> action string, got {type(plan).__name__}")


Judgement = tuple[str, Any] | RefusedEntry  # (canonical action, parsed payload) or a refusal


def validate_agent_plan(
    plan: Mapping[str, Any],
    state: TaskState,
    judge: Callable[[str, str, dict], Judgement],
    example_action: str,
) -> tuple[list[tuple[str, str, Any]], list[RefusedEntry]]:
    """Shared validation for plans keyed by agent (BoxNet1, BoxNet2, Warehouse).

    ``judge(agent, value, claims)`` returns ``(canonical, parsed)`` or a :class:`RefusedEntry`,
    and may record in ``claims`` (shared across the plan) what the entry uses, to refuse a
    later conflicting entry. Entries are judged in canonical agent order, so key order never
    matters; two keys naming one agent (whatever their spacing) are a conflict.
    """
    agents = state.agents
    order = {agent: index for index, agent in enumerate(agents)}
    refused: list[RefusedEntry] = []
    entries: list[tuple[int, str, str, str]] = []
    for key, value in plan.items():
        agent = state.resolve_agent(str(key))
        if agent is None:
            refused.append(RefusedEntry(str(key), str(value), RefusalReason.UNKNOWN_KEY,
                                        f"{key!r} is not an agent here; agents are named like {agents[0]}"))
        elif not isinstance(value, str):
            refused.append(RefusedEntry(str(key), str(value), RefusalReason.MALFORMED_ACTION,
                                        f"an action is a string like {example_action!r}"))
        else:
            entries.append((order[agent], agent, str(key), value))
    entries.sort(key=lambda entry: entry[0])
    accepted: list[tuple[str, str, Any]] = []
    claims: dict[Any, str] = {}
    seen: set[str] = set()
    for _, agent, key, value in entries:
        if agent in seen:
            refused.append(RefusedEntry(key, value, RefusalReason.CONFLICT,
                                        f"{agent} already has an action in this plan; one action per agent and step"))
            continue
        seen.add(agent)
        verdict = judge(agent, value, claims)
        if isinstance(verdict, RefusedEntry):
            refused.append(verdict)
        else:
            accepted.append((agent, verdict[0], verdict[1]))
    return accepted, refused
