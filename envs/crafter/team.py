"""N players in one Crafter world, built on the ``crafter`` package's own engine.

``crafter.Env`` is a single-player game; :class:`TeamCrafter` subclasses it and keeps its
world generation, creature balancing, day/night cycle, textures and views, changing only
what a team needs: several :class:`crafter.objects.Player` in one world (spawned side by
side near the centre), creatures that chase the nearest living player, objects updated
near any player, the ``share`` action (one unit of an item handed to a teammate within
reach), and each player's knowledge of the map (what it has seen with its own view).
Dead players leave the world. Everything is seeded: the same seed and actions give the
same game.
"""

from __future__ import annotations

import crafter
import numpy as np
from crafter import constants, engine, objects, worldgen

from colony.envs.crafter.recipes import VITALS

VIEW_MAP = (9, 7)  # the part of crafter's 9x9 view that shows the map (two rows show the inventory)


class _Spot:
    """Something a view can be centred on."""

    def __init__(self, pos: np.ndarray) -> None:
        self.pos = pos
        self.sleeping = False


class TeamCrafter(crafter.Env):
    def __init__(self, agents: int, seed: int, area: int = 64, size: int = 64) -> None:
        super().__init__(area=(area, area), view=(9, 9), size=(size, size), reward=False, length=None, seed=seed)
        self.team_size = agents
        self.players: list[objects.Player] = []
        self.known: list[np.ndarray] = []

    # --- episode -------------------------------------------------------------------------
    def start(self) -> None:
        """A new game from the seed: the world, then the players side by side near the centre."""
        area = self._world.area
        centre = np.array((area[0] // 2, area[1] // 2))
        self._step = 0
        self._world.reset(seed=self._seed)
        self._update_time()
        first = objects.Player(self._world, centre)
        self._world.add(first)
        worldgen.generate_world(self._world, first)
        self.players = [first]
        spots = sorted(((x, y) for x in range(area[0]) for y in range(area[1])),
                       key=lambda cell: (abs(cell[0] - centre[0]) + abs(cell[1] - centre[1]), cell))
        for cell in spots:
            if len(self.players) == self.team_size:
                break
            material, obj = self._world[cell]
            if obj is None and material in constants.walkable:
                player = objects.Player(self._world, cell)
                self._world.add(player)
                self.players.append(player)
        if len(self.players) < self.team_size:
            raise ValueError(f"crafter: no room for {self.team_size} players near the centre of a {area[0]}x{area[1]} world")
        self._player = first
        self.known = [np.full(area, -1, np.int16) for _ in self.players]
        self.look()

    @property
    def step_count(self) -> int:
        return self._step

    def alive(self, index: int) -> bool:
        return not self.players[index].removed

    def tick(self, actions: list[str], shares: list[tuple[int, str, int]]) -> list[str]:
        """One step: hand over shared items, set every living player's primitive action, update
        everything near a player, balance creatures every 10 steps, remove the dead.
        Returns what happened to the shares, in words, for the feedback."""
        self._step += 1
        self._update_time()
        notes = [self._share(*share) for share in shares]
        living = [p for p in self.players if not p.removed]
        for player, action in zip(self.players, actions):
            if not player.removed:
                player.action = action
        if living:
            positions = np.array([p.pos for p in living])
            reach = 2 * max(self._view)
            for obj in self._world.objects:
                distances = np.abs(positions - obj.pos).sum(axis=1)
                if distances.min() >= reach:
                    continue
                if isinstance(obj, (objects.Zombie, objects.Skeleton)):
                    obj.player = living[int(distances.argmin())]  # creatures chase the nearest player
                obj.update()
            if self._step % 10 == 0:
                for chunk, objs in self._world.chunks.items():
                    middle = np.array(((chunk[0] + chunk[1]) // 2, (chunk[2] + chunk[3]) // 2))
                    alive_now = [p for p in living if not p.removed] or living
                    self._player = min(alive_now, key=lambda p: int(np.abs(p.pos - middle).sum()))
                    # crafter keeps a chunk's objects in a set, whose order follows memory addresses; a list in
                    # a fixed order makes the random despawn choice reproducible from the seed
                    self._balance_chunk(chunk, sorted(objs, key=lambda o: (type(o).__name__, int(o.pos[0]), int(o.pos[1]))))
        for player in self.players:
            if not player.removed and player.health <= 0:
                self._world.remove(player)
        self.look()
        return [note for note in notes if note]

    def _share(self, giver: int, item: str, receiver: int) -> str:
        """One unit of ``item`` from player ``giver`` to ``receiver`` (checked again here, at the step)."""
        source, target = self.players[giver], self.players[receiver]
        if item in VITALS or item not in constants.items:
            return f"agent{giver} cannot share {item}"
        if source.removed or target.removed:
            return f"agent{giver} could not share {item}: agent{receiver if target.removed else giver} is dead"
        if source.distance(target) > 1:
            return f"agent{giver} could not share {item}: agent{receiver} moved out of reach"
        if source.inventory[item] < 1 or target.inventory[item] >= constants.items[item]["max"]:
            return f"agent{giver} could not share {item}: nothing to give or agent{receiver} is full"
        source.inventory[item] -= 1
        target.inventory[item] += 1
        return ""

    def look(self) -> None:
        """Every living player learns the materials in its view."""
        half = (VIEW_MAP[0] // 2, VIEW_MAP[1] // 2)
        area = self._world.area
        materials = self._world._mat_map  # crafter keeps material ids here
        for player, known in zip(self.players, self.known):
            if player.removed:
                continue
            x, y = int(player.pos[0]), int(player.pos[1])
            x0, x1 = max(0, x - half[0]), min(area[0], x + half[0] + 1)
            y0, y1 = max(0, y - half[1]), min(area[1], y + half[1] + 1)
            known[x0:x1, y0:y1] = materials[x0:x1, y0:y1]

    # --- what is where -----------------------------------------------------------------------
    def material_names(self) -> dict[int, str | None]:
        return dict(self._world._mat_names)  # id -> name (None for 0), as crafter keeps them

    def creatures(self) -> list[tuple[str, tuple[int, int]]]:
        """Every non-player object and where it is."""
        return [(type(obj).__name__.lower(), (int(obj.pos[0]), int(obj.pos[1])))
                for obj in self._world.objects if not isinstance(obj, objects.Player)]

    def occupied(self) -> set[tuple[int, int]]:
        return {(int(obj.pos[0]), int(obj.pos[1])) for obj in self._world.objects}

    def material_at(self, cell: tuple[int, int]) -> str | None:
        return self._world[cell][0]

    def cells_of(self, material: str) -> list[tuple[int, int]]:
        """Every cell of ``material`` in the whole world, known to an agent or not (no agent is told:
        benchmarks use it to say how hard a world is, e.g. how many diamonds it holds)."""
        ids = [i for i, name in self.material_names().items() if name == material]
        return [(int(x), int(y)) for x, y in np.argwhere(np.isin(self._world._mat_map, ids))]

    # --- pictures ------------------------------------------------------------------------------
    def view_of(self, index: int) -> np.ndarray:
        """The player's own 64x64 view (crafter's local view and inventory), RGB uint8."""
        self._player = self.players[index]
        return self.render()

    def team_view(self, unit: int = 8) -> np.ndarray:
        """A picture centred on the team, wide enough to show every living player."""
        living = [p.pos for p in self.players if not p.removed] or [p.pos for p in self.players]
        low, high = np.min(living, axis=0), np.max(living, axis=0)
        grid = np.clip(high - low + np.array(VIEW_MAP), 9, np.array(self._world.area))
        grid += 1 - grid % 2  # odd, so that the centre is a cell
        view = engine.LocalView(self._world, self._textures, grid)
        canvas = view(_Spot((low + high) // 2), np.array((unit, unit)))
        return canvas.transpose((1, 0, 2)).astype(np.uint8)
