"""The text formats a vision-language describer replies in (``perception/describer.py``), each read back
into a :class:`Description` without guessing.

=============  =====================================================================
``squares``    BoxNet1: ``{'0.5_0.5': ['box_red', 'target_blue'], '0.5_1.5': []}``
``corners``    BoxNet2: the same over squares (targets) and crossings (``'1.0_0.0'``: boxes)
``names``      BoxLift: ``box[1.0V], box[2.0V].`` (the boxes still standing)
``yard``       Warehouse: ``{'agent0': [1, 2, 0], 'agent1': 'target'}, left boxes: ['box_0.5_0.0']``
=============  =====================================================================

Each form names its places (squares, crossings, boxes, carts), writes the template the prompt shows,
and parses a reply: :class:`MalformedDescription` where it cannot be read at all (it is fed back to
the model), otherwise a description in which what the reply leaves out, calls ``unsure`` or names
wrongly is reported (``notes``) and left unread, never made up.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from colony.envs.warehouse.state import TARGET, Slot, Transporter, slot_name
from colony.perception.warehouse import BOXES

UNSURE = "unsure"
NOT_READ = "the camera's describer gave no readable description"
NOT_DESCRIBED = "not described by the camera's describer"
WAS_UNSURE = "the camera's describer was unsure"


class MalformedDescription(ValueError):
    """A reply that cannot be read at all; its message says what is wrong, for the model."""


@dataclass
class Description:
    """What a reply says: the items read per place (state key or box name), what could not be read
    there, and the places nothing could be read of."""

    places: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    unread: set[str] = field(default_factory=set)

    @classmethod
    def unreadable(cls, places: Iterable[str]):
        """A description of nothing: every place unread (the reply stayed unreadable)."""
        description = cls()
        for place in places:
            description.leave_unread(place, NOT_READ)
        return description

    def doubt(self, place: str, note: str) -> None:
        self.notes.setdefault(place, []).append(note)

    def leave_unread(self, place: str, note: str) -> None:
        self.unread.add(place)
        self.doubt(place, note)


def literal(text: str, kind: type, what: str) -> Any:
    """The Python or JSON literal of ``kind`` (dict or list) in ``text``, from its first opening bracket to its
    last closing one."""
    opening, closing = ("{", "}") if kind is dict else ("[", "]")
    start, end = text.find(opening), text.rfind(closing)
    if start < 0 or end < start:
        raise MalformedDescription(f"it holds no {what}")
    try:
        data = ast.literal_eval(text[start:end + 1])
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise MalformedDescription(f"the {kind.__name__} is not a Python or JSON literal") from None
    if not isinstance(data, kind):
        raise MalformedDescription(f"it holds no {what}")
    return data


def places_dict(text: str, places: Iterable[str], called: str) -> dict[str, Any]:
    """The dict in ``text``, keyed by its places (stripped, lower case); a key that is no place is malformed."""
    data = {str(key).strip().lower(): value for key, value in literal(text, dict, "dict {...}").items()}
    places = list(places)
    unknown = [key for key in data if key not in places]
    if unknown:
        raise MalformedDescription(f"there is no {called} called {', '.join(map(repr, unknown))}; the {called}s are "
                                   f"exactly {', '.join(map(repr, places))}")
    return data


@dataclass(frozen=True)
class GridForm:
    """A dict of places to item lists: every key is a place, each with the items it may hold."""

    kind: str  # squares | corners
    allowed: dict[str, tuple[str, ...]]
    variables: dict[str, Any]

    def template(self) -> str:
        return repr({place: [] for place in self.allowed})

    def parse(self, reply: str) -> Description:
        data = places_dict(reply, self.allowed, "place")
        for key, value in data.items():
            if not isinstance(value, (list, tuple)):
                raise MalformedDescription(f"the value of {key!r} is not a list")
        every = {item for items in self.allowed.values() for item in items}
        description = Description()
        for place, allowed in self.allowed.items():
            if place not in data:
                description.leave_unread(place, NOT_DESCRIBED)
                continue
            items = [str(item).strip().lower() for item in data[place]]
            if UNSURE in items:
                description.leave_unread(place, WAS_UNSURE)
                continue
            description.places[place] = []
            for item in items:
                if item in allowed:
                    description.places[place].append(item)
                elif item in every:
                    description.doubt(place, f"the describer named {item} where there can be none")
                else:
                    description.doubt(place, f"the describer's {item!r} could not be read")
        return description

    def unreadable(self) -> Description:
        return Description.unreadable(self.allowed)


_BOX_NAME = re.compile(rf"({UNSURE}\s*:\s*)?(box\s*\[[^\]]*\])", re.IGNORECASE)


@dataclass(frozen=True)
class NamesForm:
    """A comma-separated list of the names still standing, ending with a full stop."""

    names: tuple[str, ...]
    variables: dict[str, Any]
    kind: str = "names"

    def template(self) -> str:
        return ", ".join(self.names[:2]) + "."

    def parse(self, reply: str) -> Description:
        known = {re.sub(r"\s+", "", name).lower(): name for name in self.names}
        description = Description(places={name: [] for name in self.names})
        found = list(_BOX_NAME.finditer(reply))
        if not found:
            if reply.strip().strip("`'\"").strip().rstrip(".").lower() == "none":
                return description
            raise MalformedDescription("it names no box; name the boxes exactly as written, or reply 'none.'")
        for match in found:
            unsure, written = match.group(1), match.group(2)
            name = known.get(re.sub(r"\s+", "", written).lower())
            if name is None:
                description.doubt("(describer)", f"{written} is no box of this layout")
            elif unsure:
                description.places.pop(name, None)
                description.leave_unread(name, WAS_UNSURE)
            else:
                description.places[name] = [name]
        return description

    def unreadable(self) -> Description:
        return Description.unreadable(self.names)


_LEFT_BOXES = re.compile(r"left\s+boxes\s*:", re.IGNORECASE)
_SLOT = re.compile(r"box_(\d+(?:\.\d+)?)_(\d+(?:\.\d+)?)")


@dataclass
class YardDescription(Description):
    """Warehouse's reply read: where each cart read stands (``carts``; which box a cart carries is what its arm
    picked, not what the camera sees), the carts read with a box on their deck (``loaded``), and the slots
    named as holding a box (``boxes``; None where the list was not read). Unread places: agents and ``boxes``."""

    carts: dict[str, Transporter] = field(default_factory=dict)
    loaded: set[str] = field(default_factory=set)
    boxes: set[Slot] | None = None


@dataclass(frozen=True)
class YardForm:
    """Warehouse's own history text: a dict of every cart's place, then the box slots that hold a box."""

    agents: tuple[str, ...]
    slots: tuple[Slot, ...]
    tracks: int
    columns: int
    variables: dict[str, Any]
    kind: str = "yard"

    def template(self) -> str:
        carts = dict(zip(self.agents, ([0, 0, 1], TARGET)))
        boxes = [slot_name(slot) for slot in dict.fromkeys((self.slots[0], self.slots[-1]))]
        return f"{carts!r}, left boxes: {boxes!r}"

    def parse(self, reply: str) -> YardDescription:
        marker = _LEFT_BOXES.search(reply)
        carts = places_dict(reply[:marker.start()] if marker else reply, self.agents, "cart")
        description = YardDescription()
        for agent in self.agents:
            if agent in carts:
                self._read_cart(agent, carts[agent], description)
            else:
                description.leave_unread(agent, NOT_DESCRIBED)
        if marker is None:
            description.leave_unread(BOXES, f"the box slots were {NOT_DESCRIBED}")
            return description
        names = [str(name).strip().lower()
                 for name in literal(reply[marker.end():], list, "list [...] after 'left boxes:'")]
        if UNSURE in names:
            description.leave_unread(BOXES, f"{WAS_UNSURE} of the box slots")
            return description
        description.boxes = set()
        slots = {slot: slot for slot in self.slots}
        for name in names:
            match = _SLOT.fullmatch(name)
            slot = slots.get((float(match.group(1)), float(match.group(2))) if match else None)  # 1.0 or 1 is 1
            if slot is not None:
                description.boxes.add(slot)
            else:
                description.doubt(BOXES, f"the describer's {name!r} is no box slot of this warehouse")
        return description

    def _read_cart(self, agent: str, value: Any, description: YardDescription) -> None:
        """A cart's place: [track, column, carrying], 'target' or 'unsure' (alone or in a list)."""
        if isinstance(value, (list, tuple)) and len(value) == 1:
            value = value[0]
        if isinstance(value, str) and value.strip().lower() in (TARGET, UNSURE):
            if value.strip().lower() == UNSURE:
                description.leave_unread(agent, WAS_UNSURE)
            else:
                description.carts[agent] = Transporter(None, 0)
            return
        numbers = isinstance(value, (list, tuple)) and len(value) == 3 and all(
            isinstance(number, (int, float)) and float(number).is_integer() for number in value)
        if not numbers:
            raise MalformedDescription(f"the value of {agent!r} is not [track, column, carrying] or 'target'")
        track, column, carrying = (int(number) for number in value)
        if 0 <= track < self.tracks and 0 <= column < self.columns and carrying in (0, 1):
            description.carts[agent] = Transporter(track, column)
            if carrying:
                description.loaded.add(agent)
        else:
            description.leave_unread(agent, f"the describer's {list(value)!r} is no place of this warehouse")

    def unreadable(self) -> YardDescription:
        return YardDescription.unreadable((*self.agents, BOXES))
