"""Lamps: the toy task the contract tests register from outside Colony."""

from dataclasses import dataclass

from colony.envs.state import TaskState


@dataclass
class LampsState(TaskState):
    on: list[bool]

    @property
    def agents(self):
        return [f"lamp{i}" for i in range(len(self.on))]

    def resolve_agent(self, key):
        key = key.strip().lower()
        return key if key in self.agents else None

    def _legal_actions(self, agent):
        return [] if self.on[int(agent[4:])] else ["switch on"]

    def observation_text(self, agent):
        return f"{agent}: I am {'on' if self.on[int(agent[4:])] else 'off'}, I can do {self.legal_actions(agent)}"

    def history_state_text(self):
        return repr(self.on)
