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
import re
from collections.abc import Callable

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

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
    (
        re.compile(r"File not allowed: .*", re.S),
        "不能下载这个文件：只能下载本页面生成的文件（链接可能已过期，请重新生成）。",
    ),
    (re.compile(r"^Not Found$"), "没有这个页面或接口。"),
)


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
_IN_ENGLISH = re.compile(r"^[^\u3400-\u9fff]*[A-Za-z]{2}[^\u3400-\u9fff]*$|^\s*[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}", re.S)


def chinese(message: str, status: int | None = None) -> str:
    """An error message with Gradio's known English texts in Chinese; one still in English (no Chinese and some
    Latin words) is said by its status (_BY_STATUS, FAILED), when a status is given."""
    for pattern, say in _ENGLISH:
        message = pattern.sub(say, message)
    if status is not None and _IN_ENGLISH.match(message):
        return _BY_STATUS.get(status, FAILED)
    return message


def _in_errors(value: object, status: int) -> object:
    """A JSON value with its error messages (the strings under "detail" or "error", at any depth) in Chinese."""
    if isinstance(value, dict):
        return {
            k: chinese(v, status) if k in ("detail", "error") and isinstance(v, str) else _in_errors(v, status)
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
        streaming = False
        kind = b""

        async def relay(message) -> None:
            nonlocal held, streaming, kind
            if message["type"] == "http.response.start":
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

        await self.app(scope, receive, relay)
