"""Task declarations as data: each task folder's ``task.yaml``, read into typed models.

A declaration holds what every task has (the goal in words, default and paper sizes,
the step-limit rule, the fixed benchmark seeds per size) and the task's own rules under
``rules:``, validated by the model the task's world names (``World.rules_model``). The
simulators read their constants only from these models, so a rule lives in one place and
a malformed file fails loudly at load time, naming the file and the field.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepLimitOverride(Strict):
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


class StepLimitRule(Strict):
    """The first matching override wins, otherwise ``default``."""

    default: int = Field(gt=0)
    overrides: tuple[StepLimitOverride, ...] = ()

    def for_agents(self, agents: int) -> int:
        for override in self.overrides:
            if override.matches(agents):
                return override.limit
        return self.default


class ValueGrid(Strict):
    """Values low, low+step, ..., high (inclusive), drawn uniformly."""

    low: float
    high: float
    step: float = Field(gt=0)

    def values(self) -> list[float]:
        count = round((self.high - self.low) / self.step) + 1
        return [round(self.low + i * self.step, 6) for i in range(count)]


class GoalPattern(Strict):
    """A regular expression with named groups, and the goal (and owner) it names, formatted from the groups."""

    pattern: str
    goal: str
    owner: str | None = Field(None, description="whose goal (per-agent memories): formatted from the groups")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"not a regular expression: {error}") from None
        return value

    def read(self, text: str) -> tuple[str, str | None] | None:
        """(goal, owner) when ``text`` matches, else None."""
        match = re.search(self.pattern, text)
        if match is None:
            return None
        groups = match.groupdict()
        return self.goal.format(**groups), self.owner.format(**groups) if self.owner else None


class MemoryDeclaration(Strict):
    """How the knowledge-graph memory (``colony.memory``) reads the task: which goal a plan entry
    serves (matched against ``"<key>: <action>"``) and which line of a step's achievements
    completes a goal."""

    per_agent: bool = Field(False, description="one graph per agent (Crafter) instead of one for the team")
    long_term: tuple[str, ...] = Field((), description="the long-term goals in order (default: the task's goal)")
    goal_of_entry: tuple[GoalPattern, ...] = ()
    goal_done: tuple[GoalPattern, ...] = ()


class TaskDeclaration(Strict):
    goal: str = Field(min_length=1, description="the goal in words")
    default_size: str
    paper_sizes: tuple[str, ...] = Field(min_length=1)
    step_limit: StepLimitRule
    benchmark_seeds: dict[str, tuple[int, ...]] = Field(default_factory=dict)
    memory: MemoryDeclaration = MemoryDeclaration()
    rules: Any = None

    @field_validator("default_size", "paper_sizes", "benchmark_seeds", mode="before")
    @classmethod
    def _sizes_as_text(cls, value: Any) -> Any:
        if isinstance(value, int):
            return str(value)
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) else v for v in value]
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value

    @field_validator("benchmark_seeds")
    @classmethod
    def _distinct(cls, value: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
        for size, seeds in value.items():
            if not seeds or len(set(seeds)) != len(seeds):
                raise ValueError(f"{size}: needs distinct seeds, has {list(seeds)}")
        return value


class DeclarationError(ValueError):
    """A task.yaml that does not describe a task (names the file and the fields)."""


@cache
def load_declaration(package: str, rules_model: type[BaseModel]) -> TaskDeclaration:
    """The ``task.yaml`` of the task package ``package``, its ``rules`` typed by ``rules_model``."""
    where = f"{package.replace('.', '/')}/task.yaml"
    try:
        text = resources.files(package).joinpath("task.yaml").read_text(encoding="utf-8")
        declaration = TaskDeclaration.model_validate(yaml.safe_load(text))
        return declaration.model_copy(update={"rules": rules_model.model_validate(declaration.rules or {})})
    except FileNotFoundError:
        raise DeclarationError(f"{where}: missing; every task folder declares itself in a task.yaml") from None
    except (ValidationError, yaml.YAMLError) as error:
        raise DeclarationError(f"{where}: {error}") from None
