"""Hostile round 11 (issue 16; report in /tmp/rt11/README.md), LLM mode: changes to what a cited article sets out
that the check let through.

- a proportion in words (一半, 半数, 二分之一, 五成) is a percentage and is checked like 百分之五十 (rt11 G1);
- a figure with a bound or a range must state the source's range, both ends and direction: 二十万元以下 is not the
  二十万元 of 十万元以上二十万元以下, 十五日以上 is not 十五日以下 (G2a, G2b);
- a penalty the cited penalty article does not provide (吊销营业执照, 警告处分) is marked (G2c);
- a deadline word of another class where the article states one (及时 for 立即, 当日 for 1小时内) and 半天 for
  2小时 are marked (G3a);
- in a near copy of a clause, another person or authority where the clause names one (安全生产管理人员 for 主要负责人,
  向安全生产监督管理部门报告 for 向本单位负责人报告) is marked (G4).
Faithful restatements stay unmarked (H1–H7).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from test_seventh_round_llm import _article, _verified

from assistant.llm import figures
from assistant.llm.verification import DEADLINE_MARK, FIGURE_MARK, NEGATION_MARK, PENALTY_MARK, ROLE_MARK

MARKS = (FIGURE_MARK, NEGATION_MARK, DEADLINE_MARK, PENALTY_MARK, ROLE_MARK)

FINE_95 = _article(
    95,
    "第九十五条",
    "生产经营单位的主要负责人未履行本法规定的安全生产管理职责，导致发生生产安全事故的，由应急管理部门依照下列规定"
    "处以罚款：\n（一）发生一般事故的，处上一年年收入百分之四十的罚款；\n（二）发生较大事故的，处上一年年收入百分之六十"
    "的罚款；\n（三）发生重大事故的，处上一年年收入百分之八十的罚款；\n（四）发生特别重大事故的，处上一年年收入百分之"
    "一百的罚款。",
)
FINE_97 = _article(
    97,
    "第九十七条",
    "生产经营单位有下列行为之一的，责令限期改正，处十万元以下的罚款；逾期未改正的，责令停产停业整顿，并处十万元以上"
    "二十万元以下的罚款，对其直接负责的主管人员和其他直接责任人员处二万元以上五万元以下的罚款：\n（一）未按照规定设置"
    "安全生产管理机构或者配备安全生产管理人员、注册安全工程师的；",
)
RESCUE_110 = _article(
    110,
    "第一百一十条",
    "生产经营单位的主要负责人在本单位发生生产安全事故时，不立即组织抢救或者在事故调查处理期间擅离职守或者逃匿的，"
    "给予降级、撤职的处分，并由应急管理部门处上一年年收入百分之六十至百分之一百的罚款；对逃匿的处十五日以下拘留；"
    "构成犯罪的，依照刑法有关规定追究刑事责任。",
)
DUTIES_21 = _article(
    21,
    "第二十一条",
    "生产经营单位的主要负责人对本单位安全生产工作负有下列职责：\n（一）建立健全并落实本单位全员安全生产责任制，加强"
    "安全生产标准化建设；",
)
FIRST_5 = _article(
    5,
    "第五条",
    "生产经营单位的主要负责人是本单位安全生产第一责任人，对本单位的安全生产工作全面负责。其他负责人对职责范围内的"
    "安全生产工作负责。",
)
REPORT_9 = _article(
    9,
    "第九条",
    "事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内向事故发生地县级以上"
    "人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告。",
)
REPORT_11 = _article(
    11,
    "第十一条",
    "安全生产监督管理部门和负有安全生产监督管理职责的有关部门逐级上报事故情况，每级上报的时间不得超过2小时。",
)


def _unmarked(reply: str, *articles) -> None:
    text = _verified(reply, *articles).text
    assert not any(mark in text for mark in MARKS), text


# --- G1: proportions in words ------------------------------------------------------------------------------------


@pytest.mark.parametrize("proportion", ["一半", "半数", "二分之一", "五成", "三分之一", "七成", "2分之1"])
def test_a_percentage_restated_as_another_proportion_in_words_is_marked(proportion):
    answer = _verified(f"发生一般事故的，处上一年年收入{proportion}的罚款[1]。", FINE_95)
    assert FIGURE_MARK in answer.text, answer.text
    assert f"已标注：{proportion}" in answer.text


@pytest.mark.parametrize("proportion", ["百分之四十", "40%", "四成", "五分之二", "百分之四十（即四成）"])
def test_the_same_proportion_in_other_words_is_not_marked(proportion):
    _unmarked(f"发生一般事故的，处上一年年收入{proportion}的罚款[1]。", FINE_95)


@pytest.mark.parametrize(
    ("text", "value"),
    [("一半", 50), ("半数以上", 50), ("二分之一", 50), ("三分之二", Fraction(200, 3)), ("五成的", 50), ("十成", 100)],
)
def test_proportions_in_words_read_as_percentages(text, value):
    assert figures.keys(text) == {("%", Fraction(value))}


@pytest.mark.parametrize("text", ["三五成群", "一成不变", "组成", "构成犯罪", "半个月", "多半", "成员"])
def test_words_with_cheng_or_ban_that_are_no_proportion(text):
    assert figures.keys(text) == set()


def test_half_a_unit_of_time_is_a_figure_of_that_unit():
    assert figures.keys("半天") == {("日", Fraction(1, 2))}
    assert figures.keys("半小时") == {("分钟", Fraction(30))}
    assert ("分钟", Fraction(30)) not in figures.keys("一个半小时")


# --- G2a, G2b: a figure with its bound -----------------------------------------------------------------------------

CHANGED_BOUNDS = [
    ("未按照规定设置安全生产管理机构的，责令限期改正，处二十万元以下的罚款[1]。", FINE_97),
    ("未按照规定设置安全生产管理机构的，责令限期改正，处20万元以下的罚款[1]。", FINE_97),
    ("未按照规定设置安全生产管理机构的，责令限期改正，处十万元以上的罚款[1]。", FINE_97),
    ("对其直接负责的主管人员和其他直接责任人员处二万元以上十万元以下的罚款[1]。", FINE_97),
    ("逾期未改正的，并处不超过二十万元的罚款[1]。", FINE_97),
    ("对逃匿的处十五日以上拘留[1]。", RESCUE_110),
    ("每级上报的时间至少2小时[1]。", REPORT_11),
]


@pytest.mark.parametrize(("reply", "article"), CHANGED_BOUNDS, ids=[f"bound{n}" for n in range(len(CHANGED_BOUNDS))])
def test_a_range_changed_or_its_direction_flipped_is_marked(reply, article):
    answer = _verified(reply, article)
    assert FIGURE_MARK in answer.text, answer.text


FAITHFUL_BOUNDS = [
    (
        "未按照规定设置安全生产管理机构的，责令限期改正，处10万元以下的罚款；逾期未改正的，责令停产停业整顿，并处10万元"
        "以上20万元以下的罚款[1]。",
        FINE_97,
    ),
    ("逾期未改正的，并处十万元至二十万元的罚款[1]。", FINE_97),
    ("直接负责的主管人员处2万元到5万元的罚款[1]。", FINE_97),
    ("对逃匿的处不超过十五日的拘留[1]，也就是最长半个月。", RESCUE_110),
    ("并处上一年年收入60%至100%的罚款[1]。", RESCUE_110),
    ("每级上报的时间不得超过两个小时[1]。", REPORT_11),
    ("每级上报的时间在2小时以内[1]。", REPORT_11),
    ("单位负责人接到报告后，应当在一小时以内向安全生产监督管理部门报告[1]。", REPORT_9),
]


@pytest.mark.parametrize(
    ("reply", "article"), FAITHFUL_BOUNDS, ids=[f"faithful_bound{n}" for n in range(len(FAITHFUL_BOUNDS))]
)
def test_a_range_restated_in_other_words_is_not_marked(reply, article):
    _unmarked(reply, article)


def test_a_bounded_figure_the_question_states_is_taken_as_given():
    from assistant.llm import LlmComposer
    from ingest.settings import Settings

    composer = LlmComposer(Settings(), model=object())  # type: ignore[arg-type]
    answer = composer.finish("罚款在五十万元以下吗？", [FINE_97], "不是五十万元以下，而是处十万元以下的罚款[1]。")
    assert FIGURE_MARK not in answer.text, answer.text


def test_the_two_ends_of_a_range_are_read_as_one():
    (bounded,) = figures.bounds("并处十万元以上二十万元以下的罚款")
    assert bounded.text == "十万元以上二十万元以下"
    assert bounded.bound == ("元", Fraction(100_000), Fraction(200_000))
    assert [b.bound for b in figures.bounds("处十五日以下拘留")] == [("日", None, Fraction(15))]
    assert [b.bound for b in figures.bounds("不得超过2小时")] == [("分钟", None, Fraction(120))]


# --- G2c: a penalty swapped ----------------------------------------------------------------------------------------

SWAPPED_PENALTIES = [
    ("未按照规定设置安全生产管理机构的，逾期未改正的，吊销营业执照[1]。", FINE_97, "吊销"),
    ("逾期未改正的，对直接负责的主管人员处以行政拘留[1]。", FINE_97, "拘留"),
    ("不立即组织抢救的，给予警告处分，并处上一年年收入百分之六十至百分之一百的罚款[1]。", RESCUE_110, "警告"),
    ("主要负责人逃匿的，给予开除处分[1]。", RESCUE_110, "开除"),
    ("逾期未改正的，没收违法所得[1]。", FINE_97, "没收"),
]


@pytest.mark.parametrize(
    ("reply", "article", "kind"), SWAPPED_PENALTIES, ids=[f"penalty{n}" for n in range(len(SWAPPED_PENALTIES))]
)
def test_a_penalty_the_cited_article_does_not_provide_is_marked(reply, article, kind):
    answer = _verified(reply, article)
    assert PENALTY_MARK in answer.text, answer.text
    assert f"提到了所引条文没有规定的处罚（{kind}" in answer.text


@pytest.mark.parametrize(
    ("reply", "article"),
    [
        ("逾期未改正的，责令停产停业整顿，并处罚款[1]。", FINE_97),
        ("不立即组织抢救的，给予撤职处分，对逃匿的还要拘留[1]。", RESCUE_110),
        ("未设置安全生产管理机构的，在危险场所也要设置安全警告标志，否则会被罚款[1]。", FINE_97),
        ("主要负责人不履行这些职责的，可能被罚款或者给予处分[1]。", DUTIES_21),  # no penalty article cited
    ],
)
def test_penalties_the_article_provides_or_no_penalty_article_are_not_marked(reply, article):
    _unmarked(reply, article)


# --- G3a: deadlines in words ---------------------------------------------------------------------------------------

CHANGED_DEADLINES = [
    "事故发生后，事故现场有关人员应当及时向本单位负责人报告[1]。",
    "事故现场有关人员应当尽快向本单位负责人报告[1]。",
    "单位负责人接到报告后，应当于当日内向事故发生地县级以上人民政府安全生产监督管理部门报告[1]。",
    "单位负责人接到报告后，应当于当天向事故发生地县级以上人民政府安全生产监督管理部门报告[1]。",
    "单位负责人接到报告后，应当立即向事故发生地县级以上人民政府安全生产监督管理部门报告[1]。",
    "事故现场有关人员应当在1小时内向本单位负责人报告[1]。",  # the article's figure, where it says 立即
]


@pytest.mark.parametrize("reply", CHANGED_DEADLINES, ids=[f"deadline{n}" for n in range(len(CHANGED_DEADLINES))])
def test_a_deadline_word_of_another_class_is_marked(reply):
    answer = _verified(reply, REPORT_9)
    assert DEADLINE_MARK in answer.text, answer.text
    assert "处时限与所引条文不一致" in answer.text


def test_half_a_day_for_two_hours_is_marked():
    answer = _verified("逐级上报事故情况，每级上报的时间不得超过半天[1]。", REPORT_11)
    assert FIGURE_MARK in answer.text, answer.text


@pytest.mark.parametrize(
    "reply",
    [
        "事故发生后，事故现场有关人员应当立刻向本单位负责人报告[1]。",
        "事故现场有关人员应当马上向本单位负责人报告[1]。",
        "单位负责人接到报告后，应当于一小时内向事故发生地县级以上人民政府安全生产监督管理部门报告[1]。",
        "单位负责人接到报告后，应当在60分钟内向事故发生地县级以上人民政府安全生产监督管理部门报告[1]。",
        "单位负责人应当及时组织抢救，并在1小时内报告[1]。",  # 及时 where the article states no deadline
    ],
)
def test_a_deadline_restated_in_other_words_is_not_marked(reply):
    _unmarked(reply, REPORT_9)


# --- G4: the person a duty binds or the one reported to -----------------------------------------------------------

SWAPPED_ROLES = [
    (
        "生产经营单位的安全生产管理人员未履行本法规定的安全生产管理职责，导致发生一般事故的，处上一年年收入百分之四十的"
        "罚款[1]。",
        FINE_95,
        "安全生产管理人员",
    ),
    ("生产经营单位的安全生产管理人员对本单位安全生产工作负有下列职责：建立健全并落实本单位全员安全生产责任制[1]。",
     DUTIES_21, "安全生产管理人员"),
    ("生产经营单位的其他负责人对本单位安全生产工作负有下列职责[1]。", DUTIES_21, "其他负责人"),
    ("事故发生后，事故现场有关人员应当立即向安全生产监督管理部门报告[1]。", REPORT_9, "安全生产监督管理部门"),
    ("事故发生后，事故现场从业人员应当立即向本单位负责人报告[1]。", REPORT_9, "从业人员"),
    ("生产经营单位的其他负责人是本单位安全生产第一责任人[1]。", FIRST_5, "其他负责人"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("reply", "article", "role"), SWAPPED_ROLES, ids=[f"role{n}" for n in range(len(SWAPPED_ROLES))]
)
def test_another_person_or_authority_in_a_near_copy_is_marked(reply, article, role):
    answer = _verified(reply, article)
    assert ROLE_MARK in answer.text, answer.text
    assert f"处说法中的人员或部门与所引条文不一致，已标注：{role}" in answer.text


FAITHFUL_ROLES = [
    ("生产经营单位的主要负责人对本单位安全生产工作负有下列职责[1]。", DUTIES_21),
    ("事故发生后，事故现场有关人员应当立即向单位负责人报告[1]。", REPORT_9),
    ("单位负责人接到报告后，应当于1小时内向安全生产监督管理部门和有关部门报告[1]。", REPORT_9),
    ("生产经营单位的主要负责人是本单位安全生产第一责任人，其他负责人对职责范围内的安全生产工作负责[1]。", FIRST_5),
    ("你们单位的主要负责人要对本单位安全生产工作全面负责，安全生产管理人员协助[1]。", FIRST_5),
    (
        "生产经营单位的主要负责人未履行安全生产管理职责，导致发生一般事故的，处上一年年收入百分之四十的罚款[1]。",
        FINE_95,
    ),
]


@pytest.mark.parametrize(
    ("reply", "article"), FAITHFUL_ROLES, ids=[f"faithful_role{n}" for n in range(len(FAITHFUL_ROLES))]
)
def test_the_same_person_or_authority_in_other_words_is_not_marked(reply, article):
    _unmarked(reply, article)


def test_a_role_another_cited_article_names_there_is_not_marked():
    other = _article(
        96,
        "第九十六条",
        "生产经营单位的其他负责人和安全生产管理人员未履行本法规定的安全生产管理职责的，责令限期改正，处一万元以上三万元"
        "以下的罚款。",
    )
    reply = "生产经营单位的安全生产管理人员未履行本法规定的安全生产管理职责的，处一万元以上三万元以下的罚款[1][2]。"
    _unmarked(reply, FINE_95, other)
