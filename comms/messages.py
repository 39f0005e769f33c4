"""Typed messages between agents (and the central planner), validated on creation.

A :class:`Message` names its sender, its recipients (``("*",)`` for everyone), the env step
it was sent at, its :class:`MessageKind`, free text, and optionally DAMCS's collaboration
block (:class:`Collaboration`: whom to help, their need, how, whether one can help now,
who is helping me and how, the change of plan). Anything malformed is refused with the
field named (:class:`InvalidMessage`), never sent half-formed. A message renders itself as
the line a planner reads (:meth:`Message.to_prompt`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CENTRAL = "central"  # the central planner's name as a sender or recipient
EVERYONE = "*"
MAX_TEXT = 4000


class MessageKind(StrEnum):
    DIALOGUE = "dialogue"  # a DMAS / HMAS-1 turn
    PLAN = "plan"  # a central planner's proposal
    VERDICT = "verdict"  # an HMAS-2 agreement or objection
    HELP = "help"  # a request or an offer of help (the collaboration block)
    STATUS = "status"  # what one did, found or needs (a summary line)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Collaboration(_Strict):
    """DAMCS's collaboration block."""

    target_agent: str | None = Field(None, description="the agent I want to help")
    target_need: str | None = Field(None, description="what that agent needs")
    how_to_help: str | None = Field(None, description="how I will help")
    can_help_now: bool | None = None
    helped_by: str | None = Field(None, description="the agent helping me")
    helped_how: str | None = Field(None, description="how it helps me")
    plan_change: str | None = Field(None, description="how my plan changes")

    def to_prompt(self) -> str:
        parts = []
        if self.target_agent:
            parts.append(f"helping {self.target_agent}" + (f" who needs {self.target_need}" if self.target_need else ""))
            if self.how_to_help:
                parts.append(f"by {self.how_to_help}")
            if self.can_help_now is not None:
                parts.append("now" if self.can_help_now else "not yet")
        elif self.target_need:
            parts.append(f"needs {self.target_need}")
        if self.helped_by:
            parts.append(f"helped by {self.helped_by}" + (f" ({self.helped_how})" if self.helped_how else ""))
        if self.plan_change:
            parts.append(f"plan change: {self.plan_change}")
        return "; ".join(parts)


class Message(_Strict):
    sender: str = Field(min_length=1)
    recipients: tuple[str, ...] = Field(min_length=1, description="agent names, or ('*',) for everyone")
    step: int = Field(ge=0, description="the env step it was sent at")
    kind: MessageKind
    text: str = Field("", max_length=MAX_TEXT)
    collaboration: Collaboration | None = None

    @field_validator("recipients")
    @classmethod
    def _distinct(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not name.strip() for name in value):
            raise ValueError("a recipient name is empty")
        if len(set(value)) != len(value):
            raise ValueError(f"names a recipient twice: {list(value)}")
        if EVERYONE in value and len(value) > 1:
            raise ValueError("'*' (everyone) stands alone")
        return value

    @model_validator(mode="after")
    def _meaningful(self) -> Message:
        if self.sender in self.recipients:
            raise ValueError(f"recipients: {self.sender} sends to itself")
        if not self.text.strip() and self.collaboration is None:
            raise ValueError("text: empty, and there is no collaboration block")
        return self

    @property
    def broadcast(self) -> bool:
        return self.recipients == (EVERYONE,)

    def to_prompt(self) -> str:
        """``sender: text`` (the central planner as ``Central Planner``), the collaboration block after it."""
        who = "Central Planner" if self.sender == CENTRAL else self.sender
        extra = self.collaboration.to_prompt() if self.collaboration else ""
        body = " ".join(part for part in (self.text.strip(), f"[{extra}]" if extra else "") if part)
        return f"{who}: {body}\n"

    def size(self) -> int:
        """Characters carried (text and collaboration block), what bandwidth caps count."""
        extra = self.collaboration.model_dump_json(exclude_none=True) if self.collaboration else ""
        return len(self.text) + (len(extra) if extra else 0)


class InvalidMessage(ValueError):
    """A message that does not validate; the text names the field."""


def make_message(**fields: Any) -> Message:
    """A validated :class:`Message`, or :class:`InvalidMessage` naming the first bad field."""
    try:
        return Message(**fields)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"])
            text = item["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {text}" if where else text)  # a whole-message check names its field itself
        raise InvalidMessage("invalid message: " + "; ".join(problems)) from None
