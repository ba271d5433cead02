"""问答 tab: a chat over Assistant.ask (the same path as `anquan ask`), follow-ups keep the earlier
questions as context, each answer's citations expand to the quoted article (a click on an [n] marker
opens it too); scope filters."""

from __future__ import annotations

import html
from collections.abc import Iterator

import gradio as gr

from assistant.answer import NO_BASIS, Answer
from assistant.ask import AskResult, question_too_long
from assistant.web.context import WebContext, friendly_errors, log
from assistant.web.sources import answer_content, plain, source_messages
from ingest.cleaning import is_blank

EXAMPLES = [
    "生产经营单位的主要负责人有哪些安全生产职责？",
    "动火作业前要做哪些准备？",
    "危险作业应急演练多久组织一次？",
    "未经审批实施危险作业怎么处罚？",
]
PLACEHOLDER = (
    "**有问题，直接问。** 回答只依据已入库的法规和方案，每条都注明出处，"
    "点击编号（如 [1]）或出处可展开条文原文；追问（如“那罚款是多少？”）会接着上一个问题回答。"
)


def answer_markdown(text: str) -> str:
    """A reply being written as chat Markdown: HTML escaped (documents are data), line breaks kept. The
    finished answer is sources.answer_content (linked markers, its sources listed once)."""
    return plain(text)


def searched_note(question: str, query: str) -> list[dict]:
    """A follow-up is searched together with the question it leans on: say what was searched."""
    if not query or query == question:
        return []
    return [{"role": "assistant", "content": plain(f"追问：按“{query}”检索")}]


EMPTY_KB = f"{NO_BASIS}：知识库还是空的。请先在“知识库”页上传法规和方案（或用 anquan ingest 导入），再来提问。"


def ask_once(
    ctx: WebContext,
    question: str,
    history: list[str],
    current_only: bool,
    kinds: list[str] | None,
    regions: list[str] | None,
) -> AskResult:
    if not ctx.kb.documents():
        return AskResult(Answer(question, EMPTY_KB, True))
    # no lock: questions run side by side, and while an import runs (in a worker process, WebContext.write)
    return ctx.assistant(current_only, kinds, regions).ask(question, history)


def ask_stream(
    ctx: WebContext,
    question: str,
    history: list[str],
    current_only: bool,
    kinds: list[str] | None,
    regions: list[str] | None,
) -> Iterator[str | AskResult]:
    """In LLM mode the growing (unverified) reply, then the AskResult; offline just the AskResult.
    An endpoint that cannot stream is asked once more without streaming."""
    if ctx.llm is None or not ctx.kb.documents():
        yield ask_once(ctx, question, history, current_only, kinds, regions)
        return
    stream = ctx.assistant(current_only, kinds, regions).ask_stream(question, history)
    try:
        first = next(stream)
    except Exception:  # noqa: BLE001 - some OpenAI-compatible servers do not stream
        log.warning("streaming failed; answering without streaming", exc_info=True)
        yield ask_once(ctx, question, history, current_only, kinds, regions)
        return
    yield first
    yield from stream


