"""``colony distill``: base -> data and training rounds -> GGUF LoRA and manifest -> evaluation -> ship.

Every stage writes into one folder, and a stage whose output is there (with its figures in
``manifest.json``) is not done again: a run cut short continues where it stopped, and the
evaluation can run on another machine than the training (llama.cpp on a laptop, torch on a
lent GPU). ``--ship`` copies the adapter and its manifest into the package
(``planners/adapters/``), where the ``local`` backend finds them.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from colony.planners.distill.settings import DistillSettings, settings_dict

MANIFEST = "manifest.json"


def commit() -> str:
    """The git commit of the colony source this runs from: ``COLONY_COMMIT`` when set (a copy of the
    checkout without its history, as on a lent machine), else git's; 'unknown' outside a checkout."""
    if os.environ.get("COLONY_COMMIT"):
        return os.environ["COLONY_COMMIT"]
    source = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() + ("+changes" if dirty else "") if out.returncode == 0 else "unknown"


class Run:
    """The folder of one distillation run and its manifest."""

    def __init__(self, settings: DistillSettings, out: Path, source: str) -> None:
        self.settings, self.out = settings, out
        out.mkdir(parents=True, exist_ok=True)
        path = out / MANIFEST
        self.manifest: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
        if self.manifest and self.manifest.get("settings") != settings_dict(settings):
            raise ValueError(f"{out} holds a run with other settings; choose another --out")
        self.manifest.setdefault("name", settings.name)
        self.manifest.setdefault("settings", settings_dict(settings))
        self.manifest.setdefault("reproduce", f"colony distill --settings {source}")
        self.manifest.setdefault("rounds", [])

    @property
    def base(self) -> Path:
        return self.out / "base"

    @property
    def adapter_file(self) -> Path:
        return self.out / f"{self.settings.name}.gguf"

    def save(self) -> None:
        (self.out / MANIFEST).write_text(json.dumps(self.manifest, indent=2) + "\n")


def make_student(run: Run, adapter: Path, device: str, base_file: Path, log: Callable[[str], None]) -> Callable[[], Any]:
    """A picklable factory of the acting model: the adapter in torch, or its GGUF through llama.cpp."""
    import importlib.util

    from colony.planners.distill.export import export_gguf
    from colony.planners.distill.model import TransformersChatModel
    from colony.planners.local_model import LocalChatModel

    settings = run.settings.on_policy
    kind = settings.student
    if kind == "auto":
        kind = "llama_cpp" if device == "cpu" and importlib.util.find_spec("llama_cpp") else "torch"
    log(f"the student acts through {kind}")
    if kind == "torch":
        return functools.partial(TransformersChatModel, base=str(run.base), adapter=str(adapter), device=device,
                                 max_new_tokens=settings.max_new_tokens)
    gguf = adapter / "adapter.gguf"
    export_gguf(adapter, run.base, gguf)
    threads = 1 if (run.settings.data.workers or os.cpu_count() or 1) > 1 else None
    return functools.partial(LocalChatModel, model_path=str(base_file), lora_path=str(gguf),
                             max_tokens=settings.max_new_tokens, n_ctx=4096, n_threads=threads)


