"""sentence-transformers models (any model name or local path), e.g. BAAI/bge-small-zh-v1.5."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from pathlib import Path

import numpy as np

from ingest.embedders.base import ArrayEmbeddings


def why_not_local(name_or_path: str) -> str | None:
    """None when the model can load without the network; otherwise the reason, in Chinese.

    Checked before importing torch, so falling back to the built-in embedder stays fast.
    """
    if importlib.util.find_spec("sentence_transformers") is None:
        return "未安装 sentence-transformers（pip install torch==2.13.0 && pip install -e '.[st]'）"
    if Path(name_or_path).expanduser().exists():
        return None
    missing = f"本地没有模型 {name_or_path} 的缓存（联网时可下载，或设 ANQUAN_ST_MODEL 为本地模型目录）"
    # the model's folder in the hub cache, as try_to_load_from_cache looks for it first: when there is none, the
    # answer is known without importing huggingface_hub's download code (a tenth of a second at every start)
    from huggingface_hub import constants

    folder = constants.REPO_ID_SEPARATOR.join(["models", *name_or_path.split("/")])
    if not os.path.isdir(os.path.join(constants.HF_HUB_CACHE, folder)):
        return missing
    from huggingface_hub import try_to_load_from_cache

    if isinstance(try_to_load_from_cache(name_or_path, "config.json"), str):
        return None
    return missing


# seconds to wait for the model hub to answer before a download is tried
HUB_PROBE_TIMEOUT = 5.0


def hub_unreachable(timeout: float = HUB_PROBE_TIMEOUT) -> str | None:
    """Why the model hub (huggingface_hub's endpoint, HF_ENDPOINT) cannot be reached, in Chinese, or None when it
    answers: without a network a download retried for more than a minute, printing English on every retry."""
    import urllib.error
    import urllib.request

    from huggingface_hub import constants

    try:
        urllib.request.urlopen(urllib.request.Request(constants.ENDPOINT, method="HEAD"), timeout=timeout).close()
    except urllib.error.HTTPError:
        return None  # it answered
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"连不上模型下载站点 {constants.ENDPOINT}（{type(reason).__name__}）"
    return None


def load_sentence_transformer(name_or_path: str, device: str, local_only: bool):
    from sentence_transformers import SentenceTransformer  # heavy import, only when configured

    return SentenceTransformer(name_or_path, device=device, local_files_only=local_only)


class SentenceTransformerEmbeddings(ArrayEmbeddings):
    def __init__(self, model, model_name: str, query_instruction: str = "", batch_size: int = 64):
        self.model = model
        self.query_instruction = query_instruction
        self.batch_size = batch_size
        slug = re.sub(r"[^a-zA-Z0-9]+", "-", model_name.split("/")[-1]).strip("-")[:40] or "model"
        digest = hashlib.sha1(f"{model_name}|{query_instruction}".encode()).hexdigest()[:8]
        self.name = f"st-{slug}-{digest}"

    def embed_array(self, texts: list[str]) -> np.ndarray:
        return np.asarray(
            self.model.encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
            ),
            dtype=np.float32,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([self.query_instruction + text])[0].tolist()
