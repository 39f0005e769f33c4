"""The knowledge-graph memory behind ``planner.history=memory``: the planners' history seam
(``record`` / ``to_prompt``) over one :class:`KnowledgeGraph` per agent (tasks whose
``task.yaml`` says ``memory.per_agent``, Crafter) or one for the team (the robot tasks:
goals are the boxes, steps are the plans and their feedback).

Each recorded step adds a step node to every graph it concerns, under the goal the task's
``memory.goal_of_entry`` patterns read from the plan entry (an entry that names no goal
keeps the owner's current one), with the facts the state gives (Crafter: inventory,
position) and the prerequisites still missing; the step's achievements and events, read
with ``memory.goal_done``, mark goals done. An agent's prompt shows its own working
memory; the central planner's shows every agent's, the budget shared between them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from colony.envs.registry import task_spec
from colony.envs.rules import MemoryDeclaration
from colony.memory.graph import KnowledgeGraph
from colony.memory.working import WorkingMemory
from colony.planners.history import HistoryStep
from colony.planners.tokens import TokenCounter

TEAM = "team"


class GraphMemory:
    wants_summary = False

    def __init__(self, task: str, counter: TokenCounter, graphs: dict[str, KnowledgeGraph] | None = None) -> None:
        spec = task_spec(task)
        self.task = spec.name
        self.rules: MemoryDeclaration = spec.declaration.memory
        self.long_term = list(self.rules.long_term) or [spec.declaration.goal]
        self.counter = counter
        self.graphs: dict[str, KnowledgeGraph] = graphs or {}
        self._last: dict[str, tuple[str, str]] = {}  # owner -> (last action, its result)

    # --- the history seam --------------------------------------------------------------------
    def graph(self, owner: str) -> KnowledgeGraph:
        if owner not in self.graphs:
            self.graphs[owner] = KnowledgeGraph(owner, self.long_term)
        return self.graphs[owner]

    def goal_of(self, key: str, action: str) -> str | None:
        line = f"{key}: {action}"
        for pattern in self.rules.goal_of_entry:
            if found := pattern.read(line):
                return found[0]
        return None

    def record(self, step: HistoryStep) -> None:
        if step.plan is None or step.outcome is None:
            raise ValueError("the knowledge-graph memory needs each step's plan and feedback (HistoryStep.plan/outcome)")
        time, outcome, state = step.outcome.step, step.outcome, step.task_state
        refused = {entry.key: entry.message for entry in outcome.refused}
        if self.rules.per_agent:
            agents = state.agents if state is not None else sorted(step.plan)
            for agent in agents:
                self._record_agent(agent, time, step, refused)
        else:
            self._record_team(time, step)
        for owner, goal in self._done(outcome):
            self.graph(owner).mark_done(goal, time)
        if not self.rules.per_agent and outcome.status.value == "success":
            self.graph(TEAM).mark_done(self.long_term[-1], time)  # the task's goal itself

    def _record_agent(self, agent: str, time: int, step: HistoryStep, refused: dict[str, str]) -> None:
        state, outcome = step.task_state, step.outcome
        facts = state.agent_facts(agent) if state is not None else {}
        if facts.get("alive") is False and agent not in step.plan:
            return
        action = str(step.plan.get(agent, "")) or "nothing"
        memory = self.graph(agent)
        goal = self.goal_of(agent, action) if agent in step.plan else None
        aimed = goal or (memory.graph.nodes[memory.current]["name"] if memory.current else None)
        missing = state.missing_prerequisites(agent, aimed) if state is not None and aimed else []
        events = [event.to_text() for event in outcome.events if getattr(event, "agent", None) == agent]
        events += [line for line in outcome.achieved if line.startswith(f"{agent} ")]
        result = refused.get(agent) or ("; ".join(events) if events else "done" if agent in outcome.accepted else "idle")
        share = re.match(r"share (\w+) with agent\s*(\d+)", action)
        last_action, last_result = self._last.get(agent, ("", ""))
        node = memory.add_step(time, goal, {
            "action": action, "last_action": last_action, "last_result": last_result, **facts,
            "shared": {"item": share.group(1), "recipient": f"agent{share.group(2)}"} if share else None,
            "prerequisites_met": not missing, "missing": missing,
            "goals": [{"goal": d["name"], "status": d["status"], "reason": d.get("reason", "")}
                      for d in memory.goals() if d["status"] in ("active", "switched") and d["last_step"] >= time - 20]})
        memory.set_result(node, result, events)
        self._last[agent] = (action, result)

    def _record_team(self, time: int, step: HistoryStep) -> None:
        memory = self.graph(TEAM)
        goals = [goal for key, action in step.plan.items() if (goal := self.goal_of(key, str(action)))]
        # one step node per step, under the first goal the plan serves; the other goals get an edge to it too
        node = memory.add_step(time, goals[0] if goals else None, {
            "action": json.dumps(step.plan, ensure_ascii=False), "goals_served": sorted(set(goals)),
            "last_action": self._last.get(TEAM, ("", ""))[0], "last_result": self._last.get(TEAM, ("", ""))[1]})
        for goal in dict.fromkeys(goals[1:]):
            memory.attach(goal, node, time)
        result = step.changes or step.feedback or "done"
        memory.set_result(node, result, [event.to_text() for event in step.outcome.events])
        self._last[TEAM] = (memory.graph.nodes[node]["action"], result)

    def _done(self, outcome) -> list[tuple[str, str]]:
        lines = list(outcome.achieved) + [event.to_text() for event in outcome.events]
        found = []
        for line in lines:
            for pattern in self.rules.goal_done:
                if hit := pattern.read(line):
                    goal, owner = hit
                    found.append((owner if self.rules.per_agent and owner else TEAM, goal))
                    break
        return found

    def working(self, owner: str) -> WorkingMemory:
        return WorkingMemory.from_graph(self.graph(owner))

    def to_prompt(self, agent: str | None, budget: int) -> str:
        """``agent``'s working memory (the team's on robot tasks); for the central planner, every agent's."""
        if not self.rules.per_agent:
            return self.working(TEAM).to_prompt(self.counter, budget) if TEAM in self.graphs else ""
        if agent is not None:
            return self.working(agent).to_prompt(self.counter, budget) if agent in self.graphs else ""
        owners = sorted(self.graphs, key=_agent_order)
        if not owners:
            return ""
        share = budget // len(owners)
        return "".join(self.working(owner).to_prompt(self.counter, share) for owner in owners)

    # --- across episodes and files ----------------------------------------------------------
    def start_episode(self) -> None:
        for memory in self.graphs.values():
            memory.start_episode()
        self._last.clear()

    def save(self, folder: Path | str) -> list[Path]:
        folder = Path(folder)
        return [memory.save(folder / f"{owner}.json") for owner, memory in self.graphs.items()]

    @classmethod
    def load(cls, task: str, counter: TokenCounter, folder: Path | str) -> GraphMemory:
        graphs = {path.stem: KnowledgeGraph.load(path) for path in sorted(Path(folder).glob("*.json"))}
        return cls(task, counter, graphs)


def _agent_order(name: str) -> tuple[int, str]:
    digits = re.sub(r"\D", "", name)
    return (int(digits) if digits else 0, name)
