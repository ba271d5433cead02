"""How much of a question a passage holds: the question's content words weighted by rarity (IDF of the
lexical index), and the weighted share of them a passage contains. Used to rerank candidates and to
choose the clauses an answer quotes."""

from __future__ import annotations

import math

from ingest.cleaning import normalise_for_index
from ingest.tokenizer import QUANTITY_MARK, quantity_of, quantity_tokens

CONTRAST_FLOOR = 0.5  # a word held by every candidate keeps this share of its weight
# how people phrase a question, not what they ask about: rare in legal texts, so high IDF, but no evidence
_DISCOURSE = frozenset(
    "以后 之后 还要 还需要 需要 现在 已经 一下 怎么办 怎样 如何 的话 这样 那么 行不行 可不可以 "
    "算不算 是不是 有没有 请问 还能 能否 得不得".split()
)


def question_weights(tokens: list[str], idf: dict[str, float]) -> dict[str, float]:
    """Content words of a question weighted by rarity; single characters are mostly function words. A quantity's
    canonical token (#30日) is for the lexical search alone: no text writes it."""
    # in the question's order, not a set's: the sums over these weights must not change from process to process
    return {
        t: idf.get(t, 0.0)
        for t in dict.fromkeys(tokens)
        if len(t) >= 2 and idf.get(t, 0.0) > 0.5 and t not in _DISCOURSE and not t.startswith(QUANTITY_MARK)
    }


def whole_terms(weights: dict[str, float], compound_chars: int) -> dict[str, float]:
    """One thing named once: the terms that are no part of a longer compound term among them (人员密集场所, not
    also 人员, 密集 and 场所 beside it; the segmenter's search mode gives a compound and its parts)."""
    return {
        t: w
        for t, w in weights.items()
        if not any(len(whole) >= compound_chars and t != whole and t in whole for whole in weights)
    }


def coverage(passage: str, weights: dict[str, float]) -> float:
    return covered(normalise_for_index(passage), weights)


def held_terms(passage: str, weights: dict[str, float]) -> dict[str, float]:
    """The terms of weights a passage holds, with their weights."""
    holds = _holder(normalise_for_index(passage))
    return {t: w for t, w in weights.items() if holds(t)}


def covered(normalised: str, weights: dict[str, float]) -> float:
    """The weighted share of the terms an already normalised passage holds."""
    total = sum(weights.values())
    if not total:
        return 0.0
    holds = _holder(normalised)
    return sum(w for t, w in weights.items() if holds(t)) / total


# the mark between the items of a list: a compound term written out as a list of its parts (超层、越界开采 for
# 超层越界开采) is held
_LIST_MARK = "、"


def _holder(normalised: str):
    """Whether the passage holds a term: as written, or written out as a list of its parts (超层越界开采 in 不得超层、
    越界开采), or a quantity the term is in another script or unit word (the question's 一次 is the 1次 of
    每半年组织1次, its 两个月 the passage's 2个月)."""
    stated: set[str] | None = None
    listed: str | None = None  # the passage without its list marks, made the first time a term is not found as written

    def holds(term: str) -> bool:
        nonlocal stated, listed
        if term in normalised:
            return True
        if len(term) > 2 and _LIST_MARK in normalised:
            listed = normalised.replace(_LIST_MARK, "") if listed is None else listed
            if term in listed:
                return True
        if (quantity := quantity_of(term)) is None:
            return False
        if stated is None:
            stated = set(quantity_tokens(normalised))
        return quantity in stated

    return holds


def contrastive_weights(weights: dict[str, float], passages: list[str]) -> dict[str, float]:
    """Weights sharpened by how few of the candidate passages hold each word (an IDF within the
    candidates): the words every candidate shares name the topic, the rest tell them apart."""
    n = len(passages)
    if n < 2:
        return weights
    sharp = {}
    for term, weight in weights.items():
        held = sum(term in p for p in passages)
        sharp[term] = weight * (CONTRAST_FLOOR + math.log((n + 1) / (held + 1)))
    return sharp
