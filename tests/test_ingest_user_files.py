"""A user ingests a folder of their own files: every readable file is indexed with its structure,
bad files are reported in Chinese and skipped, and re-running is incremental and safe."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import BIG5_PLAN, FIXTURES, GBK_PLAN, REGULATION_NEW, REGULATION_OLD, REPEATED_PLAN
from typer.testing import CliRunner

from assistant.cli import app
from assistant.retrieval import HybridRetriever
from ingest import walk
from ingest.articles import ArticleRef
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings


@pytest.fixture
def ingested(user_files_index):
    """The user files ingested once for the session (conftest): (report, knowledge base), for tests that read."""
    settings, report = user_files_index
    return report, KnowledgeBase(settings)


@pytest.fixture
def fresh_ingest(user_files, settings):
    """The user files ingested into this test's data directory, for tests that change the files or the index."""
    report = ingest([user_files], settings)
    return report, KnowledgeBase(settings)


def _chunks_of(kb: KnowledgeBase, doc_id: str):
    return sorted(kb.store.document_chunks(doc_id), key=lambda c: c.metadata["ordinal"])


def test_readable_files_are_added_and_bad_ones_reported_in_chinese(ingested):
    report, kb = ingested
    by_name = {r.path.name: r for r in report.results}
    assert by_name["空文件.txt"].status == "failed"
    assert "空" in by_name["空文件.txt"].reason
    assert by_name["图片改名.txt"].status == "failed"
    assert "二进制" in by_name["图片改名.txt"].reason
    added = {r.doc_id for r in report.results if r.status == "added"}
    assert added == {
        REGULATION_NEW,
        REPEATED_PLAN,
        GBK_PLAN,
        BIG5_PLAN,
        "青山市有限空间作业安全管理办法",
        "青山市粉尘防爆安全规定",
    }
    assert set(kb.documents()) == added


def test_every_article_keeps_its_number_and_chapter_path(ingested):
    _, kb = ingested
    hit = kb.get_article(REGULATION_NEW, ArticleRef(6))
    assert hit is not None
    assert hit.text.startswith("第六条 有限空间作业应当坚持先通风、再检测、后作业")
    assert hit.chunks[0].heading_path == ["第二章 作业管理", "第二节 现场管理"]
    suffixed = kb.get_article(REGULATION_NEW, ArticleRef(5, 1))
    assert suffixed is not None and suffixed.chunks[0].metadata["article"] == "第五条之一"
    assert "安全生产管理协议" in suffixed.text
    for number in range(1, 10):
        assert kb.get_article(REGULATION_NEW, ArticleRef(number)) is not None, number


def test_text_before_the_first_article_is_its_own_chunk(ingested):
    _, kb = ingested
    chunks = _chunks_of(kb, REGULATION_NEW)
    assert chunks[0].metadata["unit"] == "preamble"
    assert "第十届人民代表大会常务委员会第八次会议修订" in chunks[0].text
    assert "第一条" not in chunks[0].text


