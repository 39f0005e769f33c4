"""Multi-agent Crafter as a PettingZoo parallel environment (``crafter_v0``).

Spec
----
N players (1 to 64; DAMCS reports 1, 2 and 6) in one 64x64 world of the ``crafter``
package: its engine, world generation, creatures, day and night, textures and
achievement rules are used as they are (``team.py`` subclasses ``crafter.Env``). Players
spawn side by side near the centre; each has its own inventory, vitals (health, food,
drink, energy), 9x9 view (9x7 of map, two rows of inventory) and achievements. Zombies
and skeletons chase the nearest living player. Size label: the number of agents (``6``),
or ``agents=N``.

=================  ===========================================================
Agents             ``agent0`` .. ``agent{N-1}``
Action (text)      high-level actions (``recipes.py``): ``collect wood|stone|coal|iron|
                   diamond|drink|sapling``, ``place table|furnace|stone|plant``, ``make
                   wood_pickaxe|...|iron_sword``, ``eat cow``, ``attack zombie|skeleton``,
                   ``go to agent <k>``, ``share <item> with agent <k>``, ``explore``,
                   ``sleep``, ``wait``; each step the navigation layer turns each into one
                   primitive Crafter action by path-finding over what the agent has seen
Action (Discrete)  0 = do nothing, then the fixed catalogue above (collect, eat, attack,
                   place, make, explore, sleep, go to each other agent, share each item
                   with each other agent); the mask holds the actions that can start now
Observation        ``observation``: the agent's own 64x64 RGB view (uint8); ``action_mask``
Text (infos)       position, facing, vitals, what it holds, achievements, the 9x7 view as
                   characters, the agents in view and what they hold, its messages, its
                   legal actions; ``messages`` (the comms seam, empty unless delivered)
Plan format        ``{"agent0": "collect wood", "agent1": "share wood with agent 0"}``
Reward             chain achievements reached this step by the team (shared), -1 if all die
=================  ===========================================================

Rules: an action that cannot start now is refused with the reason (a missing prerequisite
from the recipe table, a target never seen, a teammate out of reach, a vital offered).
``share`` hands one unit of an item (never health, food, drink or energy) to a teammate
within one step. A dead agent leaves the world and the PettingZoo ``agents``. The episode
ends when any agent collects a diamond (success), when every agent is dead (``all_dead``),
or at the step cap (350, DAMCS's). Each step's feedback holds a per-agent event stream
(inventory changes, achievements, damage, shares, deaths, missing routes).

Departures from DAMCS's environment: creatures chase the nearest living player (crafter's
creatures know one player); agents' knowledge of the map is their own view only, nothing
is shared but items and messages.

Version history: v0 (2026-11) first release.
"""

from __future__ import annotations

from colony.envs.adapter import TaskParallelEnv
from colony.envs.crafter import render
from colony.envs.crafter.planning import PLAN_FORMAT
from colony.envs.crafter.world import CrafterWorld


class CrafterEnv(TaskParallelEnv):
    __doc__ = __doc__
    metadata = {"name": "crafter_v0", "render_modes": ["rgb_array", "ansi"], "render_fps": 4, "is_parallelizable": True}
    world_class = CrafterWorld
    draw_rgb = staticmethod(render.draw_rgb)
    draw_ansi = staticmethod(render.draw_ansi)
    plan_format = PLAN_FORMAT

    def deliver(self, agent: str, message: str) -> None:
        """Put a message in an agent's inbox for its next observation (the seam a comms broker uses)."""
        self.world.deliver(self.name_of(agent), message)

    def _infos(self, ids=None):
        infos = super()._infos(ids)
        for info in infos.values():
            info["messages"] = list(self.world.state.inboxes[self.world.state.index_of(info["name"])])
        return infos
