from colony.envs.task import TaskSpec

from toy_task.env import LampsEnv
from toy_task.expert import LampsExpert

TASK = TaskSpec(env=LampsEnv, expert=LampsExpert)