def test_a_long_article_is_split_at_item_boundaries_and_keeps_its_identity(ingested):
    _, kb = ingested
    hit = kb.get_article(REGULATION_NEW, ArticleRef(7))
    assert hit is not None and len(hit.chunks) >= 2
    assert {c.metadata["article"] for c in hit.chunks} == {"第七条"}
    assert [c.metadata["part"] for c in hit.chunks] == list(range(1, len(hit.chunks) + 1))
    for chunk in hit.chunks:
        assert chunk.text.rstrip().endswith(("；", "。", "：")), chunk.text[-20:]
    original = (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8")
    article_7 = original.split("第七条")[1].split("## 第三章")[0]
    assert re.sub(r"\s", "", "".join(c.text for c in hit.chunks)) == re.sub(r"\s", "", "第七条" + article_7)


def test_no_chunk_holds_two_articles(ingested):
    _, kb = ingested
    for chunk in _chunks_of(kb, REGULATION_NEW):
        starts = re.findall(r"(?m)^第[一二三四五六七八九十]+条(?:之[一二三四五六七八九十]+)?\s", chunk.text)
        assert len(starts) <= 1, chunk.text


def test_gbk_plan_is_cleaned_titled_and_searchable(ingested):
    _, kb = ingested
    record = kb.documents()[GBK_PLAN]
    assert record.title == "青山区2025年安全生产工作方案"
    assert record.kind == "计划方案"
    text = "\n".join(c.text for c in _chunks_of(kb, GBK_PLAN))
    for boilerplate in ("温馨提示", "客服", "本文档由用户上传", "下载前请仔细阅读"):
        assert boilerplate not in text
    assert "实行清单化管理和闭环整改" in text  # the line wrap inside 管理 was repaired
    results = HybridRetriever(kb=kb, k=3).invoke("四抓工作法是哪四抓")
    assert results and results[0].metadata["doc_id"] == GBK_PLAN
    assert "一、工作目标" in {c.metadata["heading_path"] for c in _chunks_of(kb, GBK_PLAN)}


def test_traditional_plan_keeps_its_script_and_is_found_by_a_simplified_query(ingested):
    _, kb = ingested
    results = HybridRetriever(kb=kb, k=3).invoke("商贸系统安全生产工作重点检查哪些场所")
    assert results[0].metadata["doc_id"] == BIG5_PLAN
    passage = [d for d in results if "農貿市場" in d.page_content]  # shown as written, not converted
    assert passage and passage[0].metadata["doc_id"] == BIG5_PLAN


def test_word_headings_and_pdf_articles_are_kept(ingested):
    _, kb = ingested
    word = kb.get_article("青山市有限空间作业安全管理办法", ArticleRef(3))
    assert word is not None and word.chunks[0].heading_path == ["第二章 作业要求"]
    assert "百分之十九点五" in word.text
    pdf = kb.get_article("青山市粉尘防爆安全规定", ArticleRef(2))
    assert pdf is not None and "清扫记录" in pdf.text


def test_a_passage_repeated_in_one_plan_is_indexed_once_with_both_locations(ingested):
    _, kb = ingested
    chunks = _chunks_of(kb, REPEATED_PLAN)
    holding = [c for c in chunks if "电动自行车充电" in c.text]
    assert len(holding) == 1
    locations = holding[0].locations
    assert any("篇一" in loc for loc in locations) and any("篇三" in loc for loc in locations)


def test_re_running_an_unchanged_ingest_does_nothing(fresh_ingest, user_files, settings):
    report = ingest([user_files], settings)
    assert report.count("added") == 0 and report.count("updated") == 0
    assert report.chunks_written == 0
    assert report.count("unchanged") == 6


def test_a_changed_file_replaces_its_old_chunks(fresh_ingest, user_files, settings):
    _, kb = fresh_ingest
    path = user_files / f"{REGULATION_NEW}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("每半年至少", "每季度至少"), encoding="utf-8")
    report = ingest([user_files], settings)
    assert [r.doc_id for r in report.results if r.status == "updated"] == [REGULATION_NEW]
    kb = KnowledgeBase(settings)
    chunks = _chunks_of(kb, REGULATION_NEW)
    assert len(chunks) == kb.documents()[REGULATION_NEW].chunk_count
    assert "每季度至少组织一次" in kb.get_article(REGULATION_NEW, ArticleRef(5)).text
    assert not any("每半年至少" in c.text for c in chunks)
    top = HybridRetriever(kb=kb, k=1).invoke("危险作业专项应急演练多久组织一次")
    assert "每季度" in top[0].page_content


def test_a_file_edited_right_after_ingest_keeping_size_and_time_is_still_seen_as_changed(
    fresh_ingest, user_files, settings, monkeypatch
):
    # Unchanged files are recognised by size and modification time, but only once that time has settled:
    # an edit within the same clock tick can keep both, so such a file is still read and hashed.
    monkeypatch.setattr(walk, "_STAMP_SETTLED_S", 3600.0)  # every file here was written "just now"
    path = user_files / f"{REGULATION_NEW}.md"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("每半年至少", "每季度至少"), encoding="utf-8")  # same size in bytes
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    report = ingest([user_files], settings)
    assert [r.doc_id for r in report.results if r.status == "updated"] == [REGULATION_NEW]


def test_a_file_edited_keeping_its_size_with_its_modification_time_set_back_is_still_seen_as_changed(
    fresh_ingest, user_files, settings, monkeypatch
):
    """rt11 F9: an edit followed by touch -d (the old modification time) keeps size and mtime, not the change
    time, which no one can set back."""
    monkeypatch.setattr(walk, "_STAMP_SETTLED_S", 0.0)  # every stamp is trusted at once
    path = user_files / f"{REGULATION_NEW}.md"
    ingest([user_files], settings)
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("每半年至少", "每季度至少"), encoding="utf-8")  # same size in bytes
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    report = ingest([user_files], settings)
    assert [r.doc_id for r in report.results if r.status == "updated"] == [REGULATION_NEW]


