"""The chunk: the unit that is indexed, retrieved and cited, with the structure it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.tokens import fits, split_to_budget

_SENTENCE_END = re.compile(r"(?<=[。！？；;!?])")


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
    for unit in units:
        if not fits(unit, budget):
            if current:
                pieces.append(joiner.join(current))
                current = []
            sentences = split_sentences(unit)
            pieces.extend(pack(sentences, budget, joiner="") if len(sentences) > 1 else split_to_budget(unit, budget))
            continue
        candidate = joiner.join([*current, unit])
        if current and not fits(candidate, budget):
            pieces.append(joiner.join(current))
            current = [unit]
        else:
            current.append(unit)
    if current:
        pieces.append(joiner.join(current))
    return pieces
