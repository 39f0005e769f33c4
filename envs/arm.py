"""A KUKA iiwa arm (``kuka_iiwa/model.urdf`` from ``pybullet_data``) that carries a table scene's boxes.

``env.robot: arm`` swaps the floating gripper for this arm (BoxNet1 and BoxNet2). One arm serves the
whole table: the carries of a step run one after another anyway, so an arm per square would only
add bodies to simulate. Before a carry the arm is mounted beside the table, just outside the
camera's view, on the side and at the distance from which it reaches both ends of the carry with
its tool pointing down (the mounting itself is not simulated: the arm is retracted, empty and out of
view when it changes place); where no side is within reach, it is loaded larger (``globalScaling``).

The carry is a motion primitive run over physics steps, the joints position-controlled throughout:
the tool reaches above the box, descends, grasps (a fixed constraint from the flange to the box,
which fails with probability ``grasp_failure``), lifts, carries to the destination shifted by
Gaussian ``placement_noise``, lowers, releases, and the arm retracts, leaning back over its base, out
of the camera's view, so the next frame shows the table only. Straight moves follow the inverse
kinematics (``calculateInverseKinematics`` within the joint limits) of a point every ``KNOT``
steps. The arm collides with nothing (as the gripper paddle): the box it holds does, and the
physics settles it where it lands.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pybullet as p
import pybullet_data

if TYPE_CHECKING:
    from colony.envs.physics import TableScene, Thing

NEAR, FAR = 0.56, 0.74  # metres from the base axis within which the unscaled arm holds its tool down (joint limits)
LIMITS = (2.9, 2.0, 2.9, 2.0, 2.9, 2.0, 3.0)  # radians, each joint's range (+-) a little inside the model's
TOOL = 0.055  # metres from the flange joint's frame to the bottom of the flange (unscaled)
CLEARANCE = 0.16  # metres from the edge of the camera's view to the base axis (unscaled)
KNOT = 4  # physics steps between two points of a straight move whose inverse kinematics is solved
FLANGE = 6  # the link whose frame the inverse kinematics places
DOWN = p.getQuaternionFromEuler((0.0, -math.pi, 0.0))
GREY = (0.22, 0.22, 0.24, 1.0)
REST = (0.0, -0.5, 0.0, 1.5, 0.0, -1.0, 0.0)  # leaning back from the table, over its own base: out of view
READY = (0.0, 0.6, 0.0, -1.3, 0.0, 1.2, 0.0)  # where the inverse kinematics starts its first search of a carry


class Arm:
    def __init__(self, scene: TableScene) -> None:
        self.scene = scene
        self.client = scene.client
        self.body: int | None = None
        self.scale = 0.0
        self.command = [0.0] * 7  # the joint angles last commanded

    # --- mounting -------------------------------------------------------------------------------
    def _view_half(self) -> tuple[float, float]:
        """Half the width and height of the table patch the camera sees."""
        scene = self.scene
        half_height = scene.eye_height * math.tan(math.radians(scene.fov / 2))
        return half_height * scene.resolution[0] / scene.resolution[1], half_height

    def _place(self, points: list[tuple[float, float]], scale: float) -> np.ndarray | None:
        """A base point beside the camera's view from which an arm of ``scale`` reaches both ``points`` and the
        line between them (every point within ``NEAR`` to ``FAR`` of its axis); None when there is none."""
        half_width, half_height = self._view_half()
        a, b = (np.array(point, dtype=float) for point in points)
        best = None
        for axis, sign in ((0, -1), (0, 1), (1, -1), (1, 1)):
            edge = self.scene.centre[axis] + sign * ((half_width, half_height)[axis] + CLEARANCE * scale)
            for extra in np.arange(0.0, FAR * scale, 0.01):
                base = (a + b) / 2
                base[axis] = edge + sign * extra
                along = np.clip(np.dot(base - a, b - a) / max(np.dot(b - a, b - a), 1e-12), 0, 1)
                near = min(np.linalg.norm(a + (b - a) * along - base), np.linalg.norm(a - base), np.linalg.norm(b - base))
                far = max(np.linalg.norm(a - base), np.linalg.norm(b - base))
                if far > FAR * scale:
                    break
                if near >= NEAR * scale:
                    if best is None or far < best[0]:
                        best = (far, base)
                    break
        return None if best is None else best[1]

    def _mount(self, points: list[tuple[float, float]]) -> None:
        """Mount the arm, retracted, beside the camera's view where it reaches ``points``; load it (larger) where
        it is missing or too small to reach them."""
        scale = max(self.scale, 1.0)
        base = self._place(points, scale)
        while base is None:
            scale *= 1.1
            base = self._place(points, scale)
        if self.body is None or scale > self.scale:
            self._load(scale)
        middle = np.mean(np.array(points), axis=0)
        facing = p.getQuaternionFromEuler((0.0, 0.0, math.atan2(middle[1] - base[1], middle[0] - base[0])))
        p.resetBasePositionAndOrientation(self.body, (*base, 0.0), facing, physicsClientId=self.client)
        for joint in range(7):
            p.resetJointState(self.body, joint, REST[joint], physicsClientId=self.client)  # as it was left
        self.command = list(REST)

    def _load(self, scale: float) -> None:
        if self.body is not None:
            p.removeBody(self.body, physicsClientId=self.client)
        self.scale = scale
        self.body = p.loadURDF(f"{pybullet_data.getDataPath()}/kuka_iiwa/model.urdf", (0, 0, 0), useFixedBase=True,
                               globalScaling=scale, physicsClientId=self.client)
        for link in range(-1, 7):
            p.setCollisionFilterGroupMask(self.body, link, 0, 0, physicsClientId=self.client)
            p.changeVisualShape(self.body, link, rgbaColor=GREY, physicsClientId=self.client)  # no box colours

    # --- motion ---------------------------------------------------------------------------------
    def _drive(self, angles) -> None:
        p.setJointMotorControlArray(self.body, list(range(7)), p.POSITION_CONTROL, targetPositions=list(angles)[:7],
                                    forces=[500.0 * self.scale ** 3] * 7, physicsClientId=self.client)

    def _tool(self) -> np.ndarray:
        return np.array(p.getLinkState(self.body, FLANGE, computeForwardKinematics=True,
                                       physicsClientId=self.client)[4])

    def _angles(self) -> list[tuple[float, float]]:
        return [state[:2] for state in p.getJointStates(self.body, list(range(7)), physicsClientId=self.client)]

    def _solve(self, point: np.ndarray, seed: list[float]) -> list[float]:
        """Joint angles that put the flange at ``point``, tool down, found near ``seed`` (the inverse kinematics
        iterated on the arm's model; the arm's real joint states are put back)."""
        real = self._angles()
        angles = list(seed)
        for _ in range(6):
            for joint in range(7):
                p.resetJointState(self.body, joint, angles[joint], physicsClientId=self.client)
            if np.linalg.norm(self._tool() - point) < 2e-4 * self.scale:
                break
            angles = list(p.calculateInverseKinematics(
                self.body, FLANGE, tuple(point), DOWN, lowerLimits=[-limit for limit in LIMITS], upperLimits=list(LIMITS),
                jointRanges=[2 * limit for limit in LIMITS], restPoses=list(seed), maxNumIterations=100,
                residualThreshold=1e-6, physicsClientId=self.client))[:7]
        for joint, (angle, speed) in enumerate(real):
            p.resetJointState(self.body, joint, angle, speed, physicsClientId=self.client)
        return angles

    def _reach(self, goal: tuple[float, float, float], steps: int) -> None:
        """Move the tool along a straight line to ``goal`` (its flange frame) over ``steps`` physics steps: the
        inverse kinematics of a point every ``KNOT`` steps, the joints position-controlled toward the angles
        between them; then hold until the tool is there."""
        start = self._tool()
        command = np.array(self.command)
        for knot in range(1, math.ceil(steps / KNOT) + 1):
            fraction = min(1.0, knot * KNOT / steps)
            eased = (1 - math.cos(math.pi * fraction)) / 2
            angles = np.array(self._solve(start + (np.array(goal) - start) * eased, list(command)))
            for part in np.linspace(0, 1, KNOT + 1)[1:]:
                self._drive(command + (angles - command) * part)
                p.stepSimulation(physicsClientId=self.client)
            command = angles
        self.command = list(command)
        for _ in range(90):
            if np.linalg.norm(self._tool() - goal) < 5e-4:
                break
            p.stepSimulation(physicsClientId=self.client)

    def _turn(self, angles: list[float] | tuple[float, ...], steps: int = 90) -> None:
        """Move the joints from the last command to ``angles`` over ``steps`` physics steps, then hold until they
        are there."""
        start, goal = np.array(self.command), np.array(angles)
        for fraction in np.linspace(0, 1, steps + 1)[1:]:
            self._drive(start + (goal - start) * (1 - math.cos(math.pi * fraction)) / 2)
            p.stepSimulation(physicsClientId=self.client)
        self.command = list(goal)
        for _ in range(90):
            if max(abs(angle - aim) for (angle, _), aim in zip(self._angles(), goal)) < 1e-3:
                break
            p.stepSimulation(physicsClientId=self.client)

    # --- the primitive --------------------------------------------------------------------------
    def carry(self, thing: Thing, to: tuple[float, float], rng: np.random.Generator, grasp_failure: float,
              placement_noise: float, surface: float, lift: float) -> bool:
        """As :meth:`TableScene.carry`, by the arm: False when the grasp closed on nothing."""
        start = self.scene.position(thing)
        aim = np.array(to) + (rng.normal(0, placement_noise, 2) if placement_noise else 0)
        self._mount([start[:2], tuple(aim)])
        tool = TOOL * self.scale + 0.002
        above = lift + thing.size / 2 + tool
        self._turn(self._solve(np.array((start[0], start[1], above)), list(READY)))
        self._reach((start[0], start[1], start[2] + thing.size / 2 + tool), 40)
        if grasp_failure and rng.random() < grasp_failure:  # it closes on nothing and withdraws
            self._reach((start[0], start[1], above), 30)
            self._turn(REST)
            return False
        flange = p.getLinkState(self.body, FLANGE, computeForwardKinematics=True, physicsClientId=self.client)
        box = p.getBasePositionAndOrientation(thing.body, physicsClientId=self.client)
        offset, turn = p.multiplyTransforms(*p.invertTransform(flange[4], flange[5]), *box)
        grip = p.createConstraint(self.body, FLANGE, thing.body, -1, p.JOINT_FIXED, (0, 0, 0), offset, (0, 0, 0),
                                  parentFrameOrientation=turn, physicsClientId=self.client)
        p.changeConstraint(grip, maxForce=60, physicsClientId=self.client)
        self._reach((start[0], start[1], above), 40)
        self._reach((aim[0], aim[1], above), 90)
        self._reach((aim[0], aim[1], surface + thing.size + tool + 0.004), 40)
        p.removeConstraint(grip, physicsClientId=self.client)
        self.scene.settle(48)
        self._reach((aim[0], aim[1], above), 30)
        self._turn(REST)
        return True
