"""The contract every pure task simulator fulfils.

A ``World`` holds one episode's state and rules. It knows nothing of PettingZoo, LLMs or
pictures: it generates an instance from a numpy ``Generator``, describes itself in the
paper's text, lists legal actions, and applies joint plans, returning typed feedback.
All entries of a plan are checked against the state at the start of the step, in the
world's canonical order (never the plan's key order), then executed together.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from colony.envs.feedback import Collision, EpisodeStatus, RefusedEntry, StepFeedback


class EpisodeOver(RuntimeError):
    """Raised when a plan is applied to a world whose episode has already ended."""


class InvalidSize(ValueError):
    """A task size that cannot make a sensible instance (names the size and why)."""


class World(ABC):
    task: ClassVar[str]

    def __init__(self, *, step_limit: int) -> None:
        if step_limit < 1:
            raise ValueError(f"step_limit must be at least 1, got {step_limit}")
        self.step_limit = step_limit
        self.step_count = 0
        self.status = EpisodeStatus.RUNNING
        self.last_feedback: StepFeedback | None = None
        self._legal_cache: dict[str, list[str]] = {}

    # --- description -------------------------------------------------------------------
    @property
    @abstractmethod
    def agents(self) -> list[str]:
        """The agents' names as planners write them, in canonical order."""

    @abstractmethod
    def size_label(self) -> str:
        """The size as a user writes it (``2x4``, ``6x14``, ``4``)."""

    def legal_actions(self, agent: str) -> list[str]:
        """The action strings ``agent`` may be given now, in the paper's order (cached per step)."""
        cached = self._legal_cache.get(agent)
        if cached is None:
            cached = self._legal_cache[agent] = self._legal_actions(agent)
        return list(cached)

    def is_legal(self, agent: str, action: str) -> bool:
        if agent not in self._legal_cache:
            self.legal_actions(agent)
        return action in self._legal_cache[agent]

    @abstractmethod
    def _legal_actions(self, agent: str) -> list[str]: ...

    @abstractmethod
    def observation_text(self, agent: str) -> str:
        """The agent's own line in the paper's wording."""

    @abstractmethod
    def state_text(self) -> str:
        """The compact state the paper records as ``State i`` in the history."""

    def central_state_text(self) -> str:
        """Everything a central planner reads about the present: every agent's line."""
        return "".join(self.observation_text(agent) + "\n" for agent in self.agents)

    @abstractmethod
    def boxes_left(self) -> int: ...

    @abstractmethod
    def plan_example(self) -> str:
        """The paper's plan format, as one JSON example."""

    def plan_keys(self) -> list[str]:
        """The keys a plan may have (agents; BoxLift plans are keyed by box)."""
        return list(self.agents)

    def resolve_agent(self, key: str) -> str | None:
        """The canonical agent name a plan key means, or None."""
        return key if key in self.agents else None

    def plan_agents(self, plan: Mapping[str, Any]) -> list[str]:
        """The agents a plan gives something to do, in canonical order."""
        named = {self.resolve_agent(str(key)) for key in plan}
        return [agent for agent in self.agents if agent in named]

    def plan_schema(self) -> dict[str, Any]:
        """A JSON schema admitting exactly the plans made of legal entries now."""
        properties = {agent: {"type": "string", "enum": legal} for agent in self.agents
                      if (legal := self.legal_actions(agent))}
        return {"type": "object", "properties": properties, "additionalProperties": False}

    def prompt_facts(self) -> dict[str, Any]:
        """Numbers some prompt texts mention (e.g. the warehouse's tracks and columns)."""
        return {}

    # --- the PettingZoo-facing view ------------------------------------------------------
    @abstractmethod
    def action_catalogue(self, agent: str) -> list[str | None]:
        """A fixed enumeration of the agent's actions for a ``Discrete`` space.

        Index 0 is ``None`` (do nothing); the length depends only on the size.
        """

    @abstractmethod
    def observation_vector(self, agent: str) -> np.ndarray:
        """A numeric observation (float32) of fixed length for the agent."""

    def plan_from_choices(self, choices: Mapping[str, str]) -> dict[str, str]:
        """Turn per-agent action strings into this task's plan dict."""
        return dict(choices)

    # --- dynamics ----------------------------------------------------------------------
    @abstractmethod
    def _validate(self, plan: Mapping[str, Any]) -> tuple[list[tuple[str, str, Any]], list[RefusedEntry]]:
        """Split a plan into accepted ``(key, canonical action, parsed)`` and refused entries."""

    @abstractmethod
    def _execute(self, accepted: list[tuple[str, str, Any]], feedback: StepFeedback) -> None:
        """Apply accepted entries together; record removals, failed lifts, collisions."""

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
        feedback = StepFeedback(
            step=self.step_count + 1,
            accepted={key: action for key, action, _ in accepted},
            refused=refused,
            boxes_before=self.boxes_left(),
        )
        self._execute(accepted, feedback)
        self._legal_cache.clear()
        self.step_count += 1
        feedback.boxes_after = self.boxes_left()
        if feedback.collisions:
            feedback.status = EpisodeStatus.COLLISION
        elif feedback.boxes_after == 0:
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
        return {
            "task": self.task,
            "size": self.size_label(),
            "step_limit": self.step_limit,
            "step_count": self.step_count,
            "status": self.status.value,
            **self._state_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> World:
        if data.get("task") != cls.task:
            raise ValueError(f"this is a {data.get('task')!r} instance, not a {cls.task!r} one")
        world = cls._from_state_dict(data)
        world.step_count = int(data.get("step_count", 0))
        world.status = EpisodeStatus(data.get("status", EpisodeStatus.RUNNING.value))
        return world

    @classmethod
    @abstractmethod
    def _from_state_dict(cls, data: Mapping[str, Any]) -> World: ...


def _require_mapping(plan: Any) -> None:
    if not isinstance(plan, Mapping):
        raise TypeError(f"a plan is a mapping of key -> action string, got {type(plan).__name__}")


def collisions_by_place(occupancy: Mapping[str, list[str]]) -> list[Collision]:
    """Every place holding two or more occupants, as collisions (in the mapping's order)."""
    return [Collision(place, tuple(who)) for place, who in occupancy.items() if len(who) > 1]


Judgement = tuple[str, Any] | RefusedEntry  # (canonical action, parsed payload) or a refusal


def validate_agent_plan(
    plan: Mapping[str, Any],
    agents: list[str],
    resolve_agent: Any,
    judge: Any,
    example_action: str,
) -> tuple[list[tuple[str, str, Any]], list[RefusedEntry]]:
    """Shared validation for plans keyed by agent (BoxNet1, BoxNet2, Warehouse).

    ``resolve_agent(key)`` returns the canonical agent name or None; ``judge(agent, value,
    claims)`` returns ``(canonical, parsed)`` or a :class:`RefusedEntry`, and may record in
    ``claims`` (shared across the plan) what the entry uses, to refuse a later conflicting
    entry. Entries are judged in canonical agent order, so key order never matters.
    """
    from colony.envs.feedback import RefusalReason

    order = {agent: index for index, agent in enumerate(agents)}
    refused: list[RefusedEntry] = []
    entries: list[tuple[int, str, str, str]] = []
    for key, value in plan.items():
        agent = resolve_agent(str(key))
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
