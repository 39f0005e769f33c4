"""BoxLift's entry in the task registry: everything the rest of Colony needs to know."""

from colony.envs.boxlift.env import BoxLiftEnv
from colony.envs.boxlift.expert import BoxLiftExpert
from colony.envs.task import TaskSpec

TASK = TaskSpec(env=BoxLiftEnv, expert=BoxLiftExpert)
