"""Red-team round 13, damaged stores and a changed embedder: an index_metadata.pickle that loads but is not what
Chroma reads ({} or [1, 2]; G16) is found before Chroma loads it, like the other damage of a vector index: questions
are answered from the lexical index with a note, the texts and documents stay readable, and the next ingest
rebuilds the index, no document lost; chroma/chroma.sqlite3 replaced by a folder, or chroma/ by a file (G17), and
Chroma's own tables damaged (rows deleted from segments, embeddings_queue dropped; G18) are each told in Chinese,
naming the path and what to do, never as "意外错误…请重试", and nothing is deleted; a library built with another
embedder or ANQUAN_BUILTIN_DIM is named, with how to get it back, where "知识库为空，请先导入" was said (G10).

Every store is opened by the product first in this process (runner, KnowledgeBase) or in a process of its own
(_cli): a Chroma client opened here before it would have its SQLite locks dropped by open_client's checks."""

from __future__ import annotations

import hashlib
import pickle
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import test_twelfth_round_faults as round12
from chromadb.errors import InternalError, InvalidArgumentError
from test_twelfth_round_faults import _cli, _new_file, _segments
from typer.testing import CliRunner

from assistant.cli import app
from assistant.faults import explain, user_message
from ingest.knowledge_base import KnowledgeBase
from ingest.settings import Settings
from ingest.store import hnsw_problem

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
QUESTION = "青山市第1号安全生产规定第三条"
ANSWER = "第3项安全措施"  # what the question's article says
DAMAGED = "向量索引已损坏"
STORE_DAMAGED = "知识库索引已损坏"
NEVER = ("意外错误", "请重试", "Traceback")

library = round12.library  # a data directory whose vector index Chroma has written to disk (384 chunks)


@pytest.fixture
def copy(library, tmp_path, monkeypatch) -> Path:
    """A copy of the library for one test, set as the data directory."""
    data_dir = tmp_path / "data"
    shutil.copytree(library, data_dir)
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ANQUAN_LOG_FILE", str(tmp_path / "anquan.log"))
    monkeypatch.setenv("COLUMNS", "400")
    return data_dir


def _counts(output: str) -> tuple[int, int]:
    """(documents, chunks) as stats says them."""
    found = re.search(r"文档 (\d+) 个，切块 ([\d,]+) 个", output)
    assert found, output
    return int(found[1]), int(found[2].replace(",", ""))


def _clean(output: str) -> None:
    for word in NEVER:
        assert word not in output, output


# G16: index_metadata.pickle that loads, but is not Chroma's


def _valid(folder: Path) -> dict:
    return pickle.loads((folder / "index_metadata.pickle").read_bytes())


WRONG_PICKLES = {
    "empty-dict": (lambda ok: {}, "缺少 total_elements_added"),
    "list": (lambda ok: [1, 2], "是 list"),
    "none": (lambda ok: None, "是 NoneType"),
    "string-counter": (lambda ok: {**ok, "total_elements_added": "many"}, "值类型不对"),
    "no-ids": (lambda ok: {**ok, "id_to_label": {}, "label_to_id": {}}, "没有任何向量编号"),
}


@pytest.mark.parametrize("case", list(WRONG_PICKLES), ids=list(WRONG_PICKLES))
def test_a_wrong_shaped_vector_pickle_answers_lexically_and_the_next_ingest_repairs_it(copy, tmp_path, case):
    make, reason = WRONG_PICKLES[case]
    folder = _segments(copy)["vectors"][0]
    original = _valid(folder)
    (folder / "index_metadata.pickle").write_bytes(pickle.dumps(make(original)))
    before = _counts(runner.invoke(app, ["stats"]).output)

    asked = runner.invoke(app, ["ask", QUESTION])
    assert asked.exit_code == 0, asked.output
    assert DAMAGED in asked.output and reason in asked.output and "只按词语检索" in asked.output
    assert str(folder) in asked.output and ANSWER in asked.output
    _clean(asked.output)
    # the damaged file is kept beside, renamed (nothing deleted before the rebuild)
    assert (folder / "index_metadata.pickle.damaged").is_file()

    searched = runner.invoke(app, ["search", "动火作业 防火措施"])
    assert searched.exit_code == 0 and "红河市" in searched.output
    _clean(searched.output)

    imported = runner.invoke(app, ["ingest", str(_new_file(tmp_path))])
    assert imported.exit_code == 0, imported.output
    assert "已删除并重建" in imported.output and "向量 100%" in imported.output
    _clean(imported.output)

    stats = runner.invoke(app, ["stats"])
    assert DAMAGED not in stats.output and "向量 100%" in stats.output
    assert _counts(stats.output) == (before[0] + 1, before[1] + 1)  # nothing lost, the new one in
    kb = KnowledgeBase(Settings())
    assert not kb.store.vector_problem and kb.store.count() == before[1] + 1


