"""Round 49 (issue 15): whom a penalty falls on, what a question asks of, and whose rules.

- A law fining one party for another offence does not decide over a regulation fining the parties asked about: a
  regulation fining a unit and its 主要负责人 for 瞒报 stands against 安全生产法第九十四条, which fines 主要负责人 who
  neglect their duties.
- A sentence of a penalty going on about the same party (…的，处二万元以上五万元以下的罚款；逾期未改正的，处…) is about
  the party before it: 安全生产法第九十四条 fines the 主要负责人 in both, not "whoever did it".
- 处分 is the sanction of state staff: asked how an enterprise's breach is punished, a provision disciplining the
  licensing authority's staff for letting it pass (…颁发管理机关工作人员有下列行为之一的，给予降级或者撤职的行政处分)
  is not the answer, even where the ranker put it first; asked about the officials, it is.
- The words telling that a breach was found out (被查出来, 被监管部门查到) are how any penalty comes about: in a
  question asking a penalty they are not what the fine is asked about.
- A question asking no penalty at all (是不是一定得装燃气报警器？) is answered by the provision imposing the duty, not
  by the penalty provision restating it as an offence, where both answer as well.
- A place's own rules are asked by words pointing at it (重庆那边的安全生产条例) and by its title after 的
  (广东省的安全生产条例); with one place named, 地方/当地 rules asked are that place's, or of a division it lies in
  (杭州's are 浙江省's too): a library holding none of them says so.
- A figure one must meet (要配几个安全员, 得提前多少天) is a norm: a report's count of what was done is no answer to
  it; what a plan asked about requires (那份计划里…要和多少人以上的企业签责任书) is the plan's to state.
- An ordinal states no quantity: 第三人 (a third party) counts no people, 第二天 is no period.
- Fleeing or leaving one's post after an accident (逃匿, 跑路, 擅离职守) is a breach the law punishes: how it is
  handled (法律上怎么处理) asks its penalty.
- A criminal threshold (增加死亡一人以上) speaks to the number a question tells only where the crime is asked about:
  又有一个伤员没抢救过来，还要补报吗？ asks the duty to report again.
- The provision close in meaning taken for a pick far from the question binds where the question asks, as any pick
  does: 宁波's 每年至少开展两次应急演练 is no answer for a factory in 杭州."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _analyzer, _composed

from assistant.answer.compose import OfflineComposer
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import (
    PENALTY,
    PERSON,
    UNIT,
    asks_of_officials,
    disciplines_officials,
    parties_fined,
    provision_asked,
    without_found_out,
)
from ingest.settings import Settings
from ingest.store import StoredChunk
from ingest.tokenizer import Tokenizer

_CONCEALED = _article(
    "生产安全事故报告和调查处理条例", "行政法规", 36,
    "第三十六条 事故发生单位及其有关人员有下列行为之一的，对事故发生单位处100万元以上500万元以下的罚款；对主要负责人、"
    "直接负责的主管人员和其他直接责任人员处上一年年收入60%至100%的罚款：\n（一）谎报或者瞒报事故的；",
)  # fmt: skip
_NEGLECT = _article(
    "安全生产法", "法律", 94,
    "第九十四条 生产经营单位的主要负责人未履行本法规定的安全生产管理职责的，责令限期改正，处二万元以上五万元以下的"
    "罚款；逾期未改正的，处五万元以上十万元以下的罚款，责令生产经营单位停产停业整顿。",
)  # fmt: skip
_STAFF = _article(
    "安全生产许可证条例", "行政法规", 18,
    "第十八条 安全生产许可证颁发管理机关工作人员有下列行为之一的，给予降级或者撤职的行政处分；构成犯罪的，依法追究"
    "刑事责任：\n（二）发现企业未依法取得安全生产许可证擅自从事生产活动，不依法处理的；",
)  # fmt: skip
_UNLICENSED = _article(
    "安全生产许可证条例", "行政法规", 19,
    "第十九条 违反本条例规定，未取得安全生产许可证擅自进行生产的，责令停止生产，没收违法所得，并处10万元以上50万元"
    "以下的罚款；造成重大事故或者其他严重后果，构成犯罪的，依法追究刑事责任。",
)  # fmt: skip


def test_a_law_fining_one_of_the_parties_for_another_offence_does_not_overrule_the_regulation():
    answer = _composed(
        "如果企业瞒报事故被查出来了，单位和主要负责人分别要罚多少？",
        [record("生产安全事故报告和调查处理条例", "行政法规"), record("安全生产法", "法律")],
        [_CONCEALED, _NEGLECT],
    )
    assert answer.text.startswith("依据《生产安全事故报告和调查处理条例》第三十六条")
    assert "100万元以上500万元以下" in answer.text


@pytest.mark.parametrize(
    ("text", "parties"),
    [
        (_NEGLECT.text, {PERSON}),  # 逾期未改正的 goes on about the 主要负责人
        (
            "第一百条 生产经营单位未采取措施消除事故隐患的，责令立即消除；生产经营单位拒不执行的，责令停产停业整顿，"
            "并处十万元以上五十万元以下的罚款",
            {UNIT},
        ),  # fmt: skip
        ("在禁止燃放的时间、地点燃放烟花爆竹的，处100元以上500元以下的罚款", {UNIT, PERSON}),  # whoever did it
        # a new paragraph starts afresh
        (
            "生产经营单位的主要负责人未履行职责的，处二万元以上五万元以下的罚款。\n逾期未改正的，处五万元以上的罚款",
            {UNIT, PERSON},
        ),  # fmt: skip
    ],
)
def test_a_sentence_going_on_about_the_same_party_fines_that_party(text, parties):
    assert parties_fined(text) == parties


def test_an_enterprise_breach_is_not_answered_by_the_officials_discipline():
    answer = _composed(
        "举报：我们村附近有个小化工厂根本没办安全生产许可证就在生产，这种情况怎么处罚？",
        [record("安全生产许可证条例", "行政法规")],
        [_STAFF, _UNLICENSED],
    )
    assert answer.text.startswith("依据《安全生产许可证条例》第十九条")
    assert "10万元以上50万元以下" in answer.text


def test_asked_about_the_officials_their_discipline_answers():
    answer = _composed(
        "审批的工作人员发现企业没证擅自生产却不处理，怎么处罚？",
        [record("安全生产许可证条例", "行政法规")],
        [_STAFF, _UNLICENSED],
    )
    assert answer.text.startswith("依据《安全生产许可证条例》第十八条")


@pytest.mark.parametrize(
    ("text", "officials"),
    [
        (_STAFF.text, True),
        ("第八十七条 负有安全生产监督管理职责的部门的工作人员，有下列行为之一的，给予降级或者撤职的处分", True),
        (_UNLICENSED.text, False),
        (
            "第九十条 生产经营单位的决策机构、主要负责人不依照本法规定保证安全生产所必需的资金投入的，责令限期改正",
            False,
        ),
    ],
)
def test_a_provision_disciplining_officials_is_told_by_its_condition_and_its_sanction(text, officials):
    assert disciplines_officials(text) is officials


@pytest.mark.parametrize(
    ("question", "officials"),
    [
        ("监管部门查到煤矿有重大隐患还在生产，怎么罚？", False),  # the department punishes: the mine is asked about
        ("应急局执法人员发现问题不处理，要担什么责任？", True),
        ("审批人员玩忽职守怎么处理？", True),
        ("老板没办证就开工，会被怎么处罚？", False),
    ],
)
def test_a_question_asks_about_officials_by_their_people_or_their_misconduct(question, officials):
    assert asks_of_officials(question) is officials


_CONCEALED_UNIT = _article(
    "生产安全事故报告和调查处理条例", "行政法规", 36,
    "第三十六条 事故发生单位及其有关人员有下列行为之一的，对事故发生单位处100万元以上500万元以下的罚款：\n"
    "（一）谎报或者瞒报事故的；",
)  # fmt: skip
_LEADER = _article(
    "安全生产法", "法律", 110,
    "第一百一十条 生产经营单位的主要负责人对生产安全事故隐瞒不报、谎报或者迟报的，处上一年年收入百分之六十至百分之一百"
    "的罚款。",
)  # fmt: skip


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("企业出了事故想瞒着不报，被查出来单位要罚多少？", "企业出了事故想瞒着不报，，单位要罚多少？"),
        ("电梯没办使用登记就在用着，被监管部门查到要罚多少？", "电梯没办使用登记就在用着，，要罚多少？"),
        ("发现隐患不报告怎么罚？", "发现隐患不报告怎么罚？"),  # 发现 the hazard is the offence
        ("体检查出来职业病，厂里要负责吗？", "体检查出来职业病，厂里要负责吗？"),  # no penalty asked
    ],
)
def test_the_words_telling_a_breach_was_found_out_are_not_what_a_penalty_is_asked_about(question, said):
    assert without_found_out(question) == said


def test_the_found_out_words_weigh_nothing_in_what_a_fine_is_asked_about():
    """被查出来 is written by no provision: read as what the fine is asked about, it left the regulation fining the
    unit (瞒报) short of the question's words, and the law fining the 主要负责人 answered."""
    question, unsaid = "企业出了事故想瞒着不报，被查出来单位要罚多少？", "企业出了事故想瞒着不报，单位要罚多少？"
    figures = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for t in tokenizer.query_tokens(question)}  # 查出 and 出来 weigh as much as any word
    composer = OfflineComposer(tokenizer, idf, figures)
    plan = _analyzer(record("生产安全事故报告和调查处理条例", "行政法规")).analyse(question)
    ask = figures.asked(question)
    assert ask is not None
    assert "单位" in composer._subject(question, plan, ask)
    assert composer._subject(question, plan, ask) == composer._subject(unsaid, plan, ask)
    found, told = composer._groups(question, plan, [_CONCEALED_UNIT]), composer._groups(unsaid, plan, [_CONCEALED_UNIT])
    assert found[0][0].coverage == pytest.approx(told[0][0].coverage)


