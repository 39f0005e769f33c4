"""Pictures of a Warehouse world: tracks, box slots between them, the target area."""

from __future__ import annotations

import numpy as np

from colony.envs import drawing
from colony.envs.warehouse.world import WarehouseWorld

CELL = 110
TARGET_WIDTH = 130
CRATE, TRACK, DROP = (196, 150, 90), (225, 225, 225), (205, 235, 205)


def _track_y(track: int) -> float:
    return drawing.HEADER + 30 + CELL * (track + 0.5)


def draw_rgb(world: WarehouseWorld) -> np.ndarray:
    """Agents are numbered discs; one carrying a box shows it; a shared cell is ringed red."""
    state = world.state
    width = TARGET_WIDTH + state.columns * CELL + 40
    image = drawing.canvas(width, state.tracks * CELL + 60)
    drawing.header(image, world)
    top = drawing.HEADER + 30
    image[top:top + state.tracks * CELL, 10:TARGET_WIDTH - 10] = DROP
    drawing.text(image, "TARGET", (TARGET_WIDTH // 2, top + 14), 0.5, centred=True)
    x0 = TARGET_WIDTH
    for track in range(state.tracks):
        y = int(_track_y(track))
        image[y - 18:y + 18, x0:x0 + state.columns * CELL] = TRACK
        drawing.text(image, f"track_{track}", (x0 + 4, y - 22), 0.4)
    for row, col in state.slots:
        centre = (x0 + CELL * (col + 0.5), top + CELL * (row + 0.5))
        if (row, col) in state.boxes:
            drawing.filled_square(image, centre, CELL * 0.3, CRATE)
        else:
            drawing.ring(image, centre, CELL * 0.12, drawing.GRID, 1)
    occupied: dict[tuple[int, int], int] = {}
    in_target = 0
    for index, t in enumerate(state.transporters):
        if t.in_target:
            centre = (TARGET_WIDTH // 2, top + 45 + 44 * in_target)
            in_target += 1
        else:
            shift = occupied.get((t.track, t.column), 0)
            occupied[(t.track, t.column)] = shift + 1
            centre = (x0 + CELL * (t.column + 0.5) + 10 * shift, _track_y(t.track) + 6 * shift)
        drawing.disc(image, centre, 17, drawing.AGENT)
        if t.carrying is not None:
            drawing.filled_square(image, (centre[0] + 14, centre[1] - 14), 14, CRATE)
        drawing.text(image, str(index), centre, 0.5, (255, 255, 255), 1, centred=True)
    for (track, column), count in occupied.items():
        if count > 1:
            drawing.ring(image, (x0 + CELL * (column + 0.5), _track_y(track)), 34, drawing.ALARM, 4)
    return image


def draw_ansi(world: WarehouseWorld) -> str:
    """Tracks show agent numbers (``*`` when two share a cell), slot rows show ``B`` for a box."""
    state = world.state
    lines = [drawing.ansi_header(world)]
    for track in range(state.tracks):
        here = [[str(i) for i, t in enumerate(state.transporters) if t.track == track and t.column == c]
                for c in range(state.columns)]
        lines.append(f"track_{track} |" + " ".join("*" if len(h) > 1 else h[0] if h else "." for h in here) + "|")
        if track < state.tracks - 1:
            row = track + 0.5
            lines.append("        |" + " ".join("B" if (row, c) in state.boxes else " " for c in range(state.columns)) + "|")
    carried = [f"agent{i}" for i, t in enumerate(state.transporters) if t.carrying is not None]
    lines.append("target: " + (", ".join(f"agent{i}" for i, t in enumerate(state.transporters) if t.in_target) or "-"))
    lines.append("carrying: " + (", ".join(carried) or "-"))
    return "\n".join(lines)
