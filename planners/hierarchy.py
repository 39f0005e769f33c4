"""The HAS-style hierarchy (``planner.organization=hierarchy``, with ``planner.scheme=hmas1``).

HAS (arXiv 2403.08282) plans centrally and executes in groups that re-form per subtask.
Here: every ``planner.regroup_every`` steps (and when a grouped agent dies) the central
planner splits the goal into subtasks and gives every living agent one: a goal of the
chain (those the team has not reached listed first), ``explore`` or ``survive`` (the
``split`` prompt; a reply naming an unknown agent or subtask is fed back and asked again,
as plans are). Agents with the same subtask form a group. Each step every group plans
locally with the HMAS-1 dialogue among its members only, seeded with its subtask, over
the broker (so ``comms.range`` limits who hears whom inside a group); the step's plan is
the union of the groups' plans, each restricted to the group's members. Briefings carry
the role chain's needs and each agent's subtask and group.
"""

from __future__ import annotations

import json

from colony.comms.broker import Broker
from colony.planners.base import Conversation, PlannerFailure, PlanResult
from colony.planners.context import PlanningContext
from colony.planners.history import Memory
from colony.planners.organizations import RoleChain
from colony.planners.prompts import render
from colony.planners.replies import Expect, PlanReply, parse_reply
from colony.planners.schemes import HybridDialoguePlanner

EXPLORE = "explore"
SPECIAL = [EXPLORE, "survive"]


class Hierarchy(RoleChain):
    name = "hierarchy"

    def __init__(self, task: str) -> None:
        super().__init__(task)
        self.assignment: dict[str, str] = {}
        self.assigned_at = -1

    def subtasks(self, context: PlanningContext) -> list[str]:
        """The chain goals no living agent has reached yet, the others (an agent may need wood
        again), then ``explore`` and ``survive`` (drink, eat, sleep, fight)."""
        living = self.living(context)
        reached = set().union(*(context.state.achieved_goals(agent) for agent in living)) if living else set()
        return ([goal for goal in self.chain if goal not in reached] + [goal for goal in self.chain if goal in reached]
                + SPECIAL)

    @staticmethod
    def living(context: PlanningContext) -> list[str]:
        return [a for a in context.agents if context.state.agent_facts(a).get("alive") is not False]

    def needs_regroup(self, context: PlanningContext, every: int) -> bool:
        living = self.living(context)
        return (not self.assignment or context.step - self.assigned_at >= every
                or any(agent not in self.assignment for agent in living))

    def groups(self, context: PlanningContext) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for agent in self.living(context):
            groups.setdefault(self.assignment.get(agent, EXPLORE), []).append(agent)
        return groups

    def read_assignment(self, reply: str, context: PlanningContext) -> dict[str, str] | str:
        """The assignment in ``reply``, or the problems to feed back."""
        parsed = parse_reply(reply, Expect.PLAN)
        if not isinstance(parsed, PlanReply):
            return f"- {getattr(parsed, 'reason', 'the reply held no JSON object')}"
        allowed, living, problems, assignment = self.subtasks(context), self.living(context), [], {}
        for key, value in parsed.plan.items():
            agent = context.state.resolve_agent(str(key))
            if agent not in living:
                problems.append(f"- {key}: not a living agent (living: {', '.join(living)})")
            elif (subtask := "_".join(str(value).lower().split())) not in allowed:  # "collect wood" means collect_wood
                problems.append(f"- {key}: {value!r} is not a subtask; choose from {', '.join(allowed)}")
            else:
                assignment[agent] = subtask
        missing = [agent for agent in living if agent not in assignment]
        if missing and not problems:
            problems.append(f"- no subtask for {', '.join(missing)}; give every living agent one")
        return "\n".join(problems) if problems else assignment

    def central_briefing(self, context: PlanningContext) -> str:
        lines = [super().central_briefing(context)]
        if self.assignment:
            lines += [f"Group {subtask}: {', '.join(members)}." for subtask, members in self.groups(context).items()]
        return "\n".join(lines)

    def agent_briefing(self, context: PlanningContext, agent: str, broker: Broker) -> str:
        text = super().agent_briefing(context, agent, broker)
        subtask = self.assignment.get(agent)
        if subtask:
            members = self.groups(context).get(subtask, [])
            text += f"\nYour group's subtask: {subtask} (group: {', '.join(members)})."
        return text


class HierarchyPlanner(HybridDialoguePlanner):
    """HMAS-1 per group under a central planner that assigns subtasks (see the module docstring)."""

    organization: Hierarchy

    def scheme_plan(self, context: PlanningContext, history: Memory) -> PlanResult:
        calls, dialogue, replans = [], "", 0
        if self.organization.needs_regroup(context, self.config.regroup_every):
            result = self.assign(context, history)
            calls += result.calls
            dialogue += result.dialogue
            replans += result.replans
            if result.failure is not None:
                return PlanResult(None, calls, dialogue, result.failure, result.detail, replans)
        plan: dict[str, str] = {}
        refused = []
        for subtask, members in self.organization.groups(context).items():
            proposal = f"{', '.join(members)} work on {subtask}"
            result, talk, group_calls = self.discuss(context, history, members, f"Central Planner: {proposal}\n",
                                                     proposal)
            calls += group_calls
            dialogue += f"[group {subtask}: {', '.join(members)}]\n{talk}"
            if result is not None and result.plan:
                plan.update({key: value for key, value in result.plan.items() if key in members})
                replans += result.replans
                refused += result.refused
        return PlanResult(plan, calls, dialogue, replans=replans, refused=refused)

    def assign(self, context: PlanningContext, history: Memory) -> PlanResult:
        """The central planner's split, checked and re-asked like a plan."""
        living = self.organization.living(context)
        example = json.dumps({agent: subtask for agent, subtask in zip(living, self.organization.subtasks(context))})
        variables = {"subtasks": ", ".join(self.organization.subtasks(context)), "assignment_example": example,
                     "team": self.organization.central_briefing(context)}
        prompt = self.prompts.render_with_history("split", context, history, **variables)
        conversation = Conversation(self.client, "split", None, [("user", prompt)])
        schema = None
        if self.config.structured_output and self.client.supports_schema:  # decode under the allowed subtasks
            schema = {"type": "object", "additionalProperties": False, "required": living,
                      "properties": {agent: {"enum": self.organization.subtasks(context)} for agent in living}}
        reply = conversation.ask(schema)
        for attempt in range(self.config.max_replans + 1):
            found = self.organization.read_assignment(reply, context)
            if isinstance(found, dict):
                self.organization.assignment, self.organization.assigned_at = found, context.step
                return PlanResult(None, conversation.calls, f"Central Planner (groups): {json.dumps(found)}\n",
                                  replans=attempt)
            if attempt == self.config.max_replans:
                break
            conversation.tell(render("replan", style=self.style, problems=found, plan_example=example))
            reply = conversation.ask(schema)
        return PlanResult(None, conversation.calls, failure=PlannerFailure.NO_VALID_PLAN, replans=self.config.max_replans,
                          detail=f"no valid subtask assignment after {self.config.max_replans} re-prompts: {found[:300]}")
