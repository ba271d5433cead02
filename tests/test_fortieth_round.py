"""Round 40 (issue 15): general answer rules found on a blind set once it became a diagnosis set.

- A claim put to be judged is the sentence judged (…厂里说这不算工伤，他们说得对吗？), or the one before a bare 这个说法
  对吗？; a circumstance told before it (抢救了三天还是走了) claims no period for the law to confirm.
- Whom an article binds is read from every paragraph: 消防法第十七条 has the 消防救援机构 name the 消防安全重点单位
  and then gives those units duties of their own, so a unit asking of its duties is answered by it. A later
  paragraph binds the units it names before its duty (消防安全重点单位除应当履行…), not those it only mentions
  (国家鼓励和支持生产经营单位…).
- A glossary term is read in a question starting or ending where a word does (事故报告时限 in 安全事故|报告|时限),
  never across two words (the 漏报 of 燃气泄漏|报警 is no 漏报 of an accident).
- A clause speaking of other accident levels than the one asked about (对重大、特别重大生产安全事故负有责任的, asked
  about a 较大事故) says nothing of it: the clause on the level asked is quoted.
- A place's 标准 asked for (按江苏的标准) is its own rule, as its 规定 or 要求 are.
- A number the pick's ranges do not reach (预计来800人, beside permits for 1000人以上5000人以下 …) is the provision
  defining what the law covers to judge (所称大型群众性活动，是指…1000人以上的): the law may not apply at all.
- A flood, an earthquake or a rescue after one (抗洪抢险, 救灾) is a 突发事件 (突发事件应对法第二条): the emergency law
  is on the subject asked about, as 特种设备安全法 is on an elevator.
- A period asked as 每个月 or 每一年 is the 每月 or 每年 the regulations write.
- 上位法 (issue 16): a rule's title names what it covers (应急管理部关于工贸企业…的通知: 工贸企业), which a general text
  covers too; a notice's 七日内 gives way to the regulation's 1小时内 on the same report though the regulation never
  writes 工贸企业.
- Self-check (issue 16): an industry the field denies (不是化工厂, 非化工企业) is none of the enterprise's."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_thirtyninth_round import _national_notice, _provision
from test_thirtythird_round_answers import _weighed
from test_twentyfourth_round_answers import _analyzer

from assistant.answer.levels import covered, named_level
from assistant.answer.ranges import bounds, holds, stated
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import GOVERNMENT, UNIT, duty_bearers
from assistant.selfcheck.profile import read_profile
from ingest.cleaning import normalise_for_index
from ingest.legal_forms import default_forms
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.mark.parametrize(
    "question",
    [
        "我父亲在车间上班时突然脑出血倒下，送医院抢救了三天还是走了。厂里说这不算工伤，他们说得对吗？",
        "工人在厂里干了五年，上个月摔伤了。老板说这不算工伤，对不对？",
    ],
)
def test_a_circumstance_told_before_the_claim_judged_claims_no_figure(asks, question):
    assert asks.asked(question) is None


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("叉车司机的作业人员证每4年复审一次，对吗？", "每4年"),
        ("老板说受伤后三天内报就行，他说得对吗？", "三天"),
        ("有人说事故发生后24小时内上报就行。这个说法对吗？", "24小时"),  # the claim is the sentence before
        ("判断题：事故发生后单位负责人应当在1小时内报告。（ ）", "1小时"),
    ],
)
def test_the_claim_judged_still_asks_for_the_laws_figure(asks, question, words):
    ask = asks.asked(question)
    assert ask is not None and ask.words == words


_NAMING = _article(
    "消防法", "法律", 17,
    "第十七条 县级以上地方人民政府消防救援机构应当将发生火灾可能性较大的单位，确定为本行政区域内的消防安全重点单位。\n"
    "消防安全重点单位除应当履行本法第十六条规定的职责外，还应当履行下列消防安全职责：\n"
    "（一）确定消防安全管理人，组织实施本单位的消防安全管理工作；\n"
    "（二）实行每日防火巡查，并建立巡查记录；",
)  # fmt: skip
_INSPECTION = _article(
    "消防法", "法律", 15,
    "第十五条 公众聚集场所在投入使用、营业前，建设单位或者使用单位应当向场所所在地的县级以上地方人民政府消防救援机构"
    "申请消防安全检查。",
)  # fmt: skip
_TEAMS_PLANNED = _article(
    "生产安全事故应急条例", "行政法规", 9,
    "第九条 县级以上人民政府应当加强对生产安全事故应急救援队伍建设的统一规划、组织和指导。\n"
    "国家鼓励和支持生产经营单位和其他社会力量建立提供社会化应急救援服务的应急救援队伍。",
)  # fmt: skip


@pytest.mark.parametrize(
    ("chunk", "bearers"),
    [
        (_NAMING, {GOVERNMENT, UNIT}),  # the units named by the department, then bound
        (_INSPECTION, {UNIT}),
        (_TEAMS_PLANNED, {GOVERNMENT}),  # the units the state encourages bear no duty
    ],
)
def test_whom_an_article_binds_is_read_from_every_paragraph(chunk, bearers):
    assert duty_bearers(chunk) == bearers


def test_a_unit_asking_of_its_duties_is_answered_by_the_article_binding_it_in_a_later_paragraph():
    records = [record("消防法", "法律")]
    common = {"消防": 0.6, "安全": 0.6, "单位": 0.4, "消防安全": 0.8}
    answer = _weighed(
        "我们酒店刚被列为消防安全重点单位，防火巡查方面有什么要求？", records, [_NAMING, _INSPECTION], common
    )
    assert answer.sources[0].chunk.article_num == 17 and "每日防火巡查" in answer.text, answer.text


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("我们饭店后厨用管道天然气，必须装燃气泄漏报警装置吗？", None),  # 泄漏|报警: no 漏报
        ("事故发生后有漏报的，单位负责人怎么处罚？", "漏报"),
        # 安全事故|报告|时限: the term starts inside a word and ends where one does
        ("重庆市对企业生产安全事故报告时限有无严于国家的规定？", "事故报告时限"),
    ],
)
def test_a_glossary_term_is_read_at_a_words_edge_never_across_two_words(question, name):
    glossary = _analyzer(record("安全生产法", "法律")).analyse(question).glossary
    names = {n for entry in glossary for n in entry.names}
    if name is None:
        assert "漏报" not in names, names
    else:
        assert name in names, names


_LEVELS = ("特别重大事故", "重大事故", "较大事故", "一般事故")


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("生产经营单位对发生较大以上生产安全事故负有责任的", {"特别重大事故", "重大事故", "较大事故"}),
        ("因对重大、特别重大生产安全事故负有责任的", {"特别重大事故", "重大事故"}),
        ("发生一般事故的，处三十万元以上一百万元以下的罚款", {"一般事故"}),
        ("发生较大以下事故的", {"较大事故", "一般事故"}),
        ("存在重大事故隐患的", None),  # a hazard, no accident
        ("发生重大伤亡事故或者造成其他严重后果的", None),  # the criminal law's words, no level
    ],
)
def test_the_levels_a_provision_speaks_of(text, levels):
    assert covered(text, _LEVELS) == levels


@pytest.mark.parametrize(
    ("question", "level"),
    [
        ("深圳的企业如果对一起较大事故负有责任，除了罚款之外还要承担什么？", "较大事故"),
        ("厂里出了重大生产安全事故，老板要担什么责任？", "重大事故"),
        ("一般、较大、重大事故的调查报告多少日内批复？", ""),  # several levels: none is the accident's
        ("较大以上事故由哪一级政府调查？", ""),  # a range asked about
        ("存在重大事故隐患的企业怎么处罚？", ""),
    ],
)
def test_the_level_a_question_names_as_its_accidents(question, level):
    assert named_level(question, _LEVELS) == level


def test_a_clause_on_other_levels_says_nothing_of_the_accident_asked_about():
    """深圳's 第六十条: a 较大事故 bars the 主要负责人 from heading a unit of the same trade, a 重大 or 特别重大 one from
    heading any unit; asked about a 较大事故, the answer quotes the first paragraph, not the second."""
    bar = _article(
        "深圳经济特区安全生产监督管理条例", "地方性法规", 60,
        "第六十条 生产经营单位主要负责人因对较大生产安全事故负有责任受刑事处罚或者撤职处分的，除依照《安全生产法》实行"
        "职业禁入等行政处罚外，终身不得在深圳经济特区范围内担任本行业生产经营单位主要负责人。\n"
        "生产经营单位主要负责人因对重大、特别重大生产安全事故负有责任的，除依照《安全生产法》实行职业禁入之外，终身不得"
        "在深圳经济特区范围内担任任何生产经营单位主要负责人。",
    )  # fmt: skip
    bar.metadata["region"] = "深圳市"
    records = [record("深圳经济特区安全生产监督管理条例", "地方性法规", region="深圳市")]
    common = {"生产经营": 0.6, "单位": 0.4, "主要负责人": 0.8, "负责人": 0.8, "事故": 0.6}
    answer = _weighed("深圳有个厂长对一起较大事故负有责任，他以后还能在深圳当厂长吗？", records, [bar], common)
    assert "担任本行业生产经营单位主要负责人" in answer.text, answer.text
    assert "担任任何生产经营单位主要负责人" not in answer.text, answer.text
    other = _weighed("深圳有个厂长对一起重大事故负有责任，他以后还能在深圳当厂长吗？", records, [bar], common)
    assert "担任任何生产经营单位主要负责人" in other.text, other.text


def test_a_places_standard_asked_for_is_its_own_rule():
    """按江苏的标准: the standard Jiangsu sets, which a knowledge base holding no Jiangsu text cannot state."""
    plan = _analyzer(record("工伤保险条例", "行政法规")).analyse(
        "我在江苏，五级伤残后跟单位解除了劳动合同，一次性伤残就业补助金按江苏的标准具体是多少个月工资？"
    )
    assert plan.unheld_places == ["江苏省"]
    told = _analyzer(record("工伤保险条例", "行政法规")).analyse("我们厂在江苏，工伤的伤残津贴怎么算？")
    assert told.unheld_places == []


_EVENTS = [record("大型群众性活动安全管理条例", "行政法规")]
_SCOPE = _article(
    "大型群众性活动安全管理条例", "行政法规", 2,
    "第二条 本条例所称大型群众性活动，是指法人或者其他组织面向社会公众举办的每场次预计参加人数达到1000人以上的下列"
    "活动：\n（一）体育比赛活动；\n（二）演唱会、音乐会等文艺演出活动；\n（三）展览、展销等活动。",
)  # fmt: skip
_PERMITS = _article(
    "大型群众性活动安全管理条例", "行政法规", 12,
    "第十二条 大型群众性活动的预计参加人数在1000人以上5000人以下的，由活动所在地县级人民政府公安机关实施安全许可；"
    "预计参加人数在5000人以上的，由活动所在地设区的市级人民政府公安机关实施安全许可。",
)  # fmt: skip
# as in a real index, the words both provisions share weigh little
_EVENT_WORDS = {"大型": 0.5, "群众": 0.5, "群众性": 0.5, "活动": 0.4, "参加": 0.6, "人数": 0.6, "预计": 0.6}


def test_a_number_below_every_range_of_the_pick_is_the_scope_provisions_to_judge():
    """800人: no permit range reaches it; whether the regulation applies at all is its 第二条's to say."""
    below = _weighed(
        "我们商场周末办一个展销，预计来800人左右，需要去公安办大型群众性活动安全许可吗？",
        _EVENTS, [_PERMITS, _SCOPE], _EVENT_WORDS,
    )  # fmt: skip
    assert below.sources[0].chunk.article_num == 2 and "1000人以上" in below.text, below.text
    within = _weighed(
        "我们商场周末办一个展销，预计来3000人左右，需要去公安办大型群众性活动安全许可吗？",
        _EVENTS, [_PERMITS, _SCOPE], _EVENT_WORDS,
    )  # fmt: skip
    assert within.sources[0].chunk.article_num == 12 and "县级人民政府公安机关" in within.text, within.text


