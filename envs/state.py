"""The typed task state: what planners may know about a task at one moment.

Each task declares one ``TaskState`` subclass, a dataclass of plain data (cells and
items, lifters and box volumes, tracks and transporters) with the text views planners
read as methods computed from that data only: the agents, each agent's legal actions
and observation line, the central state and the compact state the history records. The
world holds its state as such an object and the planning surface hands out copies; a
state estimated from camera frames (``perception/``) is built as the same class, so it
renders exactly the same text and is checked by the same rules.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class TaskState(ABC):
    @property
    @abstractmethod
    def agents(self) -> list[str]:
        """The agents' text names, in the task's canonical order."""

    @abstractmethod
    def resolve_agent(self, key: str) -> str | None:
        """The canonical agent name ``key`` means (tolerating spacing and case), or None."""

    def legal_actions(self, agent: str) -> list[str]:
        """The action strings ``agent`` may be given now, in the paper's order (cached until ``changed``)."""
        return list(self._legal(agent))

    def is_legal(self, agent: str, action: str) -> bool:
        return action in self._legal(agent)

    def _legal(self, agent: str) -> list[str]:
        cache = self.__dict__.get("_legal_cache")
        if cache is None:
            cache = self.__dict__["_legal_cache"] = {}
        actions = cache.get(agent)
        if actions is None:
            actions = cache[agent] = self._legal_actions(agent)
        return actions

    def memo(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()`` once until the data changes (``changed``)."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def changed(self) -> None:
        """Forget cached views after the data changed."""
        self.__dict__.pop("_memo", None)
        self.__dict__.pop("_legal_cache", None)

    def snapshot(self) -> TaskState:
        """An independent copy (planners may keep or alter it without touching the world)."""
        return copy.deepcopy(self)

    @abstractmethod
    def _legal_actions(self, agent: str) -> list[str]: ...

    @abstractmethod
    def observation_text(self, agent: str) -> str:
        """The agent's own line in the paper's wording."""

    def central_state_text(self) -> str:
        """Everything a central planner reads about the present: by default every agent's line."""
        return "".join(self.observation_text(agent) + "\n" for agent in self.agents)

    def agent_facts(self, agent: str) -> dict:
        """What a memory records about ``agent`` at a decision (Crafter: inventory, vitals, position); plain data."""
        return {}

    def achieved_goals(self, agent: str) -> set[str]:
        """The goals (named as in the task's memory declaration) ``agent`` has reached; empty where untracked."""
        return set()

    def agent_position(self, agent: str) -> tuple[float, float] | None:
        """Where ``agent`` is, for range-limited messages; None for tasks without positions (BoxLift)."""
        return None

    def missing_prerequisites(self, agent: str, goal: str) -> list[str]:
        """What ``agent`` still lacks for ``goal`` (a memory's goal name), from the task's recipe table; [] if nothing or unknown."""
        return []

    @abstractmethod
    def history_state_text(self) -> str:
        """The compact state the paper records as ``State i`` in the history."""
