"""The ``colony`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from colony.envs.world import InvalidSize


def cmd_envs(args: argparse.Namespace, console: Console) -> int:
    """List the registered environments with the paper's sizes."""
    from colony.envs.registry import ENVIRONMENTS, paper_sizes

    table = Table(title="Registered environments")
    for column in ("env", "size", "agents", "boxes", "step limit"):
        table.add_column(column)
    for name, cls in ENVIRONMENTS.items():
        for size in paper_sizes(name):
            env = cls(size=size)
            env.reset(seed=0)
            boxes = {"boxnet1": "5-15", "warehouse": f"1-{len(getattr(env.world, 'slots', []))}"}.get(
                cls.world_class.task, str(env.world.boxes_left()))
            table.add_row(name, size, str(len(env.possible_agents)), boxes, str(env.world.step_limit))
    console.print(table)
    console.print("Any other size works where it makes sense, e.g. --size 8x8 (BoxNet), 12x30 (BoxLift), 4x6x10 (Warehouse).")
    return 0


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    """One seeded random-legal episode per task; pictures and records under --out."""
    from colony.launch.demo import play_random_episode

    table = Table(title=f"Random legal actions, seed {args.seed} (no planner yet)")
    for column in ("task", "size", "status", "steps", "boxes left", "refused entries", "pictures"):
        table.add_column(column)
    for task, size in (("boxnet1", "2x2"), ("boxnet2", "2x2"), ("boxlift", "4x10"), ("warehouse", "4")):
        result = play_random_episode(task, size, args.seed, Path(args.out))
        table.add_row(result.task, result.size, result.status, str(result.steps), str(result.boxes_left),
                      str(result.refused), str(result.folder))
    console.print(table)
    return 0


def cmd_instance(args: argparse.Namespace, console: Console) -> int:
    """Write one generated instance (or the whole benchmark set) as JSON."""
    from colony.envs.instances import benchmark_instances, save_instance
    from colony.envs.registry import parallel_env

    if args.benchmark:
        for index, instance in enumerate(benchmark_instances(args.task, args.size)):
            console.print(str(save_instance(instance, Path(args.out) / f"{args.task}-{args.size}-{index}.json")))
        return 0
    env = parallel_env(args.task, size=args.size)
    env.reset(seed=args.seed)
    console.print(str(save_instance(env.world.to_dict(), args.out)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="colony", description="LLM-planned multi-robot teams.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("envs", help=cmd_envs.__doc__).set_defaults(run=cmd_envs)
    demo = commands.add_parser("demo", help=cmd_demo.__doc__)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--out", default="runs/demo")
    demo.set_defaults(run=cmd_demo)
    instance = commands.add_parser("instance", help=cmd_instance.__doc__)
    instance.add_argument("task", help="boxnet1, boxnet2, boxlift or warehouse")
    instance.add_argument("--size", required=True)
    instance.add_argument("--seed", type=int, default=0)
    instance.add_argument("--benchmark", action="store_true", help="write the fixed benchmark set of that size")
    instance.add_argument("--out", required=True, help="a file, or a folder with --benchmark")
    instance.set_defaults(run=cmd_instance)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console()
    try:
        return args.run(args, console)
    except (InvalidSize, KeyError) as error:
        console.print(f"[red]error:[/red] {error.args[0] if error.args else error}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
