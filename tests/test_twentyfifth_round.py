"""Round 25 of hostile input (issue 16), each case as a user or a client meets it: a PDF whose font's character map
(ToUnicode) blows a code up into a long text is refused for that reason, not as "a stream over 32 MB"; a store
whose database file was truncated to 0 bytes or deleted is called damaged, with what to do, not "知识库为空"; a
damaged built-in embedder file is warned of once; and, over real HTTP against a running server: an upload never
learns a path of the server, a request body over the limit is refused at once (a 200 MB body took 25 s and left the
server 1.6 GB larger), a body nested past the recursion limit, an unknown fn_index or event id, a lone surrogate in
a question and a choice the page does not offer are each told in Chinese (they gave "Internal Server Error", a cut
stream, an unexpected-error line or Gradio's English). Every input is built here."""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
import uuid
from pathlib import Path

import httpx
import pdf_pages
import pytest
from conftest import FIXTURES, REGULATION_NEW, event_fn, isolated_settings, serving
from typer.testing import CliRunner

from assistant.cli import app
from ingest.pipeline import ingest

runner = CliRunner()
ENGLISH = re.compile(r"Traceback|Error\b|Exception|Internal Server|errno|意外错误")
LAW = "青山市液氨储存安全规定\n\n第一条 为了加强液氨储存安全管理，制定本规定。\n第二条 液氨储罐区应当设置氨气泄漏检测报警装置。\n"


# --- a PDF font's character map that blows text up ------------------------------------------------------------------


def _mapped_pdf(entries: int, units: int) -> bytes:
    """One page shown in a simple font whose ToUnicode map sends each of entries one-byte codes to units UTF-16
    units (pypdf refuses a mapped string over 512 bytes, and a map of over 100,000 entries)."""
    width = 1 if entries <= 256 else 3
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        f"1 begincodespacerange <{'00' * width}> <{'FF' * width}> endcodespacerange",
    ]
    target = "4e00" * units
    for start in range(0, entries, 100):
        block = range(start, min(entries, start + 100))
        lines.append(f"{len(block)} beginbfchar")
        lines.extend(f"<{code:0{2 * width}x}> <{target}>" for code in block)
        lines.append("endbfchar")
    lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    cmap = "\n".join(lines)
    content = "BT /F1 12 Tf 50 700 Td <" + "41" * 2000 * width + "> Tj ET"
    font = "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/ToUnicode 6 0 R>>"
    old, pdf_pages.FONT = pdf_pages.FONT, font
    try:
        return pdf_pages.raw_pdf(content, objects=(f"<</Length {len(cmap)}>>stream\n{cmap}\nendstream",))
    finally:
        pdf_pages.FONT = old


@pytest.mark.parametrize(("entries", "units"), [(256, 600), (3, 257)], ids=["many-codes", "three-codes"])
def test_a_pdf_whose_character_map_blows_text_up_is_refused_for_that_reason(tmp_path, entries, units):
    path = tmp_path / "字体映射(2024-01-01).pdf"
    path.write_bytes(_mapped_pdf(entries, units))
    report = ingest([path], isolated_settings(tmp_path / "data"))
    (result,) = report.results
    assert result.status == "failed", result
    assert "字符映射表（ToUnicode）" in result.reason, result.reason
    assert "32 MB" not in result.reason and "ANQUAN_PDF_MAX_STREAM_MB" not in result.reason, result.reason


def test_a_pdf_stream_over_the_limit_is_still_told_as_one(tmp_path):
    from ingest.errors import OverLimit
    from ingest.loaders.limits import LoadLimits
    from ingest.loaders.pdf import load_pdf

    path = tmp_path / "大流.pdf"
    path.write_bytes(pdf_pages.raw_pdf(pdf_pages.shown("第一条 安全。") + " " * (2 * 2**20)))
    with pytest.raises(OverLimit, match="单个数据流声明或解压后超过 1 MB"):
        load_pdf(path, LoadLimits(pdf_max_stream_mb=1))


# --- a store whose database file is gone or empty --------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A data directory with one regulation ingested (built-in embedder)."""
    folder = tmp_path_factory.mktemp("docs")
    (folder / "青山市液氨储存安全规定(2024-01-01).txt").write_text(LAW, encoding="utf-8")
    data = tmp_path_factory.mktemp("built") / "data"
    report = ingest([folder], isolated_settings(data))
    assert report.count("added") == 1
    return data


