"""Joint steps per second with random legal actions, per task and size, and peak memory.

Two paths are timed: the pure simulator (``World.apply`` with a random legal plan) and
the PettingZoo API (``ParallelEnv.step`` with actions sampled from the action masks,
observations and infos built every step). Episode resets are included in the time.
Peak memory is the tracemalloc peak of Python allocations during a separate short run
of the PettingZoo path. Usage: ``python benchmarks/env_step.py [--seconds 1.0]``.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
from rich.console import Console
from rich.table import Table

from colony.envs import environments, paper_sizes, parallel_env


def random_legal_plan(world, plan_format, rng: np.random.Generator) -> dict[str, str]:
    choices = {}
    for agent in world.agents:
        legal = world.legal_actions(agent)
        pick = int(rng.integers(len(legal) + 1))  # the extra index is "do nothing"
        if pick < len(legal):
            choices[agent] = legal[pick]
    return plan_format.from_choices(choices)


def time_pure(name: str, size: str, seconds: float) -> tuple[float, float]:
    """Steps per second and mean episode length through ``World.apply`` alone."""
    env = parallel_env(name, size=size)
    rng = np.random.default_rng(0)
    steps, episodes = 0, 1
    world = env.world_class.generate(rng, **env.size_fields)
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        world.apply(random_legal_plan(world, env.plan_format, rng))
        steps += 1
        if world.status.is_over:
            episodes += 1
            world = env.world_class.generate(rng, **env.size_fields)
    return steps / (time.perf_counter() - start), steps / episodes


def run_pettingzoo(env, rng: np.random.Generator, steps_wanted: int | None, seconds: float | None) -> float:
    steps, seed = 0, 0
    observations, _ = env.reset(seed=seed)
    start = time.perf_counter()
    while (steps_wanted is None or steps < steps_wanted) and (seconds is None or time.perf_counter() - start < seconds):
        actions = {a: int(rng.choice(np.flatnonzero(o["action_mask"]))) for a, o in observations.items()}
        observations, *_ = env.step(actions)
        steps += 1
        if not env.agents:
            seed += 1
            observations, _ = env.reset(seed=seed)
    return steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per task, size and path")
    args = parser.parse_args()
    table = Table(title=f"Joint steps per second, random legal actions ({args.seconds:g} s each)")
    for column in ("env", "size", "agents", "steps/episode", "pure steps/s", "PettingZoo steps/s", "peak MiB (200 PZ steps)"):
        table.add_column(column, justify="right")
    for name in environments():
        for size in paper_sizes(name):
            pure, episode_length = time_pure(name, size, args.seconds)
            env = parallel_env(name, size=size)
            api = run_pettingzoo(env, np.random.default_rng(0), None, args.seconds)
            tracemalloc.start()
            run_pettingzoo(parallel_env(name, size=size), np.random.default_rng(0), 200, None)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            table.add_row(name, size, str(len(env.possible_agents)), f"{episode_length:.1f}", f"{pure:,.0f}", f"{api:,.0f}", f"{peak:.2f}")
    console = Console(width=140)
    console.print(table)
    console.print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
