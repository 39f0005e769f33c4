"""Instances as JSON files, and the fixed benchmark instance sets recorded in ``configs/``."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from colony.envs.registry import SHORT_NAMES, env_class, parallel_env


class BenchmarkSets(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    instances_per_size: int
    seeds: dict[str, dict[str, list[int]]]

    @model_validator(mode="after")
    def _complete(self) -> BenchmarkSets:
        for task, sizes in self.seeds.items():
            if task not in SHORT_NAMES:
                raise ValueError(f"seeds.{task}: not a task; tasks are {sorted(SHORT_NAMES)}")
            for size, seeds in sizes.items():
                if len(seeds) != self.instances_per_size or len(set(seeds)) != len(seeds):
                    raise ValueError(f"seeds.{task}.{size}: needs {self.instances_per_size} distinct seeds, has {seeds}")
        return self


@cache
def benchmark_sets() -> BenchmarkSets:
    text = resources.files("colony.configs").joinpath("benchmark_instances.yaml").read_text(encoding="utf-8")
    return BenchmarkSets.model_validate(yaml.safe_load(text))


def benchmark_seeds(task: str, size: str) -> list[int]:
    """The recorded seeds of the benchmark set for ``task`` at ``size`` (e.g. boxnet1, 2x2)."""
    short = env_class(task).world_class.task
    sizes = benchmark_sets().seeds.get(short, {})
    label = env_class(task).world_class.format_size(**env_class(task).world_class.parse_size(size))
    if label not in sizes:
        raise KeyError(f"no benchmark set for {short} {size}; recorded sizes: {', '.join(sizes) or 'none'}")
    return list(sizes[label])


def benchmark_instances(task: str, size: str) -> list[dict[str, Any]]:
    """The benchmark instances themselves, as ``World.to_dict()`` snapshots."""
    env = parallel_env(task, size=size)
    instances = []
    for seed in benchmark_seeds(task, size):
        env.reset(seed=seed)
        instances.append(env.world.to_dict())
    return instances


def save_instance(instance: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(instance, indent=1) + "\n", encoding="utf-8")
    return path


def load_instance(path: str | Path) -> dict[str, Any]:
    """Read an instance file; ``env.reset(options={"instance": ...})`` plays it."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    env_class(data.get("task", "?"))  # a clear error for a file that is not an instance
    return data
