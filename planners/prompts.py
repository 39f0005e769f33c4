"""Packaged prompt templates: one per role; the task wording is the ``prompts.yaml`` in each
task's folder (found through the task registry).

Roles: ``central`` (CMAS/HMAS central planner), ``local`` (DMAS/HMAS-1 agent),
``feedback`` (HMAS-2 agent judging the central plan), ``replan`` (check-and-replan
feedback), ``objections`` (HMAS-2 re-plan request), ``summarise`` (compressed history),
``history_step`` (one history block). Everything renders with strict undefined
variables: a missing variable is an error, never an empty string in a prompt.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import jinja2
import yaml
from pydantic import BaseModel, ConfigDict

ROLES = ("central", "local", "feedback", "replan", "objections", "summarise", "history_step")


class TaskDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    token_budget: int
    feedback_rounds: int
    history_feedback: bool


class TaskPrompts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    defaults: TaskDefaults
    central_intro: str
    local_intro: str
    goal: str
    rules: str
    current_state: str
    include_hint: str
    check_hint: str


def _folder():
    return resources.files("colony.planners").joinpath("prompts")


@cache
def _environment() -> jinja2.Environment:
    templates = {role: _folder().joinpath(f"{role}.j2").read_text(encoding="utf-8") for role in ROLES}
    return jinja2.Environment(loader=jinja2.DictLoader(templates), undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False, autoescape=False)


@cache
def task_prompts(task: str) -> TaskPrompts:
    from colony.envs.registry import task_spec

    spec = task_spec(task)
    try:
        return TaskPrompts.model_validate(yaml.safe_load(spec.prompt_source()))
    except FileNotFoundError:
        raise KeyError(f"task {task!r} has no {spec.prompts} in {spec.package}") from None


def render(role: str, task: str | None = None, **variables: Any) -> str:
    """Render a role's template; task wording is rendered with the same variables first."""
    environment = _environment()
    if task is not None:
        wording = task_prompts(task).model_dump(exclude={"defaults"})
        variables["task"] = {key: environment.from_string(text).render(**variables) if "{{" in text else text
                             for key, text in wording.items()}
    return environment.get_template(role).render(**variables).strip() + "\n"
