"""BoxLift as a PettingZoo parallel environment (``boxlift_v0``).

Spec
----
``lifters`` agents of different lifting capacity and ``boxes`` boxes of hidden weight.
Paper sizes (lifters, boxes) = (4, 10), (6, 14), (8, 18), (10, 24); size label
``LIFTERSxBOXES``, e.g. ``6x14``.

Instance: volume uniform in {1.0, 1.5, ..., 10.0}; weight = volume + Gaussian noise
(sigma 10% of volume), with probability 5% an extra +/-50% of the volume, floored at
0.1, rounded to 0.1. Capacity uniform in {0.5, 1.0, ..., 7.5}; while the total capacity
is below the heaviest box, every capacity rises by 0.5. Planners see volumes, never
weights.

=================  ===========================================================
Agents (PZ ids)    ``lifter_0`` .. ``lifter_{n-1}``; their text names are
                   ``agent[<capacity>W]`` (in ``infos[id]["name"]``)
Names              boxes ``box[<volume>V]``, lifters ``agent[<capacity>W]``; a repeated
                   value gets a suffix: ``box[3.0V#2]``, ``agent[2.5W#2]``
Action (Discrete)  0 = stay idle; k = join the team lifting box k-1 (mask: boxes left)
Action (text)      a lifter's legal actions are the names of the boxes left
Observation        ``observation``: own capacity, then every box's volume (0 once
                   lifted) (float32, 1 + boxes); ``action_mask``
Text (infos)       ``agent[2.5W]: has lifting capacity 2.5W``; the central state is
                   ``The left boxes in the warehouse are: ...`` / ``The available
                   lifting agents in the warehouse are: ...``
Plan format        ``{"box[1.7V]": "agent[1.5W]", "box[3.0V]": "agent[1.5W], agent[2.5W]"}``
Reward             boxes lifted this step (shared)
=================  ===========================================================

Rules: a box is lifted (removed) when the summed capacity of its team is at least its
weight; otherwise it stays and the feedback says, in the paper's words, that it was too
heavy for those lifters. Each lifter is used at most once per step: an entry that reuses
a lifter already used by an earlier box (box order, not key order) is refused as a
conflict. Success when all boxes are lifted; truncation at the step limit, 20 steps
(25 with exactly 8 lifters, as the reference).

Departures from the reference code, on purpose: boxes of equal volume and lifters of
equal capacity get distinct names (the reference merged equal-volume boxes into one and
could not tell equal-capacity lifters apart); the once-per-step rule and unknown lifter
names are enforced with feedback (the reference only asked for it in the prompt and
still counted unknown lifters' capacity).

Version history: v0 (2026-11) first release.
"""

from __future__ import annotations

from colony.envs.adapter import TaskParallelEnv
from colony.envs.boxlift import render
from colony.envs.boxlift.planning import PLAN_FORMAT
from colony.envs.boxlift.world import BoxLiftWorld


class BoxLiftEnv(TaskParallelEnv):
    __doc__ = __doc__
    metadata = {"name": "boxlift_v0", "render_modes": ["rgb_array", "ansi"], "render_fps": 2, "is_parallelizable": True}
    world_class = BoxLiftWorld
    draw_rgb = staticmethod(render.draw_rgb)
    draw_ansi = staticmethod(render.draw_ansi)
    plan_format = PLAN_FORMAT

    @staticmethod
    def agent_id(index: int, name: str) -> str:
        return f"lifter_{index}"
