"""The `anquan` command line: ingest, stats, show, search."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.ask import Assistant
from assistant.citations import citation, resolve_citation
from assistant.retriever import HybridRetriever
from assistant.settings import Settings
from ingest.articles import parse_article
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import STATUS_LABELS, IngestBusy, ingest

app = typer.Typer(help="安全生产法规助手 anquan：入库法规与方案、查条文、检索。", no_args_is_help=True,
                  add_completion=False)
console = Console(soft_wrap=True)
_ROW_LIMIT = 40  # larger ingests list only problems, not every added file
err = Console(stderr=True, soft_wrap=True)


def _open(settings: Settings) -> KnowledgeBase:
    kb = KnowledgeBase(settings)
    console.print(f"[dim]向量：{kb.embedder.description}（{kb.embedder.reason}）[/dim]")
    console.print(f"[dim]存储：{kb.store.location}[/dim]")
    if settings.reranker_model:
        console.print(f"[dim]重排：CrossEncoder {settings.reranker_model}[/dim]")
    return kb


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="要导入的文件或文件夹（.md .txt .docx .pdf .html）")],
    prune: Annotated[bool, typer.Option("--prune", help="移除这些文件夹中已不存在的文件的内容")] = False,
) -> None:
    """导入文件：切分、向量化并写入索引（未变化的文件自动跳过）。"""
    settings = Settings()
    kb = _open(settings)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            report = ingest(paths, settings, prune=prune, kb=kb, progress=progress)
        except IngestBusy as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
    table = Table(title="导入结果", show_lines=False)
    for column in ("文件", "结果", "切块数", "说明"):
        table.add_column(column)
    quiet = {"unchanged"} if len(report.results) <= _ROW_LIMIT else {"unchanged", "added", "updated"}
    for result in sorted(report.results, key=lambda r: str(r.path)):
        if result.status in quiet and not result.reason:
            continue
        style = {"failed": "red", "skipped": "yellow", "pruned": "magenta"}.get(result.status, "")
        table.add_row(result.path.name, f"[{style}]{STATUS_LABELS[result.status]}[/{style}]" if style
                      else STATUS_LABELS[result.status], str(result.chunks or ""), result.reason)
    if table.row_count:
        console.print(table)
    summary = "，".join(f"{STATUS_LABELS[s]} {report.count(s)}" for s in STATUS_LABELS if report.count(s))
    console.print(f"共 {len(report.results)} 个文件：{summary or '无'}；写入 {report.chunks_written} 个切块；"
                  f"用时 {report.seconds:.1f} 秒")
    for note in report.notes[:_ROW_LIMIT]:
        console.print(f"[cyan]· {note}[/cyan]")
    if len(report.notes) > _ROW_LIMIT:
        console.print(f"[cyan]· ……另有 {len(report.notes) - _ROW_LIMIT} 条说明（anquan stats 列出全部被取代的旧版本）[/cyan]")
    if report.count("failed"):
        raise typer.Exit(1)


@app.command()
def stats() -> None:
    """知识库概况：按类别的文档数、切块数、被取代的旧版本、当前向量与存储。"""
    kb = _open(Settings())
    records = kb.documents()
    by_kind = Counter(r.kind for r in records.values())
    table = Table(title="知识库")
    table.add_column("类别")
    table.add_column("文档数", justify="right")
    table.add_column("切块数", justify="right")
    for kind, n in by_kind.most_common():
        table.add_row(kind, str(n), str(sum(r.chunk_count for r in records.values() if r.kind == kind)))
    console.print(table)
    console.print(f"文档 {len(records)} 个，切块 {kb.store.count()} 个")
    superseded = [r for r in records.values() if r.superseded]
    if superseded:
        console.print("已被新版本取代（默认不检索）：")
        for r in sorted(superseded, key=lambda r: r.doc_id):
            console.print(f"  · {r.doc_id} → {r.superseded_by}")


@app.command()
def show(
    document: Annotated[str, typer.Argument(help="法规名称，如 安全生产法")],
    article: Annotated[str, typer.Argument(help="条号，如 24、第二十四条、134之一")],
    old: Annotated[bool, typer.Option("--include-superseded", help="也在已被取代的旧版本中查找")] = False,
) -> None:
    """显示某部法规的某一条，并给出引用格式。"""
    ref = parse_article(article)
    if ref is None:
        err.print(f"[red]无法识别条号“{article}”，请写成 24、第二十四条 或 134之一[/red]")
        raise typer.Exit(2)
    kb = KnowledgeBase(Settings())
    matches = kb.find_documents(document, include_superseded=old)
    if not matches:
        err.print(f"[red]知识库中没有名称包含“{document}”的文档；可用 anquan stats 查看已入库文档[/red]")
        raise typer.Exit(1)
    for record in matches:
        hit = kb.get_article(record.doc_id, ref)
        if hit is None:
            continue
        console.print(f"[bold]{citation(hit.chunks[0], with_part=False)}[/bold]")
        if record.superseded:
            console.print(f"[yellow]注意：此版本已被 {record.superseded_by} 取代[/yellow]")
        console.print(hit.text)
        console.print(f"[dim]来源：{record.doc_id}（{record.kind}，{record.region}，{record.date}）[/dim]")
        return
    err.print(f"[red]《{matches[0].title}》中没有{ref.label}[/red]")
    raise typer.Exit(1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="问题，如 “我们厂120人，要不要设安全管理机构？”")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（评测格式：retrieved/answer/abstained/citations）")] = False,
    old: Annotated[bool, typer.Option("--include-superseded", help="也检索已被取代的旧版本")] = False,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="只检索这些类别，如 法律、地方性法规、计划方案（可重复）")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="只检索这些地区，如 全国、北京市（可重复）")] = None,
) -> None:
    """提问：检索条文，给出带引用的回答；没有依据时明确说明。"""
    settings = Settings()
    kb = KnowledgeBase(settings) if as_json else _open(settings)
    assistant = Assistant(kb, include_superseded=old, kinds=kind, regions=region)
    result = assistant.ask(question)
    if as_json:
        console.print_json(json.dumps(result.to_format(), ensure_ascii=False))
        return
    console.print(f"[dim]模式：{assistant.mode}[/dim]")
    console.print(result.answer.text)


@app.command()
def glossary(
    term: Annotated[str | None, typer.Argument(help="术语或别名，如 四不放过、双预防；不填则列出全部词条")] = None,
) -> None:
    """术语释义：定义、法律依据（引用知识库中的条文原文）和地方方案中的用法。"""
    kb = KnowledgeBase(Settings())
    entries = kb.pack.glossary
    if term is None:
        for entry in entries:
            aliases = f"（{'、'.join(entry.aliases)}）" if entry.aliases else ""
            console.print(f"· {entry.term}{aliases}")
        console.print(f"共 {len(entries)} 个词条；用 anquan glossary 术语 查看详情")
        return
    entry = kb.pack.glossary_entry(term)
    if entry is None:
        similar = [e.term for e in entries if term in e.term or any(term in a for a in e.aliases)]
        hint = f"；相近词条：{'、'.join(similar)}" if similar else "；用 anquan glossary 列出全部词条"
        err.print(f"[red]术语表中没有“{term}”{hint}[/red]")
        raise typer.Exit(1)
    aliases = f"（又称：{'、'.join(entry.aliases)}）" if entry.aliases else ""
    console.print(f"[bold]{entry.term}[/bold]{aliases}")
    console.print(entry.definition)
    if entry.customary:
        console.print(f"[yellow]惯用原则，非法定术语。[/yellow]{entry.note}")
    elif entry.note:
        console.print(entry.note)
    if entry.basis:
        console.print("[bold]法律依据[/bold]")
    for n, cited in enumerate(entry.basis, start=1):
        hit = resolve_citation(kb, cited)
        if hit is None:
            console.print(f"  [{n}] [red]{cited} —— 知识库中未找到，无法核验（请先导入该法规）[/red]")
            continue
        console.print(f"  [{n}] {citation(hit.chunks[0], with_part=False)}")
        for line in hit.text.split("\n"):
            console.print(f"      > {line}")
    documents = kb.documents()
    if entry.plan_refs:
        console.print("[bold]地方方案中的用法[/bold]")
    for ref in entry.plan_refs:
        record = documents.get(ref.doc)
        where = f"《{record.title}》{ref.heading}" if record else f"{ref.doc}（未入库，无法核验）"
        console.print(f"  · {where}：“{ref.quote}”")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="检索内容")],
    k: Annotated[int, typer.Option("--k", help="返回条数")] = 5,
    old: Annotated[bool, typer.Option("--include-superseded", help="包括已被取代的旧版本")] = False,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="只检索这些类别（可重复）")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="只检索这些地区（可重复）")] = None,
) -> None:
    """混合检索（BM25 + 向量），列出最相关的条文或方案段落。"""
    kb = _open(Settings())
    retriever = HybridRetriever(kb=kb, k=k, include_superseded=old, kinds=kind or None, regions=region or None)
    for n, doc in enumerate(retriever.invoke(query), start=1):
        console.print(f"[bold][{n}] {doc.metadata['citation']}[/bold]")
        console.print(doc.page_content[:300] + ("…" if len(doc.page_content) > 300 else ""))


if __name__ == "__main__":
    app()
