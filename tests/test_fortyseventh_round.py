"""Round 47 (issue 15): what picks the decisive provision.

- A word the segmenter cuts across a question word (多长时间: 长时间, of 多长 and 时间) is no word of the question: a
  clause holding it in other words (可以适当延长时间) answers nothing more for it.
- Asked about a place, the rule of that place answering the question leads, before the national provision; when it
  states the same figures (the same fines for the same offence), the national one is not cited beside it as if it were
  another answer.
- A place named before the words of a sentence going on (浙江一家店, 我在宁波开饭店, 杭州有个饭馆) is where the question
  asks about, not part of a shop's name (浙江大华的供应商, 北京现代4S店 still are).
- 安全生产责任险, the everyday name, stands for the law's 安全生产责任保险.
- A penalty for a breach once it has caused an accident (…职责，导致发生生产安全事故的) does not answer a question telling
  of no accident: the penalty for the breach itself does.
- A legal text of two articles numbered as its own (第一条, 第二条: a short decision) is read by its articles and cited
  by them; two other article lines (a plan quoting 第二十一条, 第二十二条) leave a plan read by its headings.
- Whether something is a crime, or its criminal liability (追刑责, 会构成犯罪吗), is answered by the criminal law (its
  judicial interpretations), not by an administrative penalty."""

from __future__ import annotations

import pytest
from conftest import isolated_settings
from test_thirtyninth_round import _provision
from test_twelfth_round_injection import _compose

from assistant.answer import OfflineComposer
from assistant.ask import Assistant
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import for_accident
from assistant.retrieval.query import QueryPlan
from ingest.knowledge_base import KnowledgeBase
from ingest.legal_forms import default_forms
from ingest.pipeline import ingest
from ingest.preparation import chunk_document
from ingest.settings import Settings
from ingest.store import StoredChunk
from ingest.tokenizer import Tokenizer

# --- the words asking for a figure -------------------------------------------------------------------------------

REPORTING = _provision(
    "第九条 事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内向事故发生地"
    "县级以上人民政府安全生产监督管理部门报告。",
    "生产安全事故报告和调查处理条例",
    "行政法规",
    "第九条",
    9,
)
INVESTIGATING = _provision(
    "第十九条 事故调查工作应当自事故发生之日起60日内完成；遇有特殊情况的，经批准可以适当延长时间，但延长的时间最长不"
    "超过60日。",
    "国务院关于特大安全事故行政责任追究的规定",
    "行政法规",
    "第十九条",
    19,
)


# each word weighed as the index of the regulations weighs it: 时间 is common, 长时间 rare (延长时间)
WEIGHTS = {
    "事故": 1.2,
    "生产安全事故": 2.4,
    "生产": 0.5,
    "安全": 0.5,
    "企业": 1.8,
    "时间": 3.7,
    "长时间": 6.3,
    "报告": 2.0,
}


@pytest.mark.parametrize("question", ["事故发生后多长时间内要报告？", "企业出了生产安全事故，多长时间内要报告？"])
def test_a_word_cut_across_the_asking_words_does_not_pick_a_clause_holding_it_in_other_words(question):
    tokenizer = Tokenizer([])
    idf = {t: WEIGHTS.get(t, 2.0) for t in tokenizer.query_tokens(question)}
    composer = OfflineComposer(tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities))
    answer = composer.compose(question, QueryPlan(question, question), [REPORTING, INVESTIGATING])
    assert answer.citations[:1] == [{"doc": "生产安全事故报告和调查处理条例", "article": "第九条"}], answer.text
    assert "1小时内" in answer.text.splitlines()[0]


@pytest.mark.parametrize(
    ("part", "word", "across"),
    [
        ("事故发生后多长时间内要报告？", "长时间", True),  # 多长 and 时间
        ("事故发生后多长时间内要报告？", "时间", False),  # a word of the question
        ("每一级上报的时间最多多长时间？", "时间", False),
        ("安全生产许可证的有效期是多长时间？", "有效期", False),
        ("延长时间最多多少天？", "长时间", False),  # also written outside the question word (延长时间)
    ],
)
def test_only_a_word_cut_across_a_question_word_is_none_of_the_question(figures, part, word, across):
    assert figures.across_asking(part, word) is across


# --- the rule of the place asked about ---------------------------------------------------------------------------

LAW = "中华人民共和国安全生产法"
NATIONAL_INSURANCE = _provision(
    "第一百零九条 高危行业、领域的生产经营单位未按照国家规定投保安全生产责任保险的，责令限期改正，处五万元以上十万元"
    "以下的罚款；逾期未改正的，处十万元以上二十万元以下的罚款。",
    LAW,
    "法律",
    "第一百零九条",
    109,
)


