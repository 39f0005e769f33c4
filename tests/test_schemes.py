"""The four schemes' protocols, driven by scripted chat models (no LLM involved)."""

import json
import re

from colony.envs import parallel_env
from colony.envs.boxnet1.world import BoxNet1World
from colony.planners.base import Outcome, PlanningContext
from colony.planners.client import ChatClient
from colony.planners.config import PlannerConfig
from colony.planners.history import History
from colony.planners.schemes import SCHEMES
from colony.planners.scripted import ScriptedChatModel
from colony.planners.tokens import gpt4_counter

A, B, C, D = "Agent[0.5, 0.5]", "Agent[0.5, 1.5]", "Agent[1.5, 0.5]", "Agent[1.5, 1.5]"


def speaker(prompt):
    return re.search(r"You are (Agent\[[^\]]+\])\.", prompt).group(1)
RED_HOME = json.dumps({A: "move(box_red, target_red)"})


def boxnet1_context():
    env = parallel_env("boxnet1", size="2x2")
    world = BoxNet1World(2, 2, {(0, 0): ["box_red", "target_red"], (1, 1): ["box_blue"], (0, 1): ["target_blue"]})
    env.reset(options={"instance": world.to_dict()})
    return env, PlanningContext.from_env(env)


def planner(scheme, replies=None, respond=None, **config):
    model = ScriptedChatModel(replies=replies or [], respond=respond)
    client = ChatClient(model, label="scripted", counter=gpt4_counter(), retries=2, backoff_s=0,
                        schema_binding=lambda schema: {"json_schema": schema})
    return SCHEMES[scheme](client, PlannerConfig(scheme=scheme, **config), "boxnet1"), model


def no_history():
    return History("state_action", 3000, gpt4_counter(), False)


def test_cmas_asks_the_central_planner_once_with_the_state_and_a_schema():
    _, context = boxnet1_context()
    cmas, model = planner("cmas", [RED_HOME])
    result = cmas.plan(context, no_history())
    assert result.plan == {A: "move(box_red, target_red)"} and len(model.requests) == 1
    prompt = model.requests[0].prompt
    assert "You are a central planner" in prompt and "Agent[0.5, 0.5]: I am in square[0.5, 0.5]" in prompt
    schema = model.requests[0].options["json_schema"]
    assert schema["properties"][A]["enum"] == context.legal_actions[A] and schema["additionalProperties"] is False


def test_structured_output_can_be_switched_off():
    _, context = boxnet1_context()
    cmas, model = planner("cmas", [RED_HOME], structured_output=False)
    cmas.plan(context, no_history())
    assert "json_schema" not in model.requests[0].options


def test_replan_after_invalid_json_unknown_agent_and_illegal_action():
    _, context = boxnet1_context()
    replies = ["Let me think... no JSON today",
               json.dumps({"Agent[7.5, 7.5]": "move(box_red, target_red)"}),
               json.dumps({A: "move(box_red, square[1.5, 1.5])"}),
               RED_HOME]
    cmas, model = planner("cmas", replies)
    result = cmas.plan(context, no_history())
    assert result.plan == {A: "move(box_red, target_red)"} and result.replans == 3
    feedback = [request.prompt for request in model.requests[1:]]
    assert "no JSON object was found" in feedback[0]
    assert "Agent[7.5, 7.5]" in feedback[1] and "unknown_key" in feedback[1]
    assert "square[1.5, 1.5] is not a square next to square[0.5, 0.5]" in feedback[2]
    assert all("Please replan for all the agents again with the same output format" in text for text in feedback)
    # the whole failed exchange stays in the conversation
    assert [role for role, _ in model.requests[3].messages] == ["system", "human", "ai", "human", "ai", "human", "ai", "human"]


