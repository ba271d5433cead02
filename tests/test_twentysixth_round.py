"""Round 26 of hostile input (issue 16), each case as a user or a client meets it.

- The web shows no path of the server: the library's statistics named the store's folder (本地 Chroma（/srv/…/chroma）),
  the hint for confirming a held upload gave a command with the upload's full path, and a fault's message (a file
  where a folder of the data directory belongs, an unexpected error) named the data directory or the log file. Now
  every message the web shows says what to do with the names of the places (数据目录中的 chroma, 服务器日志), over
  real HTTP against a running server.
- A head count is read as a person writes it, the same in the command line and the web: 一百二十 and 约 120 were
  refused while 一百二十人 and 约120人 were read, 1,200 was refused; the web's number field took none of these (a
  client sending text got "操作没有完成：请稍后重试"), rounded 100.6 to 101 unsaid and refused -5 without naming the
  field. What is read is noted on the checklist (从业人员人数“约120人”按 120 人计); a range, a fraction of a person, 1e9
  or a word is refused with the field named and what to write.
- A file name in Shift-JIS (an archive from Japan) was read as GBK, since GB18030 reads almost any pair of bytes:
  危険物安全規則 was imported, listed and named as 婋尟暔埨慡婯懃, confidently "已识别为". Each legacy reading of a name
  is now weighed by how common its characters are in its own language; a name no reading makes text of is shown with
  its bytes as \\xNN and said so. GBK and Big5 names read as before; a folder named in Shift-JIS is said to be the
  folder; the stamp cache stays valid JSON, a second run reads nothing again and --prune removes nothing.
- The library and the self-check, as a page left open or a client forging its form meets them: a document title
  holding a bidirectional control (青山市通知\\u202egpj.exe, from an upload's heading or a correction) read reversed
  in the web's document list, choices and citations (the command line shows it escaped); it is now shown as
  \\u202e there too. A document deleted since the page listed it was "删除" through a worker to be told "知识库中没有
  这个文档", and "更正" answered "请先选一个文档"; both now say it is gone. An Excel sheet filled in for another
  enterprise profile was refused for its first unknown item, "请使用清单中的编号", which no one filling in the
  exported sheet can do; now the count of such items, that the sheet was made for another profile and which (its
  企业情况 page), and what to do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path

import httpx
import pytest
from conftest import FIXTURES, REGULATION_NEW, event_fn, isolated_settings, serving
from typer.testing import CliRunner

from assistant import cli
from assistant.cli import app
from assistant.web.context import WebContext
from assistant.web.library_tab import import_uploads
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest

runner = CliRunner()
NEWER = REGULATION_NEW.replace("2024-05-01", "2025-01-01")
OLD_NOTICE = "青山市应急管理局旧通知"  # an upload listed when the page was opened, deleted later
ENGLISH = re.compile(r"Traceback|Error\b|Exception|Internal Server|errno|意外错误（[A-Za-z]+Error）.*日志 /")


# --- a running server over HTTP --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app as anquan serve launches it, over one regulation the administrator imported from the command line, no
    administrator password: (its base URL, its settings, the administrator's corpus folder)."""

    root = tmp_path_factory.mktemp("served")
    folder = root / "admin_corpus"
    folder.mkdir()
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    settings = isolated_settings(root / "anquan_data", log_file=root / "logs" / "anquan.log")
    ingest([folder], settings)
    # a newer version of it uploaded through the web: held until an administrator confirms it
    browser = root / "browser"
    browser.mkdir()
    text = (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8").replace("第五条", "第五条 （修订）", 1)
    (browser / f"{NEWER}.md").write_text(text, encoding="utf-8")
    (browser / f"{OLD_NOTICE}.md").write_text(f"# {OLD_NOTICE}\n\n一、各单位应当设置泄漏报警装置。\n", encoding="utf-8")
    ctx = WebContext(settings)
    said, _ = import_uploads(ctx, [str(browser / f"{NEWER}.md"), str(browser / f"{OLD_NOTICE}.md")])
    ctx.close()
    assert "已暂缓" in said, said
    with serving(settings) as url:
        yield url, settings, folder


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server[0], timeout=120) as client:
        yield client