def _local_penalty(fines: str) -> StoredChunk:
    return StoredChunk(
        f"qingshan-59-{abs(hash(fines)) % 10**6}",
        f"第五十九条 生产经营单位违反本条例第三十六条第二款规定，未投保安全生产责任保险的，责令限期改正，{fines}",
        {
            "doc_id": "青山市安全生产条例",
            "title": "青山市安全生产条例",
            "unit": "article",
            "kind": "地方性法规",
            "region": "青山市",
            "article": "第五十九条",
            "article_num": 59,
        },
    )


SAME_FINES = "处五万元以上十万元以下的罚款；逾期未改正的，处十万元以上二十万元以下的罚款。"
QUESTION = "青山市的高危行业企业没投保安全生产责任保险，会被罚多少？"
LOCAL = {"doc": "青山市安全生产条例", "article": "第五十九条"}
NATIONAL = {"doc": LAW, "article": "第一百零九条"}


def test_the_place_asked_about_has_its_rule_lead_and_a_copy_of_the_law_is_not_cited_twice():
    # the national provision ranked first: the place's rule, stating the same fines, is the answer there
    answer = _compose(QUESTION, [NATIONAL_INSURANCE, _local_penalty(SAME_FINES)], regions=("青山市",))
    assert answer.citations == [LOCAL], answer.text
    assert answer.text.startswith("依据《青山市安全生产条例》第五十九条")


def test_a_place_whose_rule_sets_further_figures_is_answered_by_it_with_the_law_beside_it():
    stricter = f"{SAME_FINES.removesuffix('。')}；情节严重的，处二十万元以上五十万元以下的罚款。"
    answer = _compose(QUESTION, [NATIONAL_INSURANCE, _local_penalty(stricter)], regions=("青山市",))
    assert answer.citations == [LOCAL, NATIONAL], answer.text
    assert "五十万元" in answer.text.splitlines()[0]


def test_asked_about_no_place_the_law_answers():
    answer = _compose(QUESTION.removeprefix("青山市的"), [NATIONAL_INSURANCE, _local_penalty(SAME_FINES)], regions=())
    assert answer.citations[0] == NATIONAL, answer.text


# --- a place before the words of a sentence ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("浙江一家店拿的是不带储存的经营证，却在店里囤货，怎么罚？", "浙江省"),
        ("浙江有家店在店里囤危化品", "浙江省"),
        ("我在宁波开饭店，燃气这块有什么规定？", "宁波市"),
        ("我们在北京开了一家店，要配安全员吗", "北京市"),
        ("杭州有个饭馆用液化气", "杭州市"),
        ("北京这家门店要不要做应急演练", "北京市"),
        ("我们在深圳做外包的工厂要设安全总监吗", "深圳市"),
    ],
)
def test_a_place_followed_by_a_count_or_a_verb_is_where_the_question_asks(question, place):
    assert default_forms().places_named(question) == [place], question


@pytest.mark.parametrize(
    "question", ["浙江大华的供应商要设安全总监吗", "北京现代4S店的维修车间", "吉林化纤集团下属的厂"]
)
def test_a_place_in_a_company_s_name_is_still_no_place_asked_about(question):
    assert default_forms().places_named(question) == [], question


# --- everyday names ----------------------------------------------------------------------------------------------


def test_the_everyday_name_of_the_safety_liability_insurance_stands_for_the_law_s(analyzer):
    plan = analyzer.analyse("建筑公司没买安全生产责任险，会被怎么罚？")
    assert "安全生产责任保险" in plan.legal_terms


# --- a penalty for a breach that caused an accident --------------------------------------------------------------

DUTIES_BREACHED = _provision(
    "第九十四条 生产经营单位的主要负责人未履行本法规定的安全生产管理职责的，责令限期改正，处二万元以上五万元以下的罚款；"
    "逾期未改正的，处五万元以上十万元以下的罚款，责令生产经营单位停产停业整顿。\n生产经营单位的主要负责人有前款违法行为，"
    "导致发生生产安全事故的，给予撤职处分；构成犯罪的，依照刑法有关规定追究刑事责任。",
    LAW,
    "法律",
    "第九十四条",
    94,
)
ACCIDENT_CAUSED = _provision(
    "第九十五条 生产经营单位的主要负责人未履行本法规定的安全生产管理职责，导致发生生产安全事故的，由应急管理部门依照下列"
    "规定处以罚款：\n（一）发生一般事故的，处上一年年收入百分之四十的罚款；\n（二）发生较大事故的，处上一年年收入百分之六十的"
    "罚款。",
    LAW,
    "法律",
    "第九十五条",
    95,
)


def test_a_breach_told_without_an_accident_is_answered_by_its_own_penalty():
    # ranked second, as the ranker put it on the real question
    answer = _compose("我们老板没履行主要负责人的安全职责，一般会罚老板多少钱？", [ACCIDENT_CAUSED, DUTIES_BREACHED])
    assert answer.citations[0] == {"doc": LAW, "article": "第九十四条"}, answer.text
    assert "二万元以上五万元以下" in answer.text.splitlines()[0]