def test_the_red_teams_pickle_case_end_to_end(copy, tmp_path):
    """c9: {} over the vector index's pickle; ask, ingest a new file, ask again, each in its own process."""
    folder = _segments(copy)["vectors"][0]
    (folder / "index_metadata.pickle").write_bytes(pickle.dumps({}))
    for _ in range(2):  # the second run reads the file it set aside
        asked = _cli(["ask", QUESTION], copy)
        assert asked.returncode == 0, asked.stdout + asked.stderr
        assert DAMAGED in asked.stdout and "index_metadata.pickle" in asked.stdout and ANSWER in asked.stdout
        _clean(asked.stdout + asked.stderr)
    imported = _cli(["ingest", str(_new_file(tmp_path))], copy)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "已删除并重建" in imported.stdout and "新增 1" in imported.stdout
    _clean(imported.stdout + imported.stderr)
    again = _cli(["ask", "动火作业许可证"], copy)
    assert again.returncode == 0 and DAMAGED not in again.stdout and "动火作业许可证" in again.stdout


@pytest.mark.parametrize("value", [{}, [1, 2]], ids=["empty-dict", "list"])
def test_a_wrong_shaped_pickle_of_the_texts_or_documents_keeps_them_readable(copy, tmp_path, value):
    segments = _segments(copy)
    for kind in ("texts", "documents"):
        (segments[kind][0] / "index_metadata.pickle").write_bytes(pickle.dumps(value))

    asked = runner.invoke(app, ["ask", QUESTION])
    assert asked.exit_code == 0 and ANSWER in asked.output, asked.output
    _clean(asked.output)
    before = _counts(runner.invoke(app, ["stats"]).output)
    assert before[0] == 6

    imported = runner.invoke(app, ["ingest", str(_new_file(tmp_path))])
    assert imported.exit_code == 0, imported.output
    assert "条文内容的索引文件已损坏" in imported.output and "文档清单的索引文件已损坏" in imported.output
    assert "已导入的内容没有丢失" in imported.output
    _clean(imported.output)
    assert _counts(runner.invoke(app, ["stats"]).output) == (before[0] + 1, before[1] + 1)
    shown = runner.invoke(app, ["show", "青山市第2号安全生产规定", "5"])
    assert shown.exit_code == 0 and "第5项安全措施" in shown.output


def test_the_pickle_is_checked_as_data_without_running_it(library, tmp_path):
    folder = tmp_path / "segment"
    shutil.copytree(_segments(library)["vectors"][0], folder)
    metadata = folder / "index_metadata.pickle"
    whole = _valid(folder)
    assert hnsw_problem(folder, persisted=True) == ""
    # what Chroma reads too: another protocol, extra or optional keys left out, an object carrying the same fields
    for fine in (
        pickle.dumps(whole, protocol=0),
        pickle.dumps({**whole, "extra": 1}),
        pickle.dumps({k: v for k, v in whole.items() if k not in ("dimensionality", "max_seq_id")}),
    ):
        metadata.write_bytes(fine)
        assert hnsw_problem(folder, persisted=True) == ""
    # a pickle that would run a command when loaded: read as data, found wrong, never run
    marker = tmp_path / "ran"
    metadata.write_bytes(f"cos\nsystem\n(S'touch {marker}'\ntR.".encode())
    assert "不是 Chroma 的索引信息" in hnsw_problem(folder, persisted=True)
    assert not marker.exists()
    for broken, said in ((b"", "没有内容"), (pickle.dumps(whole)[:-1], "不完整"), (b"garbage\n", "不是有效")):
        metadata.write_bytes(broken)
        assert said in hnsw_problem(folder, persisted=True)


# G17: a folder where the database file belongs, a file where the store folder belongs


def _database_is_a_folder(data_dir: Path) -> Path:
    database = data_dir / "chroma" / "chroma.sqlite3"
    database.rename(data_dir / "moved.sqlite3")
    database.mkdir()
    return database


def _store_is_a_file(data_dir: Path) -> Path:
    store = data_dir / "chroma"
    store.rename(data_dir / "chroma-moved")
    store.write_text("x", encoding="utf-8")
    return store


