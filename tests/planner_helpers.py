"""Shared helpers for planner tests: scripted scenarios and fixed small instances."""

from colony.planners.config import load_scenario


def scenario(task, tmp_path, **settings):
    """A scenario config with scripted backend, one instance, records under tmp_path."""
    overrides = {"llm.spec": "scripted", "llm.backoff_s": 0, "run.out_dir": str(tmp_path), "run.name": "run",
                 "run.picture": False, "instances": 1, **settings}
    return load_scenario(task, **overrides)