def _event(client: httpx.Client, fn: int, data: list, session: str = "") -> dict:
    """Run one queued event (in a new session, or in the given one); its completion message (output, or the error
    shown to the user)."""
    session = session or uuid.uuid4().hex[:10]
    body = {"data": data, "fn_index": fn, "session_hash": session, "event_data": None, "trigger_id": None}
    assert client.post("/gradio_api/queue/join", json=body).status_code == 200
    with client.stream("GET", f"/gradio_api/queue/data?session_hash={session}") as stream:
        for line in stream.iter_lines():
            if line.startswith("data:") and (message := json.loads(line[5:])).get("msg") == "process_completed":
                return message
    raise AssertionError("the event did not complete")


def _said(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False)


def _upload(client: httpx.Client, name: str, data: bytes) -> list[dict]:
    stored = client.post("/gradio_api/upload", files={"files": (name, data, "text/markdown")}).json()
    return [{"path": stored[0], "orig_name": name, "meta": {"_type": "gradio.FileData"}}]


def _server_paths(settings, folder: Path) -> list[str]:
    return [str(settings.data_dir), str(settings.data_dir.parent), str(folder), str(settings.log_file.parent)]


def _no_server_path(text: str, settings, folder: Path) -> None:
    for path in _server_paths(settings, folder):
        assert path not in text, (path, text)


def test_the_page_and_the_library_statistics_name_no_server_path(server, client):
    """The 知识库 tab's 概况 read “存储：本地 Chroma（/srv/anquan/data/chroma）”, in the page and every refresh."""
    _, settings, folder = server
    page = client.get("/config").text
    _no_server_path(page, settings, folder)
    assert "本地 Chroma（数据目录中的 chroma）" in json.loads(page)["components"].__repr__()
    refreshed = _event(client, event_fn(client, "lib-delete"), [None, False])  # 删除 with nothing chosen: a refresh
    said = _said(refreshed)
    assert "请先在“选择要删除的文档”中选一个文档" in said and "本地 Chroma（数据目录中的 chroma）" in said, said
    _no_server_path(said, settings, folder)


def test_a_held_upload_is_told_how_to_confirm_without_a_server_path(server, client):
    """With no administrator password, confirming an upload that would supersede the law in force answered
    “请管理员在服务器上运行：anquan ingest "/srv/…/uploads/x.md" --confirm-supersede”."""
    _, settings, folder = server
    chosen = f"{NEWER}#{KnowledgeBase(settings).documents()[NEWER].hash}"  # the choice as listed, with its text
    confirmed = _said(_event(client, event_fn(client, "lib-confirm"), [chosen, ""]))
    assert "网页上未设置管理员密码" in confirmed and "--confirm-supersede" in confirmed, confirmed
    assert f"文件“{NEWER}.md”（网页上传的文件保存在服务器数据目录的 uploads 文件夹中）" in confirmed, confirmed
    _no_server_path(confirmed, settings, folder)
    page = client.get("/config").text  # the 待确认 list says the same
    assert f"文件“{NEWER}.md”" in json.loads(page).__repr__(), page
    _no_server_path(page, settings, folder)


def test_a_fault_the_web_reports_names_no_server_path(server, client, monkeypatch):
    """A file where a folder of the data directory belongs answered “数据目录中的 /srv/anquan/data/ingest-spool 应是
    一个文件夹…”; an unexpected error “详细信息已写入日志 /home/…/anquan.log”."""
    from assistant.web import library_tab

    _, settings, folder = server
    spool = settings.data_dir / "ingest-spool"
    shutil.rmtree(spool, ignore_errors=True)
    spool.write_text("not a folder", encoding="utf-8")
    try:
        said = _said(
            _event(client, event_fn(client, "lib-ingest"), [_upload(client, "青山市通知.md", b"# \xe9\x80\x9a")])
        )
    finally:
        spool.unlink()
    assert "数据目录中的 ingest-spool 应是一个文件夹" in said, said
    _no_server_path(said, settings, folder)

    def broken(ctx):
        raise RuntimeError(f"cannot read {settings.data_dir}/chroma")

    monkeypatch.setattr(library_tab, "document_choices", broken)
    said = _said(_event(client, event_fn(client, "lib-delete"), [None, False]))
    assert "删除文档时发生意外错误（RuntimeError）" in said and "详细信息已写入服务器日志" in said, said
    _no_server_path(said, settings, folder)
    assert settings.log_file.is_file()  # the administrator still finds the traceback in the log


