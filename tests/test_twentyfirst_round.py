"""Round 21 (issue 15): a national rule on one class of accidents applies to that class.

国务院关于特大安全事故行政责任追究的规定 holds local governments and their officials to account for 特大安全事故; 国务院关于
预防煤矿生产安全事故的特别规定 governs coal mines. Like a sector rule (煤矿安全生产条例 → 煤矿), such a rule is read as
governing the class its title names, so a question about anything else (a company doing dangerous work without a
permit, how often a company inspects itself) is not answered by a government meeting or an approval officer's duty.
"""

from __future__ import annotations

import pytest
from test_eighteenth_round import _subject

from ingest.legal_forms import default_forms

SPECIAL_RULE = "国务院关于特大安全事故行政责任追究的规定"


@pytest.mark.parametrize(
    ("title", "governs"),
    [
        (SPECIAL_RULE, "特大"),
        ("国务院关于预防煤矿生产安全事故的特别规定", "煤矿"),
        ("国务院关于职工工作时间的规定", ""),  # no class of accidents: every matter's
        ("国务院关于进一步加强安全生产工作的决定", ""),
        ("生产安全事故报告和调查处理条例", ""),
        ("最高人民法院、最高人民检察院关于办理危害生产安全刑事案件适用法律若干问题的解释", ""),
    ],
)
def test_a_rule_on_one_class_of_accidents_governs_that_class(title, governs):
    assert default_forms().sector(title) == governs


@pytest.mark.parametrize(
    ("question", "unasked"),
    [
        ("企业没有审批就进行动火作业，会受到什么处罚？", 1.0),
        ("企业多长时间要组织一次安全生产检查？", 1.0),
        ("发生特大安全事故，市长要承担什么责任？", 0.0),
        ("特别重大事故的责任人怎么追究？", 0.0),
    ],
)
def test_a_question_not_about_that_class_does_not_ask_about_the_rule(question, unasked):
    assert _subject(SPECIAL_RULE, "行政法规", question) == unasked
