"""BoxLift's greedy expert: a non-LLM reference planner that reads only the typed state and
the previous step's feedback (which lifts failed)."""

from __future__ import annotations

from typing import Any

from colony.envs.boxlift.state import BoxLiftState
from colony.envs.boxlift.world import FailedLift


class BoxLiftExpert:
    """Heaviest-looking boxes first; teams big enough for the volume (or for more than a failed team)."""

    margin = 1.15

    def __init__(self) -> None:
        self.lower_bounds: dict[str, float] = {}

    def plan(self, view: Any) -> dict[str, str]:
        state: BoxLiftState = view.state
        feedback = view.last_feedback
        if view.step == 1:
            self.lower_bounds.clear()
        elif feedback is not None:
            capacity = {lifter.name: lifter.capacity for lifter in state.lifters}
            for lift in feedback.events_of(FailedLift):
                self.lower_bounds[lift.box] = max(self.lower_bounds.get(lift.box, 0.0),
                                                  sum(capacity[name] for name in lift.lifters))
        estimates = {box.name: max(box.volume * self.margin, self.lower_bounds.get(box.name, 0.0) + 0.5)
                     for box in state.boxes}
        free = sorted(state.lifters, key=lambda lifter: lifter.capacity)
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
        return plan
