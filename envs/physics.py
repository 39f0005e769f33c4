"""A PyBullet table scene for the grid tasks: squares, coloured boxes with mass, flat target
discs, a top-down camera, and a simple robot that carries boxes.

Everything runs in PyBullet's DIRECT mode (no display), one physics client per scene,
closed by :meth:`TableScene.close`. Square ``(row, col)`` is a ``CELL`` x ``CELL`` metre
patch of the table centred at ``x = (col + 0.5) * CELL``, ``y = -(row + 0.5) * CELL``, so
that the camera, looking straight down with +y up, shows row 0 at the top like the 2D
pictures. Each square holds its items on a ``SLOTS`` x ``SLOTS`` lattice of slots.

The robot is a floating gripper, one per square (an arm would add nothing to moving a box
one square over): it reaches the box, grasps it (a fixed constraint, which fails with
probability ``grasp_failure``), lifts, carries and lowers it over the destination (the table
or a cart's deck), and lets go with Gaussian ``placement_noise`` (metres) on the release
point; the physics then settles the box, which may slide, tip or land off its mark.
``use_robot("arm")`` hands the carries to a KUKA iiwa beside the table instead
(``envs/arm.py``, ``env.robot: arm`` on the BoxNet tasks).
Warehouse adds carts: slabs held by a drive (a force-limited fixed constraint) that
``drive`` moves along a route over many physics steps, a box clamped on the deck riding
along. Nothing is teleported: where a box or a cart ends up is where the physics left it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
try:
    import pybullet as p
except ModuleNotFoundError:  # the 2D tasks, the planners and `colony distill` run without it; a 3D scene says so
    p = None

CELL = 0.30  # metres per square
SLOTS = 5  # slots per side of a square
BOX = 0.036  # box edge, metres
DISC = 0.022  # target disc radius, metres
DISC_HEIGHT = 0.002
LIFT = 0.12  # carrying height above the table
COLOURS = {"blue": (0.10, 0.35, 0.95), "red": (0.90, 0.10, 0.10), "green": (0.10, 0.70, 0.20),
           "purple": (0.55, 0.15, 0.80), "orange": (1.00, 0.55, 0.00), "crate": (0.55, 0.40, 0.20)}
GRAVITY = 9.81
PALE = 0.45  # targets are drawn this much toward white
CART = 0.11  # cart deck edge, metres
CART_HEIGHT = 0.04
DRIVE_FORCE = 120.0  # newtons: the most a cart's drive pulls with
ROBOTS = ("gripper", "arm")  # what carries the boxes (env.robot)


@dataclass
class Physics3D:
    """The dynamical errors and the perception mode of a 3D env (``env.*`` settings of a scenario)."""

    perception: str = "rgb"
    grasp_failure: float = 0.02  # probability that a grasp closes on nothing
    placement_noise: float = 0.005  # metres, standard deviation of the release point
    mass: float = 0.2  # kg per box where the task gives no weights (BoxNet)
    describer: Any = None  # perception vlm: the vision-language model reading the frame (perception/describer.py)
    robot: str = "gripper"  # gripper: a floating paddle per square; arm: a KUKA iiwa beside the table (envs/arm.py)

    def __post_init__(self) -> None:
        modes = ("rgb", "segmentation", "oracle", "vlm")
        if self.perception not in modes:
            raise ValueError(f"perception: {self.perception!r}; allowed: {', '.join(modes)}")
        if (self.perception == "vlm") != (self.describer is not None):
            raise ValueError("describer: perception vlm reads the frame with the vision-language model named by "
                             "describer (a chat model spec, e.g. openai:gpt-4o-mini); the other modes take none")
        if self.robot not in ROBOTS:
            raise ValueError(f"robot: {self.robot!r}; allowed: {', '.join(ROBOTS)}")
        if not 0 <= self.grasp_failure <= 1:
            raise ValueError(f"grasp_failure: {self.grasp_failure} is not a probability")
        if not 0 <= self.placement_noise <= CELL / 4:
            raise ValueError(f"placement_noise: {self.placement_noise} m; allowed 0 to {CELL / 4} m")
        if self.mass <= 0:
            raise ValueError(f"mass: {self.mass} kg; must be positive")


@dataclass(eq=False)  # each body is itself: compared and hashed by identity
class Thing:
    body: int
    kind: str  # box | target | cart
    colour: str  # a colour name; a cart's: its agent's name
    size: float = BOX  # edge, metres


def slot_point(cell: tuple[int, int], slot: int) -> tuple[float, float]:
    """The table point of slot ``slot`` (row-major) of square ``cell``."""
    row, col = cell
    r, c = divmod(slot, SLOTS)
    step = CELL / SLOTS
    return (col * CELL + (c + 0.5) * step, -(row * CELL + (r + 0.5) * step))


def cell_of_point(x: float, y: float) -> tuple[int, int]:
    return (math.floor(-y / CELL), math.floor(x / CELL))


class TableScene:
    def __init__(self, rows: int, cols: int, resolution: tuple[int, int] = (320, 240), grid: bool = True) -> None:
        """A ``rows`` x ``cols`` table of squares, framed by the camera; ``grid=False`` leaves the lines
        out (a task that marks its own layout with ``patch``)."""
        if p is None:
            raise ModuleNotFoundError("the 3D tasks need pybullet: pip install pybullet")
        self.rows, self.cols = rows, cols
        self.client = p.connect(p.DIRECT)
        self.things: list[Thing] = []
        self.drives: dict[Thing, int] = {}  # cart -> the constraint its drive moves
        self.loads: dict[Thing, tuple[Thing, int]] = {}  # cart -> (the box clamped on it, the clamp)
        p.setGravity(0, 0, -GRAVITY, physicsClientId=self.client)
        p.setTimeStep(1 / 240, physicsClientId=self.client)
        half = (20.0, 20.0, 0.01)  # the table: a plain slab (no texture, so colours stay clean)
        self.table = p.createMultiBody(0, p.createCollisionShape(p.GEOM_BOX, halfExtents=half, physicsClientId=self.client),
                                       p.createVisualShape(p.GEOM_BOX, halfExtents=half, rgbaColor=(0.93, 0.92, 0.88, 1),
                                                           physicsClientId=self.client), (0, 0, -0.01),
                                       physicsClientId=self.client)
        p.changeDynamics(self.table, -1, lateralFriction=0.8, physicsClientId=self.client)
        if grid:
            self._grid_lines()
        self.home = (-10.0, 10.0)  # where the gripper waits, far out of the camera's view
        self.gripper = self._visual_box((*self.home, LIFT + 0.03), (0.03, 0.03, 0.01), (0.22, 0.22, 0.24, 1))
        self.arm: Any = None  # an Arm (envs/arm.py) that carries instead of the gripper, once use_robot("arm")
        width, height = resolution
        margin = 3 * BOX  # boxes on the outer corners (BoxNet2) must be seen whole
        extent = max((cols * CELL + margin) / width * height, rows * CELL + margin) * 1.04  # metres the image's height shows
        self.fov = 40.0
        self.eye_height = extent / 2 / math.tan(math.radians(self.fov / 2))
        self.centre = (cols * CELL / 2, -rows * CELL / 2)
        self.resolution = resolution
        self.view = p.computeViewMatrix((*self.centre, self.eye_height), (*self.centre, 0), (0, 1, 0))
        self.near, self.far = 0.1, self.eye_height + 1
        self.projection = p.computeProjectionMatrixFOV(self.fov, width / height, self.near, self.far)

    def _grid_lines(self) -> None:
        thickness, colour = 0.004, (0.35, 0.35, 0.35, 1)
        for r in range(self.rows + 1):
            self._visual_box((self.cols * CELL / 2, -r * CELL, 0.0005), (self.cols * CELL / 2, thickness / 2, 0.0005), colour)
        for c in range(self.cols + 1):
            self._visual_box((c * CELL, -self.rows * CELL / 2, 0.0005), (thickness / 2, self.rows * CELL / 2, 0.0005), colour)

    def _visual_box(self, position, half, colour) -> int:
        shape = p.createVisualShape(p.GEOM_BOX, halfExtents=half, rgbaColor=colour, physicsClientId=self.client)
        return p.createMultiBody(0, -1, shape, position, physicsClientId=self.client)

    def patch(self, centre: tuple[float, float], half: tuple[float, float], rgb: tuple[float, float, float]) -> None:
        """A flat marking on the table (no collision): a track, a slot, an area."""
        self._visual_box((*centre, 0.0005), (*half, 0.0005), (*rgb, 1))

    # --- things -------------------------------------------------------------------------------
    def add_box(self, colour: str, point: tuple[float, float], mass: float = 0.2, size: float = BOX,
                surface: float = 0.0) -> Thing:
        """A box of edge ``size`` standing at ``point`` on a surface ``surface`` metres high (the table)."""
        half = (size / 2,) * 3
        collision = p.createCollisionShape(p.GEOM_BOX, halfExtents=half, physicsClientId=self.client)
        visual = p.createVisualShape(p.GEOM_BOX, halfExtents=half, rgbaColor=(*COLOURS[colour], 1),
                                     physicsClientId=self.client)
        body = p.createMultiBody(mass, collision, visual, (*point, surface + size / 2 + 0.0005), physicsClientId=self.client)
        p.changeDynamics(body, -1, lateralFriction=0.8, physicsClientId=self.client)
        thing = Thing(body, "box", colour, size)
        self.things.append(thing)
        return thing

    def add_target(self, colour: str, point: tuple[float, float]) -> Thing:
        pale = tuple(v + (1 - v) * PALE for v in COLOURS[colour])
        visual = p.createVisualShape(p.GEOM_CYLINDER, radius=DISC, length=DISC_HEIGHT, rgbaColor=(*pale, 1),
                                     physicsClientId=self.client)
        body = p.createMultiBody(0, -1, visual, (*point, DISC_HEIGHT / 2), physicsClientId=self.client)
        thing = Thing(body, "target", colour)
        self.things.append(thing)
        return thing

    def remove(self, thing: Thing) -> None:
        p.removeBody(thing.body, physicsClientId=self.client)
        self.things.remove(thing)

    def position(self, thing: Thing) -> tuple[float, float, float]:
        return tuple(p.getBasePositionAndOrientation(thing.body, physicsClientId=self.client)[0])

    def tilt(self, thing: Thing) -> float:
        """How far the box is from upright, in degrees."""
        quaternion = p.getBasePositionAndOrientation(thing.body, physicsClientId=self.client)[1]
        up = p.getMatrixFromQuaternion(quaternion)[8]
        return math.degrees(math.acos(max(-1.0, min(1.0, up))))

    def settle(self, steps: int = 60) -> None:
        for _ in range(steps):
            p.stepSimulation(physicsClientId=self.client)

    # --- the robot --------------------------------------------------------------------------
    def use_robot(self, robot: str) -> None:
        """``gripper`` (the floating paddle) or ``arm`` (a KUKA iiwa, loaded at its first carry) carries the boxes."""
        from colony.envs.arm import Arm

        self.arm = Arm(self) if robot == "arm" else None

    def carry(self, thing: Thing, to: tuple[float, float], rng: np.random.Generator, grasp_failure: float,
              placement_noise: float, surface: float = 0.0, lift: float = LIFT) -> bool:
        """Reach, grasp, lift (to ``lift`` metres), carry, lower and release ``thing`` over ``to``, onto a
        surface ``surface`` metres high (the table, or a cart's deck); False when the grasp failed (the box is
        left where it was)."""
        if self.arm is not None:
            return self.arm.carry(thing, to, rng, grasp_failure, placement_noise, surface, lift)
        start = self.position(thing)
        if grasp_failure and rng.random() < grasp_failure:
            self.settle(20)  # the gripper closes on nothing and withdraws
            return False
        grip = p.createConstraint(thing.body, -1, -1, -1, p.JOINT_FIXED, (0, 0, 0), (0, 0, 0), start,
                                  physicsClientId=self.client)
        aim = np.array(to) + (rng.normal(0, placement_noise, 2) if placement_noise else 0)
        waypoints = [(*start[:2], lift), (*aim, lift), (*aim, surface + thing.size / 2 + 0.004)]
        here = np.array(start)
        for waypoint in waypoints:
            target = np.array(waypoint)
            for fraction in np.linspace(0, 1, 24)[1:]:
                point = here + (target - here) * fraction
                p.changeConstraint(grip, tuple(point), maxForce=60, physicsClientId=self.client)
                self.move_gripper((point[0], point[1]), point[2] + thing.size / 2 + 0.012)
                p.stepSimulation(physicsClientId=self.client)
            here = target
        p.removeConstraint(grip, physicsClientId=self.client)
        self.settle(48)
        self.move_gripper(self.home)
        return True

    def lift(self, thing: Thing, capacity: float, rng: np.random.Generator, grasp_failure: float,
             height: float = 0.25) -> bool:
        """Lifters grip ``thing`` and pull it up with at most ``capacity`` kg-force between them; True when it
        rose (its mass, not the plan, decides), then it is carried away. A failed grasp pulls nothing."""
        start = self.position(thing)
        if grasp_failure and rng.random() < grasp_failure:
            self.settle(20)
            return False
        grip = p.createConstraint(thing.body, -1, -1, -1, p.JOINT_FIXED, (0, 0, 0), (0, 0, 0), start,
                                  physicsClientId=self.client)
        force = capacity * GRAVITY
        for fraction in np.linspace(0, 1, 240)[1:]:  # a one-second pull
            p.changeConstraint(grip, (start[0], start[1], start[2] + height * fraction), maxForce=force,
                               physicsClientId=self.client)
            p.stepSimulation(physicsClientId=self.client)
        risen = self.position(thing)[2] - start[2] > 0.01  # off the table: it can be carried away
        p.removeConstraint(grip, physicsClientId=self.client)
        if risen:
            self.remove(thing)
        else:
            self.settle(30)
        return risen

    # --- carts (Warehouse) ------------------------------------------------------------------
    def add_cart(self, name: str, rgb: tuple[float, float, float], point: tuple[float, float],
                 mass: float = 2.0, height: float = CART_HEIGHT) -> Thing:
        """A cart: a ``CART`` x ``CART`` slab ``height`` metres high of colour ``rgb`` held on the table by its
        drive. Carts and what they carry pass through one another (the Warehouse rules let agents pass and swap
        between steps); they do hit boxes and the table. Where carts overlap the camera sees the higher deck."""
        half = (CART / 2, CART / 2, height / 2)
        collision = p.createCollisionShape(p.GEOM_BOX, halfExtents=half, physicsClientId=self.client)
        visual = p.createVisualShape(p.GEOM_BOX, halfExtents=half, rgbaColor=(*rgb, 1), physicsClientId=self.client)
        body = p.createMultiBody(mass, collision, visual, (*point, height / 2), physicsClientId=self.client)
        p.changeDynamics(body, -1, lateralFriction=0.3, physicsClientId=self.client)
        drive = p.createConstraint(body, -1, -1, -1, p.JOINT_FIXED, (0, 0, 0), (0, 0, 0), (*point, height / 2),
                                   physicsClientId=self.client)
        p.changeConstraint(drive, (*point, height / 2), maxForce=DRIVE_FORCE, physicsClientId=self.client)
        cart = Thing(body, "cart", name, CART)
        for other in self.drives:
            self._ghost(cart, other)
        self.drives[cart] = drive
        self.things.append(cart)
        return cart

    def _ghost(self, mine: Thing, other: Thing) -> None:
        """No contact between a cart (or its load) and another cart and its load."""
        mine_bodies = [mine.body] + ([self.loads[mine][0].body] if mine in self.loads else [])
        other_bodies = [other.body] + ([self.loads[other][0].body] if other in self.loads else [])
        for a in mine_bodies:
            for b in other_bodies:
                p.setCollisionFilterPair(a, b, -1, -1, 0, physicsClientId=self.client)

    def drive(self, routes: dict[Thing, list[tuple[float, float]]], speed: float = 0.8) -> None:
        """Drive every cart of ``routes`` along its route (table points) at once, with an eased start and stop,
        ``speed`` m/s on average over the longest route (at least 0.2 s); a clamped load rides along. The drive
        pulls with at most ``DRIVE_FORCE``: a blocked cart stays where the physics leaves it."""
        paths = {}
        for cart, route in routes.items():
            points = np.array([self.position(cart)[:2], *route], dtype=float)
            lengths = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
            held = p.getConstraintInfo(self.drives[cart], physicsClientId=self.client)[7][2]  # the height it holds
            paths[cart] = (points, lengths, held)
        longest = max((lengths[-1] for _, lengths, _ in paths.values()), default=0.0)
        steps = max(48, math.ceil(longest / speed * 240))
        for step in range(1, steps + 1):
            eased = (1 - math.cos(math.pi * step / steps)) / 2
            for cart, (points, lengths, held) in paths.items():
                distance = eased * lengths[-1]
                leg = min(int(np.searchsorted(lengths, distance, side="right")) - 1, len(points) - 2)
                span = lengths[leg + 1] - lengths[leg]
                fraction = 0.0 if span == 0 else (distance - lengths[leg]) / span
                x, y = points[leg] + (points[leg + 1] - points[leg]) * fraction
                p.changeConstraint(self.drives[cart], (x, y, held), maxForce=DRIVE_FORCE,
                                   physicsClientId=self.client)
            p.stepSimulation(physicsClientId=self.client)
        self.settle(20)

    def clamp(self, box: Thing, cart: Thing) -> None:
        """Fix ``box`` to the deck of ``cart`` where it lies now (the cart then carries it)."""
        cart_position, cart_turn = p.getBasePositionAndOrientation(cart.body, physicsClientId=self.client)
        box_position, box_turn = p.getBasePositionAndOrientation(box.body, physicsClientId=self.client)
        inverse = p.invertTransform(cart_position, cart_turn)
        offset, turn = p.multiplyTransforms(*inverse, box_position, box_turn)
        clamp = p.createConstraint(cart.body, -1, box.body, -1, p.JOINT_FIXED, (0, 0, 0), offset, (0, 0, 0),
                                   parentFrameOrientation=turn, physicsClientId=self.client)
        p.changeConstraint(clamp, maxForce=DRIVE_FORCE, physicsClientId=self.client)
        self.loads[cart] = (box, clamp)
        for other in self.drives:
            if other is not cart:
                self._ghost(cart, other)

    def unclamp(self, cart: Thing) -> Thing | None:
        """Release the box clamped on ``cart`` (it then touches other carts again); None when there is none."""
        if cart not in self.loads:
            return None
        box, clamp = self.loads.pop(cart)
        p.removeConstraint(clamp, physicsClientId=self.client)
        for other in self.drives:
            for body in [other.body] + ([self.loads[other][0].body] if other in self.loads else []):
                if other is not cart:
                    p.setCollisionFilterPair(box.body, body, -1, -1, 1, physicsClientId=self.client)
        return box

    def move_gripper(self, point: tuple[float, float], height: float = LIFT + 0.03) -> None:
        """Put the gripper (a dark paddle the camera sees) over ``point``."""
        p.resetBasePositionAndOrientation(self.gripper, (*point, height), (0, 0, 0, 1), physicsClientId=self.client)

    # --- the camera -------------------------------------------------------------------------
    def capture(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """RGB (uint8), depth (metres from the camera) and PyBullet's segmentation mask (body ids)."""
        width, height = self.resolution
        _, _, rgba, depth, mask = p.getCameraImage(width, height, self.view, self.projection,
                                                    renderer=p.ER_TINY_RENDERER, physicsClientId=self.client)
        rgb = np.asarray(rgba, np.uint8).reshape(height, width, 4)[:, :, :3]
        buffer = np.asarray(depth, np.float32).reshape(height, width)
        metres = self.far * self.near / (self.far - (self.far - self.near) * buffer)
        return rgb, metres, np.asarray(mask, np.int32).reshape(height, width)

    def metres_per_pixel(self, height: float) -> float:
        """The size of one pixel on the plane ``z = height``."""
        return (self.eye_height - height) * math.tan(math.radians(self.fov / 2)) / (self.resolution[1] / 2)

    def pixel_to_table(self, u: float, v: float, height: float) -> tuple[float, float]:
        """The table point seen at pixel (u, v) on the plane ``z = height`` (the camera looks straight down)."""
        width, image_height = self.resolution
        scale = (self.eye_height - height) * math.tan(math.radians(self.fov / 2)) / (image_height / 2)
        return (self.centre[0] + (u - width / 2 + 0.5) * scale, self.centre[1] - (v - image_height / 2 + 0.5) * scale)

    def close(self) -> None:
        if self.client is not None and p.isConnected(self.client):
            p.disconnect(self.client)
        self.client = None


class SceneWorld:
    """What the 3D worlds share about their scene: none until ``setup``, closed with the world."""

    scene: TableScene | None = None

    def close(self) -> None:
        if self.scene is not None:
            self.scene.close()
        self.scene = None

    def __del__(self) -> None:
        self.close()

    def camera_image(self) -> np.ndarray | None:
        return None if self.scene is None else self.scene.capture()[0]
