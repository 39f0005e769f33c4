"""OpenCV drawing helpers shared by the task renderers (RGB uint8 canvases)."""

from __future__ import annotations

import cv2
import numpy as np

from colony.envs.world import World

PALETTE = {
    "blue": (50, 100, 230),
    "red": (220, 50, 50),
    "green": (40, 170, 70),
    "purple": (140, 60, 190),
    "orange": (245, 150, 30),
}
INK = (40, 40, 40)
GRID = (170, 170, 170)
PAPER = (250, 250, 247)
AGENT = (90, 90, 100)
ALARM = (230, 0, 0)
HEADER = 56

FONT = cv2.FONT_HERSHEY_SIMPLEX


def colour_of(name: str) -> tuple[int, int, int]:
    return PALETTE.get(name, (128, 128, 128))


def canvas(width: int, height: int) -> np.ndarray:
    image = np.empty((height + HEADER, width, 3), dtype=np.uint8)
    image[:] = PAPER
    return image


def text(image: np.ndarray, words: str, origin: tuple[int, int], scale: float = 0.5,
         colour: tuple[int, int, int] = INK, thickness: int = 1, centred: bool = False) -> None:
    if centred:
        (width, height), _ = cv2.getTextSize(words, FONT, scale, thickness)
        origin = (origin[0] - width // 2, origin[1] + height // 2)
    cv2.putText(image, words, (int(origin[0]), int(origin[1])), FONT, scale, colour, thickness, cv2.LINE_AA)


def header(image: np.ndarray, world: World) -> None:
    """Task, size and step on the first line; the goal's progress and the episode status on the second."""
    text(image, f"{world.task} {world.size_label()}   step {world.step_count}/{world.step_limit}", (10, 22), 0.55)
    text(image, world.goal().progress().text, (10, 46), 0.55)
    status = world.status.value.upper().replace("_", " ")
    (width, _), _ = cv2.getTextSize(status, FONT, 0.55, 2)
    text(image, status, (max(170, image.shape[1] - width - 10), 46), 0.55, ALARM if world.status.is_failure else INK, 2)


def ansi_header(world: World) -> str:
    """The first line of a text picture: task, size, step, progress, status."""
    return (f"{world.task} {world.size_label()} step {world.step_count}/{world.step_limit} "
            f"{world.goal().progress().text} [{world.status.value}]")


def filled_square(image: np.ndarray, centre: tuple[float, float], side: float, colour: tuple[int, int, int]) -> None:
    x, y, h = int(centre[0]), int(centre[1]), int(side / 2)
    cv2.rectangle(image, (x - h, y - h), (x + h, y + h), colour, -1)
    cv2.rectangle(image, (x - h, y - h), (x + h, y + h), INK, 1)


def ring(image: np.ndarray, centre: tuple[float, float], radius: float, colour: tuple[int, int, int], thickness: int = 3) -> None:
    cv2.circle(image, (int(centre[0]), int(centre[1])), max(2, int(radius)), colour, thickness, cv2.LINE_AA)


def disc(image: np.ndarray, centre: tuple[float, float], radius: float, colour: tuple[int, int, int]) -> None:
    cv2.circle(image, (int(centre[0]), int(centre[1])), max(2, int(radius)), colour, -1, cv2.LINE_AA)


def grid_lines(image: np.ndarray, rows: int, cols: int, cell: int, origin: tuple[int, int]) -> None:
    x0, y0 = origin
    for r in range(rows + 1):
        cv2.line(image, (x0, y0 + r * cell), (x0 + cols * cell, y0 + r * cell), GRID, 1)
    for c in range(cols + 1):
        cv2.line(image, (x0 + c * cell, y0), (x0 + c * cell, y0 + rows * cell), GRID, 1)


def cell_size(cols: int, rows: int, widest: int = 1120, tallest: int = 760) -> int:
    return int(max(48, min(140, widest // max(cols, 1), tallest // max(rows, 1))))


LETTER = {colour: colour[0] for colour in PALETTE}
