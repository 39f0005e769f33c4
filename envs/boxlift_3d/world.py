"""BoxLift in 3D: boxes of real mass on a PyBullet table, lifted by pulls the lifters' capacities limit.

Box ``k`` stands in square ``k`` of the table (row by row, six to a row), a cube whose edge
grows with its volume and whose mass in kilograms is its hidden weight. The 2D world
(:class:`BoxLiftWorld`) judges a plan on the perceived state; for each accepted entry the
named lifters grip the box and pull it up with at most their summed capacity in
kilogram-force: the physics decides whether it rises (and is carried away) or stays - the
paper's "too heavy" feedback then comes from the physics, not from comparing numbers. A
lift whose grasp fails (``grasp_failure``) pulls nothing. Which boxes are still there is
read from a camera frame (``perception/crates.py``); the true state from the physics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from colony.envs.boxlift.state import BoxLiftState, VisibleBox
from colony.envs.boxlift.world import BoxLiftWorld, FailedLift
from colony.envs.boxnet1_3d.world import RobotEvent
from colony.envs.feedback import StepFeedback
from colony.envs.goal import CountdownGoal, Goal
from colony.envs.physics import Physics3D, SceneWorld, TableScene, Thing
from colony.perception.crates import CratePerceiver, edge_of

COLUMNS = 6


@dataclass
class BoxLiftState3D(BoxLiftState):
    """The perceived boxes, with what perception was unsure of (box name -> note)."""

    uncertain: dict[str, str] = field(default_factory=dict)

    def central_state_text(self) -> str:
        text = super().central_state_text()
        notes = "; ".join(f"{name}: {note}" for name, note in self.uncertain.items())
        return text + (f"(uncertain: {notes})\n" if notes else "")


class BoxLiftWorld3D(SceneWorld, BoxLiftWorld):
    task = "boxlift_3d"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scene: TableScene | None = None
        self.crates: dict[int, Thing] = {}
        self.true_lifted = list(self.lifted)
        self.settings = Physics3D()
        self.rng = np.random.default_rng(0)

    def make_goal(self) -> Goal:
        return CountdownGoal(self.declaration().goal, "boxes", self._true_left(), self._true_left)

    def _true_left(self) -> int:
        lifted = self.__dict__.get("true_lifted") or self.lifted  # (the goal is made before true_lifted exists)
        return sum(not gone for gone in lifted)

    def square(self, index: int) -> tuple[int, int]:
        return divmod(index, COLUMNS)

    # --- the scene -------------------------------------------------------------------------------
    def setup(self, settings: Physics3D, rng: np.random.Generator) -> None:
        self.close()
        self.settings, self.rng = settings, rng
        rows, cols = math.ceil(len(self.boxes) / COLUMNS), min(len(self.boxes), COLUMNS)
        self.scene = TableScene(rows, cols, (320, 240) if rows * cols <= 8 else (640, 480))
        self.crates = {}
        for index, (box, gone) in enumerate(zip(self.boxes, self.lifted)):
            if not gone:
                row, col = self.square(index)
                point = ((col + 0.5) * 0.30, -(row + 0.5) * 0.30)
                self.crates[index] = self.scene.add_box("crate", point, mass=box.weight, size=edge_of(box.volume))
        self.scene.settle(30)
        self._read()

    # --- a step ---------------------------------------------------------------------------------
    def _execute(self, accepted: list, feedback: StepFeedback) -> None:
        if self.scene is None:
            super()._execute(accepted, feedback)
            self.true_lifted = list(self.lifted)
            return
        index = {box.name: i for i, box in enumerate(self.boxes)}
        for box_name, _, lifters in accepted:
            number = index[box_name]
            crate = self.crates.get(number)
            if crate is None or crate not in self.scene.things:
                feedback.events.append(RobotEvent(box_name, "the lifters found no box there"))
                continue
            capacity = sum(lifter.capacity for lifter in lifters)
            if self.settings.grasp_failure and self.rng.random() < self.settings.grasp_failure:
                feedback.events.append(RobotEvent(box_name, "the lifters' grasp failed; the box stayed"))
                self.scene.settle(20)
                continue
            if self.scene.lift(crate, capacity + 0.05, self.rng, 0.0):  # +0.05 kg: a pull equal to the weight lifts
                del self.crates[number]
                feedback.achieved.append(f"{box_name} lifted")
            else:
                feedback.events.append(FailedLift(box_name, tuple(lifter.name for lifter in lifters)))
        self._read()

    def _read(self) -> None:
        things = set(self.scene.things)
        self.true_lifted = [number not in self.crates or self.crates[number] not in things
                            for number in range(len(self.boxes))]
        self.lifted = list(self.true_lifted)
        if self.settings.perception == "vlm":
            self.state = self._described()
            return
        sighting = CratePerceiver(self.scene, self.settings.perception,
                                  {thing: self.boxes[n].volume for n, thing in self.crates.items()}).perceive()
        boxes, notes = [], {}
        for number, box in enumerate(self.boxes):
            seen = sighting.present.get(self.square(number))
            if seen is None:
                continue
            boxes.append(VisibleBox(box.name, box.volume))
            if abs(seen - box.volume) > 0.25 * box.volume + 0.5:
                notes[box.name] = f"looks like {seen:.1f}V"
        self.state = BoxLiftState3D(boxes, self.state.lifters, notes)

    def _described(self) -> BoxLiftState3D:
        """The boxes a vision-language model names as still standing; a box it could not tell about stays as
        believed (seen before and not lifted since), reported uncertain."""
        seen = self.settings.describer.read_boxes(self.scene, [(box.name, self.square(n)) for n, box in enumerate(self.boxes)])
        believed = set(self.state.box_names())
        boxes = [VisibleBox(box.name, box.volume) for n, box in enumerate(self.boxes)
                 if (box.name in believed and not self.lifted[n] if box.name in seen.unread else seen.places.get(box.name))]
        notes = {place: "; ".join(texts) for place, texts in seen.notes.items()}
        return BoxLiftState3D(boxes, self.state.lifters, notes)

    def true_state_text(self) -> str:
        return ", ".join(box.name for box, gone in zip(self.boxes, self.true_lifted) if not gone)
