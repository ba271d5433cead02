"""Retrieval in named stages: HybridRetriever (retriever) runs candidates -> features -> fitted ranker (rank, weights
in config and ranker-*.json) -> copies set aside -> the optional CrossEncoder (reranker). Around it: what a question
names and asks (query, figures, provisions, coverage) and the search question of a follow-up (followup)."""

from assistant.retrieval.retriever import HybridRetriever

__all__ = ["HybridRetriever"]
