"""Names and parsing shared by the BoxNet tasks.

Cells are written by their centre (``square[0.5, 1.5]``, agent ``Agent[0.5, 1.5]``);
BoxNet2 corners by their integer lattice point (``position[1.0, 0.0]``). Parsing is
tolerant of spacing, of round brackets (the reference's ``position(1.0, 0.0)``) and of
integer or decimal numbers, and always returns the canonical form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import Field

from colony.envs.errors import InvalidSize
from colony.envs.instance_checks import Problems
from colony.envs.rules import Strict

Cell = tuple[int, int]  # (row, column), zero-based
Corner = tuple[int, int]  # lattice point (x, y), 0..rows x 0..cols

_NUMBER = r"(-?\d+(?:\.\d+)?)"
_PAIR = rf"\s*[\[(]\s*{_NUMBER}\s*,\s*{_NUMBER}\s*[\])]\s*"
_AGENT = re.compile(rf"^\s*agent{_PAIR}$", re.IGNORECASE)
_MOVE = re.compile(r"^\s*move\s*\(\s*box_([a-z]+)\s*,\s*(.+?)\s*\)\s*$", re.IGNORECASE)
_SQUARE = re.compile(rf"^square{_PAIR}$", re.IGNORECASE)
_POSITION = re.compile(rf"^position{_PAIR}$", re.IGNORECASE)
_TARGET = re.compile(r"^target_([a-z]+)$", re.IGNORECASE)


@cache
def centre(cell: Cell) -> str:
    return f"{cell[0] + 0.5}, {cell[1] + 0.5}"


@cache
def agent_name(cell: Cell) -> str:
    return f"Agent[{centre(cell)}]"


@cache
def square_name(cell: Cell) -> str:
    return f"square[{centre(cell)}]"


@cache
def cell_key(cell: Cell) -> str:
    """The key of a cell in the paper's state dict (``'0.5_1.5'``)."""
    return f"{cell[0] + 0.5}_{cell[1] + 0.5}"


@cache
def position_name(corner: Corner) -> str:
    return f"position[{float(corner[0])}, {float(corner[1])}]"


@cache
def corner_key(corner: Corner) -> str:
    return f"{float(corner[0])}_{float(corner[1])}"


@cache
def cell_corners(cell: Cell) -> list[Corner]:
    """A cell's corners in the reference's order."""
    row, col = cell
    return [(row, col), (row, col + 1), (row + 1, col), (row + 1, col + 1)]


@cache
def neighbours(cell: Cell, rows: int, cols: int) -> list[Cell]:
    """4-neighbours inside the grid, in the reference's order: up, down, left, right."""
    row, col = cell
    candidates = [(row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1)]
    return [(r, c) for r, c in candidates if 0 <= r < rows and 0 <= c < cols]


def _half_cell(a: str, b: str) -> Cell | None:
    """(row, col) from centre coordinates like 0.5, 1.5; None when not cell centres."""
    x, y = float(a) - 0.5, float(b) - 0.5
    if x != int(x) or y != int(y):
        return None
    return int(x), int(y)


def _lattice(a: str, b: str) -> Corner | None:
    x, y = float(a), float(b)
    if x != int(x) or y != int(y):
        return None
    return int(x), int(y)


def parse_agent(key: str) -> Cell | None:
    """The cell of an agent name, or None when ``key`` is not an agent name."""
    match = _AGENT.match(key)
    return _half_cell(*match.groups()) if match else None


@dataclass(frozen=True)
class Move:
    """A parsed ``move(box_<colour>, <destination>)``; exactly one destination is set."""

    colour: str
    square: Cell | None = None
    position: Corner | None = None
    target: str | None = None  # the target's colour


def parse_move(text: str) -> Move | None:
    """Parse a BoxNet action string; None when it is not of that form."""
    match = _MOVE.match(text)
    if not match:
        return None
    colour, destination = match.group(1).lower(), match.group(2)
    if found := _SQUARE.match(destination):
        cell = _half_cell(*found.groups())
        return Move(colour, square=cell) if cell is not None else None
    if found := _POSITION.match(destination):
        corner = _lattice(*found.groups())
        return Move(colour, position=corner) if corner is not None else None
    if found := _TARGET.match(destination):
        return Move(colour, target=found.group(1).lower())
    return None


@cache
def move_text(move: Move) -> str:
    """The canonical action string of a move."""
    if move.square is not None:
        destination = square_name(move.square)
    elif move.position is not None:
        destination = position_name(move.position)
    else:
        destination = f"target_{move.target}"
    return f"move(box_{move.colour}, {destination})"


class BoxNetRules(Strict):
    """The ``rules:`` table of BoxNet1's and BoxNet2's task.yaml."""

    colours: tuple[str, ...] = Field(min_length=1)
    boxes_per_colour: tuple[int, int]


