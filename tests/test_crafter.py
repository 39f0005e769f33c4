"""Multi-agent Crafter: sharing, deaths, the diamond, navigation refusals, shelter, seeds and seams.

Scenes are set up by editing the ``crafter`` world directly (a test's privilege); everything
is then played through the planning protocol or the PettingZoo API, as planners and users do.
"""

import json

import numpy as np
import pytest

from colony.envs import parallel_env
from colony.envs.crafter.expert import CrafterExpert
from colony.envs.crafter.recipes import CHAIN
from colony.envs.feedback import EpisodeStatus, RefusalReason
from colony.planners.context import PlanningContext


def make(agents=2, seed=3, **kwargs):
    env = parallel_env("crafter", agents=agents, **kwargs)
    env.reset(seed=seed)
    return env


def player(env, index):
    return env.world.team.players[index]


def set_material(env, cell, name):
    env.world.team._world[np.array(cell)] = name


def refresh(env):
    """Let the agents look again after a scene edit, and re-read the typed state."""
    env.world.team.look()
    env.world.state = env.world._read_state()


def move_player(env, index, cell):
    env.world.team._world.move(player(env, index), np.array(cell))
    refresh(env)


def test_share_moves_exactly_one_unit():
    env = make()
    assert env.world.state.distance("agent0", "agent1") == 1  # players spawn side by side
    player(env, 0).inventory["wood"] = 3
    refresh(env)
    feedback = env.apply({"agent0": "share wood with agent 1", "agent1": "wait"})
    assert not feedback.refused
    state = env.task_state()
    assert state.member("agent0").inventory["wood"] == 2
    assert state.member("agent1").inventory["wood"] == 1
    assert any(event.to_text() == "agent0: gave 1 wood to agent1" for event in feedback.events)


def test_share_is_refused_out_of_reach_and_for_vitals():
    env = make()
    player(env, 0).inventory["wood"] = 3
    move_player(env, 1, (player(env, 0).pos[0] + 3, player(env, 0).pos[1]))
    set_material(env, tuple(player(env, 1).pos), "grass")
    refused = env.check({"agent0": "share wood with agent 1"})
    assert len(refused) == 1 and refused[0].reason is RefusalReason.ILLEGAL_ACTION
    assert "agent1 is 3 steps away" in refused[0].message and "go to agent 1" in refused[0].message
    refused = env.check({"agent0": "share health with agent 1"})
    assert "health is a vital and cannot be shared" in refused[0].message
    assert "share health with agent 1" not in env.task_state().legal_actions("agent0")
    before = {item: n for item, n in player(env, 0).inventory.items()}
    env.apply({"agent0": "share wood with agent 1"})  # refused entries leave nothing changed
    assert player(env, 0).inventory["wood"] == before["wood"] and player(env, 1).inventory["wood"] == 0


def test_a_dead_agent_leaves_agents():
    env = make(agents=3)
    player(env, 1).health = 0
    _, _, terminations, truncations, infos = env.step({agent: 0 for agent in env.agents})
    assert terminations["agent1"] and not terminations["agent0"]
    assert env.agents == ["agent0", "agent2"]
    assert env.task_state().observation_text("agent1") == "agent1 is dead."
    assert "go to agent 1" not in env.task_state().legal_actions("agent0")
    refused = env.check({"agent0": "go to agent 1"})
    assert "agent1 is dead" in refused[0].message
    for agent in list(env.agents):
        player(env, int(agent[-1])).health = 0
    env.step({agent: 0 for agent in env.agents})
    assert env.agents == [] and env.status.value == "all_dead"


def test_the_episode_ends_on_the_first_diamond():
    env = make()
    me = player(env, 0)
    me.inventory["iron_pickaxe"] = 1
    ahead = tuple(me.pos + me.facing)
    set_material(env, ahead, "diamond")
    refresh(env)
    assert "collect diamond" in env.task_state().legal_actions("agent0")
    feedback = env.apply({"agent0": "collect diamond", "agent1": "explore"})
    assert "agent0 collect_diamond" in feedback.achieved
    assert env.status is EpisodeStatus.SUCCESS and env.agents == []
    assert env.goal().progress().done == env.goal().progress().total
    assert env.goal().milestones() == {"collect_diamond": 1}


