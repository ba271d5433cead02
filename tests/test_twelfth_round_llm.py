"""Hostile round 12 (report in /tmp/rt12/README.md), LLM mode: changes to what a cited article sets out that the
check let through, and replies the endpoint sends in other shapes.

- time in colloquial units: 钟头 is an hour (两个钟头, 半个钟头, 一个半钟头), 俩 and 仨 are numerals (俩小时) (F05);
- money in colloquial units: 五十万块, 十万块钱, 50w元, 5w (F06);
- a figure with no unit after a bound word (超过三百的单位, 超过300的, 员工数超过三百时) is checked by its value (F07);
- deadline words of the next day (次日, 隔天, 第二天, 最迟次日…即可) where the article says 立即 or 1小时内 (F08);
- a bound whose number the reply says is included or not (超过一百人的（含一百人）, 一百人及以上) must agree with the
  article: 超过 excludes the number, 以上/以下/以内 include it (F09);
- a sentence cited [n] that opens with another source's article as its basis, or is a near copy of another source,
  is marked as not coming from [n] (F16);
- message.content as a list of parts ([{"type": "text", …}], with reasoning or thinking parts) is read as its text
  parts, never shown as a Python repr (F17), end to end through the fake OpenAI server, streamed or not;
- a reply the endpoint cut (finish_reason length) ends with a note saying so, and is still verified (F20);
- 三百口人 is a count of people; a number in Latin letters (three hundred人, CCC人) is read as its value, or marked
  as a figure that cannot be checked when it cannot be read (F21).
Faithful restatements (一小时内, 60分钟内, 一个钟头, 十万块钱以下, 超过一百的, 一百人以上, 立即…1小时内) stay
unmarked.
"""

from __future__ import annotations

import json
import threading
from fractions import Fraction

import pytest
from fake_openai import FakeOpenAI, LocalEndpoint, QuietHandler, Respond
from test_eleventh_round_llm import FINE_97, REPORT_9, REPORT_11
from test_seventh_round_llm import STAFFING, _article, _verified

from assistant.llm import LlmComposer, figures
from assistant.llm.client import EmptyReply, content_text
from assistant.llm.reply import CUT_NOTE, clean_reply
from assistant.llm.verification import (
    DEADLINE_MARK,
    FIGURE_MARK,
    INCLUSION_MARK,
    NEGATION_MARK,
    PENALTY_MARK,
    ROLE_MARK,
    SOURCE_MARK,
)
from ingest.settings import Settings
from ingest.store import StoredChunk

MARKS = (FIGURE_MARK, NEGATION_MARK, DEADLINE_MARK, PENALTY_MARK, ROLE_MARK, INCLUSION_MARK, SOURCE_MARK)

ELEVATORS = StoredChunk(
    "t36",
    "第三十六条 电梯、客运索道、大型游乐设施等为公众提供服务的特种设备的运营使用单位，应当对特种设备的使用安全负责，"
    "设置特种设备安全管理机构或者配备专职的特种设备安全管理人员；其他特种设备使用单位，应当根据情况设置特种设备安全"
    "管理机构或者配备专职、兼职的特种设备安全管理人员。",
    {
        "doc_id": "特种设备安全法",
        "title": "中华人民共和国特种设备安全法",
        "unit": "article",
        "article": "第三十六条",
        "article_num": 36,
        "article_sub": 0,
    },
)


def _unmarked(reply: str, *articles) -> None:
    text = _verified(reply, *articles).text
    assert not any(mark in text for mark in MARKS), text


# --- F05: time in colloquial units ----------------------------------------------------------------------------------

COLLOQUIAL_TIMES = ["两个钟头", "半个钟头", "一个半钟头", "俩小时", "两个半小时", "仨钟头", "一个半小时", "俩钟头"]


@pytest.mark.parametrize("time", COLLOQUIAL_TIMES)
def test_a_time_limit_in_colloquial_units_is_checked(time):
    answer = _verified(f"单位负责人接到报告后，应当在{time}内向安全生产监督管理部门报告[1]。", REPORT_9)
    assert f"{time}{FIGURE_MARK}" in answer.text, answer.text
    assert "处数字未能在所引条文中核对" in answer.text


