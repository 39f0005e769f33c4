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
from colony.envs.crafter.state import CrafterState

STAGES = ("wood_pickaxe", "stone_pickaxe", "iron_pickaxe")
SPARE_STONE = 2  # kept for a stone sword and for emergencies
FAR = 8  # a table farther than this is replaced rather than walked back to
NIGHT = 0.4  # below this daylight zombies crowd the grass: a threatened agent shelters in rock
SAYS = {"holder": "I have an iron pickaxe and have seen no diamond.",
        "seer": "I have seen a diamond and have no iron pickaxe."}
HEARS = {text: status for status, text in SAYS.items()}


def needs(state: CrafterState, agent: str) -> dict[str, int]:
    """What the agent still has to gather for the rest of its chain (beyond what it holds)."""
    inventory = state.member(agent).inventory
    table = constants.place["table"]["uses"]["wood"]
    furnace = constants.place["furnace"]["uses"]["stone"]
    want = {"wood": 0, "stone": 0, "coal": 0, "iron": 0}
    for tool in STAGES:
        if inventory.get(tool, 0):
            continue
        for item, amount in constants.make[tool]["uses"].items():
            want[item] = want.get(item, 0) + amount
    if not inventory.get("wood_pickaxe", 0) and not state.knows(agent, "table"):
        want["wood"] += table
    if not inventory.get("iron_pickaxe", 0):
        around = state.nearby_materials(agent)  # a table and a furnace side by side, built where the agent stands
        want["wood"] += 0 if "table" in around else table
        want["stone"] += 0 if "furnace" in around else furnace
    if inventory.get("wood_pickaxe", 0):
        want["stone"] += SPARE_STONE
    return {item: amount - inventory.get(item, 0) for item, amount in want.items() if amount > inventory.get(item, 0)}


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
        threatened = bool(state.seen_things(agent, "zombie")) or inventory["health"] <= 4
        if state.sealed(agent) and inventory["drink"] > 2 and inventory["food"] > 2:
            if tired(inventory) and "sleep" in can:
                return "sleep"  # only safe here: crafter keeps a sleeper asleep until fully rested
            if night and inventory["health"] <= 3:
                return "wait"
        for kind, reach in (("zombie", 1), ("skeleton", 2)):  # fight what is upon you; chasing costs more than it saves
            near = [cell for _, cell in state.seen_things(agent, kind)
                    if abs(cell[0] - me.position[0]) + abs(cell[1] - me.position[1]) <= reach]
            if near and f"attack {kind}" in can:
                return f"attack {kind}"
        for vital, action, low in (("drink", "collect drink", 4), ("food", "eat cow", 4)):
            if inventory[vital] <= low:
                self.refilling.setdefault(agent, vital)
            if self.refilling.get(agent) == vital:
                if inventory[vital] >= 8 or action not in can:
                    del self.refilling[agent]  # full, or nothing in reach: back to work
                else:
                    return action
        if (night and threatened or tired(inventory)) and "shelter" in can:
            return "shelter"
        gift = self.gift(state, agent, can)
        if gift:
            return gift
        handover = self.diamond_handover(state, agent, can)
        if handover:
            return handover
        return self.next_in_chain(state, agent, can)

    # --- what teammates know of each other ------------------------------------------------------
    @staticmethod
    def status(state: CrafterState, agent: str) -> str | None:
        """``holder`` (an iron pickaxe, no diamond seen) or ``seer`` (a diamond seen, no iron pickaxe)."""
        me = state.member(agent)
        if not me.alive:
            return None
        has, seen = bool(me.inventory["iron_pickaxe"]), state.knows(agent, "diamond")
        return "holder" if has and not seen else "seer" if seen and not has else None

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
        near = [other for other in state.agents if other != agent and state.member(other).alive
                and state.distance(agent, other) <= 1]
        if not near:
            return None
        own = needs(state, agent)
        spare = {item: amount - own.get(item, 0) - (1 if item == "wood" else 0)
                 for item, amount in state.member(agent).inventory.items()}
        for other in near:
            for item, amount in needs(state, other).items():
                action = f"share {item} with agent {state.index_of(other)}"
                if amount > 0 and spare.get(item, 0) > 0 and action in can:
                    return action
        return None

    @staticmethod
    def next_in_chain(state: CrafterState, agent: str, can: set[str]) -> str:
        inventory = state.member(agent).inventory
        missing = needs(state, agent)

        def gather(item: str) -> str:
            return f"collect {item}" if f"collect {item}" in can else "explore"

        if not inventory["wood_pickaxe"]:
            if inventory["wood"] < 6:  # tables and tools ahead all need wood, and trees turn to grass when cut
                return gather("wood")
            if "make wood_pickaxe" in can:
                return "make wood_pickaxe"
            return "place table" if "place table" in can else gather("wood")
        if not inventory["wood_sword"] and "make wood_sword" in can and inventory["wood"] > missing.get("wood", 0):
            return "make wood_sword"
        if inventory["stone_pickaxe"] and not inventory["stone_sword"] and "make stone_sword" in can \
                and inventory["wood"] > missing.get("wood", 0) and inventory["stone"] > missing.get("stone", 0):
            return "make stone_sword"
        if not inventory["stone_pickaxe"]:
            if inventory["stone"] < 1:
                return gather("stone")
            table = state.distance_to(agent, "table")
            if (table is None or table > FAR) and inventory["wood"] >= 3 and "place table" in can:
                return "place table"  # a new table here is cheaper than the walk back
            if "make stone_pickaxe" in can:
                return "make stone_pickaxe"
            return "place table" if "place table" in can else gather("wood")
        if not inventory["iron_pickaxe"]:
            for item in ("wood", "stone", "coal", "iron"):
                if missing.get(item, 0) > 0:
                    return gather(item)
            around = state.nearby_materials(agent)  # a table and a furnace side by side, here
            if "table" not in around:
                return "place table" if "place table" in can else gather("wood")
            if "furnace" not in around:
                return "place furnace" if "place furnace" in can else gather("stone")
            return "make iron_pickaxe"
        return gather("diamond")
