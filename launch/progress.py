"""Live progress and the final summary table of ``colony run``."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from colony.planners.config import ScenarioConfig
from colony.planners.episode import EpisodeSummary


class RunDisplay:
    """One live line per step (scheme, instance, step, calls, tokens), a row per finished episode."""

    def __init__(self, console: Console, config: ScenarioConfig, show_steps: bool = False) -> None:
        self.console = console
        self.show_steps = show_steps
        self.config = config
        self.instances = len(config.instance_seeds())
        self.reasons: set[str] = set()  # backend failures already explained
        self.live = Live(self._line(None), console=console, refresh_per_second=4, transient=True)

    def _line(self, summary: EpisodeSummary | None) -> str:
        head = f"[bold]{self.config.scenario}[/bold] {self.config.size} {self.config.planner.scheme} ({self.config.llm.spec})"
        if summary is None:
            return head + "  starting..."
        return (f"{head}  instance {summary.index + 1}/{self.instances}  step {summary.steps}  "
                f"calls {summary.llm_calls}  tokens {summary.tokens:,}")

    def __enter__(self) -> RunDisplay:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.live.__exit__(*exc)

    def step(self, summary: EpisodeSummary, record: dict[str, Any]) -> None:
        if self.show_steps:
            plan = json.dumps(record.get("plan", {}), ensure_ascii=False)
            feedback = record.get("feedback_text", "").replace("\n", "; ")
            self.console.print(f"    step {record['step']}: plan {plan} -> {feedback}", markup=False, highlight=False)
        self.live.update(self._line(summary))

    def episode(self, summary: EpisodeSummary) -> None:
        origin = f"seed {summary.seed}" if summary.instance is None else summary.instance
        self.console.print(f"  instance {summary.index + 1}/{self.instances} ({origin}): "
                           f"[{'green' if summary.success else 'red'}]{summary.outcome.value}[/] after {summary.steps} steps, "
                           f"{summary.llm_calls} calls, {summary.tokens:,} tokens, {summary.wall_s:.1f} s")
        if summary.outcome.value == "backend_failure" and summary.detail not in self.reasons:
            self.reasons.add(summary.detail)
            self.console.print(f"  [red]backend failure:[/red] {escape(summary.detail)}", highlight=False, soft_wrap=True)
        if summary.stops_run:
            self.console.print("  [red]the run stops here:[/red] retrying or playing other instances cannot help; "
                               "fix the cause and continue with --resume", highlight=False)

    def notice(self, text: str) -> None:
        self.console.print(f"  [yellow]{escape(text)}[/yellow]", highlight=False, soft_wrap=True)


def summary_table(summary: dict[str, Any]) -> Table:
    table = Table(title=f"{summary['scenario']} {summary['size']} - {summary['scheme']} via {summary['backend']}")
    for column in ("instance", "seed", "outcome", "steps", "LLM calls", "tokens", "re-plans", "wall s"):
        table.add_column(column, justify="right")
    for episode in summary["per_episode"]:
        table.add_row(str(episode["index"] + 1), str(episode["seed"]), episode["outcome"], str(episode["steps"]),
                      str(episode["llm_calls"]), f"{episode['tokens']:,}", str(episode["replans"]), f"{episode['wall_s']:.1f}")
    table.caption = caption(summary)
    return table


def caption(summary: dict[str, Any]) -> str:
    """The summary line under the table; every part reads as a sentence, whatever happened."""
    if not summary["episodes"]:
        return "no episode was played" + (f" (the run stopped: {summary['stopped']})" if summary.get("stopped") else "")
    parts = [f"success {summary['successes']}/{summary['episodes']} ({summary['success_rate']:.0%})"]
    steps = summary["mean_steps_successful"]
    parts.append(f"mean steps when successful {steps}" if steps is not None else "no successful episode")
    parts.append(f"mean calls {summary['mean_llm_calls']}; mean tokens {summary['mean_tokens']}")
    if summary.get("llm_calls_failed") or summary.get("llm_retries"):
        parts.append(f"{summary['llm_calls_failed']} failed calls, {summary['llm_retries']} retries")
    sources = summary["token_sources"]
    parts.append(f"tokens counted by {', '.join(sources)}" if sources else "no tokens counted (no model calls answered)")
    if summary.get("stopped"):
        parts.append(f"stopped after {summary['episodes']} of {summary['instances']} instances")
    return "; ".join(parts)