def train_and_export(run: Run, *, base_gguf: Path | None = None, final: bool = True,
                     log: Callable[[str], None] = print) -> None:
    """The torch half: base, every round's data and training, the GGUF LoRA; ``final=False`` stops
    before the final stage (a later call, same folder, runs it: a lent machine's 10-minute commands)."""
    from colony.planners.distill.data import collect, read_examples
    from colony.planners.distill.model import pick_device, prepare_base, require_training_stack
    from colony.planners.distill.train import train_round
    from colony.planners.local_model import embedded_model_path

    require_training_stack()
    settings, manifest = run.settings, run.manifest
    manifest.update(commit=manifest.get("commit", commit()))
    start = time.perf_counter()
    base_file = base_gguf or embedded_model_path()
    manifest["base"] = prepare_base(base_file, run.base)
    log(f"base: {manifest['base']['gguf']} (sha256 {manifest['base']['sha256'][:12]}) -> {run.base}")
    device = pick_device(settings.train.device)
    adapter: Path | None = None
    files = []
    for index in range(1 + settings.on_policy.rounds):
        data_file, folder = run.out / "data" / f"round_{index}.jsonl", run.out / f"adapter_round_{index}"
        files.append(data_file)
        if index < len(manifest["rounds"]) and (folder / "adapter_model.safetensors").is_file():
            log(f"round {index}: done before ({folder})")
            adapter = folder
            continue
        student = None if adapter is None else make_student(run, adapter, device, base_file, log)
        data = collect(settings, index, data_file, make_student=student, log=log)
        examples = read_examples(files)
        log(f"round {index}: training on {len(examples)} distinct examples ({device})")
        trained = train_round(settings.train, run.base, examples, folder, start_from=adapter, log=log,
                              budget_s=settings.train.later_budget_s if index else None)
        log(f"round {index}: {_trained(trained)}")
        manifest["rounds"] = manifest["rounds"][:index] + [{"data": data, "train": trained}]
        manifest.pop("final", None)  # trained on older rounds
        adapter = folder
        start = _export(run, adapter, index, start, log)
    budget = settings.train.final_budget_s
    if final and budget and adapter is not None and "final" not in manifest:
        examples = read_examples(files)
        log(f"final: training on all {len(examples)} distinct examples for up to {budget:g} s ({device})")
        folder = run.out / "adapter_final"
        trained = train_round(settings.train, run.base, examples, folder, start_from=adapter, log=log, budget_s=budget)
        log(f"final: {_trained(trained)}")
        manifest["final"] = {"train": trained}
        _export(run, folder, "final", start, log)


def _trained(trained: dict[str, Any]) -> str:
    return (f"{trained['steps']} steps, {trained['epochs']} epochs ({trained['stopped']}), "
            f"loss {trained['loss_first']} -> {trained['loss_last']}, {trained['tokens_per_s']} tokens/s")


def _export(run: Run, adapter: Path, stage: int | str, start: float, log: Callable[[str], None]) -> float:
    """The GGUF LoRA of ``adapter`` into the run folder, after every stage: a run cut short (a lent
    machine's time limit) still leaves the last finished stage's adapter, and the manifest says which."""
    from colony.planners.distill.export import export_gguf
    from colony.planners.distill.model import sha256

    partial = run.out / "exporting" / run.adapter_file.name  # moved into place whole
    partial.parent.mkdir(exist_ok=True)
    exported = export_gguf(adapter, run.base, partial)
    partial.replace(run.adapter_file)
    run.manifest["adapter"] = {**exported, "round": stage, "sha256": sha256(run.adapter_file)}
    run.manifest["train_seconds"] = round(time.perf_counter() - start, 1) + run.manifest.get("train_seconds", 0)
    run.save()
    name = stage if isinstance(stage, str) else f"round {stage}"
    log(f"adapter after {name}: {run.adapter_file} ({exported['bytes'] / 1e6:.1f} MB, rank {exported['rank']})")
    return time.perf_counter()


def evaluate_run(run: Run, *, log: Callable[[str], None] = print) -> None:
    """The llama.cpp half: closed-loop success of base and adapter beside the expert."""
    from colony.planners.distill.evaluate import evaluate, table

    if run.settings.eval is None:
        log("eval: not in these settings")
        return
    if not run.adapter_file.is_file():
        raise FileNotFoundError(f"{run.adapter_file}: train first (no adapter in {run.out})")
    models = {"base": {"spec": "local:base"}, "adapter": {"spec": "local", "adapter": str(run.adapter_file)}}
    rows = evaluate(run.settings.eval, models, run.out / "eval", log=log)
    run.manifest["eval"] = rows
    run.save()
    log(table(rows))


def ship(run: Run, *, log: Callable[[str], None] = print) -> Path:
    """Copy the adapter and its manifest into the package (``planners/adapters/``)."""
    from colony.planners.local_model import adapters_folder

    if "adapter" not in run.manifest:
        raise FileNotFoundError(f"{run.out}: no exported adapter to ship")
    folder = adapters_folder()
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.gguf"):
        old.unlink()
    shutil.copyfile(run.adapter_file, folder / run.adapter_file.name)
    (folder / MANIFEST).write_text(json.dumps(run.manifest, indent=2) + "\n")
    log(f"shipped {run.adapter_file.name} and its manifest to {folder}")
    return folder
