"""Round 26 (issue 15), found with a fresh set of 100 questions written by another author against the corpus (not an
evaluation set, not kept in the project): a 几 in a question asking yes or no counts loosely (挪动几台设备，这样算不算
破坏现场；丢了几公斤黑火药…会被罚吗 were declined as figures nowhere stated); a sum asked of no penalty (安责险的最低保额,
风险抵押金存多少) is not answered by a fine; 几个 counts people too (几个专职安全员 is answered by 三名); an official title is
named by its matter alone (《关于办理危害生产安全刑事案件适用法律若干问题的解释》); and an article written right after
another law's name (…规定，刑法第一百三十四条之一) is that law's, not the named document's; and a general collection
(the scale corpus: nearly all of its texts of other fields) is searched in the field (资源税法 had answered 硫化氢的
职业接触限值)."""

from __future__ import annotations

import pytest
from conftest import isolated_settings
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _analyzer, _composed
from typer.testing import CliRunner

from assistant.ask import Assistant
from assistant.cli import app
from assistant.pack import KnowledgePack
from assistant.retrieval.config import RankingConfig
from assistant.retrieval.features import general_collection
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.retriever import HybridRetriever
from ingest.articles import ArticleRef
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings


def _asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("事故现场为了救人，必须挪动几台设备，这样算不算破坏现场？", None),  # a few machines, asking yes or no
        ("烟花厂丢了几公斤黑火药，没及时报告，老板个人会被罚吗？", None),
        ("仓库里堆了几吨货，是否要报批？", None),
        ("事故现场最多能挪动几台设备？", "count"),  # the number is what is asked
        ("有没有规定一个班组最多几人？", "people"),  # 有没有 asks whether a number is set, and the number
        ("黑火药存放超过几公斤要报告？", "weight"),
    ],
)
def test_a_ji_in_a_question_asking_yes_or_no_asks_no_number(question, kind):
    ask = _asks().asked(question)
    assert (ask.kind if ask else None) == kind


FINE = "高危行业的生产经营单位未按照国家规定投保安全生产责任保险的，责令限期改正，处五万元以上十万元以下的罚款。"


@pytest.mark.parametrize(
    ("question", "text", "states"),
    [
        ("安全生产责任保险每个从业人员的最低保额是多少万元？", FINE, False),  # a fine is not the sum insured
        ("安全生产风险抵押金每家企业要存多少钱？", FINE, False),
        ("没投保安全生产责任保险要罚多少钱？", FINE, True),
        ("不买安责险会被怎么处罚，罚款多少万元？", FINE, True),
        ("安全生产责任保险每人保额是多少万元？", "安全生产责任保险的保险金额每人不低于30万元。", True),
        # a sum stated beside a fine in one clause is still stated
        ("风险抵押金要存多少钱？", "风险抵押金存储数额为50万元；逾期未存储的，处一万元以上三万元以下的罚款。", True),
    ],
)
def test_a_sum_asked_of_no_penalty_is_not_answered_by_a_fine(question, text, states):
    ask = _asks().asked(question)
    assert ask is not None and ask.kind == "money" and ask.stated_in(text) is states


def test_a_sum_asked_of_no_penalty_with_only_a_fine_in_the_law_is_declined():
    law = _article("安全生产法", "法律", 109, f"第一百零九条 {FINE}")
    answer = _composed("安全生产责任保险每个从业人员的最低保额是多少万元？", [record("安全生产法", "法律")], [law])
    assert answer.abstained and "最低保额" in answer.text


@pytest.mark.parametrize(
    ("text", "states"),
    [
        ("从业人员三百人以上的，至少配备三名专职安全生产管理人员。", True),  # 几个 counts people too
        # round 39: the staff asked are named (专职安全员): a count of units is no count of them
        ("两个以上生产经营单位在同一作业区域内作业的，应当签订安全生产管理协议。", False),
        ("应当配备专职安全生产管理人员。", False),
    ],
)
def test_a_count_of_people_asked_by_ge_is_answered_by_so_many_people_too(text, states):
    ask = _asks().asked("厂里四百多人，最少要配几个专职安全员？")
    assert ask is not None and ask.stated_in(text) is states


