"""Checking instance files field by field: every problem is named (field, value, what is
allowed), collected, and raised together; nothing is dropped or snapped silently.

Numbers are normalised before anything is built from them: ``7`` and ``7.0`` are the
same volume, ``1.0`` is track 1, ``1.5`` is no track at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


class InstanceError(ValueError):
    """An instance that does not describe a playable episode of its task."""

    def __init__(self, task: str, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"invalid {task} instance:\n" + "\n".join(f"  {problem}" for problem in self.problems))


class Problems:
    """A collector of instance problems with checkers that return the normalised value (or None)."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, field: str, value: Any, expected: str) -> None:
        self.items.append(f"{field} = {_show(value)}: {expected}")

    def raise_if_any(self, task: str) -> None:
        if self.items:
            raise InstanceError(task, self.items)

    def number(self, value: Any, field: str, *, minimum: float | None = None, maximum: float | None = None,
               expected: str = "a number") -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.add(field, value, expected)
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.add(field, value, expected)
            return None
        return float(value)

    def whole(self, value: Any, field: str, *, minimum: int | None = None, maximum: int | None = None,
              expected: str | None = None) -> int | None:
        """An integer; an integral float (``1.0``) is accepted as that integer."""
        bounds = "" if minimum is None and maximum is None else (
            f" from {minimum}" if maximum is None else f" from {minimum} to {maximum}" if minimum is not None
            else f" up to {maximum}")
        wanted = expected or f"a whole number{bounds}"
        number = self.number(value, field, minimum=minimum, maximum=maximum, expected=wanted)
        if number is None:
            return None
        if number != int(number):
            self.add(field, value, wanted)
            return None
        return int(number)

    def integer(self, data: Mapping[str, Any], field: str, *, minimum: int | None = None,
                required: bool = True) -> int | None:
        if field not in data or data[field] is None:
            if required:
                self.add(field, None, "required")
            return None
        return self.whole(data[field], field, minimum=minimum)

    def mapping(self, data: Mapping[str, Any], field: str) -> Mapping[str, Any]:
        value = data.get(field)
        if not isinstance(value, Mapping):
            self.add(field, value, "a mapping" + (" (required)" if value is None else ""))
            return {}
        return value

    def sequence(self, value: Any, field: str) -> list[Any]:
        if not isinstance(value, list):
            self.add(field, value, "a list")
            return []
        return value


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