@pytest.mark.parametrize(
    ("text", "told", "bounded", "held"),
    [
        ("预计参加人数达到1000人以上的下列活动", "预计来800人", True, False),
        ("预计参加人数在1000人以上5000人以下的", "预计来3000人", True, True),
        ("处十万元以上二十万元以下的罚款", "预计来800人", False, False),  # another unit
    ],
)
def test_a_range_bounds_a_number_of_its_unit_whether_or_not_it_holds_it(text, told, bounded, held):
    quantities = stated(told)
    assert bounds(text, quantities) is bounded
    assert holds(text, quantities) is held


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("我们厂有几个员工被镇上叫去参加抗洪抢险，这几天的工资厂里还要照发吗？", True),
        ("洪水期间政府征用了我们公司几辆货车去运救灾物资，能要求补偿吗？", True),
        ("地震以后厂房开裂，复工前要做什么？", True),
        ("车间里有人违章操作，班组长该怎么管？", False),
    ],
)
def test_a_flood_or_an_earthquake_is_an_emergency_the_emergency_law_governs(question, names):
    """突发事件 are 自然灾害、事故灾难、公共卫生事件和社会安全事件 (突发事件应对法第二条): a question about a flood
    names the subject of 突发事件应对法 without its word, as one about an elevator names 特种设备."""
    forms = default_forms()
    subject = forms.subject("中华人民共和国突发事件应对法", "法律")
    assert forms.names_subject(subject, normalise_for_index(question)) is names


