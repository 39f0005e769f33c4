"""The knowledge-graph memory: what a user relies on when an agent remembers."""

import json

import networkx as nx
import pytest

from colony.envs import parallel_env
from colony.memory.graph import GoalStatus, KnowledgeGraph
from colony.memory.team import TEAM, GraphMemory
from colony.memory.working import WorkingMemory
from colony.planners.episode import run_episode
from colony.planners.experts import ExpertPlanner
from colony.planners.run import run_scenario
from colony.planners.tokens import gpt4_counter
from planner_helpers import scenario


def play(task, steps, seed, **env_settings):
    """The expert for ``steps`` steps with the knowledge-graph memory recording."""
    env = parallel_env(task, step_limit=steps, **env_settings)
    memory = GraphMemory(task, gpt4_counter())
    summary = run_episode(env, ExpertPlanner(task), memory, index=0, seed=seed)
    return memory, summary


@pytest.fixture(scope="module")
def crafter_memory():
    return play("crafter", 60, 5100, size="2")


def test_every_decision_is_a_step_node_and_an_achievement_marks_its_goal_done(crafter_memory):
    memory, summary = crafter_memory
    for agent in ("agent0", "agent1"):
        graph = memory.graphs[agent]
        steps = graph.steps()
        assert [step["time"] for step in steps] == list(range(1, summary.steps + 1))  # one per decision
        done = {data["name"]: data for data in graph.goals() if data["status"] == GoalStatus.DONE}
        # a goal done once (collect_wood may be taken up again for more wood, and is then active)
        assert "make_wood_pickaxe" in done, f"{agent} made a wood pickaxe in the first 60 steps"
        pickaxe = done["make_wood_pickaxe"]
        # the goal is done at the step whose feedback reported the achievement, and the chain's node with it
        achieved_at = [step["time"] for step in steps if f"{agent} make_wood_pickaxe" in step["events"]]
        assert achieved_at and pickaxe["done_step"] == achieved_at[-1]
        assert graph.graph.nodes[graph.long_term_node("make_wood_pickaxe")]["status"] == GoalStatus.DONE
        first = steps[0]
        assert first["action"] and "inventory" in first and "prerequisites_met" in first and first["goal"]
        # the DAMCS edges: long-term sequence, long-term -> goal, goal -> step, step -> step
        relations = {data["relation"] for _, _, data in graph.graph.edges(data=True)}
        assert relations >= {"next", "has", "step"}


def test_prerequisites_come_from_the_recipe_table():
    env = parallel_env("crafter", size="1")
    env.reset(seed=1)
    fresh = env.task_state()
    assert fresh.missing_prerequisites("agent0", "make_wood_pickaxe") == ["1 wood", "a table nearby"]
    assert fresh.missing_prerequisites("agent0", "collect_diamond") == ["1 iron_pickaxe"]
    assert fresh.missing_prerequisites("agent0", "explore") == []


def test_memory_survives_a_save_and_load_round_trip_unchanged(crafter_memory, tmp_path):
    memory, _ = crafter_memory
    memory.save(tmp_path)
    loaded = GraphMemory.load("crafter", gpt4_counter(), tmp_path)
    assert set(loaded.graphs) == set(memory.graphs)
    for owner, graph in memory.graphs.items():
        again = loaded.graphs[owner]
        assert nx.utils.graphs_equal(graph.graph, again.graph)
        assert again.to_json() == graph.to_json()
        assert loaded.to_prompt(owner, 400) == memory.to_prompt(owner, 400)
    graphml = memory.graphs["agent0"].write_graphml(tmp_path / "agent0.graphml")
    assert nx.read_graphml(graphml).number_of_nodes() == memory.graphs["agent0"].graph.number_of_nodes()
    with pytest.raises(ValueError, match="not a Colony knowledge graph"):
        KnowledgeGraph.from_json({"format": "something else"})


@pytest.mark.parametrize("budget", [0, 20, 60, 150, 400, 2000])
def test_working_memory_never_exceeds_its_token_budget(crafter_memory, budget):
    memory, _ = crafter_memory
    counter = gpt4_counter()
    for agent in (None, "agent0", "agent1"):
        text = memory.to_prompt(agent, budget)
        assert counter.count(text) <= budget
    full = WorkingMemory.from_graph(memory.graphs["agent0"]).lines()
    if budget >= 2000:
        assert memory.to_prompt("agent0", budget) == "".join(line + "\n" for line in full)


def test_the_working_memory_names_efforts_events_and_missing_prerequisites(crafter_memory):
    memory, _ = crafter_memory
    text = memory.to_prompt("agent0", 2000)
    assert text.startswith("Memory of agent0 (up to step 60):")
    assert "Long-term goals done: collect_wood (step" in text and "Efforts: " in text
    assert "Event at step" in text


def test_robot_tasks_remember_the_boxes_as_goals():
    memory, summary = play("boxnet1", 30, 1000, size="2x2")
    assert summary.success
    team = memory.graphs[TEAM]
    goals = {data["name"]: data["status"] for data in team.goals()}
    assert goals and all(name.startswith("deliver box_") for name in goals)
    assert set(goals.values()) == {GoalStatus.DONE}  # every box delivered
    assert len(team.steps()) == summary.steps
    assert team.graph.nodes[team.long_term_node(team.long_term()[0]["name"])]["status"] == GoalStatus.DONE


def test_history_memory_runs_from_the_config_and_carries_across_episodes(tmp_path):
    config = scenario("boxlift", tmp_path, **{"planner.scheme": "expert", "planner.history": "memory",
                                              "planner.carry_memory": True, "instances": 2})
    folder, summary = run_scenario(config)
    assert summary["successes"] == 2
    first = json.loads((folder / "memory" / "episode_00" / "team.json").read_text())
    second = json.loads((folder / "memory" / "episode_01" / "team.json").read_text())
    assert first["graph"]["graph"]["episode"] == 0 and second["graph"]["graph"]["episode"] == 1
    assert len(second["graph"]["nodes"]) > len(first["graph"]["nodes"])  # the second episode built on the first
    assert (folder / "memory" / "episode_01" / "team.graphml").exists()


def test_a_task_without_memory_patterns_still_records_steps():
    graph = KnowledgeGraph("someone", ["win"])
    node = graph.add_step(1, None, {"action": "wait"})
    graph.set_result(node, "idle", [])
    assert graph.steps()[0]["goal"] is None and graph.next_long_term() == "win"
