"""One loader per file type; each turns a file into text, keeping headings as Markdown '#' lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.errors import EmptyDocument, UnreadableFile, UnsupportedFileType
from ingest.loaders.docx import load_docx
from ingest.loaders.html import load_html
from ingest.loaders.pdf import load_pdf
from ingest.loaders.text import load_text

LOADERS: dict[str, Callable[[Path], str]] = {
    ".md": load_text,
    ".markdown": load_text,
    ".txt": load_text,
    ".docx": load_docx,
    ".pdf": load_pdf,
    ".html": load_html,
    ".htm": load_html,
}

SUPPORTED_SUFFIXES = tuple(LOADERS)


def load_file(path: Path) -> str:
    """Read one file into text; raise an IngestError naming the file and the reason."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnsupportedFileType(
            path, f"不支持的文件类型“{path.suffix or '无扩展名'}”，支持：{'、'.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        text = loader(path)
    except (FileNotFoundError, IsADirectoryError):
        raise UnreadableFile(path, "文件不存在或在导入过程中被移走") from None
    except PermissionError:
        raise UnreadableFile(path, "没有读取权限") from None
    if not text.strip():
        raise EmptyDocument(path, "文件中没有可入库的文字内容")
    return text
