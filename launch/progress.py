"""Live progress and the final summary table of ``colony run``."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.live import Live
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
        self.console.print(f"  instance {summary.index + 1}/{self.instances} (seed {summary.seed}): "
                           f"[{'green' if summary.success else 'red'}]{summary.outcome.value}[/] after {summary.steps} steps, "
                           f"{summary.llm_calls} calls, {summary.tokens:,} tokens, {summary.wall_s:.1f} s")


def summary_table(summary: dict[str, Any]) -> Table:
    table = Table(title=f"{summary['scenario']} {summary['size']} - {summary['scheme']} via {summary['backend']}")
    for column in ("instance", "seed", "outcome", "steps", "LLM calls", "tokens", "re-plans", "wall s"):
        table.add_column(column, justify="right")
    for episode in summary["per_episode"]:
        table.add_row(str(episode["index"] + 1), str(episode["seed"]), episode["outcome"], str(episode["steps"]),
                      str(episode["llm_calls"]), f"{episode['tokens']:,}", str(episode["replans"]), f"{episode['wall_s']:.1f}")
    rate = summary["success_rate"]
    table.caption = (f"success {summary['successes']}/{summary['episodes']} ({rate:.0%}); "
                     f"mean steps when successful {summary['mean_steps_successful']}; "
                     f"mean calls {summary['mean_llm_calls']}; mean tokens {summary['mean_tokens']}; "
                     f"tokens counted by {', '.join(summary['token_sources']) or '-'}")
    return table