def test_a_question_asking_no_penalty_is_answered_by_the_provision_imposing_the_duty():
    fine = _article(
        "安全生产法", "法律", 99,
        "第九十九条 生产经营单位有下列行为之一的，责令限期改正，处五万元以下的罚款：\n"
        "（六）餐饮等行业的生产经营单位使用燃气未安装可燃气体报警装置的；",
    )  # fmt: skip
    duty = _article(
        "安全生产法", "法律", 36,
        "第三十六条 餐饮等行业的生产经营单位使用燃气的，应当安装可燃气体报警装置，并保障其正常使用。",
    )  # fmt: skip
    records = [record("安全生产法", "法律")]
    asked = _composed("饭店后厨用的是管道天然气，是不是一定得装燃气报警器？", records, [fine, duty])
    assert asked.text.startswith("依据《安全生产法》第三十六条")
    punished = _composed("饭店后厨用燃气没装燃气报警器，罚多少？", records, [fine, duty])
    assert punished.text.startswith("依据《安全生产法》第九十九条")


@pytest.mark.parametrize(
    ("question", "unheld"),
    [
        ("重庆那边的安全生产条例，对没配安全员的小厂怎么罚？", ["重庆市"]),  # 那边 points at the place named
        ("广东省的安全生产条例对事故报告时限有什么规定？", ["广东省"]),  # its title after 的
        (
            "江苏这边的小作坊，地方安全生产条例有没有要求必须配专职安全员？",
            ["江苏省"],
        ),  # the local rules: of the one place
        ("江苏这边的小作坊，要不要配专职安全员？", []),  # no place's own rules asked
        ("我们厂在杭州，当地要求每年演练几次？", []),  # 浙江省's rules, held, bind in 杭州
    ],
)
def test_a_places_own_rules_are_asked_by_where_it_points_and_by_its_local_rules(question, unheld):
    library = [record("安全生产法", "法律"), record("浙江省安全生产条例", "地方性法规", "浙江省")]
    assert _analyzer(*library).analyse(question).unheld_places == unheld