class GridAgents:
    """Naming shared by the BoxNet states: one agent per square, named by the square's centre.
    The state's ``__post_init__`` calls ``_name_agents()`` once the squares are known."""

    rows: int
    cols: int

    def _name_agents(self) -> None:
        self._cell_of = {agent_name((r, c)): (r, c) for r in range(self.rows) for c in range(self.cols)}

    @property
    def agents(self) -> list[str]:
        return list(self._cell_of)

    def cell_of(self, agent: str) -> Cell:
        """The square an agent stands in."""
        return self._cell_of[agent]

    def agent_position(self, agent: str) -> tuple[float, float]:
        row, col = self._cell_of[agent]
        return (row + 0.5, col + 0.5)

    def resolve_agent(self, key: str) -> str | None:
        cell = parse_agent(key)
        return agent_name(cell) if cell is not None and 0 <= cell[0] < self.rows and 0 <= cell[1] < self.cols else None


def checked_grid(task: str, data: Mapping[str, Any], problems: Problems, check: Callable[[int, int], None]) -> tuple[int, int]:
    """``rows`` and ``cols`` of instance data, checked by ``check(rows, cols)``; raises with every problem found."""
    rows, cols = problems.integer(data, "rows", minimum=1), problems.integer(data, "cols", minimum=1)
    if rows is not None and cols is not None:
        try:
            check(rows, cols)
        except InvalidSize as error:
            problems.add("rows, cols", [rows, cols], str(error))
    if rows is None or cols is None or problems:
        problems.raise_if_any(task)
    return rows, cols


def checked_squares(data: Mapping[str, Any], field: str, rows: int, cols: int, kinds: tuple[str, ...],
                    colours: tuple[str, ...], problems: Problems) -> dict[Cell, list[str]]:
    """The ``{'0.5_1.5': ['box_red', ...]}`` mapping ``field`` of instance data as cells and their
    items, every key and item checked (items of the given ``kinds`` in the rules' colours)."""
    cells: dict[Cell, list[str]] = {}
    wanted = " or ".join(f"{kind}_<colour>" for kind in kinds) + f", colours: {', '.join(colours)}"
    for key, things in problems.mapping(data, field).items():
        cell = cell_from_key(key, rows, cols)
        if cell is None:
            problems.add(f"{field}.{key}", key, f"a square of the {rows}x{cols} grid, written by its centre "
                                                f"('0.5_0.5' .. '{rows - 0.5}_{cols - 0.5}')")
            continue
        for index, thing in enumerate(problems.sequence(things, f"{field}.{key}")):
            if all(item_colour(thing, kind, colours) is None for kind in kinds):
                problems.add(f"{field}.{key}[{index}]", thing, wanted)
            else:
                cells.setdefault(cell, []).append(thing)
    return cells


def cell_from_key(key: str, rows: int, cols: int) -> Cell | None:
    """The cell of a state-dict key like ``'0.5_1.5'``, or None when it is not a square centre of the grid."""
    parts = str(key).split("_")
    try:
        cell = _half_cell(*parts) if len(parts) == 2 else None
    except (ValueError, OverflowError):
        return None
    return cell if cell is not None and 0 <= cell[0] < rows and 0 <= cell[1] < cols else None


def corner_from_key(key: str, rows: int, cols: int) -> Corner | None:
    """The corner of a key like ``'1.0_0.0'``, or None when it is not a lattice point of the grid."""
    parts = str(key).split("_")
    try:
        corner = _lattice(*parts) if len(parts) == 2 else None
    except (ValueError, OverflowError):
        return None
    return corner if corner is not None and 0 <= corner[0] <= rows and 0 <= corner[1] <= cols else None


def item_colour(item: object, kind: str, colours: tuple[str, ...]) -> str | None:
    """The colour of ``'<kind>_<colour>'`` when the colour is one of the rules' colours, else None."""
    if not isinstance(item, str) or not item.startswith(kind + "_"):
        return None
    colour = item[len(kind) + 1:]
    return colour if colour in colours else None


def check_grid(task: str, rows: int, cols: int) -> None:

    if not (isinstance(rows, int) and isinstance(cols, int)) or rows < 1 or cols < 1:
        raise InvalidSize(f"{task}: rows and columns must be positive integers, got {rows}x{cols}")
    if rows * cols < 2:
        raise InvalidSize(f"{task}: a {rows}x{cols} grid has one agent and no square to move a box to; use at least 1x2")


def parse_grid_size(task: str, label: str) -> tuple[int, int]:
    """``'4x8'`` -> (4, 8), with a clear error for anything else."""

    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", str(label))
    if not match:
        raise InvalidSize(f"{task}: size {label!r} is not ROWSxCOLS (e.g. 2x4)")
    rows, cols = int(match.group(1)), int(match.group(2))
    check_grid(task, rows, cols)
    return rows, cols


def manhattan(a: tuple[float, float], b: tuple[float, float]) -> float:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])
