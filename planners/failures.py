"""What went wrong with a backend call, in words a user can act on.

Every exception a chat model raises is classified into a :class:`Diagnosis`:

* ``transient`` - timeouts, refused connections, rate limits (408, 409, 429) and server
  errors (5xx): retried, honouring the server's ``Retry-After``;
* ``malformed`` - the server answered 200 but its reply cannot be a chat completion (no
  choices, no message, wrong types, a body that is not JSON): retried, then reported with
  what was wrong with the reply;
* ``fatal`` - the request itself is refused (400 request shape, 401/403 key, 404 model):
  retrying cannot help, so the run stops at once with the server's reason.

OpenAI-compatible servers get their replies checked before the client library parses
them (:func:`check_chat_reply`, an httpx response hook), so a malformed reply is named
precisely instead of surfacing as an ``IndexError`` deep inside a client library.
"""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass
from typing import Any

_TRANSIENT_NAMES = ("Timeout", "RateLimit", "Connection", "ServiceUnavailable", "InternalServer", "ReadError",
                    "RemoteProtocol", "Overloaded")
_PARSE_ERRORS = (IndexError, KeyError, TypeError, AttributeError, ValueError, StopIteration)
_STATUS_WORDS = {400: "the server refused the request's shape", 401: "the API key was refused",
                 403: "access was refused", 404: "the model or endpoint was not found", 422: "the request was refused"}


class MalformedReply(Exception):
    """A 200 reply that is not a chat completion; the message says what is wrong with it."""


class BackendFailure(RuntimeError):
    """The backend could not answer: after retries, or at once for a fatal error.

    ``fatal`` failures stop the whole run; ``call`` is the failed call, for the records."""

    def __init__(self, message: str, *, fatal: bool = False, call: Any = None) -> None:
        super().__init__(message)
        self.fatal = fatal
        self.call = call


@dataclass(frozen=True)
class Diagnosis:
    kind: str  # transient | malformed | fatal
    reason: str
    retry_after_s: float | None = None

    @property
    def retryable(self) -> bool:
        return self.kind != "fatal"


def _chain(error: BaseException) -> list[BaseException]:
    chain, seen = [], error
    while seen is not None and len(chain) < 8:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    return chain


def _status(item: BaseException) -> int | None:
    status = getattr(item, "status_code", None) or getattr(getattr(item, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def _server_message(item: BaseException) -> str:
    body = getattr(item, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        message = error.get("message") if isinstance(error, dict) else body.get("message")
        if message:
            return str(message)[:300]
    return str(item)[:300]


def retry_after(item: BaseException, now: float | None = None) -> float | None:
    """Seconds the server asked to wait (``Retry-After`` as seconds or an HTTP date), if it did."""
    headers = getattr(getattr(item, "response", None), "headers", None)
    value = headers.get("retry-after") if headers is not None else None
    if value is None:
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def diagnose(error: BaseException) -> Diagnosis:
    """Classify an exception raised by a chat model's ``invoke``."""
    chain = _chain(error)
    for item in chain:
        if isinstance(item, MalformedReply):
            return Diagnosis("malformed", f"malformed reply: {item}")
    for item in chain:
        status = _status(item)
        if status is not None:
            reason = f"HTTP {status}: {_server_message(item)}"
            if status in (408, 409, 429) or status >= 500:
                return Diagnosis("transient", reason, retry_after(item))
            return Diagnosis("fatal", f"{_STATUS_WORDS.get(status, 'the request was refused')} ({reason})")
        if isinstance(item, (TimeoutError, ConnectionError)) or any(n in type(item).__name__ for n in _TRANSIENT_NAMES):
            return Diagnosis("transient", f"{type(item).__name__}: {str(item)[:300]}")
    if isinstance(error, _PARSE_ERRORS) or type(error).__name__ == "ValidationError":
        return Diagnosis("malformed", f"malformed reply: the client could not read it ({type(error).__name__}: "
                                      f"{str(error)[:200]})")
    return Diagnosis("fatal", f"{type(error).__name__}: {str(error)[:300]}")


def check_chat_reply(response: Any) -> None:
    """An httpx response hook: a 200 reply to ``/chat/completions`` must be a chat completion."""
    if response.status_code != 200 or not str(response.request.url.path).endswith("/chat/completions"):
        return
    response.read()
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise MalformedReply(f"the body is not JSON: {response.content[:80]!r}") from None
    problem = chat_reply_problem(body)
    if problem:
        raise MalformedReply(problem)


def chat_reply_problem(body: Any) -> str | None:
    """What is wrong with a chat-completion body, or None."""
    if not isinstance(body, dict):
        return f"the body is a JSON {type(body).__name__}, not an object"
    choices = body.get("choices")
    if not isinstance(choices, list):
        return "it has no 'choices' list"
    if not choices:
        return "its 'choices' list is empty"
    first = choices[0]
    message = first.get("message") if isinstance(first, dict) else None
    if not isinstance(message, dict):
        return "its first choice has no 'message' object"
    if not isinstance(message.get("content"), (str, type(None))):
        return f"the message content is a {type(message.get('content')).__name__}, not text"
    usage = body.get("usage")
    if usage is not None and not (isinstance(usage, dict) and all(
            isinstance(usage.get(key, 0), int) for key in ("prompt_tokens", "completion_tokens"))):
        return "its 'usage' is not token counts"
    return None
