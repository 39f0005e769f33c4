"""What the coordination protocols cost in tokens, with the planning taken out of the question.

Every scheme is driven by the oracle backend (replies from the task's greedy expert: the plan
to a central planner, ``I Agree`` to HMAS-2 agents, ``EXECUTE`` + plan to the first DMAS or
HMAS-1 speaker) on every task's fixed instances, at the smallest and the largest paper size,
in both prompt styles. Tokens are counted offline with cl100k_base, the paper's counter, so
every figure is a deterministic fact, not a timing. Printed per task, size and scheme:
success, steps, calls, prompt and completion tokens per episode for ``paper`` and
``compact``, the ratio compact/paper of all tokens, and the share of each prompt that is a
prefix of an earlier prompt of the same step (what llama.cpp's and vLLM's prefix caches can
reuse). The greedy expert's success on the same instances is the baseline: the oracle must
match it in both styles.

``--scale`` runs BoxNet1 at 4, 8, 16, 32 and 64 agents instead and prints prompt tokens per
call and tokens per step against team size for every scheme and style, and writes the plot
(``--plot``). ``--embedded`` plays one step of every scheme on BoxNet1 8x8, BoxNet2 8x8 and
16-agent Warehouse with the embedded model and prints the largest prompt against its context.
Usage: ``python benchmarks/protocol_cost.py [--instances 10] [--scale | --embedded]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from colony.envs.registry import tasks
from colony.planners.config import load_scenario
from colony.planners.run import run_scenario

SCHEMES = ["cmas", "dmas", "hmas1", "hmas2"]
STYLES = ["paper", "compact"]
SCALE_SIZES = {4: "2x2", 8: "2x4", 16: "4x4", 32: "4x8", 64: "8x8"}


def play(task: str, size: str, scheme: str, style: str | None, out: Path, instances: int, seed: int | None = None,
         step_limit: int | None = None) -> tuple[dict, list[dict]]:
    """One run with the oracle (or the expert when ``style`` is None): its summary and step records."""
    settings = {"planner.scheme": scheme, "instances": instances, "run.out_dir": str(out), "run.picture": False,
                "run.name": f"{task}-{size}-{scheme}-{style}", "seed": seed, "step_limit": step_limit}
    if style is not None:
        settings.update({"llm.spec": "oracle", "planner.prompt_style": style})
    folder, summary = run_scenario(load_scenario(task, size=size, **settings))
    return summary, json_lines(folder / "steps.jsonl")


def prefix_share(steps: list[dict]) -> float:
    """Share of prompt tokens (cl100k) that repeat the start of an earlier prompt of the same step."""
    from colony.planners.tokens import gpt4_tokens as encode

    shared = total = 0
    for step in steps:
        seen: list[list[int]] = []
        for call in step.get("calls", []):
            tokens = encode(call["messages"][1]["content"])
            best = 0
            for earlier in seen:
                same = 0
                for a, b in zip(tokens, earlier):
                    if a != b:
                        break
                    same += 1
                best = max(best, same)
            shared, total = shared + best, total + len(tokens)
            seen.append(tokens)
    return shared / total if total else 0.0


def per_episode(summary: dict, key: str) -> float:
    return statistics.fmean(e[key] for e in summary["per_episode"])


def cost_table(args: argparse.Namespace, console: Console, out: Path) -> list[dict]:
    rows = []
    for task, spec in tasks().items():
        if args.tasks and task not in args.tasks:
            continue
        sizes = spec.paper_sizes()
        for size in dict.fromkeys([sizes[0], sizes[-1]] if args.large else [sizes[0]]):
            expert, _ = play(task, size, "expert", None, out, args.instances)
            for scheme in SCHEMES:
                row = {"task": task, "size": size, "scheme": scheme, "expert": expert["successes"]}
                for style in STYLES:
                    summary, steps = play(task, size, scheme, style, out, args.instances)
                    row[style] = {"success": summary["successes"], "steps": per_episode(summary, "steps"),
                                  "calls": per_episode(summary, "llm_calls"),
                                  "prompt": per_episode(summary, "prompt_tokens"),
                                  "completion": per_episode(summary, "completion_tokens"),
                                  "tokens": per_episode(summary, "tokens"), "prefix": prefix_share(steps)}
                row["ratio"] = row["compact"]["tokens"] / row["paper"]["tokens"]
                rows.append(row)
                console.print(f"{task} {size} {scheme}: compact/paper {row['ratio']:.2f}", highlight=False)
    table = Table(title=f"Protocol cost with the oracle, {args.instances} fixed instances each, tokens per episode "
                        "(cl100k_base)")
    for column in ("task", "size", "scheme", "expert ok", "ok p/c", "steps p/c", "calls p/c", "prompt tok p/c",
                   "completion p/c", "compact/paper", "cached prefix p/c"):
        table.add_column(column, justify="right")
    for row in rows:
        p, c = row["paper"], row["compact"]
        table.add_row(row["task"], row["size"], row["scheme"], str(row["expert"]), f"{p['success']}/{c['success']}",
                      f"{p['steps']:.1f}/{c['steps']:.1f}", f"{p['calls']:.1f}/{c['calls']:.1f}",
                      f"{p['prompt']:,.0f}/{c['prompt']:,.0f}", f"{p['completion']:,.0f}/{c['completion']:,.0f}",
                      f"{row['ratio']:.2f}", f"{p['prefix']:.0%}/{c['prefix']:.0%}")
    console.print(table)
    worst = max(rows, key=lambda row: row["ratio"])
    kept = all(row["compact"]["success"] >= row["paper"]["success"] for row in rows)
    console.print(f"largest ratio {worst['ratio']:.2f} ({worst['task']} {worst['size']} {worst['scheme']}); "
                  f"compact solves every instance paper solves: {'yes' if kept else 'NO'}")
    return rows


def scale_table(args: argparse.Namespace, console: Console, out: Path) -> list[dict]:
    rows = []
    for agents, size in SCALE_SIZES.items():
        for scheme in SCHEMES:
            for style in STYLES:
                summary, steps = play("boxnet1", size, scheme, style, out, args.scale_instances, seed=args.seed,
                                      step_limit=args.scale_steps)
                calls = [call for step in steps for call in step.get("calls", [])]
                rows.append({"agents": agents, "scheme": scheme, "style": style,
                             "prompt_per_call": statistics.fmean(c["prompt_tokens"] for c in calls),
                             "largest_prompt": max(c["prompt_tokens"] for c in calls),
                             "tokens_per_step": sum(c["prompt_tokens"] + c["completion_tokens"] for c in calls) / len(steps)})
    table = Table(title=f"BoxNet1 against team size, oracle, {args.scale_instances} seeded instances, "
                        f"{args.scale_steps} steps at most (cl100k_base tokens)")
    for column in ("agents", "scheme", "style", "prompt tokens / call", "largest prompt", "tokens / step"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(str(row["agents"]), row["scheme"], row["style"], f"{row['prompt_per_call']:,.0f}",
                      f"{row['largest_prompt']:,}", f"{row['tokens_per_step']:,.0f}")
    console.print(table)
    plot(rows, Path(args.plot))
    console.print(f"plot: {args.plot}")
    return rows


EMBEDDED_TEAMS = [("boxnet1", "8x8"), ("boxnet2", "8x8"), ("warehouse", "16")]


def embedded_table(args: argparse.Namespace, console: Console, out: Path) -> list[dict]:
    """One step of every scheme on the largest teams with the embedded model: prompts stay inside n_ctx."""
    import time

    rows = []
    for task, size in EMBEDDED_TEAMS:
        for scheme in SCHEMES:
            for style in args.embedded_styles:
                config = load_scenario(task, size=size, **{
                    "planner.scheme": scheme, "planner.prompt_style": style, "llm.spec": "local", "seed": args.seed,
                    "instances": 1, "step_limit": 1, "llm.max_tokens": 48, "planner.dialogue_rounds": 1,
                    "planner.feedback_rounds": 1, "planner.max_replans": 1, "run.out_dir": str(out), "run.picture": False,
                    "run.name": f"embedded-{task}-{scheme}-{style}"})
                start = time.perf_counter()
                folder, summary = run_scenario(config)
                calls = [call for step in json_lines(folder / "steps.jsonl") for call in step.get("calls", [])]
                rows.append({"task": task, "size": size, "scheme": scheme, "style": style, "calls": len(calls),
                             "largest_prompt": max(call["prompt_tokens"] for call in calls),
                             "context": config.llm.context_tokens, "outcome": summary["per_episode"][0]["outcome"],
                             "seconds": time.perf_counter() - start})
                console.print(f"{task} {size} {scheme} {style}: {rows[-1]}", highlight=False)
    table = Table(title="One step on the largest teams with the embedded model (SmolLM2-135M, llama.cpp); prompt "
                        "tokens by the model's own tokenizer")
    for column in ("task", "size", "scheme", "style", "calls", "largest prompt", "context", "outcome", "wall s"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(row["task"], row["size"], row["scheme"], row["style"], str(row["calls"]), f"{row['largest_prompt']:,}",
                      f"{row['context']:,}", row["outcome"], f"{row['seconds']:.0f}")
    console.print(table)
    return rows


def json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for scheme, colour in zip(SCHEMES, ("tab:blue", "tab:orange", "tab:green", "tab:red")):
        for style, line in (("paper", "-"), ("compact", "--")):
            mine = [row for row in rows if row["scheme"] == scheme and row["style"] == style]
            agents = [row["agents"] for row in mine]
            for axis, key in zip(axes, ("prompt_per_call", "tokens_per_step")):
                axis.plot(agents, [row[key] for row in mine], line, color=colour, marker="o", label=f"{scheme} {style}")
    for axis, title in zip(axes, ("prompt tokens per call", "tokens per step")):
        axis.set_xscale("log", base=2)
        axis.set_yscale("log")
        axis.set_xticks(list(SCALE_SIZES), [str(n) for n in SCALE_SIZES])
        axis.set_xlabel("agents (BoxNet1 2x2 ... 8x8)")
        axis.set_title(title)
        axis.grid(True, alpha=0.3)
    axes[1].legend(fontsize=7, ncol=2)
    figure.suptitle("Protocol cost against team size (oracle replies, cl100k_base tokens)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10)
    parser.add_argument("--tasks", nargs="*", help="only these tasks")
    parser.add_argument("--no-large", dest="large", action="store_false", help="only the smallest paper size")
    parser.add_argument("--scale", action="store_true", help="BoxNet1 at 4..64 agents instead, with a plot")
    parser.add_argument("--scale-instances", type=int, default=2)
    parser.add_argument("--scale-steps", type=int, default=10)
    parser.add_argument("--seed", type=int, default=500)
    parser.add_argument("--plot", default="benchmarks/results/protocol_cost_scale.png")
    parser.add_argument("--embedded", action="store_true",
                        help="one step of every scheme on BoxNet1/BoxNet2 8x8 and 16-agent Warehouse with the local model")
    parser.add_argument("--embedded-styles", nargs="+", default=["compact"], choices=STYLES)
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args()
    console = Console(width=200)
    with tempfile.TemporaryDirectory() as out:
        if args.embedded:
            rows = embedded_table(args, console, Path(out))
        else:
            rows = scale_table(args, console, Path(out)) if args.scale else cost_table(args, console, Path(out))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
