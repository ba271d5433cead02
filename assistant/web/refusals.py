"""Two ASGI middlewares for what Gradio and FastAPI would otherwise answer on their own terms.

- LoginRequired: with a login configured, Gradio checks it on its data routes but not on a few others
  (``/gradio_api/reset``, ``/gradio_api/cancel``, the stream and heartbeat routes), which answered
  ``{"success": true}`` to anyone. Before login nothing under ``/gradio_api/`` is needed but reading (the login
  page loads the app's shell and asks /config, which Gradio checks itself), so every other method there, and the
  unchecked GET routes, are refused with 401 and a Chinese reason until the request carries the session cookie
  Gradio gave at login. The login itself (``POST /login``) is outside ``/gradio_api/``.
- ChineseErrors: Gradio's own English error texts that reach a user or an API client (an upload over the size
  limit, a file path that was not uploaded, "Not authenticated") are answered in Chinese: in the body of an error
  response (status ≥ 400), and in the error message of a failed event of a queued call's stream. Only the texts
  in ``_ENGLISH`` are rewritten, and only where an error message stands (the "detail" or "error" of a JSON body):
  an answer, and the user's own words in it, pass byte for byte. An error message still wholly in English after
  that (Starlette's 405, Gradio's rarer texts) is said by its status in Chinese (``_BY_STATUS``).
"""

from __future__ import annotations

import json
import os
import re
import typing
from collections.abc import Callable
from pathlib import Path

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from assistant.faults import record
from ingest.encoding import escape_controls

API = "/gradio_api/"
# GET routes under /gradio_api/ that Gradio answers without checking the login (a stream or a session's heartbeat)
_UNCHECKED_READS = re.compile(r"/gradio_api/(?:heartbeat|stream|runs|run-history)(?:/|$)")
NOT_LOGGED_IN = "未登录或登录已过期：请先在网页上登录（API 调用先 POST /login 取得会话）。"
_BODY_LIMIT = 65536  # error bodies longer than this are passed on unread (Gradio's own are a few hundred bytes)


def _too_large(match: re.Match[str]) -> str:
    megabytes = f"{int(match.group(1)) / 1024 / 1024:.1f}".removesuffix(".0")
    return f"文件超过单个文件的上传上限（{megabytes} MB），没有上传；请拆分或压缩后再上传。"


# Gradio's English error texts a user can meet, and what is said instead
_ENGLISH: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"File size exceeded maximum allowed size of (\d+) bytes\.?"), _too_large),
    (
        re.compile(r"Cannot move .*? to the gradio cache dir because .*", re.S),
        "只能使用通过本页面上传的文件：这个路径不是上传的文件，没有处理。",
    ),
    (re.compile(r"Not authenticated"), NOT_LOGGED_IN),
    # a file whose name begins with "." (a hidden file, as the command line skips it): Gradio refuses to take it, and
    # the whole batch with it (when its temporary folder is under the server's working directory), naming no file
    (
        re.compile(r"Dotfiles located in the temporary directory cannot be moved to the cache.*", re.S),
        "文件名以“.”开头（隐藏文件）的文件不能上传，这一批文件都没有导入：请把它改名、去掉开头的“.”（或不选它）后，"
        "重新选择这一批文件上传。",
    ),
    (
        re.compile(r"File not allowed: .*", re.S),
        "不能下载这个文件：只能下载本页面生成的文件（链接可能已过期，请重新生成）。",
    ),
    (re.compile(r"^Not Found$"), "没有这个页面或接口。"),
    # the upload route's own bound on the files of one request (a folder of a thousand files dropped at once)
    (
        re.compile(r"Too many files\. Maximum number of files is (\d+)\.?"),
        lambda m: f"一次选择的文件太多（超过 {m.group(1)} 个），没有上传：请分批上传，每批的个数见“知识库”页的说明。",
    ),
    # a form's value a client sent that the page does not offer (a radio, dropdown or checkbox group's choice)
    (
        re.compile(r"Value: (.*?)(?: \(type: <class '\w+'>\))? is not in the list of choices: (\[.*\])", re.S),
        lambda m: f"{_quoted(m.group(1))}不是可选的值，没有处理：请从列表中选择（可选值：{m.group(2)[:300]}）。",
    ),
    (
        re.compile(r"Value (\S{1,40}) is less than minimum value (\S{1,40})\."),
        lambda m: f"数值 {m.group(1)} 小于允许的最小值 {m.group(2)}，没有处理：请填写不小于 {m.group(2)} 的数。",
    ),
    (
        re.compile(r"Value (\S{1,40}) is greater than maximum value (\S{1,40})\."),
        lambda m: f"数值 {m.group(1)} 大于允许的最大值 {m.group(2)}，没有处理：请填写不大于 {m.group(2)} 的数。",
    ),
)


