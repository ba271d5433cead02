"""Stage 3, fusion and rerank: a linear score over the named features (weights fitted, see config), then
copies set aside: a provision whose text another, better-ranked candidate already holds (a local regulation
repeating a national article word for word) is not a different answer, so it goes behind the others."""

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


def set_copies_aside(texts: list[str], threshold: float) -> list[int]:
    """An order of positions (the input is best first) in which a text that mostly repeats a better one
    (share of its character bigrams held by the better one ≥ threshold) comes after all the others."""
    kept: list[int] = []
    copies: list[int] = []
    grams: list[frozenset[str]] = []
    for position, text in enumerate(texts):
        mine = _bigrams(text)
        if mine and any(len(mine & other) / len(mine) >= threshold for other in grams):
            copies.append(position)
            continue
        kept.append(position)
        grams.append(mine)
    return kept + copies
