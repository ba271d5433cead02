"""Round 51: what a question tells is not what it asks.

- An accident's injuries told with a measure word alone (重伤12个, 死了两名) are counted: the level is the highest the
  deaths, injuries or loss make.
- A figure told roughly (三米多高的钢架) asks no figure; 咋 is 怎么 (老板跑了，法律上咋处理 asks the penalty).
- A count of kinds (分几个等级, 有几项职责) is stated by a list of them; counting the levels of an accident told (死了3
  个人，算几级事故) asks which level it is.
- Who asks (我是街道安全干事，…; 物业这边问：…) is no part of what a figure is asked about.
- Of an act's lists, the one introduced as what is asked answers which ones; a provision referring to another article
  for what is asked points to it; a later part leans on the first only when the first is answered; content left to
  another instrument is said to be missing; a penalty quoted before answers a further part only of the party it fines.
"""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_fiftieth_round import _BY_LEVEL, _answer, _indexed_analyzer
from test_retrieval_stages import record
from test_seventeenth_round import LEVELS, LEVELS_ARTICLE
from test_twentyfourth_round_answers import _analyzer

from assistant.answer.compose import OfflineComposer
from assistant.answer.levels import stated
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import PENALTY, provision_asked
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer
from ingest.vocabulary import Vocabulary

_ASKS = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)
CLOSING = _article(
    "安全生产法", "法律", 113,
    "第一百一十三条 生产经营单位存在下列情形之一的，负有安全生产监督管理职责的部门应当提请地方人民政府予以关闭：\n"
    "（一）存在重大事故隐患，一百八十日内三次或者一年内四次受到本法规定的行政处罚的；\n（二）经停产停业整顿，仍不具备"
    "安全生产条件的。",
)  # fmt: skip
DRILLS = _article(
    "生产安全事故应急条例", "行政法规", 8,
    "第八条 县级以上地方人民政府以及县级以上人民政府负有安全生产监督管理职责的部门，乡、镇人民政府以及街道办事处等"
    "地方人民政府派出机关，应当至少每2年组织1次生产安全事故应急救援预案演练。",
)  # fmt: skip


def _composed(question: str, chunks: list, doc: str, kind: str, idf: dict[str, float], indexed: bool = False):
    """The offline answer over these chunks (ranked as given), the words of the chunks weighing 3 (2 on the plain
    segmenter) and ``idf`` overriding them as the corpus weighs them; ``indexed``: segmented as an index's
    tokenizer segments (the pack's words kept whole)."""
    tokenizer = Tokenizer(Vocabulary(Settings().knowledge_dir).segmenter_terms) if indexed else Tokenizer([])
    base = 3.0 if indexed else 2.0
    weights = {t: base for c in chunks for t in tokenizer.query_tokens(c.text)} | idf
    plan = _analyzer(record(doc, kind)).analyse(question)
    return OfflineComposer(tokenizer, weights, _ASKS).compose(question, plan, chunks)


@pytest.mark.parametrize(
    ("question", "deaths", "injuries", "level"),
    [
        ("我们厂锅炉炸了，死了2个人，重伤12个，这算几级事故？", 2, 12, "较大事故"),
        ("车间爆燃，死了两名，重伤3名，算什么事故？", 2, 3, "一般事故"),
        ("工地塌方，当场死了4个。", 4, 0, "较大事故"),
    ],
)
def test_injuries_told_with_a_measure_word_alone_are_counted(question, deaths, injuries, level):
    found = stated(question, LEVELS)
    assert found is not None
    assert (found.deaths, found.serious_injuries, found.level) == (deaths, injuries, level)


def test_a_period_after_the_word_for_injuries_counts_no_one():
    assert stated("他重伤3个月后才出院，单位要赔多少？", LEVELS) is None


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("班长叫我们爬到三米多高的钢架上去焊，我不去，他就扣我奖金，这样合理吗？", None),
        ("坑有两米多深，算不算有限空间？", None),
        ("坑有3米多深，护栏要多高？", "length"),
        ("脚手架搭多高要专家论证？", "length"),
    ],
)
def test_a_figure_told_roughly_asks_none(question, kind):
    asked = _ASKS.asked(question)
    assert (asked.kind if asked else None) == kind


