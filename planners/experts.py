"""Greedy, non-LLM reference planners, one per task (``--scheme expert``).

They read the pure simulator directly and make no LLM calls: a fast driver for sweeps
and benchmarks and a reference point for success rates, reported as ``expert`` in every
record. They are greedy, not optimal, and can fail (e.g. BoxNet2 boxes blocking each other).
"""

from __future__ import annotations

from typing import Any

from colony.envs import grid
from colony.planners.base import PlanningContext, PlanResult, Planner
from colony.planners.history import History


def _manhattan(a: tuple[float, float], b: tuple[float, float]) -> float:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


class BoxNet1Expert(Planner):
    """Match a box with its target when they share a square, else step it toward the nearest target."""

    label = "expert"

    def plan(self, context: PlanningContext, history: History) -> PlanResult:
        world = context.world
        plan = {}
        for agent in world.agents:
            cell = world._cell_of[agent]
            items = world.items[cell]
            colours = world._box_colours(cell)
            match = next((c for c in colours if f"target_{c}" in items), None)
            if match:
                plan[agent] = grid.move_text(grid.Move(match, target=match))
                continue
            best = None
            for colour in colours:
                targets = [c for c, its in world.items.items() if f"target_{colour}" in its]
                if not targets:
                    continue
                goal = min(targets, key=lambda t: _manhattan(cell, t))
                step = min(grid.neighbours(cell, world.rows, world.cols), key=lambda n: _manhattan(n, goal))
                distance = _manhattan(cell, goal)
                if best is None or distance < best[0]:
                    best = (distance, grid.move_text(grid.Move(colour, square=step)))
            if best:
                plan[agent] = best[1]
        return PlanResult(plan)


class BoxNet2Expert(Planner):
    """Move each box one corner closer to its target's square, never onto a taken corner."""

    label = "expert"

    def plan(self, context: PlanningContext, history: History) -> PlanResult:
        world = context.world
        plan: dict[str, str] = {}
        taken = {corner for corner, boxes in world.boxes.items() if boxes}
        for corner, boxes in world.boxes.items():
            if len(boxes) != 1:
                continue
            colour = boxes[0][4:]
            goal = next((cell for cell, targets in world.targets.items() if f"target_{colour}" in targets), None)
            if goal is None:
                continue
            cells = [cell for cell in world.cell_list if corner in grid.cell_corners(cell)]
            free_agents = [cell for cell in cells if grid.agent_name(cell) not in plan]
            if goal in free_agents:
                plan[grid.agent_name(goal)] = grid.move_text(grid.Move(colour, target=colour))
                continue

            def distance(point: tuple[int, int]) -> float:
                return min(_manhattan(point, c) for c in grid.cell_corners(goal))

            options = [(distance(q), cell, q) for cell in free_agents for q in grid.cell_corners(cell)
                       if q not in taken and distance(q) < distance(corner)]
            if options:
                _, cell, destination = min(options)
                plan[grid.agent_name(cell)] = grid.move_text(grid.Move(colour, position=destination))
                taken.add(destination)
        return PlanResult(plan)


class BoxLiftExpert(Planner):
    """Heaviest-looking boxes first; teams big enough for the volume (or for more than a failed team)."""

    label = "expert"
    margin = 1.15

    def __init__(self) -> None:
        self.lower_bounds: dict[str, float] = {}

    def plan(self, context: PlanningContext, history: History) -> PlanResult:
        world = context.world
        feedback = world.last_feedback
        if context.step == 1:
            self.lower_bounds.clear()
        elif feedback is not None:
            capacity = {lifter.name: lifter.capacity for lifter in world.lifters}
            for lift in feedback.failed_lifts:
                self.lower_bounds[lift.box] = max(self.lower_bounds.get(lift.box, 0.0),
                                                  sum(capacity[name] for name in lift.lifters))
        estimates = {box.name: max(box.volume * self.margin, self.lower_bounds.get(box.name, 0.0) + 0.5)
                     for box in world.boxes_remaining()}
        free = sorted(world.lifters, key=lambda lifter: lifter.capacity)
        plan: dict[str, str] = {}
        for name in sorted(estimates, key=lambda n: -estimates[n]):
            need = estimates[name]
            single = next((lifter for lifter in free if lifter.capacity >= need), None)
            team = [single] if single else []
            if not team:
                for lifter in reversed(free):
                    team.append(lifter)
                    if sum(member.capacity for member in team) >= need:
                        break
                else:
                    continue  # not enough free capacity this step; try lighter boxes
            plan[name] = ", ".join(member.name for member in team)
            free = [lifter for lifter in free if lifter not in team]
        return PlanResult(plan)


