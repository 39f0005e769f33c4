"""Pictures of a multi-agent Crafter world: the team in crafter's own textures, and a text map."""

from __future__ import annotations

import cv2
import numpy as np

from colony.envs import drawing
from colony.envs.crafter.world import CrafterWorld


def draw_rgb(world: CrafterWorld) -> np.ndarray:
    """The part of the world around the team, with the header above it."""
    view = world.team.team_view(unit=16)
    scale = max(1, 360 // max(view.shape[:2]))
    view = cv2.resize(view, (view.shape[1] * scale, view.shape[0] * scale), interpolation=cv2.INTER_NEAREST)
    image = drawing.canvas(max(view.shape[1] + 20, 420), view.shape[0] + 20)
    drawing.header(image, world)
    image[drawing.HEADER + 10:drawing.HEADER + 10 + view.shape[0], 10:10 + view.shape[1]] = view
    return image


def draw_ansi(world: CrafterWorld) -> str:
    """Every living agent's view as text, under the header."""
    state = world.state
    lines = [drawing.ansi_header(world)]
    for member in state.members:
        if member.alive:
            lines += [f"{member.name} {list(member.position)} {state.vitals(member.name)}, holds {state.holdings(member.name)}",
                      *("  " + row for row in state.local_map(member.name))]
        else:
            lines.append(f"{member.name} dead")
    return "\n".join(lines)
