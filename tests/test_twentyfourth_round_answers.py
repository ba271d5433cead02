"""Round 24 (issue 15): an approximate number (十几个员工) asks nothing, a figure the question states (一年) is not
what it is about, an age or a score is asked by its unit and a measure by its noun (接触限值是多少), a figure is
asked per the period named in its own clause, everyday words (童工, 怀孕, 口罩, 下水道, 开除, 告诉) are searched with
the law's term, and who pays after a duty left undone (不给买工伤保险，受伤了找谁赔)
asks the liability."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record

from assistant.answer.compose import OfflineComposer
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import PENALTY, provision_asked
from assistant.retrieval.query import QueryAnalyzer, QueryPlan, named_documents
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


def _analyzer(*records) -> QueryAnalyzer:
    """The query analyser over these documents (DocumentRecords), with the shipped knowledge pack."""
    return QueryAnalyzer(KnowledgePack(Settings().knowledge_dir), Tokenizer([]), {r.doc_id: r for r in records})


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("我们是个小饭店，十几个员工，需要专门设安全员吗？", None),  # about so many people, asking yes or no
        ("公司二十几个人，要不要配专职安全员？", None),
        ("一百二十几人的厂要配几个专职安全员？", "count"),  # the question word after the approximate number
        ("要配几个专职安全员？", "count"),
        ("十几天内要报告吗？", None),
        ("几天内要报告？", "time"),
    ],
)
def test_an_approximate_number_asks_for_no_figure(asks, question, kind):
    ask = asks.asked(question)
    assert (ask.kind if ask else None) == kind


@pytest.mark.parametrize(
    ("question", "text", "states"),
    [
        ("厂内机动车驾驶员的年龄上限是多少岁？", "驾驶人员应当年满18周岁。", True),
        ("厂内机动车驾驶员的年龄上限是多少岁？", "施工单位应当在验收后30日内将有关技术资料移交使用单位。", False),
        ("一级企业的评审分数线是多少分？", "评审得分90分以上的为一级。", True),
        ("一级企业的评审分数线是多少分？", "评审结果分为一级、二级、三级。", False),
        ("一氧化碳的职业接触限值是多少？", "一氧化碳的时间加权平均容许浓度为20mg/m³，不超过30%。", True),
        ("一氧化碳的职业接触限值是多少？", "煤矿企业应当按照规定检测一氧化碳浓度。", False),
        ("有限空间内氧含量多少才合格？", "氧含量应当在19.5%至23.5%之间。", True),
    ],
)
def test_an_age_a_score_and_a_measure_asked_by_its_noun_are_answered_only_by_a_number(asks, question, text, states):
    ask = asks.asked(question)
    assert ask is not None and ask.stated_in(text) is states


@pytest.mark.parametrize(
    ("question", "text", "states"),
    [
        # the period named in another clause (每季度…开会) is not what the number of people is asked per
        (
            "从业人员多少人以上的单位建立安委会，每季度至少开会一次？",
            "从业人员三百人以上的单位应当建立安全生产委员会。",
            True,
        ),
        ("每季度至少开几次安委会会议？", "安全生产委员会每季度至少召开一次会议。", True),
        ("每季度至少开几次安委会会议？", "安全生产委员会每年至少召开两次会议。", False),
    ],
)
def test_a_figure_is_asked_per_the_period_named_in_its_own_clause(asks, question, text, states):
    ask = asks.asked(question)
    assert ask is not None and ask.stated_in(text) is states


def test_a_figure_the_question_states_is_not_what_it_is_about(asks):
    assert asks.is_quantity("一年") and asks.is_quantity("120人") and asks.is_quantity("三十日")
    assert not asks.is_quantity("一次性") and not asks.is_quantity("年休假")
    # 一年 is held by 上一年年收入 in a fine; asked how many days of 年休假 a year, that fine says nothing of it
    question = "一年的年休假有几天？"
    fine = _article(
        "安全生产法", "法律", 96, "第九十六条 处上一年年收入百分之二十以上百分之五十以下的罚款，并于15日内缴纳。"
    )
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for t in tokenizer.query_tokens(question)}
    composer = OfflineComposer(tokenizer, idf, asks)
    answer = composer.compose(question, QueryPlan(question, question), [fine])
    assert answer.abstained and "知识库中未找到依据" in answer.text


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("老板不给我们买工伤保险，我受伤了找谁赔？", PENALTY),  # a duty left undone: who answers for it
        ("单位没交工伤保险，出了工伤谁来承担？", PENALTY),
        ("事故救援的费用由谁承担？", None),  # a cost after an accident, no breach: who bears it
        ("职业病人的诊疗费用由谁承担？", None),
    ],
)
def test_who_pays_after_a_duty_left_undone_asks_the_liability(question, asked):
    assert provision_asked(question) == asked


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("招童工进厂干接触粉尘的活违法吗？", "未成年工"),
        ("怀孕了还能在有毒的岗位上干吗？", "孕期、哺乳期"),
        ("车间粉尘大，单位要给工人发口罩吗？", "个人使用的职业病防护用品"),
        ("清理下水道之前要做什么准备？", "有限空间作业"),
        ("我举报了单位的安全隐患，会不会被开除？", "解除或者终止"),
        ("接触粉尘的岗位，单位要不要告诉我们有职业病危害？", "如实告知"),
    ],
)
def test_everyday_words_are_searched_with_the_law_s_term(question, term):
    plan = _analyzer(record("职业病防治法", "法律"), record("安全生产法", "法律")).analyse(question)
    assert term in plan.legal_terms


def test_a_malformed_article_number_in_a_question_names_no_article():
    analyzer = _analyzer(record("安全生产法", "法律"))
    assert analyzer.analyse("安全生产法第二十四二十四条是怎么规定的？").articles == []
    assert [ref.number for _, ref in analyzer.analyse("安全生产法第二十四条是怎么规定的？").articles] == [24]


def test_a_title_is_named_loosely_only_with_its_ending_or_whole():
    analyzer = _analyzer(
        record("特种设备安全监察条例", "行政法规"),
        record("特种设备安全法", "法律"),
        record("煤矿安全生产条例", "行政法规"),
    )
    # the words of a title without its kind are what the question is about, not a document it names
    assert analyzer.analyse("向负责特种设备安全监督管理的部门办理使用登记要在几日内？").documents == []
    assert analyzer.analyse("煤矿安全生产的那个条例里对矿长有什么要求？").documents == ["煤矿安全生产条例"]
    assert analyzer.analyse("特种设备安全监察有什么规定？").documents == ["特种设备安全监察条例"]


@pytest.mark.parametrize(
    ("question", "numbers"),
    [
        ("生产经营单位应当建立安全风险分级管控制度。这是《安全生产法》哪一条规定的？", []),  # which one: asked
        ("安全生产法这一条怎么理解？", []),
        ("安全生产法有两条规定讲培训吗？", []),  # a count of articles
        ("安全生产法第一条是什么？", [1]),
        ("安全生产法24条怎么规定？", [24]),
        ("安全生产法二十四条怎么规定？", [24]),
    ],
)
def test_which_article_asked_names_none(question, numbers):
    analyzer = _analyzer(record("安全生产法", "法律"))
    assert [ref.number for _, ref in analyzer.analyse(question).articles] == numbers


def test_a_copy_set_aside_puts_the_text_it_copies_in_its_place_and_the_specific_text_stands_level():
    from assistant.retrieval.rank import set_copies_aside
    from ingest.metadata import authority

    sector = "第十八条 煤矿企业主要负责人对本企业安全生产工作负有下列职责：（一）建立健全并落实全员安全生产责任制，加强安全生产标准化建设；（二）组织制定并实施安全生产规章制度和操作规程。"  # noqa: E501
    general = "第二十一条 生产经营单位的主要负责人对本单位安全生产工作负有下列职责：（一）建立健全并落实全员安全生产责任制，加强安全生产标准化建设；（二）组织制定并实施安全生产规章制度和操作规程。"  # noqa: E501
    other = "第四条 煤矿企业主要负责人是本企业安全生产第一责任人，对本企业安全生产工作全面负责。"
    texts = [sector, other, general]
    # asked about no sector, the regulation repeating the law gives way to it, in its place (not behind the others)
    ranks = [authority("行政法规", "全国"), authority("行政法规", "全国"), authority("法律", "全国")]
    assert set_copies_aside(texts, 0.6, ranks) == [2, 1, 0]
    # asked about 煤矿, 煤矿安全生产条例 is the specific text: level with the general law, the better-ranked answers
    assert authority("行政法规", "全国", specific=True) == authority("法律", "全国")
    assert authority("法律", "全国", specific=True) > authority("行政法规", "全国", specific=True)
    ranks = [authority("行政法规", "全国", specific=True), authority("行政法规", "全国"), authority("法律", "全国")]
    assert set_copies_aside(texts, 0.6, ranks) == [0, 1, 2]


def _local(doc: str, region: str, number: int, text: str):
    from ingest.store import StoredChunk

    return StoredChunk(
        f"{doc}-{number}",
        text,
        {"doc_id": doc, "title": doc, "unit": "article", "kind": "地方性法规", "region": region,
         "article": text.split(" ")[0], "article_num": number},
    )  # fmt: skip


def _composed(question: str, records: list, chunks: list, elsewhere: str | None = None):
    """The offline answer over these chunks, every word weighing the same. ``elsewhere``: the words the corpus holds
    besides the chunks' (a word no text of it holds weighs nothing, as with a real index); every word of the
    question when not given."""
    tokenizer = Tokenizer([])
    plan = _analyzer(*records).analyse(question)
    corpus = [*(c.text for c in chunks), question if elsewhere is None else elsewhere]
    idf = {t: 2.0 for text in corpus for t in tokenizer.query_tokens(text)}
    return OfflineComposer(tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)).compose(
        question, plan, chunks
    )


def test_a_list_asked_of_a_named_document_is_its_own():
    shanghai = _local(
        "上海市安全生产条例",
        "上海市",
        4,
        "第四条 生产经营单位主要负责人对本单位的安全生产工作全面负责，履行安全生产职责。",
    )
    law = _article(
        "安全生产法", "法律", 21,
        "第二十一条 生产经营单位的主要负责人对本单位安全生产工作负有下列职责：\n（一）建立健全并落实本单位全员安全生产责任制；"
        "\n（二）组织制定并实施本单位安全生产规章制度和操作规程；\n（三）保证本单位安全生产投入的有效实施。",
    )  # fmt: skip
    records = [record("上海市安全生产条例", "地方性法规", "上海市"), record("安全生产法", "法律")]
    answer = _composed("《上海市安全生产条例》规定，主要负责人负有哪些安全生产职责？", records, [shanghai, law])
    assert [s.chunk.doc_id for s in answer.sources][:1] == ["上海市安全生产条例"]
    # named nowhere, the list answers which ones
    answer = _composed("主要负责人负有哪些安全生产职责？", records, [shanghai, law])
    assert [s.chunk.doc_id for s in answer.sources][:1] == ["安全生产法"]


def test_a_law_the_library_lacks_cited_by_article_is_what_a_retrieved_interpretation_speaks_of():
    interpretation = _article(
        "两高解释", "司法解释", 5,
        "第五条 明知存在事故隐患、继续作业存在危险，仍然违反有关安全管理的规定，有下列情形之一的，应当认定为刑法第一百三十四条"
        "第二款规定的“强令他人违章冒险作业”：（一）利用组织、指挥、管理职权，强制他人违章作业的。",
    )  # fmt: skip
    records = [record("两高解释", "司法解释")]
    question = "属于刑法第一百三十四条第二款规定的“强令他人违章冒险作业”有哪些情形？"
    assert named_documents(question) == []  # 属于 leads into the name: 刑法 alone, too short to be a title
    answer = _composed("违反煤矿安全监察条例第七条规定的“强令他人违章冒险作业”有哪些情形？", records, [interpretation])
    assert answer.abstained  # no retrieved text cites it: the document asked about is not in the library
    cited = _article("两高解释", "司法解释", 6, "第六条 违反煤矿安全监察条例第七条，强令他人违章冒险作业的，依法追究。")
    answer = _composed("违反煤矿安全监察条例第七条规定的强令他人违章冒险作业怎么处理？", records, [cited])
    assert not answer.abstained  # a retrieved text cites the article: it is what is asked about
    answer = _composed("《煤矿安全监察条例》第七条规定的强令他人违章冒险作业怎么处理？", records, [cited])
    assert answer.abstained  # asked by its title: what that document says, which the library does not hold


def test_the_meaning_of_a_term_asked_of_a_named_document_is_its_own_article():
    shenzhen = _local(
        "深圳经济特区安全生产监督管理条例", "深圳市", 62,
        "第六十二条 本条例所称高危生产经营单位，包括：\n（一）矿山、金属冶炼、建筑施工、运输单位；\n（二）锂电池的生产、加工、储存单位。",
    )  # fmt: skip
    law = _article(
        "安全生产法", "法律", 24,
        "第二十四条 矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、装卸单位，应当设置安全生产管理机构。",
    )  # fmt: skip
    records = [record("深圳经济特区安全生产监督管理条例", "地方性法规", "深圳市"), record("安全生产法", "法律")]
    question = "根据《深圳经济特区安全生产监督管理条例》，什么是高危生产经营单位？"
    answer = _composed(question, records, [law, shenzhen])
    assert [s.chunk.doc_id for s in answer.sources] == ["深圳经济特区安全生产监督管理条例"]
    answer = _composed("什么是高危生产经营单位？", records, [law, shenzhen])
    assert [s.chunk.doc_id for s in answer.sources] == ["安全生产法"]  # asked of no place: the national basis
