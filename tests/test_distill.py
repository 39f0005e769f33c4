"""The distillation pipeline: teacher labels, data, the reply-only loss, the GGUF LoRA that llama.cpp
reads as torch does, the local backend's adapters, and every stage end to end in the tiny setting.

The tiny adapter plans nothing; these tests assert the pipeline, never the adapter's success.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from colony.planners.config import ConfigError
from colony.planners.distill.data import Job, collect, jobs, play, read_examples
from colony.planners.distill.settings import TRAIN_SEED_BASE, load_settings
from colony.planners.distill.teacher import AGREE
from colony.planners.scripted import ScriptedChatModel

torch = pytest.importorskip("torch")
pytest.importorskip("peft")
llama_cpp = pytest.importorskip("llama_cpp")


def test_packaged_settings_load_and_a_bad_one_is_named(tmp_path):
    full = load_settings("full")
    assert set(full.data.tasks) == {"boxnet1", "boxnet2", "boxlift", "warehouse"}
    assert all(len(sizes) == 2 for sizes in full.data.tasks.values()) and full.on_policy.rounds >= 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndata: {tasks: {boxnet9: ['2x2']}, schemes: [cmas], episodes: 1}\non_policy: {episodes: 1}\n")
    with pytest.raises(ConfigError, match="data.tasks: .*unknown task 'boxnet9'; allowed: boxnet1, boxnet2"):
        load_settings(bad)
    bad.write_text("name: x\ndata: {tasks: {boxnet1: ['2x2']}, schemes: [cmas], episodes: 1, seed: 1000}\n"
                   "on_policy: {episodes: 1}\n")
    with pytest.raises(ConfigError, match="data.seed"):
        load_settings(bad)
    with pytest.raises(ConfigError, match="not a YAML file nor a packaged name .*full.*tiny"):
        load_settings("huge")


def test_data_seeds_are_fixed_and_never_the_benchmark_ones():
    from colony.envs.registry import task_spec

    settings = load_settings("full")
    first, again, later = jobs(settings, 0), jobs(settings, 0), jobs(settings, 1)
    assert first == again and len({job.seed for job in first + later}) == len(first) + len(later)
    benchmark = {seed for task in settings.data.tasks for size in task_spec(task).paper_sizes()
                 for seed in task_spec(task).benchmark_seeds(size) or []}
    assert min(job.seed for job in first) >= TRAIN_SEED_BASE and not benchmark & {job.seed for job in first + later}


def test_expert_driven_data_labels_every_role_with_the_experts_plan():
    from colony.envs.registry import parallel_env

    for scheme, roles in {"cmas": {"central"}, "hmas2": {"central", "feedback"}, "dmas": {"local"},
                          "hmas1": {"central", "local"}}.items():
        examples, episode = play(Job("boxnet1", "2x2", scheme, TRAIN_SEED_BASE, None))
        assert episode["outcome"] == "success" and {e["role"] for e in examples} == roles
        assert all(e["messages"][0]["role"] == "system" and e["messages"][-1]["role"] == "user" for e in examples)
        assert all(e["reply"] == AGREE for e in examples if e["role"] == "feedback")  # the expert's own plan
        assert all(e["reply"].startswith("EXECUTE\n") for e in examples if e["role"] == "local")
    # the labels of a CMAS episode are the plans the expert played, step by step
    env = parallel_env("boxnet1", size="2x2")
    env.reset(seed=TRAIN_SEED_BASE)
    examples, _ = play(Job("boxnet1", "2x2", "cmas", TRAIN_SEED_BASE, None))
    for example in examples:
        assert not env.apply(json.loads(example["reply"])).refused
    assert env.status.value == "success"


def test_on_policy_data_labels_the_states_a_student_reaches_and_objects_to_its_plans():
    student_plan = '{"Agent[0.5, 0.5]": "move(box_blue, square[0.5, 1.5])"}'  # legal on this instance, not the expert's
    student = ScriptedChatModel(respond=lambda request: "No." if "Reply I Agree" in request.prompt else student_plan)
    examples, episode = play(Job("boxnet1", "2x2", "hmas2", TRAIN_SEED_BASE, 1), student)
    assert episode["steps"] == 1 and all(e["source"] == "on_policy" for e in examples)
    feedback = [e for e in examples if e["role"] == "feedback"]
    assert feedback and all(e["reply"].startswith("I object: Agent[0.5, 0.5] should do ") for e in feedback)
    # the re-plan after the objections is a conversation: the student's plan, the objection, the expert's plan
    replan = [e for e in examples if e["role"] == "central" and len(e["messages"]) > 2]
    assert replan and replan[0]["messages"][2] == {"role": "assistant", "content": student_plan}
    assert "Objections:" in replan[0]["messages"][3]["content"] and replan[0]["reply"] != student_plan


def test_collected_rounds_are_written_and_read_back_once_each(tmp_path):
    settings = load_settings("tiny")
    figures = collect(settings, 0, tmp_path / "round_0.jsonl", log=lambda _: None)
    lines = (tmp_path / "round_0.jsonl").read_text().splitlines()
    assert figures["episodes"] == 2 and sum(figures["examples"].values()) == len(lines) > 0
    assert len(read_examples([tmp_path / "round_0.jsonl"] * 2)) == len({line for line in lines})


def test_an_on_policy_round_stops_at_its_budget_and_counts_what_it_dropped(tmp_path):
    settings = load_settings("tiny")
    short = settings.model_copy(update={"on_policy": settings.on_policy.model_copy(update={"budget_s": 1e-6,
                                                                                            "episodes": 2})})
    figures = collect(short, 1, tmp_path / "round_1.jsonl", log=lambda _: None)
    assert figures["episodes"] == 0 and figures["dropped"] == 4 and (tmp_path / "round_1.jsonl").read_text() == ""
    # the budget is the on-policy rounds' alone: round 0 (the expert's) always plays every episode
    assert collect(short, 0, tmp_path / "round_0.jsonl", log=lambda _: None)["dropped"] == 0


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from colony.planners.distill.model import prepare_base
    from colony.planners.local_model import embedded_model_path

    folder = tmp_path_factory.mktemp("base")
    prepare_base(embedded_model_path(), folder)
    return folder


def test_the_loss_covers_the_reply_and_its_end_of_turn_only(base):
    from colony.planners.distill.model import load_model
    from colony.planners.distill.train import tokenize

    _, tokenizer = load_model(base, None, "cpu")
    example = {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Plan."}],
               "reply": '{"Agent[0.5, 0.5]": "move(box_red, target_red)"}'}
    [(ids, start)], too_long = tokenize(tokenizer, [example], 512)
    assert too_long == 0 and tokenizer.decode(ids[start:]) == example["reply"] + "<|im_end|>"
    assert tokenizer.decode(ids[:start]).endswith("<|im_start|>assistant\n")
    assert tokenize(tokenizer, [example], 10) == ([], 1)  # too long: left out and counted, never cut


def test_the_prompt_torch_trains_on_is_the_prompt_llama_cpp_is_given(base):
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    from colony.planners.distill.model import chat_ids, load_model
    from colony.planners.local_model import embedded_model_path

    _, tokenizer = load_model(base, None, "cpu")
    messages = [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "Now:\nx"}]
    llama = llama_cpp.Llama(model_path=str(embedded_model_path()), vocab_only=True, verbose=False)
    prompt = Jinja2ChatFormatter(template=llama.metadata["tokenizer.chat_template"], eos_token="<|im_end|>",
                                 bos_token="<|im_start|>")(messages=messages).prompt
    assert llama.tokenize(prompt.encode(), add_bos=False, special=True) == chat_ids(tokenizer, messages)


def test_the_gguf_lora_changes_llama_cpp_as_the_adapter_changes_torch(base, tmp_path):
    """A random (large) adapter: llama.cpp with the converted file gives torch's logits with the adapter,
    not the base's; a wrong row order of the rotary projections (tried while writing it) fails this."""
    from peft import LoraConfig, get_peft_model

    from colony.planners.distill.export import export_gguf
    from colony.planners.distill.model import chat_ids, load_model
    from colony.planners.local_model import embedded_model_path

    model, tokenizer = load_model(base, None, "cpu")
    torch.manual_seed(0)
    model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj", "o_proj",
                                                                                "gate_proj", "up_proj", "down_proj"]))
    for name, parameter in model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(parameter, std=0.3)
    model.save_pretrained(tmp_path / "adapter")
    exported = export_gguf(tmp_path / "adapter", base, tmp_path / "adapter.gguf")
    assert exported["tensors"] == 2 * 7 * 30 and exported["rank"] == 4
    ids = chat_ids(tokenizer, [{"role": "user", "content": "Move box_red to square[0.5, 1.5]."}])
    with torch.no_grad():
        adapted = model(input_ids=torch.tensor([ids])).logits[0, -1].numpy()
        with model.disable_adapter():
            plain = model(input_ids=torch.tensor([ids])).logits[0, -1].numpy()

    def llama_logits(lora):
        llama = llama_cpp.Llama(model_path=str(embedded_model_path()), lora_path=lora, n_ctx=256, logits_all=True,
                                verbose=False)
        llama.eval(ids)
        return np.array(llama.scores[len(ids) - 1])

    correlation = lambda a, b: float(np.corrcoef(a, b)[0, 1])  # noqa: E731
    assert correlation(adapted, plain) < 0.9  # the adapter matters
    assert correlation(llama_logits(None), plain) > 0.99
    assert correlation(llama_logits(str(tmp_path / "adapter.gguf")), adapted) > 0.99


