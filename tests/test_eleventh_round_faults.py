"""Red-team round 11 (issue 16), faults and races: a self-check answers file whose YAML timestamps are not dates
(A1) is refused in Chinese, not "意外错误"; two web uploads of one file name at once are imported one after the
other, each user told what happened to their own file (W5); the login throttling trusts no X-Forwarded-For it was
not told to (W1), does not let five wrong passwords lock the administrator out (W2) and forgets no lockout to make
room for a flood of made-up names (W3); a Chroma database locked by another program is reported within a bounded
wait, naming the file (F6); a damaged or unusable shared vector cache is warned about once and left aside, the
ingest going on without it (V2, V3)."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from conftest import free_port, isolated_settings
from fastapi import HTTPException
from typer.testing import CliRunner

from assistant.cli import app
from assistant.pack import KnowledgePack
from assistant.selfcheck import AnswerError, build_checklist, load_answers, read_profile
from ingest.errors import UserFacingError
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]

LAW = """# 青山市测试安全生产条例

第一条 为了加强安全生产工作，防止和减少生产安全事故，制定本条例。

第二条 生产经营单位应当建立健全全员安全生产责任制和安全生产规章制度。

第三条 生产经营单位应当组织从业人员进行安全生产教育和培训，未经培训合格的，不得上岗作业。
"""


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "青山市测试安全生产条例(2024-01-01).md").write_text(LAW, encoding="utf-8")
    return folder


# --- A1: YAML timestamps that are not dates in an answers file -----------------------------------------------


@pytest.fixture(scope="module")
def checklist():
    pack = KnowledgePack(Settings().knowledge_dir)
    return build_checklist(None, pack, read_profile(pack, "餐饮", 25, description="中餐馆，后厨用管道天然气"))


@pytest.mark.parametrize(
    "value", ["2021-02-30", "2021-13-01 25:61:61", "2021-02-29T00:00:00Z", "2021-12-14", "2021-1-1 1:2:3.5"]
)
def test_a_timestamp_as_an_answer_is_read_as_written_and_refused_in_chinese(checklist, tmp_path, value):
    """PyYAML's timestamp constructor raised ValueError (2021-02-30): 义务自查时发生意外错误（ValueError）."""
    first = checklist.items[0].id
    answers = tmp_path / "回答.yaml"
    answers.write_text(f"{first}: {value}\n", encoding="utf-8")
    with pytest.raises(AnswerError) as refused:
        load_answers(answers, checklist)
    assert f"回答.yaml 第 1 行：条目“{first}”的回答“{value}”无法识别；只能填 是、否 或 不确定" in str(refused.value)


@pytest.mark.parametrize("value", ["2021-02-30", "2021-13-01 25:61:61"])
def test_a_timestamp_as_an_item_id_or_in_a_list_is_named_as_written(checklist, tmp_path, value):
    as_key = tmp_path / "answers.yaml"
    as_key.write_text(f"{value}: 是\n", encoding="utf-8")
    with pytest.raises(AnswerError, match=rf"条目编号“{value}”不在本次自查清单中；请使用清单中的编号"):
        load_answers(as_key, checklist)
    first = checklist.items[0].id
    as_list = tmp_path / "list.yaml"
    as_list.write_text(f"- {{id: {first}, answer: {value}}}\n", encoding="utf-8")
    with pytest.raises(AnswerError, match=rf"第 1 项：条目“{first}”的回答“{value}”无法识别"):
        load_answers(as_list, checklist)


def test_yes_no_and_plain_answers_keep_their_meaning(checklist, tmp_path):
    first, second, third = (item.id for item in checklist.items[:3])
    answers = tmp_path / "answers.yml"
    answers.write_text(f"{first}: yes\n{second}: false\n{third}: 不确定\n", encoding="utf-8")
    assert load_answers(answers, checklist) == {first: "是", second: "否", third: "不确定"}


@pytest.mark.parametrize("body", ["a: 2021-02-30\n", "a: 2021-13-01 25:61:61\n"])
def test_the_cli_check_says_what_is_wrong_with_the_answers_file(tmp_path, body):
    answers = tmp_path / "badday.yaml"
    answers.write_text(body, encoding="utf-8")
    result = runner.invoke(app, ["check", "--industry", "餐饮", "--employees", "25", "--answers", str(answers)])
    assert "意外错误" not in result.output and "ValueError" not in result.output
    assert "badday.yaml 第 1 行：条目编号“a”不在本次自查清单中；请使用清单中的编号" in result.output
    assert result.exit_code == 2


