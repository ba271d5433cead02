"""Walking the paths to ingest: the files under them (sorted, symlinked folders inside followed once), each either
to consider or rejected up front (unsupported, unreadable, too large, a system file); and whether a file changed since
it was last read, from its content hash or, without reading it, from its size and modification time (StampCache)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import time
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from ingest.cleaning import is_blank
from ingest.data_dir import SYSTEM_ROOTS, under_system_root
from ingest.encoding import readable_path
from ingest.errors import os_reason, too_large
from ingest.journal import write_json
from ingest.loaders import EMPTY_FILE, SUPPORTED_SUFFIXES, unsupported_type
from ingest.report import FileResult
from ingest.settings import Settings

# Bump when cleaning or chunking changes, so unchanged files are re-chunked once.
PIPELINE_VERSION = "12"  # 2: heading-only plan sections kept, mixed-encoding files read line by line;
# 3: over-long lines cut to the token budget and never taken for headings, UTF-16 without BOM and stray bytes read;
# 4: kinds classified by legal form (ingest.legal_forms), regions down to districts and counties
# 5: HZ, ISO-2022-JP/-KR, UTF-7 and EUC-KR Korean decoded (stored as garbage before), control characters refused
# 6: hidden text left out (Word runs marked hidden, HTML elements hidden or styled display:none)
# 7: Word tables read once per cell and text hidden by styles, white or tiny left out; PDF and HTML text a reader
# never sees left out; Markdown comment definitions and hidden raw HTML left out
# 8: Word specVanish, theme white and hairline widths, PDF glyphs squeezed under a point wide, Markdown comments
# opening a quote or a list item left out; style-sheet rules the loader cannot match no longer undo hiding
# 9: text the colour of what is under it (Word, PDF, HTML), PDF text painted over, HTML hidden by any selector or
# by clip-path, filters, scaling or popover, Markdown <?…?>/CDATA left out; Word text in insertions and content
# controls read
# 10: Word nested tables, text boxes, AlternateContent and notes read, field codes and collapsed spacing left out;
# PDF text covered by any opaque paint left out; HTML custom properties applied and aria-hidden text read
# 11: HTML style sheets linked or imported from the page's folder applied; study books (读本, 释义) are no legal form
# 12: articles glued into one line after one another (。 第二条 …) split into lines of their own


def content_hash(data: bytes, settings: Settings) -> str:
    digest = hashlib.sha256(data)
    digest.update(f"|pipeline={PIPELINE_VERSION}|budget={settings.chunk_max_tokens}".encode())
    return digest.hexdigest()[:20]


_STAMP_SETTLED_S = 2.0  # a file modified more recently may change again within the same clock tick


def file_stamp(stat: os.stat_result, settings: Settings) -> str:
    """Size, modification and change time of a file, with what else content_hash covers: a file whose stamp
    equals the one StampCache kept is unchanged without being read again (as git decides, ctime included: an
    edit whose modification time was set back, touch -d, still changes the change time). "" (never trusted) for
    a file modified in the last seconds, whose next change might keep size and times."""
    if time.time() - stat.st_mtime < _STAMP_SETTLED_S:
        return ""
    return (
        f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}"
        f"|pipeline={PIPELINE_VERSION}|budget={settings.chunk_max_tokens}"
    )


def _oversized_or_unreadable(path: Path, max_bytes: float) -> FileResult | None:
    """A file that cannot be opened (vanished, dangling or looping symlink, path too long), is empty (0 bytes:
    never the copy or the original of another empty file) or is over the size limit."""
    try:
        status = path.stat()
    except OSError as exc:
        if exc.errno == errno.ENOENT and _is_symlink(path):
            return FileResult(path, "failed", reason=_DANGLING)
        return FileResult(path, "failed", reason=os_reason(exc))
    if not stat.S_ISREG(status.st_mode):  # a named pipe or a device would block the read, or never end
        return FileResult(path, "failed", reason=_special_file(path, status.st_mode))
    system = _system_file(path, status)
    if system:  # /sys attributes report 4096 bytes: the size-0 test below does not catch them
        return FileResult(path, "failed", reason=system)
    size = status.st_size
    if size == 0:
        if _reads_something(path):  # /proc/self/environ: size 0, content made up by the system when read
            return FileResult(path, "failed", reason=_VIRTUAL_FILE)
        return FileResult(path, "failed", reason=EMPTY_FILE)
    if size > max_bytes:
        return FileResult(path, "failed", reason=too_large(size, max_bytes))
    return None


_DANGLING = "符号链接指向的文件不存在（悬空链接），已跳过；请把链接指向现有的文件，或直接导入原文件"
_VIRTUAL_FILE = (
    "这是系统的虚拟文件（如 /proc、/sys 下的文件：大小显示为 0，内容由系统在读取时生成），不是保存在磁盘上的文档，"
    "已跳过；请导入保存在磁盘上的文件"
)


# Where the system's pseudo filesystems are mounted: their files are made up when read (/proc/self/environ, a
# /sys attribute), never documents. Submounts (/sys/fs/cgroup, /proc/sys/fs/binfmt_misc, /dev/shm) are under them.


@lru_cache(maxsize=1)
def _system_devices() -> frozenset[int]:
    """The device numbers of the pseudo filesystems at SYSTEM_ROOTS (each a mount of its own, not the root's):
    a sysfs or procfs mounted elsewhere too (a container's bind mount) is still known by it."""
    try:
        root = os.stat("/").st_dev
    except OSError:
        return frozenset()
    devices = set()
    for folder in SYSTEM_ROOTS:
        try:
            device = os.stat(folder).st_dev
        except OSError:
            continue
        if device != root:  # a plain folder of the root filesystem (a bare chroot) proves nothing
            devices.add(device)
    return frozenset(devices)


def _on_system_filesystem(real: str, device: int) -> bool:
    """Whether a real path (on that device) is made up by the system when read: under SYSTEM_ROOTS, or on one of
    their filesystems mounted elsewhere."""
    return bool(under_system_root(real)) or device in _system_devices()


def _system_folder(path: Path) -> str:
    """Why a folder of the system's pseudo filesystems (/proc/self, a /sys folder, one mounted inside the folder
    imported) is not walked, in Chinese; "" for any other folder."""
    real = os.path.realpath(path)
    try:
        device = os.stat(real).st_dev
    except OSError:
        return ""
    if not _on_system_filesystem(real, device):
        return ""
    return (
        f"这是系统的虚拟文件夹（{readable_path(Path(real))}，其中的内容由系统在读取时生成），不是保存在磁盘上的文档，"
        "已跳过；请导入保存在磁盘上的文件夹"
    )


def _system_file(path: Path, status: os.stat_result) -> str:
    """Why a file of the system's pseudo filesystems (/proc, /sys, /dev), reached directly or by a symbolic link, is
    not read, in Chinese; "" for any other file."""
    real = os.path.realpath(path)
    if not _on_system_filesystem(real, status.st_dev):
        return ""
    where = under_system_root(real) or "系统的虚拟文件系统"
    link = f"（这是指向 {readable_path(Path(real))} 的符号链接）" if _is_symlink(path) else ""
    return (
        f"这是系统的虚拟文件（位于 {where}，内容由系统在读取时生成），不是保存在磁盘上的文档，已跳过{link}；"
        "请导入保存在磁盘上的文件"
    )


def _special_file(path: Path, mode: int) -> str:
    """Why a path that is no regular file is not read, in Chinese (its kind, where a symbolic link leads): reading a
    device such as /dev/zero never ends and reading a named pipe waits for a writer, so neither is opened."""
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "设备文件（如 /dev/zero、/dev/urandom，读取永远不会结束）"
    elif stat.S_ISFIFO(mode):
        kind = "命名管道（FIFO，读取会一直等待别的程序写入）"
    elif stat.S_ISSOCK(mode):
        kind = "套接字（程序之间通信用）"
    elif stat.S_ISDIR(mode):
        kind = "文件夹"
    else:
        kind = "特殊文件"
    link = ""
    if _is_symlink(path):
        link = f"（这是指向 {readable_path(Path(os.path.realpath(path)))} 的符号链接）"
    return f"不是普通文件，是{kind}，已跳过{link}；请导入保存在磁盘上的文件"


def _reads_something(path: Path) -> bool:
    """Whether a regular file whose size reads 0 gives data all the same (a virtual file of /proc or /sys). Opened
    without waiting: a regular file never blocks, and nothing else reaches here."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        return bool(os.read(handle, 1))
    except OSError:
        return False
    finally:
        os.close(handle)


def _not_found(path: Path, max_bytes: float) -> FileResult:
    """What a path given to ingest that is neither a regular file nor a folder is: missing, or a device, a named
    pipe, a socket, a symbolic link loop or a dangling link, each said as it is (all were "路径不存在")."""
    try:
        os.lstat(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return FileResult(path, "failed", reason="路径不存在，请检查拼写")
        return FileResult(path, "failed", reason=os_reason(exc))
    return _oversized_or_unreadable(path, max_bytes) or FileResult(
        path, "failed", reason="既不是文件也不是文件夹，已跳过"
    )


_OWNER_FILE_REASON = "Word 打开文档时在旁边生成的临时文件（~$ 开头），不是文档，已跳过"
_HIDDEN_REASON = (
    "隐藏文件（文件名以“.”开头，多为系统或编辑器生成的副本），已跳过；如确是要导入的文档，请去掉开头的“.”后重新导入"
)


_NAMELESS_REASON = (
    "文件名在扩展名之前只有空格、点或看不见的字符，导入后文档编号是空白，无法按名称查找、更正或删除，已跳过；"
    "请改用包含文字的文件名后重新导入"
)


def nameless(name: str) -> bool:
    """Whether a file name shows nothing before its extension (.md, ..md,  .md, 　.md, a zero-width space): its
    id, the name, would be blank in every list and command. Refused in a folder, on its own and as a web upload."""
    stem, dot, _ = name.rpartition(".")
    return bool(dot) and is_blank(stem.strip("."))


def _nameless(path: Path) -> FileResult | None:
    return FileResult(path, "skipped", reason=_NAMELESS_REASON) if nameless(path.name) else None


_DATA_DIR_REASON = (
    "这是本程序的数据目录（ANQUAN_DATA_DIR：索引、向量模型和网页上传的原文件），其中的文件由程序生成或已在知识库中，"
    "不是要导入的文档，已跳过；请把文档放在数据目录以外的文件夹中导入"
)


def walk(
    paths: Iterable[Path], max_file_mb: float = 30, data_dir: Path | None = None
) -> Iterator[tuple[Path, FileResult | None]]:
    """Each file of _walk once, however often the paths name it (a file given twice, a folder and a file in it, a
    folder given as . and by its name): it was read twice, skipped as 与自己内容相同, and noted as two files whose
    names differ only in Unicode form."""
    seen: set[str] = set()
    for path, result in _walk(paths, max_file_mb, data_dir):
        where = os.path.abspath(path)
        if where not in seen:
            seen.add(where)
            yield path, result


def _walk(
    paths: Iterable[Path], max_file_mb: float = 30, data_dir: Path | None = None
) -> Iterator[tuple[Path, FileResult | None]]:
    """Files to ingest, sorted; symlinked folders inside the folder walked are followed, each real folder once, and
    one leading outside it (loop -> ..) is reported and not entered. Yields (path, None) for a file to consider, or
    (path, result) for one that is rejected up front (unsupported type, unreadable, over max_file_mb, a system
    file, a symbolic link leading outside the folder). A folder that is data_dir or inside it is reported and not
    entered: the program's own files (a lexical index's fingerprint.txt, the copies of web uploads) became documents
    when the folder imported held it (ANQUAN_DATA_DIR=./data, then anquan ingest .). A file named on its own is read."""
    max_bytes = max_file_mb * 2**20
    data = os.path.realpath(data_dir) if data_dir is not None else None
    for root in paths:
        if root.is_file():
            yield root, _nameless(root) or _oversized_or_unreadable(root, max_bytes)
        elif root.is_dir() and (system := _system_folder(root)):  # /proc/self, a /sys folder: made up when read
            yield root, FileResult(root, "failed", reason=system)
        elif root.is_dir() and data is not None and _within(os.path.realpath(root), data):
            yield root, FileResult(root, "skipped", reason=_DATA_DIR_REASON)
        elif root.is_dir():
            found: list[Path] = []
            visited: set[str] = set()
            unlisted: list[OSError] = []  # folders that could not be listed (path too long, no permission)
            inside = os.path.realpath(root)
            left_out: dict[Path, FileResult] = {}  # symlinked folders leading outside: reported, not entered
            for folder, dirs, files in os.walk(root, onerror=unlisted.append, followlinks=True):
                visited.add(os.path.realpath(folder))
                kept = []
                for d in sorted(dirs):
                    if d.startswith("."):
                        continue
                    target = os.path.realpath(os.path.join(folder, d))
                    if target in visited:  # a loop, or a folder already walked under another name
                        continue
                    if not _within(target, inside):  # loop -> .. would import the sibling folders
                        link = Path(folder) / d
                        left_out[link] = FileResult(link, "skipped", reason=_folder_outside(target))
                        continue
                    if system := _system_folder(Path(folder) / d):  # /sys mounted inside the folder
                        left_out[Path(folder) / d] = FileResult(Path(folder) / d, "skipped", reason=system)
                        continue
                    if data is not None and _within(target, data):  # the program's own files
                        left_out[Path(folder) / d] = FileResult(Path(folder) / d, "skipped", reason=_DATA_DIR_REASON)
                        continue
                    kept.append(d)
                dirs[:] = kept
                found.extend(Path(folder) / f for f in files)
            for exc in unlisted:
                unreadable = Path(exc.filename) if exc.filename else root
                yield (
                    unreadable,
                    FileResult(
                        unreadable, "failed", reason=f"无法打开这个文件夹，其中的文件均未导入：{os_reason(exc)}"
                    ),
                )
            for path in sorted([*found, *left_out]):
                if path in left_out:
                    yield path, left_out[path]
                    continue
                outside = links_outside(path, inside)
                if outside:
                    yield path, FileResult(path, "skipped", reason=outside)
                    continue
                if path.name.startswith("."):
                    if path.suffix.lower() in SUPPORTED_SUFFIXES:  # named like a document: say why it is left out
                        yield path, FileResult(path, "skipped", reason=_HIDDEN_REASON)
                    continue  # .DS_Store and the like are no documents
                if path.name.startswith("~$"):  # Word's owner file beside an open document: no document
                    if path.suffix.lower() in SUPPORTED_SUFFIXES:
                        yield path, FileResult(path, "skipped", reason=_OWNER_FILE_REASON)
                    continue
                if path.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield path, _nameless(path) or _oversized_or_unreadable(path, max_bytes)
                else:
                    yield (
                        path,
                        FileResult(path, "skipped", reason=_skipped_type(path)),
                    )
        else:
            yield root, _not_found(root, max_bytes)


def _skipped_type(path: Path) -> str:
    reason = unsupported_type(path)
    if reason.startswith("不支持的文件类型"):
        return f"不支持的文件类型“{path.suffix or '无扩展名'}”，已跳过（支持：{'、'.join(SUPPORTED_SUFFIXES)}）"
    return f"已跳过：{reason}"


def links_outside(path: Path, folder: str) -> str:
    """Why a file found in a folder is left out when it is a symbolic link to a file outside that folder (a link in
    an unpacked archive put /etc/passwd into the knowledge base, readable in the web page), else ""."""
    if not _is_symlink(path):
        return ""
    target = os.path.realpath(path)
    if _within(target, folder):
        return ""
    return (
        f"这是一个符号链接，指向所导入文件夹之外的文件（{readable_path(Path(target))}），已跳过："
        "导入的内容只取自所选文件夹；如确需导入该文件，请直接指定它导入"
    )


def _folder_outside(target: str) -> str:
    """Why a symbolic link to a folder outside the folder being imported is not entered, in Chinese."""
    return (
        f"这是一个符号链接，指向所导入文件夹之外的文件夹（{readable_path(Path(target))}），其中的文件均未导入："
        "导入的内容只取自所选文件夹；如确需导入该文件夹，请直接指定它导入"
    )


def _within(target: str, folder: str) -> bool:
    """Whether the real path target is folder or lies under it (both real paths)."""
    try:
        return os.path.commonpath([target, folder]) == folder
    except ValueError:  # different drives (Windows)
        return False


def _is_symlink(path: Path) -> bool:
    try:
        return path.is_symlink()
    except OSError:
        return False


class StampCache:
    """This machine's record of the files it read: source path -> (file_stamp, content hash), so an
    untouched file is not read and hashed again. Local, like the paths (with a Chroma server too)."""

    def __init__(self, path: Path):
        self.path = path
        try:
            read = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            read = {}
        # only entries of the shape written (a cache: one damaged or edited into another shape, a list, is read as
        # empty and rewritten; it aborted the ingest)
        self.entries: dict[str, list[str]] = {
            source: entry
            for source, entry in (read.items() if isinstance(read, dict) else ())
            if isinstance(entry, list) and len(entry) == 2 and all(isinstance(part, str) for part in entry)
        }
        self._changed = False

    def hash_of(self, source: str, stamp: str) -> str | None:
        entry = self.entries.get(source)
        return entry[1] if stamp and entry and entry[0] == stamp else None

    def remember(self, source: str, stamp: str, doc_hash: str) -> None:
        if stamp:
            self.entries[source] = [stamp, doc_hash]
        else:
            self.entries.pop(source, None)
        self._changed = True

    def save(self) -> None:
        if self._changed:
            write_json(self.path, self.entries)
            self._changed = False
