"""The greedy experts as planners (``--scheme expert``).

Each task declares its expert in its registry entry (``envs/<task>/expert.py``); an
expert reads only the planning context (the typed state, the step, the previous
feedback) and makes no LLM calls: a fast driver for sweeps and benchmarks and a
reference point for success rates, reported as ``expert`` in every record. They are
greedy, not optimal, and can fail (e.g. Warehouse deadlocks).
"""

from __future__ import annotations

from colony.envs.registry import task_spec
from colony.planners.base import PlanResult, Planner
from colony.planners.context import PlanningContext
from colony.planners.history import Memory


class ExpertPlanner(Planner):
    label = "expert"

    def __init__(self, task: str) -> None:
        spec = task_spec(task)
        if spec.expert is None:
            raise KeyError(f"task {task!r} declares no expert; use an LLM scheme")
        self.expert = spec.expert()

    def plan(self, context: PlanningContext, history: Memory) -> PlanResult:
        return PlanResult(self.expert.plan(context))