# --- W5: two web uploads of one file name at once -----------------------------------------------------------

NOTICE = "青山区安全生产工作通知(2025-01-01).md"


BINARY = bytes(range(256)) * 20  # an image renamed .md: refused as binary


def notice(version: str) -> str:
    return f"# 青山区安全生产工作通知\n\n第一条 版本{version}：各单位应当组织安全生产教育培训。\n"


def _index_versions(ctx) -> set[str]:
    """The versions (零, 一, 二) of the notice the index holds for its current record."""
    import re

    ctx.kb.store.invalidate()
    record = ctx.kb.documents()[NOTICE.removesuffix(".md")]
    chunks = ctx.kb.store.document_chunks(record.doc_id, record.hash)
    return set(re.findall(r"版本(.)", "\n".join(c.text for c in chunks)))


def _upload(ctx, folder: Path, content: bytes | str) -> tuple[str, list[list]]:
    from assistant.web.library_tab import import_uploads

    folder.mkdir(parents=True)
    path = folder / NOTICE
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return import_uploads(ctx, [str(path)])


@pytest.fixture
def web(tmp_path):
    """A web context on a data directory holding version 零 of the notice, uploaded through the web; and a log of
    (file in uploads/ when the ingest started, when it ended) for each web ingest."""
    from assistant.web.context import WebContext

    ctx = WebContext(isolated_settings(tmp_path / "data"))
    message, rows = _upload(ctx, tmp_path / "v0", notice("零"))
    assert rows[0][1] == "新增", message
    seen: list[tuple[bytes, bytes]] = []
    write = ctx.write

    def watched(method, paths, **kwargs):
        before = Path(paths[0]).read_bytes()
        try:
            return write(method, paths, **kwargs)
        finally:
            seen.append((before, Path(paths[0]).read_bytes() if Path(paths[0]).exists() else b""))

    ctx.write = watched
    yield ctx, seen
    ctx.close()


def _race(ctx, tmp_path: Path, first: bytes | str, second: bytes | str) -> tuple[tuple, tuple]:
    results: dict[str, tuple] = {}

    def run(label: str, content) -> None:
        results[label] = _upload(ctx, tmp_path / label, content)

    threads = [threading.Thread(target=run, args=("A", first)), threading.Thread(target=run, args=("B", second))]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join(240)
    return results["A"], results["B"]


def test_two_uploads_of_one_name_at_once_are_imported_one_after_the_other(web, tmp_path):
    """A was told 更新 for v1 while the index and uploads/ held B's v2: B had moved its file in under A's ingest."""
    ctx, seen = web
    (a_message, a_rows), (b_message, b_rows) = _race(ctx, tmp_path, notice("一"), notice("二"))
    assert a_rows[0][1] == "更新" and b_rows[0][1] == "更新", (a_message, b_message)
    assert a_message.startswith("✓ 导入完成") and b_message.startswith("✓ 导入完成")
    # no ingest had its file swapped underneath it: each read what its own user uploaded
    assert len(seen) == 2 and all(before == after for before, after in seen)
    assert {before.decode("utf-8") for before, _ in seen} == {notice("一"), notice("二")}
    last = seen[-1][0].decode("utf-8")  # the upload imported last is what is kept and indexed
    assert (Path(ctx.settings.data_dir) / "uploads" / NOTICE).read_text(encoding="utf-8") == last
    assert _index_versions(ctx) == {last.split("版本")[1][0]}
    assert not list((Path(ctx.settings.data_dir) / "upload-staging").glob("*/*"))


def test_a_binary_upload_racing_a_good_one_is_told_it_failed(web, tmp_path):
    """With a binary A, A was still told 更新 (B's good file had been moved in under A's name)."""
    ctx, seen = web
    (a_message, a_rows), (b_message, b_rows) = _race(ctx, tmp_path, BINARY, notice("二"))
    assert a_rows[0][1] == "失败" and a_message.startswith("⚠ 有文件未能导入"), a_message
    assert b_rows[0][1] == "更新", b_message
    assert all(before == after for before, after in seen)
    assert (Path(ctx.settings.data_dir) / "uploads" / NOTICE).read_text(encoding="utf-8") == notice("二")
    assert _index_versions(ctx) == {"二"}


