"""Round 37 (issue 15): quiz-bank questions read as a quiz means them, and a text's record of adoption is no provision.

- A quiz's blank whose choices are all figures of one kind (一般不超过（ ）。A.1年 B.2.5年 …) asks for a figure of that
  kind, as 多少年 does: a provision stating none, or one of another matter, does not answer it.
- A 判断题 (marked so, or ending in the blank left for 对 or 错) puts a claim, as …对吗 does: a figure it claims is
  judged by the figure the law states, and nothing is affirmed where no provision states one.
- The preamble of a legal text (2019年3月1日…通过, 2024年5月1日…修订) holds the text's and its region's names over and
  again; it is never a candidate, except for a question on how the text it names came to be.
- evals.clause_similarity, which measured whether clause-level e5 similarity would pick the provision that answers,
  counts each signal's pick."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REGULATION_NEW, regulation_with
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_thirtythird_round_answers import _weighed

from assistant.ask import Assistant
from evals.clause_similarity import _picks
from evals.metrics import is_gold
from ingest.knowledge_base import KnowledgeBase


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("单选题：安全帽的使用期限从产品制造完成之日起计算，一般不超过（ ）。A.1年 B.2.5年 C.3年 D.5年", "time"),
        ("凡在坠落高度基准面（ ）以上有可能坠落的高处进行的作业，称为高处作业。A.1米 B.2米 C.3米 D.5米", "length"),
        ("煤矿企业对重大事故负有责任的，处（ ）罚款。A.50万元以上100万元以下 B.100万元以上200万元以下", "money"),
        # choices that are no figures, or figures of two kinds, leave the blank asking none
        ("生产经营单位应当（ ）至少组织一次综合应急预案演练。A.每季度 B.每半年 C.每年", None),
        ("工地现场安全生产的总责任由（ ）承担。A.建设单位 B.监理单位 C.总承包单位 D.分包单位", None),
        ("下列说法正确的是（ ）。A.有效期3年 B.罚款5万元", None),
    ],
)
def test_a_blank_whose_choices_are_all_figures_of_one_kind_asks_for_one(figures, question, kind):
    asked = figures.asked(question)
    assert (asked.kind if asked else None) == kind


@pytest.mark.parametrize(
    "question",
    [
        "判断题：特种作业操作证每3年复审一次。",
        "特种作业操作证每3年复审一次。（ ）",
        "特种作业操作证每3年复审一次，对吗？",
    ],
)
def test_a_true_or_false_item_claims_the_figure_it_states(figures, question):
    asked = figures.asked(question)
    assert asked is not None and asked.kind == "frequency" and asked.words == "每3年"
    assert asked.states.search("特种作业操作证每3年复审1次")


def test_a_claim_without_a_figure_asks_for_none(figures):
    assert (
        figures.asked("判断题：生产经营单位的事故隐患排查治理情况只需在内部如实记录，无需向从业人员通报。（ ）") is None
    )


_RECORDS = [record("安全生产许可证条例", "行政法规")]


def test_a_true_or_false_claim_of_a_frequency_no_provision_states_is_not_affirmed():
    """The only provision on the matter names 特种作业 and states no period of 复审: the claim has no basis."""
    conditions = _article(
        "安全生产许可证条例", "行政法规", 6,
        "第六条 企业取得安全生产许可证，应当具备下列安全生产条件：\n（一）建立、健全安全生产责任制；\n"
        "（五）特种作业人员经有关业务主管部门考核合格，取得特种作业操作资格证书；",
    )  # fmt: skip
    answer = _weighed("判断题：特种作业操作证每3年复审一次。（ ）", _RECORDS, [conditions], {"安全": 0.6})
    assert answer.abstained, answer.text
    assert "未找到依据" in answer.text


def test_a_quiz_blank_of_periods_is_answered_by_the_provision_stating_the_period():
    validity = _article("安全生产许可证条例", "行政法规", 9, "第九条 安全生产许可证的有效期为3年。")
    conditions = _article(
        "安全生产许可证条例", "行政法规", 6,
        "第六条 企业取得安全生产许可证，应当具备下列安全生产条件：\n（一）建立、健全安全生产责任制；",
    )  # fmt: skip
    answer = _weighed(
        "单选题：安全生产许可证的有效期为（ ）。A.1年 B.2年 C.3年 D.5年",
        _RECORDS,
        [conditions, validity],
        {"安全": 0.6},
    )
    assert not answer.abstained and [s.chunk.article for s in answer.sources][:1] == ["第九条"], answer.text


@pytest.fixture(scope="module")
def qingshan(tmp_path_factory):
    return Assistant(KnowledgeBase(regulation_with(tmp_path_factory.mktemp("preamble"), {})))


def test_a_texts_record_of_adoption_is_no_candidate_for_what_it_requires(qingshan):
    _, _, retrieved = qingshan.retrieve("青山市第十届人民代表大会对危险作业有哪些安全管理要求？")
    assert retrieved, "the regulation's articles answer"
    assert all(chunk.unit == "article" for chunk, _ in retrieved), [c.text[:30] for c, _ in retrieved]


def test_a_question_on_how_the_named_text_came_to_be_gets_its_record(qingshan):
    _, _, retrieved = qingshan.retrieve(f"《{REGULATION_NEW.split('(')[0]}》是哪次人民代表大会会议修订的？")
    assert any(chunk.unit == "preamble" for chunk, _ in retrieved[:3]), [c.text[:30] for c, _ in retrieved]


def test_the_clause_similarity_measure_counts_what_each_signal_puts_first():
    """evals.clause_similarity: the first retrieved is the ranking's pick; the provision closest as a whole and the
    one holding the closest clause may differ; the ranking is overruled only by a clause closer by the margin."""
    question = np.array([1.0, 0.0])
    whole = np.array([[0.6, 0.8], [0.9, 0.1], [0.0, 1.0]])
    parts = [np.array([[0.80, 0.6]]), np.array([[0.7, 0.7]]), np.array([[0.0, 1.0], [0.85, 0.5]])]
    assert _picks(question, whole, parts, margin=0.01) == {
        "ranking": 0,
        "provision": 1,
        "clause": 2,
        "ranking_or_clause": 2,
    }
    assert _picks(question, whole, parts, margin=0.1)["ranking_or_clause"] == 0


def test_a_reference_is_gold_by_its_article_or_by_a_document_named_whole():
    item = {"gold": [{"doc": "安全生产法", "article": "第二十四条"}, {"doc": "青山区工作方案", "article": None}]}
    assert is_gold(item, {"doc": "安全生产法", "article": "第二十四条"})
    assert not is_gold(item, {"doc": "安全生产法", "article": "第二十五条"})
    assert is_gold(item, {"doc": "青山区工作方案", "article": None})
    assert is_gold(item, {"doc": "青山区工作方案"})
