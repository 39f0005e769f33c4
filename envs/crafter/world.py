"""The multi-agent Crafter simulator behind the planning protocol; spec in ``env.py``.

Planners give each agent a high-level action per step; the pilot
(:mod:`colony.envs.crafter.pilot`) turns it into one primitive Crafter action over what that
agent has seen; the team engine (:mod:`colony.envs.crafter.team`) plays the step. Each step
leaves a per-agent event stream (inventory changes, achievements, damage, shares, deaths,
where a route was missing) and every agent has a message inbox, the seams for memory and
communication.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field

from colony.envs.crafter.pilot import Pilot
from colony.envs.crafter.recipes import CHAIN, Action, catalogue, parse_action
from colony.envs.crafter.state import CrafterState, Member
from colony.envs.crafter.team import TeamCrafter
from colony.envs.feedback import Progress, RefusalReason, RefusedEntry, StatusBase, StepFeedback, TaskEvent
from colony.envs.goal import Goal
from colony.envs.instance_checks import Problems
from colony.envs.rules import Strict
from colony.envs.world import InvalidSize, Judgement, World, validate_agent_plan


class CrafterRules(Strict):
    """The ``rules:`` table of Crafter's task.yaml."""

    area: int = Field(ge=16, le=256)
    max_agents: int = Field(ge=1)


class CrafterStatus(StatusBase):
    ALL_DEAD = "all_dead"


@dataclass(frozen=True)
class AgentEvent(TaskEvent):
    """Something that happened to one agent this step (the stream memory reads)."""

    kind = "agent"

    agent: str
    what: str  # inventory | achievement | damage | share | death | route
    detail: str

    def to_text(self) -> str:
        return f"{self.agent}: {self.detail}"


@dataclass(frozen=True)
class TeamDied(TaskEvent):
    kind = "team_died"
    ends_episode = CrafterStatus.ALL_DEAD

    def to_text(self) -> str:
        return "Every agent is dead."


class ChainGoal(Goal):
    """A diamond, through the tech chain; progress is how far along the chain the team is."""

    def __init__(self, world: CrafterWorld) -> None:
        self.world = world

    def surface(self) -> str:
        return self.world.declaration().goal

    def progress(self) -> Progress:
        reached = self.world.state.chain_reached()
        if "collect_diamond" in reached:
            return Progress(len(CHAIN), len(CHAIN), "diamond found.")
        following = next((name for name in CHAIN if name not in reached), None)
        return Progress(len(reached), len(CHAIN), f"chain {len(reached)}/{len(CHAIN)}, next: {following}.")

    def verify(self) -> bool:
        return any(m.achievements.get("collect_diamond", 0) for m in self.world.state.members)

    def milestones(self) -> dict[str, int]:
        """The step at which the team first reached each achievement of the chain."""
        first = self.world.chain_first
        return {name: first[name] for name in CHAIN if name in first}