@pytest.mark.parametrize("time", ["一个钟头", "1个钟头", "一小时", "60分钟", "一个小时", "六十分钟"])
def test_the_same_time_limit_in_other_units_is_not_marked(time):
    _unmarked(f"单位负责人接到报告后，应当在{time}内向安全生产监督管理部门报告[1]。", REPORT_9)


@pytest.mark.parametrize("limit", ["两个钟头", "俩小时", "2个钟头", "120分钟"])
def test_a_two_hour_limit_said_colloquially_is_not_marked(limit):
    _unmarked(f"逐级上报事故情况，每级上报的时间不得超过{limit}[1]。", REPORT_11)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("两个钟头", ("分钟", 120)),
        ("半个钟头", ("分钟", 30)),
        ("一个半钟头", ("分钟", 90)),
        ("两个半小时", ("分钟", 150)),
        ("俩小时", ("分钟", 120)),
        ("仨人", ("人", 3)),
        ("两天半内", ("日", Fraction(5, 2))),
        ("一年半以上", ("年", Fraction(3, 2))),
        ("三个半月", ("月", Fraction(7, 2))),
    ],
)
def test_colloquial_times_and_numerals_are_read_as_their_value(text, key):
    assert figures.keys(text) == {(key[0], Fraction(key[1]))}


def test_half_after_a_day_is_not_read_into_another_word():
    assert figures.keys("3日半夜") == {("日", Fraction(3))}


# --- F06: money in colloquial units ---------------------------------------------------------------------------------

COLLOQUIAL_FINES = [
    ("处五十万块以下的罚款", "五十万块"),
    ("处50w元以下的罚款", "50w元"),
    ("处五十万块钱以下的罚款", "五十万块钱"),
    ("罚款8w", "8w"),
    ("处3万块以下的罚款", "3万块"),
]


@pytest.mark.parametrize(("fine", "written"), COLLOQUIAL_FINES)
def test_a_fine_in_colloquial_units_is_checked(fine, written):
    answer = _verified(f"未按照规定设置安全生产管理机构的，{fine}[1]。", FINE_97)
    assert FIGURE_MARK in answer.text, answer.text
    assert written in answer.text.split("已标注：")[-1]


def test_fines_in_yuan_said_colloquially_pass_when_they_are_the_articles():
    _unmarked(
        "未按照规定设置安全生产管理机构的，责令限期改正，处十万块钱以下的罚款；逾期未改正的，并处10w元以上20w元以下的"
        "罚款[1]。",
        FINE_97,
    )
    _unmarked("对直接负责的主管人员处2万块以上5万块以下的罚款[1]。", FINE_97)
    _unmarked("逾期未改正的，并处10w以上20w以下的罚款[1]。", FINE_97)


def test_a_range_with_a_colloquial_end_changed_is_marked():
    answer = _verified("逾期未改正的，处二十万块以上五十万块以下的罚款[1]。", FINE_97)
    assert FIGURE_MARK in answer.text, answer.text


@pytest.mark.parametrize(
    ("text", "value"),
    [("五十万块", 500_000), ("十万块钱", 100_000), ("50w元", 500_000), ("3千块", 3000), ("罚五十块", 50)],
)
def test_colloquial_money_is_read_in_yuan(text, value):
    assert figures.keys(text) == {("元", Fraction(value))}


@pytest.mark.parametrize("text", ["设置三块警示牌", "两块钢板", "100W的灯泡", "一块儿"])
def test_kuai_counting_things_and_watts_are_no_money(text):
    assert not any(unit == "元" for unit, _ in figures.keys(text))


# --- F07: a figure with no unit after a bound word ------------------------------------------------------------------

UNITLESS = [
    "从业人员超过三百的单位才应当设置安全生产管理机构[1]。",
    "从业人员超过300的，应当设置安全生产管理机构[1]。",
    "员工数超过三百时，应当设置安全生产管理机构[1]。",
    "超过两百就应当设置安全生产管理机构[1]。",
    "从业人员不足五十的，应当配备专职或者兼职的安全生产管理人员[1]。",
]


@pytest.mark.parametrize("reply", UNITLESS, ids=[f"unitless{n}" for n in range(len(UNITLESS))])
def test_a_figure_without_its_unit_after_a_bound_word_is_checked(reply):
    answer = _verified(reply, STAFFING)
    assert FIGURE_MARK in answer.text, answer.text


