"""``colony replay <run-dir>``: an episode as a GIF, an MP4 or an HTML page with a step slider.

The run's ``config.yaml`` rebuilds the environment; the episode is reset from its recorded
seed (or instance file) and the recorded plans are applied again, so every picture is
the environment's own render (2D boards, the Crafter team view), one frame per step
showing the state after it, with the step's plan, dialogue and feedback beside it. Environments are deterministic from their seed; a replay whose feedback differs from
the record stops with an error rather than showing a different episode.
"""

from __future__ import annotations

import base64
import html
import json
import textwrap
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from colony.envs.registry import parallel_env
from colony.planners.config import ScenarioConfig

PANEL_WIDTH = 520
LINE = 16


def episode_steps(folder: Path, episode: int) -> list[dict[str, Any]]:
    """The recorded steps of ``episode`` from its last attempt, in order."""
    steps = [json.loads(line) for line in (folder / "steps.jsonl").read_text(encoding="utf-8").splitlines() if line]
    mine = [s for s in steps if s["episode"] == episode]
    if not mine:
        raise ValueError(f"{folder}: no recorded step of episode {episode}")
    last = mine[-1]["attempt"]
    return [s for s in mine if s["attempt"] == last]


def panel(height: int, lines: list[str]) -> np.ndarray:
    canvas = np.full((height, PANEL_WIDTH, 3), 255, np.uint8)
    y = LINE
    for line in lines:
        for piece in textwrap.wrap(line, 70) or [""]:
            if y > height - 4:
                return canvas
            cv2.putText(canvas, piece, (8, y), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (30, 30, 30), 1, cv2.LINE_AA)
            y += LINE
    return canvas


def frames(folder: Path | str, episode: int = 0) -> list[tuple[np.ndarray, dict[str, Any]]]:
    """(picture after the step, step record), one per recorded step."""
    folder = Path(folder)
    config = ScenarioConfig.model_validate(yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8")))
    steps = episode_steps(folder, episode)
    env = parallel_env(config.task, size=config.size, step_limit=config.step_limit, render_mode="rgb_array", **config.env)
    files = config.instance_files()
    instance = files[episode] if files else None
    env.reset(seed=steps[0]["seed"], options={"instance": instance} if instance else None)
    shown = []
    for record in steps:
        if "plan" not in record:  # the step that ended the episode without a plan (a planning failure)
            break
        feedback = env.apply(record["plan"])
        if feedback.to_text() != record["feedback_text"]:
            raise ValueError(f"step {record['step']}: the replay's feedback differs from the record; the environment "
                             "or its version changed since the run")
        shown.append((env.render(), record))
    return shown


def compose(picture: np.ndarray, record: dict[str, Any]) -> np.ndarray:
    height = max(picture.shape[0], 360)
    board = np.full((height, picture.shape[1], 3), 255, np.uint8)
    board[: picture.shape[0]] = picture
    lines = [f"step {record['step']}", "plan: " + json.dumps(record.get("plan", {}))]
    lines += ["feedback: " + line for line in str(record.get("feedback_text", "")).splitlines()]
    dialogue = str(record.get("dialogue", "")).strip()
    if dialogue:
        lines += ["dialogue:"] + dialogue.splitlines()[:12]
    return np.concatenate([board, panel(height, lines)], axis=1)


def write_replay(folder: Path | str, out: Path | str, episode: int = 0, fps: float = 2.0) -> tuple[Path, int]:
    """Write ``out`` (.gif, .mp4 or .html); returns it and the number of frames."""
    out = Path(out)
    pictures = [compose(picture, record) for picture, record in frames(folder, episode)]
    if out.suffix == ".gif":
        from PIL import Image

        images = [Image.fromarray(p) for p in pictures]
        images[0].save(out, save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0)
    elif out.suffix == ".mp4":
        height, width = pictures[0].shape[:2]
        writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
        for picture in pictures:
            writer.write(cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
        writer.release()
    elif out.suffix == ".html":
        sources = [base64.b64encode(cv2.imencode(".png", cv2.cvtColor(p, cv2.COLOR_RGB2BGR))[1].tobytes()).decode()
                   for p in pictures]
        page = ("<!doctype html><meta charset='utf-8'><title>" + html.escape(Path(folder).name) + "</title>"
                "<body style='font-family:sans-serif'><input id=s type=range min=0 max=" + str(len(sources) - 1)
                + " value=0 style='width:600px'> <span id=n>step 0</span><br><img id=i>"
                "<script>const f=" + json.dumps(sources) + ";const s=document.getElementById('s'),"
                "i=document.getElementById('i'),n=document.getElementById('n');function show(){i.src="
                "'data:image/png;base64,'+f[s.value];n.textContent='frame '+s.value+' of '+(f.length-1)}"
                "s.oninput=show;show()</script>")
        out.write_text(page, encoding="utf-8")
    else:
        raise ValueError(f"{out}: write .gif, .mp4 or .html")
    return out, len(pictures)
