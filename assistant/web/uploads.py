"""Upload safety: what may be uploaded (count, size, type, from Settings) and where it is kept.

Every accepted file is kept in <data dir>/uploads under a sanitised name (no directories, no
path traversal, no control or reserved characters); nothing is written anywhere else but a staging
folder beside it. The name is kept as close to the original as possible because the document id and the
version date come from it (青山市危险作业安全管理条例(2024-05-01).md).

A new upload is staged first and put in place by ingest_uploads only for its ingest: when the ingest
of it fails (or is skipped), the file it replaced comes back, so uploads/ always holds the text the index
was built from; a re-upload that fails never destroys the original."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from ingest.encoding import has_control_chars, name_reading, readable_name, readable_path
from ingest.loaders import SUPPORTED_SUFFIXES, typed_in_full_width
from ingest.report import IngestReport
from ingest.settings import Settings
from ingest.walk import nameless

_RESERVED = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_MAX_NAME = 120  # characters, before the suffix
# names Windows keeps for its devices, whatever the extension (CON.txt, nul.docx, "aux .md"): a file kept under one
# cannot be opened, copied or backed up there, nor the data directory moved to a Windows machine; a superscript digit
# counts as a digit (COM¹)
_DEVICE = re.compile(r"(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|(COM|LPT)[0-9¹²³])", re.I)
_KEPT = ("added", "updated", "unchanged")  # ingest results after which the new upload is kept
_STALE_STAGING_S = 24 * 3600  # staging folders an interrupted upload left are removed after this


class UploadError(ValueError):
    """An upload refused as a whole (too many files, nothing given)."""


@dataclass
class Rejected:
    name: str
    reason: str


@dataclass
class Accepted:
    name: str
    path: Path  # where the file is kept (uploads/<name>) once ingest_uploads has put it there
    staged: Path  # the upload until then


@dataclass
class UploadBatch:
    staging: Path  # this batch's staging folder
    accepted: list[Accepted] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def allowed_suffixes(settings: Settings) -> list[str]:
    """The configured suffixes that the ingest pipeline can actually read."""
    wanted = [s.strip().lower() for s in settings.upload_types.split(",") if s.strip()]
    wanted = [s if s.startswith(".") else f".{s}" for s in wanted]
    return [s for s in wanted if s in SUPPORTED_SUFFIXES]


def uploads_dir(settings: Settings) -> Path:
    folder = (settings.data_dir / "uploads").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sanitise_name(name: str) -> str:
    """A safe file name from a user-supplied one: the last path component only, NFC, no reserved or
    control characters, no leading dots or spaces, no trailing dots or spaces (Windows drops them), no device name
    (_DEVICE), bounded length. Empty when nothing usable is left."""
    name = unicodedata.normalize("NFC", _as_sent(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    # a bidirectional control (通知\u202egpj.exe.md) as well: the import records a name holding one as written
    # escaped, which is not the file's, and the upload of 通知\u202e….md was removed from uploads/ while indexed
    name = "".join("_" if has_control_chars(c) else c for c in name)
    name = _RESERVED.sub("_", name).strip().lstrip(".").strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = _bounded_stem(stem.strip(" ._")[:_MAX_NAME])
    if not stem or set(stem) <= {"_"}:
        return ""
    device, dot, rest = stem.partition(".")
    if _DEVICE.fullmatch(device.rstrip(" ")):
        stem = f"{device.rstrip(' ')}_{dot}{rest}"  # CON.md -> CON_.md, Con.tar.md -> Con_.tar.md
    return f"{stem}.{suffix.lower()}" if suffix else stem


def _as_sent(name: str) -> str:
    """The name as its sender wrote it: a name that was not UTF-8 (GBK from curl in a Chinese Windows console, an
    old browser) reaches the server read byte for byte as Latin-1 (青山市条例.md became ÇàÉ½ÊÐÌõÀý.md, the document
    named so); its bytes are read again as the command line reads such a name (ingest.encoding.name_reading), kept
    as received when they read as no Chinese or Japanese text (café.md)."""
    if name.isascii() or max(name) > "\xff":
        return name
    text, encoding = name_reading(os.fsdecode(name.encode("latin-1")))
    return text if encoding not in (None, "UTF-8") else name


# A name's bytes a file system takes (ext4, XFS and most others: 255 bytes of UTF-8), less room for the extension:
# 120 Chinese characters are 360 bytes, and the copy of an upload named with 86 of them failed with "File name too
# long", taking the whole upload with it.
_MAX_STEM_BYTES = 200
_TRAILING_DATE = re.compile(r"[(（]\d{4}-\d{2}-\d{2}[)）]$")


def _bounded_stem(stem: str) -> str:
    """The stem within _MAX_STEM_BYTES of UTF-8, cut at a character and marked with …; the version date at its end
    (…条例(2024-05-01)) is kept, since the document's date is read from it."""
    if len(stem.encode("utf-8", "surrogatepass")) <= _MAX_STEM_BYTES:
        return stem
    date = _TRAILING_DATE.search(stem)
    tail = "…" + (date.group() if date else "")
    room = _MAX_STEM_BYTES - len(tail.encode("utf-8"))
    head = stem[: len(stem) - len(date.group())] if date else stem
    head = head.encode("utf-8", "surrogatepass")[:room].decode("utf-8", "ignore")  # a character cut in two is dropped
    return head.rstrip(" ._") + tail


