"""MineDojo behind the same interface as multi-agent Crafter, where MineDojo can run.

MineDojo (Fan et al. 2022) drives a real Minecraft through Malmo: it needs JDK 8, the
``minedojo`` package (the optional ``colony[minedojo]`` extra), and on first use a Gradle
build that downloads Minecraft and its assets from the internet. Where any of that is
missing, :class:`MineDojoParallelEnv` raises :class:`MineDojoUnavailable` naming what is
missing, and points to multi-agent Crafter, which runs offline.

What is the same as Crafter: a PettingZoo ``ParallelEnv`` with agents ``agent0..``, an RGB
``observation`` (H, W, 3) with an ``action_mask`` over a fixed Discrete catalogue of
primitive actions, and in ``infos`` the text a planner reads (position, vitals, what it
holds, the blocks around it). What differs: MineDojo runs one player per Minecraft
process, so N agents are N independent worlds (no sharing, no shared map), and there is
no navigation layer (actions are MineDojo's primitives).

The observation and action mapping (:func:`observation_text`, :func:`inventory_counts`,
:class:`ActionMap`) is plain code over MineDojo's documented formats
(docs.minedojo.org, "Observation Space" and "Action Space"), tested without MineDojo.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

ACTION_DIMS = (3, 3, 4, 25, 25, 8, 244, 36)  # MineDojo's MultiDiscrete action space
CAMERA_NOOP = 12  # the middle camera bin: no turn (bins are 15 degrees apart)
FUNCTIONS = ("noop", "use", "drop", "attack", "craft", "equip", "place", "destroy")
MOVES = {"noop": (0, 0, 0), "forward": (1, 0, 0), "back": (2, 0, 0), "left": (0, 1, 0), "right": (0, 2, 0),
         "jump": (0, 0, 1), "sneak": (0, 0, 2), "sprint": (1, 0, 3), "jump forward": (1, 0, 1)}
TURNS = {"turn left": (0, -1), "turn right": (0, 1), "look up": (-1, 0), "look down": (1, 0)}
VITALS = ("life", "food", "oxygen")
CRAFTER = 'multi-agent Crafter runs offline with the same interface: parallel_env("crafter", agents=N)'


class MineDojoUnavailable(RuntimeError):
    """MineDojo cannot start here; the message names every missing part."""


def missing_parts() -> list[str]:
    """What MineDojo needs and this machine lacks, in words (empty when all is there)."""
    missing = []
    java = shutil.which("java")
    if java is None:
        missing.append("Java: MineDojo needs JDK 8 (`java` is not on PATH)")
    else:
        version = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
        found = re.search(r'version "(\d+)(?:\.(\d+))?', version)
        major = found and (int(found.group(2)) if found.group(1) == "1" else int(found.group(1)))
        if major != 8:
            missing.append(f"Java 8: MineDojo's Malmo builds with JDK 8 only; `java` here is version {major}")
    spec = importlib.util.find_spec("minedojo")
    if spec is None:
        missing.append("MineDojo: the `minedojo` package is not installed (pip install 'colony[minedojo]'; "
                       "it needs gym 0.21 and Python <= 3.9)")
    else:
        build = Path(spec.origin).parent / "sim" / "Malmo" / "Minecraft" / "build"
        if not build.exists():
            missing.append(f"MineDojo's assets: Minecraft is not built yet ({build} is missing); the first start "
                           "runs Gradle, which downloads Minecraft and its assets and needs network access")
    return missing


def inventory_counts(inventory: Mapping[str, Any]) -> dict[str, int]:
    """Item -> total quantity from MineDojo's slot arrays (``name``, ``quantity``; "air" is empty)."""
    counts: dict[str, int] = {}
    for name, quantity in zip(inventory["name"], inventory["quantity"]):
        name = str(name).replace(" ", "_")
        if name != "air" and int(quantity) > 0:
            counts[name] = counts.get(name, 0) + int(quantity)
    return counts


def slot_of(inventory: Mapping[str, Any], item: str) -> int | None:
    """The first inventory slot holding ``item`` (spaces or underscores), or None."""
    wanted = item.replace("_", " ")
    for slot, (name, quantity) in enumerate(zip(inventory["name"], inventory["quantity"])):
        if str(name).replace("_", " ") == wanted and int(quantity) > 0:
            return slot
    return None