def test_a_breach_that_caused_an_accident_is_answered_by_the_penalty_for_the_accident():
    answer = _compose("老板没履行安全职责，厂里出了事故死了一个人，罚老板多少？", [ACCIDENT_CAUSED, DUTIES_BREACHED])
    assert answer.citations[0] == {"doc": LAW, "article": "第九十五条"}, answer.text


@pytest.mark.parametrize(
    ("text", "caused"),
    [
        (ACCIDENT_CAUSED.text, True),
        (DUTIES_BREACHED.text, False),  # its accident is a later sentence's further penalty
        ("第八十九条 对事故发生负有责任的单位的主要负责人未依法履行职责，导致事故发生的，依照下列规定处以罚款：", True),
        ("第九十七条 生产经营单位未按照规定制定生产安全事故应急救援预案的，责令限期改正，处十万元以下的罚款。", False),
    ],
)
def test_a_penalty_for_a_breach_that_caused_an_accident_is_told_by_its_condition(text, caused):
    assert for_accident(text) is caused


# --- criminal liability ------------------------------------------------------------------------------------------

FALSE_REPORT_FINED = _provision(
    "第九十二条 承担安全评价、认证、检测、检验职责的机构出具失实报告的，责令停业整顿，并处三万元以上十万元以下的罚款；"
    "给他人造成损害的，依法承担赔偿责任。",
    LAW,
    "法律",
    "第九十二条",
    92,
)
INTERPRETATION = "最高人民法院、最高人民检察院关于办理危害生产安全刑事案件适用法律若干问题的解释（二）"
FALSE_REPORT_CRIME = _provision(
    "第八条 承担安全评价职责的中介组织的人员，严重不负责任，出具的证明文件有重大失实，有下列情形之一的，认定为刑法第二百"
    "二十九条第三款规定的“造成严重后果”：\n（一）造成死亡一人以上或者重伤三人以上安全事故的；\n（二）造成直接经济损失五十万元"
    "以上安全事故的。",
    INTERPRETATION,
    "司法解释",
    "第八条",
    8,
)


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("安评机构出了重大失实的报告，什么情况下要追刑责？", "第八条"),
        ("安评机构的人出具重大失实的报告，会构成犯罪吗？", "第八条"),
        ("安评机构出了失实的报告，会被怎么罚？", "第九十二条"),  # the administrative penalty
        ("安评机构的人出具重大失实的报告，尚不构成犯罪的，会被怎么罚？", "第九十二条"),
    ],
)
def test_criminal_liability_asked_is_answered_by_the_criminal_law_not_a_fine(question, article):
    answer = _compose(question, [FALSE_REPORT_FINED, FALSE_REPORT_CRIME])
    assert answer.citations[0]["article"] == article, answer.text


# --- a legal text of two articles ----------------------------------------------------------------------------------

TWO_ARTICLES = """# 青山市人民政府关于禁止在城区燃放烟花爆竹的决定

为了保障公共安全，作出如下决定：

第一条 本市城区范围内全年禁止燃放烟花爆竹。

第二条 违反本决定燃放烟花爆竹的，由公安机关责令停止燃放，处一百元以上五百元以下的罚款。
"""
QUOTING_PLAN = """# 青山区2024年安全生产宣传月活动方案

一、宣传重点

重点宣传《安全生产法》中主要负责人的职责：

第二十一条 生产经营单位的主要负责人对本单位安全生产工作负有下列职责。

第二十二条 生产经营单位的安全生产管理机构以及安全生产管理人员履行下列职责。

二、活动安排

六月组织咨询日活动。
"""


def test_a_legal_text_of_two_articles_is_read_by_its_articles():
    _, chunks = chunk_document(TWO_ARTICLES, 480)
    assert [(c.unit, c.article) for c in chunks if c.unit != "preamble"] == [
        ("article", "第一条"),
        ("article", "第二条"),
    ]


def test_a_plan_quoting_two_articles_of_a_law_is_read_by_its_headings():
    _, chunks = chunk_document(QUOTING_PLAN, 480)
    assert {c.unit for c in chunks} == {"section"}, [(c.unit, c.article) for c in chunks]


def test_a_two_article_decision_is_cited_by_its_article(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "青山市人民政府关于禁止在城区燃放烟花爆竹的决定(2024-01-01).md").write_text(
        TWO_ARTICLES, encoding="utf-8"
    )
    settings = isolated_settings(tmp_path / "data")
    ingest([folder], settings)
    answer = Assistant(KnowledgeBase(settings)).ask("青山市城区燃放烟花爆竹罚多少？").answer
    assert answer.citations[0]["article"] == "第二条", answer.text
