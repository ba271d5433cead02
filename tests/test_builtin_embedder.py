"""The built-in embedder: its own n-gram counting gives the fitted vectorizer's weights, and the vectors
the ingest workers compute are the ones the writer's model gives."""

from __future__ import annotations

import numpy as np
from conftest import FIXTURES, REGULATION_NEW

from ingest import pipeline, preparation
from ingest.embedders import builtin
from ingest.embedders.builtin import LsaEmbeddings, _vectorizer, fit_vectorizer
from ingest.knowledge_base import KnowledgeBase, index_text
from ingest.settings import Settings

TEXTS = [
    "第二十四条 生产经营单位应当设置安全生产管理机构或者配备专职安全生产管理人员。",
    "生產經營單位的主要負責人對本單位的安全生產工作全面負責",  # traditional script
    "ＡＢＣ  公司\n\n第３条\t全角字母、数字和多个空白",  # width folding, runs of whitespace
    "有限空间作业 😀 先通风、再检测、后作业 𠀀",  # characters beyond the basic plane
    "",
    "条",
    "GB 30871-2022 危险化学品企业特殊作业安全规范",
]


def test_the_embedders_ngram_counting_gives_the_vectorizers_own_weights(tmp_path):
    model = LsaEmbeddings(tmp_path / "model", dim=64)
    corpus = (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8").split("\n")
    model.fit([line for line in corpus if line.strip()] + TEXTS)
    ours = model._weighted(TEXTS)
    theirs = model._tfidf.transform(TEXTS)
    assert ours.shape == theirs.shape and ours.nnz == theirs.nnz > 0
    assert abs(ours - theirs).max() < 1e-6
    assert np.allclose(model.embed_array(TEXTS), model.embed_array(list(reversed(TEXTS)))[::-1], atol=1e-6)


def test_the_embedders_own_fit_gives_the_vectorizers_vocabulary_idf_and_weights():
    lines = [
        line
        for path in sorted(FIXTURES.iterdir())
        if path.suffix == ".md"
        for line in path.read_text(encoding="utf-8").split("\n")
        if line.strip()
    ] + TEXTS
    for limit in (60000, 150):  # all n-grams; only the most frequent (ties at the cut broken alike)
        ours, weighted = fit_vectorizer(lines, limit)
        reference = _vectorizer()
        reference.max_features = limit
        expected = reference.fit_transform(lines)
        assert ours.vocabulary_ == reference.vocabulary_ and len(ours.vocabulary_) <= limit
        assert np.array_equal(ours.idf_, reference.idf_)
        assert abs(weighted - expected).max() < 1e-6


def test_vectors_made_in_the_ingest_workers_are_the_ones_the_model_gives(tmp_path, monkeypatch):
    # a small fit sample and few files ahead of the writer, so that the model is fitted early; the
    # workers embed the files handed to them after it, and those they prepared before it when the
    # writer hands them back
    monkeypatch.setattr(pipeline, "FIT_SAMPLE", 30)
    monkeypatch.setattr(builtin, "FIT_SAMPLE", 30)
    monkeypatch.setattr(preparation, "_IN_FLIGHT_PER_WORKER", 1)
    folder = tmp_path / "regulations"
    folder.mkdir()
    topics = [
        "动火作业",
        "受限空间",
        "高处作业",
        "临时用电",
        "吊装作业",
        "盲板抽堵",
        "断路作业",
        "动土作业",
        "危险化学品储存",
        "粉尘防爆",
        "液氨制冷",
        "涉爆粉尘",
        "金属冶炼",
        "油气储罐",
    ]
    for n, topic in enumerate(topics):
        articles = [
            f"第{number}条 {topic}前应当进行风险辨识，落实第{n}项安全措施，作业人员应当经培训合格（{number}）。"
            for number in "一二三四五六七八"
        ]
        (folder / f"{topic}安全管理规定.md").write_text(
            f"# {topic}安全管理规定\n\n" + "\n\n".join(articles), encoding="utf-8"
        )
    settings = Settings(data_dir=tmp_path / "data", embedder="builtin")
    kb = KnowledgeBase(settings)
    embedded_here: list[int] = []
    model = kb.embedder.embeddings
    original = model.embed_array
    monkeypatch.setattr(model, "embed_array", lambda texts: embedded_here.append(len(texts)) or original(texts))
    report = pipeline.ingest([folder], settings, kb=kb)
    assert report.count("added") == len(topics)
    chunks = list(kb.store.iter_chunks())
    assert embedded_here == []  # every vector was made in the workers
    stored = kb.store.chunks.get(ids=[c.id for c in chunks], include=["embeddings"])
    vectors = dict(zip(stored["ids"], stored["embeddings"], strict=True))
    expected = original([index_text(c.text, c.metadata.get("heading_path", "")) for c in chunks])
    assert np.allclose(np.array([vectors[c.id] for c in chunks]), expected, atol=1e-5)
