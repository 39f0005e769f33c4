"""Warehouse's greedy expert: a non-LLM reference planner that reads only the typed state."""

from __future__ import annotations

from typing import Any

from colony.envs.warehouse.state import Slot, Transporter, WarehouseState


class WarehouseExpert:
    """Carriers head home; each free box goes to the nearest free agent (idle agents go home to clear
    the tracks); collisions are avoided by making the lowest-priority mover of a shared cell wait."""

    def plan(self, view: Any) -> dict[str, str]:
        state: WarehouseState = view.state
        assignment = self._assign(state)
        wanted = {agent: self._wish(state, t, assignment.get(agent)) for agent, t in zip(state.agents, state.transporters)}
        priority = sorted(state.agents, key=lambda a: (state.transporter(a).carrying is None, a))
        while True:
            places: dict[tuple[int, int], list[str]] = {}
            for agent, t in zip(state.agents, state.transporters):
                place = self._next_place(t, wanted[agent])
                if place is not None:
                    places.setdefault(place, []).append(agent)
            movers = [a for who in places.values() if len(who) > 1 for a in who if wanted[a] and not wanted[a].startswith("pick")]
            if not movers:
                break
            wanted[max(movers, key=priority.index)] = None
        return {agent: action for agent, action in wanted.items() if action}

    @staticmethod
    def _distance(t: Transporter, slot: Slot) -> int:
        if t.in_target:
            return 1 + slot[1]
        if abs(slot[0] - t.track) == 0.5:
            return abs(slot[1] - t.column)
        return t.column + 2 + slot[1]  # home, into another track, along it

    def _assign(self, state: WarehouseState) -> dict[str, Slot]:
        pairs = sorted((self._distance(t, slot), agent, slot)
                       for agent, t in zip(state.agents, state.transporters) if t.carrying is None
                       for slot in state.slots if slot in state.boxes)
        assignment: dict[str, Slot] = {}
        for _, agent, slot in pairs:
            if agent not in assignment and slot not in assignment.values():
                assignment[agent] = slot
        return assignment

    @staticmethod
    def _next_place(t: Transporter, action: str | None) -> tuple[int, int] | None:
        if action == "move to target" or (t.in_target and not (action or "").startswith("move to track_")):
            return None
        if action and action.startswith("move to track_"):
            return int(action.rsplit("_", 1)[1]), 0
        column = t.column + {"move left": -1, "move right": 1}.get(action or "", 0)
        return t.track, column

    @staticmethod
    def _wish(state: WarehouseState, t: Transporter, goal: Slot | None) -> str | None:
        home = "move to target" if not t.in_target and t.column == 0 else "move left"
        if t.in_target:
            if goal is None:
                return None
            tracks = [int(goal[0] - 0.5), int(goal[0] + 0.5)]
            free = [k for k in tracks if not any(o.track == k and o.column == 0 for o in state.transporters)]
            return f"move to track_{(free or tracks)[0]}"
        if t.carrying is not None or goal is None or abs(goal[0] - t.track) != 0.5:
            return home
        if goal[1] == t.column:
            return f"pick box_{float(goal[0])}_{float(goal[1])}"
        return "move left" if goal[1] < t.column else "move right"
