"""Table I of Chen et al. (2023), reproduced with Colony's planners.

Runs every scheme on every task (smallest paper size, the fixed benchmark instances) with
one LLM backend (default: the embedded SmolLM2 model) and the greedy expert, then prints
the paper's layout: success rate, and steps / LLM calls / tokens normalised per trial to
the best LLM scheme that succeeded on that trial (1.00 = best), averaged over the
successful runs; plus wall time per episode and LLM throughput.

Runs are recorded under ``--out`` and resumed: a killed benchmark restarts where it stopped.
Usage: ``python benchmarks/table1.py [--instances 10] [--llm local] [--step-limit N]``.
Any setting applies to every run with ``--set`` (e.g. ``--set planner.prompt_style=compact``).
To run it on a real model, change only the backend, e.g.
``--llm openai:gpt-4o-mini`` or ``--llm openai:Qwen2.5-7B-Instruct --base-url http://127.0.0.1:8000/v1``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from pathlib import Path

from rich.console import Console
from rich.table import Table

from colony.envs.registry import tasks
from colony.planners.config import load_scenario
from colony.planners.run import run_scenario

SCHEMES = ["dmas", "hmas1", "cmas", "hmas2"]
PAPER_GPT4_SUCCESS = {  # Table I, GPT-4: DMAS, HMAS-1, CMAS, HMAS-2
    "boxnet1": [25.0, 52.5, 75.0, 82.5], "boxnet2": [0.0, 7.5, 27.5, 57.5],
    "warehouse": [0.0, 5.0, 15.0, 62.5], "boxlift": [52.5, 67.5, 90.0, 100.0]}


def run_folder(task: str, scheme: str, args: argparse.Namespace) -> str:
    """One folder per task, scheme, backend and step limit, so a resumed run never mixes them."""
    backend = "expert" if scheme == "expert" else re.sub(r"[^A-Za-z0-9.]+", "_", args.llm)
    settings = "".join("-" + re.sub(r"[^A-Za-z0-9.=]+", "_", item) for item in args.set)
    return f"{task}-{scheme}-{backend}" + (f"-limit{args.step_limit}" if args.step_limit else "") + settings


def smallest_size(task: str) -> str:
    """The task's smallest paper size (the one Table I reports)."""
    return tasks()[task].paper_sizes()[0]


def run_all(args: argparse.Namespace, console: Console) -> dict[str, dict[str, dict]]:
    results: dict[str, dict[str, dict]] = {}
    for task in args.tasks:
        results[task] = {}
        for scheme in [*args.schemes, "expert"]:
            settings = {"planner.scheme": scheme, "instances": args.instances, "run.out_dir": args.out,
                        "run.name": run_folder(task, scheme, args), "run.picture": False, "step_limit": args.step_limit}
            if scheme != "expert":
                settings.update({"llm.spec": args.llm, "llm.base_url": args.base_url})
            config = load_scenario(task, args.set, size=smallest_size(task), **settings)
            console.print(f"[bold]{task}[/bold] {scheme} ({'expert' if scheme == 'expert' else args.llm}) ...")
            _, summary = run_scenario(config, resume=True)
            results[task][scheme] = summary
    return results


def normalised(results: dict[str, dict], schemes: list[str], metric: str) -> dict[str, float | None]:
    """Per trial, divide by the best (lowest) value among LLM schemes that succeeded; mean over successes."""
    by_scheme = {s: {e["index"]: e for e in results[s]["per_episode"]} for s in schemes}
    ratios: dict[str, list[float]] = {s: [] for s in schemes}
    trials = set().union(*(episodes.keys() for episodes in by_scheme.values())) if by_scheme else set()
    for trial in trials:
        winners = {s: by_scheme[s][trial][metric] for s in schemes
                   if trial in by_scheme[s] and by_scheme[s][trial]["success"]}
        best = min(winners.values(), default=0)
        for scheme, value in winners.items():
            if best > 0:
                ratios[scheme].append(value / best)
    return {s: round(statistics.fmean(r), 2) if r else None for s, r in ratios.items()}


def throughput(summary: dict) -> tuple[float | None, float | None]:
    episodes = summary["per_episode"]
    seconds = sum(e["llm_s"] for e in episodes)
    if not seconds:
        return None, None
    return (sum(e["tokens"] for e in episodes) / seconds, sum(e["completion_tokens"] for e in episodes) / seconds)


def table(results: dict[str, dict[str, dict]], schemes: list[str], args: argparse.Namespace) -> Table:
    names = {"dmas": "DMAS", "hmas1": "HMAS-1", "cmas": "CMAS", "hmas2": "HMAS-2", "expert": "Expert"}
    limit = f", step limit {args.step_limit}" if args.step_limit else ""
    out = Table(title=f"Table I layout - {args.llm} vs greedy expert, {args.instances} instances per task{limit}")
    out.add_column("Task")
    out.add_column("Metric")
    for scheme in [*schemes, "expert"]:
        out.add_column(names[scheme], justify="right")
    out.add_column("paper GPT-4 (DMAS/HMAS-1/CMAS/HMAS-2)", justify="right")
    for task, by_scheme in results.items():
        columns = [*schemes, "expert"]

        def cell(value: float | None, fmt: str = "{:.2f}") -> str:
            return "-" if value is None else fmt.format(value)

        success = {s: by_scheme[s]["success_rate"] for s in columns}
        paper = PAPER_GPT4_SUCCESS.get(task)
        out.add_row(task, "success", *[cell(success[s] * 100, "{:.1f}%") for s in columns],
                    " / ".join(f"{v:.1f}%" for v in paper) if paper else "not in the paper")
        for metric, label in (("steps", "steps (norm.)"), ("llm_calls", "calls (norm.)"), ("tokens", "tokens (norm.)")):
            values = normalised(by_scheme, schemes, metric)
            out.add_row("", label, *[cell(values[s]) for s in schemes], "n/a", "")
        out.add_row("", "mean steps", *[cell(statistics.fmean([e["steps"] for e in by_scheme[s]["per_episode"]]), "{:.1f}")
                                        for s in columns], "")
        out.add_row("", "wall s / episode", *[cell(by_scheme[s]["mean_wall_s"], "{:.1f}") for s in columns], "")
        rates = {s: throughput(by_scheme[s]) for s in schemes}
        out.add_row("", "LLM tok/s (all / completion)",
                    *[f"{cell(rates[s][0], '{:.0f}')} / {cell(rates[s][1], '{:.1f}')}" for s in schemes], "-", "")
        out.add_row("", "outcomes", *[", ".join(f"{k} {v}" for k, v in by_scheme[s]["outcomes"].items()) for s in columns], "")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10)
    parser.add_argument("--llm", default="local")
    parser.add_argument("--base-url")
    parser.add_argument("--tasks", nargs="+", default=list(tasks()), choices=list(tasks()))
    parser.add_argument("--schemes", nargs="+", default=SCHEMES, choices=SCHEMES)
    parser.add_argument("--step-limit", type=int, help="override the paper's step limits (say so when reporting)")
    parser.add_argument("--out", default="runs/table1")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="any setting for every run, e.g. planner.prompt_style=compact")
    args = parser.parse_args()
    console = Console(width=200)
    results = run_all(args, console)
    console.print(table(results, args.schemes, args))
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "table1.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
