"""BoxLift and Warehouse rules as users rely on them."""

import numpy as np
import pytest

from colony.envs import parallel_env
from colony.envs.boxlift.world import BoxLiftWorld, FailedLift
from colony.envs.collision import CollisionStatus
from colony.envs.feedback import EpisodeStatus, RefusalReason
from colony.envs.warehouse.state import Transporter
from colony.envs.warehouse.world import WarehouseWorld


def test_an_under_powered_lift_leaves_the_box_and_says_so():
    world = BoxLiftWorld([3.0, 5.0], [3.4, 5.0], [1.5, 2.5, 4.0])
    feedback = world.apply({"box[3.0V]": "agent[1.5W]", "box[5.0V]": "agent[2.5W], agent[4.0W]"})
    assert [lift.box for lift in feedback.events_of(FailedLift)] == ["box[3.0V]"]
    assert feedback.events_of(FailedLift)[0].to_text() == (
        "The weight of box[3.0V] is higher than the summation of lifting capability of agent[1.5W], so it can not be lifted.")
    assert world.state.box_names() == ["box[3.0V]"] and feedback.achieved == ["box[5.0V] lifted"]


def test_a_lifter_is_used_once_per_step_whatever_the_key_order():
    for plan in ({"box[3.0V]": "agent[4.0W]", "box[5.0V]": "agent[4.0W], agent[2.5W]"},
                 {"box[5.0V]": "agent[4.0W], agent[2.5W]", "box[3.0V]": "agent[4.0W]"}):
        world = BoxLiftWorld([3.0, 5.0], [3.0, 5.0], [2.5, 4.0])
        feedback = world.apply(plan)
        assert [(r.key, r.reason) for r in feedback.refused] == [("box[5.0V]", RefusalReason.CONFLICT)]
        assert world.state.box_names() == ["box[5.0V]"]


def test_unknown_lifters_boxes_and_repeated_names_are_refused():
    world = BoxLiftWorld([3.0], [3.0], [2.5, 4.0])
    refused = world.check({"box[3.0V]": "agent[9.0W]", "box[7.0V]": "agent[2.5W]"})
    assert {(r.key, r.reason) for r in refused} == {("box[3.0V]", RefusalReason.ILLEGAL_ACTION),
                                                    ("box[7.0V]", RefusalReason.UNKNOWN_KEY)}
    assert world.check({"box[3.0V]": "agent[2.5W], agent[2.5W]"})[0].message == "agent[2.5W] is named twice for box[3.0V]"
    assert world.check({"box[3.0V]": ""})[0].reason is RefusalReason.MALFORMED_ACTION


def test_equal_volumes_and_capacities_get_distinct_names():
    world = BoxLiftWorld([3.0, 3.0], [2.0, 4.0], [2.5, 2.5])
    assert world.state.box_names() == ["box[3.0V]", "box[3.0V#2]"] and world.agents == ["agent[2.5W]", "agent[2.5W#2]"]
    world.apply({"box[3.0V]": "agent[2.5W]", "box[3.0V#2]": "agent[2.5W#2]"})
    assert world.state.box_names() == ["box[3.0V#2]"]


def test_weights_are_never_shown_to_planners():
    env = parallel_env("boxlift", size="4x10")
    _, infos = env.reset(seed=11)
    texts = env.state_text() + env.history_state_text() + "".join(info["text"] for info in infos.values())
    hidden = {box.weight for box in env.world.boxes} - {box.volume for box in env.world.boxes}
    assert hidden and not any(f"{w}V" in texts or f"{w}W" in texts for w in hidden)


def test_generated_lifters_can_lift_the_heaviest_box_together():
    for seed in range(30):
        env = parallel_env("boxlift", size="4x10")
        env.reset(seed=seed)
        world = env.world
        assert sum(l.capacity for l in world.state.lifters) >= max(b.weight for b in world.boxes)