def _store_is_a_dangling_link(data_dir: Path) -> Path:
    store = data_dir / "chroma"
    store.rename(data_dir / "chroma-moved")
    store.symlink_to(data_dir / "nowhere")
    return store


MISPLACED = {
    "database-is-a-folder": (_database_is_a_folder, "现在却是一个文件夹"),
    "store-is-a-file": (_store_is_a_file, "现在却是一个文件"),
    "store-is-a-dangling-link": (_store_is_a_dangling_link, "指向的位置不存在"),
}


@pytest.mark.parametrize("case", list(MISPLACED), ids=list(MISPLACED))
def test_a_misplaced_store_file_is_named_with_what_to_do(copy, tmp_path, case):
    damage, said = MISPLACED[case]
    where = damage(copy)
    kept = sorted(p.name for p in copy.iterdir())
    for command, action in ((["ask", QUESTION], "回答问题"), (["ingest", str(_new_file(tmp_path))], "导入")):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, result.output
        assert STORE_DAMAGED in result.output and str(where) in result.output and said in result.output
        assert f"{action}未完成" in result.output and "重试不会有帮助" in result.output
        assert "anquan ingest" in result.output and "备份" in result.output
        _clean(result.output)
    # nothing deleted, nothing made in its place
    assert sorted(p.name for p in copy.iterdir()) == kept
    assert (copy / "moved.sqlite3").is_file() or (copy / "chroma-moved" / "chroma.sqlite3").is_file()
    if case == "store-is-a-file":
        assert (copy / "chroma").read_text(encoding="utf-8") == "x"


def test_a_misplaced_store_in_its_own_process(copy):
    """The red team's c7, as a user runs it."""
    where = _database_is_a_folder(copy)
    asked = _cli(["stats"], copy)
    assert asked.returncode == 1 and STORE_DAMAGED in asked.stderr and str(where) in asked.stderr
    _clean(asked.stdout + asked.stderr)


# G18: Chroma's own tables damaged


def _change(data_dir: Path, *statements: str) -> None:
    """Run these statements on the store's database, then write them into the file itself (out of its write-ahead
    log, which the next connection to close would otherwise move there: the file's bytes then tell a change)."""
    with closing(sqlite3.connect(data_dir / "chroma" / "chroma.sqlite3")) as db:
        for statement in statements:
            db.execute(statement)
        db.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


TABLES = {
    "segments-deleted": (("DELETE FROM segments",), "segments 表"),
    "vector-segment-deleted": (("DELETE FROM segments WHERE scope = 'VECTOR'",), "segments 表"),
    "log-dropped": (("DROP TABLE embeddings_queue",), "数据表 embeddings_queue"),
    "two-tables-dropped": (("DROP TABLE max_seq_id", "DROP TABLE embedding_metadata"), "max_seq_id"),
}


