"""The 3D tasks' camera beyond perception: images in observations, frames in run records, and a
vision-language model as the describer (scripted here: tests never call a real model)."""

import base64
import json

import cv2
import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

from colony.envs import parallel_env
from colony.envs.registry import task_spec
from colony.planners.config import ConfigError
from colony.planners.context import PlanningContext
from colony.planners.run import run_scenario
from colony.planners.scripted import ScriptedChatModel
from planner_helpers import scenario

EXACT = {"placement_noise": 0.0, "grasp_failure": 0.0}


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- A: the camera frame in the observations ---------------------------------------------------------
def test_observe_image_adds_the_camera_frame_and_passes_the_pettingzoo_api_test():
    env = parallel_env("boxnet1_3d", observe_image=True, render_mode="rgb_array")
    parallel_api_test(env, num_cycles=10)
    observations, _ = env.reset(seed=1000)
    agent = env.agents[0]
    space = env.observation_space(agent)["image"]
    assert space.shape == (240, 320, 3) and space.dtype == np.uint8
    assert np.array_equal(observations[agent]["image"], env.render())  # the frame the camera sees now
    assert set(observations[agent]) == {"observation", "action_mask", "image"}
    env.close()
    plain = parallel_env("boxnet1_3d")
    assert set(plain.observation_space(plain.possible_agents[0]).spaces) == {"observation", "action_mask"}


def test_a_bad_observe_image_value_is_named(tmp_path):
    with pytest.raises(ConfigError, match="observe_image: 'sometimes'; allowed: true, false"):
        scenario("boxnet1_3d", tmp_path, **{"env.observe_image": "sometimes"})


# --- B: frames in run records -----------------------------------------------------------------------
def test_a_3d_run_keeps_one_png_per_step_named_in_its_record(tmp_path):
    folder, _ = run_scenario(scenario("boxnet1_3d", tmp_path, **{"planner.scheme": "expert", "step_limit": 3}))
    steps = read_jsonl(folder / "steps.jsonl")
    assert [s["frame"] for s in steps] == [f"frames/episode_00/step_{n:03d}.png" for n in range(1, len(steps) + 1)]
    image = cv2.imread(str(folder / steps[-1]["frame"]))
    assert image.shape == (240, 320, 3)
    flat, _ = run_scenario(scenario("boxnet1", tmp_path / "flat", **{"planner.scheme": "expert", "step_limit": 2}))
    assert not (flat / "frames").exists() and "frame" not in read_jsonl(flat / "steps.jsonl")[0]  # 2D: off by default
    off, _ = run_scenario(scenario("boxnet1_3d", tmp_path / "off", **{"planner.scheme": "expert", "step_limit": 1,
                                                                     "run.frames": False}))
    assert not (off / "frames").exists()


def test_a_bad_frames_value_names_the_field_and_the_allowed_values(tmp_path):
    with pytest.raises(ConfigError, match=r"run.frames: allowed: true, false, or unset \(on for the 3D tasks"):
        scenario("boxnet1_3d", tmp_path, **{"run.frames": "sometimes"})


def test_a_resumed_episode_rewrites_its_frames_without_leftovers(tmp_path):
    config = scenario("boxnet1_3d", tmp_path, **{"planner.scheme": "expert", "step_limit": 3, "instances": 2})
    folder = tmp_path / "run"

    def kill_in_second_episode(summary, record):
        if summary.index == 1 and summary.steps == 1:
            (folder / "frames/episode_01/step_002.png.tmp").write_bytes(b"\x89PNG torn")  # killed mid-write
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scenario(config, on_step=kill_in_second_episode)
    first = (folder / "frames/episode_00/step_001.png").stat().st_mtime_ns
    _, summary = run_scenario(config, resume=True)
    assert summary["episodes"] == 2
    second = [step for step in read_jsonl(folder / "steps.jsonl") if step["episode"] == 1]
    final = second[max(i for i, step in enumerate(second) if step["step"] == 1):]  # the resumed attempt's steps
    assert len(second) > len(final)  # (the cut-short attempt's lines stay in steps.jsonl)
    files = sorted(p.name for p in (folder / "frames/episode_01").iterdir())
    assert files == [f"step_{s['step']:03d}.png" for s in final]  # no torn file, no duplicate, nothing stale
    assert all(cv2.imread(str(folder / s["frame"])) is not None for s in final)
    assert (folder / "frames/episode_00/step_001.png").stat().st_mtime_ns == first  # a finished episode is kept


# --- C: a vision-language model as the describer ------------------------------------------------------
def describing(flat, seen):
    """A scripted VLM that checks it got the camera frame as a PNG image block and describes the scene as
    the 2D env of the same instance states it."""
    def respond(request):
        assert len(request.images) == 1 and request.images[0].startswith("data:image/png;base64,")
        png = np.frombuffer(base64.b64decode(request.images[0].split(",", 1)[1]), np.uint8)
        assert cv2.imdecode(png, cv2.IMREAD_COLOR).ndim == 3
        seen.append(request)
        return flat.history_state_text()
    return ScriptedChatModel(respond=respond)


