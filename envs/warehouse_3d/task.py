"""Warehouse 3D's entry in the task registry: warehouse's expert and prompt wording, its own world."""

from colony.envs.task import TaskSpec
from colony.envs.warehouse.expert import WarehouseExpert
from colony.envs.warehouse_3d.env import WarehouseEnv3D

TASK = TaskSpec(env=WarehouseEnv3D, expert=WarehouseExpert, prompts_package="colony.envs.warehouse")
