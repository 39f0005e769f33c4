"""Multi-agent Crafter's entry in the task registry."""

from colony.envs.crafter.env import CrafterEnv
from colony.envs.crafter.expert import CrafterExpert
from colony.envs.task import TaskSpec

TASK = TaskSpec(env=CrafterEnv, expert=CrafterExpert)
