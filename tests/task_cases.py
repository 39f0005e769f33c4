"""One small fixed instance per task with plans of every kind, for the scheme tests."""

import json
from dataclasses import dataclass

from colony.envs import parallel_env
from colony.envs.boxlift.world import BoxLiftWorld
from colony.envs.boxnet1.world import BoxNet1World
from colony.envs.boxnet2.world import BoxNet2World
from colony.envs.warehouse.state import Transporter
from colony.envs.warehouse.world import WarehouseWorld
from colony.planners.context import PlanningContext


@dataclass
class TaskCase:
    task: str
    world: object
    good: dict  # a legal plan
    unknown: dict  # a plan whose key names nothing
    illegal: dict  # a well-formed plan that breaks the rules
    illegal_message: str  # what the feedback says about it
    actor: str  # the agent the good plan gives work to

    def context(self):
        env = parallel_env(self.task, instance=self.world.to_dict())
        env.reset()
        return env, PlanningContext.from_surface(env)

    @property
    def good_json(self):
        return json.dumps(self.good)


CASES = {
    "boxnet1": TaskCase(
        "boxnet1", BoxNet1World(2, 2, {(0, 0): ["box_red", "target_red"], (1, 1): ["box_blue"], (0, 1): ["target_blue"]}),
        {"Agent[0.5, 0.5]": "move(box_red, target_red)"}, {"Agent[7.5, 7.5]": "move(box_red, target_red)"},
        {"Agent[0.5, 0.5]": "move(box_red, square[1.5, 1.5])"}, "square[1.5, 1.5] is not a square next to square[0.5, 0.5]",
        "Agent[0.5, 0.5]"),
    "boxnet2": TaskCase(
        "boxnet2", BoxNet2World(2, 2, {(0, 0): ["target_red"], (1, 1): ["target_blue"]}, {(0, 0): ["box_red"], (2, 2): ["box_blue"]}),
        {"Agent[0.5, 0.5]": "move(box_red, target_red)"}, {"Agent[7.5, 7.5]": "move(box_red, target_red)"},
        {"Agent[0.5, 0.5]": "move(box_red, position[2.0, 2.0])"}, "position[2.0, 2.0] is not a corner of square[0.5, 0.5]",
        "Agent[0.5, 0.5]"),
    "boxlift": TaskCase(
        "boxlift", BoxLiftWorld([3.0, 5.0], [3.0, 5.0], [2.5, 4.0]),
        {"box[3.0V]": "agent[4.0W]"}, {"box[9.5V]": "agent[4.0W]"},
        {"box[3.0V]": "agent[9.0W]"}, "agent[9.0W] is not in the current warehouse", "agent[4.0W]"),
    "warehouse": TaskCase(
        "warehouse", WarehouseWorld(3, 5, [(0.5, 0)], [Transporter(1, 0), Transporter(None, 0)]),
        {"agent0": "pick box_0.5_0.0"}, {"agent9": "move left"},
        {"agent0": "move left"}, "agent0 is in track_1 and column_0 and cannot move left", "agent0"),
}
