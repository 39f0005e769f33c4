"""Warehouse's entry in the task registry: everything the rest of Colony needs to know."""

from colony.envs.task import TaskSpec
from colony.envs.warehouse.env import WarehouseEnv
from colony.envs.warehouse.expert import WarehouseExpert

TASK = TaskSpec(env=WarehouseEnv, expert=WarehouseExpert)
