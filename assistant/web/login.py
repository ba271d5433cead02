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
    if user and password and not password.strip():
        raise LoginConfigError(
            "ANQUAN_WEB_PASSWORD 只有空格，等于没有密码，因此网页界面没有启动；"
            "请设置一个真正的密码（须含空格以外的字符）。"
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
        self.user, self.password = user.encode("utf-8"), password.encode("utf-8")
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
        username = username or ""
        is_user = hmac.compare_digest(username.encode("utf-8"), self.user)
        keys = [f"address:{_CLIENT.get()}"] + ([f"user:{self.user_name}"] if is_user else [])
        with self._lock:
            wait = max(self._wait(key, now) for key in keys)
        if wait > 0:
            raise HTTPException(
                status_code=429,
                detail=f"登录失败次数过多，已暂时锁定：请 {math.ceil(wait)} 秒后再试"
                f"（管理员可重启 anquan serve 立即解除）。",
            )
        correct = is_user & hmac.compare_digest((password or "").encode("utf-8"), self.password)
        with self._lock:
            for key in keys:
                if correct:
                    self._failures.pop(key, None)
                else:
                    self._fail(key, now)
        return bool(correct)