def test_a_count_of_other_things_asked_by_ge_is_not_answered_by_people():
    ask = _asks().asked("夜班工人连续工作不得超过几个晚上？")  # nights, not the 工人 before 几个
    assert ask is not None and not ask.stated_in("从业人员超过一百人的，应当设置安全生产管理机构。")


INTERPRETATION = record("最高人民法院、最高人民检察院关于办理危害生产安全刑事案件适用法律若干问题的解释", "司法解释")
SECOND = record("最高人民法院、最高人民检察院关于办理危害生产安全刑事案件适用法律若干问题的解释（二）", "司法解释")


def test_an_official_title_is_named_by_its_matter_without_its_issuers():
    analyzer = _analyzer(INTERPRETATION, SECOND)
    plan = analyzer.analyse(
        "依据《关于办理危害生产安全刑事案件适用法律若干问题的解释》，死亡几人以上属于情节特别恶劣？"
    )
    assert plan.documents == [INTERPRETATION.doc_id]
    plan = analyzer.analyse("《关于办理危害生产安全刑事案件适用法律若干问题的解释（二）》第四条怎么规定？")
    assert plan.documents == [SECOND.doc_id] and plan.articles == [(SECOND.doc_id, ArticleRef(4, 0))]


def test_a_short_matter_names_no_document():
    notice = record("应急管理部关于加强安全生产工作的通知", "规范性文件")
    assert _analyzer(notice).analyse("关于安全生产工作的通知有哪些？").documents == []


def test_an_article_written_after_another_laws_name_is_not_the_named_documents():
    law = record("安全生产法", "法律")
    analyzer = _analyzer(SECOND, law)
    plan = analyzer.analyse("两高解释（二）规定，刑法第一百三十四条之一第三项所称危险物品依照什么确定？")
    assert plan.documents == [SECOND.doc_id] and plan.articles == []
    # the named document's own articles, by its name or by 本法 / 该条例, are still its
    assert analyzer.analyse("安全生产法第二十四条").articles == [(law.doc_id, ArticleRef(24, 0))]
    assert analyzer.analyse("《安全生产法》里，本法第二十四条怎么说？").articles == [(law.doc_id, ArticleRef(24, 0))]


NOISE = "第二十三条 古城保护范围内的建设施工，昼间噪声不得超过70分贝，夜间噪声不得超过55分贝。"


def _collection(*own):
    """A general collection: the documents given, and more texts of other fields than of the field."""
    others = (
        "资源税法 物业管理条例 机动车登记规定 旅游条例 气象条例 港口条例 食品安全法 数据安全法 法官法 公证法 种子法"
    )
    return [*own, *(record(title, "地方性法规") for title in others.split())]


def _searched(records) -> set[str]:
    retriever = HybridRetriever(kb=None, config=RankingConfig())  # type: ignore[arg-type]
    return set(retriever._allowed_in({r.doc_id: r for r in records}, 0)[0])


def test_a_general_collection_is_searched_in_the_field():
    """At full scale 建筑工地噪声不能超过多少分贝 was answered by 商丘古城保护条例, 硫化氢的接触限值 by 资源税法: a
    national collection is searched in the field (安全生产, fire, mines…, and what an 应急管理局 answers for: 森林防火),
    the user's plans too; 食品安全 and 数据安全 are another field's."""
    fire, plan = record("森林防火条例", "行政法规"), record("区安全生产工作方案", "计划方案")
    records = _collection(record("安全生产法", "法律"), fire, plan)
    assert general_collection(records, RankingConfig().general_collection)
    assert _searched(records) == {"安全生产法", "森林防火条例", "区安全生产工作方案"}


def test_a_library_of_the_field_or_of_the_users_own_texts_is_searched_whole():
    own = [record("商丘古城保护条例", "地方性法规"), record("安全生产法", "法律"), record("消防法", "法律")]
    assert _searched(own) == {r.doc_id for r in own}
    alone = [record("青山市动火作业规定", "地方性法规"), record("防暑降温措施管理办法", "部门规章")]
    assert _searched(alone) == {r.doc_id for r in alone}  # no field word in its titles: the user's choice


