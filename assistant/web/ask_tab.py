"""问答 tab: a chat over Assistant.ask (the same path as `anquan ask`), follow-ups keep the earlier
questions as context, each answer's citations expand to the quoted article (a click on an [n] marker
opens it too); scope filters."""

from __future__ import annotations

import functools
import html
import inspect
import json
import re
import types
import typing
from collections.abc import Callable, Iterator

import gradio as gr
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from assistant.answer import NO_BASIS, Answer
from assistant.ask import AskResult, question_too_long, unknown_filters
from assistant.web.context import WebContext, friendly_errors, log
from assistant.web.refusals import JSON_TYPE_NAMES
from assistant.web.sources import answer_content, plain, source_messages
from ingest.cleaning import is_blank
from ingest.encoding import escape_controls, escape_controls_in

EXAMPLES = [
    "生产经营单位的主要负责人有哪些安全生产职责？",
    "动火作业前要做哪些准备？",
    "危险作业应急演练多久组织一次？",
    "动火作业没安排专人现场安全管理，怎么处罚？",
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

    @friendly_errors("回答问题", ctx.settings)
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
            "",  # the question box is emptied once, when the question is taken: what the user types next stays
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
                    gr.skip(),
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
            gr.skip(),
        )

    inputs = [question, chat, asked, current_only, kinds, regions]
    outputs = [chat, asked, question]
    send.click(respond, inputs, outputs, api_visibility="private")
    question.submit(respond, inputs, outputs, api_visibility="private")

    def example(data: gr.SelectData, messages, history, current, kind_values, region_values):
        # the example's text as the page sends it ({"text": …}); anything else (from a client) is no question
        text = data.value.get("text") if isinstance(data.value, dict) else None
        question = text if isinstance(text, str) else ""
        yield from respond(question, messages, history, current, kind_values, region_values)

    chat.example_select(example, [chat, asked, current_only, kinds, regions], outputs, api_visibility="private")
    clear.click(lambda: ([], [], ""), None, outputs, api_visibility="private")
    chat.clear(
        lambda: [], None, asked, api_visibility="private"
    )  # the chat's own 清空对话 icon forgets the context too

    def refresh_filters():
        return gr.update(choices=ctx.kinds()), gr.update(choices=ctx.regions())

    return refresh_filters, [kinds, regions]


# what each JSON type is called when an API argument has the wrong one
_TYPE_NAMES = JSON_TYPE_NAMES


