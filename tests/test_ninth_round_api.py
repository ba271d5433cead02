"""Red-team round 9 (issue 16), the web API and the CLI's numeric options: the public /ask endpoint checks its
arguments against its declared types and says in Chinese which one is wrong (no "意外错误…请重试", no log path);
a call that leaves out the optional arguments is answered, a body that is not a call at all is told how to write
one; every numeric CLI option (--k, --port) takes an integer in its range, in any decimal digits, and refuses
anything else with exit code 2."""

from __future__ import annotations

import json
import logging
import shutil
import urllib.error
import urllib.request

import pytest
from conftest import FIXTURES, REGULATION_NEW, free_port, isolated_settings
from typer.testing import CliRunner

from assistant.cli import app
from evals.load import call_http

runner = CliRunner()
QUESTION = "动火作业前要做哪些准备？"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """One regulation ingested (built-in embedder): the settings of its data directory."""
    from ingest.pipeline import ingest

    folder = tmp_path_factory.mktemp("docs")
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    settings = isolated_settings(tmp_path_factory.mktemp("api-index"))
    ingest([folder], settings)
    return settings


@pytest.fixture(scope="module")
def server(index):
    """The app as `anquan serve` launches it, on a free port: its base URL."""
    from assistant.web.app import launch

    port = free_port()
    demo = launch(index, port=port, quiet=True, block=False)
    yield f"http://127.0.0.1:{port}"
    demo.close()


def post(url: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def call(server: str, data, api: str = "ask") -> tuple[str, object]:
    """POST /gradio_api/call/<api> as an HTTP client does, then read the result: ("complete", the answer)
    or ("error", the message shown)."""
    kind, payload = call_http(f"{server}/", api, data, timeout=60)
    assert isinstance(payload, (list, dict)), payload
    return kind, (payload[0] if kind == "complete" else payload["error"])


def assert_told_plainly(message: str) -> None:
    """A client's mistake: said in Chinese, not as an unexpected error, and nothing of the server shown."""
    assert "意外错误" not in message and "请重试" not in message and "日志" not in message, message
    assert ".log" not in message and "Error" not in message and "object at 0x" not in message, message


# --- W1: arguments of the wrong type ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ([12345, None, True, None, None], "参数类型错误：question 须为文字，收到的是整数"),
        ([{"a": 1}, None, True, None, None], "参数类型错误：question 须为文字，收到的是对象"),
        ([["动火"], None, True, None, None], "参数类型错误：question 须为文字，收到的是列表"),
        ([QUESTION, "不是列表", True, None, None], "参数类型错误：history 须为文字列表或 null，收到的是文字"),
        ([QUESTION, [[["x"]]], True, None, None], "history 须为文字列表或 null"),
        ([QUESTION, None, "否", None, None], "参数类型错误：current_only 须为 true 或 false，收到的是文字"),
        ([QUESTION, None, 1, None, None], "current_only 须为 true 或 false，收到的是整数"),
        ([QUESTION, None, True, 5, None], "参数类型错误：kinds 须为文字列表或 null，收到的是整数"),
        ([QUESTION, None, True, None, [{"a": 1}]], "参数类型错误：regions 须为文字列表或 null"),
        ([None, None, True, None, None], "缺少参数 question：须为文字"),
    ],
)
def test_an_argument_of_the_wrong_type_is_named_in_chinese(server, caplog, data, said):
    with caplog.at_level(logging.WARNING, logger="anquan"):
        kind, message = call(server, {"data": data})
    assert kind == "error" and said in message, message
    assert_told_plainly(message)
    assert not [r for r in caplog.records if r.name.startswith("anquan")]  # not logged as a failure


def test_right_arguments_are_still_answered(server):
    kind, answer = call(server, {"data": [QUESTION, ["危险作业要审批吗"], False, ["地方性法规"], []]})
    assert kind == "complete" and answer["abstained"] is False and answer["sources"], answer
    assert any("危险作业安全管理条例" in s["citation"] for s in answer["sources"])
    kind, message = call(server, {"data": ["  ", None, True, None, None]})  # blank, as before
    assert kind == "error" and "问题是空的" in message


# --- W2: calls that leave out arguments, bodies that are not calls --------------------------------------


def test_a_call_with_only_the_question_is_answered(server):
    for data in ([QUESTION], [QUESTION, None], [QUESTION, [], True]):
        kind, answer = call(server, {"data": data})
        assert kind == "complete" and answer["sources"], (data, answer)
    kind, message = call(server, {"data": []})
    assert kind == "error" and "缺少参数 question" in message
    assert_told_plainly(message)


@pytest.mark.parametrize(
    "body",
    [b'{"x": 1}', b'{"data": "abc"}', b'{"data": null}', b"[1, 2]", b"{not json", b""],
)
def test_a_body_that_is_not_a_call_is_told_how_to_write_one(server, body):
    status, reply = post(f"{server}/gradio_api/call/ask", body)
    assert status == 422
    assert reply["detail"].startswith("请求格式不对：请求体须为 JSON 对象，参数按顺序放在 data 列表中"), reply
    assert_told_plainly(reply["detail"])


def test_the_named_form_fills_in_the_defaults_too(server):
    status, joined = post(f"{server}/gradio_api/call/v2/ask", json.dumps({"question": QUESTION}).encode())
    assert status == 200 and "event_id" in joined


# --- C1b: numeric CLI options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["search", "安全", "--k", "-5"], "--k 的值“-5”无效：须为整数，且不小于 1"),
        (["search", "安全", "--k", "0"], "--k 的值“0”无效：须为整数，且不小于 1"),
        (["search", "安全", "--k", "－３"], "须为整数，且不小于 1"),
        (["search", "安全", "--k", "2.5"], "须为整数，且不小于 1"),
        (["search", "安全", "--k", "五"], "须为整数，且不小于 1"),
        (["search", "安全", "--k", "9" * 5000], "数字过大"),
        (["serve", "--port", "0"], "--port 的值“0”无效：须为 1–65535 之间的整数"),
        (["serve", "--port", "７００００"], "--port 的值“７００００”无效：须为 1–65535 之间的整数"),
        (["serve", "--port", "http"], "须为 1–65535 之间的整数"),
    ],
)
def test_a_numeric_option_out_of_its_range_is_refused(args, said):
    result = runner.invoke(app, args)
    output = result.output.replace("\n", "")
    assert result.exit_code == 2 and said in output, output
    assert "Traceback" not in output and len(output) < 300  # a 5,000-digit value is not echoed whole


@pytest.mark.parametrize("written", ["2", "２", "٢", " 2 ", "+2", "02"])
def test_any_decimal_digits_are_read_as_in_show(index, monkeypatch, written):
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(index.data_dir))
    monkeypatch.setenv("ANQUAN_VECTOR_CACHE", str(index.vector_cache))
    result = runner.invoke(app, ["search", "动火作业审批", "--k", written])
    assert result.exit_code == 0, result.output
    assert "[2] " in result.output and "[3] " not in result.output  # two results
