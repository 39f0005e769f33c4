"""Typed task rules, loaded from the packaged ``tasks.yaml``.

The simulators read their constants only from these models, so a rule lives in one
place (the YAML table) and a malformed table fails loudly at load time.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepLimitOverride(_Strict):
    limit: int = Field(gt=0)
    agents_at_least: int | None = None
    agents_exactly: int | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> StepLimitOverride:
        if (self.agents_at_least is None) == (self.agents_exactly is None):
            raise ValueError("a step-limit override needs exactly one of agents_at_least / agents_exactly")
        return self

    def matches(self, agents: int) -> bool:
        if self.agents_exactly is not None:
            return agents == self.agents_exactly
        return agents >= self.agents_at_least


class StepLimitRule(_Strict):
    default: int = Field(gt=0)
    overrides: tuple[StepLimitOverride, ...] = ()

    def for_agents(self, agents: int) -> int:
        for override in self.overrides:
            if override.matches(agents):
                return override.limit
        return self.default


class ValueGrid(_Strict):
    """Values low, low+step, ..., high (inclusive), drawn uniformly."""

    low: float
    high: float
    step: float = Field(gt=0)

    def values(self) -> list[float]:
        count = round((self.high - self.low) / self.step) + 1
        return [round(self.low + i * self.step, 6) for i in range(count)]


class BoxNetRules(_Strict):
    colours: tuple[str, ...] = Field(min_length=1)
    boxes_per_colour: tuple[int, int]
    paper_sizes: tuple[tuple[int, int], ...]
    step_limit: StepLimitRule


class BoxLiftRules(_Strict):
    volume: ValueGrid
    weight_noise_fraction: float = Field(ge=0)
    outlier_probability: float = Field(ge=0, le=1)
    outlier_fraction: float = Field(ge=0)
    min_weight: float = Field(gt=0)
    capacity: ValueGrid
    capacity_raise_step: float = Field(gt=0)
    paper_sizes: tuple[tuple[int, int], ...]
    step_limit: StepLimitRule


class WarehouseRules(_Strict):
    tracks: int = Field(ge=1)
    columns: int = Field(ge=1)
    box_probability: float = Field(gt=0, le=1)
    paper_sizes: tuple[tuple[int], ...]
    step_limit: StepLimitRule


class TaskRules(_Strict):
    boxnet1: BoxNetRules
    boxnet2: BoxNetRules
    boxlift: BoxLiftRules
    warehouse: WarehouseRules


@cache
def load_rules() -> TaskRules:
    """The packaged task rules (parsed once per process)."""
    text = resources.files("colony.envs").joinpath("tasks.yaml").read_text(encoding="utf-8")
    return TaskRules.model_validate(yaml.safe_load(text))
