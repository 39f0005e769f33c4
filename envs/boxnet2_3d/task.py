"""BoxNet2 3D's entry in the task registry: boxnet2's expert and prompt wording, its own world."""

from colony.envs.boxnet2.expert import BoxNet2Expert
from colony.envs.boxnet2_3d.env import BoxNet2Env3D
from colony.envs.task import TaskSpec

TASK = TaskSpec(env=BoxNet2Env3D, expert=BoxNet2Expert, prompts_package="colony.envs.boxnet2")
