"""BoxNet2's greedy expert: a non-LLM reference planner that reads only the typed state."""

from __future__ import annotations

from typing import Any

from colony.envs import grid
from colony.envs.boxnet2.state import BoxNet2State


class BoxNet2Expert:
    """Move each box one corner closer to its target's square, never onto a taken corner."""

    def plan(self, view: Any) -> dict[str, str]:
        state: BoxNet2State = view.state
        plan: dict[str, str] = {}
        taken = {corner for corner, boxes in state.boxes.items() if boxes}
        for corner, boxes in state.boxes.items():
            if len(boxes) != 1:
                continue
            colour = boxes[0][4:]
            goal = state.target_cell(colour)
            if goal is None:
                continue
            cells = [cell for cell in state.targets if corner in grid.cell_corners(cell)]
            free_agents = [cell for cell in cells if grid.agent_name(cell) not in plan]
            if goal in free_agents:
                plan[grid.agent_name(goal)] = grid.move_text(grid.Move(colour, target=colour))
                continue

            def distance(point: tuple[int, int]) -> float:
                return min(grid.manhattan(point, c) for c in grid.cell_corners(goal))

            options = [(distance(q), cell, q) for cell in free_agents for q in grid.cell_corners(cell)
                       if q not in taken and distance(q) < distance(corner)]
            if options:
                _, cell, destination = min(options)
                plan[grid.agent_name(cell)] = grid.move_text(grid.Move(colour, position=destination))
                taken.add(destination)
        return plan
