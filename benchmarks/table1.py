"""Table I of Chen et al. (2023), reproduced with Colony's planners: a thin wrapper over the
``table1`` ablation (``configs/ablations/table1.yaml``) and ``colony report``.

By default every scheme and the greedy expert on every task at its smallest paper size
(the paper reports 40 runs per task over its sizes; ``--all-sizes`` plays all of them),
the fixed benchmark instances, one LLM backend (default: the embedded SmolLM2 model).
The report is the paper's layout: success rate, and steps / LLM calls / tokens normalised
per trial to the best LLM scheme that succeeded on that trial (1.00 = best), averaged over
the successful runs; the paper's GPT-4 success rates are printed beside it.

Runs are recorded under ``--out``/``--name`` and resumed: a killed benchmark restarts where
it stopped. Usage: ``python benchmarks/table1.py [--instances 10] [--llm local] [--workers 1]``.
Any setting applies to every run with ``--set`` (e.g. ``--set planner.prompt_style=compact``).
On a real model change only the backend, e.g. ``--llm openai:gpt-4o-mini`` or
``--llm openai:Qwen2.5-7B-Instruct --base-url http://127.0.0.1:8000/v1``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml
from rich.console import Console

from colony.envs.registry import tasks
from colony.launch.sweep import run_sweep
from colony.planners.config import parse_setting
from colony.planners.report import write_report
from colony.planners.sweep import ablation_path

SCHEMES = ["dmas", "hmas1", "cmas", "hmas2"]
PAPER_GPT4_SUCCESS = {  # Table I, GPT-4: DMAS, HMAS-1, CMAS, HMAS-2
    "boxnet1": [25.0, 52.5, 75.0, 82.5], "boxnet2": [0.0, 7.5, 27.5, 57.5],
    "warehouse": [0.0, 5.0, 15.0, 62.5], "boxlift": [52.5, 67.5, 90.0, 100.0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10)
    parser.add_argument("--llm", default="local")
    parser.add_argument("--base-url")
    parser.add_argument("--tasks", nargs="+", default=list(PAPER_GPT4_SUCCESS), choices=list(tasks()))
    parser.add_argument("--schemes", nargs="+", default=SCHEMES, choices=SCHEMES)
    parser.add_argument("--all-sizes", action="store_true", help="the paper's four sizes, not only the smallest")
    parser.add_argument("--step-limit", type=int, help="override the paper's step limits (say so when reporting)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--engine", choices=["local", "ray"], default="local")
    parser.add_argument("--out", default="runs")
    parser.add_argument("--name", default="table1")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="any setting for every run, e.g. planner.prompt_style=compact")
    args = parser.parse_args()
    console = Console(width=200)
    spec = yaml.safe_load(ablation_path("table1").read_text(encoding="utf-8"))
    smallest = {task: tasks()[task].paper_sizes()[0] for task in args.tasks}
    spec["list"] = [entry for entry in spec["list"] if entry["task"] in args.tasks
                    and (args.all_sizes or str(entry["size"]) == smallest[entry["task"]])]
    spec["grid"]["planner.scheme"] = [*args.schemes, "expert"]
    spec["instances"] = args.instances
    spec["set"] = {**spec.get("set", {}), "llm.spec": args.llm, "llm.base_url": args.base_url,
                   "step_limit": args.step_limit,
                   **dict(parse_setting(item) for item in args.set)}
    folder = Path(args.out) / args.name
    folder.mkdir(parents=True, exist_ok=True)
    ablation = folder / "table1-ablation.yaml"
    ablation.write_text(yaml.safe_dump({k: v for k, v in spec.items() if v is not None}, sort_keys=False),
                        encoding="utf-8")
    run_sweep(str(ablation), name=args.name, out=args.out, workers=args.workers, engine=args.engine, console=console)
    write_report(folder)
    console.print((folder / "report.md").read_text(encoding="utf-8"), markup=False, highlight=False)
    console.print("paper, GPT-4 success (DMAS / HMAS-1 / CMAS / HMAS-2): " + "; ".join(
        f"{task} {' / '.join(f'{v:.1f}%' for v in PAPER_GPT4_SUCCESS[task])}" for task in args.tasks
        if task in PAPER_GPT4_SUCCESS))
    console.print(f"report: {folder / 'report.html'}")


if __name__ == "__main__":
    main()
