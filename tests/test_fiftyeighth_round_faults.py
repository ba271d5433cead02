"""Round 58, issue 16: faults a second round of hostile testing found.

- A self-check answers file of blank lines (" \\n" * 1000 + "x", 2 KB) held a CPU for 19 s, and the web server with
  it: the full-width colon rewrite's spaces could be line breaks, backtracking over every blank line. It reads within
  a line now.
- A question naming an article numbered 10000 or more (安全生产法第10000条, 第一万条) failed with 意外错误: the
  article's label could not be written (the command line's `show` had a workaround of its own). The label writes
  such a number as typed, in digits, and the question is declined as one naming an article the text does not have.
- A file of the lexical index truncated or overwritten (a disk fault, an incomplete copy) failed every question and
  search until the index was deleted by hand. The index is derived from the store: it is built anew. In a read-only
  data directory, where it cannot be, a missing or damaged index is said, with what to do (it had answered 未找到依据
  with no word of why).
- A disk that filled up under the store's write was told as 意外错误（InternalError）: Chroma does not pass the cause
  on. A failed write of the store on a disk with little room left is told as a full disk.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import isolated_settings

from assistant.ask import Assistant
from assistant.faults import explain
from assistant.selfcheck.checklist import AnswerError, parse_answers
from ingest.articles import ArticleRef
from ingest.errors import UserFacingError
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest

# --- the answers file of blank lines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        " \n" * 1200 + "x",
        "\t\n" * 1200 + "x：",
        " - \n" * 1200 + "x",
        "\n \n" * 600 + "A-1 ：是",
    ],
)
def test_an_answers_file_of_blank_lines_is_read_at_once(text):
    """2.4 KB: 25 s of CPU before (cubic in the blank lines), a few ms now."""
    start = time.perf_counter()
    try:
        parse_answers(Path("回答.yaml"), text)
    except AnswerError as refused:
        assert "回答.yaml" in str(refused)
    assert time.perf_counter() - start < 2.0


def test_a_full_width_colon_is_still_read_as_the_colon():
    assert parse_answers(Path("回答.yaml"), "A-1：是\nB2 ：否\nC-3： 不确定\n") == {
        "A-1": "是",
        "B2": "否",
        "C-3": "不确定",
    }
    assert parse_answers(Path("回答.yaml"), "- id：A-1\n  answer：是\n") == {"A-1": "是"}


# --- an article numbered beyond any text's -------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "label"), [(24, "第二十四条"), (9999, "第九千九百九十九条"), (10000, "第10000条")])
def test_an_article_beyond_any_laws_numerals_is_labelled_as_typed(number, label):
    assert ArticleRef(number).label == label


_LAW = "青山市安全生产条例(2020-01-01)"
_LAW_TEXT = """# 青山市安全生产条例

<!-- INFO END -->

第一条 为了加强安全生产工作，制定本条例。

第二条 生产经营单位应当每季度组织一次应急演练。

第三条 从业人员超过一百人的生产经营单位，应当设置安全生产管理机构。
"""


@pytest.fixture
def library(tmp_path) -> KnowledgeBase:
    settings = isolated_settings(tmp_path / "data")
    folder = tmp_path / "regs"
    folder.mkdir()
    (folder / f"{_LAW}.md").write_text(_LAW_TEXT, encoding="utf-8")
    ingest([folder], settings)
    return KnowledgeBase(settings)


@pytest.mark.parametrize(
    "question", ["青山市安全生产条例第10000条", "青山市安全生产条例第一万条规定了什么", "青山市安全生产条例第123456条"]
)
def test_an_article_beyond_the_texts_is_declined_as_missing(library, question):
    answer = Assistant(library).ask(question).answer
    assert answer.abstained
    assert "已入库的文本中没有《青山市安全生产条例》第" in answer.text and "请核对条号" in answer.text, answer.text


# --- a damaged or missing lexical index ------------------------------------------------------------------------------


def _current_build(kb: KnowledgeBase) -> Path:
    return kb.bm25.directory / (kb.bm25.directory / "CURRENT").read_text(encoding="utf-8").strip()


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


@pytest.mark.parametrize(
    "damage",
    [
        lambda build: _truncate(build / "data.csc.index.npy"),
        lambda build: (build / "ids.json").write_text('["x"', encoding="utf-8"),
        lambda build: (build / "idf.json").write_bytes(b"\x00\xff"),
        lambda build: ((build / "postings.npz").write_bytes(b"garbage"), _truncate(build / "indices.csc.index.npy")),
    ],
)
def test_a_damaged_lexical_index_is_built_anew(library, damage):
    settings = library.settings
    damage(_current_build(library))
    kb = KnowledgeBase(settings)  # a new process meeting the damaged files
    answer = Assistant(kb).ask("从业人员超过一百人的要设置安全生产管理机构吗？").answer
    assert not answer.abstained and answer.citations[0] == {"doc": _LAW, "article": "第三条"}, answer.text
    again = KnowledgeBase(settings)  # and it stays mended
    assert Assistant(again).ask("应急演练多久组织一次？").answer.citations[0] == {"doc": _LAW, "article": "第二条"}


def test_a_read_only_library_without_its_lexical_index_says_so(library, monkeypatch):
    import shutil

    shutil.rmtree(library.bm25.directory)
    kb = KnowledgeBase(library.settings)
    monkeypatch.setattr(kb, "read_only", True)
    with pytest.raises(UserFacingError, match="词语索引缺失.*只读.*anquan search"):
        Assistant(kb).ask("从业人员超过一百人的要设置安全生产管理机构吗？")


def test_a_read_only_library_with_a_damaged_lexical_index_says_so(library, monkeypatch):
    _truncate(_current_build(library) / "data.csc.index.npy")
    kb = KnowledgeBase(library.settings)
    monkeypatch.setattr(kb, "read_only", True)
    with pytest.raises(UserFacingError, match="词语索引已损坏.*只读"):
        Assistant(kb).ask("从业人员超过一百人的要设置安全生产管理机构吗？")


# --- a disk filled up under the store's write -------------------------------------------------------------------------


class _Compaction(Exception):
    """Chroma's InternalError as it words a write it could not apply (the cause not passed on)."""


def test_a_store_write_failing_on_a_full_disk_is_told_as_a_full_disk(tmp_path, monkeypatch):
    import shutil

    settings = isolated_settings(tmp_path / "data")
    settings.data_dir.mkdir(parents=True)
    failed = _Compaction("Error in compaction: Failed to apply logs to the metadata segment")
    usage = shutil.disk_usage(settings.data_dir)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=1_500_000))
    told = explain(failed, settings, "导入")
    assert told is not None and told.startswith("磁盘空间已满，导入未完成"), told
    # with room on the disk, the same failure is not blamed on it
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=10 << 30))
    told = explain(failed, settings, "导入")
    assert told is None or "磁盘空间已满" not in told
