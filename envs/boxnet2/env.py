"""BoxNet2 as a PettingZoo parallel environment (``boxnet2_v0``).

Spec
----
Grid of ``rows x cols`` squares with one agent each (``Agent[0.5, 1.5]``), as BoxNet1,
but boxes sit on the square corners, the integer lattice points ``position[x, y]``
(x = 0..rows, y = 0..cols); targets sit in squares. Paper sizes 2x2, 2x4, 4x4, 4x8; any
grid with at least two squares and at least five corners works.

Instance: one box per colour (blue, red, green, purple, orange) on a free corner of a
random square, and its target in an independently drawn square; boxes never share a
corner at the start.

=================  ===========================================================
Agents             ``Agent[r+0.5, c+0.5]`` for every square, row-major
Action (text)      ``move(box_<c>, position[x, y])`` to another corner of the agent's
                   square, or ``move(box_<c>, target_<c>)`` when the target is in the
                   square; only a box alone on its corner can be moved
Action (Discrete)  0 = do nothing; then per colour: each of the 4 corners, then the target
Observation        ``observation``: per own corner a one-hot box colour (4 x 5), targets
                   per colour in the square, row, column (float32, 27); ``action_mask``
Text (infos)       ``Agent[0.5, 0.5]: I am in square[0.5, 0.5], I can observe
                   ['target_red', 'box_blue at position[0.0, 1.0]'], I can do [...]``
Plan format        ``{"Agent[0.5, 0.5]": "move(box_blue, position[0.0, 1.0])", ...}``
Reward             boxes matched this step, minus 1 on a collision (shared)
=================  ===========================================================

Rules: a box on a corner can be moved by any of the (up to four) agents whose square
touches that corner, but by only one per step: the first claimant in row-major order
gets it, later entries are refused as a conflict. Two boxes on one corner after a step
is a collision: the episode terminates as failed. Success when no box is left (on the
step it happens); truncation at the step limit, 30 steps (40 from 32 agents).

Departures from the reference code, on purpose: the bracket form ``position[x, y]`` is
used everywhere (the round form ``position(x, y)`` of the reference's state text is
accepted when parsing); "I can observe" also lists the boxes on the square's corners
(the reference listed targets only and showed each local agent the wrong square); a box
whose drawn square has no free corner is redrawn instead of being silently dropped, so
every instance has five boxes; a second agent moving the same box is refused instead of
moving it again; every entry is checked, not only the last one.

Version history: v0 (2026-11) first release.
"""

from __future__ import annotations

from colony.envs.adapter import TaskParallelEnv
from colony.envs.boxnet2 import render
from colony.envs.boxnet2.planning import PLAN_FORMAT
from colony.envs.boxnet2.world import BoxNet2World


class BoxNet2Env(TaskParallelEnv):
    __doc__ = __doc__
    metadata = {"name": "boxnet2_v0", "render_modes": ["rgb_array", "ansi"], "render_fps": 2, "is_parallelizable": True}
    world_class = BoxNet2World
    draw_rgb = staticmethod(render.draw_rgb)
    draw_ansi = staticmethod(render.draw_ansi)
    plan_format = PLAN_FORMAT
