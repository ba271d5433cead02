"""Round 31 (issue 15): questions in the words people use, read as they mean them.

- A title of issuers, 关于 and a matter is named by its matter loosely, as it is exactly (按照预防煤矿事故的特别规定
  names 国务院关于预防煤矿生产安全事故的特别规定; test_retrieval_stages).
- A place's own text named by title without marks (广东省安全生产条例) is its rules asked about; of a place the
  library holds none of, the answer says so (test_twentyseventh_round_answers).
- A 几 telling of an act done, in a clause before the one asking (卖了几天烟花，被查到会怎样; 过期几个月了还在生产，
  怎么处理), is a number the asker knows roughly: it asks no period, and the period of another provision was quoted.
- What happens once caught (被查到的话会怎么样) asks the consequence of a breach: its penalty; so does who pays for a
  harm after a duty left undone (没给交工伤保险，受伤了费用谁出), not the cost of the duty itself.
- How often asked by a number of periods or with 一回 (几年要复审一次, 多久要自检一回) names its act, which a provision
  may name in the law's words (自行检查).
- A penalty asked of a party (对单位, 对主要负责人, both) is the fine laid on that party: a law above fining only the
  主要负责人 does not decide the unit's fine.
- A special law on a national rule's own sector decides a duty both state (特种设备安全法 over 特种设备安全监察条例);
  a figure the rule sets stays its own.
- Which ones asked (哪些行业领域) are named as each passage writes the kind (…等重点行业、重点领域).
- A figure of a matter another law or rule sets (产假多少天, 听证, 追诉时效, 酒驾暂扣驾驶证, 安责险保额) is that
  source's; a standard's matter too (氧含量: GB 8958); a matter is named only where a word of the question starts.
- A part answered well stands, with a note, when a later part's figure is stated nowhere (standing_coverage).
- Lexicon: 先撤出来 → 撤离作业场所, 许可证还没批下来就先开工 → 未取得…擅自进行生产, 展销会 → 大型群众性活动,
  回家路上被车撞了、对方全责 → 上下班途中…非本人主要责任的交通事故; 最晚什么时候 asks a deadline."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _analyzer, _composed

from assistant.answer import OfflineComposer
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import PENALTY, parties_asked, parties_fined, provision_asked
from assistant.retrieval.query import QueryAnalyzer
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer
from ingest.vocabulary import Vocabulary


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("隔壁没办证就先卖了几天烟花，被查到的话会怎么样？", None),  # for a few days, told
        ("许可证已经过期几个月了还在生产，应该怎么处理？", None),
        ("塔吊验收还没弄就先吊了几天料，罚款大概多少？", "money"),  # the sum asked, not the days told
        ("一季度一共发生了几起生产安全事故？", "count"),  # asked in the last clause: asked
        ("事故发生后几小时内要上报？", "time"),
        ("已经停产几个月了，多久要复查一次？", "frequency"),
        ("叉车还没去登记，最晚什么时候要登记？", "time"),  # a deadline asked
    ],
)
def test_a_number_told_roughly_of_an_act_done_asks_no_figure(asks, question, kind):
    ask = asks.asked(question)
    assert (ask.kind if ask else None) == kind


@pytest.mark.parametrize(
    ("question", "penalty"),
    [
        ("没办证就先卖烟花，被查到的话会怎么样？", True),
        ("坐高铁带两盒烟花，被查到会怎样？", True),
        ("无证开叉车被发现了咋办？", True),
        ("这样操作安全上会怎么样？", False),  # no breach caught: what happens is asked, not its penalty
        ("有限空间作业要注意什么？", False),
    ],
)
def test_what_happens_once_caught_asks_the_penalty(question, penalty):
    assert (provision_asked(question) == PENALTY) is penalty


@pytest.mark.parametrize(
    ("question", "liability"),
    [
        ("小饭馆没给服务员交工伤保险，现在她切菜受伤了，费用谁出？", True),  # a harm after a duty undone
        ("厂子没给我们交工伤保险，工友受伤了医药费谁来出？", True),
        ("公司没给做离岗体检就让我走，体检钱归谁出？", False),  # the cost of the duty itself
        ("事故救援的费用由谁出？", False),  # no duty undone
    ],
)
def test_who_pays_for_a_harm_after_a_duty_undone_asks_the_liability(question, liability):
    assert (provision_asked(question) == PENALTY) is liability


def test_a_breach_told_with_a_rough_number_is_answered_by_its_penalty_not_a_period():
    duty = _article(
        "烟花爆竹安全管理条例", "行政法规", 19,
        "第十九条 申请从事烟花爆竹零售的经营者，应当向所在地县级人民政府安全生产监督管理部门提出申请。"
        "受理申请的部门应当自受理申请之日起20日内对提交的有关材料和经营场所进行审查。",
    )  # fmt: skip
    penalty = _article(
        "烟花爆竹安全管理条例", "行政法规", 36,
        "第三十六条 对未经许可经营烟花爆竹制品的，由安全生产监督管理部门责令停止非法经营活动，"
        "处2万元以上10万元以下的罚款，并没收非法经营的物品及违法所得。",
    )  # fmt: skip
    answer = _composed(
        "隔壁没办零售许可证就先卖了几天烟花，被查到的话会怎么样？",
        [record("烟花爆竹安全管理条例", "行政法规")],
        [duty, penalty],
    )
    assert not answer.abstained
    assert answer.text.startswith("依据《烟花爆竹安全管理条例》第三十六条") and "20日内" not in answer.text


@pytest.mark.parametrize(
    ("question", "act"),
    [("特种设备作业人员证几年要复审一次？", "复审"), ("压力容器几个月检验一次？", "检验"), ("多久修订一次？", "修订")],
)
def test_how_often_asked_by_a_number_of_periods_names_the_act_asked_about(asks, question, act):
    ask = asks.asked(question)
    assert ask is not None and ask.kind == "frequency" and ask.act == act


def test_how_often_an_act_is_done_is_not_answered_by_a_provision_on_another_act():
    """电梯、叉车这些特种设备作业人员证几年要复审一次 was answered by the period after which an installer hands over
    documents: the act asked (复审) is named by no provision found."""
    other = _article(
        "特种设备安全监察条例", "行政法规", 28,
        "第二十八条 特种设备使用单位应当按照安全技术规范的定期检验要求，每2年对在用特种设备进行一次定期检验。"
        "特种设备作业人员应当持证上岗。",
    )  # fmt: skip
    answer = _composed("特种设备作业人员证几年要复审一次？", [record("特种设备安全监察条例", "行政法规")], [other])
    assert answer.abstained and "第二十八条" in answer.text  # listed as related only


@pytest.mark.parametrize(
    ("question", "parties"),
    [
        ("事故发生单位谎报事故的，对单位处多少罚款？", {"unit"}),
        ("企业罚款标准是多少？", {"unit"}),
        ("对主要负责人如何处罚？", {"person"}),
        ("对单位的主要负责人怎么罚？", {"person"}),  # the unit's person
        ("老板个人要罚多少？", {"person"}),
        ("瞒报被查出来了，单位和负责人个人分别怎么罚？", {"unit", "person"}),
        ("没办证卖烟花会怎么处理？", set()),
    ],
)
def test_the_party_a_penalty_is_asked_of(question, parties):
    assert parties_asked(question) == parties


@pytest.mark.parametrize(
    ("text", "parties"),
    [
        ("对事故发生单位处100万元以上500万元以下的罚款；对主要负责人处上一年年收入60%至100%的罚款。", {"unit", "person"}),
        ("生产经营单位的主要负责人对生产安全事故隐瞒不报的，由应急管理部门处上一年年收入百分之六十的罚款。", {"person"}),
        ("生产经营单位有下列行为之一的，责令限期改正，处十万元以下的罚款。", {"unit"}),
        ("生产经营单位未采取措施的，责令改正，处五万元以下的罚款；对其直接负责的主管人员处一万元以下的罚款。", {"unit", "person"}),
        ("生产经营单位应当建立安全生产责任制。", set()),
    ],
)  # fmt: skip
def test_the_parties_a_provision_fines(text, parties):
    assert parties_fined(text) == parties


_CONCEALED_LAW = _article(
    "安全生产法", "法律", 110,
    "第一百一十条 生产经营单位的主要负责人在本单位发生生产安全事故时，不立即组织抢救的，给予降级、撤职的处分，"
    "并由应急管理部门处上一年年收入百分之六十至百分之一百的罚款。\n生产经营单位的主要负责人对生产安全事故隐瞒不报、"
    "谎报或者迟报的，依照前款规定处罚。",
)  # fmt: skip
_CONCEALED_RULE = _article(
    "生产安全事故报告和调查处理条例", "行政法规", 36,
    "第三十六条 事故发生单位及其有关人员谎报或者瞒报事故的，对事故发生单位处100万元以上500万元以下的罚款；"
    "对主要负责人、直接负责的主管人员和其他直接责任人员处上一年年收入60%至100%的罚款。",
)  # fmt: skip
_LAWS = [record("安全生产法", "法律"), record("生产安全事故报告和调查处理条例", "行政法规")]


def test_the_law_above_decides_a_penalty_only_where_it_fines_the_party_asked_about():
    """上位法: 安全生产法第一百一十条 fines the 主要负责人 who conceals an accident; the unit's fine is the
    regulation's alone, and it was quoted for 对单位处多少罚款."""
    unit = _composed("事故发生单位瞒报事故的，对单位处多少罚款？", _LAWS, [_CONCEALED_RULE, _CONCEALED_LAW])
    assert unit.text.startswith("依据《生产安全事故报告和调查处理条例》第三十六条") and "100万元" in unit.text
    both = _composed("瞒报事故被查出来了，单位和负责人个人分别怎么罚？", _LAWS, [_CONCEALED_RULE, _CONCEALED_LAW])
    assert both.text.startswith("依据《生产安全事故报告和调查处理条例》第三十六条")
    # of the person alone, the law states the fine: it decides
    person = _composed("主要负责人瞒报事故的，对主要负责人怎么罚？", _LAWS, [_CONCEALED_RULE, _CONCEALED_LAW])
    assert person.text.startswith("依据《安全生产法》第一百一十条")


