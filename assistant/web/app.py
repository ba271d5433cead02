"""The Gradio app: a header that says the mode and the store, and one tab per task. `anquan serve`
launches it on 127.0.0.1 unless a host is configured, with a login when a user and password are set."""

from __future__ import annotations

import os
import signal
import threading

import gradio as gr
from fastapi.exceptions import RequestValidationError
from starlette.middleware import Middleware

from assistant.web import ask_tab, library_tab, plan_tab, selfcheck_tab
from assistant.web.context import WebContext, friendly_errors
from assistant.web.gradio_zh import chinese_interface
from assistant.web.login import ClientAddress, LoginGuard, LoginPage, OwnLogout, login_pair
from assistant.web.refusals import ChineseErrors, LoginRequired, RequestGuard
from assistant.web.sessions import SessionOwner
from assistant.web.uploads import (
    UPLOAD_MAX_AGE_S,
    UPLOAD_SWEEP_S,
    UploadQuota,
    upload_area_limit_bytes,
    upload_file_limit_bytes,
)
from ingest.knowledge_base import KnowledgeBase
from ingest.settings import Settings

TITLE = "安全生产法规助手"
# Chinese system fonts first (Windows, macOS, Linux), all local: the app must work on an offline intranet.
FONTS = (
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "ui-sans-serif",
    "system-ui",
    "sans-serif",
)
CSS = """
footer { display: none !important; }
#app-header h1 { margin-bottom: 0; }
.prose h1, .prose h2, .prose h3, .prose h4, .prose strong { font-weight: 700 !important; }
#ask-chat mark { background: #fff3b0; padding: 0 2px; }
#ask-chat .thought-group .title, #ask-chat .thought-group .title p { color: #1d4ed8 !important; cursor: pointer; }
#ask-chat .thought-group .content p { font-size: 15px !important; line-height: 1.7; }
.gradio-container { max-width: 1400px !important; }
#lib-documents td, #lib-documents th, #lib-documents .cell-wrap { font-family: var(--font) !important; }
#lib-results table { width: 100%; }
#lib-results td:nth-child(2), #lib-results td:nth-child(3), #lib-results th { white-space: nowrap; }
.sc-item { border-bottom: 1px solid #e5e7eb; padding-bottom: 6px; }
.sc-basis details, .plan-sources details { margin: 2px 0 2px 1em; }
.sc-basis summary, .plan-sources summary { cursor: pointer; color: #1d4ed8; }
.article-text { white-space: pre-wrap; background: #f8fafc; padding: 6px 10px; border-left: 3px solid #93c5fd; }
#ask-chat a.cite-ref { color: #1d4ed8; text-decoration: none; cursor: pointer; font-weight: 600; padding: 0 1px; }
#ask-chat a.cite-ref:hover, #ask-chat a.cite-ref:focus { text-decoration: underline; }
#ask-chat .thought-group.cite-target { outline: 2px solid #93c5fd; border-radius: 6px; transition: outline-color 1s; }
/* a phone: the document table keeps readable columns and scrolls sideways (Gradio sizes the columns in
   pixels from the percentages, which on a 390 px screen leaves one character a line) */
@media (max-width: 720px) {
  #lib-documents { --doc-col: 6.5rem; }
  #lib-documents th:first-child, #lib-documents td:first-child, #lib-documents [role=gridcell]:first-child {
    --doc-col: 10rem; }
  #lib-documents th:last-child, #lib-documents td:last-child, #lib-documents [role=gridcell]:last-child {
    --doc-col: 9rem; }
  #lib-documents th, #lib-documents td, #lib-documents [role=gridcell] {
    width: var(--doc-col) !important; min-width: var(--doc-col) !important; max-width: var(--doc-col) !important;
    flex: 0 0 var(--doc-col) !important; }
  #lib-documents table, #lib-documents .virtual-body, #lib-documents .virtual-row { width: max-content !important; }
}
"""
# The chat's [n] markers (sources.link_markers) open the source entry with that number in the same answer.
CITE_JS = """
() => {
  if (window.anquanCiteLinks) return;
  window.anquanCiteLinks = true;
  const scroller = (element) => {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowY;
      if ((overflow === "auto" || overflow === "scroll") && node.scrollHeight > node.clientHeight) return node;
    }
    return null;
  };
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a.cite-ref") : null;
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const label = "[" + (link.getAttribute("href") || "").replace("#source-", "") + "]";
    const startsWith = (title) => title.textContent.trim().startsWith(label);
    const row = link.closest(".message-row");
    let title = row ? Array.from(row.querySelectorAll(".thought-group > .title")).find(startsWith) : null;
    if (!title) {  // not grouped with the answer: the first such entry after the marker
      title = Array.from(document.querySelectorAll(".thought-group > .title")).find(
        (t) => startsWith(t) && (link.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING));
    }
    if (!title) return;
    if (!title.classList.contains("expanded")) title.click();
    const group = title.closest(".thought-group");
    group.classList.add("cite-target");
    setTimeout(() => group.classList.remove("cite-target"), 2000);
    const place = () => {  // the entry's top at the top of the chat, once the opened text is laid out
      const box = scroller(group);
      if (box) box.scrollTop += group.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
      else group.scrollIntoView({block: "start"});
    };
    [60, 350, 700].forEach((ms) => setTimeout(place, ms));
  }, true);
}
"""


