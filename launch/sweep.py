"""``colony sweep``: the driver that plays an ablation file's runs on an engine, keeps the
index, and shows the whole sweep's progress (done / running / failed, elapsed, time left,
tokens so far) live on a terminal, as plain log lines otherwise."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.live import Live

from colony.planners.engines import ENGINES, run_local, run_ray
from colony.planners.sweep import SweepRun, ablation_path, append_index, expand, read_index, read_sweep_file


class SweepProgress:
    def __init__(self, console: Console, total: int, done: int) -> None:
        self.console = console
        self.total, self.done, self.failed, self.running, self.tokens = total, done, 0, 0, 0
        self.start = time.monotonic()
        self.finished_now = 0  # runs finished by this invocation (for the estimate)
        self.live = Live(self.line(), console=console, refresh_per_second=2, transient=True) \
            if console.is_terminal else None

    def line(self) -> str:
        elapsed = time.monotonic() - self.start
        left = self.total - self.done - self.failed
        eta = f"{elapsed / self.finished_now * left:.0f} s" if self.finished_now and left else "-"
        return (f"sweep: {self.done}/{self.total} done, {self.running} running, {self.failed} failed, "
                f"elapsed {elapsed:.0f} s, left ~{eta}, tokens {self.tokens:,}")

    def started(self, run: SweepRun) -> None:
        self.running += 1
        self.show(f"start {run.name}")

    def finished(self, run: SweepRun, record: dict[str, Any]) -> None:
        self.running -= 1
        self.finished_now += 1
        if record["status"] == "done":
            self.done += 1
            self.tokens += record.get("tokens") or 0
            self.show(f"done {run.name}: {record['successes']}/{record['episodes']} successes in {record['seconds']:.1f} s")
        else:
            self.failed += 1
            self.show(f"[red]failed[/red] {run.name}: {record['error']}")

    def show(self, event: str) -> None:
        if self.live is None:
            self.console.print(f"{event} | {self.line()}", highlight=False, markup=False)
        else:
            self.console.print(event, highlight=False)
            self.live.update(self.line())

    def __enter__(self) -> SweepProgress:
        if self.live is not None:
            self.live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.live is not None:
            self.live.__exit__(*exc)


def run_sweep(path: str, *, name: str | None = None, out: str = "runs", workers: int = 1, engine: str = "local",
              address: str | None = None, overrides: dict[str, Any] | None = None,
              grid: dict[str, list[Any]] | None = None, console: Console | None = None) -> tuple[Path, dict[str, Any]]:
    """Play every run of the ablation file ``path`` not yet in the sweep's index; the sweep folder and counts."""
    if engine not in ENGINES:
        raise ValueError(f"--engine: {engine!r}; allowed: {', '.join(ENGINES)}")
    console = console or Console()
    sweep = read_sweep_file(path)
    if grid:
        sweep.grid.update(grid)
    runs = expand(sweep, overrides)  # every combination validated before anything starts
    folder = Path(out) / (name or Path(ablation_path(path)).stem)
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"ablation": str(path), **sweep.model_dump(by_alias=True), "runs": [run.to_dict() for run in runs]}
    temporary = folder / "sweep.yaml.tmp"
    temporary.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    os.replace(temporary, folder / "sweep.yaml")
    index = read_index(folder)
    todo = [run for run in runs if index.get(run.name, {}).get("status") != "done"]
    with SweepProgress(console, len(runs), len(runs) - len(todo)) as progress:

        def on_done(run: SweepRun, record: dict[str, Any]) -> None:
            append_index(folder, record)
            progress.finished(run, record)

        if todo and engine == "local":
            run_local(todo, str(folder), workers, sweep.concurrency, progress.started, on_done)
        elif todo:
            run_ray(todo, str(folder), workers, sweep.concurrency, progress.started, on_done, address)
    final = read_index(folder)
    counts = {"runs": len(runs), "done": sum(final.get(r.name, {}).get("status") == "done" for r in runs),
              "failed": sum(final.get(r.name, {}).get("status") == "failed" for r in runs),
              "skipped": len(runs) - len(todo), "seconds": round(time.monotonic() - progress.start, 1)}
    return folder, counts