def test_a_penalty_asked_of_the_unit_is_the_units_fine_before_its_managers():
    manager = _article(
        "安全生产法", "法律", 95,
        "第九十五条 生产经营单位的主要负责人未履行安全生产管理职责，导致发生生产安全事故的，由应急管理部门依照下列规定"
        "处以罚款：（二）发生较大事故的，处上一年年收入百分之四十的罚款。",
    )  # fmt: skip
    unit = _article(
        "安全生产法", "法律", 114,
        "第一百一十四条 发生生产安全事故，对负有责任的生产经营单位除要求其依法承担相应的赔偿等责任外，由应急管理部门"
        "依照下列规定处以罚款：（二）发生较大事故的，处一百万元以上二百万元以下的罚款。",
    )  # fmt: skip
    answer = _composed("发生较大事故，企业罚款标准是多少？", [record("安全生产法", "法律")], [manager, unit])
    assert "第一百一十四条" in answer.text.splitlines()[0]


_SCRAPPED_RULE = _article(
    "特种设备安全监察条例", "行政法规", 30,
    "第三十条 特种设备存在严重事故隐患，无改造、维修价值，或者超过安全技术规范规定使用年限，特种设备使用单位应当"
    "及时予以报废，并应当向原登记的特种设备安全监督管理部门办理注销。",
)  # fmt: skip
_SCRAPPED_LAW = _article(
    "特种设备安全法", "法律", 48,
    "第四十八条 特种设备存在严重事故隐患，无改造、修理价值，或者达到安全技术规范规定的其他报废条件的，特种设备使用"
    "单位应当依法履行报废义务，采取必要措施消除该特种设备的使用功能，并向原登记的负责特种设备安全监督管理的部门办理"
    "使用登记证书注销手续。",
)  # fmt: skip
_SPECIAL = [record("特种设备安全监察条例", "行政法规"), record("特种设备安全法", "法律")]


