"""The web UI (anquan serve), tested as a user meets it: the app runs in a subprocess on a free port over
the fixture corpus; Debian's chromium, driven headless by Playwright, asks, expands citations, drafts,
self-checks, downloads and uploads, on a desktop and on a phone-sized screen. Screenshots of every tab go to
test-artifacts/screenshots/.
Upload safety and document deletion are also tested directly (no browser)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import (
    FIXTURES,
    REGULATION_NEW,
    REGULATION_OLD,
    free_port,
    stop_server,
    wait_until_serving,
    write_docx,
)
from fake_openai import FakeOpenAI
from test_twelfth_round_llm import _Stream

from assistant.web.uploads import UploadError, accept_uploads, sanitise_name, uploads_dir
from ingest.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
START_TIMEOUT = 180
ANSWER_TIMEOUT = 120_000  # ms: generous, the machine is shared


# --- upload safety and deletion (no browser) --------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.md", "passwd.md"),
        ("..\\..\\windows\\恶意.txt", "恶意.txt"),
        ("/abs/path/青山市危险作业安全管理条例(2024-05-01).md", "青山市危险作业安全管理条例(2024-05-01).md"),
        ("..", ""),
        ("...md", "md"),  # no suffix left: refused as an unsupported type
        ("a<b>:c|d?.PDF", "a_b__c_d.pdf"),
        ("\x00\x01.txt", ""),
    ],
)
def test_upload_names_are_sanitised(given, expected):
    assert sanitise_name(given) == expected


def test_uploads_stay_in_the_uploads_folder_and_limits_are_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("ANQUAN_UPLOAD_MAX_MB", "0.001")  # about 1 KB
    monkeypatch.setenv("ANQUAN_UPLOAD_MAX_FILES", "3")
    settings = Settings()
    small = tmp_path / "small.md"
    small.write_text("# 小文件\n\n正文。", encoding="utf-8")
    big = tmp_path / "big.md"
    big.write_text("大" * 2000, encoding="utf-8")
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ" * 10)
    batch = accept_uploads([small, big, exe], settings, ["../../逃逸.md", "big.md", "tool.exe"])
    assert [a.name for a in batch.accepted] == ["逃逸.md"]
    assert batch.accepted[0].path.parent == uploads_dir(settings)
    assert not (settings.data_dir.parent / "逃逸.md").exists()
    reasons = {r.name: r.reason for r in batch.rejected}
    assert "文件过大" in reasons["big.md"] and "0.001 MB" in reasons["big.md"]
    assert "不支持的文件类型“.exe”" in reasons["tool.exe"]
    with pytest.raises(UploadError, match="一次最多上传 3 个文件"):
        accept_uploads([small] * 4, settings)


def test_document_text_is_shown_as_text_never_as_markup(settings):
    from assistant.answer import Answer, Source
    from assistant.web.sources import source_messages
    from ingest.knowledge_base import KnowledgeBase
    from ingest.store import StoredChunk

    hostile = "第一条 <img src=x onerror=alert(1)><script>alert(2)</script>[点我](javascript:alert(3))"
    chunk = StoredChunk("c1", hostile, {"doc_id": "恶意文档", "title": "恶意文档", "unit": "passage", "kind": "其他"})
    panel = source_messages(KnowledgeBase(settings), Answer("问", "答[1]", False, [Source(1, chunk)]))[0]["content"]
    assert "<img" not in panel and "<script" not in panel
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in panel


def test_deleting_the_current_version_brings_back_the_older_one(settings):
    from ingest.pipeline import Ingestor

    ingestor = Ingestor(settings)
    ingestor.run([FIXTURES / f"{REGULATION_NEW}.md", FIXTURES / f"{REGULATION_OLD}.md"])
    assert ingestor.kb.documents()[REGULATION_OLD].superseded
    report = ingestor.remove([REGULATION_NEW])
    records = ingestor.kb.documents()
    assert REGULATION_NEW not in records and not records[REGULATION_OLD].superseded
    assert report.count("pruned") == 1
    assert not ingestor.kb.store.document_chunks(REGULATION_NEW)
    assert ingestor.remove(["不存在的文档"]).results[0].reason == "知识库中没有这个文档"


def test_llm_mode_is_named_in_the_header_and_answers_through_the_same_path(settings, monkeypatch):
    from assistant.web.ask_tab import ask_api, ask_stream
    from assistant.web.context import WebContext
    from assistant.web.sources import source_messages
    from ingest.pipeline import Ingestor

    Ingestor(settings).run([FIXTURES / f"{REGULATION_NEW}.md"])

    def reply(messages):
        user = messages[-1]["content"]
        number = next(
            n
            for n, body in re.findall(r'<资料 编号="(\d+)"[^>]*>\n(.*?)\n</资料>', user, re.S)
            if "先通风、再检测、后作业" in body
        )
        return f"有限空间作业必须先通风再检测：“先通风、再检测、后作业”[{number}]。"

    with FakeOpenAI(reply) as server:
        monkeypatch.setenv("ANQUAN_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("ANQUAN_LLM_MODEL", "fake-model")
        ctx = WebContext(Settings())
        assert "模式：**大模型：fake-model**" in ctx.header()
        result = ask_api(ctx)("有限空间作业应当坚持什么顺序？")
        answer = ctx.assistant().ask("有限空间作业应当坚持什么顺序？").answer
        # this server cannot stream: the chat falls back to one verified answer
        *partials, streamed = ask_stream(ctx, "有限空间作业应当坚持什么顺序？", [], True, None, None)
    assert {"doc": REGULATION_NEW, "article": "第六条"} in result["citations"]
    assert {"doc": REGULATION_NEW, "article": "第六条"} in streamed.answer.citations
    panels = source_messages(ctx.kb, answer)
    assert panels and "第六条" in panels[0]["metadata"]["title"]
    assert "检测合格后方可进入" in panels[0]["content"]  # the whole article behind the citation


def test_llm_answers_are_shown_as_they_are_written_then_verified(settings):
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from assistant.llm import LlmComposer
    from assistant.web.ask_tab import ask_stream
    from assistant.web.context import WebContext
    from ingest.pipeline import Ingestor

    ingestor = Ingestor(settings)
    ingestor.run([FIXTURES / f"{REGULATION_NEW}.md"])
    ctx = WebContext(settings, ingestor.kb)
    reply = AIMessage("有限空间作业 应当 先通风、再检测、后作业 [1] [99]")
    ctx.__dict__["llm"] = LlmComposer(settings, model=GenericFakeChatModel(messages=iter([reply])))
    items = list(ask_stream(ctx, "有限空间作业应当坚持什么顺序？", [], True, None, None))
    partials, final = items[:-1], items[-1]
    assert len(partials) > 2 and all(isinstance(p, str) for p in partials)
    assert partials[-1].endswith("[99]")  # shown while written, unverified
    assert "[99]" not in final.answer.text.split("核验")[0]  # the verified answer replaces it
    assert "已删除无法对应资料的引用编号：[99]" in final.answer.text
    assert final.answer.sources and final.retrieved


def test_a_stream_cut_mid_reply_on_the_web_ends_with_the_offline_answer_and_says_why(settings, monkeypatch):
    from assistant.web.ask_tab import ask_stream
    from assistant.web.context import WebContext
    from ingest.pipeline import Ingestor

    Ingestor(settings).run([FIXTURES / f"{REGULATION_NEW}.md"])
    with _Stream(["有限空间作业", "应当先通风[1]，"], finish_reason=None) as endpoint:
        monkeypatch.setenv("ANQUAN_LLM_BASE_URL", endpoint.base_url)
        monkeypatch.setenv("ANQUAN_LLM_MODEL", "fake-model")
        ctx = WebContext(Settings())
        *partials, final = ask_stream(ctx, "有限空间作业应当坚持什么顺序？", [], True, None, None)
    text = final.answer.text
    assert text.startswith("大模型服务暂不可用（回复在中途断开") and "以下为离线摘录答案" in text.split("\n")[0], text
    assert "ANQUAN_LLM_BASE_URL" not in text  # the address works: the reply broke off (K04)
    assert "有限空间作业应当先通风[1]，" not in text  # the cut reply is not kept as if it were whole
    assert {"doc": REGULATION_NEW, "article": "第六条"} in final.answer.citations


def test_login_is_required_when_a_user_and_password_are_set(monkeypatch):
    from gradio_client import Client

    from assistant.web.app import launch

    monkeypatch.setenv("ANQUAN_WEB_USER", "anjian")
    monkeypatch.setenv("ANQUAN_WEB_PASSWORD", "s3cret-口令")
    port = free_port()
    demo = launch(Settings(), port=port, quiet=True, block=False)
    url = f"http://127.0.0.1:{port}/"
    try:
        assert demo.server_name == "127.0.0.1"  # localhost unless configured
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "config", timeout=10)
        assert refused.value.code == 401
        with pytest.raises(ValueError):
            Client(url, auth=("anjian", "wrong"), verbose=False)
        client = Client(url, auth=("anjian", "s3cret-口令"), verbose=False)
        assert client.predict(question="任何问题", api_name="/ask")["abstained"] is True  # empty knowledge base
    finally:
        demo.close()


def test_serve_explains_a_port_in_use():
    from typer.testing import CliRunner

    from assistant.cli import app

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert "请用 --port 换一个端口" in result.output


def test_the_downloads_folder_is_made_on_the_first_export_and_removed_on_close(settings):
    import gc

    from assistant.web.context import WebContext

    ctx = WebContext(settings)
    assert ctx._exports is None  # no download yet: nothing in the temp folder
    first, second = ctx.export_path("自查清单.xlsx"), ctx.export_path("自查清单.xlsx")
    assert first.parent != second.parent and first.name == second.name == "自查清单.xlsx"
    first.write_bytes(b"x")
    folder = first.parent.parent
    assert folder.name.startswith("anquan-web-")
    ctx.close()
    assert not folder.exists()
    again = ctx.export_path("plan.docx").parent.parent  # made again after a close
    del ctx
    gc.collect()
    assert not again.exists()  # and removed with the context


# --- the running app ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`anquan serve` in a subprocess over the fixture corpus, in its own data directory."""
    data_dir, temp = tmp_path_factory.mktemp("web-data"), tmp_path_factory.mktemp("web-temp")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANQUAN_")}
    env.update(ANQUAN_DATA_DIR=str(data_dir), ANQUAN_EMBEDDER="builtin", PYTHONUNBUFFERED="1", TMPDIR=str(temp))
    from ingest.pipeline import ingest

    ingest([FIXTURES], Settings(data_dir=data_dir, embedder="builtin"))  # the same as `anquan ingest`, in-process
    port = free_port()
    log = (data_dir / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    wait_until_serving(process, url, data_dir / "serve.log", START_TIMEOUT, "anquan serve")
    yield url, data_dir
    stop_server(process)
    log.close()
    assert process.returncode == 0  # stopped by SIGTERM: closed, not killed
    assert not list(temp.glob("anquan-web-*"))  # the downloads' folder went with the server
    printed = (data_dir / "serve.log").read_text(encoding="utf-8", errors="replace")
    assert "安全生产法规助手 网页界面：http://127.0.0.1:" in printed
    assert not re.search(r"share=True|Running on|Keyboard interruption|Warning", printed), printed  # no English


@pytest.fixture
def page(browser, server):
    # an English browser on purpose: the interface must still be Chinese
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(ANSWER_TIMEOUT)
    page.goto(server[0])
    page.wait_for_selector("#ask-input textarea")
    yield page
    context.close()


@pytest.fixture
def phone(browser, server):
    """The app on a phone-sized screen (390×844, touch)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-US"
    )
    page = context.new_page()
    page.set_default_timeout(ANSWER_TIMEOUT)
    page.goto(server[0])
    page.wait_for_selector("#ask-input textarea")
    yield page
    context.close()


def _shot(page, name: str, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def _download(page, button: str, path: Path) -> Path:
    """Click a download button; the browser gets a file of the expected type, saved at path."""
    with page.expect_download() as download:
        page.click(button)
    assert download.value.suggested_filename.endswith(path.suffix)
    download.value.save_as(path)
    return path


def _ask(page, question: str):
    """Ask in the chat; returns the new bot answer bubble (the last one)."""
    answers = page.locator("#ask-chat .message-row.bot-row")
    before = answers.count()
    page.fill("#ask-input textarea", question)
    page.click("#ask-send")
    page.wait_for_function(  # a new answer, and no "正在检索" placeholder left
        """n => document.querySelectorAll('#ask-chat .message-row.bot-row').length > n
               && !document.querySelector('#ask-chat [aria-busy="true"]')""",
        arg=before,
    )
    return answers.last


def test_header_says_mode_and_store(page):
    header = page.locator("#app-mode")
    assert "模式：离线" in header.inner_text()
    assert "知识库：本地" in header.inner_text()


def test_ask_cites_and_expands_the_article(page):
    answer = _ask(page, "未经审批实施危险作业怎么处罚？")
    text = answer.inner_text()
    assert "《青山市危险作业安全管理条例》第八条" in text
    assert "知识库中未找到依据" not in text
    source = answer.locator(".thought-group .title", has_text="第八条")
    expect_hidden = "由应急管理部门责令限期改正" not in answer.locator(".thought-group").first.inner_text()
    source.first.click()
    expanded = answer.locator(".thought-group").first
    expanded.locator("mark").wait_for()
    assert expect_hidden, "the article text should be collapsed until the citation is clicked"
    assert "处二万元以上五万元以下的罚款" in expanded.inner_text()
    assert "青山市危险作业安全管理条例(2024-05-01)" in expanded.inner_text()  # where it comes from
    page.wait_for_timeout(400)  # let the panel finish opening
    _shot(page, "ask")


def test_follow_up_keeps_the_context_until_the_chat_is_cleared(page):
    _ask(page, "危险作业发包给其他单位怎么办？")
    follow_up = _ask(page, "要签什么？").inner_text()
    assert "按“危险作业发包给其他单位怎么办，要签什么？”检索" in page.locator("#ask-chat").inner_text()
    assert "知识库中未找到依据" not in follow_up
    assert "《青山市危险作业安全管理条例》第五条之一" in follow_up
    _ask(page, "危险作业发包给其他单位怎么办？")
    page.locator('#ask-chat button[title="清空对话"]').click()  # the chat's own icon must forget the context too
    page.wait_for_function("() => document.querySelectorAll('#ask-chat .message-row').length === 0")
    alone = _ask(page, "要签什么？").inner_text()  # the earlier question no longer applies: nothing to go on
    assert alone.startswith("知识库中未找到依据")
    assert "追问：按“" not in page.locator("#ask-chat").inner_text()


def test_abstains_when_there_is_no_basis(page):
    answer = _ask(page, "化工企业储罐区的防火间距是多少米？").inner_text()
    assert answer.startswith("知识库中未找到依据")


def _source_title(answer, number: int):
    """The title of the answer's source entry [number] (clicking it opens or closes the entry)."""
    return answer.locator(".thought-group > .title", has_text=re.compile(rf"^\s*\[{number}\]"))


def _in_view(page, element) -> bool:
    """The element's top is inside the chat's visible area."""
    box, chat = element.bounding_box(), page.locator("#ask-chat").bounding_box()
    return box is not None and chat["y"] <= box["y"] <= chat["y"] + chat["height"] - 20


def test_a_marker_opens_its_source_and_sources_are_listed_once(page):
    answer = _ask(page, "有限空间作业应当坚持什么顺序？危险作业发包给其他单位怎么办？")
    assert sorted(set(answer.locator("a.cite-ref").all_inner_texts())) == ["[1]", "[2]"]
    assert answer.locator(".thought-group > .title").count() == 2
    assert answer.locator(".title.expanded").count() == 0  # collapsed until asked for
    text = answer.inner_text()
    # each source is listed once: as its expandable entry, not again in a 依据 list above the entries
    assert text.count("第六条（第二章") == 1 and text.count("第五条之一（第二章") == 1
    assert "依据：" not in text and "依据（点击编号或下面的条目展开原文）" in text
    # the provision answering the part asked first (有限空间…顺序: 第六条) is source 1
    assert "第六条" in _source_title(answer, 1).inner_text()
    answer.locator('a.cite-ref[href="#source-2"]').first.click()
    second = _source_title(answer, 2)
    page.wait_for_function("t => t.classList.contains('expanded')", arg=second.element_handle())
    assert "第五条之一" in second.inner_text()
    opened = second.locator("xpath=..")  # the entry: title and the article
    opened.get_by_text("签订专门的安全生产管理协议").first.wait_for()
    assert opened.locator("mark").count() >= 1  # the quoted clause is marked
    assert "expanded" not in (_source_title(answer, 1).get_attribute("class") or "")  # only the one clicked
    page.wait_for_timeout(900)  # the page script scrolls the entry into view once it is laid out
    assert _in_view(page, second)
    _shot(page, "ask-markers")
    answer.locator('a.cite-ref[href="#source-1"]').first.click()
    page.wait_for_function("t => t.classList.contains('expanded')", arg=_source_title(answer, 1).element_handle())
    assert "expanded" in (second.get_attribute("class") or "")  # a marker opens, never closes


def test_a_quoted_list_is_highlighted_line_by_line(page):
    fixture = (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8")
    article = re.search(r"^第七条.*?(?=\n\n)", fixture, re.S | re.M).group().split("\n")
    assert len(article) == 13  # the clause introducing the list, then （一）…（十二）
    answer = _ask(page, "危险作业现场应当落实哪些安全措施？")
    assert "（十二）" in answer.inner_text()  # the answer quotes the whole list
    answer.locator('a.cite-ref[href="#source-1"]').first.click()
    entry = _source_title(answer, 1).locator("xpath=..")
    entry.locator("mark").first.wait_for()
    marks = [m.strip() for m in entry.locator("mark").all_inner_texts()]
    assert marks == article  # every line of the quoted list, each marked on its own
    boxes = [m.bounding_box() for m in entry.locator("mark").all()]
    assert all(box and box["width"] > 100 for box in boxes)  # shown, not empty marks
    page.wait_for_timeout(900)
    _shot(page, "ask-list-highlight")


def test_phone_markers_and_a_readable_document_table(phone):
    answer = _ask(phone, "有限空间作业应当坚持什么顺序？")
    answer.locator("a.cite-ref").first.tap()
    title = _source_title(answer, 1)
    phone.wait_for_function("t => t.classList.contains('expanded')", arg=title.element_handle())
    phone.wait_for_timeout(900)
    _shot(phone, "ask-phone")
    phone.get_by_role("tab", name="知识库").click()
    table = phone.locator("#lib-documents")
    first_row = table.get_by_role("row").nth(1)  # row 0 is the header
    first_row.get_by_role("gridcell").first.wait_for()
    table.scroll_into_view_if_needed()
    widths = [cell.bounding_box()["width"] for cell in first_row.get_by_role("gridcell").all()]
    assert len(widths) >= 6
    assert widths[0] >= 120 and min(widths) >= 80, widths  # words, not one character a line
    scrolls = table.evaluate("""t => Array.from(t.querySelectorAll('*')).some(e =>
        ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 20)""")
    assert scrolls, "the table scrolls sideways inside its box"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # the page itself does not
    _shot(phone, "library-phone")


def test_ask_api_with_gradio_client(server):
    from gradio_client import Client

    client = Client(server[0], verbose=False)
    result = client.predict(question="危险作业应急演练多久组织一次？", api_name="/ask")
    assert result["abstained"] is False
    assert {"doc": REGULATION_NEW, "article": "第五条"} in result["citations"]
    assert result["sources"][0]["citation"].startswith("《青山市危险作业安全管理条例》第五条")
    old = client.predict(question="危险作业应急演练多久组织一次？", current_only=False, api_name="/ask")
    assert old["retrieved"]  # with superseded versions included the answer still resolves
    plans_only = client.predict(question="危险作业应急演练多久组织一次？", kinds=["计划方案"], api_name="/ask")
    assert all(c["doc"] != REGULATION_NEW for c in plans_only["citations"])  # the kind filter holds
    assert all(r["doc"] != REGULATION_NEW for r in plans_only["retrieved"])
    none = client.predict(question="化工企业储罐区的防火间距是多少米？", api_name="/ask")
    assert none["abstained"] is True and none["citations"] == []


def test_selfcheck_checklist_report_and_xlsx(page, tmp_path):
    import openpyxl

    from assistant.selfcheck.export import HEADER_ROW

    page.get_by_role("tab", name="义务自查").click()
    page.click("#sc-build")
    page.locator("#sc-message", has_text="请先填写“行业”").wait_for()
    industry = page.locator("#sc-industry input")
    industry.fill("一般工贸（机械制造）")
    industry.press("Enter")
    page.click("#sc-build")  # no headcount: refused, never a checklist for 0 people
    page.locator("#sc-message", has_text="请填写从业人员人数").wait_for()
    page.locator("#sc-employees").get_by_role("textbox").fill("120")
    page.click("#sc-build")
    page.locator("#sc-message", has_text="已生成自查清单").wait_for()
    answers = page.locator(".sc-answer")
    answers.first.wait_for()
    total = answers.count()
    assert total > 10
    progress = page.locator("#sc-progress")
    assert f"已回答 0/{total}" in progress.inner_text()
    answers.nth(0).get_by_label("否").check()
    answers.nth(1).get_by_label("不确定").check()
    answers.nth(2).get_by_label("是").check()
    progress.get_by_text(f"已回答 3/{total}").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "selfcheck-form")
    page.locator(".sc-basis summary").first.click()  # the quoted article expands
    _shot(page, "selfcheck")
    page.click("#sc-report")
    report = page.locator("#sc-gaps")
    report.locator("h3", has_text="差距报告").wait_for()
    assert f"已回答 3/{total} 项：已落实 1 项，未落实 1 项，待核实 1 项" in report.inner_text()
    report.scroll_into_view_if_needed()
    _shot(page, "selfcheck-report")
    path = _download(page, "#sc-xlsx", tmp_path / "checklist.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["自查清单"]
    header = [c.value for c in sheet[HEADER_ROW]]
    assert sheet.max_row - HEADER_ROW == total
    first = dict(zip(header, [c.value for c in sheet[HEADER_ROW + 1]], strict=False))
    assert first["回答"] == "否"
    gaps = book["差距报告"]
    status = [c.value for c in gaps[HEADER_ROW]].index("状态")
    assert sorted(row[status].value for row in gaps.iter_rows(min_row=HEADER_ROW + 1)) == ["待核实", "未落实"]
    # filled in offline and uploaded back: the report follows the file
    sheet.cell(row=HEADER_ROW + 4, column=header.index("回答") + 1, value="否")
    book.save(path)
    page.locator("#sc-filled-box").get_by_text("已在 Excel 里填好了自查表").click()
    page.locator("#sc-filled input[type=file]").set_input_files(str(path))
    report.locator("small", has_text="按上传的").wait_for()
    assert "已落实 1 项，未落实 2 项，待核实 1 项" in report.inner_text()
    wrong = tmp_path / "回答.txt"
    wrong.write_text("aqsc: 是", encoding="utf-8")
    page.locator("#sc-filled input[type=file]").set_input_files(str(wrong))
    report.get_by_text("回答文件须为").wait_for()
    # a 300-byte YAML alias bomb (billions of nodes once expanded) is refused at once, and the page goes on
    bomb = tmp_path / "回答.yaml"
    levels = ['a0: &a0 ["是","是","是","是","是","是","是","是","是"]']
    levels += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    bomb.write_text("\n".join(levels) + "\n", encoding="utf-8")
    page.locator("#sc-filled input[type=file]").set_input_files(str(bomb))
    report.get_by_text("回答文件中不能使用 YAML 别名").wait_for(timeout=15000)
    # a whole theme marked at once: every answer in it is set and the count follows
    first_theme = page.locator(".sc-mark").first
    first_theme.get_by_role("button", name="是", exact=True).click()
    progress.get_by_text(re.compile(r"已回答 ([4-9]|\d\d+)/")).wait_for()
    assert answers.nth(0).get_by_label("是").is_checked()


def test_an_upload_is_listed_answered_and_deleted_and_a_bad_file_explained(page, server, tmp_path):
    page.get_by_role("tab", name="知识库").click()
    page.get_by_text("将文件拖放到此处").wait_for()  # Gradio's own texts are Chinese too
    good = write_docx(tmp_path / "青山市有限空间作业安全管理办法.docx")
    bad = tmp_path / "检查记录.exe"
    bad.write_bytes(b"MZ\x90\x00" * 64)
    page.locator("#lib-files input[type=file]").set_input_files([str(good), str(bad)])
    page.locator("#lib-files", has_text="检查记录").wait_for()  # shown as 检查记录 | .exe
    page.click("#lib-ingest")
    page.locator("#lib-message", has_text="有文件未能导入").wait_for()
    results = page.locator("#lib-results").inner_text()
    assert "新增" in results and "青山市有限空间作业安全管理办法.docx" in results
    assert "不支持的文件类型“.exe”" in results
    assert "青山市有限空间作业安全管理办法" in page.locator("#lib-documents").inner_text()
    assert "6 个文档" in page.locator("#app-mode").inner_text()
    _shot(page, "library", full_page=True)
    page.locator("#lib-search").get_by_role("textbox").fill("有限空间")
    page.wait_for_function("() => !document.querySelector('#lib-documents').innerText.includes('青山镇')")
    assert "青山市有限空间作业安全管理办法" in page.locator("#lib-documents").inner_text()
    # the uploaded document answers, and once deleted it is gone from the list and from uploads/
    page.get_by_role("tab", name="问答").click()
    answer = _ask(page, "有限空间作业前氧含量低于多少严禁进入？").inner_text()
    assert "青山市有限空间作业安全管理办法" in answer
    page.get_by_role("tab", name="知识库").click()
    choice = page.locator("#lib-delete-choice input")
    choice.fill("青山市有限空间作业安全管理办法")
    page.get_by_role("option").filter(has_text="青山市有限空间作业安全管理办法").first.click()
    page.click("#lib-delete")
    page.locator("#lib-message", has_text="请先勾选“确认删除”").wait_for()
    page.locator("#lib-delete-confirm input").check()
    page.click("#lib-delete")
    page.locator("#lib-message", has_text="已删除").wait_for()
    assert "青山市有限空间作业安全管理办法" not in page.locator("#lib-documents").inner_text()
    uploads = server[1] / "uploads"
    assert uploads.is_dir() and not list(uploads.iterdir())  # the deleted file went, the .exe never came


def test_plan_draft_preview_and_docx(page, tmp_path):
    import docx

    page.get_by_role("tab", name="计划起草").click()
    page.click("#plan-make")
    page.locator("#plan-message", has_text="请填写“期间”").wait_for()
    page.locator("#plan-kind").get_by_label("专项整治方案").check()
    page.fill("#plan-period textarea", "2025-06")
    level = page.locator("#plan-level input")
    level.fill("青山区")
    level.press("Enter")
    page.locator("#plan-focus input").fill("危险作业")
    page.get_by_role("option", name="危险作业", exact=True).click()
    region = page.locator("#plan-region input")
    region.fill("青山市")
    region.press("Enter")
    page.click("#plan-make")
    page.locator("#plan-message", has_text="已起草").wait_for(timeout=300_000)
    preview = page.locator("#plan-preview").inner_text()
    assert "青山区2025年危险作业安全专项整治" in preview
    assert "《青山市危险作业安全管理条例》" in preview and "[1]" in preview
    first = page.locator("#plan-sources details").first
    first.locator("summary").click()
    article = first.locator(".article-text").inner_text()  # the whole article, expanded
    assert re.match(r"第[一二三四五六七八九十百零]+条", article) and "危险作业" in article
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "plan")
    path = _download(page, "#plan-docx", tmp_path / "plan.docx")
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "青山区2025年危险作业安全专项整治" in text
    assert "《青山市危险作业安全管理条例》" in text
    assert any(p.style.name.startswith("Heading") for p in document.paragraphs)