def test_a_good_upload_racing_a_binary_one_keeps_the_good_file(web, tmp_path):
    ctx, seen = web
    (a_message, a_rows), (b_message, b_rows) = _race(ctx, tmp_path, notice("一"), BINARY)
    assert a_rows[0][1] == "更新" and b_rows[0][1] == "失败", (a_message, b_message)
    assert all(before == after for before, after in seen)
    assert (Path(ctx.settings.data_dir) / "uploads" / NOTICE).read_text(encoding="utf-8") == notice("一")
    assert _index_versions(ctx) == {"一"}


def test_ingest_uploads_moves_ingests_and_restores_under_the_lock(tmp_path):
    """The batch's critical section, without a worker: while one batch ingests, another of the same name waits."""
    from assistant.web.uploads import accept_uploads, ingest_uploads
    from ingest.report import FileResult, IngestReport

    settings = isolated_settings(tmp_path / "data")
    lock = threading.RLock()
    read: list[tuple[str, str]] = []

    def run_as(label: str):
        def run(paths: list[Path]) -> IngestReport:
            start = paths[0].read_text(encoding="utf-8")
            time.sleep(0.3)  # another upload of the name arrives meanwhile
            read.append((start, paths[0].read_text(encoding="utf-8")))
            report = IngestReport()
            report.results.append(FileResult(path=paths[0], status="updated", doc_id="x"))
            return report

        return run

    batches = []
    for label in ("一", "二"):
        source = tmp_path / label / NOTICE
        source.parent.mkdir()
        source.write_text(notice(label), encoding="utf-8")
        batches.append(accept_uploads([source], settings))
    threads = [
        threading.Thread(target=ingest_uploads, args=(batch, run_as(str(n)), lock)) for n, batch in enumerate(batches)
    ]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join(10)
    assert [start == end for start, end in read] == [True, True]
    assert (settings.data_dir / "uploads" / NOTICE).read_text(encoding="utf-8") == read[-1][0]


# --- W1, W2, W3: login throttling ---------------------------------------------------------------------------


@contextmanager
def from_address(address: str) -> Iterator[None]:
    from assistant.web.login import _CLIENT

    token = _CLIENT.set(address)
    try:
        yield
    finally:
        _CLIENT.reset(token)


def attempt(guard, user: str, password: str, address: str) -> int:
    with from_address(address):
        try:
            return 200 if guard.check(user, password) else 400
        except HTTPException as refused:
            assert refused.status_code == 429
            assert "登录失败次数过多，已暂时锁定" in refused.detail and "秒后再试" in refused.detail
            return 429


def make_guard(**more):
    from assistant.web.login import LoginGuard

    settings = Settings(login_max_failures=5, login_lockout_seconds=30, login_lockout_max_seconds=900, **more)
    return LoginGuard("admin", "Secr3t!pw", settings)


def test_a_flood_of_made_up_names_does_not_evict_a_lockout():
    """6,000 failed logins with made-up names from rotating addresses evicted admin's lockout from the table."""
    guard = make_guard()
    guard.max_tracked = 200
    assert [attempt(guard, "admin", f"wrong{n}", "10.4.0.1") for n in range(6)] == [400] * 5 + [429]
    codes = [attempt(guard, f"flood{n}", "x", f"10.5.{n // 250}.{n % 250}") for n in range(3000)]
    assert set(codes) == {400}
    assert len(guard._failures) <= guard.max_tracked + 1  # bounded: the flood's unlocked entries were dropped
    assert [attempt(guard, "admin", f"again{n}", "10.4.0.1") for n in range(3)] == [429] * 3


def test_a_table_full_of_lockouts_forgets_none_of_them():
    guard = make_guard()
    guard.max_tracked = 20
    for n in range(20):  # every tracked address locked out
        assert [attempt(guard, f"u{n}", "x", f"10.6.0.{n}") for _ in range(5)] == [400] * 5
    for n in range(100):  # more addresses: nothing can be made room for
        assert attempt(guard, f"v{n}", "x", f"10.7.0.{n}") == 400
    assert all(attempt(guard, "anyone", "x", f"10.6.0.{n}") == 429 for n in range(20))
    assert attempt(guard, "admin", "Secr3t!pw", "10.8.0.1") == 200  # the administrator is not refused


