"""Task goals that state themselves and check themselves against the world.

A goal says what the team must achieve (``surface``), how far it is (``progress``: done
of total and a sentence planners read) and whether it is achieved (``verify``). The
shared world code asks the goal, never a task's internals, whether an episode succeeded.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from colony.envs.feedback import Progress


class Goal(ABC):
    @abstractmethod
    def surface(self) -> str:
        """The goal in words."""

    @abstractmethod
    def progress(self) -> Progress: ...

    def verify(self) -> bool:
        """True when the goal is achieved."""
        progress = self.progress()
        return progress.done >= progress.total

    def milestones(self) -> dict[str, int]:
        """The step at which each named milestone was first reached (a task may keep none)."""
        return {}


class CountdownGoal(Goal):
    """Achieved when nothing countable is left (e.g. no box left to deliver).

    ``total`` is the count when the episode (or the loaded snapshot) started; ``remaining``
    reads the count now; ``unit`` names what is counted, in the plural.
    """

    def __init__(self, surface: str, unit: str, total: int, remaining: Callable[[], int]) -> None:
        self._surface = surface
        self.unit = unit
        self.total = total
        self.remaining = remaining

    def surface(self) -> str:
        return self._surface

    def progress(self) -> Progress:
        left = self.remaining()
        return Progress(done=self.total - left, total=self.total, text=f"{left} {self.unit} left.")

    def verify(self) -> bool:
        return self.remaining() == 0
