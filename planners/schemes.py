"""The four coordination schemes of Chen et al. (2023), written once for every task.

* CMAS: one central planner returns the joint plan.
* HMAS-2: the central plan goes to every agent it names; each answers ``I Agree`` or an
  objection; objections go back to the central planner, which re-plans (``feedback_rounds``).
* DMAS: agents speak in the task's fixed order, each seeing the dialogue so far; a reply
  ending in ``EXECUTE`` + JSON ends the discussion with that plan; ``PROCEED`` passes the
  word on. At most ``dialogue_rounds`` rounds; nobody executing means an empty plan.
* HMAS-1: the central planner proposes; only the agents its plan names discuss it as in
  DMAS, the dialogue seeded with the central plan; if nobody executes, the central plan stands.

Every plan, whoever wrote it, passes the check-and-replan loop (:func:`settle_plan`).
"""

from __future__ import annotations

from abc import abstractmethod

from colony.comms.broker import Broker
from colony.comms.messages import CENTRAL, MAX_TEXT, Message, MessageKind, make_message
from colony.planners.base import Conversation, PlanResult, Planner, plan_json, settle_plan
from colony.planners.context import PlanningContext
from colony.planners.client import ChatClient, LLMCall
from colony.planners.config import PlannerConfig
from colony.planners.history import Memory
from colony.planners.organizations import make_organization
from colony.planners.prompting import PromptBuilder
from colony.planners.prompts import render, task_prompts
from colony.planners.replies import Agree, Execute, Expect, Unreadable, parse_reply


DIALOGUE_KINDS = {MessageKind.DIALOGUE, MessageKind.PLAN}


class LLMPlanner(Planner):
    def __init__(self, client: ChatClient, config: PlannerConfig, task: str, broker: Broker | None = None) -> None:
        self.client = client
        self.broker = broker or Broker(counter=client.counter)  # every word between agents travels through it
        self.config = config
        self.task = task
        self.style = config.prompt_style
        self.feedback_rounds = config.feedback_rounds or task_prompts(task).defaults.feedback_rounds
        self.prompts = PromptBuilder(task, self.style, client.counter, config.token_budget)
        self.token_budget = self.prompts.token_budget
        self.label = f"{config.scheme} via {client.label}"
        self.organization = make_organization(config.organization, task)

    def call_log(self) -> list[LLMCall]:
        return self.client.log

    def start_episode(self, seed: int | None) -> None:
        self.broker.reset(seed)

    def plan(self, context: PlanningContext, history: Memory) -> PlanResult:
        self.client.context = context  # for scripted models that answer from the state (the oracle)
        self.broker.begin_step(context.step, context.state)
        mark = len(self.broker.log)
        self.organization.start_step(context, self.broker)
        result = self.scheme_plan(context, history)
        result.messages = self.broker.since(mark)
        return result

    def say(self, sender: str, recipients: list[str], step: int, kind: MessageKind, text: str) -> Message | None:
        """Send ``text`` through the broker (cut to the message limit; an empty reply is sent as such);
        None when there is nobody to tell."""
        if not recipients:
            return None
        message = make_message(sender=sender, recipients=tuple(recipients), step=step, kind=kind,
                               text=text.strip()[:MAX_TEXT] or "(empty reply)")
        self.broker.send(message)
        return message

    @abstractmethod
    def scheme_plan(self, context: PlanningContext, history: Memory) -> PlanResult:
        """The scheme's protocol for one step."""

    # --- prompts -------------------------------------------------------------------------
    def _schema(self, context: PlanningContext) -> dict | None:
        return context.plan_schema if self.config.structured_output and self.client.supports_schema else None

    def central_prompt(self, context: PlanningContext, history: Memory) -> str:
        return self.prompts.central(context, history, team=self.organization.central_briefing(context))

    def agent_prompt(self, role: str, context: PlanningContext, history: Memory, agent: str, **extra: str) -> str:
        team = self.organization.agent_briefing(context, agent, self.broker)
        return self.prompts.agent(role, context, history, agent, team=team, **extra)

    # --- shared steps --------------------------------------------------------------------
    def central_plan(self, context: PlanningContext, history: Memory) -> tuple[Conversation, PlanResult]:
        conversation = Conversation(self.client, "central", None, [("user", self.central_prompt(context, history))])
        reply = conversation.ask(self._schema(context))
        return conversation, settle_plan(conversation, context, reply, self.config.max_replans, schema=self._schema(context),
                                         style=self.style)

    def discuss(self, context: PlanningContext, history: Memory, speakers: list[str], dialogue: str,
                initial_plan: str) -> tuple[PlanResult | None, str, list[LLMCall]]:
        """DMAS rounds; the first EXECUTE ends the discussion with its (checked) plan.

        Every turn (and HMAS-1's central proposal) travels through the broker: each speaker sees
        the turns that reached it, and its own. The plan an agent EXECUTEs is the step's plan, as
        in the paper, whoever heard it."""
        calls: list[LLMCall] = []
        heard: dict[str, list[str]] = {agent: [] for agent in speakers}
        proposal = self.say(CENTRAL, speakers, context.step, MessageKind.PLAN, initial_plan) if dialogue else None
        for _ in range(self.config.dialogue_rounds):
            for agent in speakers:
                heard[agent] += [message.to_prompt() for message in self.broker.take(agent, DIALOGUE_KINDS)]
                pinned = 1 if self.broker.delivered(proposal, agent) else 0
                shown = self.prompts.recent_dialogue(heard[agent], pinned=pinned)
                prompt = self.agent_prompt("local", context, history, agent, dialogue=shown or "(none yet)",
                                           initial_plan=initial_plan)
                conversation = Conversation(self.client, "local", agent, [("user", prompt)])
                reply = conversation.ask()
                turn = self.prompts.shown_turn(reply)
                heard[agent].append(f"{agent}: {turn}\n")
                if len(speakers) > 1:
                    self.say(agent, [other for other in speakers if other != agent], context.step, MessageKind.DIALOGUE,
                             turn)
                dialogue += f"{agent}: {reply.strip()}\n"
                turn = parse_reply(reply, Expect.TURN)
                if isinstance(turn, Execute) or (isinstance(turn, Unreadable) and turn.intent == "execute"):
                    result = settle_plan(conversation, context, reply, self.config.max_replans, expected=Expect.TURN,
                                         style=self.style)
                    calls += result.calls
                    return result, dialogue, calls
                calls += conversation.calls
        return None, dialogue, calls

    def summarise(self, dialogue: str) -> tuple[str, LLMCall | None]:
        if not dialogue.strip():
            return "", None
        call = self.client.ask([("user", render("summarise", style=self.style, text=dialogue))], role="summarise")
        return call.response.strip(), call