@pytest.mark.parametrize(
    "reply",
    [
        "从业人员超过一百的，应当设置安全生产管理机构或者配备专职安全生产管理人员[1]。",
        "员工数超过100时，应当设置安全生产管理机构[1]。",
        "从业人员在一百以下的，应当配备专职或者兼职的安全生产管理人员[1]。",
        "安全生产标准化达到三级的单位也应当设置安全生产管理机构[1]。",  # 三级: a grade, not a count
    ],
)
def test_the_articles_figure_without_its_unit_or_a_grade_is_not_marked(reply):
    _unmarked(reply, STAFFING)


def test_a_unitless_figure_after_a_bound_word_reads_as_that_bound():
    assert [b.bound for b in figures.bounds("员工数超过三百时")] == [("", Fraction(300), None)]
    assert figures.keys("超过三级的") == set()


# --- F08: deadline words of the next day ----------------------------------------------------------------------------

NEXT_DAY = [
    "单位负责人接到报告后，应当于次日内报告[1]。",
    "单位负责人接到报告后，隔天报告即可[1]。",
    "单位负责人接到报告后，最迟次日向安全生产监督管理部门报告即可[1]。",
    "单位负责人接到报告后，第二天向事故发生地县级以上人民政府安全生产监督管理部门报告[1]。",
    "事故发生后，事故现场有关人员应当在第二天向本单位负责人报告[1]。",
    "单位负责人接到报告后，翌日报告就行[1]。",
]


@pytest.mark.parametrize("reply", NEXT_DAY, ids=[f"next_day{n}" for n in range(len(NEXT_DAY))])
def test_a_next_day_deadline_where_the_article_says_one_hour_or_at_once_is_marked(reply):
    answer = _verified(reply, REPORT_9)
    assert DEADLINE_MARK in answer.text, answer.text
    assert "处时限与所引条文不一致" in answer.text


def test_a_next_day_deadline_in_a_later_piece_is_marked_beside_a_marked_figure():
    """The report's reply: 两个钟头 is marked as a figure, and 最迟次日 in the piece after it as a deadline."""
    answer = _verified(
        "单位负责人接到报告后，应当在两个钟头内向安全生产监督管理部门报告[1]；最迟次日报告即可[1]。", REPORT_9
    )
    assert f"两个钟头{FIGURE_MARK}" in answer.text, answer.text
    assert f"最迟次日报告即可[1]。{DEADLINE_MARK}" in answer.text, answer.text


@pytest.mark.parametrize(
    "reply",
    [
        "单位负责人接到报告后，应当在一小时内报告[1]。",
        "事故现场有关人员应当立即报告，单位负责人应当在1小时内报告[1]。",
        "事故现场有关人员立即向本单位负责人报告；单位负责人接到报告后，60分钟内向安全生产监督管理部门报告[1]。",
        "单位负责人应当立即组织抢救，第二天整理事故材料[1]。",  # a next day for something the article sets no time
        "单位负责人应当及时组织抢救，并在1小时内报告[1]。",
    ],
)
def test_deadlines_the_article_states_or_does_not_set_are_not_marked(reply):
    _unmarked(reply, REPORT_9)


def test_a_next_day_deadline_the_article_states_is_not_marked():
    next_day = _article(70, "第七十条", "生产经营单位应当于次日向负有安全生产监督管理职责的部门报告整改情况。")
    _unmarked("生产经营单位应当在第二天向负有安全生产监督管理职责的部门报告整改情况[1]。", next_day)


# --- F09: whether a bound's number is included ----------------------------------------------------------------------

INCLUSIONS = [
    "从业人员超过一百人的（含一百人），应当设置安全生产管理机构[1]。",
    "从业人员超过一百人（含本数）的，应当设置安全生产管理机构[1]。",
    "从业人员一百人及以上的，应当设置安全生产管理机构[1]。",
    "从业人员100人（含）以上的，应当设置安全生产管理机构[1]。",
    "从业人员在一百人以下（不含一百人）的，应当配备专职或者兼职的安全生产管理人员[1]。",
]


@pytest.mark.parametrize("reply", INCLUSIONS, ids=[f"inclusion{n}" for n in range(len(INCLUSIONS))])
def test_a_bound_said_to_include_the_number_the_article_excludes_is_marked(reply):
    answer = _verified(reply, STAFFING)
    assert INCLUSION_MARK in answer.text, answer.text
    assert "“含/不含本数”与所引条文不一致" in answer.text