def observation_text(agent: str, obs: Mapping[str, Any]) -> str:
    """The text a planner reads from one MineDojo observation (documented format)."""
    life = obs["life_stats"]
    location = obs["location_stats"]
    x, y, z = (float(v) for v in np.asarray(location["pos"]).reshape(-1)[:3])
    yaw, pitch = float(np.asarray(location["yaw"]).reshape(-1)[0]), float(np.asarray(location["pitch"]).reshape(-1)[0])
    vitals = ", ".join(f"{name} {float(np.asarray(life[name]).reshape(-1)[0]):g}" for name in VITALS if name in life)
    held = inventory_counts(obs["inventory"])
    holds = ", ".join(f"{name} {count}" for name, count in sorted(held.items())) or "nothing"
    hand = str(obs["equipment"]["name"][0]) if "equipment" in obs else "air"
    lines = [f"{agent} at [{x:.1f}, {y:.1f}, {z:.1f}] facing yaw {yaw:.0f} pitch {pitch:.0f}; {vitals}; "
             f"holds {holds}; in hand {hand}."]
    if "voxels" in obs:
        blocks = np.asarray(obs["voxels"]["block_name"])
        lines.append(f"Blocks around (a {'x'.join(str(n) for n in blocks.shape)} cube, by layer from below):")
        for level in range(blocks.shape[1]):
            lines.append(" / ".join(" ".join(str(b) for b in blocks[:, level, k]) for k in range(blocks.shape[2])))
    return "\n".join(lines)


class ActionMap:
    """A fixed Discrete catalogue of primitive actions and their MineDojo action vectors.

    ``craftable`` is MineDojo's list of the 244 craft/smelt targets (taken from MineDojo when it
    is installed); ``items`` the items that ``equip``/``place``/``destroy`` may name.
    """

    def __init__(self, craftable: Sequence[str], items: Sequence[str]) -> None:
        self.craftable = [str(name).replace(" ", "_") for name in craftable]
        self.items = [str(name) for name in items]
        self.catalogue = (list(MOVES) + list(TURNS) + ["use", "drop", "attack"]
                          + [f"craft {name}" for name in self.craftable]
                          + [f"{verb} {item}" for verb in ("equip", "place", "destroy") for item in self.items])
        self._index = {name: i for i, name in enumerate(self.catalogue)}

    def vector(self, action: str, inventory: Mapping[str, Any]) -> np.ndarray:
        """MineDojo's 8-number action for ``action``; ValueError with the reason when it cannot be done."""
        act = np.array([0, 0, 0, CAMERA_NOOP, CAMERA_NOOP, 0, 0, 0], np.int64)
        if action in MOVES:
            act[0:3] = MOVES[action]
            return act
        if action in TURNS:
            pitch, yaw = TURNS[action]
            act[3], act[4] = CAMERA_NOOP + pitch, CAMERA_NOOP + yaw
            return act
        verb, _, item = action.partition(" ")
        if verb not in FUNCTIONS or action not in self._index:
            raise ValueError(f"{action!r} is not an action here; actions are moves ({', '.join(MOVES)}), turns "
                             f"({', '.join(TURNS)}), use, drop, attack, craft <item>, equip|place|destroy <item>")
        act[5] = FUNCTIONS.index(verb)
        if verb == "craft":
            act[6] = self.craftable.index(item)
        elif verb in ("equip", "place", "destroy"):
            slot = slot_of(inventory, item)
            if slot is None:
                raise ValueError(f"{action}: no {item} in the inventory")
            act[7] = slot
        return act

    def mask(self, obs: Mapping[str, Any]) -> np.ndarray:
        """Which catalogue actions MineDojo's masks allow now (``obs["masks"]``)."""
        masks = obs.get("masks", {})
        allowed = np.asarray(masks.get("action_type", np.ones(len(FUNCTIONS), bool)), bool)
        craft = np.asarray(masks.get("craft_smelt", np.ones(len(self.craftable), bool)), bool)
        held = inventory_counts(obs["inventory"])
        out = np.zeros(len(self.catalogue), np.int8)
        for i, action in enumerate(self.catalogue):
            verb, _, item = action.partition(" ")
            if action in MOVES or action in TURNS:
                out[i] = 1
            elif verb == "craft":
                out[i] = allowed[4] and craft[self.craftable.index(item)]
            elif verb in ("equip", "place", "destroy"):
                out[i] = allowed[FUNCTIONS.index(verb)] and held.get(item.replace(" ", "_"), 0) > 0
            else:
                out[i] = allowed[FUNCTIONS.index(verb)]
        return out


