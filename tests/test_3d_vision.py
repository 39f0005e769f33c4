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


@pytest.mark.parametrize("task,size,seed", [("boxnet1", "2x2", 1000), ("boxnet2", "2x2", 2000), ("boxlift", "4x10", 3000),
                                            ("warehouse", "4", 4000)])
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


# --- Warehouse: carts and box slots, in the history text's own format -------------------------------------
def warehouse_pair(model):
    flat = parallel_env("warehouse")
    flat.reset(seed=4000)  # agent0, agent2 in target, agent1 in track_0 column_0, agent3 in track_1 column_3
    solid = parallel_env("warehouse_3d", perception="vlm", describer=model, **EXACT)
    solid.reset(seed=4000)
    return flat, solid


def test_warehouse_a_malformed_reply_is_fed_back_and_the_next_one_read():
    truth = parallel_env("warehouse")
    truth.reset(seed=4000)
    text = truth.history_state_text()
    model = ScriptedChatModel(replies=["The red and the chartreuse cart are parked on the left.",
                                       text.replace("'target'", "'parked'", 1), text])
    flat, solid = warehouse_pair(model)
    assert len(model.requests) == 3 and solid.state_text() == flat.state_text()  # read on the third try
    first, second = model.requests[1], model.requests[2]
    assert first.messages[-2] == ("ai", "The red and the chartreuse cart are parked on the left.")
    assert "could not be read: it holds no dict" in first.prompt and len(first.images) == 1
    assert "could not be read: the value of 'agent0' is not [track, column, carrying] or 'target'" in second.prompt
    assert "left boxes:" in second.prompt  # the format asked for again
    assert not solid.task_state().uncertain
    solid.close()


def test_warehouse_replies_that_stay_unreadable_leave_every_cart_and_slot_uncertain():
    model = ScriptedChatModel(replies=["{'agent7': [0, 0, 0]}, left boxes: []"])  # no such cart, every time
    flat, solid = warehouse_pair(model)
    assert len(model.requests) == 3
    assert "there is no cart called 'agent7'; the carts are exactly 'agent0', 'agent1', 'agent2', 'agent3'" \
        in model.requests[1].prompt
    state = solid.task_state()
    assert set(state.uncertain) == {"agent0", "agent1", "agent2", "agent3", "boxes"}
    assert state.uncertain["boxes"] == ["the camera's describer gave no readable description"]
    assert solid.history_state_text() == flat.history_state_text()  # as believed (the layout), nothing added
    solid.close()


def test_warehouse_a_cart_or_box_the_reply_leaves_out_is_uncertain_and_kept():
    def omitting(request):  # the 2D text without agent3 and without box_1.5_4.0
        carts, boxes = flat.history_state_text().split(", left boxes: ")
        carts = eval(carts)
        del carts["agent3"]
        return f"{carts}, left boxes: {[box for box in eval(boxes) if box != 'box_1.5_4.0']}"

    flat = parallel_env("warehouse")
    flat.reset(seed=4000)
    solid = parallel_env("warehouse_3d", perception="vlm", describer=ScriptedChatModel(respond=omitting), **EXACT)
    solid.reset(seed=4000)
    state = solid.task_state()
    assert solid.history_state_text() == flat.history_state_text()  # both kept as believed: nothing dropped
    assert state.uncertain == {"agent3": ["not described by the camera's describer", "last seen in track_1 and column_3"],
                               "boxes": ["box_1.5_4.0 not named by the camera's describer, and no arm took it"]}
    assert solid.observation_text("agent3").endswith(
        "(uncertain: not described by the camera's describer; last seen in track_1 and column_3)")
    assert "(uncertain: box_1.5_4.0 not named" in state.central_state_text()
    plan = {"agent1": "pick box_0.5_0.0", "agent3": "move left"}
    flat.apply(plan)
    solid.apply(plan)
    state = solid.task_state()
    assert state.transporter("agent1").carrying == (0.5, 0)  # the box its arm took: gone from its slot, no doubt
    assert state.boxes == flat.task_state().boxes | {(1.5, 4)}  # the one left out stays, still uncertain
    assert state.transporter("agent3").column == 3 and flat.task_state().transporter("agent3").column == 2
    assert "box_0.5_0.0" not in str(state.uncertain)
    solid.close()


def test_warehouse_what_the_reply_names_that_is_not_in_the_scene_is_not_invented():
    flat = parallel_env("warehouse")
    flat.reset(seed=4000)
    carts, boxes = flat.history_state_text().split(", left boxes: ")
    carts = carts.replace("'agent1': [0, 0, 0]", "'agent1': [5, 0, 0]")  # there is no track_5
    boxes = eval(boxes) + ["box_7.5_0.0", "box_0.5_1.5", "a crate"]  # no such slots; not a slot name
    model = ScriptedChatModel(replies=[f"{carts}, left boxes: {boxes}"])
    solid = parallel_env("warehouse_3d", perception="vlm", describer=model, **EXACT)
    solid.reset(seed=4000)
    state = solid.task_state()
    assert len(model.requests) == 1  # readable: only these items are doubted
    assert state.boxes == flat.task_state().boxes  # nothing added
    assert state.uncertain["boxes"] == [f"the describer's {name!r} is no box slot of this warehouse"
                                        for name in ("box_7.5_0.0", "box_0.5_1.5", "a crate")]
    assert state.uncertain["agent1"] == ["the describer's [5, 0, 0] is no place of this warehouse",
                                         "last seen in track_0 and column_0"]
    assert state.transporter("agent1") == flat.task_state().transporter("agent1")  # kept where it was, not moved
    assert solid.history_state_text() == flat.history_state_text()
    solid.close()


def test_vlm_settings_are_checked_up_front(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="describer: perception vlm reads the frame"):
        scenario("boxnet1_3d", tmp_path, **{"env.perception": "vlm"})
    with pytest.raises(ConfigError, match="describer: local cannot see images"):
        scenario("boxnet1_3d", tmp_path, **{"env.perception": "vlm", "env.describer": "local"})
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="describer: openai:gpt-4o-mini needs an API key"):
        scenario("boxnet1_3d", tmp_path, **{"env.perception": "vlm", "env.describer": "openai:gpt-4o-mini"})


@pytest.mark.parametrize("task,size,seed", [("boxnet1", "2x2", 1000), ("warehouse", "4", 4000)])
def test_a_run_with_a_describer_records_its_calls(tmp_path, task, size, seed):
    flat = parallel_env(task, size=size)
    flat.reset(seed=seed)
    replies = tmp_path / "replies.yaml"
    replies.write_text(json.dumps([flat.history_state_text()]))
    config = scenario(f"{task}_3d", tmp_path, **{"planner.scheme": "expert", "step_limit": 1, "env.perception": "vlm",
                                                 "env.describer": f"scripted:{replies}", **{f"env.{k}": v for k, v in
                                                                                             EXACT.items()}})
    folder, _ = run_scenario(config)
    step = read_jsonl(folder / "steps.jsonl")[0]
    assert [c["images"] for c in step["describer_calls"]] == [1, 1]  # after reset and after the step
    assert step["describer_calls"][0]["response"] == flat.history_state_text()
