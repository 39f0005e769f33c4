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

import cv2
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
        self._flat: list[int] | None = None

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

    def flat_costs(self) -> list[int]:
        """:meth:`cost` of every cell as one list indexed ``x * height + y``, 0 where the cell
        blocks (made once per terrain: searches then read plain ints, not numpy scalars)."""
        if self._flat is None:
            costs = np.where(np.isin(self.known, list(self.walkable)), 1,
                             np.where(np.isin(self.known, list(self.minable)), 2, 0))
            flat = costs.ravel().tolist()
            for x, y in self.occupied:
                if 0 <= x < self.width and 0 <= y < self.height:
                    flat[x * self.height + y] = 0
            self._flat = flat
        return self._flat


def route(terrain: Terrain, start: Cell, goals: set[Cell], limit: int = 4096) -> list[Cell] | None:
    """The cheapest path from ``start`` to any cell of ``goals`` (start excluded, goal included),
    or None. Goals need not be enterable themselves: the path ends on them only if they are.

    Dijkstra over flat cell indices ``x * height + y``: their order is the cells' order, so ties
    break as between ``(x, y)`` tuples; neighbours are tried in :data:`DIRECTIONS` order."""
    if start in goals:
        return []
    width, height = terrain.width, terrain.height
    costs = terrain.flat_costs()
    targets = {x * height + y for x, y in goals}
    origin = start[0] * height + start[1]
    frontier = [(0, origin)]
    came = {origin: -1}
    spent = {origin: 0}
    expanded = 0
    while frontier and expanded < limit:
        cost, here = heapq.heappop(frontier)
        if cost > spent[here]:
            continue
        expanded += 1
        if here in targets:
            path = []
            while here != origin:
                path.append(divmod(here, height))
                here = came[here]
            return path[::-1]
        x, y = divmod(here, height)
        for nxt, inside in ((here - height, x > 0), (here + height, x < width - 1),
                            (here - 1, y > 0), (here + 1, y < height - 1)):
            step = costs[nxt] if inside else 0
            if not step:
                continue
            total = cost + step
            if total < spent.get(nxt, 1 << 30):
                spent[nxt], came[nxt] = total, here
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
        self.goal: Cell | None = None  # where the current route ends

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
            self.key, self.path, self.goal = key, found, found[-1]
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
    return window_counts(mask, (radius, radius))


def cells(mask: np.ndarray) -> set[Cell]:
    return {(int(x), int(y)) for x, y in np.argwhere(mask)}


def window_counts(mask: np.ndarray, half: tuple[int, int]) -> np.ndarray:
    """For every cell, how many cells of ``mask`` lie in the ``(2*half[0]+1) x (2*half[1]+1)``
    window centred on it (the window clipped at the map's edge)."""
    return np.rint(window_sums(mask.astype(np.float32), half)).astype(np.int32)


def window_sums(values: np.ndarray, half: tuple[int, int]) -> np.ndarray:
    """For every cell, the sum of ``values`` over the window of :func:`window_counts`: OpenCV's
    unnormalised box filter with zeros beyond the edge (one C call; a team of 32 makes hundreds
    of these a step)."""
    hx, hy = half
    if values.dtype not in (np.float32, np.float64):
        values = values.astype(np.float64)
    # arrays are indexed [x, y]: OpenCV's rows are x, its columns y, and its kernel size is (columns, rows)
    return cv2.boxFilter(values, -1, (2 * hy + 1, 2 * hx + 1), normalize=False, borderType=cv2.BORDER_CONSTANT)


ROCK_PRIOR = 0.25  # the chance that an unknown cell with nothing known around it is rock (about a fifth of a world is)
LOOKOUT_UNKNOWN = 12  # a lookout shows at least this many unknown cells (more than one new row of the view):
# picking up three-cell pockets next to the agent kept lone explorers mopping up a mountain already seen


