"""BoxNet2's typed state and the text planners read, computed from it alone."""

from __future__ import annotations

from dataclasses import dataclass

from colony.envs import grid
from colony.envs.grid import Cell, Corner, Move
from colony.envs.state import TaskState


@dataclass
class BoxNet2State(grid.GridAgents, TaskState):
    """Targets in squares (row-major) and boxes on the lattice corners (``(x, y)``, x = 0..rows)."""

    rows: int
    cols: int
    targets: dict[Cell, list[str]]
    boxes: dict[Corner, list[str]]

    def __post_init__(self) -> None:
        self.targets = {(r, c): list(self.targets.get((r, c), [])) for r in range(self.rows) for c in range(self.cols)}
        self.boxes = {(x, y): list(self.boxes.get((x, y), [])) for x in range(self.rows + 1) for y in range(self.cols + 1)}
        self._name_agents()

    # --- what is where -------------------------------------------------------------------
    def corner_of(self, box: str) -> Corner | None:
        return next((corner for corner, boxes in self.boxes.items() if box in boxes), None)

    def target_cell(self, colour: str) -> Cell | None:
        return next((cell for cell, targets in self.targets.items() if f"target_{colour}" in targets), None)

    def movable_boxes(self, cell: Cell) -> list[tuple[Corner, str]]:
        """Boxes alone on a corner of ``cell``, in corner order."""
        return [(corner, self.boxes[corner][0]) for corner in grid.cell_corners(cell) if len(self.boxes[corner]) == 1]

    def boxes_left(self) -> int:
        return sum(len(items) for items in self.boxes.values())

    # --- the text views ------------------------------------------------------------------
    def _legal_actions(self, agent: str) -> list[str]:
        cell = self.cell_of(agent)
        actions = []
        for here, box in self.movable_boxes(cell):
            colour = box[4:]
            actions += [grid.move_text(Move(colour, position=corner)) for corner in grid.cell_corners(cell) if corner != here]
            if f"target_{colour}" in self.targets[cell]:
                actions.append(grid.move_text(Move(colour, target=colour)))
        return actions

    def observation_text(self, agent: str) -> str:
        cell = self.cell_of(agent)
        seen = list(self.targets[cell]) + [f"{box} at {grid.position_name(corner)}"
                                            for corner in grid.cell_corners(cell) for box in self.boxes[corner]]
        return f"{agent}: I am in {grid.square_name(cell)}, I can observe {seen}, I can do {self.legal_actions(agent)}"

    def history_state_text(self) -> str:
        state = {grid.cell_key(cell): items for cell, items in self.targets.items()}
        state.update({grid.corner_key(corner): items for corner, items in self.boxes.items()})
        return repr(state)
