"""Faults of the machine rather than of the input (a full disk, a read-only or misplaced data directory, too
little memory), told in Chinese with what to do; anything unexpected is logged with its traceback and
reaches the user as one short Chinese line naming the log. The CLI and the web UI both end here, so no
Python traceback ever reaches a user."""

from __future__ import annotations

import errno
import logging
import os
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from ingest.data_dir import data_dir_problem, has_room
from ingest.errors import UserFacingError, os_write_reason
from ingest.settings import Settings
from ingest.vocabulary import PackError

log = logging.getLogger("anquan")


_NO_SPACE = ("no space left", "disk is full", "database or disk is full", "sqlite_full", "(code: 13)")
# a write the disk refused for another reason: a file over the size limit (a quota, FAT32's 4 GB, ulimit -f) or a
# failing disk; SQLite's SQLITE_IOERR (10) and its extended codes (778 = SQLITE_IOERR_WRITE) as Chroma words them
_WRITE_FAILED = ("file too large", "(code: 10)", "(code: 778)")
# SQLite's SQLITE_CORRUPT (11) and SQLITE_NOTADB (26), as sqlite3 and Chroma's own binding word them
_DAMAGED = (
    "database disk image is malformed",
    "file is not a database",
    "malformed database schema",
    "(code: 11)",
    "(code: 26)",
)
_READ_ONLY = (
    "readonly database",
    "read-only file system",
    "read only file system",
    "attempt to write a readonly",
    "permission denied",
    "(code: 8)",
)


def chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _errno(exc: BaseException) -> int | None:
    for link in chain(exc):
        if isinstance(link, OSError) and link.errno is not None:
            return link.errno
    return None


def _text(exc: BaseException) -> str:
    return " ".join(str(link) for link in chain(exc)).lower()


def is_disk_full(exc: BaseException) -> bool:
    return _errno(exc) in (errno.ENOSPC, errno.EDQUOT) or any(s in _text(exc) for s in _NO_SPACE)


# Chroma's words for a write it could not apply, which it also gives when the disk filled up under it (the cause is
# not passed on), and the free space below which such a failure is told as a full disk (generous: one write batch
# of the store is a few MB)
_STORE_WRITE_FAILED = "failed to apply logs"
_ROOM_FOR_A_WRITE = 64 << 20


def _store_write_without_room(exc: BaseException, data_dir: Path | None) -> bool:
    """Whether the store failed to apply a write while the disk holding the data directory has little room."""
    return data_dir is not None and _STORE_WRITE_FAILED in _text(exc) and not has_room(data_dir, _ROOM_FOR_A_WRITE)


def is_write_failure(exc: BaseException) -> bool:
    return _errno(exc) in (errno.EFBIG, errno.EIO) or any(s in _text(exc) for s in _WRITE_FAILED)


def is_damaged_index(exc: BaseException) -> bool:
    """The store's database file is truncated or overwritten (not a passing lock or a full disk)."""
    return any(
        isinstance(link, sqlite3.DatabaseError) and not isinstance(link, sqlite3.OperationalError)
        for link in chain(exc)
    ) or any(s in _text(exc) for s in _DAMAGED)


# SQLite's quick check of the store's database, in a child process: opening and closing the file in this
# one would drop the locks its Chroma client holds on it (see ingest.store.open_client)
_QUICK_CHECK = (
    "import sqlite3, sys\n"
    "db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True, timeout=10)\n"
    "print(db.execute('PRAGMA quick_check(1)').fetchone()[0])"
)
_QUICK_CHECK_TIMEOUT = 60


def index_intact(data_dir: Path | None) -> bool:
    """Whether SQLite finds the store's database file sound (PRAGMA quick_check): a "malformed" error read
    then came from a passing clash with another process, not from damage. False when the file is missing or
    the check finds damage; True when the check cannot tell (it timed out): deleting is never advised on a guess."""
    if data_dir is None:
        return False
    database = data_dir / "chroma" / "chroma.sqlite3"
    if not database.is_file():
        return False
    try:
        done = subprocess.run(
            [sys.executable, "-c", _QUICK_CHECK, str(database)],
            capture_output=True,
            text=True,
            timeout=_QUICK_CHECK_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError):
        return True
    if done.returncode != 0:
        return "DatabaseError" not in done.stderr or "OperationalError" in done.stderr
    return done.stdout.strip() == "ok"


