"""Round 48 (issue 15): what a question asks to be counted.

- A 几 telling the asker's circumstances before a clause asking by another word (车间要来几个实习生，厂里对他们有啥
  义务; 我们小店就几个人，法律上怎么要求的) counts loosely, "a few": it asks no number, so the duty asked is answered,
  not declined for want of a count no provision states. Asked whether the law rules on it (…超过几个小时就算疲劳作业，
  法律有没有规定？), the number is what is asked.
- A telephone number is asked by 多少, 什么 or 哪个 (投诉电话是多少, 打什么电话): 接到电话以后最晚多长时间内要报 asks a
  period, and its answer is the time limit, not a number to call.
- Things counted by the cylinder, can, drum, bag or box (几瓶液化气, 几桶油漆) are counted: a count asked that no
  provision states is not answered by a provision stating another figure (knowledge/quantities.yaml units.count).
- Where a fine falls within a provision's range (初次违法、情节轻微罚多少) is set by discretion benchmarks, which the
  library does not hold: asked by them, the answer says so and which rule sets them (knowledge/outside_sources.yaml).
- Three more matters other rules set: who may sit the 注册安全工程师 examination, a platform worker's 职业伤害保障, a
  safety helmet's 使用期限 (GB 2811). Asked of them, the answer names the source and that the library lacks it.
- 上位法 on a class: a law's provision on 特种设备 is on the matter of the 叉车 (场（厂）内专用机动车辆) a regulation's
  provision names, as a clause on the class already answers for the things of it asked about. Asked how many days
  after buying a forklift its registration is due, 特种设备安全法第三十三条 decides over a regulation's provision
  stating another 30日内 that the ranker put first.
- After 个, the measure word, comes the thing counted, which a count unit may begin: 几个等级 is answered by a count
  by 等 or by 级 (分为…四级), where only 等 was read, no provision stated one and the answer was declined; 几个种类 by
  种 or 类. 几个级别 stays a count by 级 (两个以上行政区域 counts no levels).
- 事故调查处理条例, a customary short name, names 生产安全事故报告和调查处理条例 (knowledge/document_aliases.yaml): asked
  what that regulation fines, its own article answers, not the law above it."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _analyzer, _composed

from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from ingest.settings import Settings


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


def _kind(asks: QuantityAsks, question: str) -> str | None:
    ask = asks.asked(question)
    return ask.kind if ask else None


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("我们车间下个月要来几个职校的实习生，厂里对他们有啥安全上的义务", None),  # a few interns, told
        ("我们是个小危化品经营店就几个人，实在没能力单独搞一支救援队，法律上怎么要求的？", None),
        ("店里请了几个临时工，要不要给他们买工伤保险？", None),
        ("厂里要招几个新工人，岗前培训最少要多少学时？", "study"),  # the count told; the hours asked after it
        ("一季度一共发生了几起生产安全事故？", "count"),  # asked in the last clause: asked
        ("司机连续工作超过几个小时就算疲劳作业，法律有没有规定？", "time"),  # the number the law rules on
        ("几个小时内要上报？", "time"),
    ],
)
def test_a_few_told_before_a_clause_asking_otherwise_asks_no_number(asks, question, kind):
    assert _kind(asks, question) == kind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("厂里出了事故，老板接到电话以后最晚多长时间内必须报给安监部门？", "time"),
        ("接到举报电话什么时候要核查？", None),
        ("安全生产举报投诉电话是多少？", "phone"),
        ("发现隐患打什么电话举报？", "phone"),
        ("值班电话是哪个号码？", "phone"),
    ],
)
def test_a_telephone_number_is_not_asked_by_a_word_asking_when(asks, question, kind):
    assert _kind(asks, question) == kind


def test_a_small_shop_of_a_few_people_is_told_the_duty_not_declined_for_a_count():
    """The answer quotes the provision on the duty asked: before, 就几个人 was read as asking how many people, no
    provision stated a number about it, and the answer was 知识库中未找到依据."""
    teams = _article(
        "生产安全事故应急条例", "行政法规", 10,
        "第十条 易燃易爆物品、危险化学品等危险物品的生产、经营、储存、运输单位应当建立应急救援队伍；其中，小型企业或者"
        "微型企业等规模较小的生产经营单位，可以不建立应急救援队伍，但应当指定兼职的应急救援人员。",
    )  # fmt: skip
    answer = _composed(
        "我们是个小危化品经营店就几个人，实在没能力单独搞一支救援队，法律上怎么要求的？",
        [record("生产安全事故应急条例", "行政法规")],
        [teams],
    )
    assert not answer.abstained
    assert answer.text.startswith("依据《生产安全事故应急条例》第十条") and "指定兼职的应急救援人员" in answer.text


def test_a_deadline_asked_after_a_call_is_answered_by_the_time_limit():
    reporting = _article(
        "生产安全事故报告和调查处理条例", "行政法规", 9,
        "第九条 事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内向事故发生地"
        "县级以上人民政府安全生产监督管理部门报告。",
    )  # fmt: skip
    answer = _composed(
        "厂里出了事故，老板接到电话以后最晚多长时间内必须报给安监部门？",
        [record("生产安全事故报告和调查处理条例", "行政法规")],
        [reporting],
    )
    assert not answer.abstained
    assert "1小时内" in answer.text


def test_the_regulation_on_accident_reports_is_named_by_its_customary_short_name():
    regulation = record("生产安全事故报告和调查处理条例", "行政法规")
    plan = _analyzer(regulation, record("安全生产法", "法律")).analyse(
        "事故发生单位主要负责人迟报事故，按事故调查处理条例对个人的罚款比例是多少？"
    )
    assert plan.documents == ["生产安全事故报告和调查处理条例"]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("饭店后厨液化气瓶最多可以放几瓶？", "count"),
        ("仓库里最多能存几桶油漆？", "count"),
        ("店里买了几瓶液化气，要去哪里登记？", None),  # bought a few, told
    ],
)
def test_things_counted_by_the_cylinder_or_drum_are_a_count_asked(asks, question, kind):
    assert _kind(asks, question) == kind


def test_a_fine_asked_by_the_discretion_benchmark_names_the_rule_that_sets_it():
    training = _article(
        "安全生产法", "法律", 97,
        "第九十七条 生产经营单位有下列行为之一的，责令限期改正，处十万元以下的罚款：\n"
        "（三）未按照规定对从业人员进行安全生产教育和培训的。",
    )  # fmt: skip
    answer = _composed(
        "企业没做安全培训，初次违法、情节轻微的，按裁量基准一般罚多少？", [record("安全生产法", "法律")], [training]
    )
    assert answer.abstained
    assert "应急管理行政裁量权基准暂行规定" in answer.text and "第九十七条" in answer.text  # listed as related


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("注册安全工程师考试报名需要几年相关工作经验？", "注册安全工程师职业资格制度规定"),
        ("送外卖的骑手路上摔伤了，平台要不要给他上职业伤害保障？", "新就业形态就业人员职业伤害保障办法"),
        ("安全帽的使用期限是几年，过期了还能不能戴？", "GB 2811"),
    ],
)
def test_a_matter_another_rule_sets_is_said_to_be_that_rules(question, source):
    related = _article(
        "安全生产法", "法律", 27,
        "第二十七条 危险物品的生产、储存、装卸单位以及矿山、金属冶炼单位应当有注册安全工程师从事安全生产管理工作。"
        "生产经营单位必须为从业人员提供符合国家标准或者行业标准的劳动防护用品，职工因工作遭受事故伤害的，享受工伤保险待遇。",
    )  # fmt: skip
    answer = _composed(question, [record("安全生产法", "法律")], [related])
    assert answer.abstained and source in answer.text


def test_a_law_on_the_class_decides_over_a_regulation_naming_the_thing_asked_about():
    regulation = _article(
        "特种设备安全监察条例", "行政法规", 20,
        "第二十条 锅炉、压力容器、电梯、起重机械、客运索道、大型游乐设施的安装、改造、维修以及场(厂)内专用机动车辆的"
        "改造、维修竣工后，安装、改造、维修的施工单位应当在验收后30日内将有关技术资料移交使用单位。",
    )  # fmt: skip
    law = _article(
        "特种设备安全法", "法律", 33,
        "第三十三条 特种设备使用单位应当在特种设备投入使用前或者投入使用后三十日内，向负责特种设备安全监督管理的部门"
        "办理使用登记，取得使用登记证书。",
    )  # fmt: skip
    answer = _composed(
        "新买的叉车，买回来多少天内要去办使用登记？",
        [record("特种设备安全监察条例", "行政法规"), record("特种设备安全法", "法律")],
        [regulation, law],
    )
    assert answer.text.startswith("依据《特种设备安全法》第三十三条")


@pytest.mark.parametrize(
    ("question", "kind", "words"),
    [
        ("事故发生后几个小时内要报告？", "time", "几个小时内"),  # 个小时 measures time (内 asks too: round 56)
        ("停工留薪期一般几个月？", "time", "几个月"),
        ("几个人以上要设安全管理机构？", "people", "几个人"),
    ],
)
def test_after_ge_a_period_or_people_are_counted_as_before(asks, question, kind, words):
    ask = asks.asked(question)
    assert ask is not None and (ask.kind, ask.words) == (kind, words)


def test_a_thing_counted_after_ge_is_counted_by_either_unit_it_is_written_with(asks):
    grades = asks.asked("突发事件按危害程度分几个等级？")
    assert grades is not None and grades.kind == "count"
    assert grades.stated_in("分为特别重大、重大、较大和一般四级") and grades.stated_in("分为三等")
    assert not grades.stated_in("突发事件涉及两个以上行政区域的，由共同的上一级人民政府负责")
    kinds = asks.asked("危险化学品分几个种类？")
    assert kinds is not None and kinds.stated_in("分为三类") and kinds.stated_in("共五种")


def test_grades_asked_by_ge_are_answered_by_the_count_of_grades():
    levels = _article(
        "突发事件应对法", "法律", 3,
        "第三条 按照社会危害程度、影响范围等因素，突发自然灾害、事故灾难、公共卫生事件分为特别重大、重大、较大和一般四级。",
    )  # fmt: skip
    answer = _composed("突发事件按危害程度分几个等级？", [record("突发事件应对法", "法律")], [levels])
    assert not answer.abstained and "一般四级" in answer.text