_STAFFING = _article(
    "安全生产法", "法律", 24,
    "第二十四条 前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产"
    "管理人员；从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。",
)  # fmt: skip
_DANGEROUS_STAFFING = _article(
    "安全生产法", "法律", 24,
    "第二十四条 矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、装卸单位，应当设置安全生产管理机构或者"
    "配备专职安全生产管理人员。",
)  # fmt: skip
_REPORT = StoredChunk(
    "report-00001",
    "二、健全安全生产管理机构。公司任命安全员18人，部门任命安全员45人。",
    {"doc_id": "report", "title": "2020年安全生产年终工作总结报告", "unit": "section", "kind": "工作总结",
     "region": "全国", "heading_path": "二、健全安全生产管理机构"},
)  # fmt: skip
_PLAN = StoredChunk(
    "plan-00001",
    "三、签订责任书。各镇、办事处要与50人以上的私营企业签订安全生产责任书，4月30日以前签订完毕。",
    {"doc_id": "plan", "title": "区安全生产工作计划", "unit": "section", "kind": "工作计划", "region": "全国",
     "heading_path": "三、签订责任书"},
)  # fmt: skip


def test_a_figure_one_must_meet_is_not_answered_by_what_a_report_counts():
    """要配几个安全员 asks what is required: a report's count of the safety officers a company appointed is no rule."""
    answer = _composed(
        "我们厂在广东的东莞，要配几个安全员？",
        [record("安全生产法", "法律"), record("report", "工作总结")],
        [_REPORT, _DANGEROUS_STAFFING],
    )
    assert "18人" not in answer.text.split("可能相关")[0]


def test_a_figure_a_plan_requires_is_the_plans_to_state_when_the_plan_is_asked_about():
    answer = _composed(
        "区里那份安全生产工作计划里，镇、办事处要和多少人以上的私营企业签责任书？",
        [record("安全生产法", "法律"), record("plan", "工作计划")],
        [_PLAN, _STAFFING],
    )
    assert not answer.abstained and "50人以上" in answer.text


