"""The one PettingZoo ``ParallelEnv`` adapter every task uses, and the planning surface.

A task env is a subclass that names its pure ``World`` class, its renderer, its plan
format and its metadata; this class adds nothing to the rules. Observations are
``{"observation": float32 vector, "action_mask": int8 vector}``; each agent's
``Discrete`` action space enumerates the world's action catalogue (index 0 = do
nothing); the text forms planners read travel in ``infos``.

The same object is the planning surface (:mod:`colony.envs.surface`): planners, experts
and the episode loop read agents, text, legal actions, the typed state, the goal and the
status, and ``check`` / ``apply`` plans, only through the methods below. Text methods
accept PettingZoo agent ids (``lifter_0``) and text names (``agent[2.5W]``) alike.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from pettingzoo import ParallelEnv

from colony.envs.feedback import RefusedEntry, StatusBase, StepFeedback
from colony.envs.goal import Goal
from colony.envs.plan_format import PlanFormat
from colony.envs.state import TaskState
from colony.envs.world import World


class TaskParallelEnv(ParallelEnv):
    world_class: ClassVar[type[World]]
    draw_rgb: ClassVar[Callable[[World], np.ndarray]]
    draw_ansi: ClassVar[Callable[[World], str]]
    plan_format: ClassVar[PlanFormat]
    metadata: ClassVar[dict[str, Any]]
    frames_by_default: ClassVar[bool] = False  # run records save a picture of every step (run.frames unset)

    def __init__(self, size: str | None = None, *, instance: str | Path | Mapping[str, Any] | None = None,
                 step_limit: int | None = None, render_mode: str | None = None, **size_fields: int) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        if size is not None and size_fields:
            raise TypeError("give the size either as a label (size='2x4') or as fields (rows=2, cols=4), not both")
        if size_fields:
            size = self.world_class.format_size(**size_fields)
        self._instance: dict[str, Any] | None = None
        if instance is not None:
            self._instance = load_instance_data(instance)
            template = self.world_class.from_dict(self._instance)
            if size is not None and self.world_class.format_size(**self.world_class.parse_size(size)) != template.size_label():
                raise ValueError(f"size {size!r} contradicts the instance, whose size is {template.size_label()!r}")
            size = template.size_label()
        self.size_fields = self.world_class.parse_size(size if size is not None else self.world_class.declaration().default_size)
        self._step_limit = step_limit
        self.render_mode = render_mode
        # The spaces depend only on the size; a throwaway instance gives their shapes.
        template = self._generate(np.random.default_rng(0))
        self.possible_agents = [self.agent_id(i, name) for i, name in enumerate(template.agents)]
        self._catalogue_sizes = {pid: len(template.action_catalogue(name)) for pid, name in zip(self.possible_agents, template.agents)}
        samples = {pid: template.observation_vector(name) for pid, name in zip(self.possible_agents, template.agents)}
        self._observation_kinds = {pid: (sample.shape, sample.dtype) for pid, sample in samples.items()}
        self.size_label = template.size_label()
        self.agents: list[str] = []
        self._bind(template)
        self.np_random: np.random.Generator | None = None
        self.np_random_seed: int | None = None

    # --- naming --------------------------------------------------------------------------
    @staticmethod
    def agent_id(index: int, name: str) -> str:
        """The PettingZoo agent id; the text name unless it changes between instances."""
        return name

    def _generate(self, rng: np.random.Generator) -> World:
        return self.world_class.generate(rng, step_limit=self._step_limit, **self.size_fields)

    def name_of(self, agent: str) -> str:
        """The text name planners use for a PettingZoo agent id (or a text name, in any spacing)."""
        if agent in self._names:
            return self._names[agent]
        name = self.world.state.resolve_agent(str(agent))
        if name is None:
            raise KeyError(f"{agent!r} is no agent of this {self.task} env; ids: {', '.join(self.possible_agents)}")
        return name

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
        shape, dtype = self._observation_kinds[agent]
        observation = (spaces.Box(0, 255, shape, np.uint8) if dtype == np.uint8  # an image
                       else spaces.Box(-np.inf, np.inf, shape, np.float32))
        return spaces.Dict({"observation": observation,
                            "action_mask": spaces.Box(0, 1, (self._catalogue_sizes[agent],), np.int8)})

    @functools.lru_cache(maxsize=None)
    def action_space(self, agent: str) -> spaces.Space:
        return spaces.Discrete(self._catalogue_sizes[agent])

    # --- episode -------------------------------------------------------------------------
    def reset(self, seed: int | None = None, options: dict | None = None):
        """A new instance from ``seed``; ``options={"instance": <data or path>}`` plays a given one,
        and an env built with ``instance=`` plays that one at every reset."""
        if seed is not None or self.np_random is None:
            self.np_random, self.np_random_seed = seeding.np_random(seed)
        instance = (options or {}).get("instance", self._instance)
        if instance is not None:
            world = self.world_class.from_dict(load_instance_data(instance))
            if world.size_label() != self.size_label:
                raise ValueError(f"instance has size {world.size_label()}, this env is {self.size_label}")
            if self._step_limit is not None:  # the env's own limit wins over the file's
                world.step_limit = self._step_limit
            self._bind(world)
        else:
            self._bind(self._generate(self.np_random))
        active = set(self.world.active_agents())
        self.agents = [] if self.world.status.is_over else [a for a in self.possible_agents if self._names[a] in active]
        return self._observations(), self._infos()

    def step(self, actions: Mapping[str, int]):
        choices = {}
        for agent_id, action in actions.items():
            catalogue = self._catalogues[agent_id]
            if not 0 <= int(action) < len(catalogue):
                raise ValueError(f"action {action} is outside {agent_id}'s action space Discrete({len(catalogue)})")
            if catalogue[int(action)] is not None:
                choices[self.name_of(agent_id)] = catalogue[int(action)]
        feedback = self.world.apply(self.plan_format.from_choices(choices))
        reward = float(feedback.progress) - float(feedback.status.is_failure)
        ids = list(self.agents)
        over = feedback.status.is_over
        active = set(self.world.active_agents())
        terminated = {a: (over and feedback.status.value != "step_limit") or self._names[a] not in active for a in ids}
        truncated = {a: over and feedback.status.value == "step_limit" for a in ids}
        observations, infos = self._observations(ids), self._infos(ids)
        self.agents = [] if over else [a for a in ids if self._names[a] in active]  # the dead leave
        return observations, {a: reward for a in ids}, terminated, truncated, infos

    # --- the planning surface --------------------------------------------------------------
    @property
    def task(self) -> str:
        return self.world_class.task

    @property
    def agent_names(self) -> list[str]:
        """The agents' text names, in the task's canonical order."""
        return list(self.world.agents)

    def observation_text(self, agent: str) -> str:
        return self.world.observation_text(self.name_of(agent))

    def legal_actions(self, agent: str) -> list[str]:
        return self.world.legal_actions(self.name_of(agent))

    def state_text(self) -> str:
        """What a central planner reads about the present."""
        return self.world.central_state_text()

    def history_state_text(self) -> str:
        """The compact state recorded in the history (the paper's ``State i``)."""
        return self.world.history_state_text()

    def task_state(self) -> TaskState:
        """A copy of the typed state (changing it changes nothing here)."""
        return self.world.state.snapshot()

    def goal(self) -> Goal:
        return self.world.goal()

    @property
    def status(self) -> StatusBase:
        return self.world.status

    @property
    def step_count(self) -> int:
        return self.world.step_count

    @property
    def step_limit(self) -> int:
        return self.world.step_limit

    @property
    def last_feedback(self) -> StepFeedback | None:
        return self.world.last_feedback

    def check(self, plan: Mapping[str, Any]) -> list[RefusedEntry]:
        """The entries of ``plan`` that ``apply`` would refuse now (nothing changes)."""
        return self.world.check(plan)

    def apply(self, plan: Mapping[str, Any]) -> StepFeedback:
        """Apply a plan in the task's format (agent name -> action string; BoxLift: box -> lifters)
        as one step, and return the typed feedback."""
        feedback = self.world.apply(plan)
        if feedback.status.is_over:
            self.agents = []
        return feedback

    def snapshot(self) -> dict[str, Any]:
        """The current instance as JSON-ready data (``instance=`` or ``reset(options=...)`` replays it)."""
        return self.world.to_dict()

    # --- internals -----------------------------------------------------------------------
    def _observations(self, ids: list[str] | None = None) -> dict[str, dict[str, np.ndarray]]:
        observations = {}
        for agent_id in self.agents if ids is None else ids:
            name = self._names[agent_id]
            mask = np.zeros(len(self._catalogues[agent_id]), dtype=np.int8)
            mask[0] = 1
            index = self._catalogue_index[agent_id]
            mask[[index[action] for action in self.world.legal_actions(name)]] = 1
            observations[agent_id] = {"observation": self.world.observation_vector(name), "action_mask": mask}
        return observations

    def _infos(self, ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
        infos = {}
        for agent_id in self.agents if ids is None else ids:
            name = self._names[agent_id]
            infos[agent_id] = {"name": name, "text": self.world.observation_text(name),
                               "legal_actions": self.world.legal_actions(name)}
        return infos

    def render(self):
        if self.render_mode == "rgb_array":
            return type(self).draw_rgb(self.world)
        if self.render_mode == "ansi":
            return type(self).draw_ansi(self.world)
        return None

    def step_record(self) -> dict[str, Any]:
        """Nothing beyond the planners' text for the 2D tasks (3D envs add perceived and true states)."""
        return {}

    def close(self) -> None:
        pass


def load_instance_data(instance: str | Path | Mapping[str, Any]) -> Any:
    """Instance data from a mapping or a JSON file (a clear error for a file that is not JSON)."""
    if isinstance(instance, Mapping):
        return instance
    path = Path(instance)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read the instance file ({error})") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
