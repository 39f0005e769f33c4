"""BoxNet2 3D as a PettingZoo parallel environment (``boxnet2_3d_v0``).

Spec
----
BoxNet2's task (see ``boxnet2_v0``: agents, actions, plan format, rules, collisions,
termination, step limits and benchmark seeds are the same, so a seed gives the same
instance) played on a PyBullet table in DIRECT mode: 0.30 m squares, boxes (3.6 cm cubes)
standing on the grid's corners, targets pale discs in the squares. The gripper of a
square carries a box to another corner of it or onto its target. Planners read the
*perceived* state from a top-down camera frame (320x240; 640x480 above 8 squares): a box
is read at the corner nearest to where it lies. A box carried to a corner where another
stands is set down beside it, not on it, so the camera sees both; two boxes on one
corner in the physics are the task's collision.

=================  ===========================================================
Observation        as boxnet2; ``observe_image=True`` adds ``image``: the camera frame
Text (infos)       boxnet2's text of the perceived state, plus ``(uncertain: ...)``
render_mode        ``rgb_array``: the camera frame; ``ansi``: the 2D text picture
Settings           ``perception`` (``rgb``, ``segmentation``, ``oracle``, ``vlm``
                   with ``describer``), ``grasp_failure`` (0.02),
                   ``placement_noise`` (0.005 m), ``mass``, ``observe_image``,
                   ``robot`` (``gripper`` default, ``arm``: a KUKA iiwa,
                   ``envs/arm.py``)
=================  ===========================================================

Version history: v0 (2026-11) first release; camera images in observations, the
``vlm`` describer and ``robot: arm`` added (same version: the default behaviour is
unchanged); boxes set down side by side at an occupied corner (same version: the rules
and the text are unchanged; a collision's boxes are now all seen).
"""

from __future__ import annotations

from colony.envs.boxnet2 import render
from colony.envs.boxnet2.env import BoxNet2Env
from colony.envs.boxnet2_3d.world import BoxNet2World3D
from colony.envs.env3d import TaskParallelEnv3D, metadata_3d


class BoxNet2Env3D(TaskParallelEnv3D, BoxNet2Env):
    __doc__ = __doc__
    metadata = metadata_3d("boxnet2_3d_v0")
    robots = ("gripper", "arm")
    world_class = BoxNet2World3D
    render_2d = staticmethod(render.draw_rgb)
