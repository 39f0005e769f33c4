"""Multi-agent Crafter's typed state and the text planners read, computed from it alone.

Each agent knows only what it has seen: its map (material ids, -1 never seen) grows as it
looks around; creatures and teammates are known while they are in view. The legal
high-level actions of an agent follow from its inventory, the recipe table and its map.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from crafter import constants

from colony.envs.crafter.recipes import (CHAIN, COLLECTABLE, CREATURES, MAKEABLE, PLACEABLE, SOURCES, VITALS, Action,
                                         describe_missing, missing_for, parse_action, shareable)
from colony.envs.state import TaskState

MAP_CHARS = {"water": "~", "grass": ".", "stone": "S", "path": "_", "sand": ":", "tree": "T", "lava": "L", "coal": "c",
             "iron": "i", "diamond": "D", "table": "B", "furnace": "F"}
THING_CHARS = {"cow": "C", "zombie": "Z", "skeleton": "K", "arrow": "*", "plant": "p", "fence": "f"}
HALF_VIEW = (4, 3)  # the map part of the view reaches 4 cells left and right, 3 up and down
OPEN = frozenset(constants.walkable)  # what zombies, cows and arrows can enter (grass, sand, path)
REACH = 1  # a teammate within this many steps can be handed an item


@dataclass
class Member:
    name: str
    position: tuple[int, int]
    facing: tuple[int, int]
    alive: bool
    sleeping: bool
    inventory: dict[str, int]
    achievements: dict[str, int]  # crafter's counts


@dataclass
class CrafterState(TaskState):
    area: tuple[int, int]
    step: int
    daylight: float
    members: list[Member]
    known: list[np.ndarray]  # per agent: the material id of every cell it has seen, -1 elsewhere
    names: dict[int, str | None]  # material id -> name
    things: list[tuple[str, tuple[int, int]]]  # creatures, plants, arrows and where they are now
    inboxes: list[list[str]] = field(default_factory=list)  # messages delivered to each agent this step

    def __post_init__(self) -> None:
        self._index = {member.name: i for i, member in enumerate(self.members)}
        self.ids = {name: material for material, name in self.names.items() if name is not None}  # name -> id

    def snapshot(self) -> CrafterState:
        """An independent copy, made field by field (a generic deep copy is slow for big teams)."""
        members = [Member(m.name, m.position, m.facing, m.alive, m.sleeping, dict(m.inventory), dict(m.achievements))
                   for m in self.members]
        return CrafterState(self.area, self.step, self.daylight, members, [known.copy() for known in self.known],
                            dict(self.names), list(self.things), [list(box) for box in self.inboxes])

    # --- naming --------------------------------------------------------------------------
    @property
    def agents(self) -> list[str]:
        return [member.name for member in self.members]

    def resolve_agent(self, key: str) -> str | None:
        name = "".join(str(key).lower().split()).replace("_", "")
        return name if name in self._index else None

    def member(self, agent: str) -> Member:
        return self.members[self._index[agent]]

    def index_of(self, agent: str) -> int:
        return self._index[agent]

    # --- what an agent knows ---------------------------------------------------------------
    def known_materials(self, agent: str) -> set[str]:
        """Every material the agent has seen somewhere."""
        def seen() -> set[str]:
            counts = np.bincount(self.known[self._index[agent]].ravel() + 1)  # ids from -1 (never seen)
            return {self.names.get(int(i) - 1) for i in np.flatnonzero(counts)}

        return self.memo(("known", agent), seen)

    def knows(self, agent: str, material: str) -> bool:
        return material in self.known_materials(agent)

    def distance_to(self, agent: str, material: str) -> int | None:
        """Steps (Manhattan) from the agent to the nearest cell of ``material`` it knows, or None."""
        def nearest() -> int | None:
            material_id = self.ids.get(material)
            if material_id is None or material not in self.known_materials(agent):
                return None
            xs, ys = np.nonzero(self.known[self._index[agent]] == material_id)
            x, y = self.member(agent).position
            return int((np.abs(xs - x) + np.abs(ys - y)).min())

        return self.memo(("distance", agent, material), nearest)

    def nearby_materials(self, agent: str) -> set[str | None]:
        """Materials in the 3x3 square around the agent (where crafter looks for a table or furnace)."""
        x, y = self.member(agent).position
        known = self.known[self._index[agent]]
        return {self.names.get(int(known[x + dx, y + dy])) for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                if 0 <= x + dx < self.area[0] and 0 <= y + dy < self.area[1]}

    def in_view(self, agent: str, cell: tuple[int, int]) -> bool:
        x, y = self.member(agent).position
        return abs(cell[0] - x) <= HALF_VIEW[0] and abs(cell[1] - y) <= HALF_VIEW[1]

    def seen_things(self, agent: str, kind: str | None = None) -> list[tuple[str, tuple[int, int]]]:
        seen = self.memo(("things", agent), lambda: [(k, cell) for k, cell in self.things if self.in_view(agent, cell)])
        return [(k, cell) for k, cell in seen if kind is None or k == kind]

    def within_reach(self, agent: str) -> list[int]:
        """The living teammates (indices, in order) close enough to be handed an item (:data:`REACH`)."""
        def near() -> list[int]:
            x, y = self.member(agent).position
            return [i for i, m in enumerate(self.members) if m.name != agent and m.alive
                    and abs(m.position[0] - x) + abs(m.position[1] - y) <= REACH]

        return self.memo(("reach", agent), near)

    def sealed(self, agent: str) -> bool:
        """Whether the agent stands in a pocket of at most two cells that creatures cannot walk into."""
        def is_open(cell: tuple[int, int]) -> bool:
            inside = 0 <= cell[0] < self.area[0] and 0 <= cell[1] < self.area[1]
            return not inside or self.names.get(int(known[cell])) in OPEN or known[cell] < 0

        known = self.known[self._index[agent]]
        start = self.member(agent).position
        pocket, todo = {start}, [start]
        while todo:
            x, y = todo.pop()
            for cell in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                if cell not in pocket and is_open(cell):
                    if len(pocket) == 2:
                        return False
                    pocket.add(cell)
                    todo.append(cell)
        return True

    def distance(self, a: str, b: str) -> int:
        (ax, ay), (bx, by) = self.member(a).position, self.member(b).position
        return abs(ax - bx) + abs(ay - by)

    # --- what a memory records ------------------------------------------------------------
    def agent_facts(self, agent: str) -> dict:
        me = self.member(agent)
        return {"inventory": {k: v for k, v in me.inventory.items() if v}, "position": list(me.position),
                "facing": list(me.facing), "alive": me.alive}

    def achieved_goals(self, agent: str) -> set[str]:
        return {name for name, count in self.member(agent).achievements.items() if count}

    def agent_position(self, agent: str) -> tuple[float, float]:
        x, y = self.member(agent).position
        return (float(x), float(y))

    def missing_prerequisites(self, agent: str, goal: str) -> list[str]:
        """For a goal named like crafter's achievements (``make_iron_pickaxe``): the items the recipe
        table asks for that the agent lacks, and a table or furnace it is not standing next to."""
        verb, _, item = goal.partition("_")
        if verb not in ("collect", "place", "make") or not parse_action(f"{verb} {item}"):
            return []
        me = self.member(agent)
        missing = [f"{amount} {name}" for name, amount in missing_for(verb, item, me.inventory).items()]
        recipe = constants.make.get(item, {}) if verb == "make" else constants.place.get(item, {}) if verb == "place" else {}
        nearby = self.nearby_materials(agent)
        return missing + [f"a {station} nearby" for station in recipe.get("nearby", ()) if station not in nearby]

    # --- legality --------------------------------------------------------------------------
    def why_not(self, agent: str, action: Action) -> str | None:
        """Why ``agent`` cannot start ``action`` now, or None when it can."""
        me = self.member(agent)
        if not me.alive:
            return f"{agent} is dead"
        inventory = me.inventory
        if action.verb in ("collect", "place", "make") and (missing := missing_for(action.verb, action.item, inventory)):
            return f"{action.text()} needs {describe_missing(missing)} more"
        if action.verb == "collect" and not self.knows(agent, SOURCES[action.item]):
            return f"{agent} has not seen any {SOURCES[action.item]} yet (explore first)"
        if action.verb == "make":
            for station in constants.make[action.item]["nearby"]:
                if not self.knows(agent, station):
                    return f"{action.text()} needs a {station} nearby and {agent} knows none (place one first)"
        if action.verb in ("eat", "attack") and not self.seen_things(agent, action.item):
            return f"no {action.item} in {agent}'s view"
        if action.verb == "shelter" and not inventory.get("wood_pickaxe", 0):
            return "shelter needs a wood_pickaxe to dig in (make wood_pickaxe first)"
        if action.verb == "sleep" and inventory["energy"] >= constants.items["energy"]["max"]:
            return f"{agent} is fully rested"
        if action.verb in ("go", "share"):
            other = f"agent{action.other}"
            if other not in self._index:
                return f"there is no {other}; agents are agent0 to agent{len(self.members) - 1}"
            if other == agent:
                return f"{agent} cannot {action.verb} to itself"
            if not self.member(other).alive:
                return f"{other} is dead"
        if action.verb == "share":
            if action.item in VITALS:
                return f"{action.item} is a vital and cannot be shared"
            if action.item not in shareable():
                return f"{action.item} is not an item; items are {', '.join(shareable())}"
            if inventory.get(action.item, 0) < 1:
                return f"{agent} has no {action.item}"
            gap = self.distance(agent, f"agent{action.other}")
            if gap > REACH:
                return f"agent{action.other} is {gap} steps away; sharing needs it next to {agent} (go to agent {action.other} first)"
        return None

    def _legal_actions(self, agent: str) -> list[str]:
        """The catalogue's order (recipes.catalogue), keeping what ``why_not`` allows, computed directly."""
        me = self.member(agent)
        if not me.alive:
            return []
        inventory, known = me.inventory, self.known_materials(agent)
        legal = [f"collect {item}" for item in COLLECTABLE
                 if SOURCES[item] in known and not missing_for("collect", item, inventory)]
        legal += ["eat cow"] if self.seen_things(agent, "cow") else []
        legal += [f"attack {kind}" for kind in CREATURES if self.seen_things(agent, kind)]
        legal += [f"place {thing}" for thing in PLACEABLE if not missing_for("place", thing, inventory)]
        legal += [f"make {tool}" for tool in MAKEABLE if not missing_for("make", tool, inventory)
                  and all(station in known for station in constants.make[tool]["nearby"])]
        legal += ["explore"] + (["shelter"] if inventory.get("wood_pickaxe", 0) else [])
        legal += (["sleep"] if inventory["energy"] < constants.items["energy"]["max"] else [])
        others = [(i, m) for i, m in enumerate(self.members) if m.name != agent and m.alive]
        legal += [f"go to agent {i}" for i, _ in others]
        legal += [f"share {item} with agent {i}" for i in self.within_reach(agent)
                  for item in shareable() if inventory.get(item, 0) >= 1]
        return legal

    # --- the text views ------------------------------------------------------------------
    def local_map(self, agent: str) -> list[str]:
        """The agent's view as rows of characters: materials, things, teammates (digits), itself (@)."""
        me = self.member(agent)
        x, y = me.position
        known = self.known[self._index[agent]]
        rows = []
        marks = {cell: THING_CHARS.get(kind, "?") for kind, cell in self.things}
        marks.update({m.position: (str(i) if i < 10 else "+") for i, m in enumerate(self.members) if m.alive})
        marks[me.position] = "@"
        for dy in range(-HALF_VIEW[1], HALF_VIEW[1] + 1):
            row = []
            for dx in range(-HALF_VIEW[0], HALF_VIEW[0] + 1):
                cell = (x + dx, y + dy)
                inside = 0 <= cell[0] < self.area[0] and 0 <= cell[1] < self.area[1]
                row.append(marks.get(cell) or (MAP_CHARS.get(self.names.get(int(known[cell]))) if inside else None) or " ")
            rows.append("".join(row))
        return rows

    def holdings(self, agent: str) -> str:
        inventory = self.member(agent).inventory
        return ", ".join(f"{item} {n}" for item, n in inventory.items() if item not in VITALS and n) or "nothing"

    def vitals(self, agent: str) -> str:
        inventory = self.member(agent).inventory
        return ", ".join(f"{name} {inventory[name]}" for name in VITALS)

    def reached(self, agent: str) -> list[str]:
        return [name for name, count in self.member(agent).achievements.items() if count]

    def nearby_agents(self, agent: str) -> str:
        near = [f"{other.name} {self.distance(agent, other.name)} steps away holding {self.holdings(other.name)}"
                for other in self.members if other.name != agent and other.alive and self.in_view(agent, other.position)]
        return "; ".join(near) or "none in view"

    def observation_text(self, agent: str) -> str:
        me = self.member(agent)
        if not me.alive:
            return f"{agent} is dead."
        direction = {(-1, 0): "left", (1, 0): "right", (0, -1): "up", (0, 1): "down"}[tuple(me.facing)]
        lines = [(f"{agent} at {list(me.position)} facing {direction}{', sleeping' if me.sleeping else ''}; "
                  f"{self.vitals(agent)}; holds {self.holdings(agent)}; "
                  f"achievements {', '.join(self.reached(agent)) or 'none'}."),
                 ("View (@ is me, digits are agents; . grass, T tree, ~ water, S stone, _ path, : sand, c coal, "
                  "i iron, D diamond, L lava, B table, F furnace, C cow, Z zombie, K skeleton, p plant)"
                  f"{'; sheltered' if self.sealed(agent) else ''}:"),
                 *self.local_map(agent),
                 f"Agents in view: {self.nearby_agents(agent)}."]
        if self.inboxes and self.inboxes[self._index[agent]]:
            lines.append("Messages: " + " | ".join(self.inboxes[self._index[agent]]))
        lines.append(f"I can do {self.legal_actions(agent)}")
        return "\n".join(lines)

    def central_state_text(self) -> str:
        return f"Step {self.step}, daylight {self.daylight:.1f}.\n" + "".join(
            self.observation_text(agent) + "\n" for agent in self.agents)

    def history_state_text(self) -> str:
        return "; ".join(f"{m.name} {list(m.position)} {self.vitals(m.name)} holds {self.holdings(m.name)}"
                         if m.alive else f"{m.name} dead" for m in self.members)

    def chain_reached(self) -> list[str]:
        """The achievements of the diamond chain any agent has reached, in chain order."""
        return [name for name in CHAIN if any(m.achievements.get(name, 0) for m in self.members)]

