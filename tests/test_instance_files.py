"""Instance files are checked field by field on load; envs and runs are built from them."""

import json

import pytest

from colony.envs import parallel_env
from colony.envs.boxlift.world import BoxLiftWorld
from colony.envs.instance_checks import InstanceError
from colony.envs.instances import benchmark_instances, load_instance, save_instance
from colony.launch.cli import main


def boxnet1(**changes):
    data = {"task": "boxnet1", "rows": 2, "cols": 2, "items": {"0.5_0.5": ["box_red"], "1.5_1.5": ["target_red"]}}
    return {**data, **changes}


def warehouse(**changes):
    data = {"task": "warehouse", "tracks": 3, "columns": 5, "boxes": [[0.5, 2]],
            "agents": [{"track": 1, "column": 0, "carrying": None}, {"track": None, "column": 0, "carrying": None}]}
    return {**data, **changes}


def problems_of(data):
    with pytest.raises(InstanceError) as error:
        parallel_env(data["task"], instance=data)
    return error.value.problems


@pytest.mark.parametrize("data,field,allowed", [
    (boxnet1(items={"0.5_0.5": ["box_red"], "7.5_0.5": ["target_red"]}), "items.7.5_0.5", "a square of the 2x2 grid"),
    (boxnet1(items={"0.5_0.7": ["box_red"], "1.5_1.5": ["target_red"]}), "items.0.5_0.7", "written by its centre"),
    (boxnet1(items={"0.5_0.5": ["box_pink"], "1.5_1.5": ["target_pink"]}), "items.0.5_0.5[0]",
     "colours: blue, red, green, purple, orange"),
    (boxnet1(items={"0.5_0.5": ["box_red"]}), "items (box_red)", "can never be won"),
    (boxnet1(rows=1, cols=1), "rows, cols", "no square to move a box to"),
    (boxnet1(rows="2"), "rows", "a whole number from 1"),
    (boxnet1(size="2x4"), "size", "make it '2x2'"),
    (boxnet1(step_count=99), "step_count", "at most the step limit, 30"),
    ({"task": "boxnet2", "rows": 2, "cols": 2, "targets": {"0.5_0.5": ["target_red"]}, "boxes": {"0.0_3.0": ["box_red"]}},
     "boxes.0.0_3.0", "a corner of the 2x2 grid"),
    ({"task": "boxnet2", "rows": 2, "cols": 2, "targets": {"0.5_0.5": ["target_red"]},
      "boxes": {"0.0_0.0": ["box_red"], "1.0_1.0": ["box_red"]}}, "boxes.1.0_1.0[0]", "each colour once"),
    (warehouse(boxes=[[3.5, 2]]), "boxes[0]", "a slot between tracks: row 0.5 .. 1.5"),
    (warehouse(boxes=[[0.5, 2.5]]), "boxes[0][1]", "column 0 .. 4"),
    (warehouse(agents=[{"track": 1.5, "column": 0}]), "agents[0].track", "a whole number from 0 to 2"),
    (warehouse(agents=[{"track": 1, "column": 0}, {"track": 1, "column": 0}]), "agents[1]", "agent0 is already there"),
    (warehouse(agents=[{"track": 1, "column": 0, "carrying": [0.5, 2]}]), "agents[0].carrying", "no longer in its slot"),
    ({"task": "boxlift", "volumes": [3, -1], "weights": [3, 1], "capacities": [4]}, "volumes[1]", "a positive number"),
    ({"task": "boxlift", "volumes": [3, 9], "weights": [3, 9.5], "capacities": [4]}, "capacities", "can never be won"),
    ({"task": "boxlift", "volumes": [3], "weights": [3, 4], "capacities": [4]}, "weights", "one entry per box"),
])
def test_every_problem_is_named_with_field_value_and_what_is_allowed(data, field, allowed):
    problems = problems_of(data)
    assert any(problem.startswith(field + " = ") and allowed in problem for problem in problems), problems


def test_all_problems_of_a_file_are_reported_together():
    problems = problems_of(boxnet1(items={"0.5_0.7": ["box_red"], "1.5_1.5": ["target_red", "box_teal"]}))
    assert len(problems) == 2


def test_numbers_are_normalised_before_names_are_built():
    env = parallel_env("boxlift", instance={"task": "boxlift", "volumes": [7, 7.0], "weights": [7, 7], "capacities": [8]})
    env.reset()
    assert env.task_state().box_names() == ["box[7.0V]", "box[7.0V#2]"] and env.agent_names == ["agent[8.0W]"]
    assert not env.check({"box[7.0V]": "agent[8.0W]"})
    env = parallel_env("warehouse", instance=warehouse(agents=[{"track": 1.0, "column": 0.0, "carrying": None}]))
    env.reset()
    assert "track_1 and column_0" in env.observation_text("agent0")


def test_an_env_is_built_at_the_size_of_its_instance_file(tmp_path):
    path = save_instance(BoxLiftWorld([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.5]).to_dict(), tmp_path / "lift.json")
    env = parallel_env("boxlift", instance=path)
    assert env.size_label == "2x3" and env.possible_agents == ["lifter_0", "lifter_1"]
    env.reset(seed=4)
    assert env.task_state().box_names() == ["box[1.0V]", "box[2.0V]", "box[3.0V]"]  # every reset plays the file
    with pytest.raises(ValueError, match="contradicts the instance"):
        parallel_env("boxlift", size="4x10", instance=path)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not JSON"):
        load_instance(tmp_path / "bad.json")


def test_a_run_plays_a_folder_of_instance_files_at_their_size(tmp_path, capsys):
    for index, instance in enumerate(benchmark_instances("boxnet2", "2x4")[:3]):
        save_instance(instance, tmp_path / "set" / f"{index}.json")
    code = main(["run", "boxnet2", "--scheme", "expert", "--instances", str(tmp_path / "set"), "--out", str(tmp_path),
                 "--name", "files"])
    assert code == 0
    summary = json.loads((tmp_path / "files" / "summary.json").read_text())
    assert summary["size"] == "2x4" and summary["episodes"] == 3 and summary["successes"] == 3
    assert [e["instance"] for e in summary["per_episode"]] == [str(tmp_path / "set" / f"{i}.json") for i in range(3)]
    assert main(["run", "boxnet2", "--scheme", "expert", "--size", "2x2", "--instances", str(tmp_path / "set"),
                 "--out", str(tmp_path)]) == 2
    assert "contradicts the instance files" in capsys.readouterr().out
