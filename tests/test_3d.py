"""The 3D tasks: physics decides what happened, perception tells the planners, nothing is invented."""

import math

import pybullet as p
import pytest

from colony.envs import parallel_env
from colony.envs.physics import BOX, cell_of_point
from colony.envs.registry import task_spec
from colony.perception.tabletop import TabletopPerceiver
from colony.planners.context import PlanningContext
from colony.planners.run import run_scenario
from planner_helpers import scenario

EXACT = {"placement_noise": 0.0, "grasp_failure": 0.0}


def play_both(task, size, seed, perception="rgb", **settings):
    """The expert's plans on the 2D env, replayed on the 3D env (``settings``: more ``env.*``) with no errors: the
    (2D, 3D) state texts before and after every step, the (2D, 3D) feedback texts, and both outcomes."""
    flat = parallel_env(task, size=size)
    solid = parallel_env(f"{task}_3d", size=size, perception=perception, **EXACT, **settings)
    flat.reset(seed=seed)
    solid.reset(seed=seed)
    expert = task_spec(task).expert()
    states = [(flat.task_state().central_state_text(), solid.task_state().central_state_text())]
    feedback = []
    while not flat.status.is_over:
        plan = expert.plan(PlanningContext.from_surface(flat))
        feedback.append((flat.apply(plan).to_text(), solid.apply(plan).to_text()))
        states.append((flat.task_state().central_state_text(), solid.task_state().central_state_text()))
    outcome = (flat.status, solid.status, flat.step_count, solid.step_count)
    solid.close()
    return states, feedback, outcome


def assert_plays_like_2d(task, size, seed, perception="rgb", **settings):
    states, feedback, (flat, solid, flat_steps, solid_steps) = play_both(task, size, seed, perception, **settings)
    for step, (two, three) in enumerate(states):
        assert three == two, f"state after step {step}"
    for step, (two, three) in enumerate(feedback, start=1):
        assert three == two, f"feedback of step {step}"
    assert (solid, solid_steps) == (flat, flat_steps)  # the expert's outcome is the same in 3D


@pytest.mark.parametrize("size,seed", [("2x2", 1000), ("2x2", 1003), ("2x4", 1100), ("2x4", 1102), ("4x4", 1201)])
def test_with_no_errors_the_perceived_text_equals_the_2d_text_after_every_step(size, seed):
    assert_plays_like_2d("boxnet1", size, seed)


@pytest.mark.parametrize("perception", ["segmentation", "oracle"])
def test_the_other_perception_modes_agree_too(perception):
    assert_plays_like_2d("boxnet1", "2x2", 1001, perception)


@pytest.mark.parametrize("task,size,seed", [("boxnet1", "2x2", 1000), ("boxnet2", "2x2", 2000)])
def test_with_the_kuka_arm_the_perceived_text_still_equals_the_2d_text(task, size, seed):
    assert_plays_like_2d(task, size, seed, robot="arm")


def test_the_arm_carries_the_box_and_is_out_of_the_cameras_view_afterwards():
    env = parallel_env("boxnet1_3d", robot="arm", **EXACT)
    env.reset(seed=1000)
    state = env.task_state()
    agent, move = next((a, m) for a in state.agents for m in state.legal_actions(a) if "square" in m)
    before = {cell: list(items) for cell, items in state.items.items()}
    env.apply({agent: move})
    scene = env.world.scene
    arm = scene.arm.body
    assert arm is not None and p.getNumJoints(arm, physicsClientId=scene.client) == 7  # the iiwa did the carry
    assert env.task_state().items != before
    _, _, mask = scene.capture()
    assert not (mask == arm).any()  # retracted: the frame shows the table only
    env.close()


