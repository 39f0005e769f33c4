"""Where Warehouse's places lie on the PyBullet table, and the carts' colours.

The table is ``columns + 2`` squares of ``CELL`` (0.30 m) wide and ``tracks`` squares high.
The two squares on the left are the ``target`` area: parking bays for the carts on its
left half (agent ``i`` parks in bay ``i``, two to a row, 0.15 m apart) and, on its right
half, the drop zone where an arriving cart sets its box down. Warehouse column ``c`` is
table column ``c + 2``. Rows use one coordinate ``rho``: track ``k`` runs along
``rho = k`` and the box slots of row ``k + 0.5`` lie halfway to the next track, so a
table point is ``(x, y) = ((column + 2.5) * CELL, -(rho + 0.5) * CELL)``.

Each cart has its own hue (OpenCV's 0-179 scale, fully saturated), far from the boxes'
crate brown, so the camera tells the carts apart: this is why Warehouse 3D has at most
``len(CART_HUES)`` agents. Each cart also has its own lane in a track cell (``LANES``: an
offset from the cell's centre) and its own deck height (``deck_height``, 2 mm above the
previous agent's), so that carts on one cell - the task's collision - stand side by side:
agents 0-3 apart, the others overlapping partly, the higher deck seen on top, every cart
showing part of its deck to the camera. The lanes keep clear of the box slots and of the
carts of the next cells.
"""

from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass

from colony.envs.physics import CART_HEIGHT, CELL
from colony.envs.warehouse.state import Slot, Transporter

CART_HUES = (0, 32, 47, 62, 77, 92, 107, 122, 137, 152)  # agent i's cart; the crate's hue is 17
CART_COLOURS = ("red", "yellow", "chartreuse", "green", "spring green", "cyan", "azure", "blue", "violet",
                "magenta")  # their names, for a vision-language describer (perception: vlm)
TARGET_SQUARES = 2
BAY = 0.15  # metres between parking bays
BOX_EDGE = 0.06  # Warehouse's boxes, metres
REACH = 0.8 * CELL  # how far from a cart's centre its arm picks a box: the slots beside its cell, from any lane
ALONG, ACROSS = 0.09, 0.057  # metres: the furthest a lane lies from its cell's centre along and across the track
LANES = ((-ALONG, -ACROSS), (ALONG, ACROSS), (ALONG, -ACROSS), (-ALONG, ACROSS), (ALONG / 2, 0.0), (0.0, -ACROSS),
         (0.0, ACROSS), (-ALONG / 2, 0.0), (0.0, -ACROSS / 3), (0.0, ACROSS / 3))  # agent i's (x, y) in a track cell
# (lanes 0-3 never overlap; of agents 0-7 a cart under one other still shows at least 71% of its deck, under
# two 43%; of all ten, 34%)
DECK_STEP = 0.002  # metres each agent's deck stands higher than the previous agent's
TRACK_RGB, SLOT_RGB, AREA_RGB = (0.78, 0.78, 0.78), (0.62, 0.62, 0.62), (0.80, 0.88, 0.80)


def cart_rgb(index: int) -> tuple[float, float, float]:
    return colorsys.hsv_to_rgb(CART_HUES[index] / 180, 1.0, 1.0)


def deck_height(index: int) -> float:
    return CART_HEIGHT + DECK_STEP * index


@dataclass(frozen=True)
class Layout:
    tracks: int
    columns: int

    @property
    def table_columns(self) -> int:
        return self.columns + TARGET_SQUARES

    @staticmethod
    def y_of(rho: float) -> float:
        return -(rho + 0.5) * CELL

    def cell_point(self, track: int, column: int) -> tuple[float, float]:
        return ((column + TARGET_SQUARES + 0.5) * CELL, self.y_of(track))

    def lane_point(self, track: int, column: int, index: int) -> tuple[float, float]:
        """Where agent ``index``'s cart stands in a track cell: its lane."""
        x, y = self.cell_point(track, column)
        return (x + LANES[index][0], y + LANES[index][1])

    def slot_point(self, slot: Slot) -> tuple[float, float]:
        return ((slot[1] + TARGET_SQUARES + 0.5) * CELL, self.y_of(slot[0]))

    @staticmethod
    def bay_point(index: int) -> tuple[float, float]:
        row, side = divmod(index, 2)
        return (BAY / 2 + BAY * side, -(BAY / 2 + BAY * row))

    def drop_point(self, index: int) -> tuple[float, float]:
        return (1.5 * CELL, self.bay_point(index)[1])

    def area_bottom(self, agents: int) -> float:
        """The target area reaches down to this y: the tracks' height, or further when the bays need it."""
        return min(-self.tracks * CELL, -BAY * math.ceil(agents / 2))

    def in_target(self, x: float, y: float, agents: int) -> bool:
        return 0 <= x <= TARGET_SQUARES * CELL and self.area_bottom(agents) <= y <= 0

    def route_to_target(self, start: tuple[float, float], index: int) -> list[tuple[float, float]]:
        """From a track into the target area along the track's row, then to the cart's bay."""
        lane, bay = 1.5 * CELL, self.bay_point(index)
        return [(lane, start[1]), (lane, bay[1]), bay]

    def route_to_track(self, index: int, track: int) -> list[tuple[float, float]]:
        lane, bay = 1.5 * CELL, self.bay_point(index)
        entry = self.lane_point(track, 0, index)
        return [(lane, bay[1]), (lane, entry[1]), entry]

    def place(self, x: float, y: float, agents: int, index: int) -> tuple[Transporter, float]:
        """The place of agent ``index``'s cart seen at (x, y), and how far off it is (in squares: 0 in its lane,
        0.5 halfway from there to the slots; 1 outside the target area and the tracks' cells), read at the
        nearest place."""
        if x < TARGET_SQUARES * CELL:
            return Transporter(None, 0), 0.0 if self.in_target(x, y, agents) else 1.0
        x, y = x - LANES[index][0], y - LANES[index][1]
        rho = -y / CELL - 0.5
        track = min(max(round(rho), 0), self.tracks - 1)
        column = math.floor(x / CELL) - TARGET_SQUARES
        outside = not 0 <= column < self.columns
        return Transporter(track, min(column, self.columns - 1)), abs(rho - track) + outside

    def nearest_slot(self, x: float, y: float) -> tuple[Slot, float]:
        """The slot nearest to (x, y) and the distance to it, metres."""
        rho = -y / CELL - 0.5
        row = min(max(math.floor(rho) + 0.5, 0.5), self.tracks - 1.5)
        column = min(max(math.floor(x / CELL) - TARGET_SQUARES, 0), self.columns - 1)
        sx, sy = self.slot_point((row, column))
        return (row, column), math.hypot(x - sx, y - sy)
