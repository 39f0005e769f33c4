"""Team organizations on Crafter: the DAMCS role chain and the HAS-style hierarchy."""

import json

import pytest

from colony.planners.config import ConfigError
from colony.planners.run import run_scenario
from colony.planners.scripted import ScriptedChatModel
from planner_helpers import scenario


def steps_of(folder):
    return [json.loads(line) for line in (folder / "steps.jsonl").read_text().splitlines()]


def crafter(tmp_path, agents=3, steps=6, seed=7, **settings):
    return scenario("crafter", tmp_path, **{"size": str(agents), "seed": seed, "step_limit": steps, "llm.spec": "oracle",
                                            **settings})


def prompts(step, role=None, agent=None):
    return [call["messages"][-1]["content"] for call in step["calls"]
            if (role is None or call["role"] == role) and (agent is None or call["agent"] == agent)]


def test_the_role_chain_gives_roles_and_carries_help_requests_over_comms(tmp_path):
    config = crafter(tmp_path, steps=12, seed=3, **{"planner.scheme": "hmas2", "planner.organization": "role_chain"})
    folder, summary = run_scenario(config)
    steps = steps_of(folder)
    central = prompts(steps[0], "central")[0]
    assert "agent0 is the tool maker" in central and "agent1 is a helper" in central
    assert "agent2 is the diamond seeker" in central
    # an agent short of something for its next chain goal asks the agents that serve it, every step
    for step in steps:
        helps = [m for m in step.get("messages", []) if m["kind"] == "help"]
        from_tool_maker = [m for m in helps if m["sender"] == "agent0"]
        assert all(m["recipients"] == ["agent1"] for m in from_tool_maker)  # the only helper of three
        assert ("agent0 needs " in prompts(step, "central")[0]) == bool(from_tool_maker)  # the central planner sees all
        for message in from_tool_maker:
            for prompt in prompts(step, "feedback", "agent1"):  # agent1 was asked about the plan: it read the request
                assert f"Need your help from agent0: {message['text']}" in prompt
    assert any(m["kind"] == "help" for step in steps for m in step.get("messages", []))
    assert summary["per_episode"][0]["comms"]["delivered"] > 0


def test_a_dropped_help_request_never_reaches_the_helper(tmp_path):
    config = crafter(tmp_path, **{"planner.scheme": "dmas", "planner.organization": "role_chain", "comms.drop": 1.0})
    folder, _ = run_scenario(config)
    for step in steps_of(folder):
        assert all(set(m["outcomes"].values()) == {"dropped"} for m in step.get("messages", []))
        for call in step["calls"]:
            prompt = call["messages"][-1]["content"]
            assert "Need your help from" not in prompt and f"{call['agent']} is " in prompt  # its role, no requests


def test_the_hierarchy_assigns_subtasks_and_groups_plan_among_themselves(tmp_path):
    config = crafter(tmp_path, steps=5, **{"planner.scheme": "hmas1", "planner.organization": "hierarchy",
                                           "planner.regroup_every": 3})
    folder, summary = run_scenario(config)
    steps = steps_of(folder)
    splits = [step["step"] for step in steps if prompts(step, "split")]
    assert splits == [1, 4]  # at the start, then every regroup_every steps
    split_prompt = prompts(steps[0], "split")[0]
    assert "collect_wood" in split_prompt and "explore" in split_prompt
    groups = [line for line in steps[0]["dialogue"].splitlines() if line.startswith("[group ")]
    assert groups
    for step in steps:
        for message in step.get("messages", []):
            if message["kind"] == "dialogue":  # a group member speaks to its own group only
                group = next(g for g in step["dialogue"].split("[group ")[1:] if f"{message['sender']}:" in g)
                members = group.split("]")[0].split(": ", 1)[1].split(", ")
                assert set(message["recipients"]) <= set(members)
    assert summary["per_episode"][0]["outcome"] in ("step_limit", "success")


def test_an_invalid_subtask_assignment_is_fed_back_and_asked_again(tmp_path):
    replies = iter(['{"agent0": "win the game", "agent1": "collect wood"}', '{"agent0": "explore", "agent1": "collect wood"}'])

    def respond(request):
        if "Give every living agent one subtask" in request.prompt or "is not a subtask" in request.prompt:
            return next(replies)
        return 'EXECUTE\n{"agent0": "explore", "agent1": "collect wood"}'

    config = scenario("crafter", tmp_path, **{"size": "2", "step_limit": 1, "planner.scheme": "hmas1",
                                              "planner.organization": "hierarchy"})
    folder, _ = run_scenario(config, model=ScriptedChatModel(respond=respond))
    step = steps_of(folder)[0]
    splits = [call for call in step["calls"] if call["role"] == "split"]
    assert len(splits) == 2 and "'win the game' is not a subtask" in splits[1]["messages"][-1]["content"]
    assert step["plan"] == {"agent0": "explore", "agent1": "collect wood"}


@pytest.mark.parametrize("settings,message", [
    ({"planner.organization": "role_chain"}, "planner.organization: role_chain needs a task with a per-agent goal chain"),
    ({"planner.organization": "teamwork"}, "planner.organization"),
])
def test_organizations_need_a_goal_chain(tmp_path, settings, message):
    with pytest.raises(ConfigError, match=message):
        scenario("boxnet1", tmp_path, **settings)


def test_the_hierarchy_needs_hmas1_and_the_expert_keeps_its_own_rules(tmp_path):
    with pytest.raises(ConfigError, match="hierarchy runs HMAS-1 inside each group"):
        scenario("crafter", tmp_path, **{"planner.scheme": "cmas", "planner.organization": "hierarchy"})
    with pytest.raises(ConfigError, match="the expert keeps its own team rules"):
        scenario("crafter", tmp_path, **{"planner.scheme": "expert", "planner.organization": "role_chain"})
