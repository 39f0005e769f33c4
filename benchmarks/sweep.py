"""Sweep throughput: runs per minute on the local pool and on Ray, 1 and 2 workers, and
each engine's overhead per run, beside the same runs played one after another in this
process (the baseline, measured in the same invocation).

The runs: the greedy expert on BoxNet1 4x8, ``--runs`` runs of ``--instances`` generated
instances each (seeds 9000, 9100, ...). Scaling from 1 to 2 workers is
``(runs/min with 2) / (2 x runs/min with 1)``; target >= 0.8 on both engines. Overhead per
run is the engine's wall time times its workers, less the time the runs themselves took,
per run (process start, imports, scheduling, results). Ray's start-up (``ray.init``) is
timed on its own and left out of its rates.

Usage: ``python benchmarks/sweep.py [--runs 8] [--instances 200]`` (Ray needs
``pip install 'colony[ray]'``; without it the Ray rows are skipped).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from colony.launch.sweep import run_sweep
from colony.planners.sweep import execute, expand, read_index, read_sweep_file

RESULTS = Path(__file__).parent / "results"


def ablation(folder: Path, runs: int, instances: int) -> Path:
    path = folder / "throughput.yaml"
    path.write_text(yaml.safe_dump({"base": "boxnet1", "grid": {"seed": [9000 + 100 * i for i in range(runs)]},
                                    "instances": instances, "set": {"planner.scheme": "expert", "size": "4x8",
                                                                    "run.picture": False}}), encoding="utf-8")
    return path


def measure(path: Path, out: Path, engine: str, workers: int) -> dict:
    quiet = Console(file=open(os.devnull, "w"))  # noqa: SIM115 (closed with the process)
    start = time.perf_counter()
    folder, counts = run_sweep(str(path), name=f"{engine}-{workers}", out=str(out), workers=workers, engine=engine,
                               console=quiet)
    wall = time.perf_counter() - start
    inside = sum(record["seconds"] for record in read_index(folder).values())
    return {"engine": engine, "workers": workers, "runs": counts["done"], "wall_s": wall,
            "runs_per_min": 60 * counts["done"] / wall, "overhead_s_per_run": (wall * workers - inside) / counts["done"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--instances", type=int, default=200)
    args = parser.parse_args()
    console = Console()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        path = ablation(scratch, args.runs, args.instances)
        start = time.perf_counter()
        for run in expand(read_sweep_file(path)):
            execute(run.to_dict(), str(scratch / "baseline"))
        baseline = 60 * args.runs / (time.perf_counter() - start)
        for workers in (1, 2):
            rows.append(measure(path, scratch, "local", workers))
        startup = None
        try:
            import ray

            os.environ.setdefault("RAY_AUTH_MODE", "disabled")
            for workers in (1, 2):
                began = time.perf_counter()
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
                startup = time.perf_counter() - began
                rows.append({**measure(path, scratch, "ray", workers), "ray_init_s": startup})
                ray.shutdown()
        except ImportError:
            console.print("Ray is not installed: its rows are skipped (pip install 'colony[ray]')")
    table = Table(title=f"Sweep throughput: {args.runs} runs x {args.instances} BoxNet1 4x8 episodes, greedy expert")
    for column in ("engine", "workers", "runs/min", "x baseline", "scaling 1->2 (target >= 0.8)",
                   "overhead s/run", "wall s"):
        table.add_column(column, justify="right")
    table.add_row("in-process, sequential (baseline)", "1", f"{baseline:.1f}", "1.00", "", "0", "")
    for row in rows:
        one = next(r for r in rows if r["engine"] == row["engine"] and r["workers"] == 1)
        scaling = row["runs_per_min"] / (2 * one["runs_per_min"]) if row["workers"] == 2 else None
        table.add_row(row["engine"], str(row["workers"]), f"{row['runs_per_min']:.1f}",
                      f"{row['runs_per_min'] / baseline:.2f}", f"{scaling:.2f}" if scaling else "",
                      f"{row['overhead_s_per_run']:.2f}", f"{row['wall_s']:.1f}")
        row["scaling"] = scaling
    console.print(table)
    if startup is not None:
        console.print(f"ray.init: {startup:.1f} s (not in Ray's rates)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "sweep.json"
    out.write_text(json.dumps({"baseline_runs_per_min": baseline, "rows": rows}, indent=1) + "\n", encoding="utf-8")
    console.print(f"written {out}")


if __name__ == "__main__":
    main()
