"""The optional CrossEncoder reranker, with a tiny random-weight model built here and loaded by path:
when configured, the candidates come back in the order the cross-encoder scores them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, REGULATION_NEW

from assistant.ask import Assistant
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings


@pytest.fixture(scope="module")
def cross_encoder_dir(tmp_path_factory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

        torch.manual_seed(7)
        text = (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8") + "有限空间作业应当坚持什么顺序？"
        vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted({c for c in text if not c.isspace()})]
        folder = tmp_path_factory.mktemp("tiny-cross-encoder")
        (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
        BertTokenizer(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
        config = BertConfig(
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=37,
            vocab_size=len(vocab),
            max_position_embeddings=512,
            num_labels=1,
        )
        BertForSequenceClassification(config).save_pretrained(folder)
    return folder


def test_a_configured_cross_encoder_orders_the_candidates(tmp_path, cross_encoder_dir, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / f"{REGULATION_NEW}.md").write_text(
        (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    ingest([folder], Settings())
    monkeypatch.setenv("ANQUAN_RERANKER_MODEL", str(cross_encoder_dir))
    assistant = Assistant(KnowledgeBase(Settings()))
    assert assistant.retriever.reranker is not None
    question = "有限空间作业应当坚持什么顺序？"
    retrieved = assistant.ask(question).retrieved
    head = [chunk for chunk, _ in retrieved]
    scores = assistant.retriever.reranker.predict([(question, c.text) for c in head])
    assert [s for _, s in retrieved] == sorted([s for _, s in retrieved], reverse=True)
    assert [round(float(s), 5) for s in scores] == [round(s, 5) for _, s in retrieved]
