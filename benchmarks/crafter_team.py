"""Multi-agent Crafter with the rule-based expert team: the tech chain, steps to a diamond, speed.

Part 1 plays the expert on each team size's benchmark worlds (task.yaml, 10 seeds per size)
and prints, per achievement of the diamond chain, on how many worlds the team reached it
and the median first step; then successes, deaths and steps to a diamond beside the
figures DAMCS published (arXiv 2502.05453: ~140 steps for one agent with memory, ~86 for
six agents with communication; LLM agents on their own Crafter variant, so a reference,
not a like-for-like comparison).

Part 2 times team-steps per second (expert planning plus the step, one process) for 1, 8
and 32 agents, beside the baseline measured in the same run: single-player steps per
second of the ``crafter`` package itself with random actions, the engine this env wraps.

(Named ``crafter_team.py``, not ``crafter.py``: a script of that name would shadow the
``crafter`` package for every script in this folder.)

Part 3 (``--held-out N``) plays N more worlds per team size and prints the share won by how
hard the world is: how many diamonds it holds and how far the nearest lies from the start.

Usage: ``python benchmarks/crafter_team.py [--sizes 1 2 6] [--seeds 10] [--speed-steps 300] [--held-out N]``.
Results also go to ``benchmarks/results/crafter.json`` (part 3's, one row per world, to
``crafter_held_out.csv``) and a picture of a six-agent team mid-episode to
``benchmarks/results/crafter_team.png``.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import statistics
import time
from pathlib import Path

import crafter
import cv2
import numpy as np
from rich.console import Console
from rich.table import Table

from colony.envs import parallel_env
from colony.envs.crafter.expert import CrafterExpert
from colony.envs.crafter.recipes import CHAIN
from colony.envs.instances import benchmark_seeds
from colony.planners.context import PlanningContext

RESULTS = Path(__file__).parent / "results"
DAMCS = {"1": 140, "6": 86}  # published mean steps to a diamond (single agent with memory; six with comms)


def play(agents: int, seed: int, picture: Path | None = None) -> dict:
    """One expert episode: when the team first reached each chain achievement, and how it ended,
    with how hard the world is (its diamonds, and the nearest one's steps from the start)."""
    env = parallel_env("crafter", agents=agents, render_mode="rgb_array" if picture else None)
    env.reset(seed=seed)
    starts = [member.position for member in env.world.state.members]
    diamonds = env.world.team.cells_of("diamond")
    nearest = min((abs(x - sx) + abs(y - sy) for x, y in diamonds for sx, sy in starts), default=None)
    expert = CrafterExpert()
    first: dict[str, int] = {}
    deaths = 0
    while not env.status.is_over:
        feedback = env.apply(expert.plan(PlanningContext.from_surface(env)))
        for entry in feedback.achieved:
            name = entry.split(" ", 1)[1]
            first.setdefault(name, env.step_count)
        deaths += sum(getattr(event, "what", "") == "death" for event in feedback.events)
        if picture is not None and env.step_count == 60:
            cv2.imwrite(str(picture), cv2.cvtColor(env.render(), cv2.COLOR_RGB2BGR))
    return {"agents": agents, "seed": seed, "status": env.status.value, "steps": env.step_count, "deaths": deaths,
            "first": {name: first[name] for name in CHAIN if name in first},
            "world": {"diamonds": len(diamonds), "nearest_diamond": nearest}}


DIAMONDS = (("0", lambda n: n == 0), ("1", lambda n: n == 1), ("2", lambda n: n == 2), ("3+", lambda n: n >= 3))
NEAREST = (("< 20", lambda d: d < 20), ("20-29", lambda d: 20 <= d < 30), (">= 30", lambda d: d >= 30))


def won_of(episodes: list[dict], size: str, pick) -> tuple[int, int]:
    """(won, played) among the episodes of ``size`` agents whose world ``pick`` accepts."""
    picked = [e for e in episodes if e["agents"] == int(size) and pick(e["world"])]
    return sum(e["status"] == "success" for e in picked), len(picked)


def chain_table(console: Console, sizes: list[str], seeds: int) -> list[dict]:
    episodes = []
    for size in sizes:
        picture = RESULTS / "crafter_team.png" if size == "6" else None
        for number, seed in enumerate(benchmark_seeds("crafter", size)[:seeds]):
            episodes.append(play(int(size), seed, picture if number == 0 else None))
            console.log(f"{size} agents, seed {seed}: {episodes[-1]['status']} at step {episodes[-1]['steps']}")
    table = Table(title="Expert team on the benchmark worlds: worlds where the team reached each step of the "
                        "chain, and the median first step")
    table.add_column("achievement")
    for size in sizes:
        table.add_column(f"{size} agent(s)", justify="right")
    for name in CHAIN:
        row = [name]
        for size in sizes:
            steps = [e["first"][name] for e in episodes if e["agents"] == int(size) and name in e["first"]]
            played = sum(e["agents"] == int(size) for e in episodes)
            row.append(f"{len(steps)}/{played}" + (f", step {statistics.median(steps):.0f}" if steps else ""))
        table.add_row(*row)
    for label, pick in (("diamonds (success)", lambda e: e["status"] == "success"),
                        ("all dead", lambda e: e["status"] == "all_dead"),
                        ("step cap reached", lambda e: e["status"] == "step_limit")):
        table.add_row(label, *[f"{sum(pick(e) for e in episodes if e['agents'] == int(s))}" for s in sizes])
    table.add_row("agents died (all worlds)", *[str(sum(e["deaths"] for e in episodes if e["agents"] == int(s)))
                                                for s in sizes])
    medians = []
    for size in sizes:
        won = [e["steps"] for e in episodes if e["agents"] == int(size) and e["status"] == "success"]
        medians.append(f"{statistics.median(won):.0f} (mean {statistics.mean(won):.0f})" if won else "-")
    table.add_row("steps to diamond, median", *medians)
    table.add_row("DAMCS, mean steps to diamond", *[str(DAMCS.get(s, "-")) for s in sizes])
    for label, has in DIAMONDS:
        counts = [won_of(episodes, size, lambda world: has(world["diamonds"])) for size in sizes]
        table.add_row(f"worlds with {label} diamond(s) (won)", *[f"{played} ({won})" for won, played in counts])
    console.print(table)
    return episodes


HELD_OUT_COLUMNS = ("agents", "seed", "status", "steps", "diamonds", "nearest_diamond")


def held_out_table(console: Console, sizes: list[str], count: int, start: int) -> list[dict]:
    """The expert on ``count`` more worlds per team size (seeds from ``start``, in parallel over
    the machine's cores): the share won, by how many diamonds the world holds and how far the
    nearest lies from the start (a world with one far diamond is rarely won by anyone)."""
    with multiprocessing.Pool(os.cpu_count()) as pool:
        episodes = pool.starmap(play, [(int(size), seed) for size in sizes for seed in range(start, start + count)])
    (none, no_diamond), *some = DIAMONDS
    groups = [(label, far, lambda world, has=has, within=within: has(world["diamonds"]) and
               within(world["nearest_diamond"])) for label, has in some for far, within in NEAREST]
    groups += [(none, "", lambda world: no_diamond(world["diamonds"])), ("all", "", lambda world: True)]
    table = Table(title=f"Expert team on {count} more worlds per team size (seeds {start}-{start + count - 1}): "
                        "won / played, by the world's diamonds and the nearest one's steps from the start")
    table.add_column("diamonds")
    table.add_column("nearest")
    for size in sizes:
        table.add_column(f"{size} agent(s)", justify="right")
    for label, far, pick in groups:
        row = [label, far]
        for size in sizes:
            won, played = won_of(episodes, size, pick)
            row.append(f"{won}/{played}" + (f" ({100 * won / played:.0f}%)" if played else ""))
        table.add_row(*row)
    console.print(table)
    return episodes


def write_held_out(episodes: list[dict], path: Path) -> None:
    """One CSV row per world played (:data:`HELD_OUT_COLUMNS`)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HELD_OUT_COLUMNS)
        for e in episodes:
            writer.writerow([e["agents"], e["seed"], e["status"], e["steps"], e["world"]["diamonds"],
                             e["world"]["nearest_diamond"]])


def crafter_baseline(steps: int) -> float:
    """Single-player steps per second of the crafter package with random actions."""
    env = crafter.Env(seed=0)
    env.reset()
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(steps):
        _, _, done, _ = env.step(int(rng.integers(env.action_space.n)))
        if done:
            env.reset()
    return steps / (time.perf_counter() - start)


def team_speed(agents: int, steps: int) -> float:
    """Team-steps per second: the expert plans every agent and the env plays the step."""
    env = parallel_env("crafter", agents=agents, step_limit=steps + 1)
    env.reset(seed=1)
    expert = CrafterExpert()
    start = time.perf_counter()
    done = 0
    while done < steps and not env.status.is_over:
        env.apply(expert.plan(PlanningContext.from_surface(env)))
        done += 1
    return done / (time.perf_counter() - start)


def pettingzoo_speed(agents: int, steps: int) -> float:
    """Team-steps per second through ``ParallelEnv.step`` with random masked actions, every agent's
    RGB view and text built each step (what a learning agent pays)."""
    env = parallel_env("crafter", agents=agents, step_limit=steps + 1)
    observations, _ = env.reset(seed=1)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    done = 0
    while done < steps and env.agents:
        actions = {a: int(rng.choice(np.flatnonzero(o["action_mask"]))) for a, o in observations.items()}
        observations, *_ = env.step(actions)
        done += 1
    return done / (time.perf_counter() - start)


def speed_table(console: Console, steps: int) -> list[dict]:
    baseline = crafter_baseline(steps * 3)
    table = Table(title=f"Speed, one process ({steps} steps each): expert team vs the crafter package alone")
    for column in ("agents", "expert team-steps/s", "agent-steps/s", "PettingZoo team-steps/s (RGB views)",
                   "crafter single-player steps/s (baseline)", "expert team-step / baseline"):
        table.add_column(column, justify="right")
    rows = []
    for agents in (1, 8, 32):
        rate = team_speed(agents, steps)
        pettingzoo = pettingzoo_speed(agents, max(steps // 4, 20))
        rows.append({"agents": agents, "team_steps_per_s": rate, "pettingzoo_team_steps_per_s": pettingzoo,
                     "baseline_steps_per_s": baseline})
        table.add_row(str(agents), f"{rate:.0f}", f"{rate * agents:.0f}", f"{pettingzoo:.0f}", f"{baseline:.0f}",
                      f"{rate / baseline:.2f}")
    console.print(table)
    target = next(r for r in rows if r["agents"] == 32)["team_steps_per_s"]
    console.print(f"32 agents: {target:.0f} team-steps/s (target >= 100): {'met' if target >= 100 else 'NOT met'}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["1", "2", "6"])
    parser.add_argument("--seeds", type=int, default=10, help="benchmark worlds per team size (at most 10)")
    parser.add_argument("--speed-steps", type=int, default=300)
    parser.add_argument("--skip-chain", action="store_true", help="only the speed table")
    parser.add_argument("--held-out", type=int, default=0, metavar="N",
                        help="also play N more worlds per team size, won by world difficulty (sizes 1 2 6 on two "
                             "cores: about 4 minutes per 100 worlds)")
    parser.add_argument("--held-out-start", type=int, default=7640, metavar="SEED")
    args = parser.parse_args()
    console = Console()
    RESULTS.mkdir(parents=True, exist_ok=True)
    episodes = [] if args.skip_chain else chain_table(console, args.sizes, args.seeds)
    held_out = held_out_table(console, args.sizes, args.held_out, args.held_out_start) if args.held_out else []
    speed = speed_table(console, args.speed_steps)
    out = RESULTS / "crafter.json"
    out.write_text(json.dumps({"episodes": episodes, "speed": speed}, indent=1) + "\n", encoding="utf-8")
    console.print(f"written {out}")
    if held_out:
        write_held_out(held_out, RESULTS / "crafter_held_out.csv")
        console.print(f"written {RESULTS / 'crafter_held_out.csv'}")


if __name__ == "__main__":
    main()
