import numpy as np
from pydantic import BaseModel

from colony.envs.feedback import RefusalReason, RefusedEntry
from colony.envs.goal import CountdownGoal
from colony.envs.world import InvalidSize, World, validate_agent_plan

from toy_task.state import LampsState


class LampRules(BaseModel):
    start_on_probability: float


class LampsWorld(World):
    task = "lamps"
    rules_model = LampRules

    def __init__(self, on, *, step_limit=None):
        super().__init__(LampsState(list(on)), step_limit=step_limit)

    def make_goal(self):
        return CountdownGoal(self.declaration().goal, "lamps", self.state.on.count(False), lambda: self.state.on.count(False))

    @classmethod
    def parse_size(cls, label):
        if not str(label).isdigit() or int(label) < 1:
            raise InvalidSize(f"lamps: size {label!r} is a number of lamps")
        return {"lamps": int(label)}

    @classmethod
    def format_size(cls, lamps):
        return str(lamps)

    @classmethod
    def generate(cls, rng, step_limit=None, *, lamps):
        on = [bool(rng.random() < cls.task_rules().start_on_probability) for _ in range(lamps)]
        on[int(rng.integers(lamps))] = False
        return cls(on, step_limit=step_limit)

    def size_label(self):
        return str(len(self.state.on))

    def action_catalogue(self, agent):
        return [None, "switch on"]

    def observation_vector(self, agent):
        return np.array([float(self.state.on[int(agent[4:])])], dtype=np.float32)

    def _validate(self, plan):
        def judge(agent, value, claims):
            if value.strip().lower() != "switch on":
                return RefusedEntry(agent, value, RefusalReason.MALFORMED_ACTION, 'the only action is "switch on"')
            if not self.state.is_legal(agent, "switch on"):
                return RefusedEntry(agent, value, RefusalReason.ILLEGAL_ACTION, f"{agent} is already on")
            return "switch on", None
        return validate_agent_plan(plan, self.state, judge, "switch on")

    def _execute(self, accepted, feedback):
        for agent, _, _ in accepted:
            self.state.on[int(agent[4:])] = True
            feedback.achieved.append(f"{agent} switched on")

    def _state_dict(self):
        return {"on": list(self.state.on)}

    @classmethod
    def _from_state_dict(cls, data, problems, step_limit):
        on = problems.sequence(data.get("on"), "on")
        if not on or not all(isinstance(flag, bool) for flag in on):
            problems.add("on", data.get("on"), "a non-empty list of true/false")
        problems.raise_if_any(cls.task)
        return cls(on, step_limit=step_limit)