def test_zan_asks_as_zenme_does():
    assert provision_asked("出事当天老板就跑了，这种跑路的老板法律上咋处理？") == PENALTY
    assert provision_asked("没按规矩存放，被查到会咋处理？") == PENALTY
    assert provision_asked("用不完的炸药咋处理？") is None  # a thing handled: the duty


_WARNINGS = _article(
    "突发事件应对法", "法律", 63,
    "第六十三条 国家建立健全突发事件预警制度。\n可以预警的自然灾害、事故灾难和公共卫生事件的预警级别，按照突发事件发生的"
    "紧急程度、发展势态和可能造成的危害程度分为一级、二级、三级和四级，分别用红色、橙色、黄色和蓝色标示，一级为最高级别。",
)  # fmt: skip
_STREETS = _article(
    "突发事件应对法", "法律", 22,
    "第二十二条 乡级人民政府、街道办事处应当明确专门工作力量，负责突发事件应对有关工作。",
)  # fmt: skip


@pytest.mark.parametrize("question", ["生产安全事故分几个等级？", "事故一般分为几级？"])
def test_a_count_of_kinds_is_stated_by_a_list_of_them(question):
    answer = _answer(question, [LEVELS_ARTICLE])
    assert not answer.abstained and answer.citations == [{"doc": "事故条例", "article": "第三条"}], answer.text


def test_a_list_states_no_count_of_what_it_does_not_list_by_kind():
    """几次 counts occasions, not kinds: a list of levels states no number of times."""
    answer = _answer("事故一年要统计几次？", [LEVELS_ARTICLE])
    assert answer.abstained, answer.text


@pytest.mark.parametrize(
    "question", ["工地塌方死了3个人，算几级事故？", "锅炉炸了，死了2个人，重伤12个，这算几级事故？"]
)
def test_counting_the_levels_of_an_accident_told_asks_its_level(question):
    answer = _answer(question, [LEVELS_ARTICLE])
    assert not answer.abstained and answer.citations == [{"doc": "事故条例", "article": "第三条"}], answer.text
    if "重伤12个" in question:  # the injuries make it 较大 (the deaths alone, 一般): the level's item leads
        assert answer.text.split("\n")[0].endswith(
            "较大事故，是指造成3人以上10人以下死亡，或者10人以上50人以下重伤，"
            "或者1000万元以上5000万元以下直接经济损失的事故。"
        ), answer.text


_CORPUS_IDF = {
    "街道": 3.85, "安全": 0.32, "突发": 2.93, "事件": 2.88, "突发事件": 2.99, "预警": 4.21, "分": 6.61, "办事": 3.65,
    "街道办": 4.08, "办事处": 3.67, "街道办事处": 4.08,
}  # fmt: skip


@pytest.mark.parametrize(
    "question",
    [
        "我是街道安全干事，突发事件预警一共分几级？",
        "街道安全干事问：突发事件预警一共分几级？",
        "突发事件预警一共分几级？",
    ],
)
def test_who_asks_is_no_part_of_what_a_figure_is_asked_about(question):
    """街道 (and 街道办事处, its legal term) is told of who asks: the article naming 街道办事处, and no figure, is no
    better an answer to the count asked than the one stating it. (idf: the corpus's, the index's segmenter)"""
    answer = _composed(question, [_STREETS, _WARNINGS], "突发事件应对法", "法律", _CORPUS_IDF, indexed=True)
    assert not answer.abstained and "分为一级、二级、三级和四级" in answer.text.split("\n")[0], answer.text


