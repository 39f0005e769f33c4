"""BoxNet2's entry in the task registry: everything the rest of Colony needs to know."""

from colony.envs.boxnet2.env import BoxNet2Env
from colony.envs.boxnet2.expert import BoxNet2Expert
from colony.envs.task import TaskSpec

TASK = TaskSpec(env=BoxNet2Env, expert=BoxNet2Expert)
