"""BoxNet1's greedy expert: a non-LLM reference planner that reads only the typed state."""

from __future__ import annotations

from typing import Any

from colony.envs import grid
from colony.envs.boxnet1.state import BoxNet1State


class BoxNet1Expert:
    """Match a box with its target when they share a square, else step it toward the nearest target."""

    def plan(self, view: Any) -> dict[str, str]:
        state: BoxNet1State = view.state
        plan = {}
        for agent in state.agents:
            cell = state.cell_of(agent)
            colours = state.box_colours(cell)
            match = next((c for c in colours if f"target_{c}" in state.items[cell]), None)
            if match:
                plan[agent] = grid.move_text(grid.Move(match, target=match))
                continue
            best = None
            for colour in colours:
                targets = state.cells_with(f"target_{colour}")
                if not targets:
                    continue
                goal = min(targets, key=lambda t: grid.manhattan(cell, t))
                step = min(grid.neighbours(cell, state.rows, state.cols), key=lambda n: grid.manhattan(n, goal))
                distance = grid.manhattan(cell, goal)
                if best is None or distance < best[0]:
                    best = (distance, grid.move_text(grid.Move(colour, square=step)))
            if best:
                plan[agent] = best[1]
        return plan
