"""The registry of tasks and the ``parallel_env`` / ``env`` factories.

Built-in tasks are listed once below, each by the module holding its ``TASK`` spec;
other packages add theirs through the ``colony.tasks`` entry-point group (the value names
such a module or the spec itself) or at run time with :func:`register`. Everything that
needs the list of tasks (configuration, CLI, benchmarks) asks this module.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from pettingzoo.utils.conversions import parallel_to_aec

from colony.envs.adapter import TaskParallelEnv
from colony.envs.task import TaskSpec

BUILTIN_TASKS = ("colony.envs.boxnet1.task", "colony.envs.boxnet2.task", "colony.envs.boxlift.task",
                 "colony.envs.warehouse.task", "colony.envs.crafter.task", "colony.envs.boxnet1_3d.task",
                 "colony.envs.boxnet2_3d.task", "colony.envs.boxlift_3d.task", "colony.envs.warehouse_3d.task")
ENTRY_POINT_GROUP = "colony.tasks"

_TASKS: dict[str, TaskSpec] = {}
_LOADED = False


class TaskRegistrationError(ValueError):
    """A task entry that cannot be registered (names the entry and what is wrong)."""


def register(entry: TaskSpec | str) -> TaskSpec:
    """Add a task: a :class:`TaskSpec` or the dotted name of a module with a ``TASK`` attribute."""
    spec = entry
    if isinstance(entry, str):
        module = importlib.import_module(entry)
        spec = getattr(module, "TASK", None)
    if not isinstance(spec, TaskSpec):
        raise TaskRegistrationError(f"{entry!r}: not a TaskSpec (a task module defines TASK = TaskSpec(...))")
    known = _TASKS.get(spec.name)
    if known is not None and known is not spec:
        raise TaskRegistrationError(f"task {spec.name!r} is registered twice ({known.package} and {spec.package})")
    try:
        spec.paper_sizes(), spec.default_size(), spec.benchmark_seeds(spec.default_size())
        for size in spec.declaration.benchmark_seeds:
            spec.canonical_size(size)
    except ValueError as error:
        raise TaskRegistrationError(f"task {spec.name!r}: {error}") from None
    _TASKS[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove a task added with :func:`register` (plugins' tests clean up with it)."""
    _TASKS.pop(name, None)


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    for module in BUILTIN_TASKS:
        register(module)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        loaded = point.load()
        register(loaded if isinstance(loaded, TaskSpec) else loaded.__name__)


def tasks() -> dict[str, TaskSpec]:
    """Every registered task by short name, in registration order."""
    _load()
    return dict(_TASKS)


def task_names() -> list[str]:
    return list(tasks())


def task_spec(name: str) -> TaskSpec:
    """The task ``boxnet1`` (or ``boxnet1_v0``)."""
    known = tasks()
    by_env = {spec.env_name: spec for spec in known.values()}
    spec = known.get(name) or by_env.get(name)
    if spec is None:
        allowed = ", ".join(sorted(known) + sorted(by_env))
        raise KeyError(f"unknown environment {name!r}; registered: {allowed}")
    return spec


def environments() -> dict[str, type[TaskParallelEnv]]:
    """Every registered env class by its PettingZoo name."""
    return {spec.env_name: spec.env for spec in tasks().values()}


def env_class(name: str) -> type[TaskParallelEnv]:
    return task_spec(name).env


def parallel_env(name: str, **kwargs: Any) -> TaskParallelEnv:
    """A PettingZoo ParallelEnv, e.g. ``parallel_env("boxnet1", size="2x4", render_mode="rgb_array")``
    or ``parallel_env("boxlift", instance="instance.json")``."""
    return env_class(name)(**kwargs)


def env(name: str, **kwargs: Any):
    """The same task as an AEC env (through PettingZoo's ``parallel_to_aec``)."""
    return parallel_to_aec(parallel_env(name, **kwargs))


def paper_sizes(name: str) -> list[str]:
    """The size labels the paper used for a task."""
    return task_spec(name).paper_sizes()
