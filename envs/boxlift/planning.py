"""BoxLift's plan format for language models: plans are keyed by box, each value a team of
lifters (the prompt texts are in ``prompts.yaml``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from colony.envs.boxlift.state import BoxLiftState
from colony.envs.plan_format import PlanFormat


def literal_pattern(text: str) -> str:
    """A regex matching ``text`` exactly, written so that grammar converters (llama.cpp's
    json-schema-to-grammar) keep it literal: a dot becomes ``[.]`` rather than ``\\.``."""
    return "".join("[.]" if c == "." else f"\\{c}" if c in "[](){}*+?^$|\\" else c for c in text)


_NAME = re.compile(r"\w+\[(\d+(?:\.\d+)?)[VW](?:#(\d+))?\]")


def grouped(names: list[str]) -> str:
    """``box[8.0V]``, ``box[8.0V#2]``, ``box[3.0V#2]`` -> ``8.0 x2, 3.0 (#2)``: values largest first,
    ``xN`` when the repeats 1..N are all there, the repeat numbers otherwise."""
    repeats: dict[float, list[int]] = {}
    for name in names:
        value, repeat = _NAME.fullmatch(name).groups()
        repeats.setdefault(float(value), []).append(int(repeat or 1))
    parts = []
    for value in sorted(repeats, reverse=True):
        numbers = sorted(repeats[value])
        if numbers == list(range(1, len(numbers) + 1)):
            parts.append(f"{value}" + (f" x{len(numbers)}" if len(numbers) > 1 else ""))
        else:
            parts.append(f"{value} ({', '.join(f'#{n}' for n in numbers)})")
    return ", ".join(parts)


class BoxLiftPlan(PlanFormat):
    example = '{"box[1.7V]":"agent[1.5W]", "box[3.0V]":"agent[1.5W], agent[2.5W]"}'

    def keys(self, state: BoxLiftState) -> list[str]:
        return state.box_names()

    def schema(self, state: BoxLiftState) -> dict[str, Any]:
        """Each box left maps to a comma-separated team of lifter names."""
        lifter = "(" + "|".join(literal_pattern(name) for name in state.agents) + ")"
        team = {"type": "string", "pattern": f"^{lifter}(, {lifter})*$"}
        return {"type": "object", "properties": {box: team for box in state.box_names()}, "additionalProperties": False}

    def agents_named(self, state: BoxLiftState, plan: Mapping[str, Any]) -> list[str]:
        """The lifters named in a plan's teams."""
        named = set()
        for team in plan.values():
            names = team if isinstance(team, list) else str(team).split(",")
            named |= {state.resolve_agent(str(name)) for name in names}
        return [agent for agent in state.agents if agent in named]

    # --- compact views -------------------------------------------------------------------------
    def compact_state(self, state: BoxLiftState) -> str:
        """Names grouped by value, largest first: ``8.0 x3`` stands for box[8.0V], box[8.0V#2], box[8.0V#3]."""
        return (f"Boxes left (box[<volume>V], repeats #2...): {grouped(state.box_names()) or 'none'}.\n"
                f"Agents (agent[<capacity>W]): {grouped(state.agents)}.")

    def agent_view(self, state: BoxLiftState, agent: str) -> str:
        return f"lifting capacity {state.lifter(agent).capacity}W"

    def part_for(self, state: BoxLiftState, plan: Mapping[str, Any], agent: str) -> str:
        parts = []
        for box, team in plan.items():
            names = [state.resolve_agent(str(name)) for name in (team if isinstance(team, list) else str(team).split(","))]
            if agent in names:
                mates = [name for name in names if name and name != agent]
                parts.append(f"lift {box}" + (f" with {', '.join(mates)}" if mates else " alone"))
        return "; ".join(parts) or "no box this step"

    def from_choices(self, choices: Mapping[str, str]) -> dict[str, str]:
        """Lifter -> box choices as box -> team."""
        plan: dict[str, list[str]] = {}
        for lifter, box in choices.items():
            plan.setdefault(box, []).append(lifter)
        return {box: ", ".join(lifters) for box, lifters in plan.items()}


PLAN_FORMAT = BoxLiftPlan()