def test_navigation_refuses_what_cannot_be_done_now_with_the_reason():
    env = make(seed=11)
    state = env.task_state()
    assert "collect stone" not in state.legal_actions("agent0")
    assert env.check({"agent0": "collect stone"})[0].message == "collect stone needs 1 wood_pickaxe more"
    player(env, 0).inventory["iron_pickaxe"] = 1
    refresh(env)
    detail = env.check({"agent0": "collect diamond"})[0].message
    assert detail == "agent0 has not seen any diamond yet (explore first)"
    assert "make wood_pickaxe needs 1 wood more" in env.check({"agent0": "make wood_pickaxe"})[0].message
    assert "not an action" not in detail
    malformed = env.check({"agent0": "fly to the moon"})[0]
    assert malformed.reason is RefusalReason.MALFORMED_ACTION and "explore" in malformed.message


def test_a_route_that_does_not_exist_is_reported_in_the_events():
    env = make(agents=1, seed=5)
    me = player(env, 0)
    x, y = (int(v) for v in me.pos)
    for dx in range(-2, 3):  # water all around: the agent sees trees but cannot reach any
        for dy in range(-2, 3):
            if (dx, dy) != (0, 0):
                set_material(env, (x + dx, y + dy), "water")
    set_material(env, (x + 3, y), "tree")
    refresh(env)
    feedback = env.apply({"agent0": "collect wood"})
    assert [event.to_text() for event in feedback.events if getattr(event, "what", "") == "route"] == \
        ["agent0: collect wood: no known route"]


def test_shelter_seals_the_agent_into_rock():
    env = make(agents=1, seed=7)
    me = player(env, 0)
    x, y = (int(v) for v in me.pos)
    for dx in range(1, 6):
        for dy in range(-2, 3):
            set_material(env, (x + dx, y + dy), "stone")
    for dx in range(-3, 1):
        for dy in range(-2, 3):
            set_material(env, (x + dx, y + dy), "grass")
    me.inventory["wood_pickaxe"] = 1
    refresh(env)
    assert not env.task_state().sealed("agent0")
    for _ in range(12):
        env.apply({"agent0": "shelter"})
        if env.task_state().sealed("agent0"):
            break
    state = env.task_state()
    assert state.sealed("agent0") and state.member("agent0").position[0] > x
    assert "sheltered" in state.observation_text("agent0")
    assert "shelter needs a wood_pickaxe" in make(agents=1).check({"agent0": "shelter"})[0].message


def test_place_digs_a_spot_in_rock_beside_a_table_rather_than_step_away():
    env = make(agents=1, seed=7)
    me = player(env, 0)
    x, y = (int(v) for v in me.pos)
    for dx in range(-2, 3):  # a tunnel running east-west through rock, a table at its east end
        for dy in range(-2, 3):
            set_material(env, (x + dx, y + dy), "stone")
    set_material(env, (x - 1, y), "path")
    set_material(env, (x, y), "path")
    set_material(env, (x + 1, y), "table")
    me.facing = np.array((1, 0))
    me.inventory.update(wood_pickaxe=1, stone=9)
    refresh(env)
    for _ in range(4):
        env.apply({"agent0": "place furnace"})
    assert tuple(int(v) for v in me.pos) == (x, y)  # it never left the table
    around = env.task_state().nearby_materials("agent0")
    assert {"table", "furnace"} <= around


def test_explore_heads_for_the_widest_view_of_the_unknown():
    from colony.envs.crafter.navigation import Terrain, lookouts, window_counts

    mask = np.random.default_rng(0).random((20, 16)) < 0.3
    brute = np.array([[mask[max(0, i - 2):i + 3, max(0, j - 1):j + 2].sum() for j in range(16)] for i in range(20)])
    assert (window_counts(mask, (2, 1)) == brute).all()
    known = np.full((30, 30), -1, np.int16)
    known[5:25, 5:25] = 1  # a known square of grass (id 1) in the middle of the unknown
    known[5, 5:25] = 2  # its western edge (x = 5) is rock (id 2)
    terrain = Terrain(known, walkable={1}, minable=set(), occupied=set())
    best = lookouts(terrain, (15, 15), (0, 0), (4, 3), rock_ids=set())
    assert best and all(min(c[0] - 5, 24 - c[0], c[1] - 5, 24 - c[1]) <= 3 for c in best)  # at the edge of the known
    miner = Terrain(known, walkable={1}, minable={2}, occupied=set())
    assert lookouts(miner, (15, 15), (0, 0), (4, 3), rock_ids={2})[0][0] <= 8  # a miner goes for the rock


