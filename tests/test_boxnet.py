"""BoxNet1 and BoxNet2 rules as users rely on them."""

import pytest

from colony.envs import parallel_env
from colony.envs.boxnet1.world import BoxNet1World
from colony.envs.boxnet2.world import BoxNet2World
from colony.envs.collision import CollisionStatus
from colony.envs.feedback import EpisodeStatus, RefusalReason
from colony.envs.world import EpisodeOver, InvalidSize


def boxnet1(cells, rows=2, cols=2, step_limit=None):
    return BoxNet1World(rows, cols, cells, step_limit=step_limit)


def test_box_moved_onto_its_target_disappears_with_the_target():
    world = boxnet1({(0, 0): ["box_red", "target_red", "target_blue"], (1, 1): ["box_blue"], (0, 1): ["target_blue"]})
    feedback = world.apply({"Agent[0.5, 0.5]": "move(box_red, target_red)"})
    assert world.state.items[(0, 0)] == ["target_blue"]
    assert feedback.achieved and feedback.progress == 1
    assert world.state.boxes_left() == 1 and world.goal().progress().text == "1 boxes left."


def test_box_moves_to_a_neighbouring_square_only():
    world = boxnet1({(0, 0): ["box_red"], (1, 1): ["target_red"]})
    refused = world.check({"Agent[0.5, 0.5]": "move(box_red, square[1.5, 1.5])"})
    assert [r.reason for r in refused] == [RefusalReason.ILLEGAL_ACTION]
    assert "not a square next to square[0.5, 0.5]" in refused[0].message
    world.apply({"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])"})
    assert world.state.items[(0, 1)] == ["box_red"] and world.state.items[(0, 0)] == []


def test_every_bad_entry_gets_feedback_and_good_entries_still_run():
    world = boxnet1({(0, 0): ["box_red"], (0, 1): ["box_blue"], (1, 1): ["target_red", "target_blue"]})
    feedback = world.apply({
        "Agent[7.5, 0.5]": "move(box_red, square[0.5, 1.5])",  # no such agent
        "Agent[0.5, 1.5]": "push the blue box",  # not an action string
        "Agent[1.5, 1.5]": "move(box_red, target_red)",  # no red box there
        "Agent[0.5,0.5]": "move(box_red,square[1.5,0.5])",  # legal, spaced differently
    })
    reasons = {entry.key: entry.reason for entry in feedback.refused}
    assert reasons == {"Agent[7.5, 0.5]": RefusalReason.UNKNOWN_KEY,
                       "Agent[0.5, 1.5]": RefusalReason.MALFORMED_ACTION,
                       "Agent[1.5, 1.5]": RefusalReason.ILLEGAL_ACTION}
    assert feedback.accepted == {"Agent[0.5, 0.5]": "move(box_red, square[1.5, 0.5])"}
    assert world.state.items[(1, 0)] == ["box_red"]
    assert "Agent[7.5, 0.5]" in feedback.to_text()


def test_non_string_action_and_double_entries_are_refused_not_crashing():
    world = boxnet1({(0, 0): ["box_red"], (1, 1): ["target_red"]})
    refused = world.check({"Agent[0.5, 0.5]": 3, "Agent[1.5, 1.5]": None})
    assert {r.reason for r in refused} == {RefusalReason.MALFORMED_ACTION}
    refused = world.check({"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])",
                           "Agent[0.5,0.5]": "move(box_red, square[1.5, 0.5])"})
    assert [r.reason for r in refused] == [RefusalReason.CONFLICT]
    with pytest.raises(TypeError, match="mapping"):
        world.apply(["move(box_red, square[0.5, 1.5])"])


def test_plan_key_order_does_not_change_the_outcome():
    cells = {(0, 0): ["box_red"], (0, 1): ["box_red"], (1, 1): ["target_red", "target_red"]}
    plan = {"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])", "Agent[0.5, 1.5]": "move(box_red, square[1.5, 1.5])"}
    forward, backward = boxnet1(cells), boxnet1(cells)
    forward.apply(plan)
    backward.apply(dict(reversed(plan.items())))
    assert forward.to_dict() == backward.to_dict()
    assert forward.state.items[(0, 1)] == ["box_red"] and forward.state.items[(1, 1)].count("box_red") == 1


def test_success_on_the_last_allowed_step_counts():
    world = boxnet1({(0, 0): ["box_red", "target_red"], (1, 1): []}, step_limit=1)
    feedback = world.apply({"Agent[0.5, 0.5]": "move(box_red, target_red)"})
    assert feedback.status is EpisodeStatus.SUCCESS and world.step_count == 1


def test_step_limit_ends_the_episode_through_the_pettingzoo_api():
    env = parallel_env("boxnet1", size="2x2", step_limit=3)
    env.reset(seed=1)
    for step in range(3):
        observations, rewards, terminations, truncations, infos = env.step({})
    assert all(truncations.values()) and not any(terminations.values())
    assert env.agents == [] and env.status is EpisodeStatus.STEP_LIMIT
    with pytest.raises(EpisodeOver):
        env.apply({})


