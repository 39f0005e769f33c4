"""Episode history for prompts: the seam every memory implements, and the paper's four variants.

The seam is two calls: ``record(step)`` after every step, and ``to_prompt(agent, budget)``
when a prompt is built, returning the text to show ``agent`` (``None`` for the central
planner) within ``budget`` tokens. Each agent can therefore have its own view; the
paper's variants (:class:`History`) show every agent the same one.

:class:`History` keeps one :class:`HistoryStep` per step and returns the newest steps that
fit, shown oldest-first, as the reference does. ``none`` shows nothing, ``state_action``
the states and plans, ``all_dialogue`` adds each step's dialogue, ``compressed`` an LLM
summary of it (``wants_summary``: the episode loop asks the planner for one per step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from colony.planners.prompts import render
from colony.planners.tokens import TokenCounter


@dataclass
class HistoryStep:
    state: str  # the compact state at the start of the step
    action: str  # the executed plan as JSON
    feedback: str = ""
    dialogue: str = ""
    summary: str = ""

    def to_prompt(self, index: int, mode: str, with_feedback: bool) -> str:
        return render("history_step", index=index, step=self, mode=mode, with_feedback=with_feedback) + "\n"


class Memory(Protocol):
    """What planners need from a history or memory."""

    wants_summary: bool  # True when each step's dialogue should be summarised before ``record``

    def record(self, step: HistoryStep) -> None: ...

    def to_prompt(self, agent: str | None, budget: int) -> str: ...


class History:
    """The paper's history variants, one shared view for all agents."""

    def __init__(self, mode: str, counter: TokenCounter, with_feedback: bool) -> None:
        self.mode = mode
        self.counter = counter
        self.with_feedback = with_feedback
        self.wants_summary = mode == "compressed"
        self.steps: list[HistoryStep] = []
        self._blocks: dict[int, tuple[str, int]] = {}

    def record(self, step: HistoryStep) -> None:
        self.steps.append(step)

    def _block(self, index: int) -> tuple[str, int]:
        if index not in self._blocks:
            text = self.steps[index].to_prompt(index + 1, self.mode, self.with_feedback)
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
