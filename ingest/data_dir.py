"""The data directory as a place to write: whether a folder can be written, and why a path cannot be the
data directory (a file stands where it or a parent should be), each told in Chinese."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.errors import UserFacingError


class DataDirError(UserFacingError):
    """The data directory cannot be used (a file where a folder should be, or unreachable)."""


class ReadOnlyDataDir(UserFacingError):
    """A write (ingest, delete) was asked for in a data directory that cannot be written."""

    def __init__(self, data_dir: Path):
        super().__init__(
            f"数据目录 {data_dir} 是只读的（或没有写权限）：查询、查看条文和检索仍可使用，但不能导入或删除文档。"
            f"请让管理员开放该目录的写权限，或用 ANQUAN_DATA_DIR 指定一个可写的目录后再导入。"
        )


def data_dir_problem(data_dir: Path) -> str | None:
    """Why the data directory cannot be a folder (a file stands where it or one of its parents should be)."""
    for folder in (data_dir, *data_dir.parents):
        if folder.exists() and not folder.is_dir():
            what = "数据目录" if folder == data_dir else f"数据目录 {data_dir} 的上级路径"
            return (
                f"{what} {folder} 是一个文件，不是文件夹：请把 ANQUAN_DATA_DIR 设为一个文件夹的路径，"
                f"或移走这个文件后重试。"
            )
    return None


def writable(path: Path) -> bool:
    """Whether this process can write in the folder (and the existing file) at path: a read-only mount or
    missing permissions say no (root included, on a read-only mount)."""
    folder = path if path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not os.access(folder, os.W_OK):
        return False
    return not path.is_file() or os.access(path, os.W_OK)