def test_a_duty_the_special_law_on_a_rules_sector_states_as_well_is_the_laws():
    """上位法 and 新法: 特种设备安全法 states the duty 特种设备安全监察条例 states (报废, 注销); ranked after it, the
    regulation was quoted."""
    answer = _composed("特种设备报废以后要去注销吗？", _SPECIAL, [_SCRAPPED_RULE, _SCRAPPED_LAW])
    assert answer.text.startswith("依据《特种设备安全法》第四十八条")


def test_a_figure_the_rule_below_sets_stays_its_own():
    upkeep = _article(
        "特种设备安全监察条例", "行政法规", 31,
        "第三十一条 电梯的日常维护保养必须由依照本条例取得许可的安装、改造、维修单位或者电梯制造单位进行。"
        "电梯应当至少每15日进行一次清洁、润滑、调整和检查。",
    )  # fmt: skip
    law = _article(
        "特种设备安全法", "法律", 45,
        "第四十五条 电梯的日常维护保养必须由依照本法取得许可的安装、改造、维修单位或者电梯制造单位进行。",
    )  # fmt: skip
    answer = _composed("电梯的日常维护保养由谁来做？维保公司说一个月来一次就够了", _SPECIAL, [upkeep, law])
    assert answer.text.startswith("依据《特种设备安全监察条例》第三十一条") and "每15日" in answer.text


