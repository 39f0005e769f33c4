"""BoxNet1's typed state and the text planners read, computed from it alone."""

from __future__ import annotations

from dataclasses import dataclass

from colony.envs import grid
from colony.envs.grid import Cell, Move
from colony.envs.state import TaskState


@dataclass
class BoxNet1State(grid.GridAgents, TaskState):
    """Every square of the grid (row-major) with the items on it (``box_red``, ``target_red``)."""

    rows: int
    cols: int
    items: dict[Cell, list[str]]

    def __post_init__(self) -> None:
        self.items = {(r, c): list(self.items.get((r, c), [])) for r in range(self.rows) for c in range(self.cols)}
        self._name_agents()

    # --- what is where -------------------------------------------------------------------
    def box_colours(self, cell: Cell) -> list[str]:
        """Colours of the boxes in a square, each once, in item order."""
        return list(dict.fromkeys(item[4:] for item in self.items[cell] if item.startswith("box_")))

    def cells_with(self, item: str) -> list[Cell]:
        return [cell for cell, items in self.items.items() if item in items]

    def boxes_left(self) -> int:
        return sum(item.startswith("box_") for items in self.items.values() for item in items)

    # --- the text views ------------------------------------------------------------------
    def _legal_actions(self, agent: str) -> list[str]:
        cell = self.cell_of(agent)
        actions = []
        for colour in self.box_colours(cell):
            actions += [grid.move_text(Move(colour, square=n)) for n in grid.neighbours(cell, self.rows, self.cols)]
            if f"target_{colour}" in self.items[cell]:
                actions.append(grid.move_text(Move(colour, target=colour)))
        return actions

    def observation_text(self, agent: str) -> str:
        cell = self.cell_of(agent)
        return (f"{agent}: I am in {grid.square_name(cell)}, I can observe {self.items[cell]}, "
                f"I can do {self.legal_actions(agent)}")

    def history_state_text(self) -> str:
        return repr({grid.cell_key(cell): items for cell, items in self.items.items()})