def test_a_placed_box_is_perceived_in_the_square_it_was_carried_to():
    env = parallel_env("boxnet1_3d", **EXACT)
    env.reset(seed=1000)
    state = env.task_state()
    agent, move = next((a, m) for a in state.agents for m in state.legal_actions(a) if "square" in m)
    colour = move.split("(")[1].split(",")[0]
    destination = move.split(", ", 1)[1].rstrip(")")
    before = env.task_state().items
    env.apply({agent: move})
    after = env.task_state()
    cell = next(c for c in after.items if f"square[{c[0] + 0.5}, {c[1] + 0.5}]" == destination)
    assert after.items[cell].count(colour) == before[cell].count(colour) + 1
    assert env.world.true_items[cell] == after.items[cell]
    env.close()


def test_a_box_hidden_by_the_robot_is_reported_uncertain_never_invented():
    env = parallel_env("boxnet1_3d", **EXACT)
    env.reset(seed=1000)
    scene = env.world.scene
    box = next(t for t in scene.things if t.kind == "box")
    x, y, _ = scene.position(box)
    scene.move_gripper((x, y), 0.06)  # the paddle right above the box
    sighting = TabletopPerceiver(scene, "rgb").perceive()
    cell = cell_of_point(x, y)
    assert any("hidden" in note for note in sighting.uncertain.get(cell, []))
    seen = sum(sighting.items.get(cell, {}).values())
    assert seen <= len(env.world.true_items[cell])  # what is hidden is missing or doubted, never made up
    env.close()


def test_a_failed_grasp_leaves_the_box_where_it_was_and_the_next_state_says_so():
    env = parallel_env("boxnet1_3d", grasp_failure=1.0, placement_noise=0.0)
    env.reset(seed=1000)
    state = env.task_state()
    agent, move = next((a, m) for a in state.agents for m in state.legal_actions(a))
    before = {cell: list(items) for cell, items in state.items.items()}
    feedback = env.apply({agent: move})
    assert feedback.accepted == {agent: move}  # legal by the rules...
    assert any("grasp" in event.to_text() and "failed" in event.to_text() for event in feedback.events)
    assert env.task_state().items == before  # ...but the physics moved nothing, and perception says so
    env.close()


@pytest.mark.parametrize("task", ["boxnet1_3d", "warehouse_3d"])
def test_3d_envs_close_cleanly_and_leak_no_physics_client(task):
    def connected():
        return sum(p.isConnected(client) for client in range(64))

    start = connected()
    env = parallel_env(task)
    for seed in range(12):
        env.reset(seed=seed)
        assert connected() == start + 1  # one client, the live world's
    env.close()
    assert connected() == start


def test_bad_3d_settings_are_named(tmp_path):
    from colony.planners.config import ConfigError

    with pytest.raises(ConfigError, match="perception: 'lidar'; allowed: rgb, segmentation, oracle"):
        scenario("boxnet1_3d", tmp_path, **{"env.perception": "lidar"})
    with pytest.raises(ConfigError, match="robot: 'crane'; allowed: gripper, arm"):
        scenario("boxnet1_3d", tmp_path, **{"env.robot": "crane"})
    with pytest.raises(ConfigError, match="robot: 'arm'; allowed for warehouse_3d_v0: gripper"):
        scenario("warehouse_3d", tmp_path, **{"env.robot": "arm"})
    with pytest.raises(ConfigError, match="env.perception: unknown for boxnet1"):
        scenario("boxnet1", tmp_path, **{"env.perception": "rgb"})


def test_records_keep_the_perceived_and_the_true_state(tmp_path):
    import json

    config = scenario("boxnet1_3d", tmp_path, **{"planner.scheme": "expert", "env.placement_noise": 0.02})
    folder, summary = run_scenario(config)
    steps = [json.loads(line) for line in (folder / "steps.jsonl").read_text().splitlines()]
    assert steps and all("perceived_state" in s and "true_state" in s for s in steps)
    assert summary["per_episode"][0]["outcome"] in ("success", "step_limit")


@pytest.mark.parametrize("seed", [3000, 3003])
def test_boxlift_3d_with_no_errors_reads_and_ends_like_the_2d_task(seed):
    assert_plays_like_2d("boxlift", "4x10", seed)


