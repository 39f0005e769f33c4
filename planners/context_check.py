"""Prompts that cannot fit the model's context are a configuration error, found before any episode.

The first step of the first instance is rendered for every role the scheme uses, with no
history and no dialogue, and measured with the backend's own token counter. If a prompt
plus the reply's ``llm.max_tokens`` exceeds ``llm.context_tokens`` even then, no history
budget can save the run: the error names the role, the measured size and the budget.
"""

from __future__ import annotations

from typing import Any

from colony.envs.registry import parallel_env
from colony.planners.base import plan_json
from colony.planners.context import PlanningContext
from colony.planners.config import ConfigError, ScenarioConfig
from colony.planners.history import History

ROLES_BY_SCHEME = {"cmas": ("central",), "hmas2": ("central", "feedback"), "dmas": ("local",),
                   "hmas1": ("central", "local")}


def largest_prompts(config: ScenarioConfig, planner: Any) -> dict[str, int]:
    """Tokens of the largest step-1 prompt of each role, with no history and no dialogue."""
    env = parallel_env(config.task, size=config.size, step_limit=config.step_limit)
    files = config.instance_files()
    env.reset(seed=config.instance_seeds()[0], options={"instance": files[0]} if files else None)
    context = PlanningContext.from_surface(env)
    empty = History("none", planner.client.counter, False, config.planner.prompt_style)
    choices = {agent: legal[0] for agent, legal in context.legal_actions.items() if legal}
    plan = context.plan_format.from_choices(choices)
    count = planner.client.counter.count
    sizes: dict[str, int] = {}
    for role in ROLES_BY_SCHEME[config.planner.scheme]:
        if role == "central":
            sizes[role] = count(planner.central_prompt(context, empty))
            continue
        extra = ({"plan": plan_json(plan), "part": context.plan_format.part_for(context.state, plan, agent)}
                 for agent in context.agents) if role == "feedback" else \
            ({"dialogue": "(none yet)", "initial_plan": plan_json(plan) if config.planner.scheme == "hmas1" else ""}
             for _ in context.agents)
        sizes[role] = max(count(planner.agent_prompt(role, context, empty, agent, **variables))
                          for agent, variables in zip(context.agents, extra))
    return sizes


def check_prompt_sizes(config: ScenarioConfig, planner: Any) -> dict[str, int]:
    """Raise ConfigError when a prompt cannot fit the context; return the measured sizes."""
    room = config.llm.context_tokens - config.llm.max_tokens
    if planner.token_budget > room:
        raise ConfigError(f"planner.token_budget: {planner.token_budget:,} tokens of prompt do not fit the model's context "
                          f"of {config.llm.context_tokens:,} tokens with {config.llm.max_tokens:,} kept for the reply "
                          f"(llm.context_tokens, llm.max_tokens); use at most {room:,}")
    sizes = largest_prompts(config, planner)
    for role, tokens in sizes.items():
        if tokens > room:
            raise ConfigError(
                f"llm.context_tokens: the {role} prompt of {config.task} {config.size} in the {config.planner.prompt_style} "
                f"style is {tokens:,} tokens with no history at all, but the model's context is "
                f"{config.llm.context_tokens:,} tokens and {config.llm.max_tokens:,} are kept for the reply; use "
                "planner.prompt_style=compact, a smaller team, or a model with a larger context")
    return sizes
