"""Closed-loop evaluation: each task's fixed instances at its smallest size, played through llama.cpp.

Every row is a real run (records under the evaluation folder): the expert, then per scheme
the base model and the adapted one, compact prompts, plans decoded under the plan schema as
any user of the ``local`` backend gets them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from colony.planners.distill.settings import EvalSettings


def _row(task: str, size: str, scheme: str, model: str, summary: dict[str, Any]) -> dict[str, Any]:
    return {"task": task, "size": size, "scheme": scheme, "model": model, "solved": summary["successes"],
            "episodes": summary["episodes"], "mean_steps_solved": summary["mean_steps_successful"],
            "mean_calls": summary["mean_llm_calls"], "mean_tokens": summary["mean_tokens"],
            "mean_seconds": summary["mean_wall_s"], "outcomes": summary["outcomes"]}


def evaluate(settings: EvalSettings, models: dict[str, dict[str, Any]], out: Path, *,
             log: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """``models``: a label -> the ``llm`` settings that load it (e.g. ``{"spec": "local:base"}``)."""
    from colony.envs.registry import task_spec
    from colony.planners.config import ScenarioConfig
    from colony.planners.run import run_scenario

    rows = []
    for task in settings.tasks:
        size = task_spec(task).paper_sizes()[0]
        common = {"task": task, "size": size, "instances": settings.instances, "step_limit": settings.step_limit}
        runs = [("expert", "expert", {"planner": {"scheme": "expert"}})]
        runs += [(scheme, label, {"planner": {"scheme": scheme, "prompt_style": "compact"}, "llm": llm})
                 for scheme in settings.schemes for label, llm in models.items()]
        for scheme, label, settings_for_run in runs:
            config = ScenarioConfig(**common, **settings_for_run,
                                    run={"out_dir": str(out), "name": f"{task}-{scheme}-{label}", "picture": False})
            _, summary = run_scenario(config)
            row = _row(task, size, scheme, label, summary)
            rows.append(row)
            log(f"  {task} {size} {scheme:6} {label:8} solved {row['solved']}/{row['episodes']}  "
                f"calls {row['mean_calls']}  tokens {row['mean_tokens']}  {row['mean_seconds']} s/episode")
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table (README, manifest, benchmark output)."""
    lines = ["| task | scheme | model | solved | steps (solved) | calls | tokens | s/episode |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['task']} {r['size']} | {r['scheme']} | {r['model']} | {r['solved']}/{r['episodes']} | "
                     f"{r['mean_steps_solved'] if r['mean_steps_solved'] is not None else '-'} | {r['mean_calls']} | "
                     f"{r['mean_tokens']} | {r['mean_seconds']} |")
    return "\n".join(lines)