def test_files_too_recent_to_stamp_when_read_are_stamped_once_they_settle(
    fresh_ingest, user_files, settings, monkeypatch
):
    # A corpus copied just before an ingest is read and hashed then; once its files have settled with the
    # content that was read, they are stamped, so the next run does not read them again.
    monkeypatch.setattr(walk, "_STAMP_SETTLED_S", 1.0)
    (settings.data_dir / "file-stamps.json").unlink(missing_ok=True)
    files = sorted(p for p in user_files.rglob("*.md") if p.is_file())
    for path in files:
        os.utime(path)  # modified now

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "检查文件" and done == total:
            time.sleep(1.2)  # the run outlasts the settling time of the files read before this point

    ingest([user_files], settings, progress=progress)
    stamps = json.loads((settings.data_dir / "file-stamps.json").read_text(encoding="utf-8"))
    assert {Path(source).name for source in stamps} >= {p.name for p in files}


def test_settled_files_are_recognised_without_reading_them_again(fresh_ingest, user_files, settings):
    hour_ago = time.time() - 3600
    for path in user_files.rglob("*"):
        os.utime(path, (hour_ago, hour_ago))
    ingest([user_files], settings)  # records the settled size and time of each unchanged file
    stamps = json.loads((settings.data_dir / "file-stamps.json").read_text(encoding="utf-8"))
    assert {Path(source).name for source in stamps} >= {p.name for p in user_files.rglob("*.md")}
    path = user_files / f"{REGULATION_NEW}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("每半年至少", "每季度至少"), encoding="utf-8")
    report = ingest([user_files], settings)  # a real edit changes the time: read, hashed, updated
    assert [r.doc_id for r in report.results if r.status == "updated"] == [REGULATION_NEW]
    assert report.count("unchanged") == 5


def test_prune_removes_documents_whose_files_are_gone(fresh_ingest, user_files, settings):
    (user_files / f"{GBK_PLAN}.txt").unlink()
    ingest([user_files], settings)
    assert GBK_PLAN in KnowledgeBase(settings).documents()  # without --prune nothing is removed
    report = ingest([user_files], settings, prune=True)
    assert [r.doc_id for r in report.results if r.status == "pruned"] == [GBK_PLAN]
    kb = KnowledgeBase(settings)
    assert GBK_PLAN not in kb.documents()
    assert not kb.store.document_chunks(GBK_PLAN)


def test_a_bad_file_never_damages_what_is_already_indexed(fresh_ingest, tmp_path, settings):
    _, kb = fresh_ingest
    before = kb.store.count()
    broken = tmp_path / "损坏的文件.docx"
    broken.write_bytes(b"PK\x03\x04 this is not really a word file")
    report = ingest([broken], settings)
    assert report.results[0].status == "failed" and "Word" in report.results[0].reason
    assert KnowledgeBase(settings).store.count() == before


def test_the_newer_version_of_a_regulation_is_in_force(tmp_path, settings):
    folder = tmp_path / "versions"
    folder.mkdir()
    # the newer one first: order of ingest must not matter
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    ingest([folder], settings)
    shutil.copy(FIXTURES / f"{REGULATION_OLD}.md", folder)
    report = ingest([folder], settings)
    assert any(REGULATION_OLD in note for note in report.notes)
    kb = KnowledgeBase(settings)
    documents = kb.documents()
    assert documents[REGULATION_OLD].superseded and documents[REGULATION_OLD].superseded_by == REGULATION_NEW
    assert not documents[REGULATION_NEW].superseded
    assert kb.find_documents("青山市危险作业安全管理条例")[0].doc_id == REGULATION_NEW
    results = HybridRetriever(kb=kb, k=10).invoke("危险作业专项应急演练")
    assert results and all(d.metadata["doc_id"] == REGULATION_NEW for d in results)
    with_old = HybridRetriever(kb=kb, k=10, include_superseded=True).invoke("每年至少组织一次危险作业专项应急演练")
    assert REGULATION_OLD in {d.metadata["doc_id"] for d in with_old}