@pytest.mark.parametrize(
    ("question", "token"),
    [
        ("老板每个月、每个季度抓安全有什么最低要求？", "每季度"),
        ("每一年至少演练几次？", "每年"),
        ("每个月要查几次？", "每月"),
    ],
)
def test_a_period_asked_as_each_one_is_read_as_the_regulations_write_it(question, token):
    assert token in Tokenizer([]).query_tokens(question)


def test_a_team_is_no_period():
    assert "每班" not in Tokenizer([]).query_tokens("每个班组配几个安全员？")


def test_a_notice_setting_a_longer_deadline_for_a_class_of_enterprise_gives_way_to_the_regulations():
    """The notice's title names whom it covers (工贸企业), which the regulation on every unit's accidents covers too:
    its 1小时内 is on the notice's matter without naming 工贸企业, and decides over the notice's 七日内."""
    notice = _national_notice(
        "二、工贸企业发生生产安全事故后，可以在七日内向应急管理部门报告。",
        "应急管理部关于工贸企业安全管理有关事项的通知",
    )
    regulation = _provision(
        "第九条 事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内向事故发生地"
        "县级以上人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告。",
        "生产安全事故报告和调查处理条例", "行政法规", "第九条", 9,
    )  # fmt: skip
    records = [
        record("应急管理部关于工贸企业安全管理有关事项的通知", "规范性文件"),
        record("生产安全事故报告和调查处理条例", "行政法规"),
    ]
    # as in the real index: 工贸 is rare, the words of any accident report common
    weights = {"工贸": 5.7, "企业": 1.8, "发生": 2.0, "事故": 1.2, "报告": 2.0}
    answer = _weighed("工贸企业发生事故后多久要报告？", records, [notice, regulation], weights)
    assert answer.citations[0] == {"doc": "生产安全事故报告和调查处理条例", "article": "第九条"}, answer.text
    assert "1小时内" in answer.text and "七日内" not in answer.text, answer.text


@pytest.mark.parametrize("industry", ["不是化工厂", "非化工企业", "不做危化品经营"])
def test_an_industry_the_field_denies_is_none_of_the_enterprises(industry):
    """Issue 16: the industry field 不是化工厂 listed the 危险化学品生产 duties; now a denied industry is none of the
    enterprise's, read with the negation cues a description is read with, and the checklist says the field was not
    recognised."""
    profile = read_profile(KnowledgePack(Settings().knowledge_dir), industry, 50)
    assert not any("危险化学品" in key for key in profile.industries), profile.industries
    assert any("无法识别" in note for note in profile.notes), profile.notes


@pytest.mark.parametrize(
    ("industry", "key"), [("非煤矿山", "非煤矿山"), ("矿山（非煤）", "非煤矿山"), ("化工厂", "危险化学品生产")]
)
def test_an_industry_named_with_a_non_of_its_own_is_still_read(industry, key):
    assert key in read_profile(KnowledgePack(Settings().knowledge_dir), industry, 50).industries
