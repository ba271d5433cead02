"""sentence-transformers models (any model name or local path), e.g. BAAI/bge-small-zh-v1.5."""

from __future__ import annotations

import hashlib
import re

import numpy as np
from langchain_core.embeddings import Embeddings


def load_sentence_transformer(name_or_path: str, device: str, local_only: bool):
    from sentence_transformers import SentenceTransformer  # heavy import, only when configured

    return SentenceTransformer(name_or_path, device=device, local_files_only=local_only)


class SentenceTransformerEmbeddings(Embeddings):
    def __init__(self, model, model_name: str, query_instruction: str = "", batch_size: int = 64):
        self.model = model
        self.query_instruction = query_instruction
        self.batch_size = batch_size
        slug = re.sub(r"[^a-zA-Z0-9]+", "-", model_name.split("/")[-1]).strip("-")[:40] or "model"
        digest = hashlib.sha1(f"{model_name}|{query_instruction}".encode()).hexdigest()[:8]
        self.name = f"st-{slug}-{digest}"

    def embed_array(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                            show_progress_bar=False), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([self.query_instruction + text])[0].tolist()