def test_an_index_in_the_earlier_storage_layout_is_reported_and_replaced_by_the_next_ingest(tmp_path, settings):
    kb = KnowledgeBase(settings)
    for legacy in ("anquan-chunks-", "anquan-docs-"):  # where earlier versions kept chunks and documents
        kb.store.client.create_collection(legacy + kb.embedder.name, embedding_function=None).add(
            ids=["旧"], embeddings=[[1.0]], documents=["旧格式的切块"]
        )
    stats = CliRunner().invoke(app, ["stats"])
    assert stats.exit_code == 0 and "请重新运行 anquan ingest" in stats.output
    report = ingest([FIXTURES / f"{REGULATION_NEW}.md"], settings)
    assert report.count("added") == 1 and any("存储格式已更新" in note for note in report.notes)
    kb = KnowledgeBase(settings)
    assert not kb.store.legacy_collections()
    assert "请重新运行" not in CliRunner().invoke(app, ["stats"]).output
    assert kb.get_article(REGULATION_NEW, ArticleRef(2, 0)) is not None


def test_a_vector_collection_made_by_an_earlier_version_searches_as_wide_as_a_new_one(tmp_path, settings):
    new = KnowledgeBase(Settings(data_dir=tmp_path / "new")).store.chunks.configuration["hnsw"]["ef_search"]
    assert new > 100
    kb = KnowledgeBase(settings)
    name = kb.store.chunks.name
    kb.store.client.delete_collection(name)
    kb.store.client.create_collection(name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
    assert kb.store.client.get_collection(name).configuration["hnsw"]["ef_search"] == 100  # Chroma's default
    report = ingest([FIXTURES / f"{REGULATION_NEW}.md"], settings)
    assert report.count("added") == 1
    reopened = KnowledgeBase(settings)
    assert reopened.store.chunks.configuration["hnsw"]["ef_search"] == new
    assert reopened.store.query(reopened.embedder.embeddings.embed_query("动火作业"), 3)  # and searches


def test_a_saved_web_page_keeps_its_content_and_headings_but_not_the_site_chrome(tmp_path, settings):
    page = tmp_path / "青山市应急管理局关于开展汛期安全检查的通知.html"
    page.write_text(
        "<html><head><title>通知</title><script>var tracker = 1;</script></head><body>"
        "<nav>首页 > 通知公告</nav><header>青山市应急管理局网站</header>"
        "<h1>青山市应急管理局关于开展汛期安全检查的通知</h1>"
        "<h2>一、检查范围</h2><p>全市尾矿库、建筑工地深基坑和地下有限空间作业场所。</p>"
        "<h2>二、检查时间</h2><p>6月1日至8月31日，每月开展一次拉网式排查。</p>"
        "<footer>版权所有 青山市应急管理局 联系客服</footer></body></html>",
        encoding="utf-8",
    )
    report = ingest([page], settings)
    assert report.results[0].status == "added"
    kb = KnowledgeBase(settings)
    doc_id = page.stem
    assert kb.documents()[doc_id].title == "青山市应急管理局关于开展汛期安全检查的通知"
    chunks = _chunks_of(kb, doc_id)
    text = "\n".join(c.text for c in chunks)
    assert "尾矿库" in text and "拉网式排查" in text
    for chrome in ("tracker", "首页", "版权所有", "网站"):
        assert chrome not in text
    assert {"一、检查范围", "二、检查时间"} <= {c.metadata["heading_path"] for c in chunks}


def test_two_files_with_the_same_name_are_not_mixed_up(tmp_path, settings):
    source = (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8")
    for folder, text in (("a", source), ("b", source), ("c", source.replace("每半年", "每年"))):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{REGULATION_NEW}.md").write_text(text, encoding="utf-8")
    report = ingest([tmp_path / "a", tmp_path / "b", tmp_path / "c"], settings)
    by_folder = {r.path.parent.name: (r.status, r.reason) for r in report.results}
    assert by_folder["a"] == ("added", "")
    assert by_folder["b"][0] == "skipped" and "内容相同" in by_folder["b"][1]
    assert by_folder["c"][0] == "skipped" and "改名" in by_folder["c"][1]
    assert "每半年" in KnowledgeBase(settings).get_article(REGULATION_NEW, ArticleRef(5)).text
