"""The `anquan` command line: ingest, stats, show, search."""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import signal
import sys
import threading
import unicodedata
from collections import Counter
from collections.abc import Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer._click import Context as ClickContext
from typer._click import exceptions as click_errors
from typer.core import TyperGroup
from typer.exceptions import TyperException

from assistant.faults import listen_problem, output_problem, overwrite_problem, user_message, write_problem
from assistant.terminal import plain, shown
from ingest.articles import ArticleRef, missing_part, parse_article, parts_named
from ingest.cleaning import is_blank, to_simplified
from ingest.encoding import escape_controls_in
from ingest.metadata import KINDS, shown_name
from ingest.repeal import describe_repeal
from ingest.settings import Settings

if TYPE_CHECKING:  # the heavy modules (Chroma, the index, the models) load in the commands that use them:
    from ingest.knowledge_base import KnowledgeBase  # `anquan --help` starts in well under a second


class BadInput(ValueError):
    """Text typed in (an argument, a line of chat) that is not valid UTF-8 and reads in no legacy encoding."""

    def __init__(self, shown: str):
        super().__init__(
            f"输入的“{shown}”含有无法识别的字符（不是有效的 UTF-8 编码，终端的字符编码设置可能不对）：请把终端设为 "
            f"UTF-8（如 export LANG=zh_CN.UTF-8 或 C.UTF-8）后重新输入。"
        )


_ECHOED = 60  # characters of what a user typed that a message repeats


def echoed(text: str) -> str:
    """What a user typed, as a message repeats it: its start and how long it was when it is long (a name of 30,000
    characters was written back whole, 90 KB of terminal output, after a search of 6 s)."""
    return text if len(text) <= _ECHOED else f"{text[:_ECHOED]}…（共 {len(text):,} 个字符）"


def readable_input(text: str, may_be_path: bool = False) -> str:
    """Text as typed, when it is valid UTF-8. Bytes that are not (kept by Python as surrogate escapes: a GBK
    terminal, a bad paste) are read as GB18030 or Big5 when that reads cleanly; an existing file's own name is
    kept as it is (ingest reads files whose names are not UTF-8); else BadInput."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    if may_be_path and os.path.lexists(text):
        return text
    from ingest.encoding import name_reading

    readable, encoding = name_reading(text)
    if encoding is None:  # no reading makes text of it (compared as shown, a control byte in it let it through)
        raise BadInput(echoed(os.fsencode(text).decode("utf-8", errors="backslashreplace")))
    return readable


def _robust_streams() -> None:
    """Output never fails on a character: a stream that cannot write Chinese (LANG=C, PYTHONIOENCODING=ascii)
    is switched to UTF-8, and a character no encoding writes (a lone surrogate) is shown escaped. Input that
    is not UTF-8 reaches readable_input as surrogate escapes instead of failing where it is read."""
    for stream, errors in (
        (sys.stdout, "backslashreplace"),
        (sys.stderr, "backslashreplace"),
        (sys.stdin, "surrogateescape"),
    ):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            "安全".encode(stream.encoding or "ascii")
            change = {}
        except (UnicodeEncodeError, LookupError):
            change = {"encoding": "utf-8"}
        try:
            reconfigure(errors=errors, **change)
        except (ValueError, OSError, AttributeError):  # a stream already read from, or not a text stream
            pass


_EXPECTED = {
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "int_type": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "bool_parsing": "须为 true 或 false",
    "finite_number": "须为有限的数字",
}


_BOUNDS = {
    "greater_than_equal": "须不小于 {ge}",
    "less_than_equal": "须不大于 {le}",
    "greater_than": "须大于 {gt}",
    "less_than": "须小于 {lt}",
}


_SECRET = re.compile(r"API_KEY|PASSWORD")  # settings whose value a message never shows


def expected(problem: Mapping[str, Any]) -> str:
    """What a value should have been, in Chinese, from one of pydantic's errors (its English text when unknown)."""
    kind = problem.get("type", "")
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind in _BOUNDS:
        bounds = {k: f"{v:g}" if isinstance(v, float) else v for k, v in (problem.get("ctx") or {}).items()}
        return _BOUNDS[kind].format(**bounds)
    if kind in ("literal_error", "enum"):  # ANQUAN_EMBEDDER=gpt: the values it may take
        values = str((problem.get("ctx") or {}).get("expected", "")).replace("'", "")
        return "须为以下之一：" + values.replace(" or ", "、").replace(", ", "、")
    if kind == "value_error" and (problem.get("ctx") or {}).get("error"):  # the settings' validators say it in Chinese
        return str(problem["ctx"]["error"])
    return str(problem.get("msg", "格式不对"))


_LAST_PORT = 65535
_MOST_DIGITS = 18  # a number option written with more digits is refused as too large
_SHOWN_VALUE = 40  # a refused value is quoted up to this many characters


def whole_number(low: int, high: int | None = None):
    """The parser of every numeric option (--k, --port): an integer from low (to high), written in any decimal
    digits — full-width ２４ and Arabic-Indic ٢٤ are read as `show` reads them. Anything else is refused with
    the option's range ("须为整数，且不小于 1"), which usage_message shows as a usage error (exit code 2)."""
    rule = f"须为 {low}–{high} 之间的整数" if high is not None else f"须为整数，且不小于 {low}"

    def parse(value: str | int | None) -> int | None:
        if value is None or isinstance(value, int):  # the default
            return value
        text = unicodedata.normalize("NFKC", str(value)).strip()
        written = re.fullmatch(r"[+-]?(\d+)", text)
        if written is None:
            raise ValueError(rule)
        if len(written.group(1).lstrip("0")) > _MOST_DIGITS:
            raise ValueError(f"数字过大，{rule}")
        number = int(text)
        if number < low or (high is not None and number > high):
            raise ValueError(rule)
        return number

    return parse


def path_value(what: str):
    """The parser of every path argument and option (the files to ingest, --out, --answers): an empty or blank value
    (an unset shell variable, "$DIR") is refused naming what was expected; Python reads "" as the current folder, and
    `anquan ingest ""` imported every document under it."""

    def parse(value: str | Path | None) -> Path | None:
        if value is None or isinstance(value, Path):  # the default
            return value
        if is_blank(value):
            raise ValueError(f"是空的，请写出{what}")
        return Path(value)

    return parse


