"""The PettingZoo adapter shared by the 3D tasks: physics settings, one PyBullet client per live
world (closed when the world is replaced or the env closes), the camera as ``rgb_array``, and
the perceived and true states for run records.

``observe_image=True`` adds the camera frame to every agent's observation (``"image"``: a
``Box(0, 255, (H, W, 3), uint8)`` beside ``observation`` and ``action_mask``; every agent sees
the same read-only frame). ``perception="vlm"`` reads the frame with the vision-language model
named by ``describer`` (``perception/describer.py``); its calls go into the step records.

A 3D world class provides ``setup(settings, rng)`` (build the scene and perceive it),
``scene`` (None until set up: it then behaves as its 2D world), ``camera_image()``,
``true_state_text()`` and ``close()``.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import numpy as np
from gymnasium import spaces

from colony.envs.adapter import TaskParallelEnv
from colony.envs.physics import Physics3D
from colony.envs.world import World


def metadata_3d(name: str) -> dict:
    """PettingZoo metadata of a 3D env: the camera frame or the 2D text picture."""
    return {"name": name, "render_modes": ["rgb_array", "ansi"], "render_fps": 2, "is_parallelizable": True}


class TaskParallelEnv3D(TaskParallelEnv):
    render_2d: Any = None  # the 2D task's picture, shown before a scene exists
    frames_by_default = True  # run records keep the camera frame of every step unless run.frames is false
    robots: tuple[str, ...] = ("gripper",)  # what may carry the task's boxes (env.robot; arm: envs/arm.py)

    def __init__(self, size: str | None = None, *, perception: str = "rgb", grasp_failure: float = 0.02,
                 placement_noise: float = 0.005, mass: float = 0.2, describer: Any = None,
                 observe_image: bool = False, robot: str = "gripper", **kwargs: Any) -> None:
        if not isinstance(observe_image, bool):
            raise ValueError(f"observe_image: {observe_image!r}; allowed: true, false")
        self.physics = Physics3D(perception, grasp_failure, placement_noise, mass, describer, robot)
        if robot not in self.robots:
            raise ValueError(f"robot: {robot!r}; allowed for {self.metadata['name']}: {', '.join(self.robots)}")
        if describer is not None:
            from colony.perception.describer import make_describer

            self.physics.describer = make_describer(describer)
        self.observe_image = observe_image
        super().__init__(size, **kwargs)
        self._image_shape = self._camera_shape() if observe_image else None

    def _camera_shape(self) -> tuple[int, ...]:
        """The frame's shape, from a throwaway scene of this size (perceived by the physics: no describer call)."""
        probe = self._generate(np.random.default_rng(0))
        probe.setup(dataclasses.replace(self.physics, perception="oracle", describer=None), np.random.default_rng(0))
        shape = probe.camera_image().shape
        probe.close()
        return shape

    @functools.lru_cache(maxsize=None)
    def observation_space(self, agent: str) -> spaces.Space:
        space = super().observation_space(agent)
        if not self.observe_image:
            return space
        return spaces.Dict({**space.spaces, "image": spaces.Box(0, 255, self._image_shape, np.uint8)})

    def _observations(self, ids: list[str] | None = None) -> dict[str, dict[str, np.ndarray]]:
        observations = super()._observations(ids)
        if self.observe_image and observations:
            image = self.world.camera_image()
            image = np.zeros(self._image_shape, np.uint8) if image is None else np.ascontiguousarray(image)
            image.setflags(write=False)  # one frame for every agent: nobody changes it for the others
            for observation in observations.values():
                observation["image"] = image
        return observations

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

    def step_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"perceived_state": self.world.state.history_state_text(),
                                  "true_state": self.world.true_state_text()}
        if self.physics.describer is not None:  # the describer's calls since the last record (reset's included)
            record["describer_calls"] = [call.to_dict() for call in self.physics.describer.new_calls()]
        return record

    def close(self) -> None:
        world = getattr(self, "world", None)
        if world is not None:
            world.close()
