"""The greedy experts as planners (``--scheme expert``).

Each task declares its expert in its registry entry (``envs/<task>/expert.py``); an
expert reads only the planning context (the typed state, the step, the previous
feedback) and makes no LLM calls: a fast driver for sweeps and benchmarks and a
reference point for success rates, reported as ``expert`` in every record. They are
greedy, not optimal, and can fail (e.g. Warehouse deadlocks). An expert whose class sets
``talks`` (Crafter's) gets the run's message broker, so comms faults apply to it too.
"""

from __future__ import annotations

from colony.comms.broker import Broker
from colony.envs.registry import task_spec
from colony.planners.base import PlanResult, Planner
from colony.planners.context import PlanningContext
from colony.planners.history import Memory


class ExpertPlanner(Planner):
    label = "expert"

    def __init__(self, task: str, broker: Broker | None = None) -> None:
        spec = task_spec(task)
        if spec.expert is None:
            raise KeyError(f"task {task!r} declares no expert; use an LLM scheme")
        self.talks = broker is not None and getattr(spec.expert, "talks", False)  # experts whose team talks (Crafter)
        self.broker = broker
        self.expert = spec.expert(broker=broker) if self.talks else spec.expert()

    def start_episode(self, seed: int | None) -> None:
        if self.talks:
            self.broker.reset(seed)

    def plan(self, context: PlanningContext, history: Memory) -> PlanResult:
        if not self.talks:
            return PlanResult(self.expert.plan(context))
        self.broker.begin_step(context.step, context.state)
        mark = len(self.broker.log)
        plan = self.expert.plan(context)
        return PlanResult(plan, messages=self.broker.since(mark))
