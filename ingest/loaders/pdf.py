"""PDF files via pypdf (text layer only; scanned images have none)."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from ingest.errors import UnreadableFile


def load_pdf(path: Path) -> str:
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile(path, "PDF 已加密，请先解除密码保护后再导入")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableFile:
        raise
    except FileNotDecryptedError:
        raise UnreadableFile(path, "PDF 已加密，请先解除密码保护后再导入") from None
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise  # load_file says what happened to the file
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise UnreadableFile(path, "PDF 文件已损坏或不完整，无法解析；请用 PDF 阅读器打开确认，或重新导出后再导入") from None
    text = "\n".join(pages)
    if not text.strip():
        raise UnreadableFile(path, "PDF 中没有文字层（可能是扫描件），请先做文字识别（OCR）后再导入")
    return text
