"""BoxNet1 3D's entry in the task registry: boxnet1's expert and prompt wording, its own world."""

from colony.envs.boxnet1.expert import BoxNet1Expert
from colony.envs.boxnet1_3d.env import BoxNet1Env3D
from colony.envs.task import TaskSpec

TASK = TaskSpec(env=BoxNet1Env3D, expert=BoxNet1Expert, prompts_package="colony.envs.boxnet1")
