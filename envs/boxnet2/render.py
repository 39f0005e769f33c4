"""Pictures of a BoxNet2 world: boxes on corners, a collision ringed in red."""

from __future__ import annotations

import numpy as np

from colony.envs import drawing, grid
from colony.envs.boxnet2.world import BoxNet2World

MARGIN = 30


def draw_rgb(world: BoxNet2World) -> np.ndarray:
    size = drawing.cell_size(world.cols, world.rows)
    image = drawing.canvas(world.cols * size + 2 * MARGIN, world.rows * size + 2 * MARGIN)
    drawing.header(image, world)
    top = drawing.HEADER + MARGIN
    drawing.grid_lines(image, world.rows, world.cols, size, (MARGIN, top))
    for (row, col), targets in world.targets.items():
        x0, y0 = MARGIN + col * size, top + row * size
        drawing.disc(image, (x0 + size / 2, y0 + size / 2), size * 0.08, drawing.AGENT)
        for index, target in enumerate(targets[:6]):
            centre = (x0 + size * (0.25 + 0.25 * (index % 3)), y0 + size * (0.3 if index < 3 else 0.72))
            drawing.ring(image, centre, size * 0.09, drawing.colour_of(target[7:]))
    for (x, y), boxes in world.boxes.items():
        centre = (MARGIN + y * size, top + x * size)
        for index, box in enumerate(boxes):
            offset = index * size * 0.08
            drawing.filled_square(image, (centre[0] + offset, centre[1] + offset), size * 0.2, drawing.colour_of(box[4:]))
        if len(boxes) > 1:
            drawing.ring(image, centre, size * 0.24, drawing.ALARM, 4)
    return image


def draw_ansi(world: BoxNet2World) -> str:
    """Corners show a box's capital letter (``*`` for a collision); squares list targets."""
    width = max([len(t) for t in world.targets.values()] + [1]) + 2
    lines = [f"{world.task} {world.size_label()} step {world.step_count}/{world.step_limit} "
             f"boxes left {world.boxes_left()} [{world.status.value}]"]

    def corner(point: tuple[int, int]) -> str:
        boxes = world.boxes[point]
        return "*" if len(boxes) > 1 else drawing.LETTER.get(boxes[0][4:], "?").upper() if boxes else "+"

    for row in range(world.rows + 1):
        lines.append(("-" * width).join(corner((row, col)) for col in range(world.cols + 1)))
        if row < world.rows:
            fields = ["".join(drawing.LETTER.get(t[7:], "?") for t in world.targets[(row, col)]) or "."
                      for col in range(world.cols)]
            lines.append("|" + "|".join(f.center(width) for f in fields) + "|")
    collisions = [grid.position_name(c) for c, b in world.boxes.items() if len(b) > 1]
    if collisions:
        lines.append("COLLISION at " + ", ".join(collisions))
    return "\n".join(lines)
