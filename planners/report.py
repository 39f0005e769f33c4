"""``colony report <sweep>``: the paper's Table I layout, plots and one offline HTML page.

Methods are the sweep's parameter combinations minus ``task`` and ``size`` (for example
``scheme=hmas2, history=none``); a *trial* is one instance (task, size, episode). As in
Table I: the success rate per task and size, and steps, LLM calls and tokens divided per
trial by the best (lowest) value among the LLM methods that succeeded on that trial,
averaged over the method's successful trials (1.00 = best). The expert's success is
shown; it never sets the best (it makes no calls). Written to the sweep folder:
``report.md``, ``report.csv`` (one row per task, size, method and metric), four plots
(``success_vs_size.png``, ``tokens_per_method.png``, ``calls_per_step.png``,
``failure_reasons.png``) and ``report.html`` holding the table and the plots inline.
"""

from __future__ import annotations

import base64
import csv
import html
import json
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from colony.planners.sweep import read_index

METRICS = (("steps", "steps (norm.)"), ("llm_calls", "calls (norm.)"), ("tokens", "tokens (norm.)"))
GROUP_KEYS = ("task", "size")


def load_sweep(folder: Path) -> list[dict[str, Any]]:
    """Every finished run: its index record plus the episodes of its summary."""
    runs = []
    for record in read_index(folder).values():
        if record.get("status") != "done":
            continue
        summary = json.loads((Path(folder) / record["run"] / "summary.json").read_text(encoding="utf-8"))
        method = ", ".join(f"{key.rsplit('.', 1)[-1]}={value}" for key, value in record["params"].items()
                           if key not in GROUP_KEYS) or "base"
        runs.append({"run": record["run"], "task": summary["task"], "size": summary["size"], "method": method,
                     "agents": summary.get("agents", 0),
                     "expert": summary["scheme"] == "expert", "episodes": summary["per_episode"]})
    return runs


