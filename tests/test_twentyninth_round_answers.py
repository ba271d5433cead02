"""Round 29 (issue 15): what the questions of new authors asked that the answer read wrong.

- A quantity is the same in either script: the question's 一次 is the 1次 of 每半年组织1次. Clauses writing figures in Arabic
  numerals (生产安全事故应急条例) held none of the question's 一次, so a regional rule writing 一次 was quoted instead.
- 个 before a period measures time: 六个月内 counts nothing, so it does not answer 专职安全管理人员至少要配几个. And 几个
  counts people when the noun before it names them (人员…配几个): 两名以上 answers it.
- A form asked for itself (有没有统一的表格模板, 申请表去哪儿下载, 样表): the regulations hold no forms, and the duty to
  report or apply was quoted as if it were one. Now the answer says none is in the library and lists the related
  provisions; a text prescribing a form (规定式样) still answers.
- A figure of a year (2023年全国一共发生了多少起事故) is what happened that year: a provision's threshold (死亡3人以上) or
  another year's report is no answer to it; a text of that year is."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _composed

from assistant.answer import OfflineComposer
from assistant.answer import ranges as thresholds
from assistant.pack import KnowledgePack
from assistant.retrieval.coverage import coverage, held_terms
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.query import QueryPlan
from ingest.settings import Settings
from ingest.store import StoredChunk
from ingest.tokenizer import Tokenizer, quantity_of


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.mark.parametrize(
    ("word", "canonical"),
    [("一次", "#1次"), ("1次", "#1次"), ("两个月", "#2个月"), ("30天", "#30日"), ("一次性", None), ("一般", None)],
)
def test_a_word_that_is_one_quantity_has_one_canonical_form(word, canonical):
    assert quantity_of(word) == canonical


def test_a_quantity_of_the_question_is_held_by_a_passage_writing_it_in_another_script():
    weights = {"演练": 1.0, "一次": 1.0}
    assert coverage("应当至少每半年组织1次生产安全事故应急救援预案演练", weights) == 1.0
    assert coverage("应当至少每半年组织2次演练", weights) == 0.5
    assert held_terms("每两个月检查一次", {"2个月": 1.0, "检查": 1.0}) == {"2个月": 1.0, "检查": 1.0}


def test_a_count_is_no_period_and_a_count_of_people_is_answered_in_people(asks):
    ask = asks.asked("专职安全管理人员至少要配几个？")
    assert ask is not None and ask.kind == "count"
    assert not ask.stated_in("应当自任职之日起六个月内考核合格")
    assert ask.stated_in("并配备两名以上专职安全生产管理人员")
    things = asks.asked("全区有几个街道？")
    assert things is not None and things.stated_in("下辖三个街道") and not things.stated_in("三个月内完成")


def test_staff_asked_how_many_is_answered_by_the_provision_counting_them_not_by_a_six_month_deadline():
    staffing = _article(
        "浙江省安全生产条例", "地方性法规", 11,
        "第十一条 危险物品的生产、经营、储存单位，应当按照下列规定设置安全生产管理机构或者配备专职安全生产管理人员：\n"
        "（一）从业人员三百人以上的，应当设置安全生产管理机构，并按照不低于从业人员百分之一的比例配备专职安全生产管理人员；\n"
        "（二）从业人员五十人以上不足一百人的，应当设置安全生产管理机构，并配备两名以上专职安全生产管理人员；\n"
        "（三）从业人员不足五十人的，应当配备专职安全生产管理人员。",
    )  # fmt: skip
    examined = _article(
        "浙江省安全生产条例", "地方性法规", 13,
        "第十三条 危险物品的生产、经营、储存单位的主要负责人和安全生产管理人员，应当自任职之日起六个月内考核合格。",
    )  # fmt: skip
    for chunk in (staffing, examined):
        chunk.metadata["region"] = "浙江省"
    records = [record("浙江省安全生产条例", "地方性法规", "浙江省")]
    answer = _composed(
        "浙江危化品经营带储存的企业，80个员工，专职安全管理人员至少要配几个？", records, [staffing, examined]
    )
    assert not answer.abstained
    assert "第十一条" in answer.text.split("\n")[0] and "两名以上" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "教育局要我们每月报隐患排查台账，有没有统一的表格模板？",
        "现场检查记录这些执法文书有没有规定的格式？",
        "工伤认定申请表去哪儿下载？",
        "工伤认定有没有填好的样表可以参考？",
    ],
)
def test_a_form_asked_for_is_in_no_regulation(asks, question):
    ask = asks.asked(question)
    assert ask is not None and ask.kind == "form"
    application = _article(
        "工伤保险条例", "行政法规", 18,
        "第十八条 提出工伤认定申请应当提交下列材料：\n（一）工伤认定申请表；\n（二）与用人单位存在劳动关系的证明材料；\n"
        "（三）医疗诊断证明或者职业病诊断证明书。",
    )  # fmt: skip
    inspections = _article(
        "安全生产法", "法律", 65,
        "第六十五条 安全生产监督检查人员应当将检查的时间、地点、内容、发现的问题及其处理情况，作出书面记录，并由检查人员和"
        "被检查单位的负责人签字。",
    )  # fmt: skip
    records = [record("工伤保险条例", "行政法规"), record("安全生产法", "法律")]
    answer = _composed(question, records, [application, inspections])
    assert answer.abstained and "表格、格式或样本" in answer.text
    assert "可能相关" in answer.text  # the provisions on the matter are listed


@pytest.mark.parametrize(
    "question", ["安全生产许可证的内容是什么？", "报名表交到哪里？", "特种作业证是不是全国统一格式？"]
)
def test_a_question_about_a_document_that_asks_no_form_is_no_form_asked(asks, question):
    ask = asks.asked(question)
    assert ask is None or ask.kind != "form"


def test_a_text_prescribing_a_form_answers_what_form_is_used():
    licences = _article(
        "烟花爆竹安全管理条例", "行政法规", 36,
        "第三十六条 《烟花爆竹安全生产许可证》、《烟花爆竹经营许可证》，由国务院安全生产监督管理部门规定式样。",
    )  # fmt: skip
    answer = _composed("烟花爆竹经营许可证有没有统一的格式？", [record("烟花爆竹安全管理条例", "行政法规")], [licences])
    assert not answer.abstained and "规定式样" in answer.text


def _report(title: str, date: str, text: str) -> StoredChunk:
    return StoredChunk(
        f"{title}-1",
        text,
        {"doc_id": title, "title": title, "unit": "section", "kind": "工作总结", "region": "全国", "date": date,
         "heading_path": f"{title} / 一、生产安全事故情况"},
    )  # fmt: skip


def test_a_figure_of_a_year_is_stated_only_by_a_text_of_that_year():
    levels = _article(
        "生产安全事故报告和调查处理条例", "行政法规", 3,
        "第三条 根据生产安全事故造成的人员伤亡或者直接经济损失，事故一般分为以下等级：\n（一）特别重大事故，是指造成30人以上"
        "死亡的事故；\n（二）重大事故，是指造成10人以上30人以下死亡的事故。",
    )  # fmt: skip
    earlier = _report("2020年安全生产年终工作总结报告", "2021-04-14", "全年共发生生产安全事故5起，死亡3人。")
    records = [
        record("生产安全事故报告和调查处理条例", "行政法规"),
        record("2020年安全生产年终工作总结报告", "工作总结"),
    ]
    asked = "2023年全国一共发生了多少起生产安全事故、死了多少人？"
    answer = _composed(asked, records, [levels, earlier])
    assert answer.abstained and "可能相关" in answer.text
    # the report of the year asked states it
    answer = _composed("2020年一共发生了多少起生产安全事故、死了多少人？", records, [levels, earlier])
    assert not answer.abstained and "5起" in answer.text


def test_a_figure_is_asked_of_what_has_it_not_of_the_figures_name():
    """动火作业票 有效期 几个小时 asks the validity of a hot-work permit: the 3年 a licence is valid for shares the word
    有效期 only, and was given as the answer. Asked of the licence, it answers."""
    licence = _article(
        "安全生产许可证条例", "行政法规", 9,
        "第九条 安全生产许可证的有效期为3年。安全生产许可证有效期满需要延期的，企业应当于期满前3个月向原安全生产许可证颁发"
        "管理机关办理延期手续。",
    )  # fmt: skip
    records = [record("安全生产许可证条例", "行政法规")]
    permit = _composed("动火作业票 有效期 几个小时", records, [licence])
    assert permit.abstained and "3年" not in permit.text
    answer = _composed("安全生产许可证有效期几年？", records, [licence])
    assert not answer.abstained and "有效期为3年" in answer.text


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("我带着班组的人先撤出来了，领导说要扣我们这个月工资，他能这么干吗", "降低其工资"),
        ("我不干会不会被扣工钱开除", "降低其工资"),
        ("工伤在家养着，工资照发吗？", "工资福利待遇"),
        ("受伤在家养伤这段时间工资还照发吗", "工资福利待遇"),  # 照发 of 工资, the words between
        ("驾照扣了几分？", None),  # 扣 of no pay
    ],
)
def test_docked_pay_is_the_pay_the_law_forbids_lowering(analyzer, question, term):
    """扣工资 for stopping dangerous work or refusing it is what 安全生产法 forbids as 降低其工资、福利等待遇; its term
    had been 工资待遇, written by 突发事件应对法 alone, so an emergency law's article on pay was cited instead."""
    terms = analyzer.analyse(question).legal_terms
    assert (term in terms) if term else not any("工资" in t for t in terms)


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("厂子压根没给我们交工伤保险，工友受伤了谁来出钱？", "未参加工伤保险"),
        ("喝了酒上班出事故，能算工伤吗", "醉酒"),
        ("安全生产许可证已经过期几个月了还在生产，怎么处理", "有效期满"),
        ("村民自己盖两三层的小楼房，归不归建设工程安全生产管理条例管", "农民自建低层住宅"),
        ("隔壁没办证就先卖了几天烟花，会怎么样", "未经许可"),
        ("过期化学品怎么处理", "废弃危险化学品"),  # a chemical past its date is waste, not a licence past its term
    ],
)
def test_everyday_words_for_uninsured_drunk_expired_self_built_and_unlicensed(analyzer, question, term):
    assert term in analyzer.analyse(question).legal_terms