def lookouts(terrain: Terrain, position: Cell, heading: Cell, half_view: tuple[int, int], rock_ids: set[int],
             count: int = 6, within: np.ndarray | None = None, weights: np.ndarray | None = None) -> list[Cell]:
    """The best cells to walk to for a look at the unknown, best first: each known cell the agent
    can enter (and, given ``within``, inside that mask) is scored by what its view would reveal,
    over the walk there (Manhattan), favouring the agent's heading (team members fan out).

    With ``rock_ids`` (ores lie in the mountains, a diamond within three cells of a mountain's
    edge on four worlds in five) each unknown cell counts by how likely it is rock: the share of
    rock among the known cells within four of it (:data:`ROCK_PRIOR` where none is known), plus
    a tenth, so that the view into a mountain's flank beats the view over a meadow (``weights``: those
    of :func:`rock_weights` for this map, when the caller has them already)."""
    unknown = terrain.known < 0
    revealed = window_counts(unknown, half_view)
    if rock_ids and weights is None:
        weights = rock_weights(terrain, rock_ids)
    gain = window_sums(weights, half_view) if rock_ids else revealed
    enterable = np.isin(terrain.known, list(terrain.walkable | terrain.minable))
    x, y = position
    candidates = enterable & (revealed >= LOOKOUT_UNKNOWN)
    if within is not None:
        candidates &= within
    candidates[max(0, x - 1):x + 2, max(0, y - 1):y + 2] = False  # a step away reveals almost nothing
    if not candidates.any():
        return []
    xs, ys = np.nonzero(candidates)
    dx, dy = xs - x, ys - y
    distance = np.abs(dx) + np.abs(dy)
    along = (dx * heading[0] + dy * heading[1]) / np.maximum(np.hypot(dx, dy), 1) / max(np.hypot(*heading), 1)
    score = gain[xs, ys] * (1.0 + 0.3 * along) / (distance + 4.0)
    order = np.lexsort((ys, xs, -score))[:count]  # ties broken by position: deterministic
    return [(int(xs[i]), int(ys[i])) for i in order]


def rock_weights(terrain: Terrain, rock_ids: set[int]) -> np.ndarray:
    """What each cell is worth to look at when ores are sought: 0 once known, else a tenth plus how
    likely it is rock (the share of rock among the known cells within four of it, :data:`ROCK_PRIOR`
    where none is known)."""
    unknown = terrain.known < 0
    known = window_counts(~unknown, (4, 4))
    rock = window_counts(np.isin(terrain.known, list(rock_ids)), (4, 4))
    likely = np.where(known > 0, rock / np.maximum(known, 1), ROCK_PRIOR)
    return unknown * (0.1 + likely)


def straight_lines(terrain: Terrain, position: Cell, facing: Cell, half_view: tuple[int, int],
                   weights: np.ndarray) -> list[tuple[float, Cell]]:
    """Straight digs from ``position``, best first, as ``(rate, direction)``: going straight along a
    side reveals a strip of the map at each step (a row of the view going up or down, a column going
    left or right), and in rock a step costs two actions (mine, then walk in), plus one to turn toward
    rock first. The rate of a direction is the best, over the known cells ahead the agent can enter,
    of the ``weights`` revealed on the way over the actions spent."""
    x, y = position
    hx, hy = half_view
    lines = []
    for dx, dy in SIDES:
        spent = 0
        best = 0.0
        gain = 0.0
        for k in range(1, max(hx, hy) + 1):
            cell = (x + k * dx, y + k * dy)
            if not (0 <= cell[0] < terrain.width and 0 <= cell[1] < terrain.height):
                break
            step = terrain.cost(cell)
            if step is None:
                break
            if k == 1 and step == 2 and tuple(facing) != (dx, dy):
                step += 1  # turning toward rock does not move the agent
            spent += step
            if dx:  # the column of the view entering on that side
                strip = weights[cell[0] + dx * hx, max(0, y - hy):y + hy + 1] \
                    if 0 <= cell[0] + dx * hx < terrain.width else weights[:0, 0]
            else:
                strip = weights[max(0, x - hx):x + hx + 1, cell[1] + dy * hy] \
                    if 0 <= cell[1] + dy * hy < terrain.height else weights[:0, 0]
            gain += float(strip.sum())
            best = max(best, gain / spent)
        lines.append((best, (dx, dy)))
    lines.sort(key=lambda line: -line[0])  # stable: ties keep SIDES order
    return lines


def reachable(terrain: Terrain, start: Cell) -> np.ndarray:
    """The cells the agent can get to from ``start`` (walking or mining), as a mask."""
    width, height = terrain.width, terrain.height
    costs = terrain.flat_costs()
    seen = [False] * (width * height)
    origin = start[0] * height + start[1]
    seen[origin] = True
    frontier = [origin]
    while frontier:
        here = frontier.pop()
        x, y = divmod(here, height)
        for nxt, inside in ((here - height, x > 0), (here + height, x < width - 1),
                            (here - 1, y > 0), (here + 1, y < height - 1)):
            if inside and not seen[nxt] and costs[nxt]:
                seen[nxt] = True
                frontier.append(nxt)
    return np.array(seen).reshape(width, height)


def unknown_around(terrain: Terrain, cell: Cell, half_view: tuple[int, int]) -> int:
    """How many unknown cells the view from ``cell`` would show."""
    x, y = cell
    hx, hy = half_view
    return int((terrain.known[max(0, x - hx):x + hx + 1, max(0, y - hy):y + hy + 1] < 0).sum())


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
