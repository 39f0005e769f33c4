"""Run records on disk: ``runs/<name>/`` with the resolved config, ``steps.jsonl`` and
``episodes.jsonl`` (appended and flushed as they happen, so a killed run keeps every
finished step and episode), and ``summary.json`` (written atomically at the end).
Known secret values are replaced before anything is written.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import yaml

REDACTED = "[redacted]"


class RunRecorder:
    def __init__(self, folder: Path, config: dict[str, Any], secrets: list[str] | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.secrets = [s for s in (secrets or []) if len(s) >= 4]
        # Steps of an episode cut short by a crash stay in steps.jsonl; a resumed run replays that
        # episode from its start, and this stamp tells the two apart.
        self.attempt = time.strftime("%Y-%m-%dT%H:%M:%S")
        self._write_atomic("config.yaml", yaml.safe_dump(self._clean(config), sort_keys=False))
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
