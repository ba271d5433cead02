"""The administrator password of the web library (confirming held documents, authoritative corrections),
throttled so that it cannot be guessed.

The password is checked by logged-in web users, so the login's throttling does not protect it. Policy:
- one check at a time, for the whole app, in order of arrival: concurrent guesses (several browser tabs, the
  queue API) wait for each other, and a wrong password holds the turn for a delay before the next check;
- per logged-in user at one client address, and per address: after MAX_FAILURES wrong passwords in a row the
  pair (and after ADDRESS_MAX_FAILURES the address) is refused without a check for a lockout that doubles with
  each further failure (from Settings.login_lockout_seconds up to login_lockout_max_seconds). A lockout never
  spreads beyond the address: a guesser elsewhere cannot lock the administrator out;
- for everyone together, a slow-down instead of a lockout: past GLOBAL_FREE wrong passwords in the last
  GLOBAL_WINDOW seconds, the delay a wrong password holds the turn doubles with each one, up to
  GLOBAL_DELAY_MAX. Guessing from many addresses is then held to one guess a minute (1,440 a day) while the right
  password, which holds the turn for no delay, still gets through after at most the checks queued before it.
A right password clears the counts of its pair and address; failures are forgotten after FORGET_AFTER with none
(counted from the end of a lockout: a lockout at its longest does not end with fresh tries). The counts live in
memory: restarting anquan serve clears them, and the command line (anquan ingest … --confirm-supersede, anquan
edit) never needs the password."""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from assistant.web.login import counted_failure, password_bytes
from ingest.settings import Settings

MAX_FAILURES = 5  # wrong passwords in a row from one logged-in user at one address before a lockout
ADDRESS_MAX_FAILURES = 10  # the same from one address, whatever user name it logged in with
GLOBAL_FREE = 20  # wrong passwords from everyone in GLOBAL_WINDOW before each holds the turn longer
GLOBAL_WINDOW = 3600.0  # seconds
GLOBAL_DELAY_MAX = 60.0  # seconds a wrong password holds the turn at most
FORGET_AFTER = 24 * 3600.0  # seconds with no wrong password (after the lockout) before the count starts anew
_MAX_TRACKED = 10000  # (user, address) pairs and addresses remembered at once


@dataclass(frozen=True)
class Verdict:
    """What a check found: right; or wrong (with the tries left before a lockout and the delay it held the
    turn); or refused unchecked for wait seconds (a lockout)."""

    right: bool
    wait: float = 0.0
    left: int = 0
    delay: float = 0.0

    @property
    def locked(self) -> bool:
        return self.wait > 0

    def refusal(self, what: str) -> str:
        """The Chinese message for a wrong or refused password; what: what was not done (未确认, 未更正)."""
        if self.locked:
            return (
                f"⚠ 管理员密码输错次数过多，已暂时锁定：请 {math.ceil(self.wait)} 秒后再试，{what}"
                f"（只锁定本机地址；管理员也可在服务器上用命令行操作，或重启 anquan serve 立即解除）。"
            )
        text = f"⚠ 管理员密码不正确，{what}"
        if self.left:
            text += f"（再输错 {self.left} 次将暂时锁定）"
        if self.delay >= 2:
            text += f"；近期管理员密码多次输错，每次核对需等待约 {math.ceil(self.delay)} 秒"
        return text + "。"


