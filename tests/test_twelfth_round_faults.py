"""Red-team round 12, damaged stores, bad settings and special files: a truncated header.bin of Chroma's vector index
no longer makes `anquan ingest` hang holding ingest.lock, nor a later ask (F11); a damaged or missing vector index
(data_level0.bin truncated, the index folders deleted, index_metadata.pickle overwritten) is found before Chroma
loads it: questions and searches are answered from the lexical index with a note saying so, stats reports 0 %, and
the next ingest or `anquan embed` rebuilds the index and computes the vectors again, no document lost (F12); the
texts' and documents' indexes are rebuilt from the database likewise; ANQUAN_BUILTIN_DIM, ANQUAN_LLM_RETRIES,
ANQUAN_LLM_TIMEOUT, ANQUAN_LLM_BASE_URL, ANQUAN_KNOWLEDGE_DIR (and, after round 13, every other numeric setting and
ANQUAN_PROMPTS_DIR) are checked when read, each refused in Chinese naming
the variable (F14, F15, F22); devices, named pipes, symbolic-link loops and /proc files given to ingest are each
reported as what they are, never read, and the other files imported (F19)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from chromadb.errors import InternalError
from conftest import isolated_settings, write_regulations
from filelock import FileLock
from typer.testing import CliRunner

from assistant.ask import Assistant
from assistant.cli import app
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings
from ingest.store import DAMAGE_SETTLE_MAX_S, damaged_segments, hnsw_problem, open_client
from ingest.walk import walk

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
QUESTION = "青山市第1号安全生产规定第三条"
DAMAGED = "向量索引已损坏"


def _second_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(3):
        (folder / f"红河市第{n + 1}号动火作业规定.md").write_text(
            "\n\n".join(
                [f"# 红河市第{n + 1}号动火作业规定"]
                + [f"第{k}条 动火作业单位应当落实第{k}项防火措施，每{k + n}日复查一次。" for k in range(1, 50)]
            ),
            encoding="utf-8",
        )
    return folder


def _segments(data_dir: Path) -> dict[str, tuple[Path, bool]]:
    """Collection kind (vectors, texts, documents) -> (its vector index folder, whether Chroma wrote it), for the
    built-in embedder at its default dimension. Reads the database file: only on a copy no Chroma client in this
    process has opened."""
    with sqlite3.connect(f"file:{data_dir / 'chroma' / 'chroma.sqlite3'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT s.id, c.name, EXISTS(SELECT 1 FROM max_seq_id m WHERE m.segment_id = s.id) FROM segments s "
            "JOIN collections c ON s.collection = c.id WHERE s.scope = 'VECTOR' AND c.name LIKE '%-builtin-lsa-256'"
        ).fetchall()
    return {name.split("-")[1]: (data_dir / "chroma" / segment, bool(persisted)) for segment, name, persisted in rows}


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """A data directory whose vector index Chroma has written to disk (two ingests: 384 chunks)."""
    base = tmp_path_factory.mktemp("round12-library")
    settings = isolated_settings(base / "data")
    ingest([write_regulations(base / "qingshan", files=3, articles=80)], settings)
    # in a process of its own: Chroma writes the index to disk as the threshold the first ingest set says
    done = _cli(["ingest", str(_second_folder(base / "honghe"))], settings.data_dir, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    folder, persisted = _segments(settings.data_dir)["vectors"]
    assert persisted and (folder / "header.bin").is_file() and (folder / "index_metadata.pickle").is_file()
    return settings.data_dir


@pytest.fixture
def damaged_copy(library, tmp_path, monkeypatch):
    """A copy of the library for one test, set as the data directory (ANQUAN_DATA_DIR)."""
    data_dir = tmp_path / "data"
    shutil.copytree(library, data_dir)
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ANQUAN_VECTOR_CACHE", str(tmp_path / "vectors.sqlite"))
    monkeypatch.setenv("COLUMNS", "400")
    return data_dir


def _cli(args: list[str], data_dir: Path, timeout: float = 180, **env: str) -> subprocess.CompletedProcess:
    """The command in a process of its own, as a user runs it (a hang is a timeout here, never a stuck test); env:
    settings of its own (ANQUAN_BUILTIN_DIM="512")."""
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "ANQUAN_DATA_DIR": str(data_dir),
            "ANQUAN_EMBEDDER": "builtin",
            "ANQUAN_VECTOR_CACHE": str(data_dir.parent / "vectors.sqlite"),
            "ANQUAN_LOG_FILE": str(data_dir.parent / "anquan.log"),
            "COLUMNS": "400",
            "PYTHONPATH": str(ROOT),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _new_file(tmp_path: Path) -> Path:
    path = tmp_path / "某某公司动火作业管理规定.md"
    path.write_text("# 某某公司动火作业管理规定\n\n第一条 动火作业应当办理动火作业许可证。\n", encoding="utf-8")
    return path


def _truncate(path: Path, size: int) -> None:
    with path.open("r+b") as handle:
        handle.truncate(size)


def _lock_free(data_dir: Path) -> bool:
    lock = FileLock(str(data_dir / "ingest.lock"))
    try:
        lock.acquire(timeout=0)
    except Exception:  # noqa: BLE001 - held
        return False
    lock.release()
    return True


# F11: a truncated header.bin


def test_a_truncated_vector_header_neither_hangs_the_ingest_nor_keeps_the_lock(damaged_copy, tmp_path):
    for folder, _ in _segments(damaged_copy).values():
        _truncate(folder / "header.bin", 10)
    asked = _cli(["ask", QUESTION], damaged_copy, timeout=120)
    assert asked.returncode == 0, asked.stderr
    assert DAMAGED in asked.stdout and "header.bin" in asked.stdout and "anquan embed" in asked.stdout
    assert "第3项安全措施" in asked.stdout and "意外错误" not in asked.stdout + asked.stderr

    imported = _cli(["ingest", str(_new_file(tmp_path))], damaged_copy, timeout=180)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "新增 1" in imported.stdout and "已删除并重建" in imported.stdout
    assert "已为 385 个切块计算向量" in imported.stdout and "向量 100%（385/385）" in imported.stdout
    assert _lock_free(damaged_copy)

    again = _cli(["ask", "动火作业许可证"], damaged_copy, timeout=120)
    assert again.returncode == 0 and DAMAGED not in again.stdout and "动火作业许可证" in again.stdout


def test_an_ingest_over_a_damaged_vector_header_ends_within_a_bounded_time(damaged_copy, tmp_path):
    """The red team's exact case: only the vector index's header, then an ingest (it hung for 11 minutes)."""
    _truncate(_segments(damaged_copy)["vectors"][0] / "header.bin", 10)
    imported = _cli(["ingest", "--no-vectors", str(_new_file(tmp_path))], damaged_copy, timeout=120)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "已删除并重建" in imported.stdout and "anquan embed" in imported.stdout
    assert _lock_free(damaged_copy)
    embedded = _cli(["embed"], damaged_copy, timeout=120)
    assert embedded.returncode == 0 and "向量 100%（385/385）" in embedded.stdout


def _rewrite_in_place(path: Path, pieces: int, pause_s: float) -> threading.Thread:
    """Rewrite the file as Chroma does when a process loads an index and writes it back (truncated, then written
    in pieces), in a thread of its own."""
    data = path.read_bytes()
    _truncate(path, 0)

    def write() -> None:
        step = -(-len(data) // pieces)
        with path.open("r+b") as handle:
            for start in range(0, len(data), step):
                time.sleep(pause_s)
                handle.write(data[start : start + step])
                handle.flush()

    writer = threading.Thread(target=write)
    writer.start()
    return writer


@pytest.mark.parametrize(
    ("name", "pieces", "pause_s"),
    [("header.bin", 1, 0.05), ("data_level0.bin", 6, 0.12)],
    ids=["header-rewritten-at-once", "data-written-for-longer-than-one-look"],
)
def test_a_vector_index_another_process_is_writing_is_not_taken_for_damage(damaged_copy, name, pieces, pause_s):
    """Any process that loads the index may write it back (Chroma replays its changes); one opening the store
    meanwhile had answered from the lexical index alone for its whole life and set index_metadata.pickle aside."""
    folder = _segments(damaged_copy)["vectors"][0]
    writer = _rewrite_in_place(folder / name, pieces, pause_s)
    try:
        asked = runner.invoke(app, ["ask", QUESTION])
    finally:
        writer.join()
    assert asked.exit_code == 0, asked.output
    assert DAMAGED not in asked.output and "第3项安全措施" in asked.output
    assert (folder / "index_metadata.pickle").is_file() and not (folder / "index_metadata.pickle.damaged").exists()
    kb = KnowledgeBase(Settings())
    assert not kb.store.vector_problem and kb.store.count() == 384


def test_damage_that_stays_is_still_reported_at_once_after_the_files_settle(damaged_copy):
    folder = _segments(damaged_copy)["vectors"][0]
    _truncate(folder / "header.bin", 0)
    started = time.monotonic()
    found = damaged_segments(damaged_copy / "chroma")
    assert time.monotonic() - started < DAMAGE_SETTLE_MAX_S / 2  # one more look, not the wait for a slow writer
    assert [(d.collection.split("-")[1], d.folder) for d in found] == [("vectors", folder)]
    asked = runner.invoke(app, ["ask", QUESTION])
    assert DAMAGED in asked.output and "header.bin 有 0 字节" in asked.output


# F12: a damaged or missing vector index


def _garble_pickle(folder: Path) -> None:
    (folder / "index_metadata.pickle").write_bytes(b"garbage\n")


def _garble_header(folder: Path) -> None:
    (folder / "header.bin").write_bytes(bytes(range(100)))


def _cut_data(folder: Path) -> None:
    _truncate(folder / "data_level0.bin", 100)


def _remove_folders(folder: Path) -> None:
    for segment in folder.parent.iterdir():
        if segment.is_dir():
            shutil.rmtree(segment)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_cut_data, "data_level0.bin 不完整"),
        (_remove_folders, "索引文件夹不存在"),
        (_garble_pickle, "index_metadata.pickle"),
        (_garble_header, "不是有效的索引头"),
    ],
    ids=["data-level0-truncated", "folders-deleted", "pickle-garbage", "header-garbage"],
)
def test_a_damaged_vector_index_answers_lexically_and_the_next_ingest_repairs_it(
    damaged_copy, tmp_path, damage, reason
):
    damage(_segments(damaged_copy)["vectors"][0])
    asked = runner.invoke(app, ["ask", QUESTION])
    assert asked.exit_code == 0, asked.output
    assert DAMAGED in asked.output and reason in asked.output and "只按词语检索" in asked.output
    assert "第3项安全措施" in asked.output and "意外错误" not in asked.output

    searched = runner.invoke(app, ["search", "动火作业 防火措施"])
    assert searched.exit_code == 0 and "红河市" in searched.output and "意外错误" not in searched.output

    stats = runner.invoke(app, ["stats"])
    assert stats.exit_code == 0 and "文档 6 个，切块 384 个；向量 0%（0/384）" in stats.output
    assert DAMAGED in stats.output

    imported = runner.invoke(app, ["ingest", str(_new_file(tmp_path))])
    assert imported.exit_code == 0, imported.output
    assert "已删除并重建" in imported.output and "向量 100%（385/385）" in imported.output

    stats = runner.invoke(app, ["stats"])
    assert "文档 7 个，切块 385 个；向量 100%（385/385）" in stats.output and DAMAGED not in stats.output
    kb = KnowledgeBase(Settings())
    assert not kb.store.vector_problem and kb.store.count() == 385


def test_the_texts_and_documents_indexes_are_rebuilt_from_the_database(damaged_copy, tmp_path):
    before = _cli(["stats"], damaged_copy, timeout=120).stdout
    segments = _segments(damaged_copy)
    _truncate(segments["texts"][0] / "header.bin", 10)
    _truncate(segments["documents"][0] / "header.bin", 10)

    imported = _cli(["ingest", str(_new_file(tmp_path))], damaged_copy, timeout=180)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "条文内容的索引文件已损坏" in imported.stdout and "文档清单的索引文件已损坏" in imported.stdout
    assert "已导入的内容没有丢失" in imported.stdout

    after = _cli(["stats"], damaged_copy, timeout=120).stdout
    assert "文档 7 个，切块 385 个；向量 100%（385/385）" in after and "文档 6 个，切块 384 个" in before
    shown = _cli(["show", "青山市第2号安全生产规定", "5"], damaged_copy, timeout=120)
    assert shown.returncode == 0 and "第5项安全措施" in shown.stdout


def test_a_rebuild_cut_short_after_the_copy_is_finished_when_the_store_opens(damaged_copy):
    """The copy of a rebuilt collection is complete before the damaged one is removed; a process stopped between
    the removal and the rename leaves the copy, which takes the name back at the next open."""
    # through open_client, as the product opens it: a client opened any other way before it in this process has
    # its SQLite locks dropped by open_client's checks, and read "disk I/O error" afterwards
    client = open_client(Settings())
    name = "anquan-documents-builtin-lsa-256"
    old = client.get_collection(name)
    rows = old.get(include=["metadatas"])
    spare = client.create_collection(f"{name}-rebuild")
    spare.add(ids=rows["ids"], embeddings=[[1.0]] * len(rows["ids"]), metadatas=rows["metadatas"])
    client.delete_collection(name)
    del client, old, spare

    kb = KnowledgeBase(Settings())
    assert len(kb.documents()) == 6
    names = {c if isinstance(c, str) else c.name for c in kb.store.client.list_collections()}
    assert name in names and f"{name}-rebuild" not in names


def test_a_vector_read_that_fails_while_answering_falls_back_to_the_lexical_index(damaged_copy, monkeypatch):
    """Damage the files did not show: Chroma fails the read even after a reopen."""
    kb = KnowledgeBase(Settings())

    class Failing:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise InternalError("Error executing plan: Internal error: Error finding id")

            return fail

        def count(self) -> int:
            return 384

    kb.store.chunks = Failing()
    monkeypatch.setattr(kb.store, "_reopen", lambda if_stale=False: None)
    monkeypatch.setattr(kb.store, "with_vectors", lambda records: frozenset())
    result = Assistant(kb).ask(QUESTION)
    assert "第3项安全措施" in result.answer.text and result.answer.citations
    assert "读取向量索引时出错" in kb.store.vector_problem and "anquan embed" in kb.store.vector_problem


def test_a_vector_read_that_fails_for_a_moment_uses_the_vectors_and_leaves_no_warning(damaged_copy, monkeypatch):
    """Chroma fails a read while another process writes the index back: the read is made again once the files had
    time to settle; and a failure once is not reported for the rest of a server's life."""
    kb = KnowledgeBase(Settings())
    real, failures = kb.store.chunks, {"left": 2}

    class Flaky:
        def __getattr__(self, name):
            found = getattr(real, name)
            if name not in ("get", "query"):
                return found

            def read(*args, **kwargs):
                if failures["left"]:
                    failures["left"] -= 1
                    raise InternalError("Error loading hnsw index")
                return found(*args, **kwargs)

            return read

    ids = kb.store.committed_ids(kb.documents())
    kb.store.chunks = Flaky()
    monkeypatch.setattr(kb.store, "_reopen", lambda if_stale=False: None)
    assert len(kb.store.vectors(ids[:3])) == 3
    assert failures["left"] == 0 and kb.store.vector_problem == ""

    failures["left"] = 4  # the read and its retry after a reopen fail, before and after the pause: said, then forgotten
    assert kb.store.vectors(ids[3:6]) == {}
    assert "读取向量索引时出错" in kb.store.vector_problem
    assert len(kb.store.vectors(ids[6:9])) == 3
    assert kb.store.vector_problem == ""