def usage_message(exc: click_errors.UsageError, command: str) -> str:
    """A usage error (an unknown option, a missing or malformed value) in Chinese, with where to look."""
    hint = f"运行 {command} --help 查看用法"
    if isinstance(exc, click_errors.NoSuchOption):
        similar = f"（是否想用 {'、'.join(exc.possibilities)}？）" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{similar}：{hint}。"
    if isinstance(exc, click_errors.BadOptionUsage):
        return f"选项 {exc.option_name} 的用法不对（缺少取值，或不应带取值）：{hint}。"
    if isinstance(exc, click_errors.MissingParameter):
        name = exc.param_hint or (exc.param.get_error_hint() if exc.param is not None else "")
        return (
            f"缺少{'选项' if str(name).lstrip(chr(39)).startswith('-') else '参数'} "
            f"{str(name).replace(chr(39), '')}：{hint}。"
        )
    if isinstance(exc, click_errors.BadParameter):
        name = str(exc.param_hint or (exc.param.get_error_hint() if exc.param is not None else "")).replace("'", "")
        cause = exc.__cause__
        errors = getattr(cause, "errors", None)  # a pydantic ValidationError says what was wrong
        problems = errors() if callable(errors) else []
        given = str(problems[0].get("input")) if problems and "input" in problems[0] else None
        if given is not None and len(given) > _SHOWN_VALUE:
            given = f"{given[:_SHOWN_VALUE]}…（共 {len(given):,} 个字符）"
        value = "" if given is None else f"“{given}”"
        expected = _EXPECTED.get(problems[0].get("type", "")) if problems else None
        if expected is None and problems and problems[0].get("type") == "value_error":  # our parsers' Chinese
            expected = str((problems[0].get("ctx") or {}).get("error", "")) or None
        if expected is None and problems and problems[0].get("type") in ("enum", "literal_error"):
            expected = f"须为以下之一：{(problems[0].get('ctx') or {}).get('expected', '')}"
        return f"{name} 的值{value}无效：{expected or '格式不对'}；{hint}。"
    text = exc.format_message()
    if text.startswith("No such command"):
        return (
            f"没有命令 {text.removeprefix('No such command').strip(chr(39) + ' .')}：运行 anquan --help 查看全部命令。"
        )
    if text.startswith("Got unexpected extra argument"):
        extra = text.split("(s) (", 1)[-1].removesuffix(")")
        return f"多余的参数 {echoed(extra)}（含空格的内容请加引号）：{hint}。"
    if text.startswith("Missing command"):
        return "缺少命令：运行 anquan --help 查看全部命令。"
    return f"命令用法有误（{text}）：{hint}。"


class _Guarded(TyperGroup):
    """The last line of defence: whatever a command raises reaches the user as a Chinese message saying what
    to do (a full disk, a read-only data directory, a damaged index …), or as one line naming the log that holds
    the traceback; never as a Python traceback. Usage errors and input that is not UTF-8 are told in Chinese
    too, and output works whatever the locale."""

    def main(self, *args, **kwargs):
        _robust_streams()
        return super().main(*args, **kwargs)

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        try:
            args = [readable_input(arg, may_be_path=True) for arg in args]
            return super().parse_args(ctx, args)
        except BadInput as exc:
            err.print(f"[red]{shown(str(exc))}[/red]")
            raise typer.Exit(2) from None
        except click_errors.NoArgsIsHelpError:
            raise
        except click_errors.UsageError as exc:
            err.print(f"[red]{shown(usage_message(exc, 'anquan'))}[/red]")
            raise typer.Exit(2) from None

    def resolve_command(self, ctx: ClickContext, args: list[str]):
        global _invoked
        name, command, rest = super().resolve_command(ctx, args)
        _invoked = command.name if command is not None and command.name else ""
        return name, command, rest

    def invoke(self, ctx: ClickContext):
        try:
            return super().invoke(ctx)
        except click_errors.NoArgsIsHelpError:
            raise
        except click_errors.UsageError as exc:
            command = " ".join(filter(None, ("anquan", ctx.invoked_subcommand)))
            err.print(f"[red]{shown(usage_message(exc, command))}[/red]")
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, TyperException):  # exit codes
            raise
        except KeyboardInterrupt:
            # a second Ctrl+C while exiting (worker processes still being joined) printed Python's traceback
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            err.print("[yellow]已中断。[/yellow]")
            raise typer.Exit(130) from None
        except ValidationError as exc:
            problems = "；".join(
                f"ANQUAN_{(name := '_'.join(map(str, e['loc'])).upper())} 的值"
                f"{'' if _SECRET.search(name) else '“' + str(e.get('input')) + '”'}无效：{expected(e)}"
                for e in exc.errors()
            )
            err.print(f"[red]配置有误（环境变量或 .env 文件）：{shown(problems)}。请改正后重试。[/red]")
            raise typer.Exit(2) from None
        except Exception as exc:  # noqa: BLE001 - every failure ends as a Chinese message
            try:
                settings = Settings()
            except Exception:  # noqa: BLE001 - the settings themselves may be what fails
                settings = None
            action = {
                "ingest": "导入",
                "ask": "回答问题",
                "chat": "回答问题",
                "show": "查看条文",
                "stats": "统计",
                "search": "检索",
                "check": "义务自查",
                "draft": "起草计划",
                "serve": "启动网页界面",
                "glossary": "查询术语",
                "embed": "计算向量",
                "edit": "更正文档信息",
            }.get(ctx.invoked_subcommand or "", "操作")
            err.print(f"[red]{shown(user_message(exc, settings, action))}[/red]")
            raise typer.Exit(1) from None


app = typer.Typer(
    help="安全生产法规助手 anquan：入库法规与方案、查条文、检索。",
    no_args_is_help=True,
    add_completion=False,
    cls=_Guarded,
)
console = Console(soft_wrap=True, highlight=False)
_ROW_LIMIT = 40  # larger ingests list only problems, not every added file
err = Console(stderr=True, soft_wrap=True, highlight=False)
EMPTY_KB = "知识库为空，请先导入法规和方案：anquan ingest 文件或文件夹（如 anquan ingest ./法规）"


def _require_filters(kb: KnowledgeBase, kinds: list[str] | None, regions: list[str] | None) -> None:
    """Exit with the kinds or regions the knowledge base has when a --kind or --region names none of its documents'
    (a filter matching nothing gave an empty list, or 未找到依据, with no word of why)."""
    from assistant.ask import unknown_filters

    for label, unknown, known in unknown_filters(kb, kinds, regions)[:1]:
        option = "--kind" if label == "类别" else "--region"
        names = "、".join(unknown)
        message = f"知识库中没有{label}为“{names}”的文档；现有{label}：{'、'.join(known)}（用 {option} 指定）"
        err.print(f"[red]{shown(message)}[/red]")
        raise typer.Exit(2)


def _require_documents(kb: KnowledgeBase) -> None:
    """Stop with the empty-knowledge-base message (exit 1) when nothing has been ingested."""
    if not kb.documents():
        err.print(f"[yellow]{EMPTY_KB}[/yellow]")
        raise typer.Exit(1)


