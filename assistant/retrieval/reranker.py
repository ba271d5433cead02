"""The reranker, chosen by name (setting reranker): "none", or "cross-encoder", a sentence-transformers CrossEncoder
(any model name or local path, ANQUAN_RERANKER_MODEL); "auto": the CrossEncoder when a model is set. It reorders the
fused candidates by (question, passage) relevance. Each model is loaded once per process."""

from __future__ import annotations

import threading
from typing import Any

from ingest.errors import UserFacingError
from ingest.settings import Settings

_LOADED: dict[tuple[str, str], Any] = {}  # (model name or path, device) -> its CrossEncoder
_LOADING = threading.Lock()


def reranker_backend(settings: Settings) -> str:
    """ "cross-encoder" or "none", as configured (auto: cross-encoder when reranker_model is set)."""
    if settings.reranker == "cross-encoder" and not settings.reranker_model:
        raise UserFacingError(
            "ANQUAN_RERANKER=cross-encoder 需要同时设置 ANQUAN_RERANKER_MODEL（模型名称或本地路径）。"
        )
    if settings.reranker == "auto":
        return "cross-encoder" if settings.reranker_model else "none"
    return settings.reranker


def reranker_label(settings: Settings) -> str:
    """How the CLI and the UI name the reranker: CrossEncoder model, or 无."""
    return f"CrossEncoder {settings.reranker_model}" if reranker_backend(settings) == "cross-encoder" else "无"


def load_reranker(name_or_path: str, device: str = "cpu"):
    """The CrossEncoder of this model on this device, loaded at its first use in the process and shared after."""
    with _LOADING:
        key = (name_or_path, device)
        if key not in _LOADED:
            from sentence_transformers import CrossEncoder  # heavy import, only when configured

            _LOADED[key] = CrossEncoder(name_or_path, device=device)
        return _LOADED[key]


def resolve_reranker(settings: Settings):
    """The configured reranker (this process's instance of its model), or None."""
    if reranker_backend(settings) == "none" or not settings.reranker_model:
        return None
    return load_reranker(settings.reranker_model, settings.st_device)
