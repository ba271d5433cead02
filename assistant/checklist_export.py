"""Export a self-check checklist (and its gap report) to Excel (.xlsx, openpyxl) and Word (.docx, python-docx).

The workbook is meant to be filled in: the 回答 column has a 是/否/不确定 dropdown. The Word document has
one Heading 1 per theme and one Heading 2 per duty, ready to edit.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assistant.selfcheck import ANSWERS, Checklist, GapReport, QuotedArticle

CHECKLIST_SHEET = "自查清单"
GAP_SHEET = "差距报告"
PROFILE_SHEET = "企业情况"
CHECKLIST_HEADER = ["序号", "编号", "主题", "义务", "自查问题", "回答", "法律依据", "条文原文", "应留存的证据", "罚则依据", "罚则条文"]
GAP_HEADER = ["序号", "编号", "主题", "义务", "回答", "状态", "法律依据", "罚则依据", "罚则条文", "建议措施"]
_WIDTHS = {"序号": 6, "编号": 26, "主题": 14, "义务": 40, "自查问题": 36, "回答": 10, "状态": 10, "法律依据": 30,
           "条文原文": 70, "应留存的证据": 30, "罚则依据": 28, "罚则条文": 60, "建议措施": 50}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NOT_INDEXED = "（知识库中未找到该条文，请先用 anquan ingest 导入该法规）"


def _quotes(quoted: list[QuotedArticle]) -> tuple[str, str]:
    names = "\n".join(q.citation or q.cited for q in quoted)
    texts = "\n\n".join(q.text if q.found else f"{q.cited}{_NOT_INDEXED}" for q in quoted)
    return names, texts


def _sheet(sheet, header: list[str], rows: list[list]) -> None:
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append(row)
    for n, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = _WIDTHS.get(name, 20)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def to_xlsx(checklist: Checklist, path: Path, answers: dict[str, str] | None = None,
            report: GapReport | None = None) -> Path:
    """Write the checklist (with a 是/否/不确定 dropdown), the profile and, when given, the gap report."""
    answers = answers or {}
    book = Workbook()
    sheet = book.active
    sheet.title = CHECKLIST_SHEET
    rows = []
    for n, item in enumerate(checklist.items, start=1):
        basis, basis_text = _quotes(item.basis)
        penalty, penalty_text = _quotes(item.penalty)
        rows.append([n, item.id, item.theme, item.title, item.question, answers.get(item.id, ""), basis, basis_text,
                     "\n".join(item.evidence), penalty, penalty_text])
    _sheet(sheet, CHECKLIST_HEADER, rows)
    column = get_column_letter(CHECKLIST_HEADER.index("回答") + 1)
    validation = DataValidation(type="list", formula1=f'"{",".join(ANSWERS)}"', allow_blank=True,
                                showErrorMessage=True, errorTitle="回答无效", error="请选择 是、否 或 不确定")
    validation.promptTitle = "自查回答"
    validation.prompt = "请选择 是、否 或 不确定"
    validation.showInputMessage = True
    sheet.add_data_validation(validation)
    if checklist.items:
        validation.add(f"{column}2:{column}{len(checklist.items) + 1}")
    if report is not None:
        gap_rows = [[n, g.id, g.theme, g.title, g.answer, g.status, "\n".join(g.basis), "\n".join(g.penalty) or "—",
                     g.penalty_text or "—", g.action] for n, g in enumerate(report.gaps, start=1)]
        _sheet(book.create_sheet(GAP_SHEET), GAP_HEADER, gap_rows)
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


def to_docx(checklist: Checklist, path: Path, answers: dict[str, str] | None = None,
            report: GapReport | None = None) -> Path:
    """Word document: title, the profile, Heading 1 per theme, Heading 2 per duty with a small table."""
    answers = answers or {}
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    document.add_heading("安全生产法定义务自查清单", level=0)
    for field, value in checklist.profile_rows():
        document.add_paragraph(f"{field}：{value}")
    document.add_paragraph(f"共 {len(checklist.items)} 项义务，分 {len(checklist.themes)} 个主题。"
                           "每项列出法律依据（条文原文引自知识库）、自查问题、应留存的证据和罚则依据。")
    for theme, items in checklist.themes.items():
        document.add_heading(theme, level=1)
        for item in items:
            document.add_heading(f"{item.title}（{item.id}）", level=2)
            table = document.add_table(rows=5, cols=2)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            basis = "\n".join(f"{q.citation or q.cited}：{q.text if q.found else _NOT_INDEXED}" for q in item.basis)
            penalty = "\n".join(f"{q.citation or q.cited}：{q.text if q.found else _NOT_INDEXED}" for q in item.penalty)
            _cell(table, 0, "自查问题", item.question)
            _cell(table, 1, "回答", answers.get(item.id, "□是  □否  □不确定"))
            _cell(table, 2, "法律依据", basis)
            _cell(table, 3, "应留存的证据", "；".join(item.evidence))
            _cell(table, 4, "罚则依据", penalty or "—")
    if report is not None:
        document.add_heading("差距报告", level=1)
        document.add_paragraph(f"已回答 {report.answered}/{report.total} 项：已落实 {report.met} 项，"
                               f"未落实 {len(report.unmet)} 项，待核实 {len(report.to_verify)} 项。")
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
    document.save(path)
    return path


def export(checklist: Checklist, path: Path, answers: dict[str, str] | None = None,
           report: GapReport | None = None) -> Path:
    """Write .xlsx or .docx by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return to_xlsx(checklist, path, answers, report)
    if suffix == ".docx":
        return to_docx(checklist, path, answers, report)
    raise ValueError(f"{path}：只能导出为 .xlsx 或 .docx")