def test_explore_takes_the_best_reachable_lookout_when_the_best_lie_out_of_reach():
    from colony.envs.crafter.navigation import Terrain, lookouts, reachable

    known = np.full((30, 30), -1, np.int16)
    known[5:15, 5:25] = 1  # the agent's meadow (grass, id 1)
    known[15:20, 5:25] = 2  # a band of rock (id 2) it cannot mine yet...
    known[20, 10:20] = 3  # ...with a path (id 3) beyond it, next to much rock-like unknown
    known[21:24, 10:20] = 2
    terrain = Terrain(known, walkable={1, 3}, minable=set(), occupied=set())
    best = lookouts(terrain, (10, 15), (0, 0), (4, 3), rock_ids={2, 3})
    assert best and best[0][0] == 20  # on the path: the most rock to see, but no way there
    within = reachable(terrain, (10, 15))
    assert within[5:15, 5:25].all() and not within[15:].any()
    narrowed = lookouts(terrain, (10, 15), (0, 0), (4, 3), rock_ids={2, 3}, within=within)
    assert narrowed and all(within[cell] for cell in narrowed)


def test_a_miner_digs_straight_along_the_side_that_reveals_the_most_rock():
    from colony.envs.crafter.navigation import Terrain, rock_weights, straight_lines

    known = np.full((20, 20), 2, np.int16)  # rock (id 2) the agent can mine...
    known[:, :5] = -1  # ...and unknown beyond y = 5, to the north
    terrain = Terrain(known, walkable={1}, minable={2}, occupied=set())
    weights = rock_weights(terrain, {2})
    assert weights[10, 4] == pytest.approx(1.1) and weights[10, 5] == 0  # unknown next to rock: likely rock
    lines = straight_lines(terrain, (10, 9), (0, -1), (4, 3), weights)
    rate, side = lines[0]
    assert side == (0, -1)  # north: rows of nine unknown cells, three of them within sight, two actions a cell
    assert rate == pytest.approx(3 * 9 * 1.1 / 8)
    assert all(other == 0 for other, _ in lines[1:])  # the other sides reveal only what is known
    turned = straight_lines(terrain, (10, 9), (1, 0), (4, 3), weights)[0]
    assert turned[0] == pytest.approx(3 * 9 * 1.1 / 9)  # facing east, turning north costs an action more
    known[10, 7] = 3  # lava (blocks) two cells north: the line stops short of it
    assert straight_lines(terrain, (10, 9), (0, -1), (4, 3), rock_weights(terrain, {2}))[0][0] == 0


def test_by_night_hunger_keeps_a_miner_in_the_rock():
    import dataclasses

    from colony.envs.crafter.pilot import NIGHT, THIRSTY, Pilot
    from colony.envs.crafter.recipes import parse_action

    env = make(agents=1, seed=3)
    x, y = (int(v) for v in player(env, 0).pos)
    for cx in range(x - 12, x + 13):  # grassland to the west of the agent, rock to the east
        for cy in range(y - 12, y + 13):
            set_material(env, (cx, cy), "grass" if cx <= x else "stone")
    player(env, 0).inventory["stone_pickaxe"] = 1
    refresh(env)

    def explore(food, daylight):
        player(env, 0).inventory["food"] = food
        state = dataclasses.replace(env.world._read_state(), daylight=daylight)
        pilot = Pilot(env.world.team, 1)
        pilot.begin_step(state)
        move, _ = pilot.primitive(0, parse_action("explore"))
        return move, pilot.explore_targets[0]

    fed = explore(9, 1.0)
    assert fed[0].startswith("move_") and fed[1] is None  # fed, by day: digs a straight line (no lookout)
    move, lookout = explore(THIRSTY, 1.0)  # hungry by day: no dig, off to a lookout on the grass (cows)
    assert move.startswith("move_") and lookout is not None and env.world.team.material_at(lookout) == "grass"
    assert explore(THIRSTY, NIGHT / 2) == fed  # hungry by night: zombies crowd the grass, so it digs on


