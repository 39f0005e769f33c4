"""The PettingZoo adapter shared by the 3D tasks: physics settings, one PyBullet client per live
world (closed when the world is replaced or the env closes), the camera as ``rgb_array``, and
the perceived and true states for run records.

A 3D world class provides ``setup(settings, rng)`` (build the scene and perceive it),
``scene`` (None until set up: it then behaves as its 2D world), ``camera_image()``,
``true_state_text()`` and ``close()``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from colony.envs.adapter import TaskParallelEnv
from colony.envs.physics import Physics3D
from colony.envs.world import World


class TaskParallelEnv3D(TaskParallelEnv):
    render_2d: Any = None  # the 2D task's picture, shown before a scene exists

    def __init__(self, size: str | None = None, *, perception: str = "rgb", grasp_failure: float = 0.02,
                 placement_noise: float = 0.005, mass: float = 0.2, **kwargs: Any) -> None:
        self.physics = Physics3D(perception, grasp_failure, placement_noise, mass)
        super().__init__(size, **kwargs)

    @classmethod
    def draw_rgb(cls, world: Any) -> np.ndarray:
        image = world.camera_image()
        return cls.render_2d(world) if image is None else image

    def _bind(self, world: World) -> None:
        previous = getattr(self, "world", None)
        if previous is not None and previous is not world:
            previous.close()  # one PyBullet client per live world: none leaks across resets
        if getattr(self, "np_random", None) is not None and world.scene is None:
            world.setup(self.physics, np.random.default_rng(int(self.np_random.integers(2**63))))
        super()._bind(world)

    def step_record(self) -> dict[str, str]:
        return {"perceived_state": self.world.state.history_state_text(), "true_state": self.world.true_state_text()}

    def close(self) -> None:
        world = getattr(self, "world", None)
        if world is not None:
            world.close()