@pytest.mark.parametrize(
    ("question", "asks_number"),
    [
        ("公司这几年一直没给员工交工伤保险，现在要补交什么？", False),
        ("近几个月连续发生两起事故，监管部门应当怎么处理？", False),
        ("已经过了好几个月了，工伤认定申请该怎么办？", False),
        ("大型群众性活动的安全许可申请，最晚要在活动前几天交上去？", True),
        ("事故发生后几小时内要上报？", True),
    ],
)
def test_some_years_or_months_ask_no_number(asks, question, asks_number):
    """这几年, 近几个月, 好几个月 speak of so many; 活动前几天 asks how many."""
    ask = asks.asked(question)
    assert (ask is not None and ask.kind == "time") == asks_number


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("店里就十几个伙计", 15),
        ("厂里八十来号人", 80),
        ("厂里四百多人", 401),
        ("员工一千二百余名", 1201),
        ("120个工人", 120),
    ],
)
def test_a_rough_headcount_is_a_count(said, value):
    assert [q.value for q in thresholds.stated(said)] == [value]


def test_the_provision_whose_range_holds_the_headcount_answers_before_one_sharing_words():
    """店里就十几个伙计，是不是也得专门请个安全员: the law's 一百人以下 range holds the shop's headcount; the article
    on the responsibility system, ranked first for its 责任人员, says nothing about it."""
    system = _article(
        "安全生产法", "法律", 22,
        "第二十二条 生产经营单位的全员安全生产责任制应当明确各岗位的责任人员、责任范围和考核标准等内容。",
    )  # fmt: skip
    staffing = _article(
        "安全生产法", "法律", 24,
        "第二十四条 矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、装卸单位，应当设置安全生产管理机构或者"
        "配备专职安全生产管理人员。\n前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备"
        "专职安全生产管理人员；从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。",
    )  # fmt: skip
    answer = _composed(
        "店里就十几个伙计，是不是也得专门请个安全员？", [record("安全生产法", "法律")], [system, staffing]
    )
    assert "第二十四条" in answer.text.split("\n")[0] and "一百人以下" in answer.text


