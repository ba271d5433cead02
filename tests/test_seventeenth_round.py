"""Hostile round 17's remaining findings (issue 16).

- K05: an LLM reply leaving a duty to the unit's choice in other words than 不需要 (是自愿的, 由企业自行决定,
  可有可无, 可设可不设, 不是硬性要求, 并无强制要求, 自主选择是否…), or in the sentence after the duty
  (…应当设置。不过这不是硬性要求。), passed unmarked.
- K14: where a person comes from (老板来自四川, 温州商人, 老板是湖北的) was read as the place a question asks about,
  and a district written without its level (宁波鄞州) was read twice (宁波鄞州, 宁波市鄞州区).
- A national rule on one sector's safety (煤矿安全生产条例) answered a question naming no such sector over the law on
  the same matter: it applies within its sector only (LegalForms.sector).
- The web's English error texts that no rule named (Starlette's 405, Gradio's "Invalid key.") are said in Chinese
  by their status (tests/test_web_refusals.py)."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_thirteenth_round_llm import A24, _marked, _unmarked
from test_twelfth_round_injection import _compose

from ingest.legal_forms import default_forms

LEFT_TO_THE_UNIT = [
    "一百二十人的企业设置安全生产管理机构是自愿的[1]。",
    "一百二十人的企业设置安全生产管理机构由企业自行决定[1]。",
    "一百二十人的企业是否设置安全生产管理机构，由企业自主决定[1]。",
    "一百二十人的企业设置安全生产管理机构是可选的[1]。",
    "一百二十人的企业设置安全生产管理机构属于选择性要求[1]。",
    "一百二十人的企业设置安全生产管理机构可有可无[1]。",
    "一百二十人的企业设置安全生产管理机构可设可不设[1]。",
    "一百二十人的企业设置安全生产管理机构不是硬性规定[1]。",
    "一百二十人的企业设置安全生产管理机构并无强制要求[1]。",
    "一百二十人的企业可以自行选择是否设置安全生产管理机构[1]。",
    # the waiver in the sentence after the duty, pointing back to it
    "一百二十人的企业应当设置安全生产管理机构[1]。不过这不是硬性要求。",
    "一百二十人的企业应当设置安全生产管理机构[1]。但这一点并非必须。",
]


@pytest.mark.parametrize("reply", LEFT_TO_THE_UNIT)
def test_a_duty_left_to_the_units_choice_in_other_words_is_marked(reply):
    _marked(reply, A24)


@pytest.mark.parametrize(
    "reply",
    [
        # a choice between the duty's own branches is the law's choice
        "一百二十人的企业可以选择设置安全生产管理机构或者配备专职安全生产管理人员[1]。",
        "一百二十人的企业应当设置安全生产管理机构[1]。这是硬性要求。",
        "一百二十人的企业应当设置安全生产管理机构[1]。这一点是强制性的。",
    ],
)
def test_the_duty_restated_or_its_branches_chosen_is_not_marked(reply):
    _unmarked(reply, A24)


@pytest.mark.parametrize(
    ("question", "places"),
    [
        ("我们公司老板来自四川，在宁波鄞州开厂，要设安全管理机构吗", ["宁波市鄞州区"]),
        ("温州商人在杭州开的化工厂要设机构吗", ["杭州市"]),
        ("四川老板在浙江开的厂要设机构吗", ["浙江省"]),
        ("老板是湖北的，厂在江苏，要设机构吗", ["江苏省"]),
        ("我们员工大多来自河南，要培训多久", []),
        ("湖南老乡在东莞开的厂要持证吗", ["东莞市"]),
        # a place written as people shorten it is one place
        ("宁波鄞州的企业120人要设机构吗", ["宁波市鄞州区"]),
        ("宁波鄞州区的企业120人要设机构吗", ["宁波市鄞州区"]),
        # where the enterprise is, said with the same words, still counts
        ("我们是来自宁波的化工企业", ["宁波市"]),
        ("我们是宁波的企业", ["宁波市"]),
        ("四川的化工企业要注意什么", ["四川省"]),
    ],
)
def test_where_a_person_comes_from_is_no_place_asked_about_and_a_place_is_read_once(question, places):
    assert default_forms().places_named(question) == places


COAL = _article(
    "煤矿安全生产条例", "行政法规", 44,
    "第四十四条 负有煤矿安全生产监督管理职责的部门对煤矿企业进行监督检查，可以采取以下措施：\n"
    "（一）对检查中发现的事故隐患，应当责令立即排除；重大事故隐患排除过程中无法保证安全的，应当责令从危险区域内撤出"
    "作业人员，责令暂时停产或者停止使用相关设施、设备；",
)  # fmt: skip
LAW_65 = _article(
    "安全生产法", "法律", 65,
    "第六十五条 负有安全生产监督管理职责的部门依法开展安全生产行政执法工作，行使以下职权：\n"
    "（一）对检查中发现的事故隐患，应当责令立即排除；重大事故隐患排除前或者排除过程中无法保证安全的，应当责令从危险"
    "区域内撤出作业人员，责令暂时停产停业或者停止使用相关设施、设备；",
    "中华人民共和国安全生产法",
)  # fmt: skip


@pytest.mark.parametrize(
    ("title", "sector"),
    [
        ("煤矿安全生产条例", "煤矿"),
        ("建设工程安全生产管理条例", "建设工程"),
        ("民用爆炸物品安全管理条例", "民用爆炸物品"),
        ("特种设备安全监察条例", "特种设备"),
        ("生产安全事故报告和调查处理条例", ""),  # every sector's
        ("安全生产许可证条例", ""),
        ("工伤保险条例", ""),
    ],
)
def test_a_sector_rules_sector_is_read_from_its_title(title, sector):
    assert default_forms().sector(title) == sector


def test_a_sector_rule_gives_way_to_the_law_on_the_same_matter_unless_its_sector_is_asked_about():
    general = _compose("检查时发现重大事故隐患，排除过程中无法保证安全，可以采取哪些措施？", [COAL, LAW_65])
    assert general.citations[0] == {"doc": "安全生产法", "article": "第六十五条"}, general.text
    coal = _compose("煤矿检查时发现重大事故隐患，排除过程中无法保证安全，可以采取哪些措施？", [COAL, LAW_65])
    assert coal.citations[0] == {"doc": "煤矿安全生产条例", "article": "第四十四条"}, coal.text
