"""The distillation settings: what data, how to train, how to evaluate (``configs/distill/*.yaml``).

Every key is validated; a bad one is named with what is allowed. ``full`` is the run for a
lent GPU machine; ``tiny`` proves every stage end to end on a CPU in well under two minutes.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from colony.planners.config import ConfigError

TASKS = ("boxnet1", "boxnet2", "boxlift", "warehouse")
Scheme = Literal["cmas", "hmas2", "dmas", "hmas1"]
TRAIN_SEED_BASE = 100_000  # generated instances start here: far from every fixed benchmark set (1000-4999)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataSettings(_Strict):
    tasks: dict[str, list[str]] = Field(description="task -> the sizes to play (two per task in the full run)")
    schemes: list[Scheme] = Field(description="the schemes whose every role is recorded (cmas: central; hmas2: central, "
                                              "agree/object; dmas and hmas1: EXECUTE or PROCEED turns)")
    episodes: int = Field(ge=1, description="expert-driven episodes per task, size and scheme")
    step_limit: int | None = Field(None, ge=1, description="cap on each episode's steps (default: the task's own)")
    seed: int = Field(TRAIN_SEED_BASE, ge=TRAIN_SEED_BASE,
                      description=f"first generated instance seed (>= {TRAIN_SEED_BASE}, away from the benchmark sets)")
    workers: int = Field(0, ge=0, description="processes playing episodes (0: one per CPU)")

    @field_validator("tasks")
    @classmethod
    def _known_tasks(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        from colony.envs.registry import task_spec

        for task, sizes in value.items():
            if task not in TASKS:
                raise ValueError(f"unknown task {task!r}; allowed: {', '.join(TASKS)}")
            spec = task_spec(task)
            for size in sizes:
                try:
                    spec.canonical_size(str(size))
                except ValueError as error:
                    raise ValueError(f"{task}: {error}") from None
        return {task: [str(size) for size in sizes] for task, sizes in value.items()}


class OnPolicySettings(_Strict):
    rounds: int = Field(1, ge=0, description="rounds of on-policy relabelling (DAgger): the adapted model acts, "
                                             "the expert labels every state it reached")
    episodes: int = Field(ge=1, description="student-driven episodes per task, size and scheme in each round")
    max_new_tokens: int = Field(96, ge=8, description="longest reply the student writes while acting")
    step_limit: int | None = Field(None, ge=1, description="cap on each student-driven episode's steps")
    student: Literal["auto", "torch", "llama_cpp"] = Field(
        "auto", description="how the adapted model acts: torch (the trained adapter as is), llama_cpp (its GGUF "
                            "through llama.cpp, fast on a CPU), auto (llama_cpp when training on a CPU and installed)")
    max_replans: int = Field(3, ge=0, description="re-plans after a refused or unreadable plan in student-driven "
                                                  "episodes (each one a labelled example)")
    budget_s: float | None = Field(None, gt=0, description="wall-clock budget for playing each round's episodes "
                                                           "(the ones unfinished by then are dropped, and counted)")


class TrainSettings(_Strict):
    rank: int = Field(16, ge=1)
    alpha: float = Field(32.0, gt=0)
    dropout: float = Field(0.0, ge=0, lt=1)
    target_modules: list[str] = Field(["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
                                      description="the linear layers that get an adapter")
    learning_rate: float = Field(1e-3, gt=0)
    batch_size: int = Field(16, ge=1, description="examples per optimizer step")
    max_batch_tokens: int = Field(8192, ge=32, description="padded tokens per forward/backward pass: a batch is "
                                                           "split to fit (memory grows ~1-3 MB a token here)")
    max_length: int = Field(1024, ge=32, description="longest example in tokens (longer ones are left out, and counted)")
    epochs: float = Field(2.0, gt=0, description="passes over the data, unless the budget ends first")
    budget_s: float = Field(240.0, gt=0, description="wall-clock budget of each training round")
    later_budget_s: float | None = Field(None, gt=0, description="budget of the on-policy rounds' training "
                                                                 "(default: budget_s)")
    final_budget_s: float | None = Field(None, gt=0, description="after the last round, go on training on every "
                                                                 "round's data for this long (none: stop there)")
    precision: Literal["auto", "bf16", "fp32"] = Field(
        "auto", description="bf16 autocast (master weights stay fp32) or fp32; auto: bf16 on a GPU and on a CPU "
                            "with bfloat16 matrix units (2.1x faster measured on an AMX CPU), else fp32")
    max_examples: int | None = Field(None, ge=1, description="use at most this many examples (tiny runs)")
    device: str = Field("auto", description="auto (cuda when there is one), cuda or cpu")
    seed: int = 0


class EvalSettings(_Strict):
    schemes: list[Scheme] = Field(["cmas", "hmas2"])
    instances: int = Field(10, ge=1, le=10, description="fixed benchmark instances per task (smallest size)")
    tasks: list[str] = Field(list(TASKS))
    step_limit: int | None = Field(None, ge=1)


class DistillSettings(_Strict):
    name: str = Field(description="names the adapter file and the manifest")
    data: DataSettings
    on_policy: OnPolicySettings
    train: TrainSettings = TrainSettings()
    eval: EvalSettings | None = Field(None, description="closed-loop evaluation with llama.cpp (omit to skip)")


def load_settings(source: str | Path) -> DistillSettings:
    """``source``: a packaged name (``full``, ``tiny``) or a YAML file."""
    text = _read(source)
    try:
        return DistillSettings.model_validate(yaml.safe_load(text))
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise ConfigError(f"distill settings {source}: {problems}") from None


def packaged_names() -> list[str]:
    return sorted(p.name.removesuffix(".yaml") for p in resources.files("colony.configs").joinpath("distill").iterdir()
                  if p.name.endswith(".yaml"))


def _read(source: str | Path) -> str:
    path = Path(source)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise ConfigError(f"distill settings: no file {str(path)!r}")
        return path.read_text(encoding="utf-8")
    packaged = resources.files("colony.configs").joinpath("distill", f"{source}.yaml")
    if not packaged.is_file():
        raise ConfigError(f"distill settings {source!r}: not a YAML file nor a packaged name ({', '.join(packaged_names())})")
    return packaged.read_text(encoding="utf-8")


def settings_dict(settings: DistillSettings) -> dict[str, Any]:
    return settings.model_dump(mode="json")
