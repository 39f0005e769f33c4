"""The task contract: planners see environments only through the planning surface, and a task
is one folder plus one registry entry."""

import ast
import importlib
import json
import shutil
import sys
import tomllib
import warnings
from pathlib import Path

import pytest
from pettingzoo.test import parallel_api_test

from colony.envs import parallel_env, registry
from colony.envs.instances import benchmark_seeds
from colony.envs.surface import PlanningSurface
from colony.launch.cli import main
from colony.planners.config import ConfigError, load_scenario
from colony.planners.run import run_scenario
from colony.planners.scripted import ScriptedChatModel

ROOT = Path(__file__).resolve().parent.parent


def planning_side_files():
    """Everything that plans: planners/, the episode loop, the CLI, and every task's expert."""
    files = sorted((ROOT / "planners").glob("*.py")) + sorted((ROOT / "launch").glob("*.py"))
    return files + sorted(ROOT.glob("envs/*/expert.py"))


@pytest.mark.parametrize("path", planning_side_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_planning_side_never_reaches_into_a_simulator(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    offences = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else ""
            if node.attr == "world":
                offences.append(f"line {node.lineno}: .world")
            elif node.attr.startswith("_") and not node.attr.startswith("__") and owner not in ("self", "cls"):
                offences.append(f"line {node.lineno}: private field .{node.attr} of {owner or 'an object'}")
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith((".world", ".adapter")):
            if "envs" in node.module and not (path.name == "expert.py" and node.module.endswith(".world")):
                offences.append(f"line {node.lineno}: imports {node.module}")
    assert not offences, offences


def test_every_registered_env_is_a_planning_surface_that_takes_ids_and_names(registry_case):
    name, size = registry_case
    env = parallel_env(name, size=size)
    _, infos = env.reset(seed=5)
    assert isinstance(env, PlanningSurface)
    for agent_id, info in infos.items():
        assert env.observation_text(agent_id) == env.observation_text(info["name"]) == info["text"]
        assert env.legal_actions(agent_id) == env.legal_actions(info["name"])
    assert env.agent_names == [info["name"] for info in infos.values()]
    progress = env.goal().progress()
    assert progress.done == 0 and progress.total > 0 and not env.goal().verify() and env.goal().surface()


def test_the_built_in_tasks_are_packaged():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    assert {module.rpartition(".")[0] for module in registry.BUILTIN_TASKS} <= listed


@pytest.fixture
def lamps(tmp_path, monkeypatch):
    """The toy task, copied into a temporary package outside Colony and registered at run time."""
    shutil.copytree(Path(__file__).parent / "toy_task_src", tmp_path / "toy_task")
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = registry.register("toy_task.task")
    yield spec
    registry.unregister("lamps")
    for module in [m for m in sys.modules if m == "toy_task" or m.startswith("toy_task.")]:
        del sys.modules[module]


def test_a_new_task_needs_only_its_folder_and_a_registry_entry(lamps, tmp_path, capsys):
    env = parallel_env("lamps", size="4")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parallel_api_test(env, num_cycles=50)
    assert benchmark_seeds("lamps", "3") == [1, 2, 3]
    assert main(["envs"]) == 0 and "lamps_v0" in capsys.readouterr().out
    config = load_scenario("lamps", **{"planner.scheme": "expert", "run.out_dir": str(tmp_path), "run.name": "expert",
                                       "instances": 3})
    _, summary = run_scenario(config)
    assert summary["success_rate"] == 1.0 and summary["per_episode"][0]["goal_text"] == "0 lamps left."
    config = load_scenario("lamps", **{"planner.scheme": "hmas2", "llm.spec": "scripted", "run.out_dir": str(tmp_path),
                                       "run.name": "llm", "instances": 1, "size": "3"})
    replies = lambda request: "I Agree" if "I Agree" in request.prompt else json.dumps(
        {f"lamp{i}": "switch on" for i in range(3)})
    folder, summary = run_scenario(config, model=ScriptedChatModel(respond=replies))
    assert summary["outcomes"] == {"success": 1}
    steps = [json.loads(line) for line in (folder / "steps.jsonl").read_text().splitlines()]
    assert "The current lamps are:" in steps[0]["calls"][0]["messages"][1]["content"]
    assert main(["run", "lamps", "--scheme", "expert", "--out", str(tmp_path), "--name", "cli"]) == 0


def test_an_unknown_task_is_named_with_the_registered_ones():
    with pytest.raises(ConfigError, match="unknown task 'boxnet3'; registered tasks: boxnet1, boxnet2, boxlift, warehouse"):
        load_scenario("boxnet1", ["task=boxnet3"])


def test_a_task_cannot_be_registered_twice_under_one_name(lamps):
    clone = importlib.import_module("toy_task.task").TASK
    assert registry.register(clone) is lamps  # the same entry again is harmless
    other = type(lamps)(env=lamps.env, expert=None, prompts="other.yaml")
    with pytest.raises(registry.TaskRegistrationError, match="registered twice"):
        registry.register(other)


EXPERT_SUCCESS = {  # successes of 10 on the fixed sets, as the README reports
    ("boxnet1", "2x2"): 10, ("boxnet1", "2x4"): 10, ("boxnet1", "4x4"): 10, ("boxnet1", "4x8"): 10,
    ("boxnet2", "2x2"): 10, ("boxnet2", "2x4"): 10, ("boxnet2", "4x4"): 10, ("boxnet2", "4x8"): 10,
    ("boxlift", "4x10"): 10, ("boxlift", "6x14"): 10, ("boxlift", "8x18"): 10, ("boxlift", "10x24"): 10,
    ("warehouse", "4"): 9, ("warehouse", "8"): 8,
}


@pytest.mark.parametrize("task,size", list(EXPERT_SUCCESS), ids=[f"{t}-{s}" for t, s in EXPERT_SUCCESS])
def test_the_expert_solves_the_fixed_sets_as_reported(task, size, tmp_path):
    config = load_scenario(task, **{"planner.scheme": "expert", "size": size, "instances": 10,
                                    "run.out_dir": str(tmp_path), "run.name": "x", "run.picture": False})
    _, summary = run_scenario(config)
    assert summary["successes"] == EXPERT_SUCCESS[(task, size)] and summary["mean_llm_calls"] == 0
