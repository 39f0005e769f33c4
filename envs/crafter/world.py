"""The multi-agent Crafter simulator behind the planning protocol; spec in ``env.py``.

Planners give each agent a high-level action per step; the navigation layer turns it into
one primitive Crafter action over what that agent has seen; the team engine
(:mod:`colony.envs.crafter.team`) plays the step. Each step leaves a per-agent event stream
(inventory changes, achievements, damage, shares, deaths, where a route was missing) and
every agent has a message inbox, the seams for memory and communication.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from crafter import constants
from pydantic import Field

from colony.envs.crafter.navigation import (LOOKOUT_UNKNOWN, MOVES, SIDES, Navigator, Terrain, approach_cells, cells,
                                           face, lookouts, reachable, rock_weights, route, shelter_gates,
                                           station_cells, straight_lines, unknown_around)
from colony.envs.crafter.recipes import CHAIN, SOURCES, Action, catalogue, parse_action
from colony.envs.crafter.state import HALF_VIEW, CrafterState, Member
from colony.envs.crafter.team import TeamCrafter
from colony.envs.feedback import Progress, RefusalReason, RefusedEntry, StatusBase, StepFeedback, TaskEvent
from colony.envs.goal import Goal
from colony.envs.instance_checks import Problems
from colony.envs.rules import Strict
from colony.envs.world import InvalidSize, Judgement, World, validate_agent_plan

MINABLE = {"stone": "wood_pickaxe", "coal": "wood_pickaxe", "iron": "stone_pickaxe", "diamond": "iron_pickaxe"}
NIGHT = 0.4  # below this daylight zombies crowd the grass: an agent that can mine explores through rock
SHELTER_REACH = 10  # a shelter farther than this costs more than the night it saves
THIRSTY = 4  # an agent this low on food, or on drink with no water known, explores grassland, not rock
DIG_RATE = 2.0  # what a straight dig must reveal per action (cells weighted by :func:`rock_weights`; ~5 in solid rock)
KEEP_LINE = 0.8  # the line being dug is kept while it reveals this share of the best line's rate
HEADINGS = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))


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
        self.navigators = [Navigator() for _ in range(agents)]
        self.headings = [HEADINGS[(3 * i) % len(HEADINGS)] for i in range(agents)]  # explorers fan out
        self.explore_targets: list[tuple[int, int] | None] = [None] * agents
        self.shelters: list[tuple[tuple[int, int], tuple[int, int]] | None] = [None] * agents  # (way in, direction)
        self.inboxes: list[list[str]] = [[] for _ in range(agents)]
        self._occupied: set[tuple[int, int]] = set()
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
        self._occupied = self.team.occupied()  # once per step: every agent's route avoids the same cells
        actions = ["noop"] * len(self.team.players)
        shares: list[tuple[int, str, int]] = []
        for agent, _, action in accepted:
            index = before.index_of(agent)
            if action.verb == "share":
                shares.append((index, action.item, action.other))
                continue
            primitive, note = self._primitive(index, action)
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

    # --- navigation ------------------------------------------------------------------------
    def _primitive(self, index: int, action: Action) -> tuple[str, str]:
        """The primitive action that carries ``action`` one step further, and a note when it cannot."""
        state, agent = self.state, f"agent{index}"
        me = state.member(agent)
        if action.verb in ("wait", "sleep"):
            return ("noop" if action.verb == "wait" else "sleep"), ""
        if action.verb in ("place", "make"):
            return self._craft(index, action)
        terrain = self._terrain(index)
        if action.verb == "explore":
            return self._explore(index, terrain)
        if action.verb == "shelter":
            return self._shelter(index, terrain)
        if action.verb == "go":
            goals = approach_cells([state.members[action.other].position], terrain)
        else:
            targets = self._targets(index, action)
            goals = approach_cells(targets, terrain)
            ahead = (me.position[0] + me.facing[0], me.position[1] + me.facing[1])
            if ahead in targets:  # already facing one: work on it rather than turn to another
                return "do", ""
            for target in targets:
                if abs(target[0] - me.position[0]) + abs(target[1] - me.position[1]) == 1:
                    return face(me.position, target), ""
        move, note = self.navigators[index].next_move(action.text(), terrain, me.position, me.facing, goals)
        if move is None:
            return "noop", "" if note == "arrived" else note
        return move, ""

    def _terrain(self, index: int) -> Terrain:
        me = self.state.members[index]
        ids = self.state.ids
        walkable = {ids[name] for name in constants.walkable if name in ids}
        minable = {ids[name] for name, tool in MINABLE.items() if name in ids and me.inventory.get(tool, 0)}
        return Terrain(self.state.known[index], walkable, minable, self._occupied - {me.position})

    def _targets(self, index: int, action: Action) -> list[tuple[int, int]]:
        agent = f"agent{index}"
        if action.verb in ("eat", "attack"):
            return [cell for _, cell in self.state.seen_things(agent, action.item)]
        found = np.argwhere(self.state.known[index] == self.state.ids.get(SOURCES[action.item], -2))
        x, y = self.state.members[index].position
        order = np.argsort(np.abs(found - (x, y)).sum(axis=1))[:40]  # the nearest ones are enough
        return [tuple(int(v) for v in found[i]) for i in order]

    def _explore(self, index: int, terrain: Terrain) -> tuple[str, str]:
        """Toward the unknown. An agent that can mine and seeks ores (or waits out the night) first
        digs straight on while a straight line reveals enough rock per action (:meth:`_dig`).
        Otherwise a lookout (the known cell whose view would reveal the most unknown cells for the
        walk there, see :func:`lookouts`) is chosen and kept until it is reached, shows little new
        or cannot be reached; the agent's heading turns to follow it. When none of the best lookouts
        can be reached (they lie across lava or water, or in rock the agent cannot mine yet), the
        best among the cells it can reach are taken instead."""
        me = self.state.members[index]
        navigator = self.navigators[index]
        ids = self.state.ids
        rock = {ids[name] for name in ("stone", "coal", "iron", "diamond", "path", "lava") if name in ids}
        if me.inventory["drink"] <= THIRSTY and not self.state.knows(f"agent{index}", "water") \
                or me.inventory["food"] <= THIRSTY:
            rock = set()  # water and cows are found on the grass
        digging = (self.state.daylight < NIGHT or me.inventory.get("stone_pickaxe", 0)) and terrain.minable and rock
        if digging:
            move = self._dig(index, terrain, rock)
            if move is not None:
                return move, ""
        target = self.explore_targets[index]
        if target is not None and target != me.position \
                and unknown_around(terrain, target, HALF_VIEW) >= LOOKOUT_UNKNOWN:
            move, _ = navigator.next_move(("explore", target), terrain, me.position, me.facing, {target})
            if move is not None:
                return move, ""
        views = [terrain]
        if digging:
            # ores lie in the rock, and at night zombies roam the grass: lookouts reached through rock first
            views.insert(0, Terrain(terrain.known, {ids["path"]} if "path" in ids else set(), terrain.minable,
                                    terrain.occupied))
        for narrowed in (False, True):  # the best lookouts; if none can be reached, the best reachable ones
            within = reachable(terrain, me.position) if narrowed else None
            for view in views:
                choices = lookouts(view, me.position, self.headings[index], HALF_VIEW, rock, within=within)
                if not choices:
                    continue
                # one search to the nearest of the best lookouts (a search per lookout would cost 32 agents dearly)
                move, _ = navigator.next_move(("explore", tuple(choices)), terrain, me.position, me.facing,
                                              set(choices))
                if move is not None:
                    target = navigator.goal
                    navigator.key = ("explore", target)  # kept on the following steps
                    self.explore_targets[index] = target
                    dx, dy = target[0] - me.position[0], target[1] - me.position[1]
                    self.headings[index] = (int(np.sign(dx)), int(np.sign(dy)))
                    return move, ""
        self.explore_targets[index] = None
        return "noop", "nothing left to explore that can be reached"

    def _dig(self, index: int, terrain: Terrain, rock: set[int]) -> str | None:
        """The next primitive of a straight dig (see :func:`straight_lines`), or None when no line
        reveals :data:`DIG_RATE` a step. The line dug so far is kept while it stays within
        :data:`KEEP_LINE` of the best (turning costs a step in rock). Measured on lone experts: 2.1
        rock cells revealed an action on these digs, 0.05-0.35 on walks to lookouts."""
        me = self.state.members[index]
        lines = straight_lines(terrain, me.position, me.facing, HALF_VIEW, rock_weights(terrain, rock))
        rate, side = lines[0]
        kept = next((line for line in lines if line[1] == self.headings[index]), None)
        if kept is not None and kept[0] >= max(KEEP_LINE * rate, DIG_RATE):  # never dropped for a worse one
            rate, side = kept
        if rate < DIG_RATE:
            return None
        self.explore_targets[index] = None  # a lookout is chosen afresh once the line runs out
        self.headings[index] = side
        ahead = (me.position[0] + side[0], me.position[1] + side[1])
        return "do" if terrain.cost(ahead) == 2 and tuple(me.facing) == side else MOVES[side]

    def _shelter(self, index: int, terrain: Terrain) -> tuple[str, str]:
        """Dig in and seal: from a walkable cell G in front of rock, mine the two cells beyond it
        (S1, S2, whose sides and far end block), walk to S2, turn back onto S1 and put stone on G."""
        state, agent = self.state, f"agent{index}"
        if state.sealed(agent):
            return "noop", ""
        me = state.member(agent)
        site = self.shelters[index]
        if site is None or not self._shelter_gates(index, terrain, site[1], sealed=True)[site[0]]:
            x, y = me.position
            sites = [(gate, direction) for gate, direction in self._shelter_sites(index, terrain)
                     if abs(gate[0] - x) + abs(gate[1] - y) <= SHELTER_REACH]
            for gate, direction in sites[:6]:
                path = route(terrain, me.position, {gate})
                if path is not None and len(path) <= 2 * SHELTER_REACH:
                    site = self.shelters[index] = gate, direction
                    break
            else:
                self.shelters[index] = None
                return "noop", f"no known rock to dig a shelter into within {SHELTER_REACH} steps"
        (gx, gy), (dx, dy) = site
        first, second = (gx + dx, gy + dy), (gx + 2 * dx, gy + 2 * dy)
        position, facing = me.position, tuple(me.facing)
        inward, outward = MOVES[(dx, dy)], MOVES[(-dx, -dy)]
        if position == second:
            return outward, ""  # back onto S1, now facing the way in
        if position == first:
            if facing == (-dx, -dy):
                if (gx, gy) in self._occupied:
                    return "do", ""  # a creature in the way in: hit it
                return ("place_stone" if me.inventory.get("stone", 0) else "noop"), ""
            if facing == (dx, dy) and self.team.material_at(second) != "path":
                return "do", ""
            return inward, ""
        if position == (gx, gy):
            if facing == (dx, dy) and self.team.material_at(first) != "path":
                return "do", ""
            return inward, ""
        move, note = self.navigators[index].next_move(("shelter", site), terrain, position, me.facing, {(gx, gy)})
        return (move or "noop"), ("" if move else note)

    def _shelter_gates(self, index: int, terrain: Terrain, direction: tuple[int, int], sealed: bool = False):
        ids = self.state.ids
        open_ids = [ids[name] for name in ("grass", "sand", "path", "water", "lava") if name in ids]
        return shelter_gates(terrain, direction, open_ids, ids.get("path", -2), sealed)

    def _shelter_sites(self, index: int, terrain: Terrain) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """Shelter sites (way in, direction) on the agent's map, nearest first."""
        x, y = self.state.members[index].position
        found = [(gate, direction) for direction in SIDES
                 for gate in cells(self._shelter_gates(index, terrain, direction))]
        return sorted(found, key=lambda site: (abs(site[0][0] - x) + abs(site[0][1] - y), site))

    def _craft(self, index: int, action: Action) -> tuple[str, str]:
        """Place or make: here if possible, else walk to where it is possible."""
        state, agent = self.state, f"agent{index}"
        me = state.member(agent)
        world = self.team
        x, y = me.position
        if action.verb == "make":
            stations = constants.make[action.item]["nearby"]
            around = {world.material_at((x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)}
            if all(station in around for station in stations):
                return f"make_{action.item}", ""
            terrain = self._terrain(index)
            goals = station_cells(terrain, [self.state.ids.get(station, -2) for station in stations])
            move, note = self.navigators[index].next_move(action.text(), terrain, me.position, me.facing, goals)
            return (move or "noop"), ("" if move else f"no known spot next to {' and '.join(stations)}")
        where = constants.place[action.item]["where"]
        occupied = self._occupied
        facing = (x + me.facing[0], y + me.facing[1])
        if world.material_at(facing) in where and facing not in occupied:
            return f"place_{action.item}", ""
        minable = {name for name, tool in MINABLE.items() if me.inventory.get(tool, 0)}
        if world.material_at(facing) in minable and facing not in occupied:
            return "do", ""  # dig a spot here rather than step away from what is already built
        sides = [(x + dx, y + dy) for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1))]
        for cell in sides:  # turning to rock turns the agent without moving it
            if world.material_at(cell) in minable and cell not in occupied:
                return face(me.position, cell), ""
        for cell in sides:
            if world.material_at(cell) in where and cell not in occupied:
                return face(me.position, cell), ""  # turn (the cell is free, so this may also step onto it)
        return "noop", f"no free {' or '.join(where)} next to {agent}"

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