def test_every_stage_end_to_end_in_the_tiny_setting_and_the_local_backend_loads_the_result(base, tmp_path, monkeypatch):
    from colony.planners.distill import pipeline
    from colony.planners import local_model
    from colony.planners.config import LLMConfig
    from colony.planners.local_model import make_local_chat_model

    settings = load_settings("tiny")
    run = pipeline.Run(settings, tmp_path / "run", "tiny")
    run.base.symlink_to(base)  # dequantized once for the module (the stage sees its checksum and skips)
    lines = []
    pipeline.train_and_export(run, final=False, log=lines.append)  # the rounds; the final stage in a later call
    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["adapter"]["round"] == 1
    pipeline.train_and_export(pipeline.Run(settings, tmp_path / "run", "tiny"), log=lines.append)
    assert sum("done before" in line for line in lines) == 2 and sum(line.startswith("final:") for line in lines) == 2
    run = pipeline.Run(settings, tmp_path / "run", "tiny")
    pipeline.evaluate_run(run, log=lines.append)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert [r["round"] for r in (x["data"] for x in manifest["rounds"])] == [0, 1]
    assert manifest["rounds"][1]["data"]["seeds"][0] > manifest["rounds"][0]["data"]["seeds"][1]
    assert all(x["train"]["steps"] == 2 and x["train"]["loss_last"] > 0 for x in manifest["rounds"])
    assert manifest["base"]["gguf"] == "SmolLM2-135M-Instruct.Q4_1.gguf" and len(manifest["base"]["sha256"]) == 64
    assert manifest["adapter"]["file"] == "tiny-lora.gguf" and manifest["adapter"]["bytes"] < 20e6
    assert manifest["final"]["train"]["steps"] == 2 and manifest["adapter"]["round"] == "final"
    assert manifest["reproduce"].startswith("colony distill --settings tiny") and manifest["commit"]
    assert {(r["scheme"], r["model"]) for r in manifest["eval"]} == {("expert", "expert"), ("cmas", "base"),
                                                                     ("cmas", "adapter")}
    assert all(r["episodes"] == 1 for r in manifest["eval"])
    # the student of an on-policy round acts through torch (on a GPU) or llama.cpp (on a CPU)
    from colony.planners.distill.model import TransformersChatModel
    from colony.planners.local_model import LocalChatModel, embedded_model_path

    for kind, expected in (("torch", TransformersChatModel), ("llama_cpp", LocalChatModel)):
        run.settings = settings.model_copy(update={"on_policy": settings.on_policy.model_copy(update={"student": kind})})
        student = pipeline.make_student(run, tmp_path / "run" / "adapter_round_0", "cpu", embedded_model_path(),
                                        lines.append)()
        examples, episode = play(Job("boxnet1", "2x2", "cmas", TRAIN_SEED_BASE, 1, 0), student)
        assert isinstance(student, expected) and episode["examples"] == len(examples) == 1
    run.settings = settings
    # done stages are not done again
    lines.clear()
    pipeline.train_and_export(pipeline.Run(settings, tmp_path / "run", "tiny"), log=lines.append)
    assert sum("done before" in line for line in lines) == 2
    assert not any(line.startswith("final") for line in lines)
    with pytest.raises(ValueError, match="other settings"):
        pipeline.Run(load_settings("full"), tmp_path / "run", "full")
    # shipped: `local` loads base + adapter and names both; `local:base` the plain model
    monkeypatch.setattr(local_model, "adapters_folder", lambda: tmp_path / "package")
    assert local_model.shipped_adapter() is None
    assert make_local_chat_model(LLMConfig(), None).lora_path is None
    pipeline.ship(run, log=lines.append)
    shipped = make_local_chat_model(LLMConfig(), None)
    assert shipped.model_name == "SmolLM2-135M-Instruct.Q4_1.gguf + tiny-lora.gguf"
    assert make_local_chat_model(LLMConfig(spec="local:base"), "base").lora_path is None
    assert json.loads((tmp_path / "package" / "manifest.json").read_text())["adapter"]["sha256"] == \
        manifest["adapter"]["sha256"]
    with pytest.raises(FileNotFoundError, match="llm.adapter: no file"):
        make_local_chat_model(LLMConfig(adapter=str(tmp_path / "missing.gguf")), None)


def test_a_run_through_the_local_backend_names_the_adapter_in_its_records(tmp_path):
    from planner_helpers import scenario
    from colony.planners.run import run_scenario

    config = scenario("boxnet1", tmp_path, **{"planner.scheme": "cmas", "llm.spec": "local:base", "step_limit": 1,
                                              "llm.max_tokens": 8, "planner.max_replans": 0})
    folder, summary = run_scenario(config)
    assert summary["backend"] == "local:base (SmolLM2-135M-Instruct.Q4_1.gguf)"
    step = json.loads((folder / "steps.jsonl").read_text().splitlines()[0])
    assert step["planner"] == "cmas via local:base (SmolLM2-135M-Instruct.Q4_1.gguf)"
