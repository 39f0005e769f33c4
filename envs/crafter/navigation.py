"""Path-finding over what an agent has seen: the next primitive Crafter action for a target.

The map is the agent's own knowledge (material ids, -1 where it has never looked). Walking
is over grass, sand and path; a cell the agent can mine (stone, coal, iron, diamond, with
the right pickaxe) can be tunnelled through at twice the cost; everything unknown, lava,
water, trees and occupied cells block. Routes are cached per agent and reused while their
next cell stays free, so that a team of 32 stays fast.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

import numpy as np

SIDES = ((1, 0), (-1, 0), (0, 1), (0, -1))
MOVES = {(-1, 0): "move_left", (1, 0): "move_right", (0, -1): "move_up", (0, 1): "move_down"}
DIRECTIONS = tuple(MOVES)

Cell = tuple[int, int]


def neighbours(cell: Cell, width: int, height: int) -> Iterable[Cell]:
    x, y = cell
    for dx, dy in DIRECTIONS:
        nx, ny = x + dx, y + dy
        if 0 <= nx < width and 0 <= ny < height:
            yield nx, ny


def face(position: Cell, target: Cell) -> str:
    """The move that turns an agent at ``position`` toward the adjacent ``target``."""
    return MOVES[(target[0] - position[0], target[1] - position[1])]


class Terrain:
    """What one agent may cross: its known map, the walkable and the minable material ids, and
    the cells occupied now by creatures or other agents."""

    def __init__(self, known, walkable: set[int], minable: set[int], occupied: set[Cell]) -> None:
        self.known = known
        self.width, self.height = known.shape
        self.walkable = walkable
        self.minable = minable
        self.occupied = occupied

    def cost(self, cell: Cell) -> int | None:
        """1 to walk in, 2 to mine then walk in, None when the cell blocks."""
        if cell in self.occupied:
            return None
        material = int(self.known[cell])
        if material in self.walkable:
            return 1
        if material in self.minable:
            return 2
        return None


def route(terrain: Terrain, start: Cell, goals: set[Cell], limit: int = 4096) -> list[Cell] | None:
    """The cheapest path from ``start`` to any cell of ``goals`` (start excluded, goal included),
    or None. Goals need not be enterable themselves: the path ends on them only if they are."""
    if start in goals:
        return []
    frontier = [(0, start)]
    came: dict[Cell, Cell | None] = {start: None}
    spent = {start: 0}
    expanded = 0
    while frontier and expanded < limit:
        cost, cell = heapq.heappop(frontier)
        if cost > spent[cell]:
            continue
        expanded += 1
        if cell in goals:
            path = []
            while cell != start:
                path.append(cell)
                cell = came[cell]
            return path[::-1]
        for nxt in neighbours(cell, terrain.width, terrain.height):
            step = terrain.cost(nxt)
            if step is None:
                continue
            total = cost + step
            if total < spent.get(nxt, 1 << 30):
                spent[nxt], came[nxt] = total, cell
                heapq.heappush(frontier, (total, nxt))
    return None


def approach_cells(targets: Iterable[Cell], terrain: Terrain) -> set[Cell]:
    """Cells next to any target from which the target can be worked on."""
    cells = set()
    for target in targets:
        for cell in neighbours(target, terrain.width, terrain.height):
            if terrain.cost(cell) is not None:
                cells.add(cell)
    return cells


class Navigator:
    """One agent's cached route toward its current destination."""

    def __init__(self) -> None:
        self.key: object = None
        self.path: list[Cell] = []

    def next_move(self, key: object, terrain: Terrain, position: Cell, facing: Cell,
                  goals: set[Cell]) -> tuple[str | None, str]:
        """The primitive that brings the agent one step (or one mined cell) closer to ``goals``:
        ``(action, "")``, ``(None, "arrived")`` or ``(None, reason)`` when no route is known."""
        if position in goals:
            self.key, self.path = key, []
            return None, "arrived"
        fresh = self.key == key and self.path and self.path[-1] in goals
        if not fresh or terrain.cost(self.path[0]) is None or abs(self.path[0][0] - position[0]) + \
                abs(self.path[0][1] - position[1]) != 1:
            found = route(terrain, position, goals)
            if found is None:
                self.key, self.path = None, []
                return None, "no known route"
            self.key, self.path = key, found
        nxt = self.path[0]
        if terrain.cost(nxt) == 2:  # a wall the agent can mine: face it, then dig
            towards = (nxt[0] - position[0], nxt[1] - position[1])
            return ("do" if tuple(facing) == towards else MOVES[towards]), ""
        self.path.pop(0)
        return face(position, nxt), ""


