"""Round 31 (issue 15): questions in the words people use, read as they mean them.

- A title of issuers, 关于 and a matter is named by its matter loosely, as it is exactly (按照预防煤矿事故的特别规定
  names 国务院关于预防煤矿生产安全事故的特别规定; test_retrieval_stages).
- A place's own text named by title without marks (广东省安全生产条例) is its rules asked about; of a place the
  library holds none of, the answer says so (test_twentyseventh_round_answers).
- A 几 telling of an act done, in a clause before the one asking (卖了几天烟花，被查到会怎样; 过期几个月了还在生产，
  怎么处理), is a number the asker knows roughly: it asks no period, and the period of another provision was quoted.
- What happens once caught (被查到的话会怎么样) asks the consequence of a breach: its penalty."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _composed

from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import PENALTY, provision_asked
from ingest.settings import Settings


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("隔壁没办证就先卖了几天烟花，被查到的话会怎么样？", None),  # for a few days, told
        ("许可证已经过期几个月了还在生产，应该怎么处理？", None),
        ("塔吊验收还没弄就先吊了几天料，罚款大概多少？", "money"),  # the sum asked, not the days told
        ("一季度一共发生了几起生产安全事故？", "count"),  # asked in the last clause: asked
        ("事故发生后几小时内要上报？", "time"),
        ("已经停产几个月了，多久要复查一次？", "frequency"),
    ],
)
def test_a_number_told_roughly_of_an_act_done_asks_no_figure(asks, question, kind):
    ask = asks.asked(question)
    assert (ask.kind if ask else None) == kind


@pytest.mark.parametrize(
    ("question", "penalty"),
    [
        ("没办证就先卖烟花，被查到的话会怎么样？", True),
        ("坐高铁带两盒烟花，被查到会怎样？", True),
        ("无证开叉车被发现了咋办？", True),
        ("这样操作安全上会怎么样？", False),  # no breach caught: what happens is asked, not its penalty
        ("有限空间作业要注意什么？", False),
    ],
)
def test_what_happens_once_caught_asks_the_penalty(question, penalty):
    assert (provision_asked(question) == PENALTY) is penalty


def test_a_breach_told_with_a_rough_number_is_answered_by_its_penalty_not_a_period():
    duty = _article(
        "烟花爆竹安全管理条例", "行政法规", 19,
        "第十九条 申请从事烟花爆竹零售的经营者，应当向所在地县级人民政府安全生产监督管理部门提出申请。"
        "受理申请的部门应当自受理申请之日起20日内对提交的有关材料和经营场所进行审查。",
    )  # fmt: skip
    penalty = _article(
        "烟花爆竹安全管理条例", "行政法规", 36,
        "第三十六条 对未经许可经营烟花爆竹制品的，由安全生产监督管理部门责令停止非法经营活动，"
        "处2万元以上10万元以下的罚款，并没收非法经营的物品及违法所得。",
    )  # fmt: skip
    answer = _composed(
        "隔壁没办零售许可证就先卖了几天烟花，被查到的话会怎么样？",
        [record("烟花爆竹安全管理条例", "行政法规")],
        [duty, penalty],
    )
    assert not answer.abstained
    assert answer.text.startswith("依据《烟花爆竹安全管理条例》第三十六条") and "20日内" not in answer.text


@pytest.mark.parametrize(
    ("question", "act"),
    [("特种设备作业人员证几年要复审一次？", "复审"), ("压力容器几个月检验一次？", "检验"), ("多久修订一次？", "修订")],
)
def test_how_often_asked_by_a_number_of_periods_names_the_act_asked_about(asks, question, act):
    ask = asks.asked(question)
    assert ask is not None and ask.kind == "frequency" and ask.act == act


def test_how_often_an_act_is_done_is_not_answered_by_a_provision_on_another_act():
    """电梯、叉车这些特种设备作业人员证几年要复审一次 was answered by the period after which an installer hands over
    documents: the act asked (复审) is named by no provision found."""
    other = _article(
        "特种设备安全监察条例", "行政法规", 28,
        "第二十八条 特种设备使用单位应当按照安全技术规范的定期检验要求，每2年对在用特种设备进行一次定期检验。"
        "特种设备作业人员应当持证上岗。",
    )  # fmt: skip
    answer = _composed("特种设备作业人员证几年要复审一次？", [record("特种设备安全监察条例", "行政法规")], [other])
    assert answer.abstained and "第二十八条" in answer.text  # listed as related only