class CentralPlanner(LLMPlanner):
    """CMAS."""

    def scheme_plan(self, context: PlanningContext, history: Memory) -> PlanResult:
        return self.central_plan(context, history)[1]


class CentralWithFeedbackPlanner(LLMPlanner):
    """HMAS-2."""

    def scheme_plan(self, context: PlanningContext, history: Memory) -> PlanResult:
        conversation, result = self.central_plan(context, history)
        if result.plan is None:
            return result
        dialogue = f"Central Planner: {plan_json(result.plan)}\n"
        calls, replans, refused_before = list(result.calls), result.replans, []
        for _ in range(self.feedback_rounds):
            objections = []
            named = context.plan_agents(result.plan)
            proposal = self.say(CENTRAL, named, context.step, MessageKind.PLAN, plan_json(result.plan))
            for agent in named:
                if not self.broker.delivered(proposal, agent):
                    continue  # it never saw the plan, so it says nothing about it
                prompt = self.agent_prompt("feedback", context, history, agent, plan=plan_json(result.plan),
                                           part=context.plan_format.part_for(context.state, result.plan, agent))
                call = self.client.ask([("user", prompt)], role="feedback", agent=agent)
                calls.append(call)
                dialogue += f"{agent}: {call.response.strip()}\n"
                verdict = self.say(agent, [CENTRAL], context.step, MessageKind.VERDICT, call.response)
                if not isinstance(parse_reply(call.response, Expect.VERDICT), Agree) \
                        and self.broker.delivered(verdict, CENTRAL):
                    objections.append(f"{agent}: {call.response.strip()}")
            if not objections:
                break
            conversation.calls = []
            conversation.tell(render("objections", style=self.style, objections="\n".join(objections),
                                     plan_example=context.plan_example))
            reply = conversation.ask(self._schema(context))
            refused_before = refused_before + result.refused
            result = settle_plan(conversation, context, reply, self.config.max_replans, schema=self._schema(context),
                                 style=self.style)
            calls += result.calls
            replans += result.replans
            if result.plan is None:
                return PlanResult(None, calls, dialogue, result.failure, result.detail, replans,
                                  refused_before + result.refused)
            dialogue += f"Central Planner: {plan_json(result.plan)}\n"
        return PlanResult(result.plan, calls, dialogue, replans=replans, refused=refused_before + result.refused)


class DecentralizedPlanner(LLMPlanner):
    """DMAS."""

    def scheme_plan(self, context: PlanningContext, history: Memory) -> PlanResult:
        result, dialogue, calls = self.discuss(context, history, context.agents, "", "")
        if result is None:
            return PlanResult({}, calls, dialogue, detail="no agent said EXECUTE; empty plan")
        result.calls, result.dialogue = calls, dialogue
        return result


class HybridDialoguePlanner(LLMPlanner):
    """HMAS-1."""

    def scheme_plan(self, context: PlanningContext, history: Memory) -> PlanResult:
        _, central = self.central_plan(context, history)
        if central.plan is None:
            return central
        speakers = context.plan_agents(central.plan)
        proposal = plan_json(central.plan)
        result, dialogue, calls = self.discuss(context, history, speakers, f"Central Planner: {proposal}\n", proposal)
        calls = central.calls + calls
        if result is None:
            return PlanResult(central.plan, calls, dialogue, replans=central.replans,
                              detail="no agent said EXECUTE; the central plan stands", refused=central.refused)
        result.calls, result.dialogue = calls, dialogue
        result.replans += central.replans
        result.refused = central.refused + result.refused
        return result


SCHEMES = {"cmas": CentralPlanner, "hmas2": CentralWithFeedbackPlanner, "dmas": DecentralizedPlanner,
           "hmas1": HybridDialoguePlanner}
