"""Integration: the embedded SmolLM2 model, served over a real OpenAI-compatible HTTP server
(``colony model serve`` on a free loopback port) and in-process through llama.cpp.

These tests assert the pipeline (records, token accounting, limits, termination), never
the model's success: a 135M model does not plan well.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from planner_helpers import scenario
from colony.planners.backends import make_chat_model
from colony.planners.run import run_scenario

pytest.importorskip("llama_cpp")
pytest.importorskip("langchain_openai")

MAX_TOKENS = 48
SCHEMES = ["cmas", "dmas", "hmas1", "hmas2"]
TASKS = {"boxnet1": "1x2", "boxnet2": "1x2", "boxlift": "2x3", "warehouse": "2x2x2", "crafter": "2"}
SHORT = {"instances": 1, "seed": 7, "step_limit": 1, "planner.dialogue_rounds": 1, "planner.feedback_rounds": 1,
         "planner.max_replans": 1, "llm.max_tokens": MAX_TOKENS, "llm.timeout_s": 120}
OUTCOMES = {"success", "step_limit", "collision", "no_valid_plan"}
FIRST_ROLE = {"cmas": "central", "dmas": "local", "hmas1": "central", "hmas2": "central"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "colony.launch.cli", "model", "serve", "--port", str(port),
                                "--context", "4096"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the model server did not come up on port {port}")
        time.sleep(0.5)
    yield base_url, process.pid
    os.kill(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    assert process.poll() is not None


def calls_of(folder):
    steps = [json.loads(line) for line in (folder / "steps.jsonl").read_text().splitlines()]
    return [call for step in steps for call in step.get("calls", [])]


@pytest.mark.parametrize("task", list(TASKS))
@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_scheme_and_task_over_the_http_server(server, tmp_path, scheme, task):
    base_url, _ = server
    usage = []

    def record_usage(response):
        if response.request.url.path.endswith("/chat/completions"):
            response.read()
            usage.append(response.json()["usage"])

    config = scenario(task, tmp_path, size=TASKS[task], **SHORT, **{"planner.scheme": scheme, "llm.spec": "openai:local",
                                                                    "llm.base_url": base_url})
    model = make_chat_model(config.llm, http_client=httpx.Client(event_hooks={"response": [record_usage]}, timeout=120))
    folder, summary = run_scenario(config, model=model)
    calls = calls_of(folder)
    assert summary["per_episode"][0]["outcome"] in OUTCOMES
    assert calls and len(calls) == len(usage) == summary["per_episode"][0]["llm_calls"]
    assert [(c["prompt_tokens"], c["completion_tokens"]) for c in calls] == \
        [(u["prompt_tokens"], u["completion_tokens"]) for u in usage]
    assert {c["token_source"] for c in calls} == {"backend usage"}
    assert all(c["completion_tokens"] <= MAX_TOKENS for c in calls)
    assert summary["backend"] == "openai:local" and (folder / "summary.json").exists()


def test_the_server_runs_as_its_own_process_while_the_module_runs(server):
    _, pid = server
    assert pid != os.getpid() and os.path.exists(f"/proc/{pid}")  # the fixture's teardown stops it and asserts so


@pytest.mark.parametrize("task", list(TASKS))
@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_scheme_and_task_in_process(tmp_path, scheme, task):
    # The compact prompts here (the style the shipped adapter is trained on), the paper's over HTTP above.
    config = scenario(task, tmp_path, size=TASKS[task], **SHORT, **{"planner.scheme": scheme, "llm.spec": "local",
                                                                    "planner.prompt_style": "compact"})
    folder, summary = run_scenario(config)
    calls = calls_of(folder)
    episode = summary["per_episode"][0]
    assert episode["outcome"] in OUTCOMES and calls
    assert {c["token_source"] for c in calls} == {"backend usage"}
    assert all(c["completion_tokens"] <= MAX_TOKENS for c in calls)
    assert episode["tokens"] == sum(c["prompt_tokens"] + c["completion_tokens"] for c in calls)
    assert FIRST_ROLE[scheme] == calls[0]["role"]
    # central plans are decoded under the plan schema; agents' dialogue and verdicts are free text
    assert all(c["constrained"] == (c["role"] == "central") for c in calls)


@pytest.mark.parametrize("settings", [
    {"planner.scheme": "hmas2", "planner.history": "memory", "planner.organization": "role_chain"},
    {"planner.scheme": "hmas1", "planner.organization": "hierarchy"},
], ids=["memory-role_chain", "hierarchy"])
def test_crafter_teams_with_memory_comms_and_organizations_on_the_embedded_model(tmp_path, settings):
    config = scenario("crafter", tmp_path, size="2", **{**SHORT, "step_limit": 2}, **{"llm.spec": "local", **settings})
    folder, summary = run_scenario(config)
    episode = summary["per_episode"][0]
    assert episode["outcome"] in OUTCOMES and episode["llm_calls"] > 0
    roles = {call["role"] for call in calls_of(folder)}
    if settings["planner.organization"] == "hierarchy":
        assert "split" in roles  # the central planner assigned subtasks (decoded under their schema)
        assert all(c["constrained"] for c in calls_of(folder) if c["role"] == "split")
    else:
        assert (folder / "memory" / "episode_00" / "agent0.json").exists() and "feedback" in roles
    assert episode["comms"]["messages"] > 0  # proposals and verdicts travelled through the broker


def test_the_embedded_model_only_emits_legal_plans_under_the_schema(tmp_path):
    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "cmas", "llm.spec": "local", "step_limit": 2,
                                              "llm.max_tokens": 256})
    folder, summary = run_scenario(config)
    steps = [json.loads(line) for line in (folder / "steps.jsonl").read_text().splitlines()]
    assert all(step["replans"] == 0 and step["feedback"]["refused"] == [] for step in steps)
    assert all(step["plan"] for step in steps)  # at least one agent acts under the schema