class CrafterWorld(World):
    task = "crafter"
    rules_model = CrafterRules

    def __init__(self, agents: int, seed: int, *, step_limit: int | None = None, area: int | None = None) -> None:
        self.check_size(agents)
        self.seed = int(seed)
        self.area = area or self.task_rules().area
        self.team = TeamCrafter(agents, self.seed, self.area)
        self.team.start()
        self.history: list[list[str]] = []  # every step's primitive actions, for snapshots and replays
        self.pilot = Pilot(self.team, agents)  # each agent's route, explore heading and shelter site
        self.inboxes: list[list[str]] = [[] for _ in range(agents)]
        self.chain_first: dict[str, int] = {}  # chain achievement -> the step the team first reached it
        super().__init__(self._read_state(), step_limit=step_limit)

    @classmethod
    def check_size(cls, agents: int) -> None:
        limit = cls.task_rules().max_agents
        if not 1 <= agents <= limit:
            raise InvalidSize(f"{cls.task}: 1 to {limit} agents, got {agents}")

    def make_goal(self) -> Goal:
        return ChainGoal(self)

    # --- sizes and generation ----------------------------------------------------------------
    @classmethod
    def parse_size(cls, label: str) -> dict[str, int]:
        text = str(label).strip()
        if not text.isdigit():
            raise InvalidSize(f"{cls.task}: size {label!r} is a number of agents (e.g. 6)")
        cls.check_size(int(text))
        return {"agents": int(text)}

    @classmethod
    def format_size(cls, agents: int) -> str:
        return str(agents)

    @classmethod
    def generate(cls, rng: np.random.Generator, step_limit: int | None = None, *, agents: int) -> CrafterWorld:
        return cls(agents, int(rng.integers(2**31 - 1)), step_limit=step_limit)

    def size_label(self) -> str:
        return str(len(self.team.players))

    # --- state -------------------------------------------------------------------------------
    def _read_state(self) -> CrafterState:
        team = self.team
        members = [Member(f"agent{i}", (int(p.pos[0]), int(p.pos[1])), tuple(int(v) for v in p.facing), not p.removed,
                          bool(p.sleeping), dict(p.inventory), dict(p.achievements)) for i, p in enumerate(team.players)]
        return CrafterState((self.area, self.area), team.step_count, float(team._world.daylight), members, team.known,
                            team.material_names(), team.creatures(), [list(box) for box in self.inboxes])

    def active_agents(self) -> list[str]:
        return [m.name for m in self.state.members if m.alive]

    def deliver(self, agent: str, message: str) -> None:
        """Put a message in an agent's inbox; it shows in the agent's next observation (the comms seam)."""
        self.inboxes[self.state.index_of(agent)].append(message)
        self.state = self._read_state()

    # --- PettingZoo view -----------------------------------------------------------------
    def action_catalogue(self, agent: str) -> list[str | None]:
        return [None] + catalogue(len(self.team.players), self.state.index_of(agent))

    def observation_vector(self, agent: str) -> np.ndarray:
        """The agent's own 64x64 RGB view (black once it is dead)."""
        index = self.state.index_of(agent)
        if not self.team.alive(index):
            return np.zeros((self.team._size[0], self.team._size[1], 3), np.uint8)
        return np.ascontiguousarray(self.team.view_of(index))

    # --- dynamics ------------------------------------------------------------------------
    def _validate(self, plan: Mapping[str, Any]) -> tuple[list, list[RefusedEntry]]:
        return validate_agent_plan(plan, self.state, self._judge, "collect wood")

    def _judge(self, agent: str, value: str, claims: dict) -> Judgement:
        action = parse_action(value)
        if action is None:
            return RefusedEntry(agent, value, RefusalReason.MALFORMED_ACTION,
                                "actions are collect <item>, place <thing>, make <tool>, eat cow, attack zombie, "
                                "go to agent <k>, share <item> with agent <k>, explore, sleep, wait")
        reason = self.state.why_not(agent, action)
        if reason is not None:
            return RefusedEntry(agent, value, RefusalReason.ILLEGAL_ACTION, reason)
        return action.text(), action

    def _execute(self, accepted: list[tuple[str, str, Action]], feedback: StepFeedback) -> None:
        before = self.state
        self.pilot.begin_step(before)
        actions = ["noop"] * len(self.team.players)
        shares: list[tuple[int, str, int]] = []
        for agent, _, action in accepted:
            index = before.index_of(agent)
            if action.verb == "share":
                shares.append((index, action.item, action.other))
                continue
            primitive, note = self.pilot.primitive(index, action)
            actions[index] = primitive
            if note:
                feedback.events.append(AgentEvent(agent, "route", f"{action.text()}: {note}"))
        self.history.append(actions + [f"share {item} {giver}>{receiver}" for giver, item, receiver in shares])
        for note in self.team.tick(actions, shares):
            feedback.events.append(AgentEvent(note.split(" ", 1)[0], "share", note))
        self.inboxes = [[] for _ in self.team.players]
        self.state = after = self._read_state()
        self._note_chain()
        self._report(before, after, shares, feedback)
        if not self.active_agents():
            feedback.events.append(TeamDied())

    def _report(self, before: CrafterState, after: CrafterState, shares: list, feedback: StepFeedback) -> None:
        for old, new in zip(before.members, after.members):
            if not old.alive:
                continue
            changes = [f"{item} {new.inventory[item] - old.inventory[item]:+d}" for item in new.inventory
                       if new.inventory[item] != old.inventory[item] and item != "health"]
            if changes:
                feedback.events.append(AgentEvent(new.name, "inventory", ", ".join(changes)))
            if new.inventory["health"] < old.inventory["health"]:
                feedback.events.append(AgentEvent(new.name, "damage", f"health {old.inventory['health']} -> "
                                                                      f"{new.inventory['health']}"))
            for name, count in new.achievements.items():
                if count > old.achievements.get(name, 0):
                    feedback.achieved.append(f"{new.name} {name}")
            if not new.alive:
                feedback.events.append(AgentEvent(new.name, "death", "died"))
        for giver, item, receiver in shares:
            if after.members[receiver].inventory.get(item, 0) > before.members[receiver].inventory.get(item, 0):
                feedback.events.append(AgentEvent(f"agent{giver}", "share", f"gave 1 {item} to agent{receiver}"))

    def _note_chain(self) -> None:
        for name in self.state.chain_reached():
            self.chain_first.setdefault(name, self.team.step_count)

    # --- persistence -----------------------------------------------------------------------
    def _state_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "agents": len(self.team.players), "area": self.area,
                "actions": [list(step) for step in self.history]}

    @classmethod
    def _from_state_dict(cls, data: Mapping[str, Any], problems: Problems, step_limit: int | None) -> CrafterWorld:
        seed = problems.integer(data, "seed", minimum=0)
        agents = problems.integer(data, "agents", minimum=1)
        area = problems.integer(data, "area", minimum=16, required=False)
        actions = problems.sequence(data.get("actions", []), "actions")
        problems.raise_if_any(cls.task)
        try:
            world = cls(agents, seed, step_limit=step_limit, area=area)
        except InvalidSize as error:
            problems.add("agents", agents, str(error))
            problems.raise_if_any(cls.task)
        for number, step in enumerate(actions):
            if not isinstance(step, list) or len(step) < agents:
                problems.add(f"actions[{number}]", step, f"one primitive action per agent ({agents}), then the shares")
                problems.raise_if_any(cls.task)
            world.replay(step)
        return world

    def replay(self, step: list[str]) -> None:
        """Play one recorded step exactly (primitive actions, then ``share <item> <giver>><receiver>``)."""
        agents = len(self.team.players)
        shares = []
        for entry in step[agents:]:
            _, item, route = entry.split()
            giver, receiver = route.split(">")
            shares.append((int(giver), item, int(receiver)))
        self.history.append(list(step))
        self.team.tick(list(step[:agents]), shares)
        self.state = self._read_state()
        self._note_chain()
        self.step_count += 1
