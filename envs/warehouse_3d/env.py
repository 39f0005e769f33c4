"""Warehouse 3D as a PettingZoo parallel environment (``warehouse_3d_v0``).

Spec
----
Warehouse's task (see ``warehouse_v0``: agents, actions, plan format, rules, collisions,
termination, step limits and benchmark seeds are the same, so a seed gives the same
instance) played on a PyBullet table in DIRECT mode. Each track cell is a 0.30 m square,
the tracks grey strips, the box slots grey marks halfway between tracks; boxes are 6 cm
crates of 0.2 kg. Left of column 0 lies the target area (two squares wide): the carts'
parking bays (one per agent) and a drop zone. Each agent is a cart of its own colour
(an 11 cm slab with an arm) that *drives*: all accepted moves are one simultaneous drive
over many physics steps (``TableScene.drive``); ``pick`` has the arm set the slot's box on
the deck (``TableScene.carry``, where it is clamped); ``move to target`` drives the cart
into its bay and sets a carried box down in the drop zone, where it is delivered
(removed) if it came to rest inside the target area. Planners read the *perceived* state,
from a 320x240 top-down camera frame (640x480 beyond 4 tracks or 5 columns): carts by their colours, boxes by
their crate brown, a box on a deck told from one on the floor by the depth image.

=================  ===========================================================
Observation        as warehouse
Text (infos)       warehouse's text of the perceived state; an agent perception
                   was unsure of says so: ``(uncertain: ...)``, and so does the
                   central text about boxes
render_mode        ``rgb_array``: the camera frame; ``ansi``: the 2D text picture
Settings           ``perception`` (``rgb`` default, ``segmentation``, ``oracle``,
                   ``vlm`` with ``describer``: a vision-language model's spec),
                   ``grasp_failure`` (0.02: a pick that closes on nothing),
                   ``placement_noise`` (0.005 m: where the arm sets a box down, on
                   the deck or in the drop zone), ``mass`` (0.2 kg per box)
=================  ===========================================================

Rules: legality is judged by the 2D rules on the perceived state; the physics decides
what happened (a failed grasp leaves the box in its slot; a box that falls off a deck
lies where it fell, read at the nearest slot; a cart ends where its drive left it). Two
carts on one track cell in the physics after a step is the collision that ends the
episode. Success counts the boxes really left in the scene. Each step's feedback reports
what the robots did differently (``robot`` events).

The camera frame can join the observations (``observe_image=True``), and ``perception: vlm``
has a vision-language model describe it, as for the other 3D tasks: it replies in the
history text's format (``{'agent0': [1, 2, 0], 'agent1': 'target'}, left boxes:
['box_0.5_0.0']``; each cart named by its colour in the prompt). A cart it does not place
stays where it was last seen, carrying what its arm picked; a box it leaves out stays in its
slot unless an arm took it; both reported uncertain.

Departures from the 2D task: at most 10 agents (each cart's colour is how the camera tells
it apart). Carts and their loads pass through one another: the 2D rules let agents pass
and swap between steps, and only two carts on one cell after a step collide. Each cart
drives in its own lane of a track cell, its deck a little higher than the previous
agent's (``layout.py``), so carts on one cell stand side by side and the camera sees every
one of them. Unloading needs no new grasp (the box is clamped on the deck), so
``grasp_failure`` applies to picks.

Version history: v0 (2026-11) first release; lanes and deck heights per cart added (same
version: the rules and the text are unchanged; a collision's carts are now all seen); the
``vlm`` describer added (same version: the default behaviour is unchanged).
"""

from __future__ import annotations

from colony.envs.env3d import TaskParallelEnv3D, metadata_3d
from colony.envs.warehouse import render
from colony.envs.warehouse.env import WarehouseEnv
from colony.envs.warehouse_3d.world import WarehouseWorld3D


class WarehouseEnv3D(TaskParallelEnv3D, WarehouseEnv):
    __doc__ = __doc__
    metadata = metadata_3d("warehouse_3d_v0")
    world_class = WarehouseWorld3D
    render_2d = staticmethod(render.draw_rgb)
