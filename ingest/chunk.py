"""The chunk: the unit that is indexed, retrieved and cited, with the structure it came from; and how many chunks
one file may make (chunk_limit), checked by the chunkers while they go."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from ingest.tokens import count_tokens, split_to_budget

_SENTENCE_END = re.compile(r"(?<=[。！？；;!?])")
_BOUND_MARGIN = 8  # tokens: a piece near the budget is counted whole (joining may tokenize a little longer)
_MOST_CHUNKS: ContextVar[int | None] = ContextVar("most_chunks", default=None)


class TooManyChunks(Exception):
    """The document being chunked would make more chunks (or has more articles) than one file may
    (Settings.max_file_chunks): 2.6 million one-line articles took 2 GB before a single one was stored."""

    def __init__(self, most: int, articles: bool = False):
        self.most = most
        what = "条文" if articles else "切块（条文或段落）"
        self.reason = (
            f"文件中的{what}超过 {most:,} 个，远多于任何一部法规，不是正常的文档，已拒绝导入，其他文件照常导入；"
            "如确为正常文件，请拆分成多个文件后再导入，或调大 ANQUAN_MAX_FILE_CHUNKS"
        )
        super().__init__(self.reason)


@contextmanager
def chunk_limit(most: int) -> Iterator[None]:
    """While the block runs, a document may make at most `most` chunks: the chunkers raise TooManyChunks past it."""
    token = _MOST_CHUNKS.set(most)
    try:
        yield
    finally:
        _MOST_CHUNKS.reset(token)


def most_chunks() -> int | None:
    """The current chunk_limit (None: no limit)."""
    return _MOST_CHUNKS.get()


def check_chunk_count(count: int) -> None:
    """Raise TooManyChunks when count (the chunks made so far) is over the current chunk_limit."""
    most = _MOST_CHUNKS.get()
    if most is not None and count > most:
        raise TooManyChunks(most)


@dataclass
class Chunk:
    text: str  # cleaned original-script text, shown and quoted
    unit: str  # "preamble" | "article" | "section"
    heading_path: list[str] = field(default_factory=list)
    article: str = ""  # the label as written, e.g. 第一百三十四条之一
    article_num: int = 0
    article_sub: int = 0
    part: int = 1
    parts: int = 1
    locations: list[str] = field(default_factory=list)  # every heading path holding this exact passage


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s]


def pack(units: list[str], budget: int, joiner: str = "\n") -> list[str]:
    """Greedily pack whole units (paragraphs, items, sentences) into pieces within the budget.

    A unit that alone exceeds the budget is split at sentence ends; a single sentence that alone exceeds
    it (a line with no sentence end at all, e.g. a 5 MB one) is cut at clause marks or token boundaries,
    so that no piece is over the budget.
    """
    pieces: list[str] = []
    current: list[str] = []
    # at least the tokens of joiner.join(current): exact when last counted, plus what was added since. A unit is
    # added on this bound and the piece counted again only when the bound passes the budget; counting the whole
    # piece for every unit was quadratic (200,000 one-character lines took minutes).
    used = 0
    joiner_tokens = count_tokens(joiner) if joiner else 0
    for unit in units:
        # counted once: within the budget exactly when fits(unit, budget) (a text has no more tokens than bytes)
        cost = count_tokens(unit)
        if cost > budget:
            if current:
                pieces.append(joiner.join(current))
                current, used = [], 0
            sentences = split_sentences(unit)
            pieces.extend(pack(sentences, budget, joiner="") if len(sentences) > 1 else split_to_budget(unit, budget))
            continue
        bound = used + cost + (joiner_tokens if current else 0)
        if current and bound > budget - _BOUND_MARGIN:
            bound = count_tokens(joiner.join([*current, unit]))
            if bound > budget:
                pieces.append(joiner.join(current))
                current, bound = [], cost
        current.append(unit)
        used = bound
    if current:
        pieces.append(joiner.join(current))
    return pieces
