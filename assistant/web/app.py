"""The Gradio app: a header that says the mode and the store, and one tab per task. `anquan serve`
launches it on 127.0.0.1 unless a host is configured, with a login when a user and password are set."""

from __future__ import annotations

import gradio as gr

from assistant.settings import Settings
from assistant.web import ask_tab, library_tab, plan_tab, selfcheck_tab
from assistant.web.context import WebContext
from assistant.web.gradio_zh import chinese_interface

TITLE = "安全生产法规助手"
# Chinese system fonts first (Windows, macOS, Linux), all local: the app must work on an offline intranet.
FONTS = ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "ui-sans-serif", "system-ui",
         "sans-serif")
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
"""


def build_app(settings: Settings | None = None, ctx: WebContext | None = None) -> gr.Blocks:
    ctx = ctx or WebContext(settings or Settings())
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:  # nothing leaves the machine
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

        def refresh():
            return (ctx.header(), *refresh_filters())

        # the header and the filter choices follow the knowledge base (another tab may have changed it)
        demo.load(refresh, None, [header, *filter_outputs], api_visibility="private")
        ask.select(refresh, None, [header, *filter_outputs], api_visibility="private")
        demo.load(refresh_library, None, library_outputs, api_visibility="private")
        library.select(refresh_library, None, library_outputs, api_visibility="private")
    demo.ctx = ctx  # type: ignore[attr-defined]
    return demo


def launch(settings: Settings, host: str | None = None, port: int | None = None, quiet: bool = False,
           block: bool = True) -> gr.Blocks:
    """Serve the app (blocking unless block=False, then the caller closes the returned app)."""
    demo = build_app(settings)
    auth = (settings.web_user, settings.web_password) if settings.web_user and settings.web_password else None
    demo.queue(default_concurrency_limit=4).launch(
        server_name=host or settings.web_host, server_port=port or settings.web_port, auth=auth,
        auth_message="请输入安全生产法规助手的用户名和密码" if auth else None,
        max_file_size=f"{max(settings.upload_max_mb * 4, 100):g}mb", footer_links=[], quiet=quiet,
        theme=gr.themes.Soft(primary_hue="blue", neutral_hue="slate", font=FONTS), css=CSS, i18n=chinese_interface(),
        show_error=True, ssr_mode=False, prevent_thread_lock=not block)
    return demo