# --- whole-map searches on an agent's known map (numpy masks indexed [x, y]) ----------------
def shifted(mask: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """``out[x, y] == mask[x + dx, y + dy]``, False (zero) beyond the map's edge."""
    width, height = mask.shape
    out = np.zeros_like(mask)
    out[max(0, -dx):width - max(0, dx), max(0, -dy):height - max(0, dy)] = \
        mask[max(0, dx):width - max(0, -dx), max(0, dy):height - max(0, -dy)]
    return out


def count_around(mask: np.ndarray, radius: int) -> np.ndarray:
    """For every cell, how many cells of ``mask`` lie in the square of ``radius`` around it."""
    total = np.zeros(mask.shape, np.int16)
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            total += shifted(mask, dx, dy)
    return total


def cells(mask: np.ndarray) -> set[Cell]:
    return {(int(x), int(y)) for x, y in np.argwhere(mask)}


def frontier(terrain: Terrain, position: Cell, half_view: tuple[int, int]) -> set[Cell]:
    """Known cells at the edge of the unknown, beyond the current view: walkable ones, or, for an
    agent that can mine, those in rock first (ores lie there; it tunnels to them)."""
    unknown = terrain.known < 0
    edge = shifted(unknown, 1, 0) | shifted(unknown, -1, 0) | shifted(unknown, 0, 1) | shifted(unknown, 0, -1)
    walkable = np.isin(terrain.known, list(terrain.walkable))
    x, y = position

    def beyond_view(found: set[Cell]) -> set[Cell]:
        return {c for c in found if abs(c[0] - x) > half_view[0] or abs(c[1] - y) > half_view[1]}

    if terrain.minable:
        rock = np.isin(terrain.known, list(terrain.minable))
        rocky = beyond_view(cells(edge & (walkable | rock) & (count_around(rock, 2) >= 6)))
        if rocky:
            return rocky
    found = cells(edge & walkable)
    return beyond_view(found) or found


def station_cells(terrain: Terrain, station_ids: list[int]) -> set[Cell]:
    """Walkable known cells whose 3x3 neighbourhood holds every station (table, furnace)."""
    good = np.isin(terrain.known, list(terrain.walkable))
    for station in station_ids:
        good &= count_around(terrain.known == station, 1) > 0
    return cells(good)


def shelter_gates(terrain: Terrain, direction: Cell, open_ids: list[int], path_id: int, sealed: bool = False) -> np.ndarray:
    """Cells G from which a shelter can be dug along ``direction``: G walkable (or, with ``sealed``,
    already stoned up), the two cells beyond it diggable (rock the agent can mine, or path), and
    the cells around those two blocking (known, and nothing creatures or arrows cross)."""
    dx, dy = direction
    px, py = dy, dx  # perpendicular
    known = terrain.known
    blocking = (known >= 0) & ~np.isin(known, open_ids)
    diggable = np.isin(known, list(terrain.minable) + [path_id])
    good = np.isin(known, list(terrain.walkable)) | (diggable if sealed else False)
    good &= shifted(diggable, dx, dy) & shifted(diggable, 2 * dx, 2 * dy) & shifted(blocking, 3 * dx, 3 * dy)
    for k in (1, 2):
        good &= shifted(blocking, k * dx + px, k * dy + py) & shifted(blocking, k * dx - px, k * dy - py)
    return good
