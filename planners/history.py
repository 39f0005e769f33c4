"""Episode history for prompts, in the paper's four variants, kept within a token budget.

Each step leaves a :class:`HistoryStep`. A prompt receives the newest steps that fit:
the prompt is first rendered without history, then steps are added newest-first while
the whole stays under the budget (as the reference does), and shown oldest-first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from colony.planners.prompts import render
from colony.planners.tokens import TokenCounter


@dataclass
class HistoryStep:
    state: str
    action: str  # the executed plan as JSON
    feedback: str = ""
    dialogue: str = ""
    summary: str = ""

    def to_prompt(self, index: int, mode: str, with_feedback: bool) -> str:
        return render("history_step", index=index, step=self, mode=mode, with_feedback=with_feedback) + "\n"


@dataclass
class HistoryFit:
    text: str
    steps_shown: int
    prompt_tokens: int  # of the prompt with this history, by the budget's counter


class History:
    def __init__(self, mode: str, budget: int, counter: TokenCounter, with_feedback: bool) -> None:
        self.mode = mode
        self.budget = budget
        self.counter = counter
        self.with_feedback = with_feedback
        self.steps: list[HistoryStep] = []
        self._block_tokens: dict[int, tuple[str, int]] = {}

    def append(self, step: HistoryStep) -> None:
        self.steps.append(step)

    def _block(self, index: int) -> tuple[str, int]:
        if index not in self._block_tokens:
            text = self.steps[index].to_prompt(index + 1, self.mode, self.with_feedback)
            self._block_tokens[index] = (text, self.counter.count(text))
        return self._block_tokens[index]

    def fit(self, build_prompt: Callable[[str], str]) -> tuple[str, HistoryFit]:
        """The prompt built with as much history as the budget allows (newest first)."""
        if self.mode == "none" or not self.steps:
            prompt = build_prompt("")
            return prompt, HistoryFit("", 0, self.counter.count(prompt))
        used = self.counter.count(build_prompt(""))
        kept: list[str] = []
        for index in range(len(self.steps) - 1, -1, -1):
            text, tokens = self._block(index)
            if used + tokens >= self.budget:
                break
            kept.append(text)
            used += tokens
        history = "".join(reversed(kept))
        return build_prompt(history), HistoryFit(history, len(kept), used)