def _describe(hint) -> str:
    """A parameter's declared type in Chinese: list[str] | None -> 文字列表或 null."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return "或".join(_describe(part) for part in typing.get_args(hint))
    if typing.get_origin(hint) is list:
        return f"{_describe(typing.get_args(hint)[0])}列表"
    if hint in _TYPE_NAMES:
        return _TYPE_NAMES[hint]
    raise TypeError(f"an API parameter of type {hint!r} is not checked")


def _spaced(text: str) -> str:
    """A space between Chinese and a Latin word (须为 true 或 false, 文字列表或 null)."""
    return re.sub(r"(?<=[\u4e00-\u9fff])(?=[A-Za-z])|(?<=[A-Za-z])(?=[\u4e00-\u9fff])", " ", text)


def _fits(value, hint) -> bool:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return any(_fits(value, part) for part in typing.get_args(hint))
    if typing.get_origin(hint) is list:
        return isinstance(value, list) and all(_fits(item, typing.get_args(hint)[0]) for item in value)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def checked_arguments(fn: Callable) -> Callable:
    """For a public API function (gr.api): every argument must have the JSON type its signature declares
    (str, bool, int, float, None, lists and unions of these; anything else is refused when the endpoint is
    made). A wrong one is answered with one Chinese line naming the parameter ("参数类型错误：question 须为
    文字…") — not run into as an unexpected error whose log the client is told of."""
    signature = inspect.signature(fn)
    hints = typing.get_type_hints(fn)
    wanted = {name: (hints[name], _describe(hints[name])) for name in signature.parameters}

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        bound = signature.bind_partial(*args, **kwargs)
        bound.apply_defaults()
        for name, (hint, described) in wanted.items():
            value = bound.arguments.get(name)
            if _fits(value, hint):
                continue
            if value is None:
                problem = f"缺少参数 {name}：须为{described}。"
            else:
                received = next((n for t, n in _TYPE_NAMES.items() if isinstance(value, t)), "其他类型")
                problem = f"参数类型错误：{name} 须为{described}，收到的是{received}。参数说明见 /gradio_api/info。"
            # the client's mistake: no traceback in the server's output either
            raise gr.Error(_spaced(problem), title="参数有误", print_exception=False)
        return fn(*bound.args, **bound.kwargs)

    return checked


def ask_api(ctx: WebContext):
    """The ask endpoint for API clients (gradio_client): same path as the chat."""

    @friendly_errors("回答问题", ctx.settings)
    @checked_arguments
    def ask(
        question: str,
        history: list[str] | None = None,
        current_only: bool = True,
        kinds: list[str] | None = None,
        regions: list[str] | None = None,
    ) -> dict:
        """Ask a question; returns the answer text, whether it abstained, and its citations."""
        if is_blank(question):
            raise gr.Error("问题是空的：请先输入问题。", title="请输入问题", print_exception=False)
        refusal = question_too_long(question, ctx.settings)
        if refusal:
            raise gr.Error(refusal, title="问题太长", print_exception=False)
        if ctx.kb.documents():
            for label, unknown, known in unknown_filters(ctx.kb, kinds, regions)[:1]:
                parameter = "kinds" if label == "类别" else "regions"
                shown = "、".join(f"“{escape_controls(u[:40])}”" for u in unknown[:5])
                raise gr.Error(
                    f"参数有误：知识库中没有{label}为{shown}的文档，没有检索；{parameter} 可用的值为："
                    f"{'、'.join(known)}（不限{label}时不传或传 null）。",
                    title="参数有误",
                    print_exception=False,
                )
        result = ask_once(ctx, question, list(history or []), current_only, kinds, regions)
        payload = result.to_format()
        payload["sources"] = [{"number": s.number, "citation": s.citation} for s in result.answer.sources]
        # control and direction characters of a title or a text shown as \u202e, as the chat and the CLI show them
        return typing.cast(dict, escape_controls_in(payload))

    return ask


# POST /gradio_api/call/<name> (and the older /run/<name>, /api/<name>): a call with a positional data list; and
# POST /gradio_api/call/v2/<name>: a call with the arguments by name
_API_CALL = re.compile(r"/gradio_api/(?:call|run|api)/(v2/)?([^/]+)/?")


class ApiDefaults:
    """ASGI middleware for the API's call routes, before Gradio reads them:

    - a positional call ({"data": [...]}) that leaves out trailing arguments gets their defaults, as gradio_client
      and the named form do — so {"data": ["问题"]} is answered, and {"data": []} is told "缺少参数 question" by the
      endpoint itself (Gradio would answer in English, naming its internal objects);
    - a call to a name the app has no public endpoint for, and a named call (v2) with a parameter the endpoint does
      not have (a misspelt "questio", an extra field) or without a required one, is refused with 404 or 422 and a
      Chinese line naming the endpoints or the parameters: Gradio raised KeyError or TypeError on them, which the
      client read as "操作没有完成：请稍后重试" — a server fault, where retrying never helps. An extra field is not
      dropped silently either: a misspelt "curent_only" would be answered with the default the client meant to
      change.

    Every other request passes unchanged."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        call = (
            _API_CALL.fullmatch(scope.get("path", ""))
            if scope["type"] == "http" and scope.get("method") == "POST"
            else None
        )
        if call is None:
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                await self.app(scope, _replay(body, message, receive), send)
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if _not_utf8(body):
            await JSONResponse({"detail": NOT_UTF8}, status_code=400)(scope, receive, send)
            return
        named, name = bool(call.group(1)), call.group(2)
        endpoints = _public_endpoints(scope.get("app"))
        if endpoints is not None and name not in endpoints:
            await JSONResponse({"detail": _no_such_endpoint(name, endpoints)}, status_code=404)(scope, receive, send)
            return
        endpoint = endpoints.get(name) if endpoints is not None else None
        if named:
            refusal = _named_problem(endpoint, name, body) if endpoint is not None else ""
            if refusal:
                await JSONResponse({"detail": refusal}, status_code=422)(scope, receive, send)
                return
            await self.app(scope, _replay(body, None, receive), send)
            return
        padded = _with_defaults(endpoint, body)
        if padded is not body:
            scope = {
                **scope,
                "headers": [(k, v) for k, v in scope["headers"] if k != b"content-length"]
                + [(b"content-length", str(len(padded)).encode())],
            }
        await self.app(scope, _replay(padded, None, receive), send)


NOT_UTF8 = (
    "请求体不是 UTF-8 编码（可能是 GBK），没有处理：请以 UTF-8 编码发送 JSON，"
    "并设 Content-Type: application/json; charset=utf-8。"
)


def _not_utf8(body: bytes) -> bool:
    """Whether a body is no JSON text in any encoding JSON allows (UTF-8, or UTF-16/32 as json.loads detects)."""
    try:
        body.decode(json.detect_encoding(body))
    except (UnicodeDecodeError, LookupError):
        return True
    return False


def _public_endpoints(app) -> dict | None:
    """The app's endpoints an API client may call, by name (None when the app is not a Gradio app)."""
    get_blocks = getattr(app, "get_blocks", None)
    if get_blocks is None:
        return None
    return {f.api_name: f for f in get_blocks().fns.values() if f.api_name and f.api_visibility != "private"}


def _no_such_endpoint(name: str, endpoints: dict) -> str:
    listed = "、".join(n for n, f in endpoints.items() if f.api_visibility == "public") or "（无）"
    return (
        f"没有名为“{escape_controls(name[:40])}”的接口，没有处理：可调用的接口为 {listed}，"
        "如 POST /gradio_api/call/ask。参数说明见 /gradio_api/info。"
    )


def _parameters(endpoint) -> dict[str, bool] | None:
    """An endpoint's parameters by name, each whether it is required (no default); None when they cannot be read."""
    try:
        signature = inspect.signature(endpoint.fn)
    except (TypeError, ValueError):
        return None
    return {
        n: p.default is inspect.Parameter.empty
        for n, p in signature.parameters.items()
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }


def _named_problem(endpoint, name: str, body: bytes) -> str:
    """What is wrong with a named call's parameters (unknown or missing ones), in Chinese; "" when nothing is, or
    when the body is no JSON object (the request-validation handler answers that)."""
    try:
        request = json.loads(body)
    except ValueError:  # RecursionError: ChineseErrors says it is nested too deep
        return ""
    parameters = _parameters(endpoint)
    if not isinstance(request, dict) or parameters is None:
        return ""
    listed = "、".join(parameters)
    unknown = [k for k in request if k not in parameters and k != "oauth_token"]
    if unknown:
        shown = "、".join(f"“{escape_controls(k[:40])}”" for k in unknown[:5]) + ("等" if len(unknown) > 5 else "")
        return (
            f"参数名不对：{shown}不是接口 {name} 的参数，没有处理；可用的参数为 {listed}。参数说明见 /gradio_api/info。"
        )
    missing = [n for n, required in parameters.items() if required and n not in request]
    if missing:
        example = f'{{"{missing[0]}": …}}'
        return f"缺少参数 {'、'.join(missing)}：接口 {name} 必须提供，如 {example}；可用的参数为 {listed}。"
    return ""


def _replay(body: bytes, then: dict | None, receive):
    """A receive() that gives the body read so far, then `then` (or what the client sends next)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}, *([then] if then else [])]

    async def replayed():
        return pending.pop(0) if pending else await receive()

    return replayed


def _with_defaults(endpoint, body: bytes) -> bytes:
    """The body with the endpoint's default values appended when its data list is short; else body itself."""
    try:
        request = json.loads(body)
    except ValueError:
        return body
    data = request.get("data") if isinstance(request, dict) else None
    if not isinstance(data, list) or endpoint is None or len(data) >= len(endpoint.inputs):
        return body
    request["data"] = data + [getattr(block, "value", None) for block in endpoint.inputs[len(data) :]]
    return json.dumps(request).encode("utf-8")  # escaped: a lone surrogate the client sent (\ud800) stays JSON


MALFORMED_CALL = (
    "请求格式不对：请求体须为 JSON 对象，参数按顺序放在 data 列表中，如 "
    '{"data": ["动火作业要审批吗"]}；也可按名称传参：POST /gradio_api/call/v2/ask '
    '{"question": "动火作业要审批吗"}。参数说明见 /gradio_api/info。'
)


MALFORMED_LOGIN = "登录请求须以表单提交 username 和 password 两个字段（如 username=…&password=…）。"


async def malformed_request(request: Request, exc: Exception) -> Response:
    """FastAPI's request-validation handler for the app: a body the API routes or the login cannot read at all
    (not JSON, no data list, a field missing) is answered with one Chinese line, not pydantic's English field
    list; other routes as FastAPI answers."""
    if request.url.path.startswith("/gradio_api/") and isinstance(exc, RequestValidationError):
        return JSONResponse({"detail": MALFORMED_CALL}, status_code=422)
    if request.url.path.rstrip("/") == "/login" and isinstance(exc, RequestValidationError):
        return JSONResponse({"detail": MALFORMED_LOGIN}, status_code=422)
    return await request_validation_exception_handler(request, exc)  # type: ignore[arg-type]
