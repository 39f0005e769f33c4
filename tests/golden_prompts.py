"""Golden prompts: every message every scheme sends in the first three steps of one fixed
instance per task, replayed with the expert's plans so that the states are the same in
every scheme. ``tests/test_golden_prompts.py`` compares a fresh run with the files in
``tests/golden/``; ``python tests/golden_prompts.py --write`` writes the files of new cases, and
after a deliberate prompt change ``--write --all`` rewrites every file: review the diff.

The scripted replies exercise every template: a reply with no JSON at step 2 (the
re-plan request), an objection at step 3 (HMAS-2's objections round), a PROCEED before
the EXECUTE at step 3 (DMAS / HMAS-1 dialogue), and summaries for compressed history.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from colony.planners.config import load_scenario
from colony.planners.run import run_scenario
from colony.planners.scripted import ScriptedChatModel

FOLDER = Path(__file__).parent / "golden"
STEPS = 3
TASKS = ("boxnet1", "boxnet2", "boxlift", "warehouse")
SCHEMES = ("cmas", "dmas", "hmas1", "hmas2")
# (task, scheme, history, prompt style); history "default" leaves the setting to its default (none for CMAS)
CASES = ([(task, scheme, "state_action", "paper") for task in TASKS for scheme in SCHEMES]
         + [(task, "hmas2", history, "paper") for task in ("boxnet1", "warehouse") for history in ("all_dialogue", "compressed")]
         + [(task, "cmas", "default", "paper") for task in TASKS]
         + [(task, scheme, "default", "compact") for task in TASKS for scheme in SCHEMES]
         + [(task, "cmas", "state_action", "compact") for task in TASKS]
         + [("boxnet1", "hmas2", history, "compact") for history in ("all_dialogue", "compressed")])


def _config(task: str, scheme: str, history: str, out: str, style: str = "paper"):
    settings = {"planner.scheme": scheme, "planner.prompt_style": style, "llm.spec": "scripted", "llm.backoff_s": 0,
                "instances": 1, "step_limit": STEPS, "run.out_dir": out, "run.picture": False,
                "run.name": f"{task}-{scheme}-{history}-{style}"}
    if history != "default":
        settings["planner.history"] = history
    return load_scenario(task, **settings)


def expert_plans(task: str, out: str) -> list[dict]:
    config = _config(task, "expert", "state_action", out)
    folder, _ = run_scenario(config)
    steps = [json.loads(line) for line in (folder / "steps.jsonl").read_text().splitlines()]
    return [step["plan"] for step in steps]


def record(task: str, scheme: str, history: str, style: str = "paper") -> dict:
    """Every call's role, agent and messages, and every step's plan and feedback text."""
    with tempfile.TemporaryDirectory() as out:
        plans = expert_plans(task, out)
        if len(plans) < STEPS:
            raise RuntimeError(f"{task}: the expert finished in {len(plans)} steps; pick a longer instance")
        step = {"index": 0, "central": 0, "local": 0, "feedback": 0}

        def respond(request):
            prompt, k = request.prompt, step["index"]
            plan = json.dumps(plans[k], ensure_ascii=False)
            if prompt.startswith(("Please summarize", "Summarise")):
                return f"Summary of step {k + 1}."
            if "respond 'I Agree'" in prompt or "Reply I Agree" in prompt:  # an HMAS-2 agent
                step["feedback"] += 1
                return "Please check the plan once more." if k == 2 and step["feedback"] == 1 else "I Agree"
            if "[Action Output Instruction]" in prompt or "EXECUTE and on the next line" in prompt:  # a speaker
                step["local"] += 1
                return "I have checked it. PROCEED" if k == 2 and step["local"] == 1 else f"EXECUTE\n{plan}"
            step["central"] += 1
            return "I cannot decide yet." if k == 1 and step["central"] == 1 else plan

        def advance(summary, record):
            step.update(index=step["index"] + 1, central=0, local=0, feedback=0)

        config = _config(task, scheme, history, out, style)
        folder, _ = run_scenario(config, model=ScriptedChatModel(respond=respond), on_step=advance)
        steps = [json.loads(line) for line in (folder / "steps.jsonl").read_text().splitlines()]
    return {"task": task, "scheme": scheme, "history": history, "style": style,
            "steps": [{"step": s["step"], "plan": s.get("plan"), "feedback_text": s.get("feedback_text"),
                       "calls": [{"role": c["role"], "agent": c["agent"], "messages": c["messages"],
                                  "response": c["response"]} for c in s.get("calls", [])]}
                      for s in steps]}


def path_of(task: str, scheme: str, history: str, style: str = "paper") -> Path:
    return FOLDER / (f"{task}-{scheme}-{history}.json" if style == "paper" else f"{task}-{scheme}-{history}-{style}.json")


def main() -> int:
    if "--write" not in sys.argv:
        print(__doc__)
        return 2
    FOLDER.mkdir(exist_ok=True)
    for case in CASES:
        if path_of(*case).exists() and "--all" not in sys.argv:
            continue  # only new cases unless --all: a prompt change must show in the diff of the files it changes
        path_of(*case).write_text(json.dumps(record(*case), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print("wrote", path_of(*case))
    return 0


if __name__ == "__main__":
    sys.exit(main())
