"""A scripted chat model: canned replies from a list or a function.

For unit tests of planner logic and for dry runs only. It is a real LangChain chat
model, so planners drive it exactly like any backend, and every record names it
``scripted``. It never pretends to be a language model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field


@dataclass
class ScriptedRequest:
    """What the scripted model was asked: the messages as (role, text), call options, and the URLs of
    any image content blocks (a vision-language request), in message order."""

    messages: list[tuple[str, str]]
    options: dict[str, Any]
    images: list[str] = field(default_factory=list)

    @property
    def prompt(self) -> str:
        return self.messages[-1][1]


class ScriptedChatModel(BaseChatModel):
    replies: list[str] = Field(default_factory=list)
    respond: Callable[[ScriptedRequest], str | AIMessage] | None = None
    requests: list[ScriptedRequest] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        request = ScriptedRequest([(m.type, _text(m.content)) for m in messages], dict(kwargs),
                                  [url for m in messages for url in _image_urls(m.content)])
        self.requests.append(request)
        if self.respond is not None:
            text = self.respond(request)
        else:
            index = len(self.requests) - 1
            if not self.replies:
                raise RuntimeError("the scripted model has no replies; give replies=[...] or respond=function")
            text = self.replies[min(index, len(self.replies) - 1)]
        message = text if isinstance(text, AIMessage) else AIMessage(content=text)
        return ChatResult(generations=[ChatGeneration(message=message)])


def _text(content: Any) -> str:
    """A message's text: the string itself, or its text blocks joined (image blocks left out)."""
    if isinstance(content, str):
        return content
    return "\n".join(block.get("text", "") if isinstance(block, dict) else str(block) for block in content
                     if not isinstance(block, dict) or block.get("type") == "text")


def _image_urls(content: Any) -> list[str]:
    if isinstance(content, str):
        return []
    return [block["image_url"]["url"] for block in content
            if isinstance(block, dict) and block.get("type") == "image_url"]


def dry_run_reply(request: ScriptedRequest) -> str:
    """Replies for ``--llm scripted`` dry runs: agree, execute an empty plan, or plan nothing."""
    prompt = request.prompt
    if "respond 'I Agree'" in prompt or "Reply I Agree" in prompt:  # an HMAS-2 agent (paper, compact style)
        return "I Agree"
    if "[Action Output Instruction]" in prompt or "EXECUTE and on the next line" in prompt:  # a DMAS / HMAS-1 speaker
        return "EXECUTE\n{}"
    return "{}"
