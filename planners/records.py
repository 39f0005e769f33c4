"""Run records on disk: ``runs/<name>/`` with the resolved config, ``steps.jsonl`` and
``episodes.jsonl`` (appended and flushed as they happen, so a killed run keeps every
finished step and episode), and ``summary.json`` (written atomically at the end).
Known secret values are replaced before anything is written. With ``run.frames`` (on by
default for the 3D tasks) the picture after each step is kept as
``frames/episode_NN/step_MMM.png`` and named in that step's line (``frame``).

Resuming is safe: a trailing line torn by a kill in mid-write is cut back to the last
complete line (and reported) before anything is appended, and a resumed run must have
the same meaning as the recorded one (:func:`resume_conflicts`); ``config.yaml`` is
never overwritten by a configuration that would change what the records mean. An episode
played again on resumption starts its frames afresh (the cut-short attempt's are removed;
each PNG is written whole, under a temporary name first).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

REDACTED = "[redacted]"


# Settings that may differ between a run and its resumption: where records go and how patiently the
# backend is retried. ``instances`` may grow (more episodes of the same series); nothing else may change.
OPERATIONAL_SETTINGS = ("run.", "llm.retries", "llm.backoff_s", "llm.timeout_s")


class ResumeConflict(ValueError):
    """A resumption whose configuration would change the meaning of the recorded episodes."""


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(data, dict):
        return {prefix.rstrip("."): data}
    flat: dict[str, Any] = {}
    for key, value in data.items():
        flat.update(_flatten(value, f"{prefix}{key}."))
    return flat


def resume_conflicts(recorded: dict[str, Any], wanted: dict[str, Any],
                     defaults: dict[str, Any] | None = None) -> list[str]:
    """Each setting whose change would mix two experiments in one record, as ``key: old -> new``.
    A setting the record does not have (added to Colony since) at its default value in ``defaults``
    changes nothing."""
    old, new, default = _flatten(recorded), _flatten(wanted), _flatten(defaults or {})
    conflicts = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) == new.get(key) or key.startswith(OPERATIONAL_SETTINGS):
            continue
        if key not in old and key in default and new.get(key) == default[key]:
            continue
        if key == "instances" and isinstance(old.get(key), int) and isinstance(new.get(key), int) and new[key] >= old[key]:
            continue
        conflicts.append(f"{key}: {old.get(key)!r} in the record, {new.get(key)!r} now")
    return conflicts


def repair_jsonl(path: Path) -> int:
    """Cut a torn last line (no newline at the end) back to the last complete line; bytes cut."""
    if not path.exists():
        return 0
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return 0
    keep = data.rfind(b"\n") + 1
    with path.open("r+b") as handle:
        handle.truncate(keep)
    return len(data) - keep


class RunRecorder:
    def __init__(self, folder: Path, config: dict[str, Any], secrets: list[str] | None = None, *,
                 resume: bool = False, defaults: dict[str, Any] | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.secrets = [s for s in (secrets or []) if len(s) >= 4]
        # Steps of an episode cut short by a crash stay in steps.jsonl; a resumed run replays that
        # episode from its start, and this stamp tells the two apart.
        self.attempt = time.strftime("%Y-%m-%dT%H:%M:%S")
        config = self._clean(config)
        recorded_path = self.folder / "config.yaml"
        if resume and recorded_path.exists():
            conflicts = resume_conflicts(yaml.safe_load(recorded_path.read_text(encoding="utf-8")) or {}, config,
                                         defaults)
            if conflicts:
                raise ResumeConflict(f"--resume would mix two experiments in {self.folder}; these settings differ from "
                                     "the recorded run (start a new run with another --name, or resume with the "
                                     "recorded settings):\n" + "\n".join(conflicts))
        self.repaired = {name: cut for name in ("steps.jsonl", "episodes.jsonl")
                         if (cut := repair_jsonl(self.folder / name))}
        self._write_atomic("config.yaml", yaml.safe_dump(config, sort_keys=False))
        self._steps = (self.folder / "steps.jsonl").open("a", encoding="utf-8", errors="backslashreplace")
        self._episodes = (self.folder / "episodes.jsonl").open("a", encoding="utf-8", errors="backslashreplace")

    def _clean(self, data: Any) -> Any:
        if not self.secrets:
            return data
        text = json.dumps(data)
        for secret in self.secrets:
            text = text.replace(json.dumps(secret)[1:-1], REDACTED)
        return json.loads(text)

    def _append(self, handle: Any, record: dict[str, Any]) -> None:
        handle.write(json.dumps(self._clean(record), ensure_ascii=False, default=str) + "\n")
        handle.flush()

    def step(self, record: dict[str, Any]) -> None:
        self._append(self._steps, {"attempt": self.attempt, **record})

    def episode(self, record: dict[str, Any]) -> None:
        self._append(self._episodes, record)

    def frame(self, episode: int, step: int, rgb: np.ndarray) -> str:
        """Save the picture after ``step`` as a PNG; its path relative to the run folder (for the step's line)."""
        relative = f"frames/episode_{episode:02d}/step_{step:03d}.png"
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        ok, data = cv2.imencode(".png", cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR))
        if not ok:
            raise ValueError(f"the frame of episode {episode} step {step} could not be encoded as PNG")
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_bytes(data.tobytes())
        os.replace(temporary, path)
        return relative

    def clear_frames(self, episode: int) -> None:
        """Remove an episode's frames (an attempt cut short, about to be played again)."""
        shutil.rmtree(self.folder / "frames" / f"episode_{episode:02d}", ignore_errors=True)

    def finished_episodes(self) -> dict[int, dict[str, Any]]:
        """Episodes already recorded in this folder (to resume a sweep)."""
        path = self.folder / "episodes.jsonl"
        done = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by a crash
            done[int(record["index"])] = record
        return done

    def _write_atomic(self, name: str, text: str) -> Path:
        path = self.folder / name
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(text, encoding="utf-8", errors="backslashreplace")
        os.replace(temporary, path)
        return path

    def finish(self, summary: dict[str, Any]) -> Path:
        self.close()
        return self._write_atomic("summary.json", json.dumps(self._clean(summary), indent=1, default=str) + "\n")

    def close(self) -> None:
        for handle in (self._steps, self._episodes):
            if not handle.closed:
                handle.close()
