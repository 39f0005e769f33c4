"""One training round: a LoRA on every linear layer of the base, the loss on the reply only.

Examples longer than ``max_length`` are left out (counted, never cut: the deployed model sees
whole prompts). Batches hold examples of similar length; the learning rate warms up over 3%
of the planned steps and decays on a cosine to a tenth. Training stops after ``epochs`` or at
the wall-clock budget, whichever comes first, and says which; the decay follows the steps or
the clock, whichever is further along, so a round cut by its budget ends at the low rate too.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from colony.planners.distill.model import chat_ids, load_model, pick_device
from colony.planners.distill.settings import TrainSettings

IGNORE = -100


def tokenize(tokenizer: Any, examples: list[dict[str, Any]], max_length: int) -> tuple[list[tuple[list[int], int]], int]:
    """(ids, reply start) per example that fits; and how many did not."""
    out, too_long = [], 0
    for example in examples:
        prompt = chat_ids(tokenizer, example["messages"])
        ids = chat_ids(tokenizer, example["messages"], example["reply"])
        if ids[:len(prompt)] != prompt:
            raise ValueError("the chat template tokenizes the prompt differently inside the whole conversation")
        if len(ids) > max_length:
            too_long += 1
            continue
        out.append((ids, len(prompt)))
    return out, too_long


def batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """One epoch of batches: shuffled, then sorted by length within windows of 50 batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    out = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lengths.__getitem__)
        out += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(out)
    return out


def use_bf16(precision: str, device: str) -> bool:
    import torch

    if precision != "auto":
        return precision == "bf16"
    return device == "cuda" or bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def micro_batches(batch: list[tuple[list[int], int]], max_tokens: int) -> list[list[tuple[list[int], int]]]:
    """``batch`` (sorted by length) in parts whose padded size stays within ``max_tokens``: the memory a
    step needs is bounded by the tokens in flight, not by the batch's longest example times its size."""
    parts: list[list[tuple[list[int], int]]] = [[]]
    for example in batch:
        if parts[-1] and len(example[0]) * (len(parts[-1]) + 1) > max_tokens:
            parts.append([])
        parts[-1].append(example)
    return parts


def tensors(part: list[tuple[list[int], int]], pad: int) -> tuple[Any, Any, Any]:
    """Right-padded input ids, labels (the reply only) and attention mask."""
    import torch

    width = max(len(ids) for ids, _ in part)
    input_ids = torch.full((len(part), width), pad, dtype=torch.long)
    labels = torch.full((len(part), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(part), width), dtype=torch.long)
    for row, (ids, reply_start) in enumerate(part):
        input_ids[row, :len(ids)] = torch.tensor(ids)
        labels[row, reply_start:len(ids)] = torch.tensor(ids[reply_start:])
        mask[row, :len(ids)] = 1
    return input_ids, labels, mask


def train_round(settings: TrainSettings, base: Path, examples: list[dict[str, Any]], out: Path, *,
                start_from: Path | None = None, budget_s: float | None = None,
                log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train (a new adapter, or continue ``start_from``) on ``examples`` for at most ``budget_s``
    (default: the settings' budget); save it in ``out``."""
    import torch
    from peft import LoraConfig, get_peft_model

    rng = random.Random(settings.seed)
    torch.manual_seed(settings.seed)
    device = pick_device(settings.device)
    model, tokenizer = load_model(base, start_from, device, trainable=True)
    if start_from is None:
        model = get_peft_model(model, LoraConfig(r=settings.rank, lora_alpha=settings.alpha, lora_dropout=settings.dropout,
                                                 target_modules=list(settings.target_modules), task_type="CAUSAL_LM"))
    if settings.max_examples is not None:
        examples = rng.sample(examples, min(settings.max_examples, len(examples)))
    data, too_long = tokenize(tokenizer, examples, settings.max_length)
    if not data:
        raise ValueError(f"no example fits train.max_length={settings.max_length} ({too_long} longer)")
    lengths = [len(ids) for ids, _ in data]
    per_epoch = math.ceil(len(data) / settings.batch_size)
    planned = max(1, math.ceil(settings.epochs * per_epoch))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=settings.learning_rate, weight_decay=0.0)
    warmup = max(1, planned // 33)

    def rate(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        # as far along as the steps or the clock say, whichever is further: a round cut by its budget decays too
        progress = min(1.0, max((step - warmup) / max(1, planned - warmup), (time.perf_counter() - start) / budget))
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    pad = tokenizer.convert_tokens_to_ids("<|im_end|>")
    bf16 = use_bf16(settings.precision, device)
    autocast = torch.autocast(device, dtype=torch.bfloat16, enabled=bf16)
    budget = budget_s or settings.budget_s
    model.train()
    start, step, tokens, losses, stopped = time.perf_counter(), 0, 0, [], "epochs done"
    schedule: list[list[int]] = []
    while step < planned:
        if not schedule:
            schedule = batches(lengths, settings.batch_size, rng)
        if time.perf_counter() - start > budget:
            stopped = "budget"
            break
        batch = sorted((data[i] for i in schedule.pop()), key=lambda example: len(example[0]))
        replies = sum(len(ids) - start_of_reply for ids, start_of_reply in batch)  # tokens the loss covers
        total = 0.0
        for part in micro_batches(batch, settings.max_batch_tokens):
            input_ids, labels, mask = tensors(part, pad)
            with autocast:
                logits = model(input_ids=input_ids.to(device), attention_mask=mask.to(device)).logits
            # summed over this part's reply tokens, divided by the whole batch's: the mean of the batch
            part_loss = torch.nn.functional.cross_entropy(logits[:, :-1].flatten(0, 1).float(),
                                                          labels[:, 1:].flatten().to(device), ignore_index=IGNORE,
                                                          reduction="sum") / replies
            part_loss.backward()
            total += float(part_loss.detach())
            tokens += int(mask.sum())
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(total)
        step += 1
        if step == 1 or step % max(1, planned // 10) == 0 or step == planned:
            log(f"  step {step}/{planned}  loss {sum(losses[-20:]) / len(losses[-20:]):.4f}  "
                f"{tokens / (time.perf_counter() - start):,.0f} tokens/s")
    seconds = time.perf_counter() - start
    model.save_pretrained(out)
    tail = losses[-max(1, len(losses) // 10):]
    return {"examples": len(data), "too_long": too_long, "steps": step, "planned_steps": planned,
            "epochs": round(step / per_epoch, 3), "stopped": stopped, "tokens": tokens, "seconds": round(seconds, 1),
            "tokens_per_s": round(tokens / seconds), "loss_first": round(losses[0], 4),
            "loss_last": round(sum(tail) / len(tail), 4), "device": device, "bf16": bf16,
            "trainable_parameters": sum(p.numel() for p in trainable)}
