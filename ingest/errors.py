"""Errors a user can act on: each names the file and says what is wrong, in Chinese. Also the warnings a
loader notes about the file it reads (a replaced byte, a skipped page), shown in that file's result."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path


class UserFacingError(Exception):
    """An error whose message (Chinese) already says what happened and what to do; shown as it is."""


class IngestError(Exception):
    """A file could not be ingested. The ingest reports it and goes on with the other files."""

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}：{reason}")


class UnsupportedFileType(IngestError):
    pass


class UnreadableFile(IngestError):
    pass


class EmptyDocument(IngestError):
    pass


class OverLimit(IngestError):
    """The file would make the ingest unpack or parse more than the configured limits (a zip or PDF bomb)."""


_WARNINGS: ContextVar[list[str] | None] = ContextVar("ingest_load_warnings", default=None)


def warn(message: str) -> None:
    """Note, in Chinese, something the user should check in the file being loaded (no-op outside
    collecting_warnings)."""
    sink = _WARNINGS.get()
    if sink is not None and message not in sink:
        sink.append(message)


@contextmanager
def collecting_warnings(sink: list[str]) -> Iterator[list[str]]:
    """Collect what warn() notes while the block runs into sink."""
    token = _WARNINGS.set(sink)
    try:
        yield sink
    finally:
        _WARNINGS.reset(token)


_OS_REASONS = {
    errno.ELOOP: "符号链接循环：链接经过层层指向又回到自己（或层数过多），无法打开，已跳过",
    errno.ENAMETOOLONG: (
        "路径过长，超过操作系统允许的长度，无法读取；请把文件移到层级较浅的文件夹，或缩短文件夹和文件名后再导入"
    ),
    errno.ENOENT: "文件不存在或在导入过程中被移走",
    errno.EACCES: "没有读取权限；请修改文件权限（如 chmod a+r），或换用有权限的用户导入",
    errno.EPERM: "没有读取权限；请修改文件权限（如 chmod a+r），或换用有权限的用户导入",
    errno.EIO: "读取时发生输入输出错误（磁盘、U 盘或网络盘故障）；请检查存储设备后重试",
    errno.ENOTDIR: "路径中的某一级不是文件夹",
    errno.EISDIR: "这是文件夹而不是文件",
    errno.EMFILE: "同时打开的文件过多，请稍后重试",
    errno.ENFILE: "同时打开的文件过多，请稍后重试",
    errno.ENOMEM: "内存不足，请关闭其他占用内存的程序后重试",
    errno.ESTALE: "网络盘上的文件已失效（被其他电脑改动或删除），请重新挂载后重试",
    errno.ETIMEDOUT: "读取网络盘超时，请检查网络后重试",
    errno.EBUSY: "文件正被其他程序占用，请关闭后重试",
}


# why writing a file failed (the system's own words are English: "No such file or directory")
_WRITE_REASONS = {
    errno.ENOENT: "路径不存在或不能在此建立文件",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "所在位置是只读的",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中的某一级不是文件夹",
    errno.EIO: "写入时发生输入输出错误",
    errno.ELOOP: "符号链接循环：链接层层指向又回到自己",
}


def os_write_reason(exc: OSError) -> str:
    """What an OSError met while writing a file means, in Chinese (os_reason's counterpart for writing)."""
    return _WRITE_REASONS.get(exc.errno or 0) or f"系统错误 {errno.errorcode.get(exc.errno or 0, '未知')}"


def os_reason(exc: OSError) -> str:
    """What an OSError means, in Chinese, for a file or folder being read: the one place an errno becomes
    words for the user (the system's own message is English, e.g. "Too many levels of symbolic links")."""
    reason = _OS_REASONS.get(exc.errno or 0)
    if reason is not None:
        return reason
    code = errno.errorcode.get(exc.errno or 0, "未知")
    return f"无法读取（系统错误 {code}）；请检查文件或所在磁盘后重试"


def too_large(size: int, max_bytes: float) -> str:
    """Why a file over ANQUAN_MAX_FILE_MB is not imported, in Chinese."""
    return (
        f"文件过大（{size / 2**20:.1f} MB，上限 {max_bytes / 2**20:g} MB）："
        "请拆分成多个文件后再导入，或调大 ANQUAN_MAX_FILE_MB"
    )
