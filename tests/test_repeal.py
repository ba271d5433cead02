"""Repealed texts: a document that another ingested document repeals (……同时废止) is marked 已废止 from the
repeal's date, left out of default retrieval like a superseded version, and flagged wherever it is shown;
removing the repealing document clears the mark. Fixture texts are written here, not taken from the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS, needs_corpus
from typer.testing import CliRunner

from assistant.citations import REPEALED_MARK, citation, short_citation
from assistant.cli import app
from assistant.pack import pack_of
from assistant.retrieval import HybridRetriever
from assistant.retrieval.query import QueryAnalyzer
from ingest.articles import ArticleRef
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import Ingestor, ingest
from ingest.repeal import RepealClaim, find_repeals, name_key, repeal_claims
from ingest.store import DocumentRecord

runner = CliRunner()

OLD = "青山市矿山安全管理规定(2015-03-01)"
NEW = "青山市矿山安全条例(2024-01-10)"
OLD_TEXT = """# 青山市矿山安全管理规定

2015年3月1日青山市人民代表大会常务委员会通过

<!-- INFO END -->

第一条 为了加强本市矿山安全管理，根据有关法律、法规，制定本规定。

第二条 矿山企业应当每月组织一次井下透水事故应急演练，并保存演练记录不少于三年。

第三条 违反本规定第二条的，由应急管理部门责令限期改正，可以处一万元以下的罚款。
"""
NEW_TEXT = """# 青山市矿山安全条例

2024年1月10日青山市人民代表大会常务委员会通过

<!-- INFO END -->

## 第一章 总则

第一条 为了防止和减少矿山生产安全事故，制定本条例。

第二条 矿山企业应当建立安全风险分级管控和隐患排查治理双重预防机制。

## 第二章 附则

第三十条 本条例自2024年5月1日起施行。2015年3月1日青山市人民代表大会常务委员会通过的《青山市矿山安全管理规定》和《青山市矿井通风管理办法》同时废止。
"""
# a State Council regulation known by its decree number (knowledge/document_aliases.yaml: 446号令)
DECREE_OLD = "国务院关于预防煤矿生产安全事故的特别规定(2013-07-18)"
DECREE_NEW = "煤矿安全生产条例(2024-01-24)"
DECREE_OLD_TEXT = """# 国务院关于预防煤矿生产安全事故的特别规定

<!-- INFO END -->

第一条 本规定用于测试：煤矿应当按照本规定排查重大隐患。

第二条 煤矿企业应当每季度向监管部门报送隐患排查台账。

第三条 煤矿有重大隐患仍然生产的，依照本规定处理。
"""
DECREE_NEW_TEXT = """# 煤矿安全生产条例

<!-- INFO END -->

第一条 本条例用于测试：煤矿企业应当落实安全生产主体责任。

第二条 煤矿企业主要负责人对本单位安全生产工作全面负责。

