"""BoxNet1 3D as a PettingZoo parallel environment (``boxnet1_3d_v0``).

Spec
----
BoxNet1's task (see ``boxnet1_v0``: agents, actions, plan format, rules, termination, step
limits and benchmark seeds are the same, so a seed gives the same instance) played on a
PyBullet table in DIRECT mode: each square is 0.30 m, boxes are 3.6 cm cubes of 0.2 kg,
targets pale discs; the robot of a square carries a box one square over or onto its
target (reach, grasp, lift, carry, lower, release). What the planners read is the
*perceived* state, from a 320x240 top-down camera frame (640x480 above 8 squares):

=================  ===========================================================
Observation        as boxnet1 (own square's box and target counts, row, col);
                   ``observe_image=True`` adds ``image``: the camera frame
Text (infos)       boxnet1's text of the perceived state; a square perception was
                   unsure of says so: ``(uncertain: ...)``
render_mode        ``rgb_array``: the camera frame; ``ansi``: the 2D text picture
Settings           ``perception`` (``rgb`` default, ``segmentation``, ``oracle``,
                   ``vlm`` with ``describer``: a vision-language model's spec),
                   ``grasp_failure`` (0.02), ``placement_noise`` (0.005 m), ``mass``
                   (0.2 kg), ``observe_image`` (false), ``robot`` (``gripper``
                   default; ``arm``: a KUKA iiwa beside the table does the carries,
                   ``envs/arm.py``); scenario files set them under ``env:``
=================  ===========================================================

Rules: legality is judged by the 2D rules on the perceived state; the physics decides
what happened (a failed grasp leaves the box, a box placed off its target stays beside
it, boxes slide and tip as they do). Success counts the true boxes left. Each step's
feedback reports what the robots did differently (``robot`` events).

Departures from the paper: the paper shows 3D demonstrations without released code or
numbers; this is Colony's own scene. Warehouse has no 3D version yet.

Version history: v0 (2026-11) first release; camera images in observations, the ``vlm``
describer and ``robot: arm`` added (same version: the default behaviour is unchanged).
"""

from __future__ import annotations

from colony.envs.boxnet1 import render
from colony.envs.boxnet1_3d.world import BoxNet1World3D
from colony.envs.boxnet1.env import BoxNet1Env
from colony.envs.env3d import TaskParallelEnv3D, metadata_3d


class BoxNet1Env3D(TaskParallelEnv3D, BoxNet1Env):
    __doc__ = __doc__
    metadata = metadata_3d("boxnet1_3d_v0")
    robots = ("gripper", "arm")
    world_class = BoxNet1World3D
    render_2d = staticmethod(render.draw_rgb)
