"""计划起草 tab: a form (kind, period, level, focus sectors, region) -> the outline with its cited sources
-> download .docx / .md. Everything is assistant.draft, the same code as `anquan draft`."""

from __future__ import annotations

import html
import re

import gradio as gr

from assistant.draft import KINDS, PlanDraft, PlanRequestError, draft_plan, draft_section
from assistant.draft.docx import write_plan_docx
from assistant.pack import pack_of
from assistant.web.context import WebContext, friendly_errors
from ingest.articles import parse_article

KIND_CHOICES = [(label, kind) for kind, label in KINDS.items()]
PERIOD_HINTS = {
    "quarterly": "如 2025Q1、2025年第三季度",
    "annual": "如 2025",
    "campaign": "如 2025-06（开展月份）",
    "holiday": "如 2025春节、2025国庆",
}
_PLAN_NAME = re.compile(r'[\\/:*?"<>|\s]+')


def source_details(ctx: WebContext, plan: PlanDraft) -> str:
    """The draft's sources, each expanding to the whole article (or the plan passage it quotes)."""
    if not plan.sources:
        return ""
    blocks = []
    for source in plan.sources:
        text = source.quote
        ref = parse_article(source.article) if source.article else None
        if ref is not None:
            hit = ctx.kb.get_article(source.doc_id, ref)
            if hit is not None:
                text = hit.text
        body = html.escape(text)
        if source.quote and source.quote.rstrip("…") in text:
            quoted = html.escape(source.quote.rstrip("…"))
            body = body.replace(quoted, f"<mark>{quoted}</mark>", 1)
        kind = "法规条文（依据）" if source.is_article else "地方方案（仅供参考，不作为依据）"
        blocks.append(
            f"<details><summary>[{source.number}] {html.escape(source.citation)}　<small>{kind}</small></summary>"
            f"<div class='article-text'>{body}</div></details>"
        )
    return f"<div class='plan-sources'><b>依据与参考（{len(plan.sources)} 条，点击展开原文）</b>{''.join(blocks)}</div>"


def preview_markdown(plan: PlanDraft) -> str:
    """The outline as shown on the page: the draft's own Markdown (texts escaped), notes as warnings."""
    text = re.sub(r"^> ", "", plan.to_markdown(), flags=re.MULTILINE)
    return html.escape(text, quote=False)


def file_stem(plan: PlanDraft) -> str:
    return _PLAN_NAME.sub("_", plan.title).strip("_")[:80] or "安全生产工作计划"


def build(ctx: WebContext) -> None:
    plans = pack_of(ctx.kb).plan_templates
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=320):
            gr.Markdown("#### 起草要求")
            kind = gr.Radio(KIND_CHOICES, value="quarterly", label="计划类型", elem_id="plan-kind")
            period = gr.Textbox(label="期间", placeholder=PERIOD_HINTS["quarterly"], elem_id="plan-period")
            level = gr.Dropdown(
                choices=list(plans.levels),
                value="区",
                allow_custom_value=True,
                label="层级或单位名称",
                info="选层级，或直接写单位名称，如 青山区、营城镇、华兴化工公司",
                elem_id="plan-level",
            )
            focus = gr.Dropdown(
                choices=[t.name for t in plans.topics],
                multiselect=True,
                allow_custom_value=True,
                value=[],
                label="重点领域（选填）",
                info="可多选，也可输入其他领域",
                elem_id="plan-focus",
            )
            region = gr.Dropdown(
                choices=ctx.regions(),
                value=None,
                allow_custom_value=True,
                label="地区（选填）",
                info="写明后优先引用当地的地方性法规和方案",
                elem_id="plan-region",
            )
            with gr.Accordion("更多选项", open=False):
                topic = gr.Textbox(
                    label="专项整治主题（选填，专项整治方案用）",
                    placeholder="如 燃气安全专项整治",
                    elem_id="plan-topic",
                )
                section = gr.Textbox(
                    label="只起草一个部分（选填）",
                    placeholder="如 隐患排查治理、安全宣传教育培训",
                    info="填写后只起草这一部分，不需要期间",
                    elem_id="plan-section",
                )
            make = gr.Button("起草", variant="primary", elem_id="plan-make")
            with gr.Row():
                docx = gr.DownloadButton("下载 Word（.docx）", visible=False, elem_id="plan-docx")
                markdown = gr.DownloadButton("下载 Markdown（.md）", visible=False, elem_id="plan-md")
            sources = gr.HTML(elem_id="plan-sources")
        with gr.Column(scale=3):
            gr.Markdown("#### 提纲预览")
            message = gr.Markdown(
                "填写左侧要求后点“起草”。每项任务引用与其内容对应的现行条文（知识库中没有的会注明），出处编号见文末“依据”；地方方案列在“参考”。",
                elem_id="plan-message",
            )
            preview = gr.Markdown(elem_id="plan-preview", height=760)

    kind.change(lambda k: gr.update(placeholder=PERIOD_HINTS.get(k, "")), kind, period, api_visibility="private")

    @friendly_errors("起草计划", ctx.settings)
    def make_draft(kind_value, period_value, level_value, focus_values, region_value, topic_value, section_value):
        hidden = gr.update(visible=False)
        level_value = (level_value or "").strip()
        if not level_value:
            return "⚠ 请填写“层级或单位名称”，如 区、镇、企业 或 青山区。", "", "", hidden, hidden
        region_value = (region_value or "").strip() or None
        try:
            if (section_value or "").strip():
                plan = draft_section(ctx.kb, section_value.strip(), level_value, region=region_value)
            else:
                if not (period_value or "").strip():
                    return (f"⚠ 请填写“期间”，{PERIOD_HINTS.get(kind_value, '')}。", "", "", hidden, hidden)
                plan = draft_plan(
                    ctx.kb,
                    kind_value,
                    period_value.strip(),
                    level_value,
                    focus=list(focus_values or []) or None,
                    region=region_value,
                    topic=(topic_value or "").strip() or None,
                )
        except PlanRequestError as exc:
            return f"⚠ {exc}", "", "", hidden, hidden
        stem = file_stem(plan)
        docx_path = write_plan_docx(plan, ctx.export_path(f"{stem}.docx"))
        md_path = plan.write_markdown(ctx.export_path(f"{stem}.md"))
        tasks = len(plan.task_items)
        status = (
            f"✓ 已起草《{html.escape(plan.title)}》：{tasks} 项任务，"
            f"{len(plan.basis_sources)} 条依据、{len(plan.reference_sources)} 条参考；{plan.mode}。"
            "请核对后下载，在 Word 中修改定稿。"
        )
        if plan.notes:
            status += "\n\n" + "\n".join(f"- ⚠ {html.escape(note)}" for note in plan.notes)
        return (
            status,
            preview_markdown(plan),
            source_details(ctx, plan),
            gr.update(value=str(docx_path), visible=True),
            gr.update(value=str(md_path), visible=True),
        )

    make.click(
        make_draft,
        [kind, period, level, focus, region, topic, section],
        [message, preview, sources, docx, markdown],
        api_visibility="private",
    )