@pytest.mark.parametrize(
    "text",
    [
        "安全/环保/消防",
        "计划和/或方案",
        "GBK/GB18030 与 UTF-8",
        "每 1/2 年",
        "大模型接口 http://127.0.0.1:8000/v1/chat/completions 出错",
        "年产 10t/a",
    ],
)
def test_words_with_a_slash_are_no_server_path(text, tmp_path):
    """The web's messages pass through one filter of server paths: what merely holds a slash stays as written."""
    from assistant.web.server_paths import hide_server_paths

    assert hide_server_paths(text, isolated_settings(tmp_path / "data")) == text


# --- a head count as a person writes it -----------------------------------------------------------------------------

READ = [
    ("１２０", 120, ""),
    ("120人", 120, ""),
    ("120 人", 120, ""),
    ("+120", 120, ""),
    ("120.0", 120, ""),
    ("1,200", 1200, ""),
    ("一百二十", 120, "从业人员人数“一百二十”按 120 人计"),
    ("约 120", 120, "从业人员人数“约 120”按 120 人计"),
    ("约一百来人", 100, "从业人员人数“约一百来人”按 100 人计"),
    ("1.2万", 12000, "从业人员人数“1.2万”按 12000 人计"),
]
REFUSED = [
    ("-5", "从业人员人数不能为负数"),
    ("120.5", "从业人员人数“120.5”不是整数"),
    ("100.6", "从业人员人数“100.6”不是整数"),  # a number field rounded it to 101: over the 100-person line
    ("1e9", "从业人员人数“1e9”无法识别"),
    ("一百多到两百", "从业人员人数“一百多到两百”无法识别"),
    ("120-150", "从业人员人数“120-150”是一个范围"),
    ("120，150", "从业人员人数“120、150”无法识别"),
    ("很多", "从业人员人数“很多”无法识别"),
    ("0", "从业人员人数不能为 0"),
    ("x" * 3000, "“从业人员”一栏过长（3,000 字）"),
]


@pytest.fixture(scope="module")
def no_documents(tmp_path_factory):
    return tmp_path_factory.mktemp("empty") / "data"


@pytest.mark.parametrize(("typed", "count", "note"), READ, ids=[t for t, _, _ in READ])
def test_the_command_line_reads_a_head_count_as_a_person_writes_it(typed, count, note, no_documents, monkeypatch):
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(no_documents))
    result = runner.invoke(app, ["check", "--industry", "一般工贸", "--employees", typed, "--json"])
    assert result.exit_code == 0, result.output
    profile = json.loads(result.stdout[result.stdout.index("{") :])["profile"]
    assert profile["employees"] == count
    assert (note in profile["notes"]) if note else not any("从业人员" in n for n in profile["notes"]), profile


@pytest.mark.parametrize(("typed", "says"), REFUSED, ids=[t[:12] for t, _ in REFUSED])
def test_the_command_line_refuses_what_is_no_head_count_naming_the_field(typed, says, no_documents, monkeypatch):
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(no_documents))
    result = runner.invoke(app, ["check", "--industry", "一般工贸", "--employees", typed])
    said = result.output.replace("\n", "")
    assert result.exit_code == 2 and says in said, said
    assert "如 120" in said and not ENGLISH.search(said) and len(said) < 300, said


def test_the_web_form_reads_and_refuses_a_head_count_as_the_command_line_does(server, client):
    build = event_fn(client, "sc-build")

    def checklist(typed) -> tuple[str, str]:
        output = _event(client, build, ["一般工贸（机械制造）", typed, None, [], False, False, False, ""])["output"]
        return output["data"][1], output["data"][2]  # the message, the profile

    for typed, count, note in READ:
        message, profile = checklist(typed)
        assert message.startswith("✓ 已生成自查清单") and f"| 从业人员 | {count} 人 |" in profile, (typed, message)
        assert note in profile, (typed, profile)
    for typed, says in REFUSED:
        message, _ = checklist(typed)
        assert message.startswith("⚠ ") and says in message and "如 120" in message, (typed, message)
    message, _ = checklist(-5)  # an API client sending a number
    assert "从业人员人数不能为负数：-5" in message, message
    message, _ = checklist("")
    assert "请填写从业人员人数" in message, message