def test_a_lift_heavier_than_the_assigned_capacity_fails_in_physics():
    import numpy as np

    from colony.envs.boxlift_3d.world import BoxLiftWorld3D
    from colony.envs.physics import Physics3D

    world = BoxLiftWorld3D([2.0], [3.0], [2.5, 0.5])  # a box of volume 2 that really weighs 3 kg
    world.setup(Physics3D(grasp_failure=0.0), np.random.default_rng(0))
    crate = world.crates[0]
    assert p.getDynamicsInfo(crate.body, -1, physicsClientId=world.scene.client)[0] == pytest.approx(3.0)
    feedback = world.apply({"box[2.0V]": "agent[2.5W]"})  # 2.5 kg-force against 3 kg
    assert "can not be lifted" in feedback.to_text() and [b.name for b in world.state.boxes] == ["box[2.0V]"]
    assert world.scene.position(crate)[2] < 0.1  # still on the table
    feedback = world.apply({"box[2.0V]": "agent[2.5W], agent[0.5W]"})  # 3.0 kg-force: it rises
    assert feedback.achieved == ["box[2.0V] lifted"] and world.state.boxes == [] and world.status.value == "success"
    world.close()


@pytest.mark.parametrize("size,seed", [("2x2", 2000), ("2x4", 2101)])
def test_boxnet2_3d_with_no_errors_reads_and_ends_like_the_2d_task(size, seed):
    assert_plays_like_2d("boxnet2", size, seed)


def play_random_until_collision(flat, solid, seeds) -> None:
    """Random legal plans on the 2D and the 3D env side by side, episode after episode until one ends
    in a collision, the texts compared after every step (the physics must read like the rules, and
    nothing may be left uncertain)."""
    import numpy as np

    rng = np.random.default_rng(0)
    for seed in seeds:
        flat.reset(seed=seed)
        solid.reset(seed=seed)
        while not flat.status.is_over:
            state = flat.task_state()
            plan = {a: str(rng.choice(state.legal_actions(a))) for a in state.agents if state.legal_actions(a)}
            flat.apply(plan)
            solid.apply(plan)
            assert solid.task_state().central_state_text() == flat.task_state().central_state_text()
            assert not solid.task_state().uncertain
        if flat.status.value == "collision":
            break


def test_two_boxes_carried_to_one_corner_collide_in_physics_side_by_side_and_both_are_seen():
    flat, solid = parallel_env("boxnet2"), parallel_env("boxnet2_3d", **EXACT)
    play_random_until_collision(flat, solid, range(2000, 2010))
    assert flat.status.value == "collision"
    assert solid.status.value == "collision" and solid.step_count == flat.step_count  # the physics agrees
    assert solid.last_feedback.to_text() == flat.last_feedback.to_text()  # the same corner, the same boxes
    # Set down beside each other, not stacked: the camera sees both, and the text names both, as in 2D.
    assert not solid.task_state().uncertain
    corner = next(c for c, boxes in solid.world.true_boxes.items() if len(boxes) > 1)
    scene = solid.world.scene
    points = [scene.position(t) for t in scene.things if t.kind == "box" and f"box_{t.colour}" in solid.world.true_boxes[corner]]
    assert all(z < BOX for _, _, z in points)  # on the table
    assert math.dist(points[0][:2], points[1][:2]) >= BOX
    solid.close()


@pytest.mark.parametrize("size,seed", [("4", 4000), ("4", 4003), ("8", 4100), ("8", 4102)])
def test_warehouse_3d_with_no_errors_reads_and_ends_like_the_2d_task(size, seed):
    assert_plays_like_2d("warehouse", size, seed)


def test_warehouse_3d_segmentation_agrees_too():
    assert_plays_like_2d("warehouse", "4", 4002, "segmentation")