_SHOWN = 60  # characters of a value shown in a message


def _quoted(value: str) -> str:
    """A value as Python's repr wrote it ('x' or a number), in Chinese quotes; a long one cut short."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return f"“{value[:_SHOWN]}…”" if len(value) > _SHOWN else f"“{value}”"


# what is said, by the response's status, for an English error text not in _ENGLISH (Starlette's "Method Not
# Allowed", Gradio's "Invalid key.", "Invalid JSON body.")
_BY_STATUS = {
    400: "请求的格式不对，没有处理。",
    401: NOT_LOGGED_IN,
    403: "没有权限进行这个操作。",
    404: "没有这个页面或接口。",
    405: "这个地址不接受这种请求方式（例如只能读取的地址收到了提交）。",
    413: "提交的内容太大，没有处理。",
    422: "请求缺少必要的内容或格式不对，没有处理。",
    429: "请求太频繁，请稍后再试。",
}
FAILED = "操作没有完成：请稍后重试；反复出现请联系管理员查看服务日志。"  # any other status, and a failed event
# an English message: no Chinese at all, or opening with two English words (one quoting a Chinese file name:
# "Invalid file: 方案.exe"); not ours, which open in Chinese or with a name before Chinese (PDF 文件…)
# (searched piece by piece: one pattern for both backtracks quadratically on a long message holding Chinese late)
_CHINESE = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2}")
_OPENS_IN_ENGLISH = re.compile(r"\s*[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}")


def _in_english(message: str) -> bool:
    return (_CHINESE.search(message) is None and _LATIN_WORD.search(message) is not None) or bool(
        _OPENS_IN_ENGLISH.match(message)
    )


def chinese(message: str, status: int | None = None) -> str:
    """An error message with Gradio's known English texts in Chinese; one still in English (no Chinese and some
    Latin words) is said by its status (_BY_STATUS, FAILED), when a status is given."""
    for pattern, say in _ENGLISH:
        message = pattern.sub(say, message)
    if status is not None and _in_english(message):
        return _BY_STATUS.get(status, FAILED)
    return message


def _in_errors(value: object, status: int) -> object:
    """A JSON value with its error messages (the strings under "detail" or "error", at any depth) in Chinese."""
    if isinstance(value, dict):
        return {
            k: chinese(v, status)
            if k in ("detail", "error") and isinstance(v, str)
            else "出错了"
            if k == "title" and v == "Error"  # Gradio's title of an error it raises itself
            else _in_errors(v, status)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_in_errors(v, status) for v in value]
    return value


def _rewrite_error(body: bytes, content_type: bytes, status: int) -> bytes:
    """An error response's body (JSON or plain text, Gradio's own message) with the known English texts in Chinese;
    unchanged when none occurs or it cannot be read."""
    try:
        text = body.decode("utf-8")
        if content_type.startswith(b"application/json"):
            data = json.loads(text)
            said = _in_errors(data, status)
            return body if said == data else json.dumps(said, ensure_ascii=False).encode("utf-8")
    except (UnicodeDecodeError, ValueError):
        return body
    out = chinese(text, status) if content_type.startswith(b"text/plain") or not content_type else chinese(text)
    return body if out == text else out.encode("utf-8")


def _rewrite_events(body: bytes) -> bytes:
    """Server-sent events with the error message of a failed event (success false) in Chinese; every other event,
    the answers and the user's own words in them included, byte for byte."""
    if b'"success": false' not in body and b'"success":false' not in body:
        return body
    lines = body.split(b"\n")
    for n, line in enumerate(lines):
        if not line.startswith(b"data:"):
            continue
        try:
            event = json.loads(line[5:].decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(event, dict) and event.get("success") is False and isinstance(event.get("output"), dict):
            event["output"] = _in_errors(event["output"], 500)
            lines[n] = b"data: " + json.dumps(event).encode("utf-8")
    return b"\n".join(lines)


class LoginRequired:
    """See the module. Without a login configured every request passes."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not self._refused(scope):
            await self.app(scope, receive, send)
            return
        await JSONResponse({"detail": NOT_LOGGED_IN}, status_code=401)(scope, receive, send)

    @staticmethod
    def _refused(scope) -> bool:
        path = scope.get("path", "")
        if not path.startswith(API):
            return False
        app = scope.get("app")
        # no login, or an embedding application's own (auth_dependency), which checks its routes itself
        if getattr(app, "auth", None) is None or getattr(app, "auth_dependency", None) is not None:
            return False
        if scope.get("method") in ("GET", "HEAD") and not _UNCHECKED_READS.match(path):
            return False  # Gradio checks its own read routes (or they serve the login page's shell)
        cookies = HTTPConnection(scope).cookies
        cookie_id = getattr(app, "cookie_id", "")
        token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
        return token is None or token not in getattr(app, "tokens", {})


class ChineseErrors:
    """See the module: error responses (status ≥ 400, up to _BODY_LIMIT bytes) and the event stream's messages
    have Gradio's known English texts replaced."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: dict | None = None  # an error response's start, sent once its body is read
        parts: list[bytes] = []
        streaming = started = False
        kind = b""

        async def relay(message) -> None:
            nonlocal held, streaming, kind, started
            if message["type"] == "http.response.start":
                started = True
                kind = dict(message.get("headers") or []).get(b"content-type", b"")
                streaming = kind.startswith(b"text/event-stream")
                if message["status"] >= 400 and not streaming:
                    held = message
                    return
                await send(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            if held is None:
                if streaming and message.get("body"):
                    message = {**message, "body": _rewrite_events(message["body"])}
                await send(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body", False) and sum(map(len, parts)) <= _BODY_LIMIT:
                return
            body = b"".join(parts)
            start, held = held, None
            if not message.get("more_body", False):
                body = _rewrite_error(body, kind, start["status"])
            headers = [(k, v) for k, v in start.get("headers") or [] if k != b"content-length"]
            if not message.get("more_body", False):
                headers.append((b"content-length", b"%d" % len(body)))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": message.get("more_body", False)})

        try:
            await self.app(scope, receive, relay)
        except Exception as exc:  # noqa: BLE001 - Starlette would answer "Internal Server Error", in English
            if started:
                raise  # a response started: nothing else can be said on it
            if isinstance(exc, RecursionError):  # a JSON body nested past Python's recursion limit
                await JSONResponse({"detail": TOO_DEEP}, status_code=400)(scope, receive, send)
                return
            record(exc, None, f"网页请求 {scope.get('method')} {scope.get('path')}")
            await JSONResponse({"detail": FAILED}, status_code=500)(scope, receive, send)


TOO_DEEP = "请求的格式不对：内容嵌套过深，没有处理。"


TOO_LARGE = (
    "提交的内容太大（{size}，上限 {limit}），没有处理：请只提交问题和表单内容；要导入的文件请在“知识库”页上传。"
    "（上限可由 ANQUAN_WEB_REQUEST_MAX_MB 调整）"
)
NO_SUCH_FUNCTION = "没有这个功能：请求中的 fn_index 不对应本页面的任何操作，没有处理；请刷新页面后重试。"
NO_SUCH_EVENT = (
    "没有这个请求的结果：编号不存在，或结果已经读取过（每个结果只能读取一次）；"
    "请重新提交请求，再用返回的 event_id 读取。"
)
_EVENT_RESULT = re.compile(r"/gradio_api/call/(?:v2/)?[^/]+/([^/]+)/?")
_JOIN = "/gradio_api/queue/join"


def _size(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 1024:.0f} KB"


class _TooLarge(Exception):
    pass


class RequestGuard:
    """ASGI middleware for requests Gradio or Starlette would mishandle:

    - a body over limit bytes (any route but the uploads, which UploadQuota bounds per file) is refused with 413 in
      Chinese: Gradio reads any body whole, and the positional-call defaults read it again (a 200 MB JSON body took
      25 s and left the server 1.6 GB larger);
    - a queued call (queue/join) naming a function (fn_index) the app does not have is refused with 422 (Gradio
      raised KeyError: "Internal Server Error", in English); so is one whose data does not fit the function's inputs
      (_misfit: too few or too many values, a value of another JSON type than the page sends), which the function
      ran into as an unexpected error the client was told to retry;
    - reading the result of an event that does not exist (or was read already) is answered 404 in Chinese (Gradio
      started the event stream, then raised inside it: the connection was cut mid-response).
    """

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope.get("path", ""), scope.get("method")
        if method == "GET" and (refusal := _unknown_event(scope)):
            await JSONResponse({"detail": refusal}, status_code=404)(scope, receive, send)
            return
        if method in ("GET", "HEAD") or (method == "POST" and path.endswith("/upload")):
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await self._refuse(scope, receive, send, int(length))
            return
        if path == _JOIN:
            body, message = await self._read(receive)
            if body is None:
                await self._refuse(scope, receive, send, self.limit + 1)
                return
            called = _called(scope, body)
            if called is not None:
                call, fn = called
                refusal = NO_SUCH_FUNCTION if fn is None else _misfit(call, fn) or _hidden_uploads(call, scope)
                if refusal:
                    await JSONResponse({"detail": refusal}, status_code=422)(scope, receive, send)
                    return
            pending = [message]

            async def replayed():
                return pending.pop(0) if pending else await receive()

            await self.app(scope, replayed, send)
            return
        seen = 0
        started = False

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def watched(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send, seen)

    async def _read(self, receive) -> tuple[bytes | None, dict]:
        """The whole body (None past the limit) and one message that gives it again to the app."""
        parts: list[bytes] = []
        seen, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(parts), message  # the client went away: let the app see it
            parts.append(message.get("body", b""))
            seen += len(parts[-1])
            if seen > self.limit:
                return None, message
            more = message.get("more_body", False)
        body = b"".join(parts)
        return body, {"type": "http.request", "body": body, "more_body": False}

    async def _refuse(self, scope, receive, send, size: int) -> None:
        said = TOO_LARGE.format(size=_size(size), limit=_size(self.limit))
        await JSONResponse({"detail": said}, status_code=413, headers={"Connection": "close"})(scope, receive, send)


def _called(scope, body: bytes) -> tuple[dict, object] | None:
    """A queue/join call and the function it names — None for the function when the app has none by that fn_index;
    None altogether when the body is no such call (Gradio and the request-validation handler answer it)."""
    try:
        call = json.loads(body)
    except (ValueError, RecursionError):
        return None
    index = call.get("fn_index") if isinstance(call, dict) else None
    get_blocks = getattr(scope.get("app"), "get_blocks", None)
    if not isinstance(call, dict) or not isinstance(index, int) or isinstance(index, bool) or get_blocks is None:
        return None
    blocks = get_blocks()
    # as Gradio looks it up (route_utils.get_fn): in the session's own configuration, which holds the functions of
    # what the page rendered for it (gr.render: the self-check's answers), else the app's; read without making or
    # touching the session
    sessions = getattr(getattr(blocks, "state_holder", None), "session_data", {})
    session = sessions.get(call.get("session_hash")) if isinstance(call.get("session_hash"), str) else None
    config = getattr(session, "blocks_config", None)
    return call, (config.fns if config is not None else blocks.fns).get(index)


# the JSON types a value may have, by name, as a refusal names what was expected and what came
JSON_TYPE_NAMES: dict[type, str] = {
    str: "文字",
    bool: "true 或 false",
    int: "整数",
    float: "数字",
    list: "列表",
    dict: "对象",
    type(None): "null",
}
_SCALAR = (str, int, float)  # a choice of a dropdown that offers numbers


def _expected(block) -> tuple[Callable[[object], bool], str] | None:
    """What the page sends for an input component, as (a test of a value, its description in Chinese); None for a
    component whose value Gradio checks itself or keeps on the server (a radio's choices, a state)."""

    # a choice is a text unless the component offers numbers among its choices
    offered = getattr(block, "choices", None) or []
    choices = [c[1] if isinstance(c, (tuple, list)) and len(c) == 2 else c for c in offered]
    numbers = any(isinstance(c, (int, float)) and not isinstance(c, bool) for c in choices)

    def scalar(value: object) -> bool:
        return isinstance(value, _SCALAR if numbers else str) and not isinstance(value, bool)

    def file(value: object) -> bool:  # a file object as the page sends it: the uploaded path, marked as a file
        meta = value.get("meta") if isinstance(value, dict) else None
        return isinstance(value, dict) and isinstance(value.get("path"), str) and _is_file_meta(meta)

    def files(value: object) -> bool:
        return file(value) or (isinstance(value, list) and all(file(v) for v in value))

    kind = type(block).__name__
    if kind in ("Textbox", "TextArea", "Code", "Markdown"):  # a number is read as its text (Gradio's str())
        return (lambda v: v is None or (isinstance(v, _SCALAR) and not isinstance(v, bool))), "文字"
    if kind == "Checkbox":
        return (lambda v: v is None or isinstance(v, bool)), "true 或 false"
    if kind in ("Number", "Slider"):
        return (lambda v: v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))), "数字"
    if kind in ("Dropdown", "CheckboxGroup") and (kind == "CheckboxGroup" or getattr(block, "multiselect", False)):
        return (lambda v: v is None or (isinstance(v, list) and all(scalar(x) for x in v))), "文字列表"
    if kind == "Dropdown":
        return (lambda v: v is None or scalar(v)), "文字"
    if kind in ("File", "UploadButton"):
        return (lambda v: v is None or files(v)), "上传接口返回的文件对象（或其列表）"
    if kind == "Chatbot":
        return (lambda v: v is None or (isinstance(v, list) and all(isinstance(m, dict) for m in v))), "消息对象列表"
    return None


def _is_file_meta(meta: object) -> bool:
    return isinstance(meta, dict) and meta.get("_type") == "gradio.FileData"


def _json_type(value: object) -> str:
    """A value's JSON type in Chinese; a list with what it holds (含整数的列表)."""
    if isinstance(value, list) and value:
        held = "、".join(dict.fromkeys(_json_type(v) for v in value[:20] if not isinstance(v, (list, dict))))
        return f"含{held}的列表" if held else "列表"
    return next((name for t, name in JSON_TYPE_NAMES.items() if isinstance(value, t)), "其他类型")


def _misfit(call: dict, fn) -> str:
    """What is wrong with a call's data for the function's inputs (how many, and the JSON type of each), in Chinese;
    "" when nothing is. Gradio would run the function on them: too few values, a number for a text or a dict for a
    checkbox failed inside it and was told as an unexpected error to retry (意外错误…请重试), where retrying never
    helps; extra values were dropped without a word."""
    data, inputs = call.get("data"), list(getattr(fn, "inputs", []) or [])
    if not isinstance(data, list):
        return ""  # the request-validation handler says how a call is written
    if _takes_selection(fn) and not _selection(call.get("event_data")):
        return NO_SELECTION
    if len(data) != len(inputs):
        return WRONG_COUNT.format(wanted=len(inputs), got=len(data))
    for n, (block, value) in enumerate(zip(inputs, data, strict=True), 1):
        expected = _expected(block)
        if expected is None or expected[0](value):
            continue
        label = getattr(block, "label", None) or getattr(block, "elem_id", None) or ""
        named = f"（{escape_controls(str(label)[:40])}）" if label else ""
        wanted = f" {expected[1]}" if expected[1][0].isascii() else expected[1]
        return MISTYPED.format(n=n, named=named, wanted=wanted, got=_json_type(value))
    return ""


def _hidden_uploads(call: dict, scope) -> str:
    """HIDDEN_UPLOAD naming the files of a call that Gradio would refuse to take for a name beginning with “.”, and
    the whole batch with them (processing_utils._check_allowed: an upload folder under the server's working
    directory, outside allowed_paths); "" when there are none. Gradio's own refusal named no file."""
    from gradio.utils import abspath, is_in_or_equal

    allowed = list(getattr(scope["app"].get_blocks(), "allowed_paths", None) or [])
    hidden = [
        escape_controls(str(value.get("orig_name") or Path(value["path"]).name))[:80]
        for value in _file_objects(call.get("data"))
        if Path(value["path"]).name.startswith(".")
        and is_in_or_equal(abspath(value["path"]), os.getcwd())
        and not any(is_in_or_equal(value["path"], path) for path in allowed)
    ]
    if not hidden:
        return ""
    named = "、".join(f"“{name}”" for name in hidden[:5]) + (f" 等 {len(hidden)} 个" if len(hidden) > 5 else "")
    return HIDDEN_UPLOAD.format(named=named)


def _file_objects(data: object) -> list[dict]:
    """The file objects (an uploaded path marked gradio.FileData) among a call's inputs: an input's value, or in
    its list (a File that takes several)."""
    values = (
        [v for item in data for v in (item if isinstance(item, list) else [item])] if isinstance(data, list) else []
    )
    return [
        v for v in values if isinstance(v, dict) and isinstance(v.get("path"), str) and _is_file_meta(v.get("meta"))
    ]


HIDDEN_UPLOAD = (
    "文件名以“.”开头（隐藏文件）的文件不能通过网页上传：{named}。这一批文件都没有导入：请把它改名、去掉开头的“.”"
    "（或不选它）后，重新选择这一批文件上传。"
)


def _takes_selection(fn) -> bool:
    """Whether a function is given what was selected on the page (a parameter typed gr.SelectData)."""
    try:
        hints = typing.get_type_hints(getattr(fn, "fn", None))
    except Exception:  # noqa: BLE001 - a function whose hints cannot be read is not checked for them
        return False
    return any(getattr(hint, "__name__", "") == "SelectData" for hint in hints.values())


def _selection(event: object) -> bool:
    """Whether event data is what the page sends on a selection (Gradio reads its index and value)."""
    return isinstance(event, dict) and "index" in event and "value" in event


NO_SELECTION = (
    "缺少 event_data：这个操作由页面上的点选触发，须附带所选的内容（index 与 value），没有处理；请在页面上点选后重试。"
)
WRONG_COUNT = (
    "参数个数不对：这个操作需要 {wanted} 项输入，收到 {got} 项，没有处理；请刷新页面后重试"
    "（程序调用请按页面的输入逐项提供 data）。"
)
MISTYPED = "参数类型错误：第 {n} 项输入{named}须为{wanted}（也可为 null），收到的是{got}，没有处理；请刷新页面后重试。"


def _unknown_event(scope) -> str:
    """NO_SUCH_EVENT when a GET reads the result stream of an event (or session) the queue does not hold, as
    Gradio's stream finds on its first look (it then raises inside the started response); else ""."""
    get_blocks = getattr(scope.get("app"), "get_blocks", None)
    path = scope.get("path", "")
    if get_blocks is None or not path.startswith(API):
        return ""
    queue = getattr(get_blocks(), "_queue", None)
    pending = getattr(queue, "pending_messages_per_session", None)
    if queue is None or pending is None:
        return ""
    if path.rstrip("/") == "/gradio_api/queue/data":
        session = HTTPConnection(scope).query_params.get("session_hash")
        return NO_SUCH_EVENT if session is not None and session not in pending else ""
    result = _EVENT_RESULT.fullmatch(path)
    if result is None:
        return ""
    event_id = result.group(1)
    event = queue.event_ids_to_events.get(event_id)
    if event is not None:
        session = event.session_hash
    else:  # as Gradio looks it up (routes.simple_predict_get)
        session = next((s for s, ids in queue.pending_event_ids_session.items() if event_id in ids), None)
        if session is None:
            # finished and its result delivered (Gradio drops the id then), or never joined: Gradio fell back to a
            # session named after the event, which a first read leaves open with nothing to come, and a second read
            # of the result was held open with heartbeats forever
            return NO_SUCH_EVENT
    return NO_SUCH_EVENT if session not in pending else ""
