"""Lamps (``lamps_v0``): every agent is a lamp that can switch itself on; the goal is all on."""

import numpy as np

from colony.envs.adapter import TaskParallelEnv
from colony.envs.plan_format import AgentKeyedPlan

from toy_task.world import LampsWorld


def draw_rgb(world):
    image = np.full((60, 40 * len(world.state.on) + 20, 3), 250, dtype=np.uint8)
    for i, on in enumerate(world.state.on):
        image[20:40, 20 + 40 * i:40 + 40 * i] = (240, 200, 40) if on else (60, 60, 60)
    return image


def draw_ansi(world):
    return " ".join("*" if on else "." for on in world.state.on)


class LampsEnv(TaskParallelEnv):
    __doc__ = __doc__
    metadata = {"name": "lamps_v0", "render_modes": ["rgb_array", "ansi"], "render_fps": 2, "is_parallelizable": True}
    world_class = LampsWorld
    draw_rgb = staticmethod(draw_rgb)
    draw_ansi = staticmethod(draw_ansi)
    plan_format = AgentKeyedPlan('{"lamp0": "switch on"}')