def test_the_index_files_are_checked_without_loading_them(library, tmp_path):
    folder = tmp_path / "segment"
    shutil.copytree(_segments(library)["vectors"][0], folder)
    assert hnsw_problem(folder, persisted=True) == ""
    header = (folder / "header.bin").read_bytes()
    fields = list(struct.unpack("<i6QiI3QdQ", header))
    fields[3] = fields[2] + 1  # more elements than room for them
    (folder / "header.bin").write_bytes(struct.pack("<i6QiI3QdQ", *fields))
    assert "不是有效的索引头" in hnsw_problem(folder, persisted=True)
    (folder / "header.bin").write_bytes(header)
    (folder / "index_metadata.pickle").write_bytes((folder / "index_metadata.pickle").read_bytes()[:-1])
    assert "index_metadata.pickle" in hnsw_problem(folder, persisted=True)
    assert hnsw_problem(tmp_path / "never-written", persisted=False) == ""
    assert "不存在" in hnsw_problem(tmp_path / "never-written", persisted=True)


# F14, F15, F22: settings


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("ANQUAN_BUILTIN_DIM", "0", "须不小于 16"),
        ("ANQUAN_BUILTIN_DIM", "-5", "须不小于 16"),
        ("ANQUAN_BUILTIN_DIM", "100000", "须不大于 4096"),
        ("ANQUAN_LLM_RETRIES", "-3", "须不小于 0"),
        ("ANQUAN_LLM_TIMEOUT", "-5", "须大于 0"),
        ("ANQUAN_LLM_TIMEOUT", "nan", "须为有限的数字"),
        ("ANQUAN_LLM_TIMEOUT", "0", "须大于 0"),
        ("ANQUAN_LLM_BASE_URL", "http://[::1", "不是有效的网址"),
        ("ANQUAN_LLM_BASE_URL", "http://127.0.0.1:abc/v1", "不是有效的网址"),
        ("ANQUAN_EMBED_URL", "http://[::1", "不是有效的网址"),
        ("ANQUAN_KNOWLEDGE_DIR", "/nonexistent", "知识包文件夹 /nonexistent 不存在"),
        # round 13: the other numeric settings, and the prompts' folder
        ("ANQUAN_INGEST_LOCK_TIMEOUT", "nan", "须为有限的数字"),
        ("ANQUAN_CHROMA_PORT", "99999", "须不大于 65535"),
        ("ANQUAN_CHROMA_PORT", "0", "须不小于 1"),
        ("ANQUAN_LLM_TIMEOUT", "1e308", "须不大于 3600"),
        ("ANQUAN_LOGIN_LOCKOUT_SECONDS", "-5", "须大于 0"),
        ("ANQUAN_LOGIN_LOCKOUT_SECONDS", "nan", "须为有限的数字"),
        ("ANQUAN_EMBED_TIMEOUT", "inf", "须为有限的数字"),
        ("ANQUAN_UPLOAD_MAX_FILES", "0", "须不小于 1"),
        ("ANQUAN_PROMPTS_DIR", "/nonexistent", "提示词文件夹 /nonexistent 不存在"),
    ],
)
def test_a_nonsense_setting_is_refused_naming_it(monkeypatch, name, value, said):
    monkeypatch.setenv(name, value)
    for command in (["ask", QUESTION], ["stats"], ["ingest", "whatever.md"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "配置有误" in result.output and name in result.output and said in result.output
        assert "意外错误" not in result.output and "请改正后重试" in result.output


def test_a_knowledge_dir_that_is_a_file_or_lacks_the_pack_is_told_in_chinese(monkeypatch, tmp_path, damaged_copy):
    a_file = tmp_path / "knowledge.txt"
    a_file.write_text("x", encoding="utf-8")
    monkeypatch.setenv("ANQUAN_KNOWLEDGE_DIR", str(a_file))
    result = runner.invoke(app, ["ask", QUESTION])
    assert result.exit_code == 2 and "ANQUAN_KNOWLEDGE_DIR" in result.output and "不是文件夹" in result.output

    empty = tmp_path / "knowledge"
    empty.mkdir()
    monkeypatch.setenv("ANQUAN_KNOWLEDGE_DIR", str(empty))
    result = runner.invoke(app, ["ask", QUESTION])
    assert result.exit_code == 1 and "知识包有误" in result.output and "ANQUAN_KNOWLEDGE_DIR" in result.output
    assert "意外错误" not in result.output


def test_the_builtin_dimension_in_range_is_accepted(monkeypatch):
    monkeypatch.setenv("ANQUAN_BUILTIN_DIM", "64")
    assert Settings().builtin_dim == 64


# F19: special files given to ingest


@pytest.fixture
def special_files(tmp_path) -> Path:
    folder = tmp_path / "sp"
    folder.mkdir()
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "rand.md").symlink_to("/dev/urandom")
    os.mkfifo(folder / "fifo.md")
    (folder / "loop1.md").symlink_to(folder / "loop2.md")
    (folder / "loop2.md").symlink_to(folder / "loop1.md")
    (folder / "env.txt").symlink_to("/proc/self/environ")
    (folder / "dangling.md").symlink_to(folder / "nothing.md")
    (folder / "good.md").write_text("# 青山市动火规定\n\n第一条 动火作业应当办理许可证。\n", encoding="utf-8")
    return folder


def test_special_paths_are_each_told_as_what_they_are(special_files):
    names = ["zero.txt", "rand.md", "fifo.md", "loop1.md", "env.txt", "dangling.md", "missing.md"]
    reasons = {path.name: result.reason for path, result in walk([special_files / n for n in names]) if result}
    assert "设备文件" in reasons["zero.txt"] and "/dev/zero" in reasons["zero.txt"]
    assert "设备文件" in reasons["rand.md"] and "/dev/urandom" in reasons["rand.md"]
    assert "命名管道" in reasons["fifo.md"]
    assert "符号链接循环" in reasons["loop1.md"]
    assert "虚拟文件" in reasons["env.txt"]
    assert "悬空链接" in reasons["dangling.md"]
    assert reasons["missing.md"] == "路径不存在，请检查拼写"
    assert not any("路径不存在" in reasons[n] for n in names[:-1])


def test_a_pipe_inside_a_folder_is_named_and_never_opened(special_files):
    reasons = {path.name: result.reason for path, result in walk([special_files]) if result}
    assert "命名管道" in reasons["fifo.md"] and "符号链接循环" in reasons["loop1.md"]


def test_ingest_skips_special_paths_without_hanging_and_imports_the_rest(special_files, tmp_path):
    names = ["zero.txt", "rand.md", "fifo.md", "loop1.md", "env.txt", "good.md"]
    data_dir = tmp_path / "data"
    done = _cli(["ingest", *(str(special_files / n) for n in names)], data_dir, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr  # some failed, reported
    out = done.stdout
    assert "新增 1" in out and "失败 5" in out
    for said in ("设备文件", "命名管道", "符号链接循环", "虚拟文件"):
        assert said in out
    assert "路径不存在" not in out and "文件为空" not in out
