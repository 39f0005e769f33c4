"""Camera frames of the Warehouse table -> where each cart is, which carts carry a box, where boxes stand.

Modes (``perception=`` of ``warehouse_3d``), as for the other tasks (``perception/tabletop.py``):

* ``rgb`` (default): pixels only. Each cart has its own fully saturated hue
  (``envs/warehouse_3d/layout.py``); OpenCV thresholds it in HSV, and the evenly lit top of
  the cart's largest blob (with the blobs that fit on one deck with it) is its deck. Carts
  on one track cell stand side by side, partly overlapping (each has its own lane and deck
  height), so the deck is found as the deck-sized square that holds every deck pixel seen
  and otherwise only what the depth image shows as high as the deck or higher (another
  cart's deck, a box: what hides a deck is above it, the floor is not); its centre,
  projected through the known camera onto the plane of the deck, is where the cart is.
  Boxes are crate brown; each box blob's top face (``top_face``; tops at different heights,
  loads of overlapping carts, taken apart) is measured, and the depth image tells how high
  that face is: on the floor, or on a cart's deck (the cart whose deck's centre is clearly
  nearest below it then carries it). A cart not seen, one whose deck square does not fit
  what is seen or could lie in places far apart, and a box blob that is not the size of one
  box are reported *uncertain*, never guessed.
* ``segmentation``: PyBullet's segmentation mask instead of colour thresholds (a deck's
  pixels: its body's nearest to the camera), the same square fit, projection and depth test.
* ``oracle``: the true positions from the physics (for ablations, and the true state).

The result is a :class:`YardSighting` in table metres; ``envs/warehouse_3d/world.py``
snaps it to tracks, columns and slots.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from colony.envs.physics import CART, CART_HEIGHT, COLOURS, TableScene, Thing
from colony.perception.tabletop import MODES, TOLERANCE, top_face

BOXES = "boxes"  # the notes about boxes no cart carries
HUE_BAND = 5
CART_SATURATION = 200
BOX_BAND, BOX_SATURATION = 6, 120
MIN_VALUE = 40
ABOVE = 0.001  # metres: depths closer than this are one height (decks of different carts are 2 mm apart)
FIT = 0.85  # the least share of a deck's square that what is seen must explain
AMBIGUOUS = 0.02  # metres: a deck whose well-fitting squares lie further apart than this is partly hidden


@dataclass
class YardSighting:
    carts: dict[str, tuple[float, float]] = field(default_factory=dict)  # agent -> where its cart's deck is seen
    loaded: set[str] = field(default_factory=set)  # agents whose deck shows a box
    floor: list[tuple[float, float]] = field(default_factory=list)  # boxes seen standing on the floor
    uncertain: dict[str, list[str]] = field(default_factory=dict)  # agent (or BOXES) -> notes

    def doubt(self, about: str, note: str) -> None:
        self.uncertain.setdefault(about, []).append(note)


class WarehousePerceiver:
    def __init__(self, scene: TableScene, mode: str, carts: dict[str, Thing], hues: dict[str, int],
                 box_edge: float) -> None:
        if mode not in MODES:
            raise ValueError(f"perception: {mode!r}; allowed: {', '.join(MODES)}")
        self.scene, self.mode, self.carts, self.hues, self.edge = scene, mode, carts, hues, box_edge
        crate = np.uint8([[[round(v * 255) for v in COLOURS["crate"]]]])
        self.crate_hue = int(cv2.cvtColor(crate, cv2.COLOR_RGB2HSV)[0, 0, 0])
        self.deck_side = CART / scene.metres_per_pixel(CART_HEIGHT)  # pixels
        self.deck_area = self.deck_side ** 2
        self.box_area = {height: (box_edge / scene.metres_per_pixel(height)) ** 2
                         for height in (box_edge, CART_HEIGHT + box_edge)}

    def perceive(self, frame: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> YardSighting:
        if self.mode == "oracle":
            return self._oracle()
        rgb, depth, mask = frame if frame is not None else self.scene.capture()
        if self.mode == "segmentation":
            return self._segmentation(depth, mask)
        return self._rgb(rgb, depth)

    # --- the modes ---------------------------------------------------------------------------
    def _oracle(self) -> YardSighting:
        sighting = YardSighting()
        for agent, cart in self.carts.items():
            sighting.carts[agent] = self.scene.position(cart)[:2]
        clamped = {box: cart.colour for cart, (box, _) in self.scene.loads.items()}
        for box in (t for t in self.scene.things if t.kind == "box"):
            x, y, z = self.scene.position(box)
            if box in clamped:  # the physics knows which deck a box is fixed to
                sighting.loaded.add(clamped[box])
            else:
                self._box(sighting, (x, y), z + self.edge / 2)
        return sighting

    def _segmentation(self, depth: np.ndarray, mask: np.ndarray) -> YardSighting:
        sighting = YardSighting()
        for agent, cart in self.carts.items():
            ys, xs = np.nonzero(mask == cart.body)
            if len(xs):  # the deck: the body's pixels nearest to the camera (its sides lie further)
                deck = depth[ys, xs] <= depth[ys, xs].min() + ABOVE
                xs, ys = xs[deck], ys[deck]
            self._cart(sighting, agent, xs, ys, depth)
        for box in (t for t in self.scene.things if t.kind == "box"):
            ys, xs = np.nonzero(mask == box.body)
            if len(xs):
                self._box_pixels(sighting, xs, ys, depth, objects=1)
        return sighting

    def _rgb(self, rgb: np.ndarray, depth: np.ndarray) -> YardSighting:
        sighting = YardSighting()
        hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
        hue, saturation, value = hsv[:, :, 0].astype(np.int16), hsv[:, :, 1], hsv[:, :, 2]
        bright = value >= MIN_VALUE
        for agent, centre in self.hues.items():
            blobs = self._components(_near(hue, centre, HUE_BAND) & bright & (saturation >= CART_SATURATION))
            if not blobs:
                self._cart(sighting, agent, np.empty(0, int), np.empty(0, int), depth)
                continue
            blobs.sort(key=lambda blob: len(blob[0]), reverse=True)
            ys, xs = (np.concatenate(part) for part in zip(*(blob for blob in blobs if self._one_deck(blobs[0], blob))))
            self._cart(sighting, agent, *top_face(xs, ys, value), depth)  # the deck, lit from above; not its sides
            if any(len(blob[0]) >= 0.25 * self.deck_area for blob in blobs if not self._one_deck(blobs[0], blob)):
                sighting.doubt(agent, f"{agent}'s colour is seen in two places")
        crate = (_near(hue, self.crate_hue, BOX_BAND) & bright & (saturation >= BOX_SATURATION)
                 & (saturation < CART_SATURATION))
        for rows, columns in self._components(crate):
            for xs, ys in _layers(*top_face(columns, rows, value), depth):  # boxes on decks of other heights, apart
                if len(xs) >= 0.25 * self.box_area[self.edge]:
                    self._box_pixels(sighting, xs, ys, depth)
        return sighting

    # --- pieces ------------------------------------------------------------------------------
    @staticmethod
    def _components(mask: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """The blobs of ``mask`` (rows, columns of their pixels); the callers drop the stray small ones."""
        count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
        return [np.nonzero(labels == label) for label in range(1, count)]

    def _one_deck(self, largest: tuple[np.ndarray, np.ndarray], blob: tuple[np.ndarray, np.ndarray]) -> bool:
        """Whether ``blob`` and the ``largest`` blob of a cart's colour fit on one deck (a deck that something
        above it cuts in pieces)."""
        rows, columns = np.concatenate([largest[0], blob[0]]), np.concatenate([largest[1], blob[1]])
        return max(np.ptp(rows), np.ptp(columns)) <= 1.2 * self.deck_side

    def _cart(self, sighting: YardSighting, agent: str, xs: np.ndarray, ys: np.ndarray, depth: np.ndarray) -> None:
        """Place a cart from its deck's visible pixels (``xs``, ``ys``): the deck-sized square that holds them
        all and otherwise only what is as high as the deck or higher (the floor around a deck is lower)."""
        if len(xs) < 0.1 * self.deck_area:
            sighting.doubt(agent, f"{agent} not seen")
            return
        level = float(np.median(depth[ys, xs]))
        side = int(self.deck_side)  # (a square that fits inside the deck's pixels)
        height, width = depth.shape
        left, top = max(int(xs.max()) - side, 0), max(int(ys.max()) - side, 0)  # every square near the pixels seen
        right, bottom = min(int(xs.min()) + 2 * side, width), min(int(ys.min()) + 2 * side, height)
        seen = np.zeros((bottom - top, right - left), np.uint8)
        seen[ys - top, xs - left] = 1
        explained = seen | (depth[top:bottom, left:right] <= level + ABOVE)  # the deck's own height, or higher
        # each square's (by its top-left pixel) share explained, less the deck seen outside it
        score = (_square_sums(explained, side) - (len(xs) - _square_sums(seen, side))) / side ** 2
        if score.size == 0:
            sighting.doubt(agent, f"{agent} not seen whole")
            return
        best = float(score.max())
        rows, columns = np.nonzero(score >= best - 0.02)
        u, v = left + columns.mean() + (side - 1) / 2, top + rows.mean() + (side - 1) / 2
        deck = self.scene.eye_height - level
        sighting.carts[agent] = self.scene.pixel_to_table(float(u), float(v), deck)
        spread = max(np.ptp(columns), np.ptp(rows)) * self.scene.metres_per_pixel(deck)
        if best < FIT or spread > AMBIGUOUS:
            sighting.doubt(agent, f"{agent} partly hidden")

    def _box_pixels(self, sighting: YardSighting, xs: np.ndarray, ys: np.ndarray, depth: np.ndarray,
                    objects: int | None = None) -> None:
        """Place a box from its top face's pixels: the depth says how high the face is (floor or deck)."""
        top = self.scene.eye_height - float(np.median(depth[ys, xs]))
        on_deck = top > self.edge + CART_HEIGHT / 2
        height = CART_HEIGHT + self.edge if on_deck else self.edge
        point = self.scene.pixel_to_table(float(xs.mean()), float(ys.mean()), height)
        ratio = len(xs) / self.box_area[height]
        where = f"at x={point[0]:.2f} m, y={point[1]:.2f} m"
        if objects is None and (abs(ratio - round(ratio)) > TOLERANCE or round(ratio) > 1):  # rgb: blobs may merge
            sighting.doubt(BOXES, f"a blob of {ratio:.1f} boxes' worth of pixels {where}")
        elif objects is not None and ratio < 1 - TOLERANCE:  # segmentation: one body, maybe partly hidden
            sighting.doubt(BOXES, f"a box partly hidden {where}")
        self._box(sighting, point, height)

    def _box(self, sighting: YardSighting, point: tuple[float, float], top: float) -> None:
        if top <= self.edge + CART_HEIGHT / 2:
            sighting.floor.append(point)
            return
        under = sorted((np.hypot(point[0] - x, point[1] - y), agent) for agent, (x, y) in sighting.carts.items())
        under = [(distance, agent) for distance, agent in under if distance <= CART / 2 + 0.02]
        if len(under) == 1 or len(under) > 1 and under[0][0] < under[1][0] / 2:  # over one deck's centre
            sighting.loaded.add(under[0][1])
        elif under:  # carts on one spot: whose deck it is cannot be told
            under = [agent for _, agent in under]
            for agent in under:
                sighting.doubt(agent, f"a box stands on {' or '.join(under)}")
        else:
            sighting.doubt(BOXES, f"a box above the floor with no cart seen under it, at x={point[0]:.2f} m, "
                                  f"y={point[1]:.2f} m")


def _layers(xs: np.ndarray, ys: np.ndarray, depth: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The pixels (``xs``, ``ys``) split where their depths leave a gap of more than ``ABOVE``: flat tops at
    different heights (boxes on two carts' decks seen as one blob) come apart; a tilted top stays whole."""
    order = np.argsort(depth[ys, xs], kind="stable")
    gaps = np.nonzero(np.diff(depth[ys[order], xs[order]]) > ABOVE)[0] + 1
    return [(xs[part], ys[part]) for part in np.split(order, gaps)]


def _square_sums(image: np.ndarray, side: int) -> np.ndarray:
    """The sum of ``image`` over every ``side`` x ``side`` square, indexed by the square's top-left pixel."""
    total = cv2.integral(image)
    return total[side:, side:] - total[:-side, side:] - total[side:, :-side] + total[:-side, :-side]


def _near(hue: np.ndarray, centre: int, band: int) -> np.ndarray:
    distance = np.abs(hue - centre)
    return np.minimum(distance, 180 - distance) <= band
