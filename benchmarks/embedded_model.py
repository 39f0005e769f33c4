"""The embedded model in closed loop: base SmolLM2-135M vs SmolLM2 with colony's distilled adapter,
beside the greedy expert, on each task's fixed instances at its smallest size.

Every row is a real run through llama.cpp (records under ``--out``): success, steps of the
solved episodes, LLM calls, tokens and seconds per episode. Compact prompts; plans decoded
under the plan schema, as the ``local`` backend gives any user. The adapter is a small model
imitating the greedy experts (``colony distill``; its manifest is printed): useful for offline
demos and pipeline tests, not a reasoning planner.

Usage: ``python benchmarks/embedded_model.py [--instances 10] [--tasks boxnet1 ...]
[--schemes cmas hmas2] [--adapter FILE.gguf] [--step-limit N] [--skip-base]`` (default adapter:
the one colony ships).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from colony.planners.distill.evaluate import evaluate, table
from colony.planners.distill.settings import TASKS, EvalSettings
from colony.planners.local_model import shipped_adapter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=10)
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    parser.add_argument("--schemes", nargs="+", default=["cmas", "hmas2"], choices=["cmas", "hmas2", "dmas", "hmas1"])
    parser.add_argument("--adapter", help="a GGUF LoRA (default: the adapter colony ships)")
    parser.add_argument("--step-limit", type=int, help="cap each episode's steps (default: the task's own)")
    parser.add_argument("--out", default="runs/embedded_model")
    parser.add_argument("--skip-base", action="store_true", help="leave the base model out (it is the slow one)")
    args = parser.parse_args()

    models = {} if args.skip_base else {"base": {"spec": "local:base"}}
    if args.adapter:
        models["adapter"] = {"spec": "local", "adapter": args.adapter}
    elif (shipped := shipped_adapter()) is not None:
        path, manifest = shipped
        models["adapter"] = {"spec": "local", "adapter": str(path)}
        print(f"adapter: {path.name} (sha256 {manifest['adapter']['sha256'][:12]}, commit {manifest.get('commit')}, "
              f"{sum(sum(r['data']['examples'].values()) for r in manifest['rounds'])} examples in "
              f"{len(manifest['rounds'])} rounds)")
    else:
        print("no adapter shipped (planners/adapters/ is empty) and none given: base model and expert only")
    settings = EvalSettings(schemes=args.schemes, instances=args.instances, tasks=args.tasks, step_limit=args.step_limit)
    start = time.perf_counter()
    rows = evaluate(settings, models, Path(args.out) / time.strftime("%Y%m%d-%H%M%S"))
    print(table(rows))
    print(f"{time.perf_counter() - start:.0f} s in all")
    (Path(args.out) / "latest.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
