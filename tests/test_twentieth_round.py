"""Round 20 (issue 15): a quantity is the same whichever script or unit word writes it.

Laws write 三十日, 十万元, 两次 or 30日, 10万元, 2次, depending on when they were drafted; users write either, and 30天
or 120个人 besides. The lexical index gives each quantity a text states one canonical token (#30日, #100000元, #2次,
#120人), so a question finds a provision writing the same quantity the other way. Those tokens are for the search
alone: the weights read against a passage's text (coverage, the clause an answer quotes) leave them out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_fifteenth_round import _article
from test_llm_hostile import LAW

from assistant.answer.compose import OfflineComposer
from assistant.pack import KnowledgePack
from assistant.retrieval.coverage import question_weights
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.query import QueryPlan
from ingest.bm25_index import Bm25Index
from ingest.cleaning import normalise_for_index
from ingest.numerals import value_of
from ingest.settings import Settings
from ingest.tokenizer import QUANTITY_MARK, Tokenizer, quantity_tokens


@pytest.mark.parametrize(
    "one, other",
    [
        ("三十日内", "30天内"),
        ("3个月内两次", "三个月内2次"),
        ("一百二十人", "120个人"),
        ("一百二十名从业人员", "120人"),
        ("处十万元以上的罚款", "罚10万元"),
        ("一小时内", "1个小时内"),
        ("年满十八周岁", "18岁"),
        ("上一年年收入百分之四十", "收入的40%"),
        ("1.5万元", "一万五千元"),
    ],
)
def test_a_quantity_written_either_way_gives_the_same_token(one, other):
    assert set(quantity_tokens(normalise_for_index(one))) & set(quantity_tokens(normalise_for_index(other)))


@pytest.mark.parametrize("text", ["第一次会议", "第三十日", "安全生产许可证", "每月组织检查", "几次", "1.25倍"])
def test_an_ordinal_or_a_text_without_a_quantity_gives_none(text):
    assert quantity_tokens(normalise_for_index(text)) == []


def test_a_number_before_a_unit_is_read_in_both_scripts_and_ten_thousands():
    assert [value_of(t) for t in ("30", "三十", "两", "10万", "1.5万", "十万", "二〇二一")] == [
        30,
        30,
        2,
        100_000,
        15_000,
        100_000,
        2021,
    ]
    assert value_of("1.25").denominator != 1  # no whole number: no count


def _index(tmp_path: Path, texts: dict[str, str]) -> tuple[Bm25Index, Tokenizer]:
    tokenizer = Tokenizer([])
    index = Bm25Index(tmp_path, tokenizer, [])
    normalised = {i: normalise_for_index(t) for i, t in texts.items()}
    index.build([(i, f"doc-{i}") for i in sorted(texts)], "f", lambda want: {i: normalised[i] for i in want})
    index.load()
    return index, tokenizer


# the same duty with different quantities: the longer provision states the quantity asked, so words alone (and
# BM25's preference for the shorter text) would put the other first
PROVISIONS = {
    "one_hour": "事故发生后，单位负责人接到报告后，应当于一小时内向县级以上人民政府报告。",
    "a_day": "事故发生后，单位负责人应当于二十四小时内报告。",
    "closure": "煤矿企业3个月内2次或者2次以上发现有重大事故隐患仍然进行生产的，应当提请县级以上地方人民政府予以关闭。",
    "once": "煤矿企业1个月内1次发现有重大事故隐患仍然进行生产的，应当停产整顿。",
}
QUESTIONS = {
    "事故发生后单位负责人要在1小时内报告吗": "one_hour",
    "煤矿三个月内两次发现重大事故隐患还生产怎么办": "closure",
}


def test_a_question_finds_the_provision_writing_its_quantity_the_other_way(tmp_path):
    index, tokenizer = _index(tmp_path, PROVISIONS)
    for question, answer in QUESTIONS.items():
        assert index.search(tokenizer.query_tokens(question), 1)[0][0] == answer, question


def test_without_the_quantity_tokens_the_words_alone_pick_the_other_provision(tmp_path, monkeypatch):
    """The case above turns on the quantities: cut into words alone, 1小时 is no 一小时, 两次 no 2次."""
    monkeypatch.setattr("ingest.tokenizer.quantity_tokens", lambda normalised: [])
    index, tokenizer = _index(tmp_path, PROVISIONS)
    for question, answer in QUESTIONS.items():
        assert index.search(tokenizer.query_tokens(question), 1)[0][0] != answer, question


def test_the_quantity_tokens_weigh_nothing_against_a_passage():
    tokens = Tokenizer([]).query_tokens("投入使用后30天内办理使用登记")
    assert f"{QUANTITY_MARK}30日" in tokens  # searched
    weights = question_weights(tokens, {t: 5.0 for t in tokens})
    assert weights and not any(t.startswith(QUANTITY_MARK) for t in weights)  # no passage writes it: never "held"


def test_a_law_stating_a_period_for_another_step_does_not_overrule_the_rule_answering():
    """上位法 holds on the same matter: a law that shares the question's compound term (事故调查报告) but states
    the period of another step (一年内 after the report is approved) does not overrule the regulation stating the
    period asked (60日内 to submit it). The compound counts once, not again in its parts (调查报告, 报告)."""
    regulation = _article(
        "事故条例", "行政法规", 29,
        "第二十九条 事故调查组应当自事故发生之日起60日内提交事故调查报告；特殊情况下，经批准，可以适当延长。",
    )  # fmt: skip
    law = _article(
        LAW, "法律", 86,
        "第八十六条 负责事故调查处理的国务院有关部门和地方人民政府应当在批复事故调查报告后一年内，"
        "组织有关部门对事故整改和防范措施落实情况进行评估。",
        "中华人民共和国安全生产法",
    )  # fmt: skip
    question = "发生较大事故，事故调查组应当在多少日内提交调查报告？"
    tokenizer = Tokenizer([])
    common = {"发生": 2.0, "事故": 1.2, "应当": 0.7}  # words most provisions hold weigh little, as in the corpus
    idf = {t: common.get(t, 4.0) for t in tokenizer.query_tokens(question)}
    composer = OfflineComposer(tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities))
    answer = composer.compose(question, QueryPlan(question, question), [regulation, law])
    assert answer.citations[0] == {"doc": "事故条例", "article": "第二十九条"}, answer.text
    assert "60日内" in answer.text