class AdminGuard:
    """Checks the administrator password under the policy of the module."""

    def __init__(
        self,
        password: str,
        settings: Settings,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.password = password_bytes(password)
        self.clock, self.sleep = clock, sleep
        self.lockout = max(0.0, settings.login_lockout_seconds)
        self.lockout_max = max(self.lockout, settings.login_lockout_max_seconds)
        self.max_failures = MAX_FAILURES
        self.address_max_failures = ADDRESS_MAX_FAILURES
        self.global_free = GLOBAL_FREE
        self.global_window = GLOBAL_WINDOW
        self.global_delay_max = GLOBAL_DELAY_MAX
        self.max_tracked = _MAX_TRACKED
        self._failures: dict[str, tuple[int, float, float]] = {}  # key -> (in a row, last failure, locked until)
        self._recent: deque[float] = deque()  # when the wrong passwords of the window were given
        self._state = threading.Lock()
        self._turns = threading.Condition()
        self._issued = self._serving = 0
        self._abandoned: set[int] = set()

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """One check at a time, first come first served (a plain lock may let a guesser's threads overtake)."""
        with self._turns:
            ticket = self._issued
            self._issued += 1
            try:
                while self._serving != ticket:
                    self._turns.wait()
            except BaseException:  # interrupted while waiting: the ticket is given up, never waited for
                if self._serving == ticket:
                    self._next_turn()
                else:
                    self._abandoned.add(ticket)
                raise
        try:
            yield
        finally:
            with self._turns:
                self._next_turn()

    def _next_turn(self) -> None:
        """Serve the next ticket not given up (under self._turns)."""
        self._serving += 1
        while self._serving in self._abandoned:
            self._abandoned.discard(self._serving)
            self._serving += 1
        self._turns.notify_all()

    @staticmethod
    def keys(user: str, address: str) -> list[str]:
        return [f"who:{user}@{address}", f"address:{address}"]

    def _wait(self, keys: list[str], now: float) -> float:
        return max((self._failures[k][2] - now for k in keys if k in self._failures), default=0.0)

    def delay(self, base: float, now: float | None = None) -> float:
        """The seconds the next wrong password holds the turn."""
        now = self.clock() if now is None else now
        with self._state:
            while self._recent and now - self._recent[0] > self.global_window:
                self._recent.popleft()
            over = len(self._recent) - self.global_free
        if over < 0:
            return base
        return min(max(base, 1.0) * 2 ** (over + 1), max(self.global_delay_max, base))

    def check(self, password: str | None, user: str = "", address: str = "", base_delay: float = 1.0) -> Verdict:
        """Whether password is the administrator's: refused unchecked while (user, address) or address is locked
        out; each check waits for the ones before it, and a wrong one holds the turn for the delay."""
        keys = self.keys(user or "", address or "")
        with self._state:
            wait = self._wait(keys, self.clock())
        if wait > 0:
            return Verdict(False, wait=wait)
        with self._turn():
            now = self.clock()
            with self._state:
                wait = self._wait(keys, now)  # locked meanwhile by the checks queued before this one
            if wait > 0:
                return Verdict(False, wait=wait)
            right = hmac.compare_digest(password_bytes(password), self.password)
            if right:
                with self._state:
                    for key in keys:
                        self._failures.pop(key, None)
                return Verdict(True)
            delay = self.delay(base_delay, now)
            with self._state:
                self._recent.append(now)
                left = min(self._fail(key, now + delay) for key in keys)  # locked from when it is answered
            self.sleep(delay)  # holding the turn: the next check waits too
            return Verdict(False, left=left, delay=delay)

    def _fail(self, key: str, now: float) -> int:
        """Count a failure of key; the failures left before it is locked out."""
        limit = self.max_failures if key.startswith("who:") else self.address_max_failures
        if key not in self._failures and len(self._failures) >= self.max_tracked:
            self._forget(now)
        entry = counted_failure(self._failures.get(key), now, limit, self.lockout, self.lockout_max, FORGET_AFTER)
        self._failures[key] = entry
        return max(0, limit - entry[0])

    def _forget(self, now: float) -> None:
        """Make room: the oldest entries not locked out go (down to half the table); a locked one never does."""
        unlocked = sorted((last, key) for key, (_, last, until) in self._failures.items() if until <= now)
        for _, key in unlocked[: max(1, len(self._failures) - self.max_tracked // 2)]:
            del self._failures[key]
