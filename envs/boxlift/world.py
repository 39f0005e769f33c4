"""The pure BoxLift simulator (no PettingZoo, no LLM, no rendering); spec in ``env.py``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field

from colony.envs.boxlift.state import BoxLiftState, Lifter, VisibleBox
from colony.envs.feedback import RefusalReason, RefusedEntry, StepFeedback, TaskEvent
from colony.envs.goal import CountdownGoal, Goal
from colony.envs.instance_checks import Problems
from colony.envs.rules import Strict, ValueGrid
from colony.envs.world import InvalidSize, World


class BoxLiftRules(Strict):
    """The ``rules:`` table of BoxLift's task.yaml."""

    volume: ValueGrid
    weight_noise_fraction: float = Field(ge=0)
    outlier_probability: float = Field(ge=0, le=1)
    outlier_fraction: float = Field(ge=0)
    min_weight: float = Field(gt=0)
    capacity: ValueGrid
    capacity_raise_step: float = Field(gt=0)


@dataclass(frozen=True)
class FailedLift(TaskEvent):
    """A team too weak for its box: the box stays where it is."""

    kind = "failed_lift"

    box: str
    lifters: tuple[str, ...]

    def to_text(self) -> str:
        # The paper's environment feedback, verbatim apart from the trailing space.
        return (f"The weight of {self.box} is higher than the summation of lifting capability of "
                f"{' and '.join(self.lifters)}, so it can not be lifted.")


@dataclass(frozen=True)
class Box:
    name: str
    volume: float
    weight: float  # hidden from planners


def unique_names(pattern: str, values: list[float]) -> list[str]:
    """``box[3.0V]``, ``box[3.0V#2]``, ...: equal values get a running suffix."""
    seen: dict[float, int] = {}
    names = []
    for value in values:
        seen[value] = seen.get(value, 0) + 1
        suffix = "" if seen[value] == 1 else f"#{seen[value]}"
        names.append(pattern.format(value=value, suffix=suffix))
    return names


class BoxLiftWorld(World):
    task = "boxlift"
    rules_model = BoxLiftRules

    def __init__(self, volumes: list[float], weights: list[float], capacities: list[float],
                 lifted: list[bool] | None = None, *, step_limit: int | None = None) -> None:
        self.check_size(len(capacities), len(volumes))
        if len(weights) != len(volumes):
            raise ValueError("boxlift: one weight per box is needed")
        volumes, capacities = [float(v) for v in volumes], [float(c) for c in capacities]  # 7 and 7.0: one name
        names = unique_names("box[{value}V{suffix}]", volumes)
        self.boxes = [Box(n, v, float(w)) for n, v, w in zip(names, volumes, weights)]
        self.lifted = list(lifted) if lifted is not None else [False] * len(self.boxes)
        lifters = [Lifter(n, c) for n, c in zip(unique_names("agent[{value}W{suffix}]", capacities), capacities)]
        self.state: BoxLiftState
        super().__init__(BoxLiftState(self._boxes_left(), lifters), step_limit=step_limit)

    def _boxes_left(self) -> list[VisibleBox]:
        return [VisibleBox(box.name, box.volume) for box, gone in zip(self.boxes, self.lifted) if not gone]

    def make_goal(self) -> Goal:
        return CountdownGoal(self.declaration().goal, "boxes", len(self.state.boxes), lambda: len(self.state.boxes))

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
    def generate(cls, rng: np.random.Generator, step_limit: int | None = None, *, lifters: int, boxes: int) -> BoxLiftWorld:
        """Volumes and capacities from their grids; weight = volume + noise (planners never see it)."""
        cls.check_size(lifters, boxes)
        rules = cls.task_rules()
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

    def size_label(self) -> str:
        return self.format_size(len(self.state.lifters), len(self.boxes))

    # --- PettingZoo view -----------------------------------------------------------------
    def action_catalogue(self, agent: str) -> list[str | None]:
        return [None] + [box.name for box in self.boxes]

    def observation_vector(self, agent: str) -> np.ndarray:
        """Own capacity, then the volume of every box slot (0 once lifted)."""
        lifter = self.state.lifter(agent)
        volumes = [0.0 if gone else box.volume for box, gone in zip(self.boxes, self.lifted)]
        return np.array([lifter.capacity] + volumes, dtype=np.float32)

    # --- dynamics ------------------------------------------------------------------------
    def _validate(self, plan: Mapping[str, Any]) -> tuple[list, list[RefusedEntry]]:
        refused: list[RefusedEntry] = []
        entries = []
        order = {box.name: index for index, box in enumerate(self.boxes)}
        for key, value in plan.items():
            box = self.state.box(str(key))
            if box is None:
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

    def _judge(self, box: VisibleBox, value: Any, busy: dict[str, str]) -> tuple[Lifter, ...] | RefusedEntry:
        names = value if isinstance(value, list) else str(value).split(",") if isinstance(value, str) else None
        text = str(value)
        if not names or not all(isinstance(name, str) and name.strip() for name in names):
            return RefusedEntry(box.name, text, RefusalReason.MALFORMED_ACTION,
                                'name the lifters as a comma-separated string, like "agent[1.5W], agent[2.5W]"')
        lifters: list[Lifter] = []
        for name in names:
            lifter = self.state.lifter(name)
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
                feedback.achieved.append(f"{box.name} lifted")
            else:
                feedback.events.append(FailedLift(box.name, tuple(lifter.name for lifter in lifters)))
        self.state.boxes = self._boxes_left()

    # --- persistence ---------------------------------------------------------------------
    def _state_dict(self) -> dict[str, Any]:
        return {"volumes": [b.volume for b in self.boxes], "weights": [b.weight for b in self.boxes],
                "capacities": [lifter.capacity for lifter in self.state.lifters], "lifted": list(self.lifted)}

    @classmethod
    def _from_state_dict(cls, data: Mapping[str, Any], problems: Problems, step_limit: int | None) -> BoxLiftWorld:
        def positive(field: str) -> list[float]:
            values = [problems.number(v, f"{field}[{i}]", minimum=1e-9, expected="a positive number")
                      for i, v in enumerate(problems.sequence(data.get(field), field))]
            if not values:
                problems.add(field, data.get(field), "a non-empty list of positive numbers")
            return [v for v in values if v is not None]

        volumes, weights, capacities = positive("volumes"), positive("weights"), positive("capacities")
        lifted = data.get("lifted") or [False] * len(volumes)
        if not isinstance(lifted, list) or not all(isinstance(flag, bool) for flag in lifted):
            problems.add("lifted", lifted, "a list of true/false, one per box")
        for field, values in (("weights", weights), ("lifted", lifted)):
            if isinstance(values, list) and len(values) != len(volumes):
                problems.add(field, values, f"one entry per box ({len(volumes)} volumes)")
        problems.raise_if_any(cls.task)
        heaviest = max((w for w, gone in zip(weights, lifted) if not gone), default=0.0)
        if sum(capacities) < heaviest:
            problems.add("capacities", capacities, f"together at least the heaviest box's weight {heaviest}, "
                                                   "or the episode can never be won")
        problems.raise_if_any(cls.task)
        return cls(volumes, weights, capacities, lifted, step_limit=step_limit)
