"""The BM25 segmentation engine (rjieba) cuts as jieba itself does with the same dictionary and terms."""

from __future__ import annotations

from pathlib import Path

import jieba
import pytest
from conftest import CORPUS, FIXTURES, needs_corpus

from ingest.knowledge_base import KnowledgeBase, index_text
from ingest.loaders import load_file
from ingest.preparation import chunk_document
from ingest.settings import Settings
from ingest.tokenizer import _KEEP, _STOPWORDS, Tokenizer, quantity_tokens


@pytest.fixture(scope="module")
def engines():
    terms = KnowledgeBase(Settings()).terms
    ours = Tokenizer(terms)
    reference = jieba.Tokenizer()
    reference.initialize()
    for term in ours._terms:
        reference.add_word(term, freq=20000)

    def jieba_tokens(text: str) -> list[str]:
        words = [t for t in reference.cut_for_search(text, HMM=False) if _KEEP.search(t) and t not in _STOPWORDS]
        return words + quantity_tokens(text)  # the quantities are ours, not the segmenter's

    return ours, jieba_tokens


def _index_texts(paths: list[Path]) -> list[str]:
    texts = []
    for path in paths:
        _, chunks = chunk_document(load_file(path), 400)
        texts += [index_text(c.text, " / ".join(c.heading_path)) for c in chunks]
    return texts


def _compare(engines, texts: list[str]) -> list[int]:
    ours, jieba_tokens = engines
    return [n for n, text in enumerate(texts) if ours.tokens(text) != jieba_tokens(text)]


def test_tokens_equal_jiebas_on_the_fixtures(engines):
    texts = _index_texts(sorted(FIXTURES.iterdir())) + [
        "abc 123 hello世界 a.b-c 3.5% GB/T 33000-2016",
        "C++ & c# test_x",
        "",
        "  \n\t",
        "鿏鿿䶵",
    ]
    assert len(texts) > 30
    assert _compare(engines, texts) == []


@needs_corpus
def test_tokens_equal_jiebas_on_the_regulations(engines):
    texts = _index_texts(sorted((CORPUS / "regulations").iterdir()) + sorted((CORPUS / "plans").iterdir()))
    assert len(texts) > 1000
    # a tie between two equally likely cuts may be broken differently (one text in tens of thousands)
    assert len(_compare(engines, texts)) <= len(texts) // 1000


def test_safety_terms_stay_whole(engines):
    ours, _ = engines
    assert "有限空间作业" in ours.words("进入有限空间作业前应当先通风、再检测、后作业")
