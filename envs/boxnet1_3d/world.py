"""BoxNet1 in 3D: the 2D world's rules over a PyBullet table, with perception closing the loop.

The 2D world (:class:`BoxNet1World`) decides what is legal, judged on the *perceived*
state; the physics decides what happened: each accepted move is carried out by the
square's robot (``TableScene.carry``), which may fail to grasp or place the box off its
mark. After the step the true state is read from the physics (where the boxes really
are) and the perceived state from a camera frame (``perception/tabletop.py``); both keep
the 2D world's item order (``reconcile``), so with every error at zero and exact
perception they equal the 2D world's state after the same plans. A box moved onto its
target disappears with it only if it really came to rest on the disc.

A world that has not been set up (no scene yet) behaves exactly like the 2D world: the
env sets it up when it binds it, with its physics settings and a seeded generator.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from colony.envs import grid
from colony.envs.boxnet1.state import BoxNet1State
from colony.envs.boxnet1.world import BoxNet1World
from colony.envs.feedback import StepFeedback, TaskEvent
from colony.envs.goal import CountdownGoal, Goal
from colony.envs.grid import Cell, Move
from colony.envs.physics import (BOX, CELL, DISC, SLOTS, Physics3D, SceneWorld, TableScene, Thing, cell_of_point,
                                 slot_point)
from colony.perception.tabletop import TabletopPerceiver, reconcile


@dataclass(frozen=True)
class RobotEvent(TaskEvent):
    """What the physics did differently from the plan."""

    kind = "robot"

    agent: str
    detail: str

    def to_text(self) -> str:
        return f"{self.agent}: {self.detail}"


@dataclass
class BoxNet1State3D(BoxNet1State):
    """The perceived state: the 2D state plus what perception could not tell for sure."""

    uncertain: dict[Cell, list[str]] = field(default_factory=dict)

    def observation_text(self, agent: str) -> str:
        text = super().observation_text(agent)
        notes = self.uncertain.get(self.cell_of(agent))
        return text + (f" (uncertain: {'; '.join(notes)})" if notes else "")


class BoxNet1World3D(SceneWorld, BoxNet1World):
    task = "boxnet1_3d"

    def __init__(self, rows: int, cols: int, cells: Any, *, step_limit: int | None = None) -> None:
        super().__init__(rows, cols, cells, step_limit=step_limit)
        self.scene: TableScene | None = None
        self.perceiver: TabletopPerceiver | None = None
        self.true_items = {cell: list(items) for cell, items in self.state.items.items()}
        self.settings = Physics3D()
        self.rng = np.random.default_rng(0)

    def make_goal(self) -> Goal:
        return CountdownGoal(self.declaration().goal, "boxes", self._true_boxes(), self._true_boxes)

    def _true_boxes(self) -> int:
        items = self.__dict__.get("true_items") or self.state.items  # (the goal is made before true_items exists)
        return sum(item.startswith("box_") for things in items.values() for item in things)

    # --- the scene -------------------------------------------------------------------------------
    def setup(self, settings: Physics3D, rng: np.random.Generator) -> None:
        """Build the scene from the state (item i of a square in slot i) and perceive it."""
        self.close()
        self.settings, self.rng = settings, rng
        cells = self.state.rows * self.state.cols
        self.scene = TableScene(self.state.rows, self.state.cols, (320, 240) if cells <= 8 else (640, 480))
        self.scene.use_robot(settings.robot)
        for cell, items in self.true_items.items():
            for slot, item in enumerate(items):
                kind, colour = item.split("_", 1)
                point = slot_point(cell, slot % (SLOTS * SLOTS))
                if kind == "box":
                    self.scene.add_box(colour, point, settings.mass)
                else:
                    self.scene.add_target(colour, point)
        self.scene.settle(30)
        self.perceiver = (settings.describer.table_perceiver(self.scene) if settings.perception == "vlm"
                          else TabletopPerceiver(self.scene, settings.perception))
        self._read({}, {})

    # --- a step ---------------------------------------------------------------------------------
    def _execute(self, accepted: list[tuple[str, str, Move]], feedback: StepFeedback) -> None:
        if self.scene is None:
            super()._execute(accepted, feedback)
            self.true_items = {cell: list(items) for cell, items in self.state.items.items()}
            return
        moved_out: dict[Cell, list[str]] = {}
        moved_in: dict[Cell, list[str]] = {}
        reserved: set[tuple[Cell, int]] = set()
        for agent, _, move in accepted:
            cell = self.state.cell_of(agent)
            box = self._find(cell, "box", move.colour)
            if box is None:
                feedback.events.append(RobotEvent(agent, f"found no box_{move.colour} in {grid.square_name(cell)}"))
                continue
            target = self._find(cell, "target", move.colour) if move.target is not None else None
            if move.target is not None and target is None:
                feedback.events.append(RobotEvent(agent, f"found no target_{move.colour} in {grid.square_name(cell)}"))
                continue
            destination = self.scene.position(target)[:2] if target else self._free_slot(move.square, reserved)
            if not self.scene.carry(box, destination, self.rng, self.settings.grasp_failure,
                                    self.settings.placement_noise):
                feedback.events.append(RobotEvent(agent, f"the grasp of box_{move.colour} failed; it stayed in "
                                                         f"{grid.square_name(cell)}"))
                continue
            moved_out.setdefault(cell, []).append(f"box_{move.colour}")
            if target is not None:
                if self._on(box, target):
                    self.scene.remove(box)
                    self.scene.remove(target)
                    moved_out[cell].append(f"target_{move.colour}")
                    feedback.achieved.append(f"box_{move.colour} matched target_{move.colour} in "
                                             f"{grid.square_name(cell)}")
                else:
                    moved_in.setdefault(cell, []).append(f"box_{move.colour}")
                    feedback.events.append(RobotEvent(agent, f"box_{move.colour} came to rest off target_{move.colour}"))
            else:
                moved_in.setdefault(move.square, []).append(f"box_{move.colour}")
        self._read(moved_out, moved_in)

    def _read(self, moved_out: dict[Cell, list[str]], moved_in: dict[Cell, list[str]]) -> None:
        """The true state from the physics, the perceived one from a camera frame."""
        truth = TabletopPerceiver(self.scene, "oracle").perceive()
        seen = self.perceiver.perceive() if self.settings.perception != "oracle" else truth
        cells = list(self.state.items)
        self.true_items = {c: reconcile(self.true_items.get(c, []), truth.items.get(c, Counter()), moved_out.get(c, []),
                                        moved_in.get(c, [])) for c in cells}
        perceived = {c: reconcile(self.state.items.get(c, []),
                                  None if grid.cell_key(c) in seen.unread else seen.items.get(c, Counter()),
                                  moved_out.get(c, []), moved_in.get(c, [])) for c in cells}
        self.state = BoxNet1State3D(self.state.rows, self.state.cols, perceived, dict(seen.uncertain))

    def _find(self, cell: Cell, kind: str, colour: str) -> Thing | None:
        """A thing of that kind and colour really lying in ``cell`` (the first in slot order)."""
        found = [t for t in self.scene.things if t.kind == kind and t.colour == colour
                 and cell_of_point(*self.scene.position(t)[:2]) == cell]
        return min(found, key=lambda t: self._slot(cell, self.scene.position(t)[:2])) if found else None

    @staticmethod
    def _slot(cell: Cell, point: tuple[float, float]) -> int:
        step = CELL / SLOTS
        col = min(SLOTS - 1, max(0, int((point[0] - cell[1] * CELL) / step)))
        row = min(SLOTS - 1, max(0, int((-point[1] - cell[0] * CELL) / step)))
        return row * SLOTS + col

    def _free_slot(self, cell: Cell, reserved: set[tuple[Cell, int]]) -> tuple[float, float]:
        taken = {self._slot(cell, self.scene.position(t)[:2]) for t in self.scene.things
                 if cell_of_point(*self.scene.position(t)[:2]) == cell}
        for slot in range(SLOTS * SLOTS):
            if slot not in taken and (cell, slot) not in reserved:
                reserved.add((cell, slot))
                return slot_point(cell, slot)
        return slot_point(cell, 0)  # a full square: the box lands on the first slot's pile

    def _on(self, box: Thing, target: Thing) -> bool:
        (bx, by, _), (tx, ty, _) = self.scene.position(box), self.scene.position(target)
        return math.hypot(bx - tx, by - ty) <= DISC + BOX / 4 and self.scene.tilt(box) < 20

    def true_state_text(self) -> str:
        return repr({grid.cell_key(cell): items for cell, items in self.true_items.items()})
