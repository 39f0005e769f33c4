"""Runs fail loudly and resume safely: every fault below is driven through `colony run` against a
fault-injecting OpenAI-compatible server on loopback, asserting exit status, console and records."""

import email.utils
import json
import time

import pytest
import yaml

from colony.launch.cli import main
from colony.planners.failures import chat_reply_problem, retry_after
from fault_server import FaultServer


@pytest.fixture
def server():
    fault_server = FaultServer()
    yield fault_server
    fault_server.close()


def run(server, tmp_path, *extra, instances=2, name="run"):
    return main(["run", "boxnet1", "--llm", "openai:fake", "--base-url", server.url, "--scheme", "cmas",
                 "--instances", str(instances), "--out", str(tmp_path), "--name", name,
                 "--set", "step_limit=1", "--set", "llm.backoff_s=0", "--set", "llm.retries=2", *extra])


def records(tmp_path, name="run"):
    folder = tmp_path / name
    episodes = [json.loads(line) for line in (folder / "episodes.jsonl").read_text().splitlines()]
    return episodes, json.loads((folder / "summary.json").read_text())


@pytest.mark.parametrize("status,words", [(401, "the API key was refused (HTTP 401: Incorrect API key provided)"),
                                          (404, "the model or endpoint was not found (HTTP 404"),
                                          (400, "the server refused the request's shape (HTTP 400")])
def test_a_fatal_backend_error_stops_the_run_at_once_and_exits_non_zero(server, tmp_path, capsys, status, words):
    server.script = [status]
    assert run(server, tmp_path, instances=3) == 3
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert out.count(words) >= 1 and "the run stops here" in out and "the run stopped:" in out
    assert len(server.arrivals) == 1  # no retry, no second instance
    episodes, summary = records(tmp_path)
    assert [e["outcome"] for e in episodes] == ["backend_failure"] and words in episodes[0]["detail"]
    assert summary["stopped"] and summary["instances"] == 3 and summary["episodes"] == 1
    assert (episodes[0]["llm_calls"], episodes[0]["llm_calls_failed"], episodes[0]["llm_retries"]) == (1, 1, 0)


@pytest.mark.parametrize("fault,words", [("empty_choices", "its 'choices' list is empty"),
                                         ("no_choices", "it has no 'choices' list"),
                                         ("no_message", "its first choice has no 'message' object"),
                                         ("wrong_types", "the message content is a int, not text"),
                                         ("not_json", "the body is not JSON")])
def test_a_malformed_reply_is_a_named_backend_failure_reported_once(server, tmp_path, capsys, fault, words):
    server.script = [fault]
    assert run(server, tmp_path) == 3
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert out.count(f"malformed reply: {words}") == 1  # one line per distinct reason, not per episode
    assert "2 of 2 episodes could not be played" in out
    episodes, summary = records(tmp_path)
    assert all(words in e["detail"] and "IndexError" not in e["detail"] for e in episodes)
    assert len(server.arrivals) == 2 * 3 and summary["llm_retries"] == 4 and summary["llm_calls_failed"] == 2


def test_retry_after_is_honoured_and_retries_are_counted(server, tmp_path, capsys):
    server.script, server.headers = [429, "ok"], {"Retry-After": "1"}
    assert run(server, tmp_path, "--set", "llm.backoff_s=0.05", instances=1) == 0
    assert server.arrivals[1] - server.arrivals[0] >= 0.95  # the server's second, not the 0.05 s backoff
    episodes, summary = records(tmp_path)
    assert (episodes[0]["llm_calls"], episodes[0]["llm_calls_failed"], episodes[0]["llm_retries"]) == (1, 0, 1)
    assert episodes[0]["outcome"] == "step_limit"


def test_a_retry_after_beyond_the_timeout_waits_only_the_timeout(server, tmp_path):
    server.script, server.headers = [500, "ok"], {"Retry-After": "3600"}
    start = time.monotonic()
    assert run(server, tmp_path, "--set", "llm.timeout_s=1", instances=1) == 0
    assert 0.95 <= server.arrivals[1] - server.arrivals[0] and time.monotonic() - start < 30


