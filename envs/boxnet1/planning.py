"""BoxNet1's plan format and compact views for language models (prompt texts: ``prompts.yaml``)."""

from __future__ import annotations

from colony.envs import grid
from colony.envs.boxnet1.state import BoxNet1State
from colony.envs.plan_format import AgentKeyedPlan


def _items(items: list[str]) -> str:
    return ", ".join(items) if items else "nothing"


class BoxNet1Plan(AgentKeyedPlan):
    def compact_state(self, state: BoxNet1State) -> str:
        last = grid.square_name((state.rows - 1, state.cols - 1))
        lines = [f"Grid {state.rows}x{state.cols}, square[0.5, 0.5] to {last}; squares with items:"]
        lines += [f"{grid.square_name(cell)}: {_items(items)}" for cell, items in state.items.items() if items]
        return "\n".join(lines)

    def agent_view(self, state: BoxNet1State, agent: str) -> str:
        cell = state.cell_of(agent)
        return f"in {grid.square_name(cell)} with {_items(state.items[cell])}"


PLAN_FORMAT = BoxNet1Plan(
    '{"Agent[0.5, 0.5]":"move(box_blue, square[0.5, 1.5])", "Agent[1.5, 0.5]":"move(box_red, target_red)"}')
