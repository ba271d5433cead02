"""A drafted plan as a Word document, ready to edit: real heading styles (Heading 1/2/3, shown as 标题 1/2/3
in a Chinese Word), explicitly numbered items, the 依据 list (articles of law) and the 参考 list (local plans
and reports) at the end, and the layout of Chinese official documents (GB/T 9704: title in 小标宋/宋体,
level-one headings in 黑体, level-two in 楷体, body in 仿宋, 三号 size; page numbers “— 1 —” in 4号宋体,
centred in the footer)."""

from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from assistant.citations import MARKER
from assistant.draft.model import BASIS_HEADING, REFERENCE_HEADING, REFERENCE_NOTE, PlanDraft
from assistant.draft.period import date_range

BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
PAGE_DASH = "—"  # 一字线 either side of the page number
LINE = Pt(28)  # fixed line spacing of official documents
FONTS = {  # style -> (east-Asian font, bold, size)
    "Normal": ("仿宋", False, BODY_SIZE),
    "Title": ("宋体", True, TITLE_SIZE),
    "Heading 1": ("黑体", False, BODY_SIZE),
    "Heading 2": ("楷体", False, BODY_SIZE),
    "Heading 3": ("仿宋", True, BODY_SIZE),
}
_CITE = re.compile(rf"({MARKER})")  # split keeping the markers


def _font(style, east_asian: str, bold: bool, size) -> None:
    style.font.name = "Times New Roman"
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):  # a theme font overrides a named one
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:ascii"), "Times New Roman")
    fonts.set(qn("w:hAnsi"), "Times New Roman")


def _styles(document) -> None:
    for name, (east_asian, bold, size) in FONTS.items():
        style = document.styles[name]
        _font(style, east_asian, bold, size)
        fmt = style.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE if name != "Title" else Pt(36)
        fmt.space_before = Pt(0) if name in ("Normal", "Title") else Pt(6)
        fmt.space_after = Pt(0) if name != "Title" else Pt(12)
    document.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # the Title style of the default template draws a border line under the title: not in official documents
    border = document.styles["Title"].element.find(qn("w:pPr"))
    if border is not None and border.find(qn("w:pBdr")) is not None:
        border.remove(border.find(qn("w:pBdr")))


def _text(paragraph, text: str, superscript: bool) -> None:
    """Text with its [n] citations as superscript runs."""
    for part in _CITE.split(text) if superscript else [text]:
        if part:
            run = paragraph.add_run(part)
            run.font.superscript = bool(_CITE.fullmatch(part)) and superscript


def _body(document, text: str, indent: bool = True, superscript: bool = True):
    paragraph = document.add_paragraph(style="Normal")
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
    _text(paragraph, text, superscript)
    return paragraph


def _page_run(paragraph, text: str = ""):
    run = paragraph.add_run(text)
    run.font.size = PAGE_NUMBER_SIZE
    run.font.name = "宋体"
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    return run


def _page_numbers(section) -> None:
    """公文 page numbers: “— n —” centred in the footer, n a PAGE field that Word fills in on every page."""
    footer = section.footer
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_run(paragraph, f"{PAGE_DASH} ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = _page_run(paragraph)
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run.element.append(char)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run.element.append(instruction)
        else:
            run.text = text  # shown until the field is updated
    _page_run(paragraph, f" {PAGE_DASH}")


def write_plan_docx(draft: PlanDraft, path: str | Path) -> Path:
    path = Path(path)
    document = docx.Document()
    section = document.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = (
        Mm(37),
        Mm(35),
        Mm(28),
        Mm(26),
    )
    _styles(document)
    _page_numbers(section)
    document.core_properties.title = draft.title[:255]  # Word's limit for a document property
    document.core_properties.subject = "安全生产工作计划（草稿）"
    document.add_paragraph(draft.title, style="Title")
    if draft.period is not None:
        line = document.add_paragraph(f"（{date_range(draft.period.start, draft.period.end)}）", style="Normal")
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in draft.walk():
        document.add_heading(part.heading, level=min(part.level, 3))
        for paragraph in part.paragraphs:
            _body(document, paragraph)
        for n, item in enumerate(part.items, start=1):
            _body(document, f"{n}．{item.text}")
    document.add_heading(BASIS_HEADING, level=1)
    for source in draft.basis_sources:
        _body(document, source.line(), indent=False, superscript=False)
    if draft.reference_sources:
        document.add_heading(REFERENCE_HEADING, level=1)
        _body(document, f"（{REFERENCE_NOTE}）", indent=False, superscript=False)
        for source in draft.reference_sources:
            _body(document, source.line(), indent=False, superscript=False)
    if draft.notes:
        document.add_heading("说明", level=1)
        for note in draft.notes:
            _body(document, note)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
