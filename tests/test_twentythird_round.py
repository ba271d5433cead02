"""Round 23 (issue 15): a question naming a document asks what that document says (根据《安全生产法》，…;
安全生产法自哪一天起施行), a title the knowledge base lacks names no other document sharing its words, whether such a
document is still in force is answered by a text saying it was repealed, and how a breach is dealt with asks its
penalty."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import RECORDS as DOCUMENTS
from test_retrieval_stages import record

from assistant.answer.compose import OfflineComposer
from assistant.pack import KnowledgePack
from assistant.retrieval import followup
from assistant.retrieval.candidates import Candidates
from assistant.retrieval.features import candidate_values
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import PENALTY, provision_asked
from assistant.retrieval.query import QueryAnalyzer, QueryPlan
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("决策机构不依照规定保证安全生产所必需的资金投入，怎么处理？", PENALTY),  # a breach: its penalty
        ("未经审批擅自动火作业怎么处理？", PENALTY),
        ("搞爆破用不完的炸药怎么处理？", None),  # how a thing is handled: the duty
        ("发现重大事故隐患怎么处理？", None),
    ],
)
def test_how_a_breach_is_dealt_with_asks_its_penalty(question, asked):
    assert provision_asked(question) == asked


COMMENCEMENT = "第一百一十九条 本法自2002年11月1日起施行。"


def test_a_passage_of_the_named_document_holds_the_words_naming_it():
    # 本法 is the 安全生产法 the question names: the same sentence in another document does not hold those words
    own, other = _article("安全生产法", "法律", 119, COMMENCEMENT), _article("事故条例", "行政法规", 46, COMMENCEMENT)
    found = Candidates()
    found.chunks = {own.id: own, other.id: other}
    found.ids = [own.id, other.id]
    found.tokens = ["安全生产法", "施行"]
    plan = QueryPlan("安全生产法自哪一天起施行？", "安全生产法自哪一天起施行？", documents=["安全生产法"])
    figures = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)
    values = candidate_values(found, plan, DOCUMENTS, {"安全生产法": 5.0, "施行": 2.0}, figures, found.ids)
    assert values[own.id]["coverage"] == pytest.approx(1.0)
    assert values[other.id]["coverage"] < 0.5


def _answer(question: str, plan: QueryPlan, chunks):
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for t in tokenizer.query_tokens(question)}
    composer = OfflineComposer(tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities))
    return composer.compose(question, plan, chunks)


REPEALING = _article(
    "煤矿安全生产条例", "行政法规", 76,
    "第七十六条 本条例自2024年5月1日起施行。《煤矿安全监察条例》和《国务院关于预防煤矿生产安全事故的特别规定》同时废止。",
)  # fmt: skip
SITE_SIGNS = _article(
    "建设工程安全生产管理条例", "行政法规", 28,
    "第二十八条 施工单位应当在施工现场入口处、施工起重机械、临时用电设施、脚手架、出入通道口、楼梯口、电梯井口、孔洞口、"
    "基坑边沿、爆破物及有害危险气体和液体存放处等危险部位，设置明显的安全警示标志。",
)  # fmt: skip
LAW_SIGNS = _article(
    "安全生产法", "法律", 35,
    "第三十五条 生产经营单位应当在有较大危险因素的生产经营场所和有关设施、设备上，设置明显的安全警示标志。",
)  # fmt: skip


def test_a_question_naming_a_document_is_answered_by_it():
    question = "根据《安全生产法》，应当在哪些地方设置明显的安全警示标志？"
    records = {r.doc_id: r for r in [record("安全生产法", "法律"), record("建设工程安全生产管理条例", "行政法规")]}
    plan = QueryAnalyzer(KnowledgePack(Settings().knowledge_dir), Tokenizer([]), records).analyse(question)
    answer = _answer(question, plan, [SITE_SIGNS, LAW_SIGNS])  # the ranker put the other text first
    assert answer.citations[0] == {"doc": "安全生产法", "article": "第三十五条"}, answer.text


def test_whether_a_document_the_library_lacks_is_in_force_is_answered_by_the_text_repealing_it():
    question = "《煤矿安全监察条例》还适用吗？"
    plan = QueryPlan(question, question, unknown_documents=["煤矿安全监察条例"])
    answer = _answer(question, plan, [REPEALING])
    assert not answer.abstained and "同时废止" in answer.text, answer.text
    assert answer.citations == [{"doc": "煤矿安全生产条例", "article": "第七十六条"}]
    # asked what it requires, a text that only names it says nothing of it
    asked = "《煤矿安全监察条例》对监察人员有什么要求？"
    declined = _answer(asked, QueryPlan(asked, asked, unknown_documents=["煤矿安全监察条例"]), [REPEALING])
    assert declined.abstained and "知识库中没有《煤矿安全监察条例》" in declined.text, declined.text


def test_a_title_the_library_lacks_names_no_document_sharing_its_words():
    records = {r.doc_id: r for r in [record("煤矿安全生产条例", "行政法规"), record("安全生产法", "法律")]}
    analyzer = QueryAnalyzer(KnowledgePack(Settings().knowledge_dir), Tokenizer([]), records)
    plan = analyzer.analyse("《煤矿安全监察条例》还适用吗？")
    assert plan.documents == [] and plan.unknown_documents == ["煤矿安全监察条例"]
    # the words of a title it holds, loosely written, still name it
    assert analyzer.analyse("煤矿安全生产的那个条例里对矿长有什么要求？").documents == ["煤矿安全生产条例"]


@pytest.mark.parametrize(
    ("text", "states"),
    [
        ("夜间22时至次日6时不得进行产生环境噪声污染的施工作业。", True),
        ("晚上10点以后禁止燃放。", True),
        ("单位负责人接到报告后，应当于1小时内报告。", False),  # a duration, not an hour of the day
        ("安全设施必须与主体工程同时设计、同时施工。", False),
    ],
)
def test_an_hour_of_the_day_asked_is_answered_by_a_clock_time(text, states):
    ask = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities).asked("建筑工地夜间施工最晚到几点？")
    assert ask is not None and ask.stated_in(text) is states


@pytest.mark.parametrize(
    ("question", "text", "states"),
    [
        # asked per day: a day's limit answers, a total or a yearly figure does not
        ("煤矿井下工人每天下井最多能干几个小时？", "劳动者每日工作时间不超过八小时。", True),
        (
            "煤矿井下工人每天下井最多能干几个小时？",
            "新进矿山的井下作业职工，接受安全教育、培训的时间不得少于72小时。",
            False,
        ),
        (
            "煤矿井下工人每天下井最多能干几个小时？",
            "所有生产作业人员，每年接受在职安全教育、培训的时间不少于20小时。",
            False,
        ),
        ("每年应急演练至少搞几次？", "每年至少开展两次应急演练。", True),
        ("每年应急演练至少搞几次？", "每半年至少组织一次应急演练。", True),
        ("每个班组奖励多少钱？", "对评为示范班组的奖励5000元。", True),  # 每个班组 is no period
        ("应急演练至少搞几次？", "至少开展两次应急演练。", True),  # asked per no period
    ],
)
def test_a_figure_asked_per_period_is_stated_per_that_period(question, text, states):
    ask = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities).asked(question)
    assert ask is not None and ask.stated_in(text) is states


@pytest.fixture(scope="module")
def follow_up():
    from ingest.vocabulary import Vocabulary

    pack = KnowledgePack(Settings().knowledge_dir)
    return pack.follow_up, Tokenizer(Vocabulary(pack.directory).segmenter_terms)


@pytest.mark.parametrize(
    ("question", "leans"),
    [
        ("过期了怎么办？", True),  # its words name no thing: the subject is the previous question's
        ("没履行的话罚多少？", True),
        ("能抽烟吗？", True),
        ("需要备案吗？", True),  # a procedure asked of the subject already named
        ("员工受伤了怎么办？", False),  # it names 员工
        ("公司倒闭了，工伤赔偿找谁？", False),
        ("叉车司机要持证吗？", False),
    ],
)
def test_a_question_naming_no_thing_of_its_own_leans_on_the_previous_one(follow_up, question, leans):
    resolved = followup.resolve(question, ["安全生产许可证有效期多长？"], *follow_up)
    assert (resolved != question) is leans, resolved