def test_a_fine_set_in_a_lists_introduction_is_the_fine_of_each_offence_it_lists():
    """…有下列行为之一的，…处五万元以上十万元以下的罚款 states the fine of its item （三）未…将检查结果书面告知劳动者的:
    the figure and what it is about are read together, as the provision is written."""
    fines = _article(
        "职业病防治法", "法律", 71,
        "第七十一条 用人单位违反本法规定，有下列行为之一的，由卫生行政部门责令限期改正，给予警告，可以并处五万元以上十万元"
        "以下的罚款：\n（一）未按照规定及时、如实向卫生行政部门申报产生职业病危害的项目的；\n（二）未实施由专人负责的职业病"
        "危害因素日常监测的；\n（三）未按照规定组织职业健康检查、建立职业健康监护档案或者未将检查结果书面告知劳动者的；",
    )  # fmt: skip
    answer = _composed(
        "没有把职业健康检查结果书面告知劳动者，罚款幅度多少？", [record("职业病防治法", "法律")], [fines]
    )
    assert not answer.abstained and "五万元以上十万元以下" in answer.text


def test_the_accident_level_is_told_only_beside_a_provision_speaking_in_levels():
    """深圳的企业一年内出了一起死一个人的事故，会约谈主要负责人吗: the rule speaks of 一人以上死亡事故, not of levels, so
    the level the death makes (一般事故, 事故条例第三条) is no part of its answer and is not cited beside it."""
    from test_seventeenth_round import LEVELS, LEVELS_ARTICLE

    from assistant.answer.levels import Accident, stated

    question = "深圳的企业一年内出了一起死一个人的事故，监管部门会约谈主要负责人吗？"
    talks = _article(
        "深圳经济特区安全生产监督管理条例", "地方性法规", 33,
        "第三十三条 生产经营单位具有下列情形之一的，负有安全生产监督管理职责的部门可以对其主要负责人进行约谈：\n"
        "（一）未履行规定的安全生产工作职责，经提出后仍然不予整改的；\n（二）一年内发生两人以上重伤事故或者一人以上死亡"
        "事故的。",
    )  # fmt: skip
    talks.metadata["region"] = "深圳经济特区"
    accident = Accident(stated(question, LEVELS), LEVELS_ARTICLE, tuple(level.level for level in LEVELS.levels))
    tokenizer = Tokenizer([])
    composer = OfflineComposer(
        tokenizer,
        {t: 2.0 for t in tokenizer.query_tokens(question)},
        QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities),
    )
    answer = composer.compose(question, QueryPlan(question, question), [talks], accident)
    assert answer.citations == [{"doc": "深圳经济特区安全生产监督管理条例", "article": "第三十三条"}], answer.text
    assert "事故等级" not in answer.text


