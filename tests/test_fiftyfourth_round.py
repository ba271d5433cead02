"""Round 54: a time limit is not a frequency, rooms and beds are counted, and a scope is no duty.

- A period asked as the one within which something is done (多少分钟内赶到现场, 几日内补报, 多长时间内办理) is a time
  limit: a period stated as how often something is done (电梯应当至少每15日进行一次清洁) does not answer it, and with
  no provision stating one the question is declined. A period asked otherwise (应急预案多久要评估) is still answered by
  how often (每三年进行一次评估).
- Rooms (间), beds (张), households (户) and buildings (栋, 幢) are counted as other things are: 客房有多少间以上
  asks for a number of rooms, which a provision stating none of them does not answer.
- A provision saying what its text covers or leaves to other laws (军事装备…不适用本法; 房屋建筑工地用起重机械…由有关部门
  依照本法…实施) answers whether and by whom the text applies (适用吗, 归哪个部门监管), not what is required (行车用之前要
  办什么手续): asked that, a provision laying a duty that answers about as well goes first, and no such provision of a
  law displaces a lower rule's duty as 上位法.
- What a question asking which ones asks for may be named before the asking words (重点行业、重点领域是哪些, 覆盖的行业
  有哪些) as well as after them (哪些重点行业): of a plan's passages, the one naming a series of them (危险化学品、粉尘
  涉爆、有限空间等重点行业) answers, not the preamble that names the kind alone (深化重点行业领域专项整治).
- Asked how a breach is punished, the penalty provision naming a leading duty's article (生产经营单位违反本条例第三十条
  第一款规定的，…处三万元以上十万元以下的罚款) comes right after that duty: the text itself says which sanction the
  duty's breach carries, whatever words the question shares with the sanction.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from test_answer_reading import _passage
from test_fifteenth_round import _article
from test_fiftyfirst_round import _ASKS
from test_fiftythird_round import _compose

from assistant.answer.compose import _members_asked
from assistant.retrieval.config import RankingConfig
from assistant.retrieval.provisions import asks_scope, punishes, states_scope
from assistant.retrieval.retriever import HybridRetriever

_ELEVATOR_UPKEEP = _article(
    "特种设备安全监察条例", "行政法规", 31,
    "第三十一条 电梯的日常维护保养必须由依照本条例取得许可的安装、改造、维修单位或者电梯制造单位进行。\n"
    "电梯应当至少每15日进行一次清洁、润滑、调整和检查。",
)  # fmt: skip
_REGISTRATION = _article(
    "特种设备安全法", "法律", 33,
    "第三十三条 特种设备使用单位应当在特种设备投入使用前或者投入使用后三十日内，向负责特种设备安全监督管理的部门"
    "办理使用登记，取得使用登记证书。",
)  # fmt: skip


@pytest.mark.parametrize(
    "question",
    ["电梯困人以后，维保单位必须在多少分钟内赶到现场？", "事故发生后几小时之内要上报？", "多长时间以内要办完登记？"],
)
def test_a_time_limit_asked_is_not_stated_by_how_often(question):
    ask = _ASKS.asked(question)
    assert ask is not None and ask.kind == "time" and ask.within
    assert not ask.stated_in("电梯应当至少每15日进行一次清洁、润滑、调整和检查。")
    assert not ask.stated_in("夜间防火巡查应当每隔2小时一次。")
    assert ask.stated_in("应当在投入使用后三十日内办理使用登记。")


def test_a_period_asked_otherwise_is_still_answered_by_how_often():
    ask = _ASKS.asked("应急预案多久要评估？")
    assert ask is not None and not ask.within
    assert ask.stated_in("生产经营单位应当每三年进行一次应急预案评估。")


def test_a_time_limit_no_provision_states_is_declined():
    answer = _compose("电梯困人以后，维保单位必须在多少分钟内赶到现场？", [_ELEVATOR_UPKEEP])
    assert answer.abstained
    assert "每15日" not in answer.text.splitlines()[0]


def test_the_provision_stating_the_time_limit_answers_it():
    answer = _compose("新买的叉车多长时间内要去办使用登记？", [_ELEVATOR_UPKEEP, _REGISTRATION], told=True)
    assert not answer.abstained
    assert answer.text.splitlines()[0].startswith("依据《特种设备安全法》第三十三条")


_KEY_UNITS = _article(
    "消防法", "法律", 17,
    "第十七条 县级以上地方人民政府消防救援机构应当将发生火灾可能性较大以及发生火灾可能造成重大的人身伤亡或者财产"
    "损失的单位，确定为本行政区域内的消防安全重点单位，并由应急管理部门报本级人民政府备案。",
)  # fmt: skip


@pytest.mark.parametrize(
    ("question", "stated"),
    [
        ("酒店客房有多少间以上，就会被认定为消防安全重点单位？", "客房50间以上的宾馆"),
        ("养老院床位多少张以上算重点单位？", "床位50张以上的养老机构"),
        ("小区有多少户以上要配专职保安？", "300户以上的住宅小区"),
        ("几栋楼以上要设消防控制室？", "3栋以上的建筑群"),
    ],
)
def test_rooms_beds_households_and_buildings_are_counted(question, stated):
    ask = _ASKS.asked(question)
    assert ask is not None and ask.kind == "count", question
    assert ask.stated_in(stated)
    assert not ask.stated_in(_KEY_UNITS.text)


def test_a_count_of_rooms_no_provision_states_is_declined():
    answer = _compose("酒店客房有多少间以上，就会被认定为消防安全重点单位？", [_KEY_UNITS], told=True)
    assert answer.abstained


_SCOPE = _article(
    "特种设备安全法", "法律", 100,
    "第一百条 军事装备、核设施、航空航天器使用的特种设备安全的监督管理不适用本法。\n"
    "房屋建筑工地、市政工程工地用起重机械和场（厂）内专用机动车辆的安装、使用的监督管理，由有关部门依照本法和其他"
    "有关法律的规定实施。",
)  # fmt: skip
_USE_REGISTRATION = _article(
    "特种设备安全法", "法律", 33,
    "第三十三条 起重机械、场（厂）内专用机动车辆等特种设备的使用单位应当在投入使用前或者投入使用后三十日内，向负责"
    "特种设备安全监督管理的部门办理使用登记。",
)  # fmt: skip


@pytest.mark.parametrize(
    ("question", "cited"),
    [
        # asked what is required: the duty
        ("厂里新买了一台起重机械，安装使用之前要办什么手续？", "第三十三条"),
        ("工地上的起重机械安装好了，使用前必须登记吗？", "第三十三条"),
        # asked whether the law applies, or who oversees: what it covers
        ("工地上的起重机械安装使用，适用特种设备安全法吗？", "第一百条"),
        ("工地上起重机械的安装使用归哪个部门监管？", "第一百条"),
    ],
)
def test_what_a_law_covers_answers_whether_it_applies_not_what_it_requires(question, cited):
    answer = _compose(question, [_SCOPE, _USE_REGISTRATION], told=True)
    assert answer.text.splitlines()[0].startswith(f"依据《特种设备安全法》{cited}"), answer.text


def test_a_provision_laying_a_duty_is_not_one_on_what_a_text_covers():
    assert states_scope(_SCOPE.text)
    assert not states_scope(_USE_REGISTRATION.text)
    # a provision both saying what it covers and laying a duty lays a duty
    assert not states_scope("第二条 本条例适用于本市行政区域内的生产经营单位。生产经营单位应当遵守本条例。")
    assert asks_scope("这个条例对我们适用吗？") and not asks_scope("用之前要办什么手续？")


_INSTALLERS = _article(
    "特种设备安全监察条例", "行政法规", 20,
    "第二十条 起重机械的安装、改造、维修以及场（厂）内专用机动车辆的改造、维修，必须由依照本条例取得许可的单位进行。",
)  # fmt: skip


def test_a_laws_provision_on_what_it_covers_does_not_displace_a_rules_duty():
    question = "工地上的起重机械和场（厂）内专用机动车辆，安装使用之前要找谁来装？"
    answer = _compose(question, [_INSTALLERS, _SCOPE], told=True)
    assert answer.text.splitlines()[0].startswith("依据《特种设备安全监察条例》第二十条"), answer.text


_PREAMBLE = _passage(
    0,
    "青山区第四季度安全生产工作计划\n第四季度安全生产工作继续坚持方针，以消除事故隐患为突破口，推进隐患排查治理体系建设，"
    "深化重点行业领域专项整治。",
)
_INSPECTIONS = _passage(
    1,
    "加强对危险化学品、粉尘涉爆、有限空间、人员密集场所等重点行业、重点领域进行隐患排查治理。",
    "二、强化督导检查",
)


@pytest.mark.parametrize(
    "question",
    [
        "青山区那份第四季度计划里，隐患排查点名的重点行业、重点领域是哪些？",
        "青山区那份第四季度计划里，隐患排查的重点行业有哪些？",
        "青山区那份第四季度计划里，隐患排查要查哪些重点行业？",
    ],
)
def test_which_ones_asked_are_named_before_or_after_the_asking_words(question):
    assert _members_asked(question, [_INSPECTIONS.text]) in ("重点行业", "行业")
    answer = _compose(question, [_PREAMBLE, _INSPECTIONS], plans=True, told=True)
    assert "危险化学品、粉尘涉爆" in answer.text.splitlines()[0], answer.text


_PROVINCE = "青山省安全生产条例"
_NO_RISKY_ORDERS = _article(
    _PROVINCE, "地方性法规", 30,
    "第三十条 生产经营单位应当依法保障从业人员的生命安全，不得有下列行为：\n（一）违章指挥、强令或者放任从业人员冒险作业；",
)  # fmt: skip
_ITS_PENALTY = _article(
    _PROVINCE, "地方性法规", 76,
    "第七十六条 生产经营单位违反本条例第三十条第一款规定的，责令限期改正，处三万元以上十万元以下的罚款。",
)  # fmt: skip
_ANOTHER_PENALTY = _article(
    _PROVINCE, "地方性法规", 77,
    "第七十七条 生产经营单位进行危险作业，违反本条例第三十五条第一款规定的，责令限期改正，处三万元以上十万元以下的罚款。",
)  # fmt: skip


def test_a_penalty_punishes_the_article_it_names():
    assert punishes(_ITS_PENALTY, _NO_RISKY_ORDERS)
    assert not punishes(_ANOTHER_PENALTY, _NO_RISKY_ORDERS)  # another article's breach
    elsewhere = _article("白水市安全生产条例", "地方性法规", 76, _ITS_PENALTY.text)
    assert not punishes(elsewhere, _NO_RISKY_ORDERS)  # another text's 第三十条
    assert not punishes(_NO_RISKY_ORDERS, _NO_RISKY_ORDERS)  # a duty punishes nothing


def _retriever(chunks: list) -> HybridRetriever:
    kb = SimpleNamespace(store=SimpleNamespace(document_chunks=lambda doc_id, doc_hash: chunks))
    retriever = HybridRetriever(kb=kb, config=RankingConfig(punished_depth=2))  # type: ignore[arg-type]
    return retriever


def test_the_penalty_naming_a_leading_duty_follows_it():
    other = _article("消防法", "法律", 64, "第六十四条 违反本法规定，有下列行为之一的，处十日以上十五日以下拘留。")
    # named by the duty ranked second, found below the ranking's head or not found at all: right after the duty
    for ranked in (
        [other, _NO_RISKY_ORDERS, _ANOTHER_PENALTY, _ITS_PENALTY],
        [other, _NO_RISKY_ORDERS, _ANOTHER_PENALTY],
    ):
        moved = _retriever([_NO_RISKY_ORDERS, _ITS_PENALTY, _ANOTHER_PENALTY])._punishing_after(
            [(c, 1.0 - i / 10) for i, c in enumerate(ranked)]
        )
        assert [c.id for c, _ in moved][:3] == [other.id, _NO_RISKY_ORDERS.id, _ITS_PENALTY.id]
    # a duty below the head moves nothing
    ranked = [other, _ANOTHER_PENALTY, _NO_RISKY_ORDERS, _ITS_PENALTY]
    moved = _retriever([_NO_RISKY_ORDERS, _ITS_PENALTY])._punishing_after([(c, 1.0) for c in ranked])
    assert [c.id for c, _ in moved] == [c.id for c in ranked]
