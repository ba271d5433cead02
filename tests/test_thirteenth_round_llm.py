"""Hostile round 13 (report in /tmp/rt14/README.md, G01–G09), LLM mode: replies that passed the check unmarked.

- a sentence with no [n] marker was never checked (G08): it is checked against the sources the reply cites (or a
  source it restates that the reply does not cite; every source when the reply cites none), for figures, bounds,
  deadlines, penalties and what it binds — 一百二十人的企业不用设 after …应当设置安全生产管理机构[1] is marked;
  a correct restatement and a sentence with nothing to check (如需进一步了解…) are not;
- time spans in other writings (两个来小时, 2h, 48hrs, 90 min, two hours, 两个点, 一个半点钟, 三刻钟, 一个礼拜,
  三个钟, 个把小时) are read as figures; an approximate time is not the exact limit it rounds (G01);
- deadlines loosened in words (可以等一宿再报告, 过一夜再报告, 不必急于报告, 先处置再报告) are marked (G02);
- money in other writings (五十个w, 五十万大洋, 500k元, RMB 500,000, 半百万元, 五十万圆, 五十个万, 最高可罚五十万)
  is read in 元, or as a figure of no unit (G03);
- a bound word that says whether its number is included (不少于, 至少, 满, ≥ include it; 超过, 不足 do not) must
  agree with the article (超过一百人 excludes 100); 以上 / 以下 alone stay the common reading (G04);
- people counted with 号人, 个员工, 名职工, and 上千人 / 近千人 (G05); 七折, 四成半 (G06);
- a law or a decree a sentence names as its basis (根据《特种设备安全法》, 依照国务院第493号令) must be the source it
  rests on (G07; decree numbers from knowledge/document_aliases.yaml);
- a reply the endpoint's content filter stopped (finish_reason content_filter) says so (G09).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from fake_openai import FakeOpenAI
from test_seventh_round_llm import STAFFING
from test_twelfth_round_llm import _completion, _composer, _Stream

from assistant.answer import Answer
from assistant.llm import LlmComposer, figures
from assistant.llm.client import EmptyReply
from assistant.llm.reply import CUT_NOTE, FILTER_NOTE, clean_reply
from assistant.llm.verification import (
    CASE_MARK,
    DEADLINE_MARK,
    FIGURE_MARK,
    INCLUSION_MARK,
    MISQUOTE_MARK,
    NAMED_SOURCE_MARK,
    NEGATION_MARK,
    PENALTY_MARK,
    QUALIFIER_MARK,
    ROLE_MARK,
    SOURCE_MARK,
    UNKNOWN_ARTICLE_MARK,
    verify,
)
from ingest.settings import Settings
from ingest.store import StoredChunk

MARKS = (
    FIGURE_MARK,
    CASE_MARK,
    NEGATION_MARK,
    QUALIFIER_MARK,
    DEADLINE_MARK,
    PENALTY_MARK,
    ROLE_MARK,
    INCLUSION_MARK,
    SOURCE_MARK,
    NAMED_SOURCE_MARK,
    MISQUOTE_MARK,
    UNKNOWN_ARTICLE_MARK,
)

LAW = {"doc_id": "安全生产法(2021-06-10)", "title": "中华人民共和国安全生产法", "unit": "article", "kind": "法律"}
SPECIAL = {
    "doc_id": "特种设备安全法(2013-06-29)",
    "title": "中华人民共和国特种设备安全法",
    "unit": "article",
    "kind": "法律",
}
REPORTING = {
    "doc_id": "生产安全事故报告和调查处理条例(2007-04-09)",
    "title": "生产安全事故报告和调查处理条例",
    "unit": "article",
    "kind": "行政法规",
}


def _article(meta: dict, number: int, label: str, text: str) -> StoredChunk:
    return StoredChunk(
        f"{meta['doc_id']}-{number}",
        f"{label} {text}",
        {**meta, "article": label, "article_num": number, "article_sub": 0},
    )


# the report's articles
A24 = _article(
    LAW,
    24,
    "第二十四条",
    "矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、装卸单位，应当设置安全生产管理机构或者配备专职"
    "安全生产管理人员。\n前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职"
    "安全生产管理人员；从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。",
)
T36 = _article(
    SPECIAL,
    36,
    "第三十六条",
    "电梯、客运索道、大型游乐设施等为公众提供服务的特种设备的运营使用单位，应当对特种设备的使用安全负责，设置特种设备"
    "安全管理机构或者配备专职的特种设备安全管理人员；其他特种设备使用单位，应当根据情况设置特种设备安全管理机构或者"
    "配备专职、兼职的特种设备安全管理人员。",
)
R9 = _article(
    REPORTING,
    9,
    "第九条",
    "事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内向事故发生地县级以上"
    "人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告。\n情况紧急时，事故现场有关人员可以直接向"
    "事故发生地县级以上人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告。",
)
F97 = _article(
    LAW,
    97,
    "第九十七条",
    "生产经营单位有下列行为之一的，责令限期改正，处十万元以下的罚款；逾期未改正的，责令停产停业整顿，并处十万元以上"
    "二十万元以下的罚款，对其直接负责的主管人员和其他直接责任人员处二万元以上五万元以下的罚款：\n（一）未按照规定设置"
    "安全生产管理机构或者配备安全生产管理人员、注册安全工程师的；",
)
P95 = _article(
    LAW,
    95,
    "第九十五条",
    "生产经营单位的主要负责人未履行本法规定的安全生产管理职责，导致发生生产安全事故的，由应急管理部门依照下列规定处以"
    "罚款：\n（一）发生一般事故的，处上一年年收入百分之四十的罚款；\n（二）发生较大事故的，处上一年年收入百分之六十的"
    "罚款；",
)
# a local plan holding a figure (三百人) no article states
PLAN = StoredChunk(
    "plan-1",
    "本公司现有从业人员三百人，分三个班组，每季度开展一次应急演练。",
    {"doc_id": "某公司安全生产工作计划", "title": "某公司2025年安全生产工作计划", "unit": "section", "kind": "计划"},
)


def _answer(reply: str, *chunks: StoredChunk, question: str = "我们厂120个人要设机构吗") -> Answer:
    composer = LlmComposer(Settings(), model=object())  # type: ignore[arg-type]
    return composer.finish(question, list(chunks), reply)


def _body(answer: Answer) -> str:
    """What the reply says, marks included (the sources and notes below it left out)."""
    return answer.text.split("\n\n依据：")[0]


def _marked(reply: str, *chunks: StoredChunk, mark: str | None = None) -> Answer:
    answer = _answer(reply, *chunks)
    body = _body(answer)
    assert (mark in body) if mark else any(m in body for m in MARKS), answer.text
    assert "\n核验：" in answer.text, answer.text
    return answer


def _unmarked(reply: str, *chunks: StoredChunk) -> Answer:
    answer = _answer(reply, *chunks)
    assert not any(m in answer.text for m in MARKS), answer.text
    assert "核验：" not in answer.text, answer.text
    return answer


def _ids(prefix: str, cases: list) -> list[str]:
    return [f"{prefix}{n}" for n in range(len(cases))]


# --- G08: a sentence with no marker ---------------------------------------------------------------------------------

UNCITED_WRONG = [
    # the report's reply: a wrong threshold and a wrong conclusion after a correct cited sentence
    (
        "从业人员超过一百人的，应当设置安全生产管理机构[1]。其实超过三百人的才需要设置，一百二十人的企业不用设。",
        (A24,),
        FIGURE_MARK,
    ),
    ("从业人员超过一百人的，应当设置安全生产管理机构[1]。一百二十人的企业不用设。", (A24,), NEGATION_MARK),
    ("从业人员超过一百人的，应当设置安全生产管理机构[1]。其实不需要设置安全生产管理机构。", (A24,), NEGATION_MARK),
    ("从业人员超过一百人的，应当设置安全生产管理机构[1]。实际上超过五百人才需要设置。", (A24,), FIGURE_MARK),
    (
        "从业人员超过一百人的，应当设置安全生产管理机构[1]。\n\n结论：贵厂120人，不需要设置安全生产管理机构。",
        (A24,),
        NEGATION_MARK,
    ),
    # a source the reply does not cite holds the figure, but the sentence restates the cited article
    ("从业人员超过一百人的，应当设置安全生产管理机构[1]。其实超过三百人的才需要设置。", (A24, PLAN), FIGURE_MARK),
    ("单位负责人接到报告后，应当于1小时内报告[1]。一般来说两小时内报告也可以。", (R9,), FIGURE_MARK),
    ("单位负责人接到报告后，应当于1小时内报告[1]。不过实际上可以等一宿再报告。", (R9,), DEADLINE_MARK),
    ("单位负责人接到报告后，应当于1小时内报告[1]。其实不必急于报告。", (R9,), DEADLINE_MARK),
    ("未设置安全生产管理机构的，处十万元以下的罚款[1]。情节严重的，最高可罚五十万元。", (F97,), FIGURE_MARK),
    ("未设置安全生产管理机构的，处十万元以下的罚款[1]。另外还会被吊销营业执照。", (F97,), PENALTY_MARK),
    ("发生一般事故的，处上一年年收入百分之四十的罚款[1]。较大事故则是百分之七十。", (P95,), FIGURE_MARK),
    # a reply citing nothing at all: every sentence is checked against every source
    ("从业人员超过三百人的，应当设置安全生产管理机构。", (A24,), FIGURE_MARK),
]


@pytest.mark.parametrize(("reply", "articles", "mark"), UNCITED_WRONG, ids=_ids("uncited_wrong", UNCITED_WRONG))
def test_a_wrong_sentence_without_a_marker_is_marked(reply, articles, mark):
    _marked(reply, *articles, mark=mark)


def test_the_reports_uncited_tail_is_marked_where_it_is_wrong():
    answer = _marked(
        "从业人员超过一百人的，应当设置安全生产管理机构[1]。其实超过三百人的才需要设置，一百二十人的企业不用设。", A24
    )
    body = _body(answer)
    assert body.startswith("从业人员超过一百人的，应当设置安全生产管理机构[1]。其实"), body  # the cited one: unmarked
    assert f"三百人{FIGURE_MARK}" in body
    assert body.endswith(f"不用设。{NEGATION_MARK}")
    assert "处数字未能在所引条文中核对，已标注：三百人" in answer.text


UNCITED_RIGHT = [
    (
        "从业人员超过一百人的，应当设置安全生产管理机构[1]。贵厂有120人，超过了一百人，所以应当设置安全生产管理机构或者"
        "配备专职安全生产管理人员。",
        (A24,),
    ),
    ("从业人员超过一百人的，应当设置安全生产管理机构[1]。如需进一步了解，请咨询当地应急管理部门。", (A24,)),
    (
        "从业人员超过一百人的，应当设置安全生产管理机构[1]。也就是说，一百人以下的单位可以不设机构，但应当配备专职或者"
        "兼职的安全生产管理人员。",
        (A24,),
    ),
    ("从业人员超过一百人的，应当设置安全生产管理机构[1]。综上，建议尽快设置安全生产管理机构。以上仅供参考。", (A24,)),
    (
        "## 结论\n\n贵厂120人，超过一百人，应当设置安全生产管理机构或者配备专职安全生产管理人员[1]。\n\n## 说明\n\n"
        "- 从业人员超过一百人的，应当设置安全生产管理机构[1]；\n- 从业人员在一百人以下的，应当配备专职或者兼职的安全生产"
        "管理人员[1]。\n\n如有疑问，请联系当地应急管理部门。",
        (A24,),
    ),
    # a correct restatement of a source the reply does not cite
    ("从业人员超过一百人的，应当设置安全生产管理机构[1]。另外，发生事故后，单位负责人应当在1小时内报告。", (A24, R9)),
    (
        "从业人员超过一百人的，应当设置安全生产管理机构[1]。事故发生后，现场有关人员应当立即向本单位负责人报告。",
        (A24, R9),
    ),
    ("单位负责人接到报告后，应当于1小时内报告[1]。之后应当及时整理材料，随后立即组织抢救。", (R9,)),
    ("未设置安全生产管理机构的，处十万元以下的罚款[1]。逾期未改正的，罚款提高到十万元以上二十万元以下。", (F97,)),
]


@pytest.mark.parametrize(("reply", "articles"), UNCITED_RIGHT, ids=_ids("uncited_right", UNCITED_RIGHT))
def test_a_correct_or_empty_sentence_without_a_marker_is_not_marked(reply, articles):
    _unmarked(reply, *articles)


def test_a_conclusion_stating_no_headcount_is_about_the_questions():
    """不需要设置 in a sentence naming no headcount is about the 50 people the question states (一百人以下: no
    机构 needed), and about the 120 people of another question (超过一百人: one is)."""
    reply = "从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员[1]。所以贵厂不需要设置安全生产管理机构。"
    fifty = _answer(reply, STAFFING, question="我们厂50个人要设机构吗")
    assert not any(m in fifty.text for m in MARKS), fifty.text
    hundred_twenty = _answer(reply, STAFFING, question="我们厂120个人要设机构吗")
    assert _body(hundred_twenty).endswith(f"不需要设置安全生产管理机构。{NEGATION_MARK}"), hundred_twenty.text


def test_a_correct_reply_citing_nothing_is_warned_about_but_not_marked():
    answer = _answer("从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员。", A24)
    assert "没有注明任何依据编号" in answer.text
    assert not any(m in answer.text for m in MARKS) and "核验：" not in answer.text, answer.text


def test_a_plan_drafts_own_wording_is_not_held_to_the_sources():
    """verify() leaves sentences without a marker alone unless asked (the plan writer calls it so: a plan's dates
    and counts are its own)."""
    text, report, _ = verify("每季度开展2次应急演练，6月30日前完成。超过一百人的应当设置安全生产管理机构[1]。", [A24])
    assert FIGURE_MARK not in text and not report.figures
    text, report, _ = verify("每季度开展2次应急演练。超过一百人的应当设置安全生产管理机构[1]。", [A24], uncited=True)
    assert f"2次{FIGURE_MARK}" in text and report.figures == ["2次"]


# --- G01: time spans ------------------------------------------------------------------------------------------------

REPORT_WITHIN = "单位负责人接到报告后，应当在{}内向安全生产监督管理部门报告[1]。"
WRONG_TIMES = [
    "两个来小时", "2h", "48hrs", "90 min", "two hours", "两个点", "一个半点钟", "三刻钟", "一个礼拜", "三个钟", "个把小时",
    "3 hrs", "120 mins", "2 hours", "2H", "1.5h", "48 hours", "ninety minutes", "two days", "两个钟点", "3个礼拜",
    "一刻钟", "一个多小时", "一个来小时", "六十多分钟",
]  # fmt: skip


@pytest.mark.parametrize("time", WRONG_TIMES)
def test_a_time_limit_in_other_writings_is_checked(time):
    answer = _marked(REPORT_WITHIN.format(time), R9, mark=FIGURE_MARK)
    assert f"{time}{FIGURE_MARK}" in answer.text


@pytest.mark.parametrize(
    "time", ["1h", "1 hr", "1 hour", "one hour", "60 min", "60 minutes", "一个钟", "一个点钟", "六十分钟", "一个钟头"]
)
def test_the_articles_time_limit_in_other_writings_is_not_marked(time):
    _unmarked(REPORT_WITHIN.format(time), R9)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("两个来小时", 120),
        ("2h", 120),
        ("48hrs", 2880),
        ("90 min", 90),
        ("two hours", 120),
        ("两个点", 120),
        ("一个半点钟", 90),
        ("三刻钟", 45),
        ("三个钟", 180),
        ("个把小时", 60),
        ("两个钟点", 120),
    ],
)
def test_time_spans_are_read_in_minutes(text, minutes):
    assert figures.keys(f"{text}内") == {("分钟", Fraction(minutes))}


def test_approximate_times_are_marked_as_approximate():
    assert all(f.approximate for f in figures.figures("两个来小时、个把小时、一个多小时"))
    assert figures.keys("一个礼拜") == {("日", Fraction(7))}


@pytest.mark.parametrize("text", ["下午三点钟", "设置两个点位", "安装三个钟表", "I day", "3D打印"])
def test_clock_times_and_things_are_no_time_spans(text):
    assert not any(unit == "分钟" for unit, _ in figures.keys(text)), figures.keys(text)


# --- G02: deadlines loosened in words -------------------------------------------------------------------------------

LOOSENED = [
    "单位负责人接到报告后，可以等一宿再向安全生产监督管理部门报告[1]。",
    "单位负责人接到报告后，可以过一夜再向安全生产监督管理部门报告[1]。",
    "单位负责人接到报告后，不必急于报告，可以先处置再向安全生产监督管理部门报告[1]。",
    "单位负责人接到报告后，可以等到天亮再向安全生产监督管理部门报告[1]。",
    "单位负责人接到报告后，可以先组织抢救，等处理完再向安全生产监督管理部门报告[1]。",
    "单位负责人接到报告后，可以两晚后再向安全生产监督管理部门报告[1]。",
    "单位负责人接到报告后，稍后向安全生产监督管理部门报告即可[1]。",
    "单位负责人接到报告后，可以明早再向安全生产监督管理部门报告[1]。",
    "单位负责人接到报告后，不用马上报告，事后补报即可[1]。",
    "事故发生后，事故现场有关人员不着急向本单位负责人报告，可以先处理现场[1]。",
]


@pytest.mark.parametrize("reply", LOOSENED, ids=_ids("loosened", LOOSENED))
def test_a_deadline_loosened_in_words_is_marked(reply):
    answer = _marked(reply, R9, mark=DEADLINE_MARK)
    assert "处时限与所引条文不一致" in answer.text


KEPT_DEADLINES = [
    "事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内向安全生产监督管理部门"
    "报告[1]。",
    "单位负责人应当立即组织抢救，并在1小时内报告[1]。",
    "单位负责人接到报告后，应当先在1小时内向安全生产监督管理部门报告，再组织调查[1]。",
    "单位负责人接到报告后，应当马上向安全生产监督管理部门报告，最迟不得超过1小时[1]。",
    "情况紧急时，事故现场有关人员可以直接向安全生产监督管理部门报告[1]。",
    "单位负责人接到报告后，当晚值班人员应当做好记录，并于1小时内向安全生产监督管理部门报告[1]。",
]


@pytest.mark.parametrize("reply", KEPT_DEADLINES, ids=_ids("kept_deadline", KEPT_DEADLINES))
def test_the_articles_deadlines_in_other_words_are_not_marked(reply):
    _unmarked(reply, R9)


# --- G03: money -----------------------------------------------------------------------------------------------------

FINE_BELOW = "未设置安全生产管理机构的，处{}以下的罚款[1]。"
WRONG_FINES = [
    FINE_BELOW.format(amount)
    for amount in (
        "五十个w", "五十万大洋", "500k元", "RMB 500,000", "半百万元", "五十万圆", "五十个万", "￥500,000", "CNY 500000",
        "500,000 yuan", "50个万元", "0.5M元", "人民币50万元", "五十万块大洋", "伍拾个萬",
    )
] + [
    "未设置安全生产管理机构的，最高可罚五十万[1]。",
    "未设置安全生产管理机构的，罚款最多五十个万[1]。",
    "未设置安全生产管理机构的，最高可罚50w[1]。",
    "未设置安全生产管理机构的，罚款五千[1]。",
]  # fmt: skip


@pytest.mark.parametrize("reply", WRONG_FINES, ids=_ids("wrong_fine", WRONG_FINES))
def test_a_fine_in_other_writings_is_checked(reply):
    _marked(reply, F97, mark=FIGURE_MARK)


RIGHT_FINES = [
    FINE_BELOW.format(amount)
    for amount in ("十个w", "十万大洋", "100k元", "RMB 100,000", "十万圆", "十个万", "￥100,000", "人民币10万元")
] + [
    "未设置安全生产管理机构的，最高可罚十万[1]。",
    "逾期未改正的，并处十万以上二十万以下的罚款[1]。",
    "未设置安全生产管理机构的，情况十万火急，千万不要拖延，否则处十万元以下的罚款[1]。",
]


@pytest.mark.parametrize("reply", RIGHT_FINES, ids=_ids("right_fine", RIGHT_FINES))
def test_the_articles_fine_in_other_writings_is_not_marked(reply):
    _unmarked(reply, F97)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("五十个w以下", ("", 500_000)),
        ("五十万大洋", ("元", 500_000)),
        ("500k元", ("元", 500_000)),
        ("RMB 500,000", ("元", 500_000)),
        ("半百万元", ("元", 500_000)),
        ("五十万圆", ("元", 500_000)),
        ("最高可罚五十万", ("", 500_000)),
        ("罚款最多五十个万", ("", 500_000)),
        ("五十万人民币", ("元", 500_000)),
    ],
)
def test_money_in_other_writings_is_read_in_yuan_or_as_a_figure_of_no_unit(text, key):
    assert figures.keys(text) == {(key[0], Fraction(key[1]))}


@pytest.mark.parametrize("text", ["十万火急", "千万不要", "马上千万别", "5kg", "10kW的电机", "一万个小心"])
def test_words_and_other_units_are_no_money(text):
    assert not any(unit in ("元", "") for unit, _ in figures.keys(text)), figures.keys(text)


# --- G04: whether a bound's number is included ----------------------------------------------------------------------

SET_UP = "从业人员{}的，应当设置安全生产管理机构[1]。"
STAFF = "从业人员{}的，应当配备专职或者兼职的安全生产管理人员[1]。"
INCLUDING_BOUNDS = [SET_UP.format(b) for b in ("不少于一百人", "至少一百人", "满一百人", "≥100人")] + [
    SET_UP.format(b)
    for b in ("大于等于100人", "不低于一百人", "最少一百人", "达到一百人", ">=100人", "大于或等于一百人")
]
EXCLUDING_BOUNDS = [STAFF.format(b) for b in ("不足一百人", "少于100人", "<100人", "未满一百人")]


@pytest.mark.parametrize(
    "reply", INCLUDING_BOUNDS + EXCLUDING_BOUNDS, ids=_ids("bound", INCLUDING_BOUNDS + EXCLUDING_BOUNDS)
)
def test_a_bound_word_putting_the_number_on_the_other_side_is_marked(reply):
    answer = _marked(reply, A24, mark=INCLUSION_MARK)
    assert "“含/不含本数”与所引条文不一致" in answer.text
    assert NEGATION_MARK not in answer.text  # 不低于, 不足: a bound, no negation of the duty


SAME_SIDE_BOUNDS = (
    [SET_UP.format(b) for b in ("超过一百人", "逾百人", "多于一百人", "大于100人", ">100人", "一百多人")]
    + [
        SET_UP.format(b)
        for b in ("一百人以上", "100人以上")  # 以上 alone: the common reading, as before
    ]
    + [STAFF.format(b) for b in ("不超过一百人", "一百人及以下", "≤100人", "至多一百人", "在一百人以下")]
)


@pytest.mark.parametrize("reply", SAME_SIDE_BOUNDS, ids=_ids("same_side", SAME_SIDE_BOUNDS))
def test_a_bound_word_putting_the_number_where_the_article_does_is_not_marked(reply):
    _unmarked(reply, A24)


def test_bound_words_say_whether_the_number_is_included():
    (at_least,) = figures.ends("不少于一百人")
    (over,) = figures.ends("超过一百人")
    (above,) = figures.ends("一百人以上")
    assert (at_least.lower, at_least.included, at_least.said) == (True, True, True)
    assert (over.lower, over.included, over.said) == (True, False, True)
    assert (above.lower, above.included, above.said) == (True, True, False)
    assert [b.bound for b in figures.bounds("≥100人")] == [("人", Fraction(100), None)]


# --- G05: headcounts ------------------------------------------------------------------------------------------------

WRONG_HEADCOUNTS = [
    SET_UP.format(h)
    for h in (
        "超过三百号人", "超过三百个员工", "超过三百名职工", "超过300个工人", "超过三百雇员", "超过三百个从业人员", "过千人",
        "超过300 staff",
    )
] + [
    "从业人员上千人的，才应当设置安全生产管理机构[1]。",
    "近千人的企业才应当设置安全生产管理机构[1]。",
    "上万人的企业才需要设置安全生产管理机构[1]。",
]  # fmt: skip


@pytest.mark.parametrize("reply", WRONG_HEADCOUNTS, ids=_ids("headcount", WRONG_HEADCOUNTS))
def test_a_headcount_in_other_words_is_checked(reply):
    _marked(reply, A24, mark=FIGURE_MARK)


@pytest.mark.parametrize("count", ["超过一百号人", "超过一百个员工", "超过100名职工", "超过一百个工人", "逾百人"])
def test_the_articles_headcount_in_other_words_is_not_marked(count):
    _unmarked(SET_UP.format(count), A24)


@pytest.mark.parametrize(
    ("text", "value"), [("三百号人", 300), ("三百个员工", 300), ("上千人", 1000), ("近百人", 100), ("300工人", 300)]
)
def test_headcounts_are_read_as_people(text, value):
    assert figures.keys(text) == {("人", Fraction(value))}


@pytest.mark.parametrize("text", ["成百上千人", "一个员工", "三百号", "马上千人"])
def test_vague_counts_articles_and_numbers_are_no_headcount(text):
    assert not any(unit == "人" for unit, _ in figures.keys(text)), figures.keys(text)


# --- G06: proportions -----------------------------------------------------------------------------------------------

FINE_SHARE = "发生一般事故的，处上一年年收入{}的罚款[1]。"


@pytest.mark.parametrize("share", ["七折", "四成半", "七五折", "7折", "三成半", "四成五", "8.5折"])
def test_a_proportion_as_a_discount_or_tenths_and_a_half_is_checked(share):
    answer = _marked(FINE_SHARE.format(share), P95, mark=FIGURE_MARK)
    assert f"{share}{FIGURE_MARK}" in answer.text


@pytest.mark.parametrize("share", ["四成", "四折", "百分之四十", "40%", "4成"])
def test_the_articles_proportion_in_other_words_is_not_marked(share):
    _unmarked(FINE_SHARE.format(share), P95)


@pytest.mark.parametrize(
    ("text", "percent"), [("七折", 70), ("七五折", 75), ("7.5折", 75), ("四成半", 45), ("四成五", 45), ("三成", 30)]
)
def test_discounts_and_tenths_are_percentages(text, percent):
    assert figures.keys(f"{text}的") == {("%", Fraction(percent))}


@pytest.mark.parametrize("text", ["折算成人民币", "打折", "三折叠", "骨折", "十折算"])
def test_words_with_zhe_that_are_no_proportion(text):
    assert not any(unit == "%" for unit, _ in figures.keys(text)), figures.keys(text)


# --- G07: the law a sentence names as its basis ---------------------------------------------------------------------

STAFFING_RULE = "从业人员超过一百人的，应当设置安全生产管理机构[1]。"
MISNAMED = [
    f"{basis}，{STAFFING_RULE}"
    for basis in (
        "根据《特种设备安全法》",
        "依照国务院第493号令",
        "依据国务院令第493号",
        "根据493号令",
        "依据国务院第四百九十三号令",
        "按照《生产安全事故报告和调查处理条例》",
        "根据《事故报告条例》",
        "根据《北京市安全生产条例》",
        "根据国务院第591号令",
        "依照国务院第999号令",  # a decree the pack does not know: 安全生产法 is a law, no State Council decree
    )
] + [
    f"《特种设备安全法》规定，{STAFFING_RULE}",
    "从业人员超过一百人的，应当设置安全生产管理机构，这是《特种设备安全法》的要求[1]。",
]


@pytest.mark.parametrize("reply", MISNAMED, ids=_ids("misnamed", MISNAMED))
def test_a_sentence_naming_another_law_as_its_basis_is_marked(reply):
    answer = _marked(reply, A24, mark=NAMED_SOURCE_MARK)
    assert "处句中所称的法规与所依据的资料不符" in answer.text
    assert "而[1]是《中华人民共和国安全生产法》第二十四条" in answer.text


def test_a_decree_is_named_with_its_title_in_the_note():
    answer = _marked(f"依照国务院第493号令，{STAFFING_RULE}", A24, mark=NAMED_SOURCE_MARK)
    assert "称依据国务院第493号令（即《生产安全事故报告和调查处理条例》）" in answer.text, answer.text


def test_a_sentence_without_a_marker_naming_another_law_than_the_one_it_copies_is_marked():
    _marked("根据《特种设备安全法》，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员。", A24)


RIGHTLY_NAMED = [
    (f"{basis}，{STAFFING_RULE}", (A24,))
    for basis in (
        "根据《安全生产法》",
        "根据《中华人民共和国安全生产法》",
        "依据《新安法》",
        "依照《安全生产法》的规定",
    )
] + [
    (f"根据《安全生产法》第二十四条，{STAFFING_RULE}", (A24,)),
    ("根据《安全生产许可证》的要求，从业人员超过一百人的，应当设置安全生产管理机构[1]。", (A24,)),  # no law's title
    ("依照国务院第493号令，单位负责人接到报告后，应当于1小时内向安全生产监督管理部门报告[1]。", (R9,)),
    ("依据国务院令第493号，单位负责人接到报告后，应当于1小时内向安全生产监督管理部门报告[1]。", (R9,)),
    ("根据《事故报告条例》，单位负责人接到报告后，应当于1小时内向安全生产监督管理部门报告[1]。", (R9,)),
    ("《生产安全事故报告和调查处理条例》规定，单位负责人接到报告后，应当于1小时内报告[1]。", (R9,)),
    (
        "根据《安全生产法》和《特种设备安全法》，相关单位应当设置安全管理机构或者配备管理人员[1][2]。",
        (A24, T36),
    ),
]


@pytest.mark.parametrize(("reply", "articles"), RIGHTLY_NAMED, ids=_ids("rightly_named", RIGHTLY_NAMED))
def test_a_sentence_naming_the_law_it_rests_on_is_not_marked(reply, articles):
    _unmarked(reply, *articles)


# --- G09: a reply the endpoint's content filter stopped -------------------------------------------------------------


def test_a_reply_stopped_by_the_content_filter_says_so_and_is_verified():
    cut = "从业人员超过三百人的[1]，不应当"
    with FakeOpenAI(lambda messages: _completion(cut, "content_filter")) as server:
        answer = _composer(server.base_url).compose("我们厂120个人要设机构吗", [A24])
    body = _body(answer)
    assert FILTER_NOTE in body and "内容过滤" in body, answer.text
    assert CUT_NOTE not in body
    assert f"三百人{FIGURE_MARK}" in body  # still verified
    assert body.index("不应当") < body.index(FILTER_NOTE)


def test_a_reply_without_a_marker_stopped_by_the_content_filter_says_so_too():
    with FakeOpenAI(lambda messages: _completion("从业人员超过一百人的，", "content_filter")) as server:
        answer = _composer(server.base_url).compose("我们厂120个人要设机构吗", [A24])
    assert FILTER_NOTE in answer.text and "没有注明任何依据编号" in answer.text, answer.text


def test_an_empty_reply_stopped_by_the_content_filter_names_the_filter():
    with FakeOpenAI(lambda messages: _completion("", "content_filter")) as server:
        with pytest.raises(EmptyReply) as raised:
            _composer(server.base_url).compose("我们厂120个人要设机构吗", [A24])
    assert "内容过滤" in raised.value.reason


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_streamed_reply_stopped_by_the_content_filter_says_so():
    with _Stream(["从业人员超过一百人的[1]，", "不应当"], "content_filter") as server:
        items = list(_composer(server.base_url).compose_stream("我们厂120个人要设机构吗", [A24]))
    final = items[-1]
    assert not isinstance(final, str)
    assert FILTER_NOTE in final.text and CUT_NOTE not in final.text, final.text


def test_the_filter_note_survives_cleaning():
    assert clean_reply(f"应当设置[1]。\n\n{FILTER_NOTE}").endswith(FILTER_NOTE)


def test_a_reply_finished_normally_has_no_filter_note():
    with FakeOpenAI(lambda messages: _completion(STAFFING_RULE)) as server:
        answer = _composer(server.base_url).compose("我们厂120个人要设机构吗", [A24])
    assert FILTER_NOTE not in answer.text and "内容过滤" not in answer.text
