"""Hostile round 30 (issue 16, second pass): the login page, self-check answer sheets, forged web sessions, and new
variants of the issue's classes.

The login page (Gradio's /login form) showed nothing at all when a login was refused for too many failures (HTTP
429) or could not be read (422: a field left empty), and a browser set to English (or French, Japanese…) saw
Gradio's texts in that language before login: the config Gradio serves before login carries no translations. Now
the page is Chinese in any browser, and says why a login failed: a lockout is counted down to the second."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from conftest import serving

from ingest.settings import Settings

# --- the login page --------------------------------------------------------------------------------------------

LOGIN = {"web_user": "anjian", "web_password": "s3cret-口令"}
GRADIO_ENGLISH = re.compile(r"\b(Login|username|password|Incorrect)\b", re.I)


def login_page(browser, url: str, locale: str):
    context = browser.new_context(locale=locale, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector("input[type=password]")
    return context, page


def submit(page, user: str, password: str) -> None:
    page.fill("input[type=text]", user)
    page.fill("input[type=password]", password)
    page.get_by_role("button", name="登录").click()


def said(page, pattern: str) -> str:
    """The login page's reason once it matches pattern."""
    box = page.locator("#anquan-login-error")
    box.filter(has_text=re.compile(pattern)).wait_for(timeout=20_000)
    return box.inner_text()


@pytest.mark.parametrize("locale", ["en-US", "fr-FR", "ja-JP", "de-DE", "zh-TW"])
def test_the_login_page_is_chinese_whatever_the_browsers_language(browser, locale):
    with serving(Settings(**LOGIN)) as url:
        context, page = login_page(browser, url, locale)
        try:
            page.get_by_role("heading", name="登录").wait_for()
            assert page.title() == "安全生产法规助手"  # the tab showed the bare address
            body = page.inner_text("body")
            assert "用户名" in body and "密码" in body, body
            assert not GRADIO_ENGLISH.search(body), body
            assert not re.search(r"Connexion|Anmelden|ログイン|登入|使用者", body), body
        finally:
            context.close()


def test_a_refused_login_says_why_and_a_lockout_counts_down_until_the_right_password_gets_in(browser):
    settings = Settings(**LOGIN, login_max_failures=2, login_lockout_seconds=4, login_lockout_max_seconds=4)
    with serving(settings) as url:
        context, page = login_page(browser, url, "en-US")
        try:
            submit(page, "", "")  # both left empty: 422, on which Gradio's page showed nothing
            assert "请填写用户名和密码" in said(page, "请填写")
            submit(page, "anjian", "wrong-1")
            assert said(page, "不正确") == "用户名或密码不正确。"
            submit(page, "anjian", "wrong-2")  # the second wrong one locks this address out
            submit(page, "anjian", "s3cret-口令")  # right, but refused while locked (429): nothing was shown
            first = said(page, "已暂时锁定")
            assert re.search(r"请 [1-4] 秒后再试", first), first
            assert "Too Many" not in page.inner_text("body")
            assert "锁定已解除" in said(page, "锁定已解除")  # counted down on the page, then said to try again
            submit(page, "anjian", "s3cret-口令")
            page.get_by_role("tab", name="知识库").click()  # the app, in Chinese for an English browser too
            page.get_by_text("将文件拖放到此处").first.wait_for()
        finally:
            context.close()


def test_a_login_page_that_loses_the_server_says_so(browser):
    with serving(Settings(**LOGIN)) as url:
        context, page = login_page(browser, url, "en-US")
        try:
            page.route("**/login", lambda route: route.abort("connectionrefused"))
            submit(page, "anjian", "s3cret-口令")
            assert "连接不到服务器" in said(page, "连接不到")
            page.unroute("**/login")
            page.route("**/login", lambda route: route.fulfill(status=502, body="Bad Gateway"))
            submit(page, "anjian", "s3cret-口令")  # a proxy's English error page in front of the server
            assert "登录没有完成" in said(page, "没有完成")
        finally:
            context.close()


# --- self-check answer sheets: merged cells, formulas, a declared size that is wrong ------------------------------
# A 是 merged over three rows answered one item (openpyxl gives a merged range's value to its first cell only) and
# the other two were counted as unanswered; a formula with no stored result (a sheet written by a program, never
# saved in Excel) read as an empty cell, and its item as unanswered, without a word; a sheet declaring its size as
# A1 (some writers always do) had every row after the first dropped.