@pytest.mark.parametrize(
    ("question", "text", "stated"),
    [
        ("宿舍一间房最多能住几个人？", "不得将其承包的全部建设工程转包给第三人", False),  # a third party
        ("宿舍一间房最多能住几个人？", "造成三人以上死亡的", True),
        ("多少天内要补报？", "第二天", False),  # the next day
        ("多少天内要补报？", "自事故发生之日起30日内", True),
    ],
)
def test_an_ordinal_states_no_quantity(question, text, stated):
    ask = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities).asked(question)
    assert ask is not None and ask.stated_in(text) is stated


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("出了事故，老板不组织抢救还跑路了，法律上怎么处理？", PENALTY),  # fleeing is a breach the law punishes
        ("出事以后企业一把手直接跑路了，这种怎么处理？", PENALTY),
        ("发生事故后主要负责人逃匿的，怎么处理？", PENALTY),
        ("发现事故隐患怎么处理？", None),  # how a thing is handled asks the duty
    ],
)
def test_fleeing_after_an_accident_is_a_breach_whose_handling_is_its_penalty(question, asked):
    assert provision_asked(question) == asked


def test_a_criminal_threshold_holding_the_number_told_does_not_answer_a_duty_asked():
    """又有一个伤员没抢救过来，还要补报吗？ asks the duty to report again: the judicial interpretation's 增加死亡一人以上
    holds the 一个 told, but speaks to it only where the crime is asked about."""
    again = _article(
        "生产安全事故报告和调查处理条例", "行政法规", 13,
        "第十三条 事故报告后出现新情况的，应当及时补报。\n自事故发生之日起30日内，事故造成的伤亡人数发生变化的，应当及时"
        "补报。",
    )  # fmt: skip
    threshold = StoredChunk(
        "judicial-8",
        "第八条 在安全事故发生后，负有报告职责的人员不报或者谎报事故情况，贻误事故抢救，具有下列情形之一的，应当认定为"
        "刑法第一百三十九条之一规定的“情节严重”：\n（一）导致事故后果扩大，增加死亡一人以上，或者增加重伤三人以上的；",
        {"doc_id": "解释", "title": "关于办理危害生产安全刑事案件适用法律若干问题的解释", "unit": "article",
         "kind": "司法解释", "region": "全国", "article": "第八条", "article_num": 8},
    )  # fmt: skip
    records = [record("生产安全事故报告和调查处理条例", "行政法规"), record("解释", "司法解释")]
    answer = _composed("事故已经报上去了，过了几天又有一个伤员没抢救过来，还要补报吗？", records, [again, threshold])
    assert answer.text.startswith("依据《生产安全事故报告和调查处理条例》第十三条")
    crime = _composed("事故发生后不报，又有一个伤员没抢救过来，算不算情节严重？", records, [again, threshold])
    assert "第八条" in crime.text.split("依据：")[0]


def test_a_rule_close_in_meaning_taken_for_a_far_pick_binds_where_the_question_asks():
    """The pick far in meaning from the question gives way to the first provision close in meaning: that provision,
    as any pick, binds where the question asks. 宁波's rule (每年至少开展两次应急演练) is no answer for a factory in
    杭州; the library holds nothing binding there that states it, and the answer says so, naming the place."""
    ningbo = StoredChunk(
        "宁波-16",
        "第十六条 管理服务单位应当对可能出现的生产安全事故制定专项应急预案，每年至少开展两次应急演练。",
        {"doc_id": "宁波规定", "title": "宁波市生产经营单位安全生产主体责任规定", "unit": "article",
         "kind": "地方政府规章", "region": "宁波市", "article": "第十六条", "article_num": 16, "similarity": 0.9},
    )  # fmt: skip
    fire = StoredChunk(
        "消防法-16",
        "第十六条 机关、团体、企业、事业等单位应当履行下列消防安全职责：对建筑消防设施每年至少进行一次全面检测，"
        "组织进行有针对性的消防演练。",
        {"doc_id": "消防法", "title": "消防法", "unit": "article", "kind": "法律", "region": "全国",
         "article": "第十六条", "article_num": 16, "similarity": 0.8},
    )  # fmt: skip
    records = [
        record("宁波规定", "地方政府规章", "宁波市"),
        record("消防法", "法律"),
        record("浙江省安全生产条例", "地方性法规", "浙江省"),  # binds in 杭州: its rules are held
    ]
    question = "我们厂在杭州，当地要求每年演练几次？"
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for text in (question, ningbo.text, fire.text) for t in tokenizer.query_tokens(text)}
    figures = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)
    composer = OfflineComposer(tokenizer, idf, figures, min_similarity=0.85)
    answer = composer.compose(question, _analyzer(*records).analyse(question), [fire, ningbo])
    assert answer.abstained and "宁波" not in answer.text.split("可能相关")[0], answer.text
    assert "没有在杭州市适用的相应规定" in answer.text, answer.text
