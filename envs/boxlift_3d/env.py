"""BoxLift 3D as a PettingZoo parallel environment (``boxlift_3d_v0``).

Spec
----
BoxLift's task (see ``boxlift_v0``: lifters, boxes, plan format, rules, termination, step
limits and benchmark seeds are the same, so a seed gives the same instance) played on a
PyBullet table in DIRECT mode: box ``k`` stands in square ``k`` (0.30 m squares, six to a
row), a cube of edge ``0.06 m * volume ** (1/3)`` whose mass in kilograms is its hidden
weight. An accepted entry has its lifters grip the box and pull up with at most their
summed capacity in kilogram-force (plus 0.05 kg, so that a pull equal to the weight lifts,
as in the 2D rule); the physics decides whether the box rises. Planners read the
*perceived* state: which boxes a top-down camera frame still shows (320x240; 640x480
above 8 squares).

=================  ===========================================================
Observation        as boxlift; ``observe_image=True`` adds ``image``: the camera frame
Text (infos)       boxlift's text of the perceived state, plus ``(uncertain: ...)``
                   when a box looks much bigger or smaller than its volume
render_mode        ``rgb_array``: the camera frame; ``ansi``: the 2D text picture
Settings           ``perception`` (``rgb`` default, ``segmentation``, ``oracle``,
                   ``vlm`` with ``describer``), ``observe_image`` (false),
                   ``grasp_failure`` (0.02: a lift that grips nothing);
                   ``placement_noise`` and ``mass`` do not apply (boxes are not
                   placed; their masses are the task's weights)
=================  ===========================================================

Version history: v0 (2026-11) first release; camera images in observations and the
``vlm`` describer added (same version: the default behaviour is unchanged).
"""

from __future__ import annotations

from colony.envs.boxlift import render
from colony.envs.boxlift_3d.world import BoxLiftWorld3D
from colony.envs.boxlift.env import BoxLiftEnv
from colony.envs.env3d import TaskParallelEnv3D, metadata_3d


class BoxLiftEnv3D(TaskParallelEnv3D, BoxLiftEnv):
    __doc__ = __doc__
    metadata = metadata_3d("boxlift_3d_v0")
    world_class = BoxLiftWorld3D
    render_2d = staticmethod(render.draw_rgb)