@pytest.mark.parametrize("case", list(TABLES), ids=list(TABLES))
def test_damaged_chroma_tables_are_named_with_what_to_do(copy, tmp_path, case):
    statements, said = TABLES[case]
    _change(copy, *statements)
    database = copy / "chroma" / "chroma.sqlite3"
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    folders = sum(1 for p in (copy / "chroma").iterdir() if p.is_dir())
    for command, action in (
        (["ask", QUESTION], "回答问题"),
        (["ingest", str(_new_file(tmp_path))], "导入"),
        (["stats"], "统计"),
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, result.output
        assert STORE_DAMAGED in result.output and str(database) in result.output and said in result.output
        assert f"{action}未完成" in result.output and "重试不会有帮助" in result.output
        assert f"请删除文件夹 {copy / 'chroma'}" in result.output and "anquan ingest" in result.output
        _clean(result.output)
    # never deleted or changed for the user
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    assert sum(1 for p in (copy / "chroma").iterdir() if p.is_dir()) == folders


def test_damaged_tables_in_their_own_process(copy):
    """The red team's c15 and c18 exactly, as a user runs them."""
    _change(copy, "DROP TABLE embeddings_queue")
    asked = _cli(["ask", QUESTION], copy)
    assert asked.returncode == 1 and STORE_DAMAGED in asked.stderr and "embeddings_queue" in asked.stderr
    _clean(asked.stdout + asked.stderr)


def test_chromas_words_for_damaged_tables_are_explained_while_the_store_is_open(tmp_path):
    """A process that had the store open before the damage (anquan serve) reads Chroma's own words for it."""
    settings = Settings(data_dir=tmp_path / "data")
    missing = InternalError("Missing field: [Missing metadata segment]")
    said = explain(missing, settings, "回答问题")
    assert said is not None and STORE_DAMAGED in said and "回答问题未完成" in said
    assert str(tmp_path / "data" / "chroma" / "chroma.sqlite3") in said and "重试不会有帮助" in said

    # the log unreadable: damage when its table is gone, else a clash that a retry mends
    database = tmp_path / "data" / "chroma" / "chroma.sqlite3"
    database.parent.mkdir(parents=True)
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE collections (id TEXT)")
    log = InvalidArgumentError("Error executing plan: Failed to pull logs from the log store")
    said = explain(log, settings, "导入")
    assert said is not None and STORE_DAMAGED in said and "embeddings_queue" in said and "重试不会有帮助" in said
    with sqlite3.connect(database) as db:
        for table in ("migrations", "tenants", "databases", "segments", "embeddings", "embedding_metadata"):
            db.execute(f"CREATE TABLE {table} (id TEXT)")
        db.execute("CREATE TABLE embeddings_queue (id TEXT)")
        db.execute("CREATE TABLE max_seq_id (id TEXT)")
    said = explain(log, settings, "导入")
    assert said is not None and "读取知识库数据库" in said and "意外错误" not in said

    on_server = Settings(data_dir=tmp_path / "data", store="server", chroma_host="chroma.example")
    said = user_message(missing, on_server, "回答问题")
    assert "Chroma 服务器 chroma.example" in said and "意外错误" not in said


# G10: a library built with another embedder, or another ANQUAN_BUILTIN_DIM


@pytest.mark.parametrize("dim", ["512", "16"])
def test_another_builtin_dimension_names_the_library_it_was_built_with(copy, tmp_path, monkeypatch, dim):
    monkeypatch.setenv("ANQUAN_BUILTIN_DIM", dim)
    for command in (["ask", QUESTION], ["search", "动火作业"], ["stats"], ["embed"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, result.output
        assert "内置向量（256 维）" in result.output and "6 个文档" in result.output, result.output
        assert "ANQUAN_BUILTIN_DIM=256" in result.output and "anquan ingest" in result.output
        assert f"（{dim} 维）" in result.output and "知识库为空，请先导入" not in result.output
        _clean(result.output)

    # set back: everything is there
    monkeypatch.delenv("ANQUAN_BUILTIN_DIM")
    asked = runner.invoke(app, ["ask", QUESTION])
    assert asked.exit_code == 0 and ANSWER in asked.output


def test_another_builtin_dimension_in_its_own_process(copy):
    """The red team's exact case."""
    asked = _cli(["ask", "安全生产法第二十四条"], copy, ANQUAN_BUILTIN_DIM="512")
    assert asked.returncode == 1 and "内置向量（256 维）" in asked.stderr and "ANQUAN_BUILTIN_DIM=256" in asked.stderr
    assert "知识库为空" not in asked.stderr
    _clean(asked.stdout + asked.stderr)


def test_an_ingest_under_another_dimension_says_where_the_library_is(copy, tmp_path, monkeypatch):
    monkeypatch.setenv("ANQUAN_BUILTIN_DIM", "64")
    imported = runner.invoke(app, ["ingest", str(_new_file(tmp_path))])
    assert imported.exit_code == 0, imported.output
    assert "新增 1" in imported.output and "注意" in imported.output and "内置向量（256 维）" in imported.output
    assert "ANQUAN_BUILTIN_DIM=256" in imported.output
    # the new library answers for what it holds; the old one is untouched
    asked = runner.invoke(app, ["search", "动火作业许可证"])
    assert asked.exit_code == 0 and "动火作业许可证" in asked.output
    monkeypatch.delenv("ANQUAN_BUILTIN_DIM")
    stats = runner.invoke(app, ["stats"])
    assert _counts(stats.output)[0] == 6 and "向量 100%" in stats.output


def test_another_embedder_names_the_library_it_was_built_with(copy):
    kb = KnowledgeBase(Settings(builtin_dim=32))
    said = kb.library_elsewhere()
    assert "内置向量（256 维）" in said and "ANQUAN_BUILTIN_DIM=256" in said and "6 个文档" in said


def test_an_empty_data_directory_still_asks_for_an_import(tmp_path, monkeypatch):
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(tmp_path / "fresh"))
    result = runner.invoke(app, ["ask", QUESTION])
    assert result.exit_code == 1 and "知识库为空，请先导入法规和方案" in result.output
    kb = KnowledgeBase(Settings())
    assert kb.library_elsewhere() == "" and kb.documents() == {}
