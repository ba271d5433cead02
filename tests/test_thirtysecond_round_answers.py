"""Round 32 (issue 15): how people phrase questions, read as they mean them.

- A quiz's blank before a unit (不得少于____学时, 有效期为（ ）年) is the question word: it asks the figure its unit
  names, as 多少 does; a blank for a term (应当进行______和例行安全检查) or for a bound whose unit the answer brings
  (必须有____以上能行人的安全出口: 两个) asks none; before 前 or 内 it asks when (在活动举办日的（ ）前).
- Whether a place has rules on a matter (杭州有没有规定具体罚多少) asks that place's own rules.
- A later part's figure stated in the provision quoted for the part before it (…照发工资吗？最长能发多久？) is
  answered there: no note says it was found nowhere.
- From which day a period runs (从哪天起算) asks its starting event (自…之日起), not a day of the calendar.
- A sentence asking yes or no of what it tells (招几个小伙子下井，另外女工也调下去，这样行吗？) is one question: the
  另外 joins what it asks about, and its 几 counts loosely.
- A figure stated in an article's later sentence is about what its first sentence names (电梯的日常维护保养…。
  电梯应当至少每15日…): a question on that matter in many words of its own is answered by it.
- A clause may start with the place it is about, as a question does (…充电，杭州有没有规定…).
- A rule of a region the question names holds that region's name (在上海，…多久之内必须报: 上海's own deadline)."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _analyzer, _composed, _local

from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.query import question_parts
from ingest.legal_forms import default_forms
from ingest.settings import Settings


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("填空题：新上岗从业人员的岗前安全培训时间不得少于____学时。", "study"),
        ("填空：安全生产许可证的有效期为＿＿＿年。", "time"),
        ("单选题：从业人员超过（  ）人的，应当设置安全生产管理机构。A.50 B.100 C.200 D.300", "people"),
        ("因重大责任事故造成死亡(　)人以上的，应当认定为发生重大伤亡事故。", "people"),
        ("填空：运营使用单位在每日投入使用前，应当进行______和例行安全检查。", None),  # a term, no figure
        ("生产经营单位必须依法参加______，为从业人员缴纳保险费。", None),
        ("每个矿井必须有____以上能行人的安全出口。", None),  # a bound whose unit the answer brings (两个)
        ("单选题：承办者应当在活动举办日的（ ）前提出安全许可申请。A.7日 B.10日 C.20日 D.30日", "time"),  # when
        ("事故发生后，单位负责人应当在____内报告。", "time"),
    ],
)
def test_a_quiz_blank_asks_the_figure_its_unit_names(asks, question, kind):
    ask = asks.asked(question)
    assert (ask.kind if ask else None) == kind


@pytest.mark.parametrize(
    ("question", "unheld"),
    [
        ("楼道里给电瓶车充电，杭州有没有规定具体罚多少？", ["杭州市"]),
        ("广东有无专门的规定要求企业设安全总监？", ["广东省"]),
        ("我们厂在杭州，有没有规定要设安全总监？", []),  # where the asker is: the national rules are asked
    ],
)
def test_whether_a_place_has_rules_on_a_matter_asks_its_own_rules(question, unheld):
    library = [record("安全生产法", "法律")]
    assert _analyzer(*library).analyse(question).unheld_places == unheld


def test_a_later_parts_figure_stated_in_the_provision_quoted_before_is_answered_there():
    pay = _article(
        "工伤保险条例", "行政法规", 33,
        "第三十三条 职工因工作遭受事故伤害需要暂停工作接受工伤医疗的，在停工留薪期内，原工资福利待遇不变，"
        "由所在单位按月支付。\n停工留薪期一般不超过12个月。",
    )  # fmt: skip
    answer = _composed(
        "工伤职工停工留薪期间单位还要照发工资吗？最长能发多久？", [record("工伤保险条例", "行政法规")], [pay]
    )
    assert not answer.abstained and "12个月" in answer.text
    assert "未找到依据" not in answer.text


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("拒不改正的，按日连续处罚从哪天起算？", "time"),
        ("停工留薪期从哪一天起算？", "time"),
        ("安全生产月每年几月开展？", "date"),
        ("每年哪一天前要报名？", "date"),
    ],
)
def test_from_which_day_a_period_runs_asks_its_starting_event(asks, question, kind):
    assert asks.asked(question).kind == kind


def test_the_day_a_period_runs_from_is_answered_by_the_event_it_runs_from():
    daily = _article(
        "安全生产法", "法律", 112,
        "第一百一十二条 生产经营单位违反本法规定，被责令改正且受到罚款处罚，拒不改正的，负有安全生产监督管理职责的部门"
        "可以自作出责令改正之日的次日起，按照原处罚数额按日连续处罚。",
    )  # fmt: skip
    question = "企业被罚款后一直拖着不整改，能按天累计罚款吗？连续处罚从哪天起算？"
    answer = _composed(question, [record("安全生产法", "法律")], [daily], "起算 天 拖着")
    assert not answer.abstained and "次日起" in answer.text and "未找到依据" not in answer.text


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("矿上老板想招几个十七岁的小伙子下井，另外食堂几个女工也想调下去，这样行吗？", 1),
        ("叉车要不要登记，另外司机要持证吗？", 2),  # each asks yes or no
        ("事故要多久上报，另外罚款多少？", 2),
    ],
)
def test_a_sentence_asking_yes_or_no_of_what_it_tells_is_one_question(question, parts):
    assert len(question_parts(question)) == parts


def test_a_number_told_in_a_yes_or_no_question_joined_by_another_asks_no_figure():
    mine = _article(
        "矿山安全法", "法律", 29,
        "第二十九条 矿山企业不得录用未成年人从事矿山井下劳动。\n矿山企业对女职工按照国家规定实行特殊劳动保护，"
        "不得分配女职工从事矿山井下劳动。",
    )  # fmt: skip
    question = "我们矿上人手紧，老板想招几个十七岁的小伙子下井挖矿，另外食堂几个女工也想调下去，这样行吗？"
    answer = _composed(question, [record("矿山安全法", "法律")], [mine], "食堂 人手 老板")
    assert not answer.abstained and "不得分配女职工从事矿山井下劳动" in answer.text


def test_a_figure_in_an_articles_later_sentence_is_about_what_its_first_names():
    upkeep = _article(
        "特种设备安全监察条例", "行政法规", 31,
        "第三十一条 电梯的日常维护保养必须由依照本条例取得许可的安装、改造、维修单位或者电梯制造单位进行。\n"
        "电梯应当至少每15日进行一次清洁、润滑、调整和检查。",
    )  # fmt: skip
    question = "我们写字楼那几部电梯，维保公司说一个月来保养一次就够了，规定上到底多久要保养一次？"
    answer = _composed(
        question, [record("特种设备安全监察条例", "行政法规")], [upkeep], "公司 写字楼 一个月 维保 到底 规定 就够"
    )
    assert not answer.abstained and "每15日" in answer.text


def test_a_clause_may_start_with_the_place_it_is_about():
    assert "宁波市" in default_forms().places_named("危化品企业多久做一次安全评价？宁波和上海的规定分别是怎样的？")
    assert "宁波市" in default_forms().places_named("我开火锅店，后厨用燃气，宁波这边有什么要求？")


def test_a_rule_of_the_region_asked_about_holds_its_name():
    shanghai = _local(
        "上海市安全生产条例", "上海市", 58,
        "第五十八条 生产经营单位发生生产安全事故后，应当在一小时内向安全生产监管部门和专项监管部门报告；"
        "情况紧急时，应当在三十分钟内向安全生产监管部门和专项监管部门报告。",
    )  # fmt: skip
    national = _article(
        "生产安全事故报告和调查处理条例", "行政法规", 9,
        "第九条 事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内向"
        "事故发生地县级以上人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告。",
    )  # fmt: skip
    records = [
        record("上海市安全生产条例", "地方性法规", "上海市"),
        record("生产安全事故报告和调查处理条例", "行政法规"),
    ]
    question = "我们公司在上海，厂里出了事故，多久之内必须报给安监？"
    answer = _composed(question, records, [shanghai, national], "上海 企业 安监 之内 必须 公司 厂里")
    assert [s.chunk.doc_id for s in answer.sources][:1] == ["上海市安全生产条例"]
