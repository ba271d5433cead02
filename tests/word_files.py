"""Word files written for the hidden-text tests: python-docx's template (its styles and theme), its parts read once,
with a body of WordprocessingML written in (no module of the assistant imported, and no document opened and saved
per file, so the tests that use them start at once)."""

from __future__ import annotations

import functools
import io
import zipfile
from pathlib import Path

import docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
VISIBLE = "第一条 各单位应当落实安全生产主体责任。"


@functools.cache
def _template() -> dict[str, bytes]:
    saved = io.BytesIO()
    docx.Document().save(saved)
    with zipfile.ZipFile(saved) as package:
        return {name: package.read(name) for name in package.namelist()}


def word_file(path: Path, body: str, styles: str = "", page_colour: str | None = None) -> Path:
    """A Word file (python-docx's template: its styles and theme) whose body is `body` (WordprocessingML, the w:
    prefix undeclared), with `styles` added to the template's styles and, given a colour, a page background."""
    parts = dict(_template())
    document = parts["word/document.xml"].decode("utf-8")
    background = f'<w:background w:color="{page_colour}"/>' if page_colour else ""
    document = document.replace("<w:body>", f"{background}<w:body>{body}", 1)
    parts["word/document.xml"] = document.encode("utf-8")
    parts["word/styles.xml"] = parts["word/styles.xml"].replace(b"</w:styles>", f"{styles}</w:styles>".encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def para(text: str, run: str = "", paragraph: str = "") -> str:
    """One paragraph of one run; run and paragraph are the children of its w:rPr and w:pPr."""
    ppr = f"<w:pPr>{paragraph}</w:pPr>" if paragraph else ""
    rpr = f"<w:rPr>{run}</w:rPr>" if run else ""
    return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def style(kind: str, style_id: str, run: str = "", based_on: str | None = None, more: str = "") -> str:
    parent = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    rpr = f"<w:rPr>{run}</w:rPr>" if run else ""
    return f'<w:style w:type="{kind}" w:styleId="{style_id}"><w:name w:val="{style_id}"/>{parent}{more}{rpr}</w:style>'


def cell(content: str, properties: str = "") -> str:
    return f"<w:tc>{f'<w:tcPr>{properties}</w:tcPr>' if properties else ''}{content}</w:tc>"


def table(rows: str, properties: str = "") -> str:
    return f"<w:tbl>{f'<w:tblPr>{properties}</w:tblPr>' if properties else ''}{rows}</w:tbl>"
