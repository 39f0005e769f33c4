"""The MineDojo adapter: a clear error where MineDojo cannot start (here), and its observation and
action mapping on observations in MineDojo's documented format (docs.minedojo.org)."""

import numpy as np
import pytest

from colony.envs import minedojo_adapter
from colony.envs.minedojo_adapter import ActionMap, MineDojoParallelEnv, MineDojoUnavailable, observation_text


def documented_observation(names=("wooden pickaxe", "planks", "air", "planks", "dirt"), quantities=(1, 4, 0, 3, 7)):
    """An observation with the keys, dtypes and shapes of MineDojo's Observation Space page."""
    slots = 36
    name = np.array(list(names) + ["air"] * (slots - len(names)), dtype=object)
    quantity = np.array(list(quantities) + [0] * (slots - len(quantities)), dtype=np.int64)
    blocks = np.full((3, 3, 3), "air", dtype=object)
    blocks[:, 0, :] = "grass block"
    blocks[2, 1, 1] = "log"
    return {
        "rgb": np.zeros((3, 16, 24), np.uint8),
        "inventory": {"name": name, "quantity": quantity},
        "equipment": {"name": np.array(["wooden pickaxe", "air", "air", "air", "air", "air"], dtype=object),
                      "quantity": np.array([1, 0, 0, 0, 0, 0])},
        "life_stats": {"life": np.array([18.0]), "food": np.array([20.0]), "oxygen": np.array([300.0]),
                       "saturation": np.array([5.0])},
        "location_stats": {"pos": np.array([10.5, 64.0, -3.25]), "yaw": np.array([90.0]), "pitch": np.array([0.0])},
        "voxels": {"block_name": blocks},
        "masks": {"action_type": np.array([1, 1, 1, 1, 0, 1, 1, 1], bool),
                  "craft_smelt": np.ones(3, bool)},
    }


def test_creating_it_without_minedojo_names_what_is_missing_and_points_to_crafter(monkeypatch):
    monkeypatch.setattr(minedojo_adapter.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MineDojoUnavailable) as error:
        MineDojoParallelEnv(agents=2)
    text = str(error.value)
    assert "MineDojo: the `minedojo` package is not installed" in text
    assert "Java" in text or "java" in text.lower()
    assert 'parallel_env("crafter", agents=N)' in text


def test_a_missing_java_is_named(monkeypatch):
    monkeypatch.setattr(minedojo_adapter.shutil, "which", lambda name: None)
    assert any(part.startswith("Java: MineDojo needs JDK 8") for part in minedojo_adapter.missing_parts())


def test_observation_text_reads_the_documented_format():
    text = observation_text("agent0", documented_observation())
    assert text.splitlines()[0] == ("agent0 at [10.5, 64.0, -3.2] facing yaw 90 pitch 0; life 18, food 20, oxygen 300; "
                                    "holds dirt 7, planks 7, wooden_pickaxe 1; in hand wooden pickaxe.")
    assert "log" in text and "grass block" in text


def test_actions_map_to_minedojo_vectors():
    actions = ActionMap(["crafting table", "stick", "wooden pickaxe"], ["planks", "dirt", "cobblestone"])
    obs = documented_observation()
    assert actions.vector("forward", obs["inventory"]).tolist() == [1, 0, 0, 12, 12, 0, 0, 0]
    assert actions.vector("turn left", obs["inventory"]).tolist() == [0, 0, 0, 12, 11, 0, 0, 0]
    assert actions.vector("attack", obs["inventory"]).tolist() == [0, 0, 0, 12, 12, 3, 0, 0]
    assert actions.vector("craft stick", obs["inventory"]).tolist() == [0, 0, 0, 12, 12, 4, 1, 0]
    assert actions.vector("place dirt", obs["inventory"]).tolist() == [0, 0, 0, 12, 12, 6, 0, 4]
    assert actions.vector("equip planks", obs["inventory"])[7] == 1  # the first slot that holds planks
    with pytest.raises(ValueError, match="no cobblestone in the inventory"):
        actions.vector("place cobblestone", obs["inventory"])
    with pytest.raises(ValueError, match="is not an action here"):
        actions.vector("fly", obs["inventory"])
    mask = dict(zip(actions.catalogue, actions.mask(obs)))
    assert mask["forward"] and mask["place dirt"] and not mask["place cobblestone"]
    assert not mask["craft stick"]  # MineDojo's action-type mask forbids craft in this observation
    assert all(len(actions.vector(a, obs["inventory"])) == 8 for a, ok in mask.items() if ok)