def is_read_only(exc: BaseException) -> bool:
    return _errno(exc) in (errno.EROFS, errno.EACCES, errno.EPERM) or any(s in _text(exc) for s in _READ_ONLY)


# Chroma's words for its own tables damaged: a collection without its segments is damage for certain; a log that
# cannot be read is damage when its table is gone, else it may be a passing clash with another process's write
_SEGMENT_MISSING = ("missing metadata segment", "missing vector segment")
_LOG_UNREADABLE = ("failed to pull logs from the log store",)

# Which of these tables the store's database lacks, read in a child process (as _QUICK_CHECK, for the same reason)
_TABLES_CHECK = (
    "import sqlite3, sys\n"
    "db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True, timeout=10)\n"
    "have = {r[0] for r in db.execute(\"SELECT name FROM sqlite_master WHERE type = 'table'\")}\n"
    "print(' '.join(t for t in sys.argv[2:] if t not in have))"
)


def _missing_tables(database: Path, tables: tuple[str, ...]) -> list[str]:
    """The tables among these that the database file lacks ([] when it has them all, or when that cannot be told)."""
    if not database.is_file():
        return []
    try:
        done = subprocess.run(
            [sys.executable, "-c", _TABLES_CHECK, str(database), *tables],
            capture_output=True,
            text=True,
            timeout=_QUICK_CHECK_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return done.stdout.split() if done.returncode == 0 else []


def _on_server(settings: Settings | None) -> bool:
    return settings is not None and (
        settings.store == "server" or (settings.store == "auto" and bool(settings.chroma_host))
    )


def _chroma_server_lost(exc: BaseException, settings: Settings | None) -> bool:
    """Whether exc is a request to the Chroma server (its API under /api/) that got no answer: the server stopped
    or became unreachable after the store was opened (an unexpected error, ConnectError, on every question)."""
    httpx = sys.modules.get("httpx")
    if httpx is None or not _on_server(settings):
        return False
    for link in chain(exc):
        if isinstance(link, httpx.TransportError):
            try:
                return link.request.url.path.startswith("/api/")
            except RuntimeError:  # no request attached
                return False
    return False


def _store_tables(exc: BaseException, settings: Settings | None, action: str) -> str | None:
    """Chroma's own tables found damaged while it had the store open (a process that opens it anew checks them
    first: ingest.store.chroma_tables_problem, and says exactly what is wrong); None for another fault."""
    text = _text(exc)
    certain = any(s in text for s in _SEGMENT_MISSING)
    if not certain and not any(s in text for s in _LOG_UNREADABLE):
        return None
    detail = str(exc).strip()[:200]
    if _on_server(settings):
        assert settings is not None
        return (
            f"Chroma 服务器 {settings.chroma_host}:{settings.chroma_port} 上的知识库数据读取出错（{detail}），"
            f"{action}未完成。请让服务器管理员检查该服务器的数据（必要时从备份恢复）。"
        )
    from ingest.store import CHROMA_TABLES, damaged_store_message  # loaded already: Chroma raised this

    data_dir = settings.data_dir if settings is not None else None
    database = data_dir / "chroma" / "chroma.sqlite3" if data_dir else Path("chroma.sqlite3")
    if certain:
        return damaged_store_message(data_dir, f"{database} 中 Chroma 的分段记录不完整：{detail}", action)
    missing = _missing_tables(database, CHROMA_TABLES)
    if missing:
        problem = f"{database} 中 Chroma 的数据表 {'、'.join(missing)} 不见了（数据库被改动或损坏）"
        return damaged_store_message(data_dir, problem, action)
    return (
        f"读取知识库数据库 {database} 时出错（{detail}），{action}未完成。如正有导入在写入，请稍后重试；"
        f"如反复出现，请重新运行命令（或重启 anquan serve）：数据库若已损坏，届时会说明损坏之处和处理办法。"
    )


def explain(exc: BaseException, settings: Settings | None = None, action: str = "操作") -> str | None:
    """A Chinese explanation with what to do for a known fault, else None."""
    store = sys.modules.get("ingest.store")  # loaded when the store raised: no Chroma import on other paths
    if store is not None and isinstance(exc, store.StoreDamaged):
        return exc.explain(action)
    if isinstance(exc, UserFacingError):
        return str(exc)
    if isinstance(exc, PackError):  # a file of the knowledge pack is missing or invalid: no retry mends it
        folder = settings.knowledge_dir if settings is not None else "knowledge"
        return (
            f"知识包有误，{action}未完成：{exc}。请改正该文件，或检查设置 ANQUAN_KNOWLEDGE_DIR"
            f"（现为 {folder}）是否指向完整的 knowledge 文件夹；删去这一设置即使用自带的知识包。"
        )
    data_dir = settings.data_dir if settings is not None else None
    where = f"（数据目录 {data_dir} 所在的磁盘）" if data_dir else ""
    if isinstance(exc, MemoryError):
        return f"内存不足，{action}未完成：请关闭其他占用内存的程序，或把文件分批处理后重试。"
    if is_disk_full(exc) or _store_write_without_room(exc, data_dir):
        return (
            f"磁盘空间已满，{action}未完成。已入库的内容没有丢失，可照常查询；未写完的部分会在下次导入时自动撤销或补全。"
            f"请清理磁盘空间{where}后重试。"
        )
    if is_damaged_index(exc) and not index_intact(data_dir):
        from ingest.store import damaged_store_message

        index = data_dir / "chroma" if data_dir else "chroma"
        problem = f"{index} 中的 chroma.sqlite3 不完整或不是有效的数据库文件，可能是复制不完整或磁盘故障"
        return damaged_store_message(data_dir, problem, action)
    if is_damaged_index(exc):  # the file checks out: another process's write met this one's read
        return (
            f"知识库暂时无法读取（可能正有导入或删除在写入数据目录 {data_dir or ''}），{action}未完成。"
            f"知识库本身完好，请稍后重试；如反复出现，请重启 anquan serve。"
        )
    told = _store_tables(exc, settings, action)
    if told is not None:
        return told
    if _chroma_server_lost(exc, settings):
        from ingest.store import chroma_server_problem  # loaded already: the store made the request

        assert settings is not None
        return f"{action}未完成：{chroma_server_problem(settings)}"
    if is_write_failure(exc):
        return (
            f"写入磁盘失败（文件超过大小上限、磁盘配额用尽或磁盘故障），{action}未完成。已入库的内容没有丢失，可照常查询；"
            f"未写完的部分会在下次导入时自动撤销或补全。请检查数据目录{f' {data_dir} ' if data_dir else ''}所在磁盘的"
            "配额、单个文件大小的限制（如 FAT32 磁盘不能存放超过 4 GB 的文件）和磁盘状态后重试，"
            "或用 ANQUAN_DATA_DIR 换一个磁盘上的目录。"
        )
    if _errno(exc) in (errno.ENOTDIR, errno.EEXIST) and data_dir is not None and data_dir_problem(data_dir):
        return data_dir_problem(data_dir)
    if is_read_only(exc):
        return (
            f"数据目录 {data_dir or ''} 不可写（只读或没有权限），{action}未完成。查询仍可使用；要导入或删除，"
            f"请开放该目录的写权限，或用 ANQUAN_DATA_DIR 指定一个可写的目录。"
        )
    return None


def output_problem(out: Path) -> str:
    """Why a file cannot be written at out ("" when it can, as far as can be told before writing): a folder
    given where a file name belongs, a folder that does not exist or cannot be written. Checked before the work
    that produces the file, so that none is lost. A named pipe or a device there (writing to a pipe waits for a
    reader forever: the command hung) and a name the system refuses (over 255 bytes: it failed as an unexpected
    error) are told too."""
    try:
        status: os.stat_result | None = out.stat()
    except (FileNotFoundError, NotADirectoryError):  # a new file (or a folder missing: told below)
        status = None
    except OSError as exc:  # a name too long, a symbolic link loop
        return write_problem(out, exc)
    if status is not None and stat.S_ISDIR(status.st_mode):
        example = out / f"文件{out.suffix or '.docx'}"
        return f"{out} 是一个文件夹：请在 --out 中写出文件名，如 {example}"
    if status is not None and not stat.S_ISREG(status.st_mode):
        return (
            f"{out} 不是普通文件（是命名管道、设备文件等特殊文件，写入会一直等待或写到别处）："
            f"请在 --out 中写出另一个文件名"
        )
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        return f"要写入的文件夹 {folder} 不存在（或不是文件夹）：请先建立该文件夹，或换一个位置"
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        return f"没有写入 {out} 的权限：请换一个可写的位置"
    return ""


def overwrite_problem(out: Path, sources: Iterable[str], force: bool = False) -> str:
    """Why out must not be written ("" when it may): it is (or links to) a file a document of the knowledge base was
    imported from, which an export never overwrites (anquan draft --out 安全生产法.md); or it exists and force (--force)
    was not given. An existing file was replaced without a word: a plan finished in Word, a filled self-check sheet,
    any file that happened to bear the name."""
    if not out.exists():
        return ""
    for source in sources:
        try:
            if os.path.samefile(out, source):
                return f"{out} 是知识库中文档的原文件（{source}）：导出不会覆盖它，请在 --out 中换一个文件名"
        except OSError:  # a source moved or deleted since it was imported
            continue
    if force:
        return ""
    return (
        f"{out} 已存在，没有覆盖它（其中可能是改过的计划、填好的自查表或别的文件）：要用新生成的内容替换它，"
        f"请加 --force；或在 --out 中换一个文件名"
    )


def listen_problem(host: str, port: int) -> str:
    """Why the web server cannot listen at host:port ("" when it can, as far as a trial bind tells): a host that is no
    address of this machine, or does not resolve, was told 端口已被占用 with the advice to change the port, after the
    address had been printed as if serving."""
    start = f"无法在 {host}:{port} 启动网页界面"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError, ValueError):
        return f"{start}：找不到地址 {host}。--host 须为本机的地址，如 127.0.0.1（仅本机），或 0.0.0.0（本机所有地址）"
    with socket.socket(family, kind, proto) as probe:
        try:
            probe.bind(address)
        except OSError as exc:  # EADDRNOTAVAIL, or what else refuses the address
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"{start}：端口 {port} 已被占用；请用 --port 换一个端口，如 anquan serve --port {port % 65535 + 1}"
                )
            if exc.errno == errno.EACCES:
                return (
                    f"{start}：没有使用端口 {port} 的权限（1024 以下的端口须管理员权限）；请换一个端口，如 --port 7860"
                )
            return (
                f"{start}：{host} 不是本机的地址。--host 须为本机网卡的地址，"
                f"如 127.0.0.1（仅本机），或 0.0.0.0（本机所有地址）"
            )
    return ""


