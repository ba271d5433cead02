"""The web login: one user name and password from the settings, with throttling.

Policy (Settings.login_*):
- per client address: after login_max_failures wrong logins in a row from one address (any user names), every
  attempt from it is refused (HTTP 429, in Chinese) for a lockout that doubles with each further failure, up
  to login_lockout_max_seconds. This is what stops a guesser at one address, and a flood of made-up names.
- per the configured user name, from all addresses together: the same after login_user_max_failures (much
  higher), so that guessing from many addresses stays bounded while a few wrong passwords from elsewhere do
  not lock the administrator out (a user name lock is lifted at once by restarting anquan serve).
A correct login clears the counts of its address and of the user name. The address is the socket peer:
X-Forwarded-For is believed only from the proxies in Settings.web_trusted_proxies (none by default), or any
client could pick a new address for each attempt.
The table of addresses is bounded: when it is full, the oldest entries that are not locked out are forgotten,
never one that is; while every entry is locked, failures from new addresses go uncounted per address (the
user name count still counts every wrong password for the real user; a made-up name can never log in).
A user name set without a password (or the other way round) is a configuration error: the app refuses to
start rather than run without login."""

from __future__ import annotations

import hmac
import json
import math
import re
import threading
import time
import unicodedata
from contextvars import ContextVar

from fastapi import HTTPException

from assistant.faults import UserFacingError
from assistant.web.gradio_zh import translations
from ingest.cleaning import is_blank
from ingest.settings import Settings

_CLIENT: ContextVar[str] = ContextVar("anquan_login_client", default="")
_MAX_TRACKED = 10000  # user names and addresses remembered at once (a flood of made-up names stays bounded)


class LoginConfigError(UserFacingError):
    pass


def login_pair(settings: Settings) -> tuple[str, str] | None:
    """(user, password) when login is configured, None when neither is set; LoginConfigError when only one is, or
    when a password (the login's or the administrator's) shows nothing but spaces or invisible characters."""
    user, password = (settings.web_user or "").strip(), settings.web_password or ""
    if is_blank(user):  # a zero-width space alone (U+200B): nobody could see, let alone type, the name
        user = ""
    if user and password and is_blank(password):
        raise LoginConfigError(
            "ANQUAN_WEB_PASSWORD 只有空格，等于没有密码，因此网页界面没有启动；"
            "请设置一个真正的密码（须含空格以外的字符）。"
        )
    if settings.admin_password and is_blank(settings.admin_password):
        # typed into the library page's password box, spaces confirmed a forged law for anyone
        raise LoginConfigError(
            "ANQUAN_ADMIN_PASSWORD 只有空格（或看不见的字符），网页上任何人都能输入它确认文档取代现行法规，"
            "因此网页界面没有启动；请设置一个真正的管理员密码，或删去这一设置（改在命令行确认）。"
        )
    for name, value in (("ANQUAN_WEB_USER", user), ("ANQUAN_WEB_PASSWORD", password)):
        if value and not value.isprintable():  # a line break from a .env file: no login box takes one
            raise LoginConfigError(
                f"{name} 含有换行等控制字符，登录框里无法输入，因此网页界面没有启动；请检查 .env 文件中的这一行。"
            )
    if user and password:
        return user, password
    if user or password:
        have, missing = (
            ("ANQUAN_WEB_USER", "ANQUAN_WEB_PASSWORD") if user else ("ANQUAN_WEB_PASSWORD", "ANQUAN_WEB_USER")
        )
        raise LoginConfigError(
            f"设置了 {have} 但没有设置 {missing}（或为空）：这样登录不会生效，任何人都能访问，"
            f"因此网页界面没有启动。请同时设置两者以启用登录；如不需要登录，两者都不要设置。"
        )
    return None


