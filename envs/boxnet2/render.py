"""Pictures of a BoxNet2 world: boxes on corners, a collision ringed in red."""

from __future__ import annotations

import numpy as np

from colony.envs import drawing, grid
from colony.envs.boxnet2.world import BoxNet2World

MARGIN = 30


def draw_rgb(world: BoxNet2World) -> np.ndarray:
    state = world.state
    size = drawing.cell_size(state.cols, state.rows)
    image = drawing.canvas(state.cols * size + 2 * MARGIN, state.rows * size + 2 * MARGIN)
    drawing.header(image, world)
    top = drawing.HEADER + MARGIN
    drawing.grid_lines(image, state.rows, state.cols, size, (MARGIN, top))
    for (row, col), targets in state.targets.items():
        x0, y0 = MARGIN + col * size, top + row * size
        drawing.disc(image, (x0 + size / 2, y0 + size / 2), size * 0.08, drawing.AGENT)
        for index, target in enumerate(targets[:6]):
            centre = (x0 + size * (0.25 + 0.25 * (index % 3)), y0 + size * (0.3 if index < 3 else 0.72))
            drawing.ring(image, centre, size * 0.09, drawing.colour_of(target[7:]))
    for (x, y), boxes in state.boxes.items():
        centre = (MARGIN + y * size, top + x * size)
        for index, box in enumerate(boxes):
            offset = index * size * 0.08
            drawing.filled_square(image, (centre[0] + offset, centre[1] + offset), size * 0.2, drawing.colour_of(box[4:]))
        if len(boxes) > 1:
            drawing.ring(image, centre, size * 0.24, drawing.ALARM, 4)
    return image


def draw_ansi(world: BoxNet2World) -> str:
    """Corners show a box's capital letter (``*`` for a collision); squares list targets."""
    state = world.state
    width = max([len(t) for t in state.targets.values()] + [1]) + 2
    lines = [drawing.ansi_header(world)]

    def corner(point: tuple[int, int]) -> str:
        boxes = state.boxes[point]
        return "*" if len(boxes) > 1 else drawing.LETTER.get(boxes[0][4:], "?").upper() if boxes else "+"

    for row in range(state.rows + 1):
        lines.append(("-" * width).join(corner((row, col)) for col in range(state.cols + 1)))
        if row < state.rows:
            fields = ["".join(drawing.LETTER.get(t[7:], "?") for t in state.targets[(row, col)]) or "."
                      for col in range(state.cols)]
            lines.append("|" + "|".join(f.center(width) for f in fields) + "|")
    collisions = [grid.position_name(c) for c, b in state.boxes.items() if len(b) > 1]
    if collisions:
        lines.append("COLLISION at " + ", ".join(collisions))
    return "\n".join(lines)
