"""BoxNet1's entry in the task registry: everything the rest of Colony needs to know."""

from colony.envs.boxnet1.env import BoxNet1Env
from colony.envs.boxnet1.expert import BoxNet1Expert
from colony.envs.task import TaskSpec

TASK = TaskSpec(env=BoxNet1Env, expert=BoxNet1Expert)
