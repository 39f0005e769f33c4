"""The pure Warehouse simulator (no PettingZoo, no LLM, no rendering); spec in ``env.py``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field

from colony.envs.collision import collisions_by_place
from colony.envs.feedback import RefusalReason, RefusedEntry, StepFeedback
from colony.envs.goal import CountdownGoal, Goal
from colony.envs.instance_checks import Problems
from colony.envs.rules import Strict
from colony.envs.warehouse.state import Slot, Transporter, WarehouseState, slot_name
from colony.envs.world import InvalidSize, Judgement, World, validate_agent_plan

_PICK = re.compile(r"^\s*pick\s+box_(\d+(?:\.\d+)?)_(\d+(?:\.\d+)?)\s*$", re.IGNORECASE)
_TRACK = re.compile(r"^\s*move\s+to\s+track_(\d+)\s*$", re.IGNORECASE)
_SIMPLE = {"move left": "move left", "move right": "move right", "move to target": "move to target"}


class WarehouseRules(Strict):
    """The ``rules:`` table of Warehouse's task.yaml."""

    tracks: int = Field(ge=2)
    columns: int = Field(ge=1)
    box_probability: float = Field(gt=0, le=1)


class WarehouseWorld(World):
    task = "warehouse"
    rules_model = WarehouseRules

    def __init__(self, tracks: int, columns: int, boxes: list[Slot], transporters: list[Transporter],
                 *, step_limit: int | None = None) -> None:
        self.check_size(len(transporters), tracks, columns)
        self.state: WarehouseState
        state = WarehouseState(tracks, columns, {(float(r), int(c)) for r, c in boxes}, list(transporters))
        super().__init__(state, step_limit=step_limit)

    def make_goal(self) -> Goal:
        return CountdownGoal(self.declaration().goal, "boxes", self.state.boxes_left(), self.state.boxes_left)

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
        rules = cls.task_rules()
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
        rules = cls.task_rules()
        tracks, columns = tracks or rules.tracks, columns or rules.columns
        if (tracks, columns) == (rules.tracks, rules.columns):
            return str(agents)
        return f"{tracks}x{columns}x{agents}"

    @classmethod
    def generate(cls, rng: np.random.Generator, step_limit: int | None = None, *, agents: int,
                 tracks: int | None = None, columns: int | None = None) -> WarehouseWorld:
        """Each slot holds a box with the rule's probability (redrawn if all are empty);
        agents start on distinct places: a track cell or one of ``columns`` places in the target area."""
        rules = cls.task_rules()
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

    def size_label(self) -> str:
        return self.format_size(len(self.state.transporters), self.state.tracks, self.state.columns)

    # --- PettingZoo view -----------------------------------------------------------------
    def action_catalogue(self, agent: str) -> list[str | None]:
        return ([None, "move left", "move right", "move to target"]
                + [f"move to track_{k}" for k in range(self.state.tracks)]
                + [f"pick {slot_name(slot)}" for slot in self.state.slots])

    def observation_vector(self, agent: str) -> np.ndarray:
        """In target, track, column, carrying; then every slot's occupancy; then other agents' places."""
        def place(t: Transporter) -> list[float]:
            return [float(t.in_target), -1.0 if t.in_target else float(t.track), float(t.column)]

        me = self.state.transporter(agent)
        others = [value for t in self.state.transporters if t is not me for value in place(t)]
        slots = [float(slot in self.state.boxes) for slot in self.state.slots]
        return np.array(place(me) + [float(me.carrying is not None)] + slots + others, dtype=np.float32)

    # --- dynamics ------------------------------------------------------------------------
    def _validate(self, plan: Mapping[str, Any]) -> tuple[list, list[RefusedEntry]]:
        return validate_agent_plan(plan, self.state, self._judge, "move left")

    @staticmethod
    def _parse(value: str) -> str | None:
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
        if not self.state.is_legal(agent, action):
            return RefusedEntry(agent, value, RefusalReason.ILLEGAL_ACTION, self._why_illegal(agent, action))
        if action.startswith("pick"):
            if action in claims:
                return RefusedEntry(agent, value, RefusalReason.CONFLICT, f"{action[5:]} is already picked by {claims[action]} this step")
            claims[action] = agent
        return action, action

    def _why_illegal(self, agent: str, action: str) -> str:
        t = self.state.transporter(agent)
        where = "in target" if t.in_target else f"in track_{t.track} and column_{t.column}"
        if action.startswith("move to track_"):
            k = int(action.rsplit("_", 1)[1])
            return f"track_{k} does not exist" if k >= self.state.tracks else f"{agent} is {where}; only an agent in target can move to a track"
        if action == "move to target":
            return f"{agent} is {where}; only column_0 leads to the target"
        if action in ("move left", "move right"):
            return f"{agent} is {where} and cannot {action}"
        if t.carrying is not None:
            return f"{agent} already has one box on it"
        return f"{agent} is {where}; {action[5:]} is not a box next to it"

    def _execute(self, accepted: list[tuple[str, str, str]], feedback: StepFeedback) -> None:
        state = self.state
        for agent, action, _ in accepted:
            t = state.transporter(agent)
            if action == "move left":
                t.column -= 1
            elif action == "move right":
                t.column += 1
            elif action == "move to target":
                t.track = None
                if t.carrying is not None:
                    feedback.achieved.append(f"{slot_name(t.carrying)} delivered by {agent}")
                    t.carrying = None
            elif action.startswith("move to track_"):
                t.track, t.column = int(action.rsplit("_", 1)[1]), 0
            else:  # pick
                slot = next(s for s in state.pickable(t) if slot_name(s) == action[5:])
                state.boxes.remove(slot)
                t.carrying = slot
        occupancy: dict[str, list[str]] = {}
        for name, t in zip(state.agents, state.transporters):
            if not t.in_target:
                occupancy.setdefault(f"track_{t.track} column_{t.column}", []).append(name)
        feedback.events += collisions_by_place(occupancy)

    # --- persistence ---------------------------------------------------------------------
    def _state_dict(self) -> dict[str, Any]:
        state = self.state
        return {"tracks": state.tracks, "columns": state.columns,
                "boxes": [[r, c] for r, c in state.slots if (r, c) in state.boxes],
                "agents": [{"track": t.track, "column": t.column, "carrying": list(t.carrying) if t.carrying else None}
                           for t in state.transporters]}

    @classmethod
    def _from_state_dict(cls, data: Mapping[str, Any], problems: Problems, step_limit: int | None) -> WarehouseWorld:
        tracks, columns = problems.integer(data, "tracks", minimum=2), problems.integer(data, "columns", minimum=1)
        if tracks is None or columns is None:
            problems.raise_if_any(cls.task)
        slots = [(i + 0.5, j) for i in range(tracks - 1) for j in range(columns)]
        where = f"a slot between tracks: row 0.5 .. {tracks - 1.5}, column 0 .. {columns - 1}"

        def slot(value: Any, field: str) -> Slot | None:
            if not isinstance(value, list) or len(value) != 2:
                problems.add(field, value, f"[row, column], {where}")
                return None
            row = problems.number(value[0], f"{field}[0]", expected=where)
            column = problems.whole(value[1], f"{field}[1]", expected=where)
            if row is None or column is None:
                return None
            if (row, column) not in slots:
                problems.add(field, value, where)
                return None
            return row, column

        boxes: list[Slot] = []
        for index, value in enumerate(problems.sequence(data.get("boxes"), "boxes")):
            found = slot(value, f"boxes[{index}]")
            if found in boxes:
                problems.add(f"boxes[{index}]", value, "each slot once")
            elif found is not None:
                boxes.append(found)
        transporters: list[Transporter] = []
        places: dict[tuple[int, int], int] = {}
        for index, agent in enumerate(problems.sequence(data.get("agents"), "agents")):
            field = f"agents[{index}]"
            if not isinstance(agent, Mapping):
                problems.add(field, agent, "a mapping with track, column and carrying")
                continue
            track = None if agent.get("track") is None else problems.whole(
                agent["track"], f"{field}.track", minimum=0, maximum=tracks - 1)
            column = problems.whole(agent.get("column"), f"{field}.column", minimum=0, maximum=columns - 1)
            carrying = None if agent.get("carrying") is None else slot(agent["carrying"], f"{field}.carrying")
            if carrying is not None and carrying in boxes:
                problems.add(f"{field}.carrying", agent["carrying"], "a box that is no longer in its slot")
            if track is not None and column is not None:
                if (track, column) in places:
                    problems.add(field, agent, f"a free place; agent{places[(track, column)]} is already there")
                places[(track, column)] = index
            transporters.append(Transporter(track, column if track is not None else 0, carrying))
        if not transporters:
            problems.add("agents", data.get("agents"), "at least one agent")
        try:
            cls.check_size(len(transporters), tracks, columns)
        except InvalidSize as error:
            problems.add("agents", len(transporters), str(error))
        problems.raise_if_any(cls.task)
        return cls(tracks, columns, boxes, transporters, step_limit=step_limit)
