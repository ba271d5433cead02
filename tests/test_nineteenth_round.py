"""Round 19 (issue 15): what the question asks for decides which provision answers it.

- A penalty article restates the duty it punishes (未按照规定设置安全生产管理机构的，…处罚款), so it matches a question
  about the duty on its words; the duty is stated where it is imposed. The ranker has a feature for a penalty provision
  offered to a question asking no penalty (``penalty_unasked``), its weight fitted on the knowledge pack.
- Asking what will happen to someone (会被怎么处理, 校长要担什么责任) asks for a penalty; asking how to handle a thing
  (用不完的怎么处理) does not.
- What a term means, or where the law states it, is asked of the term the asking sentence names (四不放过是什么); a
  term named in passing (a quiz question restating a provision: 生产经营单位新建…。这个规定叫什么？) is not what is asked,
  and its basis is no answer.
- A phrase the user puts in quotation marks (突出“四抓”) is one name, whatever the segmenter cuts it into: the passage
  holding it is about it.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_answer_reading import _compose as _compose_plan
from test_answer_reading import _passage
from test_retrieval_stages import RECORDS, chunk

from assistant.answer.compose import OfflineComposer
from assistant.pack import KnowledgePack
from assistant.pack.schema import GlossaryEntry
from assistant.retrieval.candidates import Candidates
from assistant.retrieval.config import RankingConfig
from assistant.retrieval.features import FEATURES, featurize
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import PENALTY, asks_of_term, provision_asked
from assistant.retrieval.query import QueryPlan
from assistant.retrieval.rank import linear_scores
from ingest.settings import Settings
from ingest.store import StoredChunk
from ingest.tokenizer import Tokenizer

DUTY = "第二十四条 矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、装卸单位，应当设置安全生产管理机构。"
PUNISHED = "第九十七条 生产经营单位未按照规定设置安全生产管理机构的，责令限期改正，处十万元以下的罚款。"


@pytest.mark.parametrize(
    "question",
    [
        "许可证过期了还照常生产，会被怎么处理？",
        "煤矿两次查出重大隐患还继续生产，会怎么处理？",
        "出了问题校长要担什么责任？",
        "企业负责人要承担哪些法律责任？",
        "仓库里的灭火器过期了会被罚吗？",
        "没做应急演练罚不罚？",
    ],
)
def test_asking_what_will_happen_to_someone_asks_for_a_penalty(question):
    assert provision_asked(question) == PENALTY


@pytest.mark.parametrize("question", ["用不完的炸药怎么处理？", "发现隐患怎么处理？", "主要负责人有哪些职责？"])
def test_asking_how_to_handle_a_thing_asks_for_no_penalty(question):
    assert provision_asked(question) is None


def _features(question: str) -> dict[str, dict[str, float]]:
    found = Candidates()
    found.chunks = {
        "penalty": chunk("penalty", "安全生产法", PUNISHED, "第六章 法律责任"),
        "duty": chunk("duty", "安全生产法", DUTY),
    }
    found.add("bm25", ["penalty", "duty"])
    found.bm25, found.dense = {"penalty": 4.0, "duty": 3.0}, {"penalty": 0.8, "duty": 0.8}
    found.tokens = ["安全生产管理机构"]
    figures = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)
    rows = featurize(found, QueryPlan(question, ""), RECORDS, {"安全生产管理机构": 5.0}, RankingConfig(), figures)
    return {i: dict(zip(FEATURES, rows[found.ids.index(i)], strict=True)) for i in found.ids}


def test_a_penalty_article_offered_for_a_duty_is_marked():
    rows = _features("建筑施工单位要不要设置安全生产管理机构？")
    assert rows["penalty"]["penalty_unasked"] == 1.0
    assert rows["duty"]["penalty_unasked"] == 0.0


@pytest.mark.parametrize("question", ["没设置安全生产管理机构怎么处罚？", "安全生产管理机构最少要几个人？"])
def test_asked_for_a_penalty_or_a_figure_no_article_is_marked(question):
    assert all(row["penalty_unasked"] == 0.0 for row in _features(question).values())


@pytest.mark.parametrize("family", ["e5", "builtin"])
def test_the_fitted_ranker_puts_the_duty_before_the_penalty_restating_it(family):
    config = RankingConfig.load(family)
    assert config.weights["penalty_unasked"] < 0
    rows = np.zeros((2, len(FEATURES)), dtype=np.float32)
    rows[:, FEATURES.index("law")] = 1.0
    rows[:, FEATURES.index("coverage")] = 0.6
    rows[0, FEATURES.index("bm25_score")] = 1.0  # the penalty article repeats the question's words
    rows[1, FEATURES.index("bm25_score")] = 0.8
    rows[0, FEATURES.index("penalty_unasked")] = 1.0
    penalty, duty = linear_scores(rows, config)
    assert duty > penalty


REPORT = [
    _passage(
        1,
        "为了进一步加强全区安全防范意识，我们组织开展安全生产岗位资格培训，突出抓好一线青工培训教育，提高工区安全生产管理水平。\n"
        "为此，我们将突出“四抓”做好安全生产工作。\n"
        "一是抓基层基础。建立完善工作制度。\n"
        "二是抓隐患治理。坚持隐患排查治理活动常态化。\n"
        "三是抓重点防范。强化线下作业大型机械的监管。\n"
        "四是抓宣传教育。加强警示教育。",
    )
]


def test_a_quoted_phrase_the_segmenter_splits_finds_the_passage_naming_it():
    answer = _compose_plan("工区明年要突出“四抓”，具体是抓哪四个方面？", REPORT)
    lead = answer.text.splitlines()[0]
    assert "“四抓”" in lead, answer.text
    for item in ("抓基层基础", "抓隐患治理", "抓重点防范", "抓宣传教育"):
        assert item in answer.text, answer.text


@pytest.mark.parametrize(
    ("question", "meaning_only", "asked"),
    [
        ("四不放过是什么？", True, True),
        ("什么是“三同时”？职业病防护设施也要搞吗？", True, True),
        ("事故处理讲的“四不放过”原则，在法规里的依据是什么？", False, True),
        # its 是什么 asks what the basis is, not what the term means: the answer leads with the basis (round 33)
        ("事故处理讲的“四不放过”原则，在法规里的依据是什么？", True, False),
        ("企业要落实四不放过。这个要求出自哪一条？", False, False),
        ("事故调查要做到四不放过，事故调查组有哪些职责？", False, False),
    ],
)
def test_a_term_is_asked_about_by_the_sentence_naming_it(question, meaning_only, asked):
    assert asks_of_term(question, ["四不放过", "三同时"], meaning_only) is asked


def test_a_term_named_in_passing_does_not_make_its_basis_the_answer():
    """A quiz question restating a provision and asking what it is called names 生产经营单位 in passing: the article
    it restates answers, not the article defining 生产经营单位."""
    entry = GlossaryEntry.model_validate(
        {
            "id": "sheng-chan-jing-ying-dan-wei",
            "term": "生产经营单位",
            "definition": "从事生产经营活动的单位的统称。",
            "basis": [{"doc": "某安全法", "article": "第二条"}],
        }
    )
    scope = _law_article(
        2, "第二条 在中华人民共和国领域内从事生产经营活动的单位（以下统称生产经营单位）的安全生产，适用本法。"
    )
    rule = _law_article(
        31,
        "第三十一条 生产经营单位新建、改建、扩建工程项目的安全设施，必须与主体工程同时设计、同时施工、同时投入生产和使用。",
    )
    question = "生产经营单位新建、改建、扩建工程项目的安全设施，必须与主体工程同时设计、同时施工、同时投入生产和使用。这个规定叫什么？"
    tokenizer = Tokenizer([])
    plan = QueryPlan(question, question, glossary=[entry])
    idf = {t: 2.0 for t in tokenizer.query_tokens(question)}
    composer = OfflineComposer(tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities))
    answer = composer.compose(question, plan, [scope, rule])
    assert answer.citations == [{"doc": "某安全法", "article": "第三十一条"}], answer.text
    # asked what the term itself means, its basis answers
    asked = "生产经营单位是什么意思？"
    plan = QueryPlan(asked, asked, glossary=[entry])
    answer = composer.compose(asked, plan, [rule, scope])
    assert answer.citations == [{"doc": "某安全法", "article": "第二条"}], answer.text
    assert answer.text.startswith("生产经营单位：")


def _law_article(number: int, text: str) -> StoredChunk:
    return StoredChunk(
        f"law-{number}",
        text,
        {"doc_id": "某安全法", "title": "某安全法", "unit": "article", "kind": "法律", "region": "全国",
         "article": text.split(" ")[0], "article_num": number},
    )  # fmt: skip


def _section(ordinal: int, text: str, heading: str) -> StoredChunk:
    passage = _passage(ordinal, text)
    passage.metadata["heading_path"] = heading
    return passage


PLAN = [
    _section(
        1,
        "为了确保汛期我区商贸系统安全生产经营，根据市里关于开展百日安全生产专项行动的通知精神，特制定如下实施方案。",
        "安全生产实施方案",
    ),
    _section(
        2,
        "二、工作重点\n开展专项行动，重在监督防御。\n"
        "一是重点落实农贸市场、超市等商贸经营单位的安全生产工作制度。\n二是高度重视冷库的安全管理工作。",
        "安全生产实施方案 / 二、工作重点",
    ),
    _section(
        3, "三、工作措施\n1、专项行动期间各单位要严格落实责任。\n2、加强检查和督办。", "安全生产实施方案 / 三、工作措施"
    ),
]


def test_a_plan_section_whose_heading_the_question_names_answers_it():
    # the question's other words (汛期, 商贸系统, 百日专项行动) are the preamble's: they say which plan, not what is asked
    answer = _compose_plan("汛期区商贸系统开展百日安全生产专项行动，工作重点是哪两块？", PLAN)
    assert "农贸市场、超市" in answer.text and "冷库" in answer.text, answer.text
    assert "特制定如下实施方案" not in answer.text.splitlines()[0], answer.text


@pytest.mark.parametrize(
    ("heading", "named"),
    [
        ("实施方案 / 二、工作重点", True),
        ("实施方案 / （三）工作措施", True),
        ("实施方案 / 第三章 保障措施", False),  # 保障措施 is not asked about
        ("实施方案 / 1、工作措施", True),
        ("实施方案 / 4. 组织领导", False),
    ],
)
def test_a_heading_is_named_by_its_words_less_its_numbering(heading, named):
    from assistant.answer.compose import _heading_named

    chunk = _section(9, "……", heading)
    assert _heading_named(chunk, "工作重点和工作措施分别是什么？") is named


@pytest.mark.parametrize(
    ("question", "plans"),
    [
        ("高新区明年在应急救援演练方面有什么安排？", True),
        ("区里的安全生产责任监督机制是怎么安排的？", True),
        ("今年的安全生产月活动做了哪些部署？", True),
        ("现场需要安排什么人盯着？", False),
        ("矿上能不能安排女工下井干活？", False),
    ],
)
def test_asking_what_is_arranged_refers_to_a_plan_arranging_is_a_duty(question, plans):
    from assistant.retrieval.query import QueryAnalyzer

    analyzer = QueryAnalyzer(KnowledgePack(Settings().knowledge_dir), Tokenizer([]), RECORDS)
    assert analyzer.analyse(question).plans is plans


@pytest.mark.parametrize(
    ("question", "kind", "answers", "does_not"),
    [
        # a day of the calendar is no duration
        (
            "注册安全工程师考试每年几月报名？",
            "date",
            "每年6月报名",
            "吊销执业资格证书，5年内不予注册；停止执业3个月以上1年以下",
        ),
        ("浙江每年哪个月是安全生产宣传月？", "date", "每年六月为安全生产宣传月", "连续停产3个月以上的，应当重新验收"),
        # a limit asked without its unit: a clause stating no number does not answer it
        ("有限空间作业氧含量低于多少不能进入？", "limit", "氧含量应当保持在19.5%以上", "应当先通风、再检测、后作业"),
        # a length asked by its adjective
        (
            "民用爆炸物品仓库离居民区最少要隔多远？",
            "length",
            "与居民区的距离不得少于500米",
            "仓库应当设置明显的警示标志",
        ),
        # a limit is a measure: a fine or a count stated beside it is none
        ("粉尘浓度超标多少要停产？", "limit", "浓度超过10%的", "两个以上生产经营单位，处五万元以下的罚款"),
        # a telephone number
        (
            "应急管理局的投诉电话是多少？",
            "phone",
            "可以拨打12350安全生产举报投诉电话",
            "任何单位和个人均有权向有关部门举报",
        ),
        ("举报安全生产违法行为打什么电话？", "phone", "通过12345市民服务热线举报", "均有权向有关部门举报"),
    ],
)
def test_a_figure_asked_is_answered_only_by_a_clause_stating_one_of_its_kind(
    figures, question, kind, answers, does_not
):
    ask = figures.asked(question)
    assert ask is not None and ask.kind == kind
    assert ask.stated_in(answers)
    assert not ask.stated_in(does_not)


def test_a_salary_asked_is_pay_not_a_fine(figures):
    ask = figures.asked("企业安全总监的年薪应该多少？")
    assert ask is not None and ask.kind == "money"
    assert not ask.stated_in("安全总监未履行安全生产管理职责的，处一万元以上三万元以下的罚款")


@pytest.mark.parametrize("text", ["处罚款15000元", "从业人员超过120人的", "事故造成1100万元直接经济损失"])
def test_a_sum_or_a_count_is_no_telephone_number(figures, text):
    assert not figures.asked("投诉电话是多少？").stated_in(text)


def test_a_fee_asked_is_no_fine(figures):
    ask = figures.asked("叉车司机证的考试费用是多少？")
    assert ask is not None and ask.kind == "money"
    assert not ask.stated_in("由特种设备安全监督管理部门责令限期改正；逾期未改正的，处2000元以上2万元以下罚款")
    assert ask.stated_in("考试费用每人200元")


@pytest.mark.parametrize("question", ["停工留薪期一般不超过几个月？", "国务院446号令第几条规定了停产整顿？"])
def test_a_duration_or_an_article_number_is_no_day_of_the_calendar(figures, question):
    ask = figures.asked(question)
    assert ask is None or ask.kind != "date"


def test_a_fine_asked_for_a_fee_is_declined_and_the_related_provisions_listed():
    fine = _law_article(
        86,
        "第八十六条 特种设备使用单位未对特种设备作业人员进行培训的，责令限期改正；逾期未改正的，处2000元以上2万元以下罚款。",
    )
    answer = _compose_plan("叉车司机证的考试费用是多少？", [fine])
    assert answer.abstained and "知识库中未找到依据" in answer.text