def _copy(built: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(built, data)
    return data


@pytest.mark.parametrize("damage", ["truncated", "deleted"])
def test_a_store_whose_database_file_is_empty_or_gone_is_damaged_not_empty(built, tmp_path, monkeypatch, damage):
    data = _copy(built, tmp_path)
    database = data / "chroma" / "chroma.sqlite3"
    if damage == "truncated":
        database.write_bytes(b"")
    else:
        database.unlink()
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(data))
    monkeypatch.setenv("ANQUAN_EMBEDDER", "builtin")
    for args in (["stats"], ["ask", "液氨储罐区要设置什么"]):
        result = runner.invoke(app, args)
        output = result.output.replace("\n", "")
        assert result.exit_code != 0, output
        assert "知识库索引已损坏" in output and "向量分段" in output, output
        assert "知识库为空" not in output and not ENGLISH.search(output), output
        assert "anquan ingest" in output  # what to do
    # nothing was written into the damaged store: what is left of it is as it was
    assert (database.stat().st_size == 0) if damage == "truncated" else not database.exists()


def test_a_new_data_directory_is_still_just_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ANQUAN_EMBEDDER", "builtin")
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0 and "知识库为空" in result.output, result.output


def test_a_damaged_embedder_file_is_warned_of_once(built, tmp_path, monkeypatch, caplog):
    data = _copy(built, tmp_path)
    (data / "embedder" / "lsa.joblib").write_bytes(b"\x80\x04garbage" * 20)
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(data))
    monkeypatch.setenv("ANQUAN_EMBEDDER", "builtin")
    with caplog.at_level(logging.WARNING):
        result = runner.invoke(app, ["ask", "液氨储罐区要设置什么"])
    said = [r.getMessage() for r in caplog.records if "已损坏" in r.getMessage()] + [
        line for line in result.output.splitlines() if "lsa.joblib" in line and "已损坏" in line
    ]
    assert len(said) == 1, (said, result.output)
    assert "氨气泄漏检测报警装置" in result.output  # the question is still answered


# --- a running server over HTTP --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app as anquan serve launches it, over one regulation imported from the command line: its base URL."""

    folder = tmp_path_factory.mktemp("admin-corpus")
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    settings = isolated_settings(tmp_path_factory.mktemp("served") / "data", web_request_max_mb=0.5)
    ingest([folder], settings)
    with serving(settings) as url:
        yield url, folder


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server[0], timeout=120) as client:
        yield client


def _queued(client: httpx.Client, fn: int, data: list) -> dict:
    session = uuid.uuid4().hex[:10]
    body = {"data": data, "fn_index": fn, "session_hash": session, "event_data": None, "trigger_id": None}
    assert client.post("/gradio_api/queue/join", json=body).status_code == 200
    with client.stream("GET", f"/gradio_api/queue/data?session_hash={session}") as stream:
        for line in stream.iter_lines():
            if line.startswith("data:") and (message := json.loads(line[5:])).get("msg") == "process_completed":
                return message.get("output") or {}
    raise AssertionError("the event did not complete")


def _asked(client: httpx.Client, body: bytes) -> tuple[int, str]:
    """POST /gradio_api/call/ask with a raw body, then its result: (status, the answer's or the refusal's text)."""
    posted = client.post("/gradio_api/call/ask", content=body, headers={"content-type": "application/json"})
    if posted.status_code != 200:
        return posted.status_code, posted.text
    return 200, client.get(f"/gradio_api/call/ask/{posted.json()['event_id']}").text


def test_an_upload_is_never_told_a_path_of_the_server(server, client):
    """Uploading a copy of a text the administrator imported answered “内容与已入库的 /srv/…/法规/x.md 相同”."""
    url, folder = server
    source = folder / f"{REGULATION_NEW}.md"
    stored = client.post(
        "/gradio_api/upload", files={"files": (source.name, source.read_bytes(), "text/markdown")}
    ).json()
    picked = [{"path": stored[0], "orig_name": source.name, "meta": {"_type": "gradio.FileData"}}]
    said = json.dumps(_queued(client, event_fn(client, "lib-ingest"), [picked]), ensure_ascii=False)
    assert "未变" in said, said
    assert str(folder) not in said, said
    assert f"管理员从命令行导入的文件“{source.name}”" in said, said


