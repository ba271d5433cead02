"""Round 22 (issue 15): a question asking which ones (哪些企业, 哪些重点行业) is answered by the text naming a series of
them: items and then 等 and their kind (危险化学品、粉尘涉爆、有限空间等重点行业), or items each of that kind (矿山企业、
建筑施工企业和…生产企业). A provision or passage that holds the question's words and lists something else (责任体系、
预防控制体系、隐患排查治理体系) does not answer which ones."""

from __future__ import annotations

import numpy as np
import pytest
from test_answer_reading import _compose, _passage
from test_fifteenth_round import _article
from test_retrieval_stages import RECORDS as DOCUMENTS
from test_retrieval_stages import chunk

from assistant.answer.compose import _Clause, _enumerates, _members_asked, _term_asked
from assistant.pack import KnowledgePack
from assistant.retrieval.candidates import Candidates
from assistant.retrieval.config import RankingConfig
from assistant.retrieval.features import featurize
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import PENALTY, asks_of_term, provision_asked
from assistant.retrieval.query import QueryPlan
from assistant.retrieval.rank import linear_scores
from ingest.settings import Settings

REGULATION = "安全生产许可证条例"
ARCHIVES = _article(
    REGULATION, "行政法规", 10,
    "第十条 安全生产许可证颁发管理机关应当建立、健全安全生产许可证档案管理制度，并定期向社会公布企业取得安全生产许可证"
    "的情况。",
)  # fmt: skip
SCOPE = _article(
    REGULATION, "行政法规", 2,
    "第二条 国家对矿山企业、建筑施工企业和危险化学品、烟花爆竹、民用爆炸物品生产企业(以下统称企业)实行安全生产许可制度。\n"
    "企业未取得安全生产许可证的，不得从事生产活动。",
)  # fmt: skip
TERM = _article(REGULATION, "行政法规", 9, "第九条 安全生产许可证的有效期为3年。企业应当于期满前3个月办理延期手续。")


def test_which_enterprises_is_answered_by_the_provision_naming_them():
    # the first-ranked provision holds every word of the question; the other says which enterprises
    answer = _compose("哪些企业必须办安全生产许可证？", [ARCHIVES, SCOPE])
    assert answer.citations[0] == {"doc": REGULATION, "article": "第二条"}, answer.text
    assert "矿山企业、建筑施工企业" in answer.text


def test_without_a_text_naming_them_the_first_ranked_provision_stays():
    answer = _compose("哪些企业必须办安全生产许可证？", [ARCHIVES, TERM])
    assert answer.citations[0] == {"doc": REGULATION, "article": "第十条"}, answer.text


def test_which_sectors_of_a_plan_is_answered_by_the_passage_naming_them():
    opening = _passage(
        1,
        "青山区安全生产工作第四季度工作计划\n青山区第四季度安全生产工作推进责任体系、预防控制体系、隐患排查治理体系建设，"
        "深化重点行业领域专项整治，做好隐患排查治理。",
    )
    sectors = _passage(2, "加强对危险化学品、粉尘涉爆、有限空间、人员密集场所等重点行业、重点领域进行隐患排查治理。")
    answer = _compose("青山区第四季度隐患排查治理主要盯哪些重点行业领域？", [opening, sectors])
    assert "粉尘涉爆" in answer.text and "人员密集场所" in answer.text, answer.text


@pytest.mark.parametrize(
    ("text", "members", "enumerates"),
    [
        ("全员安全生产责任制应当明确各岗位的责任人员、责任范围和考核标准等内容。", "内容", True),
        ("应当明确责任人员和考核标准等内容。", "内容", False),  # two are a pair, not a series
        ("推进责任体系、预防控制体系、隐患排查治理体系建设，深化重点行业领域专项整治。", "重点行业", False),
        ("国家对矿山企业、建筑施工企业和危险化学品生产企业实行安全生产许可制度。", "企业", True),
        ("推进责任体系、预防控制体系、隐患排查治理体系建设。", "", True),  # nothing asked: any series
    ],
)
def test_a_series_is_of_what_is_asked(text, members, enumerates):
    assert _enumerates(_Clause(text, 0, 1.0, 1.0), members) is enumerates


