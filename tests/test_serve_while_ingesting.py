"""A running `anquan serve` and `anquan ingest` from another process on the same data directory: the server
answers from what was ingested, never calling the index damaged (red-team round 3, K4/K5); over-long questions
are refused at once (W7); a store read failing while the file is sound is a passing fault, not damage."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, REGULATION_NEW, free_port, stop_server, wait_until_serving
from typer.testing import CliRunner

from assistant.cli import app
from assistant.faults import explain
from ingest.pipeline import ingest
from ingest.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
NEW_LAW = "青山市蓝鲸反应釜检修安全规定(2024-03-01).md"
NEW_TEXT = (
    "# 青山市蓝鲸反应釜检修安全规定\n\n第一条 为了加强蓝鲸反应釜检修作业安全管理，制定本规定。\n\n"
    "第二条 蓝鲸反应釜检修前，应当进行氮气置换并检测氧含量，氧含量合格后方可进入。\n"
)
OTHER_LAW = "青山市白鹭储罐清洗安全规定(2024-04-01).md"
OTHER_TEXT = (
    "# 青山市白鹭储罐清洗安全规定\n\n第一条 为了加强白鹭储罐清洗作业安全管理，制定本规定。\n\n"
    "第二条 白鹭储罐清洗前，应当切断物料来源并加装盲板。\n"
)


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_a_running_server_answers_from_what_another_process_ingests(tmp_path):
    from gradio_client import Client

    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANQUAN_")}
    env.update(ANQUAN_DATA_DIR=str(data_dir), ANQUAN_EMBEDDER="builtin", PYTHONUNBUFFERED="1")
    ingest([FIXTURES], Settings(data_dir=data_dir, embedder="builtin"))  # as `anquan ingest` does, in this process
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_until_serving(process, url, log_path, 180, "anquan serve")
            client = Client(url, verbose=False)
            assert client.predict(question="危险作业应急演练多久组织一次？", api_name="/ask")["abstained"] is False
            # two ingests by the CLI while the server runs (the second broke every later read before)
            for folder, name, text in (("one", NEW_LAW, NEW_TEXT), ("two", OTHER_LAW, OTHER_TEXT)):
                (tmp_path / folder).mkdir()
                (tmp_path / folder / name).write_text(text, encoding="utf-8")
                done = _cli(env, "ingest", str(tmp_path / folder))
                assert done.returncode == 0, done.stdout + done.stderr
                client.predict(question="危险作业应急演练多久组织一次？", api_name="/ask")  # a read between
            for question, title in (
                ("蓝鲸反应釜检修前要做什么？", "青山市蓝鲸反应釜检修安全规定"),
                ("白鹭储罐清洗前要做什么？", "青山市白鹭储罐清洗安全规定"),
            ):
                result = client.predict(question=question, api_name="/ask")
                assert result["abstained"] is False, result
                assert any(title in s["citation"] for s in result["sources"]), result
            # an over-long question is refused at once, in Chinese, naming the limit
            started = time.monotonic()
            with pytest.raises(Exception, match="最多 2,000 个字符"):
                client.predict(question="要不要设安全管理机构" * 100_000, api_name="/ask")
            assert time.monotonic() - started < 30
            assert client.predict(question="危险作业应急演练多久组织一次？", api_name="/ask")["abstained"] is False
        finally:
            stop_server(process)
    printed = log_path.read_text(encoding="utf-8", errors="replace")
    assert "malformed" not in printed and "索引已损坏" not in printed, printed


def test_a_failed_read_of_a_sound_store_is_not_called_damage(tmp_path):
    """ "malformed" while SQLite's own check finds the file sound: retry later, never delete the index."""
    import chromadb

    settings = Settings(data_dir=tmp_path)
    chromadb.PersistentClient(path=str(tmp_path / "chroma")).get_or_create_collection("sound-store")
    said = explain(
        RuntimeError("error returned from database: (code: 11) database disk image is malformed"), settings, "回答问题"
    )
    assert "请稍后重试" in said and "请删除" not in said and "索引已损坏" not in said
    (tmp_path / "chroma" / "chroma.sqlite3").write_bytes(b"garbage" * 600)  # really damaged: say what to do
    said = explain(RuntimeError("database disk image is malformed"), settings, "回答问题")
    assert "索引已损坏" in said and "请删除文件夹" in said


def test_the_cli_refuses_an_over_long_question_at_once():
    long = "我们厂120人，要不要设安全管理机构？" * 200
    result = CliRunner().invoke(app, ["ask", long])
    assert result.exit_code == 2 and "最多 2,000 个字符" in result.output.replace("\n", "")
    CliRunner().invoke(app, ["ingest", str(FIXTURES / f"{REGULATION_NEW}.md"), "--no-vectors"])  # chat needs documents
    result = CliRunner().invoke(app, ["chat"], input=f"{long}\n危险作业应急演练多久组织一次？\n\n")
    assert "最多 2,000 个字符" in result.output.replace("\n", "") and "第五条" in result.output  # and chat goes on
