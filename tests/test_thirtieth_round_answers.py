"""Round 30 (issue 15): figures asked in words the answer did not read as asking one.

- A count in any measure word: 分几等, 配几具灭火器, 几部 ask a number of things as 几台 does; the related provision
  that states none was quoted as if it answered.
- A share asked as 百分之几 (like 百分之多少), a rate by its noun (保费费率大概多少), a limit asked with a verb between
  (氧含量最低是多少; 保额, 保费, 限额 are sums).
- A share asked of no penalty (安全文明施工费按工程造价的百分之几计取) is not the share of a fine (处挪用费用20%以上50%
  以下的罚款), as a sum asked of no penalty is not a fine's amount.
- A matter a national standard sets (安全色, 安全电压, 特级动火; knowledge/outside_sources.yaml) was answered from an
  unrelated provision (安全色中的黄色表示什么 by a judicial interpretation's 拒不执行). Unless a text found names it
  (the standard imported), the answer says which standard sets it and that the library lacks it. A measure asked as
  在什么范围 (氧含量应当保持在什么范围) is a figure asked.
- 多久 asks how long or how often: 每年向职工代表大会报告 answers 主要负责人应当多久向职工代表大会报告 (it was declined
  as stating no period), in words, after a number (1小时内).
- An agreement waiving the employer's liability in everyday words (签了“受伤后果自负，与公司无关”的协议, 生死合同) is
  the law's 免除或者减轻其…责任 (安全生产法第五十二条); it was declined, no word of it known.
- A figure of the whole country (全国一共发生多少起事故) is not what a district's report counts (全区共发生安全事故
  311起): a plan or report states it only where it writes 全国.
- Meaning, not shared words: a provision sharing a question's words (条件, 三年以上) while far from it in meaning (its
  vector's cosine to the question's below the floor calibrated for the embedder) was quoted as the answer to
  校车司机要满足什么条件，驾龄至少几年. The retriever now reports each chunk's similarity; the answer takes the
  first-ranked provision close in meaning that holds enough of the question's words, and declines when none is."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _analyzer, _composed
from test_twentyninth_round_answers import _report

from assistant.answer import OfflineComposer
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from ingest.settings import Settings
from ingest.store import StoredChunk
from ingest.tokenizer import Tokenizer


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.mark.parametrize(
    ("question", "kind", "stated", "not_stated"),
    [
        ("尾矿库按库容和坝高分几等？", "count", "尾矿库分为五等", "应当采取预防措施"),
        ("一百平的小饭馆要配几具灭火器？", "count", "配置2具灭火器", "配备消防设施和灭火器材"),
        ("施工费按工程造价的百分之几计取？", "ratio", "按工程造价的2%计取", "应当确定所需费用"),
        ("保费费率大概多少？", "ratio", "费率为0.5%", "应当投保安全生产责任保险"),
        ("安责险每人的保额最低是多少？", "money", "每人不低于30万元", "应当投保安全生产责任保险"),
        ("有限空间氧含量最低是多少？", "limit", "氧含量不得低于19.5%", "应当检测氧含量"),
    ],
)
def test_a_figure_asked_in_other_words_is_a_figure_asked(asks, question, kind, stated, not_stated):
    ask = asks.asked(question)
    assert ask is not None and ask.kind == kind
    assert ask.stated_in(stated) and not ask.stated_in(not_stated)


@pytest.mark.parametrize(
    "question", ["一把手的职责有哪些？", "这几部法律有什么区别？", "配备比例有什么规定？", "安全距离有什么要求？"]
)
def test_words_that_count_nothing_and_what_a_rule_requires_ask_no_figure(asks, question):
    assert asks.asked(question) is None


def test_a_count_no_provision_states_is_declined_with_the_related_provisions():
    fire = _article(
        "建设工程安全生产管理条例", "行政法规", 31,
        "第三十一条 施工单位应当在施工现场建立消防安全责任制度，确定消防安全责任人，设置消防通道、消防水源，配备消防设施和"
        "灭火器材，并在施工现场入口处设置明显标志。",
    )  # fmt: skip
    answer = _composed("一百平的小饭馆要配几具灭火器？", [record("建设工程安全生产管理条例", "行政法规")], [fire])
    assert answer.abstained and "可能相关" in answer.text


def test_a_share_asked_of_no_penalty_is_not_the_share_of_a_fine(asks):
    misuse = "施工单位挪用列入建设工程概算的安全生产作业环境及安全施工措施所需费用的，责令限期改正，处挪用费用20%以上50%以下的罚款"
    ask = asks.asked("安全文明施工费按工程造价的百分之几计取？")
    assert ask is not None and not ask.stated_in(misuse)
    assert ask.stated_in("安全施工措施费按照工程造价的2%计取")
    fined = asks.asked("挪用安全费用罚款是挪用金额的百分之几？")
    assert fined is not None and fined.stated_in(misuse)
    penalty = _article(
        "建设工程安全生产管理条例",
        "行政法规",
        63,
        f"第六十三条 违反本条例的规定，{misuse}；造成损失的，依法承担赔偿责任。",
    )
    answer = _composed(
        "安全文明施工费按工程造价的百分之几计取？", [record("建设工程安全生产管理条例", "行政法规")], [penalty]
    )
    assert answer.abstained


def _close(chunk: StoredChunk, similarity: float) -> StoredChunk:
    return StoredChunk(chunk.id, chunk.text, {**chunk.metadata, "similarity": similarity})


def _answered(question: str, records: list, chunks: list, floor: float | None = 0.85):
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for c in chunks for t in tokenizer.query_tokens(c.text)} | {
        t: 2.0 for t in tokenizer.query_tokens(question)
    }
    figures = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)
    composer = OfflineComposer(tokenizer, idf, figures, min_similarity=floor)
    return composer.compose(question, _analyzer(*records).analyse(question), chunks)


_DIRECTOR = _article(
    "深圳经济特区安全生产监督管理条例", "地方性法规", 36,
    "第三十六条 安全总监应当熟悉安全生产业务，并满足下列条件之一：\n（一）取得注册安全工程师资格；\n"
    "（二）具备本科以上学历，并具有三年以上安全生产管理工作经历。",
)  # fmt: skip
_QUESTION = "校车司机要满足什么条件，驾龄至少几年？"


def test_a_provision_far_from_the_question_in_meaning_is_no_answer_however_many_words_it_shares():
    records = [record("深圳经济特区安全生产监督管理条例", "地方性法规", "深圳市")]
    far = _answered(_QUESTION, records, [_close(_DIRECTOR, 0.82)])
    assert far.abstained and "意思相差较远" in far.text and "可能相关" in far.text
    assert not _answered(_QUESTION, records, [_close(_DIRECTOR, 0.9)]).abstained


@pytest.mark.parametrize("floor", [None, 0.85])
def test_without_a_vector_or_a_calibrated_floor_nothing_is_declined_for_meaning(floor):
    records = [record("深圳经济特区安全生产监督管理条例", "地方性法规", "深圳市")]
    chunks = [_DIRECTOR] if floor else [_close(_DIRECTOR, 0.5)]  # no similarity recorded; or no floor
    assert not _answered(_QUESTION, records, chunks, floor).abstained


def test_the_first_ranked_provision_close_in_meaning_answers_before_a_far_one_sharing_more_words():
    courier = _article(
        "危险化学品安全管理条例", "行政法规", 64,
        "第六十四条 托运人不得在托运的普通货物中夹带危险化学品。邮政企业、快递企业不得收寄危险化学品。",
    )  # fmt: skip
    equipment = _article(
        "生产安全事故应急条例", "行政法规", 13,
        "第十三条 易燃易爆物品、危险化学品等危险物品的生产、经营、储存、运输单位，应当配备必要的灭火、排水、通风以及"
        "危险物品稀释、掩埋、收集等应急救援器材、设备和物资。",
    )  # fmt: skip
    records = [record("危险化学品安全管理条例", "行政法规"), record("生产安全事故应急条例", "行政法规")]
    question = "客户要寄几桶油漆稀释剂（危险化学品），我们快递网点能收吗？"
    chunks = [_close(equipment, 0.83), _close(courier, 0.89)]
    answer = _answered(question, records, chunks)
    assert not answer.abstained and [s.chunk.doc_id for s in answer.sources][:1] == ["危险化学品安全管理条例"]
    assert "不得收寄危险化学品" in answer.text.split("\n")[0]


def test_an_article_asked_for_by_number_is_quoted_however_far_its_words():
    law = _article(
        "安全生产法", "法律", 24, "第二十四条 矿山、金属冶炼、建筑施工、运输单位，应当设置安全生产管理机构。"
    )
    answer = _answered("安全生产法第二十四条", [record("安全生产法", "法律")], [_close(law, 0.7)])
    assert not answer.abstained and "第二十四条" in answer.text


@pytest.mark.parametrize(
    ("said", "answers"),
    [("全区共发生生产安全事故311起，死亡42人。", False), ("全国共发生生产安全事故311起，死亡42人。", True)],
)
def test_a_figure_of_the_whole_country_is_not_a_districts_count(said, answers):
    report = _report("2023年安全生产工作总结", "2024-01-10", said)
    answer = _composed(
        "2023年全国一共发生多少起生产安全事故？", [record("2023年安全生产工作总结", "工作总结")], [report]
    )
    assert answer.abstained != answers
    assert answers or "可能相关" in answer.text


def test_a_matter_a_standard_sets_is_the_standards_until_a_text_found_names_it():
    interpretation = _article(
        "最高人民法院、最高人民检察院关于办理危害生产安全刑事案件适用法律若干问题的解释", "司法解释", 3,
        "第三条 认定是否属于“拒不执行”，应当综合考虑行政决定、命令是否具有法律、行政法规等依据等因素进行判断。",
    )  # fmt: skip
    records = [record("最高人民法院、最高人民检察院关于办理危害生产安全刑事案件适用法律若干问题的解释", "司法解释")]
    question = "判断：安全色中的黄色表示警告、注意。对吗？"
    answer = _composed(question, records, [interpretation])
    assert answer.abstained and "GB 2893《安全色》" in answer.text and "可能相关" in answer.text
    imported = _article("安全色标准", "国家标准", 4, "4.3 黄色 传递注意、警告的信息。安全色的黄色表示注意、警告。")
    answer = _composed(question, [*records, record("安全色标准", "国家标准")], [imported, interpretation])
    assert not answer.abstained and "黄色表示注意、警告" in answer.text


@pytest.mark.parametrize("question", ["动火作业需要专人监护吗？", "厂房的消防设施和灭火器材要怎么配备？"])
def test_a_subject_the_law_regulates_is_no_standards_matter(question):
    plan = _analyzer(record("安全生产法", "法律")).analyse(question)
    assert plan.outside == []


def test_a_measure_asked_within_what_range_is_a_figure_asked(asks):
    ask = asks.asked("有限空间作业时，作业环境的氧含量应当保持在什么范围内？")
    assert ask is not None and ask.stated_in("氧含量应当在19.5%至23.5%之间") and not ask.stated_in("应当先通风、再检测")


def test_how_long_is_answered_by_how_often_in_words_after_a_number(asks):
    ask = asks.asked("主要负责人应当多久向职工代表大会报告安全生产工作情况？")
    assert ask is not None and ask.kind == "time"
    assert ask.degree("主要负责人应当每年向职工代表大会或者职工大会报告安全生产工作情况") == 0.5
    assert ask.degree("单位负责人接到报告后，应当于1小时内向有关部门报告") == 1.0
    assert ask.degree("主要负责人应当向职工代表大会报告安全生产工作情况") == 0.0


@pytest.mark.parametrize(
    "question",
    [
        "刚入职，HR让我签一个“工作中受伤后果自负，与公司无关”的协议，这种协议有用吗？",
        "老板让我们签生死合同，出了事算谁的？",
    ],
)
def test_an_agreement_waiving_liability_is_the_laws_waiver(analyzer, question):
    assert "免除或者减轻" in analyzer.analyse(question).legal_terms