def test_a_failed_pick_leaves_the_box_in_its_slot_and_the_cart_empty():
    env = parallel_env("warehouse_3d", grasp_failure=1.0, placement_noise=0.0)
    env.reset(seed=4000)
    state = env.task_state()
    agent, pick = next((a, m) for a in state.agents for m in state.legal_actions(a) if m.startswith("pick"))
    slot = next(s for s in state.slots if f"pick box_{float(s[0])}_{float(s[1])}" == pick)
    box = min((t for t in env.world.scene.things if t.kind == "box"),
              key=lambda t: math.dist(env.world.scene.position(t)[:2], env.world.layout.slot_point(slot)))
    where = env.world.scene.position(box)
    feedback = env.apply({agent: pick})
    assert feedback.accepted == {agent: pick}  # legal by the rules...
    assert f"{agent}: the grasp of {pick[5:]} failed; it stayed in its slot" in feedback.to_text()
    after = env.task_state()  # ...but the physics moved nothing, and perception says so
    assert after.boxes == state.boxes and after.transporter(agent).carrying is None
    assert "I am not having box on myself" in env.observation_text(agent)
    assert math.dist(env.world.scene.position(box), where) < 1e-3
    env.close()


def test_a_cart_the_camera_cannot_see_is_reported_uncertain_where_it_was_last_seen():
    env = parallel_env("warehouse_3d", **EXACT)
    env.reset(seed=4000)
    before = env.task_state().transporter("agent3")
    scene = env.world.scene
    x, y, _ = scene.position(env.world.carts["agent3"])
    shrink = (scene.eye_height - 1.5) / scene.eye_height  # on the camera's ray to the cart, 1.5 m up
    paddle = (scene.centre[0] + (x - scene.centre[0]) * shrink, scene.centre[1] + (y - scene.centre[1]) * shrink)
    scene.move_gripper(paddle, 1.5)  # the arm's paddle close to the camera hides the whole cart
    env.apply({"agent0": "move to track_1"})
    text = env.observation_text("agent3")
    assert text.endswith(f"(uncertain: agent3 not seen; last seen in track_{before.track} and column_{before.column})")
    assert env.task_state().transporter("agent3") == before  # kept, flagged, never made up
    env.close()


def test_warehouse_carts_collide_in_physics_when_the_2d_rules_say_so():
    flat, solid = parallel_env("warehouse"), parallel_env("warehouse_3d", **EXACT)
    play_random_until_collision(flat, solid, range(4000, 4010))
    assert flat.status.value == "collision"
    assert solid.status.value == "collision" and solid.step_count == flat.step_count
    assert solid.last_feedback.to_text() == flat.last_feedback.to_text()  # the same cell, the same carts
    assert not solid.task_state().uncertain  # each in its own lane of the cell: the camera sees every cart
    solid.close()


def test_up_to_ten_carts_on_shared_cells_are_each_read_in_their_lanes():
    flat, solid = parallel_env("warehouse", size="10"), parallel_env("warehouse_3d", size="10", **EXACT)
    shared = 0
    for seed in range(4000, 4008):  # ten carts on 15 cells: random plans pile two or three onto a cell at once
        play_random_until_collision(flat, solid, [seed])
        shared += max(len(event.occupants) for event in flat.last_feedback.events if event.kind == "collision")
    assert shared > 2 * 8  # three carts on one cell (partly over one another), too
    solid.close()


def test_the_colour_masks_opening_does_not_shift_blobs():
    import numpy as np

    from colony.perception.tabletop import opening

    mask = np.zeros((12, 12), np.uint8)
    mask[3:9, 4:10] = 1  # a box's top face
    mask[0, 0] = 1  # a stray pixel
    cleaned = opening(mask, np.ones((2, 2), np.uint8))
    assert cleaned.sum() == 36 and (cleaned[3:9, 4:10] == 1).all()  # (OpenCV's MORPH_OPEN moved it a pixel)


@pytest.mark.parametrize("seed", [2100, 2102])
def test_boxnet2_2x4_boxes_are_read_whole_at_reset(seed):
    flat, solid = parallel_env("boxnet2", size="2x4"), parallel_env("boxnet2_3d", size="2x4", **EXACT)
    flat.reset(seed=seed)
    solid.reset(seed=seed)
    assert solid.task_state().central_state_text() == flat.task_state().central_state_text()
    solid.close()
