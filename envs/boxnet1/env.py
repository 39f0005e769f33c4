"""BoxNet1 as a PettingZoo parallel environment (``boxnet1_v0``).

Spec
----
Grid of ``rows x cols`` unit squares, one agent per square, named by the square's centre:
``Agent[0.5, 1.5]`` stands in ``square[0.5, 1.5]`` (row 0, column 1). Paper sizes 2x2, 2x4,
4x4, 4x8 (4 to 32 agents); any grid of at least two squares works (e.g. 8x8).

Instance (from ``reset(seed=...)``): for each colour blue, red, green, purple, orange,
1-3 boxes; every box and its own same-colour target land in independently drawn
squares (5-15 pairs). A square may hold any number of items.

=================  ===========================================================
Agents             ``Agent[r+0.5, c+0.5]`` for every square, row-major
Action (text)      ``move(box_<c>, square[x, y])`` to a 4-neighbour square, or
                   ``move(box_<c>, target_<c>)`` when a same-colour target shares the square
Action (Discrete)  0 = do nothing; then per colour: each neighbour, then the target
Observation        ``observation``: own square's box and target counts per colour, row,
                   column (float32, 12); ``action_mask``: legal entries of the catalogue
Text (infos)       ``Agent[0.5, 0.5]: I am in square[0.5, 0.5], I can observe [...],
                   I can do [...]`` (the paper's wording) and ``legal_actions``
Plan format        ``{"Agent[0.5, 0.5]": "move(box_blue, square[0.5, 1.5])", ...}``
Reward             boxes matched this step (shared by all agents)
=================  ===========================================================

Rules: an agent acts only on items in its own square; a box moved onto its target makes
both disappear. Termination: success when no box is left (counted on the step it
happens, the last allowed step included); truncation at the step limit, 30 steps
(40 from 32 agents, i.e. 4x8).

Departures from the reference code, on purpose: plans are checked and executed against
the state at the start of the step, so key order never matters; every refused entry is
reported (the reference silently dropped malformed entries and crashed on bad JSON);
duplicate legal actions of two same-colour boxes are listed once; instances come from
seeds instead of files generated at import time.

Version history: v0 (2026-11) first release.
"""

from __future__ import annotations

from colony.envs.adapter import TaskParallelEnv
from colony.envs.boxnet1 import render
from colony.envs.boxnet1.planning import PLAN_FORMAT
from colony.envs.boxnet1.world import BoxNet1World


class BoxNet1Env(TaskParallelEnv):
    __doc__ = __doc__
    metadata = {"name": "boxnet1_v0", "render_modes": ["rgb_array", "ansi"], "render_fps": 2, "is_parallelizable": True}
    world_class = BoxNet1World
    draw_rgb = staticmethod(render.draw_rgb)
    draw_ansi = staticmethod(render.draw_ansi)
    plan_format = PLAN_FORMAT