def _open(settings: Settings) -> KnowledgeBase:
    """The knowledge base; prints the backends it resolved by name: embedder, store, reranker, composer."""
    from assistant.llm import composer_label
    from assistant.retrieval.reranker import reranker_label
    from ingest.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(settings)
    console.print(f"[dim]向量：{shown(kb.embedder.description)}（{shown(kb.embedder.reason)}）[/dim]")  # [st] is text
    console.print(f"[dim]存储：{shown(str(kb.store.location))}[/dim]")
    console.print(f"[dim]重排：{reranker_label(settings)}　回答：{composer_label(settings)}[/dim]")
    _vector_note(kb)
    return kb


def _refuse_overwriting(out: Path | None, kb: KnowledgeBase, force: bool) -> None:
    """Stop before any work when --out names a file the knowledge base's documents were imported from, or one that
    exists and --force was not given."""
    if out is not None and (problem := overwrite_problem(out, (r.source for r in kb.documents().values()), force)):
        err.print(f"[red]{shown(problem)}[/red]")
        raise typer.Exit(2)


def _vector_note(kb: KnowledgeBase) -> None:
    """Say so when the vector index is damaged (found when opening, or when a search read it)."""
    if kb.store.vector_problem:
        console.print(f"[yellow]{shown(kb.store.vector_problem)}[/yellow]")


@app.command("ingest")
def ingest_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="要导入的文件或文件夹（.md .txt .docx .pdf .html）", parser=path_value("要导入的文件或文件夹")
        ),
    ],
    prune: Annotated[bool, typer.Option("--prune", help="移除这些文件夹中已不存在的文件的内容")] = False,
    confirm_supersede: Annotated[
        bool,
        typer.Option(
            "--confirm-supersede",
            help="管理员确认：这些文件取代同名旧版本、废止其所称的法规，或以没有条文的新文本替换法规"
            "（未确认时新文本待确认或不导入，原文仍现行）",
        ),
    ] = False,
    no_vectors: Annotated[
        bool,
        typer.Option(
            "--no-vectors",
            help="只建立词法索引（BM25、条文查询，导入后即可检索），暂不计算向量；之后用 anquan embed 计算，"
            "或由 anquan serve 在后台计算",
        ),
    ] = False,
) -> None:
    """导入文件：切分、写入索引（未变化的文件自动跳过），文档随即可检索；然后计算向量（可中断，之后用
    anquan embed 继续）。
    新文件要取代或废止现行法规时须加 --confirm-supersede 确认。"""
    from ingest.pipeline import STATUS_LABELS, IngestBusy, ingest

    settings = Settings()
    kb = _open(settings)
    kb.require_writable()  # a read-only data directory: say so before reading any file
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            report = ingest(
                paths,
                settings,
                prune=prune,
                kb=kb,
                progress=progress,
                confirm_supersede=confirm_supersede,
                vectors=False,
            )  # computed below, with a bar of their own, once the report is out
        except IngestBusy as exc:
            err.print(f"[red]{shown(exc)}[/red]")
            raise typer.Exit(2) from None
    table = Table(title="导入结果", show_lines=False)
    for column in ("文件", "结果", "切块数", "说明"):
        table.add_column(column)
    quiet = {"unchanged"} if len(report.results) <= _ROW_LIMIT else {"unchanged", "added", "updated"}
    for result in sorted(report.results, key=lambda r: str(r.path)):
        if result.status in quiet and not result.reason:
            continue
        style = {"failed": "red", "skipped": "yellow", "pruned": "magenta"}.get(result.status, "")
        table.add_row(
            shown(result.path.name),
            f"[{style}]{STATUS_LABELS[result.status]}[/{style}]" if style else STATUS_LABELS[result.status],
            str(result.chunks or ""),
            shown(result.reason),
        )
    if table.row_count:
        console.print(table)
    summary = "，".join(f"{STATUS_LABELS[s]} {report.count(s)}" for s in STATUS_LABELS if report.count(s))
    stages = "、".join(f"{stage} {seconds:.1f}" for stage, seconds in report.stages.items() if seconds >= 0.05)
    console.print(
        f"共 {len(report.results)} 个文件：{summary or '无'}；写入 {report.chunks_written} 个切块；"
        f"用时 {report.seconds:.1f} 秒" + (f"（{stages}）" if stages else "")
    )
    for note in kb.store.repairs + report.notes[:_ROW_LIMIT]:
        console.print(f"[cyan]· {shown(note)}[/cyan]")
    if len(report.notes) > _ROW_LIMIT:
        console.print(
            f"[cyan]· ……另有 {len(report.notes) - _ROW_LIMIT} 条说明（anquan stats 列出全部被取代的旧版本）[/cyan]"
        )
    held = [r for r in kb.documents().values() if r.pending]
    if held:
        console.print(
            f"[yellow]有 {len(held)} 个文档待确认（确认前不生效，原文仍现行），anquan stats 列出全部；"
            f"核对无误后运行 anquan ingest 该文件 --confirm-supersede 确认[/yellow]"
        )
    _vectors_after_ingest(kb, not no_vectors)
    if report.count("failed"):
        raise typer.Exit(1)


def _vectors_after_ingest(kb: KnowledgeBase, compute: bool) -> None:
    """With a neural embedder: compute the vectors the ingest left pending, or say how to."""
    from ingest.vector_builder import coverage, vectors_later

    if not vectors_later(kb):
        return
    now = coverage(kb)
    if now.complete:
        return
    if not compute:
        console.print(f"文档已可检索（BM25、条文查询）；{now}。计算向量：anquan embed（或由 anquan serve 在后台计算）")
        return
    console.print(
        f"文档已可检索（BM25、条文查询）；正在计算 {now.total - now.done:,} 个切块的向量，可随时按 Ctrl+C "
        f"中断，之后用 anquan embed 继续"
    )
    _build_vectors(kb)


def _build_vectors(kb: KnowledgeBase, limit: int | None = None) -> None:
    """Compute the vectors the committed chunks lack (about limit of them, when given: the builder stops at the end
    of the step that reaches it), with a progress bar; Ctrl+C keeps every vector written."""
    import threading

    from rich.progress import TimeRemainingColumn

    from ingest.vector_builder import STAGE, VectorBuilder, VectorsBusy, coverage

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(STAGE, total=None)

        stop = threading.Event()

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            if limit is not None and done >= limit:
                stop.set()

        try:
            run = VectorBuilder(kb, progress).run(stop)
        except VectorsBusy as exc:
            console.print(f"[yellow]{shown(exc)}[/yellow]")
            return
        except KeyboardInterrupt:
            err.print(
                f"[yellow]已中断向量计算：文档照常可检索，已算好的向量都已保存（{coverage(kb)}）；"
                f"运行 anquan embed 继续。[/yellow]"
            )
            raise typer.Exit(130) from None
    console.print(f"已为 {run.written:,} 个切块计算向量，用时 {run.seconds:.1f} 秒；{coverage(kb)}")