def test_five_wrong_passwords_from_elsewhere_do_not_lock_the_administrator_out():
    """5 wrong passwords for admin from 5 addresses locked the right password out from a 6th (doubling to 900 s)."""
    guard = make_guard()
    assert [attempt(guard, "admin", "wrong", f"10.2.0.{n}") for n in range(5)] == [400] * 5
    assert attempt(guard, "admin", "Secr3t!pw", "10.3.0.1") == 200
    # an address that failed five times is locked, for the right password too
    assert [attempt(guard, "admin", "wrong", "10.2.1.1") for _ in range(5)] == [400] * 5
    assert attempt(guard, "admin", "Secr3t!pw", "10.2.1.1") == 429


def test_guessing_the_administrators_password_from_many_addresses_is_bounded():
    guard = make_guard(login_user_max_failures=20)
    codes = [attempt(guard, "admin", f"guess{n}", f"10.9.{n // 4}.{n % 4}") for n in range(24)]
    assert codes[:20] == [400] * 20 and set(codes[20:]) == {429}  # four per address, then the user name locks
    with from_address("10.10.0.1"), pytest.raises(HTTPException) as locked:
        guard.check("admin", "Secr3t!pw")
    assert "（管理员可重启 anquan serve 立即解除）" in locked.value.detail
    assert attempt(guard, "someone-else", "x", "10.10.0.2") == 400  # other names are not locked by it


def _login(url: str, user: str, password: str, forwarded: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        url + "/login", data=urllib.parse.urlencode({"username": user, "password": password}).encode()
    )
    if forwarded:
        request.add_header("X-Forwarded-For", forwarded)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode("utf-8")


