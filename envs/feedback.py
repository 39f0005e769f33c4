"""Typed results of applying a joint plan to a task world.

A plan entry that cannot be executed is never dropped silently: it becomes a
:class:`RefusedEntry` with a :class:`RefusalReason`. Everything here renders itself as
the text an LLM planner reads (``to_text``) and as plain data for run records
(``to_dict``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class EpisodeStatus(StrEnum):
    RUNNING = "running"
    SUCCESS = "success"
    STEP_LIMIT = "step_limit"
    COLLISION = "collision"

    @property
    def is_over(self) -> bool:
        return self is not EpisodeStatus.RUNNING


class RefusalReason(StrEnum):
    UNKNOWN_KEY = "unknown_key"  # the plan key names no agent (in BoxLift: no box that is left)
    MALFORMED_ACTION = "malformed_action"  # the value is not an action string of this task
    ILLEGAL_ACTION = "illegal_action"  # well-formed, but not among the agent's legal actions now
    CONFLICT = "conflict"  # another entry already uses the same box or lifter this step


@dataclass(frozen=True)
class RefusedEntry:
    key: str
    action: str
    reason: RefusalReason
    message: str

    def to_text(self) -> str:
        return f"{self.key}: {self.action!r} refused ({self.reason.value}): {self.message}"


@dataclass(frozen=True)
class FailedLift:
    """A BoxLift entry whose lifters were too weak: the box stays where it is."""

    box: str
    lifters: tuple[str, ...]

    def to_text(self) -> str:
        # The paper's environment feedback, verbatim apart from the trailing space.
        return (
            f"The weight of {self.box} is higher than the summation of lifting capability of "
            f"{' and '.join(self.lifters)}, so it can not be lifted."
        )


@dataclass(frozen=True)
class Collision:
    """Two or more objects on one place after a step; the episode fails."""

    place: str
    occupants: tuple[str, ...]

    def to_text(self) -> str:
        return f"Collision at {self.place}: {', '.join(self.occupants)}."


@dataclass
class StepFeedback:
    """What happened when one joint plan was applied (one environment step)."""

    step: int
    accepted: dict[str, str] = field(default_factory=dict)
    refused: list[RefusedEntry] = field(default_factory=list)
    failed_lifts: list[FailedLift] = field(default_factory=list)
    collisions: list[Collision] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # boxes delivered / lifted this step
    boxes_before: int = 0
    boxes_after: int = 0
    status: EpisodeStatus = EpisodeStatus.RUNNING

    @property
    def progress(self) -> int:
        return self.boxes_before - self.boxes_after

    def to_text(self) -> str:
        """The environment feedback a planner reads after the step."""
        lines = [entry.to_text() for entry in self.refused]
        lines += [lift.to_text() for lift in self.failed_lifts]
        lines += [collision.to_text() for collision in self.collisions]
        if self.removed:
            lines.append(f"Done this step: {', '.join(self.removed)}.")
        lines.append(f"{self.boxes_after} boxes left.")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["status"] = self.status.value
        for entry in data["refused"]:
            entry["reason"] = entry["reason"].value
        data["progress"] = self.progress
        return data


def refusals_to_text(refused: list[RefusedEntry]) -> str:
    """Feedback for a plan rejected before execution (check-and-replan)."""
    return "\n".join(entry.to_text() for entry in refused)
