"""Backends by name, one factory per family: a setting names the backend, "auto" keeps today's default (a host, a
model or an endpoint that is set selects it), a name that needs a missing setting says so in Chinese, and an
embedder declares what it can do instead of being recognised by its class."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from assistant.llm import composer_backend, composer_label, llm_backend
from assistant.retrieval import reranker as reranker_module
from assistant.retrieval.reranker import reranker_backend, reranker_label, resolve_reranker
from ingest.embedders.base import ArrayEmbeddings, corpus_fitted
from ingest.embedders.builtin import LsaEmbeddings
from ingest.errors import UserFacingError
from ingest.settings import Settings
from ingest.store import store_backend


def test_the_store_is_chosen_by_name_and_auto_follows_the_host(tmp_path):
    assert store_backend(Settings(data_dir=tmp_path)) == "local"
    assert store_backend(Settings(data_dir=tmp_path, chroma_host="chroma.lan")) == "server"
    assert store_backend(Settings(data_dir=tmp_path, chroma_host="chroma.lan", store="local")) == "local"
    with pytest.raises(UserFacingError, match="ANQUAN_CHROMA_HOST"):
        store_backend(Settings(data_dir=tmp_path, store="server"))


def test_the_llm_and_the_composer_are_chosen_by_name(tmp_path):
    offline = Settings(data_dir=tmp_path)
    assert (llm_backend(offline), composer_backend(offline), composer_label(offline)) == ("none", "offline", "离线")
    endpoint = Settings(data_dir=tmp_path, llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    assert (llm_backend(endpoint), composer_backend(endpoint), composer_label(endpoint)) == (
        "openai",
        "llm",
        "大模型：m",
    )
    assert composer_backend(endpoint.model_copy(update={"composer": "offline"})) == "offline"
    with pytest.raises(UserFacingError, match="ANQUAN_LLM_BASE_URL"):
        composer_backend(Settings(data_dir=tmp_path, composer="llm"))
    with pytest.raises(UserFacingError, match="ANQUAN_LLM_BASE_URL"):
        llm_backend(Settings(data_dir=tmp_path, llm="openai"))


def test_the_reranker_is_chosen_by_name_and_loaded_once_per_process(tmp_path, monkeypatch):
    assert (
        reranker_backend(Settings(data_dir=tmp_path)) == "none" and reranker_label(Settings(data_dir=tmp_path)) == "无"
    )
    assert resolve_reranker(Settings(data_dir=tmp_path)) is None
    assert resolve_reranker(Settings(data_dir=tmp_path, reranker_model="x", reranker="none")) is None
    with pytest.raises(UserFacingError, match="ANQUAN_RERANKER_MODEL"):
        reranker_backend(Settings(data_dir=tmp_path, reranker="cross-encoder"))
    loads = []

    class FakeCrossEncoder:
        def __init__(self, name, device="cpu"):
            loads.append((name, device))

    monkeypatch.setitem(sys.modules, "sentence_transformers", types.SimpleNamespace(CrossEncoder=FakeCrossEncoder))
    monkeypatch.setattr(reranker_module, "_LOADED", {})
    settings = Settings(data_dir=tmp_path, reranker_model="some/cross-encoder")
    assert reranker_label(settings) == "CrossEncoder some/cross-encoder"
    first, second = resolve_reranker(settings), resolve_reranker(settings)
    assert first is second and loads == [("some/cross-encoder", "cpu")]


def test_an_embedder_declares_whether_it_is_fitted_on_the_corpus(tmp_path):
    class Neural(ArrayEmbeddings):
        def embed_array(self, texts):
            return np.zeros((len(texts), 2), dtype=np.float32)

        def embed_documents(self, texts):
            return self.embed_array(texts).tolist()

        def embed_query(self, text):
            return [0.0, 0.0]

    neural, builtin = Neural(), LsaEmbeddings(tmp_path / "model", dim=8)
    assert (neural.fitted_on_corpus, neural.vectors_later, corpus_fitted(neural)) == (False, True, False)
    assert not neural.reload_if_refitted()
    assert (builtin.fitted_on_corpus, builtin.vectors_later, corpus_fitted(builtin)) == (True, False, True)
