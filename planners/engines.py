"""Where a sweep's runs are played: a local process pool (default) or Ray.

Both engines take the same runs and report each finished one to the driver, which keeps
the index; neither keeps state of its own, so a killed driver loses only the runs in
flight (their folders resume). A per-backend limit (``concurrency:`` in the ablation file,
by spec prefix) caps how many runs of one backend are in flight, to stay within a model
server's or an API's rate limits; runs of other backends fill the remaining workers.

* ``local``: ``concurrent.futures.ProcessPoolExecutor`` with ``workers`` processes
  (spawned, not forked: the driver's progress display runs a thread).
* ``ray``: each run is a Ray task (``num_cpus=1``, retried by Ray if its worker dies);
  ``ray.init(address=...)`` joins a cluster, or starts a local Ray with ``workers`` CPUs.
  Install with ``pip install 'colony[ray]'``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from colony.planners.sweep import SweepRun, execute

ENGINES = ("local", "ray")
Report = Callable[[SweepRun, dict[str, Any]], None]


def limit_of(backend: str, concurrency: dict[str, int]) -> tuple[str, int] | None:
    """The longest ``concurrency`` prefix of ``backend`` and its limit (the expert is never limited)."""
    if backend == "expert":
        return None
    matches = [prefix for prefix in concurrency if backend.startswith(prefix)]
    if not matches:
        return None
    prefix = max(matches, key=len)
    return prefix, concurrency[prefix]


class Slots:
    """Which waiting run may start now, under the worker count and the per-backend limits."""

    def __init__(self, runs: list[SweepRun], workers: int, concurrency: dict[str, int]) -> None:
        self.waiting = list(runs)
        self.workers = workers
        self.concurrency = concurrency
        self.busy: dict[str, int] = {}
        self.running = 0

    def next(self) -> SweepRun | None:
        if self.running >= self.workers:
            return None
        for index, run in enumerate(self.waiting):
            limit = limit_of(run.backend, self.concurrency)
            if limit is None or self.busy.get(limit[0], 0) < limit[1]:
                self.waiting.pop(index)
                if limit is not None:
                    self.busy[limit[0]] = self.busy.get(limit[0], 0) + 1
                self.running += 1
                return run
        return None

    def release(self, run: SweepRun) -> None:
        self.running -= 1
        limit = limit_of(run.backend, self.concurrency)
        if limit is not None:
            self.busy[limit[0]] -= 1


def failed(run: SweepRun, error: BaseException) -> dict[str, Any]:
    return {"run": run.name, "status": "failed", "params": run.params, "error": f"{type(error).__name__}: {error}"}


def run_local(runs: list[SweepRun], folder: str, workers: int, concurrency: dict[str, int],
              on_start: Callable[[SweepRun], None], on_done: Report) -> None:
    slots = Slots(runs, workers, concurrency)
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures: dict[Any, SweepRun] = {}
        while slots.waiting or futures:
            while (run := slots.next()) is not None:
                futures[pool.submit(execute, run.to_dict(), folder)] = run
                on_start(run)
            done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
            for future in done:
                run = futures.pop(future)
                slots.release(run)
                try:
                    on_done(run, future.result())
                except Exception as error:  # a run that raised: recorded as failed, the sweep goes on
                    on_done(run, failed(run, error))


def run_ray(runs: list[SweepRun], folder: str, workers: int, concurrency: dict[str, int],
            on_start: Callable[[SweepRun], None], on_done: Report, address: str | None = None) -> None:
    try:
        import ray
    except ImportError:
        raise ImportError("--engine ray needs Ray: pip install 'colony[ray]'") from None
    if not ray.is_initialized():
        if address:
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    task = ray.remote(num_cpus=1, max_retries=2)(execute)  # Ray re-runs a task whose worker process died
    workers = int(ray.cluster_resources().get("CPU", workers)) if address else workers
    slots = Slots(runs, workers, concurrency)
    pending: dict[Any, SweepRun] = {}
    while slots.waiting or pending:
        while (run := slots.next()) is not None:
            pending[task.remote(run.to_dict(), folder)] = run
            on_start(run)
        ready, _ = ray.wait(list(pending), num_returns=1)
        for reference in ready:
            run = pending.pop(reference)
            slots.release(run)
            try:
                on_done(run, ray.get(reference))
            except Exception as error:
                on_done(run, failed(run, error))