def check_batch(files: list[tuple[str, int]], settings: Settings) -> None:
    """Refuse the whole upload when it holds no file or more files than allowed."""
    if not files:
        raise UploadError("没有选择文件：请先选择要导入的文件（可一次选择多个）。")
    if len(files) > settings.upload_max_files:
        raise UploadError(f"一次最多上传 {settings.upload_max_files} 个文件，本次选择了 {len(files)} 个；请分批上传。")


def staging_root(settings: Settings) -> Path:
    return settings.data_dir / "upload-staging"


def accept_uploads(
    paths: Sequence[str | Path], settings: Settings, original_names: list[str] | None = None
) -> UploadBatch:
    """Check each uploaded temporary file and stage a copy of each acceptable one; ingest_uploads puts them
    in the uploads folder. Nothing in the uploads folder changes here."""
    sources = [Path(p) for p in paths]
    names = original_names or [p.name for p in sources]
    check_batch([(n, _size(p)) for n, p in zip(names, sources, strict=True)], settings)
    allowed = allowed_suffixes(settings)
    limit = int(settings.upload_max_mb * 1024 * 1024)
    target_dir = uploads_dir(settings)
    _remove_stale_staging(settings)
    batch = UploadBatch(staging=staging_root(settings) / uuid.uuid4().hex)
    used: set[str] = set()
    for name, source in zip(names, sources, strict=True):
        shown = readable_name(_as_sent(Path(str(name).replace("\\", "/")).name or str(name)))  # controls escaped
        safe = sanitise_name(str(name))
        suffix = Path(safe).suffix.lower()
        sent = Path(str(name).replace("\\", "/")).name
        if not safe or nameless(sent):  # nothing to see before its extension (....md, 　.md)
            batch.rejected.append(Rejected(shown, "文件名无效：请改用包含文字的文件名后重新上传。"))
        elif suffix not in allowed and (typed := typed_in_full_width(sent)):
            batch.rejected.append(
                Rejected(shown, f"扩展名是用全角字符或中文句号写的，无法识别文件类型：请改名为“{typed}”后重新上传。")
            )
        elif suffix not in allowed:
            batch.rejected.append(
                Rejected(shown, f"不支持的文件类型“{suffix or '无扩展名'}”：只能上传 {'、'.join(allowed)} 文件。")
            )
        elif not source.is_file():  # read and removed by an import before (导入 clicked twice), or expired
            batch.rejected.append(Rejected(shown, "上传的文件已被导入或已过期，没有再次处理：请重新选择文件后上传。"))
        elif (size := _size(source)) > limit:
            batch.rejected.append(
                Rejected(
                    shown, f"文件过大（{size / 1024 / 1024:.1f} MB）：每个文件不能超过 {settings.upload_max_mb:g} MB。"
                )
            )
        elif size == 0:
            batch.rejected.append(Rejected(shown, "文件是空的：请检查后重新上传。"))
        elif safe in used:
            batch.rejected.append(Rejected(shown, "本次上传中有同名文件，已跳过；如是不同文件请改名。"))
        else:
            target = (target_dir / safe).resolve()
            if target.parent != target_dir:  # defence in depth: sanitise_name leaves no separators
                batch.rejected.append(Rejected(shown, "文件名无效：不能包含路径。"))
                continue
            batch.staging.mkdir(parents=True, exist_ok=True)
            staged = batch.staging / safe
            shutil.copyfile(source, staged)
            used.add(safe)
            batch.accepted.append(Accepted(safe, target, staged))
    return batch