@contextmanager
def served_with_login(monkeypatch, **env: str) -> Iterator[str]:
    from assistant.web.app import launch

    monkeypatch.setenv("ANQUAN_WEB_USER", "admin")
    monkeypatch.setenv("ANQUAN_WEB_PASSWORD", "Secr3t!pw")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.1")  # what uvicorn believes by default, restored after
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    demo = launch(Settings(), port=port, quiet=True, block=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        demo.close()


def test_a_forged_x_forwarded_for_does_not_defeat_the_address_limit(monkeypatch):
    """12 wrong logins with random names, each with its own X-Forwarded-For: all 400, never 429."""
    with served_with_login(monkeypatch) as url:
        codes = [_login(url, f"u{n}", "wrong", f"10.1.{n}.7") for n in range(8)]
        assert [c for c, _ in codes[:5]] == [400] * 5 and {c for c, _ in codes[5:]} == {429}
        assert json.loads(codes[0][1])["detail"] == "用户名或密码不正确。"
        assert "登录失败次数过多" in json.loads(codes[-1][1])["detail"]


def test_x_forwarded_for_is_believed_from_a_configured_proxy(monkeypatch):
    with served_with_login(monkeypatch, ANQUAN_WEB_TRUSTED_PROXIES="127.0.0.1") as url:
        codes = [_login(url, f"u{n}", "wrong", f"10.1.{n}.7") for n in range(7)]
        assert [c for c, _ in codes] == [400] * 7  # each client behind the proxy is counted on its own
        assert [_login(url, "x", "wrong", "10.1.99.1")[0] for _ in range(6)][-1] == 429
        assert _login(url, "admin", "Secr3t!pw", "10.1.98.1")[0] == 200


# --- F6: the Chroma database locked by another program ------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A data directory holding one small regulation (built-in embedder), built in a child process: this process
    must have no Chroma client on it (see ingest.store.use_wal); each test works on its own copy."""
    corpus = write_corpus(tmp_path_factory.mktemp("f6-corpus"))
    data = tmp_path_factory.mktemp("f6-build") / "data"
    env = {**os.environ, "ANQUAN_DATA_DIR": str(data), "ANQUAN_EMBEDDER": "builtin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", str(corpus)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return data


@pytest.fixture
def data(built, tmp_path, monkeypatch) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(built, copy)
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(copy))
    monkeypatch.setenv("ANQUAN_STORE_LOCK_WAIT_S", "1")
    return copy


@contextmanager
def locked(database: Path, how: str = "BEGIN EXCLUSIVE", seconds: float = 60) -> Iterator[None]:
    """Another process holding the database in a transaction (as a sqlite shell or a backup tool does)."""
    script = (
        "import sqlite3, sys, time\n"
        f"db = sqlite3.connect({str(database)!r}, isolation_level=None)\n"
        f"db.execute({how!r})\n"
        "db.execute('CREATE TABLE IF NOT EXISTS anquan_test_lock (x)') if 'IMMEDIATE' in sys.argv[1] else None\n"
        "print('locked', flush=True)\n"
        f"time.sleep({seconds})\n"
        "db.execute('ROLLBACK')\n"
    )
    locker = subprocess.Popen([sys.executable, "-c", script, how], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        yield
    finally:
        locker.kill()
        locker.wait()


def _locked_message(output: str, data: Path) -> None:
    assert f"知识库数据库 {data / 'chroma' / 'chroma.sqlite3'} 被其他程序锁定" in output, output
    assert "等待 1 秒后仍未释放" in output and "请关闭正在使用该文件的程序（或等导入完成）后重试" in output


@pytest.mark.parametrize(
    "args", [["stats"], ["ask", "生产经营单位应当建立什么制度"], ["show", "青山市测试安全生产条例", "2"]]
)
def test_a_locked_database_is_reported_within_the_wait(data, args):
    """stats printed nothing for the 100 s of the lock; ask and ingest nothing for 180 s (killed by timeout)."""
    with locked(data / "chroma" / "chroma.sqlite3"):
        started = time.monotonic()
        result = runner.invoke(app, args)
        assert time.monotonic() - started < 20
    assert result.exit_code == 1
    _locked_message(result.output, data)
    after = runner.invoke(app, ["stats"])  # the lock released: everything is there
    assert after.exit_code == 0 and "文档 1 个" in after.output, after.output


def test_an_ingest_into_a_locked_database_changes_nothing(data, tmp_path):
    new = tmp_path / "new"
    new.mkdir()
    (new / "青山市测试消防规定.md").write_text(
        "# 青山市测试消防规定\n\n第一条 单位应当配置消防器材。\n", encoding="utf-8"
    )
    with locked(data / "chroma" / "chroma.sqlite3", "BEGIN IMMEDIATE"):
        result = runner.invoke(app, ["ingest", str(new)])
    assert result.exit_code == 1
    _locked_message(result.output, data)
    assert "知识库内容未改动" in result.output
    assert "文档 1 个" in runner.invoke(app, ["stats"]).output


def test_a_lock_released_within_the_wait_is_waited_for(data, monkeypatch):
    monkeypatch.setenv("ANQUAN_STORE_LOCK_WAIT_S", "15")
    with locked(data / "chroma" / "chroma.sqlite3", seconds=1.5):
        result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0 and "文档 1 个" in result.output, result.output


def test_the_web_and_the_api_get_the_same_message(data):
    from assistant.faults import user_message

    with locked(data / "chroma" / "chroma.sqlite3"), pytest.raises(UserFacingError) as refused:
        KnowledgeBase(Settings())
    _locked_message(str(refused.value), data)
    assert user_message(refused.value) == str(refused.value)  # shown as it is, no log path, no 请重试


# --- V2, V3: a damaged or unusable shared vector cache ------------------------------------------------------

DIM = 16


def _vector(text: str) -> list[float]:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    values = [((digest[i % 32] + i * 7) % 251) / 251 - 0.5 for i in range(DIM)]
    for char in text[:200]:
        values[ord(char) % DIM] += 0.05
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


@pytest.fixture(scope="module")
def embed_url() -> Iterator[str]:
    """A minimal OpenAI-compatible /v1/embeddings server (16 dimensions)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            texts = [body["input"]] if isinstance(body["input"], str) else body["input"]
            reply = json.dumps(
                {
                    "object": "list",
                    "model": body.get("model"),
                    "data": [{"object": "embedding", "index": i, "embedding": _vector(t)} for i, t in enumerate(texts)],
                    "usage": {"prompt_tokens": 1, "total_tokens": 1},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def _server_settings(data: Path, url: str, cache: Path) -> Settings:
    return Settings(
        data_dir=data, embedder="server", embed_url=url, embed_model="same-name", vector_cache=cache, chroma_host=None
    )


def _break_in_the_middle(cache: Path) -> None:
    with cache.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\xde\xad" * 8000)


def _garbage(cache: Path) -> None:
    cache.write_bytes(os.urandom(64 * 1024))


def _directory(cache: Path) -> None:
    cache.unlink()
    cache.mkdir()
    (cache / "inside").write_text("x")


BREAKS = {  # how the cache is broken: (what does it, the reason shown, what to delete)
    "damaged in the middle": (_break_in_the_middle, "已损坏", "文件"),
    "random bytes": (_garbage, "已损坏", "文件"),
    "a directory": (_directory, "是一个文件夹而不是缓存文件", "文件夹"),
}


def _cache_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("向量缓存 ")]


@pytest.mark.parametrize("name", list(BREAKS))
def test_an_ingest_goes_on_without_an_unusable_vector_cache(tmp_path, embed_url, caplog, name):
    """The damaged cache failed the ingest with "知识库暂时无法读取…请稍后重试", blaming the data directory."""
    from ingest.embedders import cache as cache_module

    warned_before = set(cache_module._WARNED)
    cache_module._WARNED.clear()
    try:
        cache = tmp_path / "vectors.sqlite"
        first = write_corpus(tmp_path / "first")
        report = ingest([first], _server_settings(tmp_path / "data", embed_url, cache))
        assert [r.status for r in report.results] == ["added"] and cache.stat().st_size > 8192
        breaks, why, what = BREAKS[name]
        breaks(cache)
        second = tmp_path / "second"
        second.mkdir()
        (second / "青山市测试消防规定.md").write_text(
            "# 青山市测试消防规定\n\n第一条 单位应当配置消防器材。\n\n第二条 消防通道不得堵塞。\n", encoding="utf-8"
        )
        with caplog.at_level(logging.WARNING):
            settings = _server_settings(tmp_path / "data", embed_url, cache)
            report = ingest([second], settings)
        assert [r.status for r in report.results] == ["added"], report.results
        warnings = _cache_warnings(caplog)
        assert len(warnings) == 1, warnings
        assert warnings[0].startswith(f"向量缓存 {cache} {why}，本次已不使用缓存：向量照常计算")
        assert f"可删除该{what}（下次会重建缓存）" in warnings[0]
        kb = KnowledgeBase(settings)
        assert "青山市测试消防规定" in kb.documents()
        from ingest.vector_builder import coverage

        assert coverage(kb).complete, coverage(kb)
    finally:
        cache_module._WARNED.clear()
        cache_module._WARNED.update(warned_before)


def test_embedding_with_a_broken_cache_gives_the_vectors_and_warns_once(tmp_path, embed_url, caplog):
    from ingest.embedders import cache as cache_module
    from ingest.embedders.server import ServerEmbeddings

    cache = tmp_path / "vectors.sqlite"
    embedder = ServerEmbeddings(embed_url, "same-name", cache_path=cache)
    texts = ["第一条 甲", "第二条 乙", "第三条 丙"]
    expected = np.asarray([_vector(t) for t in texts], dtype=np.float32)
    assert np.allclose(embedder.embed_array(texts), expected)
    _garbage(cache)
    cache_module._WARNED.discard(str(cache))
    with caplog.at_level(logging.WARNING):
        again = ServerEmbeddings(embed_url, "same-name", cache_path=cache)
        for _ in range(3):
            assert np.allclose(again.embed_array([*texts, "第四条 丁"])[:3], expected)
    assert len(_cache_warnings(caplog)) == 1
    assert again.cache is not None and again.cache.usable is False


def test_a_cache_whose_folder_cannot_be_made_is_left_aside(tmp_path, embed_url, caplog):
    from ingest.embedders.server import ServerEmbeddings

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING):
        embedder = ServerEmbeddings(embed_url, "same-name", cache_path=blocker / "vectors.sqlite")
        vectors = embedder.embed_array(["第一条 甲"])
    assert vectors.shape == (1, DIM)
    assert any(f"向量缓存 {blocker / 'vectors.sqlite'} " in m for m in _cache_warnings(caplog))


def test_the_cli_ingest_prints_the_warning_and_succeeds(tmp_path, embed_url):
    """What the user of `anquan ingest` reads on the terminal (a real process: its own stderr)."""
    cache = tmp_path / "vectors.sqlite"
    cache.mkdir()
    corpus = write_corpus(tmp_path / "corpus")
    env = {
        **os.environ,
        "ANQUAN_DATA_DIR": str(tmp_path / "data"),
        "ANQUAN_EMBEDDER": "server",
        "ANQUAN_EMBED_URL": embed_url,
        "ANQUAN_EMBED_MODEL": "same-name",
        "ANQUAN_VECTOR_CACHE": str(cache),
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "200",
    }
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", str(corpus)], env=env, capture_output=True, text=True
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert output.count(f"向量缓存 {cache} 是一个文件夹而不是缓存文件") == 1, output
    assert "新增 1" in output and "向量 100%" in output, output
    assert "意外错误" not in output and "请稍后重试" not in output
