"""How an answer reads its sources: of a plan's passages (cut by length, not by meaning) the one answering on the
words that do not merely name the document is quoted; a list is quoted by its items, across what each item goes on
to say, a nested list and a cut between two passages; the words naming a document the question asks about count as
held by its provisions."""

from __future__ import annotations

from assistant.answer import OfflineComposer
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.query import QueryPlan
from ingest.settings import Settings
from ingest.store import StoredChunk
from ingest.tokenizer import Tokenizer

TITLE = "青山区安全生产工作第四季度工作计划"


def _passage(ordinal: int, text: str, heading: str = "") -> StoredChunk:
    return StoredChunk(
        f"plan-{ordinal:05d}",
        text,
        {
            "doc_id": "plan-qs",
            "title": TITLE,
            "unit": "section",
            "kind": "工作计划",
            "region": "青山区",
            "heading_path": heading,
        },
    )


def _compose(question: str, chunks: list[StoredChunk]):
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for t in tokenizer.query_tokens(question)}
    composer = OfflineComposer(tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities))
    return composer.compose(question, QueryPlan(question, question), chunks)


OPENING = _passage(1, f"{TITLE}\n青山区第四季度安全生产工作继续坚持安全第一的方针，全面提升安全生产能力建设水平。")
FOCUS = _passage(
    2,
    "加强对危险化学品、粉尘涉爆、有限空间等重点行业进行隐患排查。\n督导重点为企业主要负责人履职尽责。",
    "二、强化督导检查",
)


def test_the_passage_answering_what_is_asked_is_quoted_not_the_one_repeating_the_documents_name():
    # the opening passage holds 青山区 and 第四季度, the plan's title words; the other says which sectors
    answer = _compose("青山区第四季度隐患排查主要盯哪些重点行业？", [OPENING, FOCUS])
    assert not answer.abstained
    assert "粉尘涉爆" in answer.text
    assert answer.citations == [{"doc": "plan-qs", "article": None}]


def test_a_passage_of_another_document_does_not_take_the_place_of_the_ranked_plan():
    other = StoredChunk(
        "other-1",
        "加强对危险化学品、粉尘涉爆、有限空间等重点行业进行隐患排查，主要盯重点行业。",
        {"doc_id": "plan-other", "title": "红河镇工作要点", "unit": "section", "kind": "工作计划", "region": "红河镇"},
    )
    answer = _compose("青山区第四季度隐患排查主要盯哪些重点行业？", [FOCUS, other])
    assert answer.citations[0] == {"doc": "plan-qs", "article": None}


def test_a_plans_list_of_points_is_quoted_by_its_points_past_what_each_point_says():
    passage = _passage(
        3,
        "下一年，工区将继续坚持安全第一的方针。\n为此，我们将突出“三抓”做好安全生产工作。\n"
        "一是抓基层基础。按照重基层的思路，建立完善工作制度。健全监管网络。\n"
        "二是抓隐患治理。坚持隐患排查治理活动常态化。\n"
        "三是抓宣传教育。加强警示教育。\n"
        "截至目前，工区共有施工点22处。",
    )
    answer = _compose("工区工作要突出“三抓”，抓哪三个？", [passage])
    # the list under the clause introducing it, point by point, without what each point goes on to say
    assert "突出“三抓”做好安全生产工作。\n  一是抓基层基础。\n  二是抓隐患治理。\n  三是抓宣传教育。[1]" in answer.text


def _article(label: str, text: str, kind: str = "行政法规") -> StoredChunk:
    meta = {"doc_id": "某条例", "title": "某条例", "unit": "article", "article": label, "kind": kind}
    return StoredChunk(f"law-{label}", text, meta)


def test_a_law_list_ends_where_its_numbering_ends():
    article = _article(
        "第二十一条",
        "第二十一条 生产经营单位的主要负责人对本单位安全生产工作负有下列职责：\n（一）建立健全全员安全生产责任制；\n"
        "（二）组织制定安全生产规章制度；\n（三）组织实施安全生产教育和培训计划。\n"
        "违反前款规定的，依照下列规定处罚：\n（一）责令限期改正；\n（二）处二万元以下的罚款。",
    )
    answer = _compose("主要负责人负有哪些安全生产职责？", [article])
    assert "（三）组织实施安全生产教育和培训计划。" in answer.text
    assert "二万元" not in answer.text


def test_a_nested_list_is_quoted_inside_the_item_introducing_it():
    article = _article(
        "第八条",
        "第八条 负有报告职责的人员不报事故情况，贻误事故抢救，具有下列情形之一的，应当认定为情节严重：\n"
        "（一）导致事故后果扩大的；\n（二）实施下列行为之一，致使不能及时开展事故抢救的：\n"
        "1.决定不报事故情况的；\n2.在事故抢救期间擅离职守的；\n3.转移、藏匿受伤人员的；\n（三）其他情节严重的情形。",
        kind="司法解释",
    )
    answer = _compose("事故后把受伤的人转移藏匿起来，算不算情节严重？", [article])
    assert "3.转移、藏匿受伤人员的；" in answer.text
    assert answer.text.index("应当认定为情节严重：") < answer.text.index("3.转移、藏匿受伤人员的；")


