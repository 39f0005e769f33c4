"""BoxLift's plan format for language models: plans are keyed by box, each value a team of
lifters (the prompt texts are in ``prompts.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from colony.envs.boxlift.state import BoxLiftState
from colony.envs.plan_format import PlanFormat


def literal_pattern(text: str) -> str:
    """A regex matching ``text`` exactly, written so that grammar converters (llama.cpp's
    json-schema-to-grammar) keep it literal: a dot becomes ``[.]`` rather than ``\\.``."""
    return "".join("[.]" if c == "." else f"\\{c}" if c in "[](){}*+?^$|\\" else c for c in text)


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

    def from_choices(self, choices: Mapping[str, str]) -> dict[str, str]:
        """Lifter -> box choices as box -> team."""
        plan: dict[str, list[str]] = {}
        for lifter, box in choices.items():
            plan.setdefault(box, []).append(lifter)
        return {box: ", ".join(lifters) for box, lifters in plan.items()}


PLAN_FORMAT = BoxLiftPlan()
