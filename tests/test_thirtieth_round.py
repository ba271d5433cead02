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
