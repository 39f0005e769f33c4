"""Warehouse's typed state and the text planners read, computed from it alone."""

from __future__ import annotations

from dataclasses import dataclass

from colony.envs.state import TaskState

Slot = tuple[float, int]  # (row between tracks, e.g. 1.5; column)
TARGET = "target"


@dataclass
class Transporter:
    track: int | None  # None while in the target area
    column: int
    carrying: Slot | None = None

    @property
    def in_target(self) -> bool:
        return self.track is None


def slot_name(slot: Slot) -> str:
    return f"box_{float(slot[0])}_{float(slot[1])}"


@dataclass
class WarehouseState(TaskState):
    """Tracks and columns, the boxes still in their slots, and every transporter (``agent<i>``)."""

    tracks: int
    columns: int
    boxes: set[Slot]
    transporters: list[Transporter]

    def __post_init__(self) -> None:
        # Names and the layout never change within an episode.
        self._index = {f"agent{i}": i for i in range(len(self.transporters))}
        self._slots = [(i + 0.5, j) for i in range(self.tracks - 1) for j in range(self.columns)]

    @property
    def agents(self) -> list[str]:
        return list(self._index)

    def agent_position(self, agent: str) -> tuple[float, float]:
        """(track, column); the target area, left of column 0, counts as track -1."""
        transporter = self.transporters[self._index[agent]]
        return (-1.0 if transporter.in_target else float(transporter.track), float(transporter.column))

    def resolve_agent(self, key: str) -> str | None:
        name = key.strip().lower()
        return name if name in self._index else None

    def transporter(self, agent: str) -> Transporter:
        return self.transporters[self._index[agent]]

    @property
    def slots(self) -> list[Slot]:
        """Every place a box can be, row by row."""
        return list(self._slots)

    def boxes_left(self) -> int:
        return len(self.boxes) + sum(t.carrying is not None for t in self.transporters)

    def pickable(self, t: Transporter) -> list[Slot]:
        if t.in_target or t.carrying is not None:
            return []
        return [slot for slot in ((t.track - 0.5, t.column), (t.track + 0.5, t.column)) if slot in self.boxes]

    def _legal_actions(self, agent: str) -> list[str]:
        t = self.transporter(agent)
        if t.in_target:
            return [f"move to track_{k}" for k in range(self.tracks)]
        actions = []
        if t.column > 0:
            actions.append("move left")
        if t.column < self.columns - 1:
            actions.append("move right")
        if t.column == 0:
            actions.append("move to target")
        return actions + [f"pick {slot_name(slot)}" for slot in self.pickable(t)]

    def observation_text(self, agent: str) -> str:
        t = self.transporter(agent)
        actions = "; ".join(self.legal_actions(agent))
        if t.in_target:
            return f"I am {agent}, I am in target now, I can do: {actions}."
        load = ("I am having box on myself so can not pick more box now" if t.carrying is not None
                else "I am not having box on myself so can pick one box")
        return f"I am {agent}, I am in track_{t.track} and column_{t.column}, {load}. I can do: {actions}."

    def central_state_text(self) -> str:
        boxes = ", ".join(slot_name(slot) for slot in self.slots if slot in self.boxes)
        lines = "".join(self.observation_text(agent) + "\n" for agent in self.agents)
        return (f"The states and actions of available agents are: \n"
                f"The left boxes and their locations in the warehouse are: {boxes}.\n{lines}")

    def history_state_text(self) -> str:
        agents = {name: TARGET if t.in_target else [t.track, t.column, int(t.carrying is not None)]
                  for name, t in zip(self.agents, self.transporters)}
        return f"{agents}, left boxes: {[slot_name(slot) for slot in self.slots if slot in self.boxes]}"