def password_bytes(password: str | None) -> bytes:
    """A password as compared: in Unicode's composed form (NFC). The same letters reach the server composed or
    decomposed (é as one code point or as e and a combining accent) as the keyboard, the system or the editor of a
    .env file wrote them; compared as sent, the administrator typing the password shown in the .env file was refused
    and, after a few tries, locked out."""
    return unicodedata.normalize("NFC", password or "").encode("utf-8")


def user_name_bytes(name: str | None) -> bytes:
    """A user name as compared: without spaces around it (as the setting is read), width-folded and composed (NFKC):
    ｚｈａｎｇ typed with a Chinese input method in full-width mode is zhang."""
    return unicodedata.normalize("NFKC", (name or "").strip()).strip().encode("utf-8")


class ClientAddress:
    """ASGI middleware: makes the client's address known to the login check of the same request."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            return await self.app(scope, receive, send)
        token = _CLIENT.set((scope.get("client") or ("", 0))[0] or "")
        try:
            return await self.app(scope, receive, send)
        finally:
            _CLIENT.reset(token)


class OwnLogout:
    """ASGI middleware: 退出登录 (/logout) ends the session of the browser that asks. Gradio's ends every session of
    the user name by default, and an office shares one login: one officer logging out, or anyone following a link to
    /logout, logged out everyone at once."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "http" and scope.get("path", "").rstrip("/").endswith("/logout"):
            scope = {**scope, "query_string": b"all_session=false"}
        return await self.app(scope, receive, send)


WRONG_LOGIN = "用户名或密码不正确。"


def counted_failure(
    entry: tuple[int, float, float] | None, now: float, limit: int, first: float, longest: float, forget: float
) -> tuple[int, float, float]:
    """A key's (failures in a row, last failure, locked until) after one more failure at now: locked out from the
    limit-th failure for first seconds, doubling with each further one up to longest; failures forget seconds of
    quiet ago no longer count, quiet counted from the end of the lockout (a lockout at its longest must not end
    with the count reset: limit more tries every longest seconds). The login's and the admin password's policy."""
    count, last, until = entry or (0, now, 0.0)
    count = 1 if now - max(last, until) > forget else count + 1
    return count, now, (now + min(first * 2 ** (count - limit), longest) if count >= limit else 0.0)


