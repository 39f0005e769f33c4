"""BoxNet2 in 3D: boxes on the corners of a PyBullet table's grid, targets in its squares.

The 2D world (:class:`BoxNet2World`) judges a plan on the perceived state; each accepted
move is carried out by the square's gripper (``TableScene.carry``): a box goes to another
corner of the square, or onto its target disc, where both disappear if it really came to
rest on it. A box carried to a corner where a box already stands is set down beside it
(``set_down_point``: the next free spot around the corner point, inside the grid first),
never on top, so the camera sees both. Boxes are read at the lattice corner nearest to
where they lie, targets in their square. Two boxes on one corner - in the physics, not in
the plan - is the task's collision and ends the episode. With every error at zero and exact
perception the perceived text equals the 2D world's after the same plans, collision steps
included (the lists keep the 2D order, ``reconcile``).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

from colony.envs import grid
from colony.envs.boxnet1_3d.world import RobotEvent
from colony.envs.boxnet2.state import BoxNet2State
from colony.envs.boxnet2.world import BoxNet2World
from colony.envs.collision import collisions_by_place
from colony.envs.feedback import StepFeedback
from colony.envs.goal import CountdownGoal, Goal
from colony.envs.grid import Cell, Corner, Move
from colony.envs.physics import BOX, CELL, DISC, Physics3D, SceneWorld, TableScene, Thing, cell_of_point, slot_point
from colony.perception.tabletop import TabletopPerceiver, reconcile

TARGET_SLOTS = (12, 7, 11, 13, 17, 6, 8, 16, 18)  # the middle of a square, away from its corners
SPOT = BOX + 0.01  # metres between the spots around a corner where boxes are set down side by side


def corner_point(corner: Corner) -> tuple[float, float]:
    return (corner[1] * CELL, -corner[0] * CELL)


def corner_of_point(x: float, y: float) -> Corner:
    return (round(-y / CELL), round(x / CELL))


def set_down_point(corner: Corner, boxes: list[tuple[float, float]], rows: int, cols: int) -> tuple[float, float]:
    """Where the gripper sets a box down at ``corner``: the corner point, or, where a box already stands
    (``boxes``: where the others lie), the first free spot around it, a box's width and a gap away - spots
    inside the grid before those on or beyond its edge, along the grid lines before diagonally: side by
    side, still nearest to that corner, both in the camera's view. Every spot taken: the corner point."""
    x, y = corner_point(corner)

    def inside(d: tuple[int, int]) -> bool:
        return 0 < x + d[0] * SPOT < cols * CELL and -rows * CELL < y + d[1] * SPOT < 0

    around = sorted(((dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dx, dy) != (0, 0)),
                    key=lambda d: (not inside(d), d[0] != 0 and d[1] != 0))
    for dx, dy in [(0, 0), *around]:
        spot = (x + dx * SPOT, y + dy * SPOT)
        if all(max(abs(spot[0] - bx), abs(spot[1] - by)) >= SPOT - 0.005 for bx, by in boxes):
            return spot
    return (x, y)


