"""The pure BoxLift simulator (no PettingZoo, no LLM, no rendering); spec in ``env.py``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from colony.envs.feedback import FailedLift, RefusalReason, RefusedEntry, StepFeedback
from colony.envs.rules import BoxLiftRules, load_rules
from colony.envs.world import InvalidSize, World


@dataclass(frozen=True)
class Box:
    name: str
    volume: float
    weight: float  # hidden from planners


@dataclass(frozen=True)
class Lifter:
    name: str
    capacity: float


def unique_names(pattern: str, values: list[float]) -> list[str]:
    """``box[3.0V]``, ``box[3.0V#2]``, ...: equal values get a running suffix."""
    seen: dict[float, int] = {}
    names = []
    for value in values:
        seen[value] = seen.get(value, 0) + 1
        suffix = "" if seen[value] == 1 else f"#{seen[value]}"
        names.append(pattern.format(value=value, suffix=suffix))
    return names


def _literal_pattern(text: str) -> str:
    """A regex matching ``text`` exactly, written so grammar converters (llama.cpp) keep it literal:
    a dot becomes ``[.]`` rather than ``\\.``."""
    return "".join("[.]" if c == "." else f"\\{c}" if c in "[](){}*+?^$|\\" else c for c in text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


class BoxLiftWorld(World):
    task = "boxlift"

    def __init__(self, volumes: list[float], weights: list[float], capacities: list[float],
                 lifted: list[bool] | None = None, *, step_limit: int | None = None) -> None:
        self.rules: BoxLiftRules = load_rules().boxlift
        self.check_size(len(capacities), len(volumes))
        if len(weights) != len(volumes):
            raise ValueError("boxlift: one weight per box is needed")
        super().__init__(step_limit=step_limit or self.rules.step_limit.for_agents(len(capacities)))
        box_names = unique_names("box[{value}V{suffix}]", volumes)
        lifter_names = unique_names("agent[{value}W{suffix}]", capacities)
        self.boxes = [Box(n, float(v), float(w)) for n, v, w in zip(box_names, volumes, weights)]
        self.lifters = [Lifter(n, float(c)) for n, c in zip(lifter_names, capacities)]
        self.lifted = list(lifted) if lifted is not None else [False] * len(self.boxes)
        self._box_by_key = {_squash(box.name): box for box in self.boxes}
        self._lifter_by_key = {_squash(lifter.name): lifter for lifter in self.lifters}

    @classmethod
    def check_size(cls, lifters: int, boxes: int) -> None:
        if lifters < 1 or boxes < 1:
            raise InvalidSize(f"{cls.task}: needs at least one lifter and one box, got {lifters} lifters and {boxes} boxes")

    # --- generation ----------------------------------------------------------------------
    @classmethod
    def parse_size(cls, label: str) -> dict[str, int]:
        match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", str(label))
        if not match:
            raise InvalidSize(f"{cls.task}: size {label!r} is not LIFTERSxBOXES (e.g. 4x10)")
        lifters, boxes = int(match.group(1)), int(match.group(2))
        cls.check_size(lifters, boxes)
        return {"lifters": lifters, "boxes": boxes}

    @classmethod
    def format_size(cls, lifters: int, boxes: int) -> str:
        return f"{lifters}x{boxes}"

    @classmethod
    def generate(cls, rng: np.random.Generator, lifters: int, boxes: int, step_limit: int | None = None) -> BoxLiftWorld:
        """Volumes and capacities from their grids; weight = volume + noise (planners never see it)."""
        cls.check_size(lifters, boxes)
        rules = load_rules().boxlift
        volumes = [float(v) for v in rng.choice(rules.volume.values(), size=boxes)]
        weights = []
        for volume in volumes:
            noise = rng.normal(0.0, rules.weight_noise_fraction * volume)
            if rng.random() < rules.outlier_probability:
                noise += float(rng.choice([-1.0, 1.0])) * rules.outlier_fraction * volume
            weights.append(round(max(rules.min_weight, volume + noise), 1))
        capacities = [float(c) for c in rng.choice(rules.capacity.values(), size=lifters)]
        while sum(capacities) < max(weights):
            capacities = [round(c + rules.capacity_raise_step, 6) for c in capacities]
        return cls(volumes, weights, capacities, step_limit=step_limit)

    # --- description ---------------------------------------------------------------------
    @property
    def agents(self) -> list[str]:
        return [lifter.name for lifter in self.lifters]

    def size_label(self) -> str:
        return f"{len(self.lifters)}x{len(self.boxes)}"

    def boxes_remaining(self) -> list[Box]:
        return [box for box, gone in zip(self.boxes, self.lifted) if not gone]

    def boxes_left(self) -> int:
        return len(self.boxes_remaining())

    def plan_keys(self) -> list[str]:
        return [box.name for box in self.boxes_remaining()]

    def _legal_actions(self, agent: str) -> list[str]:
        """A lifter may join the lifting of any box that is left."""
        return self.plan_keys()

    def observation_text(self, agent: str) -> str:
        lifter = self._lifter_by_key[_squash(agent)]
        return f"{lifter.name}: has lifting capacity {lifter.capacity}W"

    def state_text(self) -> str:
        return ", ".join(self.plan_keys()) + "."

    def central_state_text(self) -> str:
        return (f"The left boxes in the warehouse are: {self.state_text()}\n"
                f"The available lifting agents in the warehouse are: {', '.join(self.agents)}.\n")

    def plan_example(self) -> str:
        return '{"box[1.7V]":"agent[1.5W]", "box[3.0V]":"agent[1.5W], agent[2.5W]"}'

    def resolve_agent(self, key: str) -> str | None:
        lifter = self._lifter_by_key.get(_squash(key))
        return lifter.name if lifter else None

    def plan_agents(self, plan: Mapping[str, Any]) -> list[str]:
        """The lifters named in a plan's teams."""
        named = set()
        for team in plan.values():
            names = team if isinstance(team, list) else str(team).split(",")
            named |= {self.resolve_agent(str(name)) for name in names}
        return [agent for agent in self.agents if agent in named]

    def plan_schema(self) -> dict[str, Any]:
        """Each box left maps to a comma-separated team of distinct-looking lifter names."""
        lifter = "(" + "|".join(_literal_pattern(name) for name in self.agents) + ")"
        team = {"type": "string", "pattern": f"^{lifter}(, {lifter})*$"}
        return {"type": "object", "properties": {box: team for box in self.plan_keys()}, "additionalProperties": False}

    # --- PettingZoo view -----------------------------------------------------------------
    def action_catalogue(self, agent: str) -> list[str | None]:
        return [None] + [box.name for box in self.boxes]

    def observation_vector(self, agent: str) -> np.ndarray:
        """Own capacity, then the volume of every box slot (0 once lifted)."""
        lifter = self._lifter_by_key[_squash(agent)]
        volumes = [0.0 if gone else box.volume for box, gone in zip(self.boxes, self.lifted)]
        return np.array([lifter.capacity] + volumes, dtype=np.float32)

    def plan_from_choices(self, choices: Mapping[str, str]) -> dict[str, str]:
        plan: dict[str, list[str]] = {}
        for lifter, box in choices.items():
            plan.setdefault(box, []).append(lifter)
        return {box: ", ".join(lifters) for box, lifters in plan.items()}

    # --- dynamics ------------------------------------------------------------------------
    def _validate(self, plan: Mapping[str, Any]) -> tuple[list, list[RefusedEntry]]:
        refused: list[RefusedEntry] = []
        entries = []
        order = {box.name: index for index, box in enumerate(self.boxes)}
        for key, value in plan.items():
            box = self._box_by_key.get(_squash(str(key)))
            if box is None or self.lifted[order[box.name]]:
                refused.append(RefusedEntry(str(key), str(value), RefusalReason.UNKNOWN_KEY,
                                            f"{key} is not in the current warehouse"))
            else:
                entries.append((order[box.name], box, value))
        entries.sort(key=lambda entry: entry[0])
        accepted: list[tuple[str, str, tuple[Lifter, ...]]] = []
        busy: dict[str, str] = {}
        for _, box, value in entries:
            verdict = self._judge(box, value, busy)
            if isinstance(verdict, RefusedEntry):
                refused.append(verdict)
            else:
                accepted.append((box.name, ", ".join(lifter.name for lifter in verdict), verdict))
                busy.update({lifter.name: box.name for lifter in verdict})
        return accepted, refused

    def _judge(self, box: Box, value: Any, busy: dict[str, str]) -> tuple[Lifter, ...] | RefusedEntry:
        names = value if isinstance(value, list) else str(value).split(",") if isinstance(value, str) else None
        text = str(value)
        if not names or not all(isinstance(name, str) and name.strip() for name in names):
            return RefusedEntry(box.name, text, RefusalReason.MALFORMED_ACTION,
                                'name the lifters as a comma-separated string, like "agent[1.5W], agent[2.5W]"')
        lifters = []
        for name in names:
            lifter = self._lifter_by_key.get(_squash(name))
            if lifter is None:
                return RefusedEntry(box.name, text, RefusalReason.ILLEGAL_ACTION, f"{name.strip()} is not in the current warehouse")
            if lifter in lifters:
                return RefusedEntry(box.name, text, RefusalReason.ILLEGAL_ACTION, f"{lifter.name} is named twice for {box.name}")
            if lifter.name in busy:
                return RefusedEntry(box.name, text, RefusalReason.CONFLICT,
                                    f"{lifter.name} already lifts {busy[lifter.name]} this step; each lifter can be used only once in each step")
            lifters.append(lifter)
        return tuple(lifters)

    def _execute(self, accepted: list[tuple[str, str, tuple[Lifter, ...]]], feedback: StepFeedback) -> None:
        index = {box.name: i for i, box in enumerate(self.boxes)}
        for box_name, _, lifters in accepted:
            box = self.boxes[index[box_name]]
            if round(sum(lifter.capacity for lifter in lifters), 6) >= box.weight:
                self.lifted[index[box_name]] = True
                feedback.removed.append(f"{box.name} lifted")
            else:
                feedback.failed_lifts.append(FailedLift(box.name, tuple(lifter.name for lifter in lifters)))

    # --- persistence ---------------------------------------------------------------------
    def _state_dict(self) -> dict[str, Any]:
        return {"volumes": [b.volume for b in self.boxes], "weights": [b.weight for b in self.boxes],
                "capacities": [lifter.capacity for lifter in self.lifters], "lifted": list(self.lifted)}

    @classmethod
    def _from_state_dict(cls, data: Mapping[str, Any]) -> BoxLiftWorld:
        return cls(list(data["volumes"]), list(data["weights"]), list(data["capacities"]),
                   list(data.get("lifted") or []) or None, step_limit=int(data["step_limit"]))