def write_problem(out: Path, exc: OSError) -> str:
    """What to tell when writing out failed anyway (a read-only or special file system, a name too long)."""
    if is_disk_full(exc):
        return f"磁盘空间已满，未能写入 {out}：请清理磁盘空间后重试"
    return f"未能写入 {out}（{os_write_reason(exc)}）：请换一个可写的位置或更短的文件名后重试"


def log_file(settings: Settings | None) -> Path:
    """Where unexpected errors are logged: the configured file, or the temp folder when it cannot be written."""
    configured = (
        settings.log_file
        if settings is not None
        else Settings.model_fields["log_file"].get_default(call_default_factory=True)
    )
    for path in (configured, Path(tempfile.gettempdir()) / "anquan.log"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8"):
                pass
            return path
        except OSError:
            continue
    return configured


def record(exc: BaseException, settings: Settings | None, action: str) -> Path:
    """Append the traceback to the log file; returns it."""
    path = log_file(settings)
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now().isoformat(timespec='seconds')} 进程 {os.getpid()} {action}\n{text}\n")
    except OSError:
        log.exception("%s failed", action)
    return path


def user_message(exc: BaseException, settings: Settings | None = None, action: str = "操作") -> str:
    """What a user reads for any exception: the explanation of a known fault, else a short line naming
    the log the traceback was written to."""
    known = explain(exc, settings, action)
    if known is not None:
        return known
    path = record(exc, settings, action)
    return (
        f"{action}时发生意外错误（{type(exc).__name__}），未能完成。详细信息已写入日志 {path}；"
        f"请重试，如反复出现，请把该日志交给管理员。"
    )