# --- file names in Shift-JIS, Big5, GBK and in no encoding ---------------------------------------------------------

LEGACY_NAMES = {
    "青山市液氨储存安全规定(2024-01-01).txt": "gbk",
    "青山市粉塵防爆規定(2024-01-01).txt": "big5",
    "危険物安全規則(2024-01-01).txt": "shift_jis",
    "安全マニュアル.txt": "shift_jis",
}
NO_ENCODING = b"\xff\xfe\x80\x81zz\xc3.txt"


def _legacy_folder(root: Path) -> Path:
    folder = root / "corpus"
    japanese = os.path.join(os.fsencode(folder), "日本資料".encode("shift_jis"))
    os.makedirs(japanese)
    names = [name.encode(encoding) for name, encoding in LEGACY_NAMES.items()] + [NO_ENCODING]
    for n, raw in enumerate(names):
        with open(os.path.join(os.fsencode(folder), raw), "w", encoding="utf-8") as handle:
            handle.write(
                f"青山市第{n}类作业安全规定\n\n第一条 为了加强第{n}类作业安全管理，制定本规定。\n第二条 应当落实责任{n}。\n第三条 本规定自2024年1月1日起施行。\n"
            )
    with open(os.path.join(japanese, "青山市叉车安全规定(2024-01-01).txt".encode()), "w", encoding="utf-8") as handle:
        handle.write("青山市叉车安全规定\n\n第一条 为了加强叉车安全管理，制定本规定。\n第二条 叉车司机应当持证上岗。\n")
    for where, _, files in os.walk(os.fsencode(folder)):  # settled: their stamps are kept
        for name in files:
            os.utime(os.path.join(where, name), (1_700_000_000, 1_700_000_000))
    return folder


def test_file_names_in_shift_jis_big5_gbk_or_no_encoding_are_read_or_marked(tmp_path, monkeypatch):
    folder = _legacy_folder(tmp_path)
    data = tmp_path / "data"
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(data))
    monkeypatch.setenv("ANQUAN_EMBEDDER", "builtin")
    monkeypatch.setattr(cli.console, "width", 1000)  # the table's rows unwrapped
    first = runner.invoke(app, ["ingest", str(folder)])
    said = first.output
    assert first.exit_code == 0 and "共 6 个文件：新增 6" in said, said
    assert "婋尟" not in said and not ENGLISH.search(said), said  # the Shift-JIS name as GBK rarities
    assert "已按 Shift-JIS 编码（日文）识别为“危険物安全規則(2024-01-01).txt”" in said, said
    assert "已按 Shift-JIS 编码（日文）识别为“安全マニュアル.txt”" in said, said
    assert "已按 GBK 编码识别为“青山市液氨储存安全规定(2024-01-01).txt”" in said, said
    assert "已按 Big5 编码识别为“青山市粉塵防爆規定(2024-01-01).txt”" in said, said
    assert "按 GBK、Big5、Shift-JIS 也都读不通" in said and "“\\xff\\xfe\\x80\\x81zz\\xc3.txt”" in said, said
    assert f"文件所在文件夹的名称不是 UTF-8 编码，已显示为“{folder}/日本資料”" in said, said
    from ingest.knowledge_base import KnowledgeBase
    from ingest.settings import Settings

    assert "危険物安全規則(2024-01-01)" in KnowledgeBase(Settings()).documents()
    stamps = data / "file-stamps.json"
    assert len(json.loads(stamps.read_text(encoding="utf-8"))) == 6 and not list(data.glob("*.tmp"))
    again = runner.invoke(app, ["ingest", "--prune", str(folder)])
    assert again.exit_code == 0 and "共 6 个文件：未变 6" in again.output and "删除" not in again.output, again.output
    shown = runner.invoke(app, ["show", "危険物安全規則", "1"])
    assert "为了加强第2类作业安全管理" in shown.output, shown.output


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("硫磺仓库管理规定.docx", "gbk"),
        ("危险化学品重大危险源监督管理暂行规定.docx", "gbk"),
        ("臺北市職業安全衛生.txt", "big5"),
        ("労働安全衛生法.txt", "shift_jis"),
        ("ガス設備点検.xlsx", "shift_jis"),
    ],
)
def test_a_legacy_file_name_is_read_in_its_own_encoding(name, encoding):
    from ingest.encoding import readable_name

    assert readable_name(os.fsdecode(name.encode(encoding))) == name


