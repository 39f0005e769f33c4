"""Training data: episodes of every task, size and scheme, each planning call labelled by the expert.

Round 0 is expert-driven (the teacher's label is also the reply). Each later round is
on-policy: the adapted model writes the replies, so the episodes go where the student takes
them, and the expert labels every state reached (DAgger). Episodes are independent jobs,
played in parallel processes; each job's seed is fixed by the settings, so the data is the
same on every machine.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from colony.planners.config import PlannerConfig
from colony.planners.distill.settings import TASKS, DistillSettings

ROUND_SEED_STRIDE = 1_000_000  # each round plays fresh instances
SCENARIO_REPLANS = PlannerConfig.model_fields["max_replans"].default  # the expert never needs one


@dataclass(frozen=True)
class Job:
    task: str
    size: str
    scheme: str
    seed: int
    step_limit: int | None
    max_replans: int = SCENARIO_REPLANS


def jobs(settings: DistillSettings, round_index: int) -> list[Job]:
    """Every episode of a round, in a fixed order with fixed seeds."""
    data = settings.data
    episodes = data.episodes if round_index == 0 else settings.on_policy.episodes
    step_limit = data.step_limit if round_index == 0 else settings.on_policy.step_limit
    replans = SCENARIO_REPLANS if round_index == 0 else settings.on_policy.max_replans
    seed = data.seed + round_index * ROUND_SEED_STRIDE
    out = []
    for task in sorted(data.tasks, key=TASKS.index):
        for size in data.tasks[task]:
            for scheme in data.schemes:
                for _ in range(episodes):
                    out.append(Job(task, size, scheme, seed, step_limit, replans))
                    seed += 1
    return out


def play(job: Job, student: Any = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One episode under the teacher; returns its labelled examples and how it ended."""
    from colony.envs.registry import parallel_env
    from colony.planners.config import ScenarioConfig
    from colony.planners.distill.teacher import TeacherChatModel
    from colony.planners.episode import run_episode
    from colony.planners.run import build_backend, make_history, make_planner

    config = ScenarioConfig(task=job.task, size=job.size, seed=job.seed, step_limit=job.step_limit,
                            planner={"scheme": job.scheme, "prompt_style": "compact", "max_replans": job.max_replans},
                            llm={"spec": "oracle"})
    teacher = TeacherChatModel(task=job.task, student=student)
    backend = build_backend(config, model=teacher)
    env = parallel_env(job.task, size=config.size, step_limit=job.step_limit)
    try:
        summary = run_episode(env, make_planner(config, backend), make_history(config, backend), index=0, seed=job.seed)
    finally:
        env.close()
    where = {key: value for key, value in asdict(job).items() if key not in ("step_limit", "max_replans")}
    examples = [{**example, **where, "source": "expert" if student is None else "on_policy"}
                for example in teacher.examples]
    return examples, {**asdict(job), "outcome": summary.outcome.value, "steps": summary.steps,
                      "examples": len(examples)}


_STUDENT: Any = None


def _start_worker(make_student: Callable[[], Any] | None, shared: bool = False) -> None:
    """``shared``: one of several processes on this machine, so torch gets one thread."""
    global _STUDENT
    if make_student and shared:
        import torch

        torch.set_num_threads(1)
    _STUDENT = make_student() if make_student else None


def _play_in_worker(job: Job) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return play(job, _STUDENT)


def play_all(job_list: list[Job], *, workers: int = 0, make_student: Callable[[], Any] | None = None,
             budget_s: float | None = None) -> Iterator[tuple[int, tuple[list[dict[str, Any]], dict[str, Any]]]]:
    """Play the jobs in ``workers`` processes (0: one per CPU; 1: in this process), yielding
    (index in ``job_list``, result) as episodes finish. ``make_student`` (picklable) builds the
    acting model once per process; None: the expert acts. ``budget_s``: stop once this much wall
    clock has passed (episodes still playing are abandoned)."""
    deadline = None if budget_s is None else time.monotonic() + budget_s
    workers = min(workers or os.cpu_count() or 1, len(job_list)) or 1
    if workers == 1:
        _start_worker(make_student)
        for index, job in enumerate(job_list):
            if deadline is not None and time.monotonic() > deadline:
                return
            yield index, _play_in_worker(job)
        return
    with multiprocessing.get_context("spawn").Pool(workers, initializer=_start_worker, initargs=(make_student, True)) as pool:
        results = pool.imap_unordered(_play_indexed, enumerate(job_list))
        for _ in job_list:
            try:
                yield results.next(None if deadline is None else max(0.0, deadline - time.monotonic()))
            except multiprocessing.TimeoutError:
                return  # leaving the block terminates the workers


def _play_indexed(item: tuple[int, Job]) -> tuple[int, tuple[list[dict[str, Any]], dict[str, Any]]]:
    return item[0], _play_in_worker(item[1])


def collect(settings: DistillSettings, round_index: int, out: Path, *, make_student: Callable[[], Any] | None = None,
            log: Callable[[str], None] = print) -> dict[str, Any]:
    """Play a round and write its examples to ``out`` (JSON lines, in the jobs' order whatever order
    they finished in); returns the round's figures. An on-policy round stops at its budget, if any:
    the episodes finished by then are kept, the others are counted as dropped."""
    job_list = jobs(settings, round_index)
    budget = settings.on_policy.budget_s if round_index else None
    start = time.monotonic()
    results = dict(play_all(job_list, workers=settings.data.workers, make_student=make_student, budget_s=budget))
    out.parent.mkdir(parents=True, exist_ok=True)
    episodes, counts = [], {}
    with out.open("w", encoding="utf-8") as handle:
        for index in sorted(results):
            examples, episode = results[index]
            for example in examples:
                handle.write(json.dumps(example, ensure_ascii=False) + "\n")
                counts[example["role"]] = counts.get(example["role"], 0) + 1
            episodes.append(episode)
    successes = sum(episode["outcome"] == "success" for episode in episodes)
    dropped = len(job_list) - len(episodes)
    log(f"round {round_index}: {len(episodes)} episodes ({successes} solved"
        f"{f', {dropped} dropped at the {budget:g} s budget' if dropped else ''}) in {time.monotonic() - start:.0f} s, "
        f"{sum(counts.values())} examples {counts} -> {out}")
    return {"round": round_index, "episodes": len(episodes), "solved": successes, "examples": counts,
            "dropped": dropped, "seconds": round(time.monotonic() - start, 1),
            "seeds": [job_list[0].seed, job_list[-1].seed] if job_list else []}


def read_examples(paths: list[Path]) -> list[dict[str, Any]]:
    """The examples of these files, each conversation-and-label once (first seen kept)."""
    seen, out = set(), []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            example = json.loads(line)
            key = json.dumps([example["messages"], example["reply"]], ensure_ascii=False)
            if key not in seen:
                seen.add(key)
                out.append(example)
    return out