class WarehouseExpert(Planner):
    """Carriers head home; each free box goes to the nearest free agent (idle agents go home to clear
    the tracks); collisions are avoided by making the lowest-priority mover of a shared cell wait."""

    label = "expert"

    def plan(self, context: PlanningContext, history: History) -> PlanResult:
        world = context.world
        assignment = self._assign(world)
        wanted = {agent: self._wish(world, agent, t, assignment.get(agent))
                  for agent, t in zip(world.agents, world.transporters)}
        priority = sorted(world.agents, key=lambda a: (world.transporters[world.agents.index(a)].carrying is None, a))
        while True:
            places: dict[tuple[int, int], list[str]] = {}
            for agent, t in zip(world.agents, world.transporters):
                place = self._next_place(t, wanted[agent])
                if place is not None:
                    places.setdefault(place, []).append(agent)
            movers = [a for who in places.values() if len(who) > 1 for a in who if wanted[a] and not wanted[a].startswith("pick")]
            if not movers:
                break
            wanted[max(movers, key=priority.index)] = None
        return PlanResult({agent: action for agent, action in wanted.items() if action})

    @staticmethod
    def _distance(t: Any, slot: tuple[float, int]) -> int:
        if t.in_target:
            return 1 + slot[1]
        if abs(slot[0] - t.track) == 0.5:
            return abs(slot[1] - t.column)
        return t.column + 2 + slot[1]  # home, into another track, along it

    def _assign(self, world: Any) -> dict[str, tuple[float, int]]:
        pairs = sorted((self._distance(t, slot), agent, slot)
                       for agent, t in zip(world.agents, world.transporters) if t.carrying is None
                       for slot in world.slots if slot in world.boxes)
        assignment: dict[str, tuple[float, int]] = {}
        for _, agent, slot in pairs:
            if agent not in assignment and slot not in assignment.values():
                assignment[agent] = slot
        return assignment

    @staticmethod
    def _next_place(t: Any, action: str | None) -> tuple[int, int] | None:
        if action == "move to target" or (t.in_target and not (action or "").startswith("move to track_")):
            return None
        if action and action.startswith("move to track_"):
            return int(action.rsplit("_", 1)[1]), 0
        column = t.column + {"move left": -1, "move right": 1}.get(action or "", 0)
        return t.track, column

    @staticmethod
    def _wish(world: Any, agent: str, t: Any, goal: tuple[float, int] | None) -> str | None:
        home = "move to target" if not t.in_target and t.column == 0 else "move left"
        if t.in_target:
            if goal is None:
                return None
            tracks = [int(goal[0] - 0.5), int(goal[0] + 0.5)]
            free = [k for k in tracks if not any(o.track == k and o.column == 0 for o in world.transporters)]
            return f"move to track_{(free or tracks)[0]}"
        if t.carrying is not None or goal is None or abs(goal[0] - t.track) != 0.5:
            return home
        if goal[1] == t.column:
            return f"pick box_{float(goal[0])}_{float(goal[1])}"
        return "move left" if goal[1] < t.column else "move right"


EXPERTS = {"boxnet1": BoxNet1Expert, "boxnet2": BoxNet2Expert, "boxlift": BoxLiftExpert, "warehouse": WarehouseExpert}