def build_app(settings: Settings | None = None, ctx: WebContext | None = None) -> gr.Blocks:
    ctx = ctx or WebContext(settings or Settings())
    # nothing leaves the machine; uploaded files never imported are removed after an hour (uploads.py)
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(UPLOAD_SWEEP_S, UPLOAD_MAX_AGE_S)) as demo:
        with gr.Row(elem_id="app-header"):
            gr.Markdown(f"# {TITLE}\n导入法规与本地方案，回答带出处的问题，起草工作计划，检查企业法定义务。")
        header = gr.Markdown(ctx.header(), elem_id="app-mode")
        with gr.Tabs():
            with gr.Tab("问答", id="ask") as ask:
                refresh_filters, filter_outputs = ask_tab.build(ctx)
            with gr.Tab("计划起草", id="plan"):
                plan_tab.build(ctx)
            with gr.Tab("义务自查", id="selfcheck"):
                selfcheck_tab.build(ctx)
            with gr.Tab("知识库", id="library") as library:
                refresh_library, library_outputs = library_tab.build(ctx, header)
        gr.api(ask_tab.ask_api(ctx), api_name="ask")

        @friendly_errors("刷新", ctx.settings)
        def refresh():
            return (ctx.header(), *refresh_filters())

        # the header and the filter choices follow the knowledge base (another tab may have changed it)
        demo.load(refresh, None, [header, *filter_outputs], api_visibility="private")
        ask.select(refresh, None, [header, *filter_outputs], api_visibility="private")
        demo.load(refresh_library, None, library_outputs, api_visibility="private")
        library.select(refresh_library, None, library_outputs, api_visibility="private")
    demo.ctx = ctx
    return demo


def launch(
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    quiet: bool = True,
    block: bool = True,
    kb: KnowledgeBase | None = None,
) -> gr.Blocks:
    """Serve the app (blocking unless block=False, then the caller closes the returned app), on kb when given
    (`anquan serve` opens it first, to print the backends it resolved). Raises
    LoginConfigError (a Chinese message) when only one of the user name and password is set. Gradio's own
    English lines (the local URL, the share=True hint) are not printed unless quiet=False: `anquan serve`
    prints the address in Chinese."""
    pair = login_pair(settings)  # before anything starts: never serve without the login that was meant
    ctx = WebContext(settings, kb)
    demo = build_app(settings, ctx)
    ctx.start_background_vectors()  # vectors a neural ingest left pending
    auth = LoginGuard(*pair, settings) if pair else None
    # uvicorn (started by Gradio, which passes no forwarded_allow_ips) believes X-Forwarded-For from 127.0.0.1
    # unless told otherwise: only the configured proxies are believed, or the login throttling is per made-up address
    os.environ["FORWARDED_ALLOW_IPS"] = settings.web_trusted_proxies.strip()
    demo.queue(default_concurrency_limit=4).launch(
        server_name=host or settings.web_host,
        server_port=port or settings.web_port,
        auth=auth,
        auth_message="请输入安全生产法规助手的用户名和密码" if auth else None,
        max_file_size=upload_file_limit_bytes(settings),
        state_session_capacity=settings.web_sessions,
        footer_links=[],
        quiet=quiet,
        theme=gr.themes.Soft(primary_hue="blue", neutral_hue="slate", font=FONTS),
        css=CSS,
        js=CITE_JS,
        i18n=chinese_interface(),
        show_error=True,
        ssr_mode=False,
        prevent_thread_lock=True,
        app_kwargs={
            # Gradio's English errors are answered in Chinese, and its routes that skip the login refused without
            # one (refusals); the login page is Chinese in any browser and says why a login failed, and logging out
            # ends only the own session (login); an API
            # call with inputs left out gets their defaults, and one whose body cannot be read a Chinese reason;
            # a session is only its own browser's (sessions); the uploads Gradio keeps at once are bounded
            # (uploads.UploadQuota)
            "middleware": [
                Middleware(ChineseErrors),
                Middleware(ClientAddress),
                Middleware(LoginPage, title=TITLE),
                Middleware(LoginRequired),
                Middleware(OwnLogout),
                Middleware(RequestGuard, limit=int(settings.web_request_max_mb * 2**20)),
                Middleware(SessionOwner, capacity=10 * settings.web_sessions),
                Middleware(ask_tab.ApiDefaults),
                Middleware(
                    UploadQuota,
                    blocks=demo,
                    limit=upload_area_limit_bytes(settings),
                    per_request=upload_file_limit_bytes(settings),
                ),
            ],
            "exception_handlers": {RequestValidationError: ask_tab.malformed_request},
            "openapi_url": None,  # FastAPI's own schema at /openapi.json would list every route to anyone
        },
    )
    if block:
        _serve_until_stopped(demo, ctx)
    return demo


def _serve_until_stopped(demo: gr.Blocks, ctx: WebContext) -> None:
    """Wait until Ctrl+C or SIGTERM, then close the server and the context (its exports folder) without
    Gradio's English "Keyboard interruption…" line; Ctrl+C is raised again for the CLI to report."""
    stop = threading.Event()
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set()) if main else None
    try:
        while demo.is_running and not stop.wait(0.2):
            pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        demo.close(verbose=False)
        ctx.close()