@pytest.mark.parametrize(
    ("reply", "article"),
    [
        ("从业人员超过一百人的（不含一百人），应当设置安全生产管理机构[1]。", STAFFING),
        ("从业人员一百人以上的，应当设置安全生产管理机构[1]。", STAFFING),  # the word alone: the common reading
        ("从业人员100人以上的，应当设置安全生产管理机构[1]。", STAFFING),
        ("从业人员在一百人以下（含一百人）的，应当配备专职或者兼职的安全生产管理人员[1]。", STAFFING),
        ("从业人员一百人及以下的，应当配备专职或者兼职的安全生产管理人员[1]。", STAFFING),
        ("未按照规定设置安全生产管理机构的，处十万元以下（含十万元）的罚款[1]。", FINE_97),
        ("每级上报的时间不得超过2小时（含2小时）[1]。", REPORT_11),
    ],
)
def test_a_bound_said_to_include_the_number_as_the_article_does_is_not_marked(reply, article):
    _unmarked(reply, article)


def test_the_ends_of_a_bound_say_whether_their_number_is_included():
    (above,) = figures.ends("超过一百人")
    (below,) = figures.ends("一百人以下")
    assert (above.lower, above.included, above.explicit) == (True, False, False)
    assert (below.lower, below.included, below.explicit) == (False, True, False)
    assert figures.same_inclusion(above, below)  # both put 100 below
    (said,) = figures.ends("超过一百人的（含一百人）")
    assert (said.lower, said.included, said.explicit) == (True, True, True)
    assert not figures.same_inclusion(said, above)


# --- F16: a sentence cited with another source's number -------------------------------------------------------------

MISCITED = [
    # the report's two sentences, their numbers swapped
    (
        "依据《特种设备安全法》第三十六条，从业人员超过一百人的应当设置安全生产管理机构[2]；电梯运营单位应当设置特种"
        "设备安全管理机构[1]。",
        2,
    ),
    ("电梯、客运索道的运营使用单位，应当设置特种设备安全管理机构或者配备专职的特种设备安全管理人员[1]。", 1),
    ("从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员[2]。", 1),
    ("依据《特种设备安全法》第三十六条，电梯运营单位要对特种设备的使用安全负责[1]。", 1),
    ("根据第二十四条的规定，大型游乐设施的运营使用单位应当配备专职人员[2]。", 1),
]


@pytest.mark.parametrize(("reply", "marks"), MISCITED, ids=[f"miscited{n}" for n in range(len(MISCITED))])
def test_a_sentence_from_another_source_than_the_one_cited_is_marked(reply, marks):
    answer = _verified(reply, STAFFING, ELEVATORS)
    assert answer.text.count(SOURCE_MARK) >= marks, answer.text
    assert "处说法与所注编号的资料不符" in answer.text
    assert "实际出自《" in answer.text


def test_each_piece_of_the_swapped_sentence_is_marked_where_it_ends():
    answer = _verified(MISCITED[0][0], STAFFING, ELEVATORS)
    assert f"安全生产管理机构[2]{SOURCE_MARK}；" in answer.text, answer.text
    assert f"特种设备安全管理机构[1]。{SOURCE_MARK}" in answer.text, answer.text
    assert "实际出自《中华人民共和国安全生产法》第二十四条" in answer.text


@pytest.mark.parametrize(
    ("reply", "articles"),
    [
        (
            "从业人员超过一百人的，应当设置安全生产管理机构[1]；电梯运营单位应当设置特种设备安全管理机构[2]。",
            (STAFFING, ELEVATORS),
        ),
        ("依据《安全生产法》第二十四条，从业人员超过一百人的应当设置安全生产管理机构[1]。", (STAFFING, ELEVATORS)),
        ("电梯、客运索道的运营使用单位，应当设置特种设备安全管理机构[1][2]。", (STAFFING, ELEVATORS)),
        ("两部法律都要求有关单位设置管理机构或者配备管理人员[1][2]。", (STAFFING, ELEVATORS)),
        ("特种设备使用单位应当根据情况设置安全管理机构或者配备管理人员[2]。", (STAFFING, ELEVATORS)),
        # naming the article a penalty article punishes is no basis of another source
        (
            "未按照第二十四条规定设置安全生产管理机构的，责令限期改正，处十万元以下的罚款[2]。",
            (STAFFING, FINE_97),
        ),
        (
            "依据《安全生产法》第二十四条和第九十七条，未设置安全生产管理机构的，处十万元以下的罚款[2]。",
            (STAFFING, FINE_97),
        ),
    ],
)
def test_sentences_cited_to_their_own_source_are_not_marked(reply, articles):
    _unmarked(reply, *articles)


