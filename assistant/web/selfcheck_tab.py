"""义务自查 tab: an enterprise profile form -> the applicable legal obligations with quoted articles,
each answered 是/否/不确定 -> a gap report; the checklist and the report download as .xlsx / .docx.
Everything is assistant.selfcheck, the same code as the CLI."""

from __future__ import annotations

import html
from pathlib import Path

import gradio as gr

from assistant.pack import pack_of
from assistant.selfcheck import (
    ANSWERS,
    AnswerError,
    AnswerLimits,
    Checklist,
    ChecklistItem,
    GapReport,
    ProfileError,
    build_checklist,
    load_answers,
    read_profile,
)
from assistant.selfcheck.export import to_docx, to_xlsx
from assistant.web.context import WebContext, friendly_errors
from assistant.web.uploads import discard_temporary

XLSX_NAME = "安全生产法定义务自查清单.xlsx"
DOCX_NAME = "安全生产法定义务自查清单.docx"
_NOT_INDEXED = "知识库中未找到该条文（请在“知识库”页导入该法规）"
_HINT = "填写上方企业情况后，点“生成自查清单”。清单只列出适用于本单位的法定义务，每项附法律依据原文。"


def _articles(label: str, quoted) -> str:
    parts = []
    for q in quoted:
        name = html.escape(q.citation or q.cited)
        body = html.escape(q.text) if q.found else _NOT_INDEXED
        parts.append(f"<details><summary>{name}</summary><div class='article-text'>{body}</div></details>")
    return f"<div class='sc-basis'><b>{label}</b>{''.join(parts)}</div>" if parts else ""


def item_markdown(n: int, item: ChecklistItem) -> str:
    evidence = "、".join(item.evidence)
    also = "".join(f"<br>{html.escape(line)}" for line in item.also_lines())
    return (
        f"**{n}. {html.escape(item.title)}**\n\n"
        + (f"<small>另见（同一义务）：{also}</small>\n\n" if also else "")
        + f"自查：{html.escape(item.question)}\n\n"
        f"<small>应留存：{html.escape(evidence)}　编号：{item.id}</small>\n\n"
        + _articles("法律依据（点击展开原文）", item.basis)
        + _articles("罚则", item.penalty)
    )


def progress_markdown(values) -> str:
    """已回答 n/N: how far the user is, shown above and below the checklist and updated on every answer."""
    values = list(values)
    answered = [v for v in values if v]
    counts = {a: sum(1 for v in answered if v == a) for a in ANSWERS}
    left = len(values) - len(answered)
    return (
        f"**已回答 {len(answered)}/{len(values)} 项**"
        f"（是 {counts['是']}，否 {counts['否']}，不确定 {counts['不确定']}）"
        + (f"，还有 {left} 项未答" if left else "，已全部作答，可生成差距报告")
    )


def mark_theme(checklist: Checklist, theme: str, value: str, values) -> list[str | None]:
    """Every answer after marking all items of one theme with value; the other themes keep theirs. The values
    follow checklist.items, as the page's answer buttons do."""
    if value not in ANSWERS:
        raise ValueError(f"回答只能是 是、否 或 不确定：{value}")
    in_theme = {item.id for item in checklist.themes.get(theme, [])}
    return [
        value if item.id in in_theme else current for item, current in zip(checklist.items, list(values), strict=True)
    ]


def profile_markdown(checklist: Checklist) -> str:
    rows = "\n".join(f"| {field} | {html.escape(value)} |" for field, value in checklist.profile_rows())
    return (
        f"**适用义务 {len(checklist.items)} 项，分 {len(checklist.themes)} 个主题。**\n\n"
        f"| 项目 | 识别结果 |\n|---|---|\n{rows}"
    )


def report_markdown(report: GapReport) -> str:
    lines = [
        f"### 差距报告\n已回答 {report.answered}/{report.total} 项：已落实 **{report.met}** 项，"
        f"未落实 **{len(report.unmet)}** 项，待核实 **{len(report.to_verify)}** 项"
        + (f"，未作答 {len(report.unanswered)} 项。" if report.unanswered else "。")
    ]
    for status, gaps in (("未落实", report.unmet), ("待核实", report.to_verify)):
        if not gaps:
            continue
        lines.append(f"\n#### {status}（{len(gaps)} 项）")
        for gap in gaps:
            lines.append(
                f"- **{html.escape(gap.title)}**（{gap.theme}）\n  - 依据：{html.escape('；'.join(gap.basis))}"
                f"\n  - 罚则：{html.escape('；'.join(gap.penalty) or '—')}\n  - 建议：{html.escape(gap.action)}"
            )
    if not report.gaps:
        lines.append("\n没有“否”或“不确定”的项目。" if report.answered else "\n请先在清单中逐项选择 是 / 否 / 不确定。")
    return "\n".join(lines)


