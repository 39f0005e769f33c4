"""BoxNet1's plan format for language models (the prompt texts are in ``prompts.yaml``)."""

from colony.envs.plan_format import AgentKeyedPlan

PLAN_FORMAT = AgentKeyedPlan(
    '{"Agent[0.5, 0.5]":"move(box_blue, square[0.5, 1.5])", "Agent[1.5, 0.5]":"move(box_red, target_red)"}')
