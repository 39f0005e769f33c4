"""Structured comms: messages are validated, delivery rules and faults hold, every scheme survives silence."""

import pytest

from colony.comms.broker import Broker, CommsConfig, Delivery, count_outcomes
from colony.comms.messages import CENTRAL, Collaboration, InvalidMessage, MessageKind, make_message
from colony.envs import parallel_env
from colony.planners.config import ConfigError, PlannerConfig
from colony.planners.run import run_scenario
from colony.planners.schemes import SCHEMES
from colony.planners.tokens import gpt4_counter
from planner_helpers import scenario
from task_cases import CASES
from test_schemes import no_history, planner, speaker


def crafter_state(agents=3, seed=5200):
    env = parallel_env("crafter", agents=agents)
    env.reset(seed=seed)
    return env.task_state()


def say(sender, recipients, text="hello", step=1, **fields):
    return make_message(sender=sender, recipients=tuple(recipients), step=step, kind=MessageKind.STATUS, text=text,
                        **fields)


@pytest.mark.parametrize("fields,named", [
    ({"sender": ""}, "sender"),
    ({"recipients": ()}, "recipients"),
    ({"recipients": ("agent1", "agent1")}, "recipients"),
    ({"recipients": ("agent0",)}, "recipients"),  # to itself
    ({"step": -1}, "step"),
    ({"kind": "gossip"}, "kind"),
    ({"text": "  "}, "text"),
    ({"text": "x" * 5000}, "text"),
    ({"collaboration": {"target_agent": "agent1", "mood": "happy"}}, "collaboration.mood"),
])
def test_an_invalid_message_is_refused_with_the_field_named(fields, named):
    good = {"sender": "agent0", "recipients": ("agent1",), "step": 1, "kind": "status", "text": "hi"}
    with pytest.raises(InvalidMessage, match=rf"invalid message: {named}\b"):
        make_message(**{**good, **fields})


def test_a_collaboration_block_renders_itself():
    message = say("agent1", ["agent0"], "I bring stone", collaboration=Collaboration(
        target_agent="agent0", target_need="1 stone", how_to_help="share stone", can_help_now=True))
    assert message.to_prompt() == "agent1: I bring stone [helping agent0 who needs 1 stone; by share stone; now]\n"


def test_a_message_beyond_range_is_not_delivered():
    state = crafter_state(agents=6)  # six agents side by side near the centre: some one cell away, some farther

    def distance(a, b):
        (ax, ay), (bx, by) = state.agent_position(a), state.agent_position(b)
        return abs(ax - bx) + abs(ay - by)

    broker = Broker(CommsConfig(range=1), gpt4_counter())
    broker.begin_step(1, state)
    outcomes = broker.send(say("agent0", ["*"]))
    near = [a for a in state.agents[1:] if distance("agent0", a) <= 1]
    far = [a for a in state.agents[1:] if distance("agent0", a) > 1]
    assert near and far
    assert all(outcomes[a] is Delivery.DELIVERED for a in near)
    assert all(outcomes[a] is Delivery.OUT_OF_RANGE for a in far)
    assert all([m.text for m in broker.take(a)] == ["hello"] for a in near) and all(broker.take(a) == [] for a in far)
    broker.send(say(CENTRAL, far))  # the central planner is not limited by range
    assert all(len(broker.take(a)) == 1 for a in far)


def test_range_needs_positions_and_silent_agents_must_exist():
    env = parallel_env("boxlift")
    env.reset(seed=1)
    state = env.task_state()
    broker = Broker(CommsConfig(range=2))
    broker.begin_step(1, state)
    with pytest.raises(ValueError, match="comms.range: this task reports no agent positions"):
        broker.send(say(state.agents[0], [state.agents[1]]))
    with pytest.raises(ValueError, match="comms.silent: agent9 not among"):
        Broker(CommsConfig(silent=["agent9"])).begin_step(1, crafter_state())


def test_a_dropped_message_is_logged_as_dropped_and_never_seen():
    state = crafter_state()
    broker = Broker(CommsConfig(drop=1.0), gpt4_counter())
    broker.reset(seed=7)
    broker.begin_step(1, state)
    broker.send(say("agent0", ["agent1", "agent2"], "wood at 30,31"))
    assert [record["outcomes"] for record in broker.since(0)] == [{"agent1": "dropped", "agent2": "dropped"}]
    assert broker.take("agent1") == [] and broker.take("agent2") == []
    totals = count_outcomes(broker.since(0))
    assert totals["messages"] == 1 and totals["dropped"] == 2 and totals["delivered"] == 0 and totals["tokens"] > 0


def test_drops_are_seeded_and_about_the_configured_rate():
    state = crafter_state(agents=6)

    def outcomes(seed):
        broker = Broker(CommsConfig(drop=0.3))
        broker.reset(seed)
        broker.begin_step(1, state)
        return [o for _ in range(100) for o in broker.send(say("agent0", ["*"])).values()]

    first = outcomes(3)
    assert first == outcomes(3) and first != outcomes(4)
    assert 0.2 < first.count(Delivery.DROPPED) / len(first) < 0.4