class BoxNet2World3D(SceneWorld, BoxNet2World):
    task = "boxnet2_3d"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scene: TableScene | None = None
        self.true_targets = {cell: list(items) for cell, items in self.state.targets.items()}
        self.true_boxes = {corner: list(items) for corner, items in self.state.boxes.items()}
        self.settings = Physics3D()
        self.rng = np.random.default_rng(0)
        self.perceiver: TabletopPerceiver | None = None

    def make_goal(self) -> Goal:
        return CountdownGoal(self.declaration().goal, "boxes", self._true_boxes(), self._true_boxes)

    def _true_boxes(self) -> int:
        boxes = self.__dict__.get("true_boxes") or self.state.boxes  # (the goal is made before true_boxes exists)
        return sum(len(items) for items in boxes.values())

    # --- the scene -------------------------------------------------------------------------------
    def setup(self, settings: Physics3D, rng: np.random.Generator) -> None:
        self.close()
        self.settings, self.rng = settings, rng
        rows, cols = self.state.rows, self.state.cols
        self.scene = TableScene(rows, cols, (320, 240) if rows * cols <= 8 else (640, 480))
        self.scene.use_robot(settings.robot)
        for cell, targets in self.true_targets.items():
            for number, target in enumerate(targets):
                self.scene.add_target(target[len("target_"):], slot_point(cell, TARGET_SLOTS[number % len(TARGET_SLOTS)]))
        for corner, boxes in self.true_boxes.items():
            for box in boxes:
                self.scene.add_box(box[len("box_"):], corner_point(corner), settings.mass)
        self.scene.settle(30)
        self.perceiver = (settings.describer.table_perceiver(self.scene, boxes_on_corners=True)
                          if settings.perception == "vlm" else
                          TabletopPerceiver(self.scene, settings.perception, boxes_on_corners=True))
        self._read({}, {}, {})

    # --- a step ---------------------------------------------------------------------------------
    def _execute(self, accepted: list[tuple[str, str, Move]], feedback: StepFeedback) -> None:
        if self.scene is None:
            super()._execute(accepted, feedback)
            self.true_targets = {cell: list(items) for cell, items in self.state.targets.items()}
            self.true_boxes = {corner: list(items) for corner, items in self.state.boxes.items()}
            return
        left: dict[Corner, list[str]] = {}
        arrived: dict[Corner, list[str]] = {}
        matched: dict[Cell, list[str]] = {}
        for agent, _, move in accepted:
            box = self._thing("box", move.colour)
            if box is None:
                feedback.events.append(RobotEvent(agent, f"found no box_{move.colour}"))
                continue
            start = corner_of_point(*self.scene.position(box)[:2])
            target = self._thing("target", move.colour) if move.target is not None else None
            others = [self.scene.position(t)[:2] for t in self.scene.things if t.kind == "box" and t is not box]
            destination = (self.scene.position(target)[:2] if target else
                           set_down_point(move.position, others, self.state.rows, self.state.cols))
            if not self.scene.carry(box, destination, self.rng, self.settings.grasp_failure,
                                    self.settings.placement_noise):
                feedback.events.append(RobotEvent(agent, f"the grasp of box_{move.colour} failed; it stayed at "
                                                         f"{grid.position_name(start)}"))
                continue
            left.setdefault(start, []).append(f"box_{move.colour}")
            if target is not None and self._on(box, target):
                cell = cell_of_point(*self.scene.position(target)[:2])
                self.scene.remove(box)
                self.scene.remove(target)
                matched.setdefault(cell, []).append(f"target_{move.colour}")
                feedback.achieved.append(f"box_{move.colour} matched target_{move.colour} in {grid.square_name(cell)}")
            elif target is not None:
                feedback.events.append(RobotEvent(agent, f"box_{move.colour} came to rest off target_{move.colour}"))
            else:
                arrived.setdefault(move.position, []).append(f"box_{move.colour}")
        self._read(left, arrived, matched)
        feedback.events += collisions_by_place({grid.position_name(c): b for c, b in self.true_boxes.items()})

    def _read(self, left: dict, arrived: dict, matched: dict) -> None:
        """The true state from the physics, the perceived one from a camera frame."""
        truth = TabletopPerceiver(self.scene, "oracle", boxes_on_corners=True).perceive()
        seen = self.perceiver.perceive() if self.settings.perception != "oracle" else truth
        self.true_targets, self.true_boxes = self._lists(truth, self.true_targets, self.true_boxes, left, arrived, matched)
        targets, boxes = self._lists(seen, self.state.targets, self.state.boxes, left, arrived, matched)
        uncertain = dict(seen.uncertain)
        self.state = BoxNet2State3D(self.state.rows, self.state.cols, targets, boxes, uncertain)

    def _lists(self, sighting, targets: dict, boxes: dict, left: dict, arrived: dict, matched: dict):
        target_counts: dict[Cell, Counter] = {}
        box_counts: dict[Corner, Counter] = {}
        for item, x, y in sighting.points:
            if item.startswith("target_"):
                target_counts.setdefault(cell_of_point(x, y), Counter())[item] += 1
            else:
                box_counts.setdefault(corner_of_point(x, y), Counter())[item] += 1
        unread = sighting.unread  # (a describer's places it could not read: left as the moves make them)
        new_targets = {c: reconcile(targets.get(c, []), None if grid.cell_key(c) in unread else
                                    target_counts.get(c, Counter()), matched.get(c, []), []) for c in targets}
        new_boxes = {c: reconcile(boxes.get(c, []), None if grid.corner_key(c) in unread else
                                  box_counts.get(c, Counter()), left.get(c, []), arrived.get(c, [])) for c in boxes}
        return new_targets, new_boxes

    def _thing(self, kind: str, colour: str) -> Thing | None:
        return next((t for t in self.scene.things if t.kind == kind and t.colour == colour), None)

    def _on(self, box: Thing, target: Thing) -> bool:
        (bx, by, _), (tx, ty, _) = self.scene.position(box), self.scene.position(target)
        return math.hypot(bx - tx, by - ty) <= DISC + BOX / 4 and self.scene.tilt(box) < 20

    def true_state_text(self) -> str:
        state = {grid.cell_key(cell): items for cell, items in self.true_targets.items()}
        state.update({grid.corner_key(corner): items for corner, items in self.true_boxes.items()})
        return repr(state)


class BoxNet2State3D(BoxNet2State):
    """The perceived state, with what perception could not tell for sure."""

    def __init__(self, rows: int, cols: int, targets: dict, boxes: dict, uncertain: dict | None = None) -> None:
        super().__init__(rows, cols, targets, boxes)
        self.uncertain = uncertain or {}

    def observation_text(self, agent: str) -> str:
        text = super().observation_text(agent)
        notes = self.uncertain.get(self.cell_of(agent))
        return text + (f" (uncertain: {'; '.join(notes)})" if notes else "")