def ingest_uploads(
    batch: UploadBatch, run: Callable[[list[Path]], IngestReport], lock: AbstractContextManager | None = None
) -> IngestReport:
    """Put the batch's staged files in the uploads folder and ingest them with run. A file whose ingest did
    not succeed (failed or skipped) is taken out again and the file it replaced, if any, put back: the
    index still holds that one's text. The same for every file when run raises.

    Moving in, ingesting and putting back are one critical section under lock (the web's write lock): two
    uploads of one name at once must not swap each other's file in uploads/ while the other is ingested, or
    a user is told 更新 for a content that was never indexed."""
    with lock if lock is not None else nullcontext():
        return _ingest_uploads(batch, run)


def _ingest_uploads(batch: UploadBatch, run: Callable[[list[Path]], IngestReport]) -> IngestReport:
    previous: list[tuple[Accepted, Path | None]] = []
    report: IngestReport | None = None
    # what this process moves into uploads/, written first: a process killed before it put back what did not stay
    # leaves this behind for the next batch to finish (_recover)
    batch.staging.mkdir(parents=True, exist_ok=True)
    journal = {"pid": os.getpid(), "names": [item.name for item in batch.accepted]}
    (batch.staging / _JOURNAL).write_text(json.dumps(journal, ensure_ascii=False), encoding="utf-8")
    try:
        for item in batch.accepted:
            kept = None
            if item.path.exists():
                kept = item.staged.with_name(f"{item.staged.name}.previous")
                os.replace(item.path, kept)
            previous.append((item, kept))
            os.replace(item.staged, item.path)
        report = run([item.path for item in batch.accepted])
    finally:
        outcome = {} if report is None else {_key(r.path): r.status for r in report.results}
        for item, kept in previous:
            # the report names a file as it can be shown (readable_path): matched the same way, never by chance
            if outcome.get(_key(readable_path(item.path))) in _KEPT or outcome.get(_key(item.path)) in _KEPT:
                continue
            if kept is not None:
                os.replace(kept, item.path)
            else:
                item.path.unlink(missing_ok=True)
        shutil.rmtree(batch.staging, ignore_errors=True)
    return report


def _key(path: Path) -> str:
    try:
        return str(Path(path).resolve())
    except OSError:
        return str(path)


def recover_interrupted(settings: Settings, indexed: Callable[[Path], bool]) -> None:
    """Finish the batches a process killed during their ingest left (call under the lock ingest_uploads takes):
    indexed tells whether the index holds a file of the uploads folder as it is."""
    _remove_stale_staging(settings, indexed)


def _remove_stale_staging(settings: Settings, indexed: Callable[[Path], bool] | None = None) -> None:
    """Finish what an interrupted upload left in staging (its process killed during the ingest, or long ago): a file
    it moved into the uploads folder that the index does not hold as it is (indexed) is taken out again and the
    original it had moved aside put back, as the ingest would have done; then its staging folder is removed."""
    root = staging_root(settings)
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        try:
            journal = _journal(folder)
            if journal is not None and not _alive(journal.get("pid")) and indexed is not None:
                _recover(folder, journal.get("names", []), settings, indexed)
            elif now - folder.stat().st_mtime > _STALE_STAGING_S:
                for kept in folder.glob("*.previous"):
                    target = uploads_dir(settings) / kept.name.removesuffix(".previous")
                    if not target.exists():
                        os.replace(kept, target)
            else:
                continue
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


_JOURNAL = "moved-in.json"  # in a batch's staging folder: its process and the names it moves into uploads/