def build(ctx: WebContext) -> None:
    taxonomy = pack_of(ctx.kb).taxonomy
    checklist_state = gr.State(None)
    gr.Markdown("#### 企业情况")
    with gr.Row():
        industry = gr.Dropdown(
            choices=[i.key for i in taxonomy.industries],
            label="行业",
            allow_custom_value=True,
            value=None,
            info="可选择，也可直接输入，如：一般工贸（机械制造）",
            elem_id="sc-industry",
            scale=2,
        )
        # text, read as the command line reads --employees (120, １２０, 120人, 约120人, 一百二十): a number field
        # took none of these, rounded 100.6 to 101 unsaid and refused -5 without naming the field
        employees = gr.Textbox(
            label="从业人员（人，必填）",
            placeholder="如 120",
            max_lines=1,
            value="",
            elem_id="sc-employees",
            scale=1,
            info="全部从业人员，含劳务派遣、实习人员",
        )
        region = gr.Dropdown(
            choices=list(taxonomy.regions),
            label="所在地区（省级或计划单列市）",
            allow_custom_value=True,
            value=None,
            info="不填只列全国性义务",
            elem_id="sc-region",
            scale=1,
        )
    with gr.Row():
        equipment = gr.Dropdown(
            choices=list(taxonomy.equipment),
            multiselect=True,
            allow_custom_value=True,
            label="使用的特种设备",
            info="没有就不选；也可输入常用说法，如 叉车、塔吊",
            elem_id="sc-equipment",
            scale=2,
        )
        with gr.Column(scale=1):
            major_hazard = gr.Checkbox(label="构成重大危险源", elem_id="sc-major-hazard")
            occupational = gr.Checkbox(label="存在职业病危害", elem_id="sc-occupational")
            dispatch = gr.Checkbox(label="使用劳务派遣人员", elem_id="sc-dispatch")
    description = gr.Textbox(
        label="情况描述（选填）",
        lines=2,
        elem_id="sc-description",
        placeholder="用一两句话描述本单位，如：有喷漆房和有限空间作业，使用天然气，接收实习学生",
    )
    make = gr.Button("生成自查清单", variant="primary", elem_id="sc-build")
    message = gr.Markdown(_HINT, elem_id="sc-message")
    profile = gr.Markdown(elem_id="sc-profile")
    with gr.Row():
        blank_xlsx = gr.DownloadButton("下载空白自查表（Excel）", visible=False, elem_id="sc-blank-xlsx", size="md")
        blank_docx = gr.DownloadButton("下载空白自查表（Word）", visible=False, elem_id="sc-blank-docx", size="md")

    @gr.render(inputs=checklist_state)
    def show_checklist(checklist: Checklist | None):
        if checklist is None:
            return
        gr.Markdown(
            "#### 自查清单　<small>逐项选择 是 / 否 / 不确定（可按主题一次标记），然后点页面下方“生成差距报告”</small>"
        )
        start = progress_markdown([None] * len(checklist.items))
        progress_top = gr.Markdown(start, elem_id="sc-progress", elem_classes=["sc-progress"])
        radios = []
        marks = []
        n = 0
        for theme, items in checklist.themes.items():
            with gr.Accordion(f"{theme}（{len(items)} 项）", open=True):
                with gr.Row(elem_classes=["sc-mark"], equal_height=True):
                    gr.Markdown(f"<small>本主题 {len(items)} 项全部标为：</small>", scale=0, min_width=160)
                    for value in ANSWERS:
                        marks.append(
                            (
                                gr.Button(value, size="sm", scale=0, min_width=72, elem_classes=["sc-mark-button"]),
                                theme,
                                value,
                            )
                        )
                for item in items:
                    n += 1
                    with gr.Row(equal_height=False, elem_classes=["sc-item"]):
                        gr.Markdown(item_markdown(n, item), scale=5)
                        radios.append(
                            gr.Radio(
                                list(ANSWERS),
                                show_label=False,
                                key=f"answer-{item.id}",
                                scale=1,
                                min_width=200,
                                elem_classes=["sc-answer"],
                            )
                        )
        progress_bottom = gr.Markdown(start, elem_id="sc-progress-bottom", elem_classes=["sc-progress"])
        report_button = gr.Button("生成差距报告", variant="primary", elem_id="sc-report")
        report_button.click(make_report, [checklist_state, *radios], [report, xlsx, docx], api_visibility="private")

        def show_progress(*values):
            text = progress_markdown(values)
            return text, text

        def marker(theme: str, value: str):
            def mark(*values):
                marked = mark_theme(checklist, theme, value, values)
                return [*marked, *show_progress(*marked)]

            return mark

        for radio in radios:
            radio.input(
                show_progress, radios, [progress_top, progress_bottom], api_visibility="private", show_progress="hidden"
            )
        for button, theme, value in marks:
            button.click(
                marker(theme, value), radios, [*radios, progress_top, progress_bottom], api_visibility="private"
            )

    with gr.Accordion(
        "已在 Excel 里填好了自查表？上传后直接生成差距报告", open=False, visible=False, elem_id="sc-filled-box"
    ) as filled_box:
        filled = gr.File(
            label="填好的自查表（本页下载的 .xlsx，或 .yaml / .csv 回答文件）",
            file_count="single",
            elem_id="sc-filled",
            height=120,
        )
    report = gr.Markdown(elem_id="sc-gaps")
    with gr.Row():
        xlsx = gr.DownloadButton("下载自查结果和差距报告（Excel）", visible=False, elem_id="sc-xlsx")
        docx = gr.DownloadButton("下载自查结果和差距报告（Word）", visible=False, elem_id="sc-docx")

    @friendly_errors("生成自查清单", ctx.settings)
    def make_checklist(
        industry_value, employee_count, region_value, equipment_values, hazard, occupational_value, dispatch_value, text
    ):
        hidden = gr.update(visible=False)
        if not (industry_value or "").strip():
            return (
                None,
                "⚠ 请先填写“行业”，如：一般工贸（机械制造）、建筑施工、餐饮。",
                "",
                "",
                hidden,
                hidden,
                hidden,
                hidden,
                hidden,
            )
        try:
            checklist_profile = read_profile(
                pack_of(ctx.kb),
                industry_value.strip(),
                employee_count,  # as typed: read_profile reads it or says what to write
                major_hazard=bool(hazard),
                special_equipment=list(equipment_values or []),
                occupational_hazards=bool(occupational_value),
                labor_dispatch=bool(dispatch_value),
                region=(region_value or "").strip() or None,
                description=text or "",
            )
        except ProfileError as exc:
            return (None, f"⚠ {exc}", "", "", hidden, hidden, hidden, hidden, hidden)
        checklist = build_checklist(ctx.kb, pack_of(ctx.kb), checklist_profile)
        missing = sum(1 for item in checklist.items for q in item.basis if not q.found)
        note = (
            f"\n\n⚠ 有 {missing} 处法律依据的条文不在知识库中，清单中标为“未找到”；"
            "可在“知识库”页导入相应法规后重新生成。"
            if missing
            else ""
        )
        xlsx_path = to_xlsx(checklist, ctx.export_path(XLSX_NAME))
        docx_path = to_docx(checklist, ctx.export_path(DOCX_NAME))
        return (
            checklist,
            f"✓ 已生成自查清单，共 {len(checklist.items)} 项。可在下方逐项作答，也可下载空白自查表线下填写"
            f"（填好后在清单下方上传，即可生成差距报告）。{note}",
            profile_markdown(checklist),
            "",
            gr.update(value=str(xlsx_path), visible=True),
            gr.update(value=str(docx_path), visible=True),
            hidden,
            hidden,
            gr.update(visible=True),
        )

    def report_outputs(checklist: Checklist, answers: dict[str, str], source: str = ""):
        gap_report = checklist.gap_report(answers)
        xlsx_path = to_xlsx(checklist, ctx.export_path(XLSX_NAME), answers, gap_report)
        docx_path = to_docx(checklist, ctx.export_path(DOCX_NAME), answers, gap_report)
        return (
            source + report_markdown(gap_report),
            gr.update(value=str(xlsx_path), visible=True),
            gr.update(value=str(docx_path), visible=True),
        )

    @friendly_errors("生成差距报告", ctx.settings)
    def make_report(checklist: Checklist, *values):
        return report_outputs(
            checklist, {item.id: value for item, value in zip(checklist.items, values, strict=False) if value}
        )

    @friendly_errors("读取自查表", ctx.settings)
    def report_from_file(checklist: Checklist | None, path: str | None):
        try:
            return read_filled(checklist, path)
        finally:
            discard_temporary([path])  # Gradio's copy of the upload: read once (the file box is cleared next)

    def read_filled(checklist: Checklist | None, path: str | None):
        hidden = gr.update(visible=False)
        if not path:
            return gr.update(), gr.update(), gr.update()
        if checklist is None:
            return "⚠ 请先生成自查清单，再上传填好的自查表。", hidden, hidden
        name = Path(path).name
        if Path(path).stat().st_size > ctx.settings.upload_max_mb * 1024 * 1024:
            return f"⚠ {name} 过大：不能超过 {ctx.settings.upload_max_mb:g} MB。", hidden, hidden
        try:
            answers = load_answers(Path(path), checklist, AnswerLimits.from_settings(ctx.settings))
        except AnswerError as exc:
            said = ctx.said(str(exc).replace(str(Path(path).parent) + "/", ""))  # the file by its name only
            return f"⚠ {html.escape(said)}", hidden, hidden
        return report_outputs(checklist, answers, f"<small>按上传的 {html.escape(name)} 生成。</small>\n\n")

    filled.upload(report_from_file, [checklist_state, filled], [report, xlsx, docx], api_visibility="private").then(
        lambda: None, None, filled, api_visibility="private"
    )  # read: ready for the next file

    make.click(
        make_checklist,
        [industry, employees, region, equipment, major_hazard, occupational, dispatch, description],
        [checklist_state, message, profile, report, blank_xlsx, blank_docx, xlsx, docx, filled_box],
        api_visibility="private",
    )
