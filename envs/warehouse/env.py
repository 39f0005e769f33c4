"""Warehouse as a PettingZoo parallel environment (``warehouse_v0``).

Spec
----
``tracks`` horizontal tracks (default 3) of ``columns`` cells (default 5). Box slots lie
between neighbouring tracks, ``box_<row>_<column>`` with row = track + 0.5 (e.g.
``box_1.5_1.0`` lies between track_1 and track_2 at column 1). Left of column 0 is the
``target`` area, where boxes are delivered. Size label: the number of agents (``4``,
``8``) on the reference warehouse, or ``TRACKSxCOLUMNSxAGENTS`` (e.g. ``4x6x10``).

Instance: each slot holds a box with probability 0.5 (redrawn if none does); agents
start on distinct places drawn from the track cells plus ``columns`` places in the
target area, so about one agent in four starts in target.

=================  ===========================================================
Agents             ``agent0`` .. ``agent{n-1}``
Action (text)      ``move left`` / ``move right`` (within the columns), ``move to
                   target`` (from column 0; delivers a carried box), ``move to
                   track_<k>`` (from target; arrives at column 0), ``pick box_<r>_<c>``
                   (not carrying, same column, slot next to the agent's track, box there)
Action (Discrete)  0 = do nothing, move left, move right, move to target, move to
                   track_k for every k, pick for every slot
Observation        ``observation``: own in-target flag, track, column, carrying flag;
                   every slot's occupancy; every other agent's in-target, track,
                   column (float32); ``action_mask``
Text (infos)       ``I am agent0, I am in track_1 and column_0, I am not having box on
                   myself so can pick one box. I can do: move right; move to target;
                   pick box_0.5_0.0.`` (the paper's wording)
Plan format        ``{"agent0": "move left", "agent1": "move to track_1", "agent2": "pick box_1.5_1.0"}``
Reward             boxes delivered this step, minus 1 on a collision (shared)
=================  ===========================================================

Rules: all entries act together. Two agents on one track cell after a step (agents in
target never collide) is a collision and the episode fails; passing or swapping
between steps is not a collision (as the reference). Two agents picking the same box:
the lower-numbered agent gets it, the other is refused as a conflict. Success when no
box is left in a slot or carried. Truncation at the step limit, 30 steps (40 from 8
agents). If a collision and the last delivery happen on the same step, the episode
counts as a collision.

Departures from the reference code, on purpose: ``move to track_0`` is legal (the
reference offered it and then refused it); an invalid track or a ``move to track_k``
from a track is refused with feedback instead of executed or silently ignored;
``move left/right`` from target is refused instead of crashing; the state text drops
the reference's stray ``; .`` separators.

Version history: v0 (2026-11) first release.
"""

from __future__ import annotations

from colony.envs.adapter import TaskParallelEnv
from colony.envs.warehouse import render
from colony.envs.warehouse.planning import PLAN_FORMAT
from colony.envs.warehouse.world import WarehouseWorld


class WarehouseEnv(TaskParallelEnv):
    __doc__ = __doc__
    metadata = {"name": "warehouse_v0", "render_modes": ["rgb_array", "ansi"], "render_fps": 2, "is_parallelizable": True}
    world_class = WarehouseWorld
    draw_rgb = staticmethod(render.draw_rgb)
    draw_ansi = staticmethod(render.draw_ansi)
    plan_format = PLAN_FORMAT
