"""Sweeps: one ablation file, one command; every combination is a recorded, resumable run.

An ablation file (``configs/ablations/*.yaml`` or any path)::

    base: boxnet1              # a scenario name or file
    grid:                      # every combination of these config keys
      planner.scheme: [cmas, hmas2]
      size: ["2x2", "2x4"]
    instances: 10

plus, optionally, ``list:`` (entries of keys that go together, such as a task and one of
its sizes; each entry is combined with every grid combination), ``set:`` (settings for every run) and ``concurrency:`` (at most this many runs at
once per backend, by spec prefix: ``{local: 1, openai: 4}``; the expert is never
limited). Every combination is validated before anything starts, with the offending key
and the allowed values named. Each is one run folder ``<sweep>/<run name>``, the name made
from its parameters, played by :func:`colony.planners.run.run_scenario` with ``resume``,
so a run killed mid-way continues from its last finished episode. Finished runs are
appended to ``<sweep>/index.jsonl``, one line written at once and flushed to disk; a
re-run of the same command skips the runs the index holds and plays the others, so a
killed sweep loses and duplicates nothing.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from colony.planners.config import ConfigError, load_scenario


class SweepConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    base: str = Field(description="a scenario name (configs/<name>.yaml or a task) or a scenario file")
    grid: dict[str, list[Any]] = Field(default_factory=dict, description="config key -> the values to combine")
    combinations: list[dict[str, Any]] = Field(default_factory=list, alias="list",
                                               description="entries of keys that go together, each crossed with "
                                                           "the grid")
    instances: int | None = Field(None, ge=1, description="episodes per run")
    settings: dict[str, Any] = Field(default_factory=dict, alias="set", description="settings for every run")
    concurrency: dict[str, int] = Field(default_factory=dict, description="backend spec prefix -> runs at once")


@dataclass(frozen=True)
class SweepRun:
    name: str  # the run folder, made from the parameters
    params: dict[str, Any]  # the combination
    settings: dict[str, Any]  # everything given to load_scenario on top of the base
    base: str
    backend: str  # the backend spec, or "expert"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _short(key: str) -> str:
    return key.rsplit(".", 1)[-1]


def run_name(params: dict[str, Any]) -> str:
    """``scheme-cmas_size-2x2``: the parameters in order, safe as a folder name."""
    parts = [f"{_short(key)}-{value}" for key, value in params.items()] or ["base"]
    return re.sub(r"[^A-Za-z0-9.=_+-]+", "-", "_".join(parts))[:180]


def ablation_path(name_or_path: str) -> Path:
    """A file, or a packaged ablation (``table1``: ``configs/ablations/table1.yaml``)."""
    path = Path(name_or_path)
    if path.exists():
        return path
    packaged = resources.files("colony.configs").joinpath("ablations", f"{name_or_path}.yaml")
    if packaged.is_file():
        return Path(str(packaged))
    names = sorted(p.name[:-5] for p in resources.files("colony.configs").joinpath("ablations").iterdir()
                   if p.name.endswith(".yaml"))
    raise ConfigError(f"ablation {name_or_path!r} is neither a file nor one of: {', '.join(names)}")


def read_sweep_file(path: Path | str) -> SweepConfig:
    path = ablation_path(str(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: an ablation file is a mapping with base, grid, list, instances, set, concurrency")
    try:
        return SweepConfig.model_validate(data)
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"])
            if problem["type"] == "extra_forbidden":
                problems.append(f"{where}: unknown; an ablation file has base, grid, list, instances, set, concurrency")
            else:
                problems.append(f"{where}: {problem['msg']}")
        raise ConfigError(f"{path}: " + "; ".join(problems)) from None


def expand(sweep: SweepConfig, overrides: dict[str, Any] | None = None) -> list[SweepRun]:
    """Every combination - each entry of the list (keys that go together, such as a task and
    its sizes) with every combination of the grid - each validated as a scenario now."""
    keys = list(sweep.grid)
    grid = [dict(zip(keys, values)) for values in itertools.product(*sweep.grid.values())] if keys else [{}]
    combos = [{**entry, **point} for entry in (sweep.combinations or [{}]) for point in grid]
    runs, seen = [], {}
    for params in combos:
        settings = {**sweep.settings, **(overrides or {}), **params}
        if sweep.instances is not None:
            settings.setdefault("instances", sweep.instances)
        try:
            config = load_scenario(sweep.base, flags={key: "the ablation file" for key in settings}, **settings)
        except ConfigError as error:
            raise ConfigError(f"combination {params}: {error}") from None
        name = run_name(params)
        if name in seen:
            raise ConfigError(f"combinations {seen[name]} and {params} make the same run {name!r}")
        seen[name] = params
        backend = "expert" if config.planner.scheme == "expert" else config.llm.spec
        runs.append(SweepRun(name, params, settings, sweep.base, backend))
    return runs


# --- the index ------------------------------------------------------------------------------
def read_index(folder: Path) -> dict[str, dict[str, Any]]:
    """The last record of each run in ``index.jsonl`` (a line torn by a kill is ignored)."""
    path = Path(folder) / "index.jsonl"
    records: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            records[record["run"]] = record
    return records


def append_index(folder: Path, record: dict[str, Any]) -> None:
    """One line, written with one ``write`` on an O_APPEND file and flushed to disk."""
    path = Path(folder) / "index.jsonl"
    if path.exists() and path.stat().st_size:
        with path.open("rb") as handle:  # a line torn by a kill: start on a fresh line
            handle.seek(-1, os.SEEK_END)
            torn = handle.read(1) != b"\n"
    else:
        torn = False
    line = ("\n" if torn else "") + json.dumps(record, ensure_ascii=False, default=str) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- one run (in a worker) ---------------------------------------------------------------------
def execute(run: dict[str, Any], folder: str) -> dict[str, Any]:
    """Play one run of a sweep (resuming its folder) and return its index record."""
    start = time.perf_counter()
    config = load_scenario(run["base"], **{**run["settings"], "run.out_dir": folder, "run.name": run["name"]})
    from colony.planners.run import run_scenario

    run_folder, summary = run_scenario(config, resume=True)
    keep = ("task", "size", "scheme", "backend", "history", "episodes", "successes", "success_rate",
            "mean_steps_successful", "mean_llm_calls", "mean_tokens", "outcomes", "stopped")
    return {"run": run["name"], "status": "done", "params": run["params"], "folder": str(run_folder),
            "seconds": round(time.perf_counter() - start, 3), **{key: summary.get(key) for key in keep},
            "tokens": sum(e["tokens"] for e in summary["per_episode"]), "pid": os.getpid()}
