"""Camera frames of the table scene -> what lies in each square, the input of the text state.

Modes (``perception=`` of the 3D envs):

* ``rgb`` (default): pixels only. OpenCV converts the frame to HSV; each task colour is a
  hue band, boxes are saturated and targets pale (their saturation sits in a lower band),
  so one threshold per colour and kind gives a mask; connected components give blobs;
  each blob's centroid (a box's top face: its evenly lit pixels) is projected through the
  known camera onto the plane of the object's top (box top or disc) and snapped to its square. A blob is counted as
  ``round(area / expected area)`` objects; a blob whose area is not close to a whole
  number of objects, or a square where a dark occluder (the gripper) covers part of it,
  is reported *uncertain*, never guessed; the depth image tells a box standing on another
  (its top higher than one box), and the hidden one below is reported uncertain too.
* ``segmentation``: PyBullet's segmentation mask instead of colour thresholds (each
  body's pixels are known), the same projection and snapping.
* ``oracle``: the true positions from the physics (for ablations).

The result is a :class:`Sighting`: items per square (``box_red``, ``target_red``) and the
uncertain notes per square.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import cv2
import numpy as np

from colony.envs.physics import BOX, COLOURS, DISC, DISC_HEIGHT, TableScene, cell_of_point

MODES = ("rgb", "segmentation", "oracle")
HUES = {"red": 0, "orange": 16, "green": 65, "blue": 111, "purple": 139}  # OpenCV hue (0-179) of each colour
HUE_BAND = 9
SATURATION = {"box": (180, 256), "target": (75, 175)}
MIN_VALUE = 60
OCCLUDER = (0, 70)  # value band of the dark grey gripper
TOLERANCE = 0.35  # a blob whose area is this far from a whole number of objects is uncertain


@dataclass
class Sighting:
    items: dict[tuple[int, int], Counter] = field(default_factory=dict)
    uncertain: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    points: list[tuple[str, float, float]] = field(default_factory=list)  # each object seen and where (metres)
    unread: set[str] = field(default_factory=set)  # places (state keys, '0.5_1.5') nothing could be read of (VLM)

    def add(self, cell: tuple[int, int], item: str, count: int = 1) -> None:
        self.items.setdefault(cell, Counter())[item] += count

    def doubt(self, cell: tuple[int, int], note: str) -> None:
        self.uncertain.setdefault(cell, []).append(note)


class TabletopPerceiver:
    def __init__(self, scene: TableScene, mode: str = "rgb", boxes_on_corners: bool = False) -> None:
        if mode not in MODES:
            raise ValueError(f"perception: {mode!r}; allowed: {', '.join(MODES)}")
        self.scene, self.mode = scene, mode
        self.boxes_on_corners = boxes_on_corners  # BoxNet2: boxes are placed by their points, on the lattice
        height = scene.resolution[1]
        scale = (scene.eye_height - BOX) * np.tan(np.radians(scene.fov / 2)) / (height / 2)  # metres per pixel
        self.expected = {"box": (BOX / scale) ** 2, "target": np.pi * (DISC / scale) ** 2}
        self.kernel = np.ones((2, 2), np.uint8)

    def perceive(self, frame: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Sighting:
        if self.mode == "oracle":
            return self._oracle()
        rgb, depth, mask = frame if frame is not None else self.scene.capture()
        if self.mode == "segmentation":
            return self._segmentation(mask)
        return self._rgb(rgb, depth)

    # --- the modes ---------------------------------------------------------------------------
    def _oracle(self) -> Sighting:
        sighting = Sighting()
        for thing in self.scene.things:
            x, y, _ = self.scene.position(thing)
            self._place(sighting, cell_of_point(x, y), f"{thing.kind}_{thing.colour}")
            sighting.points.append((f"{thing.kind}_{thing.colour}", x, y))
        return sighting

    def _segmentation(self, mask: np.ndarray) -> Sighting:
        sighting = Sighting()
        for thing in self.scene.things:
            ys, xs = np.nonzero(mask == thing.body)
            if len(xs) == 0:
                continue  # hidden entirely: nothing is invented
            height = BOX if thing.kind == "box" else DISC_HEIGHT
            point = self.scene.pixel_to_table(xs.mean(), ys.mean(), height)
            cell = cell_of_point(*point)
            self._place(sighting, cell, f"{thing.kind}_{thing.colour}")
            sighting.points.append((f"{thing.kind}_{thing.colour}", *point))
            if len(xs) < (1 - TOLERANCE) * self.expected[thing.kind]:
                sighting.doubt(cell, f"{thing.kind}_{thing.colour} partly hidden")
        return sighting

    def _rgb(self, rgb: np.ndarray, depth: np.ndarray) -> Sighting:
        sighting = Sighting()
        hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
        hue, saturation, value = hsv[:, :, 0].astype(np.int16), hsv[:, :, 1], hsv[:, :, 2]
        bright = value >= MIN_VALUE
        for colour, centre in HUES.items():
            distance = np.abs(hue - centre)
            in_band = np.minimum(distance, 180 - distance) <= HUE_BAND
            for kind, (low, high) in SATURATION.items():
                mask = (in_band & bright & (saturation >= low) & (saturation < high)).astype(np.uint8)
                mask = opening(mask, self.kernel)
                self._blobs(sighting, mask, kind, colour, value, depth)
        self._occluders(sighting, value, saturation)
        return sighting

    def _blobs(self, sighting: Sighting, mask: np.ndarray, kind: str, colour: str, value: np.ndarray,
               depth: np.ndarray) -> None:
        """Count and place the objects of one colour and kind. A box shows its top face and, off the
        image centre, one or two darker sides: only the top face (its evenly lit pixels,
        lit straight from above, the blob's most common brightness) is measured and projected, at the height of the box's top."""
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        expected = self.expected[kind]
        height = BOX if kind == "box" else DISC_HEIGHT
        for label in range(1, count):
            if stats[label, cv2.CC_STAT_AREA] < 0.25 * expected:
                continue  # a sliver: an edge, not an object
            ys, xs = np.nonzero(labels == label)
            if kind == "box":
                xs, ys = top_face(xs, ys, value)
            area = len(xs)
            if area < 0.25 * expected:
                continue
            ratio = area / expected
            objects = max(1, round(ratio))
            if kind == "box":  # the depth of the top face tells how high it is: a box standing on another
                top = self.scene.eye_height - float(np.median(depth[ys, xs]))
                stacked = max(1, round(top / BOX))
                if stacked > 1:
                    point = self.scene.pixel_to_table(xs.mean(), ys.mean(), top)
                    cell = cell_of_point(*point)
                    rows, cols = self.scene.rows, self.scene.cols
                    sighting.doubt((min(max(cell[0], 0), rows - 1), min(max(cell[1], 0), cols - 1)),
                                   f"{kind}_{colour} stands on {stacked - 1} hidden box(es)")
            point = self.scene.pixel_to_table(xs.mean(), ys.mean(), height)
            cell = cell_of_point(*point)
            self._place(sighting, cell, f"{kind}_{colour}", objects)
            if objects == 1:
                sighting.points.append((f"{kind}_{colour}", *point))
            if abs(ratio - objects) > TOLERANCE:
                rows, cols = self.scene.rows, self.scene.cols
                sighting.doubt((min(max(cell[0], 0), rows - 1), min(max(cell[1], 0), cols - 1)),
                               f"{kind}_{colour}: {ratio:.1f} objects' worth of pixels")

    def _occluders(self, sighting: Sighting, value: np.ndarray, saturation: np.ndarray) -> None:
        dark = ((value >= OCCLUDER[0]) & (value < OCCLUDER[1]) & (saturation < 60)).astype(np.uint8)
        dark = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))  # grid lines are thinner
        count, _, stats, centroids = cv2.connectedComponentsWithStats(dark, connectivity=8)
        for label in range(1, count):
            if stats[label, cv2.CC_STAT_AREA] >= 0.5 * self.expected["box"]:
                cell = cell_of_point(*self.scene.pixel_to_table(*centroids[label], 2 * BOX))
                if 0 <= cell[0] < self.scene.rows and 0 <= cell[1] < self.scene.cols:
                    sighting.doubt(cell, "partly hidden by the robot")

    def _place(self, sighting: Sighting, cell: tuple[int, int], item: str, count: int = 1) -> None:
        rows, cols = self.scene.rows, self.scene.cols
        if self.boxes_on_corners and item.startswith("box_"):
            if count > 1:  # merged boxes have no single point: which corner is unknown
                sighting.doubt((min(max(cell[0], 0), rows - 1), min(max(cell[1], 0), cols - 1)),
                               f"{count} x {item} seen as one blob")
            return
        if 0 <= cell[0] < rows and 0 <= cell[1] < cols:
            sighting.add(cell, item, count)
        else:
            sighting.doubt((min(max(cell[0], 0), rows - 1), min(max(cell[1], 0), cols - 1)),
                           f"{item} seen off the grid")


def opening(mask: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Morphological opening that keeps the blob where it is: OpenCV's MORPH_OPEN dilates with the
    same anchor it eroded with, which shifts the result by a pixel for an even-sized kernel (a box's
    top face then loses a row and a column to its dark side)."""
    height, width = kernel.shape
    eroded = cv2.erode(mask, kernel, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return cv2.dilate(eroded, kernel[::-1, ::-1], anchor=(width - 1, height - 1),
                      borderType=cv2.BORDER_CONSTANT, borderValue=0)


def top_face(xs: np.ndarray, ys: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pixels of a box's top face among a blob's (``xs``, ``ys``): lit straight from above, it is the
    blob's largest evenly lit region (its most common brightness, within 6 levels); the sides are darker."""
    values = value[ys, xs]
    level = int(np.bincount(values).argmax())
    top = np.abs(values.astype(np.int16) - level) <= 6
    return xs[top], ys[top]


def reconcile(previous: list[str], seen: Counter | None, moved_out: list[str], moved_in: list[str]) -> list[str]:
    """A square's item list in the order the 2D world keeps it: what the robots carried out is removed
    first-occurrence-first, what they carried in is appended in the order they did it, then the list is
    made to agree with what is seen (surplus removed from the front, unexpected items appended). Where
    nothing could be read (``seen`` None) the list stays what the robots' own moves make it."""
    items = list(previous)
    for item in moved_out:
        if item in items:
            items.remove(item)
    items += moved_in
    if seen is None:
        return items
    for item in list(Counter(items)):
        while Counter(items)[item] > seen[item]:
            items.remove(item)
    order = [f"{kind}_{colour}" for kind in ("box", "target") for colour in COLOURS]
    for item in sorted(seen, key=lambda name: order.index(name) if name in order else len(order)):
        items += [item] * (seen[item] - Counter(items)[item])
    return items

