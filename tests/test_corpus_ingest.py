"""The real corpus (../shared/corpus): every article is retrievable, scraped boilerplate is gone,
re-ingest is a no-op, a killed ingest recovers to the same index, and current law wins."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_paths, needs_corpus

from assistant.retrieval import HybridRetriever
from ingest.articles import parse_article
from ingest.knowledge_base import KnowledgeBase
from ingest.metadata import PLAN_KINDS
from ingest.pipeline import ingest
from ingest.settings import Settings

pytestmark = [needs_corpus, pytest.mark.corpus]

ARTICLE_LINE = re.compile(r"^(第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)[\s\u3000]")
CORPUS_PATHS = corpus_paths()  # the regulations, the plans and a superseded version of a law (when present)
DOCUMENTS = len(list((CORPUS / "regulations").glob("*.md"))) + 5 + len(CORPUS_PATHS[2:])


def snapshot(settings: Settings) -> dict:
    """What a user can observe of an index: documents, chunks, and what a few searches return."""
    kb = KnowledgeBase(settings)
    documents = {d: (r.hash, r.chunk_count, r.superseded) for d, r in kb.documents().items()}
    chunks = {c.id: c.text for c in kb.store.iter_chunks()}
    retriever = HybridRetriever(kb=kb, k=5)
    answers = {
        q: [d.id for d in retriever.invoke(q)]
        for q in ("从业人员超过一百人应当设置安全生产管理机构", "事故发生后多久要上报", "有限空间作业")
    }
    return {"documents": documents, "chunks": chunks, "answers": answers}


# corpus_index (conftest): CORPUS_PATHS ingested once for the session, read by other modules too


def test_ingest_of_regulations_and_plans_is_complete_and_fast(corpus_index):
    _, report, seconds = corpus_index
    assert report.count("failed") == 0, [(r.path.name, r.reason) for r in report.results if r.status == "failed"]
    assert report.count("added") == DOCUMENTS
    assert seconds < 60, f"fresh ingest took {seconds:.1f}s"


def test_every_article_of_every_regulation_is_retrievable_by_document_and_number(corpus_index):
    settings, _, _ = corpus_index
    kb = KnowledgeBase(settings)
    missing = []
    total = 0
    for path in sorted((CORPUS / "regulations").glob("*.md")):
        labels = [
            m.group(1)
            for line in path.read_text(encoding="utf-8").splitlines()
            if (m := ARTICLE_LINE.match(line.strip()))
        ]
        assert labels, path.name
        for label in labels:
            total += 1
            hit = kb.get_article(path.stem, parse_article(label))
            if hit is None or not hit.text.startswith(label):
                missing.append(f"{path.stem} {label}")
    assert total > 1500
    assert not missing, missing[:20]


def test_a_vector_search_restricted_to_a_few_documents_returns_their_nearest_chunks(corpus_index):
    settings, _, _ = corpus_index
    kb = KnowledgeBase(settings)
    plans = {doc_id for doc_id, record in kb.documents().items() if record.kind in PLAN_KINDS}
    vector = kb.embedder.embeddings.embed_query("生产经营单位的主要负责人对本单位安全生产工作负有哪些职责")
    nearest = kb.store.query(vector, 20)
    assert sum(chunk.metadata["doc_id"] in plans for chunk, _ in nearest) < 5  # the laws are nearer
    found = kb.store.query(vector, 5, plans)
    assert len(found) == 5 and all(chunk.metadata["doc_id"] in plans for chunk, _ in found)
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)


def test_show_prints_article_24_of_the_work_safety_law(corpus_index, monkeypatch):
    settings, _, _ = corpus_index
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(settings.data_dir))
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "show", "安全生产法", "24"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "《中华人民共和国安全生产法》第二十四条" in result.stdout
    assert "从业人员超过一百人" in result.stdout


def test_the_traditional_chinese_plan_is_found_by_a_simplified_query(corpus_index):
    settings, _, _ = corpus_index
    results = HybridRetriever(kb=KnowledgeBase(settings), k=5).invoke(
        "奥运期间商贸系统百日安全生产经营专项行动的工作重点"
    )
    assert "002_6c9856c74487290f" in [d.metadata["doc_id"] for d in results]


def test_download_site_boilerplate_is_in_no_chunk(corpus_index):
    settings, _, _ = corpus_index
    kb = KnowledgeBase(settings)
    for doc_id, markers in {
        "001_1a9589662c1eec8e": ["温馨提示", "汇文网", "网站客服", "下载前请仔细阅读"],
        "003_0f7f3f2a7ecb40fb": ["46.00 KB", "淘文库", "网站客服", "14页", "收益归属"],
        "002_6c9856c74487290f": ["範文齋", "位置:首頁", "小編收集整理"],
    }.items():
        text = "\n".join(c.text for c in kb.store.document_chunks(doc_id))
        assert text, doc_id
        for marker in markers:
            assert marker not in text, (doc_id, marker)


def test_plan_titles_come_from_the_text_not_from_boilerplate(corpus_index):
    settings, _, _ = corpus_index
    documents = KnowledgeBase(settings).documents()
    assert documents["001_1a9589662c1eec8e"].title == "区XX年平安生产工作方案"
    assert documents["003_0f7f3f2a7ecb40fb"].title == "2020年安全生产年终工作总结报告"
    assert documents["003_0f7f3f2a7ecb40fb"].kind == "工作总结"
    assert documents["安全生产法(2021-06-10)"].kind == "法律"
    assert documents["北京市安全生产条例(2022-05-25)"].region == "北京市"


def test_re_ingest_of_unchanged_corpus_is_a_fast_no_op(corpus_index):
    settings, _, _ = corpus_index
    before = snapshot(settings)
    started = time.perf_counter()
    report = ingest(CORPUS_PATHS, settings)
    assert time.perf_counter() - started < 5
    assert report.chunks_written == 0 and report.count("unchanged") == len(report.results)
    assert snapshot(settings) == before


def _run_ingest_cli(data_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "ANQUAN_DATA_DIR": str(data_dir), "ANQUAN_EMBEDDER": "builtin"}
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest", *map(str, CORPUS_PATHS)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_an_ingest_killed_mid_way_recovers_to_the_same_index_as_a_clean_run(corpus_index, tmp_path):
    clean_settings, _, _ = corpus_index
    data_dir = tmp_path / "killed"
    # first kill while files are still being read and chunked
    process = _run_ingest_cli(data_dir)
    time.sleep(2.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    # second kill while chunks are being written (the journal exists only then)
    process = _run_ingest_cli(data_dir)
    journal = data_dir / "ingest-journal.json"
    deadline = time.time() + 120
    while not journal.exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    # killed at once: on an idle machine a batch's chunks and records are written within 0.2 s of its journal
    killed_mid_write = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert killed_mid_write, "the ingest finished before it could be killed mid-write"
    partial = KnowledgeBase(Settings(data_dir=data_dir, embedder="builtin"))
    assert len(partial.documents()) < DOCUMENTS  # the kill really interrupted the writes
    finished = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", *map(str, CORPUS_PATHS)],
        env={**os.environ, "ANQUAN_DATA_DIR": str(data_dir), "ANQUAN_EMBEDDER": "builtin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert snapshot(Settings(data_dir=data_dir, embedder="builtin")) == snapshot(clean_settings)


def test_of_two_versions_of_a_law_the_2024_one_is_in_force(tmp_path):
    folder = CORPUS / "scale" / "行政法"
    versions = [folder / "突发事件应对法(2007-08-30).md", folder / "突发事件应对法(2024-06-28).md"]
    settings = Settings(data_dir=tmp_path / "versions", embedder="builtin")
    ingest(versions, settings)
    kb = KnowledgeBase(settings)
    documents = kb.documents()
    assert documents["突发事件应对法(2007-08-30)"].superseded
    assert documents["突发事件应对法(2007-08-30)"].superseded_by == "突发事件应对法(2024-06-28)"
    assert not documents["突发事件应对法(2024-06-28)"].superseded
    assert kb.find_documents("突发事件应对法")[0].doc_id == "突发事件应对法(2024-06-28)"
    results = HybridRetriever(kb=kb, k=10).invoke("突发事件应急预案")
    assert results and {d.metadata["doc_id"] for d in results} == {"突发事件应对法(2024-06-28)"}
    old = kb.find_documents("突发事件应对法", include_superseded=True)
    assert "突发事件应对法(2007-08-30)" in [r.doc_id for r in old]


def test_a_regulation_named_by_its_decree_number_or_short_name_is_searched_first(corpus_index):
    settings, _, _ = corpus_index
    from assistant.ask import Assistant

    assistant = Assistant(KnowledgeBase(settings))
    result = assistant.ask("493号令第十三条怎么规定的？")
    first = result.retrieved[0][0]
    assert (first.metadata["doc_id"], first.metadata["article"]) == (
        "生产安全事故报告和调查处理条例(2007-04-09)",
        "第十三条",
    )
    # an article asked for by number is quoted whole, every 款 of it
    assert "事故报告后出现新情况的，应当及时补报" in result.answer.text
    assert "自事故发生之日起30日内" in result.answer.text
    plan = assistant.retriever.plan("危化品条例对剧毒化学品的储存有什么规定？")
    assert plan.documents == ["危险化学品安全管理条例(2013-12-07)"]


def test_the_readme_question_is_answered_from_the_law_not_from_a_report(corpus_index):
    settings, _, _ = corpus_index
    from assistant.ask import Assistant

    answer = Assistant(KnowledgeBase(settings)).ask("我们厂120个人，必须要设安全管理机构吗？").answer
    assert answer.citations[0] == {"doc": "安全生产法(2021-06-10)", "article": "第二十四条"}
    assert "从业人员超过一百人的，应当设置安全生产管理机构" in answer.text


def test_a_customary_term_is_based_on_the_articles_the_pack_names_not_on_a_report_repeating_it(corpus_index):
    settings, _, _ = corpus_index
    from assistant.ask import Assistant

    answer = Assistant(KnowledgeBase(settings)).ask("四不放过是什么？").answer
    assert answer.text.startswith("四不放过：")
    assert {"doc": "安全生产法(2021-06-10)", "article": "第八十六条"} in answer.citations
    assert all(c["article"] for c in answer.citations)  # every basis is an article, no plan or report


def test_a_number_in_the_question_is_answered_by_the_range_that_holds_it(corpus_index):
    settings, _, _ = corpus_index
    from assistant.ask import Assistant

    assistant = Assistant(KnowledgeBase(settings))
    for question, level in (
        ("一次事故造成3人死亡，属于哪一级事故？", "较大事故"),
        ("直接经济损失2000万元的事故是哪一级事故？", "较大事故"),
        ("一次事故死了35个人算什么级别？", "特别重大事故"),
    ):
        answer = assistant.ask(question).answer
        lead = answer.text.splitlines()[0]
        assert lead.startswith(f"依据《生产安全事故报告和调查处理条例》第三条，{level}"), lead
        assert "本条第一款所称的“以上”包括本数，所称的“以下”不包括本数" in answer.text  # how the bounds count


def test_whether_a_regulation_is_still_in_force_is_answered_with_the_repealing_provision_and_its_date(corpus_index):
    settings, _, _ = corpus_index
    from assistant.ask import Assistant

    answer = Assistant(KnowledgeBase(settings)).ask("《国务院关于预防煤矿生产安全事故的特别规定》已经废止了吗？").answer
    assert {"doc": "煤矿安全生产条例(2024-01-24)", "article": "第七十六条"} in answer.citations
    # the sentence saying "同时废止" is quoted with the one that dates it
    assert (
        "本条例自2024年5月1日起施行。《煤矿安全监察条例》和《国务院关于预防煤矿生产安全事故的特别规定》同时废止"
        in answer.text
    )
    # 生产安全事故 inside the title is not a question about that term: no glossary definition as the lead
    assert answer.text.startswith("依据《煤矿安全生产条例》第七十六条")


def test_a_question_asking_for_a_period_is_declined_when_no_provision_about_it_states_one(corpus_index):
    settings, _, _ = corpus_index
    from assistant.answer import NO_BASIS
    from assistant.ask import Assistant

    # the corpus has no rule on re-examining operator certificates; provisions that mention the certificate
    # state no period, and a period stated elsewhere (立即报告, 有效期为3年 of another licence, 建设工程安全生产管理条例's
    # 停止执业3个月以上1年以下, a rule on a sector the question does not name) is no answer
    answer = Assistant(KnowledgeBase(settings)).ask("电工证多少年复审一次？").answer
    assert answer.abstained and answer.text.startswith(NO_BASIS)


def test_how_often_is_not_answered_by_a_deadline(corpus_index):
    settings, _, _ = corpus_index
    from assistant.ask import Assistant

    # the law says who organises 职业健康检查 and when (上岗前、在岗期间、离岗时), not how often: 立即 in a
    # neighbouring article is no frequency, so the question is declined with the article as related
    result = Assistant(KnowledgeBase(settings)).ask("用人单位要多久组织一次职业健康检查？")
    assert result.answer.abstained
    assert "《中华人民共和国职业病防治法》第三十五条" in result.answer.text


def test_the_figure_questions_of_the_calibration_ask_a_local_duty_with_its_region_named(corpus_index):
    """evals.calibrate asks each duty stating a figure for that figure; a local duty is asked as a user there would
    ask it (浙江的企业：…), as evals.fit_ranker asks the check questions: asked about no place, another region's rule
    rightly answers nothing, which would count as a decline of an answerable question."""
    from evals.calibrate import figure_questions

    settings, _, _ = corpus_index
    questions = figure_questions(KnowledgeBase(settings))
    assert questions and all("多少" in q and q.endswith("？") for q in questions)
    local = [q for q in questions if "的企业：" in q]
    assert local and any(q.startswith("浙江的企业：") for q in local), local
    assert len(local) < len(questions)  # the national duties are asked as they are