_EVENT = "大型群众性活动安全管理条例"
_CONDITIONS = _article(
    _EVENT, "行政法规", 11,
    "第十一条 公安机关对大型群众性活动实行安全许可制度。《营业性演出管理条例》对演出活动的安全管理另有规定的，从其"
    "规定。\n举办大型群众性活动应当符合下列条件：\n(一)承办者是依照法定程序"
    "成立的法人或者其他组织；\n(二)大型群众性活动的内容不得违反宪法、法律、法规的规定，不得违反社会公德；\n(三)具有符合本条例"
    "规定的安全工作方案，安全责任明确、措施有效；\n(四)活动场所、设施符合安全要求。",
)  # fmt: skip
_CONTENTS = _article(
    _EVENT, "行政法规", 6,
    "第六条 举办大型群众性活动，承办者应当制订大型群众性活动安全工作方案。\n大型群众性活动安全工作方案包括下列内容：\n"
    "(一)活动的时间、地点、内容及组织方式；\n(二)安全工作人员的数量、任务分配和识别标志；\n(三)活动场所消防安全措施；\n"
    "(四)活动场所可容纳的人员数量以及活动预计参加人数；\n(五)治安缓冲区域的设定及其标识；\n(六)入场人员的票证查验和安全"
    "检查措施；\n(七)车辆停放、疏导措施；\n(八)现场秩序维护、人员疏导措施；\n(九)应急救援预案。",
)  # fmt: skip


_POLICE = _article(
    _EVENT, "行政法规", 10,
    "第十条 公安机关应当履行下列职责：\n(一)审核承办者提交的大型群众性活动申请材料，实施安全许可；\n(二)制订大型群众性"
    "活动安全监督方案和突发事件处置预案；\n(三)指导对安全工作人员的教育培训；\n(四)在大型群众性活动举办前，对活动场所"
    "组织安全检查，发现安全隐患及时责令改正。",
)  # fmt: skip
_GOVERNMENT = _article(
    _EVENT, "行政法规", 25,
    "第二十五条 县级以上各级人民政府、国务院部门直接举办的大型群众性活动的安全保卫工作，由举办活动的人民政府、国务院部门"
    "负责，不实行安全许可制度，但应当按照本条例的有关规定，责成或者会同有关公安机关制订更加严格的安全保卫工作方案，并组织"
    "实施。",
)  # fmt: skip
_EVENT_IDF = {
    "公安": 2.75, "让": 7.12, "大型": 3.29, "群众": 3.48, "活动": 2.24, "群众性": 4.21, "大型群众性活动": 4.29, "安全": 0.32,
    "工作": 1.26, "方案": 2.86, "法定": 4.25, "必须": 2.96, "内容": 2.95, "机关": 2.57, "公安机关": 3.2,
}  # fmt: skip


def test_of_an_acts_lists_the_one_introduced_as_what_is_asked_answers_which_ones():
    """方案里必须写哪些内容: the list of the 方案's contents, not the conditions of a permit whose items hold the
    question's words by chance (法定程序, 活动的内容) and name the 方案, though the permit's article is ranked first.
    (idf: the corpus's)"""
    question = "公安让我们补一份大型群众性活动安全工作方案，方案里法定必须写哪些内容？"
    chunks = [_CONDITIONS, _CONTENTS, _GOVERNMENT, _POLICE]  # as ranked
    answer = _composed(question, chunks, _EVENT, "行政法规", _EVENT_IDF, indexed=True)
    first = answer.text.split("\n")[0]
    assert first.startswith(f"依据《{_EVENT}》第六条") and "安全工作方案包括下列内容" in first, answer.text


def test_another_acts_list_does_not_replace_the_one_ranked_first():
    """The ranker chose the act: another act's list answering as well and introduced in more of the question's words
    (企业, 县级以上) does not replace the first-ranked act's list."""
    from assistant.answer.compose import _Clause

    mines = _article(
        "矿山安全法", "法律", 41,
        "第四十一条 矿山企业存在下列情形之一的，应当提请县级以上地方人民政府予以关闭：\n（一）未依法取得安全生产许可证"
        "擅自进行生产的；\n（二）3个月内2次发现有重大事故隐患仍然进行生产的。",
    )  # fmt: skip
    chunks = [CLOSING, mines]

    def listed(rank: int) -> list[_Clause]:
        intro, *items = chunks[rank].text.split("\n")
        return [_Clause(intro, rank, 0.6, score=0.6, items=items)]

    groups = [listed(0), listed(1)]
    part = "企业存在重大事故隐患被反复处罚，有哪些情形会被提请县级以上政府关闭？"
    plan = _analyzer(record("安全生产法", "法律"), record("矿山安全法", "法律")).analyse(part)
    idf = {t: 2.0 for t in Tokenizer([]).query_tokens(CLOSING.text + mines.text)}
    composer = OfflineComposer(Tokenizer([]), idf, _ASKS)
    assert composer._decisive(groups, chunks, plan, part, 0.3, [], set(), _ASKS.asked(part)) == [groups[0]]