def test_a_list_the_index_cut_in_two_is_read_across_the_cut():
    from assistant.answer import continues_list

    opening = "（三）进一步健全安全生产三项基本制度\n1、抓好汇报制度。每月召开一次汇报会。"
    rest = "2、落实档案管理制度。设立档案室。\n3、建立演练制度。每年演练一次。"
    assert continues_list(opening, rest)
    assert continues_list("为此，我们将突出“两抓”：", "一是抓基层。\n二是抓隐患。")
    assert not continues_list(opening, "（一）加强宣传教育。")  # a list of its own, not the next item
    assert not continues_list(opening, "3、建立演练制度。")  # numbering skips: not this list
    assert not continues_list("每月召开一次汇报会。", "2、落实档案管理制度。")  # no list before the cut


class _Store:
    def __init__(self, chunks: list[StoredChunk]):
        self.by_id = {c.id: c for c in chunks}

    def get_chunks(self, ids: list[str]) -> list[StoredChunk]:
        return [self.by_id[i] for i in ids if i in self.by_id]


def test_an_answer_quotes_the_whole_list_of_a_plan_cut_across_passages():
    from types import SimpleNamespace

    from assistant.ask import Assistant
    from ingest.store import chunk_id

    def passage(ordinal: int, text: str) -> StoredChunk:
        meta = {
            "doc_id": "plan-qs",
            "doc_hash": "abc123",
            "title": TITLE,
            "unit": "section",
            "kind": "工作计划",
            "heading_path": "三、抓好基础工作",
            "ordinal": ordinal,
        }
        return StoredChunk(chunk_id("plan-qs", "abc123", ordinal), text, meta)

    chunks = [
        passage(0, "今年要保证安全投入。\n（三）进一步健全安全生产三项基本制度\n1、抓好汇报制度。每月召开一次汇报会。"),
        passage(1, "2、落实档案管理制度。设立档案室。"),
        passage(2, "3、建立演练制度。每年演练一次。\n截至目前，全区有企业300家。"),
    ]
    assistant = Assistant.__new__(Assistant)
    assistant.kb = SimpleNamespace(store=_Store(chunks))
    [whole] = assistant.whole_articles([chunks[1]])
    assert whole.text.startswith("今年要保证安全投入。") and "3、建立演练制度。" in whole.text
    answer = _compose("进一步健全的安全生产“三项基本制度”分别是什么？", [whole])
    assert "1、抓好汇报制度。\n  2、落实档案管理制度。\n  3、建立演练制度。[1]" in answer.text


def _named_rule(article: str, text: str) -> StoredChunk:
    return StoredChunk(
        f"rule-{article}",
        text,
        {
            "doc_id": "rule",
            "title": "国务院关于预防矿山生产安全事故的特别规定",
            "unit": "article",
            "article": article,
            "kind": "行政法规",
            "region": "全国",
        },
    )


def test_the_words_naming_a_document_count_as_held_by_its_provisions_when_asking_for_a_figure():
    reward = _named_rule("第二十三条", "第二十三条 受理的举报经调查属实的，应当给予最先举报人1000元至1万元的奖励。")
    fine = _named_rule("第二十一条", "第二十一条 矿山企业负责人未带班下井的，对该矿山企业处3万元以上15万元以下的罚款。")
    question = "按国务院关于预防矿山生产安全事故的那个特别规定，举报非法开采，查实了举报人能拿多少奖励？"
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for t in tokenizer.query_tokens(question)}
    composer = OfflineComposer(tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities))
    named = QueryPlan(question, question, documents=["rule"])
    answer = composer.compose(question, named, [reward, fine])
    assert not answer.abstained
    assert answer.citations[0] == {"doc": "rule", "article": "第二十三条"}
    assert "1000元至1万元" in answer.text


def test_what_an_item_goes_on_to_say_is_quoted_with_it_when_it_states_the_figure_asked():
    passage = _passage(
        4,
        "（一）建立控制指标。今年我区的安全生产控制目标为:\n"
        "1.各类事故死亡人数比上年下降3%。\n2.建筑施工事故死亡人数明显下降。\n"
        "3.工矿商贸企业事故死亡人数控制目标。全区不超过5人。这些指标分解落实到各镇。",
    )
    answer = _compose("各类事故死亡人数比上年下降多少？工矿商贸企业事故死亡人数控制目标是几人？", [passage])
    assert "下降3%" in answer.text
    # the figure follows its item on the item's line, as the plan wrote it; what else the line says is left out
    assert "3.工矿商贸企业事故死亡人数控制目标。\n  全区不超过5人。" in answer.text
    assert "分解落实到各镇" not in answer.text


def test_a_plans_phases_are_a_list_and_a_phase_the_index_put_in_the_next_passage_is_read_with_it():
    from assistant.answer import continues_list

    opening = (
        "创建活动分为三个阶段:\n第一阶段:宣传发动(4月30日前)\n各单位要下发专题文件，进行深入宣传。\n"
        "第二阶段:组织实施(9月30日前)"
    )
    rest = "各单位要把创建工作作为重点工作来抓。\n第三阶段:评审表彰(12月31日前)\n公司抽取班组进行检查评比。"
    # the next passage opens with what the second phase goes on to say, then the third phase
    assert continues_list(opening, rest)
    assert not continues_list(opening, "各单位要把创建工作作为重点工作来抓。\n第一阶段:另一项活动的宣传。")
    answer = _compose("创建活动分几个阶段？每个阶段的完成时限是什么？", [_passage(5, f"{opening}\n{rest}")])
    assert (
        "分为三个阶段:\n  第一阶段:宣传发动(4月30日前)\n  第二阶段:组织实施(9月30日前)\n  第三阶段:评审表彰(12月31日前)"
        in (answer.text)
    )
