"""BoxNet2's plan format and compact views for language models (prompt texts: ``prompts.yaml``)."""

from __future__ import annotations

from colony.envs import grid
from colony.envs.boxnet2.state import BoxNet2State
from colony.envs.plan_format import AgentKeyedPlan


class BoxNet2Plan(AgentKeyedPlan):
    def compact_state(self, state: BoxNet2State) -> str:
        targets = [f"{target} in {grid.square_name(cell)}" for cell, items in state.targets.items() for target in items]
        boxes = [f"{box} at {grid.position_name(corner)}" for corner, items in state.boxes.items() for box in items]
        last = grid.square_name((state.rows - 1, state.cols - 1))
        return (f"Grid {state.rows}x{state.cols}, square[0.5, 0.5] to {last}.\n"
                f"Targets: {', '.join(targets) or 'none'}.\nBoxes: {', '.join(boxes) or 'none'}.")

    def agent_view(self, state: BoxNet2State, agent: str) -> str:
        cell = state.cell_of(agent)
        corners = [f"{grid.position_name(corner)} {' and '.join(state.boxes[corner]) or 'free'}"
                   for corner in grid.cell_corners(cell)]
        targets = ", ".join(state.targets[cell]) or "none"
        return f"in {grid.square_name(cell)}, targets here: {targets}; corners: {'; '.join(corners)}"


PLAN_FORMAT = BoxNet2Plan(
    '{"Agent[0.5, 0.5]":"move(box_blue, position[0.0, 1.0])", "Agent[1.5, 0.5]":"move(box_red, target_red)"}')