def test_a_lone_agent_never_freezes_for_want_of_a_reachable_lookout():
    # with rock-weighted lookouts and no fallback, seed 7036 left a lone expert standing still for 287 of
    # its 350 steps: the six best lookouts lay on a path inside rock it could not yet mine
    env = make(agents=1, seed=7036)
    expert = CrafterExpert()
    stuck = 0
    while env.world.step_count < 120 and not env.status.is_over:  # with straight digs 7036 ends in a diamond at 95
        feedback = env.apply(expert.plan(PlanningContext.from_surface(env)))
        stuck += sum("nothing left to explore" in getattr(event, "detail", "") for event in feedback.events)
    assert stuck == 0
    assert env.task_state().member("agent0").inventory["wood_pickaxe"]


def test_an_expert_at_critical_health_shelters_by_day_and_rests_until_healed():
    from colony.envs.crafter import expert as rules

    env = make(agents=1, seed=7036)
    expert = CrafterExpert()
    for _ in range(80):  # by day, before this seed's diamond (step 95)
        env.apply(expert.plan(PlanningContext.from_surface(env)))
    player = env.world.team.players[0]
    assert env.world.state.daylight >= 0.4  # day
    player.health = rules.CRITICAL
    env.world.state = env.world._read_state()
    assert expert.plan(PlanningContext.from_surface(env))["agent0"] in ("shelter", "attack zombie", "attack skeleton")
    assert "agent0" in expert.resting
    player.health = rules.HEALED
    env.world.state = env.world._read_state()
    expert.plan(PlanningContext.from_surface(env))
    assert "agent0" not in expert.resting


def test_the_world_lists_its_diamonds_for_benchmarks_and_tells_no_agent():
    env = make(agents=1, seed=5006)  # a benchmark world with one diamond, far from the start
    team = env.world.team
    diamonds = team.cells_of("diamond")
    assert len(diamonds) == 1 and all(team.material_at(cell) == "diamond" for cell in diamonds)
    assert not env.task_state().knows("agent0", "diamond")  # out of the agent's view at the start


def test_same_seed_same_trajectory():
    def play(seed):
        env = make(agents=3, seed=seed)
        expert = CrafterExpert()
        for _ in range(60):
            env.apply(expert.plan(PlanningContext.from_surface(env)))
        return env.world.history, env.task_state().history_state_text(), env.world.team.view_of(0).tobytes()

    assert play(21) == play(21)
    assert play(21)[0] != play(22)[0]


def test_a_record_replays_to_the_same_world():
    env = make(agents=2, seed=4)
    expert = CrafterExpert()
    for _ in range(25):
        env.apply(expert.plan(PlanningContext.from_surface(env)))
    record = env.world.to_dict()
    replayed = parallel_env("crafter", instance=record)
    replayed.reset()
    assert replayed.task_state().history_state_text() == env.task_state().history_state_text()
    assert replayed.world.step_count == env.world.step_count == 25


def test_event_stream_and_message_slot():
    env = make()
    obs, infos = env.reset(seed=3)
    assert infos["agent0"]["messages"] == [] and "Messages" not in infos["agent0"]["text"]
    env.deliver("agent1", "wood is to the north")
    infos = env._infos()
    assert infos["agent1"]["messages"] == ["wood is to the north"]
    assert "Messages: wood is to the north" in infos["agent1"]["text"]
    player(env, 0).inventory["wood"] = 2
    player(env, 0).health = 5
    refresh(env)
    feedback = env.apply({"agent0": "share wood with agent 1", "agent1": "wait"})
    texts = [event.to_text() for event in feedback.events]
    assert "agent0: wood -1" in texts and "agent1: wood +1" in texts
    assert env.task_state().inboxes == [[], []]  # messages last one step


