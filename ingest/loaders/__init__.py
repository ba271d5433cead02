"""One loader per file type; each turns a file into text, keeping headings as Markdown '#' lines."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from ingest.errors import EmptyDocument, IngestError, UnreadableFile, UnsupportedFileType, collecting_warnings
from ingest.loaders.docx import load_docx
from ingest.loaders.html import load_html
from ingest.loaders.limits import LoadLimits
from ingest.loaders.pdf import load_pdf
from ingest.loaders.text import load_text

_log = logging.getLogger(__name__)

LOADERS: dict[str, Callable[[Path, LoadLimits], str]] = {
    ".md": lambda path, limits: load_text(path),
    ".markdown": lambda path, limits: load_text(path),
    ".txt": lambda path, limits: load_text(path),
    ".docx": load_docx,
    ".pdf": load_pdf,
    ".html": lambda path, limits: load_html(path),
    ".htm": lambda path, limits: load_html(path),
}

SUPPORTED_SUFFIXES = tuple(LOADERS)
UNREADABLE = "文件内容无法解析，可能已损坏或格式与扩展名不符；请用原程序打开确认，另存一份后再导入"


def load_file(path: Path, limits: LoadLimits | None = None, warnings: list[str] | None = None) -> str:
    """Read one file into text; raise an IngestError naming the file and the reason, whatever goes wrong
    inside the loader. What the loader notes for the user to check is appended to warnings."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnsupportedFileType(
            path, f"不支持的文件类型“{path.suffix or '无扩展名'}”，支持：{'、'.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        with collecting_warnings(warnings if warnings is not None else []):
            text = loader(path, limits or LoadLimits())
    except IngestError:
        raise
    except (FileNotFoundError, IsADirectoryError):
        raise UnreadableFile(path, "文件不存在或在导入过程中被移走") from None
    except PermissionError:
        raise UnreadableFile(path, "没有读取权限") from None
    except MemoryError:
        raise UnreadableFile(path, "文件内容过于庞大，读取时内存不足；请拆分成多个文件后再导入") from None
    except Exception as exc:  # noqa: BLE001 - the last resort: a parser's own error becomes this file's failure
        _log.debug("loading %s", path, exc_info=True)
        raise UnreadableFile(path, UNREADABLE) from exc
    if not text.strip():
        raise EmptyDocument(path, "文件中没有可入库的文字内容")
    return text