def test_discrete_choices_become_box_teams():
    env = parallel_env("boxlift", size="2x3")
    env.reset(options={"instance": BoxLiftWorld([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0]).to_dict()})
    _, rewards, terminations, _, _ = env.step({"lifter_0": 3, "lifter_1": 3})  # both on box[3.0V]
    assert env.world.state.box_names() == ["box[1.0V]", "box[2.0V]"] and rewards["lifter_0"] == 1.0


def warehouse(agents, boxes):
    return WarehouseWorld(3, 5, boxes, agents)


def test_a_warehouse_collision_ends_the_episode():
    env = parallel_env("warehouse", size="4")
    world = warehouse([Transporter(1, 1), Transporter(1, 3), Transporter(None, 0), Transporter(2, 4)], [(0.5, 2)])
    env.reset(options={"instance": world.to_dict()})
    feedback = env.apply({"agent0": "move right", "agent1": "move left"})
    assert feedback.status is CollisionStatus.COLLISION
    assert [(c.place, c.occupants) for c in feedback.events] == [("track_1 column_2", ("agent0", "agent1"))]
    assert env.agents == []


def test_pick_carry_and_deliver_succeeds_on_the_step_it_happens():
    world = warehouse([Transporter(1, 0)], [(1.5, 0)])
    assert world.legal_actions("agent0") == ["move right", "move to target", "pick box_1.5_0.0"]
    world.apply({"agent0": "pick box_1.5_0.0"})
    assert world.state.boxes_left() == 1 and "I am having box on myself" in world.observation_text("agent0")
    feedback = world.apply({"agent0": "move to target"})
    assert feedback.status is EpisodeStatus.SUCCESS and feedback.achieved == ["box_1.5_0.0 delivered by agent0"]


def test_track_0_is_a_legal_destination_and_bad_tracks_are_refused():
    world = warehouse([Transporter(None, 0), Transporter(2, 2)], [(0.5, 4)])
    assert world.legal_actions("agent0") == ["move to track_0", "move to track_1", "move to track_2"]
    refused = world.check({"agent0": "move to track_3", "agent1": "move to track_0"})
    assert [r.message for r in refused] == ["track_3 does not exist",
                                            "agent1 is in track_2 and column_2; only an agent in target can move to a track"]
    world.apply({"agent0": "move to track_0"})
    assert (world.state.transporters[0].track, world.state.transporters[0].column) == (0, 0)


def test_one_box_picked_by_two_agents_goes_to_the_lower_number():
    world = warehouse([Transporter(1, 2), Transporter(2, 2)], [(1.5, 2), (0.5, 0)])
    feedback = world.apply({"agent1": "pick box_1.5_2.0", "agent0": "pick box_1.5_2.0"})
    assert world.state.transporters[0].carrying == (1.5, 2) and world.state.transporters[1].carrying is None
    assert [(r.key, r.reason) for r in feedback.refused] == [("agent1", RefusalReason.CONFLICT)]


def test_warehouse_text_keeps_the_paper_wording():
    world = warehouse([Transporter(1, 0), Transporter(None, 0)], [(0.5, 0)])
    assert world.observation_text("agent0") == ("I am agent0, I am in track_1 and column_0, I am not having box on "
                                                "myself so can pick one box. I can do: move right; move to target; pick box_0.5_0.0.")
    assert world.observation_text("agent1") == "I am agent1, I am in target now, I can do: move to track_0; move to track_1; move to track_2."


@pytest.mark.parametrize("size,agents,limit", [("4", 4, 30), ("8", 8, 40), ("4x6x10", 10, 40)])
def test_warehouse_sizes_and_step_limits(size, agents, limit):
    env = parallel_env("warehouse", size=size)
    env.reset(seed=2)
    assert len(env.agents) == agents and env.step_limit == limit
    places = [(t.track, t.column) for t in env.task_state().transporters if not t.in_target]
    assert len(places) == len(set(places)) and env.goal().progress().total > 0
    assert np.all(np.isfinite(env.world.observation_vector("agent0")))