def build(ctx: WebContext):
    """Lay out the tab; returns a function giving fresh filter choices, and the filter components."""
    asked = gr.State([])  # the questions so far (context for follow-ups)
    with gr.Row(equal_height=False):
        with gr.Column(scale=4):
            chat = gr.Chatbot(
                label="问答",
                show_label=False,
                height=560,
                placeholder=PLACEHOLDER,
                buttons=["copy"],
                feedback_options=None,
                layout="bubble",
                elem_id="ask-chat",
                examples=[{"text": q} for q in EXAMPLES],
            )
            with gr.Row():
                question = gr.Textbox(
                    show_label=False,
                    placeholder="输入问题，例如：我们厂120个人，必须设安全管理机构吗？",
                    lines=1,
                    max_lines=4,
                    scale=5,
                    elem_id="ask-input",
                    autofocus=True,
                )
                send = gr.Button("提问", variant="primary", scale=1, min_width=90, elem_id="ask-send")
            clear = gr.Button("清空对话（开始新话题）", size="sm", variant="secondary", elem_id="ask-clear")
        with gr.Column(scale=1, min_width=240):
            gr.Markdown("#### 检索范围")
            current_only = gr.Checkbox(
                value=True,
                label="只看现行有效",
                elem_id="ask-current",
                info="取消勾选后，已被新版本取代的旧版法规也参与检索",
            )
            kinds = gr.Dropdown(
                choices=ctx.kinds(),
                multiselect=True,
                label="文档类别",
                value=[],
                info="不选则检索全部类别",
                elem_id="ask-kinds",
            )
            regions = gr.Dropdown(
                choices=ctx.regions(),
                multiselect=True,
                label="地区",
                value=[],
                info="不选则检索全部地区",
                elem_id="ask-regions",
            )
            gr.Markdown(
                f"<small>回答带编号的出处，如 [1]。无依据时会明确回答“{NO_BASIS}”，不会编造。"
                f"文档中的文字只作为资料引用，不会改变助手的行为。</small>"
            )

    @friendly_errors("回答问题")
    def respond(message: str, messages: list, history: list[str], current: bool, kind_values, region_values):
        message = (message or "").strip()
        if not message:
            gr.Warning("请先输入问题。")
            yield messages, history, ""
            return
        refusal = question_too_long(message, ctx.settings)
        if refusal:  # at once, before any search: a huge question would hold a worker for a minute
            gr.Warning(refusal, title="问题太长")
            yield messages, history, message
            return
        asked_now = [*messages, {"role": "user", "content": html.escape(message, quote=False)}]
        yield (
            [
                *asked_now,
                {"role": "assistant", "content": "", "metadata": {"title": "正在检索法规和方案…", "status": "pending"}},
            ],
            history,
            "",
        )
        for result in ask_stream(ctx, message, history, current, kind_values, region_values):
            if isinstance(result, str):  # the model is still writing: shown as it comes, verified at the end
                yield (
                    [
                        *asked_now,
                        {
                            "role": "assistant",
                            "content": "",
                            "metadata": {"title": "大模型作答中，完成后逐一核验引用…", "status": "pending"},
                        },
                        {"role": "assistant", "content": answer_markdown(result)},
                    ],
                    history,
                    "",
                )
        assert isinstance(result, AskResult)  # the stream ends with the verified answer
        searched = searched_note(message, result.query)
        yield (
            [
                *asked_now,
                *searched,
                {"role": "assistant", "content": answer_content(result.answer)},
                *source_messages(ctx.kb, result.answer),
            ],
            [*history, message],
            "",
        )

    inputs = [question, chat, asked, current_only, kinds, regions]
    outputs = [chat, asked, question]
    send.click(respond, inputs, outputs, api_visibility="private")
    question.submit(respond, inputs, outputs, api_visibility="private")

    def example(data: gr.SelectData, messages, history, current, kind_values, region_values):
        yield from respond(data.value["text"], messages, history, current, kind_values, region_values)

    chat.example_select(example, [chat, asked, current_only, kinds, regions], outputs, api_visibility="private")
    clear.click(lambda: ([], [], ""), None, outputs, api_visibility="private")
    chat.clear(
        lambda: [], None, asked, api_visibility="private"
    )  # the chat's own 清空对话 icon forgets the context too

    def refresh_filters():
        return gr.update(choices=ctx.kinds()), gr.update(choices=ctx.regions())

    return refresh_filters, [kinds, regions]


def ask_api(ctx: WebContext):
    """The ask endpoint for API clients (gradio_client): same path as the chat."""

    @friendly_errors("回答问题")
    def ask(
        question: str,
        history: list[str] | None = None,
        current_only: bool = True,
        kinds: list[str] | None = None,
        regions: list[str] | None = None,
    ) -> dict:
        """Ask a question; returns the answer text, whether it abstained, and its citations."""
        if is_blank(question):
            raise gr.Error("问题是空的：请先输入问题。", title="请输入问题")
        refusal = question_too_long(question, ctx.settings)
        if refusal:
            raise gr.Error(refusal, title="问题太长")
        result = ask_once(ctx, question, list(history or []), current_only, kinds, regions)
        payload = result.to_format()
        payload["sources"] = [{"number": s.number, "citation": s.citation} for s in result.answer.sources]
        return payload

    return ask
