"""Packaged prompt templates in two styles, one template per role and style; the task wording
is the ``prompts.yaml`` in each task's folder (found through the task registry).

Roles: ``central`` (CMAS/HMAS central planner), ``local`` (DMAS/HMAS-1 agent),
``feedback`` (HMAS-2 agent judging the central plan), ``replan`` (check-and-replan
feedback), ``objections`` (HMAS-2 re-plan request), ``summarise`` (compressed history),
``history_step`` (one history block), ``split`` (the hierarchy organization's central planner
assigning subtasks and groups).

Styles: ``paper`` reproduces the released code's prompts word for word; ``compact`` is
written for tokens: the rules and the action grammar once, the state as one short line per
place or agent, the history as what changed, the stable part of each prompt first (so that
prefix caches reuse it across the agents of a step) and the asking agent's part last.
Everything renders with strict undefined variables: a missing variable is an error, never
an empty string in a prompt.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

import jinja2
import yaml
from pydantic import BaseModel, ConfigDict, Field

ROLES = ("central", "local", "feedback", "replan", "objections", "summarise", "history_step", "split")
STYLES = ("paper", "compact")
PromptStyle = Literal["paper", "compact"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskDefaults(_Strict):
    token_budget: int  # the paper's prompt budget for history
    feedback_rounds: int
    history_feedback: bool


class PaperWording(_Strict):
    central_intro: str
    local_intro: str
    goal: str
    rules: str
    current_state: str
    include_hint: str
    check_hint: str


class CompactWording(_Strict):
    token_budget: int = Field(description="the compact style's prompt budget for history")
    intro: str  # who plans what, and the goal, in a sentence or two
    rules: str  # every rule an agent needs, once
    actions: str  # the action grammar
    plan_keys: str  # what a plan is keyed by ("acting agent", "box to lift")


class TaskPrompts(_Strict):
    defaults: TaskDefaults
    paper: PaperWording
    compact: CompactWording


def _folder():
    return resources.files("colony.planners").joinpath("prompts")


@cache
def _environment(style: str) -> jinja2.Environment:
    if style not in STYLES:
        raise KeyError(f"unknown prompt style {style!r}; styles: {', '.join(STYLES)}")
    templates = {role: _folder().joinpath(style, f"{role}.j2").read_text(encoding="utf-8") for role in ROLES}
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


def render(role: str, task: str | None = None, style: str = "paper", **variables: Any) -> str:
    """Render a role's template in a style; the task's wording is rendered with the same variables first."""
    environment = _environment(style)
    if task is not None:
        wording = getattr(task_prompts(task), style).model_dump(exclude={"token_budget"})
        variables["task"] = {key: environment.from_string(text).render(**variables) if "{{" in text else text
                             for key, text in wording.items()}
    return environment.get_template(role).render(**variables).strip() + "\n"
