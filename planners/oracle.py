"""The oracle backend (``--llm oracle``): a scripted chat model whose replies come from the
task's greedy expert on the current state.

It answers every role the way a perfectly cooperative team would: the expert's plan to a
central planner, ``I Agree`` to an HMAS-2 agent, ``EXECUTE`` and the plan to a DMAS or
HMAS-1 speaker. Driven by any scheme, it measures what the protocol itself costs (calls,
prompt and completion tokens, counted offline with cl100k_base like the paper) with the
planning taken out of the question, and it labels states for distillation. It is not a
language model and every record names it ``oracle``.

The expert needs the state, which a chat model never sees directly: a model that sets
``wants_planning_context`` receives the planner's current :class:`PlanningContext` and the
caller's role from :class:`~colony.planners.client.ChatClient`.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from colony.envs.registry import task_spec

SUMMARY = "The team carried out the plan."


class OracleChatModel(BaseChatModel):
    task: str
    wants_planning_context: bool = True
    _expert: Any = PrivateAttr(default=None)
    _plans: dict[tuple[int, int], str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any) -> None:
        spec = task_spec(self.task)
        if spec.expert is None:
            raise ValueError(f"the oracle needs an expert, and task {self.task!r} declares none")
        self._expert = spec.expert()

    @property
    def _llm_type(self) -> str:
        return "oracle"

    def plan_text(self, context: Any) -> str:
        """The expert's plan for this step as JSON (asked once per step: experts may keep state)."""
        key = (id(context), context.step)
        if key not in self._plans:
            self._plans = {key: json.dumps(self._expert.plan(context), ensure_ascii=False)}
        return self._plans[key]

    def subtasks(self, context: Any) -> dict[str, str]:
        """Each agent's subtask: the chain goal its expert action serves, ``explore``, or ``survive``."""
        memory = task_spec(self.task).declaration.memory
        assignment = {}
        for agent in context.agents:
            if context.state.agent_facts(agent).get("alive") is False:
                continue
            action = json.loads(self.plan_text(context)).get(agent, "explore")
            goal = next((found[0] for p in memory.goal_of_entry if (found := p.read(f"{agent}: {action}"))), "explore")
            assignment[agent] = goal if goal in memory.long_term or goal == "explore" else "survive"
        return assignment

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, planning_context: Any = None,
                  role: str | None = None, **kwargs: Any) -> ChatResult:
        if planning_context is None:
            raise ValueError("the oracle answers planners only: it needs the planning context (ChatClient passes it)")
        if role == "feedback":
            text = "I Agree"
        elif role == "summarise":
            text = SUMMARY
        elif role == "local":
            text = "EXECUTE\n" + self.plan_text(planning_context)
        elif role == "split":  # the hierarchy's subtasks: the goal each agent's expert action serves
            text = json.dumps(self.subtasks(planning_context))
        else:
            text = self.plan_text(planning_context)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