@app.command()
def embed(
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=1,
            help="算完约这么多个切块后停下（按计算顺序：先本领域的国家法律法规），其余下次再算",
            show_default=False,
        ),
    ] = None,
) -> None:
    """计算尚无向量的切块的向量（导入时用了 --no-vectors，或向量计算被中断后继续）；可随时中断，已算好的不会丢失。"""
    from ingest.vector_builder import coverage

    settings = Settings()
    kb = _open(settings)
    _require_documents(kb)
    kb.require_writable()
    if kb.vectors_of_two_fits():
        from ingest.pipeline import Ingestor

        if Ingestor(settings, kb).finish_refit():
            console.print("内置向量模型上次重新拟合后、更新全部向量时被中断：已重新拟合并更新全部向量")
    before = coverage(kb)
    if before.complete:
        console.print(f"{before}：全部切块都已有向量，无需计算")
        return
    console.print(f"{before}：待计算 {before.total - before.done:,} 个切块（可随时按 Ctrl+C 中断，再次运行即继续）")
    _build_vectors(kb, limit)
    for note in kb.store.repairs:
        console.print(f"[cyan]· {shown(note)}[/cyan]")


@app.command()
def stats() -> None:
    """知识库概况：按类别的文档数、切块数、被取代的旧版本、已废止的文档、当前向量与存储。"""
    from assistant.retrieval.config import RankingConfig
    from assistant.retrieval.features import general_collection, of_field
    from ingest.authority import held_description, origin_label
    from ingest.vector_builder import coverage

    kb = _open(Settings())
    records = kb.documents()
    if not records and not kb.store.legacy_collections():
        console.print(f"[yellow]{EMPTY_KB}[/yellow]")
        return
    by_kind = Counter(r.kind for r in records.values())
    table = Table(title="知识库")
    table.add_column("类别")
    table.add_column("文档数", justify="right")
    table.add_column("切块数", justify="right")
    for kind, n in by_kind.most_common():
        table.add_row(shown(kind), str(n), str(sum(r.chunk_count for r in records.values() if r.kind == kind)))
    console.print(table)
    vectors = coverage(kb)
    console.print(f"文档 {len(records)} 个，切块 {vectors.total:,} 个；{vectors}")
    if not vectors.complete:
        console.print(
            "[yellow]尚无向量的切块只按词语（BM25）检索，其余照常；计算向量：anquan embed"
            "（或由 anquan serve 在后台计算）[/yellow]"
        )
    if kb.refit_interrupted():
        console.print(
            "[yellow]内置向量模型上次重新拟合后、更新全部向量时被中断：提问暂时只按词语（BM25）检索；"
            "运行 anquan embed（或再导入一次）即可重算全部向量[/yellow]"
        )
    if kb.store.legacy_collections():
        console.print(
            "[yellow]知识库中有旧版本格式的索引，当前版本不再读取：请重新运行 anquan ingest 导入文档[/yellow]"
        )
    in_force = [r for r in records.values() if r.in_force]
    if general_collection(in_force, RankingConfig().general_collection):
        field = sum(of_field(r) for r in in_force)
        console.print(
            f"综合法规库：{len(in_force) - field} 个文件不属于安全生产领域，只在问题点名时检索；"
            f"其余 {field} 个（本领域法规与本单位计划方案）照常检索"
        )
    superseded = [r for r in records.values() if r.superseded]
    if superseded:
        console.print("已被新版本取代（默认不检索）：")
        for r in sorted(superseded, key=lambda r: r.doc_id):
            console.print(f"  · {shown(r.doc_id)} → {shown(r.superseded_by)}")
    repealed = [r for r in records.values() if r.repealed]
    pending = [r for r in records.values() if r.repealed_by and not r.repealed]
    if repealed:
        console.print(f"已废止 {len(repealed)} 个（默认不检索）：")
    for r in sorted(repealed, key=lambda r: r.doc_id):
        console.print(f"  · {shown(r.doc_id)}：{shown(describe_repeal(r, records))}")
    if pending:
        console.print(f"即将废止 {len(pending)} 个（废止日期之前仍现行）：")
    for r in sorted(pending, key=lambda r: r.doc_id):
        console.print(f"  · {shown(r.doc_id)}：{shown(describe_repeal(r, records))}")
    held = [r for r in records.values() if r.pending]
    if held:
        console.print(f"[yellow]待确认 {len(held)} 个（管理员确认前不生效、不参与检索，原文仍现行）：[/yellow]")
    for r in sorted(held, key=lambda r: r.doc_id):
        console.print(
            f"  · {shown(r.doc_id)}（{origin_label(r)}）{shown(held_description(r, records))}；"
            f'确认：anquan ingest "{shown(r.source)}" --confirm-supersede'
        )


@app.command()
def edit(
    document: Annotated[str, typer.Argument(help="文档编号（即文件名，如 安全生产法(2021-06-10)）或标题中的字词")],
    title: Annotated[str | None, typer.Option("--title", help="更正后的标题")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=f"更正后的类别：{'、'.join(KINDS)}")] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="更正后的地区，如 全国、浙江省、青山市、青山市青山区")
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="更正后的日期，如 2024-05-01（同名法规以日期最新者为现行）")
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="撤销对该文档的全部更正，恢复导入时自动识别的信息")] = False,
    confirm_supersede: Annotated[
        bool,
        typer.Option(
            "--confirm-supersede",
            help="确认更正后该文档取代或废止现行文本（不加此项时，这样的更正与导入一样先暂缓、待确认）",
        ),
    ] = False,
) -> None:
    """更正文档的标题、类别、地区或日期（管理员操作，立即生效）：重新导入后仍然保留，检索、引用和版本判断都按更正后的信息。
    只写文档、不带选项时显示其当前信息。"""
    from ingest.corrections import LABELS, CorrectionError
    from ingest.knowledge_base import KnowledgeBase
    from ingest.pipeline import IngestBusy, Ingestor

    given = {"--title": title, "--kind": kind, "--region": region, "--date": date}
    blank = [option for option, value in given.items() if value is not None and is_blank(value)]
    if blank:
        err.print(f"[red]{'、'.join(blank)} 的值是空的：请写上更正后的内容，或去掉该选项[/red]")
        raise typer.Exit(2)
    settings = Settings()
    kb = KnowledgeBase(settings)
    _require_documents(kb)
    record = _one_document(kb, document)
    if not (title or kind or region or date or reset or confirm_supersede):
        _print_document(kb, record.doc_id, LABELS)
        return
    kb.require_writable()
    try:
        report = Ingestor(settings, kb).correct(
            record.doc_id,
            {"title": title, "kind": kind, "region": region, "date": date},
            authoritative=True,
            reset=reset,
            confirm_supersede=confirm_supersede,
        )
    except CorrectionError as exc:
        err.print(f"[red]{shown(str(exc))}[/red]")
        raise typer.Exit(2) from None
    except IngestBusy as exc:
        err.print(f"[red]{shown(exc)}[/red]")
        raise typer.Exit(2) from None
    for result in report.results:
        style = "red" if result.status == "failed" else ("" if result.status == "updated" else "yellow")
        console.print(f"[{style}]{shown(result.reason)}[/{style}]" if style else shown(result.reason))
    for note in report.notes:
        console.print(f"[cyan]· {shown(note)}[/cyan]")
    if any(r.status == "failed" for r in report.results):
        raise typer.Exit(1)
    _print_document(kb, record.doc_id, LABELS)


