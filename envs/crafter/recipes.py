"""The recipe table, read from the ``crafter`` package's own data (its ``data.yaml`` through
``crafter.constants``), and the high-level action grammar built on it.

High-level actions are what planners write; the navigation layer turns each into one
primitive Crafter action per step:

=========================  ==================================================================
``collect <item>``         walk to the nearest known source (wood: tree, drink: water, sapling:
                           grass, stone, coal, iron, diamond) and mine it; needs its tool
``place <thing>``          table, furnace, stone or plant (sapling) on a free cell beside you
``make <tool>``            wood/stone/iron pickaxe or sword, next to a table (and a furnace)
``eat cow``                walk to a seen cow and hit it until it is eaten
``attack zombie``          hit the nearest seen zombie (``attack skeleton`` likewise)
``go to agent <k>``        walk next to agent k
``share <item> with agent <k>``  hand one unit to agent k when it is within reach
``explore``                walk to the nearest edge of what you have seen
``shelter``                dig two cells into rock and seal the way in with stone, safe from
                           zombies and arrows for the night (needs a wood pickaxe)
``sleep`` / ``wait``       sleep until rested / do nothing
=========================  ==================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from crafter import constants

VITALS = ("health", "food", "drink", "energy")
SOURCES = {"wood": "tree", "drink": "water", "sapling": "grass", "stone": "stone", "coal": "coal", "iron": "iron",
           "diamond": "diamond"}
COLLECTABLE = tuple(SOURCES)
PLACEABLE = tuple(constants.place)
MAKEABLE = tuple(constants.make)
CREATURES = ("zombie", "skeleton")
CHAIN = ("collect_wood", "place_table", "make_wood_pickaxe", "collect_stone", "make_stone_pickaxe", "collect_coal",
         "collect_iron", "place_furnace", "make_iron_pickaxe", "collect_diamond")


@cache
def shareable() -> tuple[str, ...]:
    return tuple(item for item in constants.items if item not in VITALS)


@dataclass(frozen=True)
class Action:
    """A parsed high-level action."""

    verb: str  # collect | place | make | eat | attack | go | share | explore | shelter | sleep | wait
    item: str = ""  # what is collected, placed, made, shared, attacked or eaten
    other: int | None = None  # the other agent (go to, share)

    def text(self) -> str:
        if self.verb in ("collect", "place", "make"):
            return f"{self.verb} {self.item}"
        if self.verb == "eat":
            return "eat cow"
        if self.verb == "attack":
            return f"attack {self.item}"
        if self.verb == "go":
            return f"go to agent {self.other}"
        if self.verb == "share":
            return f"share {self.item} with agent {self.other}"
        return self.verb


_SHARE = re.compile(r"^share\s+(\w+)\s+with\s+agent\s*(\d+)$")
_GO = re.compile(r"^go\s+to\s+agent\s*(\d+)$")


def parse_action(text: str) -> Action | None:
    """The action ``text`` means (spacing and case tolerated), or None."""
    words = " ".join(str(text).lower().split())
    if words in ("explore", "shelter", "sleep", "wait", "eat cow"):
        return Action("eat", "cow") if words == "eat cow" else Action(words)
    if match := _SHARE.match(words):
        return Action("share", match.group(1), int(match.group(2)))
    if match := _GO.match(words):
        return Action("go", other=int(match.group(1)))
    verb, _, item = words.partition(" ")
    if verb == "collect" and item in COLLECTABLE or verb == "place" and item in PLACEABLE \
            or verb == "make" and item in MAKEABLE or verb == "attack" and item in CREATURES:
        return Action(verb, item)
    return None


def catalogue(agents: int, me: int) -> list[str]:
    """Every high-level action agent ``me`` could ever be given, in a fixed order."""
    others = [k for k in range(agents) if k != me]
    return ([f"collect {item}" for item in COLLECTABLE] + ["eat cow"] + [f"attack {c}" for c in CREATURES]
            + [f"place {thing}" for thing in PLACEABLE] + [f"make {tool}" for tool in MAKEABLE]
            + ["explore", "shelter", "sleep"] + [f"go to agent {k}" for k in others]
            + [f"share {item} with agent {k}" for k in others for item in shareable()])


def missing_for(verb: str, item: str, inventory: dict[str, int]) -> dict[str, int]:
    """Items (and amounts) ``inventory`` lacks to collect, place or make ``item``."""
    if verb == "collect":
        need = constants.collect[SOURCES[item]]["require"]
    elif verb == "place":
        need = constants.place[item]["uses"]
    elif verb == "make":
        need = constants.make[item]["uses"]
    else:
        need = {}
    return {name: amount - inventory.get(name, 0) for name, amount in need.items() if inventory.get(name, 0) < amount}


def describe_missing(missing: dict[str, int]) -> str:
    return ", ".join(f"{amount} {name}" for name, amount in missing.items())
