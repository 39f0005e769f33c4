"""Pictures of a BoxLift world: boxes by volume, lifters by capacity, the last step's teams."""

from __future__ import annotations

import cv2
import numpy as np

from colony.envs import drawing
from colony.envs.boxlift.world import BoxLiftWorld, FailedLift

PER_ROW = 8
BOX_CELL = 120
LIFTER_CELL = 100
GOOD, BAD, CRATE, GHOST = (40, 160, 60), drawing.ALARM, (196, 150, 90), (215, 215, 215)


def _layout(world: BoxLiftWorld) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]], int, int]:
    rows = -(-len(world.boxes) // PER_ROW)
    width = max(PER_ROW * BOX_CELL, min(len(world.state.lifters), 12) * LIFTER_CELL) + 40
    boxes = {box.name: (20 + BOX_CELL // 2 + (i % PER_ROW) * BOX_CELL, drawing.HEADER + 70 + (i // PER_ROW) * BOX_CELL)
             for i, box in enumerate(world.boxes)}
    lifter_top = drawing.HEADER + 70 + rows * BOX_CELL + 60
    lifters = {lifter.name: (20 + LIFTER_CELL // 2 + (i % 12) * LIFTER_CELL, lifter_top + (i // 12) * LIFTER_CELL)
               for i, lifter in enumerate(world.state.lifters)}
    height = lifter_top + (-(-len(world.state.lifters) // 12)) * LIFTER_CELL - drawing.HEADER
    return boxes, lifters, width, height


def draw_rgb(world: BoxLiftWorld) -> np.ndarray:
    """Lines from lifters to the box they tried last step: green lifted, red too heavy."""
    boxes, lifters, width, height = _layout(world)
    image = drawing.canvas(width, height)
    drawing.header(image, world)
    drawing.text(image, "boxes (volume; weight hidden)", (20, drawing.HEADER + 20), 0.5)
    feedback = world.last_feedback
    if feedback is not None:
        failed = {lift.box for lift in feedback.events_of(FailedLift)}
        for box_name, team in feedback.accepted.items():
            for lifter in team.split(", "):
                cv2.line(image, lifters[lifter], boxes[box_name], BAD if box_name in failed else GOOD, 2, cv2.LINE_AA)
    for box, gone in zip(world.boxes, world.lifted):
        side = 24 + 7 * box.volume
        drawing.filled_square(image, boxes[box.name], side, GHOST if gone else CRATE)
        drawing.text(image, box.name[4:-1], boxes[box.name], 0.45, centred=True)
        if feedback is not None and any(lift.box == box.name for lift in feedback.events_of(FailedLift)):
            x, y, h = *boxes[box.name], int(side / 2) + 4
            cv2.rectangle(image, (x - h, y - h), (x + h, y + h), BAD, 3)
    for lifter in world.state.lifters:
        drawing.disc(image, lifters[lifter.name], 30, drawing.AGENT)
        drawing.text(image, lifter.name[6:-1], lifters[lifter.name], 0.45, (255, 255, 255), centred=True)
    return image


def draw_ansi(world: BoxLiftWorld) -> str:
    lines = [drawing.ansi_header(world),
             "boxes:   " + "  ".join(f"{box.name}{' (lifted)' if gone else ''}" for box, gone in zip(world.boxes, world.lifted)),
             "lifters: " + "  ".join(world.agents)]
    if world.last_feedback is not None:
        lines += [lift.to_text() for lift in world.last_feedback.events_of(FailedLift)]
    return "\n".join(lines)
