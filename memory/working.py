"""Working memory: a knowledge graph summarised per goal, rendered as prompt text within a budget.

The summary (DAMCS's working memory) holds, for one owner: the long-term goals done and
the next one; the current goal with its efforts so far, its last result and the
prerequisites still missing; the other goals' efforts (done, switched and why); and the
latest events. :meth:`WorkingMemory.to_prompt` renders the most important lines first and
stops before the token budget is exceeded, so the text never outgrows its budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from colony.memory.graph import GoalStatus, KnowledgeGraph
from colony.planners.tokens import TokenCounter


@dataclass
class GoalEfforts:
    name: str
    status: str
    steps: int
    first_step: int
    last_step: int
    reason: str = ""
    last_result: str = ""

    def to_text(self) -> str:
        span = f"step {self.first_step}" if self.first_step == self.last_step else f"steps {self.first_step}-{self.last_step}"
        text = f"{self.name}: {self.status}, {self.steps} step(s) of effort ({span})"
        if self.reason:
            text += f"; {self.reason}"
        if self.last_result and self.status != GoalStatus.DONE:
            text += f"; last result: {self.last_result}"
        return text


@dataclass
class WorkingMemory:
    owner: str
    time: int
    done_long_term: list[tuple[str, int]] = field(default_factory=list)
    next_long_term: str | None = None
    current: GoalEfforts | None = None
    missing: list[str] = field(default_factory=list)
    efforts: list[GoalEfforts] = field(default_factory=list)  # the other goals, most recent first
    events: list[tuple[int, str]] = field(default_factory=list)  # newest first

    @classmethod
    def from_graph(cls, memory: KnowledgeGraph, events: int = 8) -> WorkingMemory:
        steps = memory.steps()
        efforts = []
        for data in memory.goals():
            mine = memory.steps_of(data["name"])
            if not mine and data["status"] != GoalStatus.DONE:
                continue  # a goal of an earlier episode
            efforts.append(GoalEfforts(data["name"], data["status"], len(mine),
                                       mine[0]["time"] if mine else data["first_step"],
                                       max([step["time"] for step in mine[-1:]] + [data["done_step"] or 0]),
                                       data.get("reason", ""), mine[-1].get("result", "") if mine else ""))
        efforts.sort(key=lambda effort: effort.last_step, reverse=True)
        current = next((e for e in efforts if memory.current and e.name == memory.graph.nodes[memory.current]["name"]),
                       None)
        latest = steps[-1] if steps else {}
        summary = cls(memory.owner, latest.get("time", 0),
                      [(d["name"], d["done_step"]) for d in memory.long_term() if d["status"] == GoalStatus.DONE],
                      memory.next_long_term(), current, list(latest.get("missing", [])) if current else [],
                      [e for e in efforts if e is not current])
        for step in reversed(steps):
            for event in step.get("events", []):
                if len(summary.events) < events:
                    summary.events.append((step["time"], event))
        return summary

    def lines(self) -> list[str]:
        """Every line, most important first."""
        lines = [f"Memory of {self.owner} (up to step {self.time}):"]
        if self.done_long_term or self.next_long_term:
            done = ", ".join(f"{name} (step {when})" for name, when in self.done_long_term) or "none yet"
            lines.append(f"Long-term goals done: {done}; next: {self.next_long_term or 'all done'}.")
        if self.current:
            lines.append(f"Current goal: {self.current.to_text()}.")
            if self.missing:
                lines.append(f"Still missing for it: {', '.join(self.missing)}.")
        lines += [f"Efforts: {effort.to_text()}." for effort in self.efforts]
        lines += [f"Event at step {time}: {text}" for time, text in self.events]
        return lines

    def to_prompt(self, counter: TokenCounter, budget: int) -> str:
        """The lines, most important first, as many as fit in ``budget`` tokens (never more)."""
        text = ""
        for line in self.lines():
            candidate = text + line + "\n"
            if counter.count(candidate) > budget:
                break
            text = candidate
        return text