_FIREWORKS = "烟花爆竹安全管理条例"
_RETAIL_APPLIES = _article(
    _FIREWORKS, "行政法规", 19,
    "第十九条 申请从事烟花爆竹批发的企业，应当向所在地设区的市人民政府安全生产监督管理部门提出申请，并提供能够证明符合本"
    "条例第十七条规定条件的有关材料。\n申请从事烟花爆竹零售的经营者，应当向所在地县级人民政府安全生产监督管理部门提出"
    "申请，并提供能够证明符合本条例第十八条规定条件的有关材料。受理申请的安全生产监督管理部门应当自受理申请之日起20日内"
    "对提交的有关材料和经营场所进行审查，对符合条件的，核发《烟花爆竹经营(零售)许可证》；对不符合条件的，应当说明理由。",
)  # fmt: skip
_RETAIL_CONDITIONS = _article(
    _FIREWORKS, "行政法规", 18,
    "第十八条 烟花爆竹零售经营者，应当具备下列条件：\n(一)主要负责人经过安全知识教育；\n(二)实行专店或者专柜销售，设专人"
    "负责安全管理；\n(三)经营场所配备必要的消防器材，张贴明显的安全警示标志；\n(四)法律、法规规定的其他条件。",
)  # fmt: skip


@pytest.mark.parametrize(
    "question", ["我们超市想开个烟花爆竹零售专柜，要具备什么条件？", "超市想零售烟花爆竹，申请要具备啥条件？"]
)
def test_the_article_a_provision_refers_to_for_what_is_asked_answers(question):
    """…提供能够证明符合本条例第十八条规定条件的有关材料 names the conditions asked for and states none: 第十八条, the
    list it refers to, answers, though the provision referring to it is ranked first."""
    answer = _answer(question, [_RETAIL_APPLIES, _RETAIL_CONDITIONS])
    assert answer.text.startswith(f"依据《{_FIREWORKS}》第十八条，烟花爆竹零售经营者，应当具备下列条件"), answer.text


def test_a_reference_to_what_is_not_asked_points_nowhere():
    answer = _answer("超市想零售烟花爆竹，许可证找哪个部门办？", [_RETAIL_APPLIES, _RETAIL_CONDITIONS])
    assert answer.text.startswith(f"依据《{_FIREWORKS}》第十九条"), answer.text


_FIRE_CHECK = _article(
    "消防法", "法律", 15,
    "第十五条 公众聚集场所投入使用、营业前消防安全检查实行告知承诺管理。\n申请人选择不采用告知承诺方式办理的，消防救援"
    "机构应当自受理申请之日起十个工作日内，根据消防技术标准和管理规定，对该场所进行检查。",
)  # fmt: skip


def test_a_later_part_leans_on_no_subject_when_the_first_is_answered_nowhere():
    """…多久要检查一次压力？用了几年必须送去维修或者报废？: the first figure is stated nowhere, so the second's is about
    its own words (维修, 报废), which the provision on the 公众聚集场所 (商场's term, told in the first part) and its
    十个工作日内 do not hold."""
    question = "商场里的手提式干粉灭火器，多久要检查一次压力？用了几年必须送去维修或者报废？"
    words = {"灭火器": 4.0, "干粉": 5.0, "压力": 3.0, "维修": 3.0, "报废": 4.0}  # words the corpus holds elsewhere
    answer = _composed(question, [_FIRE_CHECK], "消防法", "法律", words)
    assert answer.abstained, answer.text
    # leaning on a first part answered (…多久要检查一次？受理以后几天内查完？), the second is answered
    leaning = "商场开业前申请消防安全检查，不选告知承诺的话，受理以后几天内要查完？多久出结果？"
    answered = _composed(leaning, [_FIRE_CHECK], "消防法", "法律", words)
    assert not answered.abstained and "十个工作日内" in answered.text, answered.text


