"""Every registered task, at every paper size, honours the PettingZoo API and its seed."""

import warnings

import numpy as np
import pytest
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test

from colony.envs import env, parallel_env


def _rollout(name, size, seed):
    """Text and feedback of a seeded random-legal episode, as comparable data."""
    environment = parallel_env(name, size=size)
    observations, infos = environment.reset(seed=seed)
    rng = np.random.default_rng(seed)
    trace = [environment.snapshot()]
    while environment.agents:
        actions = {a: int(rng.choice(np.flatnonzero(o["action_mask"]))) for a, o in observations.items()}
        observations, rewards, terminations, truncations, infos = environment.step(actions)
        trace.append((environment.last_feedback.to_dict(), environment.history_state_text(), rewards))
    return trace


def test_parallel_api(registry_case):
    name, size = registry_case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parallel_api_test(parallel_env(name, size=size), num_cycles=200)


def test_aec_api_through_conversion(registry_case):
    name, size = registry_case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api_test(env(name, size=size), num_cycles=50)


def test_same_seed_same_episode(registry_case):
    name, size = registry_case
    assert _rollout(name, size, 7) == _rollout(name, size, 7)
    first = parallel_env(name, size=size)
    first.reset(seed=7)
    other = parallel_env(name, size=size)
    other.reset(seed=8)
    assert first.snapshot() != other.snapshot(), "different seeds should give different instances"


def test_pettingzoo_seed_test(registry_case):
    name, size = registry_case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parallel_seed_test(lambda: parallel_env(name, size=size), num_cycles=30)


def test_masked_actions_are_exactly_the_legal_ones(registry_case):
    name, size = registry_case
    environment = parallel_env(name, size=size)
    observations, infos = environment.reset(seed=3)
    for agent in environment.agents:
        catalogue = environment.world.action_catalogue(infos[agent]["name"])
        unmasked = {catalogue[i] for i in np.flatnonzero(observations[agent]["action_mask"])} - {None}
        assert unmasked == set(infos[agent]["legal_actions"])
        assert infos[agent]["text"] == environment.observation_text(infos[agent]["name"])


def test_unknown_environment_names_the_registered_ones():
    with pytest.raises(KeyError, match="boxnet1"):
        parallel_env("boxnet3")
