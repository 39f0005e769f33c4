"""Multi-agent Crafter with comms: what faults cost the expert team, and LLM teams on a model.

Part 1 plays the rule-based expert team on each team size's benchmark worlds (task.yaml,
10 seeds per size) under four conditions: one central expert reading every agent's state
(the reference of ``crafter_team.py``), the team talking through an ideal broker, the
same with faults (30% of messages dropped, every message one step late), and comms off.
Through the broker an agent knows a teammate out of sight only from messages (who holds
an iron pickaxe, who has seen a diamond: the handover that gets a pickaxe to a diamond).
It prints diamonds, steps to a diamond, the cost of the faults in steps (mean over the
worlds both conditions won) and in worlds lost, and the messages and tokens sent.

Part 2 (``--llm SPEC``, e.g. ``--llm local`` for the embedded model or
``--llm openai:gpt-4o-mini``) plays short LLM-team episodes: HMAS-2 with the paper's
history against HMAS-2 with the knowledge-graph memory and the DAMCS role chain, and
prints chain achievements, calls, tokens and seconds. The embedded model (SmolLM2-135M)
only proves the path: it does not plan Crafter.

Usage: ``python benchmarks/crafter_comms.py [--sizes 2 6] [--seeds 10] [--llm local --llm-steps 12]``.
Results go to ``benchmarks/results/crafter_comms.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from colony.comms.broker import Broker, CommsConfig
from colony.envs import parallel_env
from colony.envs.instances import benchmark_seeds
from colony.planners.config import load_scenario
from colony.planners.episode import run_episode
from colony.planners.experts import ExpertPlanner
from colony.planners.history import History
from colony.planners.run import run_scenario
from colony.planners.tokens import gpt4_counter

RESULTS = Path(__file__).parent / "results"
CONDITIONS = {
    "central (reads every state)": None,
    "comms, ideal": CommsConfig(),
    "comms, drop 30% + delay 1": CommsConfig(drop=0.3, delay=1),
    "comms off": CommsConfig(enabled=False),
}


def play(agents: int, seed: int, comms: CommsConfig | None) -> dict:
    env = parallel_env("crafter", agents=agents)
    planner = ExpertPlanner("crafter", Broker(comms, gpt4_counter()) if comms is not None else None)
    summary = run_episode(env, planner, History("none", gpt4_counter(), False), index=0, seed=seed)
    return {"agents": agents, "seed": seed, "status": summary.outcome.value, "steps": summary.steps,
            "comms": summary.comms}


def expert_table(console: Console, sizes: list[str], seeds: int) -> list[dict]:
    episodes = []
    for size in sizes:
        for seed in benchmark_seeds("crafter", size)[:seeds]:
            for name, comms in CONDITIONS.items():
                episodes.append({"condition": name, **play(int(size), seed, comms)})
            console.log(f"{size} agents, seed {seed}: " + ", ".join(
                f"{e['status']}@{e['steps']}" for e in episodes[-len(CONDITIONS):]))
    table = Table(title="Expert team through the message broker, benchmark worlds (diamonds, steps to a diamond, "
                        "cost of the condition against the ideal broker)")
    for column in ("agents", "condition", "diamonds", "steps to diamond (median)", "extra steps (worlds both won)",
                   "worlds lost / won", "messages per episode", "tokens per episode", "delivered / dropped"):
        table.add_column(column, justify="right")
    for size in sizes:
        ideal = {e["seed"]: e for e in episodes if e["agents"] == int(size) and e["condition"] == "comms, ideal"}
        for name in CONDITIONS:
            mine = [e for e in episodes if e["agents"] == int(size) and e["condition"] == name]
            won = [e["steps"] for e in mine if e["status"] == "success"]
            both = [e["steps"] - ideal[e["seed"]]["steps"] for e in mine
                    if e["status"] == "success" and ideal[e["seed"]]["status"] == "success"]
            lost = sum(ideal[e["seed"]]["status"] == "success" and e["status"] != "success" for e in mine)
            gained = sum(ideal[e["seed"]]["status"] != "success" and e["status"] == "success" for e in mine)
            totals = {key: sum(e["comms"].get(key, 0) for e in mine) for key in ("messages", "tokens", "delivered",
                                                                                  "dropped")}
            table.add_row(size, name, f"{len(won)}/{len(mine)}", f"{statistics.median(won):.0f}" if won else "-",
                          f"{statistics.mean(both):+.1f}" if both else "-", f"{lost} / {gained}",
                          f"{totals['messages'] / len(mine):.0f}", f"{totals['tokens'] / len(mine):.0f}",
                          f"{totals['delivered']} / {totals['dropped']}")
    console.print(table)
    return episodes


def llm_table(console: Console, spec: str, steps: int, agents: int, base_url: str | None) -> list[dict]:
    variants = {"hmas2, paper history": {"planner.history": "state_action"},
                "hmas2 + memory + role chain": {"planner.history": "memory", "planner.organization": "role_chain"}}
    rows = []
    table = Table(title=f"LLM teams on Crafter ({spec}, {agents} agents, {steps}-step cap, benchmark world 1)")
    for column in ("variant", "chain reached", "calls", "tokens", "seconds", "outcome"):
        table.add_column(column, justify="right")
    for name, settings in variants.items():
        config = load_scenario("crafter", **{"size": str(agents), "instances": 1, "step_limit": steps,
                                             "planner.scheme": "hmas2", "planner.prompt_style": "compact",
                                             "llm.spec": spec, "llm.base_url": base_url, "run.out_dir": "runs/benchmarks",
                                             "run.picture": False, **settings})
        start = time.perf_counter()
        _, summary = run_scenario(config)
        episode = summary["per_episode"][0]
        rows.append({"variant": name, "spec": spec, "milestones": episode["milestones"], "calls": episode["llm_calls"],
                     "tokens": episode["tokens"], "seconds": time.perf_counter() - start, "outcome": episode["outcome"]})
        table.add_row(name, ", ".join(episode["milestones"]) or "none", str(episode["llm_calls"]),
                      str(episode["tokens"]), f"{rows[-1]['seconds']:.0f}", episode["outcome"])
    console.print(table)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["2", "6"])
    parser.add_argument("--seeds", type=int, default=10, help="benchmark worlds per team size (at most 10)")
    parser.add_argument("--llm", help="also play LLM teams on this backend spec (local, ollama:..., openai:...)")
    parser.add_argument("--base-url", help="an OpenAI-compatible server for --llm openai:<model> (vLLM, llama.cpp)")
    parser.add_argument("--llm-steps", type=int, default=12)
    parser.add_argument("--llm-agents", type=int, default=2)
    parser.add_argument("--skip-expert", action="store_true")
    args = parser.parse_args()
    console = Console()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "crafter_comms.json"
    results = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    if not args.skip_expert:
        results["expert"] = expert_table(console, args.sizes, args.seeds)
    if args.llm:
        results.setdefault("llm", {})[args.llm] = llm_table(console, args.llm, args.llm_steps, args.llm_agents, args.base_url)
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    console.print(f"written {out}")


if __name__ == "__main__":
    main()
