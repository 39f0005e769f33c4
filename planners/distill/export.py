"""A PEFT LoRA (safetensors) to a llama.cpp GGUF LoRA, with the ``gguf`` package.

Names follow llama.cpp's map for the llama architecture (``blk.N.attn_q.weight.lora_a`` ...,
from ``gguf.get_tensor_name_map``); A and B keep PEFT's layout; the adapter's alpha goes in
``adapter.lora.alpha`` (llama.cpp scales by alpha / rank, as PEFT does). llama.cpp stores
the query and key projections with their rows permuted for its rotary embedding (as its
``convert_hf_to_gguf`` does for the base), so B's rows - the output rows of W = B A - are
permuted the same way; A is untouched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np


def rotary_permute(rows: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp's order of a projection's output rows: each head's two halves interleaved."""
    return rows.reshape(heads, 2, rows.shape[0] // heads // 2, *rows.shape[1:]).swapaxes(1, 2).reshape(rows.shape)


def export_gguf(adapter: Path, base: Path, out: Path) -> dict[str, Any]:
    import gguf
    from safetensors.numpy import load_file

    settings = json.loads((adapter / "adapter_config.json").read_text())
    config = json.loads((base / "config.json").read_text())
    heads, kv_heads = config["num_attention_heads"], config.get("num_key_value_heads") or config["num_attention_heads"]
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, config["num_hidden_layers"])
    pairs: dict[str, dict[str, np.ndarray]] = {}
    for key, value in load_file(str(adapter / "adapter_model.safetensors")).items():
        side = "a" if ".lora_A." in key else "b" if ".lora_B." in key else None
        if side is None:
            raise ValueError(f"{key}: not a LoRA A or B tensor (only linear-layer adapters convert)")
        weight = key.removeprefix("base_model.model.").replace(f".lora_{side.upper()}.weight", ".weight")
        pairs.setdefault(weight, {})[side] = value.astype(np.float32)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(out), gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.LLAMA])
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(settings["lora_alpha"]))
    for weight, pair in sorted(pairs.items()):
        name = names.get_name(weight, try_suffixes=(".weight",))
        if name is None or set(pair) != {"a", "b"}:
            raise ValueError(f"{weight}: no llama.cpp name, or not both of A and B")
        b = pair["b"]
        if weight.endswith("self_attn.q_proj.weight"):
            b = rotary_permute(b, heads)
        elif weight.endswith("self_attn.k_proj.weight"):
            b = rotary_permute(b, kv_heads)
        writer.add_tensor(f"{name}.lora_a", pair["a"].astype(np.float16))
        writer.add_tensor(f"{name}.lora_b", np.ascontiguousarray(b).astype(np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return {"file": out.name, "bytes": out.stat().st_size, "tensors": 2 * len(pairs),
            "rank": settings["r"], "alpha": settings["lora_alpha"]}
