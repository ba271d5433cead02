"""Retrieval in named stages: candidates -> features -> fitted ranker -> copies set aside."""

from assistant.retrieval.retriever import HybridRetriever

__all__ = ["HybridRetriever"]
