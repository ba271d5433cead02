"""The data directory as a place to write: whether a folder can be written, and why a path cannot be the
data directory (a file stands where it or a parent should be), each told in Chinese."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ingest.encoding import readable_path
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


class DiskFull(UserFacingError):
    """A write (ingest, delete) was asked for where the disk holding the data directory has no room left."""

    def __init__(self, data_dir: Path):
        super().__init__(
            f"数据目录 {data_dir} 所在磁盘的空间已满：查询、查看条文和检索仍可使用，但不能导入或删除文档。"
            f"请清理该磁盘的空间，或用 ANQUAN_DATA_DIR 换一个磁盘上的目录后再导入。"
        )


# the free space the store needs to be opened where it is: SQLite's write-ahead log and Chroma's checks on opening
# took some tens of KB on a disk an import had filled (measured on a small tmpfs), with room to spare
MIN_FREE_BYTES = 1 << 20


def has_room(path: Path, room: int = MIN_FREE_BYTES) -> bool:
    """Whether the disk holding path has room bytes free (MIN_FREE_BYTES: on a disk an import filled, the store
    could not even be opened to be read, and every question, stats and show failed)."""
    try:
        return shutil.disk_usage(_existing_folder(path)).free >= room
    except OSError:  # not measurable: as if there were room (writing tells)
        return True


SYSTEM_ROOTS = ("/proc", "/sys", "/dev")  # the system's pseudo filesystems: their contents are made up when read


def under_system_root(real: str) -> str:
    """The pseudo filesystem root a real path lies under ("" for none); /dev/shm holds files someone wrote."""
    if real == "/dev/shm" or real.startswith("/dev/shm/"):
        return ""
    return next((root for root in SYSTEM_ROOTS if real == root or real.startswith(root + "/")), "")


def data_dir_problem(data_dir: Path) -> str | None:
    """Why the data directory cannot be a folder (a file stands where it or one of its parents should be), or cannot
    hold the store: a path that is not UTF-8 (a folder named in GBK on an old disk), which Chroma cannot open."""
    try:
        str(data_dir).encode("utf-8")
    except UnicodeEncodeError:
        return (
            f"数据目录 {readable_path(data_dir)} 的路径中有不是 UTF-8 编码的文件夹名（常见于 Windows 下建立的文件夹），"
            f"索引存储无法在其中打开：请把 ANQUAN_DATA_DIR 设为只含正常字符的路径，或把该文件夹改名后重试。"
        )
    if root := under_system_root(os.path.realpath(data_dir)):  # /proc: every command failed on /proc/chroma
        return (
            f"数据目录 {readable_path(data_dir)} 在系统的虚拟文件夹 {root} 中（其中的内容由系统生成，不能存放文件）："
            f"请把 ANQUAN_DATA_DIR 设为磁盘上一个可写的文件夹后重试。"
        )
    for folder in (data_dir, *data_dir.parents):
        if folder.is_symlink() and not folder.exists():  # mkdir said only "File exists"
            what = "数据目录" if folder == data_dir else f"数据目录 {data_dir} 的上级路径"
            return (
                f"{what} {folder} 是一个失效的符号链接（指向的位置不存在，或链接指回自身）：请把 ANQUAN_DATA_DIR "
                f"设为一个文件夹的路径，或改正这个链接后重试。"
            )
        if folder.exists() and not folder.is_dir():
            what = "数据目录" if folder == data_dir else f"数据目录 {data_dir} 的上级路径"
            return (
                f"{what} {folder} 是一个文件，不是文件夹：请把 ANQUAN_DATA_DIR 设为一个文件夹的路径，"
                f"或移走这个文件后重试。"
            )
    return None


# What the program keeps in the data directory besides the store (chroma/: ingest.store names its problems): whether
# each is a folder, what it holds, and whether a question reads it (the others are written by imports and edits only).
# A file where one of the folders belongs (or the reverse: a backup tool, a careless copy) failed every command
# touching it with "unexpected error (NotADirectoryError), please retry", which retrying never mends.
_DERIVED = "由程序自动生成，删除或改名后重试即可（下次导入时重建）"
_LAYOUT: dict[str, tuple[bool, str, bool, str]] = {
    "bm25": (True, "词法（BM25）索引", True, _DERIVED),
    "embedder": (True, "内置向量模型", True, _DERIVED),
    "cache": (True, "知识包缓存", True, _DERIVED),
    "uploads": (True, "网页上传的原文件", False, "请把它改名移开后重试，并确认其中没有需要保留的文件"),
    "upload-staging": (True, "网页上传的暂存区", False, _DERIVED),
    "ingest-spool": (True, "导入时的临时数据", False, _DERIVED),
    "file-stamps.json": (False, "已读文件的记录", False, _DERIVED),
    "ingest-journal.json": (False, "导入日志", False, _DERIVED),
    "ingest.lock": (False, "导入锁", False, _DERIVED),
    "vectors.lock": (False, "向量计算锁", False, _DERIVED),
    "corrections.json": (False, "管理员的更正记录", False, "请把它改名移开后重试，并确认其中没有需要保留的内容"),
}


def layout_problem(data_dir: Path, writing: bool = False, embedder: str | None = None) -> str | None:
    """Why an entry of the data directory cannot be used ("" when none): a file where a folder belongs, or a folder
    where a file belongs, named with what it is and what to do. Only the entries a question reads unless writing;
    with embedder, the folder of its lexical index (bm25/<embedder>) too."""
    entries = [(name, *spec) for name, spec in _LAYOUT.items() if writing or spec[2]]
    if embedder:
        entries.append((f"bm25/{embedder}", True, "词法（BM25）索引", True, _DERIVED))
    for name, folder, what, _read, todo in entries:
        path = data_dir / name
        if not os.path.lexists(path) or (path.is_dir() if folder else path.is_file()):
            continue
        now = "一个文件夹" if path.is_dir() else "一个文件" if path.is_file() else "一个特殊文件或失效的链接"
        return f"数据目录中的 {path} 应是{'一个文件夹' if folder else '一个文件'}（{what}），现在却是{now}：{todo}。"
    return None


def _existing_folder(path: Path) -> Path:
    """The folder path is (or is in), or the nearest one above it that exists (a data directory not made yet)."""
    folder = path if path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def writable(path: Path) -> bool:
    """Whether this process can write in the folder (and the existing file) at path: a read-only mount or
    missing permissions say no (root included, on a read-only mount)."""
    if not os.access(_existing_folder(path), os.W_OK):
        return False
    return not path.is_file() or os.access(path, os.W_OK)
