"""Names and parsing shared by the BoxNet tasks.

Cells are written by their centre (``square[0.5, 1.5]``, agent ``Agent[0.5, 1.5]``);
BoxNet2 corners by their integer lattice point (``position[1.0, 0.0]``). Parsing is
tolerant of spacing, of round brackets (the reference's ``position(1.0, 0.0)``) and of
integer or decimal numbers, and always returns the canonical form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from colony.envs.world import InvalidSize

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
