"""The pilot of a Crafter team: each agent's high-level action, one primitive at a time.

:class:`Pilot` turns ``collect wood``, ``make stone_pickaxe``, ``go to agent 2``, ``explore`` or
``shelter`` into the next primitive Crafter action over what that agent has seen (path-finding
in :mod:`colony.envs.crafter.navigation`), and keeps what must last from one step to the next:
each agent's cached route, its explore heading and lookout, and its shelter site. It reads the
team engine only for the cells creatures and agents take and for what lies around the agent
(the cell it faces, the stations beside it).
"""

from __future__ import annotations

import numpy as np
from crafter import constants

from colony.envs.crafter.navigation import (LOOKOUT_UNKNOWN, MOVES, SIDES, Navigator, Terrain, approach_cells, cells,
                                           face, lookouts, reachable, rock_weights, route, shelter_gates,
                                           station_cells, straight_lines, unknown_around)
from colony.envs.crafter.recipes import SOURCES, Action
from colony.envs.crafter.state import HALF_VIEW, CrafterState
from colony.envs.crafter.team import TeamCrafter

MINABLE = {"stone": "wood_pickaxe", "coal": "wood_pickaxe", "iron": "stone_pickaxe", "diamond": "iron_pickaxe"}
NIGHT = 0.4  # below this daylight zombies crowd the grass: an agent that can mine explores through rock
SHELTER_REACH = 10  # a shelter farther than this costs more than the night it saves
THIRSTY = 4  # an agent this low on drink with no water known, or by day on food, explores grassland, not rock
DIG_RATE = 2.0  # what a straight dig must reveal per action (cells weighted by :func:`rock_weights`; ~5 in solid rock)
KEEP_LINE = 0.8  # the line being dug is kept while it reveals this share of the best line's rate
HEADINGS = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))


class Pilot:
    """Per-agent navigation state of one team, and the primitive each action takes next."""

    def __init__(self, team: TeamCrafter, agents: int) -> None:
        self.team = team
        self.navigators = [Navigator() for _ in range(agents)]
        self.headings = [HEADINGS[(3 * i) % len(HEADINGS)] for i in range(agents)]  # explorers fan out
        self.explore_targets: list[tuple[int, int] | None] = [None] * agents
        self.shelters: list[tuple[tuple[int, int], tuple[int, int]] | None] = [None] * agents  # (way in, direction)
        self.state: CrafterState | None = None
        self.occupied: set[tuple[int, int]] = set()

    def begin_step(self, state: CrafterState) -> None:
        """Read the step's state once, and the cells taken now (every agent's route avoids the same cells)."""
        self.state = state
        self.occupied = self.team.occupied()

    def primitive(self, index: int, action: Action) -> tuple[str, str]:
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
        return Terrain(self.state.known[index], walkable, minable, self.occupied - {me.position})

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
        # water and cows are found on the grass; but not by night for food: zombies crowd the grass then, a hit
        # costs 2 health, and hunger 1 in 16 steps once food is gone (lone experts: ~49% vs 47.1%, 480 worlds)
        if me.inventory["drink"] <= THIRSTY and not self.state.knows(f"agent{index}", "water") \
                or me.inventory["food"] <= THIRSTY and self.state.daylight >= NIGHT:
            rock = set()
        digging = (self.state.daylight < NIGHT or me.inventory.get("stone_pickaxe", 0)) and terrain.minable and rock
        weights = rock_weights(terrain, rock) if digging else None  # one map-wide filter for the dig and the lookouts
        if digging:
            move = self._dig(index, terrain, weights)
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
                choices = lookouts(view, me.position, self.headings[index], HALF_VIEW, rock, within=within,
                                   weights=weights)
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

    def _dig(self, index: int, terrain: Terrain, weights: np.ndarray) -> str | None:
        """The next primitive of a straight dig (see :func:`straight_lines`), or None when no line
        reveals :data:`DIG_RATE` a step. The line dug so far is kept while it stays within
        :data:`KEEP_LINE` of the best (turning costs a step in rock). Measured on lone experts: 2.1
        rock cells revealed an action on these digs, 0.05-0.35 on walks to lookouts."""
        me = self.state.members[index]
        lines = straight_lines(terrain, me.position, me.facing, HALF_VIEW, weights)
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
                if (gx, gy) in self.occupied:
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
        occupied = self.occupied
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
