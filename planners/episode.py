"""One episode: plan, apply, record, until the task ends or planning fails.

The episode reads the environment only through the planning surface.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from colony.comms.broker import count_outcomes
from colony.envs.feedback import EpisodeStatus, StatusBase, status_from_value
from colony.envs.surface import PlanningSurface
from colony.planners.base import PlannerFailure, Planner, plan_json
from colony.planners.context import PlanningContext
from colony.planners.client import BackendFailure, LLMCall
from colony.planners.history import HistoryStep, Memory, describe_changes
from colony.planners.records import RunRecorder


@dataclass
class EpisodeSummary:
    index: int
    seed: int | None
    planner: str
    outcome: StatusBase = EpisodeStatus.STEP_LIMIT
    steps: int = 0
    llm_calls: int = 0  # calls made, each once whatever its retries; failed ones included
    llm_calls_failed: int = 0  # calls that got no reply
    llm_retries: int = 0  # extra attempts of calls (timeouts, rate limits, server errors)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    replans: int = 0
    wall_s: float = 0.0
    llm_s: float = 0.0
    goal_done: int = 0
    goal_total: int = 0
    goal_text: str = ""
    milestones: dict[str, int] = field(default_factory=dict)  # first step of each milestone (Crafter: the chain)
    comms: dict[str, int] = field(default_factory=dict)  # messages, per-recipient outcomes, chars, tokens (the broker)
    token_sources: list[str] = field(default_factory=list)
    instance: str | None = None  # the instance file, when the episode did not come from a seed
    stops_run: bool = False  # a backend failure that no later episode could escape (bad key, model, request)
    detail: str = ""

    @property
    def success(self) -> bool:
        return self.outcome is EpisodeStatus.SUCCESS

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add_calls(self, calls: list[LLMCall]) -> None:
        self.llm_calls += len(calls)
        for call in calls:
            self.llm_calls_failed += int(call.failed)
            self.llm_retries += call.retries
            self.prompt_tokens += call.prompt_tokens
            self.completion_tokens += call.completion_tokens
            self.llm_s += call.latency_s
            if call.token_source and call.token_source not in self.token_sources:
                self.token_sources.append(call.token_source)

    def add_messages(self, records: list[dict[str, Any]]) -> None:
        for key, value in count_outcomes(records).items():
            self.comms[key] = self.comms.get(key, 0) + value

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(outcome=self.outcome.value, success=self.success, tokens=self.tokens)
        return data

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> EpisodeSummary:
        fields = {k: v for k, v in record.items() if k in cls.__dataclass_fields__}
        fields["outcome"] = status_from_value(fields["outcome"])
        return cls(**fields)


def run_episode(env: PlanningSurface, planner: Planner, history: Memory, *, index: int, seed: int | None,
                instance: str | None = None, recorder: RunRecorder | None = None,
                on_step: Callable[[EpisodeSummary, dict[str, Any]], None] | None = None,
                camera: Callable[[], Any] | None = None) -> EpisodeSummary:
    """Play one episode: from ``seed``, or from the instance file ``instance``. With ``camera`` (a
    function returning an RGB picture, ``env.render``) and a recorder, the picture after every step
    is saved and named in the step's record."""
    env.reset(seed=seed, options={"instance": instance} if instance else None)
    if recorder and camera:
        recorder.clear_frames(index)  # an attempt cut short leaves no frames behind
    planner.start_episode(seed)
    summary = EpisodeSummary(index=index, seed=seed, planner=planner.label, instance=instance)
    start = time.perf_counter()

    def fail(record: dict[str, Any], outcome: StatusBase, detail: str) -> None:
        summary.outcome, summary.detail = outcome, detail
        record["failure"] = {"outcome": outcome.value, "detail": detail}
        if recorder:
            recorder.step(record)

    def backend_failed(record: dict[str, Any], error: BackendFailure, calls: list[LLMCall], prefix: str = "") -> None:
        summary.add_calls(calls)
        record.setdefault("calls", []).extend(call.to_dict() for call in calls)
        summary.stops_run = error.fatal
        fail(record, PlannerFailure.BACKEND_FAILURE, prefix + str(error))

    while not env.status.is_over:
        context = PlanningContext.from_surface(env)
        record: dict[str, Any] = {"episode": index, "seed": seed, "step": context.step, "planner": planner.label,
                                  "state": context.central_state}
        mark = len(planner.call_log())
        try:
            result = planner.plan(context, history)
        except BackendFailure as error:
            backend_failed(record, error, planner.call_log()[mark:])
            break
        summary.add_calls(result.calls)
        summary.replans += result.replans
        record.update(calls=[call.to_dict() for call in result.calls], dialogue=result.dialogue, replans=result.replans)
        if result.messages:
            record["messages"] = result.messages
            summary.add_messages(result.messages)
        if result.plan is None:
            fail(record, result.failure or PlannerFailure.NO_VALID_PLAN, result.detail)
            break
        feedback = env.apply(result.plan)
        summary.steps = feedback.step
        record.update(plan=result.plan, feedback=feedback.to_dict(), feedback_text=feedback.to_text())
        record.update(env.step_record())
        if recorder and camera:
            record["frame"] = recorder.frame(index, feedback.step, camera())
        digest = ""
        if history.wants_summary:
            mark = len(planner.call_log())
            try:
                digest, call = planner.summarise(result.dialogue)
            except BackendFailure as error:
                record["summary_call"] = error.call.to_dict() if error.call else None
                summary.add_calls(planner.call_log()[mark:])
                summary.stops_run = error.fatal
                fail(record, PlannerFailure.BACKEND_FAILURE, f"summarising the step's dialogue: {error}")
                break
            if call is not None:
                summary.add_calls([call])
                record["summary_call"] = call.to_dict()
        history.record(HistoryStep(state=context.history_state, action=plan_json(result.plan),
                                   feedback=feedback.to_text(), dialogue=result.dialogue, summary=digest,
                                   changes=describe_changes(feedback, result.refused), plan=result.plan,
                                   outcome=feedback, task_state=context.state))
        if recorder:
            recorder.step(record)
        if on_step:
            on_step(summary, record)
    else:
        summary.outcome = env.status
    progress = env.goal().progress()
    summary.steps = env.step_count
    summary.goal_done, summary.goal_total, summary.goal_text = progress.done, progress.total, progress.text
    summary.milestones = env.goal().milestones()
    summary.wall_s = time.perf_counter() - start
    return summary
