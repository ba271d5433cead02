"""Hostile rounds 8 and 9 (issue 16), LLM mode: the checks a reply could still slip past.

- a figure whose unit is left out but which is stated as a measure (三百左右的, 300以上的) is checked by its value
  (rt8 M2);
- words that leave the choice to the unit (鼓励, 视情况, 酌情, 自愿) where the law says 应当 turn the duty into
  none (rt8 M6);
- a duty copied and then denied by a verb alone later in the sentence (应当设置……——这一说法是错误的，实际上不用
  设置; 应当设置……；确有困难的，可以暂缓设置) is marked: the verb binds what it bound before (rt8 M10, rt10 E6);
- 建议 for 应当 is marked (rt10 E2); a double negative (不能不设置) binds as an obligation (rt10 F3);
- a near copy that adds a qualifier the article lacks (原则上不得, 除小微企业外应当) is marked (rt10 E5, E7).
Faithful replies stay unmarked.
"""

from __future__ import annotations

import pytest
from test_seventh_round_llm import ENTRUSTING, LEASING, STAFFING, _article, _verified

from assistant.llm import figures
from assistant.llm.verification import FIGURE_MARK, NEGATION_MARK, QUALIFIER_MARK

INSURANCE = _article(
    51,
    "第五十一条",
    "国家鼓励生产经营单位投保安全生产责任保险；属于国家规定的高危行业、领域的生产经营单位，应当投保安全生产责任保险。",
)


@pytest.mark.parametrize("figure", ["三百左右", "300以上", "三百上下", "二百以内", "叁佰以上"])
def test_a_figure_without_its_unit_is_checked_by_its_value(figure):
    answer = _verified(f"从业人员超过{figure}的才应当设置安全生产管理机构[1]。", STAFFING)
    assert FIGURE_MARK in answer.text, answer.text


@pytest.mark.parametrize("figure", ["一百以上", "100以上", "一百左右"])
def test_a_figure_without_its_unit_the_source_states_is_not_marked(figure):
    answer = _verified(f"从业人员在{figure}的单位应当设置安全生产管理机构或者配备专职安全生产管理人员[1]。", STAFFING)
    assert FIGURE_MARK not in answer.text, answer.text


@pytest.mark.parametrize(
    "text", ["一以上", "第三百以下", "GB 50016以下", "2021年以上", "三级以上"], ids=lambda t: t.encode().hex()[:12]
)
def test_ordinals_codes_years_and_one_are_no_unitless_figures(text):
    assert [f for f in figures.figures(text) if f.key[0] == figures.UNSTATED] == []


@pytest.mark.parametrize("word", ["鼓励", "视情况", "酌情", "自愿", "提倡", "建议", "可以暂缓"])
def test_a_duty_turned_into_a_choice_is_marked(word):
    reply = (
        f"前款规定以外的其他生产经营单位，从业人员超过一百人的，{word}设置安全生产管理机构或者配备专职安全生产管理"
        "人员[1]。"
    )
    assert NEGATION_MARK in _verified(reply, STAFFING).text


@pytest.mark.parametrize(
    ("reply", "article"),
    [
        ("国家鼓励生产经营单位投保安全生产责任保险[1]。", INSURANCE),
        ("高危行业、领域的生产经营单位应当投保安全生产责任保险，其他单位国家鼓励投保[1]。", INSURANCE),
        ("生产经营单位可以委托依法设立的机构提供安全生产技术、管理服务[1]。", ENTRUSTING),
    ],
)
def test_encouragement_the_law_states_is_not_marked(reply, article):
    assert NEGATION_MARK not in _verified(reply, article).text


@pytest.mark.parametrize(
    "tail",
    ["——这一说法是错误的，实际上不用设置", "，但实际上并不需要设置", "，这种说法不对，可以不设置"],
    ids=["dash", "but", "denied"],
)
def test_a_duty_copied_then_denied_by_the_verb_alone_is_marked(tail):
    reply = (
        "前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员"
        f"{tail}[1]。"
    )
    assert NEGATION_MARK in _verified(reply, STAFFING).text


@pytest.mark.parametrize(
    "reply",
    [
        "超过一百人的应当设置安全生产管理机构或者配备专职安全生产管理人员，两者设置其一即可[1]。",
        "应当设置安全生产管理机构或者配备专职安全生产管理人员；一百人以下的，应当配备专职或者兼职的安全生产管理"
        "人员，不用设置机构[1]。",
    ],
)
def test_a_verb_repeated_for_another_case_is_not_marked(reply):
    assert NEGATION_MARK not in _verified(reply, STAFFING).text


def test_a_verb_alone_after_a_semicolon_binds_what_the_sentence_bound_before_it():
    """rt10 E6: 应当设置……；确有困难的，可以暂缓设置 — the second piece's 设置 is the first piece's duty."""
    reply = "从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员；确有困难的，可以暂缓设置[1]。"
    assert NEGATION_MARK in _verified(reply, STAFFING).text


@pytest.mark.parametrize("word", ["不能不", "不得不", "不可不"])
def test_a_double_negative_binds_as_an_obligation(word):
    """rt10 F3: 不能不设置 is 必须设置, no turned duty."""
    reply = f"从业人员超过一百人的，{word}设置安全生产管理机构或者配备专职安全生产管理人员[1]，二者必居其一。"
    assert NEGATION_MARK not in _verified(reply, STAFFING).text


@pytest.mark.parametrize(
    ("reply", "article", "qualifier"),
    [
        (
            "从业人员超过一百人的，除小微企业外，应当设置安全生产管理机构或者配备专职安全生产管理人员[1]。",
            STAFFING,
            "除小微企业外",
        ),
        (
            "从业人员超过一百人的，原则上应当设置安全生产管理机构或者配备专职安全生产管理人员[1]。",
            STAFFING,
            "原则上",
        ),
        (
            "生产经营单位原则上不得将生产经营项目、场所、设备发包或者出租给不具备安全生产条件的单位[1]。",
            LEASING,
            "原则上",
        ),
        (
            "一般情况下，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员[1]。",
            STAFFING,
            "一般情况下",
        ),
    ],
)
def test_a_near_copy_that_adds_a_qualifier_the_article_lacks_is_marked_and_named(reply, article, qualifier):
    """A duty or a prohibition with no exception in the law is not one 原则上 or 除小微企业外."""
    answer = _verified(reply, article)
    assert QUALIFIER_MARK in answer.text and NEGATION_MARK not in answer.text, answer.text
    assert f"加了所引条文没有的例外或限定（{qualifier}）" in answer.text, answer.text


def test_a_qualifier_the_article_has_is_not_marked():
    article = _article(
        99,
        "第九十九条",
        "除本法另有规定外，生产经营单位应当在有较大危险因素的生产经营场所设置明显的安全警示标志；确有困难的，"
        "经批准可以延期设置。",
    )
    reply = "除本法另有规定外，生产经营单位应当在有较大危险因素的生产经营场所设置明显的安全警示标志；确有困难的，经批准可以延期设置[1]。"
    assert QUALIFIER_MARK not in _verified(reply, article).text
