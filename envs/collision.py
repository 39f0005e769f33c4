"""Collisions: two or more things on one place after a step, which ends the episode as failed.

Shared by every task whose agents or objects can collide (BoxNet2's boxes on a corner,
Warehouse's agents on a track cell); a task reports them as :class:`Collision` events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from colony.envs.feedback import StatusBase, TaskEvent


class CollisionStatus(StatusBase):
    COLLISION = "collision"


@dataclass(frozen=True)
class Collision(TaskEvent):
    kind = "collision"
    ends_episode = CollisionStatus.COLLISION

    place: str
    occupants: tuple[str, ...]

    def to_text(self) -> str:
        return f"Collision at {self.place}: {', '.join(self.occupants)}."


def collisions_by_place(occupancy: Mapping[str, list[str]]) -> list[Collision]:
    """Every place holding two or more occupants, as collisions (in the mapping's order)."""
    return [Collision(place, tuple(who)) for place, who in occupancy.items() if len(who) > 1]