# --- F21: people counted with 口人, numbers in Latin letters --------------------------------------------------------

LETTER_FIGURES = ["三百口人", "CCC人", "three hundred人", "Three Hundred 人", "X人", "IIII人", "one hundred and one人"]


@pytest.mark.parametrize("figure", LETTER_FIGURES)
def test_a_count_the_article_does_not_state_in_any_writing_is_marked(figure):
    answer = _verified(f"从业人员超过{figure}的，应当设置安全生产管理机构[1]。", STAFFING)
    assert FIGURE_MARK in answer.text, answer.text


@pytest.mark.parametrize("figure", ["一百口人", "one hundred人", "One Hundred 人", "one hundred employees"])
def test_the_articles_count_in_other_writing_is_read_as_its_value(figure):
    _unmarked(f"从业人员超过{figure}的，应当设置安全生产管理机构[1]。", STAFFING)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("CCC人", 300),
        ("XLII人", 42),
        ("three hundred人", 300),
        ("one hundred and twenty人", 120),
        ("fifty thousand元", 50_000),
        ("IIII人", figures.UNREADABLE),
        ("X人", figures.UNREADABLE),
    ],
)
def test_numbers_in_latin_letters_are_read_or_unreadable(text, value):
    (figure,) = figures.figures(text)
    assert figure.key[1] == value


@pytest.mark.parametrize("text", ["第III条", "LED灯", "IV级", "MMXXI年", "220V"])
def test_latin_letters_that_are_no_count_are_no_figure(text):
    assert not any(key[1] == figures.UNREADABLE or key[0] == "人" for key in figures.keys(text))


# --- F17, F20: the reply's shape, end to end through an OpenAI-compatible server ----------------------------------


def _completion(content, finish_reason: str = "stop") -> Respond:
    message = {"role": "assistant", "content": content}
    choice = {"index": 0, "message": message, "finish_reason": finish_reason}
    return Respond(body=json.dumps({"id": "x", "object": "chat.completion", "choices": [choice]}, ensure_ascii=False))


def _composer(base_url: str) -> LlmComposer:
    return LlmComposer(Settings(llm_base_url=base_url, llm_model="fake", llm_api_key="test-key", llm_timeout=10))


ANSWER = "从业人员超过一百人的，应当设置安全生产管理机构[1]。"


@pytest.mark.parametrize(
    "content",
    [
        [{"type": "text", "text": ANSWER}],
        [{"type": "reasoning", "reasoning": "用户问的是人数门槛"}, {"type": "text", "text": ANSWER}],
        [{"type": "thinking", "thinking": "先看第二十四条"}, {"type": "text", "text": ANSWER[:10]}, ANSWER[10:]],
        [{"type": "output_text", "text": ANSWER}, {"type": "refusal", "refusal": "I cannot"}],
    ],
    ids=["text", "reasoning", "thinking", "output_text"],
)
def test_content_as_a_list_of_parts_is_read_as_its_text(content):
    with FakeOpenAI(lambda messages: _completion(content)) as server:
        answer = _composer(server.base_url).compose("我们厂120个人要设机构吗", [STAFFING])
    assert answer.text.startswith(ANSWER), answer.text
    assert "'type'" not in answer.text and "[{" not in answer.text
    assert "用户问的是" not in answer.text and "先看第二十四条" not in answer.text
    assert answer.sources and answer.sources[0].number == 1


def test_content_of_reasoning_parts_only_is_an_empty_reply():
    with FakeOpenAI(lambda messages: _completion([{"type": "reasoning", "reasoning": "想了很久"}])) as server:
        with pytest.raises(EmptyReply):
            _composer(server.base_url).compose("我们厂120个人要设机构吗", [STAFFING])


