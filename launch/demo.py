"""Random-legal demo episodes: one seeded episode per task, pictures written to ``runs/``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from colony.envs.instances import save_instance
from colony.envs.registry import parallel_env


@dataclass
class EpisodeResult:
    task: str
    size: str
    seed: int
    status: str
    steps: int
    progress: str  # the goal's progress sentence at the end
    refused: int
    folder: Path


def random_legal_actions(observations: dict, rng: np.random.Generator) -> dict[str, int]:
    """Each agent picks uniformly among its unmasked actions (doing nothing included)."""
    return {agent: int(rng.choice(np.flatnonzero(obs["action_mask"]))) for agent, obs in observations.items()}


def play_random_episode(task: str, size: str, seed: int, out: Path) -> EpisodeResult:
    env = parallel_env(task, size=size, render_mode="rgb_array")
    observations, _ = env.reset(seed=seed)
    folder = out / f"{task}-{env.size_label}-seed{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    save_instance(env.snapshot(), folder / "instance.json")
    rng = np.random.default_rng(seed)
    refused = 0
    log = []

    def snapshot(step: int) -> None:
        cv2.imwrite(str(folder / f"step_{step:03d}.png"), cv2.cvtColor(env.render(), cv2.COLOR_RGB2BGR))

    snapshot(0)
    while env.agents:
        observations, *_ = env.step(random_legal_actions(observations, rng))
        feedback = env.last_feedback
        refused += len(feedback.refused)
        log.append(feedback.to_dict())
        snapshot(feedback.step)
    (folder / "steps.jsonl").write_text("".join(json.dumps(entry) + "\n" for entry in log), encoding="utf-8")
    return EpisodeResult(task, env.size_label, seed, env.status.value, env.step_count, env.goal().progress().text,
                         refused, folder)