class LoginGuard:
    """The auth function Gradio calls with (user name, password): checks them, throttled (see the module)."""

    def __init__(self, user: str, password: str, settings: Settings):
        self.user_name = user
        self.user, self.password = user_name_bytes(user), password_bytes(password)
        self.max_failures = max(1, settings.login_max_failures)
        self.user_max_failures = max(self.max_failures, settings.login_user_max_failures)
        self.lockout = settings.login_lockout_seconds
        self.lockout_max = settings.login_lockout_max_seconds
        self.max_tracked = _MAX_TRACKED
        # key -> (failures in a row, last failure, locked until); "address:<ip>" (bounded) and "user:<name>"
        # (only the configured user: one entry, never forgotten)
        self._failures: dict[str, tuple[int, float, float]] = {}
        self._full_until = 0.0  # the table held only locked addresses: no eviction is tried before then
        self._lock = threading.Lock()

    def _wait(self, key: str, now: float) -> float:
        entry = self._failures.get(key)
        return max(0.0, entry[2] - now) if entry else 0.0

    def _addresses(self) -> int:
        return len(self._failures) - (f"user:{self.user_name}" in self._failures)

    def _room(self, now: float) -> bool:
        """Whether a new address can be tracked: when the table is full, the oldest entries that are not
        locked out are forgotten (down to half the table); an entry still locked out never is."""
        if self._addresses() < self.max_tracked:
            return True
        if now < self._full_until:
            return False
        unlocked = sorted(
            (seen, key)
            for key, (_, seen, until) in self._failures.items()
            if until <= now and key.startswith("address:")
        )
        for _, key in unlocked[: max(1, self._addresses() - self.max_tracked // 2)]:
            del self._failures[key]
        if self._addresses() < self.max_tracked:
            return True
        self._full_until = min(until for _, _, until in self._failures.values() if until > now)
        return False

    def _fail(self, key: str, now: float) -> None:
        if key not in self._failures and key.startswith("address:") and not self._room(now):
            return  # every tracked address is locked out: none is forgotten for this one (see the module)
        limit = self.user_max_failures if key.startswith("user:") else self.max_failures
        self._failures[key] = counted_failure(
            self._failures.get(key), now, limit, self.lockout, self.lockout_max, forget=self.lockout_max
        )

    def __call__(self, username: str, password: str) -> bool:
        """What Gradio calls: True, or the refusal in Chinese (Gradio's own is "Incorrect credentials.") with
        Gradio's status, 400."""
        if not self.check(username, password):
            raise HTTPException(status_code=400, detail=WRONG_LOGIN)
        return True

    def check(self, username: str, password: str) -> bool:
        """Whether they are right; raises HTTPException 429 while locked out."""
        now = time.monotonic()
        is_user = hmac.compare_digest(user_name_bytes(username), self.user)
        keys = [f"address:{_CLIENT.get()}"] + ([f"user:{self.user_name}"] if is_user else [])
        with self._lock:
            wait = max(self._wait(key, now) for key in keys)
        if wait > 0:
            raise HTTPException(
                status_code=429,
                detail=f"登录失败次数过多，已暂时锁定：请 {math.ceil(wait)} 秒后再试"
                f"（管理员可重启 anquan serve 立即解除）。",
                headers={"Retry-After": str(math.ceil(wait))},
            )
        correct = is_user & hmac.compare_digest(password_bytes(password), self.password)
        with self._lock:
            for key in keys:
                if correct:
                    self._failures.pop(key, None)
                else:
                    self._fail(key, now)
        return bool(correct)


# What the login page says for a reply Gradio's page shows nothing for (it shows a text of its own on 400 only, and
# nothing on 429, 422, 5xx or when the server cannot be reached)
LOGIN_PAGE_TEXTS = {
    "wrong": WRONG_LOGIN,
    "empty": "请填写用户名和密码后再登录（两项都不能为空）。",
    "locked": "登录失败次数过多，已暂时锁定：请稍后再试。",
    "unlocked": "锁定已解除：现在可以重新登录。",
    "failed": "登录没有完成（服务器出错）：请稍后重试；反复出现请联系管理员查看服务日志。",
    "unreachable": "连接不到服务器，没有登录：请确认网页服务（anquan serve）仍在运行，稍后重试。",
}
# Runs on the login page before Gradio's own script: gives the page its Chinese texts (Gradio's config before login
# carries none, so the browser's locale picked them) and answers every reply to the login form in Chinese, where it
# can be seen: the server's reason (a lockout counted down to the second from Retry-After), or what to do.
LOGIN_PAGE_JS = r"""
(() => {
  const config = window.gradio_config;
  if (!config || !config.auth_required) return;
  config.i18n_translations = __TRANSLATIONS__;
  const TITLE = __TITLE__;
  if (TITLE) {  // the browser tab showed the bare address before login
    config.title = TITLE;
    document.title = TITLE;
  }
  const TEXTS = __TEXTS__;
  const realFetch = window.fetch.bind(window);
  let timer = null;
  const show = (text) => {
    let box = document.getElementById("anquan-login-error");
    if (!box) {
      const password = document.querySelector("input[type=password]");
      const form = password && (password.closest(".form") || password.closest("form") || password.parentElement);
      if (!form) return;
      box = document.createElement("p");
      box.id = "anquan-login-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "color: var(--error-text-color, #b91c1c); font-weight: 600; margin: 8px 0;";
      form.parentElement.insertBefore(box, form);
    }
    box.textContent = text;
    box.style.display = text ? "" : "none";
  };
  const chinese = (text) => typeof text === "string" && /[\u3400-\u9fff]/.test(text) ? text : "";
  window.fetch = async (input, init) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url, location.href);
    const method = ((init && init.method) || (input && input.method) || "GET").toUpperCase();
    if (method !== "POST" || !/\/login\/?$/.test(url.pathname)) return realFetch(input, init);
    clearInterval(timer);
    let response;
    try {
      response = await realFetch(input, init);
    } catch (error) {
      show(TEXTS.unreachable);
      return new Response(null, {status: 204});
    }
    if (response.status === 200) {
      show("");
      return response;
    }
    let detail = "";
    try {
      detail = chinese((await response.clone().json()).detail);
    } catch (error) {}
    if (response.status === 400) show(detail || TEXTS.wrong);
    else if (response.status === 422) show(TEXTS.empty);
    else if (response.status === 429) {
      const wait = parseInt(response.headers.get("Retry-After") || "", 10);
      const said = detail || TEXTS.locked;
      if (wait > 0 && /\d+\s*秒/.test(said)) {
        const until = Date.now() + wait * 1000;
        const tick = () => {
          const left = Math.ceil((until - Date.now()) / 1000);
          if (left > 0) show(said.replace(/\d+\s*秒/, left + " 秒"));
          else {
            clearInterval(timer);
            show(TEXTS.unlocked);
          }
        };
        tick();
        timer = setInterval(tick, 1000);
      } else show(said);
    } else show(detail || TEXTS.failed);
    return new Response(null, {status: 204});  // Gradio's page then shows nothing of its own
  };
})();
"""


def login_page_script(title: str = "") -> bytes:
    """The <script> LoginPage adds to the login page (title: the browser tab's)."""

    def literal(value: object) -> str:  # as JSON, never closing the script element
        return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")

    code = (
        LOGIN_PAGE_JS.replace("__TRANSLATIONS__", literal(translations()))
        .replace("__TEXTS__", literal(LOGIN_PAGE_TEXTS))
        .replace("__TITLE__", literal(title))
    )
    return f"<script>{code}</script>".encode()


_AUTH_REQUIRED = b'window.gradio_config = {"auth_required":true'
# Gradio embeds the app's API description in every page it serves, the login page too: before logging in, anyone
# read each endpoint's name and parameters and ready-made calls of them (curl, Python, JavaScript)
_API_INFO = re.compile(rb"window\.gradio_api_info = .*?;</script>", re.S)
_NO_API_INFO = b'window.gradio_api_info = {"named_endpoints":{},"unnamed_endpoints":{}};</script>'
_PAGE_LIMIT = 1 << 20  # Gradio's page is a few KB; anything larger is passed on unread


class LoginPage:
    """ASGI middleware: the page Gradio serves before login (its config says auth_required) gets LOGIN_PAGE_JS in
    its head and describes no API (_API_INFO); every other response passes untouched."""

    def __init__(self, app, title: str = ""):
        self.app = app
        self.script = login_page_script(title)

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http" or scope.get("method") != "GET":
            return await self.app(scope, receive, send)
        held: dict | None = None
        parts: list[bytes] = []

        async def relay(message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                named = dict(message.get("headers") or [])
                html = named.get(b"content-type", b"").startswith(b"text/html")
                if message["status"] == 200 and html and b"content-encoding" not in named:
                    held = message
                    return
                await send(message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            parts.append(message.get("body", b""))
            size = sum(map(len, parts))
            if message.get("more_body", False) and size <= _PAGE_LIMIT:
                return
            body, start, held = b"".join(parts), held, None
            more = message.get("more_body", False)
            if not more and _AUTH_REQUIRED in body and b"</head>" in body:
                body = _API_INFO.sub(lambda _: _NO_API_INFO, body.replace(b"</head>", self.script + b"</head>", 1), 1)
                headers = [(k, v) for k, v in start.get("headers") or [] if k != b"content-length"]
                start = {**start, "headers": [*headers, (b"content-length", b"%d" % len(body))]}
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": more})

        return await self.app(scope, receive, relay)