def test_a_penalty_fining_no_one_is_not_passed_over_for_the_party_asked():
    daily = _article(
        "安全生产法", "法律", 112,
        "第一百一十二条 生产经营单位违反本法规定，被责令改正且受到罚款处罚，拒不改正的，负有安全生产监督管理职责的部门"
        "可以自作出责令改正之日的次日起，按照原处罚数额按日连续处罚。",
    )  # fmt: skip
    obstructing = _article(
        "安全生产法", "法律", 108,
        "第一百零八条 违反本法规定，生产经营单位拒绝、阻碍负有安全生产监督管理职责的部门依法实施监督检查的，责令改正；"
        "拒不改正的，处二万元以上二十万元以下的罚款。",
    )  # fmt: skip
    answer = _composed(
        "企业被责令改正还罚了款，结果一直拖着不改，执法部门是不是可以按天连续罚？",
        [record("安全生产法", "法律")],
        [daily, obstructing],
    )
    assert "第一百一十二条" in answer.text.splitlines()[0]


@pytest.mark.parametrize("question", ["闻到很冲的气味，我们先撤出来了，会扣工资吗？", "很呛，我们能不能先跑出去？"])
def test_leaving_a_workplace_in_everyday_words_is_the_laws_evacuation(question):
    plan = _analyzer(record("安全生产法", "法律")).analyse(question)
    assert "撤离作业场所" in plan.legal_terms


_TOKENIZER = Tokenizer(Vocabulary(Settings().knowledge_dir).segmenter_terms)  # the lexicon's words whole, as indexed


def _word_analyzer(*records) -> QueryAnalyzer:
    """The query analyser over these documents, with the pack's words kept whole as an index's tokenizer keeps them."""
    return QueryAnalyzer(KnowledgePack(Settings().knowledge_dir), _TOKENIZER, {r.doc_id: r for r in records})


def test_starting_before_the_licence_came_is_producing_without_one():
    plan = _word_analyzer(record("安全生产许可证条例", "行政法规")).analyse(
        "许可证还没批下来，项目就先开工了，会罚多少？"
    )
    assert {"未取得", "擅自进行生产"} <= set(plan.legal_terms)


def test_which_ones_asked_is_answered_by_the_first_passage_naming_a_series_of_them_however_written():
    """哪些行业领域: the passage naming 危险化学品、粉尘涉爆…等重点行业、重点领域 (行业, as it writes the kind) answers
    before a later one naming …等重点行业领域企业 as what is inspected."""
    from test_answer_reading import _compose, _passage

    opening = _passage(
        1,
        "青山区安全生产工作第四季度工作计划\n第四季度继续推进隐患排查治理体系建设，深化重点行业领域专项整治。",
    )
    sectors = _passage(2, "加强对危险化学品、粉尘涉爆、有限空间、人员密集场所等重点行业、重点领域进行隐患排查治理。")
    inspected = _passage(3, "以危险化学品、可燃性粉尘、易燃易爆等重点行业领域企业为重点检查对象，加强督导检查。")
    answer = _compose("青山区那个工作计划，隐患排查治理重点盯哪些行业领域？", [opening, sectors, inspected])
    assert "粉尘涉爆、有限空间、人员密集场所" in answer.text.splitlines()[0], answer.text


_INJURY = _article(
    "工伤保险条例", "行政法规", 35,
    "第三十五条 职工因工致残被鉴定为一级至四级伤残的，保留劳动关系，退出工作岗位，从工伤保险基金按伤残等级支付一次性"
    "伤残补助金，标准为：一级伤残为27个月的本人工资。",
)  # fmt: skip


@pytest.mark.parametrize(
    ("question", "outside"),
    [
        ("女职工生育享受多少天产假？", True),
        ("工人周末加班，加班费按工资的几倍算？", True),
        ("饮酒后驾驶机动车的，处暂扣几个月驾驶证？", True),
        ("安全生产行政处罚的追诉时效是几年？两年前的还能罚吗？", True),  # the figure asked in a part of its own
        ("休了七个多月产假回来，要重新参加安全培训才能上岗吗？", False),  # a circumstance: training is asked
        ("叉车司机要不要考驾驶证？", False),
        ("安责险每人死亡赔偿限额最低多少万元？", True),  # the ministry's rule the law leaves it to
        ("高危行业要不要投保安全生产责任保险？", False),
        ("意外伤害保险每人保额最低多少万元？", False),  # another insurance's sum
    ],
)
def test_a_figure_of_a_matter_another_law_sets_is_that_laws(question, outside):
    plan = _analyzer(record("工伤保险条例", "行政法规")).analyse(question)
    assert bool(plan.outside) is outside


