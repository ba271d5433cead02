"""How much of its wording one document shares with another, whatever their titles: a bottom-k MinHash sketch of
the text's character shingles (NFKC, simplified script, no spaces, punctuation or marks), kept on the document's
record, and from two sketches the estimated share of shingles the two texts have in common (Jaccard similarity).

A law is its text, not its title: a document that repeats most of a text in force under a title of its own
(中华人民共和囯安全生产法, a look-alike character; 安全生产法（现行）) would stand beside it as a second text in force.
ingest.authority holds such a document 待确认 like a newer version of that text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np

from ingest.cleaning import to_simplified

SHINGLE = 4  # characters per shingle: long enough that two unrelated laws share few beyond their boilerplate
SKETCH = 64  # the smallest shingle hashes kept per text: the estimate's standard error is at most 1/16 (0.0625)
# Two texts whose shingle sets overlap at least this much are one text in two copies. Measured on the shared corpus
# (the 27 regulations against each other and against the 3,500 scale documents): distinct texts reach 0.31
# (上海市消防条例 and 消防法; 特种设备安全监察条例 and 特种设备安全法 0.30), implementing rules that restate their
# law 0.3; the work-safety law with its title's 国 turned into 囯 and article 24 changed is 1.0 (the first is
# checked by tests/test_ninth_round_law.py on the corpus).
SAME_TEXT = 0.5
# One article in two versions of a text (renumbered, or amended in a few words): the share of its wording, without its
# number, the two have in common (difflib ratio). Two different articles of one law share up to 0.61 (安全生产法), 0.57
# (危险化学品安全管理条例) and 0.77 (消防法's penalty articles) on the corpus (tests/test_fortyfirst_round.py checks
# that none reaches it); below this, an article is taken to be gone from the newer version rather than to be another
# one (assistant.citations, a pack citation followed into an amended version).
SAME_ARTICLE = 0.8

# what is not wording: punctuation, spaces, marks and format characters (a zero-width space, a variation selector)
_NOT_WORDING = re.compile(r"[\W_]+")
_BASE = np.uint64(1_114_112)  # one more than the largest code point: a shingle's code points as one number
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: spreads the shingle numbers over 64 bits (Fibonacci hashing)


def sketch(texts: Iterable[str]) -> list[int]:
    """The sketch of a document's text (its chunks' texts, in order): the SKETCH smallest hashes of its distinct
    shingles, ascending; fewer for a short text, none for one with no shingle."""
    wording = _NOT_WORDING.sub("", "".join(texts))
    if not unicodedata.is_normalized("NFKC", wording):  # full-width letters, compatibility ideographs (cheap test)
        wording = _NOT_WORDING.sub("", unicodedata.normalize("NFKC", wording))
    wording = to_simplified(wording)
    points = np.frombuffer(wording.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(points) - SHINGLE + 1
    if count <= 0:
        return []
    shingles = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE):
        shingles = shingles * _BASE + points[offset : offset + count]  # wraps modulo 2^64
    return [int(h) for h in _smallest_distinct(shingles * _MIX, SKETCH)]


def _smallest_distinct(values: np.ndarray, k: int) -> np.ndarray:
    """np.unique(values)[:k] without sorting every value: the distinct values up to the n-th smallest (n = k, then
    twice as many while repeats leave fewer than k of them distinct) are the first distinct values."""
    n = k
    while n < len(values):
        smallest = np.unique(values[values <= np.partition(values, n - 1)[n - 1]])
        if len(smallest) >= k:
            return smallest[:k]
        n *= 2
    return np.unique(values)[:k]


def similarity(one: list[int] | None, other: list[int] | None) -> float:
    """The estimated share of shingles two texts have in common (0 when either has no sketch): of the SKETCH
    smallest hashes of both sketches together, the share found in both."""
    if not one or not other:
        return 0.0
    ours, theirs = set(one), set(other)
    smallest = sorted(ours | theirs)[: min(SKETCH, max(len(ours), len(theirs)))]
    return sum(1 for h in smallest if h in ours and h in theirs) / len(smallest)


__all__ = ["SAME_TEXT", "SHINGLE", "SKETCH", "similarity", "sketch"]
