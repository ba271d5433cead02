"""Each Gradio session belongs to the browser (or API client) that opened it.

Gradio keys a session's state (the questions asked so far, the self-check checklist built) and its result stream
by a session_hash the client makes up and sends, and trusts any request naming it: a second client that sends the
same session_hash reads the first one's results (GET /gradio_api/queue/data) and runs events on its state (a
follow-up "罚款呢？" answered as “按‘<the other user's question>，罚款呢？’检索”). SessionOwner binds each session
to whoever named it first:

- a browser is known by a random cookie (BROWSER_COOKIE, HttpOnly) set on the first page it loads; an API client
  that logged in, by Gradio's login token; any other client is one anonymous owner;
- a request naming a session bound to another owner is refused (403, in Chinese): it neither reads nor changes it;
  a session never seen before is the requester's, a fresh one;
- a session_hash that is no short word of letters, digits, "_" or "-" (Gradio's page makes 10-12 such characters,
  gradio_client a uuid4) is refused (422): an empty one failed inside Gradio (HTTP 500) and left a result stream
  open forever, and one of 100,000 characters was kept as a session key.

Where a session_hash is named: the JSON body of a POST under /gradio_api/ (queue/join, run, call, cancel, reset,
component_server, which may also send a form), the session_hash query parameter (queue/data, deep_link), and the
path of /gradio_api/heartbeat/<session> and of the GET /gradio_api/stream/<session>/… routes.
The table of owners is bounded (least recently used forgotten first)."""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections import OrderedDict

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

BROWSER_COOKIE = "anquan-browser"
_SESSION = re.compile(r"[A-Za-z0-9_-]{1,64}")
_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_IN_PATH = re.compile(r"/gradio_api/(?:heartbeat/([^/]*)/?|stream/([^/]*)/[^/]+/[^/]+/.*)")
_FORM_FIELD = re.compile(rb'name="session_hash"\r\n(?:[^\r\n]*\r\n)*\r\n([^\r]*)\r\n')

MALFORMED_SESSION = (
    "会话编号（session_hash）不对：须为 1 至 64 个英文字母、数字、下划线或连字符，没有处理；"
    "请刷新页面后重试（程序调用请为每个会话生成一个随机编号，如 uuid4）。"
)
FOREIGN_SESSION = (
    "这个会话属于另一个浏览器或程序，没有处理：一个会话的问答记录、自查清单和结果只给打开它的页面。"
    "请刷新页面，开始自己的会话（程序调用请为每个会话生成新的随机 session_hash）。"
)


class SessionOwners:
    """session_hash -> owner, the first owner to name it; at most capacity sessions, least recently used first
    forgotten."""

    def __init__(self, capacity: int):
        self.capacity = max(1, capacity)
        self._owners: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, session: str, owner: str) -> bool:
        """Whether the session is owner's: it is when it was first named by owner, or never named before."""
        with self._lock:
            known = self._owners.get(session)
            if known is None:
                self._owners[session] = owner
                while len(self._owners) > self.capacity:
                    self._owners.popitem(last=False)
                return True
            self._owners.move_to_end(session)
            return known == owner


def _owner(scope) -> tuple[str, bool]:
    """(who sends a request, whether it carries a browser cookie of ours)."""
    cookies = HTTPConnection(scope).cookies
    browser = cookies.get(BROWSER_COOKIE, "")
    if _COOKIE_VALUE.fullmatch(browser):
        return f"browser:{browser}", True
    app = scope.get("app")
    cookie_id = getattr(app, "cookie_id", "")
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    if token and token in getattr(app, "tokens", {}):
        return f"login:{token}", False
    return "", False


def _named_in_body(body: bytes, content_type: bytes) -> object:
    """The session_hash a POST body names: a str, another JSON value (refused), or None when it names none."""
    if content_type.startswith(b"multipart/form-data"):
        found = _FORM_FIELD.search(body)
        return found.group(1).decode("utf-8", "replace") if found else None
    try:
        call = json.loads(body)
    except (ValueError, RecursionError):
        return None  # Gradio and the request-validation handler say what is wrong with it
    return call.get("session_hash") if isinstance(call, dict) else None


class SessionOwner:
    """See the module."""

    def __init__(self, app, capacity: int):
        self.app = app
        self.owners = SessionOwners(capacity)

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            return await self.app(scope, receive, send)
        path, method = scope.get("path", ""), scope.get("method")
        owner, has_cookie = _owner(scope)
        named: list[object] = []
        if path.startswith("/gradio_api/"):
            if "session_hash" in (query := HTTPConnection(scope).query_params):
                named.append(query["session_hash"])
            if method == "GET" and (in_path := _IN_PATH.fullmatch(path)):
                named.append(in_path.group(1) if in_path.group(1) is not None else in_path.group(2))
            if method == "POST" and not path.rstrip("/").endswith("/upload"):
                body, receive = await _read(receive)
                headers = dict(scope.get("headers") or [])
                if (value := _named_in_body(body, headers.get(b"content-type", b""))) is not None:
                    named.append(value)
        for session in named:
            if not isinstance(session, str) or not _SESSION.fullmatch(session):
                return await JSONResponse({"detail": MALFORMED_SESSION}, status_code=422)(scope, receive, send)
            if not self.owners.claim(session, owner):
                return await JSONResponse({"detail": FOREIGN_SESSION}, status_code=403)(scope, receive, send)
        if method != "GET" or has_cookie:
            return await self.app(scope, receive, send)

        async def with_cookie(message) -> None:
            # a page the browser loads (the app, or the login page): the browser is known from then on
            if message["type"] == "http.response.start" and message["status"] == 200:
                kind = dict(message.get("headers") or []).get(b"content-type", b"")
                if kind.startswith(b"text/html"):
                    cookie = f"{BROWSER_COOKIE}={secrets.token_urlsafe(24)}; Path=/; HttpOnly; SameSite=Lax"
                    message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())]}
            await send(message)

        return await self.app(scope, receive, with_cookie)


async def _read(receive):
    """A request's whole body (the size guard before this one bounds it), and a receive that gives it again."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            pending = [message]
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            pending = [{"type": "http.request", "body": b"".join(parts), "more_body": False}]
            break

    async def replayed():
        return pending.pop(0) if pending else await receive()

    return b"".join(parts), replayed
