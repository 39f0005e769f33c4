"""One chat call, accounted for: retries with backoff, tokens, latency, who asked.

Transient backend errors (timeouts, rate limits, refused connections, 5xx) and malformed
replies are retried with exponential backoff, or after the server's ``Retry-After``
(capped by ``max_wait_s``); when the retries are spent :class:`BackendFailure` ends the
episode with its reason. A fatal error (bad request, key, model) raises at once, marked
``fatal`` so that the run stops. Every call, failed or not, is kept in ``log`` for the
records. A reply cut at the length limit is returned as a truncated reply for the planner
to feed back, not raised.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from colony.planners.failures import BackendFailure, diagnose
from colony.planners.tokens import TokenCounter

SYSTEM_PROMPT = "You are a helpful assistant."
_MESSAGE_TYPES = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
__all__ = ["BackendFailure", "ChatClient", "LLMCall"]


@dataclass
class LLMCall:
    """One exchange with the model, as it goes into the run record."""

    role: str  # central | local | feedback | summarizer
    agent: str | None
    messages: list[tuple[str, str]]
    response: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    token_source: str = ""
    latency_s: float = 0.0
    retries: int = 0
    errors: list[str] = field(default_factory=list)
    constrained: bool = False  # decoded under a JSON schema
    truncated: bool = False  # cut at the length limit
    failed: bool = False  # no reply: the backend failed (see errors)
    images: int = 0  # images sent with the first user message (the record keeps their number, not their bytes)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["messages"] = [{"role": role, "content": text} for role, text in self.messages]
        return data


def _is_length_cut(error: BaseException) -> bool:
    return "LengthFinishReason" in type(error).__name__


def _read_cut_completion(call: LLMCall, completion: Any) -> bool:
    """Keep the text and the server's usage of a reply the client raised on for its length."""
    try:
        call.response = completion.choices[0].message.content or ""
        call.prompt_tokens = int(completion.usage.prompt_tokens)
        call.completion_tokens = int(completion.usage.completion_tokens)
    except (AttributeError, IndexError, TypeError, ValueError):
        return False
    call.token_source = "backend usage"
    return True


class ChatClient:
    """Wraps a LangChain chat model with the project's accounting and retry policy."""

    def __init__(self, model: Any, *, label: str, counter: TokenCounter, retries: int = 3, backoff_s: float = 1.0,
                 max_wait_s: float = 120.0, schema_binding: Any = None, sleep: Any = time.sleep) -> None:
        self.model = model
        self.label = label
        self.counter = counter
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_wait_s = max_wait_s  # the longest wait before a retry, whatever the server asks
        self.schema_binding = schema_binding  # schema -> bind kwargs, or None when unsupported
        self.sleep = sleep
        self.log: list[LLMCall] = []  # every call made, failed ones included
        self.context: Any = None  # the planning context of the step being planned (set by the planner)

    @property
    def supports_schema(self) -> bool:
        return self.schema_binding is not None

    def ask(self, messages: list[tuple[str, str]], *, role: str, agent: str | None = None,
            schema: dict | None = None, images: list[str] | None = None) -> LLMCall:
        """``images``: data URLs (``data:image/png;base64,...``) sent as image content blocks with the
        first user message, for vision-language models."""
        call = LLMCall(role=role, agent=agent, messages=[("system", SYSTEM_PROMPT), *messages], images=len(images or []))
        self.log.append(call)
        return self._ask(call, schema, images or [])

    def _ask(self, call: LLMCall, schema: dict | None, images: list[str] | None = None) -> LLMCall:
        runnable = self.model
        if schema is not None and self.schema_binding is not None:
            runnable = self.model.bind(**self.schema_binding(schema))
            call.constrained = True
        payload = [_MESSAGE_TYPES[kind](content=text) for kind, text in call.messages]
        if images:
            first = next(i for i, (kind, _) in enumerate(call.messages) if kind == "user")
            payload[first] = HumanMessage(content=[{"type": "text", "text": call.messages[first][1]},
                                                   *({"type": "image_url", "image_url": {"url": url}} for url in images)])
        # Scripted models that answer from the state (the oracle) are told the step, the role and the agent.
        extra = {"planning_context": self.context, "role": call.role, "agent": call.agent} \
            if getattr(self.model, "wants_planning_context", False) else {}
        for attempt in range(self.retries + 1):
            start = time.perf_counter()
            try:
                reply = runnable.invoke(payload, **extra)
            except Exception as error:  # classified below; nothing escapes unclassified
                call.latency_s += time.perf_counter() - start
                call.errors.append(f"{type(error).__name__}: {str(error)[:300]}")
                if _is_length_cut(error):
                    call.truncated = True
                    if _read_cut_completion(call, getattr(error, "completion", None)):
                        return call
                    break
                diagnosis = diagnose(error)
                if not diagnosis.retryable or attempt == self.retries:
                    call.failed = True
                    tries = "" if not diagnosis.retryable else f" (after {attempt + 1} attempts)"
                    raise BackendFailure(f"{self.label}: {diagnosis.reason}{tries}", fatal=not diagnosis.retryable,
                                         call=call) from error
                call.retries += 1
                wait = diagnosis.retry_after_s if diagnosis.retry_after_s is not None else self.backoff_s * 2**attempt
                self.sleep(min(wait, self.max_wait_s))
                continue
            call.latency_s += time.perf_counter() - start
            call.response = reply.content if isinstance(reply.content, str) else str(reply.content)
            usage = getattr(reply, "usage_metadata", None) or {}
            metadata = getattr(reply, "response_metadata", None) or {}
            call.truncated = metadata.get("finish_reason") == "length" or metadata.get("done_reason") == "length"
            if usage.get("input_tokens") is not None and usage.get("output_tokens") is not None:
                call.prompt_tokens, call.completion_tokens = int(usage["input_tokens"]), int(usage["output_tokens"])
                call.token_source = "backend usage"
                return call
            break
        call.prompt_tokens = sum(self.counter.count(text) for _, text in call.messages)
        call.completion_tokens = self.counter.count(call.response)
        call.token_source = self.counter.name
        return call


def at_least_one_entry(schema: dict) -> dict:
    """The plan schema, but naming at least one key: under a grammar a small model otherwise
    settles for ``{}``, a step in which nothing happens."""
    properties = schema.get("properties") or {}
    if not properties:
        return schema
    return {"anyOf": [{**schema, "required": [key]} for key in properties]}


def schema_binding_for(provider: str, style: str = "auto", base_url: str | None = None) -> Any:
    """How a provider takes a JSON schema for constrained decoding (None: parse and validate only).

    ``style``: ``json_schema`` (OpenAI structured outputs, vLLM, Ollama's /v1), ``json_object``
    (``{"type": "json_object", "schema": ...}``: llama.cpp servers), ``off``, or ``auto``
    (json_schema for OpenAI itself, json_object for any other ``base_url``).
    """
    if style == "off":
        return None
    if provider == "openai":
        if style == "auto":
            style = "json_object" if base_url else "json_schema"
        if style == "json_object":
            return lambda schema: {"response_format": {"type": "json_object", "schema": at_least_one_entry(schema)}}
        return lambda schema: {"response_format": {"type": "json_schema",
                                                   "json_schema": {"name": "plan", "schema": schema}}}
    if provider == "ollama":
        return lambda schema: {"format": schema}
    if provider == "local":
        return lambda schema: {"json_schema": at_least_one_entry(schema)}
    if provider == "scripted":
        return lambda schema: {"json_schema": schema}
    return None
