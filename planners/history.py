"""Episode history for prompts: the seam every memory implements, and the paper's four variants.

The seam is two calls: ``record(step)`` after every step, and ``to_prompt(agent, budget)``
when a prompt is built, returning the text to show ``agent`` (``None`` for the central
planner) within ``budget`` tokens. Each agent can therefore have its own view; the
paper's variants (:class:`History`) show every agent the same one.

:class:`History` keeps one :class:`HistoryStep` per step and returns the newest steps that
fit, shown oldest-first, as the reference does. ``none`` shows nothing, ``state_action``
the states and plans, ``all_dialogue`` adds each step's dialogue, ``compressed`` an LLM
summary of it (``wants_summary``: the episode loop asks the planner for one per step). In
the paper prompt style a step shows the whole state and the plan; in the compact style it
shows what changed (:func:`describe_changes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from colony.envs.feedback import RefusedEntry, StepFeedback
from colony.envs.state import TaskState
from colony.planners.prompts import render
from colony.planners.tokens import TokenCounter


@dataclass
class HistoryStep:
    state: str  # the state at the start of the step, as the paper records it
    action: str  # the executed plan as JSON
    feedback: str = ""
    dialogue: str = ""
    summary: str = ""
    changes: str = ""  # what changed, in a line (the compact style's history)
    # the structured step, for memories that read more than text (colony.memory)
    plan: dict[str, Any] | None = None  # the executed plan
    outcome: StepFeedback | None = None  # the env's feedback
    task_state: TaskState | None = None  # the state the plan was made in

    def to_prompt(self, index: int, mode: str, with_feedback: bool, style: str = "paper") -> str:
        text = render("history_step", style=style, index=index, step=self, mode=mode, with_feedback=with_feedback)
        return text + "\n" if style == "paper" else text  # the paper separates steps by a blank line


def describe_changes(feedback: StepFeedback, refused_first: list[RefusedEntry] | None = None) -> str:
    """One line of what a step did: entries the check refused before a plan passed, the entries
    carried out and those refused and why, what the task reported (failed lifts, collisions), what
    was achieved, and the goal's progress."""
    text = ""
    if refused_first:
        text = "Refused first: " + "; ".join(f"{e.key}: {e.action} ({e.message})" for e in refused_first) + ". "
    parts = [f"{key}: {action}" for key, action in feedback.accepted.items()] or ["nothing was done"]
    parts += [f"{entry.key} refused ({entry.message})" for entry in feedback.refused]
    text += "; ".join(parts) + "."
    text += "".join(f" {event.to_text()}" for event in feedback.events)
    if feedback.achieved:
        text += f" Done: {', '.join(feedback.achieved)}."
    return text + (f" {feedback.after.text}" if feedback.after else "")


class Memory(Protocol):
    """What planners need from a history or memory."""

    wants_summary: bool  # True when each step's dialogue should be summarised before ``record``

    def record(self, step: HistoryStep) -> None: ...

    def to_prompt(self, agent: str | None, budget: int) -> str: ...


class History:
    """The paper's history variants, one shared view for all agents."""

    def __init__(self, mode: str, counter: TokenCounter, with_feedback: bool, style: str = "paper") -> None:
        self.mode = mode
        self.counter = counter
        self.with_feedback = with_feedback
        self.style = style
        self.wants_summary = mode == "compressed"
        self.steps: list[HistoryStep] = []
        self._blocks: dict[int, tuple[str, int]] = {}

    def record(self, step: HistoryStep) -> None:
        self.steps.append(replace(step, outcome=None, task_state=None))  # the text is all it shows

    def _block(self, index: int) -> tuple[str, int]:
        if index not in self._blocks:
            text = self.steps[index].to_prompt(index + 1, self.mode, self.with_feedback, self.style)
            self._blocks[index] = (text, self.counter.count(text))
        return self._blocks[index]

    def to_prompt(self, agent: str | None, budget: int) -> str:
        """The newest steps whose blocks together stay under ``budget`` tokens, oldest first."""
        if self.mode == "none":
            return ""
        kept: list[str] = []
        spent = 0
        for index in range(len(self.steps) - 1, -1, -1):
            text, tokens = self._block(index)
            if spent + tokens >= budget:
                break
            kept.append(text)
            spent += tokens
        return "".join(reversed(kept))


def fit_prompt(build: Callable[[str], str], memory: Memory, agent: str | None, budget: int,
               counter: TokenCounter) -> str:
    """The prompt ``build(history_text)`` with as much history as keeps the whole under ``budget`` tokens."""
    empty = build("")
    text = memory.to_prompt(agent, budget - counter.count(empty))
    return build(text) if text else empty
