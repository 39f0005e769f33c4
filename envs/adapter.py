"""The one PettingZoo ``ParallelEnv`` adapter every task uses.

A task env is a subclass that names its pure ``World`` class, its renderer and its
metadata; this class adds nothing to the rules. Observations are
``{"observation": float32 vector, "action_mask": int8 vector}``; each agent's
``Discrete`` action space enumerates the world's action catalogue (index 0 = do
nothing); the text forms planners read travel in ``infos``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from pettingzoo import ParallelEnv

from colony.envs.feedback import EpisodeStatus, RefusedEntry, StepFeedback
from colony.envs.world import World


class TaskParallelEnv(ParallelEnv):
    world_class: ClassVar[type]
    draw_rgb: ClassVar[Callable[[World], np.ndarray]]
    draw_ansi: ClassVar[Callable[[World], str]]
    metadata: ClassVar[dict[str, Any]]

    def __init__(self, size: str | None = None, *, step_limit: int | None = None,
                 render_mode: str | None = None, **size_fields: int) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        if size is not None and size_fields:
            raise TypeError("give the size either as a label (size='2x4') or as fields (rows=2, cols=4), not both")
        if size_fields:
            size = self.world_class.format_size(**size_fields)
        self.size_fields = self.world_class.parse_size(size if size is not None else self.default_size)
        self.step_limit = step_limit
        self.render_mode = render_mode
        # The spaces depend only on the size; a throwaway instance gives their shapes.
        template = self._generate(np.random.default_rng(0))
        self.possible_agents = [self.agent_id(i, name) for i, name in enumerate(template.agents)]
        self._catalogue_sizes = {pid: len(template.action_catalogue(name)) for pid, name in zip(self.possible_agents, template.agents)}
        self._observation_sizes = {pid: template.observation_vector(name).shape[0]
                                   for pid, name in zip(self.possible_agents, template.agents)}
        self.size_label = template.size_label()
        self.agents: list[str] = []
        self._bind(template)
        self.np_random: np.random.Generator | None = None
        self.np_random_seed: int | None = None

    # --- naming --------------------------------------------------------------------------
    default_size: ClassVar[str]

    @staticmethod
    def agent_id(index: int, name: str) -> str:
        """The PettingZoo agent id; the text name unless it changes between instances."""
        return name

    def _generate(self, rng: np.random.Generator) -> World:
        return self.world_class.generate(rng, **self.size_fields, step_limit=self.step_limit)

    def name_of(self, agent_id: str) -> str:
        """The text name planners use for a PettingZoo agent id."""
        return self._names[agent_id]

    def _bind(self, world: World) -> None:
        """Make ``world`` current and cache what only changes with the instance."""
        self.world = world
        self._names = dict(zip(self.possible_agents, world.agents))
        self._catalogues = {pid: world.action_catalogue(name) for pid, name in self._names.items()}
        self._catalogue_index = {pid: {action: i for i, action in enumerate(catalogue) if action is not None}
                                 for pid, catalogue in self._catalogues.items()}

    # --- spaces --------------------------------------------------------------------------
    @functools.lru_cache(maxsize=None)
    def observation_space(self, agent: str) -> spaces.Space:
        return spaces.Dict({
            "observation": spaces.Box(-np.inf, np.inf, (self._observation_sizes[agent],), np.float32),
            "action_mask": spaces.Box(0, 1, (self._catalogue_sizes[agent],), np.int8),
        })

    @functools.lru_cache(maxsize=None)
    def action_space(self, agent: str) -> spaces.Space:
        return spaces.Discrete(self._catalogue_sizes[agent])

    # --- episode -------------------------------------------------------------------------
    def reset(self, seed: int | None = None, options: dict | None = None):
        """A new instance from ``seed``, or ``options={"instance": <World.to_dict()>}``."""
        if seed is not None or self.np_random is None:
            self.np_random, self.np_random_seed = seeding.np_random(seed)
        instance = (options or {}).get("instance")
        if instance is not None:
            world = self.world_class.from_dict(instance)
            if world.size_label() != self.size_label:
                raise ValueError(f"instance has size {world.size_label()}, this env is {self.size_label}")
            self._bind(world)
        else:
            self._bind(self._generate(self.np_random))
        self.agents = list(self.possible_agents)
        if self.world.status.is_over:
            self.agents = []
        return self._observations(), self._infos()

    def step(self, actions: Mapping[str, int]):
        choices = {}
        for agent_id, action in actions.items():
            catalogue = self._catalogues[agent_id]
            if not 0 <= int(action) < len(catalogue):
                raise ValueError(f"action {action} is outside {agent_id}'s action space Discrete({len(catalogue)})")
            if catalogue[int(action)] is not None:
                choices[self.name_of(agent_id)] = catalogue[int(action)]
        feedback = self.apply(self.world.plan_from_choices(choices), _from_step=True)
        reward = float(feedback.progress) - float(bool(feedback.collisions))
        ids = list(self.possible_agents) if feedback.status.is_over else list(self.agents)
        terminated = feedback.status in (EpisodeStatus.SUCCESS, EpisodeStatus.COLLISION)
        truncated = feedback.status is EpisodeStatus.STEP_LIMIT
        observations, infos = self._observations(ids), self._infos(ids)
        if feedback.status.is_over:
            self.agents = []
        return (observations, {a: reward for a in ids}, {a: terminated for a in ids},
                {a: truncated for a in ids}, infos)

    def apply(self, plan: Mapping[str, Any], *, _from_step: bool = False) -> StepFeedback:
        """Apply a plan in the paper's format (agent name -> action string; BoxLift:
        box -> lifters) as one step, and return the typed feedback."""
        feedback = self.world.apply(plan)
        if feedback.status.is_over and not _from_step:
            self.agents = []
        return feedback

    def check(self, plan: Mapping[str, Any]) -> list[RefusedEntry]:
        """The entries of ``plan`` that ``apply`` would refuse now (nothing changes)."""
        return self.world.check(plan)

    # --- the text view planners read -------------------------------------------------------
    def observation_text(self, agent: str) -> str:
        return self.world.observation_text(agent)

    def legal_actions(self, agent: str) -> list[str]:
        return self.world.legal_actions(agent)

    def state_text(self) -> str:
        return self.world.central_state_text()

    # --- internals -----------------------------------------------------------------------
    def _observations(self, ids: list[str] | None = None) -> dict[str, dict[str, np.ndarray]]:
        observations = {}
        for agent_id in self.agents if ids is None else ids:
            name = self.name_of(agent_id)
            mask = np.zeros(len(self._catalogues[agent_id]), dtype=np.int8)
            mask[0] = 1
            index = self._catalogue_index[agent_id]
            mask[[index[action] for action in self.world.legal_actions(name)]] = 1
            observations[agent_id] = {"observation": self.world.observation_vector(name), "action_mask": mask}
        return observations

    def _infos(self, ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
        infos = {}
        for agent_id in self.agents if ids is None else ids:
            name = self.name_of(agent_id)
            infos[agent_id] = {"name": name, "text": self.world.observation_text(name),
                               "legal_actions": self.world.legal_actions(name)}
        return infos

    def render(self):
        if self.render_mode == "rgb_array":
            return type(self).draw_rgb(self.world)
        if self.render_mode == "ansi":
            return type(self).draw_ansi(self.world)
        return None

    def close(self) -> None:
        pass
