"""Camera frames of BoxLift's table -> which boxes are still there, and how big they look.

Each BoxLift box stands in its own square of the table (box ``k`` in square ``k``, row by
row), a cube whose edge grows with its volume (``edge = UNIT * volume ** (1/3)``). In
``rgb`` mode the crate colour is thresholded in HSV; each blob's top face (its evenly lit
pixels, as for BoxNet's boxes) is projected onto the plane of the box's top and snapped to
a square, and the edge measured from the top face gives the volume it shows. The world
reads a box as present when its square shows one; a volume far from the box known to stand
there is reported uncertain (the names planners read carry the volumes of the layout). ``segmentation`` uses
PyBullet's mask, ``oracle`` the physics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from colony.envs.physics import COLOURS, TableScene, Thing, cell_of_point
from colony.perception.tabletop import top_face

UNIT = 0.06  # metres: the edge of a box of volume 1


def edge_of(volume: float) -> float:
    return UNIT * volume ** (1 / 3)


@dataclass
class CrateSighting:
    present: dict[tuple[int, int], float] = field(default_factory=dict)  # square -> the volume it looks like
    uncertain: dict[tuple[int, int], list[str]] = field(default_factory=dict)


class CratePerceiver:
    def __init__(self, scene: TableScene, mode: str, crates: dict[Thing, float]) -> None:
        self.scene, self.mode, self.crates = scene, mode, crates  # crate -> its volume
        colour = np.uint8([[[round(v * 255) for v in COLOURS["crate"]]]])
        self.hue = int(cv2.cvtColor(colour, cv2.COLOR_RGB2HSV)[0, 0, 0])

    def _scale(self, height: float) -> float:
        return self.scene.metres_per_pixel(height)

    def perceive(self) -> CrateSighting:
        sighting = CrateSighting()
        if self.mode == "oracle":
            for thing, volume in self.crates.items():
                if thing in self.scene.things:
                    sighting.present[cell_of_point(*self.scene.position(thing)[:2])] = volume
            return sighting
        rgb, _, mask = self.scene.capture()
        if self.mode == "segmentation":
            for thing, volume in self.crates.items():
                ys, xs = np.nonzero(mask == thing.body)
                if len(xs):
                    self._measure(sighting, xs, ys, len(xs), volume)
            return sighting
        hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
        hue = hsv[:, :, 0].astype(np.int16)
        blobs = ((np.abs(hue - self.hue) <= 8) & (hsv[:, :, 1] >= 120) & (hsv[:, :, 2] >= 40)).astype(np.uint8)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
        value = hsv[:, :, 2]
        for label in range(1, count):
            if stats[label, cv2.CC_STAT_AREA] < 30:
                continue
            xs, ys = top_face(*np.nonzero(labels == label)[::-1], value)
            self._measure(sighting, xs, ys, len(xs), None)
        return sighting

    def _measure(self, sighting: CrateSighting, xs: np.ndarray, ys: np.ndarray, area: int, known: float | None) -> None:
        """The volume a top face of ``area`` pixels shows (solved with the box's own height: a cube's top
        is as high as it is wide), placed in its square."""
        edge = UNIT
        for _ in range(4):  # the edge sets the top's height, which sets the scale: a few rounds settle it
            edge = float(np.sqrt(area)) * self._scale(edge)
        volume = (edge / UNIT) ** 3 if known is None else known
        cell = cell_of_point(*self.scene.pixel_to_table(xs.mean(), ys.mean(), edge))
        sighting.present[cell] = sighting.present.get(cell, 0.0) + volume