@pytest.mark.parametrize(
    ("content", "text"),
    [
        ("现成的文字", "现成的文字"),
        ([{"type": "text", "text": {"value": "值"}}], "值"),
        ([{"text": "无类型"}, {"type": "image_url", "image_url": {"url": "x"}}], "无类型"),
        (None, ""),
        ({"type": "text", "text": "不是列表"}, ""),
        ([{"type": "tool_use", "input": {}}, 3], ""),
    ],
)
def test_content_text_never_gives_a_repr(content, text):
    assert content_text(content) == text


def test_a_reply_cut_at_the_length_limit_says_so_and_is_verified():
    cut = "单位负责人接到报告后，应当在两个钟头内向安全生产监督管理部门报告[1]；事故现场有关人员应当"
    with FakeOpenAI(lambda messages: _completion(cut, "length")) as server:
        answer = _composer(server.base_url).compose("事故发生后多久要报告？", [REPORT_9])
    body = answer.text.split("依据：")[0]
    assert "回答被截断" in body and CUT_NOTE in body, answer.text
    assert f"两个钟头{FIGURE_MARK}" in body  # still verified
    assert body.index("事故现场有关人员应当") < body.index(CUT_NOTE)


def test_a_reply_finished_normally_has_no_cut_note():
    with FakeOpenAI(lambda messages: _completion(ANSWER)) as server:
        answer = _composer(server.base_url).compose("我们厂120个人要设机构吗", [STAFFING])
    assert "回答被截断" not in answer.text


def test_a_cut_reply_of_reasoning_only_names_the_length_limit():
    with FakeOpenAI(lambda messages: _completion([{"type": "reasoning", "reasoning": "…"}], "length")) as server:
        with pytest.raises(EmptyReply) as raised:
            _composer(server.base_url).compose("我们厂120个人要设机构吗", [STAFFING])
    assert "长度上限" in raised.value.reason


def test_the_cut_note_survives_cleaning():
    assert clean_reply(f"应当设置[1]。\n\n{CUT_NOTE}").endswith(CUT_NOTE)


class _Stream(LocalEndpoint):
    """An endpoint streaming server-sent pieces, each a delta's content (a string or a list of parts), then a
    last piece with the finish reason; with none, the connection closes in the middle of an event instead."""

    def __init__(self, deltas: list, finish_reason: str | None):
        self.stopped = threading.Event()

        class Handler(QuietHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                self.read_body()
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                choices = [[{"index": 0, "delta": {"content": d}, "finish_reason": None}] for d in deltas]
                if finish_reason is not None:
                    choices.append([{"index": 0, "delta": {}, "finish_reason": finish_reason}])
                for choice in choices:
                    chunk = {
                        "id": "x",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": "f",
                        "choices": choice,
                    }
                    self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n" if finish_reason is not None else b'data: {"id":"x","choi')
                self.wfile.flush()
                self.close_connection = finish_reason is None

        self.serve(Handler)


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydantic on a chunk whose content is a list
def test_a_streamed_reply_of_parts_cut_at_the_length_limit_is_read_noted_and_verified():
    deltas = [
        [{"type": "thinking", "thinking": "内部推理不应显示"}],
        [{"type": "text", "text": "单位负责人接到报告后，"}],
        "隔天报告即可[1]；事故现场有关人员应当",
    ]
    with _Stream(deltas, "length") as server:
        items = list(_composer(server.base_url).compose_stream("事故发生后多久要报告？", [REPORT_9]))
    partials, final = items[:-1], items[-1]
    assert all(isinstance(p, str) and "内部推理" not in p and "'type'" not in p for p in partials)
    assert not isinstance(final, str)
    body = final.text.split("依据：")[0]
    assert body.startswith("单位负责人接到报告后，隔天报告即可[1]"), final.text
    assert DEADLINE_MARK in body and CUT_NOTE in body


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_streamed_reply_finished_normally_has_no_cut_note():
    with _Stream([[{"type": "text", "text": ANSWER}]], "stop") as server:
        items = list(_composer(server.base_url).compose_stream("我们厂120个人要设机构吗", [STAFFING]))
    final = items[-1]
    assert not isinstance(final, str)
    assert final.text.startswith(ANSWER) and "回答被截断" not in final.text
