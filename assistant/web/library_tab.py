"""知识库 tab: upload and ingest files (progress bar, a result per file), the document list, delete a
document, statistics, and which embedder / store / LLM are active. Same pipeline as `anquan ingest`."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import gradio as gr

from assistant.llm import composer_backend, llm_backend
from assistant.retrieval.reranker import reranker_label
from assistant.web.context import WebContext, friendly_errors
from assistant.web.sources import plain
from assistant.web.uploads import (
    UploadError,
    accept_uploads,
    allowed_suffixes,
    discard_temporary,
    ingest_uploads,
    recover_interrupted,
    uploads_dir,
)
from ingest.authority import challengers, held_description
from ingest.corrections import FIELDS, LABELS, CorrectionError, normalise
from ingest.encoding import escape_controls
from ingest.metadata import KINDS, edit_command, shown_name
from ingest.pipeline import STATUS_LABELS, IngestBusy
from ingest.repeal import describe_repeal
from ingest.settings import shown_address
from ingest.store import ORIGIN_UPLOAD
from ingest.vector_builder import coverage
from ingest.walk import content_hash

DOC_HEADERS = ["文档", "类别", "地区", "日期", "切块数", "状态"]
RESULT_HEADERS = ["文件", "结果", "切块数", "说明"]


def document_rows(ctx: WebContext, query: str = "") -> list[list]:
    """The document list, optionally only documents whose id, title, kind or region contains the query."""
    words = (query or "").split()
    everything = ctx.kb.documents()
    # each status once, the held documents' targets indexed once: asking every document which held one names it
    # took 11 s for a library of 20,000 small files, on every page load
    index = challenged(everything)
    status = {doc_id: document_status(r, everything, index) for doc_id, r in everything.items()}
    records = sorted(
        (
            r
            for r in everything.values()
            if all(w in f"{r.doc_id} {r.title} {r.kind} {r.region} {status[r.doc_id]}" for w in words)
        ),
        key=lambda r: (r.kind, r.region, r.doc_id),
    )
    return [
        [
            escape_controls(document_name(r)),
            r.kind,
            escape_controls(r.region or "—"),
            r.date or "—",
            r.chunk_count,
            escape_controls(status[r.doc_id]),
        ]
        for r in records
    ]


def challenged(records: dict) -> dict[str, list[str]]:
    """doc id -> the held documents that would supersede or repeal it (authority.challengers for every document at
    once, in the same order)."""
    index: dict[str, list[str]] = {}
    for record in records.values():
        for target in record.held_over:
            if target != record.doc_id:
                index.setdefault(target, []).append(record.doc_id)
    return index


def document_name(record) -> str:
    """The file name (it carries a law's version date) with the title when they differ; a plan saved under a
    machine name (000_ba74c9f4450652ab) by the title taken from its text."""
    shown = shown_name(record.doc_id, record.title)
    if shown != record.doc_id or record.doc_id.startswith(record.title):
        return shown
    return f"{record.title}（{record.doc_id}）"


def document_status(record, records: dict, index: dict[str, list[str]] | None = None) -> str:
    """现行, 已废止（…）, 已被 X 取代, 现行（将…废止）, or 待确认（将取代…）; · 网页上传 for an upload."""
    parts = []
    if record.pending:
        parts.append(f"待确认（{held_description(record, records)}；管理员确认前不生效）")
    if record.repealed_by:
        repeal = describe_repeal(record, records)
        parts.append(f"已废止（{repeal}）" if record.repealed else f"现行（{repeal}）")
    if record.superseded:
        parts.append(f"已被 {record.superseded_by} 取代")
    challenging = challengers(record, records) if index is None else index.get(record.doc_id, [])
    if challenging and record.in_force:
        parts.append(f"现行（{'、'.join(challenging)} 声称取代或废止本文，待确认，确认前以本文为准）")
    status = "；".join(parts) or "现行"
    if record.derived:
        status += f" · 已更正{'、'.join(LABELS[name] for name in record.derived)}"
    return f"{status} · 网页上传" if record.from_upload else status


def document_choices(ctx: WebContext) -> list[tuple[str, str]]:
    def flags(r) -> str:
        return (
            ("，已废止" if r.repealed else "")
            + ("，已被取代" if r.superseded else "")
            + ("，待确认" if r.pending else "")
        )

    return [  # the label as the list shows it (a bidirectional control as \u202e), the value the document's id
        (escape_controls(f"{shown_name(r.doc_id, r.title)}（{r.kind}{flags(r)}）"), r.doc_id)
        for r in sorted(ctx.kb.documents().values(), key=lambda r: r.doc_id)
    ]


def stats_markdown(ctx: WebContext) -> str:
    records = ctx.kb.documents()
    by_kind = Counter(r.kind for r in records.values())
    superseded = sum(1 for r in records.values() if r.superseded)
    repealed = sum(1 for r in records.values() if r.repealed)
    held = sum(1 for r in records.values() if r.pending)
    settings = ctx.settings
    llm = (
        f"大模型 {settings.llm_model or '未指定模型'}（{shown_address(settings.llm_base_url or '')}）"
        if llm_backend(settings) != "none"
        else "未配置（离线抽取式回答）"
    )
    if llm_backend(settings) != "none" and composer_backend(settings) == "offline":
        llm += "；回答按配置离线抽取"
    kinds = "，".join(f"{k} {n}" for k, n in by_kind.most_common()) or "无"
    text = "\n".join(
        [
            f"- **文档**：{len(records)} 个（{kinds}）；已被新版本取代 {superseded} 个；已废止 {repealed} 个"
            + (f"；**待确认 {held} 个**（管理员确认前不生效，原文仍现行）" if held else ""),
            f"- **切块**：{sum(r.chunk_count for r in records.values())} 个；{coverage(ctx.kb)}",
            f"- **向量模型**：{ctx.kb.embedder.description}",
            f"- **存储**：{ctx.kb.store.location}",
            f"- **重排**：{reranker_label(settings)}",
            f"- **大模型**：{llm}",
        ]
    )
    return ctx.said(text)  # the store's folder (本地 Chroma（数据目录中的 chroma）), a local model's path


def result_rows(results) -> list[list]:
    return [[r.path.name, STATUS_LABELS.get(r.status, r.status), r.chunks or "", r.reason] for r in results]


def _cell(value) -> str:
    return plain(str(value)).replace("\n", " ")


def results_markdown(rows: list[list]) -> str:
    """The per-file results as a table that wraps long reasons (file names and reasons escaped)."""
    if not rows:
        return ""
    lines = ["| " + " | ".join(RESULT_HEADERS) + " |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _indexed(ctx: WebContext, path: Path) -> bool:
    """Whether the index holds this file of the uploads folder as it is (a document from it, of its content)."""
    try:
        digest = content_hash(path.read_bytes(), ctx.settings)
        where = path.resolve()
    except OSError:
        return False
    return any(r.hash == digest and _resolved(r.source) == where for r in ctx.kb.documents().values())


def _resolved(source: str) -> Path | None:
    try:
        return Path(source).resolve()
    except (OSError, ValueError):
        return None


def import_uploads(ctx: WebContext, paths: list[str], progress=None) -> tuple[str, list[list]]:
    """What the 导入知识库 button does: accept the uploaded files, ingest them as uploads (they cannot
    supersede or repeal a text in force until an administrator confirms, ingest.authority). Returns the
    message and the per-file rows."""
    try:
        batch = accept_uploads(paths, ctx.settings)
    except UploadError as exc:
        return ctx.said(f"⚠ {exc}"), []
    rows = [[r.name, "失败", "", r.reason] for r in batch.rejected]
    note = held = ""
    if batch.accepted:
        with ctx.lock:  # what a server killed during an import left in uploads/ (before this batch moves in)
            recover_interrupted(ctx.settings, lambda path: _indexed(ctx, path))
        try:
            # a file whose ingest fails gets back the stored original it was to replace; the ingest runs in a
            # worker process (questions go on meanwhile)
            # with the background vector builder running, the upload is done once its documents are searchable;
            # under ctx.lock from moving into uploads/ to putting back, so that concurrent uploads of one name
            # are imported one after the other and each report describes its own file
            report = ingest_uploads(
                batch,
                lambda paths: ctx.write(
                    "run", paths, progress=progress, origin=ORIGIN_UPLOAD, vectors=ctx.vectors_thread is None
                ),
                lock=ctx.lock,
            )
        except IngestBusy as exc:
            return ctx.said(f"⚠ {exc}"), rows
        rows = [[*row[:3], ctx.said(row[3])] for row in result_rows(report.results)] + rows
        note = "；".join(n for n in report.notes[:5] if "BM25" not in n)  # index upkeep is not news
        records = ctx.kb.documents()
        waiting = [r.doc_id for r in report.results if r.doc_id in records and records[r.doc_id].pending]
        if waiting:
            held = (
                "\n\n⚠ "
                + "；".join(f"{d}（{held_description(records[d], records)}）" for d in waiting)
                + "：已暂缓，管理员确认前不生效、不参与检索，现行法规不受影响（见右侧“待确认”）。"
            )
    failed = sum(1 for row in rows if row[1] == "失败")
    counts = Counter(row[1] for row in rows)
    summary = "，".join(f"{label} {counts[label]}" for label in STATUS_LABELS.values() if counts[label])
    head = f"{'⚠ 有文件未能导入，原因见下表。' if failed else '✓ 导入完成。'}共 {len(rows)} 个文件：{summary}。"
    # paths taken out before the text is escaped for Markdown (plain escapes the _ of a path)
    return head + plain(ctx.said(held)) + (f"\n\n{plain(ctx.said(note))}" if note else ""), rows


def uploaded(record, settings) -> bool:
    """Uploaded through the web (or, ingested before origins were recorded, kept in the uploads folder): the
    web may delete it; what the administrator ingested from the command line it may not."""
    return record.from_upload or Path(record.source).parent == uploads_dir(settings)


# a held document is chosen for confirmation with the text it held when listed (doc id, this, its hash): a text
# uploaded again under the same name while it waits is not confirmed by a choice made before
_AS_LISTED = "#"
_LISTED = re.compile(rf"(?P<doc_id>.+){_AS_LISTED}(?P<hash>[0-9a-f]{{8,64}})")  # a content hash (ingest.walk)


def _as_listed(choice: str | None) -> tuple[str, str]:
    """(doc id, the hash of its text when listed) of a choice; ("…", "") for a bare doc id (a direct call)."""
    match = _LISTED.fullmatch(choice or "")
    return (match["doc_id"], match["hash"]) if match else (choice or "", "")


def pending_choices(ctx: WebContext) -> list[tuple[str, str]]:
    records = ctx.kb.documents()
    return [
        (escape_controls(f"{r.doc_id}（{held_description(r, records)}）"), f"{r.doc_id}{_AS_LISTED}{r.hash}")
        for r in sorted(records.values(), key=lambda r: r.doc_id)
        if r.pending
    ]


def pending_markdown(ctx: WebContext) -> str:
    """The documents held 待确认, what each would supersede or repeal, and how to confirm."""
    records = ctx.kb.documents()
    held = sorted((r for r in records.values() if r.pending), key=lambda r: r.doc_id)
    if not held:
        return "没有待确认的文档。"
    lines = [f"- **{_cell(r.doc_id)}**：{_cell(held_description(r, records))}" for r in held]
    how = "输入管理员密码后点“确认生效”。" if ctx.settings.admin_password else _confirm_at_the_server(ctx, held)
    return "\n".join(
        [f"以下 {len(held)} 个文档待管理员确认，确认前不生效、不参与检索，现行法规不受影响：", *lines, "", how]
    )


_WRONG_PASSWORD_DELAY = 1.0  # seconds a wrong administrator password holds the turn (assistant.web.admin)


def client(request: gr.Request | None) -> tuple[str, str]:
    """(logged-in user name, client address) of a web request: whose administrator-password checks are counted
    together (assistant.web.admin); ("", "") when called without one."""
    if request is None:
        return "", ""
    address = getattr(getattr(request, "client", None), "host", "") or ""
    return str(getattr(request, "username", "") or ""), str(address)


def check_admin(ctx: WebContext, password: str | None, who: tuple[str, str], what: str) -> str:
    """Why password is refused, in Chinese (wrong, or locked out: how long to wait); empty when it is the
    administrator's. Checks are throttled (assistant.web.admin): one at a time, a lockout per user and address, a
    global slow-down."""
    guard = ctx.admin_guard
    if guard is None:  # no administrator password: nothing is right
        return f"⚠ 管理员密码不正确，{what}。"
    verdict = guard.check(password, *who, base_delay=_WRONG_PASSWORD_DELAY)
    return "" if verdict.right else verdict.refusal(what)


def confirm_pending(ctx: WebContext, doc_id: str | None, password: str | None, who: tuple[str, str] = ("", "")) -> str:
    """The administrator confirms in the web that a held document supersedes or repeals what it names; who: the
    logged-in user and client address (client), whose wrong passwords are counted together."""
    admin = ctx.settings.admin_password
    records = ctx.kb.documents()
    chosen, listed = _as_listed(doc_id)
    record = records.get(chosen)
    if not admin:
        return "⚠ " + _confirm_at_the_server(ctx, [record] if record is not None else [])
    if record is None or not record.pending:
        return "⚠ 请先在“选择待确认的文档”中选一个待确认的文档（已确认或已删除的不再列出）。"
    if listed and listed != record.hash:
        return (
            f"⚠ “{plain(record.doc_id)}”在列出之后又被上传更新过，未确认；原文仍现行。"
            "请刷新待确认列表、重新核对新的文本后再确认。"
        )
    refused = check_admin(ctx, password, who, "未确认；原文仍现行")
    if refused:
        return refused
    try:
        report = ctx.write("confirm", [record.doc_id])
    except IngestBusy as exc:
        return ctx.said(f"⚠ {exc}")
    return f"✓ 已确认“{plain(record.doc_id)}”生效。\n\n" + plain(ctx.said("；".join(report.notes)))


def _confirm_at_the_server(ctx: WebContext, held: list) -> str:
    """How the administrator confirms held documents when the web has no administrator password: at the server, by
    the command line, told by the files' names and where they are kept, never by a path of the server."""
    names = "、".join(f"“{Path(r.source).name}”" for r in held[:5]) + ("等" if len(held) > 5 else "")
    kept = (
        "（网页上传的文件保存在服务器数据目录的 uploads 文件夹中）"
        if any(uploaded(r, ctx.settings) for r in held)
        else ""
    )
    return (
        "网页上未设置管理员密码（ANQUAN_ADMIN_PASSWORD），不能在这里确认。请管理员在服务器上对"
        + (f"文件{names}{kept}" if held else "要确认的文件")
        + "运行 anquan ingest 文件路径 --confirm-supersede；或设置管理员密码、重启服务后在这里确认。"
    )


def edit_fields(ctx: WebContext, doc_id: str | None) -> tuple[str, str | None, str, str, str]:
    """The chosen document's title, kind, region and date to correct, and what was corrected before."""
    record = ctx.kb.documents().get(doc_id or "")
    if record is None:
        return "", None, "", "", ""
    corrected = "；".join(
        f"{LABELS[name]}已更正（导入时识别为“{record.derived[name] or '—'}”）" for name in record.derived
    )
    return (
        record.title,
        record.kind,
        record.region,
        record.date,
        (corrected or "尚未更正：以下是导入时自动识别的信息。"),
    )


def correct_document(
    ctx: WebContext,
    doc_id: str | None,
    title: str | None,
    kind: str | None,
    region: str | None,
    date: str | None,
    password: str | None,
    reset: bool = False,
    who: tuple[str, str] = ("", ""),
) -> str:
    """Correct a document's title, kind, region or date (reset: undo its corrections). With the administrator
    password the correction is authoritative and takes effect at once; without it only a document uploaded
    through the web may be corrected, and it is held 待确认 if the correction would make it supersede or repeal a
    text in force (ingest.corrections)."""
    records = ctx.kb.documents()
    record = records.get(doc_id or "")
    if record is None and doc_id:  # listed on this page, deleted since (in another window, or from the command line)
        return f"⚠ “{plain(doc_id)}”已不在知识库中（可能刚被删除），没有更正：请刷新页面后重新选择。"
    if record is None:
        return "⚠ 请先在“选择要更正的文档”中选一个文档。"
    given = dict(zip(FIELDS, (title, kind, region, date), strict=True))
    changes = {
        name: str(value).strip()
        for name, value in given.items()
        if value is not None and str(value).strip() and str(value).strip() != getattr(record, name)
    }
    if not changes and not (reset and record.derived):
        return "未作更改：所填信息与现有信息相同。" if not reset else "该文档没有更正过，无需撤销。"
    admin = ctx.settings.admin_password
    authoritative = False
    if password:
        if not admin:
            return (
                "⚠ 未设置管理员密码（ANQUAN_ADMIN_PASSWORD），网页上不能以管理员身份更正；"
                "请清空密码后重试，或在服务器上运行 anquan edit。"
            )
        refused = check_admin(ctx, password, who, "未更正")
        if refused:
            return refused
        authoritative = True
    if not authoritative and not uploaded(record, ctx.settings):
        how = "请输入管理员密码后再保存，或请管理员在服务器上运行" if admin else "请管理员在服务器上运行"
        return (
            f"⚠ “{record.doc_id}”是管理员从命令行导入的，只有管理员能更正：{how} "
            f"{edit_command(record.doc_id, '--kind')} …（--title、--region、--date 同理）。"
        )
    try:
        normalise(changes)
    except CorrectionError as exc:
        return f"⚠ {exc}"
    try:
        report = ctx.write("correct", record.doc_id, {} if reset else changes, authoritative=authoritative, reset=reset)
    except IngestBusy as exc:
        return ctx.said(f"⚠ {exc}")
    lines = [("✓ " if r.status != "failed" else "⚠ ") + r.reason for r in report.results]
    after = ctx.kb.documents().get(record.doc_id)
    if after is not None and after.pending:
        lines.append(
            f"⚠ 更正后该文档{held_description(after, ctx.kb.documents())}，已暂缓：管理员确认前不生效，原文仍现行。"
        )
    lines += report.notes[:5]
    return plain(ctx.said("\n\n".join(lines)))


def build(ctx: WebContext, header: gr.Markdown):
    """Lay out the tab; returns a function giving the fresh stats, list and choices, and their components."""
    suffixes = allowed_suffixes(ctx.settings)
    settings = ctx.settings
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            gr.Markdown("#### 导入文件")
            # no file_types: the browser would refuse other types with an English message; uploads.py explains
            # in Chinese
            files = gr.File(label="选择或拖入文件", file_count="multiple", elem_id="lib-files", height=150)
            gr.Markdown(
                f"<small>支持 {'、'.join(suffixes)}；每次最多 {settings.upload_max_files} 个文件，"
                f"每个不超过 {settings.upload_max_mb:g} MB。同名文件再次上传会更新原有内容；"
                f"文件名中的日期如“(2024-05-01)”用于区分法规版本。</small>"
            )
            upload = gr.Button("导入知识库", variant="primary", elem_id="lib-ingest")
            message = gr.Markdown(elem_id="lib-message")
            results = gr.Markdown(elem_id="lib-results")
        with gr.Column(scale=2):
            gr.Markdown("#### 概况")
            stats = gr.Markdown(stats_markdown(ctx), elem_id="lib-stats")
            gr.Markdown("#### 删除文档")
            to_delete = gr.Dropdown(
                choices=document_choices(ctx), value=None, label="选择要删除的文档", elem_id="lib-delete-choice"
            )
            confirm = gr.Checkbox(
                label="确认删除（删除后不再参与检索，可重新上传恢复）", value=False, elem_id="lib-delete-confirm"
            )
            delete = gr.Button("删除", variant="stop", elem_id="lib-delete")
            gr.Markdown("#### 待确认")
            pending = gr.Markdown(pending_markdown(ctx), elem_id="lib-pending")
            to_confirm = gr.Dropdown(
                choices=pending_choices(ctx), value=None, label="选择待确认的文档", elem_id="lib-confirm-choice"
            )
            admin_password = gr.Textbox(label="管理员密码", type="password", max_lines=1, elem_id="lib-admin-password")
            confirm_held = gr.Button("确认生效（取代或废止所列现行文本）", elem_id="lib-confirm")
    gr.Markdown("#### 已入库文档")
    search = gr.Textbox(
        show_label=False,
        placeholder="查找文档：输入名称、类别或地区中的字词，如 条例 青山市",
        elem_id="lib-search",
        max_lines=1,
    )
    documents = gr.Dataframe(
        headers=DOC_HEADERS,
        value=document_rows(ctx),
        interactive=False,
        wrap=True,
        elem_id="lib-documents",
        column_widths=["38%", "12%", "12%", "12%", "8%", "18%"],
        max_height=600,
    )
    search.change(
        friendly_errors("查找文档", ctx.settings)(lambda q: document_rows(ctx, q)),
        search,
        documents,
        api_visibility="private",
        show_progress="hidden",
    )
    with gr.Accordion("更正文档信息（标题、类别、地区、日期）", open=False, elem_id="lib-edit"):
        gr.Markdown(
            "<small>更正后立即用于检索、引用和版本判断（同名法规以日期最新者为现行），重新导入后仍然保留。"
            "命令行导入的文档须输入管理员密码；网页上传的文档不输入密码也可更正，但若更正后要取代或废止现行法规，"
            "须待管理员确认。</small>"
        )
        with gr.Row(equal_height=False):
            to_edit = gr.Dropdown(
                choices=document_choices(ctx), value=None, label="选择要更正的文档", elem_id="lib-edit-choice", scale=2
            )
            edit_note = gr.Markdown(elem_id="lib-edit-note")
        with gr.Row(equal_height=False):
            edit_title = gr.Textbox(label="标题", max_lines=1, elem_id="lib-edit-title", scale=3)
            edit_kind = gr.Dropdown(choices=list(KINDS), value=None, label="类别", elem_id="lib-edit-kind", scale=1)
            edit_region = gr.Textbox(
                label="地区", placeholder="全国、浙江省、青山市青山区", max_lines=1, elem_id="lib-edit-region", scale=1
            )
            edit_date = gr.Textbox(
                label="日期", placeholder="2024-05-01", max_lines=1, elem_id="lib-edit-date", scale=1
            )
        with gr.Row(equal_height=False):
            edit_password = gr.Textbox(
                label="管理员密码（更正命令行导入的文档时必填）",
                type="password",
                max_lines=1,
                elem_id="lib-edit-password",
                scale=2,
            )
            save_edit = gr.Button("保存更正", variant="primary", elem_id="lib-edit-save", scale=1)
            reset_edit = gr.Button("撤销更正", elem_id="lib-edit-reset", scale=1)
        edit_message = gr.Markdown(elem_id="lib-edit-message")
    edit_inputs = [edit_title, edit_kind, edit_region, edit_date]
    to_edit.change(
        friendly_errors("读取文档信息", ctx.settings)(lambda d: edit_fields(ctx, d)),
        to_edit,
        [*edit_inputs, edit_note],
        api_visibility="private",
    )

    def save_correction(reset: bool):
        @friendly_errors("更正文档信息", ctx.settings)
        def handler(doc_id, title, kind, region, date, password, request: gr.Request):
            text = correct_document(ctx, doc_id, title, kind, region, date, password, reset=reset, who=client(request))
            return (
                text,
                *edit_fields(ctx, doc_id),
                "",
                stats_markdown(ctx),
                document_rows(ctx),
                gr.update(choices=document_choices(ctx)),
                ctx.header(),
            )

        return handler

    edit_outputs = [edit_message, *edit_inputs, edit_note, edit_password, stats, documents, to_delete, header]
    save_edit.click(
        save_correction(False), [to_edit, *edit_inputs, edit_password], edit_outputs, api_visibility="private"
    )
    reset_edit.click(
        save_correction(True), [to_edit, *edit_inputs, edit_password], edit_outputs, api_visibility="private"
    )

    @friendly_errors("导入文件", ctx.settings)
    def ingest_files(paths, progress=gr.Progress()):  # noqa: B008 (how Gradio injects a progress bar)
        paths = [p if isinstance(p, str) else getattr(p, "name", str(p)) for p in (paths or [])]

        def report_progress(stage: str, done: int, total: int) -> None:
            progress((done, total), desc=stage, unit="步" if total <= 1 else "个文件")

        try:
            text, rows = import_uploads(ctx, paths, report_progress)
        finally:
            discard_temporary(paths)  # Gradio's copies: the import made its own (the picked files are cleared next)
        return _outcome(ctx, text, rows)

    @friendly_errors("删除文档", ctx.settings)
    def delete_document(doc_id: str | None, confirmed: bool):
        if not doc_id:
            return _outcome(ctx, "⚠ 请先在“选择要删除的文档”中选一个文档。", None, keep_confirm=confirmed)
        if not confirmed:
            return _outcome(ctx, "⚠ 请先勾选“确认删除”，再点“删除”。", None, keep_choice=True)
        record = ctx.kb.documents().get(doc_id)
        if record is None:  # listed on this page, deleted since: nothing to do (the list is refreshed)
            return _outcome(ctx, f"⚠ “{doc_id}”已不在知识库中（可能刚被删除），列表已刷新。", None)
        if not uploaded(record, settings):
            return _outcome(
                ctx,
                f"⚠ “{doc_id}”是管理员从命令行导入的，网页上只能删除网页上传的文档；如需删除，请管理员"
                f"移走该文件后运行 anquan ingest 所在文件夹 --prune。",
                None,
                keep_choice=True,
            )
        try:
            report = ctx.write("remove", [doc_id])
        except IngestBusy as exc:
            return _outcome(ctx, f"⚠ {exc}", None)
        source = Path(record.source)
        if source.parent == uploads_dir(settings):  # a file this app stored; other files are the user's
            source.unlink(missing_ok=True)
        failed = [r for r in report.results if r.status == "failed"]
        text = f"⚠ {failed[0].reason}" if failed else f"✓ 已删除“{doc_id}”。"
        if report.notes:
            text += "\n\n" + "；".join(report.notes)
        return _outcome(ctx, text, None)

    outputs = [message, results, stats, documents, to_delete, confirm, header]

    @friendly_errors("刷新待确认列表", ctx.settings)
    def refresh_pending():
        return pending_markdown(ctx), gr.update(choices=pending_choices(ctx))

    @friendly_errors("刷新文档列表", ctx.settings)
    def refresh_edit_choices():
        return gr.update(choices=document_choices(ctx))

    upload.click(ingest_files, [files], outputs, api_visibility="private", show_progress_on=[files]).then(
        lambda: None, None, files, api_visibility="private"
    ).then(  # imported: clear the picked files
        refresh_pending, None, [pending, to_confirm], api_visibility="private"
    ).then(refresh_edit_choices, None, to_edit, api_visibility="private")
    delete.click(delete_document, [to_delete, confirm], outputs, api_visibility="private").then(
        refresh_pending, None, [pending, to_confirm], api_visibility="private"
    ).then(refresh_edit_choices, None, to_edit, api_visibility="private")

    @friendly_errors("确认取代", ctx.settings)
    def confirm_document(doc_id: str | None, password: str | None, request: gr.Request):
        text = confirm_pending(ctx, doc_id, password, client(request))
        return (
            text,
            stats_markdown(ctx),
            document_rows(ctx),
            gr.update(choices=document_choices(ctx)),
            ctx.header(),
            pending_markdown(ctx),
            gr.update(choices=pending_choices(ctx), value=None),
            "",
        )

    confirm_held.click(
        confirm_document,
        [to_confirm, admin_password],
        [message, stats, documents, to_delete, header, pending, to_confirm, admin_password],
        api_visibility="private",
    )

    @friendly_errors("刷新知识库", ctx.settings)
    def refresh():
        return (
            stats_markdown(ctx),
            document_rows(ctx),
            gr.update(choices=document_choices(ctx)),
            pending_markdown(ctx),
            gr.update(choices=pending_choices(ctx)),
            gr.update(choices=document_choices(ctx)),
        )

    return refresh, [stats, documents, to_delete, pending, to_confirm, to_edit]


def _outcome(
    ctx: WebContext, text: str, rows: list[list] | None, keep_confirm: bool = False, keep_choice: bool = False
):
    results = gr.update() if rows is None else results_markdown(rows)
    choice = (
        gr.update(choices=document_choices(ctx))
        if keep_choice
        else gr.update(choices=document_choices(ctx), value=None)
    )
    return ctx.said(text), results, stats_markdown(ctx), document_rows(ctx), choice, keep_confirm, ctx.header()
