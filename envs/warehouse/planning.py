"""Warehouse's plan format and compact views for language models (prompt texts: ``prompts.yaml``)."""

from __future__ import annotations

from colony.envs.plan_format import AgentKeyedPlan
from colony.envs.warehouse.state import Transporter, WarehouseState, slot_name


def _where(t: Transporter) -> str:
    place = "target area" if t.in_target else f"track_{t.track} column_{t.column}"
    return place + (f", carrying {slot_name(t.carrying)}" if t.carrying is not None else "")


class WarehousePlan(AgentKeyedPlan):
    def compact_state(self, state: WarehouseState) -> str:
        boxes = [slot_name(slot) for slot in state.slots if slot in state.boxes]
        agents = [f"{agent}: {_where(t)}" for agent, t in zip(state.agents, state.transporters)]
        return f"Boxes in slots: {', '.join(boxes) or 'none'}.\n" + "\n".join(agents)

    def agent_view(self, state: WarehouseState, agent: str) -> str:
        me = state.transporter(agent)
        if me.in_target:
            near = [(other, t) for other, t in zip(state.agents, state.transporters) if t.column == 0 and not t.in_target]
        else:
            near = [(other, t) for other, t in zip(state.agents, state.transporters)
                    if other != agent and t.track == me.track and abs(t.column - me.column) <= 2]
        seen = "; ".join(f"{other} at {_where(t)}" for other, t in near) or "no agent near"
        return f"at {_where(me)}; {seen}"


PLAN_FORMAT = WarehousePlan(
    '{"agent0":"move left", "agent1":"move to track_1", "agent2":"pick box_1.5_1.0", "agent3":"move to target"}',
    facts=lambda state: {"tracks": state.tracks, "columns": state.columns})