class MineDojoParallelEnv(ParallelEnv):
    """N MineDojo players (one Minecraft each) as a PettingZoo ParallelEnv; see the module doc."""

    metadata = {"name": "minedojo_v0", "render_modes": ["rgb_array"], "is_parallelizable": True}

    def __init__(self, agents: int = 1, *, task_id: str = "open-ended", image_size: tuple[int, int] = (160, 256),
                 items: Sequence[str] = ("dirt", "planks", "cobblestone", "crafting_table", "furnace", "torch"),
                 render_mode: str | None = None, **make_kwargs: Any) -> None:
        missing = missing_parts()
        if missing:
            raise MineDojoUnavailable("MineDojo cannot start here. Missing:\n- " + "\n- ".join(missing)
                                      + f"\nInstead, {CRAFTER}.")
        import minedojo  # noqa: PLC0415 - optional, present when missing_parts() is empty
        from minedojo.sim.mc_meta import mc  # noqa: PLC0415

        self.render_mode = render_mode
        self.possible_agents = [f"agent{i}" for i in range(agents)]
        self.agents: list[str] = []
        self.image_size = image_size
        self._make = lambda seed: minedojo.make(task_id=task_id, image_size=image_size, world_seed=seed, **make_kwargs)
        self.actions = ActionMap(mc.ALL_CRAFT_SMELT_ITEMS, items)
        self._envs: list[Any] = []
        self._obs: dict[str, Mapping[str, Any]] = {}

    @cached_property
    def _observation_space(self) -> spaces.Dict:
        height, width = self.image_size
        return spaces.Dict({"observation": spaces.Box(0, 255, (height, width, 3), np.uint8),
                            "action_mask": spaces.Box(0, 1, (len(self.actions.catalogue),), np.int8)})

    def observation_space(self, agent: str) -> spaces.Space:
        return self._observation_space

    def action_space(self, agent: str) -> spaces.Space:
        return spaces.Discrete(len(self.actions.catalogue))

    def _views(self, agents: list[str]):
        observations = {a: {"observation": np.ascontiguousarray(np.transpose(self._obs[a]["rgb"], (1, 2, 0))),
                            "action_mask": self.actions.mask(self._obs[a])} for a in agents}
        infos = {a: {"text": observation_text(a, self._obs[a])} for a in agents}
        return observations, infos

    def reset(self, seed: int | None = None, options: dict | None = None):
        for env in self._envs:
            env.close()
        base = 0 if seed is None else seed
        self._envs = [self._make(base + i) for i in range(len(self.possible_agents))]
        self.agents = list(self.possible_agents)
        self._obs = {agent: env.reset() for agent, env in zip(self.agents, self._envs)}
        return self._views(self.agents)

    def step(self, actions: Mapping[str, int]):
        rewards, terminations, truncations = {}, {}, {}
        for agent in list(self.agents):
            env = self._envs[self.possible_agents.index(agent)]
            name = self.actions.catalogue[int(actions.get(agent, 0))]
            obs, reward, done, _ = env.step(self.actions.vector(name, self._obs[agent]["inventory"]))
            self._obs[agent] = obs
            rewards[agent], terminations[agent], truncations[agent] = float(reward), bool(done), False
        observations, infos = self._views(list(rewards))
        self.agents = [a for a in self.agents if not terminations[a]]
        return observations, rewards, terminations, truncations, infos

    def render(self):
        if self.render_mode == "rgb_array" and self._obs:
            return np.concatenate([np.transpose(self._obs[a]["rgb"], (1, 2, 0)) for a in self.possible_agents
                                   if a in self._obs], axis=1)
        return None

    def close(self) -> None:
        for env in self._envs:
            env.close()
        self._envs = []
