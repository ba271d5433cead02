"""Round 34 (issue 15): what the circumstances told say, and what they do not.

- The circumstances told before what is asked (商场新装了两部自动扶梯，…使用登记最晚什么时候要办好？), in words no
  candidate text uses, do not count against a provision answering what is asked; the words of what is asked do
  (…要误工费和精神损害抚慰金，这两项最多能要多少？ is not answered by the 生活护理费).
- A number told in passing (北京一家二十来人的小公司) decides between provisions answering about as well, not for a
  provision barely touching what is asked (the staffing rule's 一百人以下 for how to tell the staff).
- A provision on how a sentence is measured (从重处罚, 可以酌情从轻处罚) is a penalty provision; 对这个主要负责人可以怎么
  处理 asks the sanction on them.
- A period counted with 个 (七个工作日内) states a period; an ordinal day (第二天就让他上流水线) claims none."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_thirtythird_round_answers import _weighed
from test_twentyfourth_round_answers import _composed, _local

from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import PENALTY, provision_asked, provision_kind
from assistant.retrieval.query import split_asking
from ingest.settings import Settings


@pytest.mark.parametrize(
    ("part", "asking"),
    [
        ("商场新装了两部自动扶梯，特种设备使用登记最晚什么时候要办好？", "特种设备使用登记最晚什么时候要办好"),
        # a clause pointing back (这两项) asks about the one before it
        (
            "工伤已经认定了。我们还想要误工费和抚慰金，这两项最多能要多少？",
            "我们还想要误工费和抚慰金，这两项最多能要多少",
        ),
        ("安全生产许可证的有效期是几年？", "安全生产许可证的有效期是几年"),
        # a clause before it asking something itself is no circumstance told
        ("向哪一级公安机关申请，最晚提前多少天？", "向哪一级公安机关申请，最晚提前多少天"),
        (
            "我们是一家四星级酒店，安全部想确认：法规要求酒店多久搞一次应急预案演练？",
            "法规要求酒店多久搞一次应急预案演练",
        ),
    ],
)
def test_the_clauses_asking_are_the_last_with_those_asking_or_pointed_back_to(part, asking):
    assert split_asking(part)[1] == asking


_REGISTRATION = _article(
    "特种设备安全法", "法律", 33,
    "第三十三条 特种设备使用单位应当在特种设备投入使用前或者投入使用后三十日内，向负责特种设备安全监督管理的部门"
    "办理使用登记，取得使用登记证书。",
)  # fmt: skip


def test_circumstances_told_in_words_no_text_uses_do_not_count_against_the_answer():
    records = [record("特种设备安全法", "法律")]
    # as in a real index: the words every text on equipment holds weigh little, and 商场, 自动扶梯 and the rest are
    # words of the corpus none of the candidates holds
    common = {"特种": 1.5, "设备": 1.0, "特种设备": 1.5, "使用": 1.0}
    question = "商场一楼新装了两部自动扶梯，特种设备使用登记最晚什么时候要办好？"
    answer = _weighed(question, records, [_REGISTRATION], common)
    assert not answer.abstained and "三十日内" in answer.text and "未找到依据" not in answer.text, answer.text


def test_the_words_of_what_is_asked_count_though_no_text_uses_them():
    care = _article(
        "工伤保险条例", "行政法规", 34,
        "第三十四条 工伤职工已经评定伤残等级并经劳动能力鉴定委员会确认需要生活护理的，从工伤保险基金按月支付生活护理费。"
        "生活护理费按照生活完全不能自理、生活大部分不能自理或者生活部分不能自理3个不同等级支付，其标准分别为统筹地区"
        "上年度职工月平均工资的50%、40%或者30%。",
    )  # fmt: skip
    records = [record("工伤保险条例", "行政法规")]
    question = "我爸在厂里被砸断了腿，工伤已经认定了。我们还想找老板要误工费和精神损害抚慰金，这两项最多能要多少？"
    answer = _composed(question, records, [care], "误工费 精神 损害 抚慰金 抚慰 老板 砸断 两项")
    assert answer.abstained or "未找到依据" in answer.text, answer.text


_NOTIFY = _local(
    "北京市安全生产条例", "北京市", 13,
    "第十三条 生产经营单位的主要负责人应当依法履行本单位安全生产管理职责，定期组织研究本单位安全生产工作。"
    "没有职工代表大会的，应当每年向从业人员通报安全生产工作情况。",
)  # fmt: skip
_STAFFING = _local(
    "北京市安全生产条例", "北京市", 20,
    "第二十条 本条例第十九条规定以外行业的生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职"
    "安全生产管理人员；从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。",
)  # fmt: skip


_INFORM = _local(
    "北京市安全生产条例", "北京市", 37,
    "第三十七条 生产经营单位应当通过作业场所公示、书面告知、教育培训等方式，将作业场所的危险因素告知从业人员。",
)  # fmt: skip


def test_a_number_told_in_passing_does_not_pick_a_provision_barely_answering_what_is_asked():
    records = [record("北京市安全生产条例", "地方性法规", "北京市")]
    # as in a real index, the words every safety text holds weigh little
    common = {"安全生产": 0.8, "安全": 0.5, "生产": 0.5, "工作": 1.3}
    chunks = [_NOTIFY, _STAFFING, _INFORM]
    question = "北京一家二十来人的小公司，没有职工代表大会，老板每年需要怎么向员工交代安全生产情况？"
    answer = _weighed(question, records, chunks, common)
    assert [s.chunk.id for s in answer.sources][:1] == ["北京市安全生产条例-13"], answer.text
    # asked what the number decides, the provision whose range holds it answers
    staffing = _weighed("北京一家二十来人的小公司，需要配备安全生产管理人员吗？", records, chunks, common)
    assert [s.chunk.id for s in staffing.sources][:1] == ["北京市安全生产条例-20"], staffing.text


def test_how_a_sentence_is_measured_is_a_penalty_provision():
    lenient = _article(
        "危害生产安全刑事案件解释", "司法解释", 13,
        "第十三条 实施刑法第一百三十四条至第一百三十九条之一规定的犯罪行为，在安全事故发生后积极组织、参与事故抢救，"
        "或者积极配合调查、主动赔偿损失的，可以酌情从轻处罚。",
    )  # fmt: skip
    assert provision_kind(lenient) == PENALTY
    harsh = _article(
        "危害生产安全刑事案件解释", "司法解释", 12,
        "第十二条 实施刑法第一百三十二条、第一百三十四条至第一百三十九条之一规定的犯罪行为，具有下列情形之一的，从重处罚：",
    )  # fmt: skip
    assert provision_kind(harsh) == PENALTY
    duty = _article("安全生产法", "法律", 21, "第二十一条 生产经营单位的主要负责人对本单位安全生产工作负有下列职责：")
    assert provision_kind(duty) != PENALTY


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


def test_a_period_counted_with_a_measure_word_is_a_period(asks):
    ask = asks.asked("作出处罚决定后几个工作日内公开？")
    assert ask is not None and ask.kind == "time"
    for text in ("作出处罚决定后七个工作日内在监督管理部门公示系统予以公开曝光", "5个工作日内", "两个小时内"):
        assert ask.stated_in(text) and ask.degree(text) == 1.0, text
    assert not ask.stated_in("三个人")
    how_long = asks.asked("作出处罚决定后多久之内要公开？")  # asked how long, the same period answers
    assert how_long is not None and how_long.degree("作出处罚决定后七个工作日内公开") == 1.0


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("按《安全生产法》，对这个主要负责人可以怎么处理？", PENALTY),
        ("对违章指挥的车间主任应该怎么处理？", PENALTY),
        ("对企业如何处理？", PENALTY),
        ("对发现的隐患怎么处理？", None),  # a thing to be dealt with: the duty
        ("用不完的炸药怎么处理？", None),
    ],
)
def test_how_someone_is_dealt_with_asks_the_sanction_on_them(question, asked):
    assert provision_asked(question) == asked


def test_an_ordinal_day_claims_no_period(asks):
    # 第二天 tells when something happened; whether it was right asks no figure
    assert asks.asked("实习的学生，厂里头第二天就让他上流水线，啥培训都没搞。厂里这样搞对吗？") is None
    claimed = asks.asked("判断题：安全生产许可证的有效期为3年，对吗？")
    assert claimed is not None and claimed.kind == "time"
