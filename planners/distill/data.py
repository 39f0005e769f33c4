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


def play_all(job_list: list[Job], *, workers: int = 0,
             make_student: Callable[[], Any] | None = None) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """Play the jobs (in their order) in ``workers`` processes (0: one per CPU; 1: in this process).
    ``make_student`` (picklable) builds the acting model once per process; None: the expert acts."""
    workers = min(workers or os.cpu_count() or 1, len(job_list)) or 1
    if workers == 1:
        _start_worker(make_student)
        yield from map(_play_in_worker, job_list)
        return
    with multiprocessing.get_context("spawn").Pool(workers, initializer=_start_worker, initargs=(make_student, True)) as pool:
        yield from pool.imap(_play_in_worker, job_list)


def collect(settings: DistillSettings, round_index: int, out: Path, *, make_student: Callable[[], Any] | None = None,
            log: Callable[[str], None] = print) -> dict[str, Any]:
    """Play a round and write its examples to ``out`` (JSON lines); returns the round's figures."""
    job_list = jobs(settings, round_index)
    out.parent.mkdir(parents=True, exist_ok=True)
    episodes, counts, successes = [], {}, 0
    with out.open("w", encoding="utf-8") as handle:
        for examples, episode in play_all(job_list, workers=settings.data.workers, make_student=make_student):
            for example in examples:
                handle.write(json.dumps(example, ensure_ascii=False) + "\n")
                counts[example["role"]] = counts.get(example["role"], 0) + 1
            successes += episode["outcome"] == "success"
            episodes.append(episode)
    log(f"round {round_index}: {len(episodes)} episodes ({successes} solved), "
        f"{sum(counts.values())} examples {counts} -> {out}")
    return {"round": round_index, "episodes": len(episodes), "solved": successes, "examples": counts,
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