@pytest.fixture(scope="module")
def small_checklist():
    from assistant.pack import KnowledgePack
    from assistant.selfcheck import build_checklist, read_profile

    pack = KnowledgePack(Settings().knowledge_dir)
    return build_checklist(None, pack, read_profile(pack, "餐饮", 25, description="中餐馆，后厨用管道天然气"))


def answer_sheet(checklist, path: Path, fill) -> tuple[Path, int]:
    """The exported sheet, changed by fill(sheet, answer column letter, first item row) and saved: (path, the
    first item row)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    from assistant.selfcheck.export import CHECKLIST_HEADER, CHECKLIST_SHEET, HEADER_ROW, to_xlsx

    to_xlsx(checklist, path)
    book = openpyxl.load_workbook(path)
    fill(book[CHECKLIST_SHEET], get_column_letter(CHECKLIST_HEADER.index("回答") + 1), HEADER_ROW + 1)
    book.save(path)
    return path, HEADER_ROW + 1


def rewrite_part(path: Path, part: str, change) -> None:
    """The package with one XML part changed (text -> text), as another program would have written it."""
    import zipfile

    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    parts[part] = change(parts[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def test_a_merged_answer_answers_every_row_it_covers(small_checklist, tmp_path):
    from assistant.selfcheck import load_answers

    ids = [item.id for item in small_checklist.items]

    def fill(sheet, column, first):
        sheet[f"{column}{first}"] = "是"
        sheet.merge_cells(f"{column}{first}:{column}{first + 2}")
        sheet[f"{column}{first + 3}"] = "否"
        sheet[f"{column}{first + 4}"] = "不确定"
        sheet.merge_cells(f"{column}{first + 4}:{chr(ord(column) + 2)}{first + 5}")  # two rows and three columns

    path, _ = answer_sheet(small_checklist, tmp_path / "合并.xlsx", fill)
    assert load_answers(path, small_checklist) == {
        ids[0]: "是",
        ids[1]: "是",
        ids[2]: "是",
        ids[3]: "否",
        ids[4]: "不确定",
        ids[5]: "不确定",
    }


def test_a_formula_without_a_result_is_told_by_row_and_one_excel_computed_is_read(small_checklist, tmp_path):
    from assistant.selfcheck import AnswerError, load_answers

    ids = [item.id for item in small_checklist.items]

    def fill(sheet, column, first):
        sheet[f"{column}{first}"] = "是"
        sheet[f"{column}{first + 1}"] = '=IF(1=1,"是","否")'
        sheet[f"{column}{first + 3}"] = f"={column}{first}"

    path, first = answer_sheet(small_checklist, tmp_path / "公式.xlsx", fill)
    with pytest.raises(AnswerError) as refused:
        load_answers(path, small_checklist)
    said = str(refused.value)
    assert f"第 {first + 1}、{first + 3} 行" in said and '=IF(1=1,"是","否")' in said, said
    assert "在 Excel 或 WPS 中打开这个文件并保存后重新上传" in said, said

    # the same sheet as Excel saves it: each formula with its result stored (one an empty text)
    def stored(row: int, result: str):
        cell = re.compile(rf'(<c r="F{row}"[^>]*?)(?: t="\w+")?>(<f>[^<]*</f>)<v\s*/?>(?:</v>)?')
        return lambda xml: cell.sub(rf'\1 t="str">\2<v>{result}</v>', xml)

    def computed(xml: str) -> str:
        return stored(first + 3, "")(stored(first + 1, "否")(xml))

    rewrite_part(path, "xl/worksheets/sheet1.xml", computed)
    assert load_answers(path, small_checklist) == {ids[0]: "是", ids[1]: "否"}


def test_the_command_line_tells_the_formula_rows_and_counts_a_merged_answer(small_checklist, tmp_path):
    from typer.testing import CliRunner

    from assistant.cli import app

    def merged(sheet, column, first):
        sheet[f"{column}{first}"] = "否"
        sheet.merge_cells(f"{column}{first}:{column}{first + 1}")

    path, _ = answer_sheet(small_checklist, tmp_path / "自查表.xlsx", merged)
    args = ["check", "--industry", "餐饮", "--employees", "25", "--description", "中餐馆，后厨用管道天然气"]
    result = CliRunner().invoke(app, [*args, "--answers", str(path), "--json"])
    assert result.exit_code == 0, result.output
    import json

    report = json.loads(result.stdout[result.stdout.index("{") :])["gap_report"]
    assert report["answered"] == 2 and report["unmet"] == 2, report

    def formula(sheet, column, first):
        sheet[f"{column}{first + 2}"] = '=IF(TRUE,"是","否")'

    path, first = answer_sheet(small_checklist, tmp_path / "公式表.xlsx", formula)
    result = CliRunner().invoke(app, [*args, "--answers", str(path)])
    assert result.exit_code == 2
    assert f"第 {first + 2} 行" in result.output and "没有公式的计算结果" in result.output, result.output
    assert "Traceback" not in result.output


def test_every_row_is_read_whatever_size_the_sheet_declares(small_checklist, tmp_path):
    from assistant.selfcheck import load_answers

    ids = [item.id for item in small_checklist.items]

    def fill(sheet, column, first):
        for n in range(5):
            sheet[f"{column}{first + n}"] = "否"

    path, _ = answer_sheet(small_checklist, tmp_path / "尺寸.xlsx", fill)
    rewrite_part(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1"/>', xml),
    )
    assert load_answers(path, small_checklist) == dict.fromkeys(ids[:5], "否")


def test_a_two_row_header_and_overlapping_merges(small_checklist, tmp_path):
    import time as clock

    from assistant.selfcheck import AnswerError, load_answers

    ids = [item.id for item in small_checklist.items]

    def two_rows(sheet, column, first):
        sheet.insert_rows(first)  # the header's lower row, each header cell merged over both
        for n in range(1, 12):
            sheet.merge_cells(start_row=first - 1, start_column=n, end_row=first, end_column=n)
        sheet[f"{column}{first + 1}"] = "是"

    path, _ = answer_sheet(small_checklist, tmp_path / "两行表头.xlsx", two_rows)
    assert load_answers(path, small_checklist) == {ids[0]: "是"}

    # 20,000 merged ranges each over the whole sheet: refused at once, not filled 20,000 times
    path, _ = answer_sheet(small_checklist, tmp_path / "重叠.xlsx", lambda sheet, column, first: None)
    ranges = "".join('<mergeCell ref="A1:BL5000"/>' for _ in range(20000))
    rewrite_part(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(
            r"<mergeCells[^>]*>.*?</mergeCells>", f'<mergeCells count="20000">{ranges}</mergeCells>', xml
        ),
    )
    started = clock.monotonic()
    with pytest.raises(AnswerError, match="合并单元格互相重叠"):
        load_answers(path, small_checklist)
    assert clock.monotonic() - started < 10


# --- forged web sessions ------------------------------------------------------------------------------------------
# Gradio keys a session's state and result stream by the session_hash the client sends, and trusted any request
# naming it: a second browser sending the first one's session_hash asked "罚款呢？" and was told “追问：按‘危险作业需要
# 审批吗，罚款呢？’检索”, the first user's question, and could read the first user's results. An empty session_hash
# failed inside Gradio (HTTP 500, "操作没有完成：请稍后重试") and one of 100,000 characters was kept as a key.

ASK = ["危险作业需要审批吗", [], [], True, [], []]


def join(client, fn: int, data: list, session: str):
    body = {"data": data, "fn_index": fn, "session_hash": session, "event_data": None, "trigger_id": None}
    return client.post("/gradio_api/queue/join", json=body)


def completed(client, session: str) -> dict:
    with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as stream:
        assert stream.status_code == 200, stream.read()
        for line in stream.iter_lines():
            if line.startswith("data:") and (message := json.loads(line[5:])).get("msg") == "process_completed":
                return message
    raise AssertionError("the event did not complete")


@pytest.fixture(scope="module")
def two_browsers(tmp_path_factory):
    """A served app over the fixture regulation, and two clients that each loaded the page (as two browsers)."""
    import httpx
    from conftest import regulation_with

    settings = regulation_with(tmp_path_factory.mktemp("sessions"), {})
    with serving(settings) as url:
        with httpx.Client(base_url=url, timeout=120) as first, httpx.Client(base_url=url, timeout=120) as second:
            assert first.get("/").status_code == 200 and second.get("/").status_code == 200
            yield first, second


def test_another_browser_naming_a_session_neither_reads_nor_continues_it(two_browsers):
    from conftest import event_fn

    victim, other = two_browsers
    ask = event_fn(victim, "ask-send")
    session = uuid.uuid4().hex[:11]
    assert join(victim, ask, ASK, session).status_code == 200
    # the answer waiting for the victim is not streamed to the other browser
    read = other.get("/gradio_api/queue/data", params={"session_hash": session})
    assert read.status_code == 403 and "这个会话属于另一个浏览器或程序" in read.json()["detail"], read.text
    assert "危险作业" not in read.text
    answer = completed(victim, session)  # still the victim's, whole
    assert "危险作业需要审批吗" in json.dumps(answer, ensure_ascii=False)
    # nor can the other browser continue the victim's conversation (its follow-up read the victim's question)
    follow_up = join(other, ask, ["罚款呢？", [], [], True, [], []], session)
    assert follow_up.status_code == 403 and "请刷新页面" in follow_up.json()["detail"], follow_up.text
    assert "危险作业" not in follow_up.text
    cancel = other.post("/gradio_api/cancel", json={"session_hash": session, "fn_index": ask, "event_id": "x"})
    assert cancel.status_code == 403
    assert other.get(f"/gradio_api/heartbeat/{session}").status_code == 403
    # its own session is a fresh one: the follow-up knows no earlier question
    own = uuid.uuid4().hex[:11]
    assert join(other, ask, ["罚款呢？", [], [], True, [], []], own).status_code == 200
    assert "危险作业需要审批吗" not in json.dumps(completed(other, own), ensure_ascii=False)
    # and the victim goes on in its own session
    assert join(victim, ask, ["罚款呢？", [], [], True, [], []], session).status_code == 200
    assert "危险作业需要审批吗，罚款呢" in json.dumps(completed(victim, session), ensure_ascii=False)


def test_another_browser_cannot_report_on_a_self_check_it_did_not_build(two_browsers):
    from conftest import event_fn

    victim, other = two_browsers
    session = uuid.uuid4().hex[:11]
    build = event_fn(victim, "sc-build")
    assert (
        join(victim, build, ["一般工贸（机械制造）", "120", None, [], False, False, False, ""], session).status_code
        == 200
    )
    assert completed(victim, session)["success"]
    filled = event_fn(victim, "sc-filled", "upload")
    refused = join(other, filled, [None, None], session)
    assert refused.status_code == 403 and "自查清单" in refused.json()["detail"], refused.text


@pytest.mark.parametrize(
    "session",
    ["", "会话", "../../etc/passwd", "a" * 100_000, "a\u0000b", "a b", 12345, ["x"], {"a": 1}, True],
    ids=lambda value: repr(value)[:16],
)
def test_a_malformed_session_id_is_refused_in_chinese_and_the_server_goes_on(two_browsers, session):
    from conftest import event_fn

    client, _ = two_browsers
    ask = event_fn(client, "ask-send")
    refused = join(client, ask, ASK, session)  # type: ignore[arg-type]
    assert refused.status_code == 422, refused.text
    assert "会话编号（session_hash）不对" in refused.json()["detail"]
    if isinstance(session, str) and session.isprintable() and "/" not in session and 0 < len(session) < 1000:
        assert client.get(f"/gradio_api/heartbeat/{session}").status_code == 422
    fine = uuid.uuid4().hex
    assert join(client, ask, ASK, fine).status_code == 200
    assert completed(client, fine)["success"]


def test_logged_in_api_clients_keep_their_sessions_apart(tmp_path, monkeypatch):
    import httpx
    from conftest import event_fn, regulation_with

    settings = regulation_with(tmp_path, {}, web_user="anjian", web_password="s3cret-口令")
    with serving(settings) as url, httpx.Client(base_url=url, timeout=120) as first:
        with httpx.Client(base_url=url, timeout=120) as second:
            for client in (first, second):  # as gradio_client does: a login, no page loaded
                assert client.post("/login", data={"username": "anjian", "password": "s3cret-口令"}).status_code == 200
            ask = event_fn(first, "ask-send")
            session = str(uuid.uuid4())
            assert join(first, ask, ASK, session).status_code == 200
            assert second.get("/gradio_api/queue/data", params={"session_hash": session}).status_code == 403
            assert completed(first, session)["success"]
            assert join(second, ask, ["罚款呢？", [], [], True, [], []], session).status_code == 403


# --- an LLM reply that breaks off mid-body ------------------------------------------------------------------------
# A reply whose body stopped half way (chunked and cut mid-JSON, or shorter than its Content-Length) was told as
# “无法连接 http://…，请检查 ANQUAN_LLM_BASE_URL 和网络”: the address was right, the reply broke off. A reply nested past
# Python's recursion limit was “调用出错，请稍后重试”.


def _reply(text: str) -> bytes:
    message = {"role": "assistant", "content": text}
    return json.dumps(
        {
            "id": "x",
            "object": "chat.completion",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        }
    ).encode()


class _Broken:
    """An OpenAI-compatible endpoint whose non-streamed reply is broken in one way (how)."""

    def __init__(self, how: str):
        import threading

        from fake_openai import LocalEndpoint, QuietHandler

        whole = _reply("有限空间作业应当先通风[1]。")

        class Handler(QuietHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                self.read_body()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if how == "deep":
                    body = b'{"choices":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if how == "chunked":
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    half = whole[: len(whole) // 2]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(half), half))
                else:  # a Content-Length the body never reaches
                    self.send_header("Content-Length", str(len(whole) + 100))
                    self.end_headers()
                    self.wfile.write(whole)
                self.wfile.flush()
                self.close_connection = True

        self.endpoint = LocalEndpoint()
        self.endpoint.stopped = threading.Event()
        self.endpoint.serve(Handler)

    def __enter__(self):
        return self.endpoint.__enter__()

    def __exit__(self, *exc):
        self.endpoint.__exit__(*exc)


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("chunked", "连接已建立，但回复在中途断开"),
        ("short", "连接已建立，但回复在中途断开"),
        ("deep", "返回的内容无法解析"),
    ],
)
def test_a_reply_broken_off_mid_body_is_told_as_such_and_the_offline_answer_given(tmp_path, monkeypatch, how, said):
    from conftest import regulation_with
    from typer.testing import CliRunner

    from assistant.cli import app

    settings = regulation_with(tmp_path, {})
    with _Broken(how) as endpoint:
        for name, value in {
            "ANQUAN_DATA_DIR": str(settings.data_dir),
            "ANQUAN_VECTOR_CACHE": str(settings.vector_cache),
            "ANQUAN_LLM_BASE_URL": endpoint.base_url,
            "ANQUAN_LLM_MODEL": "m",
            "ANQUAN_LLM_TIMEOUT": "5",
        }.items():
            monkeypatch.setenv(name, value)
        result = CliRunner().invoke(app, ["ask", "有限空间作业要先通风吗"])
    assert result.exit_code == 0, result.output
    assert f"大模型服务暂不可用（{said}" in result.output and "以下为离线摘录答案" in result.output, result.output
    assert "无法连接" not in result.output and "调用出错" not in result.output
    assert "第六条" in result.output  # the offline answer, cited


# --- a library of very many small files ---------------------------------------------------------------------------
# The 知识库 tab's document list asked, for every document, every other one whether it was held over it: with
# 20,000 small notices ingested (35 s, fine) each page load spent 11 s on the list (quadratic), holding one of the
# four workers. Now the held documents are indexed once.


def test_the_document_list_of_a_huge_library_is_quick_and_still_names_the_challenger():
    import time as clock
    from types import SimpleNamespace

    from assistant.web.library_tab import document_rows
    from ingest.store import DocumentRecord

    def record(n: int, **more) -> DocumentRecord:
        fields = {"source": "", "hash": "", "kind": "规范性文件", "region": "", "date": "", "version_key": str(n)}
        return DocumentRecord(doc_id=f"通知{n}", title=f"关于第{n}号事项的通知", chunk_count=1, **{**fields, **more})

    records = {f"通知{n}": record(n) for n in range(20_000)}
    records["通知7"] = record(7, vetted="x")
    records["通知20000"] = record(20_000, held_over=["通知7"], origin="upload")
    ctx = SimpleNamespace(kb=SimpleNamespace(documents=lambda: records))
    started = clock.monotonic()
    rows = document_rows(ctx)
    assert clock.monotonic() - started < 4  # 11-20 s before, 0.1-0.6 s now
    assert len(rows) == 20_001
    status = {row[0]: row[5] for row in rows}
    assert "通知20000 声称取代或废止本文，待确认" in next(
        s for name, s in status.items() if "通知7）" in name or name == "通知7"
    )
    found = document_rows(ctx, "声称取代")
    assert len(found) == 1 and "通知7" in found[0][0], found


# --- a damaged answers workbook -------------------------------------------------------------------------------------
# An .xlsx answers file with a part whose checksum fails (a download cut and resumed, a bad USB stick) passed the
# unpacked-size check's own error through: "义务自查时发生意外错误（UnreadableFile）……请重试", where retrying never helps.


def damaged(path: Path, part: str) -> Path:
    """The package stored uncompressed with one byte of a part's data changed: its CRC no longer matches."""
    import zipfile

    with zipfile.ZipFile(path) as package:
        parts = [(info.filename, package.read(info)) for info in package.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as package:
        for name, data in parts:
            package.writestr(name, data)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as package:
        info = package.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    raw[start] = ord("#") if raw[start] != ord("#") else ord("$")
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/styles.xml", "docProps/core.xml"])
def test_a_damaged_answers_workbook_is_refused_with_what_to_do(small_checklist, tmp_path, monkeypatch, part):
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.selfcheck import AnswerError, load_answers

    def fill(sheet, column, first):
        sheet[f"{column}{first}"] = "是"

    path, _ = answer_sheet(small_checklist, tmp_path / "自查表.xlsx", fill)
    damaged(path, part)
    with pytest.raises(AnswerError, match=r"已损坏.*另存为 \.xlsx 后重新提交"):
        load_answers(path, small_checklist)
    args = ["check", "--industry", "餐饮", "--employees", "25", "--description", "中餐馆，后厨用管道天然气"]
    result = CliRunner().invoke(app, [*args, "--answers", str(path)])
    assert result.exit_code == 2, result.output
    assert "已损坏" in result.output and "意外错误" not in result.output, result.output


# --- an upload named with a bidirectional control ------------------------------------------------------------------
# An upload named 青山市通知\u202egpj.md was kept in uploads/ under that name, while the import recorded it (and
# reported it) under the name as shown, \\u202e escaped: the upload's outcome was looked up by the real path, not
# found, and the file was removed from uploads/ while the index kept its text (reported 新增). Now such characters
# are replaced in the stored name, and the outcome is matched as the import names the file.


@pytest.mark.parametrize("name", ["青山市通知\u202egpj.md", "青山市\u2066隔离\u2069办法.md", "青山市\u200f规定\x85.md"])
def test_an_upload_named_with_a_direction_control_is_kept_with_its_index_entry(tmp_path, name):
    from assistant.web.context import WebContext
    from assistant.web.library_tab import import_uploads

    browser = tmp_path / "browser"
    browser.mkdir()
    (browser / name).write_text("# 青山市测试规定\n\n第一条 测试。\n第二条 测试。\n第三条 测试。\n", encoding="utf-8")
    ctx = WebContext(Settings())
    try:
        _, rows = import_uploads(ctx, [str(browser / name)])
        assert [row[1] for row in rows] == ["新增"], rows
        kept = list((ctx.settings.data_dir / "uploads").iterdir())
        assert len(kept) == 1 and kept[0].read_text(encoding="utf-8").startswith("# 青山市测试规定"), kept
        (record,) = ctx.kb.documents().values()
        assert Path(record.source).exists(), record.source  # the index's source is the kept file
    finally:
        ctx.close()


def test_a_kept_upload_is_matched_to_the_import_report_that_names_it_as_shown(tmp_path):
    from assistant.web.uploads import Accepted, UploadBatch, ingest_uploads
    from ingest.encoding import readable_path
    from ingest.report import FileResult, IngestReport

    staging = tmp_path / "staging"
    staging.mkdir()
    target = tmp_path / "uploads" / "通知\u202egpj.md"
    target.parent.mkdir()
    (staging / target.name).write_text("# 通知\n", encoding="utf-8")
    batch = UploadBatch(staging, [Accepted(target.name, target, staging / target.name)])

    def run(paths):
        report = IngestReport()
        report.results.append(FileResult(readable_path(paths[0]), "added", 1))
        return report

    ingest_uploads(batch, run)
    assert target.exists()


# --- a Word document with a large table ---------------------------------------------------------------------------
# A .docx holding one 300 × 50 table of like cells (a 隐患排查 form exported by a program) has a 3 MB document.xml
# that compresses 215 to 1: it was refused as a “压缩炸弹”. Parts that small cost little whatever their ratio (the
# package's total and its element count are bounded); a part of 60 MB at 1000 to 1 is still refused
# (test_hostile_files).


def test_a_word_document_with_a_large_table_of_like_cells_is_imported(tmp_path):
    import docx

    from ingest.pipeline import ingest

    document = docx.Document()
    document.add_heading("青山市危险化学品企业隐患排查表", 1)
    document.add_paragraph("第一条 企业应当按本表逐项排查，如实填写。")
    table = document.add_table(rows=300, cols=50)
    for row in table.rows:
        for cell in row.cells:
            cell.text = "是"
    folder = tmp_path / "docs"
    folder.mkdir()
    document.save(folder / "隐患排查表.docx")
    from conftest import isolated_settings

    report = ingest([folder], isolated_settings(tmp_path / "data"))
    (result,) = report.results
    assert result.status == "added", result.reason
