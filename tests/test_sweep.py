"""Sweeps: one ablation file, validated up front, played on a local pool or Ray, resumable
after a kill, reported in the paper's layout, and replayed."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from colony.launch.replay import write_replay
from colony.launch.sweep import run_sweep
from colony.planners.config import ConfigError, load_scenario
from colony.planners.engines import Slots
from colony.planners.report import write_report
from colony.planners.run import run_scenario
from colony.planners.sweep import SweepRun, append_index, expand, read_index, read_sweep_file

RAY = shutil.which("ray", path=str(Path(sys.executable).parent))


def ablation(tmp_path, **data):
    path = tmp_path / "ablation.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


SMALL = {"base": "boxnet1", "grid": {"planner.scheme": ["expert", "cmas"], "size": ["2x2", "2x4"]}, "instances": 2,
         "set": {"llm.spec": "oracle", "run.picture": False}}


def test_every_combination_is_validated_before_anything_starts(tmp_path):
    bad = ablation(tmp_path, base="boxnet1", grid={"planner.scheme": ["cmas", "hmas3"]})
    with pytest.raises(ConfigError, match=r"(?s)combination \{'planner.scheme': 'hmas3'\}: .*planner.scheme: Input should be 'cmas'.*"
                                         r"from the ablation file"):
        run_sweep(str(bad), out=str(tmp_path / "runs"))
    assert not (tmp_path / "runs").exists()
    with pytest.raises(ConfigError, match="planner.schem: unknown setting"):
        expand(read_sweep_file(ablation(tmp_path, base="boxnet1", grid={"planner.schem": ["cmas"]})))
    with pytest.raises(ConfigError, match="colour: unknown; an ablation file has base, grid, list"):
        read_sweep_file(ablation(tmp_path, base="boxnet1", colour="red"))


def test_the_list_goes_with_every_grid_combination_and_runs_are_named_from_their_parameters():
    runs = expand(read_sweep_file("table1"))
    assert len(runs) == 5 * 14 and len({run.name for run in runs}) == 70
    assert runs[0].name == "task-boxnet1_size-2x2_scheme-dmas" and runs[0].settings["instances"] == 10


def test_a_backend_limit_holds_runs_back_while_others_fill_the_workers():
    runs = [SweepRun(f"r{i}", {}, {}, "boxnet1", backend) for i, backend in
            enumerate(["openai:gpt-4o", "openai:gpt-4o-mini", "expert", "local"])]
    slots = Slots(runs, workers=3, concurrency={"openai": 1, "local": 1})
    started = [slots.next(), slots.next(), slots.next(), slots.next()]
    assert [run.name if run else None for run in started] == ["r0", "r2", "r3", None]
    slots.release(started[0])
    assert slots.next().name == "r1"


def test_the_index_survives_a_torn_line(tmp_path):
    append_index(tmp_path, {"run": "a", "status": "done"})
    with (tmp_path / "index.jsonl").open("a") as handle:
        handle.write('{"run": "b", "sta')  # a kill in mid-write
    append_index(tmp_path, {"run": "c", "status": "done"})
    assert set(read_index(tmp_path)) == {"a", "c"}


def check_report_against_the_runs(folder):
    written = write_report(folder)
    rows = {(line.split(",")[0], line.split(",")[1], line.split(",")[2], line.split(",")[3]): float(line.split(",")[4])
            for line in written["csv"].read_text().splitlines()[1:]}
    for record in read_index(folder).values():
        summary = json.loads((folder / record["run"] / "summary.json").read_text())
        method = f"scheme={summary['scheme']}"
        assert rows[(summary["task"], summary["size"], "success", method)] == summary["success_rate"]
        assert rows[(summary["task"], summary["size"], "episodes", method)] == summary["episodes"]
        if summary["scheme"] != "expert" and summary["successes"]:
            assert rows[(summary["task"], summary["size"], "tokens (norm.)", method)] == 1.0  # the only LLM method
    page = written["html"].read_text()
    assert page.count("data:image/png;base64,") == 4 and "http" not in page  # self-contained, opens offline
    for name in ("success_vs_size", "tokens_per_method", "calls_per_step", "failure_reasons"):
        assert written[name].exists()


def test_a_sweep_runs_on_the_local_pool_and_its_report_matches_the_runs(tmp_path):
    folder, counts = run_sweep(str(ablation(tmp_path, **SMALL)), name="small", out=str(tmp_path), workers=2)
    assert counts == {**counts, "runs": 4, "done": 4, "failed": 0, "skipped": 0}
    assert {record["run"] for record in read_index(folder).values()} == {
        "scheme-expert_size-2x2", "scheme-expert_size-2x4", "scheme-cmas_size-2x2", "scheme-cmas_size-2x4"}
    check_report_against_the_runs(folder)
    _, again = run_sweep(str(ablation(tmp_path, **SMALL)), name="small", out=str(tmp_path), workers=2)
    assert again["skipped"] == 4 and len((folder / "index.jsonl").read_text().splitlines()) == 4


@pytest.mark.skipif(RAY is None, reason="Ray is not installed (pip install 'colony[ray]')")
def test_a_sweep_runs_on_a_local_ray_and_its_report_matches_the_runs(tmp_path, monkeypatch):
    import ray

    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    try:
        folder, counts = run_sweep(str(ablation(tmp_path, **SMALL)), name="small", out=str(tmp_path), workers=2,
                                   engine="ray")
    finally:
        ray.shutdown()
    assert counts["done"] == 4 and counts["failed"] == 0
    check_report_against_the_runs(folder)


KILLABLE = {"base": "boxnet1", "grid": {"size": ["4x4", "4x8"], "planner.history": ["none", "state_action"],
                                        "planner.max_replans": [5, 6]},
            "instances": 10, "set": {"planner.scheme": "expert", "run.picture": False}}


@pytest.mark.parametrize("engine", ["local", pytest.param("ray", marks=pytest.mark.skipif(RAY is None, reason="no Ray"))])
def test_a_killed_sweep_resumes_without_losing_or_duplicating_a_result(tmp_path, engine):
    path = ablation(tmp_path, **KILLABLE)
    command = [sys.executable, "-m", "colony.launch.cli", "sweep", str(path), "--name", "k", "--out", str(tmp_path),
               "--workers", "2", "--engine", engine]
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    driver = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                              env=env)
    index = tmp_path / "k" / "index.jsonl"
    deadline = time.monotonic() + 240
    while not (index.exists() and index.read_text().count("\n") >= 2):
        assert driver.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline, "no run finished in time"
        time.sleep(0.1)
    os.killpg(driver.pid, signal.SIGKILL)  # the driver and its workers, mid-sweep
    driver.wait()
    if engine == "ray":  # Ray's own services outlive a killed driver: stop them as an operator would
        subprocess.run([RAY, "stop", "--force"], capture_output=True, timeout=120)
    finished_before = set(read_index(tmp_path / "k"))
    assert 2 <= len(finished_before) < 8
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    if engine == "ray":
        subprocess.run([RAY, "stop", "--force"], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [json.loads(line) for line in index.read_text().splitlines() if line.strip().endswith("}")]
    runs = [line["run"] for line in lines]
    assert len(runs) == len(set(runs)) == 8  # every run once: none lost, none recorded twice
    assert f"{len(finished_before)} already done before" in done.stdout
    for run in runs:  # inside each run, every episode once
        episodes = [json.loads(line)["index"] for line in (tmp_path / "k" / run / "episodes.jsonl").read_text().splitlines()]
        assert sorted(episodes) == list(range(10))


def test_a_replay_has_one_frame_per_step(tmp_path):
    config = load_scenario("crafter", **{"planner.scheme": "expert", "step_limit": 6, "instances": 1,
                                         "run.out_dir": str(tmp_path), "run.name": "c", "run.picture": False})
    folder, summary = run_scenario(config)
    steps = summary["per_episode"][0]["steps"]
    for suffix in (".gif", ".html", ".mp4"):
        path, frames = write_replay(folder, tmp_path / f"replay{suffix}")
        assert frames == steps and path.stat().st_size > 0
    from PIL import Image

    assert Image.open(tmp_path / "replay.gif").n_frames == steps
    page = (tmp_path / "replay.html").read_text()
    assert len(json.loads(page.split("const f=")[1].split(";const")[0])) == steps  # the slider's frames
