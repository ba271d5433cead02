"""Upload safety: what may be uploaded (count, size, type, from Settings) and where it is kept.

Every accepted file is copied into <data dir>/uploads under a sanitised name (no directories, no
path traversal, no control or reserved characters); nothing is written anywhere else. The name is
kept as close to the original as possible because the document id and the version date come from it
(青山市危险作业安全管理条例(2024-05-01).md)."""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from assistant.settings import Settings
from ingest.loaders import SUPPORTED_SUFFIXES

_RESERVED = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_MAX_NAME = 120  # characters, before the suffix


class UploadError(ValueError):
    """An upload refused as a whole (too many files, nothing given)."""


@dataclass
class Rejected:
    name: str
    reason: str


@dataclass
class Accepted:
    name: str
    path: Path


@dataclass
class UploadBatch:
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
    control characters, no leading dots or spaces, bounded length. Empty when nothing usable is left."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _RESERVED.sub("_", name).strip().lstrip(".").strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem.strip(" ._")[:_MAX_NAME]
    if not stem or set(stem) <= {"_"}:
        return ""
    return f"{stem}.{suffix.lower()}" if suffix else stem


def check_batch(files: list[tuple[str, int]], settings: Settings) -> None:
    """Refuse the whole upload when it holds no file or more files than allowed."""
    if not files:
        raise UploadError("没有选择文件：请先选择要导入的文件（可一次选择多个）。")
    if len(files) > settings.upload_max_files:
        raise UploadError(f"一次最多上传 {settings.upload_max_files} 个文件，本次选择了 {len(files)} 个；"
                          f"请分批上传。")


def accept_uploads(paths: list[str | Path], settings: Settings, original_names: list[str] | None = None) -> UploadBatch:
    """Check each uploaded temporary file and copy the acceptable ones into the uploads folder."""
    sources = [Path(p) for p in paths]
    names = original_names or [p.name for p in sources]
    check_batch([(n, _size(p)) for n, p in zip(names, sources, strict=True)], settings)
    allowed = allowed_suffixes(settings)
    limit = int(settings.upload_max_mb * 1024 * 1024)
    target_dir = uploads_dir(settings)
    batch = UploadBatch()
    used: set[str] = set()
    for name, source in zip(names, sources, strict=True):
        shown = Path(str(name).replace("\\", "/")).name or str(name)
        safe = sanitise_name(str(name))
        suffix = Path(safe).suffix.lower()
        if not safe:
            batch.rejected.append(Rejected(shown, "文件名无效：请改用包含文字的文件名后重新上传。"))
        elif suffix not in allowed:
            batch.rejected.append(Rejected(shown, f"不支持的文件类型“{suffix or '无扩展名'}”：只能上传 "
                                                  f"{'、'.join(allowed)} 文件。"))
        elif (size := _size(source)) > limit:
            batch.rejected.append(Rejected(shown, f"文件过大（{size / 1024 / 1024:.1f} MB）：每个文件不能超过 "
                                                  f"{settings.upload_max_mb:g} MB。"))
        elif size == 0:
            batch.rejected.append(Rejected(shown, "文件是空的：请检查后重新上传。"))
        elif safe in used:
            batch.rejected.append(Rejected(shown, "本次上传中有同名文件，已跳过；如是不同文件请改名。"))
        else:
            target = (target_dir / safe).resolve()
            if target.parent != target_dir:  # defence in depth: sanitise_name leaves no separators
                batch.rejected.append(Rejected(shown, "文件名无效：不能包含路径。"))
                continue
            shutil.copyfile(source, target)
            used.add(safe)
            batch.accepted.append(Accepted(safe, target))
    return batch


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
