"""Hostile round 30 (issue 16, second pass): the login page, self-check answer sheets, forged web sessions, and new
variants of the issue's classes.

The login page (Gradio's /login form) showed nothing at all when a login was refused for too many failures (HTTP
429) or could not be read (422: a field left empty), and a browser set to English (or French, Japanese…) saw
Gradio's texts in that language before login: the config Gradio serves before login carries no translations. Now
the page is Chinese in any browser, and says why a login failed: a lockout is counted down to the second."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import serving
from test_web import CHROMIUM, CHROMIUM_ARGS

from ingest.settings import Settings


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}: apt-get install -y chromium (CI installs it in .ci/run)")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


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
