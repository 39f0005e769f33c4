"""Warehouse's plan format for language models (the prompt texts are in ``prompts.yaml``)."""

from colony.envs.plan_format import AgentKeyedPlan

PLAN_FORMAT = AgentKeyedPlan(
    '{"agent0":"move left", "agent1":"move to track_1", "agent2":"pick box_1.5_1.0", "agent3":"move to target"}',
    facts=lambda state: {"tracks": state.tracks, "columns": state.columns})
