"""The served web's answers where Gradio or FastAPI would answer on their own terms (round 16, F7 and F9): with a
login configured, no route answers before login (Gradio left /gradio_api/reset, /cancel, the stream and
heartbeat routes unchecked, and FastAPI listed every route at /openapi.json); Gradio's English errors a user or
an API client meets (an upload over the limit, a path that was not uploaded, not logged in, a login without a
password field) are said in Chinese. Real server, real HTTP."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from test_twelfth_round_web import fn_index, gradio_temp, post_file, queue_call, served  # noqa: F401 - a fixture

from assistant.web.refusals import NOT_LOGGED_IN, _rewrite_error, _rewrite_events

LOGIN = {"ANQUAN_WEB_USER": "admin", "ANQUAN_WEB_PASSWORD": "pw123456"}
UNCHECKED = [
    ("POST", "/gradio_api/reset", {"event_id": "x"}),
    ("POST", "/gradio_api/cancel", {"session_hash": "s", "fn_index": 0, "event_id": "x"}),
    ("POST", "/gradio_api/stream/x", {}),
    ("GET", "/gradio_api/heartbeat/s", None),
]


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(tmp_path / "data"))


def _refused_in_chinese(response: httpx.Response) -> None:
    assert response.status_code == 401, (response.request.url, response.status_code, response.text)
    assert response.json()["detail"] == NOT_LOGGED_IN


def test_before_login_no_route_answers_and_after_login_the_page_works(data, monkeypatch):
    with served(monkeypatch, **LOGIN) as (url, _), httpx.Client(base_url=url, timeout=60) as client:
        for method, path, body in UNCHECKED:
            _refused_in_chinese(client.request(method, path, json=body))
        # Gradio's own check on its data routes, in Chinese too
        called = client.post("/gradio_api/call/ask", json={"data": ["动火作业要审批吗"]})
        assert called.status_code == 401 and "Not authenticated" not in called.text, called.text
        assert NOT_LOGGED_IN in json.dumps(called.json(), ensure_ascii=False)
        assert client.get("/openapi.json").status_code == 404  # FastAPI's schema of every route
        # the login page itself still loads
        assert client.get("/").status_code == 200
        # a login without a password field: a Chinese reason, not pydantic's "Field required"
        missing = client.post("/login", data={"username": "admin"})
        assert missing.status_code == 422 and "password" in missing.text and "Field required" not in missing.text
        assert "须以表单提交" in missing.json()["detail"]
        # logged in, the same routes answer as Gradio does
        assert client.post("/login", data={"username": "admin", "password": "pw123456"}).status_code == 200
        assert client.post("/gradio_api/reset", json={"event_id": "x"}).json() == {"success": True}
        answered = client.post("/gradio_api/call/ask", json={"data": ["动火作业要审批吗"]})
        assert answered.status_code == 200 and "event_id" in answered.json(), answered.text


def test_without_a_login_configured_nothing_is_refused(data, monkeypatch):
    with served(monkeypatch) as (url, _), httpx.Client(base_url=url, timeout=60) as client:
        assert client.post("/gradio_api/reset", json={"event_id": "x"}).json() == {"success": True}
        assert client.get("/openapi.json").status_code == 404


def test_english_errors_not_known_by_name_are_said_in_chinese_by_their_status(data, monkeypatch):
    """Round 17: Starlette's 405 "Method Not Allowed", Gradio's "Invalid key." and "Invalid JSON body." reached
    API clients in English."""
    with served(monkeypatch) as (url, _), httpx.Client(base_url=url, timeout=60) as client:
        replies = [
            client.put("/gradio_api/info"),  # a read-only route: 405
            client.delete("/gradio_api/upload"),
            client.get("/monitoring/not-the-key"),  # Gradio's monitoring dashboard
            client.post("/gradio_api/queue/join", content=b"{not json", headers={"content-type": "application/json"}),
        ]
        for reply in replies:
            assert reply.status_code >= 400, (reply.request.url, reply.status_code, reply.text)
            detail = reply.json()["detail"]
            text = json.dumps(detail, ensure_ascii=False)
            assert re.search(r"[\u4e00-\u9fff]", text), (reply.request.method, reply.request.url, text)
            assert not re.search(r"Method Not Allowed|Invalid key|not found", text, re.I), text
        assert "请求方式" in replies[0].json()["detail"]


def test_gradios_english_upload_errors_are_said_in_chinese(data, gradio_temp, monkeypatch):  # noqa: F811
    with served(monkeypatch, ANQUAN_UPLOAD_MAX_MB="0.2") as (url, _), httpx.Client(base_url=url, timeout=60) as client:
        big = post_file(client, "big.md", 500_000)  # over Gradio's own limit, twice the per-file one
        assert big.status_code == 413 and "exceeded" not in big.text, big.text
        assert "文件超过单个文件的上传上限（0.4 MB），没有上传；请拆分或压缩后再上传" in big.text, big.text
        # a file path that was never uploaded, handed to the import button as the page would hand an upload
        picked = [{"path": "/etc/hostname", "orig_name": "hostname.md", "meta": {"_type": "gradio.FileData"}}]
        output = queue_call(client, fn_index(client, "lib-ingest"), [picked])
        said = json.dumps(output, ensure_ascii=False)
        assert "Cannot move" not in said and "/etc/hostname" not in said, said
        assert "只能使用通过本页面上传的文件" in said, said


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"detail":"File size exceeded maximum allowed size of 41943040 bytes."}', "（40 MB）"),
        (b'{"detail":{"error":"Not authenticated","auth_message":"\\u8bf7"}}', "未登录"),
        (b'{"detail":"File not allowed: /etc/passwd."}', "不能下载这个文件"),
        (b'{"detail":"Not Found"}', "没有这个页面或接口"),
    ],
)
def test_an_error_body_is_said_in_chinese_and_stays_valid_json(body, says):
    text = json.dumps(json.loads(_rewrite_error(body, b"application/json", 404)), ensure_ascii=False)
    assert says in text and "exceeded" not in text and "Not authenticated" not in text


def test_a_failed_events_error_is_said_in_chinese_whatever_its_path_holds():
    path = '/etc/a"b'
    error = f"Cannot move {path} to the gradio cache dir because it was not uploaded by a user."
    event = {"msg": "process_completed", "output": {"error": error, "visible": True}, "success": False}
    body = f"data: {json.dumps(event)}\n\n".encode()
    said = json.loads(_rewrite_events(body).decode().removeprefix("data: "))
    assert said["output"]["error"].startswith("只能使用通过本页面上传的文件") and said["success"] is False


def test_an_answer_and_the_users_own_words_pass_byte_for_byte():
    """K03: a question holding "Not authenticated" was echoed back as 未登录…; a quote after "Cannot move … because"
    broke the stream's JSON."""
    answer = {"msg": "process_completed", "output": {"data": ['问：Not authenticated 是什么意思？Cannot move x because "y"']},
              "success": True}  # fmt: skip
    body = f"data: {json.dumps(answer, ensure_ascii=False)}\n\n".encode()
    assert _rewrite_events(body) is body
    unread = b'{"data": "Not authenticated", "note": "Cannot move"}'  # an error body's other fields are kept
    assert _rewrite_error(unread, b"application/json", 400) is unread
    ours = '{"detail": "导入失败：文件 a.pdf 不是 PDF"}'.encode()  # an error already in Chinese, with a file name
    assert _rewrite_error(ours, b"application/json", 400) is ours
    named = '{"detail": "PDF 文件没有文字层"}'.encode()  # ours, opening with a name
    assert _rewrite_error(named, b"application/json", 400) is named
    quoting = '{"detail": "Invalid file type: 方案.exe"}'.encode()  # English quoting a Chinese file name
    assert "Invalid" not in _rewrite_error(quoting, b"application/json", 400).decode()