def test_a_request_body_over_the_limit_is_refused_at_once_in_chinese(client):
    status, said = _asked(client, b'{"data":["' + b"a" * (3 * 2**20) + b'"]}')
    assert status == 413 and "提交的内容太大" in said and "ANQUAN_WEB_REQUEST_MAX_MB" in said, said

    def sent_in_parts():  # no Content-Length: counted as it arrives
        yield b'{"data":["'
        for _ in range(4):
            yield b"a" * 2**20
        yield b'"]}'

    posted = client.post("/gradio_api/call/ask", content=sent_in_parts(), headers={"content-type": "application/json"})
    assert posted.status_code == 413 and "提交的内容太大" in posted.json()["detail"], posted.text
    status, said = _asked(client, json.dumps({"data": ["液氨储罐区要设置什么"]}).encode())
    assert status == 200 and "event: complete" in said, said  # an ordinary question still passes


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "says"),
    [
        ("POST", "/gradio_api/call/ask", b'{"data":' + b"[" * 50000 + b"]" * 50000 + b"}", 400, "嵌套过深"),
        ("POST", "/gradio_api/queue/join", b'{"data":[],"fn_index":999,"session_hash":"abc"}', 422, "没有这个功能"),
        ("POST", "/gradio_api/queue/join", b'{"data":[],"fn_index":-1,"session_hash":"abc"}', 422, "没有这个功能"),
        ("GET", "/gradio_api/call/ask/no-such-event", None, 404, "没有这个请求的结果"),
        ("GET", "/gradio_api/queue/data?session_hash=no-such-session", None, 404, "没有这个请求的结果"),
    ],
    ids=["nested-json", "unknown-fn-index", "negative-fn-index", "unknown-event", "unknown-session"],
)
def test_a_malformed_request_is_answered_in_chinese_not_with_a_500_or_a_cut_stream(
    client, method, path, body, status, says
):
    reply = client.request(method, path, content=body, headers={"content-type": "application/json"})
    assert reply.status_code == status, (reply.status_code, reply.text)
    assert says in reply.json()["detail"] and not ENGLISH.search(reply.text), reply.text


def test_a_lone_surrogate_in_a_question_is_refused_in_chinese(client):
    for body in (
        b'{"data":["\\ud800\\u6db2\\u6c28"]}',
        b'{"data":["\\u6db2\\u6c28", ["\\udfff"], true, null, null]}',
    ):
        status, said = _asked(client, body)
        assert status == 200 and "event: error" in said, said
        said = json.loads(said.split("data:", 1)[1])["error"]
        assert "输入中含有无效的字符" in said and not ENGLISH.search(said), said
    status, said = _asked(client, b'{"data":["\\ud83d\\ude00\\u6db2\\u6c28\\u50a8\\u7f50"]}')  # a pair is fine
    assert "event: complete" in said, said


def test_a_long_form_value_is_refused_at_once_and_in_chinese(client):
    """A 200,000-character value for a choice (round 59's hostile test: 100,000 in a dropdown) held the server for
    40 s: the check of whether an error was still in English backtracked quadratically, and a value over 200
    characters was not told in Chinese. Refused in well under a second now, the value cut short."""
    started = time.monotonic()
    plan = _queued(client, event_fn(client, "plan-make"), ["x" * 200_000, "2025年", "区", [], None, "", ""])
    assert time.monotonic() - started < 5
    said = json.dumps(plan, ensure_ascii=False)
    assert "不是可选的值" in said and "is not in the list" not in said and len(said) < 2_000, said[:300]


def test_a_form_value_the_page_does_not_offer_is_told_in_chinese(client):
    plan = _queued(client, event_fn(client, "plan-make"), ["年度计划", "2025年", "区级", [], "", "", ""])
    said = json.dumps(plan, ensure_ascii=False)
    assert "“年度计划”不是可选的值" in said and "is not in the list" not in said, said
    assert '"title": "Error"' not in said, said
    checklist = _queued(client, event_fn(client, "sc-build"), ["危险化学品", -1, "北京市", [], True, False, False, ""])
    said = json.dumps(checklist, ensure_ascii=False)  # the headcount is a text field since round 26: read as typed
    assert "从业人员人数不能为负数：-1" in said and "操作没有完成" not in said, said
