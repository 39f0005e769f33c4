"""Instances as JSON files, and the fixed benchmark instance sets each task declares."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from colony.envs.adapter import load_instance_data
from colony.envs.instance_checks import InstanceError
from colony.envs.registry import parallel_env, task_spec


def benchmark_seeds(task: str, size: str) -> list[int]:
    """The recorded seeds of the benchmark set for ``task`` at ``size`` (e.g. boxnet1, 2x2)."""
    spec = task_spec(task)
    seeds = spec.benchmark_seeds(size)
    if seeds is None:
        recorded = ", ".join(spec.canonical_size(s) for s in spec.declaration.benchmark_seeds) or "none"
        raise KeyError(f"no benchmark set for {spec.name} {size}; recorded sizes: {recorded}")
    return seeds


def benchmark_instances(task: str, size: str) -> list[dict[str, Any]]:
    """The benchmark instances themselves, as JSON-ready snapshots."""
    env = parallel_env(task, size=size)
    instances = []
    for seed in benchmark_seeds(task, size):
        env.reset(seed=seed)
        instances.append(env.snapshot())
    return instances


def save_instance(instance: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(instance, indent=1) + "\n", encoding="utf-8")
    return path


def load_instance(path: str | Path) -> dict[str, Any]:
    """Read and check an instance file; ``parallel_env(task, instance=...)`` plays it."""
    data = load_instance_data(path)
    if not isinstance(data, dict) or not isinstance(data.get("task"), str):
        raise InstanceError("?", [f"{path}: an instance file is a JSON object with a 'task' field"])
    task_spec(data["task"]).world.from_dict(data)  # every field checked now, not at reset
    return data


def instance_size(data: dict[str, Any]) -> str:
    """The size label of checked instance data (its task's own fields decide it)."""
    return task_spec(data["task"]).world.from_dict(data).size_label()


def instance_files(path: str | Path) -> list[Path]:
    """A JSON file, or the ``*.json`` files of a folder in name order."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise FileNotFoundError(f"{path}: no *.json instance files in this folder")
        return files
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such instance file or folder")
    return [path]
