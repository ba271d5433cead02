"""Round 36 (issue 15): which provision answers which part of a question.

- A law stating a period of another act (批复事故调查报告后一年内，组织…评估) does not overrule a regulation's
  deadline for what is asked (事故调查组…60日内提交事故调查报告); a law stating the figure of the same act does.
- A later part asking a figure is answered by the provision stating it in figures, not by the one quoted before
  that says 立即.
- Asked whether something may be done and then how it is punished, the first is the duty's to answer (the provision
  imposing it), the second the penalty's; acting without the permit required (没拿到…许可就…) is a breach.
- A unit asking of its own duty is answered by a provision binding units, not by a government's duty on the same
  matter; an officer asking keeps the government's."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_thirtythird_round_answers import _weighed

from assistant.retrieval.provisions import GOVERNMENT, PENALTY, UNIT, asked_as_unit, duty_bearers, provision_asked

_RECORDS = [record("生产安全事故报告和调查处理条例", "行政法规"), record("安全生产法", "法律")]
# as in a real index, the words every text on accidents holds weigh little
_COMMON = {"事故": 0.6, "生产": 0.6, "安全": 0.6, "安全生产": 0.8, "报告": 1.0}


def test_a_law_stating_a_period_of_another_act_does_not_overrule_the_regulations_deadline():
    regulation = _article(
        "生产安全事故报告和调查处理条例", "行政法规", 29,
        "第二十九条 事故调查组应当自事故发生之日起60日内提交事故调查报告；特殊情况下，经负责事故调查的人民政府批准，"
        "提交事故调查报告的期限可以适当延长，但延长的期限最长不超过60日。",
    )  # fmt: skip
    law = _article(
        "安全生产法", "法律", 86,
        "第八十六条 负责事故调查处理的国务院有关部门和地方人民政府应当在批复事故调查报告后一年内，组织有关部门对事故"
        "整改和防范措施落实情况进行评估，并及时向社会公开评估结果。",
    )  # fmt: skip
    answer = _weighed("事故调查组一般要在多久之内交调查报告？", _RECORDS, [regulation, law], _COMMON)
    assert [s.chunk.doc_id for s in answer.sources][:1] == ["生产安全事故报告和调查处理条例"], answer.text
    assert "60日内提交事故调查报告" in answer.text


def test_a_law_stating_the_figure_of_the_same_act_decides_over_the_regulation():
    regulation = _article(
        "生产安全事故报告和调查处理条例", "行政法规", 9,
        "第九条 事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于2小时内向事故"
        "发生地县级以上人民政府安全生产监督管理部门报告。",
    )  # fmt: skip
    law = _article(
        "安全生产法", "法律", 83,
        "第八十三条 生产经营单位发生生产安全事故后，事故现场有关人员应当立即报告本单位负责人。单位负责人接到事故报告"
        "后，应当于1小时内向当地负有安全生产监督管理职责的部门报告。",
    )  # fmt: skip
    answer = _weighed("单位负责人接到事故报告以后，多长时间内要向监管部门报告？", _RECORDS, [regulation, law], _COMMON)
    assert [s.chunk.doc_id for s in answer.sources][:1] == ["安全生产法"], answer.text
    assert "1小时内" in answer.text


def test_a_later_figure_is_answered_by_the_provision_stating_it_not_by_the_one_quoted_before():
    """A provision quoted for an earlier part answers a later part's figure only when it states one: 立即报告 is no
    answer to 每一级最多能用多长时间 where another provision says 不得超过2小时."""
    where = _article(
        "生产安全事故报告和调查处理条例", "行政法规", 10,
        "第十条 安全生产监督管理部门接到事故报告后，应当依照下列规定上报事故情况：\n"
        "（一）特别重大事故、重大事故逐级上报至国务院安全生产监督管理部门；\n"
        "（二）较大事故逐级上报至省、自治区、直辖市人民政府安全生产监督管理部门；\n"
        "（三）一般事故上报至设区的市级人民政府安全生产监督管理部门。\n"
        "安全生产监督管理部门依照前款规定上报事故情况，应当同时报告本级人民政府。国务院安全生产监督管理部门接到发生"
        "特别重大事故、重大事故的报告后，应当立即报告国务院。",
    )  # fmt: skip
    how_fast = _article(
        "生产安全事故报告和调查处理条例", "行政法规", 11,
        "第十一条 安全生产监督管理部门逐级上报事故情况，每级上报的时间不得超过2小时。",
    )  # fmt: skip
    records = [record("生产安全事故报告和调查处理条例", "行政法规")]
    question = "县应急管理局接到一起一般事故的报告后，要上报到哪一级部门？逐级上报时每一级最多能用多长时间？"
    # words common in any collection of rules (一般事故, 时间, 最多) weigh little, as in a real index
    common = {**_COMMON, "一般": 1.0, "时间": 1.0, "最多": 1.0, "多长": 1.0, "长时间": 1.0}
    answer = _weighed(question, records, [where, how_fast], common)
    assert "设区的市级" in answer.text and "不得超过2小时" in answer.text, answer.text
    assert {s.chunk.article_num for s in answer.sources} == {10, 11}


_FIREWORKS = [record("烟花爆竹安全管理条例", "行政法规")]
_PROHIBITION = _article("烟花爆竹安全管理条例", "行政法规", 27, "第二十七条 禁止携带烟花爆竹搭乘公共交通工具。")
_FINE = _article(
    "烟花爆竹安全管理条例", "行政法规", 41,
    "第四十一条 对携带烟花爆竹搭乘公共交通工具，或者邮寄烟花爆竹以及在托运的行李、包裹、邮件中夹带烟花爆竹的，由"
    "公安部门没收非法携带、邮寄、夹带的烟花爆竹，可以并处200元以上1000元以下的罚款。",
)  # fmt: skip


def test_whether_it_may_be_done_is_the_duty_and_how_it_is_punished_the_penalty():
    # the ranker put the penalty first: it restates the duty as the offence and holds every word of the question
    # the words of everyday speech weigh little, as in a real index
    common = {"要是": 0.3, "查出": 0.5, "出来": 0.3, "怎么": 0.3}
    question = "坐高铁回老家过年，能不能带两箱烟花上车？要是被查出来会怎么罚？"
    answer = _weighed(question, _FIREWORKS, [_FINE, _PROHIBITION], common)
    assert {s.chunk.article_num for s in answer.sources} == {27, 41}, answer.text
    assert "禁止携带烟花爆竹搭乘公共交通工具" in answer.text and "200元以上1000元以下" in answer.text


def test_asked_only_whether_it_may_be_done_the_provision_imposing_the_duty_answers():
    # (round 49: a question asking no penalty at all asks the duty, as one asking it before the penalty does)
    answer = _weighed("坐高铁回老家过年，能不能带两箱烟花上车？", _FIREWORKS, [_FINE, _PROHIBITION], {})
    assert answer.sources[0].chunk.article_num == 27, answer.text


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("大型活动没拿到公安的安全许可就开办了，如何处理？", PENALTY),
        ("未取得安全生产许可证就进行生产的，怎么处理？", PENALTY),
        ("电焊工没有取得特种作业操作证就上岗作业，企业该怎样处理？", PENALTY),
        ("发现事故隐患怎么处理？", None),  # how a thing is handled asks the duty
        ("实在没办法的时候，过期的灭火器怎么处理？", None),
    ],
)
def test_acting_without_the_permit_required_is_a_breach(question, kind):
    assert provision_asked(question) == kind


_PLANNING = _article(
    "生产安全事故应急条例", "行政法规", 9,
    "第九条 县级以上人民政府应当加强对生产安全事故应急救援队伍建设的统一规划、组织和指导。",
)  # fmt: skip
_TEAMS = _article(
    "生产安全事故应急条例", "行政法规", 10,
    "第十条 易燃易爆物品、危险化学品等危险物品的生产、经营、储存、运输单位，矿山、金属冶炼、城市轨道交通运营、"
    "建筑施工单位，以及宾馆、商场等人员密集场所经营单位，应当建立应急救援队伍；其中，小型企业或者微型企业等规模"
    "较小的生产经营单位，可以不建立应急救援队伍，但应当指定兼职的应急救援人员。",
)  # fmt: skip


@pytest.mark.parametrize(
    ("chunk", "bearer"),
    [
        (_PLANNING, {GOVERNMENT}),
        (_TEAMS, {UNIT}),  # the kinds of units listed before the duty
        (
            _article(
                "安全生产法",
                "法律",
                65,
                "第六十五条 应急管理部门和其他负有安全生产监督管理职责的部门依法开展安全生产行政执法工作。",
            ),
            {GOVERNMENT},
        ),  # fmt: skip
        (_article("安全生产法", "法律", 28, "第二十八条 生产经营单位应当对从业人员进行安全生产教育和培训。"), {UNIT}),
        (_article("安全生产法", "法律", 3, "第三条 安全生产工作坚持中国共产党的领导。"), set()),
    ],
)
def test_who_a_provision_binds_is_named_at_its_head(chunk, bearer):
    assert duty_bearers(chunk) == bearer


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("我们是一家二十来人的小型建筑施工企业，必须单独建一支应急救援队伍吗？", True),
        ("我们厂今天出了事故，老板想过半天再往上报，这样行吗？", True),
        ("我在镇上开了个小饭馆，要装燃气报警器吗？", True),
        ("我们是县应急管理局执法大队，企业拒不整改怎么办？", False),  # an officer
        ("应急救援队伍由谁来建？", False),  # no one says who asks
    ],
)
def test_a_unit_asking_of_itself_is_told_from_an_officer(question, unit):
    assert asked_as_unit(question) is unit


def test_a_unit_asking_of_its_own_duty_is_answered_by_the_provision_binding_units():
    records = [record("生产安全事故应急条例", "行政法规")]
    # as in a real index, 应急救援队伍 is held by both; the ranker put the government's duty first
    common = {"应急": 0.6, "救援": 0.8, "队伍": 0.8, "应急救援": 0.8}
    unit = _weighed(
        "我们是一家二十来人的小型建筑施工企业，必须单独建一支应急救援队伍吗？", records, [_PLANNING, _TEAMS], common
    )
    assert unit.sources[0].chunk.article_num == 10 and "指定兼职的应急救援人员" in unit.text, unit.text
    officer = _weighed("县政府在应急救援队伍建设上要做什么？", records, [_PLANNING, _TEAMS], common)
    assert officer.sources[0].chunk.article_num == 9, officer.text
