"""The four schemes' protocols on every task, driven by scripted chat models (no LLM involved)."""

import json
import re

import pytest

from colony.planners.base import PlannerFailure
from colony.planners.client import ChatClient
from colony.planners.config import PlannerConfig
from colony.planners.history import History
from colony.planners.schemes import SCHEMES
from colony.planners.scripted import ScriptedChatModel
from colony.planners.tokens import gpt4_counter
from task_cases import CASES

TASKS = list(CASES)


def speaker(prompt):
    return re.search(r"^You are (?!a |an )(.+)\.$", prompt, re.MULTILINE).group(1)


def planner(task, scheme, replies=None, respond=None, **config):
    model = ScriptedChatModel(replies=replies or [], respond=respond)
    client = ChatClient(model, label="scripted", counter=gpt4_counter(), retries=2, backoff_s=0,
                        schema_binding=lambda schema: {"json_schema": schema})
    return SCHEMES[scheme](client, PlannerConfig(scheme=scheme, **config), task), model


def no_history():
    return History("state_action", gpt4_counter(), False)


@pytest.mark.parametrize("task", TASKS)
def test_cmas_asks_the_central_planner_once_with_the_state_and_a_schema(task):
    case = CASES[task]
    _, context = case.context()
    cmas, model = planner(task, "cmas", [case.good_json])
    result = cmas.plan(context, no_history())
    assert result.plan == case.good and len(model.requests) == 1
    prompt = model.requests[0].prompt
    assert "central planner" in prompt and context.central_state.strip() in prompt
    schema = model.requests[0].options["json_schema"]
    assert schema == context.plan_schema and schema["additionalProperties"] is False
    assert schema["properties"] and set(schema["properties"]) <= set(context.plan_format.keys(context.state))


def test_structured_output_can_be_switched_off():
    _, context = CASES["boxnet1"].context()
    cmas, model = planner("boxnet1", "cmas", [CASES["boxnet1"].good_json], structured_output=False)
    cmas.plan(context, no_history())
    assert "json_schema" not in model.requests[0].options


@pytest.mark.parametrize("task", TASKS)
def test_replan_after_invalid_json_unknown_key_and_illegal_action(task):
    case = CASES[task]
    _, context = case.context()
    replies = ["Let me think... no JSON today", json.dumps(case.unknown), json.dumps(case.illegal), case.good_json]
    cmas, model = planner(task, "cmas", replies)
    result = cmas.plan(context, no_history())
    assert result.plan == case.good and result.replans == 3
    feedback = [request.prompt for request in model.requests[1:]]
    assert "no JSON object was found" in feedback[0]
    assert next(iter(case.unknown)) in feedback[1] and "unknown_key" in feedback[1]
    assert case.illegal_message in feedback[2]
    assert all("Please replan for all the agents again with the same output format" in text for text in feedback)
    # the whole failed exchange stays in the conversation
    assert [role for role, _ in model.requests[3].messages] == ["system", "human", "ai", "human", "ai", "human", "ai", "human"]


@pytest.mark.parametrize("task", TASKS)
def test_the_same_key_twice_is_refused_as_a_conflict_and_replanned(task):
    case = CASES[task]
    _, context = case.context()
    key, value = next(iter(case.good.items()))
    twice = "{" + f"{json.dumps(key)}: {json.dumps(value)}, {json.dumps(key)}: {json.dumps(value)}" + "}"
    cmas, model = planner(task, "cmas", [twice, case.good_json])
    result = cmas.plan(context, no_history())
    assert result.plan == case.good and result.replans == 1
    assert f"{key}: {value!r} refused (conflict): {key} appears more than once" in model.requests[1].prompt


def test_replan_limit_ends_with_a_typed_failure():
    _, context = CASES["boxnet1"].context()
    cmas, model = planner("boxnet1", "cmas", ["nonsense"], max_replans=2)
    result = cmas.plan(context, no_history())
    assert result.plan is None and result.failure is PlannerFailure.NO_VALID_PLAN and len(model.requests) == 3
    assert "no valid plan after 2 re-prompts" in result.detail


