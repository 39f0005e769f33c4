"""Warehouse in 3D: the 2D world's rules over a PyBullet table, carts that drive, perception closing the loop.

The 2D world (:class:`WarehouseWorld`) judges a plan on the *perceived* state; the physics
decides what happened. Every accepted entry is carried out by the agent's cart
(``layout.py`` places everything): ``pick`` has the cart's arm grasp the box of that slot
(``TableScene.carry``: it may close on nothing, ``grasp_failure``) and set it on the
deck (``placement_noise`` on the release point), where it is clamped if it really came to
rest on the deck; the moves (``move left/right``, ``move to target``, ``move to
track_<k>``) drive the carts at once (``TableScene.drive``) to the cart's own lane of the
cell the plan names, or into the target area to the cart's bay; a cart arriving there
with a box sets it down in the drop zone, and the box is delivered (removed) if it came to
rest inside the target area. Then the true state is read from the physics and the
perceived state from a camera frame (``perception/warehouse.py``), both snapped to tracks,
columns and slots (a cart's lane taken off); with ``perception: vlm`` the perceived state is
a vision-language model's reply in the history text's own format (``perception/describer.py``).
Two carts on one track cell in the physics is the task's collision: they stand side by side
in their lanes, each seen by the camera.

What a carried box is called (its slot) is what the cart's arm picked: the robots know
what they picked, the camera only sees that a deck holds a box. A world that has not been
set up behaves exactly like the 2D world.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
import numpy as np

from colony.envs.boxnet1_3d.world import RobotEvent
from colony.envs.collision import collisions_by_place
from colony.envs.feedback import StepFeedback
from colony.envs.goal import CountdownGoal, Goal
from colony.envs.physics import CART, CART_HEIGHT, CELL, Physics3D, SceneWorld, TableScene, Thing
from colony.envs.warehouse.state import Slot, Transporter, WarehouseState, slot_name
from colony.envs.warehouse.world import WarehouseWorld
from colony.envs.warehouse_3d.layout import (AREA_RGB, BOX_EDGE, CART_COLOURS, CART_HUES, REACH, SLOT_RGB,
                                             TARGET_SQUARES, TRACK_RGB, Layout, cart_rgb, deck_height)
from colony.envs.world import InvalidSize
from colony.perception.warehouse import BOXES, WarehousePerceiver, YardSighting

SLOT_TOLERANCE = 0.35 * CELL  # a floor box this near a slot's mark is read in that slot
CARRY_HEIGHT = CART_HEIGHT + 2 * BOX_EDGE + 0.04  # the arm carries a box clear of loaded carts
OFF_PLACE = 0.25  # squares: a cart further than this from its lane in a place is reported uncertain


@dataclass
class WarehouseState3D(WarehouseState):
    """The perceived state: the 2D state plus what perception could not tell for sure (agent or ``boxes`` -> notes)."""

    uncertain: dict[str, list[str]] = field(default_factory=dict)

    def observation_text(self, agent: str) -> str:
        text = super().observation_text(agent)
        notes = self.uncertain.get(agent)
        return text + (f" (uncertain: {'; '.join(notes)})" if notes else "")

    def central_state_text(self) -> str:
        notes = self.uncertain.get(BOXES)
        return super().central_state_text() + (f"(uncertain: {'; '.join(notes)})\n" if notes else "")


def _where(t: Transporter) -> str:
    return "in target" if t.in_target else f"in track_{t.track} and column_{t.column}"


class WarehouseWorld3D(SceneWorld, WarehouseWorld):
    task = "warehouse_3d"

    def __init__(self, tracks: int, columns: int, boxes: list[Slot], transporters: list[Transporter],
                 *, step_limit: int | None = None) -> None:
        super().__init__(tracks, columns, boxes, transporters, step_limit=step_limit)
        self.scene: TableScene | None = None
        self.layout = Layout(tracks, columns)
        self.truth: WarehouseState = self.state.snapshot()
        self.loads = {agent: t.carrying for agent, t in zip(self.state.agents, self.state.transporters)
                      if t.carrying is not None}  # what each cart's arm put on its deck
        self.carts: dict[str, Thing] = {}
        self.settings = Physics3D()
        self.rng = np.random.default_rng(0)
        self.perceiver: WarehousePerceiver | None = None

    @classmethod
    def check_size(cls, agents: int, tracks: int, columns: int) -> None:
        super().check_size(agents, tracks, columns)
        if agents > len(CART_HUES):
            raise InvalidSize(f"{cls.task}: at most {len(CART_HUES)} agents (the camera tells the carts apart by "
                              f"their colours), got {agents}")

    def make_goal(self) -> Goal:
        return CountdownGoal(self.declaration().goal, "boxes", self._true_boxes(), self._true_boxes)

    def _true_boxes(self) -> int:
        """Boxes not yet delivered: every box still in the scene (in a slot, on a deck, or wherever it fell)."""
        if self.__dict__.get("scene") is None:  # (the goal is made before the scene exists)
            return self.state.boxes_left()
        return sum(thing.kind == "box" for thing in self.scene.things)

    # --- the scene -------------------------------------------------------------------------------
    def setup(self, settings: Physics3D, rng: np.random.Generator) -> None:
        """Build the scene from the state (boxes in slots, carts on their cells or in their bays) and perceive it."""
        self.close()
        self.settings, self.rng = settings, rng
        layout, agents = self.layout, len(self.truth.agents)
        small = layout.table_columns <= 7 and layout.tracks <= 4
        resolution = (320, 240) if small else (640, 480)
        scene = self.scene = TableScene(layout.tracks, layout.table_columns, resolution, grid=False)
        bottom = layout.area_bottom(agents)
        scene.patch((TARGET_SQUARES * CELL / 2, bottom / 2), (TARGET_SQUARES * CELL / 2, -bottom / 2), AREA_RGB)
        left, right = TARGET_SQUARES * CELL, layout.table_columns * CELL
        for track in range(layout.tracks):
            scene.patch(((left + right) / 2, layout.y_of(track)), ((right - left) / 2, 0.06), TRACK_RGB)
        for slot in self.truth.slots:
            scene.patch(layout.slot_point(slot), (0.04, 0.04), SLOT_RGB)
        for slot in self.truth.slots:
            if slot in self.truth.boxes:
                scene.add_box("crate", layout.slot_point(slot), settings.mass, BOX_EDGE)
        self.carts = {}
        for index, (agent, t) in enumerate(zip(self.truth.agents, self.truth.transporters)):
            point = layout.bay_point(index) if t.in_target else layout.lane_point(t.track, t.column, index)
            self.carts[agent] = scene.add_cart(agent, cart_rgb(index), point, height=deck_height(index))
            if t.carrying is not None:
                box = scene.add_box("crate", point, settings.mass, BOX_EDGE, surface=deck_height(index))
                scene.settle(10)
                scene.clamp(box, self.carts[agent])
        scene.settle(30)
        hues = {agent: CART_HUES[index] for index, agent in enumerate(self.truth.agents)}
        self.perceiver = (None if settings.perception == "vlm"  # (the describer reads the frame: _described)
                          else WarehousePerceiver(scene, settings.perception, self.carts, hues, BOX_EDGE))
        self._read()

    # --- a step ---------------------------------------------------------------------------------
    def _execute(self, accepted: list[tuple[str, str, str]], feedback: StepFeedback) -> None:
        if self.scene is None:
            super()._execute(accepted, feedback)
            self.truth = self.state.snapshot()
            self.loads = {a: t.carrying for a, t in zip(self.state.agents, self.state.transporters)
                          if t.carrying is not None}
            return
        routes: dict[Thing, list[tuple[float, float]]] = {}
        arriving = []
        for agent, action, _ in accepted:
            cart, index, believed = self.carts[agent], self.state.agents.index(agent), self.state.transporter(agent)
            if action.startswith("pick "):
                self._pick(agent, next(s for s in self.state.slots if slot_name(s) == action[5:]), feedback)
            elif action == "move to target":
                routes[cart] = self.layout.route_to_target(self.scene.position(cart)[:2], index)
                arriving.append(agent)
            elif action.startswith("move to track_"):
                routes[cart] = self.layout.route_to_track(index, int(action.rsplit("_", 1)[1]))
            else:  # move left / right: to the neighbouring cell of the one the plan was made for
                column = believed.column + (1 if action == "move right" else -1)
                routes[cart] = [self.layout.lane_point(believed.track, column, index)]
        if routes:
            self.scene.drive(routes)
        for agent in arriving:
            self._unload(agent, feedback)
        self._read()
        occupancy: dict[str, list[str]] = {}
        for name, t in zip(self.truth.agents, self.truth.transporters):
            if not t.in_target:
                occupancy.setdefault(f"track_{t.track} column_{t.column}", []).append(name)
        feedback.events += collisions_by_place(occupancy)

    def _pick(self, agent: str, slot: Slot, feedback: StepFeedback) -> None:
        """The cart's arm takes the box of ``slot`` onto the deck; it is clamped there if it came to rest on it."""
        cart, name = self.carts[agent], slot_name(slot)
        box = self._box_in(slot)
        deck = self.scene.position(cart)
        if box is None:
            feedback.events.append(RobotEvent(agent, f"found no box at {name}"))
            return
        if math.dist(self.scene.position(box)[:2], deck[:2]) > REACH:
            feedback.events.append(RobotEvent(agent, f"{name} is out of the arm's reach"))
            return
        if not self.scene.carry(box, deck[:2], self.rng, self.settings.grasp_failure, self.settings.placement_noise,
                                surface=deck_height(self.truth.agents.index(agent)), lift=CARRY_HEIGHT):
            feedback.events.append(RobotEvent(agent, f"the grasp of {name} failed; it stayed in its slot"))
            return
        x, y, z = self.scene.position(box)
        deck = self.scene.position(cart)
        if z > CART_HEIGHT and max(abs(x - deck[0]), abs(y - deck[1])) < CART / 2:
            self.scene.clamp(box, cart)
            self.loads[agent] = slot
        else:
            feedback.events.append(RobotEvent(agent, f"{name} fell off the deck"))

    def _unload(self, agent: str, feedback: StepFeedback) -> None:
        """A cart that drove into the target area sets its box down in the drop zone: delivered if it rests there."""
        cart, agents = self.carts[agent], len(self.truth.agents)
        if cart not in self.scene.loads:
            return
        name = slot_name(self.loads[agent]) if agent in self.loads else "a box"
        if not self.layout.in_target(*self.scene.position(cart)[:2], agents):
            feedback.events.append(RobotEvent(agent, f"did not reach the target area; {name} stays on the deck"))
            return
        box = self.scene.unclamp(cart)
        self.loads.pop(agent, None)
        self.scene.carry(box, self.layout.drop_point(self.truth.agents.index(agent)), self.rng, 0.0,
                         self.settings.placement_noise, lift=CARRY_HEIGHT)  # the box is already held: no grasp to fail
        x, y, z = self.scene.position(box)
        if self.layout.in_target(x, y, agents) and z < BOX_EDGE:
            self.scene.remove(box)
            feedback.achieved.append(f"{name} delivered by {agent}")
        else:
            feedback.events.append(RobotEvent(agent, f"{name} came to rest outside the target area"))

    def _box_in(self, slot: Slot) -> Thing | None:
        """The box on the floor nearest to the mark of ``slot`` (within reading distance), or None."""
        carried = {box for box, _ in self.scene.loads.values()}
        sx, sy = self.layout.slot_point(slot)
        near = [(math.dist(self.scene.position(t)[:2], (sx, sy)), i, t) for i, t in enumerate(self.scene.things)
                if t.kind == "box" and t not in carried]
        distance, _, box = min(near, default=(math.inf, 0, None))
        return box if distance <= SLOT_TOLERANCE else None

    # --- reading the scene ------------------------------------------------------------------------
    def _read(self) -> None:
        """The true state from the physics, the perceived one from a camera frame."""
        truth = WarehousePerceiver(self.scene, "oracle", self.carts, {}, BOX_EDGE).perceive()
        if self.settings.perception == "vlm":
            self.state = self._described(self.state)
        else:
            self.state = self._state_from(truth if self.settings.perception == "oracle" else self.perceiver.perceive(),
                                          self.state)
        self.truth = self._state_from(truth, self.truth)

    def _state_from(self, sighting: YardSighting, previous: WarehouseState) -> WarehouseState3D:
        """Snap a sighting to places; a cart not seen stays where it was last seen, reported uncertain."""
        notes = {about: list(texts) for about, texts in sighting.uncertain.items()}
        agents = previous.agents
        transporters = []
        for index, agent in enumerate(agents):
            point = sighting.carts.get(agent)
            if point is None:
                t = self._last_seen(previous, agent, notes)
            else:
                t, off = self.layout.place(*point, len(agents), index)
                if off > OFF_PLACE:
                    notes.setdefault(agent, []).append(f"{agent} seen off its place, read as {_where(t)}")
            if agent in sighting.loaded:
                self._load(t, agent, notes)
            transporters.append(t)
        boxes: set[Slot] = set()
        for x, y in sighting.floor:
            slot, distance = self.layout.nearest_slot(x, y)
            if distance > SLOT_TOLERANCE:
                notes.setdefault(BOXES, []).append(f"a box lies off the slots, nearest {slot_name(slot)}")
                continue
            if slot in boxes:
                notes.setdefault(BOXES, []).append(f"two boxes at {slot_name(slot)}")
            boxes.add(slot)
        return WarehouseState3D(previous.tracks, previous.columns, boxes, transporters, notes)

    def _described(self, previous: WarehouseState) -> WarehouseState3D:
        """The state a vision-language model describes (``perception: vlm``). A cart it does not place stays where
        it was last seen, carrying what its arm picked; a box it leaves out stays in its slot unless an arm took
        it (a box leaves its slot only on an arm); each reported uncertain. Nothing it does not name is added."""
        seen = self.settings.describer.read_yard(self.scene, previous, dict(zip(previous.agents, CART_COLOURS)))
        notes = {about: list(texts) for about, texts in seen.notes.items()}
        transporters = []
        for agent in previous.agents:
            if agent in seen.carts:
                t = seen.carts[agent]
                if agent in seen.loaded:
                    self._load(t, agent, notes)
            else:
                t = self._last_seen(previous, agent, notes)
                t.carrying = self.loads.get(agent)
            transporters.append(t)
        named = set() if seen.boxes is None else seen.boxes
        kept = previous.boxes - named - set(self.loads.values())
        if seen.boxes is not None and kept:  # (an unread list is noted already)
            notes.setdefault(BOXES, []).extend(f"{slot_name(slot)} not named by the camera's describer, and no arm "
                                               f"took it" for slot in sorted(kept))
        return WarehouseState3D(previous.tracks, previous.columns, named | kept, transporters, notes)

    @staticmethod
    def _last_seen(previous: WarehouseState, agent: str, notes: dict[str, list[str]]) -> Transporter:
        """A cart perception could not place: kept where it was last seen, reported uncertain."""
        old = previous.transporter(agent)
        notes.setdefault(agent, []).append(f"last seen {_where(old)}")
        return Transporter(old.track, old.column)

    def _load(self, t: Transporter, agent: str, notes: dict[str, list[str]]) -> None:
        """A cart seen with a box on its deck carries what its arm picked (the camera cannot tell which box)."""
        t.carrying = self.loads.get(agent)
        if t.carrying is None:
            notes.setdefault(agent, []).append(f"{agent} carries a box it did not pick")

    def true_state_text(self) -> str:
        text = self.truth.history_state_text()
        if self.scene is None:
            return text
        represented = len(self.truth.boxes) + sum(t.carrying is not None for t in self.truth.transporters)
        stray = self._true_boxes() - represented
        return text + (f", boxes off the slots: {stray}" if stray else "")