def _one_document(kb: KnowledgeBase, name: str):
    """The document a user names by its id or by words of its title; exits with the candidates when several fit."""
    records = kb.documents()
    if name in records:
        return records[name]
    matches = kb.find_documents(name, include_superseded=True)
    if not matches:
        err.print(f"[red]知识库中没有编号或名称包含“{shown(echoed(name))}”的文档；可用 anquan stats 查看概况[/red]")
        raise typer.Exit(1)
    if len(matches) > 1:
        listed = "\n".join(f"  · {r.doc_id}（《{r.title}》，{r.kind}）" for r in matches[:20])
        err.print(
            f"[yellow]有 {len(matches)} 个文档符合“{shown(echoed(name))}”，请写出文档编号（文件名）：[/yellow]\n"
            f"{shown(listed)}"
        )
        raise typer.Exit(2)
    return matches[0]


def _print_document(kb: KnowledgeBase, doc_id: str, labels: dict[str, str]) -> None:
    """A document's title, kind, region and date, the corrected ones marked with what was derived, and its status."""
    from ingest.authority import held_description

    records = kb.documents()
    record = records[doc_id]
    console.print(f"[bold]{shown(record.doc_id)}[/bold]（{shown(record.source)}）")
    for name, label in labels.items():
        value = getattr(record, name) or "—"
        derived = record.derived.get(name)
        note = f"　[yellow]已更正（导入时识别为“{shown(derived or '—')}”）[/yellow]" if name in record.derived else ""
        console.print(f"  {label}：{shown(value)}{note}")
    if record.superseded:
        status = f"已被 {record.superseded_by} 取代"
    elif record.repealed_by:
        status = describe_repeal(record, records)
    elif record.pending:
        status = f"待确认（{held_description(record, records)}）"
    else:
        status = "现行"
    console.print(f"  状态：{shown(status)}")


@app.command()
def show(
    document: Annotated[str, typer.Argument(help="法规名称，如 安全生产法")],
    article: Annotated[str, typer.Argument(help="条号，如 24、第二十四条、134之一")],
    old: Annotated[bool, typer.Option("--include-superseded", help="也在已被取代的旧版本和已废止的文档中查找")] = False,
) -> None:
    """显示某部法规的某一条，并给出引用格式（已废止、已被取代的会注明）。"""
    from assistant.citations import citation
    from ingest.authority import challengers, held_description
    from ingest.knowledge_base import KnowledgeBase

    if is_blank(document):
        err.print("[red]法规名称是空的：请写出法规名称，如 anquan show 安全生产法 24[/red]")
        raise typer.Exit(2)
    ref = parse_article(article)
    if ref is None:
        err.print(f"[red]无法识别条号“{shown(echoed(article))}”，请写成 24、第二十四条 或 134之一[/red]")
        raise typer.Exit(2)
    if ref.number < 1:  # the title note (题注: adoption and revision history) is no article
        err.print(f"[red]条号从 1 开始：“{shown(echoed(article))}”不是条文编号，请写成 24、第二十四条 或 134之一[/red]")
        raise typer.Exit(2)
    kb = KnowledgeBase(Settings())
    _require_documents(kb)
    matches = kb.find_documents(document, include_superseded=old)
    if not matches:
        err.print(f"[red]知识库中没有名称包含“{shown(echoed(document))}”的文档；可用 anquan stats 查看已入库文档[/red]")
        raise typer.Exit(1)
    if others := kb.others_named(document, matches):  # a name several documents hold: which one is meant
        titles = [matches[0].short_title, *others]
        listed = "、".join(f"《{t}》" for t in titles[:8]) + ("等" if len(titles) > 8 else "")
        err.print(
            f"[red]名称包含“{shown(echoed(document))}”的文档有 {len(others) + 1} 部：{shown(listed)}；"
            f"请写出要查的那一部的名称，如 anquan show {shown(others[0])} {shown(echoed(article))}[/red]"
        )
        raise typer.Exit(1)
    paragraph, item = parts_named(to_simplified(article)).get(ref, (None, None))
    for record in matches:
        hit = kb.get_article(record.doc_id, ref)
        if hit is None:
            continue
        console.print(f"[bold]{shown(citation(hit.chunks[0], with_part=False))}[/bold]")
        if record.repealed_by:
            style = "red" if record.repealed else "yellow"
            label = "已废止" if record.repealed else "注意"
            console.print(f"[{style}]{label}：{shown(describe_repeal(record, kb.documents()))}[/{style}]")
        if record.superseded:
            console.print(f"[yellow]注意：此版本已被 {shown(record.superseded_by)} 取代[/yellow]")
        if record.pending:
            console.print(
                f"[yellow]注意：此文档待管理员确认（{shown(held_description(record, kb.documents()))}），"
                f"确认前不是现行依据[/yellow]"
            )
        challenging = challengers(record, kb.documents())
        if challenging:
            console.print(
                f"[dim]另有待确认的文本 {shown('、'.join(challenging))} 声称取代或废止本文，"
                f"管理员确认前以本文为准[/dim]"
            )
        if lacking := missing_part(hit.text, paragraph, item):  # 第七条第十三项 read as if 第七条 had one
            console.print(f"[yellow]注意：{ref.label}{lacking}，以下是全条[/yellow]")
        console.print(plain(hit.text), markup=False)
        console.print(
            f"[dim]来源：{shown(shown_name(record.doc_id, record.title))}"
            f"（{shown(record.kind)}，{shown(record.region)}，{shown(record.date)}）[/dim]"
        )
        return
    err.print(f"[red]《{shown(matches[0].title)}》中没有{ref.label}；{_existing_articles(kb, matches[0])}[/red]")
    raise typer.Exit(1)


