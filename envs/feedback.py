"""Typed results of applying a joint plan to a task world, for every task.

Nothing here knows what a task is about. A plan entry that cannot be executed is never
dropped silently: it becomes a :class:`RefusedEntry` with a :class:`RefusalReason`. What
else happened in a step is a list of task-declared :class:`TaskEvent` objects (a failed
lift, a collision) that render themselves, plus what the step achieved and the goal's
:class:`Progress` before and after. Everything renders as the text an LLM planner reads
(``to_text``) and as plain data for run records (``to_dict``).

Episode statuses are string enums derived from :class:`StatusBase`: the core ones are in
:class:`EpisodeStatus`; a task (or a shared event such as a collision) declares its own
terminal statuses as another ``StatusBase`` subclass, and :func:`status_from_value`
finds any of them by value.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar


class StatusBase(StrEnum):
    """Base of every status enum (no members of its own, so tasks can derive their own)."""

    @property
    def is_over(self) -> bool:
        return self.value != "running"

    @property
    def is_failure(self) -> bool:
        """An ending that is neither success nor running out of steps (declared by a task event)."""
        return self.is_over and self.value not in ("success", "step_limit")


class EpisodeStatus(StatusBase):
    RUNNING = "running"
    SUCCESS = "success"
    STEP_LIMIT = "step_limit"


def status_from_value(value: str) -> StatusBase:
    """The status enum member whose value is ``value``, among every declared status enum."""
    pending, seen = list(StatusBase.__subclasses__()), []
    while pending:
        kind = pending.pop(0)
        seen.append(kind)
        pending += kind.__subclasses__()
        for member in kind:
            if member.value == value:
                return member
    known = sorted({member.value for kind in seen for member in kind})
    raise ValueError(f"unknown status {value!r}; known: {', '.join(known)}")


class RefusalReason(StrEnum):
    UNKNOWN_KEY = "unknown_key"  # the plan key names nothing that can be given an action now
    MALFORMED_ACTION = "malformed_action"  # the value is not an action string of this task
    ILLEGAL_ACTION = "illegal_action"  # well-formed, but not among the legal actions now
    CONFLICT = "conflict"  # another entry already uses the same thing this step


@dataclass(frozen=True)
class RefusedEntry:
    key: str
    action: str
    reason: RefusalReason
    message: str

    def to_text(self) -> str:
        return f"{self.key}: {self.action!r} refused ({self.reason.value}): {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "action": self.action, "reason": self.reason.value, "message": self.message}


@dataclass(frozen=True)
class TaskEvent(ABC):
    """Something a task reports about a step. Subclasses are frozen dataclasses with a ``kind``;
    one whose ``ends_episode`` is set ends the episode with that status."""

    kind: ClassVar[str] = "event"
    ends_episode: ClassVar[StatusBase | None] = None

    @abstractmethod
    def to_text(self) -> str:
        """The event as the planners read it."""

    def to_dict(self) -> dict[str, Any]:
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        return {"kind": self.kind, **{k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}}


@dataclass(frozen=True)
class Progress:
    """How far the task's goal is: ``done`` of ``total`` units, and a sentence for planners."""

    done: int
    total: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StepFeedback:
    """What happened when one joint plan was applied (one environment step)."""

    step: int
    accepted: dict[str, str] = field(default_factory=dict)
    refused: list[RefusedEntry] = field(default_factory=list)
    events: list[TaskEvent] = field(default_factory=list)
    achieved: list[str] = field(default_factory=list)  # what this step accomplished, in words
    before: Progress | None = None
    after: Progress | None = None
    status: StatusBase = EpisodeStatus.RUNNING

    @property
    def progress(self) -> int:
        """Goal units achieved this step."""
        if self.before is None or self.after is None:
            return 0
        return self.after.done - self.before.done

    def events_of(self, kind: type[TaskEvent]) -> list[Any]:
        return [event for event in self.events if isinstance(event, kind)]

    def to_text(self) -> str:
        """The environment feedback a planner reads after the step."""
        lines = [entry.to_text() for entry in self.refused]
        lines += [event.to_text() for event in self.events]
        if self.achieved:
            lines.append(f"Done this step: {', '.join(self.achieved)}.")
        if self.after is not None:
            lines.append(self.after.text)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "accepted": dict(self.accepted), "refused": [r.to_dict() for r in self.refused],
                "events": [event.to_dict() for event in self.events], "achieved": list(self.achieved),
                "before": self.before.to_dict() if self.before else None,
                "after": self.after.to_dict() if self.after else None,
                "status": self.status.value, "progress": self.progress}


def refusals_to_text(refused: list[RefusedEntry]) -> str:
    """Feedback for a plan rejected before execution (check-and-replan)."""
    return "\n".join(entry.to_text() for entry in refused)
