"""Word (.docx) files via python-docx; heading styles become Markdown headings."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
from lxml import etree  # type: ignore[import-untyped]  # python-docx depends on lxml; no stubs here

from ingest.errors import UnreadableFile
from ingest.loaders.limits import LoadLimits, check_zip

# Compound-file container: .doc files, and .docx files saved with an open password (encrypted)
_OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
_HEADING_LEVEL = re.compile(r"(?:Heading|标题)\s*(\d)", re.IGNORECASE)


def _heading_level(style_name: str) -> int | None:
    if style_name in ("Title", "标题"):
        return 1
    match = _HEADING_LEVEL.search(style_name)
    return int(match.group(1)) if match else None


_DAMAGED = (
    "Word 文档内部的内容已损坏（XML 格式错误或缺少部件），无法解析；请在 Word 中打开，如能打开请另存为 .docx 后再导入"
)


def load_docx(path: Path, limits: LoadLimits | None = None) -> str:
    check_zip(path, limits or LoadLimits())  # a zip bomb is refused before python-docx unpacks anything
    try:
        document = docx.Document(str(path))
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise  # load_file says what happened to the file
    except Exception as exc:  # noqa: BLE001 - python-docx raises what its zip and XML layers raise
        if not path.exists():
            raise FileNotFoundError(path) from None  # gone since the walk: reported as such by load_file
        with open(path, "rb") as handle:
            if handle.read(8) == _OLE_SIGNATURE:
                raise UnreadableFile(
                    path,
                    "这是旧版 Word 文档（.doc）或设置了打开密码的文档：请在 Word 中去掉密码、另存为 .docx 后再导入",
                ) from None
        if not zipfile.is_zipfile(path):
            raise UnreadableFile(
                path,
                "不是有效的 Word 文档（.docx），文件可能已损坏或被截断；如是旧版 .doc 文件，"
                "请用 Word 另存为 .docx 后再导入",
            ) from None
        if not _has_word_body(path):
            raise UnreadableFile(
                path,
                "不是 Word 文档：文件是压缩包，但其中没有 Word 正文（可能是改了扩展名的 .zip "
                "或 Excel 文件）；请确认文件类型后重新导入",
            ) from None
        raise UnreadableFile(path, _DAMAGED) from exc
    try:
        return _document_text(document)
    except Exception as exc:  # noqa: BLE001 - a part python-docx reads lazily (a table, a style) is malformed
        raise UnreadableFile(path, _DAMAGED) from exc


def _has_word_body(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as package:
            return any(name.lower().startswith("word/document") for name in package.namelist())
    except Exception:  # noqa: BLE001 - a central directory zipfile cannot read
        return True


def _document_text(document) -> str:
    # style id -> name, read once: paragraph.style looks the default style up anew for every paragraph,
    # which makes a document of many small paragraphs take minutes
    style_names = {style.style_id: style.name for style in document.styles}
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            for row in block.rows:
                cells = [cell.text.strip() for cell in row.cells]
                lines.append(" | ".join(c for c in cells if c))
            continue
        text = _shown_text(block).strip()
        if not text:
            continue
        style_id = block._p.style
        level = _heading_level(style_names.get(style_id, "") if style_id else "")
        lines.append(f"{'#' * level} {text}" if level else text)
    return "\n\n".join(lines)


# runs marked hidden (w:vanish, unless switched off): Word does not show or print them
_VANISH = './/w:r/w:rPr/w:vanish[not(@w:val) or (@w:val!="0" and @w:val!="false" and @w:val!="off")]'
_SHOWN_TEXT = (
    './/w:r[not(w:rPr/w:vanish[not(@w:val) or (@w:val!="0" and @w:val!="false" and @w:val!="off")])]'
    "/*[self::w:t or self::w:tab or self::w:br or self::w:cr]"
)


# compiled once: python-docx's element.xpath compiles its expression on every call, which made a 14 KB file of
# 200,000 empty paragraphs take minutes to read
_NAMESPACES = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
_VANISH_XPATH = etree.XPath(_VANISH, namespaces=_NAMESPACES)
_SHOWN_TEXT_XPATH = etree.XPath(_SHOWN_TEXT, namespaces=_NAMESPACES)
_RUN = f"{{{_NAMESPACES['w']}}}r"


def _shown_text(paragraph) -> str:
    """The paragraph's text as Word shows it: without hidden runs (text no reader sees is no part of the document;
    hidden instructions became the answer's only basis)."""
    element = paragraph._p
    if next(element.iter(_RUN), None) is None:
        return ""  # no run: nothing to show (an empty paragraph costs no XPath)
    if not _VANISH_XPATH(element):
        return paragraph.text
    parts = []
    for node in _SHOWN_TEXT_XPATH(element):
        tag = node.tag.rsplit("}", 1)[-1]
        parts.append(node.text or "" if tag == "t" else "\t" if tag == "tab" else "\n")
    return "".join(parts)
