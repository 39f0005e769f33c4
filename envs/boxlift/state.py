"""BoxLift's typed state and the text planners read, computed from it alone.

Planners see box volumes and lifter capacities; the true weights stay in the world.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from colony.envs.state import TaskState


@dataclass(frozen=True)
class VisibleBox:
    name: str
    volume: float


@dataclass(frozen=True)
class Lifter:
    name: str
    capacity: float


_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    """A name with spacing and case removed, for tolerant lookups."""
    return _SPACES.sub("", text).lower()


@dataclass
class BoxLiftState(TaskState):
    """The boxes still to lift (in box order) and every lifter."""

    boxes: list[VisibleBox]
    lifters: list[Lifter]

    def __post_init__(self) -> None:
        self._lifters = {squash(lifter.name): lifter for lifter in self.lifters}  # lifters never change

    @property
    def agents(self) -> list[str]:
        return [lifter.name for lifter in self.lifters]

    def lifter(self, key: str) -> Lifter | None:
        return self._lifters.get(squash(str(key)))

    def box(self, key: str) -> VisibleBox | None:
        """A box that is left, by name (tolerating spacing and case)."""
        return self.memo("boxes", lambda: {squash(box.name): box for box in self.boxes}).get(squash(str(key)))

    def resolve_agent(self, key: str) -> str | None:
        lifter = self.lifter(key)
        return lifter.name if lifter else None

    def box_names(self) -> list[str]:
        return list(self.memo("box_names", lambda: [box.name for box in self.boxes]))

    def _legal_actions(self, agent: str) -> list[str]:
        """A lifter may join the lifting of any box that is left."""
        return self.box_names()

    def observation_text(self, agent: str) -> str:
        lifter = self.lifter(agent)
        return f"{lifter.name}: has lifting capacity {lifter.capacity}W"

    def history_state_text(self) -> str:
        return ", ".join(self.box_names()) + "."

    def central_state_text(self) -> str:
        return (f"The left boxes in the warehouse are: {self.history_state_text()}\n"
                f"The available lifting agents in the warehouse are: {', '.join(self.agents)}.\n")
