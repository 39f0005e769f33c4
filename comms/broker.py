"""The message broker: delivery rules, bandwidth caps and injected faults, with every message logged.

Delivery: a message goes to its recipients (``*``: every other agent of the step), each
judged on its own:

==================  ============================================================================
outcome             when
==================  ============================================================================
``delivered``       it arrives at env step ``step + comms.delay`` (read in that step's planning, or never)
``dropped``         lost, with probability ``comms.drop`` per recipient (seeded)
``out_of_range``    ``comms.range`` is set and the recipient is farther than that from the sender
``silenced``        the sender is in ``comms.silent``: nothing it says leaves it
``over_bandwidth``  the sender already used its messages or characters for this env step
``off``             ``comms.enabled`` is false: nobody hears anybody
==================  ============================================================================

The central planner (``central``) has no position: range limits do not apply to it.
Every message is logged with its per-recipient outcome, characters and tokens
(:attr:`Broker.log`), which the run record keeps per step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from colony.comms.messages import CENTRAL, Message, MessageKind
from colony.envs.state import TaskState
from colony.planners.tokens import TokenCounter


class CommsConfig(BaseModel):
    """The ``comms:`` section of a scenario: delivery rules and faults for every message."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = Field(True, description="false: no message reaches anyone (every agent plans alone)")
    range: float | None = Field(None, gt=0, description="only agents within this distance of the sender hear it "
                                                        "(cells; Crafter, BoxNet, Warehouse)")
    max_messages: int | None = Field(None, ge=0, description="messages each sender may send per env step")
    max_chars: int | None = Field(None, ge=0, description="characters each sender may send per env step")
    drop: float = Field(0.0, ge=0.0, le=1.0, description="probability that a message is lost, per recipient")
    delay: int = Field(0, ge=0, description="env steps a message travels before it arrives")
    silent: list[str] = Field(default_factory=list, description="agents whose messages never leave them")
    seed: int = Field(0, description="seeds the drops, with the episode's seed")


class Delivery(StrEnum):
    DELIVERED = "delivered"
    DROPPED = "dropped"
    OUT_OF_RANGE = "out_of_range"
    SILENCED = "silenced"
    OVER_BANDWIDTH = "over_bandwidth"
    OFF = "off"


@dataclass
class Sent:
    message: Message
    outcomes: dict[str, Delivery]
    due: int  # the env step it arrives at
    chars: int
    tokens: int
    pending: set[str] = field(default_factory=set)  # recipients that have not read it yet

    def to_dict(self) -> dict[str, Any]:
        return {**self.message.model_dump(mode="json", exclude_none=True), "due": self.due, "chars": self.chars,
                "tokens": self.tokens, "outcomes": {name: outcome.value for name, outcome in self.outcomes.items()}}


class Broker:
    def __init__(self, config: CommsConfig | None = None, counter: TokenCounter | None = None) -> None:
        self.config = config or CommsConfig()
        self.counter = counter
        self.log: list[Sent] = []
        self.step = 0
        self.agents: list[str] = []
        self._positions: dict[str, tuple[float, ...] | None] = {}
        self._used: dict[str, tuple[int, int]] = {}
        self._rng = np.random.default_rng(self.config.seed)

    def reset(self, seed: int | None) -> None:
        """A new episode: an empty log and drops drawn from (comms.seed, the episode's seed)."""
        self.log, self._used = [], {}
        self._rng = np.random.default_rng([self.config.seed, seed if seed is not None else 0])

    def begin_step(self, step: int, state: TaskState) -> None:
        """The env step the next messages belong to, and where everybody is."""
        self.step, self.agents, self._used = step, list(state.agents), {}
        unknown = [name for name in self.config.silent if name not in self.agents]
        if unknown:
            raise ValueError(f"comms.silent: {', '.join(unknown)} not among this task's agents "
                             f"({', '.join(self.agents[:8])}{', ...' if len(self.agents) > 8 else ''})")
        self._positions = {agent: state.agent_position(agent) for agent in self.agents}

    # --- sending ----------------------------------------------------------------------------
    def send(self, message: Message) -> dict[str, Delivery]:
        """Judge, log and (where delivered) queue ``message``; the outcome per recipient."""
        recipients = [a for a in self.agents if a != message.sender] if message.broadcast else list(message.recipients)
        chars = message.size()
        used_messages, used_chars = self._used.get(message.sender, (0, 0))
        over = (self.config.max_messages is not None and used_messages + 1 > self.config.max_messages) or \
               (self.config.max_chars is not None and used_chars + chars > self.config.max_chars)
        outcomes: dict[str, Delivery] = {}
        for recipient in recipients:
            if not self.config.enabled:
                outcomes[recipient] = Delivery.OFF
            elif message.sender in self.config.silent:
                outcomes[recipient] = Delivery.SILENCED
            elif over:
                outcomes[recipient] = Delivery.OVER_BANDWIDTH
            elif not self._within_range(message.sender, recipient):
                outcomes[recipient] = Delivery.OUT_OF_RANGE
            elif self.config.drop and self._rng.random() < self.config.drop:
                outcomes[recipient] = Delivery.DROPPED
            else:
                outcomes[recipient] = Delivery.DELIVERED
        if not over and self.config.enabled and message.sender not in self.config.silent:
            self._used[message.sender] = (used_messages + 1, used_chars + chars)
        tokens = self.counter.count(message.to_prompt()) if self.counter else 0
        sent = Sent(message, outcomes, self.step + self.config.delay, chars, tokens,
                    {r for r, outcome in outcomes.items() if outcome is Delivery.DELIVERED})
        self.log.append(sent)
        return outcomes

    def _within_range(self, sender: str, recipient: str) -> bool:
        if self.config.range is None or CENTRAL in (sender, recipient):
            return True
        here, there = self._positions.get(sender), self._positions.get(recipient)
        if here is None or there is None:
            raise ValueError("comms.range: this task reports no agent positions; range-limited delivery needs them "
                             "(unset comms.range)")
        return float(np.abs(np.subtract(here, there)).sum()) <= self.config.range

    # --- receiving -----------------------------------------------------------------------------
    def take(self, agent: str, kinds: set[MessageKind] | None = None) -> list[Message]:
        """The messages that arrived for ``agent`` at this env step and that it has not read yet, oldest
        first. A message belongs to the planning of the step it arrives at: one nobody read by then is stale."""
        found = []
        for sent in self.log:
            if agent in sent.pending and sent.due == self.step and (kinds is None or sent.message.kind in kinds):
                sent.pending.discard(agent)
                found.append(sent.message)
        return found

    def delivered(self, message: Message | None, agent: str) -> bool:
        """Whether ``message`` reached ``agent`` at this step (None, a message never sent: no)."""
        return message is not None and any(sent.message is message and sent.outcomes.get(agent) is Delivery.DELIVERED and sent.due == self.step
                   for sent in self.log)

    def since(self, mark: int) -> list[dict[str, Any]]:
        """The log from entry ``mark`` on, as records."""
        return [sent.to_dict() for sent in self.log[mark:]]


def count_outcomes(records: list[dict[str, Any]]) -> dict[str, int]:
    """Messages sent, per-recipient outcomes, characters and tokens over logged records."""
    totals = {"messages": len(records), "chars": 0, "tokens": 0, **{outcome.value: 0 for outcome in Delivery}}
    for record in records:
        totals["chars"] += record["chars"]
        totals["tokens"] += record["tokens"]
        for outcome in record["outcomes"].values():
            totals[outcome] += 1
    return totals