# --- the library and the self-check as a page left open or a forged form meets them ---------------------------------


def test_a_title_holding_a_direction_control_is_shown_escaped_in_the_library(server, client):
    """An upload headed “青山市通知\\u202egpj.exe” was listed as “青山市通知exe.jpg” (the web showed the control raw)."""
    text = "# 青山市通知\u202egpj.exe\n\n一、各单位应当设置氨气泄漏报警装置。\n".encode()
    imported = _said(_event(client, event_fn(client, "lib-ingest"), [_upload(client, "方向控制通知.md", text)]))
    assert "新增" in imported, imported
    listed = _event(client, event_fn(client, "lib-delete"), [None, False])["output"]["data"]
    rows = [row for row in listed[3]["data"] if "方向控制通知" in row[0]]
    assert rows and rows[0][0] == "青山市通知\\u202egpj.exe（方向控制通知）", rows
    assert "\u202e" not in json.dumps(listed, ensure_ascii=False)


def test_a_document_deleted_since_the_page_listed_it_is_told_gone(server, client):
    deleted = _said(_event(client, event_fn(client, "lib-delete"), [OLD_NOTICE, True]))
    assert f"✓ 已删除“{OLD_NOTICE}”" in deleted, deleted
    again = _said(_event(client, event_fn(client, "lib-delete"), [OLD_NOTICE, True]))  # another page, listed before
    assert f"⚠ “{OLD_NOTICE}”已不在知识库中（可能刚被删除），列表已刷新。" in again, again
    edited = _event(client, event_fn(client, "lib-edit-save"), [OLD_NOTICE, "新标题", None, None, None, ""])
    said = edited["output"]["data"][0]
    assert said == f"⚠ “{OLD_NOTICE}”已不在知识库中（可能刚被删除），没有更正：请刷新页面后重新选择。", said


def test_a_sheet_filled_in_for_another_enterprise_is_refused_saying_so(server, client, tmp_path):
    """A sheet exported for 危险化学品经营, 50 people, a major hazard, uploaded against a checklist for 一般工贸 with
    120 people, answered “第 10 行：条目编号“whp-004-unit-basics”不在本次自查清单中；请使用清单中的编号”."""
    import openpyxl

    from assistant.pack import pack_of
    from assistant.selfcheck import build_checklist, read_profile
    from assistant.selfcheck.export import HEADER_ROW, to_xlsx
    from ingest.knowledge_base import KnowledgeBase

    _, settings, _ = server
    kb = KnowledgeBase(settings)
    other = build_checklist(kb, pack_of(kb), read_profile(pack_of(kb), "危险化学品经营", "50", major_hazard=True))
    sheet_path = to_xlsx(other, tmp_path / "自查表.xlsx")
    book = openpyxl.load_workbook(sheet_path)
    sheet = book["自查清单"]
    column = [cell.value for cell in sheet[HEADER_ROW]].index("回答") + 1
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        sheet.cell(row=row, column=column, value="是")
    book.save(sheet_path)

    session = uuid.uuid4().hex[:10]
    built = _event(
        client,
        event_fn(client, "sc-build"),
        ["一般工贸（机械制造）", "120", None, [], False, False, False, ""],
        session,
    )
    assert built["output"]["data"][1].startswith("✓ 已生成自查清单"), built
    stored = client.post(
        "/gradio_api/upload", files={"files": (sheet_path.name, sheet_path.read_bytes(), "application/octet-stream")}
    ).json()
    picked = {"path": stored[0], "orig_name": sheet_path.name, "meta": {"_type": "gradio.FileData"}}
    said = _event(client, event_fn(client, "sc-filled", "upload"), [None, picked], session)["output"]["data"][0]
    assert "个条目不在本次自查清单中" in said and "这份表应是按另一种企业情况" in said, said
    assert "表中“企业情况”一页写的是：行业 危险化学品经营（带储存）；从业人员 50 人" in said, said
    assert "请按填表时的企业情况重新生成自查清单后再上传" in said and "请使用清单中的编号" not in said, said
    _no_server_path(said, settings, server[2])