第九条 本条例自2024年5月1日起施行。《国务院关于预防煤矿生产安全事故的特别规定》（国务院令第446号）同时废止。
"""


def write(folder: Path, doc_id: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{doc_id}.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repealed(tmp_path, settings) -> tuple[Path, KnowledgeBase]:
    """The old regulation ingested first, then the one repealing it (ingested later: the repeal of a text in
    force waits for the administrator's confirmation, tests/test_law_integrity.py, given here)."""
    folder = tmp_path / "regs"
    write(folder, OLD, OLD_TEXT)
    ingest([folder], settings)
    assert KnowledgeBase(settings).documents()[OLD].in_force
    write(folder, NEW, NEW_TEXT)
    report = ingest([folder], settings, confirm_supersede=True)
    assert any(OLD in note and "废止" in note for note in report.notes), report.notes
    return folder, KnowledgeBase(settings)


def test_a_repealing_regulation_ingested_later_marks_the_repealed_one_from_its_effective_date(repealed):
    _, kb = repealed
    documents = kb.documents()
    old = documents[OLD]
    assert (old.repealed_by, old.repealed_by_article, old.repealed_on) == (NEW, "第三十条", "2024-05-01")
    assert old.repealed and not old.in_force and not old.superseded
    assert documents[NEW].in_force and not documents[NEW].repealed_by
    # the other text it names (青山市矿井通风管理办法) is not ingested: nothing else is marked
    assert [r.doc_id for r in documents.values() if r.repealed_by] == [OLD]


def test_removing_the_repealing_document_clears_the_mark(repealed, settings):
    folder, _ = repealed
    (folder / f"{NEW}.md").unlink()
    report = ingest([folder], settings, prune=True)
    assert any(OLD in note and "不再标记为已废止" in note for note in report.notes), report.notes
    old = KnowledgeBase(settings).documents()[OLD]
    assert not old.repealed_by and not old.repealed_on and old.in_force
    # and deleting it through the library (web UI) does the same
    write(folder, NEW, NEW_TEXT)
    ingest([folder], settings, confirm_supersede=True)
    assert KnowledgeBase(settings).documents()[OLD].repealed
    Ingestor(settings).remove([NEW])
    assert KnowledgeBase(settings).documents()[OLD].in_force


def test_a_store_written_before_repeals_were_read_finds_them_on_the_next_ingest(repealed, settings):
    folder, kb = repealed
    legacy = []
    for record in kb.documents().values():  # the manifest as an earlier version wrote it
        fields = json.loads(record.to_metadata()["record"])
        for name in ("repeals", "repealed_by", "repealed_by_article", "repealed_on"):
            fields.pop(name)
        legacy.append((record.doc_id, {"record": json.dumps(fields, ensure_ascii=False)}))
    kb.store.documents.update(ids=[d for d, _ in legacy], metadatas=[m for _, m in legacy])
    before = KnowledgeBase(settings).documents()
    assert before[OLD].repeals is None and before[OLD].in_force
    report = ingest([folder], settings)
    assert report.count("unchanged") == 2
    after = KnowledgeBase(settings).documents()
    assert after[OLD].repealed_by == NEW and after[OLD].repealed_on == "2024-05-01"
    assert after[NEW].repeals and after[OLD].repeals == []


def test_a_repealed_text_is_not_searched_by_default_but_is_with_include_superseded(repealed):
    _, kb = repealed
    question = "矿山企业每月组织井下透水事故应急演练"
    found = {d.metadata["doc_id"] for d in HybridRetriever(kb=kb, k=10).invoke(question)}
    assert found and OLD not in found
    with_old = HybridRetriever(kb=kb, k=10, include_superseded=True).invoke(question)
    assert OLD in {d.metadata["doc_id"] for d in with_old}
    flagged = [d.metadata["citation"] for d in with_old if d.metadata["doc_id"] == OLD]
    assert all(c.endswith(REPEALED_MARK) for c in flagged), flagged


def test_the_citation_of_a_repealed_article_says_so(repealed):
    _, kb = repealed
    old = kb.get_article(OLD, ArticleRef(2)).chunks[0]
    assert citation(old) == f"《青山市矿山安全管理规定》第二条{REPEALED_MARK}"
    assert short_citation(old) == f"《青山市矿山安全管理规定》第二条{REPEALED_MARK}"
    current = kb.get_article(NEW, ArticleRef(2)).chunks[0]
    assert REPEALED_MARK not in citation(current)


def test_show_and_stats_flag_the_repealed_text(repealed):
    result = runner.invoke(app, ["show", "青山市矿山安全管理规定", "2"])
    assert result.exit_code == 0, result.output
    assert f"《青山市矿山安全管理规定》第二条{REPEALED_MARK}" in result.output
    assert "已废止：自2024年5月1日起由《青山市矿山安全条例》第三十条废止" in result.output
    # a name matching both texts shows the one in force unless asked for the others
    both = runner.invoke(app, ["show", "青山市矿山", "2"])
    assert "双重预防机制" in both.output and "已废止" not in both.output
    stats = runner.invoke(app, ["stats"])
    assert "已废止 1 个" in stats.output and OLD in stats.output


def test_a_decree_number_names_the_regulation_and_a_repealed_one_is_still_found_flagged(tmp_path, settings):
    folder = tmp_path / "regs"
    write(folder, DECREE_OLD, DECREE_OLD_TEXT)
    write(folder, DECREE_NEW, DECREE_NEW_TEXT)
    ingest([folder], settings)
    kb = KnowledgeBase(settings)
    old = kb.documents()[DECREE_OLD]
    assert (old.repealed_by, old.repealed_by_article, old.repealed_on) == (DECREE_NEW, "第九条", "2024-05-01")
    for name in ("446号令", "国务院446号令", "国务院令第446号", "《国务院关于预防煤矿生产安全事故的特别规定》"):
        assert [r.doc_id for r in kb.find_documents(name)] == [DECREE_OLD], name
        result = runner.invoke(app, ["show", name, "1"])
        assert result.exit_code == 0, result.output
        assert "已废止：自2024年5月1日起由《煤矿安全生产条例》第九条废止" in result.output
    plan = QueryAnalyzer(pack_of(kb), kb.tokenizer, kb.documents()).analyse("446号令第二条怎么规定的？")
    assert plan.documents == [DECREE_OLD] and plan.articles == [(DECREE_OLD, ArticleRef(2))]
    from assistant.ask import Assistant

    first = Assistant(kb).ask("446号令第二条怎么规定的？").retrieved[0][0]
    assert (first.metadata["doc_id"], first.metadata["article"]) == (DECREE_OLD, "第二条")
    assert citation(first).endswith(REPEALED_MARK)


def test_the_web_library_and_source_panel_flag_the_repealed_text(repealed, settings):
    from assistant.answer import Answer, Source
    from assistant.web.context import WebContext
    from assistant.web.library_tab import document_choices, document_rows, stats_markdown
    from assistant.web.sources import source_messages

    _, kb = repealed
    ctx = WebContext(settings, kb)
    rows = {row[0]: row[-1] for row in document_rows(ctx)}
    assert rows[OLD] == "已废止（自2024年5月1日起由《青山市矿山安全条例》第三十条废止）"
    assert rows[NEW] == "现行"
    assert [row[0] for row in document_rows(ctx, "已废止")] == [OLD]
    assert f"{OLD}（地方性法规，已废止）" in [label for label, _ in document_choices(ctx)]
    assert "已废止 1 个" in stats_markdown(ctx)
    assert "1 个现行文档" in ctx.header()
    chunk = kb.get_article(OLD, ArticleRef(2)).chunks[0]
    panel = source_messages(kb, Answer("问", "答[1]", False, [Source(1, chunk)]))[0]
    assert panel["metadata"]["title"].endswith(REPEALED_MARK)
    assert "⚠ 已废止：自2024年5月1日起由《青山市矿山安全条例》第三十条废止" in panel["content"]


# --- reading repeal sentences and matching them to documents (no index) -----------------------------------


def record(doc_id: str, title: str, date: str, repeals: list[RepealClaim] = (), **fields) -> DocumentRecord:
    return DocumentRecord(
        doc_id=doc_id,
        source="",
        hash="h",
        title=title,
        kind="行政法规",
        region="全国",
        date=date,
        version_key=f"全国|{name_key(title)}",
        chunk_count=1,
        repeals=[c.to_dict() for c in repeals],
        **fields,
    )


def test_repeal_sentences_are_read_with_their_article_and_date():
    claims = repeal_claims(
        [
            (
                "第五十五条",
                "本条例自二〇〇六年九月一日起施行。1984年1月6日国务院发布的《中华人民共和国民用爆炸物品管理条例》同时废止。",
            ),
            (
                "第十七条",
                "本解释自2015年12月16日起施行。本解释施行后，最高人民法院、最高人民检察院《关于办理危害矿山生产安全"
                "刑事案件具体应用法律若干问题的解释》（法释〔2007〕5号）同时废止。",
            ),
            ("第六十条", "本法自公布之日起施行，自1997年2月5日起施行的《青山市幼儿教育管理规定》同时废止。"),
            ("第二十条", "本條例自2020年1月1日起施行。《青山市燃氣管理辦法》同時廢止。"),
            ("第五十二条", "本条例自发布之日起施行，《青山市看守所条例》中有关看守所的规定即行废止。"),
            ("第二条", "制定机关应当对法规及时予以修改或者废止。"),
            ("第九条", "《广东省实施〈中华人民共和国土地管理法〉办法》同时废止。"),
        ]
    )
    assert [(c.name, c.article, c.on) for c in claims] == [
        ("民用爆炸物品管理条例", "第五十五条", "2006-09-01"),
        ("关于办理危害矿山生产安全刑事案件具体应用法律若干问题的解释", "第十七条", "2015-12-16"),
        ("青山市幼儿教育管理规定", "第六十条", ""),  # 自1997年…起施行的 describes the repealed text
        ("青山市燃气管理办法", "第二十条", "2020-01-01"),
        ("广东省实施土地管理法办法", "第九条", ""),
    ]
    assert claims[1].before.endswith("最高人民法院、最高人民检察院")


def test_repeals_match_titles_with_issuer_decree_or_national_prefix_and_never_a_later_or_own_version():
    interpretation = "最高人民法院、最高人民检察院关于办理危害矿山生产安全刑事案件具体应用法律若干问题的解释"
    repealer = record(
        "新解释(2015-12-14)",
        "新解释",
        "2015-12-14",
        repeal_claims(
            [
                (
                    "第十七条",
                    "本解释自2015年12月16日起施行。本解释施行后，最高人民法院、最高人民检察院《关于办理危害矿山生产安全"
                    "刑事案件具体应用法律若干问题的解释》同时废止。",
                ),
                ("第十八条", "《青山市爆破作业规定》（国务院令第446号）同时废止。"),
                ("第十九条", "《中华人民共和国青山条例》同时废止。"),
                ("第二十条", "《新解释（试行）》同时废止。"),
            ]
        ),
    )
    records = {
        r.doc_id: r
        for r in [
            repealer,
            record("旧解释(2007-02-28)", interpretation, "2007-02-28"),
            record(
                "国务院关于预防煤矿生产安全事故的特别规定(2013-07-18)",
                "国务院关于预防煤矿生产安全事故的特别规定",
                "2013-07-18",
            ),
            record("青山条例(2010-01-01)", "青山条例", "2010-01-01"),
            record("青山条例(2020-01-01)", "青山条例", "2020-01-01"),  # dated after the repeal: re-enacted, in force
            record("新解释（试行）(2014-01-01)", "新解释（试行）", "2014-01-01"),  # its own earlier version
        ]
    }
    found = find_repeals(records, {"国务院关于预防煤矿生产安全事故的特别规定": ["446号令"]})
    assert {d: (r.by, r.article, r.on) for d, r in found.items()} == {
        "旧解释(2007-02-28)": ("新解释(2015-12-14)", "第十七条", "2015-12-16"),
        "国务院关于预防煤矿生产安全事故的特别规定(2013-07-18)": ("新解释(2015-12-14)", "第十八条", "2015-12-14"),
        "青山条例(2010-01-01)": ("新解释(2015-12-14)", "第十九条", "2015-12-14"),
    }


def test_a_record_of_an_earlier_manifest_reads_as_not_repealed_and_a_future_repeal_is_not_yet_in_effect():
    legacy = DocumentRecord.from_metadata(
        {
            "record": '{"doc_id": "a", "source": "", "hash": "h", "title": "a", '
            '"kind": "其他", "region": "全国", "date": "", "version_key": "全国|a", '
            '"chunk_count": 1, "superseded": false, "superseded_by": ""}'
        }
    )
    assert legacy.repeals is None and not legacy.repealed and legacy.in_force
    future = record("b", "b", "2020-01-01", repealed_by="c", repealed_by_article="第一条", repealed_on="2999-01-01")
    assert not future.repealed and future.in_force


@needs_corpus
@pytest.mark.corpus
def test_in_the_corpus_the_special_provisions_on_coal_mines_are_repealed_by_the_coal_mine_regulation(corpus_index):
    """The whole corpus (the session's index, conftest): of the texts its regulations repeal (……同时废止), the
    one it holds is marked, and nothing else."""
    folder = CORPUS / "regulations"
    assert [p.name for p in folder.glob("*.md") if "同时废止" in p.read_text(encoding="utf-8")]  # repealing texts
    settings = corpus_index[0]
    kb = KnowledgeBase(settings)
    documents = kb.documents()
    special = documents["国务院关于预防煤矿生产安全事故的特别规定(2013-07-18)"]
    assert (special.repealed_by, special.repealed_by_article, special.repealed_on) == (
        "煤矿安全生产条例(2024-01-24)",
        "第七十六条",
        "2024-05-01",
    )
    assert special.repealed and not special.in_force
    # the other texts those sentences repeal are not in the corpus: nothing else is marked
    assert [r.doc_id for r in documents.values() if r.repealed_by] == [special.doc_id]
    shown = CliRunner().invoke(app, ["show", "446号令", "5"], env={"ANQUAN_DATA_DIR": str(settings.data_dir)})
    assert shown.exit_code == 0, shown.output
    assert "已废止：自2024年5月1日起由《煤矿安全生产条例》第七十六条废止" in shown.output
