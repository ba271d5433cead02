"""Chroma server mode: a real `chroma run` server on a free localhost port; ingest and ask go through
HttpClient, and two app processes with their own data directories share the server's documents."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BIG5_PLAN, FIXTURES, GBK_PLAN, REGULATION_NEW, free_port, stop_server, wait_until_serving

from assistant.ask import Assistant
from assistant.retrieval import HybridRetriever
from ingest.articles import ArticleRef
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import IngestBusy, ingest
from ingest.settings import Settings

PROJECT = Path(__file__).resolve().parents[1]
QUESTION = "有限空间作业应当坚持什么顺序？"


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """(host, port) of a Chroma server started for this module and stopped after it."""
    # `chroma run`, through this interpreter: the chroma script may not be on PATH (pip install --user)
    chroma = [sys.executable, "-c", "import sys; from chromadb.cli.cli import app; sys.argv[0] = 'chroma'; app()"]
    port = free_port()
    log = tmp_path_factory.mktemp("chroma-log") / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [
                *chroma,
                "run",
                "--path",
                str(tmp_path_factory.mktemp("chroma-server")),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    wait_until_serving(server, f"http://127.0.0.1:{port}/api/v2/heartbeat", log, 60, "chroma run")
    yield "127.0.0.1", port
    stop_server(server)


def _server_settings(server, data_dir: Path) -> Settings:
    host, port = server
    return Settings(data_dir=data_dir, embedder="builtin", chroma_host=host, chroma_port=port)


def _cli(server, data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    host, port = server
    env = {
        **os.environ,
        "ANQUAN_DATA_DIR": str(data_dir),
        "ANQUAN_EMBEDDER": "builtin",
        "ANQUAN_CHROMA_HOST": host,
        "ANQUAN_CHROMA_PORT": str(port),
        "ANQUAN_INGEST_LOCK_TIMEOUT": "120",
    }
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT,
        timeout=300,
    )


@pytest.fixture(scope="module")
def first_app(chroma_server, tmp_path_factory):
    """App A ingests the regulation and the GBK plan through the server."""
    folder = tmp_path_factory.mktemp("app-a-files")
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    (folder / f"{GBK_PLAN}.txt").write_bytes((FIXTURES / f"{GBK_PLAN}.txt").read_text(encoding="utf-8").encode("gbk"))
    settings = _server_settings(chroma_server, tmp_path_factory.mktemp("app-a-data"))
    report = ingest([folder], settings)
    return settings, report


def test_ingest_and_ask_go_through_the_server(first_app):
    settings, report = first_app
    assert {r.doc_id for r in report.results if r.status == "added"} == {REGULATION_NEW, GBK_PLAN}
    kb = KnowledgeBase(settings)
    assert kb.store.is_server and kb.store.location.startswith("Chroma 服务器 127.0.0.1:")
    assert not (settings.data_dir / "chroma").exists()  # nothing went to an embedded store
    assert "先通风、再检测、后作业" in kb.get_article(REGULATION_NEW, ArticleRef(6)).text
    answer = Assistant(kb).ask(QUESTION).answer
    assert {"doc": REGULATION_NEW, "article": "第六条"} in answer.citations


def test_two_app_processes_share_the_server_and_see_each_others_documents(chroma_server, first_app, tmp_path):
    """This test process is app A; app B is the CLI with a data directory of its own."""
    settings_a, _ = first_app
    data_b = tmp_path / "app-b-data"  # a second installation: nothing local yet
    asked = _cli(chroma_server, data_b, "ask", "--json", QUESTION)
    assert asked.returncode == 0, asked.stdout + asked.stderr
    retrieved = json.loads(asked.stdout)["retrieved"]
    assert (retrieved[0]["doc"], retrieved[0]["article"]) == (REGULATION_NEW, "第六条")
    assert json.loads(asked.stdout) == Assistant(KnowledgeBase(settings_a)).ask(QUESTION).to_format()

    folder = tmp_path / "app-b-files"
    folder.mkdir()
    (folder / f"{BIG5_PLAN}.txt").write_bytes(
        (FIXTURES / f"{BIG5_PLAN}.txt").read_text(encoding="utf-8").encode("big5")
    )
    added = _cli(chroma_server, data_b, "ingest", str(folder))
    assert added.returncode == 0, added.stdout + added.stderr
    assert "新增 1" in added.stdout and "重新拟合" not in added.stdout  # B embeds with A's fit, no refit

    kb_a = KnowledgeBase(settings_a)
    assert set(kb_a.documents()) == {REGULATION_NEW, GBK_PLAN, BIG5_PLAN}
    results = HybridRetriever(kb=kb_a, k=3).invoke("商贸系统安全生产工作重点检查哪些场所")
    assert results[0].metadata["doc_id"] == BIG5_PLAN  # A finds what B ingested (its BM25 was rebuilt)
    for name in ("lsa.joblib", "lsa.json"):  # both processes embed into one vector space
        assert (data_b / "embedder" / name).read_bytes() == (settings_a.data_dir / "embedder" / name).read_bytes()


def test_only_one_process_writes_to_the_server_at_a_time(chroma_server, first_app, tmp_path):
    settings_a, _ = first_app
    folder = tmp_path / "files"
    folder.mkdir()
    # another regulation (a copy of one the server holds would be skipped as that copy)
    (folder / "另一份条例.md").write_text("# 另一份条例\n\n第一条 为了加强安全管理，制定本条例。\n", encoding="utf-8")
    settings_c = _server_settings(chroma_server, tmp_path / "app-c-data").model_copy(update={"ingest_lock_timeout": 1})
    with KnowledgeBase(settings_a).writer_lease():  # app A is writing; app C, on its own data directory, waits
        with pytest.raises(IngestBusy, match="另一个导入任务正在写入 Chroma 服务器"):
            ingest([folder], settings_c)
    assert "另一份条例" not in KnowledgeBase(settings_a).documents()
    assert ingest([folder], settings_c).count("added") == 1  # released: C goes ahead


def test_a_lease_left_by_a_killed_ingest_expires(chroma_server, first_app, tmp_path):
    settings_a, _ = first_app
    kb = KnowledgeBase(settings_a)
    # what an ingest killed with kill -9 leaves behind: a lease nobody renews, expired by now
    kb.shared.collection.upsert(
        ids=["lease"],
        embeddings=[[0.0]],
        metadatas=[{"kind": "lease", "token": "killed", "holder": "另一台机器 进程 4242", "expires": time.time() - 1}],
    )
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "无条文的提示.md").write_text(
        "# 青山市防汛提示\n\n一、汛期地下空间作业前应当检查排水设施。\n", encoding="utf-8"
    )
    settings = _server_settings(chroma_server, settings_a.data_dir).model_copy(update={"ingest_lock_timeout": 5})
    assert ingest([folder], settings).count("added") == 1
    assert not kb.shared.collection.get(ids=["lease"])["ids"]  # released after the ingest
