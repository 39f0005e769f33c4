"""The registry of task environments and the ``parallel_env`` / ``env`` factories."""

from __future__ import annotations

from typing import Any

from pettingzoo.utils.conversions import parallel_to_aec

from colony.envs.adapter import TaskParallelEnv
from colony.envs.boxlift.env import BoxLiftEnv
from colony.envs.boxnet1.env import BoxNet1Env
from colony.envs.boxnet2.env import BoxNet2Env
from colony.envs.rules import load_rules
from colony.envs.warehouse.env import WarehouseEnv

ENVIRONMENTS: dict[str, type[TaskParallelEnv]] = {
    cls.metadata["name"]: cls for cls in (BoxNet1Env, BoxNet2Env, BoxLiftEnv, WarehouseEnv)
}
SHORT_NAMES = {name.rsplit("_v", 1)[0]: name for name in ENVIRONMENTS}


def env_class(name: str) -> type[TaskParallelEnv]:
    """The env class for ``boxnet1_v0`` or its short name ``boxnet1``."""
    full = SHORT_NAMES.get(name, name)
    if full not in ENVIRONMENTS:
        allowed = ", ".join(sorted(SHORT_NAMES) + sorted(ENVIRONMENTS))
        raise KeyError(f"unknown environment {name!r}; registered: {allowed}")
    return ENVIRONMENTS[full]


def parallel_env(name: str, **kwargs: Any) -> TaskParallelEnv:
    """A PettingZoo ParallelEnv, e.g. ``parallel_env("boxnet1", size="2x4", render_mode="rgb_array")``."""
    return env_class(name)(**kwargs)


def env(name: str, **kwargs: Any):
    """The same task as an AEC env (through PettingZoo's ``parallel_to_aec``)."""
    return parallel_to_aec(parallel_env(name, **kwargs))


def paper_sizes(name: str) -> list[str]:
    """The size labels the paper used for a task."""
    cls = env_class(name)
    rules = getattr(load_rules(), cls.world_class.task)
    return [cls.world_class.format_size(*size) for size in rules.paper_sizes]