def test_pettingzoo_views_and_render():
    env = parallel_env("crafter", agents=4, render_mode="rgb_array")
    obs, infos = env.reset(seed=2)
    view = obs["agent0"]["observation"]
    assert view.shape == (64, 64, 3) and view.dtype == np.uint8
    assert env.observation_space("agent0")["observation"].contains(view)
    text = infos["agent2"]["text"]
    for part in ("health", "holds", "View", "Agents in view: agent", "I can do"):
        assert part in text
    frame = env.render()
    assert frame.ndim == 3 and frame.shape[2] == 3 and frame.shape[1] > 64


def test_big_teams_run():
    env = make(agents=32, seed=1)
    expert = CrafterExpert()
    for _ in range(5):
        env.apply(expert.plan(PlanningContext.from_surface(env)))
    assert len(env.agents) == 32 and env.world.step_count == 5
    with pytest.raises(ValueError, match="1 to 64 agents"):
        parallel_env("crafter", agents=65)


def test_the_cli_runs_the_expert_team_with_chain_milestones(tmp_path):
    from colony.launch.cli import main

    code = main(["run", "crafter", "--scheme", "expert", "--agents", "2", "--instances", "1", "--set", "step_limit=30",
                 "--out", str(tmp_path), "--name", "team"])
    assert code == 0
    episode = json.loads((tmp_path / "team" / "summary.json").read_text())["per_episode"][0]
    assert episode["steps"] == 30 and episode["outcome"] == "step_limit"
    assert 1 <= episode["milestones"]["collect_wood"] <= 30
    assert list(episode["milestones"]) == [name for name in CHAIN if name in episode["milestones"]]


def pickaxe_far_from_diamond():
    """agent0 holds an iron pickaxe; agent1, twelve cells away, has seen a diamond."""
    env = make(agents=2, seed=3)
    player(env, 0).inventory["iron_pickaxe"] = 1
    x, y = (int(v) for v in player(env, 0).pos)
    move_player(env, 1, (x + 12, y))
    set_material(env, (x + 13, y + 1), "diamond")
    refresh(env)
    return env, x, y


def test_the_expert_brings_the_iron_pickaxe_to_whoever_has_seen_a_diamond():
    env, x, y = pickaxe_far_from_diamond()
    state = env.task_state()
    assert state.knows("agent1", "diamond") and not state.knows("agent0", "diamond")
    plan = CrafterExpert().plan(PlanningContext.from_surface(env))
    assert plan == {"agent0": "go to agent 1", "agent1": "go to agent 0"}
    move_player(env, 1, (x + 1, y))
    plan = CrafterExpert().plan(PlanningContext.from_surface(env))
    assert plan["agent0"] == "share iron_pickaxe with agent 1"
    env.apply(plan)
    assert player(env, 1).inventory["iron_pickaxe"] == 1 and player(env, 0).inventory["iron_pickaxe"] == 0


@pytest.mark.parametrize("comms,first,second", [
    ({}, True, True),  # the ideal broker: the same handover as the central expert
    ({"delay": 1}, False, True),  # the news arrives a step late
    ({"drop": 1.0}, False, False),  # nothing arrives: neither knows the other
    ({"enabled": False}, False, False),
])
def test_through_the_broker_the_handover_waits_for_the_news(comms, first, second):
    from colony.comms.broker import Broker, CommsConfig
    from colony.planners.experts import ExpertPlanner

    env, _, _ = pickaxe_far_from_diamond()
    planner = ExpertPlanner("crafter", Broker(CommsConfig(**comms)))
    planner.start_episode(3)
    result = planner.plan(PlanningContext.from_surface(env), None)
    assert (result.plan == {"agent0": "go to agent 1", "agent1": "go to agent 0"}) is first
    said = {m["sender"]: m["text"] for m in result.messages}
    assert said == {"agent0": "I have an iron pickaxe and have seen no diamond.",
                    "agent1": "I have seen a diamond and have no iron pickaxe."}
    env.apply({"agent0": "wait", "agent1": "wait"})
    result = planner.plan(PlanningContext.from_surface(env), None)
    assert (result.plan == {"agent0": "go to agent 1", "agent1": "go to agent 0"}) is second
