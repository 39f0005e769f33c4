"""Crafter's rule-based expert team: a non-LLM reference that reads only the typed state.

Every agent follows the tech chain on its own (wood, table, wood pickaxe, stone, stone
pickaxe, coal, iron, table and furnace side by side, iron pickaxe, diamond), exploring
when what it needs has not been seen; it drinks, eats and fights when it must; and it
hands a teammate next to it what that teammate still needs and it can spare. The team
succeeds as soon as any agent mines a diamond.

With a message broker (``colony run crafter --scheme expert`` always gives it one, set by
``comms:``), what an agent knows of a teammate out of sight comes only from messages:
each step an agent holding an iron pickaxe without a diamond in sight, and one that has
seen a diamond without the pickaxe, say so to everyone; an agent acts on what reached it
in the last ``remember`` steps. Without a broker (benchmarks that drive the expert
directly) one central expert reads every agent's state.
"""

from __future__ import annotations

from typing import Any

from crafter import constants

from colony.comms.broker import Broker
from colony.comms.messages import Collaboration, MessageKind, make_message
from colony.envs.crafter.navigation import Terrain, station_cells
from colony.envs.crafter.state import CrafterState
from colony.envs.crafter.pilot import NIGHT

STAGES = ("wood_pickaxe", "stone_pickaxe", "iron_pickaxe")
SWORDS = ("stone_sword",)  # made at the table with the stone pickaxe: agents without one die at night
SPARE_STONE = 2  # kept for a stone sword and for emergencies
START_WOOD = 3  # the wood and stone pickaxes and the stone sword: the table goes down once this much is held
FAR = 8  # a table farther than this is replaced rather than walked back to
LOW = 3  # a vital this low sends the agent to water or a cow (a point lasts 20-25 steps)
CRITICAL = 3  # health this low, day or night: rest in a shelter (asleep) until HEALED; two more hits would kill
HEALED = 6
SAYS = {"holder": "I have an iron pickaxe and have seen no diamond.",
        "seer": "I have seen a diamond and have no iron pickaxe."}
HEARS = {text: status for status, text in SAYS.items()}


def needs(state: CrafterState, agent: str) -> dict[str, int]:
    """What the agent still has to gather for the rest of its chain (beyond what it holds)."""
    inventory = state.member(agent).inventory
    return {item: amount - inventory.get(item, 0) for item, amount in wants(state, agent).items()
            if amount > inventory.get(item, 0)}


def wants(state: CrafterState, agent: str) -> dict[str, int]:
    """What the rest of the agent's chain uses, in all. The table and furnace of the iron stage
    count until the agent, holding both ores, stands next to them: they are built where the iron
    pickaxe is made (a need that changed as the agent walked about would send it back and forth
    between two sources)."""
    inventory = state.member(agent).inventory
    table = constants.place["table"]["uses"]["wood"]
    furnace = constants.place["furnace"]["uses"]["stone"]
    want = {"wood": 0, "stone": 0, "coal": 0, "iron": 0}
    for tool in STAGES + SWORDS:
        if inventory.get(tool, 0):
            continue
        for item, amount in constants.make[tool]["uses"].items():
            want[item] = want.get(item, 0) + amount
    if not inventory.get("wood_pickaxe", 0) and not near_table(state, agent):
        want["wood"] += table
    if not inventory.get("iron_pickaxe", 0):
        building = inventory.get("coal", 0) and inventory.get("iron", 0)  # the pair goes down once the ores are held
        around = state.nearby_materials(agent) if building else set()
        want["wood"] += 0 if "table" in around else table
        want["stone"] += 0 if "furnace" in around else furnace
    if inventory.get("wood_pickaxe", 0):
        want["stone"] += SPARE_STONE
    return want


def near_table(state: CrafterState, agent: str) -> bool:
    table = state.distance_to(agent, "table")
    return table is not None and table <= FAR


def station_distance(state: CrafterState, agent: str) -> int | None:
    """Steps (Manhattan) to the nearest known cell next to both a table and a furnace, or None."""
    walkable = {state.ids[name] for name in constants.walkable if name in state.ids}
    terrain = Terrain(state.known[state.index_of(agent)], walkable, set(), set())
    spots = station_cells(terrain, [state.ids.get(station, -2) for station in ("table", "furnace")])
    if not spots:
        return None
    x, y = state.member(agent).position
    return min(abs(cx - x) + abs(cy - y) for cx, cy in spots)


def tired(inventory: dict[str, int]) -> bool:
    """Worth a sleep: crafter keeps a sleeper asleep until rested (about 10 steps per energy point),
    while an exhausted agent only loses a health point every 16 steps or so; within a 350-step
    episode the expert sleeps only when exhaustion has started to hurt."""
    return inventory["energy"] == 0 and inventory["health"] <= 6