@pytest.mark.parametrize("task", TASKS)
def test_dmas_speaks_in_canonical_order_and_the_first_execute_ends_the_discussion(task):
    case = CASES[task]
    _, context = case.context()
    last = context.agents[-1]

    def respond(request):
        who = speaker(request.prompt)
        return f"EXECUTE\n{case.good_json}" if who == last else f"I am {who}. PROCEED"

    dmas, model = planner(task, "dmas", respond=respond)
    result = dmas.plan(context, no_history())
    speakers = [speaker(r.prompt) for r in model.requests]
    assert speakers == context.agents and result.plan == case.good
    if len(context.agents) > 1:
        first = context.agents[0]
        assert f"{first}: I am {first}. PROCEED" in model.requests[1].prompt  # the dialogue reaches later speakers
    assert "[Action Output Instruction]" in model.requests[0].prompt


def test_execute_without_a_plan_is_fed_back_as_such():
    case = CASES["boxnet1"]
    _, context = case.context()
    dmas, model = planner("boxnet1", "dmas", ["EXECUTE", case.good_json])
    result = dmas.plan(context, no_history())
    assert result.plan == case.good and result.replans == 1
    assert "EXECUTE must be followed by the JSON plan" in model.requests[1].prompt


def test_dmas_without_execute_gives_an_empty_plan_after_the_round_limit():
    _, context = CASES["boxnet1"].context()
    dmas, model = planner("boxnet1", "dmas", ["PROCEED"], dialogue_rounds=2)
    result = dmas.plan(context, no_history())
    assert result.plan == {} and len(model.requests) == 2 * 4 and "no agent said EXECUTE" in result.detail


@pytest.mark.parametrize("task", TASKS)
def test_hmas1_lets_only_the_named_agents_discuss_and_keeps_the_central_plan(task):
    case = CASES[task]
    _, context = case.context()
    hmas1, model = planner(task, "hmas1", [case.good_json, "Looks fine. PROCEED"], dialogue_rounds=3)
    result = hmas1.plan(context, no_history())
    assert result.plan == case.good
    local = model.requests[1:]
    assert len(local) == 3 and all(speaker(r.prompt) == case.actor for r in local)
    assert f"The initial plan is: {case.good_json}" in local[0].prompt
    assert f"Central Planner: {case.good_json}" in local[0].prompt


@pytest.mark.parametrize("task", TASKS)
def test_hmas2_objection_triggers_a_replan_that_sees_the_objection(task):
    case = CASES[task]
    _, context = case.context()
    first = json.dumps(case.good)
    objection = "I can't say I agree: check the plan once more."
    hmas2, model = planner(task, "hmas2", [first, objection, case.good_json, "I Agree"], feedback_rounds=2)
    result = hmas2.plan(context, no_history())
    assert result.plan == case.good and len(model.requests) == 4
    assert "The central planner's current action plan is" in model.requests[1].prompt
    replan = model.requests[2].prompt
    assert f"{case.actor}: {objection}" in replan and "feedback from local agents" in replan


def test_hmas2_agreement_ends_the_round_and_rounds_are_limited():
    case = CASES["boxnet1"]
    _, context = case.context()
    hmas2, model = planner("boxnet1", "hmas2", [case.good_json, "I Agree"], feedback_rounds=3)
    assert hmas2.plan(context, no_history()).plan == case.good and len(model.requests) == 2
    hmas2, model = planner("boxnet1", "hmas2", feedback_rounds=3,
                           respond=lambda r: "No." if "I Agree" in r.prompt else case.good_json)
    result = hmas2.plan(context, no_history())
    roles = ["central" if "You are a central planner" in r.messages[1][1] else "agent" for r in model.requests]
    assert roles == ["central", "agent", "central", "agent", "central", "agent", "central"]
    assert result.plan == case.good


def test_a_long_discussion_is_shown_newest_first_within_the_budget():
    _, context = CASES["boxnet1"].context()
    dmas, model = planner("boxnet1", "dmas", ["word " * 300 + "PROCEED"], dialogue_rounds=3, token_budget=1000)
    dmas.plan(context, no_history())
    last = model.requests[-1].prompt
    assert "earlier replies omitted" in last and 1 <= last.count("word PROCEED") <= 3  # 11 replies so far
    assert f"{context.agents[2]}: word" in last  # the newest reply (the speaker before the last) is shown
