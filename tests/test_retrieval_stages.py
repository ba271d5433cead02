"""Each retrieval stage on a few hand-built chunks, without an ingest: the law's order as features, a
verbatim copy set aside, the fitted ranker's weights, and a follow-up told from a question that stands alone."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.pack import KnowledgePack
from assistant.retrieval import followup
from assistant.retrieval.candidates import Candidates
from assistant.retrieval.config import RankingConfig
from assistant.retrieval.features import FEATURES, featurize, priors
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.query import QueryPlan
from assistant.retrieval.rank import linear_scores, set_copies_aside
from ingest.settings import Settings
from ingest.store import DocumentRecord, StoredChunk
from ingest.tokenizer import Tokenizer
from ingest.vocabulary import Vocabulary

NATIONAL_ARTICLE = (
    "第二十四条 矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、装卸单位，应当设置安全生产管理机构"
    "或者配备专职安全生产管理人员。"
)


def record(doc_id: str, kind: str, region: str = "全国") -> DocumentRecord:
    return DocumentRecord(
        doc_id=doc_id,
        source="",
        hash="h",
        title=doc_id,
        kind=kind,
        region=region,
        date="",
        version_key=f"{region}|{doc_id}",
        chunk_count=1,
    )


RECORDS = {
    r.doc_id: r
    for r in [
        record("安全生产法", "法律"),
        record("事故条例", "行政法规"),
        record("北京市安全生产条例", "地方性法规", "北京市"),
        record("高新区工作方案", "计划方案", "高新区"),
    ]
}


def chunk(chunk_id: str, doc_id: str, text: str, heading: str = "") -> StoredChunk:
    return StoredChunk(chunk_id, text, {"doc_id": doc_id, "unit": "article", "heading_path": heading, "doc_hash": "h"})


def test_a_law_outranks_a_regulation_and_a_local_text_needs_its_region_named():
    plain = QueryPlan(question="要不要设安全管理机构？", expanded="")
    law, rule = priors(RECORDS["安全生产法"], plain), priors(RECORDS["事故条例"], plain)
    local = priors(RECORDS["北京市安全生产条例"], plain)
    assert (law["law"], law["national_rule"], law["other_region"]) == (1.0, 0.0, 0.0)
    assert (rule["law"], rule["national_rule"]) == (0.0, 1.0)
    assert local["other_region"] == 1.0 and local["named_region"] == 0.0
    in_beijing = priors(RECORDS["北京市安全生产条例"], QueryPlan(question="", expanded="", regions=["北京市"]))
    assert in_beijing["named_region"] == 1.0 and in_beijing["other_region"] == 0.0


def test_a_plan_is_judged_on_its_words_not_as_a_local_regulation():
    plan = priors(RECORDS["高新区工作方案"], QueryPlan(question="", expanded=""))
    assert plan == {
        "named_document": 0.0,
        "named_region": 0.0,
        "other_region": 0.0,
        "law": 0.0,
        "national_rule": 0.0,
        "unasked_subject": 0.0,
    }


def test_features_read_each_list_rank_the_relative_scores_and_the_provision_kind_asked():
    found = Candidates()
    found.chunks = {
        "a": chunk(
            "a",
            "安全生产法",
            "第九十七条 未按照规定设置安全生产管理机构的，责令限期改正，处十万元以下的罚款。",
            "第六章 法律责任",
        ),
        "b": chunk("b", "安全生产法", NATIONAL_ARTICLE),
    }
    found.add("bm25", ["b", "a"])
    found.add("dense", ["a"])
    found.bm25, found.dense = {"a": 2.0, "b": 4.0}, {"a": 0.9, "b": 0.8}
    found.tokens = ["安全生产管理机构", "罚款"]
    plan = QueryPlan(question="没设安全生产管理机构怎么处罚？", expanded="")
    figures = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)
    rows = featurize(found, plan, RECORDS, {"安全生产管理机构": 5.0, "罚款": 3.0}, RankingConfig(), figures)
    a, b = (dict(zip(FEATURES, rows[found.ids.index(i)], strict=True)) for i in ("a", "b"))
    assert b["rank_bm25"] == 1.0 and a["rank_bm25"] == pytest.approx(60 / 61)
    assert a["rank_dense"] == 1.0 and b["rank_dense"] == 0.0
    assert (a["bm25_score"], b["bm25_score"]) == (0.5, 1.0)
    assert a["dense_gap"] == 0.0 and b["dense_gap"] == pytest.approx(-0.1)
    assert a["coverage"] == 1.0 and b["coverage"] == pytest.approx(5 / 8)
    assert (a["kind_match"], a["kind_other"]) == (1.0, 0.0)  # the penalty article answers 怎么处罚
    assert (b["kind_match"], b["kind_other"]) == (0.0, 1.0)


def test_the_linear_ranker_scores_by_its_named_weights():
    rows = np.zeros((2, len(FEATURES)), dtype=np.float32)
    rows[0, FEATURES.index("law")] = 1.0
    rows[1, FEATURES.index("coverage")] = 0.5
    config = RankingConfig(weights={"law": 0.4, "coverage": 2.0}, bias=-1.0)
    assert linear_scores(rows, config).tolist() == pytest.approx([-0.6, 0.0])


def test_a_verbatim_local_copy_of_a_national_article_goes_behind_a_different_provision():
    copy = "第十条 " + NATIONAL_ARTICLE.removeprefix("第二十四条 ")
    other = "第二十五条 生产经营单位的安全生产管理机构以及安全生产管理人员履行下列职责。"
    assert set_copies_aside([NATIONAL_ARTICLE, copy, other], 0.85) == [0, 2, 1]
    assert set_copies_aside([NATIONAL_ARTICLE, other], 0.85) == [0, 1]


@pytest.mark.parametrize("embedder", ["e5-small-q4-384", "builtin-lsa-256", "st-bge-small-zh-v1-5-1234abcd"])
def test_the_shipped_ranker_is_fitted_for_each_embedder_and_names_every_feature(embedder):
    config = RankingConfig.load(embedder)
    assert config.fitted_on, "ranker-*.json records what the weights were fitted on"
    assert set(config.weights) == set(FEATURES)
    # the fit, on pack data, agrees with the law's order: a 法律 above a national regulation above a local
    # text of a region the question does not name
    assert config.weights["law"] > config.weights["national_rule"] > config.weights["other_region"]


@pytest.fixture(scope="module")
def words():
    pack = KnowledgePack(Settings().knowledge_dir)
    return pack.follow_up, Tokenizer(Vocabulary(pack.directory).segmenter_terms)


@pytest.mark.parametrize(
    "question",
    [
        "那罚款是多少？",
        "罚款呢？",
        "要多久？",
        "这个要备案吗？",
        "上述情形怎么处罚？",
        "其他单位呢？",
        "最长能拿多久？",
        "法规里有没有写具体的天数？",
        "还是法律规定必须做？",
    ],
)
def test_a_question_leaning_on_the_previous_one_is_searched_with_it(words, question):
    resolved = followup.resolve(question, ["有限空间作业前要做哪些准备？"], *words)
    assert resolved.startswith("有限空间作业前要做哪些准备，") and resolved.endswith(question)


@pytest.mark.parametrize(
    "question", ["叉车司机要持证吗？", "事故发生后多久要上报？", "四不放过是什么？", "特种设备要登记吗？"]
)
def test_a_question_that_stands_on_its_own_is_searched_as_written_however_short(words, question):
    assert followup.resolve(question, ["有限空间作业前要做哪些准备？"], *words) == question


def test_a_chain_of_follow_ups_keeps_the_first_subject(words):
    history = ["危险作业不经审批就干，会怎么处罚？", "那罚款是多少？"]
    assert followup.resolve("谁来罚？", history, *words) == "危险作业不经审批就干，会怎么处罚，那罚款是多少，谁来罚？"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("烟花爆竹零售店最多可以存放多少箱？", "count"),
        ("每天下井最多能干几个小时？", "time"),
        ("事故发生后多久要上报？", "time"),
        ("多久要复审一次？", "frequency"),
        ("保安和观众的配比是多少？", "ratio"),
        ("罚款是多少？", "money"),
        ("是否按规定比例提取安全生产费用？", None),
        ("要安排哪几次体检？", None),
        ("在规定期限内是否整改？", None),
    ],
)
def test_a_figure_is_asked_only_by_a_question_about_it(figures, question, kind):
    asked = figures.asked(question)
    assert (asked.kind if asked else None) == kind


def test_a_clause_states_a_figure_of_the_kind_asked_not_just_any_number(figures):
    how_often = figures.asked("应急预案多久演练一次？")
    assert how_often.states.search("每年至少组织一次综合应急预案演练")
    assert not how_often.states.search("应当立即报告，并于30日内书面报告")  # a deadline is not a frequency
    crates = figures.asked("最多存放多少箱？")
    assert crates.states.search("存放量不得超过50箱")
    assert not crates.states.search("面积不得小于50平方米")


def test_a_period_stated_as_a_number_answers_how_long_better_than_immediately(figures):
    how_long = figures.asked("事故发生后多久要上报？")
    assert how_long.degree("单位负责人接到报告后，应当于1小时内向安全生产监督管理部门报告") == 1.0
    assert how_long.degree("接到事故报告后，应当立即赶赴事故现场") == 0.5  # a deadline, in words only
    assert how_long.degree("事故报告应当及时、准确、完整") == 0.5
    assert how_long.degree("事故调查组应当查明事故发生的经过") == 0.0
    fine = figures.asked("罚款是多少？")
    assert fine.degree("处二万元以上十万元以下的罚款") == 1.0 and fine.degree("依法给予罚款") == 0.0


@pytest.mark.parametrize(
    ("text", "states"),
    [
        ("（一）发生一般事故的，处上一年年收入百分之四十的罚款；", True),
        ("（一）发生一般事故的，处上一年年收入30%的罚款；", True),
        ("没收违法所得，并处违法所得一倍以上五倍以下的罚款", True),
        ("按照上一年度营业收入的百分之一点五提取安全生产费用", False),  # a share, but of no sum asked for
        ("从业人员超过一百人的，应当设置安全生产管理机构", False),
    ],
)
def test_a_fine_stated_as_a_share_or_a_multiple_of_a_base_answers_how_much(figures, text, states):
    assert (figures.asked("老板个人要被罚多少？").degree(text) == 1.0) is states


def test_a_sum_of_one_kind_is_stated_by_a_text_naming_that_kind_and_a_standard_asks_for_it(figures):
    pay = figures.asked("山东 企业安全总监 工资待遇 标准")  # asked by the name of its rule
    assert pay is not None and pay.kind == "money"
    assert pay.degree("安全总监未履行职责的，处一万元以上三万元以下的罚款") == 0.0  # a fine is no pay
    assert pay.degree("安全总监的工资待遇不低于本单位中层管理人员，每月另发津贴500元") == 1.0
    fine = figures.asked("较大事故 企业罚款标准")
    assert fine is not None and fine.degree("发生较大事故的，处一百万元以上二百万元以下的罚款") == 1.0
    assert figures.asked("安全生产标准化达标企业有哪些") is None
    any_sum = figures.asked("每家能补多少钱？")  # 钱 asks any sum
    assert any_sum is not None and any_sum.degree("对达标企业每家给予5万元奖励") == 1.0
    # a standard may be stated in words: the clause naming the kind of sum states it, less exactly than a figure
    kept = figures.asked("工伤职工停工留薪期内的工资待遇标准是什么")
    assert kept is not None and kept.degree("在停工留薪期内，原工资福利待遇不变，由所在单位按月支付。") == 0.5


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("职工因工死亡，一次性工亡补助金赔偿多少", "一次性工亡补助金标准为上一年度全国城镇居民人均可支配收入的20倍。"),
        ("因工死亡的丧葬补助金补助多少钱", "（一）丧葬补助金为6个月的统筹地区上年度职工月平均工资；"),
        (
            "一级伤残的一次性伤残补助金是多少",
            "支付一次性伤残补助金，标准为：一级伤残为27个月的本人工资，二级伤残为25个月的本人工资",
        ),
    ],
)
def test_a_benefit_stated_as_months_of_wages_or_a_multiple_of_income_states_how_much(figures, question, text):
    """Benefits (赔偿 asks about a 补助金 too) are stated relative to a base, as fines are."""
    asked = figures.asked(question)
    assert asked is not None and asked.degree(text) == 1.0


def test_a_frequency_is_stated_with_or_without_a_measure_word(figures):
    how_often = figures.asked("工作会议多久开一次？")
    assert how_often.states.search("应当每个季度至少召开一次工作会议")
    assert how_often.states.search("每季度至少召开一次") and how_often.states.search("每一年组织一次")
    assert not how_often.states.search("召开工作会议，由主要领导人召集")


def test_a_figure_in_traditional_script_is_stated_too(figures):
    stages = figures.asked("创建活动分几个阶段？")
    assert stages.stated_in("創建活動,分爲四個階段") and stages.degree("分爲四個階段") == 1.0
    assert not stages.stated_in("各單位要下發專題通知")


def test_a_document_named_loosely_by_the_words_of_its_title_is_named():
    from assistant.retrieval.query import QueryAnalyzer

    records = {
        r.doc_id: r
        for r in [
            record("国务院关于预防煤矿生产安全事故的特别规定", "行政法规"),
            record("生产安全事故报告和调查处理条例", "行政法规"),
            record("安全生产法", "法律"),
            record("青山市安全生产条例", "地方性法规", "青山市"),
            record("绿水市安全生产条例", "地方性法规", "绿水市"),
        ]
    }
    analyzer = QueryAnalyzer(KnowledgePack(Settings().knowledge_dir), Tokenizer([]), records)
    named = analyzer.analyse("按国务院预防煤矿事故的那个特别规定，举报小煤窑能拿多少奖励？").documents
    assert named == ["国务院关于预防煤矿生产安全事故的特别规定"]
    assert analyzer.analyse("生产安全事故报告和调查处理有什么规定？").documents == ["生产安全事故报告和调查处理条例"]
    # a few of a title's words are no name of it: a question about reporting an accident names no document
    assert analyzer.analyse("生产安全事故发生后多久报告？").documents == []
    assert analyzer.analyse("国务院的规定里煤矿有什么要求？").documents == []
    assert analyzer.analyse("我们市安全生产条例对培训有什么要求？").documents == []  # fits every city's: names none


def test_a_title_of_issuers_and_a_matter_is_named_loosely_by_its_matter():
    """People leave out a title's issuers (国务院关于) as they do with its exact name: 按照预防煤矿事故的特别规定 names
    国务院关于预防煤矿生产安全事故的特别规定, which it names too few characters of as a whole."""
    from assistant.retrieval.query import QueryAnalyzer

    records = {
        r.doc_id: r
        for r in [
            record("国务院关于加强青山矿区粉尘防治工作的特别规定", "行政法规"),
            record("安全生产法", "法律"),
            record("职业病防治法", "法律"),
        ]
    }
    analyzer = QueryAnalyzer(KnowledgePack(Settings().knowledge_dir), Tokenizer([]), records)
    named = analyzer.analyse("按照加强矿区粉尘防治的特别规定，粉尘浓度超标怎么处理？").documents
    assert named == ["国务院关于加强青山矿区粉尘防治工作的特别规定"]
    # the matter's words without the kind of text it is are what a question is about, no name
    assert analyzer.analyse("矿区粉尘防治工作有哪些要求？").documents == []


def test_a_regulation_held_by_a_law_goes_behind_it_whichever_ranked_first():
    regulation = "第三十四条 大型游乐设施在每日投入使用前，其运营使用单位应当进行试运行和例行安全检查，并对安全装置进行检查确认。"
    law = (
        "第四十三条 大型游乐设施在每日投入使用前，其运营使用单位应当进行试运行和例行安全检查，"
        "并对安全附件和安全保护装置进行检查确认。"
    )
    other = "第八十七条 违反本法规定，运营使用单位未设置特种设备安全管理机构的，责令限期改正。"
    # ranked first, the regulation repeats the law (上位法): the law answers, in the regulation's place (a copy set
    # aside does not take the text it copies down with it)
    assert set_copies_aside([regulation, other, law], 0.85, [2, 3, 3]) == [2, 1, 0]
    # of equal authority, the better-ranked text stays first, and the later copy goes behind
    assert set_copies_aside([regulation, other, law], 0.85, [3, 3, 3]) == [0, 1, 2]
    assert set_copies_aside([law, other, regulation], 0.85) == [0, 1, 2]
    assert set_copies_aside([law, regulation, other], 0.85) == [0, 2, 1]


@pytest.mark.parametrize("zone", ["济南高新区", "青岛西海岸新区", "青岛黄岛区"])
def test_a_zone_or_district_named_after_its_city_lies_in_that_city_and_province(zone):
    """K11: 济南高新区 and 青岛西海岸新区 were no place the province's rules bind in."""
    from assistant.retrieval.query import QueryAnalyzer, binds

    records = {
        r.doc_id: r for r in [record("山东省安全生产条例", "地方性法规", "山东省"), record("安全生产法", "法律")]
    }
    analyzer = QueryAnalyzer(KnowledgePack(Settings().knowledge_dir), Tokenizer([]), records)
    plan = analyzer.analyse(f"{zone}一家三百五十人的化工厂要不要设安全总监？")
    assert binds("山东省", plan.within) and not binds("浙江省", plan.within), plan.within
