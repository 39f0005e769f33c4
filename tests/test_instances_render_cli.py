"""Instances on disk, the fixed benchmark sets, pictures, and the command line."""

import json

import numpy as np
import pytest

from colony.envs import parallel_env, paper_sizes
from colony.envs.boxnet2.world import BoxNet2World
from colony.envs.instances import benchmark_instances, benchmark_seeds, load_instance, save_instance
from colony.envs.registry import environments, tasks
from colony.launch.cli import main


def test_an_instance_saved_to_json_plays_the_same_after_loading(registry_case, tmp_path):
    name, size = registry_case
    env = parallel_env(name, size=size)
    env.reset(seed=21)
    path = save_instance(env.snapshot(), tmp_path / "instance.json")
    replay = parallel_env(name, size=size)
    replay.reset(seed=21, options={"instance": load_instance(path)})  # (the 3D envs draw their physics errors from it)
    assert replay.snapshot() == env.snapshot()
    assert replay.state_text() == env.state_text()
    state = env.task_state()
    choices = dict([(agent, state.legal_actions(agent)[0]) for agent in state.agents if state.legal_actions(agent)][:1])
    plan = env.plan_format.from_choices(choices)  # BoxLift plans are keyed by box
    assert plan and not env.check(plan)
    first, second = env.apply(dict(plan)), replay.apply(dict(plan))
    assert first.to_dict() == second.to_dict() and first.accepted and not first.refused


def test_a_mid_episode_snapshot_keeps_its_step_count():
    env = parallel_env("boxnet1", size="2x2")
    env.reset(seed=4)
    env.step({})
    restored = parallel_env("boxnet1", size="2x2")
    restored.reset(options={"instance": json.loads(json.dumps(env.snapshot()))})
    assert restored.step_count == 1


def test_loading_an_instance_of_another_size_or_task_is_refused():
    env = parallel_env("boxnet1", size="2x4")
    other = parallel_env("boxnet1", size="2x2")
    other.reset(seed=0)
    with pytest.raises(ValueError, match="size 2x2"):
        env.reset(options={"instance": other.snapshot()})
    with pytest.raises(ValueError, match="not a 'boxnet2'"):
        parallel_env("boxnet2").reset(options={"instance": other.snapshot()})


def test_benchmark_sets_cover_every_paper_size_with_ten_fixed_instances():
    for name in environments():
        for size in paper_sizes(name):
            seeds = benchmark_seeds(name, size)
            assert len(seeds) == 10
    first, again = benchmark_instances("boxnet2", "2x2"), benchmark_instances("boxnet2", "2x2")
    assert first == again and len({json.dumps(i) for i in first}) == 10
    with pytest.raises(KeyError, match="recorded sizes"):
        benchmark_seeds("boxnet1", "8x8")


def test_rgb_frames_show_boxes_targets_and_a_collision():
    env = parallel_env("boxnet2", size="2x2", render_mode="rgb_array")
    env.reset(options={"instance": BoxNet2World(2, 2, {(1, 1): ["target_red", "target_blue"]}, {(0, 0): ["box_red"], (1, 1): ["box_blue"]}).to_dict()})
    before = env.render()
    assert before.dtype == np.uint8 and before.ndim == 3 and before.shape[2] == 3
    red = np.all(before == (220, 50, 50), axis=-1).sum()
    blue = np.all(before == (50, 100, 230), axis=-1).sum()
    assert red > 50 and blue > 50  # the red box and target ring, the blue box
    alarm_before = np.all(before == (230, 0, 0), axis=-1).sum()
    env.apply({"Agent[0.5, 0.5]": "move(box_red, position[1.0, 1.0])"})
    after = env.render()
    assert np.all(after == (230, 0, 0), axis=-1).sum() > alarm_before + 200  # the ring around the shared corner


def test_every_task_renders_both_modes(registry_case):
    name, size = registry_case
    env = parallel_env(name, size=size, render_mode="rgb_array")
    env.reset(seed=1)
    frame = env.render()
    assert frame.shape[0] > 100 and frame.shape[1] > 100 and frame.std() > 10
    text_env = parallel_env(name, size=size, render_mode="ansi")
    text_env.reset(seed=1)
    assert f"{env.task} {env.size_label}" in text_env.render() and env.goal().progress().text in text_env.render()


def test_ansi_grid_marks_boxes_and_targets():
    env = parallel_env("boxnet1", size="2x2", render_mode="ansi")
    from colony.envs.boxnet1.world import BoxNet1World

    env.reset(options={"instance": BoxNet1World(2, 2, {(0, 0): ["box_red", "target_blue"], (1, 1): ["box_blue", "target_red"]}).to_dict()})
    rows = env.render().splitlines()
    assert "Rb" in rows[1] and "Br" in rows[2]


def test_unsupported_render_mode_is_refused():
    with pytest.raises(ValueError, match="render_mode"):
        parallel_env("boxnet1", render_mode="human")


def test_cli_lists_environments_with_sizes(capsys):
    assert main(["envs"]) == 0
    out = capsys.readouterr().out
    for name in ("boxnet1_v0", "boxnet2_v0", "boxlift_v0", "warehouse_v0", "4x8", "10x24"):
        assert name in out


def test_cli_demo_writes_pictures_and_records(tmp_path):
    assert main(["demo", "--seed", "3", "--out", str(tmp_path)]) == 0
    folders = sorted(p.name for p in tmp_path.iterdir())
    assert [f.split("-")[0] for f in folders] == sorted(tasks())
    for folder in tmp_path.iterdir():
        assert (folder / "step_000.png").stat().st_size > 1000
        steps = (folder / "steps.jsonl").read_text().splitlines()
        assert len(list(folder.glob("step_*.png"))) == len(steps) + 1
        assert json.loads(steps[-1])["status"] != "running"


def test_cli_bad_size_is_a_clear_error(capsys, tmp_path):
    assert main(["instance", "boxnet2", "--size", "1x1", "--out", str(tmp_path / "x.json")]) == 2
    assert "1x1" in capsys.readouterr().out
