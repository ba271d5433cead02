"""The web login: one user name and password from the settings, with throttling. After
Settings.login_max_failures wrong passwords in a row for a user name, or from one client address, every
attempt for it is refused (HTTP 429, in Chinese) for a lockout that doubles with each further failure, up
to Settings.login_lockout_max_seconds; a correct login clears the count. A user name set without a password
(or the other way round) is a configuration error: the app refuses to start rather than run without login."""

from __future__ import annotations

import hmac
import math
import threading
import time
from contextvars import ContextVar

from fastapi import HTTPException

from assistant.faults import UserFacingError
from ingest.settings import Settings

_CLIENT: ContextVar[str] = ContextVar("anquan_login_client", default="")
_MAX_TRACKED = 10000  # user names and addresses remembered at once (a flood of made-up names stays bounded)


class LoginConfigError(UserFacingError):
    pass


def login_pair(settings: Settings) -> tuple[str, str] | None:
    """(user, password) when login is configured, None when neither is set; LoginConfigError when only one is."""
    user, password = (settings.web_user or "").strip(), settings.web_password or ""
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


WRONG_LOGIN = "用户名或密码不正确。"


class LoginGuard:
    """The auth function Gradio calls with (user name, password): checks them, throttled."""

    def __init__(self, user: str, password: str, settings: Settings):
        self.user, self.password = user.encode("utf-8"), password.encode("utf-8")
        self.max_failures = max(1, settings.login_max_failures)
        self.lockout = settings.login_lockout_seconds
        self.lockout_max = settings.login_lockout_max_seconds
        self._failures: dict[str, tuple[int, float, float]] = {}  # key -> (failures in a row, last, locked until)
        self._lock = threading.Lock()

    def _wait(self, key: str, now: float) -> float:
        entry = self._failures.get(key)
        return max(0.0, entry[2] - now) if entry else 0.0

    def _fail(self, key: str, now: float) -> None:
        count, last, _ = self._failures.get(key, (0, now, 0.0))
        if now - last > self.lockout_max:  # a failure long ago no longer counts
            count = 0
        count += 1
        until = (
            now + min(self.lockout * 2 ** (count - self.max_failures), self.lockout_max)
            if count >= self.max_failures
            else 0.0
        )
        self._failures[key] = (count, now, until)
        if len(self._failures) > _MAX_TRACKED:
            for stale in [
                k for k, (_, seen, locked) in self._failures.items() if locked < now and now - seen > self.lockout_max
            ][: len(self._failures) - _MAX_TRACKED // 2]:
                del self._failures[stale]
            while len(self._failures) > _MAX_TRACKED:
                del self._failures[next(iter(self._failures))]

    def __call__(self, username: str, password: str) -> bool:
        """What Gradio calls: True, or the refusal in Chinese (Gradio's own is "Incorrect credentials.") with
        Gradio's status, 400."""
        if not self.check(username, password):
            raise HTTPException(status_code=400, detail=WRONG_LOGIN)
        return True

    def check(self, username: str, password: str) -> bool:
        """Whether they are right; raises HTTPException 429 while locked out."""
        now = time.monotonic()
        keys = [f"user:{username}", f"address:{_CLIENT.get()}"]
        with self._lock:
            wait = max(self._wait(key, now) for key in keys)
        if wait > 0:
            raise HTTPException(
                status_code=429, detail=f"登录失败次数过多，已暂时锁定：请 {math.ceil(wait)} 秒后再试。"
            )
        correct = hmac.compare_digest(username.encode("utf-8"), self.user) & hmac.compare_digest(
            (password or "").encode("utf-8"), self.password
        )
        with self._lock:
            for key in keys:
                if correct:
                    self._failures.pop(key, None)
                else:
                    self._fail(key, now)
        return bool(correct)
