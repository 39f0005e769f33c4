"""Run a scenario: build the backend and planner once, play every instance, record it all."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2

from colony.comms.broker import Broker, CommsConfig
from colony.envs.registry import parallel_env
from colony.memory.team import GraphMemory
from colony.planners.backends import check_backend, make_chat_model, parse_spec, secret_values
from colony.planners.base import Planner, PlannerFailure
from colony.planners.client import ChatClient, schema_binding_for
from colony.planners.config import LLMConfig, PlannerConfig, RunConfig, ScenarioConfig
from colony.planners.context_check import check_prompt_sizes
from colony.planners.episode import EpisodeSummary, run_episode
from colony.planners.experts import ExpertPlanner
from colony.planners.hierarchy import HierarchyPlanner
from colony.planners.history import History, Memory
from colony.planners.prompts import task_prompts
from colony.planners.records import RunRecorder
from colony.planners.schemes import SCHEMES
from colony.planners.tokens import TokenCounter, gpt4_counter


@dataclass
class Backend:
    """A chat model ready for planners, with the counter that measures its prompts."""

    client: ChatClient
    counter: TokenCounter


def build_backend(config: ScenarioConfig, model: Any = None) -> Backend:
    """The configured backend; ``model`` injects a ready LangChain chat model instead."""
    spec = parse_spec(config.llm.spec)
    if model is None:
        check_backend(config.llm)
        model = make_chat_model(config.llm, task=config.task)
    counter = getattr(model, "token_counter", None) or gpt4_counter()
    name = getattr(model, "model_name", None) if spec.provider == "local" else None
    label = f"{spec.label} ({name})" if name else spec.label  # the local model names its adapter
    client = ChatClient(model, label=label, counter=counter, retries=config.llm.retries,
                        backoff_s=config.llm.backoff_s, max_wait_s=config.llm.timeout_s,
                        schema_binding=schema_binding_for(spec.provider, config.llm.schema_style, config.llm.base_url))
    return Backend(client, counter)


def make_planner(config: ScenarioConfig, backend: Backend | None) -> Planner:
    if config.planner.scheme == "expert":
        return ExpertPlanner(config.task, Broker(config.comms, gpt4_counter()))
    kind = HierarchyPlanner if config.planner.organization == "hierarchy" else SCHEMES[config.planner.scheme]
    return kind(backend.client, config.planner, config.task, Broker(config.comms, backend.counter))


def make_history(config: ScenarioConfig, backend: Backend | None, previous: Memory | None = None) -> Memory:
    """The configured history, measured with the backend's own token counter (``previous``: the last
    episode's memory, kept when ``planner.carry_memory`` is set)."""
    counter = backend.counter if backend else gpt4_counter()
    if config.planner.history == "memory":
        if config.planner.carry_memory and isinstance(previous, GraphMemory):
            previous.start_episode()
            return previous
        return GraphMemory(config.task, counter)
    return History(config.planner.history, counter, task_prompts(config.task).defaults.history_feedback,
                   config.planner.prompt_style)


def setting_defaults() -> dict[str, Any]:
    """The default of every nested setting (a record made before a setting existed ran at its default)."""
    return {"planner": PlannerConfig().model_dump(mode="json"), "comms": CommsConfig().model_dump(mode="json"),
            "llm": LLMConfig().model_dump(mode="json"), "run": RunConfig().model_dump(mode="json")}


def run_name(config: ScenarioConfig) -> str:
    return config.run.name or f"{config.scenario}-{config.planner.scheme}-{time.strftime('%Y%m%d-%H%M%S')}"


def aggregate(episodes: list[EpisodeSummary]) -> dict[str, Any]:
    wins = [e for e in episodes if e.success]
    outcomes: dict[str, int] = {}
    for episode in episodes:
        outcomes[episode.outcome.value] = outcomes.get(episode.outcome.value, 0) + 1

    def mean(values: list[float]) -> float | None:
        return round(statistics.fmean(values), 3) if values else None

    return {"episodes": len(episodes), "successes": len(wins),
            "success_rate": round(len(wins) / len(episodes), 4) if episodes else None, "outcomes": outcomes,
            "mean_steps_successful": mean([e.steps for e in wins]),
            "mean_llm_calls": mean([e.llm_calls for e in episodes]), "mean_tokens": mean([e.tokens for e in episodes]),
            "mean_wall_s": mean([e.wall_s for e in episodes]),
            "llm_calls": sum(e.llm_calls for e in episodes), "llm_calls_failed": sum(e.llm_calls_failed for e in episodes),
            "llm_retries": sum(e.llm_retries for e in episodes),
            "token_sources": sorted({s for e in episodes for s in e.token_sources})}


