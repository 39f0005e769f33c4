"""A task declared once: the registry entry that names everything Colony needs to know.

A task is one folder (``envs/<task>/``: ``world.py`` and ``state.py`` for the rules,
``env.py`` for the PettingZoo adapter and its spec, ``render.py``, ``planning.py`` for
the plan format, ``prompts.yaml`` for the prompt wording, ``expert.py`` for the greedy
reference planner, ``task.yaml`` for sizes, step limits, benchmark seeds and rules) plus
one :class:`TaskSpec` in ``task.py`` that the registry loads. The configuration's allowed
tasks, the CLI, ``colony envs`` and the benchmarks all read the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from colony.envs.plan_format import PlanFormat
from colony.envs.rules import TaskDeclaration

if TYPE_CHECKING:
    from colony.envs.adapter import TaskParallelEnv
    from colony.envs.world import World


@dataclass(frozen=True)
class TaskSpec:
    env: type[TaskParallelEnv]  # the ParallelEnv class; its docstring is the task's spec
    expert: type | None = None  # ``expert().plan(context) -> plan``, reading only the planning context
    prompts: str = "prompts.yaml"  # the prompt wording, a file in the task's folder
    prompts_package: str | None = None  # another task's package whose wording this task shares (its 3D version)

    @property
    def world(self) -> type[World]:
        return self.env.world_class

    @property
    def name(self) -> str:
        """The short name (``boxnet1``)."""
        return self.world.task

    @property
    def env_name(self) -> str:
        """The PettingZoo name (``boxnet1_v0``)."""
        return self.env.metadata["name"]

    @property
    def package(self) -> str:
        return self.world.__module__.rpartition(".")[0]

    @property
    def plan_format(self) -> PlanFormat:
        return self.env.plan_format

    @property
    def declaration(self) -> TaskDeclaration:
        return self.world.declaration()

    def prompt_source(self) -> str:
        """The text of the task's prompt wording file."""
        return resources.files(self.prompts_package or self.package).joinpath(self.prompts).read_text(encoding="utf-8")

    def canonical_size(self, label: Any) -> str:
        """``' 2X4 '`` -> ``'2x4'``; InvalidSize for a size the task cannot make."""
        return self.world.format_size(**self.world.parse_size(str(label)))

    def paper_sizes(self) -> list[str]:
        return [self.canonical_size(size) for size in self.declaration.paper_sizes]

    def default_size(self) -> str:
        return self.canonical_size(self.declaration.default_size)

    def benchmark_seeds(self, size: str) -> list[int] | None:
        """The fixed benchmark seeds recorded for ``size``, or None when there is no set."""
        label = self.canonical_size(size)
        sets = {self.canonical_size(key): seeds for key, seeds in self.declaration.benchmark_seeds.items()}
        return list(sets[label]) if label in sets else None

    def step_limit(self, agents: int) -> int:
        return self.declaration.step_limit.for_agents(agents)
