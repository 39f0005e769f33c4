"""One episode: plan, apply, record, until the task ends or planning fails."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from colony.envs.feedback import EpisodeStatus
from colony.planners.base import Outcome, PlanningContext, Planner, plan_json
from colony.planners.client import BackendFailure, LLMCall
from colony.planners.history import History, HistoryStep
from colony.planners.records import RunRecorder

_STATUS_OUTCOME = {EpisodeStatus.SUCCESS: Outcome.SUCCESS, EpisodeStatus.STEP_LIMIT: Outcome.STEP_LIMIT,
                   EpisodeStatus.COLLISION: Outcome.COLLISION}


@dataclass
class EpisodeSummary:
    index: int
    seed: int
    planner: str
    outcome: Outcome = Outcome.STEP_LIMIT
    steps: int = 0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    replans: int = 0
    wall_s: float = 0.0
    llm_s: float = 0.0
    boxes_left: int = 0
    token_sources: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def success(self) -> bool:
        return self.outcome is Outcome.SUCCESS

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add_calls(self, calls: list[LLMCall]) -> None:
        self.llm_calls += len(calls)
        for call in calls:
            self.prompt_tokens += call.prompt_tokens
            self.completion_tokens += call.completion_tokens
            self.llm_s += call.latency_s
            if call.token_source and call.token_source not in self.token_sources:
                self.token_sources.append(call.token_source)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(outcome=self.outcome.value, success=self.success, tokens=self.tokens)
        return data


def run_episode(env: Any, planner: Planner, history: History, *, index: int, seed: int,
                recorder: RunRecorder | None = None,
                on_step: Callable[[EpisodeSummary, dict[str, Any]], None] | None = None) -> EpisodeSummary:
    env.reset(seed=seed)
    summary = EpisodeSummary(index=index, seed=seed, planner=planner.label)
    start = time.perf_counter()
    while not env.world.status.is_over:
        context = PlanningContext.from_env(env)
        record: dict[str, Any] = {"episode": index, "seed": seed, "step": context.step, "planner": planner.label,
                                  "state": context.central_state}
        try:
            result = planner.plan(context, history)
        except BackendFailure as error:
            summary.outcome, summary.detail = Outcome.BACKEND_FAILURE, str(error)
            record["failure"] = {"outcome": summary.outcome.value, "detail": summary.detail}
            if recorder:
                recorder.step(record)
            break
        summary.add_calls(result.calls)
        summary.replans += result.replans
        record.update(calls=[call.to_dict() for call in result.calls], dialogue=result.dialogue, replans=result.replans)
        if result.plan is None:
            summary.outcome, summary.detail = result.failure or Outcome.NO_VALID_PLAN, result.detail
            record["failure"] = {"outcome": summary.outcome.value, "detail": summary.detail}
            if recorder:
                recorder.step(record)
            break
        feedback = env.apply(result.plan)
        summary.steps = feedback.step
        record.update(plan=result.plan, feedback=feedback.to_dict(), feedback_text=feedback.to_text())
        digest = ""
        if history.mode == "compressed":
            try:
                digest, call = planner.summarise(result.dialogue)
            except BackendFailure as error:
                summary.outcome, summary.detail = Outcome.BACKEND_FAILURE, str(error)
                if recorder:
                    recorder.step(record)
                break
            if call is not None:
                summary.add_calls([call])
                record["summary_call"] = call.to_dict()
        history.append(HistoryStep(state=context.state, action=plan_json(result.plan), feedback=feedback.to_text(),
                                   dialogue=result.dialogue, summary=digest))
        if recorder:
            recorder.step(record)
        if on_step:
            on_step(summary, record)
    else:
        summary.outcome = _STATUS_OUTCOME[env.world.status]
    summary.steps = env.world.step_count
    summary.boxes_left = env.world.boxes_left()
    summary.wall_s = time.perf_counter() - start
    return summary