@pytest.mark.parametrize("task,size,seed", [("boxnet1", "2x2", 1000), ("boxnet2", "2x2", 2000), ("boxlift", "4x10", 3000)])
def test_a_correct_description_reads_back_as_the_2d_text_before_and_after_a_step(task, size, seed):
    flat, seen = parallel_env(task, size=size), []
    solid = parallel_env(f"{task}_3d", size=size, perception="vlm", describer=describing(flat, seen), **EXACT)
    flat.reset(seed=seed)
    solid.reset(seed=seed)
    assert solid.state_text() == flat.state_text() and len(seen) == 1
    assert "exactly this format" in seen[0].prompt
    plan = task_spec(task).expert().plan(PlanningContext.from_surface(flat))
    flat.apply(plan)
    assert solid.apply(plan).to_text() == flat.last_feedback.to_text()
    assert solid.state_text() == flat.state_text()
    calls = solid.step_record()["describer_calls"]
    assert len(calls) == 2 and all(c["images"] == 1 and c["role"] == "describer" and c["prompt_tokens"] > 0
                                   for c in calls)
    assert "base64" not in json.dumps(calls)  # the record keeps the number of images, never their bytes
    solid.close()


def test_a_malformed_reply_is_fed_back_and_asked_again():
    flat = parallel_env("boxnet1", size="2x2")
    flat.reset(seed=1000)
    model = ScriptedChatModel(replies=["I see a table with some boxes on it.", flat.history_state_text()])
    solid = parallel_env("boxnet1_3d", size="2x2", perception="vlm", describer=model, **EXACT)
    solid.reset(seed=1000)
    assert solid.state_text() == flat.state_text()
    retry = model.requests[1]
    assert retry.messages[-2] == ("ai", "I see a table with some boxes on it.")
    assert "could not be read: it holds no dict" in retry.prompt and len(retry.images) == 1
    solid.close()


def test_replies_that_stay_unreadable_leave_every_square_uncertain_never_invented():
    flat = parallel_env("boxnet1", size="2x2")
    flat.reset(seed=1000)
    model = ScriptedChatModel(replies=["{'9.5_9.5': ['box_red']}"])  # a square that does not exist, every time
    solid = parallel_env("boxnet1_3d", size="2x2", perception="vlm", describer=model, **EXACT)
    solid.reset(seed=1000)
    assert len(model.requests) == 3  # the first try and two fed back
    assert "there is no place called '9.5_9.5'" in model.requests[1].prompt
    state = solid.task_state()
    assert all(state.uncertain[cell] == ["the camera's describer gave no readable description"] for cell in state.items)
    assert solid.history_state_text() == flat.history_state_text()  # as believed (the layout), nothing added
    solid.close()


def test_what_a_reply_cannot_say_is_reported_uncertain():
    flat = parallel_env("boxnet1", size="2x2")
    flat.reset(seed=1000)
    truth = eval(flat.history_state_text())  # the 2D env's own repr of a dict of lists
    reply = dict(truth)
    reply["0.5_0.5"] = ["box_red", "a shiny thing"]  # one item unreadable, the rest of the square not named
    reply["0.5_1.5"] = ["unsure"]
    del reply["1.5_0.5"]
    solid = parallel_env("boxnet1_3d", size="2x2", perception="vlm", describer=ScriptedChatModel(replies=[repr(reply)]),
                         **EXACT)
    solid.reset(seed=1000)
    state = solid.task_state()
    assert state.items[(0, 0)] == ["box_red"]  # only what was read: nothing unread becomes an object
    assert state.uncertain[(0, 0)] == ["the describer's 'a shiny thing' could not be read"]
    assert state.uncertain[(0, 1)] == ["the camera's describer was unsure"]
    assert state.uncertain[(1, 0)] == ["not described by the camera's describer"]
    assert state.items[(1, 1)] == truth["1.5_1.5"] and (1, 1) not in state.uncertain
    assert "(uncertain: the camera's describer was unsure)" in solid.observation_text("Agent[0.5, 1.5]")
    solid.close()


def test_boxlift_reads_the_names_it_is_given_and_doubts_the_rest():
    flat = parallel_env("boxlift", size="4x10")
    flat.reset(seed=3000)
    names = flat.task_state().box_names()
    model = ScriptedChatModel(replies=[f"Still standing: {names[2]}, box[99.0V], unsure: {names[0]}."])
    solid = parallel_env("boxlift_3d", size="4x10", perception="vlm", describer=model, **EXACT)
    solid.reset(seed=3000)
    state = solid.task_state()
    assert state.box_names() == [names[0], names[2]]  # named, and unsure-but-believed; the rest are gone
    assert state.uncertain == {"(describer)": "box[99.0V] is no box of this layout",
                               names[0]: "the camera's describer was unsure"}
    solid.close()


def test_vlm_settings_are_checked_up_front(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="describer: perception vlm reads the frame"):
        scenario("boxnet1_3d", tmp_path, **{"env.perception": "vlm"})
    with pytest.raises(ConfigError, match="describer: local cannot see images"):
        scenario("boxnet1_3d", tmp_path, **{"env.perception": "vlm", "env.describer": "local"})
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="describer: openai:gpt-4o-mini needs an API key"):
        scenario("boxnet1_3d", tmp_path, **{"env.perception": "vlm", "env.describer": "openai:gpt-4o-mini"})


def test_a_run_with_a_describer_records_its_calls(tmp_path):
    flat = parallel_env("boxnet1", size="2x2")
    flat.reset(seed=1000)
    replies = tmp_path / "replies.yaml"
    replies.write_text(json.dumps([flat.history_state_text()]))
    config = scenario("boxnet1_3d", tmp_path, **{"planner.scheme": "expert", "step_limit": 1, "env.perception": "vlm",
                                                 "env.describer": f"scripted:{replies}", **{f"env.{k}": v for k, v in
                                                                                             EXACT.items()}})
    folder, _ = run_scenario(config)
    step = read_jsonl(folder / "steps.jsonl")[0]
    assert [c["images"] for c in step["describer_calls"]] == [1, 1]  # after reset and after the step
    assert step["describer_calls"][0]["response"] == flat.history_state_text()