def test_replan_limit_ends_with_a_typed_failure():
    _, context = boxnet1_context()
    cmas, model = planner("cmas", ["nonsense"], max_replans=2)
    result = cmas.plan(context, no_history())
    assert result.plan is None and result.failure is Outcome.NO_VALID_PLAN and len(model.requests) == 3
    assert "no valid plan after 2 re-prompts" in result.detail


def test_dmas_speaks_in_row_major_order_and_the_first_execute_ends_the_discussion():
    _, context = boxnet1_context()

    def respond(request):
        who = speaker(request.prompt)
        return f"EXECUTE\n{RED_HOME}" if who == C else f"I am {who}. PROCEED"

    dmas, model = planner("dmas", respond=respond)
    result = dmas.plan(context, no_history())
    speakers = [speaker(r.prompt) for r in model.requests]
    assert speakers == [A, B, C] and result.plan == {A: "move(box_red, target_red)"}
    assert f"{A}: I am {A}. PROCEED" in model.requests[2].prompt  # the dialogue reaches later speakers
    assert "[Action Output Instruction]" in model.requests[0].prompt


def test_dmas_without_execute_gives_an_empty_plan_after_the_round_limit():
    _, context = boxnet1_context()
    dmas, model = planner("dmas", ["PROCEED"], dialogue_rounds=2)
    result = dmas.plan(context, no_history())
    assert result.plan == {} and len(model.requests) == 2 * 4 and "no agent said EXECUTE" in result.detail


def test_hmas1_lets_only_the_named_agents_discuss_and_keeps_the_central_plan():
    _, context = boxnet1_context()
    hmas1, model = planner("hmas1", [RED_HOME, "Looks fine. PROCEED"], dialogue_rounds=3)
    result = hmas1.plan(context, no_history())
    assert result.plan == {A: "move(box_red, target_red)"}
    local = model.requests[1:]
    assert len(local) == 3 and all(f"You are {A}." in r.prompt for r in local)
    assert f"The initial plan is: {RED_HOME}" in local[0].prompt and f"Central Planner: {RED_HOME}" in local[0].prompt


def test_hmas2_objection_triggers_a_replan_that_sees_the_objection():
    _, context = boxnet1_context()
    other = json.dumps({A: "move(box_red, square[0.5, 1.5])"})
    hmas2, model = planner("hmas2", [other, "Move the red box onto target_red instead.", RED_HOME])
    result = hmas2.plan(context, no_history())
    assert result.plan == {A: "move(box_red, target_red)"} and len(model.requests) == 3  # BoxNet1: one round
    assert "The central planner's current action plan is" in model.requests[1].prompt
    replan = model.requests[2].prompt
    assert f"{A}: Move the red box onto target_red instead." in replan and "feedback from local agents" in replan


def test_hmas2_agreement_ends_the_round_and_rounds_are_limited():
    _, context = boxnet1_context()
    hmas2, model = planner("hmas2", [RED_HOME, "I Agree"], feedback_rounds=3)
    assert hmas2.plan(context, no_history()).plan == {A: "move(box_red, target_red)"} and len(model.requests) == 2
    hmas2, model = planner("hmas2", respond=lambda r: "No." if "I Agree" in r.prompt else RED_HOME, feedback_rounds=3)
    result = hmas2.plan(context, no_history())
    roles = ["central" if "You are a central planner" in r.messages[1][1] else "agent" for r in model.requests]
    assert roles == ["central", "agent", "central", "agent", "central", "agent", "central"]
    assert result.plan == {A: "move(box_red, target_red)"}


def test_a_long_discussion_is_shown_newest_first_within_the_budget():
    _, context = boxnet1_context()
    dmas, model = planner("dmas", ["word " * 300 + "PROCEED"], dialogue_rounds=3)
    history = History("state_action", 1000, gpt4_counter(), False)
    dmas.plan(context, history)
    last = model.requests[-1].prompt
    assert "earlier replies omitted" in last and 1 <= last.count("word PROCEED") <= 3  # 11 replies so far
    assert f"{C}: word" in last  # the newest reply (the speaker before the last) is shown
