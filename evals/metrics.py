"""The metrics of ../shared/evals/FORMAT.md, for any set and results of that schema.

Before comparing, whitespace is stripped and text converted to simplified Chinese (OpenCC t2s).
"""

from __future__ import annotations

import re
from statistics import mean

from ingest.cleaning import to_simplified


def canon(text: str) -> str:
    return re.sub(r"\s+", "", to_simplified(text or ""))


def _hits(chunk_text: str, gold: dict) -> bool:
    return canon(gold["quote"]) in canon(chunk_text)


def recall_at(item: dict, result: dict, k: int) -> float:
    top = result["retrieved"][:k]
    return mean(1.0 if any(_hits(r["text"], g) for r in top) else 0.0 for g in item["gold"])


def reciprocal_rank(item: dict, result: dict, k: int = 10) -> float:
    for rank, retrieved in enumerate(result["retrieved"][:k], start=1):
        if any(_hits(retrieved["text"], g) for g in item["gold"]):
            return 1.0 / rank
    return 0.0


def key_fact_coverage(item: dict, result: dict) -> float:
    answer = canon(result.get("answer", ""))
    return mean(1.0 if canon(fact) in answer else 0.0 for fact in item["key_facts"])


def is_gold(item: dict, ref: dict) -> bool:
    """Whether a cited or retrieved reference ({doc, article}) is one of the item's gold provisions (or of a gold
    document named without an article)."""
    return any(g["doc"] == ref["doc"] and g["article"] in (None, ref.get("article")) for g in item["gold"])


def citation_precision(item: dict, result: dict) -> float:
    return mean(1.0 if is_gold(item, c) else 0.0 for c in result["citations"])


def _mean(values: list[float]) -> float | None:
    return round(mean(values), 4) if values else None


def compute(items: list[dict], results: dict[str, dict]) -> dict[str, float | None]:
    """All FORMAT.md metrics over a set; results are keyed by item id. Missing answers count as empty."""
    answerable = [i for i in items if i["type"] == "qa" and i["gold"]]
    unanswerable = [i for i in items if i["type"] == "unanswerable"]
    empty = {"retrieved": [], "answer": "", "abstained": False, "citations": []}

    def res(item: dict) -> dict:
        return results.get(item["id"], empty)

    return {
        "recall_at_5": _mean([recall_at(i, res(i), 5) for i in answerable]),
        "recall_at_10": _mean([recall_at(i, res(i), 10) for i in answerable]),
        "mrr_at_10": _mean([reciprocal_rank(i, res(i)) for i in answerable]),
        "key_fact_coverage": _mean([key_fact_coverage(i, res(i)) for i in answerable if i.get("key_facts")]),
        "citation_precision": _mean([citation_precision(i, res(i)) for i in items if res(i)["citations"]]),
        "abstain_on_unanswerable": _mean([1.0 if res(i)["abstained"] else 0.0 for i in unanswerable]),
        "false_abstain_on_answerable": _mean([1.0 if res(i)["abstained"] else 0.0 for i in answerable]),
    }