def test_a_general_collection_answers_from_the_field_and_says_so(tmp_path, monkeypatch):
    """End to end: a small national collection of other fields' law beside a safety regulation. 建筑工地噪声的限值 is
    not answered from another field's 古城保护条例; asked by its name, it is; anquan stats says what is searched."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "商丘古城保护条例.md").write_text(f"# 商丘古城保护条例\n\n{NOISE}", encoding="utf-8")
    (folder / "青山市动火作业安全规定.md").write_text(
        "# 青山市动火作业安全规定\n\n第二条 动火作业前应当办理动火作业许可证。", encoding="utf-8"
    )
    for n, title in enumerate(("资源税法", "物业管理条例", "旅游条例", "港口条例", "种子法", "公证法")):
        (folder / f"{title}.md").write_text(f"# {title}\n\n第{n + 1}条 本条例自公布之日起施行。", encoding="utf-8")
    settings = isolated_settings(tmp_path / "data")
    ingest([folder], settings)
    assistant = Assistant(KnowledgeBase(settings))
    assert assistant.ask("建筑工地夜间施工噪声不能超过多少分贝？").answer.abstained
    named = assistant.ask("商丘古城保护条例对夜间施工噪声怎么规定？").answer
    assert not named.abstained and "55分贝" in named.text
    assert "动火作业许可证" in assistant.ask("动火作业前要办什么证？").answer.text
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(settings.data_dir))
    out = CliRunner().invoke(app, ["stats"]).output
    assert "综合法规库：7 个文件不属于安全生产领域，只在问题点名时检索" in out


SIGNED = _article(
    "特大事故规定", "行政法规", 7,
    "第七条 县级人民政府必须制定本地区特大安全事故应急处理预案。本地区特大安全事故应急处理预案经政府主要领导人"
    "签署后，报上一级人民政府备案。",
)  # fmt: skip
FILED = _article("应急条例", "行政法规", 7, "第七条 有关部门应当将其制定的应急救援预案报送本级人民政府备案。")
RECORDS = [record("特大事故规定", "行政法规"), record("应急条例", "行政法规")]


def test_a_further_part_a_quoted_provision_answers_is_answered_by_it():
    """…预案要谁签字？签完报哪里备案？ had cited a second provision for the second part, sharing its words 备案."""
    answer = _composed("县里的特大安全事故应急处理预案要谁签字？签完报哪里备案？", RECORDS, [SIGNED, FILED])
    assert [(s.chunk.doc_id, s.chunk.article_num) for s in answer.sources] == [("特大事故规定", 7)]


def test_a_further_part_naming_a_document_of_its_own_is_answered_from_it():
    question = "县里的特大安全事故应急处理预案要谁签字？应急条例里，部门的预案报哪里备案？"
    answer = _composed(question, RECORDS, [SIGNED, FILED])
    assert ("应急条例", 7) in [(s.chunk.doc_id, s.chunk.article_num) for s in answer.sources]


def test_an_export_never_overwrites_a_document_it_was_imported_from(tmp_path, monkeypatch):
    """anquan draft --out 青山市…条例.md (or a link to it) overwrote the source law; it is refused, the law intact."""
    folder = tmp_path / "docs"
    folder.mkdir()
    law = folder / "青山市动火作业安全规定.md"
    law.write_text("# 青山市动火作业安全规定\n\n第二条 动火作业前应当办理动火作业许可证。", encoding="utf-8")
    settings = isolated_settings(tmp_path / "data")
    ingest([folder], settings)
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ANQUAN_EMBEDDER", "builtin")
    (tmp_path / "链接.md").symlink_to(law)
    before = law.read_bytes()
    for out in (law, tmp_path / "链接.md"):
        result = CliRunner().invoke(app, ["draft", "--period", "2025Q1", "--out", str(out)])
        assert result.exit_code == 2 and "导出不会覆盖它" in result.output, result.output
    assert law.read_bytes() == before
    fresh = tmp_path / "计划.md"
    assert CliRunner().invoke(app, ["draft", "--period", "2025Q1", "--out", str(fresh)]).exit_code == 0
    assert fresh.exists()
