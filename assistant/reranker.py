"""The optional reranker: a sentence-transformers CrossEncoder (any model name or local path), off
unless ANQUAN_RERANKER_MODEL is set. It reorders the fused candidates by (question, passage) relevance."""

from __future__ import annotations


def load_reranker(name_or_path: str, device: str = "cpu"):
    from sentence_transformers import CrossEncoder  # heavy import, only when configured

    return CrossEncoder(name_or_path, device=device)