class CrafterExpert:
    patience = 20  # steps an action whose target could not be reached is set aside (the agent explores)
    talks = True  # given a message broker, teammates learn of each other only through its messages
    remember = 20  # steps a heard status stays believed without being repeated

    def __init__(self, broker: Broker | None = None) -> None:
        self.set_aside: dict[tuple[str, str], int] = {}
        self.refilling: dict[str, str] = {}  # agent -> the vital it is topping up (drink or food)
        self.doing: dict[str, str] = {}  # agent -> the chain action it chose last
        self.resting: set[str] = set()  # agents sheltering until their health is back
        self.broker = broker
        self.heard: dict[str, dict[str, tuple[str, int]]] = {}  # agent -> sender -> (status, step heard)

    def plan(self, view: Any) -> dict[str, str]:
        state: CrafterState = view.state
        feedback = view.last_feedback
        if self.broker is not None:
            self.exchange(state, view.step)
        for event in feedback.events if feedback is not None else []:
            if getattr(event, "what", "") == "route":
                self.set_aside[(event.agent, event.detail.split(":")[0])] = state.step + self.patience
        plan = {}
        for agent in state.agents:
            if state.member(agent).alive:
                action = self.choose(state, agent)
                if self.set_aside.get((agent, action), -1) > state.step:
                    action = "explore"
                plan[agent] = action
        return plan

    def choose(self, state: CrafterState, agent: str) -> str:
        me = state.member(agent)
        inventory = me.inventory
        legal = state.legal_actions(agent)
        can = set(legal)
        night = state.daylight < NIGHT
        finishing = inventory["iron_pickaxe"] and state.knows(agent, "diamond")  # nothing but the goal comes first
        low = 1 if finishing else LOW
        fed = inventory["drink"] > low and inventory["food"] > low
        zombies = [cell for _, cell in state.seen_things(agent, "zombie")
                   if abs(cell[0] - me.position[0]) + abs(cell[1] - me.position[1]) <= 3]
        armed = inventory["stone_sword"] or inventory["iron_sword"]
        critical = inventory["health"] <= CRITICAL
        threatened = critical or (bool(zombies) and not armed)
        if critical and not finishing:
            self.resting.add(agent)
        elif inventory["health"] >= HEALED:
            self.resting.discard(agent)
        if state.sealed(agent) and fed:
            if tired(inventory) and "sleep" in can:
                return "sleep"  # only safe here: crafter keeps a sleeper asleep until fully rested
            if agent in self.resting:
                return "sleep" if "sleep" in can else "wait"  # a sleeper heals twice as fast
            if night and threatened:
                return "wait"  # heal where nothing reaches
        for kind in ("zombie", "skeleton"):  # fight what is upon you: a skeleton backs away from a chaser (and shoots)
            near = [cell for _, cell in state.seen_things(agent, kind)
                    if abs(cell[0] - me.position[0]) + abs(cell[1] - me.position[1]) <= 1]
            if near and f"attack {kind}" in can:
                return f"attack {kind}"
        for vital, action, source in (("drink", "collect drink", "water"), ("food", "eat cow", None)):
            close = state.distance_to(agent, source) if source else None
            if inventory[vital] <= low or inventory[vital] <= 6 and close is not None and close <= 2:
                self.refilling.setdefault(agent, vital)  # low, or a sip on the way
            if self.refilling.get(agent) == vital:
                if inventory[vital] >= 9 or action not in can:
                    del self.refilling[agent]  # full, or nothing in reach: back to work
                else:
                    return action
        if fed and (night and threatened or tired(inventory) or agent in self.resting) and "shelter" in can:
            return "shelter"
        gift = self.gift(state, agent, can)
        if gift:
            return gift
        handover = self.diamond_handover(state, agent, can)
        if handover and self.set_aside.get((agent, handover), -1) <= state.step:  # no route to the teammate: go on alone
            return handover
        self.doing[agent] = self.next_in_chain(state, agent, can)
        return self.doing[agent]

    # --- what teammates know of each other ------------------------------------------------------
    @staticmethod
    def status(state: CrafterState, agent: str) -> str | None:
        """``holder`` (an iron pickaxe, no diamond seen) or ``seer`` (a diamond seen, no iron pickaxe)."""
        me = state.member(agent)
        if not me.alive:
            return None
        has, seen = bool(me.inventory["iron_pickaxe"]), state.knows(agent, "diamond")
        makes = me.inventory["coal"] and me.inventory["iron"]  # holds the ores: makes its own pickaxe
        return "holder" if has and not seen else "seer" if seen and not has and not makes else None

    def exchange(self, state: CrafterState, step: int) -> None:
        """Holders and seers say so to everyone, each step; each agent keeps what reached it."""
        for agent in state.agents:
            status = self.status(state, agent)
            if status is not None:
                text = SAYS[status]
                need = Collaboration(target_need="iron_pickaxe") if status == "seer" else \
                    Collaboration(how_to_help="share iron_pickaxe")
                self.broker.send(make_message(sender=agent, recipients=("*",), step=step, kind=MessageKind.STATUS,
                                              text=text, collaboration=need))
        for agent in state.agents:
            heard = self.heard.setdefault(agent, {})
            for message in self.broker.take(agent, {MessageKind.STATUS}):
                heard[message.sender] = (HEARS[message.text], state.step)

    def believed(self, state: CrafterState, agent: str, status: str) -> list[str]:
        """Teammates ``agent`` believes to be ``status``: all of them in truth without a broker (one
        central expert reads every state), else those whose recent message said so."""
        if self.broker is None:
            return [a for a in state.agents if self.status(state, a) == status]
        return [sender for sender, (said, when) in self.heard.get(agent, {}).items()
                if said == status and state.step - when < self.remember and state.member(sender).alive]

    def diamond_handover(self, state: CrafterState, agent: str, can: set[str]) -> str | None:
        """Maps are private, and a world holds one or two diamonds: an agent with an iron pickaxe
        and no diamond in sight meets a teammate who has seen one and hands it the pickaxe."""
        mine = self.status(state, agent)
        if mine is None:
            return None
        holders = [agent] if mine == "holder" else self.believed(state, agent, "holder")
        seers = [agent] if mine == "seer" else self.believed(state, agent, "seer")
        if not holders or not seers:
            return None
        if agent in holders:
            other = min(seers, key=lambda seer: state.distance(agent, seer))
        elif agent in seers:
            other = min(holders, key=lambda holder: state.distance(agent, holder))
        else:
            return None
        index = state.index_of(other)
        if agent in holders and f"share iron_pickaxe with agent {index}" in can:
            return f"share iron_pickaxe with agent {index}"
        return f"go to agent {index}" if f"go to agent {index}" in can else None

    @staticmethod
    def gift(state: CrafterState, agent: str, can: set[str]) -> str | None:
        """One unit of something a teammate within reach needs and this agent can spare."""
        near = [state.members[i].name for i in state.within_reach(agent)]
        if not near:
            return None
        own = wants(state, agent)
        spare = {item: amount - own.get(item, 0) for item, amount in state.member(agent).inventory.items()}
        for other in near:
            for item, amount in needs(state, other).items():
                action = f"share {item} with agent {state.index_of(other)}"
                if amount > 0 and spare.get(item, 0) > 0 and action in can:
                    return action
        return None

    def next_in_chain(self, state: CrafterState, agent: str, can: set[str]) -> str:
        inventory = state.member(agent).inventory
        missing = needs(state, agent)

        def gather(item: str) -> str:
            return f"collect {item}" if f"collect {item}" in can else "explore"

        if not inventory["wood_pickaxe"]:
            table = 0 if near_table(state, agent) else constants.place["table"]["uses"]["wood"]
            if inventory["wood"] < table + START_WOOD:
                return gather("wood")
            if "make wood_pickaxe" in can and near_table(state, agent):
                return "make wood_pickaxe"
            return "place table" if "place table" in can else gather("wood")
        if inventory["stone_pickaxe"] and not inventory["stone_sword"] and "make stone_sword" in can \
                and near_table(state, agent):
            return "make stone_sword"
        tree = state.distance_to(agent, "tree")
        reach = 2 * FAR if self.doing.get(agent) == "collect wood" else FAR  # once on the way, keep going
        if missing.get("wood", 0) > 0 and tree is not None and tree <= reach:
            return "collect wood"  # the rest of the chain's wood while trees are near (ores lie in the rock)
        if not inventory["stone_pickaxe"]:
            if inventory["stone"] < 2:  # the stone sword is made at the same table
                return gather("stone")
            if not near_table(state, agent) and inventory["wood"] >= 3 and "place table" in can:
                return "place table"  # a new table here is cheaper than the walk back
            if "make stone_pickaxe" in can:
                return "make stone_pickaxe"
            return "place table" if "place table" in can else gather("wood")
        if not inventory["iron_pickaxe"]:
            ores = [item for item in ("coal", "iron") if not inventory[item]]
            seen = sorted((state.distance_to(agent, item), item) for item in ores if state.knows(agent, item))
            if seen:
                return gather(seen[0][1])  # the nearer known ore first
            if ores:
                return "explore"
            station = station_distance(state, agent)
            if station is not None and station <= FAR:  # a table and a furnace side by side, near
                return "make iron_pickaxe" if "make iron_pickaxe" in can else gather("wood")
            for item in ("wood", "stone"):
                if missing.get(item, 0) > 0:
                    return gather(item)
            around = state.nearby_materials(agent)
            if "table" not in around:
                return "place table" if "place table" in can else gather("wood")
            if "furnace" not in around:
                return "place furnace" if "place furnace" in can else gather("stone")
            return "make iron_pickaxe"
        return gather("diamond")