def test_a_licence_never_applied_for_is_one_not_obtained():
    analyzer = _indexed_analyzer()
    plan = analyzer.analyse("邻村有个小采石场根本没办安全生产许可证就一直在开采，这种会怎么处罚？")
    assert plan.translations.get("没办") == "未取得"
    assert "没办" not in analyzer.analyse("我们厂实在没办法按时整改隐患，能申请延期吗？").translations


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("我们是个没营业执照的鞭炮小作坊，有个帮工被炸伤了手。受伤的人能拿到啥赔偿？", PENALTY),
        ("单位没给交工伤保险，我摔伤了腿，能拿到哪些补偿？", PENALTY),
        ("工伤职工能拿到哪些补偿？", None),  # no duty undone: the benefits, not a liability
    ],
)
def test_the_compensation_of_a_harm_after_a_duty_undone_is_a_liability(question, asked):
    assert provision_asked(question) == asked


@pytest.mark.parametrize(
    ("question", "act"),
    [("预案多长时间要做一次评估？", "评估"), ("预案多久修订一次？", "修订"), ("电梯多久要保养一次？", "保养")],
)
def test_the_act_asked_how_often_is_read_after_the_asking_words_too(question, act):
    assert _ASKS.asked(question).act == act


def test_how_often_an_act_is_done_is_not_stated_by_another_acts_frequency():
    question = "企业的生产安全事故应急救援预案多长时间要做一次评估？"
    answer = _composed(question, [DRILLS], "生产安全事故应急条例", "行政法规", {"评估": 3.0})  # a word held elsewhere
    assert answer.abstained, answer.text


@pytest.mark.parametrize(
    "question", ["可燃气体报警器应该装在什么高度？", "护栏要多大高度？", "离居民区要保持什么距离？"]
)
def test_a_length_asked_by_its_noun_is_a_figure_asked(question):
    asked = _ASKS.asked(question)
    assert asked is not None and asked.kind == "length"


_INSPECTORS = _article(
    "深圳经济特区安全生产监督管理条例", "地方性法规", 14,
    "第十四条 市、区应急管理部门可以根据实际需要配备专职安全生产监督检查员，协助行政执法人员依法从事安全生产宣传"
    "教育、指导督促、应急救援、监督检查等工作。\n专职安全生产监督检查员的招聘、培训、管理、考核和奖惩等具体办法，由市应急"
    "管理部门另行制定。",
)  # fmt: skip


def test_content_left_to_another_instrument_is_said_to_be_missing():
    """具体有什么招聘条件和考核办法: the regulation leaves them to the city's department, and the knowledge base holds
    no such rules: declined, saying what the regulation does say."""
    answer = _answer("深圳招专职安全生产监督检查员，具体有什么招聘条件和考核办法？", [_INSPECTORS])
    assert answer.abstained, answer.text
    assert "由市应急管理部门另行制定" in answer.text and "没有其具体内容" in answer.text
    # who makes them is what the provision states
    who = _answer("深圳专职安全生产监督检查员的招聘考核办法由哪个部门制定？", [_INSPECTORS])
    assert not who.abstained and "由市应急管理部门另行制定" in who.text, who.text