def _existing_articles(kb: KnowledgeBase, record) -> str:
    """What the document holds, for a user who asked for an article it does not: 第一条至第三十条（另有 第五条之一）."""
    refs = [r for r in kb.articles_of(record.doc_id) if r.number >= 1]
    if not refs:
        return "该文档没有按“第X条”编排的条文，可用 anquan search 检索其内容"
    numbers = sorted({r.number for r in refs})
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    shown = "、".join(
        ArticleRef(a).label if a == b else f"{ArticleRef(a).label}至{ArticleRef(b).label}" for a, b in runs[:10]
    ) + ("等" if len(runs) > 10 else "")
    subs = [r.label for r in refs if r.sub][:5]
    return f"该文档现有条文：{shown}" + (f"（另有 {'、'.join(subs)}）" if subs else "") + f"，共 {len(refs)} 条"


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="问题，如 “我们厂120人，要不要设安全管理机构？”")],
    as_json: Annotated[
        bool, typer.Option("--json", help="输出 JSON（评测格式：retrieved/answer/abstained/citations）")
    ] = False,
    old: Annotated[bool, typer.Option("--include-superseded", help="也检索已被取代的旧版本和已废止的文档")] = False,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="只检索这些类别，如 法律、地方性法规、计划方案（可重复）")
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", help="只检索这些地区，如 全国、北京市（可重复）")
    ] = None,
    history: Annotated[
        list[str] | None,
        typer.Option("--history", help="此前问过的问题（可重复，按先后顺序），追问如 “那罚款是多少？” 据此理解"),
    ] = None,
) -> None:
    """提问：检索条文，给出带引用的回答；没有依据时明确说明。"""
    from assistant.ask import Assistant, question_too_long
    from ingest.knowledge_base import KnowledgeBase

    if is_blank(question):
        err.print(
            '[red]问题是空的：请在 anquan ask 后写上问题，如 anquan ask "我们厂120人，要不要设安全管理机构？"[/red]'
        )
        raise typer.Exit(2)
    settings = Settings()
    refusal = question_too_long(question, settings)
    if refusal:
        err.print(f"[red]{shown(refusal)}[/red]")
        raise typer.Exit(2)
    kb = KnowledgeBase(settings) if as_json else _open(settings)
    problem_shown = bool(kb.store.vector_problem)
    _require_documents(kb)
    _require_filters(kb, kind, region)
    assistant = Assistant(kb, include_superseded=old, kinds=kind, regions=region)
    result = assistant.ask(question, history=history or [])
    if as_json:
        console.print_json(json.dumps(escape_controls_in(result.to_format()), ensure_ascii=False))
        return
    console.print(f"[dim]模式：{assistant.mode}[/dim]")
    console.print(plain(result.answer.text), markup=False)
    if kb.store.vector_problem and not problem_shown:  # found while searching
        _vector_note(kb)


@app.command()
def chat(
    old: Annotated[bool, typer.Option("--include-superseded", help="也检索已被取代的旧版本和已废止的文档")] = False,
) -> None:
    """连续问答：追问（“那罚款是多少？”）会结合前面的问题理解；输入空行或 “退出” 结束。"""
    from assistant.ask import Assistant, question_too_long

    settings = Settings()
    kb = _open(settings)
    _require_documents(kb)
    assistant = Assistant(kb, include_superseded=old)
    console.print(f"[dim]模式：{assistant.mode}。输入问题后回车；空行或“退出”结束。[/dim]")
    history: list[str] = []
    while True:
        try:
            question = readable_input(input("问：")).strip()
        except EOFError:
            break
        except BadInput as exc:
            err.print(f"[red]{shown(str(exc))}[/red]")
            continue
        if is_blank(question) or question in {"退出", "exit", "quit"}:
            break
        refusal = question_too_long(question, settings)
        if refusal:
            err.print(f"[red]{shown(refusal)}[/red]")
            continue
        result = assistant.ask(question, history=history)
        if result.query != question:  # a follow-up read with what came before it: say what was searched
            console.print(f"（按“{plain(result.query)}”检索）", style="dim", markup=False)
        console.print(plain(result.answer.text), markup=False)
        console.print()
        history.append(result.query)


@app.command()
def glossary(
    term: Annotated[str | None, typer.Argument(help="术语或别名，如 四不放过、双预防；不填则列出全部词条")] = None,
) -> None:
    """术语释义：定义、法律依据（引用知识库中的条文原文）和地方方案中的用法。"""
    from assistant.citations import citation, resolve_citation
    from assistant.pack import pack_of
    from ingest.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(Settings())
    entries = pack_of(kb).glossary
    if term is None:
        for listed in entries:
            aliases = f"（{'、'.join(listed.aliases)}）" if listed.aliases else ""
            console.print(f"· {shown(listed.term + aliases)}")
        console.print(f"共 {len(entries)} 个词条；用 anquan glossary 术语 查看详情")
        return
    if is_blank(term):
        err.print("[red]术语是空的：请写出要查的术语，如 anquan glossary 四不放过；不填则列出全部词条[/red]")
        raise typer.Exit(2)
    entry = pack_of(kb).glossary_entry(term)
    if entry is None:
        similar = [e.term for e in entries if term in e.term or any(term in a for a in e.aliases)]
        hint = f"；相近词条：{'、'.join(similar)}" if similar else "；用 anquan glossary 列出全部词条"
        err.print(f"[red]术语表中没有“{shown(echoed(term))}”{shown(hint)}[/red]")
        raise typer.Exit(1)
    aliases = f"（又称：{'、'.join(entry.aliases)}）" if entry.aliases else ""
    console.print(f"[bold]{shown(entry.term)}[/bold]{shown(aliases)}")
    console.print(shown(entry.definition))
    if entry.customary:
        console.print(f"[yellow]惯用原则，非法定术语。[/yellow]{shown(entry.note)}")
    elif entry.note:
        console.print(shown(entry.note))
    if entry.basis:
        console.print("[bold]法律依据[/bold]")
    for n, cited in enumerate(entry.basis, start=1):
        hit = resolve_citation(kb, cited)
        if hit is None:
            console.print(f"  [{n}] [red]{shown(cited)} —— 知识库中未找到，无法核验（请先导入该法规）[/red]")
            continue
        console.print(f"  [{n}] {shown(citation(hit.chunks[0], with_part=False))}")
        for line in hit.text.split("\n"):
            console.print(f"      > {shown(line)}")
    documents = kb.documents()
    if entry.plan_refs:
        console.print("[bold]地方方案中的用法[/bold]")
    for ref in entry.plan_refs:
        record = documents.get(ref.doc)
        where = f"《{record.title}》{ref.heading}" if record else f"{ref.doc}（未入库，无法核验）"
        console.print(f"  · {shown(where)}：“{shown(ref.quote)}”")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="检索内容")],
    k: Annotated[int, typer.Option("--k", help="返回条数", parser=whole_number(1))] = 5,
    old: Annotated[bool, typer.Option("--include-superseded", help="包括已被取代的旧版本和已废止的文档")] = False,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="只检索这些类别（可重复）")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="只检索这些地区（可重复）")] = None,
) -> None:
    """混合检索（BM25 + 向量），列出最相关的条文或方案段落。"""
    from assistant.retrieval import HybridRetriever

    if is_blank(query):
        err.print("[red]检索内容是空的：请在 anquan search 后写上要检索的字词，如 anquan search 动火作业[/red]")
        raise typer.Exit(2)
    if not any(c.isalnum() for c in query):  # ？？？ or 😀: the nearest vectors of nothing were listed as the best
        err.print(
            f"[red]检索内容“{shown(query[:20])}”中没有文字（只有标点或符号）：请写上要检索的字词，"
            "如 anquan search 动火作业[/red]"
        )
        raise typer.Exit(2)
    settings = Settings()
    if len(query) > settings.question_max_chars:  # as a question: 30,000 characters were searched for 7 s
        err.print(
            f"[red]检索内容太长（{len(query):,} 个字符），最多 {settings.question_max_chars:,} 个字符："
            "请只写要检索的字词[/red]"
        )
        raise typer.Exit(2)
    kb = _open(settings)
    _require_documents(kb)
    _require_filters(kb, kind, region)
    retriever = HybridRetriever(kb=kb, k=k, include_superseded=old, kinds=kind or None, regions=region or None)
    found = retriever.invoke(query)
    for n, doc in enumerate(found, start=1):
        console.print(f"[bold][{n}] {shown(doc.metadata['citation'])}[/bold]")
        console.print(plain(doc.page_content[:300]) + ("…" if len(doc.page_content) > 300 else ""), markup=False)
    if not found:  # (the header lines alone were printed, as if the command had not run)
        console.print(f"没有找到含“{shown(echoed(query))}”的条文或段落：请换个说法，或用 anquan ask 提问。")


