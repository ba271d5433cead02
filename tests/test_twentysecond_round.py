"""Round 22 (issue 15): a question asking which ones (哪些企业, 哪些重点行业) is answered by the text naming a series of
them: items and then 等 and their kind (危险化学品、粉尘涉爆、有限空间等重点行业), or items each of that kind (矿山企业、
建筑施工企业和…生产企业). A provision or passage that holds the question's words and lists something else (责任体系、
预防控制体系、隐患排查治理体系) does not answer which ones."""

from __future__ import annotations

import pytest
from test_answer_reading import _compose, _passage
from test_fifteenth_round import _article

from assistant.answer.compose import _Clause, _enumerates, _members_asked
from assistant.retrieval.provisions import asks_of_term

REGULATION = "安全生产许可证条例"
RECORDS = _article(
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
    answer = _compose("哪些企业必须办安全生产许可证？", [RECORDS, SCOPE])
    assert answer.citations[0] == {"doc": REGULATION, "article": "第二条"}, answer.text
    assert "矿山企业、建筑施工企业" in answer.text


def test_without_a_text_naming_them_the_first_ranked_provision_stays():
    answer = _compose("哪些企业必须办安全生产许可证？", [RECORDS, TERM])
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
