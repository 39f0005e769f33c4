"""BoxLift 3D's entry in the task registry: boxlift's expert and prompt wording, its own world."""

from colony.envs.boxlift.expert import BoxLiftExpert
from colony.envs.boxlift_3d.env import BoxLiftEnv3D
from colony.envs.task import TaskSpec

TASK = TaskSpec(env=BoxLiftEnv3D, expert=BoxLiftExpert, prompts_package="colony.envs.boxlift")
