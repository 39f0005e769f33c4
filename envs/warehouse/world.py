"""The pure Warehouse simulator (no PettingZoo, no LLM, no rendering); spec in ``env.py``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from colony.envs.feedback import RefusalReason, RefusedEntry, StepFeedback
from colony.envs.rules import load_rules
from colony.envs.world import InvalidSize, Judgement, World, collisions_by_place, validate_agent_plan

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


_PICK = re.compile(r"^\s*pick\s+box_(\d+(?:\.\d+)?)_(\d+(?:\.\d+)?)\s*$", re.IGNORECASE)
_TRACK = re.compile(r"^\s*move\s+to\s+track_(\d+)\s*$", re.IGNORECASE)
_SIMPLE = {"move left": "move left", "move right": "move right", "move to target": "move to target"}


class WarehouseWorld(World):
    task = "warehouse"

    def __init__(self, tracks: int, columns: int, boxes: list[Slot], transporters: list[Transporter],
                 *, step_limit: int | None = None) -> None:
        rules = load_rules().warehouse
        self.check_size(len(transporters), tracks, columns)
        super().__init__(step_limit=step_limit or rules.step_limit.for_agents(len(transporters)))
        self.tracks, self.columns = tracks, columns
        self.slots: list[Slot] = [(i + 0.5, j) for i in range(tracks - 1) for j in range(columns)]
        self.boxes: set[Slot] = {(float(r), int(c)) for r, c in boxes}
        self.transporters = transporters
        self._agents = [f"agent{i}" for i in range(len(transporters))]
        self._index = {name: i for i, name in enumerate(self._agents)}

    @classmethod
    def check_size(cls, agents: int, tracks: int, columns: int) -> None:
        if tracks < 2 or columns < 1:
            raise InvalidSize(f"{cls.task}: needs at least 2 tracks (boxes lie between tracks) and 1 column, got {tracks}x{columns}")
        if not 1 <= agents <= (tracks + 1) * columns:
            raise InvalidSize(f"{cls.task}: agents start on distinct places, of which a {tracks}x{columns} warehouse has "
                              f"{(tracks + 1) * columns}; got {agents} agents")

    # --- generation ----------------------------------------------------------------------
    @classmethod
    def parse_size(cls, label: str) -> dict[str, int]:
        """``4`` (agents, reference warehouse) or ``TRACKSxCOLUMNSxAGENTS``."""
        rules = load_rules().warehouse
        text = str(label).strip()
        if re.fullmatch(r"\d+", text):
            size = {"agents": int(text), "tracks": rules.tracks, "columns": rules.columns}
        elif match := re.fullmatch(r"(\d+)\s*[xX]\s*(\d+)\s*[xX]\s*(\d+)", text):
            size = {"tracks": int(match.group(1)), "columns": int(match.group(2)), "agents": int(match.group(3))}
        else:
            raise InvalidSize(f"{cls.task}: size {label!r} is not AGENTS (e.g. 4) or TRACKSxCOLUMNSxAGENTS (e.g. 3x5x8)")
        cls.check_size(size["agents"], size["tracks"], size["columns"])
        return size

    @classmethod
    def format_size(cls, agents: int, tracks: int | None = None, columns: int | None = None) -> str:
        rules = load_rules().warehouse
        tracks, columns = tracks or rules.tracks, columns or rules.columns
        if (tracks, columns) == (rules.tracks, rules.columns):
            return str(agents)
        return f"{tracks}x{columns}x{agents}"

    @classmethod
    def generate(cls, rng: np.random.Generator, agents: int, tracks: int | None = None, columns: int | None = None,
                 step_limit: int | None = None) -> WarehouseWorld:
        """Each slot holds a box with the rule's probability (redrawn if all are empty);
        agents start on distinct places: a track cell or one of ``columns`` places in the target area."""
        rules = load_rules().warehouse
        tracks, columns = tracks or rules.tracks, columns or rules.columns
        cls.check_size(agents, tracks, columns)
        slots = [(i + 0.5, j) for i in range(tracks - 1) for j in range(columns)]
        boxes: list[Slot] = []
        while not boxes:
            boxes = [slot for slot in slots if rng.random() < rules.box_probability]
        places = rng.choice((tracks + 1) * columns, size=agents, replace=False)
        transporters = [Transporter(None, 0) if p >= tracks * columns else Transporter(int(p) // columns, int(p) % columns)
                        for p in places]
        return cls(tracks, columns, boxes, transporters, step_limit=step_limit)

    # --- description ---------------------------------------------------------------------
    @property
    def agents(self) -> list[str]:
        return self._agents

    def size_label(self) -> str:
        return self.format_size(len(self.transporters), self.tracks, self.columns)

    def boxes_left(self) -> int:
        return len(self.boxes) + sum(t.carrying is not None for t in self.transporters)

    def _pickable(self, t: Transporter) -> list[Slot]:
        if t.in_target or t.carrying is not None:
            return []
        return [slot for slot in ((t.track - 0.5, t.column), (t.track + 0.5, t.column)) if slot in self.boxes]

    def _legal_actions(self, agent: str) -> list[str]:
        t = self.transporters[self._index[agent]]
        if t.in_target:
            return [f"move to track_{k}" for k in range(self.tracks)]
        actions = []
        if t.column > 0:
            actions.append("move left")
        if t.column < self.columns - 1:
            actions.append("move right")
        if t.column == 0:
            actions.append("move to target")
        return actions + [f"pick {slot_name(slot)}" for slot in self._pickable(t)]

    def observation_text(self, agent: str) -> str:
        t = self.transporters[self._index[agent]]
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

    def state_text(self) -> str:
        agents = {name: TARGET if t.in_target else [t.track, t.column, int(t.carrying is not None)]
                  for name, t in zip(self.agents, self.transporters)}
        return f"{agents}, left boxes: {[slot_name(slot) for slot in self.slots if slot in self.boxes]}"

    def plan_example(self) -> str:
        return '{"agent0":"move left", "agent1":"move to track_1", "agent2":"pick box_1.5_1.0", "agent3":"move to target"}'

    # --- PettingZoo view -----------------------------------------------------------------
    def action_catalogue(self, agent: str) -> list[str | None]:
        return ([None, "move left", "move right", "move to target"]
                + [f"move to track_{k}" for k in range(self.tracks)]
                + [f"pick {slot_name(slot)}" for slot in self.slots])

    def observation_vector(self, agent: str) -> np.ndarray:
        """In target, track, column, carrying; then every slot's occupancy; then other agents' places."""
        def place(t: Transporter) -> list[float]:
            return [float(t.in_target), -1.0 if t.in_target else float(t.track), float(t.column)]

        me = self.transporters[self._index[agent]]
        others = [value for t in self.transporters if t is not me for value in place(t)]
        slots = [float(slot in self.boxes) for slot in self.slots]
        return np.array(place(me) + [float(me.carrying is not None)] + slots + others, dtype=np.float32)

    # --- dynamics ------------------------------------------------------------------------
    def resolve_agent(self, key: str) -> str | None:
        name = key.strip().lower()
        return name if name in self._index else None

    def prompt_facts(self) -> dict[str, Any]:
        return {"tracks": self.tracks, "columns": self.columns}

    def _validate(self, plan: Mapping[str, Any]) -> tuple[list, list[RefusedEntry]]:
        return validate_agent_plan(plan, self.agents, self.resolve_agent, self._judge, "move left")

    def _parse(self, value: str) -> str | None:
        squashed = " ".join(value.split()).lower()
        if squashed in _SIMPLE:
            return _SIMPLE[squashed]
        if match := _TRACK.match(value):
            return f"move to track_{int(match.group(1))}"
        if match := _PICK.match(value):
            return f"pick {slot_name((float(match.group(1)), int(float(match.group(2)))))}"
        return None

    def _judge(self, agent: str, value: str, claims: dict) -> Judgement:
        action = self._parse(value)
        if action is None:
            return RefusedEntry(agent, value, RefusalReason.MALFORMED_ACTION,
                                'actions are "move left", "move right", "move to target", "move to track_<k>", "pick box_<row>_<column>"')
        if not self.is_legal(agent, action):
            return RefusedEntry(agent, value, RefusalReason.ILLEGAL_ACTION, self._why_illegal(agent, action))
        if action.startswith("pick"):
            if action in claims:
                return RefusedEntry(agent, value, RefusalReason.CONFLICT, f"{action[5:]} is already picked by {claims[action]} this step")
            claims[action] = agent
        return action, action

    def _why_illegal(self, agent: str, action: str) -> str:
        t = self.transporters[self._index[agent]]
        where = "in target" if t.in_target else f"in track_{t.track} and column_{t.column}"
        if action.startswith("move to track_"):
            k = int(action.rsplit("_", 1)[1])
            return f"track_{k} does not exist" if k >= self.tracks else f"{agent} is {where}; only an agent in target can move to a track"
        if action == "move to target":
            return f"{agent} is {where}; only column_0 leads to the target"
        if action in ("move left", "move right"):
            return f"{agent} is {where} and cannot {action}"
        if t.carrying is not None:
            return f"{agent} already has one box on it"
        return f"{agent} is {where}; {action[5:]} is not a box next to it"

    def _execute(self, accepted: list[tuple[str, str, str]], feedback: StepFeedback) -> None:
        for agent, action, _ in accepted:
            t = self.transporters[self._index[agent]]
            if action == "move left":
                t.column -= 1
            elif action == "move right":
                t.column += 1
            elif action == "move to target":
                t.track = None
                if t.carrying is not None:
                    feedback.removed.append(f"{slot_name(t.carrying)} delivered by {agent}")
                    t.carrying = None
            elif action.startswith("move to track_"):
                t.track, t.column = int(action.rsplit("_", 1)[1]), 0
            else:  # pick
                slot = next(s for s in self._pickable(t) if slot_name(s) == action[5:])
                self.boxes.remove(slot)
                t.carrying = slot
        occupancy: dict[str, list[str]] = {}
        for name, t in zip(self.agents, self.transporters):
            if not t.in_target:
                occupancy.setdefault(f"track_{t.track} column_{t.column}", []).append(name)
        feedback.collisions = collisions_by_place(occupancy)

    # --- persistence ---------------------------------------------------------------------
    def _state_dict(self) -> dict[str, Any]:
        return {"tracks": self.tracks, "columns": self.columns,
                "boxes": [[r, c] for r, c in self.slots if (r, c) in self.boxes],
                "agents": [{"track": t.track, "column": t.column,
                            "carrying": list(t.carrying) if t.carrying else None} for t in self.transporters]}

    @classmethod
    def _from_state_dict(cls, data: Mapping[str, Any]) -> WarehouseWorld:
        transporters = [Transporter(a["track"], int(a["column"]),
                                    (float(a["carrying"][0]), int(a["carrying"][1])) if a.get("carrying") else None)
                        for a in data["agents"]]
        boxes = [(float(r), int(c)) for r, c in data["boxes"]]
        return cls(int(data["tracks"]), int(data["columns"]), boxes, transporters, step_limit=int(data["step_limit"]))