def table_rows(runs: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The methods in order and one row per (task, size, metric) with a value per method."""
    methods = list(dict.fromkeys(run["method"] for run in runs))
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for run in runs:
        groups[(run["task"], run["size"])].append(run)
    rows = []
    for (task, size), members in sorted(groups.items()):
        by_method = {run["method"]: run for run in members}
        rows.append({"task": task, "size": size, "metric": "success",
                     **{m: statistics.fmean(e["success"] for e in r["episodes"]) for m, r in by_method.items()}})
        for metric, label in METRICS:
            ratios: dict[str, list[float]] = defaultdict(list)
            trials = {e["index"] for r in members for e in r["episodes"]}
            for trial in trials:
                winners = {m: e[metric] for m, r in by_method.items() if not r["expert"]
                           for e in r["episodes"] if e["index"] == trial and e["success"]}
                best = min(winners.values(), default=0)
                for method, value in winners.items():
                    if best > 0:
                        ratios[method].append(value / best)
            rows.append({"task": task, "size": size, "metric": label,
                         **{m: statistics.fmean(v) for m, v in ratios.items() if v}})
        rows.append({"task": task, "size": size, "metric": "episodes",
                     **{m: len(r["episodes"]) for m, r in by_method.items()}})
    return methods, rows


def _cell(metric: str, value: Any) -> str:
    if value is None:
        return "-"
    if metric == "success":
        return f"{value * 100:.1f}%"
    return f"{value:.0f}" if metric == "episodes" else f"{value:.2f}"


def markdown(methods: list[str], rows: list[dict[str, Any]]) -> str:
    lines = ["| task | size | metric | " + " | ".join(methods) + " |", "|---|---|---|" + "---|" * len(methods)]
    for row in rows:
        lines.append(f"| {row['task']} | {row['size']} | {row['metric']} | "
                     + " | ".join(_cell(row["metric"], row.get(m)) for m in methods) + " |")
    return "\n".join(lines) + "\n"


def plots(runs: list[dict[str, Any]], folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []

    def save(figure: Any, name: str) -> None:
        figure.tight_layout()
        figure.savefig(folder / name, dpi=100)
        plt.close(figure)
        written.append(folder / name)

    methods = list(dict.fromkeys(run["method"] for run in runs))
    figure, axes = plt.subplots(figsize=(7, 4))
    for method in methods:
        points = sorted(((r["agents"], statistics.fmean(e["success"] for e in r["episodes"]) * 100)
                         for r in runs if r["method"] == method), key=lambda p: p[0])
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=method)
    axes.set(xlabel="team size (agents; tasks mixed)", ylabel="success %", title="Success vs team size")
    axes.legend(fontsize=7)
    save(figure, "success_vs_size.png")

    figure, axes = plt.subplots(figsize=(7, 4))
    tokens = [statistics.fmean(e["tokens"] for r in runs if r["method"] == m for e in r["episodes"]) for m in methods]
    axes.bar(range(len(methods)), tokens)
    axes.set(ylabel="tokens per episode", title="Tokens per method")
    axes.set_xticks(range(len(methods)), methods, rotation=30, ha="right", fontsize=7)
    save(figure, "tokens_per_method.png")

    figure, axes = plt.subplots(figsize=(7, 4))
    per_step = [statistics.fmean(e["llm_calls"] / max(e["steps"], 1) for r in runs if r["method"] == m
                                 for e in r["episodes"]) for m in methods]
    axes.bar(range(len(methods)), per_step)
    axes.set(ylabel="LLM calls per env step", title="Calls per step")
    axes.set_xticks(range(len(methods)), methods, rotation=30, ha="right", fontsize=7)
    save(figure, "calls_per_step.png")

    figure, axes = plt.subplots(figsize=(7, 4))
    outcomes = sorted({e["outcome"] for r in runs for e in r["episodes"]})
    bottom = [0.0] * len(methods)
    for outcome in outcomes:
        counts = [sum(e["outcome"] == outcome for r in runs if r["method"] == m for e in r["episodes"]) for m in methods]
        axes.bar(range(len(methods)), counts, bottom=bottom, label=outcome)
        bottom = [b + c for b, c in zip(bottom, counts)]
    axes.set(ylabel="episodes", title="How episodes ended")
    axes.set_xticks(range(len(methods)), methods, rotation=30, ha="right", fontsize=7)
    axes.legend(fontsize=7)
    save(figure, "failure_reasons.png")
    return written


def write_report(folder: Path | str) -> dict[str, Path]:
    folder = Path(folder)
    runs = load_sweep(folder)
    if not runs:
        raise ValueError(f"{folder}: no finished run in index.jsonl (is this a sweep folder?)")
    methods, rows = table_rows(runs)
    table = markdown(methods, rows)
    (folder / "report.md").write_text(f"# {folder.name}\n\n{table}", encoding="utf-8")
    with (folder / "report.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["task", "size", "metric", "method", "value"])
        for row in rows:
            for method in methods:
                if row.get(method) is not None:
                    writer.writerow([row["task"], row["size"], row["metric"], method, row[method]])
    pictures = plots(runs, folder)
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in (row["task"], row["size"], row["metric"]))
                    + "".join(f"<td>{_cell(row['metric'], row.get(m))}</td>" for m in methods) + "</tr>" for row in rows)
    images = "".join(f'<figure><img src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}">'
                     f"<figcaption>{p.stem}</figcaption></figure>" for p in pictures)
    page = (f"<!doctype html><meta charset='utf-8'><title>{html.escape(folder.name)}</title>"
            "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
            "table{border-collapse:collapse}figure{display:inline-block;margin:1em}</style>"
            f"<h1>{html.escape(folder.name)}</h1><p>Table I layout: success rate; steps, calls and tokens divided per "
            "trial by the best LLM method that succeeded on it, averaged over successful trials (1.00 = best).</p>"
            "<table><tr><th>task</th><th>size</th><th>metric</th>"
            + "".join(f"<th>{html.escape(m)}</th>" for m in methods) + f"</tr>{cells}</table>{images}")
    (folder / "report.html").write_text(page, encoding="utf-8")
    return {"markdown": folder / "report.md", "csv": folder / "report.csv", "html": folder / "report.html",
            **{p.stem: p for p in pictures}}
