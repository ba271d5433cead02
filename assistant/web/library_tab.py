"""知识库 tab: upload and ingest files (progress bar, a result per file), the document list, delete a
document, statistics, and which embedder / store / LLM are active. Same pipeline as `anquan ingest`."""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path

import gradio as gr

from assistant.web.context import WebContext, friendly_errors
from assistant.web.uploads import UploadError, accept_uploads, allowed_suffixes, uploads_dir
from ingest.pipeline import STATUS_LABELS, IngestBusy, Ingestor
from ingest.repeal import describe_repeal

DOC_HEADERS = ["文档", "类别", "地区", "日期", "切块数", "状态"]
RESULT_HEADERS = ["文件", "结果", "切块数", "说明"]


def document_rows(ctx: WebContext, query: str = "") -> list[list]:
    """The document list, optionally only documents whose id, title, kind or region contains the query."""
    words = (query or "").split()
    everything = ctx.kb.documents()
    records = sorted((r for r in everything.values()
                      if all(w in f"{r.doc_id} {r.title} {r.kind} {r.region} {document_status(r, everything)}" for w in words)),
                     key=lambda r: (r.kind, r.region, r.doc_id))
    return [[r.doc_id if r.doc_id.startswith(r.title) else f"{r.title}（{r.doc_id}）", r.kind, r.region or "—",
             r.date or "—", r.chunk_count, document_status(r, everything)]
            for r in records]


def document_status(record, records: dict) -> str:
    """现行, 已废止（…）, 已被 X 取代, or 现行（将…废止）."""
    parts = []
    if record.repealed_by:
        repeal = describe_repeal(record, records)
        parts.append(f"已废止（{repeal}）" if record.repealed else f"现行（{repeal}）")
    if record.superseded:
        parts.append(f"已被 {record.superseded_by} 取代")
    return "；".join(parts) or "现行"


def document_choices(ctx: WebContext) -> list[tuple[str, str]]:
    def flags(r) -> str:
        return ("，已废止" if r.repealed else "") + ("，已被取代" if r.superseded else "")

    return [(f"{r.doc_id}（{r.kind}{flags(r)}）", r.doc_id)
            for r in sorted(ctx.kb.documents().values(), key=lambda r: r.doc_id)]


def stats_markdown(ctx: WebContext) -> str:
    records = ctx.kb.documents()
    by_kind = Counter(r.kind for r in records.values())
    superseded = sum(1 for r in records.values() if r.superseded)
    repealed = sum(1 for r in records.values() if r.repealed)
    settings = ctx.settings
    llm = (f"大模型 {settings.llm_model or '未指定模型'}（{settings.llm_base_url}）" if settings.llm_base_url
           else "未配置（离线抽取式回答）")
    kinds = "，".join(f"{k} {n}" for k, n in by_kind.most_common()) or "无"
    return "\n".join([
        f"- **文档**：{len(records)} 个（{kinds}）；已被新版本取代 {superseded} 个；已废止 {repealed} 个",
        f"- **切块**：{ctx.kb.store.count()} 个",
        f"- **向量模型**：{ctx.kb.embedder.description}",
        f"- **存储**：{ctx.kb.store.location}",
        f"- **大模型**：{llm}",
    ])


def result_rows(results) -> list[list]:
    return [[r.path.name, STATUS_LABELS.get(r.status, r.status), r.chunks or "", r.reason] for r in results]


def _cell(value) -> str:
    return html.escape(str(value)).replace("|", "\\|").replace("\n", " ")


