"""No path of the server reaches a browser. The messages the web shares with the command line name the data
directory, the store, the log file or a file the administrator imported by its path, which is what the administrator
at the server needs; a web user needs what happened and what to do, and the server's layout is nothing to show
anyone who can open the page. Every message the web shows (errors, notes, per-file reasons, the statistics and the
header) passes through hide_server_paths: a known location becomes its name (数据目录, 服务器日志, …) with what lies
inside it, and any other absolute path becomes the name of the file or folder it ends in."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from ingest.settings import Settings

# characters a path runs on with in a message: not whitespace, quotes, Chinese punctuation or the brackets that
# enclose a path in our messages (（…）, “…”); ASCII parentheses stay, file names hold them (安全生产法(2021-06-10).md)
_PATH_CHAR = r"[^\s\"'“”‘’（）<>，。；：、,;|*?\[\]]"
_REST = rf"(?:/{_PATH_CHAR}+)*"
# any other absolute path of two or more parts whose first part is ASCII (/srv/…, /home/…, /tmp/…, ~/.cache/…,
# C:\…): "安全/环保/消防" or "GBK/GB18030" is no path
_ANY_PATH = re.compile(
    rf"(?<![A-Za-z0-9_/.:~\\-])(?:~?/[A-Za-z0-9._-]+(?:/{_PATH_CHAR}+)+/?|[A-Za-z]:\\[^\s\"'“”（）<>，。；：、,;|*?]+)"
)
_OPENING_QUOTES = "“\"'‘「《"


def _locations(settings: Settings | None) -> list[tuple[str, str, str]]:
    """(path as text, the name said instead, the word a message may put before the path), longest first."""
    if settings is None:
        return []
    named = [
        (settings.data_dir, "数据目录", "数据目录"),
        (settings.log_file, "服务器日志", "日志"),
        (settings.knowledge_dir, "知识包文件夹", "知识包"),
        (settings.vector_cache, "向量缓存文件夹", "向量缓存"),
    ]
    found: dict[str, tuple[str, str]] = {}
    for path, name, word in named:
        for form in _forms(path):
            if len(form) > 1:  # never "/" itself
                found.setdefault(form, (name, word))
    return sorted(((p, n, w) for p, (n, w) in found.items()), key=lambda item: -len(item[0]))


def _forms(path: Path | str | None) -> Iterable[str]:
    if not path:
        return ()
    forms = {str(path).rstrip("/")}
    try:
        forms.add(str(Path(path).expanduser().resolve()).rstrip("/"))
        forms.add(str(Path(path).expanduser()).rstrip("/"))
    except (OSError, RuntimeError):
        pass
    return forms


def _known(text: str, path: str, name: str, word: str) -> str:
    pattern = re.compile(rf"(?:{re.escape(word)}(?:中的)?\s*)?{re.escape(path)}(?P<rest>{_REST})/?(?!{_PATH_CHAR})")

    def said(match: re.Match[str]) -> str:
        rest = match.group("rest").strip("/")
        return f"{name}中的 {rest}" if rest else name

    return pattern.sub(said, text)


def _other(match: re.Match[str]) -> str:
    """An absolute path no setting names: the name it ends in, said to be on the server (or only the name, when
    the message quotes it already)."""
    path = match.group().rstrip("/\\")
    name = re.split(r"[/\\]", path)[-1] or path
    before = match.string[match.start() - 1] if match.start() else ""
    return name if before and before in _OPENING_QUOTES else f"服务器上的“{name}”"


def hide_server_paths(text: str, settings: Settings | None = None) -> str:
    """text with every path of the server said without it (see the module's docstring); the same text when it
    holds none."""
    if not text or ("/" not in text and ":\\" not in text):
        return text
    for path, name, word in _locations(settings):
        if path in text:
            text = _known(text, path, name, word)
    home = os.path.expanduser("~")
    if len(home) > 1 and home in text:  # a path under the home folder the settings do not name: ~/…, then below
        text = re.sub(rf"(?<![A-Za-z0-9_/.-]){re.escape(home)}(?=/)", "~", text)
    return _ANY_PATH.sub(_other, text)
