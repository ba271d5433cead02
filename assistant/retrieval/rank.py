"""Stage 3, fusion and rerank: a linear score over the named features (weights fitted, see config), then
copies set aside: a provision whose text another, better-ranked candidate already holds (a local regulation
repeating a national article word for word) is not a different answer, so it goes behind the others; and so do
the local texts of regions not asked about beyond the first few (their parallel versions of one rule)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from assistant.retrieval.config import RankingConfig
from assistant.retrieval.features import FEATURES
from ingest.cleaning import normalise_for_index


def linear_scores(rows: np.ndarray, config: RankingConfig) -> np.ndarray:
    weights = np.array([config.weights.get(name, 0.0) for name in FEATURES], dtype=np.float32)
    return rows @ weights + config.bias


@lru_cache(maxsize=4096)
def _bigrams(text: str) -> frozenset[str]:
    norm = normalise_for_index(text)
    return frozenset(norm[i : i + 2] for i in range(len(norm) - 1))


def set_copies_aside(texts: list[str], threshold: float, authority: list[int] | None = None) -> list[int]:
    """An order of positions (the input is best first) in which a text that mostly repeats another (share of its
    character bigrams held by the other ≥ threshold) comes after all the others: when the other is better ranked
    and of no lower authority, or of higher authority wherever it is ranked (上位法: 特种设备安全监察条例第三十四条
    is held by 特种设备安全法第四十三条, which answers, in its place).  ``authority``: a number per text, higher for
    a higher rank in the hierarchy (all equal when not given)."""
    rank = authority or [0] * len(texts)
    grams = [_bigrams(text) for text in texts]

    sizes = [len(g) for g in grams]

    def held(copy: int, by: int) -> bool:
        # no intersection is needed where the other has too few bigrams to hold the share
        need = threshold * sizes[copy]
        return sizes[copy] > 0 and sizes[by] >= need and len(grams[copy] & grams[by]) >= need

    kept: list[int] = []
    copies: list[int] = []
    for position in range(len(texts)):
        if position in kept:  # a higher text already put where a copy of it was
            continue
        if any(rank[other] >= rank[position] and held(position, other) for other in kept):
            copies.append(position)
            continue
        higher = [other for other in range(len(texts)) if rank[other] > rank[position] and held(position, other)]
        if higher:
            copies.append(position)
            # the higher text answers in its place (煤矿安全生产条例第十八条's list of duties is that of
            # 安全生产法第二十一条): a copy set aside must not take the text it copies down with it
            first = higher[0]
            if first > position and first not in copies:
                kept.append(first)
        else:
            kept.append(position)
    return kept + copies


def other_regions_capped(regions: list[str | None], cap: int) -> list[int]:
    """An order of positions (the input is best first) in which the texts of regions the question does not ask
    about (``regions``: the region of such a text, None for any other) from beyond the first ``cap`` such regions
    come after all the others, in their order: asked about nowhere in particular, a dozen cities' versions of one
    rule are one answer, and the national rule or the plan they crowd out is another. A library with one region's
    rules (the asker's own city, not named in the question) keeps them all."""
    kept: list[int] = []
    later: list[int] = []
    first: list[str] = []
    for position, region in enumerate(regions):
        if region is not None and region not in first and len(first) < cap:
            first.append(region)
        (later if region is not None and region not in first else kept).append(position)
    return kept + later