def results_markdown(rows: list[list]) -> str:
    """The per-file results as a table that wraps long reasons (file names and reasons escaped)."""
    if not rows:
        return ""
    lines = ["| " + " | ".join(RESULT_HEADERS) + " |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def build(ctx: WebContext, header: gr.Markdown):
    """Lay out the tab; returns a function giving the fresh stats, list and choices, and their components."""
    suffixes = allowed_suffixes(ctx.settings)
    settings = ctx.settings
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            gr.Markdown("#### 导入文件")
            # no file_types: the browser would refuse other types with an English message; uploads.py explains in Chinese
            files = gr.File(label="选择或拖入文件", file_count="multiple", elem_id="lib-files",
                            height=150)
            gr.Markdown(f"<small>支持 {'、'.join(suffixes)}；每次最多 {settings.upload_max_files} 个文件，"
                        f"每个不超过 {settings.upload_max_mb:g} MB。同名文件再次上传会更新原有内容；"
                        f"文件名中的日期如“(2024-05-01)”用于区分法规版本。</small>")
            upload = gr.Button("导入知识库", variant="primary", elem_id="lib-ingest")
            message = gr.Markdown(elem_id="lib-message")
            results = gr.Markdown(elem_id="lib-results")
        with gr.Column(scale=2):
            gr.Markdown("#### 概况")
            stats = gr.Markdown(stats_markdown(ctx), elem_id="lib-stats")
            gr.Markdown("#### 删除文档")
            to_delete = gr.Dropdown(choices=document_choices(ctx), value=None, label="选择要删除的文档", elem_id="lib-delete-choice")
            confirm = gr.Checkbox(label="确认删除（删除后不再参与检索，可重新上传恢复）", value=False, elem_id="lib-delete-confirm")
            delete = gr.Button("删除", variant="stop", elem_id="lib-delete")
    gr.Markdown("#### 已入库文档")
    search = gr.Textbox(show_label=False, placeholder="查找文档：输入名称、类别或地区中的字词，如 条例 青山市",
                        elem_id="lib-search", max_lines=1)
    documents = gr.Dataframe(headers=DOC_HEADERS, value=document_rows(ctx), interactive=False, wrap=True,
                             elem_id="lib-documents", column_widths=["38%", "12%", "12%", "12%", "8%", "18%"],
                             max_height=600)
    search.change(lambda q: document_rows(ctx, q), search, documents, api_visibility="private",
                  show_progress="hidden")

    @friendly_errors("导入文件")
    def ingest_files(paths, progress=gr.Progress()):  # noqa: B008 (how Gradio injects a progress bar)
        paths = [p if isinstance(p, str) else getattr(p, "name", str(p)) for p in (paths or [])]
        try:
            batch = accept_uploads(paths, settings)
        except UploadError as exc:
            return _outcome(ctx, f"⚠ {exc}", [])
        rows = [[r.name, "失败", "", r.reason] for r in batch.rejected]
        note = ""
        if batch.accepted:
            def report_progress(stage: str, done: int, total: int) -> None:
                progress((done, total), desc=stage, unit="步" if total <= 1 else "个文件")

            try:
                with ctx.lock:
                    report = Ingestor(settings, ctx.kb, report_progress).run([a.path for a in batch.accepted])
            except IngestBusy as exc:
                return _outcome(ctx, f"⚠ {exc}", rows)
            rows = result_rows(report.results) + rows
            note = "；".join(n for n in report.notes[:5] if "BM25" not in n)  # index upkeep is not news
        failed = sum(1 for row in rows if row[1] == "失败")
        counts = Counter(row[1] for row in rows)
        summary = "，".join(f"{label} {counts[label]}" for label in STATUS_LABELS.values() if counts[label])
        head = f"{'⚠ 有文件未能导入，原因见下表。' if failed else '✓ 导入完成。'}共 {len(rows)} 个文件：{summary}。"
        return _outcome(ctx, head + (f"\n\n{html.escape(note)}" if note else ""), rows)

    @friendly_errors("删除文档")
    def delete_document(doc_id: str | None, confirmed: bool):
        if not doc_id:
            return _outcome(ctx, "⚠ 请先在“选择要删除的文档”中选一个文档。", None, keep_confirm=confirmed)
        if not confirmed:
            return _outcome(ctx, "⚠ 请先勾选“确认删除”，再点“删除”。", None, keep_choice=True)
        record = ctx.kb.documents().get(doc_id)
        try:
            with ctx.lock:
                report = Ingestor(settings, ctx.kb).remove([doc_id])
        except IngestBusy as exc:
            return _outcome(ctx, f"⚠ {exc}", None)
        if record is not None:
            source = Path(record.source)
            if source.parent == uploads_dir(settings):  # a file this app stored; other files are the user's
                source.unlink(missing_ok=True)
        failed = [r for r in report.results if r.status == "failed"]
        text = f"⚠ {failed[0].reason}" if failed else f"✓ 已删除“{doc_id}”。"
        if report.notes:
            text += "\n\n" + "；".join(report.notes)
        return _outcome(ctx, text, None)

    outputs = [message, results, stats, documents, to_delete, confirm, header]
    upload.click(ingest_files, [files], outputs, api_visibility="private", show_progress_on=[files]).then(
        lambda: None, None, files, api_visibility="private")  # imported: clear the picked files
    delete.click(delete_document, [to_delete, confirm], outputs, api_visibility="private")

    def refresh():
        return stats_markdown(ctx), document_rows(ctx), gr.update(choices=document_choices(ctx))

    return refresh, [stats, documents, to_delete]


def _outcome(ctx: WebContext, text: str, rows: list[list] | None, keep_confirm: bool = False,
             keep_choice: bool = False):
    results = gr.update() if rows is None else results_markdown(rows)
    choice = gr.update(choices=document_choices(ctx)) if keep_choice else gr.update(choices=document_choices(ctx), value=None)
    return text, results, stats_markdown(ctx), document_rows(ctx), choice, keep_confirm, ctx.header()