_FORCE_HELP = "--out 的文件已存在时覆盖它（知识库中文档的原文件除外）"


@app.command()
def draft(
    kind: Annotated[
        str, typer.Option("--kind", help="计划类型：quarterly 季度、annual 年度、campaign 专项整治、holiday 节假日")
    ] = "quarterly",
    period: Annotated[
        str | None, typer.Option("--period", help="期间：2025Q1、2025、2025-06、2025春节 或 春节（当年）")
    ] = None,
    level: Annotated[
        str, typer.Option("--level", help="层级：区、县、镇、街道、园区、企业……或单位名称，如 青山区")
    ] = "区",
    focus: Annotated[str, typer.Option("--focus", help="重点领域，逗号分隔，如 危险化学品,建筑施工")] = "",
    region: Annotated[str | None, typer.Option("--region", help="地区，如 山东：优先引用当地地方性法规")] = None,
    section: Annotated[str | None, typer.Option("--section", help="只起草一个部分，如 隐患排查治理")] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="专项整治的主题，如 燃气安全专项整治（campaign 用）")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="写入 .docx 或 .md 文件；不写则在屏幕上输出 Markdown", parser=path_value("要写入的文件名")
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=_FORCE_HELP)] = False,
) -> None:
    """起草安全生产工作计划提纲（或其中一个部分），每项任务引用现行法规条文。"""
    from assistant.draft import PlanRequestError, check_period_length, draft_plan, draft_section
    from ingest.knowledge_base import KnowledgeBase

    if out is not None and out.suffix.lower() not in (".docx", ".md"):
        err.print(f"[red]{shown(out)}：只能写成 .docx（Word）或 .md（Markdown）文件[/red]")
        raise typer.Exit(2)
    if out is not None and (problem := output_problem(out)):
        err.print(f"[red]{shown(problem)}[/red]")
        raise typer.Exit(2)
    if section is None and not period:
        err.print(
            "[red]请用 --period 写明期间（如 2025Q1、2025、2025-06、2025春节），或用 --section 只起草一个部分[/red]"
        )
        raise typer.Exit(2)
    try:
        if section is None:
            check_period_length(period)  # a pasted page is refused at once, before the knowledge base is opened
    except PlanRequestError as exc:
        err.print(f"[red]{shown(exc)}[/red]")
        raise typer.Exit(2) from None
    kb = KnowledgeBase(Settings())
    _refuse_overwriting(out, kb, force)
    try:
        if section is not None:
            plan = draft_section(kb, section, level, region=region)
        else:
            plan = draft_plan(
                kb, kind, period or "", level, focus=[focus] if focus else None, region=region, topic=topic
            )
    except PlanRequestError as exc:
        err.print(f"[red]{shown(exc)}[/red]")
        raise typer.Exit(2) from None
    if out is None:
        console.print(plain(plan.to_markdown()), markup=False, highlight=False)
        return
    try:
        if out.suffix.lower() == ".docx":
            from assistant.draft.docx import write_plan_docx

            write_plan_docx(plan, out)
        else:
            plan.write_markdown(out)
    except OSError as exc:
        err.print(f"[red]{shown(write_problem(out, exc))}[/red]")
        raise typer.Exit(1) from None
    console.print(
        f"已写入：{shown(out)}（{shown(plan.title)}，{len(plan.task_items)} 项任务，"
        f"{len(plan.basis_sources)} 条依据、{len(plan.reference_sources)} 条参考；{plan.mode}）"
    )
    for note in plan.notes:
        console.print(f"[yellow]说明：{shown(note)}[/yellow]")