def test_levels_asked_how_many_are_counted_in_levels(asks):
    """预警分为几个级别: 分为一级、二级、三级和四级 answers; 两个以上行政区域 counts areas, not levels."""
    ask = asks.asked("突发事件的预警分为几个级别？")
    assert ask is not None and ask.kind == "count"
    assert ask.stated_in("预警级别分为一级、二级、三级和四级，分别用红色、橙色、黄色和蓝色标示")
    assert not ask.stated_in("突发事件涉及两个以上行政区域的，由共同的上一级人民政府负责")
    accidents = asks.asked("今年一共发生了几起事故？")
    assert accidents is not None and accidents.stated_in("全年共发生十一起") and accidents.stated_in("发生3起")
    assert not accidents.stated_in("第十一起事故的调查") and not accidents.stated_in("上一起事故")


@pytest.mark.parametrize(
    ("text", "speaks"),
    [
        ("发生一般事故的，处上一年年收入百分之四十的罚款", True),
        ("对重大、特别重大生产安全事故负有责任的，终身不得担任本行业生产经营单位的主要负责人", True),
        ("发生较大以上生产安全事故的", True),
        ("一年内发生一人以上死亡事故的", False),
        ("生产经营单位存在重大事故隐患的", False),
    ],
)
def test_a_provision_speaks_in_levels_in_their_short_forms_too(text, speaks):
    from test_seventeenth_round import LEVELS, LEVELS_ARTICLE

    from assistant.answer.levels import Accident, stated

    levels = tuple(level.level for level in LEVELS.levels)
    accident = Accident(stated("死了一个人", LEVELS), LEVELS_ARTICLE, levels)
    assert accident.matters_to(text) == speaks