def test_a_figure_another_law_sets_is_declined_naming_the_law_until_it_is_found():
    records = [record("工伤保险条例", "行政法规")]
    answer = _composed("女职工生育享受多少天产假？", records, [_INJURY])
    assert answer.abstained and "《女职工劳动保护特别规定》" in answer.text and "没有收录" in answer.text
    # imported and found, its text answers
    leave = _article("女职工劳动保护特别规定", "行政法规", 7, "第七条 女职工生育享受98天产假，其中产前可以休假15天。")
    answer = _composed("女职工生育享受多少天产假？", [*records, record("女职工劳动保护特别规定", "行政法规")], [leave])
    assert not answer.abstained and "98天产假" in answer.text


def test_a_law_imported_but_not_searched_is_to_be_named():
    """A national collection searches the field's texts unless a question names another: the law setting the
    matter is held, and the answer says to name it."""
    records = [record("工伤保险条例", "行政法规"), record("女职工劳动保护特别规定", "行政法规")]
    answer = _composed("女职工生育享受多少天产假？", records, [_INJURY])
    assert answer.abstained and "知识库已收录《女职工劳动保护特别规定》" in answer.text and "写明" in answer.text


def test_how_often_asked_with_a_colloquial_measure_and_an_everyday_act_is_answered_in_the_laws_words(asks):
    ask = asks.asked("起重机我们自己多久要自检一回？")
    assert ask is not None and ask.kind == "frequency" and ask.act == "自检"
    check = _article(
        "特种设备安全监察条例", "行政法规", 27,
        "第二十七条 特种设备使用单位对在用特种设备应当至少每月进行一次自行检查，并作出记录。",
    )  # fmt: skip
    question = "在用的起重机我们自己多久要自检一回？"
    plan = _word_analyzer(record("特种设备安全监察条例", "行政法规")).analyse(question)
    idf = {t: 2.0 for t in [*_TOKENIZER.query_tokens(check.text), *_TOKENIZER.query_tokens(question)]}
    answer = OfflineComposer(_TOKENIZER, idf, asks).compose(question, plan, [check])
    assert not answer.abstained and "每月进行一次自行检查" in answer.text


_INSURANCE = _article(
    "建设工程安全生产管理条例", "行政法规", 38,
    "第三十八条 施工单位应当为施工现场从事危险作业的人员办理意外伤害保险。意外伤害保险费由施工单位支付。",
)  # fmt: skip


def test_a_part_answered_well_stands_when_a_later_figure_is_stated_nowhere():
    records = [record("建设工程安全生产管理条例", "行政法规")]
    answer = _composed(
        "工地上从事危险作业的人员，意外伤害保险费由谁支付？每人保额最低多少万元？", records, [_INSURANCE]
    )
    assert not answer.abstained and "由施工单位支付" in answer.text
    assert "关于“每人保额最低多少万元”：知识库中未找到依据" in answer.text


def test_a_part_answered_by_a_clause_holding_little_of_it_does_not_stand_without_the_figure_asked_after():
    records = [record("建设工程安全生产管理条例", "行政法规")]
    question = "我们区对小微企业搞标准化达标创建的施工单位有没有财政补贴？意外伤害保险费每人最低交多少钱？"
    answer = _composed(question, records, [_INSURANCE])
    assert answer.abstained


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("商场国庆想搞个展销会，估计来两千多人，要提前多久去公安申请？", {"大型群众性活动"}),
        ("请明星来搞见面会，没报公安许可就办了会怎样？", {"大型群众性活动"}),
        ("员工下班骑电动车回家路上被车撞了，对方全责，能算工伤吗？", {"上下班途中", "交通事故", "非本人主要责任"}),
    ],
)
def test_everyday_words_for_what_the_regulations_list_are_their_terms(question, terms):
    assert terms <= set(_word_analyzer(record("工伤保险条例", "行政法规")).analyse(question).legal_terms)


def test_the_oxygen_content_of_a_confined_space_is_the_standards():
    space = _article(
        "宁波市生产经营单位安全生产主体责任规定", "地方政府规章", 10,
        "第十条 生产经营单位进行有限空间作业，应当安排专门人员进行现场安全管理，确保操作规程的遵守和安全措施的落实。",
        title="宁波市生产经营单位安全生产主体责任规定",
    )  # fmt: skip
    answer = _composed(
        "有限空间作业 氧含量 合格范围", [record("宁波市生产经营单位安全生产主体责任规定", "地方政府规章")], [space]
    )
    assert answer.abstained and "GB 8958" in answer.text


@pytest.mark.parametrize("question", ["生产假冒伪劣产品罚多少？", "今年假期值班要安排几个人？"])
def test_a_matters_characters_inside_other_words_name_no_matter(question):
    assert _analyzer(record("安全生产法", "法律")).analyse(question).outside == []
