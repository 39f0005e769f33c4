"""The teacher: labels every planning call with what the greedy expert would have said.

:class:`TeacherChatModel` stands where a chat model stands (``ChatClient`` passes it the
planning context, the role and the asking agent, as it does the oracle). For every call of a
planning role it records one training example - the conversation so far and the expert's
reply - and answers either with that label (expert-driven data) or with a student model's
own reply (on-policy data, DAgger: the student decides where the episode goes, the expert
says what it should have done in every state reached that way).

The labels, per role:

* ``central`` (CMAS, HMAS-2 and HMAS-1 central planner, and its re-plans after a refused
  entry or objections): the expert's plan as JSON;
* ``feedback`` (an HMAS-2 agent judging the central plan): ``I Agree`` when the plan gives
  the agent what the expert's plan gives it, else an objection naming the expert's action;
* ``local`` (a DMAS or HMAS-1 speaker): ``EXECUTE`` and the expert's plan.

The expert always knows the plan, so it never says PROCEED; a student that does is
relabelled with EXECUTE. Labels are written for the compact prompt style.
"""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from colony.planners.local_model import chat_dicts
from colony.planners.oracle import OracleChatModel

LABELLED_ROLES = ("central", "feedback", "local")
AGREE = "I Agree"
_PART = re.compile(r"^The central plan for you: (?P<part>.*)\.$", re.MULTILINE)


def objection(agent: str, expert_part: str) -> str:
    return f"I object: {agent} should do {expert_part} instead."


class TeacherChatModel(BaseChatModel):
    """Expert labels for every planning call; ``student`` (a chat model) acts when given."""

    task: str
    wants_planning_context: bool = True
    student: Any = None
    examples: list[dict[str, Any]] = []
    _oracle: OracleChatModel = PrivateAttr(default=None)

    def model_post_init(self, context: Any) -> None:
        self._oracle = OracleChatModel(task=self.task)
        self.examples = []

    @property
    def _llm_type(self) -> str:
        return "teacher"

    def label(self, messages: list[BaseMessage], context: Any, role: str, agent: str | None) -> str:
        plan = self._oracle.plan_text(context)
        if role == "local":
            return "EXECUTE\n" + plan
        if role == "feedback":
            shown = _PART.search(str(messages[-1].content))
            if shown is None:
                raise ValueError("the teacher labels compact-style feedback prompts ('The central plan for you: ...')")
            expert = context.plan_format.part_for(context.state, json.loads(plan), agent)
            return AGREE if shown.group("part") == expert else objection(agent, expert)
        return plan

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, planning_context: Any = None,
                  role: str | None = None, agent: str | None = None, **kwargs: Any) -> ChatResult:
        if planning_context is None:
            raise ValueError("the teacher answers planners only: it needs the planning context (ChatClient passes it)")
        if role not in LABELLED_ROLES:  # summaries and the like: the oracle's canned answer, not a training example
            return self._oracle._generate(messages, planning_context=planning_context, role=role)
        label = self.label(messages, planning_context, role, agent)
        self.examples.append({"messages": chat_dicts(messages),
                              "reply": label, "role": role, "step": planning_context.step})
        if self.student is None:
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=label))])
        return self.student._generate(messages, stop=stop)
