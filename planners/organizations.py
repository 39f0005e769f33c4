"""Team organizations beside the four schemes (``planner.organization``).

* ``none``: the schemes as the paper runs them.
* ``role_chain`` (DAMCS): the agents form a chain. ``agent0`` makes the tools, the middle
  agents are helpers who feed ``agent0`` and their predecessor, the last agent seeks the
  diamond. Every step each living agent that lacks something for its next goal of the
  chain sends a ``help`` message ("need your help", with the collaboration block) through
  the broker to the agents that serve it, so comms faults and range limits apply; each
  agent's prompt shows its role and the requests that reached it, the central planner's
  every role and every need.
* ``hierarchy`` (HAS): see :mod:`colony.planners.hierarchy`; its briefings are the
  role chain's needs plus each agent's subtask and group.

The chain is the task's declared goal chain (``memory.long_term`` in ``task.yaml``, with
``memory.per_agent``), and what an agent lacks comes from the recipe table
(``TaskState.missing_prerequisites``), so an organization needs no task-specific code.
"""

from __future__ import annotations

from colony.comms.broker import Broker
from colony.comms.messages import Collaboration, MessageKind, make_message
from colony.envs.registry import task_spec
from colony.envs.state import TaskState
from colony.planners.context import PlanningContext

ORGANIZATIONS = ("none", "role_chain", "hierarchy")


class Organization:
    """No organization: empty briefings, no messages."""

    name = "none"

    def start_step(self, context: PlanningContext, broker: Broker) -> None:
        """Send the step's organizational messages (before anybody plans)."""

    def central_briefing(self, context: PlanningContext) -> str:
        return ""

    def agent_briefing(self, context: PlanningContext, agent: str, broker: Broker) -> str:
        return ""


class RoleChain(Organization):
    name = "role_chain"

    def __init__(self, task: str) -> None:
        memory = task_spec(task).declaration.memory
        if not (memory.per_agent and memory.long_term):
            raise ValueError(f"planner.organization: {self.name} needs a task whose task.yaml declares a per-agent goal "
                             f"chain (memory.per_agent and memory.long_term), such as crafter; {task} has none")
        self.chain = list(memory.long_term)
        self._heard: dict[str, list[str]] = {}
        self._step = -1

    # --- the chain -------------------------------------------------------------------------
    def role(self, agents: list[str], agent: str) -> str:
        index, last = agents.index(agent), agents[-1]
        if len(agents) == 1:
            return f"{agent} works alone: it follows the whole chain to the diamond."
        if index == 0:
            return (f"{agent} is the tool maker: it follows the chain up to the iron pickaxe, takes what its helpers "
                    f"bring, and hands its pickaxes on to {last}, the diamond seeker.")
        if index == len(agents) - 1:
            return f"{agent} is the diamond seeker: it explores for diamonds and gets an iron pickaxe to mine one."
        served = agents[0] if index == 1 else f"{agents[0]} and {agents[index - 1]}"
        return (f"{agent} is a helper: it gathers what {served} still lack and hands it over (go to agent <k>, "
                "then share <item> with agent <k>).")

    @staticmethod
    def helpers_of(agents: list[str], agent: str) -> list[str]:
        """Who receives ``agent``'s requests: the tool maker's go to every helper (to the seeker when
        there is no helper), a helper's to the next helper; the seeker asks nobody."""
        index, count = agents.index(agent), len(agents)
        if index == 0:
            return agents[1:count - 1] or agents[1:]
        return [agents[index + 1]] if index + 1 < count - 1 else []

    def need(self, state: TaskState, agent: str) -> tuple[str, list[str]] | None:
        """The agent's next goal of the chain and what it lacks for it, when it lacks something."""
        reached = state.achieved_goals(agent)
        goal = next((name for name in self.chain if name not in reached), None)
        missing = state.missing_prerequisites(agent, goal) if goal else []
        return (goal, missing) if missing else None

    # --- the step's messages and briefings ---------------------------------------------------
    def start_step(self, context: PlanningContext, broker: Broker) -> None:
        self._heard, self._step = {}, context.step
        for agent in context.agents:
            if context.state.agent_facts(agent).get("alive") is False:
                continue
            need = self.need(context.state, agent)
            recipients = self.helpers_of(context.agents, agent)
            if need and recipients:
                goal, missing = need
                broker.send(make_message(sender=agent, recipients=tuple(recipients), step=context.step,
                                         kind=MessageKind.HELP, text=f"need your help: {goal} needs {', '.join(missing)}",
                                         collaboration=Collaboration(target_need=", ".join(missing))))

    def central_briefing(self, context: PlanningContext) -> str:
        lines = [self.role(context.agents, agent) for agent in context.agents]
        for agent in context.agents:
            if need := self.need(context.state, agent):
                lines.append(f"{agent} needs {', '.join(need[1])} for {need[0]}.")
        return "\n".join(lines)

    def agent_briefing(self, context: PlanningContext, agent: str, broker: Broker) -> str:
        if agent not in self._heard:  # an agent may be asked several times a step; it reads its mail once
            self._heard[agent] = [m.to_prompt().strip() for m in broker.take(agent, {MessageKind.HELP})]
        lines = [self.role(context.agents, agent)]
        lines += [f"Need your help from {line}" for line in self._heard[agent]]
        return "\n".join(lines)


def make_organization(name: str, task: str) -> Organization:
    if name == "none":
        return Organization()
    if name == "role_chain":
        return RoleChain(task)
    if name == "hierarchy":
        from colony.planners.hierarchy import Hierarchy

        return Hierarchy(task)
    raise ValueError(f"planner.organization: unknown {name!r}; allowed: {', '.join(ORGANIZATIONS)}")
