"""Pictures of a BoxNet1 world: a top-down RGB image and a text grid."""

from __future__ import annotations

import numpy as np

from colony.envs import drawing
from colony.envs.boxnet1.world import BoxNet1World

MARGIN = 20


def draw_rgb(world: BoxNet1World) -> np.ndarray:
    """Squares with their agent (grey disc), boxes (filled squares) and targets (rings)."""
    state = world.state
    size = drawing.cell_size(state.cols, state.rows)
    image = drawing.canvas(state.cols * size + 2 * MARGIN, state.rows * size + 2 * MARGIN)
    drawing.header(image, world)
    top = drawing.HEADER + MARGIN
    drawing.grid_lines(image, state.rows, state.cols, size, (MARGIN, top))
    slot = size / 4
    for (row, col), items in state.items.items():
        x0, y0 = MARGIN + col * size, top + row * size
        drawing.disc(image, (x0 + size - slot / 2, y0 + size - slot / 2), slot * 0.3, drawing.AGENT)
        ordered = sorted(items, key=lambda item: not item.startswith("target_"))
        for index, item in enumerate(ordered[:14]):
            centre = (x0 + slot * (index % 4 + 0.5), y0 + slot * (index // 4 + 0.5))
            kind, colour = item.split("_", 1)
            if kind == "box":
                drawing.filled_square(image, centre, slot * 0.6, drawing.colour_of(colour))
            else:
                drawing.ring(image, centre, slot * 0.36, drawing.colour_of(colour))
        if len(ordered) > 14:
            drawing.text(image, f"+{len(ordered) - 14}", (x0 + slot * 2.2, y0 + size - slot * 0.3), 0.4)
    return image


def draw_ansi(world: BoxNet1World) -> str:
    """One field per square: capital letters for boxes, small letters for targets."""
    def field(items: list[str]) -> str:
        boxes = "".join(drawing.LETTER.get(i[4:], "?").upper() for i in items if i.startswith("box_"))
        targets = "".join(drawing.LETTER.get(i[7:], "?") for i in items if i.startswith("target_"))
        return (boxes + targets) or "."

    state = world.state
    fields = {cell: field(items) for cell, items in state.items.items()}
    width = max(len(f) for f in fields.values()) + 2
    lines = [drawing.ansi_header(world)]
    for row in range(state.rows):
        lines.append("|" + "|".join(fields[(row, col)].center(width) for col in range(state.cols)) + "|")
    lines.append("BOX = capital letter, target = small letter (b blue, r red, g green, p purple, o orange)")
    return "\n".join(lines)
