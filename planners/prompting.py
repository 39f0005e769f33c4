"""Building every role's prompt for a planning context: the one place prompts are assembled.

Used by the LLM planners and by anything that must produce exactly the prompts a planner
would send (distillation data, the context check). It needs no chat-model library.
"""

from __future__ import annotations

from colony.planners.context import PlanningContext
from colony.planners.history import Memory, fit_prompt
from colony.planners.prompts import render, task_prompts
from colony.planners.tokens import TokenCounter

COMPACT_TURN_CHARS = 240  # the compact style shows each dialogue turn cut to this length


class PromptBuilder:
    def __init__(self, task: str, style: str, counter: TokenCounter, token_budget: int | None = None) -> None:
        prompts = task_prompts(task)
        self.task = task
        self.style = style
        self.counter = counter
        style_budget = prompts.compact.token_budget if style == "compact" else prompts.defaults.token_budget
        self.token_budget = token_budget or style_budget

    def _variables(self, context: PlanningContext) -> dict:
        if self.style == "compact":
            return {"state": context.plan_format.compact_state(context.state),
                    "plan_example": context.plan_format.short_example, **context.facts}
        return {"state": context.history_state, "central_state": context.central_state.rstrip("\n"),
                "plan_example": context.plan_example, **context.facts}

    @staticmethod
    def _others(context: PlanningContext, agent: str) -> str:
        lines = "".join(line + "\n" for line in context.observations.values())
        return context.others_text(agent) if context.central_state == lines else context.central_state.rstrip("\n")

    def render(self, role: str, **variables: object) -> str:
        return render(role, task=self.task, style=self.style, **variables)

    def central(self, context: PlanningContext, history: Memory, team: str = "") -> str:
        """The central planner's prompt, with as much history as the budget allows (``team``: the
        organization's briefing, roles and needs)."""
        variables = {**self._variables(context), "team": team}
        return fit_prompt(lambda text: self.render("central", history=text, **variables), history, None,
                          self.token_budget, self.counter)

    def render_with_history(self, role: str, context: PlanningContext, history: Memory, **variables: str) -> str:
        """Another central role's prompt (the hierarchy's ``split``), with as much history as fits."""
        variables = {**self._variables(context), **variables}
        return fit_prompt(lambda text: self.render(role, history=text, **variables), history, None,
                          self.token_budget, self.counter)

    def agent(self, role: str, context: PlanningContext, history: Memory, agent: str, team: str = "",
              **extra: str) -> str:
        """An agent's prompt: ``local`` (DMAS/HMAS-1, with ``dialogue`` and ``initial_plan``) or
        ``feedback`` (HMAS-2, with ``plan`` and ``part``)."""
        if self.style == "compact":
            variables = {**self._variables(context), "agent": agent, "team": team,
                         "view": context.plan_format.agent_view(context.state, agent), **extra}
            if role == "feedback":  # an agent judging the plan sees its own part and its own surroundings only
                return self.render(role, **variables)
        else:
            variables = {**self._variables(context), "agent": agent, "team": team, "own": context.observations[agent],
                         "others": self._others(context, agent), **extra}
        return fit_prompt(lambda text: self.render(role, history=text, **variables), history, agent,
                          self.token_budget, self.counter)

    def shown_turn(self, reply: str) -> str:
        """A reply as later speakers see it: whole in the paper style, at most a short paragraph in the compact one."""
        text = reply.strip()
        if self.style == "compact":
            text = " ".join(text.split())
            return text if len(text) <= COMPACT_TURN_CHARS else text[:COMPACT_TURN_CHARS - 3] + "..."
        return text

    def recent_dialogue(self, entries: list[str], pinned: int = 0) -> str:
        """The newest dialogue entries within the token budget (a long discussion would outgrow
        the model's context); the first ``pinned`` entries (HMAS-1's central proposal) always stay."""
        budget = self.token_budget
        kept: list[str] = []
        for entry in reversed(entries[pinned:]):
            budget -= self.counter.count(entry)
            if budget < 0:
                break
            kept.append(entry)
        omitted = len(entries) - pinned - len(kept)
        head = entries[:pinned] + ([f"({omitted} earlier replies omitted)\n"] if omitted > 0 else [])
        return "".join(head + kept[::-1])