def run_scenario(config: ScenarioConfig, *, model: Any = None, resume: bool = False,
                 on_step: Callable[[EpisodeSummary, dict[str, Any]], None] | None = None,
                 on_episode: Callable[[EpisodeSummary], None] | None = None,
                 on_notice: Callable[[str], None] | None = None) -> tuple[Path, dict[str, Any]]:
    """Play every instance of ``config``; returns the run folder and the summary.

    A backend failure that no episode can escape (a refused key, an unknown model, a refused
    request) stops the run after its episode; the summary names it under ``stopped``. On
    ``resume``, finished episodes are kept and episodes that ended in a backend failure are
    played again; ``on_notice`` hears about repaired records."""
    backend = None if config.planner.scheme == "expert" else build_backend(config, model)
    if backend is not None:
        check_prompt_sizes(config, make_planner(config, backend))  # before anything is written
    folder = Path(config.run.out_dir) / run_name(config)
    if not resume:
        folder = _unused(folder)
    recorder = RunRecorder(folder, config.model_dump(mode="json"), secret_values(config.llm), resume=resume,
                           defaults=setting_defaults())
    for name, cut in recorder.repaired.items():
        if on_notice:
            on_notice(f"repaired {folder / name}: cut a torn last line ({cut} bytes) left by an interrupted run")
    done = {index: record for index, record in recorder.finished_episodes().items()
            if record.get("outcome") != PlannerFailure.BACKEND_FAILURE.value} if resume else {}
    env = parallel_env(config.task, size=config.size, step_limit=config.step_limit, render_mode="rgb_array", **config.env)
    frames = config.run.frames if config.run.frames is not None else env.frames_by_default
    episodes: list[EpisodeSummary] = []
    files = config.instance_files() or [None] * config.instances
    stopped = None
    history: Memory | None = None
    try:
        for index, (seed, instance) in enumerate(zip(config.instance_seeds(), files)):
            if index in done:
                continue
            planner = make_planner(config, backend)
            history = make_history(config, backend, history)
            summary = run_episode(env, planner, history, index=index, seed=seed, instance=instance,
                                  recorder=recorder, on_step=on_step, camera=env.render if frames else None)
            if isinstance(history, GraphMemory):  # the graphs as JSON (to load) and GraphML (to look at)
                for path in history.save(folder / "memory" / f"episode_{index:02d}"):
                    history.graphs[path.stem].write_graphml(path.with_suffix(".graphml"))
            if config.run.picture:
                cv2.imwrite(str(folder / f"episode_{index:02d}_final.png"), cv2.cvtColor(env.render(), cv2.COLOR_RGB2BGR))
            recorder.episode(summary.to_dict())
            episodes.append(summary)
            if on_episode:
                on_episode(summary)
            if summary.stops_run:
                stopped = summary.detail
                break
    finally:
        recorder.close()
        env.close()
    all_episodes = [EpisodeSummary.from_dict(record) for record in done.values()] + episodes
    result = {"scenario": config.scenario, "task": config.task, "size": config.size, "agents": len(env.possible_agents),
              "scheme": config.planner.scheme,
              "backend": "expert" if backend is None else backend.client.label,
              "history": config.planner.history, "instances": config.instances, "stopped": stopped,
              **aggregate(all_episodes),
              "per_episode": [e.to_dict() for e in sorted(all_episodes, key=lambda e: e.index)]}
    recorder.finish(result)
    return folder, result


def _unused(folder: Path) -> Path:
    """``folder``, or ``folder-2``, ``folder-3``... when a previous run already recorded there."""
    candidate, number = folder, 1
    while (candidate / "steps.jsonl").exists():
        number += 1
        candidate = folder.with_name(f"{folder.name}-{number}")
    return candidate

