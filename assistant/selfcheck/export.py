"""Export a self-check checklist (and its gap report) to Excel (.xlsx, openpyxl) and Word (.docx, python-docx).

The workbook is meant to be filled in: the 回答 column has a 是/否/不确定 dropdown. The Word document has
one Heading 1 per theme and one Heading 2 per duty, ready to edit.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from assistant.selfcheck.checklist import ANSWERS, Checklist, GapReport, QuotedArticle

CHECKLIST_SHEET = "自查清单"
GAP_SHEET = "差距报告"
PROFILE_SHEET = "企业情况"
# what a printed page needs first; the full article texts come last and are left out of the print area
CHECKLIST_HEADER = [
    "序号",
    "编号",
    "主题",
    "义务",
    "自查问题",
    "回答",
    "法律依据",
    "应留存的证据",
    "罚则依据",
    "条文原文",
    "罚则条文",
]
GAP_HEADER = ["序号", "编号", "主题", "义务", "回答", "状态", "法律依据", "罚则依据", "建议措施", "罚则条文"]
NOT_PRINTED = (
    "条文原文",
    "罚则条文",
)  # kept in the file, left off paper: a page of article text per duty is unreadable
FORM_FIELDS = ("单位名称（盖章）", "填表人", "填表日期")  # filled in by hand on the printed form, or in the file
HEADER_ROW = 3  # row 1 the title, row 2 the form fields, row 3 the column header (repeated on every printed page)
CJK_FONT = "宋体"  # a font every Chinese Office and WPS install has; Calibri has no Chinese glyphs
_WIDTHS = {
    "序号": 5,
    "编号": 18,
    "主题": 10,
    "义务": 34,
    "自查问题": 30,
    "回答": 8,
    "状态": 8,
    "法律依据": 24,
    "条文原文": 70,
    "应留存的证据": 26,
    "罚则依据": 20,
    "罚则条文": 60,
    "建议措施": 44,
}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_LINE = Side(style="thin", color="808080")
_GRID = Border(left=_LINE, right=_LINE, top=_LINE, bottom=_LINE)
_FILL_IN = Border(bottom=Side(style="thin", color="000000"))
_NOT_INDEXED = "（知识库中未找到该条文，请先用 anquan ingest 导入该法规）"


def _font(**kwargs) -> Font:
    return Font(name=CJK_FONT, size=kwargs.pop("size", 10), **kwargs)


def _quotes(quoted: list[QuotedArticle]) -> tuple[str, str]:
    names = "\n".join(q.citation or q.cited for q in quoted)
    texts = "\n\n".join(q.text if q.found else f"{q.cited}{_NOT_INDEXED}" for q in quoted)
    return names, texts


def _form_head(sheet, title: str, columns: int) -> None:
    """Row 1 the title across the printed columns; row 2 单位名称 / 填表人 / 日期, each with a cell to fill in."""
    last = get_column_letter(columns)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = title
    sheet["A1"].font = _font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    # three label + blank pairs spread over the printed columns
    spans = (
        [(1, 3, 4, 5), (6, 6, 7, 7), (8, 8, 9, columns)]
        if columns >= 9
        else [(1, 1, 2, 2), (3, 3, 4, 4), (5, 5, 6, columns)]
    )
    for (label_from, label_to, blank_from, blank_to), label in zip(spans, FORM_FIELDS, strict=True):
        if label_to > label_from:
            sheet.merge_cells(start_row=2, start_column=label_from, end_row=2, end_column=label_to)
        if blank_to > blank_from:
            sheet.merge_cells(start_row=2, start_column=blank_from, end_row=2, end_column=blank_to)
        cell = sheet.cell(row=2, column=label_from, value=f"{label}：")
        cell.font = _font(bold=True)
        cell.alignment = Alignment(horizontal="right", vertical="center")
        for column in range(blank_from, blank_to + 1):
            blank = sheet.cell(row=2, column=column)
            blank.border = _FILL_IN
            blank.font = _font()
            blank.alignment = Alignment(horizontal="left", vertical="center")
    if FORM_FIELDS[-1].endswith("日期"):
        sheet.cell(row=2, column=spans[-1][2], value="　　　　年　　月　　日")
    sheet.row_dimensions[2].height = 24


def _page_setup(sheet, header: list[str], rows: int, first_row: int) -> None:
    """Landscape A4, all printed columns on one page width, the column header repeated on every page,
    page numbers in the footer; the full-text columns are left out of the print area."""
    printed = [n for n, name in enumerate(header, start=1) if name not in NOT_PRINTED]
    last_printed = get_column_letter(max(printed))
    sheet.print_area = f"A1:{last_printed}{max(first_row + rows, first_row)}"
    sheet.print_title_rows = f"{first_row}:{first_row}"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as needed
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.oddFooter.center.font = CJK_FONT
    if any(name in NOT_PRINTED for name in header):
        sheet.oddFooter.left.text = "条文原文见电子表格右侧各列"
        sheet.oddFooter.left.font = CJK_FONT


def _sheet(sheet, header: list[str], rows: list[list], title: str | None = None) -> None:
    """A table with a bold header; with a title, the printable form: title, form fields, header on row 3."""
    first = HEADER_ROW if title else 1
    if title:
        _form_head(sheet, title, len([h for h in header if h not in NOT_PRINTED]))
    for n, name in enumerate(header, start=1):
        cell = sheet.cell(row=first, column=n, value=name)
        cell.font = _font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _GRID
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for offset, row in enumerate(rows, start=1):
        for n, value in enumerate(row, start=1):
            cell = sheet.cell(row=first + offset, column=n, value=value)
            cell.font = _font()
            cell.border = _GRID
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for n, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = _WIDTHS.get(name, 20)
    sheet.freeze_panes = f"A{first + 1}"
    sheet.auto_filter.ref = f"A{first}:{get_column_letter(len(header))}{first + max(len(rows), 1)}"
    _page_setup(sheet, header, len(rows), first)


def _duty(item) -> str:
    """The duty, with the same duty as other regulations state it (merged items)."""
    also = item.also_lines()
    return item.title + ("\n另见：\n" + "\n".join(also) if also else "")


def to_xlsx(
    checklist: Checklist, path: Path, answers: dict[str, str] | None = None, report: GapReport | None = None
) -> Path:
    """Write the checklist (with a 是/否/不确定 dropdown), the profile and, when given, the gap report; each
    sheet prints on landscape A4 at page width with its header repeated, in a Chinese font."""
    answers = answers or {}
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on its one worksheet
    sheet.title = CHECKLIST_SHEET
    rows = []
    for n, item in enumerate(checklist.items, start=1):
        basis, basis_text = _quotes(item.basis)
        penalty, penalty_text = _quotes(item.penalty)
        answer = next((answers[i] for i in item.ids if answers.get(i)), "")
        rows.append(
            [
                n,
                item.id,
                item.theme,
                _duty(item),
                item.question,
                answer,
                basis,
                "\n".join(item.evidence),
                penalty,
                basis_text,
                penalty_text,
            ]
        )
    _sheet(sheet, CHECKLIST_HEADER, rows, title="安全生产法定义务自查清单")
    column = get_column_letter(CHECKLIST_HEADER.index("回答") + 1)
    validation = DataValidation(
        type="list",
        formula1=f'"{",".join(ANSWERS)}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="回答无效",
        error="请选择 是、否 或 不确定",
    )
    validation.promptTitle = "自查回答"
    validation.prompt = "请选择 是、否 或 不确定"
    validation.showInputMessage = True
    sheet.add_data_validation(validation)
    if checklist.items:
        validation.add(f"{column}{HEADER_ROW + 1}:{column}{HEADER_ROW + len(checklist.items)}")
    if report is not None:
        gap_rows = [
            [
                n,
                g.id,
                g.theme,
                g.title,
                g.answer,
                g.status,
                "\n".join(g.basis),
                "\n".join(g.penalty) or "—",
                g.action,
                g.penalty_text or "—",
            ]
            for n, g in enumerate(report.gaps, start=1)
        ]
        _sheet(book.create_sheet(GAP_SHEET), GAP_HEADER, gap_rows, title="安全生产法定义务自查差距报告")
    info = book.create_sheet(PROFILE_SHEET)
    _sheet(info, ["项目", "内容"], [list(row) for row in checklist.profile_rows()])
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 90
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _cell(table, row: int, label: str, text: str) -> None:
    cells = table.rows[row].cells
    cells[0].text = label
    cells[0].paragraphs[0].runs[0].font.bold = True
    cells[1].text = text


def to_docx(
    checklist: Checklist, path: Path, answers: dict[str, str] | None = None, report: GapReport | None = None
) -> Path:
    """Word document: title, the profile, Heading 1 per theme, Heading 2 per duty with a small table."""
    answers = answers or {}
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    style.font.name = CJK_FONT
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)  # Chinese text in 宋体
    document.add_heading("安全生产法定义务自查清单", level=0)
    for field, value in checklist.profile_rows():
        document.add_paragraph(f"{field}：{value}")
    document.add_paragraph(
        f"共 {len(checklist.items)} 项义务，分 {len(checklist.themes)} 个主题。"
        "每项列出法律依据（条文原文引自知识库）、自查问题、应留存的证据和罚则依据。"
    )
    for theme, items in checklist.themes.items():
        document.add_heading(theme, level=1)
        for item in items:
            document.add_heading(f"{item.title}（{item.id}）", level=2)
            also = item.also_lines()
            table = document.add_table(rows=5 + bool(also), cols=2)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            basis = "\n".join(f"{q.citation or q.cited}：{q.text if q.found else _NOT_INDEXED}" for q in item.basis)
            penalty = "\n".join(f"{q.citation or q.cited}：{q.text if q.found else _NOT_INDEXED}" for q in item.penalty)
            _cell(table, 0, "自查问题", item.question)
            _cell(table, 1, "回答", next((answers[i] for i in item.ids if answers.get(i)), "□是  □否  □不确定"))
            _cell(table, 2, "法律依据", basis)
            _cell(table, 3, "应留存的证据", "；".join(item.evidence))
            _cell(table, 4, "罚则依据", penalty or "—")
            if also:
                _cell(table, 5, "另见（同一义务）", "\n".join(also))
    if report is not None:
        document.add_heading("差距报告", level=1)
        document.add_paragraph(
            f"已回答 {report.answered}/{report.total} 项：已落实 {report.met} 项，"
            f"未落实 {len(report.unmet)} 项，待核实 {len(report.to_verify)} 项。"
        )
        for status, gaps in (("未落实", report.unmet), ("待核实", report.to_verify)):
            if not gaps:
                continue
            document.add_heading(status, level=2)
            for gap in gaps:
                document.add_heading(f"{gap.title}（{gap.id}）", level=3)
                document.add_paragraph(f"法律依据：{'；'.join(gap.basis)}", style="List Bullet")
                document.add_paragraph(f"罚则依据：{'；'.join(gap.penalty) or '—'}", style="List Bullet")
                if gap.penalty_text:
                    document.add_paragraph(f"罚则条文：{gap.penalty_text}", style="List Bullet")
                document.add_paragraph(f"建议措施：{gap.action}", style="List Bullet")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def export(
    checklist: Checklist, path: Path, answers: dict[str, str] | None = None, report: GapReport | None = None
) -> Path:
    """Write .xlsx or .docx by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return to_xlsx(checklist, path, answers, report)
    if suffix == ".docx":
        return to_docx(checklist, path, answers, report)
    raise ValueError(f"{path}：只能导出为 .xlsx 或 .docx")
