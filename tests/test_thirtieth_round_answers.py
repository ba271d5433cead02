"""Round 30 (issue 15): figures asked in words the answer did not read as asking one.

- A count in any measure word: 分几等, 配几具灭火器, 几部 ask a number of things as 几台 does; the related provision
  that states none was quoted as if it answered.
- A share asked as 百分之几 (like 百分之多少), a rate by its noun (保费费率大概多少), a limit asked with a verb between
  (氧含量最低是多少; 保额, 保费, 限额 are sums).
- A share asked of no penalty (安全文明施工费按工程造价的百分之几计取) is not the share of a fine (处挪用费用20%以上50%
  以下的罚款), as a sum asked of no penalty is not a fine's amount."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _composed

from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from ingest.settings import Settings


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.mark.parametrize(
    ("question", "kind", "stated", "not_stated"),
    [
        ("尾矿库按库容和坝高分几等？", "count", "尾矿库分为五等", "应当采取预防措施"),
        ("一百平的小饭馆要配几具灭火器？", "count", "配置2具灭火器", "配备消防设施和灭火器材"),
        ("施工费按工程造价的百分之几计取？", "ratio", "按工程造价的2%计取", "应当确定所需费用"),
        ("保费费率大概多少？", "ratio", "费率为0.5%", "应当投保安全生产责任保险"),
        ("安责险每人的保额最低是多少？", "money", "每人不低于30万元", "应当投保安全生产责任保险"),
        ("有限空间氧含量最低是多少？", "limit", "氧含量不得低于19.5%", "应当检测氧含量"),
    ],
)
def test_a_figure_asked_in_other_words_is_a_figure_asked(asks, question, kind, stated, not_stated):
    ask = asks.asked(question)
    assert ask is not None and ask.kind == kind
    assert ask.stated_in(stated) and not ask.stated_in(not_stated)


@pytest.mark.parametrize(
    "question", ["一把手的职责有哪些？", "这几部法律有什么区别？", "配备比例有什么规定？", "安全距离有什么要求？"]
)
def test_words_that_count_nothing_and_what_a_rule_requires_ask_no_figure(asks, question):
    assert asks.asked(question) is None


def test_a_count_no_provision_states_is_declined_with_the_related_provisions():
    fire = _article(
        "建设工程安全生产管理条例", "行政法规", 31,
        "第三十一条 施工单位应当在施工现场建立消防安全责任制度，确定消防安全责任人，设置消防通道、消防水源，配备消防设施和"
        "灭火器材，并在施工现场入口处设置明显标志。",
    )  # fmt: skip
    answer = _composed("一百平的小饭馆要配几具灭火器？", [record("建设工程安全生产管理条例", "行政法规")], [fire])
    assert answer.abstained and "可能相关" in answer.text


def test_a_share_asked_of_no_penalty_is_not_the_share_of_a_fine(asks):
    misuse = "施工单位挪用列入建设工程概算的安全生产作业环境及安全施工措施所需费用的，责令限期改正，处挪用费用20%以上50%以下的罚款"
    ask = asks.asked("安全文明施工费按工程造价的百分之几计取？")
    assert ask is not None and not ask.stated_in(misuse)
    assert ask.stated_in("安全施工措施费按照工程造价的2%计取")
    fined = asks.asked("挪用安全费用罚款是挪用金额的百分之几？")
    assert fined is not None and fined.stated_in(misuse)
    penalty = _article(
        "建设工程安全生产管理条例",
        "行政法规",
        63,
        f"第六十三条 违反本条例的规定，{misuse}；造成损失的，依法承担赔偿责任。",
    )
    answer = _composed(
        "安全文明施工费按工程造价的百分之几计取？", [record("建设工程安全生产管理条例", "行政法规")], [penalty]
    )
    assert answer.abstained