def test_retry_after_reads_seconds_and_http_dates():
    class Answer:
        def __init__(self, value):
            self.response = type("R", (), {"headers": {"retry-after": value}})()

    now = time.time()
    assert retry_after(Answer("7")) == 7.0
    assert 19 <= retry_after(Answer(email.utils.formatdate(now + 20, usegmt=True)), now=now) <= 21
    assert retry_after(Answer("soon")) is None
    assert chat_reply_problem({"choices": [{"message": {"content": "x"}}], "usage": {"prompt_tokens": "many"}})


def test_a_torn_last_line_is_cut_back_and_reported_before_resuming(server, tmp_path, capsys):
    assert run(server, tmp_path) == 0
    folder = tmp_path / "run"
    for name in ("steps.jsonl", "episodes.jsonl"):
        with (folder / name).open("a") as handle:
            handle.write('{"episode": 2, "torn')
    assert run(server, tmp_path, "--resume", instances=3) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "repaired" in out and "steps.jsonl" in out and "episodes.jsonl" in out
    for name in ("steps.jsonl", "episodes.jsonl"):
        lines = (folder / name).read_text().splitlines()
        assert all(json.loads(line) for line in lines)  # every line parses
    episodes, summary = records(tmp_path)
    assert [e["index"] for e in episodes] == [0, 1, 2] and summary["episodes"] == 3


def test_resume_refuses_a_changed_meaning_and_keeps_the_recorded_config(tmp_path, server, capsys):
    assert run(server, tmp_path, "--seed", "0") == 0
    recorded = (tmp_path / "run" / "config.yaml").read_text()
    assert run(server, tmp_path, "--seed", "100", "--set", "planner.history=all_dialogue", "--resume") == 2
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "seed: 0 in the record, 100 now" in out and "planner.history: 'none' in the record, 'all_dialogue' now" in out
    assert (tmp_path / "run" / "config.yaml").read_text() == recorded
    assert run(server, tmp_path, "--seed", "0", "--resume", "--set", "llm.retries=5", instances=4) == 0
    assert yaml.safe_load((tmp_path / "run" / "config.yaml").read_text())["instances"] == 4
    episodes, _ = records(tmp_path)
    assert [e["seed"] for e in episodes] == [0, 1, 2, 3]


def test_resume_plays_again_the_episodes_a_backend_failure_cut_short(server, tmp_path):
    server.script = [401]
    assert run(server, tmp_path) == 3
    server.script, server.arrivals = ["ok"], []
    assert run(server, tmp_path, "--resume") == 0
    _, summary = records(tmp_path)
    assert summary["outcomes"] == {"step_limit": 2} and summary["stopped"] is None


@pytest.mark.parametrize("content,words", [
    ("task: boxnet1\n  size: 2x2\n", ":2:7: malformed YAML (mapping values are not allowed here)"),
    ("- task: boxnet1\n", "the top level is a YAML list"),
    (b"task: boxnet1\xff\n", "cannot be read"),
])
def test_scenario_file_problems_are_one_line_with_the_file(tmp_path, capsys, content, words):
    path = tmp_path / "scenario.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert main(["run", str(path), "--scheme", "expert"]) == 2
    out = capsys.readouterr().out
    assert str(path) in out and words in out and "Traceback" not in out
    assert len([line for line in out.splitlines() if line.strip()]) == 1  # one line
    assert main(["run", str(tmp_path), "--scheme", "expert"]) == 2
    assert "is a folder" in capsys.readouterr().out


def test_errors_name_the_setting_and_where_its_value_came_from(capsys):
    assert main(["run", "boxnet1", "--size", "3x3x3", "--scheme", "expert"]) == 2
    out = " ".join(capsys.readouterr().out.split())
    assert "size: boxnet1: size '3x3x3' is not ROWSxCOLS (e.g. 2x4) (from --size)" in out
    assert "(top level)" not in out and "'planner':" not in out
    assert main(["run", "boxnet1", "--set", "planner.max_replans=-1"]) == 2
    assert "from --set planner.max_replans" in capsys.readouterr().out


def test_the_summary_reads_well_when_nothing_succeeds(server, tmp_path, capsys):
    assert run(server, tmp_path, instances=1) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "no successful episode" in out and "None" not in out and "tokens counted by backend usage" in out