def test_another_regions_rule_sets_no_bar_for_the_rules_binding_where_asked():
    """出了事故多久要上报: 山东's rule answering better (三十分钟内直报) set the bar the national ones had to clear, and
    the first-ranked national provision (每级上报的时间不得超过2小时) fell below it; the 立即…上报 of a provision sharing
    more of the words answered."""
    from ingest.store import StoredChunk

    law = _article(
        "安全生产法", "法律", 84,
        "第八十四条 负有安全生产监督管理职责的部门接到事故报告后，应当立即按照国家有关规定上报事故情况。",
    )  # fmt: skip
    levels = _article(
        "事故条例", "行政法规", 11,
        "第十一条 安全生产监督管理部门和负有安全生产监督管理职责的有关部门逐级上报事故情况，每级上报的时间不得超过2小时。",
    )  # fmt: skip
    shandong = StoredChunk(
        "山东-65",
        "第六十五条 负有安全生产监督管理职责的部门接到生产安全事故报告后，应当立即按照国家和省有关规定上报事故情况。"
        "设区的市和县（市、区）人民政府应当在接到生产安全事故报告后三十分钟内直报省人民政府安全生产委员会办公室。",
        {"doc_id": "山东省安全生产条例", "title": "山东省安全生产条例", "unit": "article", "kind": "地方性法规",
         "region": "山东省", "article": "第六十五条", "article_num": 65},
    )  # fmt: skip
    from assistant.answer.compose import _Clause

    part = "出了事故多久要上报？"
    chunks = [levels, law, shandong]  # as ranked; scored as the corpus's words weigh them (事故报告: 第八十四条's)
    groups = [
        [_Clause(c.text, rank, score, score=score)]
        for rank, (c, score) in enumerate(zip(chunks, [0.3, 0.86, 1.56], strict=True))
    ]
    plan = _analyzer(record("安全生产法", "法律")).analyse(part)
    composer = OfflineComposer(Tokenizer([]), {}, _ASKS)
    assert composer._decisive(groups, chunks, plan, part, 0.3, [], set(), _ASKS.asked(part)) == [groups[0]]


def test_a_penalty_quoted_before_answers_a_further_part_only_of_the_party_it_fines():
    """…这算一般事故吧？应急局会对厂子罚多少钱？: the unit's fine (第一百一十四条), not the 主要负责人's share of income
    (第九十五条) quoted for the part before."""
    from assistant.answer.compose import _Clause

    person = _article(
        "安全生产法", "法律", 95,
        "第九十五条 生产经营单位的主要负责人未履行本法规定的安全生产管理职责，导致发生生产安全事故的，由应急管理部门依照"
        "下列规定处以罚款：\n（一）发生一般事故的，处上一年年收入百分之四十的罚款；",
    )  # fmt: skip
    chunks = [person, _BY_LEVEL]
    part = "应急局会对厂子罚多少钱？"
    groups = [[_Clause(c.text, rank, 0.5, score=0.52)] for rank, c in enumerate(chunks)]
    plan = _analyzer(record("安全生产法", "法律")).analyse(part)
    composer = OfflineComposer(Tokenizer([]), {}, _ASKS)
    assert composer._decisive(groups, chunks, plan, part, 0.6, [], {0}, _ASKS.asked(part)) == [groups[1]]
    # asked of the person, the provision quoted before answers
    person_part = "对老板个人罚多少钱？"
    person_plan = _analyzer(record("安全生产法", "法律")).analyse(person_part)
    assert composer._decisive(groups, chunks, person_plan, person_part, 0.6, [], {0}, _ASKS.asked(person_part)) == [
        groups[0]
    ]


def test_a_person_lost_in_an_accident_died():
    analyzer = _indexed_analyzer()
    assert analyzer.analyse("我们村有个人在矿上出事故没了，家里能拿到哪几样钱？").translations.get("没了") == "死亡"
    assert "没了" not in analyzer.analyse("押金交了以后收据没了，还能退吗？").translations


def test_before_a_machine_is_used_is_before_it_is_put_to_work():
    plan = _indexed_analyzer().analyse("新买了台锅炉刚装好，用之前要去哪里登记？")
    assert plan.translations.get("用之前") == "投入使用"


def test_a_building_not_finished_however_named_is_one_not_completed():
    analyzer = _indexed_analyzer()
    plan = analyzer.analyse("施工队让工人住在还没完工的新楼里，这样行不行？")
    assert "尚未竣工的建筑物" in plan.legal_terms
    assert "尚未竣工的建筑物" not in analyzer.analyse("整改还没完工，能先复产吗？").legal_terms


@pytest.mark.parametrize(
    ("question", "doc"),
    [
        ("按事故条例，对企业这个单位能罚多少？", "生产安全事故报告和调查处理条例"),
        ("建工条例对施工单位住宿有什么规定？", "建设工程安全生产管理条例"),
    ],
)
def test_an_officers_short_name_names_its_document(question, doc):
    analyzer = _analyzer(record(doc, "行政法规"), record("生产安全事故应急条例", "行政法规"))
    assert analyzer.analyse(question).documents == [doc]