@app.command()
def check(
    industry: Annotated[
        str, typer.Option("--industry", help="行业，如 危险化学品经营（带储存）、建筑施工、一般工贸（机械制造）、餐饮")
    ],
    employees: Annotated[
        str | None, typer.Option("--employees", help="从业人员人数，如 120（写成 120人 也可以）")
    ] = None,
    major_hazard: Annotated[bool, typer.Option("--major-hazard", help="有构成重大危险源的场所或设施")] = False,
    special_equipment: Annotated[
        str, typer.Option("--special-equipment", help="特种设备，逗号分隔，如 压力容器,叉车")
    ] = "",
    occupational_hazards: Annotated[bool, typer.Option("--occupational-hazards", help="存在职业病危害因素")] = False,
    labor_dispatch: Annotated[bool, typer.Option("--labor-dispatch", help="使用劳务派遣人员")] = False,
    region: Annotated[str | None, typer.Option("--region", help="所在地区，如 北京、山东、宁波")] = None,
    description: Annotated[
        str, typer.Option("--description", help="一段话描述本单位（可写明分包、托运、没有的设备等）")
    ] = "",
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            help="自查回答文件：.yaml/.csv（编号 → 是/否/不确定），或填好的 .xlsx 自查表",
            parser=path_value("自查回答文件的路径"),
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="导出为 .xlsx 或 .docx", parser=path_value("要导出的文件名"))
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=_FORCE_HELP)] = False,
) -> None:
    """义务自查：列出适用于本单位的法定义务（条文原文、自查问题、留存证据、罚则），按回答生成差距报告。"""
    from assistant.pack import pack_of
    from assistant.selfcheck import (
        AnswerError,
        AnswerLimits,
        ProfileError,
        build_checklist,
        load_answers,
        read_profile,
    )
    from assistant.selfcheck.console import print_checklist, print_gap_report, split_list, to_json
    from assistant.selfcheck.export import export
    from ingest.knowledge_base import KnowledgeBase

    if is_blank(industry):
        err.print("[red]行业是空的：请写明本单位的行业，如 anquan check --industry 餐饮 --employees 30[/red]")
        raise typer.Exit(2)
    if out is not None and out.suffix.lower() not in (".xlsx", ".docx"):
        err.print(f"[red]{shown(out)}：只能导出为 .xlsx 或 .docx[/red]")
        raise typer.Exit(2)
    if out is not None and (problem := output_problem(out)):
        err.print(f"[red]{shown(problem)}[/red]")
        raise typer.Exit(2)
    settings = Settings()
    kb = KnowledgeBase(settings)
    _refuse_overwriting(out, kb, force)
    try:
        profile = read_profile(
            pack_of(kb),
            industry,
            employees,
            major_hazard,
            split_list(special_equipment),
            occupational_hazards,
            labor_dispatch,
            region,
            description,
        )
    except ProfileError as exc:
        err.print(f"[red]{shown(str(exc))}[/red]")
        raise typer.Exit(2) from None
    if not kb.documents():
        err.print(f"[yellow]{EMPTY_KB}。在此之前，清单只列出义务和条号，无法引用条文原文。[/yellow]")
    checklist = build_checklist(kb, pack_of(kb), profile)
    report = given = None
    if answers is not None:
        try:
            given = load_answers(answers, checklist, AnswerLimits.from_settings(settings))
        except AnswerError as exc:
            err.print(f"[red]{shown(str(exc))}[/red]")
            raise typer.Exit(2) from None
        report = checklist.gap_report(given)
    if out is not None:
        try:
            export(checklist, out, given, report)
        except OSError as exc:
            err.print(f"[red]{shown(write_problem(out, exc))}[/red]")
            raise typer.Exit(1) from None
    if as_json:
        console.print_json(json.dumps(escape_controls_in(to_json(checklist, report)), ensure_ascii=False))
        return
    print_checklist(console, checklist)
    if report is not None:
        print_gap_report(console, report)
    if out is not None:
        console.print(f"已导出：{shown(out)}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="监听地址，默认 127.0.0.1（仅本机可访问）")] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="端口，默认 7860", parser=whole_number(1, _LAST_PORT))
    ] = None,
) -> None:
    """启动网页界面：问答、计划起草、义务自查、知识库管理。"""
    with _no_notebook():
        _serve(host, port)


@contextmanager
def _no_notebook():
    """IPython marked absent while the server runs: Gradio imports it when it is installed (to register notebook
    cell magics, and at launch to ask whether it runs in a notebook), a third of a second of the start of a server
    that is never a notebook. Each such import then fails as where IPython is not installed (Gradio expects that).
    Nothing changes when IPython is already imported (anquan run from a notebook)."""
    hidden = "IPython" not in sys.modules
    if hidden:
        sys.modules["IPython"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if hidden and "IPython" in sys.modules and sys.modules["IPython"] is None:
            del sys.modules["IPython"]


def _serve(host: str | None, port: int | None) -> None:
    from assistant.web.app import launch
    from assistant.web.login import LoginConfigError, login_pair

    settings = Settings()
    try:
        login_pair(settings)
    except LoginConfigError as exc:
        err.print(f"[red]{shown(exc)}[/red]")
        raise typer.Exit(2) from None
    host = host or settings.web_host
    if host not in ("127.0.0.1", "localhost", "::1") and not (settings.web_user and settings.web_password):
        err.print(
            f"[yellow]注意：监听 {host} 时局域网内其他电脑也能访问；建议设置 ANQUAN_WEB_USER 和 "
            f"ANQUAN_WEB_PASSWORD 启用登录[/yellow]"
        )
    port = settings.web_port if port is None else port
    if not 1 <= port <= _LAST_PORT:
        err.print(f"[red]端口 {port} 无效：须为 1–{_LAST_PORT} 之间的整数，如 anquan serve --port 7861[/red]")
        raise typer.Exit(2)
    kb = _open(settings)
    # the web server's own English line when it cannot listen (its OSError, logged as is): said below in Chinese
    logging.getLogger("uvicorn.error").addFilter(lambda record: not isinstance(record.msg, OSError))
    if problem := listen_problem(host, port):  # before the address is printed as if serving
        err.print(f"[red]{shown(problem)}[/red]")
        raise typer.Exit(2)
    console.print(f"[bold]安全生产法规助手[/bold] 网页界面：http://{host}:{port}（Ctrl+C 退出）")
    try:
        launch(settings, host, port, kb=kb)
    except OSError as exc:  # taken in the meantime
        problem = listen_problem(host, port) or f"无法在 {host}:{port} 启动网页界面（{exc.__class__.__name__}）"
        err.print(f"[red]{shown(problem)}[/red]")
        raise typer.Exit(2) from None


# commands that write nothing: once one has printed what it found, the process may end at once (see main)
_READING = frozenset({"ask", "search", "show", "glossary", "stats"})
_invoked = ""  # the command this process runs (set when it is invoked)


def main() -> None:
    """The `anquan` command. A command that only reads ends as Python ends (its threads joined, the exit handlers
    run, the output flushed) but without the interpreter's teardown: freeing what an answer loaded and Chroma's
    threads stopping took a third of a second of every `anquan ask`, after the answer was printed."""
    try:
        app()
    except SystemExit as exc:
        if _invoked in _READING and isinstance(exc.code, int | None):
            exit_at_once(exc.code or 0)
        raise


def exit_at_once(code: int) -> NoReturn:
    """Python's own exit, in its order, then the process ends without tearing the interpreter down."""
    join_threads = getattr(threading, "_shutdown", None)  # what the interpreter runs first at exit
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if join_threads is None or run_exit_handlers is None:  # another Python: its own exit
        raise SystemExit(code)
    join_threads()  # idle pool workers stopped, any other thread still working waited for
    run_exit_handlers()  # logging flushed, file locks released
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):  # a closed pipe: nothing more can be told
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