@pytest.mark.parametrize(
    ("question", "texts", "members"),
    [
        ("主要盯哪些重点行业领域？", ["对危险化学品、粉尘涉爆、有限空间等重点行业进行检查"], "重点行业"),
        ("哪些企业必须办许可证？", ["国家对矿山企业、建筑施工企业和危险化学品生产企业实行许可制度"], "企业"),
        ("哪些企业必须办许可证？", ["安全生产许可证的有效期为3年"], ""),
        ("许可证有效期几年？", ["对矿山企业、建筑施工企业和危险化学品生产企业"], ""),  # asks no which ones
    ],
)
def test_what_a_question_asking_which_ones_asks_for_is_read_as_the_texts_write_it(question, texts, members):
    assert _members_asked(question, texts) == members


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("四不放过指的是哪四个？", True),  # 指的是 asks what a term refers to, as 是什么 does
        ("三同时指的是什么？", True),
        ("企业要落实四不放过。事故调查组指的是哪些部门？", False),  # the sentence asking names no term
    ],
)
def test_what_a_term_refers_to_is_asked_as_its_meaning(question, asked):
    assert asks_of_term(question, ["四不放过", "三同时"], meaning_only=True) is asked


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("生产经营单位的主要负责人对本单位的安全生产工作负什么责任？", None),  # the duty: 全面负责
        ("监理单位对施工安全承担什么责任？", None),
        ("出了问题校长要担什么责任？", PENALTY),  # after a wrong done, the liability
        ("安全员没发现隐患要承担什么责任？", PENALTY),
        ("发生事故后老板负哪些责任？", PENALTY),
        ("企业要承担什么法律责任？", PENALTY),
    ],
)
def test_what_responsibility_is_borne_asks_the_liability_only_after_a_wrong(question, asked):
    assert provision_asked(question) == asked


DUTY = "第五条 生产经营单位的主要负责人是本单位安全生产第一责任人，对本单位的安全生产工作全面负责。"
LIABILITY = (
    "第九十四条 生产经营单位的主要负责人未履行本法规定的安全生产管理职责的，责令限期改正，处二万元以上五万元以下的罚款；"
    "导致发生生产安全事故的，给予撤职处分。"
)


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("生产经营单位的主要负责人对本单位的安全生产工作负什么责任？", "duty"),
        ("发生生产安全事故后，主要负责人对本单位的安全生产工作要负什么责任？", "liability"),
    ],
)
def test_the_responsibility_borne_for_the_work_ranks_the_duty_and_after_an_accident_the_penalty(question, first):
    found = Candidates()
    found.chunks = {
        "liability": chunk("liability", "安全生产法", LIABILITY, "第六章 法律责任"),
        "duty": chunk("duty", "安全生产法", DUTY),
    }
    found.add("bm25", ["liability", "duty"], [1.0, 1.0])  # the words alone do not tell them apart
    found.bm25 = {"liability": 1.0, "duty": 1.0}
    found.tokens = ["主要负责人", "安全生产", "责任"]
    config = RankingConfig.load("e5")
    figures = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)
    rows = featurize(found, QueryPlan(question, question), DOCUMENTS, dict.fromkeys(found.tokens, 3.0), config, figures)
    scores = linear_scores(rows, config)
    assert found.ids[int(np.argmax(scores))] == first


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("本质安全是什么意思？", "本质安全"),
        ("什么是两重点一重大？", "两重点一重大"),
        ("安全生产“五落实五到位”指的是什么？", "五落实五到位"),
        ("企业主要负责人的安全职责是什么？", ""),  # what is required of someone, not what a term means
        ("特种设备的定期检验周期是什么？", ""),
        ("事故处理讲的“四不放过”原则，在法规里的依据是什么？", ""),  # where it rests
    ],
)
def test_a_question_asking_only_what_a_term_means_is_read_as_such(question, term):
    assert _term_asked(question) == term


USAGE = _passage(3, "扎实做好“五落实、五到位”工作，印发落实工作方案并积极推进。")
OTHER = _passage(4, "青山区第四季度继续坚持安全第一、预防为主、综合治理的方针，落实安全生产责任制。")


def test_what_a_term_means_is_answered_only_by_a_text_naming_it():
    named = _compose("安全生产“五落实五到位”指的是什么？", [OTHER, USAGE])
    assert not named.abstained and "五落实、五到位" in named.text, named.text  # written with 、 it names the term
    unnamed = _compose("本质安全是什么意思？", [OTHER])
    assert unnamed.abstained and "“本质安全”" in unnamed.text, unnamed.text