def _journal(folder: Path) -> dict | None:
    try:
        value = json.loads((folder / _JOURNAL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _alive(pid: object) -> bool:
    """Whether the process that wrote a journal still runs (then its batch is not interrupted)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: running
    return True


def _recover(folder: Path, names: list, settings: Settings, indexed: Callable[[Path], bool]) -> None:
    """Each file an interrupted batch moved into uploads/: kept when the index holds it as it is, else taken out
    and the original it replaced (folder/<name>.previous) put back."""
    target_dir = uploads_dir(settings)
    for name in names:
        if not isinstance(name, str) or sanitise_name(name) != name:
            continue  # not a name this module wrote
        path, kept = target_dir / name, folder / f"{name}.previous"
        if path.is_file() and indexed(path):
            continue
        if kept.exists():
            os.replace(kept, path)
        else:
            path.unlink(missing_ok=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# --- Gradio's copies of uploaded files ------------------------------------------------------------------------
# Every file a browser (or a script) posts to /gradio_api/upload is first stored by Gradio in its temporary folder
# (GRADIO_TEMP_DIR, else /tmp/gradio), whether or not it is ever imported. Three bounds keep that folder small:
# the copy is removed as soon as the import (or the self-check) has read it; copies never used are removed by
# Gradio after UPLOAD_MAX_AGE_S (Blocks.delete_cache, app.py); and the total kept at once is limited (UploadQuota).

UPLOAD_SWEEP_S = 600  # how often Gradio looks for old copies
UPLOAD_MAX_AGE_S = 3600  # a copy picked but not imported within this time is removed
UPLOAD_AREA_MIN_MB = 100  # the total the copies may hold at once is never set below this


def upload_file_limit_bytes(settings: Settings) -> int:
    """Gradio's max_file_size: twice the per-file limit, so that a file somewhat too large still reaches
    accept_uploads and is refused with the reason in Chinese, while a much larger one is never stored."""
    return max(int(settings.upload_max_mb * 2 * 1024 * 1024), 10 * 1024)


def upload_area_limit_bytes(settings: Settings) -> int:
    """The most Gradio's copies of uploads may hold at once: two full uploads (count × size), at least
    UPLOAD_AREA_MIN_MB."""
    return int(max(2 * settings.upload_max_files * settings.upload_max_mb, UPLOAD_AREA_MIN_MB) * 1024 * 1024)


def upload_area() -> Path:
    """Gradio's folder for uploaded files."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder()).resolve()


def discard_temporary(paths: Sequence[str | Path | None]) -> int:
    """Remove Gradio's copies of uploaded files once read (the import has its own copy); paths outside Gradio's
    upload folder are never touched. Returns how many were removed."""
    area = upload_area()
    removed = 0
    for given in paths:
        if not given:
            continue
        try:
            path = Path(given).resolve()
            if area not in path.parents or not path.is_file():
                continue
            path.unlink()
            removed += 1
            if path.parent != area:
                path.parent.rmdir()  # Gradio keeps each upload in a folder of its own; not when others are in it
        except OSError:
            continue
    return removed


class UploadQuota:
    """ASGI middleware: refuses an upload to /gradio_api/upload (HTTP 413, in Chinese) when Gradio's copies of
    this app's uploads, with the uploads under way, would exceed limit bytes."""

    def __init__(self, app, blocks, limit: int, per_request: int):
        self.app = app
        self.blocks = blocks  # gr.Blocks: its upload_file_set names the copies Gradio made for this app
        self.limit = limit
        self.per_request = per_request  # counted for an upload that declares no length
        self.under_way = 0

    def stored(self) -> int:
        total = 0
        for name in list(getattr(self.blocks, "upload_file_set", ())):
            try:
                total += os.stat(name).st_size
            except OSError:
                continue  # imported and removed, or swept
        return total

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http" or scope.get("method") != "POST" or not scope["path"].endswith("/upload"):
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        declared = int(length) if length.isdigit() else self.per_request
        if self.stored() + self.under_way + declared > self.limit:
            from starlette.responses import PlainTextResponse

            refused = PlainTextResponse(
                f"网页上传的临时文件已达上限（{self.limit / 1024 / 1024:.0f} MB），本次上传未接收：请先导入已选的文件"
                f"或清除不用的文件，稍后再试（选了但未导入的文件 {UPLOAD_MAX_AGE_S // 60} 分钟后自动删除）。",
                status_code=413,
            )
            return await refused(scope, receive, send)
        self.under_way += declared  # one event loop: no lock needed between the check and this
        try:
            return await self.app(scope, receive, send)
        finally:
            self.under_way -= declared