def test_reference_state_text_wording():
    world = boxnet1({(0, 0): ["box_blue", "target_blue", "target_red"], (1, 1): ["box_red"]})
    assert world.observation_text("Agent[0.5, 0.5]") == (
        "Agent[0.5, 0.5]: I am in square[0.5, 0.5], I can observe ['box_blue', 'target_blue', 'target_red'], "
        "I can do ['move(box_blue, square[1.5, 0.5])', 'move(box_blue, square[0.5, 1.5])', 'move(box_blue, target_blue)']")
    assert world.history_state_text().startswith("{'0.5_0.5': ['box_blue', 'target_blue', 'target_red'], '0.5_1.5': []")


def boxnet2(boxes, targets=None, rows=2, cols=2):
    return BoxNet2World(rows, cols, targets or {}, boxes)


def test_two_boxes_on_one_corner_fail_the_episode_as_a_collision():
    env = parallel_env("boxnet2", size="2x2")
    env.reset(options={"instance": boxnet2({(0, 0): ["box_red"], (1, 1): ["box_blue"]}, {(1, 1): ["target_red", "target_blue"]}).to_dict()})
    feedback = env.apply({"Agent[0.5, 0.5]": "move(box_red, position[1.0, 1.0])"})
    assert feedback.status is CollisionStatus.COLLISION
    assert [c.place for c in feedback.events] == ["position[1.0, 1.0]"]
    assert env.agents == []


def test_collision_terminates_in_the_parallel_api():
    env = parallel_env("boxnet2", size="2x2")
    env.reset(options={"instance": boxnet2({(0, 0): ["box_red"], (0, 2): ["box_blue"]}, {(1, 1): ["target_red", "target_blue"]}).to_dict()})
    catalogue = env.world.action_catalogue("Agent[0.5, 0.5]")
    red_to_middle = catalogue.index("move(box_red, position[0.0, 1.0])")
    blue_to_middle = env.world.action_catalogue("Agent[0.5, 1.5]").index("move(box_blue, position[0.0, 1.0])")
    _, rewards, terminations, _, _ = env.step({"Agent[0.5, 0.5]": red_to_middle, "Agent[0.5, 1.5]": blue_to_middle})
    assert all(terminations.values()) and set(rewards.values()) == {-1.0}


def test_a_shared_box_is_moved_by_the_first_agent_in_row_major_order():
    world = boxnet2({(1, 1): ["box_red"]})
    feedback = world.apply({"Agent[1.5, 1.5]": "move(box_red, position[2.0, 2.0])",
                            "Agent[0.5, 0.5]": "move(box_red, position[0.0, 0.0])"})
    assert world.state.boxes[(0, 0)] == ["box_red"]
    assert [(r.key, r.reason) for r in feedback.refused] == [("Agent[1.5, 1.5]", RefusalReason.CONFLICT)]


def test_boxnet2_accepts_the_reference_round_bracket_form_and_reports_boxes_seen():
    world = boxnet2({(0, 0): ["box_red"]}, {(0, 0): ["target_red"]})
    assert world.check({"Agent[0.5, 0.5]": "move(box_red, position(1.0, 1.0))"}) == []
    assert "box_red at position[0.0, 0.0]" in world.observation_text("Agent[0.5, 0.5]")
    world.apply({"Agent[0.5, 0.5]": "move(box_red, target_red)"})
    assert world.status is EpisodeStatus.SUCCESS


def test_boxnet2_refuses_moves_off_the_agents_square():
    world = boxnet2({(0, 0): ["box_red"]})
    refused = world.check({"Agent[0.5, 0.5]": "move(box_red, position[2.0, 2.0])",
                           "Agent[1.5, 1.5]": "move(box_red, position[2.0, 2.0])"})
    assert [r.message for r in refused] == ["position[2.0, 2.0] is not a corner of square[0.5, 0.5]",
                                            "box_red is not on a corner of square[1.5, 1.5]"]


@pytest.mark.parametrize("task,size,message", [
    ("boxnet1", "1x1", "use at least 1x2"),
    ("boxnet2", "0x3", "positive"),
    ("boxnet1", "two by two", "ROWSxCOLS"),
    ("boxlift", "0x5", "at least one lifter"),
    ("warehouse", "1x5x2", "at least 2 tracks"),
    ("warehouse", "30", "got 30 agents"),
])
def test_impossible_sizes_get_a_clear_error(task, size, message):
    with pytest.raises(InvalidSize, match=message):
        parallel_env(task, size=size)


def test_sizes_beyond_the_paper_work():
    env = parallel_env("boxnet1", size="8x8")
    env.reset(seed=0)
    assert len(env.agents) == 64 and env.step_limit == 40
    assert parallel_env("boxnet2", rows=1, cols=2).size_label == "1x2"