def test_a_bandwidth_cap_refuses_the_message_over_it():
    state = crafter_state()
    broker = Broker(CommsConfig(max_messages=2, max_chars=12))
    broker.begin_step(1, state)
    assert broker.send(say("agent0", ["agent1"], "abcde"))["agent1"] is Delivery.DELIVERED
    assert broker.send(say("agent0", ["agent1"], "x" * 8))["agent1"] is Delivery.OVER_BANDWIDTH  # 13 chars > 12
    assert broker.send(say("agent0", ["agent1"], "fghij"))["agent1"] is Delivery.DELIVERED  # 10 chars, 2 messages
    assert broker.send(say("agent0", ["agent1"], "k"))["agent1"] is Delivery.OVER_BANDWIDTH  # a third message
    assert broker.send(say("agent1", ["agent0"], "mine"))["agent0"] is Delivery.DELIVERED  # caps are per sender
    assert [m.text for m in broker.take("agent1")] == ["abcde", "fghij"]
    broker.begin_step(2, state)  # a new step, a new allowance
    assert broker.send(say("agent0", ["agent1"], "k", step=2))["agent1"] is Delivery.DELIVERED


def test_a_delayed_message_arrives_steps_later_and_a_silent_agent_says_nothing():
    state = crafter_state()
    broker = Broker(CommsConfig(delay=1, silent=["agent2"]))
    broker.begin_step(1, state)
    broker.send(say("agent0", ["agent1"], "later"))
    assert broker.send(say("agent2", ["agent1"], "never"))["agent1"] is Delivery.SILENCED
    assert broker.take("agent1") == []
    broker.begin_step(2, state)
    assert [m.text for m in broker.take("agent1")] == ["later"]


def test_dmas_turns_travel_through_the_broker():
    case = CASES["boxnet1"]
    _, context = case.context()
    last = context.agents[-1]

    def respond(request):
        who = speaker(request.prompt)
        return f"EXECUTE\n{case.good_json}" if who == last else f"Turn of {who}. PROCEED"

    dmas, model = planner("boxnet1", "dmas", respond=respond)
    dmas.broker = Broker(CommsConfig(drop=1.0), gpt4_counter())
    result = dmas.plan(context, no_history())
    assert result.plan == case.good  # the executing agent's plan is the step's plan
    assert len(model.requests) == len(context.agents)
    assert not any("Turn of" in request.prompt for request in model.requests)  # ...but nobody heard anybody
    assert result.messages and all(set(m["outcomes"].values()) == {"dropped"} for m in result.messages)


def test_hmas2_objections_that_are_dropped_never_reach_the_central_planner():
    case = CASES["boxnet1"]
    _, context = case.context()
    hmas2, model = planner("boxnet1", "hmas2", [case.good_json, "I object: no."], feedback_rounds=2)
    hmas2.broker = Broker(CommsConfig(drop=1.0))
    result = hmas2.plan(context, no_history())
    assert result.plan == case.good and len(model.requests) == 1  # nobody saw the plan, nobody objected
    assert result.messages[0]["kind"] == "plan" and set(result.messages[0]["outcomes"].values()) == {"dropped"}


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("task", ["boxnet1", "warehouse"])
def test_every_scheme_completes_an_episode_when_every_message_is_dropped(tmp_path, task, scheme):
    config = scenario(task, tmp_path, **{"llm.spec": "oracle", "planner.scheme": scheme, "comms.drop": 1.0})
    _, summary = run_scenario(config)
    episode = summary["per_episode"][0]
    assert episode["outcome"] in ("success", "step_limit")  # the episode ran to its end, agents acting alone
    comms = episode["comms"]
    if scheme != "cmas":
        assert comms["messages"] > 0 and comms["delivered"] == 0 and comms["dropped"] > 0
    else:
        assert comms == {}  # a central planner talks to nobody


def test_comms_settings_are_validated_with_the_field_named(tmp_path):
    with pytest.raises(ConfigError, match="comms.drop"):
        scenario("boxnet1", tmp_path, **{"comms.drop": 1.5})
    with pytest.raises(ConfigError, match="comms.loudness"):
        scenario("boxnet1", tmp_path, **{"comms.loudness": 3})
    assert PlannerConfig().scheme == "hmas2"


def test_a_run_recorded_before_comms_existed_resumes_at_the_defaults(tmp_path):
    import yaml

    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "expert", "instances": 1})
    folder, _ = run_scenario(config)
    recorded = yaml.safe_load((folder / "config.yaml").read_text())
    del recorded["comms"], recorded["planner"]["organization"], recorded["planner"]["carry_memory"]
    (folder / "config.yaml").write_text(yaml.safe_dump(recorded))
    run_scenario(scenario("boxnet1", tmp_path, **{"planner.scheme": "expert", "instances": 2}), resume=True)
    from colony.planners.records import ResumeConflict

    with pytest.raises(ResumeConflict, match="comms.drop"):  # a changed setting is still refused
        run_scenario(scenario("boxnet1", tmp_path, **{"planner.scheme": "expert", "instances": 2, "comms.drop": 0.5}),
                     resume=True)
